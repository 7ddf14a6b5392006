#!/bin/sh
# test-tree: own (works in a scratch folder, never in out/; tests/run.sh)
# test-timeout: 600 (in a niced worker beside the sample build: 212 s in the last full run; tests/run.sh)
# make install into a scratch DESTDIR: every program, its man page and
# the data it reads; then the installed programs, run from outside the
# repository with no NZ_PIPELINES, find their data and take an .xlsx
# export to a release (normalise, map-categories with reference tables,
# bucket, aggregate, suppress, audit), and man shows their pages.
set -eu
cd "${ROOT:-.}"
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make --no-print-directory install DESTDIR="$tmp/stage" >"$tmp/make.log" 2>&1 ||
	{ cat "$tmp/make.log"; exit 1; }
root=$tmp/stage/usr/local
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for src in filters/*.c; do
	p=$(basename "$src" .c)
	[ -x "$root/bin/$p" ] || fail "$p not installed"
	[ -s "$root/share/man/man1/$p.1" ] || fail "no man page for $p"
	"$root/bin/$p" --version | grep -q "^$p " || fail "$p --version"
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$root/share/man/man1/$p.1" 2>/dev/null |
		  grep -q "^NAME" || fail "man $p has no NAME"
	fi
done
for f in codes/region.json rules/statsnz.json reference/towns.json \
    reference/ethnicity.json tables.json age-bands.json demo-keys.csv; do
	[ -s "$root/share/nzccss/$f" ] || fail "data $f not installed"
done

# the chain, from a folder that is not the repository
work=$tmp/agency
mkdir -p "$work"
cp tests/workbooks/visits.xlsx tests/cases/normalise-xlsx-cells/profile.json \
  "$work/"
printf '{"agency": "southern", "use": {"gender": ["gender"], %s}, %s}\n' \
  '"region": ["regional-councils", "territorial-authorities", "towns"]' \
  '"fields": {"need": {"food": "food", "housing": "housing", "power": "debt"}}' \
  > "$work/map.json"
cd "$work"
unset NZ_PIPELINES
"$root/bin/keygen" agency.key 2>/dev/null
b=$root/bin
"$b/normalise" --profile profile.json --key agency.key --max-reject 100 \
  visits.xlsx 2>/dev/null | "$b/map-categories" --map map.json 2>/dev/null |
  "$b/bucket" > events.csv || fail "the installed chain to bucket"
# aggregate finds the installed table spec: a need-by-household cell
"$b/aggregate" < events.csv > cells.csv || fail "the installed aggregate"
[ "$(awk -F, '$7 != "*" && $10 != "*"' cells.csv | wc -l)" -gt 0 ] ||
	fail "aggregate's cells lack the installed spec's need_by_household"
# then suppress and audit on the chain tests' five tables: the SDC
# engine's cost grows with the S cells, and what is under test is the
# installed programs
"$b/aggregate" --tables "$repo/tests/lib/chain-tables.json" < events.csv |
  "$b/suppress" --secondary-cells hidden.csv > release.csv ||
	fail "the installed suppress"
head -n 1 release.csv | grep -q '^period,agency,region' ||
	fail "no release header"
[ "$(wc -l < release.csv)" -gt 100 ] || fail "a release of $(wc -l < release.csv) lines"
"$b/audit" --secondary-cells hidden.csv release.csv > audit.csv ||
	fail "the installed audit"
[ "$fails" -eq 0 ]
