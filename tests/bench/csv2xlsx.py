#!/usr/bin/env python3
"""csv2xlsx.py: the benchmark's export as the .xlsx Excel would save it.

usage: csv2xlsx.py EXPORT.csv ROWS OUT.xlsx

The first ROWS lines of the CSV (header included: 1048576 fills a sheet)
become one sheet: every text in the shared strings table, as Excel keeps
it, d/mm/yyyy dates as date cells (serial numbers with a date format),
numbers as numbers.  The sheet is written as it is read, so the file of a
million rows is made in bounded memory (but for the shared strings).
"""
import csv
import datetime
import sys
import zipfile
from xml.sax.saxutils import escape

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
EPOCH = datetime.date(1899, 12, 30)


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def serial(text):
    """d/mm/yyyy as an Excel serial day, or None"""
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        day = datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None
    return (day - EPOCH).days


def main():
    src, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    strings, order = {}, []
    refs = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                         allowZip64=True) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     '<worksheet xmlns="%s"><sheetData>' % NS).encode())
            with open(src, newline="", encoding="utf-8-sig") as fh:
                for n, rec in enumerate(csv.reader(fh), 1):
                    if n > rows:
                        break
                    while len(refs) < len(rec):
                        refs.append(col_name(len(refs)))
                    cells = []
                    for i, v in enumerate(rec):
                        if v == "":
                            continue
                        r = "%s%d" % (refs[i], n)
                        day = serial(v) if n > 1 else None
                        if day is not None:
                            cells.append('<c r="%s" s="1"><v>%d</v></c>' % (r, day))
                        elif n > 1 and v.isdigit() and len(v) < 10 and v[0] != "0":
                            cells.append('<c r="%s"><v>%s</v></c>' % (r, v))
                        else:
                            k = strings.get(v)
                            if k is None:
                                k = strings[v] = len(order)
                                order.append(v)
                            cells.append('<c r="%s" t="s"><v>%d</v></c>' % (r, k))
                    f.write(('<row r="%d">%s</row>' % (n, "".join(cells))).encode())
            f.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     '<sst xmlns="%s" uniqueCount="%d">' % (NS, len(order))).encode())
            for v in order:
                f.write(("<si><t>%s</t></si>" % escape(v)).encode())
            f.write(b"</sst>")
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="%s">'
                   '<Relationship Id="rId1" Type="%s/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>' % (PKG, REL))
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="%s" '
                   'xmlns:r="%s"><sheets><sheet name="Visits" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>' % (NS, REL))
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?>'
                   '<Relationships xmlns="%s">'
                   '<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
                   '<Relationship Id="rId3" Type="%s/styles" Target="styles.xml"/>'
                   '</Relationships>' % (PKG, REL, REL, REL))
        z.writestr("xl/styles.xml", '<?xml version="1.0"?><styleSheet xmlns="%s">'
                   '<numFmts count="1"><numFmt numFmtId="164" formatCode="d/mm/yyyy"/>'
                   '</numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/>'
                   '</cellXfs></styleSheet>' % NS)
    print("%d rows, %d shared strings" % (min(n, rows), len(order)), file=sys.stderr)


if __name__ == "__main__":
    main()
