#!/bin/sh
# The committed workbooks in tests/workbooks are what make.pl writes:
# written again (Excel::Writer::XLSX, Spreadsheet::WriteExcel), each
# reads to the same canonical events, rejects and messages as the copy
# the cases read.  (The files' bytes differ: the writers stamp a time.)
set -eu
cd "${ROOT:-.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'nzccss-test-key-0123456789abcdef' > "$tmp/key"
chmod 600 "$tmp/key"
mkdir "$tmp/made"
perl tests/workbooks/make.pl "$tmp/made"
prof=tests/cases/normalise-xlsx-cells/profile.json
sed 's/"xlsx"/"xls"/' "$prof" > "$tmp/xls.json"
strict=tests/cases/normalise-xlsx-strict/profile.json
fails=0
for book in visits.xlsx visits-inline.xlsx visits-1904.xlsx visits.xls \
    visits-1904.xls strict.xlsx; do
	case $book in
	strict.xlsx) p=$strict ;;
	*.xls) p=$tmp/xls.json ;;
	*) p=$prof ;;
	esac
	for dir in tests/workbooks "$tmp/made"; do
		"$BIN/normalise" --profile "$p" --key "$tmp/key" \
		  --max-reject 100 --rejects "$tmp/rejects" "$dir/$book" \
		  > "$tmp/out" 2> "$tmp/err" || true
		sed "s|$dir/||" "$tmp/err" | cat "$tmp/out" "$tmp/rejects" - \
		  > "$tmp/$(basename "$dir").result"
	done
	if ! cmp -s "$tmp/workbooks.result" "$tmp/made.result"; then
		echo "$book: reads differently from make.pl's output"
		diff "$tmp/workbooks.result" "$tmp/made.result" | head -n 10
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
