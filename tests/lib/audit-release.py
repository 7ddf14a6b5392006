#!/usr/bin/env python3
"""audit-release.py: a synthetic release with its true values, for audit.

Random clients and their events are counted into every cell of a table
spec by the rules of DESIGN §4 (modal single-valued dimensions, total
response for multi-valued ones, events and units by each row's own
values), then protected as suppress does (DESIGN §5: S under the
threshold, sums S under sum_min_clients clients, everything else
randomly rounded to the base).  Writes the release CSV to stdout and the
true values (the same cells, raw) to --truth FILE.

usage: audit-release.py [--clients N] [--regions N] [--seed N]
       [--tables FILE] [--extra-tables] [--rules FILE] --truth FILE
Not a test itself: tests/scripts/audit-truth.sh runs it, and it makes the
benchmark releases (--extra-tables adds three-way tables: ~10,000 cells).
"""
import argparse
import itertools
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cells import DIMS, MEASURES, ROOT, codes as code_lists  # noqa: E402

MULTI = ["ethnicity", "income", "need", "service"]   # a list: fixed order


def visits_band(codes, n):
    """The visits band holding n events: its code states its range
    ("1", "2-3", "4+"), as suppress and audit read it."""
    for code in codes["visits_band"]:
        lo, _, hi = code.rstrip("+").partition("-")
        if int(lo) <= n and (code.endswith("+") or n <= int(hi or lo)):
            return code
    raise ValueError(n)


def make_clients(rng, n, codes, regions):
    clients = []
    for i in range(n):
        # skewed choices, so some cells are small and some large
        def pick(d):
            cs = codes[d] if d != "region" else regions
            return cs[min(int(rng.expovariate(0.6)), len(cs) - 1)]
        c = {d: pick(d) for d in DIMS if d not in MULTI}
        c["household_key"] = rng.randrange(max(1, n * 2 // 3))
        events = []
        for e in range(1 + int(rng.expovariate(0.5))):
            ev = {d: sorted({pick(d) for _ in range(1 + int(rng.expovariate(1.5)))})
                  for d in MULTI}
            # rows keep their own single values; the client's modal one
            # is on most of them
            ev["region"] = c["region"] if rng.random() < 0.85 else pick("region")
            # every other single value (the flow measures too: one per
            # client and quarter) is the client's on all its rows
            for d in DIMS:
                if d not in MULTI and d != "region":
                    ev[d] = c[d]
            ev["units"] = rng.randrange(4)
            events.append(ev)
        # the visits band is the client's number of events (a one-visit
        # cell has as many events as clients, which audit knows)
        c["visits_band"] = visits_band(codes, len(events))
        for ev in events:
            ev["visits_band"] = c["visits_band"]
        for d in MULTI:
            c[d] = sorted(set().union(*(set(ev[d]) for ev in events)))
        # the client's region is its modal one (DESIGN §4; ties: the
        # first in code order), so each client has an event there
        seen = [ev["region"] for ev in events]
        order = regions if regions else codes["region"]
        c["region"] = max(order, key=lambda r: (seen.count(r), -order.index(r)))
        c["events"] = events
        clients.append(c)
    return clients


def count(clients, tables, codes, regions):
    cells = {}
    order = []

    def cell(key):
        if key not in cells:
            cells[key] = [0, set(), 0, 0]
            order.append(key)
        return cells[key]

    # every cell of every table, zeros included, in code-list order
    for t in tables:
        lists = [(codes[d] if d != "region" else regions) + ["*"] for d in t]
        for combo in itertools.product(*lists):
            key = ["*"] * len(DIMS)
            for d, v in zip(t, combo):
                key[DIMS.index(d)] = v
            cell(tuple(key))
    def keys(rec, t):
        # the record's cells in table t: its value (values) or * per dimension
        opts = [([rec[d]] if d not in MULTI else rec[d]) + ["*"] for d in t]
        for combo in itertools.product(*opts):
            key = ["*"] * len(DIMS)
            for d, v in zip(t, combo):
                key[DIMS.index(d)] = v
            yield tuple(key)

    for c in clients:
        # a cell shared by two tables counts once
        for key in {k for t in tables for k in keys(c, t)}:
            cells[key][0] += 1
            cells[key][1].add(c["household_key"])
        for ev in c["events"]:
            for key in {k for t in tables for k in keys(ev, t)}:
                cells[key][2] += 1
                cells[key][3] += ev["units"]
    return [(k, [cells[k][0], len(cells[k][1]), cells[k][2], cells[k][3]]) for k in order]


def rr(rng, raw, base):
    res = raw % base
    if res == 0:
        return raw
    # keyed consistent rounding in the pipeline; a fresh draw is enough here
    return raw - res if rng.random() < (base - res) / base else raw - res + base


def protect(rng, raw, rules):
    out = []
    clients = raw[0]
    for m, v in zip(MEASURES, raw):
        if m in rules["person_measures"]:
            small = v < rules["threshold"] and (v > 0 or rules["suppress_zero"])
        else:
            small = clients < rules["sum_min_clients"]
        out.append("S" if small else str(rr(rng, v, rules["base"])))
    # rounded households never above rounded clients, as suppress does
    if "S" not in out[:2] and int(out[1]) > int(out[0]):
        out[1] = out[0]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=400)
    ap.add_argument("--regions", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tables", default=os.path.join(ROOT, "pipelines/tables.json"))
    ap.add_argument("--extra-tables", action="store_true")
    ap.add_argument("--rules", default=os.path.join(ROOT, "pipelines/rules/statsnz.json"))
    ap.add_argument("--period", default="2024Q3")
    ap.add_argument("--agency", default="synth")
    ap.add_argument("--truth", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    codes = code_lists()
    regions = codes["region"][1:1 + a.regions]
    # no outcome tables: these clients have no assessments, as an agency
    # without them releases no outcome cells (aggregate --outcomes)
    tables = [t["dims"] for t in json.load(open(a.tables))["tables"]
              if "outcome" not in t["dims"]]
    if a.extra_tables:
        tables += [["region", "need", "age_band"], ["region", "need", "ethnicity"],
                   ["region", "service", "household"], ["need", "income", "gender"],
                   ["region", "need", "household"], ["region", "income", "age_band"]]
    rules = json.load(open(a.rules))
    cells = count(make_clients(rng, a.clients, codes, regions), tables, codes, regions)
    head = ",".join(["period", "agency"] + DIMS + MEASURES)
    with open(a.truth, "w") as truth:
        print(head, file=truth)
        print(head)
        for key, raw in cells:
            prefix = [a.period, a.agency] + list(key)
            print(",".join(prefix + [str(v) for v in raw]), file=truth)
            print(",".join(prefix + protect(rng, raw, rules)))


if __name__ == "__main__":
    sys.exit(main())
