#!/bin/sh
# test-timeout: 600 (the SDC engine on a small agency or a secure sum: minutes on a busy machine; tests/run.sh)
# test-queue: secure (both build the secure mode in out/secure; tests/run.sh)
# e2e-secure: make national MODE=secure on the sample agencies' internal
# cells (the shared build's out/agency): the rounds of every quarter sum
# exactly the agencies' internal cells with k or more contributors, the
# contributor counts are true, the sum protected once passes the audit
# of a reader (every S, the excluded cells among them, keeps 3 or more
# values), every excluded cell is published whole as S, and merge
# publishes regional and national figures from the one release: in
# 2026Q2 region 08 has four agencies and publishes numbers, and region 09
# has three, all S.  Agencies without
# assessments add their clients to the outcome domains' not_assessed
# bands (secvector), and a domain with a band of fewer than k
# contributors is never summed and is hidden whole (secround, seccells).
# The national files go to
# out/secure/national, so out/national stays the default build's.  The
# last quarter only (SECURE_FROM, as make compare is run by e2e-compare):
# the reader's audit of the quarter's sum, protected once, takes about a
# minute, the suite's longest step.
set -eu
cd "${ROOT:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! make -s national MODE=secure SECURE_FROM=2026Q2 NATIONAL=out/secure/national \
		>"$work/make.log" 2>&1; then
	cat "$work/make.log"
	exit 1
fi
rel=out/secure/nzccss
test -s "$rel/manifest.json"
# the build's audit is a reader's ('audit --manifest', from the release
# and manifest alone; secure.mk takes its output as the intervals merge
# reads): its rows are checked here, not made again
python3 - "$rel/audit.csv" <<'PY'
import csv, glob, json, sys
k = 4
dims = ["region", "age_band", "gender", "ethnicity", "household", "income",
        "housing", "need", "service", "referral", "client_status",
        "visits_band", "needs_band", "tenure_band", "outcome"]
ms = ["clients", "households", "events", "units"]
domains = [c["code"].split(":")[0] for c in
           json.load(open("pipelines/codes/outcome.json"))["codes"]]
domains = sorted(set(domains), key=domains.index)
universe = set()
for r in csv.DictReader(open("out/secure/contributors.csv")):
    if r["period"] != "period":
        universe.add((r["period"],) + tuple(r[d] for d in dims))
truth, count = {}, {}
for f in sorted(glob.glob("out/agency/*/cells.csv")):
    own = {}
    for r in csv.DictReader(open(f)):
        own[(r["period"],) + tuple(r[d] for d in dims)] = \
            [int(r[m] or 0) for m in ms]
    banded = {key[0] for key in own if key[-1] != "*"}
    for key, v in list(own.items()):
        # no assessments in the quarter: the margin's clients are the
        # not_assessed band's of every domain
        if key[0] not in banded:
            for d in domains:
                na = key[:-1] + (d + ":not_assessed",)
                if na in universe:
                    own[na] = v
    for key, v in own.items():
        truth[key] = [a + b for a, b in zip(truth.get(key, [0] * 4), v)]
        count[key] = count.get(key, 0) + (sum(v) > 0)
got = {}
for r in csv.DictReader(open("out/secure/sums.csv")):
    if r["period"] == "period":
        continue
    got[(r["period"],) + tuple(r[d] for d in dims)] = [int(r[m]) for m in ms]
contrib = {}
for r in csv.DictReader(open("out/secure/contributors.csv")):
    if r["period"] == "period":
        continue
    key = (r["period"],) + tuple(r[d] for d in dims)
    contrib[key] = int(r["contributors"])
for key, n in contrib.items():
    assert n == count.get(key, 0), (key, n, count.get(key, 0))
assert {key[0] for key in contrib} == {"2026Q2"}, "quarters"
def domain(key):
    return key[:-1] + (key[-1].split(":")[0],)
# an outcome domain with a band of 1 to k-1 contributors is never summed
thin = {domain(e) for e, n in contrib.items() if 1 <= n < k and ":" in e[-1]}
# what is summed is exact, has k or more contributors, and is no band of
# a thin domain
for key, v in got.items():
    assert v == truth.get(key), key
    assert count[key] >= k and not (":" in key[-1] and domain(key) in thin), key
assert thin and any(":not_assessed" in key[-1] and count[key] >= k and
                    domain(key) in thin for key in truth), "no thin domain"
# closed under subtraction: no relation (a margin over a single-valued
# dimension and its cells, or an outcome domain's margin and bands) has
# exactly one cell with a contributor that is not summed, or NZCCSS
# would have it from the sums
single = [i for i, d in enumerate(dims) if d in (
    "region", "age_band", "gender", "household", "housing", "referral",
    "client_status", "visits_band", "needs_band", "tenure_band")]
codes = {i: sorted({key[1 + i] for key in contrib if key[1 + i] != "*"})
         for i in single}
unknown = lambda key: contrib.get(key, 0) > 0 and key not in got
nrel = 0
for key in contrib:
    for i in single:
        if key[1 + i] != "*":
            continue
        kids = [key[:1 + i] + (c,) + key[2 + i:] for c in codes[i]]
        if not all(kid in contrib for kid in kids):
            continue
        nrel += 1
        assert sum(map(unknown, [key] + kids)) != 1, (key, dims[i])
    if key[-1] == "*":
        for dom in domains:
            bands = [key[:-1] + (b,) for b in
                     (dom + ":" + x for x in ("improved", "same", "worse",
                                              "unpaired", "not_assessed"))]
            if all(b in contrib for b in bands):
                nrel += 1
                assert sum(map(unknown, [key] + bands)) != 1, (key, dom)
left = sum(1 for key, n in contrib.items() if n >= k and key not in got)
print("ok the secure sums are the internal cells' sums:", len(got),
      "cells; %d with k or more left out, so that none of the %d relations "
      "gives a cell not summed by subtraction" % (left, nrel))
# every excluded cell is published whole as S; every S keeps 3 values
excluded = {tuple(r[c] for c in ["period"] + dims)
            for r in csv.DictReader(open("out/secure/nzccss/excluded.csv"))}
assert excluded, "no excluded cell"
# the excluded cells are exactly those with a contributor not summed
# (in the regions some participant serves): a domain with a thin band is
# hidden whole, and so is each cell left out for subtraction's sake
regions = {key[1] for key in contrib if contrib[key] > 0}
assert excluded == {e for e, n in contrib.items() if n >= 1 and
                    e not in got and e[1] in regions | {"*"}}, \
    sorted(excluded ^ {e for e, n in contrib.items() if n >= 1 and
                       e not in got})[:3]
rel = {tuple(r[c] for c in ["period"] + dims): r
       for r in csv.DictReader(open("out/secure/nzccss/release.csv"))}
for e in excluded:
    assert all(rel[e][m] == "S" for m in ms), e
public = list(csv.DictReader(open(sys.argv[1])))
assert all(r["status"] == "ok" for r in public), [r for r in public
                                                  if r["status"] != "ok"][:3]
proven = {tuple(r[c] for c in ["period"] + dims) for r in public}
assert excluded <= proven, "an excluded cell the audit did not prove"
for r in public:
    if r["high"] != "inf":
        assert int(r["high"]) - int(r["low"]) >= 2, r
print("ok", len(excluded), "excluded cells, all S, none narrowed below 3 values")
merged = list(csv.DictReader(open("out/secure/national/merged.csv")))
shown = {}
for r in merged:
    lvl = "national" if r["region"] == "*" else r["region"]
    shown.setdefault((r["period"], lvl), set()).add(r["clients_shown"])
# region 08, four agencies (k), and the nation publish numbers
for lvl in ("national", "08"):
    assert "number" in shown[("2026Q2", lvl)], (lvl, shown.get(("2026Q2", lvl)))
assert contrib[("2026Q2", "08") + ("*",) * 14] == 4
# in 2026Q2 region 09 has three agencies (southern left in 2026Q1), fewer
# than k: none of its cells is summed, every one is published S
top09 = ("2026Q2", "09") + ("*",) * 14
assert contrib[top09] == 3, contrib[top09]
for key, r in rel.items():
    if key[:2] == ("2026Q2", "09"):
        assert all(r[m] == "S" for m in ms), key
print("ok merge publishes national and regional numbers (2026Q2: 08, four "
      "agencies); region 09, three agencies, is S")
PY
if grep -q ckey "$rel/release.csv"; then
	echo "$rel/release.csv has a ckey column"; exit 1
fi
grep -q '"agency": "nzccss"' "$rel/manifest.json"
