#!/bin/sh
# audit-truth.sh: on synthetic releases counted by the rules of DESIGN §4
# and protected as in §5 (tests/scripts/audit-release.py), every interval
# audit reports must hold the cell's true value, under every shipped rule
# set; with --exact the intervals may only shrink, and the statuses agree.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen="python3 tests/scripts/audit-release.py"

check() { # truth report
	python3 - "$1" "$2" <<'EOF'
import csv, sys
truth = {tuple(r[:12]): r[12:] for r in csv.reader(open(sys.argv[1]))}
measures = ["clients", "households", "events", "units"]
n = bad = 0
for r in csv.reader(open(sys.argv[2])):
    if r[12] == "measure":
        continue
    n += 1
    value = int(truth[tuple(r[:12])][measures.index(r[12])])
    high = float("inf") if r[14] == "inf" else int(r[14] or -1)
    if r[15] == "inconsistent" or not int(r[13]) <= value <= high:
        bad += 1
        print("outside:", r, "true", value)
if n == 0 or bad:
    sys.exit("%d of %d intervals miss the true value" % (bad, n))
EOF
}

for rules in statsnz threshold-only strict; do
	$gen --seed 5 --clients 250 --regions 2 \
	    --rules "pipelines/rules/$rules.json" --truth "$work/truth.csv" \
	    >"$work/release.csv"
	status=0
	audit --rules "pipelines/rules/$rules.json" "$work/release.csv" \
	    >"$work/report.csv" 2>"$work/err" || status=$?
	# exposed cells are allowed (exit 1), errors are not
	[ "$status" -le 1 ] || { cat "$work/err"; exit 1; }
	if grep -v ' is exposed: ' "$work/err" | grep -q .; then
		cat "$work/err"
		exit 1
	fi
	check "$work/truth.csv" "$work/report.csv"
done

# --exact: the same statuses, each interval inside the default one
audit --exact "$work/release.csv" --rules pipelines/rules/strict.json \
    >"$work/exact.csv" 2>/dev/null || true
python3 - "$work/report.csv" "$work/exact.csv" <<'EOF'
import csv, sys
fast = list(csv.reader(open(sys.argv[1])))[1:]
exact = list(csv.reader(open(sys.argv[2])))[1:]
assert len(fast) == len(exact) > 0
for f, e in zip(fast, exact):
    assert f[:13] == e[:13] and f[15] == e[15], (f, e)
    hi = lambda v: float("inf") if v == "inf" else int(v)
    assert int(f[13]) <= int(e[13]) and hi(e[14]) <= hi(f[14]), (f, e)
EOF
