#!/bin/sh
# test-timeout: 600 (two agencies protected again, and under threshold-only rules; tests/run.sh)
# e2e-release: the sample build's releases and manifests.  Every release
# has no ckey column, publishes person counts as S or multiples of 3 from 6
# up and sums as S or multiples of 3; its manifest's row count, sha256 and
# primary and secondary suppressions match the file; it is the reference
# release (tests/lib/cells.py) with whole cells hidden; its audit.csv (made
# knowing the secondary cells) and its intervals.csv (the public audit the
# national build makes) have one ok row per S of each measure; rebuilding
# the cells from the new quarters' events and the history, shuffled, gives
# the same bytes.  On the two agencies quickest to protect (northern and
# kaishare: the SDC engine's cost is in S cells, and the other agencies'
# protection is what the sample build already paid for), the release,
# its secondary cells, manifest and audit are made again from those cells
# and are the same bytes; and with the threshold-only rules, the primary
# suppressions alone leave cells exposed, and suppress's secondary
# suppressions protect them all.  A release that fails the audit leaves no
# manifest.
set -eu
cd "${ROOT:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the sample build (tests/run.sh makes it before the e2e scripts): the
# releases and the public audit's intervals.csv beside each
if ! make -s agencies national >"$work/make.log" 2>&1; then
	cat "$work/make.log"
	exit 1
fi
for profile in sample-data/*/profile.json; do
	a=$(basename "$(dirname "$profile")")
	# not in the sample build yet (pipelines/agency.mk)
	[ -e "sample-data/$a/PENDING" ] && continue
	d=out/agency/$a
	head -n 1 "$d/release.csv" | grep -q ckey && { echo "$a: ckey"; exit 1; }
	awk -F, -v a="$a" 'NR > 1 {
		for (i = 18; i <= 21; i++) {
			if ($i == "S") { s++; continue }
			if ($i % 3 != 0 || (i <= 19 && $i < 6)) {
				print a ": line " NR " field " i ": " $i; bad = 1
			}
		}
	} END { print s > "/dev/stderr"; exit bad }' "$d/release.csv" 2>"$work/s"
	python3 tests/lib/cells.py release "$d/cells.csv" \
		pipelines/rules/statsnz.json > "$work/ref.csv"
	python3 tests/lib/cells.py secondary "$work/ref.csv" \
		"$d/release.csv" > "$work/secondary"
	# both audits, the agency's (knowing the secondary cells) and the
	# public one NZCCSS makes: one row per S of each measure, all ok
	for f in audit.csv intervals.csv; do
		if grep -v ',ok$' "$d/$f" | grep -v '^period,'; then
			echo "$a: $f has cells that are not ok"; exit 1
		fi
		python3 - "$d/release.csv" "$d/$f" <<'PY' || { echo "$a: $f"; exit 1; }
import csv, sys
rel = csv.DictReader(open(sys.argv[1]))
aud = csv.DictReader(open(sys.argv[2]))
# the measures: the release's columns that the audit's cell key lacks
dims = aud.fieldnames[:aud.fieldnames.index("measure")]
measures = [c for c in rel.fieldnames if c not in dims]
assert measures and dims == [c for c in rel.fieldnames if c in dims]
s = sorted(tuple(r[k] for k in dims) + (m,)
    for r in rel for m in measures if r[m] == "S")
got = sorted(tuple(r[k] for k in dims) + (r["measure"],) for r in aud)
assert s == got, "%d S, %d audited" % (len(s), len(got))
PY
	done
	python3 - "$d/manifest.json" "$d/release.csv" "$(cat "$work/s")" \
		"$(cat "$work/secondary")" <<'PY'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
assert m["release"]["sha256"] == hashlib.sha256(data).hexdigest(), "sha256"
assert m["release"]["rows"] == data.count(b"\n") - 1, "rows"
sup = m["suppression"]
assert sup["secondary"] == int(sys.argv[4]), "secondary"
assert sup["primary"] + sup["secondary"] == int(sys.argv[3]), "primary"
assert [s["program"] for s in m["stages"]] == ["normalise", "map-categories",
    "bucket", "freeze", "aggregate", "suppress", "freeze"], "stages"
PY
	# the same bytes again from shuffled events
	epoch=$(python3 -c 'import json, sys, calendar, time
print(calendar.timegm(time.strptime(json.load(open(sys.argv[1]))["built_at"],
    "%Y-%m-%dT%H:%M:%SZ")))' "$d/manifest.json")
	python3 tests/lib/cells.py shuffle 7 < "$d/new-events.csv" > "$work/b.csv"
	python3 tests/lib/cells.py shuffle 8 < "$d/history.csv" > "$work/h.csv"
	mkdir -p "$work/$a"
	for s in normalise map bucket freeze; do
		cp "$d/$s-stats.json" "$work/$a/"
	done
	# an agency that records assessments: its outcome bands (issue 23)
	outcomes=
	[ -f "$d/outcomes.csv" ] && outcomes="--outcomes $d/outcomes.csv"
	aggregate --profile "$profile" --stats "$work/$a/aggregate-stats.json" \
		--history "$work/h.csv" --export-stats "$d/normalise-stats.json" \
		$outcomes "$work/b.csv" > "$work/$a/cells.csv"
	cmp "$work/$a/cells.csv" "$d/cells.csv"

	# the same cells: protection made again is the same bytes, on the two
	# agencies quickest to protect
	case $a in northern|kaishare) ;; *)
		echo "$a ok ($(cat "$work/secondary") secondary)"
		continue ;;
	esac
	# of these, the one with the most secondary suppressions, for the
	# test below
	if [ "$(cat "$work/secondary")" -gt "${most:-0}" ]; then
		most=$(cat "$work/secondary")
		tamper=$a
	fi
	suppress --stats "$work/$a/suppress-stats.json" --secondary-cells \
		"$work/$a/new-secondary.csv" "$work/$a/cells.csv" \
		> "$work/$a/new-release.csv"
	freeze --assemble --plan "$d/freeze-stats.json" \
		--suppress-stats "$work/$a/suppress-stats.json" \
		--secondary-in "$work/$a/new-secondary.csv" \
		--secondary-cells "$work/$a/secondary.csv" \
		--stats "$work/$a/assemble-stats.json" "$work/$a/new-release.csv" \
		> "$work/$a/release.csv"
	cmp "$work/$a/release.csv" "$d/release.csv"
	cmp "$work/$a/secondary.csv" "$d/secondary-cells.csv"
	SOURCE_DATE_EPOCH=$epoch manifest --agency "$a" --profile "$profile" \
		$(for s in normalise map bucket freeze aggregate suppress assemble; do
			printf -- '--stage %s ' "$work/$a/$s-stats.json"; done) \
		--release "$work/$a/release.csv" > "$work/$a/manifest.json"
	cmp "$work/$a/manifest.json" "$d/manifest.json"
	audit --manifest "$d" --secondary-cells "$d/secondary-cells.csv" |
		cmp - "$d/audit.csv"

	# threshold-only: exposed without secondary suppression, safe with it
	rules=pipelines/rules/threshold-only.json
	python3 tests/lib/cells.py release "$d/cells.csv" "$rules" \
		> "$work/primary.csv"
	if audit --rules "$rules" "$work/primary.csv" >/dev/null 2>&1; then
		echo "$a: threshold-only primaries alone pass: test is too weak"
		exit 1
	fi
	suppress --rules "$rules" --stats "$work/to-stats.json" \
		--secondary-cells "$work/to-cells.csv" "$d/cells.csv" > "$work/to.csv"
	n=$(python3 tests/lib/cells.py secondary "$work/primary.csv" \
		"$work/to.csv")
	[ "$n" -gt 0 ] && grep -q "\"secondary\": $n\$" "$work/to-stats.json" ||
		{ echo "$a: threshold-only secondary $n"; exit 1; }
	audit --secondary-cells "$work/to-cells.csv" --rules "$rules" \
		"$work/to.csv" >/dev/null
	echo "$a ok ($(cat "$work/secondary") secondary; threshold-only $n)"
done

# a release that fails the audit is not built: publish the cells that
# secondary suppression hid (and say it has none) of the agency that has
# the most, and the manifest is not made.  In a copy of the tree holding
# that agency's folder, its key and its sample data, all with their
# times (tests/lib/tree.sh), so that the shared out/ is only read here
# and other scripts can read it meanwhile (tests/run.sh).
[ -n "${tamper:-}" ] || { echo "no sample release has secondary suppressions"; exit 1; }
. tests/lib/tree.sh
tree=$work/tree
copy_tree "$tree"
mkdir -p "$tree/sample-data" "$tree/out/agency" "$tree/out/keys"
cp -Rp "sample-data/$tamper" "$tree/sample-data/"
cp -Rp "out/agency/$tamper" "$tree/out/agency/"
cp -p "out/keys/$tamper.key" "$tree/out/keys/"
d=$tree/out/agency/$tamper
python3 tests/lib/cells.py release "$d/cells.csv" \
	pipelines/rules/statsnz.json > "$work/exposed.csv"
cp "$work/exposed.csv" "$d/release.csv"
head -n 1 "$d/secondary-cells.csv" > "$work/none.csv"
cp "$work/none.csv" "$d/secondary-cells.csv"
sed 's/"secondary": [0-9]*/"secondary": 0/' "$d/assemble-stats.json" \
	> "$work/stats.json"
cp "$work/stats.json" "$d/assemble-stats.json"
if make -s -C "$tree" "out/agency/$tamper/manifest.json" >"$work/make.log" 2>&1
then
	echo "an exposed release was built"; exit 1
fi
grep -q "^audit: .* is exposed" "$work/make.log" || {
	cat "$work/make.log"; exit 1; }
[ ! -e "$d/manifest.json" ] || { echo "a stale manifest was left"; exit 1; }
# and only the manifest was to be made: the tampered release is as it was
cmp -s "$work/exposed.csv" "$d/release.csv" ||
	{ echo "the release was made again"; exit 1; }
echo "exposed release refused ($tamper)"
