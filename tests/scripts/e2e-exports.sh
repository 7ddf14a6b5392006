#!/bin/sh
# test-tree: own (works in a scratch folder, never in out/; tests/run.sh)
# test-timeout: 600 (in a niced worker beside the sample build: 212 s in the last full run; tests/run.sh)
# One agency's visits exported three ways, as client management systems
# write them, each taken from file to release with a profile and a map
# and no pre-processing:
#   a CSV with date-times ("4/03/2025 2:22 pm", "2025-03-04 14:22:05"),
#     needs in one column split on "; ", "N/A" parcels, title lines and a
#     trailer;
#   an .xlsx with the visit date as an Excel serial number (45476.65,
#     General format), needs as Yes/No indicator columns, ids that differ
#     in case, the region from a town when the region is empty;
#   a legacy .xls with date cells and Y/blank indicator columns.
# The three must give the same canonical events (byte for byte, under one
# key; each profile folds the ids' case) and so the same release, which
# the audit passes.
set -eu
cd "${ROOT:-.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'nzccss-test-key-0123456789abcdef' > "$tmp/key"
chmod 600 "$tmp/key"

perl - "$tmp" <<'PL'
use strict; use warnings; use utf8;
use Excel::Writer::XLSX;
use Spreadsheet::WriteExcel;
my $dir = shift;
my @needs = ('Food', 'Housing or rent', 'Debt or financial hardship');
my @towns = (['Whangārei', ''], ['Kerikeri', 'Northland'], ['Dargaville', ''],
    ['Kaitāia', 'Northland']);
my @gender = ('Female', 'Male', 'Another gender');
my @eth = ('NZ European', 'Māori', 'Samoan', 'Chinese');
srand(7);
my (@rows);
for my $v (0 .. 449) {
    my $c = int(rand(160));
    my ($y, $m, $d) = (2025, 1 + int(rand(6)), 1 + int(rand(28)));
    my ($h, $min) = (8 + int(rand(9)), int(rand(60)));
    my @n = grep { rand() < 0.4 } @needs;
    push @rows, {
        id => sprintf('HB%04d', $c), case => $v % 3, ymd => [$y, $m, $d],
        hm => [$h, $min], dob => [1950 + $c % 50, 1 + $c % 12, 1 + $c % 28],
        gender => $gender[$c % 3], eth => $eth[$c % 4], town => $towns[$c % 4],
        needs => \@n, parcels => $v % 7 == 0 ? 'N/A' : int(rand(4)),
    };
}
sub ampm { my ($h, $m) = @_; sprintf('%d:%02d %s', ($h - 1) % 12 + 1, $m,
    $h < 12 ? 'am' : 'pm') }
sub serial {   # days since 1899-12-30, as Excel counts from March 1900
    my ($y, $m, $d) = @_;
    my ($a, $yy, $mm) = (int((14 - $m) / 12), 0, 0);
    $yy = $y + 4800 - $a; $mm = $m + 12 * $a - 3;
    my $jdn = $d + int((153 * $mm + 2) / 5) + 365 * $yy + int($yy / 4)
        - int($yy / 100) + int($yy / 400) - 32045;
    return $jdn - 2415019;
}
# the CSV
open my $csv, '>:encoding(UTF-8)', "$dir/export.csv" or die;
print $csv "Harbour CMS client visits\r\nRun 01/07/2025 09:00\r\n";
print $csv "Client ID,Visit,DOB,Gender,Ethnicity,Region,Town,Needs,Parcels\r\n";
for my $r (@rows) {
    my ($y, $m, $d) = @{$r->{ymd}};
    my $when = $r->{case} == 0 ? sprintf('%d/%02d/%d %s', $d, $m, $y, ampm(@{$r->{hm}}))
        : $r->{case} == 1 ? sprintf('%d-%02d-%02d %02d:%02d:%02d', $y, $m, $d, @{$r->{hm}}, 7)
        : sprintf('%02d/%02d/%d', $d, $m, $y);
    printf $csv "%s,%s,%02d/%02d/%d,%s,%s,%s,%s,\"%s\",%s\r\n", $r->{id}, $when,
        reverse(@{$r->{dob}}), $r->{gender}, $r->{eth}, $r->{town}[1],
        $r->{town}[0], join('; ', @{$r->{needs}}), $r->{parcels};
}
print $csv "Total records: " . scalar(@rows) . ",,,,,,,,\r\n";
close $csv or die;
# the two workbooks
for my $kind ('xlsx', 'xls') {
    my $wb = $kind eq 'xlsx' ? Excel::Writer::XLSX->new("$dir/export.xlsx")
        : Spreadsheet::WriteExcel->new("$dir/export.xls");
    my $ws = $wb->add_worksheet('Visits');
    my $date = $wb->add_format(num_format => 'dd/mm/yyyy');
    my @h = ('Client ID', 'Visit', 'DOB', 'Gender', 'Ethnicity', 'Region',
        'Town', @needs, 'Parcels');
    $ws->write_string(0, $_, $h[$_]) for 0 .. $#h;
    my $i = 1;
    for my $r (@rows) {
        my ($y, $m, $d) = @{$r->{ymd}};
        my $id = $kind eq 'xlsx' && $r->{case} == 1 ? lc $r->{id} : $r->{id};
        $ws->write_string($i, 0, $id);
        if ($kind eq 'xlsx') {   # a serial number, the time its fraction
            $ws->write_number($i, 1, serial($y, $m, $d) +
                ($r->{hm}[0] * 60 + $r->{hm}[1]) / 1440);
        } else {
            $ws->write_date_time($i, 1, sprintf('%04d-%02d-%02dT%02d:%02d:00',
                $y, $m, $d, @{$r->{hm}}), $date);
        }
        $ws->write_date_time($i, 2, sprintf('%04d-%02d-%02dT', @{$r->{dob}}), $date);
        $ws->write_string($i, 3, $r->{gender});
        $ws->write_string($i, 4, $r->{eth});
        $ws->write_string($i, 5, $r->{town}[1]) if length $r->{town}[1];
        $ws->write_string($i, 6, $r->{town}[0]);
        my %has = map { $_ => 1 } @{$r->{needs}};
        for my $k (0 .. $#needs) {
            my $yes = $has{$needs[$k]};
            if ($kind eq 'xlsx') { $ws->write_string($i, 7 + $k, $yes ? 'Yes' : 'No') }
            elsif ($yes) { $ws->write_string($i, 7 + $k, 'Y') }
        }
        if ($r->{parcels} eq 'N/A') { $ws->write_string($i, 10, 'N/A') }
        else { $ws->write_number($i, 10, $r->{parcels}) }
        $i++;
    }
    $wb->close or die;
}
PL

cat > "$tmp/csv.json" <<'EOF'
{"agency": "harbour", "skip_rows": 2, "trailer_prefix": "Total records:",
 "date_formats": ["%d/%m/%Y"], "fold_case": ["client_id"],
 "columns": {"client_id": "Client ID", "event_date": "Visit",
   "birth_date": "DOB", "gender": "Gender", "ethnicity": "Ethnicity",
   "region": {"first_of": ["Region", "Town"]},
   "need": {"column": "Needs", "separator": "; "}, "units": "Parcels"}}
EOF
cat > "$tmp/xlsx.json" <<'EOF'
{"agency": "harbour", "format": "xlsx", "sheet": "Visits",
 "fold_case": ["client_id"],
 "columns": {"client_id": "Client ID", "event_date": "Visit",
   "birth_date": "DOB", "gender": "Gender", "ethnicity": "Ethnicity",
   "region": {"first_of": ["Region", "Town"]},
   "need": {"indicators": {"Food": "Food", "Housing or rent":
     "Housing or rent", "Debt or financial hardship":
     "Debt or financial hardship"}},
   "units": "Parcels"}}
EOF
sed 's/"format": "xlsx", "sheet": "Visits",/"format": "xls", "sheet": 1,/' \
  "$tmp/xlsx.json" > "$tmp/xls.json"
cat > "$tmp/map.json" <<'EOF'
{"agency": "harbour",
 "use": {"gender": ["gender"], "ethnicity": ["ethnicity"],
         "region": ["regional-councils", "territorial-authorities", "towns"]},
 "fields": {"need": {"Food": "food", "Housing or rent": "housing",
                     "Debt or financial hardship": "debt"}}}
EOF

fails=0
for kind in csv xlsx xls; do
	"$BIN/normalise" --profile "$tmp/$kind.json" --key "$tmp/key" \
	  --stats "$tmp/$kind-stats.json" "$tmp/export.$kind" \
	  > "$tmp/$kind.canonical" 2> "$tmp/$kind.err" ||
		{ echo "FAIL: normalise $kind"; cat "$tmp/$kind.err"; fails=1; continue; }
	"$BIN/map-categories" --map "$tmp/map.json" --strict \
	  "$tmp/$kind.canonical" > "$tmp/$kind.mapped" 2> "$tmp/$kind.err" ||
		{ echo "FAIL: map $kind"; cat "$tmp/$kind.err"; fails=1; continue; }
	# the chain tests' five tables: the SDC engine's cost grows with the
	# S cells, and the full spec's cost nothing here but time
	"$BIN/bucket" "$tmp/$kind.mapped" | "$BIN/aggregate" --regions 01 \
	  --tables tests/lib/chain-tables.json |
	  "$BIN/suppress" --secondary-cells "$tmp/$kind.hidden" \
	  > "$tmp/$kind.release" ||
		{ echo "FAIL: the chain for $kind"; fails=1; continue; }
	"$BIN/audit" --secondary-cells "$tmp/$kind.hidden" "$tmp/$kind.release" \
	  > /dev/null || { echo "FAIL: audit $kind"; fails=1; }
done
[ "$fails" -eq 0 ] || exit 1
for kind in xlsx xls; do
	cmp -s "$tmp/csv.canonical" "$tmp/$kind.canonical" || {
		echo "FAIL: the $kind export's events differ from the CSV's"
		diff "$tmp/csv.canonical" "$tmp/$kind.canonical" | head -n 10
		fails=1
	}
	cmp -s "$tmp/csv.release" "$tmp/$kind.release" ||
		{ echo "FAIL: the $kind release differs"; fails=1; }
done
python3 - "$tmp" <<'PY' || fails=1
import json, sys
d = sys.argv[1]
for kind in ("csv", "xlsx", "xls"):
    s = json.load(open("%s/%s-stats.json" % (d, kind)))
    want_read = 451 if kind == "csv" else 450
    assert s["rows_read"] == want_read and s["rows_written"] == 450, (kind, s)
    assert s["warnings"]["units_missing"] > 0, (kind, s["warnings"])
PY
[ "$(wc -l < "$tmp/csv.release")" -gt 100 ] ||
	{ echo "FAIL: a release of $(wc -l < "$tmp/csv.release") lines"; fails=1; }
exit "$fails"
