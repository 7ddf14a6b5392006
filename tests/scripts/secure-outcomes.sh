#!/bin/sh
# secure-outcomes: secure mode with agencies that record no assessments
# beside two that do, over region by outcome.  An agency without
# assessments has the outcome margin '*' only; its vector adds those
# clients to each domain's not_assessed band (seen, not assessed), so
# in the sum every domain's bands still add up to the margin, and
# 'suppress --forced' protects the sum (it refused it as contradictory
# when those clients were in the margin and in no band).  A domain with
# a band of fewer than k contributors is hidden whole (seccells lists
# all its bands with a contributor), so the hidden bands' total is the
# margin, never the total of the two assessing agencies alone.
set -eu
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
root=$(pwd)
cd "$w"
printf '{"version": "1", "tables": [{"name": "ro", "dims": ["region", "outcome"]}]}\n' > t.json
spec="--tables t.json --codes $root/pipelines/codes --bands $root/pipelines/age-bands.json"
A="ag-a ag-b ag-c ag-d"
for p in nzccss $A; do seckey --party $p $p.key; done > lines
{ echo party,kx_public,sign_public; cat lines; } > pinned.csv
keygen programme.key
chmod 600 *.key
# ag-a and ag-b record assessments: in each region every client has one
# band of each domain; ag-c and ag-d record none: margins only
python3 - $A <<'PY'
import random, sys
random.seed(11)
domains = ["financial", "housing", "food", "wellbeing", "safety"]
bands = ["improved", "same", "worse", "unpaired", "not_assessed"]
head = ("period,agency,region,age_band,gender,ethnicity,household,income,"
        "housing,need,service,referral,client_status,visits_band,needs_band,"
        "tenure_band,outcome,clients,households,events,units,ckey")
for a in sys.argv[1:]:
    assess = a in ("ag-a", "ag-b")
    cells = {}
    for r in ["08", "09"]:
        clients = random.randint(60, 120)
        v = [clients, clients * 2 // 3, clients * 2, clients]
        for rr in (r, "*"):
            cells[(rr, "*")] = [x + y for x, y in
                                zip(cells.get((rr, "*"), [0] * 4), v)]
        if not assess:
            continue
        for d in domains:
            left = clients
            for i, b in enumerate(bands):
                c = left if b == "not_assessed" else random.randint(3, 15)
                left -= c
                bv = [c, c * 2 // 3, c * 2, c]
                for rr in (r, "*"):
                    k = (rr, d + ":" + b)
                    cells[k] = [x + y for x, y in zip(cells.get(k, [0] * 4), bv)]
    with open(a + ".cells.csv", "w") as f:
        f.write(head + "\n")
        for (r, o), v in sorted(cells.items()):
            dims = [r] + ["*"] * 13 + [o]
            f.write(",".join(["2025Q1", a] + dims + [str(x) for x in v] +
                             [str(random.randint(0, 2**32 - 1))]) + "\n")
PY
list=ag-a,ag-b,ag-c,ag-d
for kind in indicator value; do
	if [ $kind = value ]; then
		r=2 extra="--contributors c.csv --indicator indicator.txt"
		check="--indicator indicator.txt $(ls indicator/*.vec)"
	else r=1 extra= check=; fi
	secround open --quarter 2025Q1 --round $r --kind $kind --k 3 \
		--participants $list --pinned pinned.csv --secret nzccss.key \
		$spec $extra > $kind.txt
	mkdir $kind
	for a in $A; do
		secvector ack --round $kind.txt --pinned pinned.csv --secret $a.key \
			--party $a $check > $kind/$a.ack
	done
	for a in $A; do
		secvector send --round $kind.txt --pinned pinned.csv --secret $a.key \
			--party $a --cells $a.cells.csv $spec $check $kind/*.ack \
			> $kind/$a.vec
	done
	[ $kind = value ] && out=s.csv || out=c.csv
	secround sum --round $kind.txt --pinned pinned.csv $spec $kind/*.vec > $out
done
seccells --contributors c.csv --sums s.csv --key programme.key --k 3 \
	--excluded excluded.csv > cells.csv
if ! suppress --rules "$root/pipelines/rules/statsnz.json" --forced excluded.csv \
		cells.csv > release.csv 2> err; then
	cat err
	echo "suppress refused the secure sum's cells"
	exit 1
fi
python3 - $A <<'PY'
import csv, sys
agencies = sys.argv[1:]
ms = ["clients", "households", "events", "units"]
domains = ["financial", "housing", "food", "wellbeing", "safety"]
bands = ["improved", "same", "worse", "unpaired", "not_assessed"]
cells = {a: {(r["region"], r["outcome"]): [int(r[m]) for m in ms]
             for r in csv.DictReader(open(a + ".cells.csv"))} for a in agencies}
contrib = {(r["region"], r["outcome"]): int(r["contributors"])
           for r in csv.DictReader(open("c.csv"))}
sums = {(r["region"], r["outcome"]): [int(r[m]) for m in ms]
        for r in csv.DictReader(open("s.csv"))}
for reg in ("08", "09", "*"):
    for d in domains:
        na = (reg, d + ":not_assessed")
        # every agency contributes to not_assessed: the two without
        # assessments with their margin
        assert contrib[na] == 4, (na, contrib[na])
        want = [0] * 4
        for a in agencies:
            own = cells[a].get(na) if a in ("ag-a", "ag-b") else cells[a].get((reg, "*"))
            want = [x + y for x, y in zip(want, own)]
        assert sums[na] == want, (na, sums[na], want)
        for b in bands[:4]:
            assert contrib[(reg, d + ":" + b)] == 2, (reg, d, b)
            assert (reg, d + ":" + b) not in sums
    assert contrib[(reg, "*")] == 4 and (reg, "*") in sums
print("ok not_assessed holds the clients of the agencies without assessments")
# the true bands, summed over all four agencies, add up to the margin
for reg in ("08", "09", "*"):
    margin = sum(cells[a][(reg, "*")][0] for a in agencies)
    for d in domains:
        total = sum(cells[a].get((reg, d + ":" + b), [0])[0]
                    for a in ("ag-a", "ag-b") for b in bands[:4])
        assert total + sums[(reg, d + ":not_assessed")][0] == margin
print("ok each domain's bands add up to the margin in the sum")
ex = {(r["region"], r["outcome"]) for r in csv.DictReader(open("excluded.csv"))}
want = {(reg, d + ":" + b) for reg in ("08", "09", "*") for d in domains
        for b in bands}
assert ex == want, sorted(ex ^ want)[:5]
rel = {(r["region"], r["outcome"]): r for r in csv.DictReader(open("release.csv"))}
for key in want:
    assert all(rel[key][m] == "S" for m in ms), key
for reg in ("08", "09", "*"):
    assert rel[(reg, "*")]["clients"] != "S", reg
print("ok every band of a domain with a band of 2 contributors is S; "
      "the margins are published")
PY
