#!/bin/sh
# The committed sample data is exactly what the generator writes: every
# file that 'gen-sample --list' names (the export, and the assessments
# file where there is one) equals its output byte for byte, and every
# agency folder is one the generator knows.  The workbook is compared as
# bytes too: libxlsxwriter dates every zip entry 1980-01-01 and the
# generator fixes the document's created date, so nothing in it depends
# on the clock (only on zlib's deflate, Debian's here).
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin/gen-sample --list > "$tmp/list"
while read -r agency export assessments; do
	bin/gen-sample "$agency" > "$tmp/out"
	cmp "$tmp/out" "sample-data/$agency/$export" ||
		{ echo "sample-data/$agency/$export differs from gen-sample $agency"; exit 1; }
	[ -n "$assessments" ] || continue
	bin/gen-sample --assessments "$agency" > "$tmp/out"
	cmp "$tmp/out" "sample-data/$agency/$assessments" ||
		{ echo "sample-data/$agency/$assessments differs from gen-sample --assessments $agency"; exit 1; }
done < "$tmp/list"
for dir in sample-data/*/; do
	[ -f "$dir"profile.json ] || continue # not an agency (narrative/, gen/)
	agency=$(basename "$dir")
	grep -q "^$agency " "$tmp/list" ||
		{ echo "$dir: no such agency in gen-sample --list"; exit 1; }
	n=$(ls "$dir" | grep -c '^export\.' || true)
	[ "$n" -eq 1 ] || { echo "$dir: $n export files"; exit 1; }
done
# the same bytes twice, whatever the time zone (the workbook's date)
TZ=Pacific/Chatham bin/gen-sample southern | cmp - sample-data/southern/export.xlsx
