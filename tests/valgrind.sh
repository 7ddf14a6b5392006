#!/bin/sh
# valgrind.sh: every program of the chain on one sample agency under
# valgrind memcheck; any memory error or definite/indirect leak fails.
#   make valgrind [VALGRIND_AGENCY=kaishare]
# Slow (minutes), so not part of make check.  Logs in out/valgrind/.
set -u
cd "$(dirname "$0")/.."
agency=${1:-kaishare}
src=sample-data/$agency
P=pipelines
log=out/valgrind
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=0 # manifest: no clock
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed" >&2; exit 1; }
[ -f "$src/profile.json" ] || { echo "valgrind.sh: no agency $src" >&2; exit 1; }
rm -rf "$log"
mkdir -p "$log"
d=$work/$agency
mkdir -p "$d"
failed=0
ran=0

# vg NAME PROG ARG...: PROG under memcheck, its stdout to $work/NAME.out;
# exit 0 (or $allow) is a pass, 99 a memcheck error
vg() {
	name=$1
	shift
	ran=$((ran + 1))
	valgrind --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --track-origins=yes \
	    --log-file="$log/$name.log" "bin/$@" > "$work/$name.out" 2>"$log/$name.err"
	code=$?
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log/$name.log" | tail -n 1)
	case $code in
	0|"${allow:-0}") echo "ok   $name (exit $code, ${errs:-?} errors)" ;;
	99) echo "FAIL $name: memcheck errors, see $log/$name.log"; failed=$((failed + 1)) ;;
	*) echo "FAIL $name: exit $code, see $log/$name.err"; failed=$((failed + 1)) ;;
	esac
}

vg keygen keygen --from-hex "$src/DEMO-KEY.hex" "$work/key"
vg normalise normalise --profile "$src/profile.json" --key "$work/key" \
	--rejects "$d/rejects.csv" --stats "$d/normalise-stats.json" \
	"$src"/export.*
vg map-categories map-categories --map "$src/map.json" --codes "$P/codes" \
	--unmapped "$d/unmapped.csv" --stats "$d/map-stats.json" \
	"$work/normalise.out"
vg map-categories-suggest map-categories --suggest --codes "$P/codes" "$work/normalise.out"
vg bucket bucket --bands "$P/age-bands.json" --stats "$d/bucket-stats.json" \
	"$work/map-categories.out"
vg freeze freeze --split --history "$work/history.csv" \
	--stats "$d/freeze-stats.json" "$work/bucket.out"
vg aggregate aggregate --tables "$P/tables.json" --codes "$P/codes" \
	--bands "$P/age-bands.json" --profile "$src/profile.json" \
	--history "$work/history.csv" \
	--stats "$d/aggregate-stats.json" "$work/freeze.out"
vg suppress suppress --rules "$P/rules/statsnz.json" \
	--stats "$d/suppress-stats.json" --secondary-cells "$work/secondary.csv" \
	"$work/aggregate.out"
vg freeze-assemble freeze --assemble --plan "$d/freeze-stats.json" \
	--suppress-stats "$d/suppress-stats.json" \
	--secondary-in "$work/secondary.csv" \
	--secondary-cells "$work/all-secondary.csv" \
	--stats "$d/assemble-stats.json" "$work/suppress.out"
# secondary suppression at full stretch: no rounding
vg suppress-threshold-only suppress --rules "$P/rules/threshold-only.json" \
	--secondary-cells "$work/to-secondary.csv" "$work/aggregate.out"
cp "$work/freeze-assemble.out" "$d/release.csv"
vg manifest manifest --agency "$agency" --profile "$src/profile.json" \
	--rules "$P/rules/statsnz.json" --codes "$P/codes" \
	--bands "$P/age-bands.json" --tables "$P/tables.json" \
	$(for s in normalise map bucket freeze aggregate suppress assemble; do
		printf -- '--stage %s ' "$d/$s-stats.json"; done) \
	--release "$d/release.csv"
cp "$work/manifest.out" "$d/manifest.json"
vg audit audit --manifest "$d" --secondary-cells "$work/secondary.csv"
# the intervals NZCCSS makes of a release (national.mk), which merge and
# diff-quarters read beside it
vg audit-unbounded audit --manifest "$d"
cp "$work/audit-unbounded.out" "$d/intervals.csv"
# the sample agency's release is keyed by its public demo key, which the
# national programs take only when told, as the sample build tells them
vg merge merge --allow-demo-keys "$d"
vg diff-quarters diff-quarters --allow-demo-keys \
	--events "$P/policy-events.csv" "$d"
vg diff-quarters-yoy diff-quarters --allow-demo-keys --yoy \
	--events "$P/policy-events.csv" "$d"
vg audit-threshold-only audit --rules "$P/rules/threshold-only.json" \
	--secondary-cells "$work/to-secondary.csv" "$work/suppress-threshold-only.out"
# the error paths too: a bad input must not leak or misbehave either
head -c 5000 "$work/bucket.out" > "$work/cut.csv"
ran=$((ran + 1))
valgrind --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --log-file="$log/aggregate-cut.log" \
    bin/aggregate "$work/cut.csv" > /dev/null 2>&1
[ $? -eq 99 ] && { echo "FAIL aggregate-cut: see $log/aggregate-cut.log"; failed=$((failed + 1)); } ||
	echo "ok   aggregate-cut (error path)"
echo "valgrind: $ran runs, $failed failed (logs in $log)"
[ "$failed" -eq 0 ]
