#!/bin/sh
# gen-releases.sh: many synthetic agencies' releases for the national
# benchmark (tests/bench/national.sh), each made by the real chain.
#   sh tests/bench/gen-releases.sh N DIR   (JOBS agencies at once, 2)
# Agency i (a001...) gets a size drawn from a log-normal (median 4,000
# rows over the 13 quarters of gen-sample --bench, from 3,000 to 150,000:
# a few large city missions, many small local ones), a home region drawn
# by population (Auckland most, then Canterbury, Wellington, Waikato...),
# and one agency in four a second region.  Its export is gen-sample
# --bench with the region names rewritten to its own, its profile and
# map northern's with its code and regions, its key a fresh one.  Then
# the chain as make agency runs it (normalise | map-categories | bucket |
# aggregate, suppress, manifest from their --stats), with the export
# taken on 2026-07-20, so that its last visits (to 2026-07-16) are held
# back as make agency holds back a partial quarter: 12 quarters,
# 2023Q3 to 2026Q2, are released; without the steps
# that stay at the agency (freeze's state, the agency's own audit: about
# twice suppress's time), and the release folder (manifest.json,
# release.csv) goes to DIR/<code>/.  Deterministic apart from the keys;
# an agency already in DIR is kept.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
GEN=out/bench/national/agencies

label() {
	python3 -c 'import json,sys
for c in json.load(open("pipelines/codes/region.json"))["codes"]:
    if c["code"] == sys.argv[1]: print(c["label"])' "$1"
}

# one agency: --one DIR code rows home second
one() {
	DIR=$1 code=$2 rows=$3 home=$4 second=$5
	[ -s "$DIR/$code/manifest.json" ] && return 0
	a=$GEN/$code
	mkdir -p "$a"
	h=$(label "$home")
	if [ "$second" = - ]; then s=$h; regions="\"$home\""
	else s=$(label "$second"); regions="\"$home\", \"$second\""; fi
	# northern's three regions: two to the home region, one to the second
	bin/gen-sample --bench "$rows" |
		sed "s/,Northland,/,$h,/; s/,Auckland,/,$h,/; s/,Waikato,/,$s,/" \
		> "$a/export.csv"
	sed "s/\"northern\"/\"$code\"/; s/\"regions\": \[[^]]*\]/\"regions\": [$regions]/" \
		sample-data/northern/profile.json > "$a/profile.json"
	python3 - "$code" sample-data/northern/map.json pipelines/codes/region.json \
	    > "$a/map.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[2]))
m["agency"] = sys.argv[1]
m["fields"]["region"] = {c["label"]: c["code"] for c in
    json.load(open(sys.argv[3]))["codes"] if c["code"] != "99"}
json.dump(m, sys.stdout, ensure_ascii=False, indent=1)
PY
	key=out/bench/national/keys/$code.key
	[ -f "$key" ] || bin/keygen "$key" 2>/dev/null
	P=pipelines
	t=$a/build
	rm -rf "$t"
	mkdir -p "$t"
	bin/normalise --profile "$a/profile.json" --key "$key" \
	    --rejects "$t/rejects.csv" --stats "$t/normalise.json" "$a/export.csv" |
	bin/map-categories --map "$a/map.json" --codes $P/codes \
	    --unmapped "$t/unmapped.csv" --stats "$t/map.json" |
	bin/bucket --bands $P/age-bands.json --export-date 2026-07-20 \
	    --stats "$t/bucket.json" |
	bin/aggregate --tables $P/tables.json --codes $P/codes \
	    --bands $P/age-bands.json --profile "$a/profile.json" \
	    --stats "$t/aggregate.json" > "$t/cells.csv"
	bin/suppress --rules $P/rules/statsnz.json --stats "$t/suppress.json" \
	    "$t/cells.csv" > "$t/release.csv"
	SOURCE_DATE_EPOCH=1792108800 bin/manifest --agency "$code" \
	    --profile "$a/profile.json" --tables $P/tables.json \
	    $(for s in normalise map bucket aggregate suppress; do
		echo --stage "$t/$s.json"; done) \
	    --release "$t/release.csv" > "$t/manifest.json"
	mkdir -p "$DIR/$code.tmp"
	cp "$t/manifest.json" "$t/release.csv" "$DIR/$code.tmp/"
	rm -rf "$DIR/$code"
	mv "$DIR/$code.tmp" "$DIR/$code"
	rm -rf "$t"
	echo "gen-releases: $code $rows rows, regions $home $second" >&2
}

if [ "${1:-}" = --one ]; then
	shift
	one "$@"
	exit 0
fi

N=${1:?usage: gen-releases.sh N DIR}
DIR=${2:?usage: gen-releases.sh N DIR}
mkdir -p "$DIR" "$GEN" out/bench/national/keys
chmod 700 out/bench/national/keys
# one line per agency: code rows home second (second may be -)
awk -v n="$N" 'BEGIN {
	srand(20261206)
	# region codes and weights (population, thousands, rounded)
	split("01 02 03 04 05 06 07 08 09 12 13 14 15 16 17 18", code, " ")
	split("200 1800 520 350 52 180 127 255 550 33 670 250 102 59 55 52", w, " ")
	for (i = 1; i <= 16; i++) total += w[i]
	for (a = 1; a <= n; a++) {
		# log-normal: median 4000, sigma 1.0, clipped
		do { u1 = rand() } while (u1 == 0)
		z = sqrt(-2 * log(u1)) * cos(6.283185307 * rand())
		rows = int(4000 * exp(z)); if (rows < 3000) rows = 3000
		if (rows > 150000) rows = 150000
		home = pick(); second = "-"
		if (rand() < 0.25) { do second = pick(); while (second == home) }
		printf "a%03d %d %s %s\n", a, rows, home, second
	}
}
function pick(   r, i, acc) {
	r = rand() * total
	for (i = 1; i <= 16; i++) { acc += w[i]; if (r < acc) return code[i] }
	return code[16]
}' > "$GEN/plan.txt"

awk -v d="$DIR" '{ print d, $0 }' "$GEN/plan.txt" |
	xargs -P "${JOBS:-2}" -L 1 sh tests/bench/gen-releases.sh --one
