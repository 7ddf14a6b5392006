#!/bin/sh
# chain-fault-cut-inputs: every program after normalise, given its input cut in
# the middle of a line (a half-written file: in the header, in a record, in
# the last record) or holding a NUL byte, fails with exit 1 and an error
# "PROG: FILE:LINE: ..." naming the file and line.  (A file cut exactly at
# a line end is valid CSV: the Makefile's temp-then-rename keeps such a file
# from ever being taken as complete; e2e-fault-kill checks that.)
set -u
cd "${ROOT:-.}"
. tests/lib/chain.sh

# expect_error PROG FILE ARG...: exit 1 and an error naming FILE and a line
expect_error() {
	prog=$1 file=$2
	shift 2
	"$prog" "$@" >/dev/null 2>"$work/err" </dev/null
	code=$?
	if [ "$code" -ne 1 ] || ! grep -q "^$prog: $file:[0-9][0-9]*: " \
	    "$work/err"; then
		echo "FAIL: $prog $* (exit $code)"
		sed 's/^/    /' "$work/err" | head -n 5
		bad=1
	fi
}

# cut_at SRC DEST LINE: DEST is SRC cut in the middle of line LINE (0: last)
cut_at() {
	line=$3
	[ "$line" -eq 0 ] && line=$(wc -l < "$1")
	before=$(head -n $((line - 1)) "$1" | wc -c)
	len=$(sed -n "${line}p" "$1" | wc -c)
	head -c $((before + len / 2)) "$1" > "$2"
}

# with_nul SRC DEST LINE: a NUL byte in the middle of line LINE
with_nul() {
	before=$(head -n $(($3 - 1)) "$1" | wc -c)
	len=$(sed -n "${3}p" "$1" | wc -c)
	{ head -c $((before + len / 2)) "$1"; printf '\000'
	  tail -c +$((before + len / 2 + 1)) "$1"; } > "$2"
}

# check PROG SRC ARG...: SRC damaged in each way, as the last argument
check() {
	prog=$1 src=$2
	shift 2
	have "$prog" || return 0
	f=$work/damaged.csv
	for line in 1 3 0; do
		cut_at "$src" "$f" "$line"
		expect_error "$prog" "$f" "$@" "$f"
	done
	with_nul "$src" "$f" 4
	expect_error "$prog" "$f" "$@" "$f"
}

check map-categories "$d/canonical.csv" --map "$work/map.json" \
	--codes "$P/codes"
check bucket "$d/mapped.csv" --bands "$P/age-bands.json"
check aggregate "$d/bucketed.csv" --profile "$work/profile.json"
check suppress "$d/cells.csv"
check audit "$d/release.csv" --secondary-cells "$d/secondary-cells.csv"

# merge and diff-quarters read a release folder: damage its release.csv
# and give it the sha256 of the damaged file, so only the CSV is at fault
rel=$work/rel/northern
mkdir -p "$rel"
for how in cut1 cut3 cut0 nul; do
	case $how in
	cut*) cut_at "$d/release.csv" "$rel/release.csv" "${how#cut}" ;;
	nul) with_nul "$d/release.csv" "$rel/release.csv" 4 ;;
	esac
	sum=$(sha256sum "$rel/release.csv" | cut -d' ' -f1)
	sed "s/\"sha256\": *\"[0-9a-f]*\"/\"sha256\": \"$sum\"/" \
		"$d/manifest.json" > "$rel/manifest.json"
	grep -q "$sum" "$rel/manifest.json" || { echo "no sha256 in manifest"; exit 1; }
	for prog in merge diff-quarters; do
		have "$prog" || continue
		expect_error "$prog" "$rel/release.csv" "$rel"
	done
done
exit $bad
