#!/bin/sh
# e2e-release: the sample build's releases and manifests.  Every release
# has no ckey column, publishes person counts as S or multiples of 3 from 6
# up and sums as S or multiples of 3; its manifest's row count, sha256 and
# primary suppressions match the file; and rebuilding cells, release and
# manifest from the bucketed events in shuffled order gives the same bytes.
set -eu
cd "${ROOT:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! make -s agencies >"$work/make.log" 2>&1; then
	cat "$work/make.log"
	exit 1
fi
for profile in sample-data/*/profile.json; do
	a=$(basename "$(dirname "$profile")")
	d=out/agency/$a
	head -n 1 "$d/release.csv" | grep -q ckey && { echo "$a: ckey"; exit 1; }
	awk -F, -v a="$a" 'NR > 1 {
		for (i = 12; i <= 15; i++) {
			if ($i == "S") { s++; continue }
			if ($i % 3 != 0 || (i <= 13 && $i < 6)) {
				print a ": line " NR " field " i ": " $i; bad = 1
			}
		}
	} END { print s > "/dev/stderr"; exit bad }' "$d/release.csv" 2>"$work/s"
	python3 - "$d/manifest.json" "$d/release.csv" "$(cat "$work/s")" <<'PY'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
assert m["release"]["sha256"] == hashlib.sha256(data).hexdigest(), "sha256"
assert m["release"]["rows"] == data.count(b"\n") - 1, "rows"
assert m["suppression"]["primary"] == int(sys.argv[3]), "primary"
assert [s["program"] for s in m["stages"]] == ["normalise", "map-categories",
    "bucket", "aggregate", "suppress"], "stages"
PY
	# the same bytes again from shuffled events
	epoch=$(python3 -c 'import json, sys, calendar, time
print(calendar.timegm(time.strptime(json.load(open(sys.argv[1]))["built_at"],
    "%Y-%m-%dT%H:%M:%SZ")))' "$d/manifest.json")
	python3 tests/scripts/cells.py shuffle 7 < "$d/bucketed.csv" > "$work/b.csv"
	mkdir -p "$work/$a"
	for s in normalise map bucket; do
		cp "$d/$s-stats.json" "$work/$a/"
	done
	aggregate --profile "$profile" --stats "$work/$a/aggregate-stats.json" \
		"$work/b.csv" > "$work/$a/cells.csv"
	cmp "$work/$a/cells.csv" "$d/cells.csv"
	suppress --stats "$work/$a/suppress-stats.json" "$work/$a/cells.csv" \
		> "$work/$a/release.csv"
	cmp "$work/$a/release.csv" "$d/release.csv"
	SOURCE_DATE_EPOCH=$epoch manifest --agency "$a" --profile "$profile" \
		$(for s in normalise map bucket aggregate suppress; do
			printf -- '--stage %s ' "$work/$a/$s-stats.json"; done) \
		--release "$work/$a/release.csv" > "$work/$a/manifest.json"
	cmp "$work/$a/manifest.json" "$d/manifest.json"
	echo "$a ok"
done
