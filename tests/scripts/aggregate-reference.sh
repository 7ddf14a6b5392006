# aggregate against tests/scripts/cells.py, an independent reference written
# from DESIGN §3-§4, on generated events (modal values, total response,
# households, events, units, ckey, every margin, coverage and events from
# outside it counted under 99); shuffled input
# rows give byte-identical cells and release; single-valued margins are the
# sum of their children, and ckey adds up the same way.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cells() { python3 tests/scripts/cells.py "$@"; }

for run in "21 3000 02,13,99" "22 2500 "; do
	set -- $run
	seed=$1 rows=$2 regions=${3:-}
	cov=${regions:+--regions $regions}
	cells gen "$seed" "$rows" $regions > "$t/events.csv"
	aggregate $cov "$t/events.csv" > "$t/cells.csv"
	cells ref pipelines/tables.json $regions < "$t/events.csv" > "$t/ref.csv"
	cmp "$t/cells.csv" "$t/ref.csv" || {
		diff "$t/cells.csv" "$t/ref.csv" | head; exit 1; }
	cells margins "$t/cells.csv"

	cells shuffle "$seed" < "$t/events.csv" > "$t/shuffled.csv"
	aggregate $cov < "$t/shuffled.csv" > "$t/cells2.csv"
	cmp "$t/cells.csv" "$t/cells2.csv"
	suppress "$t/cells.csv" > "$t/release.csv"
	suppress < "$t/cells2.csv" > "$t/release2.csv"
	cmp "$t/release.csv" "$t/release2.csv"
done

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
