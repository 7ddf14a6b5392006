#!/bin/sh
# suppress-units-limit: a period whose units come to the limit a release
# can publish (10^9) is released: a draw that would round or perturb the
# figure past the limit takes it the other way (the multiple of the base
# below, the perturbation mirrored), for every key tried, under both rule
# sets.  One unit more and aggregate stops at the row that takes the
# period past the limit, naming the period's largest row.
set -eu
cd "${ROOT:-.}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
P=pipelines
printf '{"version": "t1", "tables": [{"name": "region", "dims": ["region"]}]}\n' \
  > "$t/tables.json"
events() { # seed units-of-the-first units-of-the-rest
	echo 'agency,period,client_key,household_key,age_band,gender,ethnicity,region,household,income,housing,need,service,referral,units'
	i=1
	while [ $i -le 30 ]; do
		k=$(printf '%08x000000000000000000000000' \
		    $(((i + $1 * 1000) * 2654435761 % 4294967296)))
		u=$3; [ $i -eq 1 ] && u=$2
		echo "demo,2024Q3,$k,,25-39,1,1,02,couple,wages,owned,food,food,not_stated,$u"
		i=$((i + 1))
	done
}
agg() {
	aggregate --tables "$t/tables.json" --codes $P/codes \
	  --bands $P/age-bands.json "$@"
}
seed=1
while [ $seed -le 8 ]; do
	events $seed 999999971 1 > "$t/events.csv"
	agg "$t/events.csv" > "$t/cells.csv"
	for rules in statsnz cellkey; do
		suppress --rules $P/rules/$rules.json "$t/cells.csv" \
		  > "$t/release.csv"
		# the total cell: published within the rules and the limit
		awk -F, -v rules=$rules -v seed=$seed '
		    $3 == "*" && $1 == "2024Q3" {
			u = $21
			if (u > 1000000000 || u < 999999998 ||
			    (rules == "statsnz" && u % 3 != 0)) {
				print "seed " seed ", " rules ": units " u
				exit 1
			}
			found = 1
		    }
		    END { if (!found) { print "no total cell"; exit 1 } }' \
		  "$t/release.csv"
	done
	seed=$((seed + 1))
done
# one unit more: aggregate's error, at the row, with the largest
events 1 999999972 1 > "$t/events.csv"
if agg "$t/events.csv" > /dev/null 2> "$t/err"; then
	echo "aggregate took units past 10^9"; exit 1
fi
grep -q "events.csv:31: units '1' take the units of 2024Q3 past 1000000000, more than a release can publish (its largest: 999999972 at line 2)" "$t/err" || {
	cat "$t/err"; exit 1; }
