#!/bin/sh
# sdc.sh: the disclosure-control engine at scale (make bench runs it after
# run.sh's chain; never part of make check).
#
# Three sets of internal cells, each through suppress (secondary
# suppression), audit --secondary-cells (the agency's check) and
# audit --public (what NZCCSS computes):
#   large      gen-sample --bench SDC_ROWS rows (300,000: about 30,000
#              clients a quarter, 8 quarters), the national tables;
#   large-3way the same events, the national tables and six three-way
#              tables (tests/bench/tables-3way.json);
#   small-3way the northern sample agency (a few hundred clients a
#              quarter, so many small cells) with the three-way tables.
# Wall, CPU and max RSS from GNU time, one run each; the secondary
# suppressions and each program's exit status beside them (suppress
# exits 1, nothing written, when it runs out of time: SDC_TIME_LIMIT
# seconds, 1800 by default as in the programs; "-" then for the S).
# Results go to stdout and out/bench/sdc.txt.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROWS=${SDC_ROWS:-300000}
LIMIT=${SDC_TIME_LIMIT:-1800}
OUT=out/bench/sdc
AG=sample-data/northern
P=pipelines
KEY=out/keys/northern.key
TIME=/usr/bin/time
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$KEY" ] || make -s "$KEY"
[ -f out/agency/northern/bucketed.csv ] ||
	make -s out/agency/northern/bucketed.csv
if [ ! -s "$OUT/bucketed.csv" ] ||
    [ "$(cat "$OUT/rows" 2>/dev/null)" != "$ROWS" ]; then
	echo "sdc bench: $ROWS rows of events" >&2
	bin/gen-sample --bench "$ROWS" |
		bin/normalise --profile $AG/profile.json --key $KEY \
		    --rejects "$work/rejects.csv" |
		bin/map-categories --map $AG/map.json --codes $P/codes \
		    --unmapped "$work/unmapped.csv" |
		bin/bucket --bands $P/age-bands.json > "$OUT/bucketed.csv.tmp"
	mv "$OUT/bucketed.csv.tmp" "$OUT/bucketed.csv"
	echo "$ROWS" > "$OUT/rows"
fi

aggregate() { # events tables > cells
	bin/aggregate --tables "$2" --codes $P/codes --bands $P/age-bands.json \
	    --profile $AG/profile.json "$1"
}
aggregate "$OUT/bucketed.csv" $P/tables.json > "$OUT/large.csv"
aggregate "$OUT/bucketed.csv" tests/bench/tables-3way.json > "$OUT/large-3way.csv"
aggregate out/agency/northern/bucketed.csv tests/bench/tables-3way.json \
	> "$OUT/small-3way.csv"

# timed NAME COMMAND: one run; "wall cpu rssKB exit"
timed() {
	status=0
	$TIME -f '%e %U %S %M' -o "$work/t" sh -c "$2" || status=$?
	# GNU time puts "Command exited with ..." first when it fails
	tail -n 1 "$work/t" | awk -v s="$status" \
	    '{ printf "%.2f %.2f %d %s\n", $1, $2 + $3, $4, s }' > "$work/$1"
}

: > "$work/table"
for set in large large-3way small-3way; do
	cells=$OUT/$set.csv
	rm -f "$OUT/$set-stats.json"
	groups=$(cut -d, -f1 "$cells" | sort -u | grep -c Q)
	ncells=$(($(wc -l < "$cells") - 1))
	timed suppress "bin/suppress --time-limit $LIMIT --stats $OUT/$set-stats.json \
	    --secondary-cells $OUT/$set-hidden.csv $cells > $OUT/$set-release.csv"
	timed audit "bin/audit --time-limit $LIMIT --secondary-cells $OUT/$set-hidden.csv \
	    $OUT/$set-release.csv > $OUT/$set-audit.csv 2> $work/audit.err"
	timed public "bin/audit --time-limit $LIMIT --public $OUT/$set-release.csv \
	    > $OUT/$set-intervals.csv 2> $work/public.err"
	secondary=- primary=-
	if [ -s "$OUT/$set-stats.json" ]; then
		secondary=$(grep -o '"secondary": [0-9]*' \
		    "$OUT/$set-stats.json" | cut -d' ' -f2)
		primary=$(grep -o '"primary": [0-9]*' "$OUT/$set-stats.json" |
		    cut -d' ' -f2)
	fi
	echo "$set $groups $ncells $primary $secondary $(cat "$work/suppress")" \
	    "$(cat "$work/audit")" "$(cat "$work/public")" >> "$work/table"
done

load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
awk -v load="$load" 'BEGIN {
	print "| cells | quarters | cells a quarter | S (primary) | secondary |" \
	    " suppress wall s | CPU s | MB | exit | audit wall s | CPU s | exit |" \
	    " audit --public wall s | CPU s | exit |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
}
{
	printf "| %s | %d | %d | %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s |\n",
	    $1, $2, $3 / $2, $4, $5, $6, $7, $8 / 1024, $9, $10, $11, $13,
	    $14, $15, $17
}
END { print ""; print "load average " load }' "$work/table" | tee "$OUT/../sdc.txt"
