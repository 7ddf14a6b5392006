#!/bin/sh
# secure-protocol: the secure rounds (seckey, secround, secvector) on four
# agencies' made-up internal cells over a small table spec (region by
# gender): the sums are exact, any one vector missing leaves every value
# of the sum uniform, and every refusal the issue lists is made by name:
# a forged, replayed or doubled vector, a wrong quarter, round or
# universe, a key not pinned, a missing participant or acknowledgement,
# a value round whose cells are not exactly those the indicator round
# gives k contributors (every agency sums the indicator vectors itself),
# and, with a state folder, a re-run over another list or an old round
# number, and an agency whose release of the quarter NZCCSS holds.
set -eu
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
root=$(pwd)
cd "$w"
printf '{"version": "1", "tables": [{"name": "rg", "dims": ["region", "gender"]}]}\n' > t.json
printf '{"version": "1", "tables": [{"name": "r", "dims": ["region"]}]}\n' > t2.json
spec="--tables t.json --codes $root/pipelines/codes --bands $root/pipelines/age-bands.json"
A="ag-a ag-b ag-c ag-d"
for p in nzccss $A; do seckey --party $p $p.key; done > lines
{ echo party,kx_public,sign_public; cat lines; } > pinned.csv
chmod 600 *.key
# made-up cells: every agency has (region, gender) cells of its two
# regions and their margins; ag-d alone has region 14
python3 - $A <<'PY'
import random, sys
random.seed(7)
regions = {"ag-a": ["08", "09"], "ag-b": ["08", "09"], "ag-c": ["08", "13"],
           "ag-d": ["09", "14"]}
genders = ["1", "2", "3", "9"]
head = ("period,agency,region,age_band,gender,ethnicity,household,income,"
        "housing,need,service,referral,client_status,visits_band,needs_band,"
        "tenure_band,outcome,clients,households,events,units,ckey")
for a in sys.argv[1:]:
    with open(a + ".cells.csv", "w") as f:
        f.write(head + "\n")
        for q in ["2024Q3", "2024Q4"]:
            cells = {}
            for r in regions[a]:
                for g in genders:
                    c = random.randint(0, 40)
                    v = [c, c // 2, c * 2, c * 3]
                    for k in [(r, g), (r, "*"), ("*", g), ("*", "*")]:
                        cells[k] = [x + y for x, y in zip(cells.get(k, [0] * 4), v)]
            for (r, g), v in sorted(cells.items()):
                dims = [r, "*", g] + ["*"] * 12
                f.write(",".join([q, a] + dims + [str(x) for x in v] +
                                 [str(random.randint(0, 2**32 - 1))]) + "\n")
PY
list=ag-a,ag-b,ag-c,ag-d
open_round() { # quarter round kind [extra...]
	q=$1 r=$2 k=$3
	shift 3
	secround open --quarter $q --round $r --kind $k --k 3 --participants $list \
		--pinned pinned.csv --secret nzccss.key $spec "$@"
}
round_files() { # round.txt dir [--indicator FILE VECTOR...]: acks and
	# vectors of every agency
	rf=$1 rd=$2
	shift 2
	mkdir -p $rd
	for a in $A; do
		secvector ack $spec --round $rf --pinned pinned.csv --secret $a.key \
			--party $a "$@" > $rd/$a.ack
	done
	for a in $A; do
		secvector send --round $rf --pinned pinned.csv --secret $a.key \
			--party $a --cells $a.cells.csv $spec "$@" $rd/*.ack > $rd/$a.vec
	done
}
refused() { # what-to-find command...: must exit 1 saying it
	want=$1
	shift
	if "$@" > out 2> err; then echo "not refused: $*"; exit 1; fi
	grep -q -- "$want" err || { echo "refused, but not with '$want':"; cat err; exit 1; }
	[ ! -s out ] || { echo "wrote output although refused: $*"; exit 1; }
	echo "ok $want"
}

open_round 2024Q3 1 indicator > r1.txt
round_files r1.txt v1
secround sum --round r1.txt --pinned pinned.csv $spec v1/*.vec > c1.csv
open_round 2024Q3 2 value --contributors c1.csv --indicator r1.txt > r2.txt
round_files r2.txt v2 --indicator r1.txt v1/*.vec
secround sum --round r2.txt --pinned pinned.csv $spec v2/*.vec > s2.csv
# no cell key, nor any agency's value, in a vector: the values are masked
for a in $A; do
	if grep -q "$(sed -n 3p $a.cells.csv | cut -d, -f22)" v2/$a.vec; then
		echo "a cell key of $a in its vector"; exit 1
	fi
done

python3 - $A <<'PY'
import csv, sys
agencies = sys.argv[1:]
truth, count = {}, {}
for a in agencies:
    for r in csv.DictReader(open(a + ".cells.csv")):
        if r["period"] != "2024Q3":
            continue
        key = (r["region"], r["gender"])
        v = [int(r[m]) for m in ("clients", "households", "events", "units")]
        truth[key] = [x + y for x, y in zip(truth.get(key, [0] * 4), v)]
        count[key] = count.get(key, 0) + (sum(v) > 0)
got_c = {(r["region"], r["gender"]): int(r["contributors"])
         for r in csv.DictReader(open("c1.csv"))}
nreg = len({k[0] for k in got_c})
assert nreg >= 17, nreg
for key, n in got_c.items():
    assert n == count.get(key, 0), (key, n, count.get(key))
assert len(got_c) == nreg * 5, len(got_c)   # regions and *, 4 genders and *
got = {(r["region"], r["gender"]): [int(r[m]) for m in
       ("clients", "households", "events", "units")]
       for r in csv.DictReader(open("s2.csv"))}
# the cells summed: 3 or more contributors, then closed under
# subtraction: while a relation (a margin and its cells) has exactly one
# cell with a contributor not summed, the summed child with the fewest
# contributors (the first in universe order, that of c1.csv) is left out
# too, else the margin; relations in universe order, region then gender
order = [(r["region"], r["gender"]) for r in csv.DictReader(open("c1.csv"))]
regions = [k[0] for k in order if k[1] == "*" and k[0] != "*"]
genders = [k[1] for k in order if k[0] == "*" and k[1] != "*"]
rels = []
for cell in order:
    if cell[0] == "*":
        rels.append([cell] + [(r, cell[1]) for r in regions])
    if cell[1] == "*":
        rels.append([cell] + [(cell[0], g) for g in genders])
n = {k: got_c[k] for k in order}
summed = {k: n[k] >= 3 for k in order}
pos = {k: i for i, k in enumerate(order)}
changed = True
while changed:
    changed = False
    for rel in rels:
        if sum(n[c] > 0 and not summed[c] for c in rel) != 1:
            continue
        kids = [c for c in rel[1:] if summed[c]]
        out = min(kids, key=lambda c: (n[c], pos[c])) if kids else rel[0]
        if summed[out]:
            summed[out] = False
            changed = True
want = {k: v for k, v in truth.items() if summed.get(k)}
assert got == want, (sorted(set(got) ^ set(want))[:5])
assert ("14", "*") not in got and ("13", "*") not in got and ("*", "*") in got
# the cells one agency has (regions 13 and 14) are never had by
# subtraction: no relation has exactly one of them unsummed
for rel in rels:
    assert sum(n[c] > 0 and c not in got for c in rel) != 1, rel
left = sorted(k for k in order if n[k] >= 3 and k not in got)
print("ok the sums are exact: %d cells with 3 or more contributors, %d of "
      "them left out so that none with fewer is had by subtraction: %s"
      % (len(got), len(left), left))

# without any one vector, the sum of the others is uniform noise
def vec(path):
    lines = open(path).read().split("\n")
    i = next(j for j, l in enumerate(lines) if l.startswith("values ")) + 1
    n = int(lines[i - 1].split()[1])
    return [int(x) for x in lines[i:i + n]]
vs = {a: vec("v2/%s.vec" % a) for a in agencies}
exact = [x for k in got for x in got[k]]   # s2.csv order is universe order
order = [(r["region"], r["gender"]) for r in csv.DictReader(open("s2.csv"))]
exact = [x for k in order for x in got[k]]
for left in agencies:
    part = [sum(vs[a][i] for a in agencies if a != left) % 2**32
            for i in range(len(exact))]
    assert all(p != e for p, e in zip(part, exact)), left
    small = sum(p < 2**24 or p > 2**32 - 2**24 for p in part)
    assert small <= 6, (left, small)   # uniform: 1 in 128 each; sums: all
    mean = sum(part) / len(part) / 2**32
    assert 0.3 < mean < 0.7, (left, mean)
print("ok any one vector missing: every value of the sum is noise")
PY

# refusals, each by name
cp v2/ag-a.vec forged.vec
sed -i '12s/^[0-9]/9/' forged.vec
cmp -s forged.vec v2/ag-a.vec && sed -i '12s/^[0-9]/8/' forged.vec
refused "bad signature" secround sum --round r2.txt --pinned pinned.csv $spec \
	forged.vec v2/ag-b.vec v2/ag-c.vec v2/ag-d.vec
refused "sent twice" secround sum --round r2.txt --pinned pinned.csv $spec \
	v2/ag-a.vec v2/ag-a.vec v2/ag-b.vec v2/ag-c.vec v2/ag-d.vec
refused "no vector from ag-d: the round stops" secround sum --round r2.txt \
	--pinned pinned.csv $spec v2/ag-a.vec v2/ag-b.vec v2/ag-c.vec
# replayed: round 1's vector in round 3, over the identical list
open_round 2024Q3 3 indicator > r3.txt
round_files r3.txt v3
secround sum --round r3.txt --pinned pinned.csv $spec v3/*.vec | cmp -s - c1.csv
echo "ok a re-run over the identical list, fresh masks, gives the same sum"
if cmp -s v1/ag-a.vec v3/ag-a.vec; then
	echo "round 3's vector is round 1's: no fresh masks"; exit 1
fi
refused "wrong round" secround sum --round r3.txt --pinned pinned.csv $spec \
	v1/ag-a.vec v3/ag-b.vec v3/ag-c.vec v3/ag-d.vec
open_round 2024Q4 3 indicator > q4.txt
round_files q4.txt vq4
refused "wrong quarter" secround sum --round r3.txt --pinned pinned.csv $spec \
	vq4/ag-a.vec v3/ag-b.vec v3/ag-c.vec v3/ag-d.vec
# another universe: NZCCSS's statement over t2.json, agencies on t.json
secround open --quarter 2024Q3 --round 4 --kind indicator --k 3 \
	--participants $list --pinned pinned.csv --secret nzccss.key \
	--tables t2.json --codes $root/pipelines/codes \
	--bands $root/pipelines/age-bands.json > ru.txt
mkdir -p vu
for a in $A; do
	secvector ack $spec --round ru.txt --pinned pinned.csv --secret $a.key \
		--party $a > vu/$a.ack
done
refused "wrong universe" secvector send --round ru.txt --pinned pinned.csv \
	--secret ag-a.key --party ag-a --cells ag-a.cells.csv $spec vu/*.ack
refused "no acknowledgement from ag-d" secvector send --round r3.txt \
	--pinned pinned.csv --secret ag-a.key --party ag-a --cells ag-a.cells.csv \
	$spec v3/ag-a.ack v3/ag-b.ack v3/ag-c.ack
refused "bad signature" secvector send --round r3.txt --pinned pinned.csv \
	--secret ag-a.key --party ag-a --cells ag-a.cells.csv $spec \
	v1/ag-a.ack v3/ag-b.ack v3/ag-c.ack v3/ag-d.ack
# keys: NZCCSS puts in a key of its own for ag-d; ag-a's pinned file
# has the real one
seckey --party ag-d evil.key > evil.line
{ grep -v '^ag-d,' pinned.csv; cat evil.line; } > nz-pinned.csv
secround open --quarter 2024Q3 --round 5 --kind indicator --k 3 \
	--participants $list --pinned nz-pinned.csv --secret nzccss.key $spec > evil.txt
refused "party 'ag-d': key not pinned: its keys differ" secvector ack \
	--round evil.txt --pinned pinned.csv --secret ag-a.key --party ag-a
grep -v '^ag-c,' pinned.csv > short.csv
refused "party 'ag-c': key not pinned" secvector ack $spec --round r3.txt \
	--pinned short.csv --secret ag-a.key --party ag-a
refused "key not pinned" secround open --quarter 2024Q3 --round 6 \
	--kind indicator --k 3 --participants $list --pinned short.csv \
	--secret nzccss.key $spec
sed 's/^quarter 2024Q3/quarter 2024Q4/' r3.txt > changed.txt
refused "bad signature" secvector ack $spec --round changed.txt --pinned pinned.csv \
	--secret ag-a.key --party ag-a

# a dishonest agency whose vector breaks households <= clients in a cell
awk -F, -v OFS=, 'NR > 1 && $1 == "2024Q3" && $3 == "*" && $5 == "*" \
	{ $19 = $18 + 500 } { print }' ag-a.cells.csv > bias.cells.csv
mkdir -p vb
cp v2/*.vec vb/
secvector send --round r2.txt --pinned pinned.csv --secret ag-a.key \
	--party ag-a --cells bias.cells.csv $spec --indicator r1.txt v1/*.vec \
	v2/*.ack > vb/ag-a.vec
refused "breaks households <= clients <= events" secround sum --round r2.txt \
	--pinned pinned.csv $spec vb/*.vec

# a dishonest NZCCSS: a value round over cells it chose, signed by it.
# Region 14 has one contributor (ag-d): included, the sum would be ag-d's
# own counts.  (*, *) has four: left out, a cell is lost.
every_agency_refuses() { # what round.txt [ack files for send]
	for a in $A; do
		refused "$1" secvector ack $spec --round $2 --pinned pinned.csv \
			--secret $a.key --party $a --indicator r1.txt v1/*.vec
		refused "$1" secvector send --round $2 --pinned pinned.csv \
			--secret $a.key --party $a --cells $a.cells.csv $spec \
			--indicator r1.txt v1/*.vec v2/*.ack
	done
}
awk -F, -v OFS=, '$2 == "14" && $4 == "*" { $NF = 3 } { print }' c1.csv > in.csv
if cmp -s in.csv c1.csv; then echo "in.csv: nothing changed"; exit 1; fi
open_round 2024Q3 7 value --contributors in.csv --indicator r1.txt > rin.txt
every_agency_refuses "the value round includes cells the indicator round \
does not give k contributors" rin.txt
awk -F, -v OFS=, '$2 == "*" && $4 == "*" { $NF = 0 } { print }' c1.csv > ex.csv
if cmp -s ex.csv c1.csv; then echo "ex.csv: nothing changed"; exit 1; fi
open_round 2024Q3 8 value --contributors ex.csv --indicator r1.txt > rex.txt
every_agency_refuses "the value round excludes cells that have k" rex.txt
# the indicator round's evidence itself: a vector missing, one of another
# round, a forged one, another indicator round than the one named
refused "no indicator vector from ag-d" secvector ack $spec --round r2.txt \
	--pinned pinned.csv --secret ag-a.key --party ag-a --indicator r1.txt \
	v1/ag-a.vec v1/ag-b.vec v1/ag-c.vec
refused "wrong round" secvector ack $spec --round r2.txt --pinned pinned.csv \
	--secret ag-a.key --party ag-a --indicator r1.txt v1/ag-a.vec \
	v1/ag-b.vec v1/ag-c.vec v3/ag-d.vec
cp v1/ag-b.vec forged1.vec
sed -i '12s/^[0-9]/9/' forged1.vec
cmp -s forged1.vec v1/ag-b.vec && sed -i '12s/^[0-9]/8/' forged1.vec
refused "bad signature" secvector ack $spec --round r2.txt --pinned pinned.csv \
	--secret ag-a.key --party ag-a --indicator r1.txt v1/ag-a.vec \
	forged1.vec v1/ag-c.vec v1/ag-d.vec
refused "the value round names indicator round" secvector ack $spec --round r2.txt \
	--pinned pinned.csv --secret ag-a.key --party ag-a --indicator r3.txt \
	v3/*.vec
refused "indicator FILE and the indicator round's vectors are required" \
	secvector ack $spec --round r2.txt --pinned pinned.csv --secret ag-a.key \
	--party ag-a
echo "ok every agency refuses a value round whose cells are not k's"

# the state folder: one list per quarter, a round number once
mkdir state
open_round 2024Q3 1 indicator --state state > s1.txt
refused "over another participant list" secround open --quarter 2024Q3 \
	--round 2 --kind indicator --k 3 --participants ag-a,ag-b,ag-c \
	--pinned pinned.csv --secret nzccss.key $spec --state state
refused "round 1 of 2024Q3 was opened before" open_round 2024Q3 1 indicator \
	--state state
open_round 2024Q3 2 indicator --state state > s2.txt
grep -c '^2024Q3,' state/secure.csv | grep -qx 2
printf 'agency,period,key_fingerprint,rows_sha256\nag-b,2024Q4,%032d,%064d\n' 0 0 \
	> state/received.csv
refused "ag-b sent a protected release of 2024Q4" open_round 2024Q4 1 \
	indicator --state state
echo "ok the state refuses by name"
