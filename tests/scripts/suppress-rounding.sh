# suppress's keyed random rounding, over many cells with a fixed set of keys
# (deterministic input, so it never flakes; each cell has its own service
# code and no margins, so secondary suppression has nothing to do):
# - RR3 rounds residue 1 down and residue 2 up about 2/3 of the time: a
#   binomial test on 30000 draws each, tolerance 5.3 standard deviations
#   (false failure rate about 1e-7 for a correct draw);
# - identical (ckey, raw) pairs round identically, wherever they appear;
# - published person counts are S or multiples of the base from the
#   threshold up; no release has a ckey column;
# - every value equals tests/lib/cells.py, which implements the draw
#   documented in suppress --help (BLAKE2b via Python's hashlib);
# - the strict rules (threshold 10, base 5) are honoured.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

python3 - "$t/cells.csv" <<'PY'
import sys
n = 30000
with open(sys.argv[1], "w") as f:
    f.write("period,agency,region,age_band,gender,ethnicity,household,"
            "income,housing,need,service,referral,client_status,visits_band,"
            "needs_band,tenure_band,outcome,clients,households,events,units,"
            "ckey\n")
    for i in range(2 * n):
        ckey = (i * 2654435761 + 12345) % 2**32
        # residue 1, then 2; above every households count, as in real cells
        clients = 3000 + 3 * (2 + i % 997) + 1 + (i >= n)
        households = 3 * (2 + i % 991) + 1 + (i < n)     # the other residue
        f.write("2024Q3,demo,%02d,*,*,*,*,*,*,*,s%d,*,*,*,*,*,*,%d,%d,%d,%d,%d\n"
                % (i % 7, i, clients, households, 25 + i % 50, i % 1000, ckey))
    # the same (ckey, raw) pairs again in other cells: must round the same
    for i in range(0, 2 * n, 97):
        ckey = (i * 2654435761 + 12345) % 2**32
        clients = 3000 + 3 * (2 + i % 997) + 1 + (i >= n)
        households = 3 * (2 + i % 991) + 1 + (i < n)
        f.write("2024Q4,demo,*,*,*,*,*,*,*,food,s%d,*,*,*,*,*,*,%d,%d,%d,%d,%d\n"
                % (i, clients, households, 25 + i % 50, i % 1000, ckey))
PY
suppress --stats "$t/stats.json" "$t/cells.csv" > "$t/release.csv"
head -n 1 "$t/release.csv" | grep -q ckey && { echo "release has ckey"; exit 1; }

python3 - "$t/cells.csv" "$t/release.csv" 3 6 <<'PY'
import csv, math, sys
cells = list(csv.DictReader(open(sys.argv[1])))
rel = list(csv.DictReader(open(sys.argv[2])))
base, threshold = int(sys.argv[3]), int(sys.argv[4])
assert len(cells) == len(rel) and "ckey" not in rel[0]
seen, down = {}, {("clients", 1): [0, 0], ("clients", 2): [0, 0],
                   ("households", 1): [0, 0], ("households", 2): [0, 0]}
for c, r in zip(cells, rel):
    for m in ["clients", "households", "events", "units"]:
        raw, pub = int(c[m]), r[m]
        if m in ("clients", "households"):
            assert pub == "S" or (int(pub) % base == 0 and int(pub) >= threshold), (m, raw, pub)
        if pub == "S":
            continue
        assert abs(int(pub) - raw) < base, (m, raw, pub)
        key = (c["ckey"], m, raw)
        assert seen.setdefault(key, pub) == pub, ("inconsistent", key)
        if c["period"] == "2024Q3" and (m, raw % base) in down:
            d = down[(m, raw % base)]
            d[0] += int(pub) < raw
            d[1] += 1
for (m, res), (nd, n) in sorted(down.items()):
    p = 2 / 3 if res == 1 else 1 / 3          # P(down)
    sd = math.sqrt(n * p * (1 - p))
    z = (nd - n * p) / sd
    print("%s residue %d: down %d of %d (expected %.0f, z %.2f)"
          % (m, res, nd, n, n * p, z))
    assert n == 30000 and abs(z) < 5.3, "RR3 probabilities are off"
PY

# every value as the reference computes it, for the default and strict rules
python3 tests/lib/cells.py release "$t/cells.csv" pipelines/rules/statsnz.json |
	cmp - "$t/release.csv"
suppress --rules pipelines/rules/strict.json "$t/cells.csv" > "$t/strict.csv"
python3 tests/lib/cells.py release "$t/cells.csv" pipelines/rules/strict.json |
	cmp - "$t/strict.csv"
python3 - "$t/strict.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    for m in ["clients", "households"]:
        assert r[m] == "S" or (int(r[m]) % 5 == 0 and int(r[m]) >= 10), r
PY
# re-running gives the same release
suppress "$t/cells.csv" | cmp - "$t/release.csv"
grep -q '"secondary": 0' "$t/stats.json"
echo ok
