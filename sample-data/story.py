#!/usr/bin/env python3
"""story.py: the figures sample-data/README.md quotes, recomputed from the
committed exports alone (not from the generator), with the standard
library only.

    python3 sample-data/story.py            per agency and quarter
    python3 sample-data/story.py --dirty    where the planted dirty rows are

A client is new in a quarter when the export has no visit of theirs in
the twelve months before the quarter starts (blank when the export does
not reach back that far: issue 16's "unknown"); visits and distinct needs
are counted per client and quarter.  Ids are trimmed (and folded to lower
case for harbour, as its profile asks).  Rows without a valid date are
left out, as normalise rejects them.
"""
import csv
import datetime as dt
import io
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
POLICY = dt.date(2025, 4, 1)
TENANCY = dt.date(2025, 1, 30)
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def dmy(text):
    m = re.match(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})", text)
    return dt.date(int(m[3]), int(m[2]), int(m[1])) if m else None


def dmony(text):
    m = re.match(r"(\d{2})-([A-Z][a-z]{2})-(\d{4})$", text)
    return dt.date(int(m[3]), MONTHS[m[2]], int(m[1])) if m else None


def iso(text):
    return dt.date.fromisoformat(text)


def serial(text):
    """An Excel serial date (1900 system: it counts a 29 February 1900)."""
    n = int(float(text))
    return dt.date(1899, 12, 30 if n >= 61 else 31) + dt.timedelta(days=n)


# agency: file, encoding, delimiter, title lines, id, date, date reader,
# needs (column and separator, or a list of columns), income, referral,
# first day of the data
AGENCIES = {
    "northern": ("export.csv", "utf-8-sig", ",", 0, "Client ID", "Visit Date",
                 dmy, ("Needs", "; "), "Main Income", "Referral", "2023-07-01"),
    "eastern": ("export.csv", "cp1252", ",", 2, "Client No", "Contact Date",
                dmony, ["Primary Need", "Secondary Need"], "Income Source",
                None, "2023-07-01"),
    "capital": ("export.txt", "utf-16", "\t", 0, "Client", "Date", dmy,
                ("Presenting needs", ", "), "Income", None, "2023-07-01"),
    "kaishare": ("export.csv", "utf-8", ",", 0, "ClientRef", "VisitDate",
                 iso, ("Needs", ";"), "IncomeSource", None, "2025-01-01"),
    "harbour": ("export.csv", "utf-8", ",", 0, "Contact ID", "Visit Date",
                dmy, ("Needs", ";"), "Income Source", "Referral Source",
                "2023-07-01"),
    "southern": ("export.xlsx", None, None, 2, "Client Ref", "Visit Date",
                 serial, "indicators", "Main Income", None, "2023-07-01"),
}
# local spellings of the income and referral codes the story is about
JOBLESS = {"Jobseeker", "JS", "Jobseeker Support", "jobseeker", "No income",
           "Nil income", "none"}
FROM_MSD = {"Work and Income", "WINZ"}
FOOD = {"Food", "Foood", "Kai / food", "food", "Food insecurity", "Kai"}
INCOME = {"Benefit issues", "Low income", "Income/WINZ",
          "Insufficient income", "income_benefit", "Income"}


def xlsx_rows(path):
    """The first sheet's rows as lists of text (dates as serials), with
    their 1-based row numbers."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        shared = [("".join(t.text or "" for t in si.iter(
            "{%s}t" % ns["m"]))) for si in ET.fromstring(
            z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    for row in sheet.find("m:sheetData", ns).findall("m:row", ns):
        cells = {}
        for c in row.findall("m:c", ns):
            col = 0
            for ch in re.match(r"[A-Z]+", c.get("r"))[0]:
                col = col * 26 + ord(ch) - 64
            v = c.find("m:v", ns)
            text = v.text if v is not None else ""
            cells[col - 1] = shared[int(text)] if c.get("t") == "s" else text
        width = max(cells) + 1 if cells else 0
        yield int(row.get("r")), [cells.get(i, "") for i in range(width)]


def csv_rows(path, encoding, delim):
    """Records with the physical line each starts on."""
    with open(path, encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delim)
        start = 1
        for rec in reader:
            yield start, rec
            start = reader.line_num + 1


def read(agency):
    file, enc, delim, skip, idcol, datecol, parse, needs, income, ref, \
        first = AGENCIES[agency]
    path = "%s/%s/%s" % (HERE, agency, file)
    rows = xlsx_rows(path) if enc is None else csv_rows(path, enc, delim)
    header = None
    for line, rec in rows:
        if line <= skip or (enc is None and not any(rec)):
            continue
        if header is None:
            header = rec
            continue
        if len(rec) < len(header):
            continue  # eastern's trailer
        yield line, dict(zip(header, rec)), header


def visit_of(agency, row, header):
    _, _, _, _, idcol, datecol, parse, needs, income, ref, _ = AGENCIES[agency]
    try:
        day = parse(row[datecol]) if row[datecol] else None
    except ValueError:
        day = None
    cid = row[idcol].strip()
    if agency == "harbour":
        cid = cid.lower()
    if needs == "indicators":
        cols = header[header.index("Visit Date") + 1:header.index("Support Given")]
        named = {c for c in cols if row[c] == "Yes"}
    elif isinstance(needs, list):
        named = {row[c] for c in needs if row[c]}
    else:
        named = {v for v in row[needs[0]].split(needs[1]) if v}
    return day, cid, named, row[income], row[ref] if ref else ""


def quarter(day):
    return "%dQ%d" % (day.year, (day.month - 1) // 3 + 1)


def quarter_start(q):
    return dt.date(int(q[:4]), 3 * int(q[5]) - 2, 1)


def months_before(day, n):
    return dt.date(day.year - (day.month <= n), (day.month - n - 1) % 12 + 1, 1)


def per_quarter(agency):
    visits = []
    for line, row, header in read(agency):
        day, cid, named, inc, ref = visit_of(agency, row, header)
        if day is not None and dt.date(1990, 1, 1) < day:
            visits.append((day, cid, named, inc, ref))
    first = dt.date.fromisoformat(AGENCIES[agency][-1])
    by_client = {}
    for v in visits:
        by_client.setdefault(v[1], []).append(v[0])
    out = {}
    for q in sorted({quarter(v[0]) for v in visits}):
        start = quarter_start(q)
        inq = [v for v in visits if quarter(v[0]) == q]
        clients = {}
        for v in inq:
            c = clients.setdefault(v[1], {"n": 0, "needs": set(), "inc": v[3]})
            c["n"] += 1
            c["needs"] |= v[2]
        known = months_before(start, 12) >= first
        new = set()
        if known:
            back = months_before(start, 12)
            new = {c for c in clients
                   if not any(back <= d < start for d in by_client[c])}
        n = len(clients)
        out[q] = {
            "rows": len(inq), "clients": n,
            "new": len(new) / n if known else None,
            "v1": sum(c["n"] == 1 for c in clients.values()) / n,
            "v23": sum(2 <= c["n"] <= 3 for c in clients.values()) / n,
            "v4": sum(c["n"] >= 4 for c in clients.values()) / n,
            "n3": sum(len(c["needs"]) >= 3 for c in clients.values()) / n,
            "food": sum(bool(v[2] & FOOD) for v in inq) / len(inq),
            "income": sum(bool(v[2] & INCOME) for v in inq) / len(inq),
            "jobless_new": (sum(clients[c]["inc"] in JOBLESS for c in new)
                            / len(new)) if new else None,
            "msd": (sum(v[4] in FROM_MSD for v in inq) / len(inq))
            if AGENCIES[agency][9] else None,
        }
    return out


def pct(x):
    return "" if x is None else "%.0f" % (100 * x)


def show(agency):
    print("== %s" % agency)
    cols = ["rows", "clients", "new", "v1", "v23", "v4", "n3", "food",
            "income", "jobless_new", "msd"]
    print("quarter " + " ".join("%7s" % c[:7] for c in cols))
    for q, f in per_quarter(agency).items():
        print("%-7s " % q + " ".join(
            "%7s" % (f[c] if c in ("rows", "clients") else pct(f[c]))
            for c in cols))


def periods(agency):
    """Mean shares before and after the policy change, over the quarters
    where new is known, leaving out the partial last quarter."""
    qs = per_quarter(agency)
    last = list(qs)[-1]
    sets = {"before": [], "after": []}
    for q, f in qs.items():
        if q == last or f["new"] is None:
            continue
        sets["before" if quarter_start(q) < POLICY else "after"].append(f)
    res = {}
    for k, fs in sets.items():
        if fs:
            res[k] = {c: sum(f[c] for f in fs) / len(fs)
                      for c in ("clients", "new", "v4", "v23", "n3")}
    return res


def assessments(agency, scale):
    file = {"harbour": ("assessments.csv", "utf-8", ","),
            "capital": ("assessments.txt", "utf-16", "\t")}[agency]
    path = "%s/%s/%s" % (HERE, agency, file[0])
    rows = list(csv_rows(path, file[1], file[2]))
    header = rows[0][1]
    by = {}
    for line, rec in rows[1:]:
        r = dict(zip(header, rec))
        cid = r[header[0]].strip().lower()
        day = dmy(r[header[1]])
        score = int(r[header[3]])
        if not 1 <= score <= scale or day > dt.date(2026, 7, 16):
            continue  # the planted dirty rows
        by.setdefault((cid, r[header[2]]), []).append((day, score))
    pairs = {}
    for (cid, dom), xs in by.items():
        xs.sort()
        runs, run = [], [xs[0]]
        for x in xs[1:]:  # an episode: no gap over six months
            if (x[0] - run[-1][0]).days > 182:
                runs.append(run)
                run = []
            run.append(x)
        runs.append(run)
        for run in runs:
            if (run[-1][0] - run[0][0]).days < 28:
                continue
            when = "after" if run[-1][0] >= TENANCY else "before"
            d = run[-1][1] - run[0][1]
            p = pairs.setdefault((dom, when), [0, 0, 0])
            p[0 if d > 0 else 1 if d == 0 else 2] += 1
    clients = {cid for cid, _ in by}
    paired = {cid for (cid, dom), xs in by.items() if len(xs) > 1}
    print("== %s assessments: %d rows, %d clients, %d with a later one"
          % (agency, len(rows) - 1, len(clients), len(paired)))
    for (dom, when), (up, same, down) in sorted(pairs.items()):
        n = up + same + down
        print("  %-22s latest %-6s 2025-01-30: %4d pairs, improved %2.0f%%,"
              " same %2.0f%%, worse %2.0f%%" % (dom, when, n, 100 * up / n,
                                                100 * same / n, 100 * down / n))


def main():
    if "--dirty" in sys.argv:
        return dirty()
    for a in AGENCIES:
        show(a)
        for k, f in periods(a).items():
            print("  %s 2025-04-01: clients %.0f, new %s%%, 2-3 visits %s%%,"
                  " 4+ visits %s%%, 3+ needs %s%%" % (
                      k, f["clients"], pct(f["new"]), pct(f["v23"]),
                      pct(f["v4"]), pct(f["n3"])))
    assessments("harbour", 5)
    assessments("capital", 10)


def birth_of(agency, row):
    """The birth date as a date, or, for kaishare, the age as a number."""
    if agency == "kaishare":
        return int(row["Age"]) if row["Age"] else None
    col = {"northern": "DOB", "eastern": "Date of Birth",
           "capital": "Date of birth", "harbour": "Date of Birth",
           "southern": "Date of Birth"}[agency]
    if not row[col]:
        return None
    return serial(row[col]) if agency == "southern" else \
        AGENCIES[agency][6](row[col])


def dirty():
    """The planted rows, by what they look like in the file: each kind
    with its lines (the first three and a count when there are many)."""
    bad_date = re.compile(r"31[/-](0?2|Feb)[/-]2025|2025-02-31")
    typos = {"Foood", "Powr bill"}
    for agency in AGENCIES:
        idcol, datecol = AGENCIES[agency][4], AGENCIES[agency][5]
        region = {"harbour": "Town", "eastern": "Area"}.get(agency, "Region")
        kinds, births, first_id = {}, {}, None
        for line, row, header in read(agency):
            cid = row[idcol].strip()
            first_id = first_id or cid
            found = []
            if row[datecol] == "":
                found.append("empty event date")
            elif bad_date.match(row[datecol]):
                found.append("impossible date %r" % row[datecol])
            if row[idcol] != cid:
                found.append("id with a trailing space %r" % row[idcol])
            elif agency == "harbour" and cid != cid.upper():
                found.append("id in lower case")
            if row[region] != row[region].strip():
                found.append("region with spaces %r" % row[region])
            if row.get("Parcels") == "N/A":
                found.append("parcels N/A")
            for col in ("Primary Need",):
                if row.get(col) in typos:
                    found.append("unmapped need %r" % row[col])
            for f in found:
                kinds.setdefault(f, []).append(line)
            b = birth_of(agency, row)
            if b is not None:
                if agency == "kaishare":
                    odd = "age over 120" if b > 120 else \
                        "negative age" if b < 0 else None
                else:
                    odd = "birth date 1900-01-01" if b == dt.date(1900, 1, 1) \
                        else "birth date in the future" \
                        if b > dt.date(2026, 7, 16) else None
                if odd:
                    births.setdefault(odd, set()).add(cid.lower()
                                                      if agency == "harbour" else cid)
        for kind, lines in kinds.items():
            more = " ... (%d rows)" % len(lines) if len(lines) > 3 else ""
            print("%s: %s: line %s%s" % (agency, kind, ", ".join(
                map(str, lines[:3])), more))
        for kind, ids in sorted(births.items()):
            print("%s: %s: client %s" % (agency, kind, ", ".join(sorted(ids))))
    assessment_dirt("harbour", 5)
    assessment_dirt("capital", 10)


def assessment_dirt(agency, scale):
    file = {"harbour": ("assessments.csv", "utf-8", ","),
            "capital": ("assessments.txt", "utf-16", "\t")}[agency]
    idcol = AGENCIES[agency][4]
    known = {row[idcol].strip().lower() for _, row, _ in read(agency)}
    rows = csv_rows("%s/%s/%s" % (HERE, agency, file[0]), file[1], file[2])
    _, header = next(rows)
    for line, rec in rows:
        r = dict(zip(header, rec))
        if not 1 <= int(r[header[3]]) <= scale:
            print("%s %s: score %s off the scale: line %d"
                  % (agency, file[0], r[header[3]], line))
        if r[header[0]].strip().lower() not in known:
            print("%s %s: client %s not in the export: line %d"
                  % (agency, file[0], r[header[0]], line))
        if dmy(r[header[1]]) > dt.date(2026, 7, 16):
            print("%s %s: dated %s, after the export: line %d"
                  % (agency, file[0], r[header[1]], line))


if __name__ == "__main__":
    main()
