#!/bin/sh
# The committed sample exports are exactly what the generator writes.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in sample-data/*/; do
	[ -f "$dir"profile.json ] || continue # not an agency (narrative/)
	agency=$(basename "$dir")
	for export in "$dir"export.*; do
		bin/gen-sample "$agency" > "$tmp/out"
		cmp "$tmp/out" "$export" || { echo "$export differs from gen-sample $agency"; exit 1; }
	done
done
