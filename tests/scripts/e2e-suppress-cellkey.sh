#!/bin/sh
# test-tree: own (works in a scratch folder, never in out/; tests/run.sh)
# e2e-suppress-cellkey: a sample agency built end to end under the
# cell-key perturbation rules (pipelines/rules/cellkey.json, issue 22):
# nothing suppressed; every figure within 2 of its true value, a true 0
# published as 0, the perturbations spread as the table says; the same
# cell (the same ckey and value) published the same wherever it appears,
# and again when suppress sees it in another table (a shuffled part of the
# cells); the audit passes and its statement says what a reader learns;
# merge bounds each figure by value-2..value+2 and the true sum lies in
# them.  A table that is biased or lets a value go below 0 is refused.
# The agency is built in a copy of the tree (tests/lib/tree.sh), so the
# sample build in out/ stays under the default rules.
set -eu
cd "${ROOT:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rules=pipelines/rules/cellkey.json
a=harbour
. tests/lib/tree.sh
copy_tree "$work/tree"
mkdir "$work/tree/sample-data"
cp -Rp "sample-data/$a" "$work/tree/sample-data/"
d=$work/tree/out/agency/$a
if ! make -s -C "$work/tree" agency AGENCY=$a RULES=$rules \
    >"$work/make.log" 2>&1; then
	cat "$work/make.log"
	exit 1
fi
grep -q -- "--rules $rules" "$d/settings"

# another table: the national margins (region '*') of the cells, shuffled
python3 - "$d/cells.csv" "$work/part.csv" <<'PY'
import csv, random, sys
rows = list(csv.reader(open(sys.argv[1])))
part = [r for r in rows[1:] if r[2] == "*"]
random.Random(5).shuffle(part)
w = csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n")
w.writerows([rows[0]] + part)
PY
suppress --rules $rules "$work/part.csv" > "$work/part-release.csv"

python3 - "$d" "$work/part-release.csv" <<'PY'
import csv, json, sys
d, part = sys.argv[1], sys.argv[2]
m = json.load(open(d + "/manifest.json"))
assert m["rules"]["name"] == "cellkey" and m["rules"]["perturbation"]["max"] == 2
assert m["suppression"] == {"primary": 0, "secondary": 0}, m["suppression"]
cells = list(csv.reader(open(d + "/cells.csv")))
rel = list(csv.reader(open(d + "/release.csv")))
head = rel[0]
assert "ckey" not in head and cells[0][:-1] == head
mcol = head.index("clients")
names = head[mcol:]
assert len(cells) == len(rel) and len(rel) > 1000
key = {}      # (ckey, measure, raw) -> published
moves = {}    # perturbation -> count, raw values of 2 or more
same = 0
for c, r in zip(cells[1:], rel[1:]):
    assert c[:mcol] == r[:mcol], (c[:mcol], r[:mcol])
    for i, name in enumerate(names):
        raw, pub = int(c[mcol + i]), r[mcol + i]
        assert pub != "S", ("S published", r)
        pub = int(pub)
        assert abs(pub - raw) <= 2 and pub >= 0, (name, raw, pub, r[:mcol])
        assert raw != 0 or pub == 0, ("a zero moved", r)
        if name == "households":
            # published no higher than clients: its own draw may be cut
            assert pub <= int(r[mcol]), r
            continue
        k = (c[-1], name, raw)
        if k in key:
            assert key[k] == pub, ("the same cell differs", k, key[k], pub)
            same += 1
        key[k] = pub
        if raw >= 2:
            moves[pub - raw] = moves.get(pub - raw, 0) + 1
assert same > 100, ("too few repeated cells to show consistency", same)
n = sum(moves.values())
share = {k: v / n for k, v in moves.items()}
want = {-2: .1, -1: .2, 0: .4, 1: .2, 2: .1}
for k, p in want.items():
    assert abs(share.get(k, 0) - p) < .03, (k, share)
assert abs(sum(k * v for k, v in moves.items()) / n) < .05, share
# the same cells in another table: the same figures
pub = {tuple(r[:mcol]): r[mcol:] for r in rel[1:]}
other = list(csv.reader(open(part)))
assert other[0] == head and len(other) > 100
for r in other[1:]:
    assert pub[tuple(r[:mcol])] == r[mcol:], r[:mcol]
print(f"{len(rel) - 1} cells, {same} repeats consistent, "
      f"{len(other) - 1} in the other table; moves {sorted(share.items())}")
PY

# the audit passes, with its statement of what a reader learns
audit --manifest "$d" --statement "$work/statement.txt" > "$work/intervals.csv"
cmp "$work/statement.txt" "$d/audit-statement.txt"
[ "$(wc -l < "$work/intervals.csv")" -eq 1 ]
grep -q "^Rules cellkey: cell-key perturbation" "$work/statement.txt"
grep -q "a published p stands for max(1, p-2)..p+2" "$work/statement.txt"
grep -q "same perturbation in every table" "$work/statement.txt"
# an S in a perturbed release is refused by name
# (the clients column found from the header, after every dimension)
awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "clients") c = i }
	NR == 2 { $c = "S" } { print }' \
	"$d/release.csv" > "$work/s.csv"
if audit --rules $rules "$work/s.csv" > /dev/null 2>"$work/err"; then
	echo "an S under cellkey passed"; exit 1
fi
grep -qx "audit: .*:2: clients: S is impossible: rules 'cellkey' suppress no value" "$work/err" ||
	{ cat "$work/err"; exit 1; }

# a margin moved past what the perturbation allows breaks a relation
awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "clients") c = i }
	NR == 2 { $c = $c + 20 } { print }' \
	"$d/release.csv" > "$work/moved.csv"
if audit --rules $rules "$work/moved.csv" > /dev/null 2>"$work/err"; then
	echo "a margin 20 off passed"; exit 1
fi
grep -q "^audit: .*:2: inconsistent: the published values of .* break a relation: a single-valued margin is the sum of its cells" "$work/err" ||
	{ cat "$work/err"; exit 1; }
[ "$(wc -l < "$work/err")" -eq 1 ] || { cat "$work/err"; exit 1; }

# merge: value-2..value+2, and the true sum inside
mkdir "$work/rel"
cp "$d/manifest.json" "$d/release.csv" "$work/rel/"
cp "$work/intervals.csv" "$work/rel/"
merge --allow-demo-keys "$work/rel" > "$work/merged.csv"
python3 - "$d/cells.csv" "$work/merged.csv" <<'PY'
import csv, sys
cells = list(csv.reader(open(sys.argv[1])))
merged = list(csv.DictReader(open(sys.argv[2])))
head = cells[0]
mcol = head.index("clients")
raw = {(c[0],) + tuple(c[2:mcol]): c for c in cells[1:]}
n = 0
for r in merged:
    c = raw[(r["period"],) + tuple(r[h] for h in head[2:mcol])]
    for i, name in enumerate(head[mcol:-1]):
        v, lo, hi = int(r[name]), int(r[name + "_low"]), int(r[name + "_high"])
        t = int(c[mcol + i])
        assert lo <= t <= hi, (name, t, lo, hi, r)
        assert max(0, v - 2) <= lo and hi <= v + 2, (name, v, lo, hi)
        n += 1
print(f"merge: {n} figures bounded by value-2..value+2, true sums inside")
PY

# tables the rules cannot stand on are refused, naming the problem
python3 - $rules "$work" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = {
    "biased": [0, 300, 300, 300, 100],
    "negative": [100, 300, 300, 200, 100],
}
for name, w in bad.items():
    r2 = json.loads(json.dumps(r))
    r2["perturbation"]["table"][0]["weights"] = w
    json.dump(r2, open(f"{sys.argv[2]}/{name}.json", "w"), indent=1)
r2 = json.loads(json.dumps(r))
r2["threshold"] = 6
json.dump(r2, open(f"{sys.argv[2]}/threshold.json", "w"), indent=1)
PY
for bad in "biased:have a mean of 200/1000, not 0" \
    "negative:value 1 cannot be moved by -2" \
    "threshold:with a \"perturbation\" suppress and round nothing"; do
	if suppress --rules "$work/${bad%%:*}.json" "$d/cells.csv" >/dev/null \
	    2>"$work/err"; then
		echo "${bad%%:*} table taken"; exit 1
	fi
	grep -qF "${bad#*:}" "$work/err" || { cat "$work/err"; exit 1; }
done
echo "cellkey ok"
