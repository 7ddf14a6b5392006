#!/usr/bin/env python3
"""cells.py: test helper for aggregate and suppress, written independently
of the C code from DESIGN §3-§5, so the scripts can compare against it.

  cells.py gen SEED ROWS [REGIONS]   bucketed events (deterministic)
  cells.py shuffle SEED              shuffle data rows of stdin
  cells.py ref TABLES REGIONS [HISTORY [DATA_FROM]]
                                     reference internal cells from events
                                     (HISTORY: bucketed events of earlier
                                     quarters; DATA_FROM: where the export
                                     starts, YYYY-MM-DD)
  cells.py margins CELLS             additivity checks over internal cells
  cells.py release CELLS RULES       reference release cells from cells
                                     (primary suppression and rounding)
  cells.py secondary REF RELEASE     check RELEASE is REF with some whole
                                     cells hidden; print how many values
"""
import csv, datetime, hashlib, itertools, json, os, random, sys
from collections import Counter, defaultdict

ROOT = os.environ.get("ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
PIPE = os.path.join(ROOT, "pipelines")
DIMS = ["region", "age_band", "gender", "ethnicity", "household", "income",
        "housing", "need", "service", "referral", "client_status",
        "visits_band", "needs_band", "tenure_band", "outcome"]
MULTI = {"ethnicity", "income", "need", "service", "outcome"}
# the flow measures (issue 16): per client and quarter, from its events in
# and before the quarter; no column of the events
FLOW = ["client_status", "visits_band", "needs_band", "tenure_band"]
# no event column: from pair-outcomes (aggregate --outcomes); without it,
# as here, no cell has an outcome code
JOINED = {"outcome"}
IN_COLS = ["agency", "period", "client_key", "household_key", "age_band",
           "gender", "ethnicity", "region", "household", "income", "housing",
           "need", "service", "referral", "units"]
CELL_COLS = ["period", "agency"] + DIMS + ["clients", "households", "events",
                                           "units", "ckey"]
ND = 2 + len(DIMS)      # period, agency and the dimensions
MEASURES = ["clients", "households", "events", "units"]


def codes():
    out = {}
    for d in DIMS:
        if d == "age_band":
            j = json.load(open(os.path.join(PIPE, "age-bands.json")))
            out[d] = [b["code"] for b in j["bands"]] + [j["not_stated"]]
        else:
            j = json.load(open(os.path.join(PIPE, "codes", d + ".json")))
            out[d] = [c["code"] for c in j["codes"]]
    return out


def write(rows, cols):
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(cols)
    w.writerows(rows)


def gen(seed, nrows, regions):
    rnd = random.Random(int(seed))
    cl = codes()
    regions = regions.split(",") if regions else cl["region"]
    nclients = max(1, int(nrows) // 6)
    # six quarters, 2023Q3 to 2024Q4; each client starts in one of them
    quarters = ["2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    first = [rnd.randrange(len(quarters)) for _ in range(nclients)]
    keys = ["%032x" % rnd.getrandbits(128) for _ in range(nclients)]
    # a few record-key collisions in the first 8 hex digits on purpose
    for i in range(0, nclients, 97):
        keys[i] = keys[0][:8] + keys[i][8:]
    homes = ["%032x" % rnd.getrandbits(128) for _ in range(nclients // 2 + 1)]
    home_of = [rnd.choice(homes) if rnd.random() < 0.8 else "" for _ in keys]
    rows = []
    for _ in range(int(nrows)):
        c = rnd.randrange(nclients)
        r = random.Random(c * 7919 + int(seed))   # each client's usual values
        def pick(d, sticky=0.8):
            if rnd.random() < sticky:
                return r.choice(cl[d] if d != "region" else regions)
            return rnd.choice(cl[d] if d != "region" else regions)
        def many(d):
            k = rnd.choice([1, 1, 1, 2, 2, 3])
            return "|".join(sorted(set(rnd.choice(cl[d][:5] + [r.choice(cl[d])])
                                       for _ in range(k))))
        hh = home_of[c] if rnd.random() < 0.9 else (
            rnd.choice(homes) if rnd.random() < 0.8 else "")
        rows.append(["demo", quarters[rnd.randrange(first[c], len(quarters))],
                     keys[c], hh,
                     pick("age_band", 0.95), pick("gender", 0.95),
                     many("ethnicity"), pick("region", 0.85),
                     pick("household"), many("income"), pick("housing"),
                     "not_stated" if rnd.random() < 0.1 else many("need"),
                     many("service"), pick("referral"),
                     "" if rnd.random() < 0.2 else str(rnd.randrange(0, 5))])
    write(rows, IN_COLS)


def shuffle(seed):
    lines = sys.stdin.read().splitlines(True)
    body = lines[1:]
    random.Random(int(seed)).shuffle(body)
    sys.stdout.write(lines[0] + "".join(body))


def masks(tables):
    spec = json.load(open(tables))
    out = set()
    for t in spec["tables"]:
        dims = t["dims"]
        for k in range(len(dims) + 1):
            for sub in itertools.combinations(dims, k):
                out.add(frozenset(sub))
    return out


def modal(counter, order):
    return min(counter, key=lambda v: (-counter[v], order(v)))


def quarter_start(period):
    return datetime.date(int(period[:4]), 3 * int(period[5]) - 2, 1)


def quarter_last_day(period):
    y, q = int(period[:4]), int(period[5])
    nxt = datetime.date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return nxt - datetime.timedelta(days=1)


def add_months(d, n):
    """d plus n calendar months, the day kept or cut to the month's end"""
    m = d.year * 12 + d.month - 1 + n
    y, mo = divmod(m, 12)
    for day in (d.day, 30, 29, 28):
        try:
            return datetime.date(y, mo + 1, day)
        except ValueError:
            continue


def whole_months(a, b):
    m = (b.year - a.year) * 12 + b.month - a.month
    while m > 0 and add_months(a, m) > b:
        m -= 1
    return m


def band(bands, value):
    for b in bands:
        if value >= b["min"] and ("max" not in b or value <= b["max"]):
            return b["code"]
    sys.exit("no band for %d" % value)


def flow_facts(evs, period, quarters, data_from, spec, unknown):
    """client_status, visits_band, needs_band, tenure_band of one client in
    one quarter, from dates: the window [start - W months, start) against
    the days of each quarter it was seen in; tenure from the first and the
    last day of its first quarter, which must fall in one band."""
    start = quarter_start(period)
    window = add_months(start, -spec["window_months"])
    if data_from > window:
        status = unknown["client_status"]
    else:
        back = any(quarter_start(p) < start and quarter_last_day(p) >= window
                   for p in quarters)
        status = "returning" if back else "new"
    visits = band(spec["visits"], len(evs))
    needs = {x for e in evs for x in e["need"].split("|")} - {"not_stated"}
    nband = band(spec["needs"], len(needs))
    reach = max(b["min"] for b in spec["tenure"])
    if data_from > add_months(start, -reach):
        tenure = unknown["tenure_band"]
    else:
        first = min(quarters)
        end = quarter_last_day(period)
        lo = band(spec["tenure"], whole_months(quarter_last_day(first), end))
        hi = band(spec["tenure"], whole_months(quarter_start(first), end))
        if lo != hi:
            sys.exit("tenure of %s in %s: %s or %s by day" % (first, period, lo, hi))
        tenure = lo
    return {"client_status": status, "visits_band": visits,
            "needs_band": nband, "tenure_band": tenure}


def ref(tables, regions="", history="", data_from=""):
    cl = codes()
    axis = dict(cl)
    if regions:
        # the service area, and always 99 (outside it, or not stated)
        want = set(regions.split(",")) | {"99"}
        axis["region"] = [c for c in cl["region"] if c in want]
    ms = {m for m in masks(tables) if not m & JOINED}
    rows = list(csv.DictReader(sys.stdin))
    for row in rows:                     # a region outside the area is 99
        if row["region"] not in axis["region"]:
            row["region"] = "99"
    agency = rows[0]["agency"] if rows else ""
    clients = defaultdict(list)
    for row in rows:
        clients[(row["period"], row["client_key"])].append(row)
    hist = list(csv.DictReader(open(history))) if history else []
    seen = defaultdict(set)
    for row in rows + hist:
        seen[row["client_key"]].add(row["period"])
    if data_from:
        start = datetime.date.fromisoformat(data_from)
    else:                 # no date: the earliest quarter may be partial
        earliest = min(r["period"] for r in rows + hist) if rows else "2000Q1"
        start = quarter_last_day(earliest) + datetime.timedelta(days=1)
    spec = json.load(open(os.path.join(PIPE, "flow-bands.json")))
    unknown = {d: json.load(open(os.path.join(PIPE, "codes", d + ".json")))
               .get("not_stated") for d in FLOW}
    facts = {pk: flow_facts(evs, pk[0], seen[pk[1]], start, spec, unknown)
             for pk, evs in clients.items()}
    cells = defaultdict(lambda: [0, set(), 0, 0, 0])

    def vals(row, d):
        if d in FLOW:
            return [facts[(row["period"], row["client_key"])][d]]
        return row[d].split("|") if d in MULTI else [row[d]]

    for row in rows:                     # events and units by row values
        for m in ms:
            dl = [d for d in DIMS if d in m]
            for combo in itertools.product(*(vals(row, d) for d in dl)):
                c = cells[(row["period"],) + tuple(
                    combo[dl.index(d)] if d in m else "*" for d in DIMS)]
                c[2] += 1
                c[3] += int(row["units"] or 0)
    for (period, key), evs in clients.items():
        v = {}
        for d in DIMS:
            if d in JOINED:
                continue
            if d in FLOW:
                v[d] = [facts[(period, key)][d]]
            elif d in MULTI:
                v[d] = sorted({x for e in evs for x in e[d].split("|")})
            else:
                v[d] = [modal(Counter(e[d] for e in evs), cl[d].index)]
        hc = Counter(e["household_key"] for e in evs if e["household_key"])
        home = modal(hc, lambda k: k) if hc else None
        rk = int(key[:8], 16)
        for m in ms:
            dl = [d for d in DIMS if d in m]
            for combo in itertools.product(*(v[d] for d in dl)):
                c = cells[(period,) + tuple(
                    combo[dl.index(d)] if d in m else "*" for d in DIMS)]
                c[0] += 1
                if home:
                    c[1].add(home)
                c[4] = (c[4] + rk) % 2**32
    out = []
    for period in sorted({p for p, _ in clients}):
        for m in ms:
            dl = [d for d in DIMS if d in m]
            for combo in itertools.product(*(axis[d] for d in dl)):
                coords = tuple(combo[dl.index(d)] if d in m else "*" for d in DIMS)
                c = cells.get((period,) + coords, [0, set(), 0, 0, 0])
                sortkey = tuple(0 if x == "*" else 1 + axis[d].index(x)
                                for d, x in zip(DIMS, coords))
                out.append(((period, sortkey), [period, agency] + list(coords)
                            + [c[0], len(c[1]), c[2], c[3], c[4]]))
    out.sort(key=lambda t: t[0])
    write([r for _, r in out], CELL_COLS)


def margins(path):
    """Single-valued dims: clients, events, units and ckey of a '*' cell
    equal the sum of its children (the covered codes present in the
    output); multi-valued: children sum to at least the parent, and more
    somewhere.  Exits 1 on the first failure."""
    cl = codes()
    rows = list(csv.DictReader(open(path)))
    index = {tuple(r[c] for c in ["period"] + DIMS): r for r in rows}
    checked = {"single": 0, "multi": 0, "multi_strict": 0}
    for key, r in index.items():
        for i, d in enumerate(DIMS):
            if key[1 + i] != "*":
                continue
            kids = [index.get(key[:1 + i] + (c,) + key[2 + i:]) for c in cl[d]]
            kids = [k for k in kids if k is not None]
            if not kids:
                continue                 # no table splits this cell by d
            for m in ["clients", "events", "units"]:
                s = sum(int(k[m]) for k in kids)
                if d in MULTI:
                    if s < int(r[m]):
                        sys.exit("%s: %s: children of %s sum to %d < %s"
                                 % (path, m, key, s, r[m]))
                    if m == "clients" and s > int(r[m]):
                        checked["multi_strict"] += 1
                elif s != int(r[m]):
                    sys.exit("%s: %s over %s of %s: children sum %d != %s"
                             % (path, m, d, key, s, r[m]))
            if d not in MULTI:
                ck = sum(int(k["ckey"]) for k in kids) % 2**32
                if ck != int(r["ckey"]):
                    sys.exit("%s: ckey over %s of %s: %d != %s"
                             % (path, d, key, ck, r["ckey"]))
            checked["multi" if d in MULTI else "single"] += 1
    print(json.dumps(checked))
    if not checked["single"] or not checked["multi_strict"]:
        sys.exit("too few margins checked: %s" % checked)


def draw(ckey, measure, raw):
    h = hashlib.blake2b(("%d:%s:%d" % (ckey, measure, raw)).encode(),
                        digest_size=16).digest()
    return int.from_bytes(h[:8], "big")


def rounded(ckey, measure, raw, base):
    r = raw % base
    if r == 0:
        return raw
    return raw - r + base if draw(ckey, measure, raw) * base < r << 64 else raw - r


def release(path, rules_path):
    rules = json.load(open(rules_path))
    out = []
    for r in csv.DictReader(open(path)):
        row = [r[c] for c in CELL_COLS[:ND]]
        clients = int(r["clients"])
        for m in MEASURES:
            raw = int(r[m])
            if m in rules["person_measures"]:
                hide = raw < rules["threshold"] and (raw > 0 or rules["suppress_zero"])
            else:
                hide = clients < rules["sum_min_clients"]
            # a one-visit cell's events are its clients, rounded with the
            # clients' draw (suppress --help, DESIGN §5)
            name = "clients" if m == "events" and r["visits_band"] == "1" else m
            row.append("S" if hide else rounded(int(r["ckey"]), name, raw, rules["base"]))
        # rounded households never above rounded clients (suppress --help)
        if "S" not in row[ND:ND + 2] and row[ND + 1] > row[ND]:
            row[ND + 1] = row[ND]
        out.append(row)
    write(out, CELL_COLS[:ND + 4])


def secondary(ref_path, rel_path):
    """Secondary suppression only hides: every value of the release is the
    reference's or S, and a cell it hides is hidden in every measure."""
    ref = list(csv.reader(open(ref_path)))
    rel = list(csv.reader(open(rel_path)))
    assert ref[0] == rel[0] and len(ref) == len(rel), "rows or header differ"
    hidden = 0
    for n, (a, b) in enumerate(zip(ref[1:], rel[1:]), 2):
        assert a[:ND] == b[:ND], "line %d: cells differ" % n
        extra = [i for i in range(ND, ND + 4) if a[i] != b[i]]
        for i in extra:
            assert b[i] == "S", "line %d: %s %s became %s" % (n, ref[0][i], a[i], b[i])
        if extra:
            assert all(v == "S" for v in b[ND:ND + 4]), "line %d: partly hidden" % n
        hidden += len(extra)
    print(hidden)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"gen": lambda: gen(args[0], args[1], args[2] if len(args) > 2 else ""),
     "shuffle": lambda: shuffle(args[0]),
     "ref": lambda: ref(*args),
     "margins": lambda: margins(args[0]),
     "release": lambda: release(args[0], args[1]),
     "secondary": lambda: secondary(args[0], args[1])}[cmd]()
