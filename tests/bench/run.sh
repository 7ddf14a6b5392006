#!/bin/sh
# run.sh: the benchmark (make bench; never part of make check).
#
# A large export in the northern agency's layout (gen-sample --bench,
# BENCH_ROWS rows, kept in out/bench/ and reused), then, each BENCH_RUNS
# times (median of each figure reported):
#   every program alone on its real input (written to out/bench/),
#   the whole chain as one pipe, normalise | ... | suppress,
#   the same work in Miller (tests/bench/miller.mlr: dates, age band,
#     quarter, distinct clients by period, region and need),
#   the same work in DuckDB (tests/bench/duckdb: run.js and events.sql,
#     from npm into out/bench/npm by make bench), to internal cells,
#   libcsv's bare parse of the export (bin/bench/csvfloor), the floor,
#     and of the later stages' inputs (what the chain must parse anyway),
#   normalise on a full .xlsx sheet, 1,048,576 rows: the export's first
#     rows as Excel saves them (tests/bench/csv2xlsx.py: every text a
#     shared string, dates as date cells), read row by row with memory
#     bounded by the shared strings; its events must equal the CSV's.
# The floor, the chain and DuckDB run in turn (floor, chain, DuckDB,
# floor, ...), and each ratio between them is the median of the ratios
# of the same round, so that a change of load moves both sides alike.
# Wall, user+sys CPU and max RSS come from GNU time.  The table goes to
# stdout, out/bench/results.txt and out/bench/results.csv.  Then
# tests/bench/sdc.sh: the disclosure-control engine at scale;
# tests/bench/national.sh: the national build for BENCH_AGENCIES agencies
# (300); and last every target of issue 21 with its measured value and
# whether it is met (out/bench/targets.txt).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROWS=${BENCH_ROWS:-2000000}
RUNS=${BENCH_RUNS:-3}
MILLER_RUNS=${BENCH_MILLER_RUNS:-$RUNS}
OUT=out/bench
AG=sample-data/northern
P=pipelines
KEY=out/keys/northern.key
TIME=/usr/bin/time
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$KEY" ] || make -s "$KEY"
if [ ! -s "$OUT/export.csv" ] || [ "$(cat "$OUT/rows" 2>/dev/null)" != "$ROWS" ]; then
	echo "bench: writing $ROWS rows to $OUT/export.csv" >&2
	bin/gen-sample --bench "$ROWS" > "$OUT/export.csv.tmp"
	mv "$OUT/export.csv.tmp" "$OUT/export.csv"
	echo "$ROWS" > "$OUT/rows"
fi

NORMALISE="bin/normalise --profile $AG/profile.json --key $KEY --rejects $work/rejects.csv"
# the .xlsx sheet: the same profile as a workbook's, with a key of its own
# (the demo key keys only sample-data/northern itself)
XLSX_ROWS=1048576
if [ ! -s "$OUT/export.xlsx" ] || [ "$(cat "$OUT/xlsx-rows" 2>/dev/null)" != "$XLSX_ROWS $ROWS" ]; then
	echo "bench: writing a $XLSX_ROWS-row sheet to $OUT/export.xlsx" >&2
	python3 tests/bench/csv2xlsx.py "$OUT/export.csv" "$XLSX_ROWS" \
	  "$OUT/export.xlsx.tmp" 2> "$OUT/xlsx-strings"
	mv "$OUT/export.xlsx.tmp" "$OUT/export.xlsx"
	echo "$XLSX_ROWS $ROWS" > "$OUT/xlsx-rows"
fi
[ -s "$OUT/bench.key" ] || bin/keygen "$OUT/bench.key" 2>/dev/null
sed '/"encoding"/d; /"delimiter"/d; s/"skip_rows": 0,/"format": "xlsx", "skip_rows": 0,/' \
  "$AG/profile.json" > "$OUT/profile-xlsx.json"
cp "$AG/profile.json" "$OUT/profile-csv.json"
NORMALISE_XLSX="bin/normalise --profile $OUT/profile-xlsx.json --key $OUT/bench.key"
MAP="bin/map-categories --map $AG/map.json --codes $P/codes --unmapped $work/unmapped.csv"
BUCKET="bin/bucket --bands $P/age-bands.json"
AGGREGATE="bin/aggregate --tables $P/tables.json --codes $P/codes --bands $P/age-bands.json --profile $AG/profile.json"
SUPPRESS="bin/suppress --rules $P/rules/statsnz.json"
MILLER="mlr --icsv --ocsv put -f tests/bench/miller.mlr \
then nest --explode --values --across-records -f Needs --nested-fs '; ' \
then count-distinct -f period,Region,Needs,'Client ID' \
then count -g period,Region,Needs then sort -f period,Region,Needs"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure NAME ROWS RUNS COMMAND: the command run by sh, RUNS times
measure() {
	name=$1 rows=$2 runs=$3 cmd=$4
	: > "$work/times"
	i=0
	while [ "$i" -lt "$runs" ]; do
		$TIME -f '%e %U %S %M' -o "$work/t" sh -c "$cmd" ||
			{ echo "bench: $name failed" >&2; exit 1; }
		tail -n 1 "$work/t" >> "$work/times"
		i=$((i + 1))
	done
	wall=$(awk '{ print $1 }' "$work/times" | median)
	cpu=$(awk '{ print $2 + $3 }' "$work/times" | median)
	rss=$(awk '{ print $4 }' "$work/times" | median)
	echo "$name $rows $wall $cpu $rss" >> "$work/results"
	echo "bench: $name: ${wall}s wall, ${cpu}s cpu, ${rss} KB" >&2
}

# rotate RUNS NAME1 CMD1 NAME2 CMD2 NAME3 CMD3: the three commands in
# turn, RUNS rounds; each one's medians into results, and the ratios of
# each round (2/1, 2/3 in wall and CPU) medianed into ratios
rotate() {
	runs=$1 n1=$2 c1=$3 n2=$4 c2=$5 n3=$6 c3=$7
	: > "$work/$n1.t"; : > "$work/$n2.t"; : > "$work/$n3.t"
	i=0
	while [ "$i" -lt "$runs" ]; do
		for k in 1 2 3; do
			eval "n=\$n$k c=\$c$k"
			$TIME -f '%e %U %S %M' -o "$work/t" sh -c "$c" ||
				{ echo "bench: $n failed" >&2; exit 1; }
			tail -n 1 "$work/t" >> "$work/$n.t"
		done
		i=$((i + 1))
	done
	for n in "$n1" "$n2" "$n3"; do
		wall=$(awk '{ print $1 }' "$work/$n.t" | median)
		cpu=$(awk '{ print $2 + $3 }' "$work/$n.t" | median)
		rss=$(awk '{ print $4 }' "$work/$n.t" | median)
		echo "$n $ROWS $wall $cpu $rss" >> "$work/results"
		echo "bench: $n: ${wall}s wall, ${cpu}s cpu, ${rss} KB" >&2
	done
	for pair in "$n2 $n1" "$n3 $n2"; do
		set -- $pair
		w=$(paste -d' ' "$work/$1.t" "$work/$2.t" |
		    awk '{ print $1 / ($5 > 0 ? $5 : 0.001) }' | median)
		c=$(paste -d' ' "$work/$1.t" "$work/$2.t" |
		    awk '{ print ($2 + $3) / ($6 + $7 > 0 ? $6 + $7 : 0.001) }' | median)
		echo "$1/$2 $w $c" >> "$work/ratios"
	done
}

: > "$work/results"
: > "$work/ratios"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
measure normalise "$ROWS" "$RUNS" "$NORMALISE $OUT/export.csv > $OUT/canonical.csv"
measure map-categories "$ROWS" "$RUNS" "$MAP $OUT/canonical.csv > $OUT/mapped.csv"
measure bucket "$ROWS" "$RUNS" "$BUCKET $OUT/mapped.csv > $OUT/bucketed.csv"
measure aggregate "$ROWS" "$RUNS" "$AGGREGATE $OUT/bucketed.csv > $OUT/cells.csv"
cells=$(($(wc -l < "$OUT/cells.csv") - 1))
measure suppress "$cells" "$RUNS" "$SUPPRESS $OUT/cells.csv > $OUT/release.csv"
# the bare parse of what the later stages read: every stage parses its
# input with libcsv (DESIGN §6), so the chain cannot use less than these
measure floor-canonical "$ROWS" "$RUNS" "bin/bench/csvfloor $OUT/canonical.csv > /dev/null"
measure floor-mapped "$ROWS" "$RUNS" "bin/bench/csvfloor $OUT/mapped.csv > /dev/null"
measure floor-bucketed "$ROWS" "$RUNS" "bin/bench/csvfloor $OUT/bucketed.csv > /dev/null"
DUCKDB="NODE_PATH=out/bench/npm/node_modules node tests/bench/duckdb/run.js \
$OUT/export.csv $AG/profile.json $AG/map.json $P/tables.json $P/age-bands.json \
$P/codes $P/flow-bands.json $OUT/duckdb-cells.csv"
rotate "$RUNS" csvfloor "bin/bench/csvfloor $OUT/export.csv > /dev/null" \
    chain "$NORMALISE $OUT/export.csv | $MAP | $BUCKET | $AGGREGATE | $SUPPRESS > $OUT/release-chain.csv" \
    duckdb "$DUCKDB 2> /dev/null"
cmp -s "$OUT/release.csv" "$OUT/release-chain.csv" ||
	{ echo "bench: the chain's release differs from the stages'" >&2; exit 1; }
measure miller "$ROWS" "$MILLER_RUNS" "$MILLER $OUT/export.csv > $OUT/miller.csv"
measure normalise-xlsx "$((XLSX_ROWS - 1))" "$RUNS" "$NORMALISE_XLSX $OUT/export.xlsx > $OUT/canonical-xlsx.csv"
head -n "$XLSX_ROWS" "$OUT/export.csv" |
  bin/normalise --profile "$OUT/profile-csv.json" --key "$OUT/bench.key" |
  cmp -s - "$OUT/canonical-xlsx.csv" ||
	{ echo "bench: the .xlsx sheet's events differ from the CSV's" >&2; exit 1; }

load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# distinct clients per period: the all-"*" cells (clients column; the
# dimensions are the columns between agency and clients)
client_periods=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "clients") c = i
	next } { all = 1; for (i = 3; i < c; i++) if ($i != "*") all = 0
	if (all) n += $c } END { print n + 0 }' "$OUT/cells.csv")

# the DuckDB peer's cells against the chain's non-empty cells: clients,
# households, events and units must all agree (see README, Speed); each
# file's dimensions are the columns before clients (after period, and
# agency in the chain's), in the same order
duck_cells=$(awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "clients") c = i
	first = NR == 1 ? 2 : 3; next }
	{ k = $1; for (i = first; i < c; i++) k = k "," $i
	  v = $c "," $(c + 1) "," $(c + 2) "," $(c + 3) }
	NR == FNR { d[k] = v; next }
	$c > 0 { n++; if (d[k] != v) bad++ }
	END { printf "%d %d\n", n, bad }' "$OUT/duckdb-cells.csv" "$OUT/cells.csv")

ratio() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$work/ratios"; }
awk -v cp="$client_periods" -v cores="$(nproc)" -v bytes="$(wc -c < "$OUT/export.csv")" \
    -v cf_wall="$(ratio chain/csvfloor 2)" -v cf_cpu="$(ratio chain/csvfloor 3)" \
    -v dc_wall="$(ratio duckdb/chain 2)" -v dc_cpu="$(ratio duckdb/chain 3)" \
    -v duck_cells="$duck_cells" \
    -v load1="$load_before" -v load2="$load_after" \
    -v xlsx="$(wc -c < "$OUT/export.xlsx") $(cat "$OUT/xlsx-strings")" '
{ name[NR] = $1; rows[NR] = $2; wall[NR] = $3; cpu[NR] = $4; rss[NR] = $5
  idx[$1] = NR }
END {
	csv = "program,rows,wall_s,cpu_s,max_rss_mb,rows_per_s"
	printf "%-16s %10s %8s %8s %11s %12s\n", "program", "rows", "wall s",
	    "CPU s", "max RSS MB", "rows/s"
	for (i = 1; i <= NR; i++) {
		rate = wall[i] > 0 ? rows[i] / wall[i] : 0
		printf "%-16s %10d %8.2f %8.2f %11.1f %12.0f\n", name[i], rows[i],
		    wall[i], cpu[i], rss[i] / 1024, rate
		csv = csv sprintf("\n%s,%d,%.2f,%.2f,%.1f,%.0f", name[i], rows[i],
		    wall[i], cpu[i], rss[i] / 1024, rate)
	}
	c = idx["chain"]; m = idx["miller"]; f = idx["csvfloor"]; a = idx["aggregate"]
	printf "\nexport: %.0f MB, %d cores\n", bytes / 1e6, cores
	printf "chain/Miller (wall): Miller takes %.1fx as long (target >= 15)\n", wall[m] / wall[c]
	printf "chain/Miller (CPU):  Miller takes %.1fx as long\n", cpu[m] / cpu[c]
	printf "chain/floor  (wall): %.2fx libcsv bare parse, median of the rounds (target <= 2.5)\n", cf_wall
	printf "chain/floor  (CPU):  %.2fx (target < 5)\n", cf_cpu
	d = idx["duckdb"]
	printf "DuckDB/chain (wall): DuckDB takes %.2fx as long, median of the rounds (target > 1)\n", dc_wall
	printf "DuckDB/chain (CPU):  %.2fx; DuckDB peak RSS %.0f MB against %.0f for the chain\n", dc_cpu, rss[d] / 1024, rss[c] / 1024
	split(duck_cells, dk, " ")
	printf "DuckDB cells: %d of the chain %d non-empty cells differ (should be 0)\n", dk[2], dk[1]
	sum = 0
	for (i = 1; i <= NR; i++)
		if (name[i] ~ /^(normalise|map-categories|bucket|aggregate|suppress)$/)
			sum += cpu[i]
	printf "stages alone: %.2f CPU s in all, %.2fx the floor; the chain used %.2f of %d cores (CPU/wall)\n", sum, sum / cpu[f], cpu[c] / wall[c], cores
	pf = cpu[f] + cpu[idx["floor-canonical"]] + cpu[idx["floor-mapped"]] + cpu[idx["floor-bucketed"]]
	printf "libcsv parse alone of the four stage inputs: %.2f CPU s, %.2fx the floor (so at best %.2fx in wall on %d cores)\n", pf, pf / cpu[f], pf / cpu[f] / cores, cores
	printf "load average (1, 5, 15 min) before: %s, after: %s\n", load1, load2
	printf "aggregate: %d distinct clients x periods, %.0f bytes each at peak RSS (target < 150)\n", cp, rss[a] * 1024 / cp
	max = 0
	for (i = 1; i <= NR; i++)
		if (name[i] ~ /^(normalise|map-categories|bucket)$/ && rss[i] > max)
			max = rss[i]
	printf "streaming stages (normalise, map-categories, bucket): peak RSS %.1f MB at most (target < 16)\n", max / 1024
	# suppress holds every cell and the LPs of one quarter at a time:
	# its memory grows with the cells, not the rows
	s = idx["suppress"]
	printf "suppress (not streaming): peak RSS %.1f MB for %d cells\n", rss[s] / 1024, rows[s]
	split(xlsx, xl, " ")
	x = idx["normalise-xlsx"]
	printf "xlsx sheet: %.0f MB zipped, %s shared strings; normalise %.1f MB peak RSS, %.1fx the CPU per row of the CSV\n", xl[1] / 1e6, xl[4], rss[x] / 1024, (cpu[x] / rows[x]) / (cpu[idx["normalise"]] / rows[idx["normalise"]])
	print csv > "'"$OUT"'/results.csv"
	fig = "'"$OUT"'/figures.txt"
	printf "rows %d\nchain_floor_wall %.2f\nchain_floor_cpu %.2f\n", rows[c], cf_wall, cf_cpu > fig
	printf "miller_chain_wall %.1f\nduckdb_chain_wall %.2f\n", wall[m] / wall[c], dc_wall > fig
	printf "duckdb_cells_differ %d\nstreaming_rss_mb %.1f\n", dk[2], max / 1024 > fig
	printf "suppress_rss_mb %.1f\nsuppress_cells %d\n", rss[s] / 1024, rows[s] > fig
	printf "aggregate_bytes_per_client %.0f\n", rss[a] * 1024 / cp > fig
	printf "load_before %s\nload_after %s\n", load1, load2 > fig
}' "$work/results" | tee "$OUT/results.txt"

# the disclosure-control engine at scale: a large agency, three-way tables
# (BENCH_SDC=0 leaves it out, to rerun the rest)
[ "${BENCH_SDC:-1}" = 0 ] || sh tests/bench/sdc.sh
# the national build at scale: many agencies' releases to the dashboard
# (BENCH_NATIONAL=0 leaves it out and keeps its last results)
[ "${BENCH_NATIONAL:-1}" = 0 ] || sh tests/bench/national.sh
sh tests/bench/targets.sh
