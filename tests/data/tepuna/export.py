#!/usr/bin/env python3
"""The exports of 'tepuna', a small fictional agency (tests/scripts/
e2e-state.sh).  export.py VERSION writes one export, deterministically:

  1  taken 2025-07-10: 2024Q4 (before FROM), 2025Q1 and 2025Q2, and nine
     days of 2025Q3.  In 2025Q1 Canterbury (13) has exactly 5 clients.
  2  taken 2025-10-10: all of 1, 2025Q3 complete, nine days of 2025Q4,
     and one late record: client C900's visit of 2025-03-14, entered
     after export 1.  Released afresh, Canterbury's 2025Q1 clients would
     read 6 where the first release said S: the late record would show
     that S was exactly 5.
"""
import csv, random, sys

version = int(sys.argv[1])
rnd = random.Random(7)
rows = []

def visit(cid, date, region):
    r = random.Random(cid)
    rows.append([cid, "H" + cid[1:], date, str(r.randrange(18, 80)),
                 r.choice("MF"), r.choice(["European", "Maori", "Pacific"]),
                 region, r.choice(["Couple", "Sole parent", "Single"]),
                 r.choice(["Wages", "Benefit"]), r.choice(["Renting", "Social"]),
                 r.choice(["Food", "Food;Rent", "Family harm"]),
                 r.choice(["Food parcel", "Advocacy"]), str(r.randrange(0, 3))])

def quarter(year, months, akl, chc, first_day=1, last_day=28, base=0):
    for i in range(akl):
        m = months[i % 3]
        visit("A%03d" % (base + i), "%d-%02d-%02d" % (year, m, rnd.randrange(first_day, last_day + 1)), "Auckland")
    for i in range(chc):
        m = months[i % 3]
        visit("C%03d" % (base + i), "%d-%02d-%02d" % (year, m, rnd.randrange(first_day, last_day + 1)), "Canterbury")

quarter(2024, [10, 11, 12], 12, 3)            # before FROM: history
quarter(2025, [1, 2, 3], 40, 5)               # Canterbury: exactly 5
quarter(2025, [4, 5, 6], 42, 8, base=10)
quarter(2025, [7, 7, 7], 4, 1, 1, 9, base=60)  # partial in export 1
if version >= 2:
    quarter(2025, [7, 8, 9], 41, 7, 10, 28, base=20)
    quarter(2025, [10, 10, 10], 3, 1, 1, 9, base=70)
    visit("C900", "2025-03-14", "Canterbury")  # late for 2025Q1
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["Client ID", "Household ID", "Visit Date", "Age", "Gender",
            "Ethnicity", "Region", "Household Type", "Main Income", "Housing",
            "Needs", "Service", "Parcels"])
w.writerows(rows)
