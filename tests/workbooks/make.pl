#!/usr/bin/perl
# make.pl: the workbooks the tests read, written the way a CMS's Excel
# export is: Excel::Writer::XLSX for .xlsx, Spreadsheet::WriteExcel for
# .xls (Debian libexcel-writer-xlsx-perl, libspreadsheet-writeexcel-perl),
# and, for the parts of the format those writers never produce, an .xlsx
# put together from its XML with Archive::Zip.
#   perl tests/workbooks/make.pl DIR    writes every workbook into DIR
# The committed copies in tests/workbooks/ were made by this script;
# tests/scripts/normalise-workbooks-made.sh checks that its output still
# reads the same.
use strict;
use warnings;
use utf8;
use Archive::Zip qw(:ERROR_CODES :CONSTANTS);
use Excel::Writer::XLSX;
use Spreadsheet::WriteExcel;

my $dir = shift or die "usage: make.pl DIR\n";

# The sheet "Visits": a title row, a blank row, the header, then visits.
# Each cell: [kind, value]; kinds: s text, n number, d date (d/mm/yyyy),
# t date-time (dd/mm/yyyy hh:mm), h time of day (h:mm: a time alone is
# no date, a serial with a day keeps it), f formula with its cached
# value, b boolean, r rich text, blank.
my @header = ('Client ID', 'Household ID', 'Visit Date', 'DOB', 'Gender',
    'Postcode', 'Region', 'Town', 'Food', 'Rent or housing', 'Power',
    'Parcels', 'Worker', 'Notes');
my @visits = (
    [[s => 'ABC123 '], [s => 'H1'], [d => '2025-03-04'], [d => '1980-05-17'],
     [s => 'Female'], [s => '0110'], [s => 'Northland'], [s => 'Whangārei'],
     [s => 'Yes'], [s => 'No'], [s => ''], [n => 2], [s => 'Team A'],
     [r => 'Rang about the power bill']],
    [[s => 'abc123'], [s => 'H1'], [t => '2025-03-04T14:22:00'], [blank => ''],
     [s => 'F'], [s => '0110'], [blank => ''], [s => 'Whangārei'],
     [s => 'X'], [blank => ''], [b => 1], [f => ['=1+1', 2]],
     [s => 'Team A'], [blank => '']],
    [[n => 110], [blank => ''], [n => 45476.65], [blank => ''],
     [s => 'Male'], [n => 632], [blank => ''], [s => 'Tāmaki Makaurau'],
     [n => 1], [s => 'yes'], [s => 'Maybe'], [s => 'N/A'], [s => 'Team B'],
     [blank => '']],
    [[s => 'K4'], [blank => ''], [s => '4/03/2025 2:22 pm'], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [s => 'Ōtautahi'],
     [s => 'no'], [s => 'Y'], [blank => ''], [s => '-'], [s => 'Team B'],
     [blank => '']],
    [[s => 'K5'], [blank => ''], [s => '2025-03-05T09:30'], [blank => ''],
     [blank => ''], [blank => ''], [f => ['=1/0', '#DIV/0!']], [s => 'Nelson'],
     [blank => ''], [blank => ''], [blank => ''], [f => ['=NA()', '#N/A']],
     [s => 'Team B'], [blank => '']],
    [[s => 'K6'], [blank => ''], [f => ['=NA()', '#N/A']], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [n => 1],
     [s => 'Team C'], [blank => '']],
    [[s => 'T1'], [blank => ''], [h => 'T14:30:00'], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [n => 1],
     [s => 'Team C'], [blank => '']],
    [[s => 'T2'], [blank => ''], [h => '2025-03-07T09:15:00'], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [n => 1],
     [s => 'Team C'], [blank => '']],
    [[s => 'K7'], [blank => ''], [s => '31/02/2025'], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [n => 1.5],
     [s => 'Team C'], [blank => '']],
    [[f => ['="K"&8', 'K8']], [blank => ''], [s => '2025-03-06 14:22:05'],
     [blank => ''], [blank => ''], [blank => ''], [blank => ''],
     [blank => ''], [blank => ''], [blank => ''], [blank => ''], [n => 3],
     [s => 'Team C'], [blank => '']],
);

sub write_sheet {
    my ($wb, $ws, $xlsx) = @_;
    my %fmt = (
        d => $wb->add_format(num_format => 'd/mm/yyyy'),
        t => $wb->add_format(num_format => 'dd/mm/yyyy hh:mm'),
        h => $wb->add_format(num_format => 'h:mm'),
        b => $wb->add_format(bold => 1),
    );
    $ws->write_string(0, 0, 'Report run: 05-Mar-2025 09:14');
    $ws->write_string(2, $_, $header[$_]) for 0 .. $#header;
    my $row = 3;
    for my $v (@visits) {
        for my $col (0 .. $#$v) {
            my ($kind, $val) = @{$v->[$col]};
            # (an empty text would be a zero-length shared string, which
            # FreeXL cannot read: Excel writes no cell there)
            if ($kind eq 's') { $ws->write_string($row, $col, $val) if
                length $val }
            elsif ($kind eq 'n') { $ws->write_number($row, $col, $val) }
            elsif ($kind eq 'd') {
                $ws->write_date_time($row, $col, "${val}T", $fmt{d});
            } elsif ($kind eq 'h') {
                $ws->write_date_time($row, $col, $val, $fmt{h});
            } elsif ($kind eq 't') {
                $ws->write_date_time($row, $col, $val, $fmt{t});
            } elsif ($kind eq 'f') {
                $ws->write_formula($row, $col, $val->[0], undef, $val->[1]);
            } elsif ($kind eq 'b') {
                if ($xlsx) { $ws->write_boolean($row, $col, $val) }
                else { $ws->write_formula($row, $col, '=TRUE', undef,
                    $val ? 'TRUE' : 'FALSE') }
            } elsif ($kind eq 'r') {
                if ($xlsx) {
                    my @words = split / /, $val, 2;
                    $ws->write_rich_string($row, $col, $fmt{b}, "$words[0] ",
                        $words[1]);
                } else { $ws->write_string($row, $col, $val) }
            }
        }
        $row++;
    }
    # the town of the last two visits is one merged cell
    $ws->merge_range($row - 2, 7, $row - 1, 7, 'Merged Town',
        $wb->add_format());
    $ws->write_string($row, 0, 'Total records: ' . scalar @visits);
}

sub workbook {
    my ($class, $file, %opt) = @_;
    my $wb = $class->new("$dir/$file") or die "$file: $!\n";
    my $xlsx = $class eq 'Excel::Writer::XLSX';
    $wb->set_optimization() if $opt{inline};
    $wb->set_1904() if $opt{date1904};
    $wb->set_properties(created => [0, 0, 0, 1, 0, 125]) if $xlsx;
    my $summary = $wb->add_worksheet('Summary');
    $summary->write_string(0, 0, 'Visits this quarter') unless $opt{inline};
    write_sheet($wb, $wb->add_worksheet('Visits'), $xlsx);
    $wb->add_worksheet('Lists')->write_string(0, 0, 'Teams');
    $wb->close or die "$file: $!\n";
}

workbook('Excel::Writer::XLSX', 'visits.xlsx');
workbook('Excel::Writer::XLSX', 'visits-inline.xlsx', inline => 1);
workbook('Excel::Writer::XLSX', 'visits-1904.xlsx', date1904 => 1);
workbook('Spreadsheet::WriteExcel', 'visits.xls');
workbook('Spreadsheet::WriteExcel', 'visits-1904.xls', date1904 => 1);

# What Excel and other writers put in a workbook that Excel::Writer::XLSX
# never does: prefixed element names, absolute part names, cells and rows
# without r, an ISO date cell (t="d"), phonetic runs, _xHHHH_ escapes, a
# shared string index out of range in a second sheet.
my $ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
my $rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
my %part = (
    '[Content_Types].xml' => '<?xml version="1.0"?><Types xmlns="http://'
      . 'schemas.openxmlformats.org/package/2006/content-types"/>',
    '_rels/.rels' => qq{<?xml version="1.0"?><Relationships xmlns="http://}
      . qq{schemas.openxmlformats.org/package/2006/relationships">}
      . qq{<Relationship Id="rId1" Type="$rel/officeDocument" }
      . qq{Target="/x/book.xml"/></Relationships>},
    'x/book.xml' => qq{<?xml version="1.0"?><x:workbook xmlns:x="$ns" }
      . qq{xmlns:r="$rel"><x:workbookPr date1904="true"/><x:sheets>}
      . qq{<x:sheet name="Data" sheetId="1" r:id="rId7"/>}
      . qq{<x:sheet name="Broken" sheetId="2" r:id="rId8"/>}
      . qq{</x:sheets></x:workbook>},
    'x/_rels/book.xml.rels' => qq{<?xml version="1.0"?><Relationships }
      . qq{xmlns="http://schemas.openxmlformats.org/package/2006/relationships">}
      . qq{<Relationship Id="rId7" Type="$rel/worksheet" Target="sheets/../data.xml"/>}
      . qq{<Relationship Id="rId8" Type="$rel/worksheet" Target="broken.xml"/>}
      . qq{<Relationship Id="rId9" Type="$rel/sharedStrings" Target="strings.xml"/>}
      . qq{<Relationship Id="rId10" Type="$rel/styles" Target="/x/styles.xml"/>}
      . qq{</Relationships>},
    'x/strings.xml' => qq{<?xml version="1.0"?><x:sst xmlns:x="$ns">}
      . qq{<x:si><x:t>Client ID</x:t></x:si><x:si><x:t>Visit Date</x:t></x:si>}
      . qq{<x:si><x:t>Need</x:t></x:si>}
      . qq{<x:si><x:r><x:t>東</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ヒガシ</x:t>}
      . qq{</x:rPh><x:r><x:t>京</x:t></x:r></x:si>}
      . qq{<x:si><x:t>Line_x000D__x000A_two_x005F_x0041_</x:t></x:si>}
      . qq{</x:sst>},
    'x/styles.xml' => qq{<?xml version="1.0"?><x:styleSheet xmlns:x="$ns">}
      . qq{<x:numFmts count="1"><x:numFmt numFmtId="164" }
      . qq{formatCode="[\$-1409]d mmmm yyyy;\@"/></x:numFmts>}
      . qq{<x:cellStyleXfs count="1"><x:xf numFmtId="14"/></x:cellStyleXfs>}
      . qq{<x:cellXfs count="3"><x:xf numFmtId="0"/><x:xf numFmtId="164"/>}
      . qq{<x:xf numFmtId="20"/></x:cellXfs></x:styleSheet>},
    'x/data.xml' => qq{<?xml version="1.0"?><x:worksheet xmlns:x="$ns">}
      . qq{<x:sheetData><x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s">}
      . qq{<x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c></x:row>}
      . qq{<x:row><x:c t="inlineStr"><x:is><x:t>D1</x:t></x:is></x:c>}
      . qq{<x:c t="d"><x:v>2025-03-04T14:22:00</x:v></x:c><x:c t="s">}
      . qq{<x:v>3</x:v></x:c></x:row>}
      . qq{<x:row r="4"><x:c r="A4"><x:v>7</x:v></x:c><x:c r="B4" s="1">}
      . qq{<x:v>44989</x:v></x:c><x:c r="C4" t="s"><x:v>4</x:v></x:c></x:row>}
      . qq{<x:row r="5"><x:c r="A5" t="inlineStr"><x:is><x:t>D3</x:t></x:is>}
      . qq{</x:c><x:c r="B5" s="2"><x:v>44989.5</x:v></x:c></x:row>}
      . qq{</x:sheetData></x:worksheet>},
    'x/broken.xml' => qq{<?xml version="1.0"?><x:worksheet xmlns:x="$ns">}
      . qq{<x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c>}
      . qq{<x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row><x:row r="2">}
      . qq{<x:c r="A2" t="s"><x:v>99</x:v></x:c></x:row></x:sheetData>}
      . qq{</x:worksheet>},
);
my $zip = Archive::Zip->new();
for my $name (sort keys %part) {
    my $bytes = $part{$name};
    utf8::encode($bytes);
    my $m = $zip->addString($bytes, $name);
    $m->desiredCompressionMethod(COMPRESSION_DEFLATED);
    $m->setLastModFileDateTimeFromUnix(315532800);
}
$zip->writeToFileNamed("$dir/strict.xlsx") == AZ_OK or die "strict.xlsx\n";
