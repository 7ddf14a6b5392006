#!/bin/sh
# test-timeout: 900 (the SDC engine on a small agency, in a niced worker; tests/run.sh)
# test-tree: own (works in a scratch folder, never in out/; tests/run.sh)
# The README's Joining commands, as written, from a fresh export to a
# first release.  A copy of the repository (with its built programs)
# stands for the officer's clone; HOME is a scratch folder holding a
# fresh CMS export, ~/Downloads/clients.xlsx, written here as a CMS
# writes one (title rows, an export date, date cells, yes/no need
# columns, services split by "; ", a trailer), whose values are all
# national labels or names in the reference tables, so that onboarding
# leaves nothing to fill in.  Every command must succeed, and the
# release and its manifest must be there, audited, for agency tepuna.
set -eu
cd "${ROOT:-.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clone=$tmp/clone
mkdir -p "$clone" "$tmp/home/Downloads"
# the files a clone has (and new ones not yet committed), and bin/ as
# built, modification times kept so that make rebuilds nothing
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard
else
	find . \( -path ./out -o -path ./bin -o -path ./.git \) -prune -o \
	  -type f -print0
fi | tar --null -T - -cf - 2>/dev/null | tar -C "$clone" -xf -
cp -pR bin "$clone/"
# the chain tests' five tables, not the default spec's 24: what is under
# test is the commands, from export to audited release; the SDC engine's
# cost grows with the S cells, and a 600-row agency on the full spec
# spent minutes in suppress and the audits (tests/lib/chain-tables.json)
cp tests/lib/chain-tables.json "$clone/pipelines/tables.json"

perl - "$tmp/home/Downloads/clients.xlsx" <<'PL'
use strict; use warnings; use utf8;
use Excel::Writer::XLSX;
my $wb = Excel::Writer::XLSX->new($ARGV[0]) or die;
my $ws = $wb->add_worksheet('Client visits');
my $date = $wb->add_format(num_format => 'd/mm/yyyy');
my @head = ('Client Ref', 'Family Ref', 'Date of Visit', 'Date of Birth',
    'Gender', 'Ethnicity', 'Town', 'Household Type', 'Main Income', 'Housing',
    'Food', 'Housing or rent', 'Debt or financial hardship', 'Services',
    'Food Parcels', 'Case Worker', 'Notes');
my @gender = ('F', 'M', 'Female', 'Male', 'F', 'M');
my @eth = ('NZ European', 'Māori', 'Samoan', 'Tongan', 'Chinese', 'Indian',
    'Cook Islands Māori');
my @town = ('Manukau', 'Papakura', 'Pukekohe', 'Ōtāhuhu', 'Papatoetoe',
    'Henderson');
my @hh = ('One parent with child(ren)', 'Couple with child(ren)',
    'One-person household', 'Couple only');
my @inc = ('Jobseeker Support', 'Wages or salary', 'Sole Parent Support',
    'NZ Superannuation', 'Supported Living Payment');
my @hous = ('Private rental', 'Public or social housing',
    'Emergency or transitional housing', 'Owned or partly owned');
my @svc = ('Food support', 'Food support; Financial mentoring or budgeting',
    'Social work or case management', 'Food support; Advocacy');
$ws->write_string(0, 0, 'Te Puna Community Services: client visits');
$ws->write_string(1, 0, 'Report run: 01-Jul-2025 08:30');
$ws->write_string(3, $_, $head[$_]) for 0 .. $#head;
my $row = 4;
srand(20250701);
for my $v (0 .. 599) {
    my $c = int(rand(200));
    my @ymd = (2025, 1 + int(rand(6)), 1 + int(rand(28)));
    $ws->write_string($row, 0, sprintf('TP%04d', $c));
    $ws->write_string($row, 1, sprintf('F%03d', int($c / 2)));
    $ws->write_date_time($row, 2, sprintf('%04d-%02d-%02dT', @ymd), $date);
    $ws->write_date_time($row, 3, sprintf('%04d-%02d-%02dT',
        1950 + $c % 50, 1 + $c % 12, 1 + $c % 28), $date);
    $ws->write_string($row, 4, $gender[$c % @gender]);
    $ws->write_string($row, 5, $eth[$c % @eth]);
    $ws->write_string($row, 6, $town[$c % @town]);
    $ws->write_string($row, 7, $hh[$c % @hh]);
    $ws->write_string($row, 8, $inc[$c % @inc]);
    $ws->write_string($row, 9, $hous[$c % @hous]);
    $ws->write_string($row, 10, rand() < 0.7 ? 'Yes' : 'No');
    $ws->write_string($row, 11, rand() < 0.3 ? 'Yes' : 'No');
    $ws->write_string($row, 12, rand() < 0.2 ? 'Yes' : 'No');
    $ws->write_string($row, 13, $svc[int(rand(@svc))]);
    $ws->write_number($row, 14, int(rand(4)));
    $ws->write_string($row, 15, ('Aroha', 'Ben', 'Mele')[$v % 3]);
    $ws->write_string($row, 16, 'Client called about a food parcel');
    $row++;
}
$ws->write_string($row, 0, 'Total records: 600');
$wb->close or die;
PL

# the commands of the README's Joining section, as written
awk '/^## Joining: from your CMS export to your first release/ { on = 1 }
     on && /^```sh$/ { code = 1; next }
     code && /^```$/ { exit }
     code { print }' README.md > "$tmp/commands"
[ -s "$tmp/commands" ] || { echo "no commands under the Joining heading"; exit 1; }
cd "$clone"
export HOME="$tmp/home"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	echo "\$ $line" >>"$tmp/log"
	if ! sh -c "$line" >>"$tmp/log" 2>&1; then
		echo "FAIL: command $n of the Joining section: $line"
		tail -n 30 "$tmp/log"
		exit 1
	fi
done < "$tmp/commands"
[ "$n" -ge 4 ] || { echo "only $n commands"; exit 1; }

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
a=$HOME/nzccss/tepuna
[ -s "$a/export.xlsx" ] || fail "the export was not put in $a"
grep -q '"format": "xlsx"' "$a/profile.json" || fail "profile: not xlsx"
grep -q '"export_date"' "$a/profile.json" || fail "profile: no export date"
! grep -q '"code": ""' "$a/map.json" || fail "map: codes left to fill in"
grep -q 'left to fill in' "$tmp/log" || fail "onboard did not say what is left"
grep -q 'reading the export .*tepuna/export.xlsx' "$tmp/log" ||
	fail "make agency did not name the export"
out=out/agency/tepuna
[ -s "$out/manifest.json" ] || fail "no manifest"
[ -s "$out/audit.csv" ] || fail "no audit"
grep -q '"agency": "tepuna"' "$out/manifest.json" || fail "manifest agency"
rows=$(wc -l < "$out/release.csv")
[ "$rows" -gt 100 ] || fail "a release of $rows lines"
python3 - "$out/normalise-stats.json" <<'PY' || fail "normalise's stats"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["export_date"] == "2025-07-01", s["export_date"]
assert s["rows_read"] == 601 and s["rows_written"] == 600, s
PY
if [ "$fails" -ne 0 ]; then
	tail -n 40 "$tmp/log"
	exit 1
fi
