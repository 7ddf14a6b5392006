# chain.sh: sourced by the chain-*.sh scripts (not a test itself),
# after `cd "${ROOT:-.}"`: it makes $work (removed at exit, made writable
# first), runs mini_chain there, and sets d (the release folder) and bad=0.
# mini_chain DIR: the whole at-source chain on the first 20 rows of the
# northern sample, into DIR/agency/northern/ (a release folder, as the
# Makefile builds it, with the intervals.csv NZCCSS makes beside it), with
# the programs found on PATH (bin or bin/san).
P=${ROOT:-.}/pipelines
# the tables of the mini chain: five of the default spec's (region alone,
# by age band, need, client status and visits band), so that its release
# is small (chain-tables.json says why)
T=${ROOT:-.}/tests/lib/chain-tables.json
# the --stats files of the chain's stages, in order, as the manifest reads
STAGES="normalise map bucket freeze aggregate suppress assemble"

mini_chain() {
	d=$1/agency/northern
	mkdir -p "$d"
	head -n 21 sample-data/northern/export.csv > "$1/export.csv"
	cp sample-data/northern/profile.json sample-data/northern/map.json "$1/"
	printf 'nzccss-test-key-0123456789abcdef' > "$1/test.key"
	chmod 600 "$1/test.key"
	normalise --profile "$1/profile.json" --key "$1/test.key" \
	  --rejects "$d/rejects.csv" --stats "$d/normalise-stats.json" \
	  "$1/export.csv" > "$d/canonical.csv" 2>/dev/null &&
	map-categories --map "$1/map.json" --codes "$P/codes" \
	  --unmapped "$d/unmapped.csv" --stats "$d/map-stats.json" \
	  "$d/canonical.csv" > "$d/mapped.csv" 2>/dev/null &&
	bucket --bands "$P/age-bands.json" --stats "$d/bucket-stats.json" \
	  "$d/mapped.csv" > "$d/bucketed.csv" &&
	freeze --split --history "$d/history.csv" \
	  --stats "$d/freeze-stats.json" "$d/bucketed.csv" > "$d/new-events.csv" &&
	aggregate --tables "$T" --codes "$P/codes" \
	  --bands "$P/age-bands.json" --profile "$1/profile.json" \
	  --history "$d/history.csv" --stats "$d/aggregate-stats.json" \
	  "$d/new-events.csv" > "$d/cells.csv" &&
	suppress --rules "$P/rules/statsnz.json" \
	  --secondary-cells "$d/new-secondary-cells.csv" \
	  --stats "$d/suppress-stats.json" "$d/cells.csv" > "$d/new-release.csv" &&
	freeze --assemble --plan "$d/freeze-stats.json" \
	  --suppress-stats "$d/suppress-stats.json" \
	  --secondary-in "$d/new-secondary-cells.csv" \
	  --secondary-cells "$d/secondary-cells.csv" \
	  --stats "$d/assemble-stats.json" "$d/new-release.csv" > "$d/release.csv" &&
	SOURCE_DATE_EPOCH=0 manifest --agency northern \
	  --profile "$1/profile.json" --rules "$P/rules/statsnz.json" \
	  --codes "$P/codes" --bands "$P/age-bands.json" \
	  --tables "$T" \
	  $(for s in $STAGES; do
		printf -- '--stage %s ' "$d/$s-stats.json"; done) \
	  --release "$d/release.csv" > "$d/manifest.json" &&
	audit --manifest "$d" > "$d/intervals.csv" || {
		echo "mini_chain: the chain failed on the sample"; return 1; }
}

# Does the program exist in this build?  (audit and publish may not yet.)
have() { [ -x "${BIN:-bin}/$1" ]; }

work=$(mktemp -d)
trap 'chmod -R u+rwX "$work"; rm -rf "$work"' EXIT
mini_chain "$work" || exit 1
d=$work/agency/northern
bad=0
