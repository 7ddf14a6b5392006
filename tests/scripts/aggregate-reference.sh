# aggregate against tests/lib/cells.py, an independent reference written
# from DESIGN §3-§4, on generated events (modal values, total response,
# households, events, units, ckey, every margin, coverage and events from
# outside it counted under 99, the flow measures from dates: issue 16);
# shuffled input
# rows give byte-identical cells and release; single-valued margins are the
# sum of their children, and ckey adds up the same way.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cells() { python3 tests/lib/cells.py "$@"; }

# six quarters of events (2023Q3-2024Q4); the flow measures look back on
# the history (before 2024Q3) and need the export's start: data_from on a
# quarter's first day, in the middle of one (2023Q3 partial: 2024Q3's
# status unknown, 2024Q4's known), or none (aggregate takes the earliest
# quarter to be partial)
split() { # events -> $t/events.csv (2024Q3 on) and $t/history.csv
	awk -F, -v h="$t/history.csv" 'NR == 1 { print; print > h; next }
		$2 < "2024Q3" { print > h; next } { print }' "$1" > "$t/events.csv"
}
for run in "21 3000 2023-07-01 02,13,99" "22 2500 2023-08-15" "25 900 -"; do
	set -- $run
	seed=$1 rows=$2 from=$3 regions=${4:-}
	cov=${regions:+--regions $regions}
	cells gen "$seed" "$rows" $regions > "$t/all.csv"
	if [ "$from" = - ]; then
		cp "$t/all.csv" "$t/events.csv"
		hist= from=
	else
		split "$t/all.csv"
		hist="--history $t/history.csv"
		printf '{"data_from": "%s"}\n' "$from" > "$t/export.json"
		hist="$hist --export-stats $t/export.json"
	fi
	aggregate $cov $hist --stats "$t/s.json" "$t/events.csv" > "$t/cells.csv"
	# run 2's stats, for the check of its mid-quarter start below
	[ "$seed" != 22 ] || cp "$t/s.json" "$t/s-mid.json"
	cells ref pipelines/tables.json "$regions" \
		"${hist:+$t/history.csv}" "$from" < "$t/events.csv" > "$t/ref.csv"
	cmp "$t/cells.csv" "$t/ref.csv" || {
		diff "$t/cells.csv" "$t/ref.csv" | head; exit 1; }
	# the work after the last row on one thread and on two: the same
	# cells and stats
	for j in 1 2; do
		aggregate --jobs $j $cov $hist --stats "$t/s$j.json" \
			"$t/events.csv" > "$t/cells$j.csv"
		cmp "$t/cells.csv" "$t/cells$j.csv"
		cmp "$t/s.json" "$t/s$j.json"
	done
	cells margins "$t/cells.csv"
	# every flow measure takes more than one value somewhere
	for col in 13 14 15 16; do
		n=$(awk -F, -v c=$col 'NR > 1 && $c != "*" && $18 > 0 { print $c }' \
			"$t/cells.csv" | sort -u | wc -l)
		[ "$n" -ge 2 ] || { echo "column $col: $n values"; exit 1; }
	done

	cells shuffle "$seed" < "$t/events.csv" > "$t/shuffled.csv"
	if [ -n "$hist" ]; then
		cells shuffle "$seed" < "$t/history.csv" > "$t/h2.csv"
		mv "$t/h2.csv" "$t/history.csv"
	fi
	aggregate $cov $hist < "$t/shuffled.csv" > "$t/cells2.csv"
	cmp "$t/cells.csv" "$t/cells2.csv"
	# suppress's cost grows with cells: once is enough
	[ "$seed" = 21 ] || continue
	suppress "$t/cells.csv" > "$t/release.csv"
	suppress < "$t/cells2.csv" > "$t/release2.csv"
	cmp "$t/release.csv" "$t/release2.csv"
done
# the mid-quarter start: 2024Q3 unknown, 2024Q4 known (run 2)
grep -q '"clients_status_unknown": [1-9]' "$t/s-mid.json" || {
	echo "no unknown status with data_from 2023-08-15"; exit 1; }
cells gen 22 2500 > "$t/all.csv"; split "$t/all.csv"
printf '{"data_from": "2023-08-15"}\n' > "$t/export.json"
aggregate --history "$t/history.csv" --export-stats "$t/export.json" \
	"$t/events.csv" | awk -F, '$13 != "*" && $3 == "*" && $4 == "*" &&
	$12 == "*" && $10 == "*" && $8 == "*" && $7 == "*" { print $1, $13, $18 }' \
	> "$t/status"
grep -q '^2024Q3 unknown [1-9]' "$t/status" && grep -q '^2024Q3 new 0$' "$t/status" &&
	grep -q '^2024Q4 unknown 0$' "$t/status" && grep -q '^2024Q4 new [1-9]' "$t/status" || {
	echo "status by quarter:"; cat "$t/status"; exit 1; }

# coverage: only the covered regions appear, and 99 always
covered=$(cut -d, -f3 "$t/ref.csv" | sort -u | tr '\n' ' ')
cells gen 23 400 02,13 > "$t/events.csv"
aggregate --regions 13,02 "$t/events.csv" | cut -d, -f3 | sort -u |
	tr '\n' ' ' > "$t/regions"
[ "$(cat "$t/regions")" = "* 02 13 99 region " ] || {
	echo "regions: $(cat "$t/regions")"; exit 1; }
[ "$covered" != "* 02 13 99 region " ]

# events in every region, a coverage of two: the others count under 99
cells gen 24 2000 > "$t/events.csv"
aggregate --regions 02,13 --stats "$t/s.json" "$t/events.csv" > "$t/cells.csv"
cells ref pipelines/tables.json 02,13 < "$t/events.csv" > "$t/ref.csv"
cmp "$t/cells.csv" "$t/ref.csv" || { diff "$t/cells.csv" "$t/ref.csv" | head; exit 1; }
outside=$(awk -F, 'NR > 1 && $8 != "02" && $8 != "13" && $8 != "99"' "$t/events.csv" | wc -l)
[ "$outside" -gt 1000 ] && grep -q "\"region_outside_area\": $outside\$" "$t/s.json" || {
	echo "region_outside_area: $outside expected"; cat "$t/s.json"; exit 1; }
echo ok
