#!/bin/sh
# secure-outcomes: secure mode with agencies that record no assessments
# beside two that do, over region by outcome.  An agency without
# assessments has the outcome margin '*' only; its vector adds those
# clients to each domain's not_assessed band (seen, not assessed), so in
# the sum every domain's bands still add up to the margin.  Region 09 is
# served by three agencies without assessments: its margin and
# not_assessed bands are summed, and 'suppress --forced' protects the sum
# (it refused it as contradictory when those clients were in the margin
# and in no band).  In region 08 and nationally two agencies assess: a
# domain with a band of fewer than k contributors is never summed at all
# (secround open leaves it out, every agency checks that, seccells hides
# it whole), so NZCCSS cannot take the summed not_assessed from the
# summed margin and learn the two agencies' assessed clients; a value
# round that sums one is refused by the agencies.
set -eu
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
root=$(pwd)
cd "$w"
printf '{"version": "1", "tables": [{"name": "ro", "dims": ["region", "outcome"]}]}\n' > t.json
spec="--tables t.json --codes $root/pipelines/codes --bands $root/pipelines/age-bands.json"
A="ag-a ag-b ag-c ag-d ag-e"
for p in nzccss $A; do seckey --party $p $p.key; done > lines
{ echo party,kx_public,sign_public; cat lines; } > pinned.csv
# a fixed programme key: the rounding, and so what secondary suppression
# hides, is the same on every run
echo 5d1c7b3a9e2f40618a7c6b5d4e3f20110f1e2d3c4b5a69788796a5b4c3d2e1f0 |
	keygen --from-hex - programme.key
chmod 600 *.key
# ag-a and ag-b record assessments, in region 08 only: every client has
# one band of each domain; ag-c, ag-d and ag-e record none, in regions
# 08 and 09: margins only
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
    for r in (["08"] if assess else ["08", "09"]):
        clients = random.randint(60, 120)
        v = [clients, clients * 2 // 3, clients * 2, clients]
        for rr in (r, "*"):
            cells[(rr, "*")] = [x + y for x, y in
                                zip(cells.get((rr, "*"), [0] * 4), v)]
        if not assess:
            continue
        for d in domains:
            left = clients
            for b in bands:
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
list=ag-a,ag-b,ag-c,ag-d,ag-e
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
			--party $a $spec $check > $kind/$a.ack
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
# region 09: three agencies without assessments; not_assessed is their
# margin, summed; the other bands have no contributor
margin09 = [0] * 4
for a in agencies:
    margin09 = [x + y for x, y in zip(margin09, cells[a].get(("09", "*"), [0] * 4))]
assert ("09", "*") in sums and contrib[("09", "*")] == 3
for d in domains:
    na = ("09", d + ":not_assessed")
    assert contrib[na] == 3, (na, contrib[na])
    assert sums[na] == margin09, (na, sums[na], margin09)
    for b in bands[:4]:
        assert contrib[("09", d + ":" + b)] == 0
print("ok region 09: not_assessed holds the clients of the agencies "
      "without assessments, summed")
# region 08 and national: two agencies assess; no band of any domain is
# summed, so the summed margin less not_assessed tells NZCCSS nothing
for reg in ("08", "*"):
    assert contrib[(reg, "*")] == 5 and (reg, "*") in sums
    for d in domains:
        assert contrib[(reg, d + ":not_assessed")] == 5
        for b in bands:
            assert (reg, d + ":" + b) not in sums, (reg, d, b)
        for b in bands[:4]:
            assert contrib[(reg, d + ":" + b)] == 2, (reg, d, b)
print("ok region 08 and national: no band of a domain with a band of "
      "two contributors is summed")
ex = {(r["region"], r["outcome"]) for r in csv.DictReader(open("excluded.csv"))}
want = {(reg, d + ":" + b) for reg in ("08", "*") for d in domains
        for b in bands}
assert ex == want, sorted(ex ^ want)[:5]
rel = {(r["region"], r["outcome"]): r for r in csv.DictReader(open("release.csv"))}
for key in want:
    assert all(rel[key][m] == "S" for m in ms), key
for reg in ("08", "*"):
    assert rel[(reg, "*")]["clients"] != "S", reg
print("ok those bands are hidden whole; the margins of 08 and the "
      "nation are published")
PY
# A dishonest NZCCSS opens a value round over forged contributors, in
# which financial's thin bands in region 08 and nationally have none, so
# that their not_assessed would be summed: every agency sums the
# indicator vectors itself and refuses to acknowledge it.
awk -F, -v OFS=, '($2 == "08" || $2 == "*") &&
    $16 ~ /^financial:(improved|same|worse|unpaired)$/ {
	$17 = 0 } 1' c.csv > c-forged.csv
secround open --quarter 2025Q1 --round 3 --kind value --k 3 \
	--participants $list --pinned pinned.csv --secret nzccss.key $spec \
	--contributors c-forged.csv --indicator indicator.txt > forged.txt
for a in $A; do
	if secvector ack --round forged.txt --pinned pinned.csv --secret $a.key \
	    --party $a $spec $check > out 2> err; then
		echo "$a acknowledged a value round that sums a thin domain's band"
		exit 1
	fi
	grep -q "a band of an outcome domain with a band of fewer" err ||
		{ cat err; exit 1; }
done
echo "ok a value round that sums a thin domain's band is refused"
