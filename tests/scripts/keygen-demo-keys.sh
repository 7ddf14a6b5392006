#!/bin/sh
# pipelines/demo-keys.csv lists the fingerprint of every sample agency's
# public DEMO-KEY.hex, and nothing else: normalise refuses a demo key for
# any agency but its own (tests/cases/normalise-demo-key), so a sample
# agency missing here would make its public key look like a real one.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "agency,fingerprint" > "$tmp/want.csv"
for hex in sample-data/*/DEMO-KEY.hex; do
	agency=$(basename "$(dirname "$hex")")
	"$BIN/keygen" --from-hex "$hex" "$tmp/$agency.key"
	echo "$agency,$("$BIN/keygen" --fingerprint "$tmp/$agency.key")" >> "$tmp/want.csv"
done
diff "$tmp/want.csv" pipelines/demo-keys.csv
