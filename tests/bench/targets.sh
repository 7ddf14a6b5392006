#!/bin/sh
# targets.sh: every target of issue 21 with its measured value and
# whether it is met, from the last results of run.sh
# (out/bench/figures.txt) and national.sh (out/bench/national/results.txt);
# to stdout and out/bench/targets.txt.  make bench runs it last.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=out/bench
for f in "$OUT/figures.txt" "$OUT/national/results.txt"; do
	[ -s "$f" ] || { echo "targets: no $f: run make bench" >&2; exit 1; }
done
# every target of issue 21, with its measured value
awk 'FNR == 1 { src++ } { k = $1; sub(/^[^ ]+ /, ""); v[src, k] = $0 }
function row(what, value, unit, target, met) {
	printf "%-58s %10s %-3s %-10s %s\n", what, value, unit, target, met ? "met" : "NOT MET"
}
END {
	printf "\ntargets (issue 21), %s event rows, %s agencies:\n", v[1, "rows"], v[2, "agencies"]
	row("chain / libcsv floor, wall (median of paired rounds)", v[1, "chain_floor_wall"], "x", "<= 2.5", v[1, "chain_floor_wall"] + 0 <= 2.5)
	row("chain / libcsv floor, CPU", v[1, "chain_floor_cpu"], "x", "< 5", v[1, "chain_floor_cpu"] + 0 < 5)
	row("Miller / chain, wall", v[1, "miller_chain_wall"], "x", ">= 15", v[1, "miller_chain_wall"] + 0 >= 15)
	row("DuckDB / chain, wall (median of paired rounds)", v[1, "duckdb_chain_wall"], "x", "> 1", v[1, "duckdb_chain_wall"] + 0 > 1)
	row("streaming stages (normalise, map-categories, bucket), peak RSS", v[1, "streaming_rss_mb"], "MB", "< 16", v[1, "streaming_rss_mb"] + 0 < 16)
	row("aggregate, bytes per distinct client and quarter", v[1, "aggregate_bytes_per_client"], "B", "< 150", v[1, "aggregate_bytes_per_client"] + 0 < 150)
	row(sprintf("national build, %s agencies, from nothing, wall", v[2, "agencies"]), v[2, "build_wall_s"], "s", "< 60", v[2, "build_wall_s"] + 0 < 60 && v[2, "agencies"] + 0 >= 300)
	row(sprintf("national build, %s agencies, a new quarter, wall", v[2, "agencies"]), v[2, "quarterly_wall_s"], "s", "< 60", v[2, "quarterly_wall_s"] + 0 < 60 && v[2, "agencies"] + 0 >= 300)
	row("dashboard data (data.js)", v[2, "site_data_mb"], "MB", "< 5", v[2, "site_data_mb"] + 0 < 5)
	row("dashboard load to interactive, Chromium (median of 3)", v[2, "site_interactive_s"], "s", "< 2", v[2, "site_interactive_s"] + 0 < 2)
	printf "(suppress is not a streaming stage: %s MB; it holds every cell, %s here, and the LPs of one quarter at a time)\n", v[1, "suppress_rss_mb"], v[1, "suppress_cells"]
	printf "load average: chain bench %s to %s; national bench %s\n", v[1, "load_before"], v[1, "load_after"], v[2, "load_average"]
}' "$OUT/figures.txt" out/bench/national/results.txt | tee "$OUT/targets.txt"
