#!/bin/sh
# e2e-merge-bounds: on the sample build, the merged bounds of every cell and
# measure hold the true sum of the agencies' internal cells, and are no
# wider than the sum of what each release proves: its published values'
# rounding ranges and its public audit intervals (intervals.csv) for its
# S, so the national clients aged 0-17 of the latest quarter is at most
# the sum of the releases' intervals for that cell; the statistical
# interval lies within the bounds, holds the estimate and the true sum
# in at least 90% of the cells; agencies counts the agencies serving the
# cell's region; the change bounds of diff-quarters (and --yoy) hold the
# true change over the agencies that released both quarters.
# Builds what it needs with make; skips only while pipelines/agency.mk has
# no rule for manifest.json yet (the at-source chain being built).
set -eu
cd "${ROOT:-.}"
if ! grep -q 'manifest\.json' pipelines/agency.mk; then
	echo "skip: pipelines/agency.mk does not build manifest.json yet"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the sample build's agencies: those without a PENDING file (agency.mk)
agencies=$(ls sample-data/*/profile.json | sed 's|sample-data/\(.*\)/profile.json|\1|' |
	while read -r a; do [ -e "sample-data/$a/PENDING" ] || echo "$a"; done)
targets=""
for a in $agencies; do
	targets="$targets out/agency/$a/manifest.json out/agency/$a/intervals.csv"
done
# shellcheck disable=SC2086
if ! make -s agencies $targets bin/merge bin/diff-quarters >"$work/make.log" 2>&1; then
	cat "$work/make.log"
	exit 1
fi
dirs=""
for a in $agencies; do
	for f in cells.csv release.csv manifest.json intervals.csv; do
		[ -f "out/agency/$a/$f" ] || { echo "missing out/agency/$a/$f"; exit 1; }
	done
	dirs="$dirs out/agency/$a"
done
# shellcheck disable=SC2086
bin/merge --allow-demo-keys $dirs >"$work/merged.csv"
# shellcheck disable=SC2086
bin/diff-quarters --allow-demo-keys $dirs >"$work/changes.csv"
# shellcheck disable=SC2086
bin/diff-quarters --allow-demo-keys --yoy $dirs >"$work/changes-yoy.csv"
python3 - "$work" $dirs <<'EOF'
import csv, json, os, sys

work, dirs = sys.argv[1], sys.argv[2:]
M = ["clients", "households", "events", "units"]
DIMS = ["region", "age_band", "gender", "ethnicity", "household", "income",
        "housing", "need", "service", "referral", "client_status",
        "visits_band", "needs_band", "tenure_band", "outcome"]
FLOW = ["referral", "client_status", "visits_band", "needs_band", "tenure_band"]
flow_checked = {d: 0 for d in FLOW}
fails = []

def fail(msg):
    if len(fails) < 20:
        print("FAIL:", msg)
    fails.append(msg)

# truth[agency][(period, dims)] = [clients, households, events, units]
# proven[agency][(period, dims)] = [(low, high)] per measure: the rounding
# range of a published value, or the public interval of an S
truth, coverage, periods, proven, assesses = {}, {}, {}, {}, {}
INF = float("inf")
for d in dirs:
    man = json.load(open(os.path.join(d, "manifest.json")))
    a = man["agency"]
    coverage[a] = set(man["regions"]) if "regions" in man else None
    cells = {}
    with open(os.path.join(d, "cells.csv"), newline="") as f:
        for row in csv.DictReader(f):
            key = (row["period"],) + tuple(row[k] for k in DIMS)
            cells[key] = [int(row[m]) for m in M]
    truth[a] = cells
    # an agency without assessments has no outcome cells: not in their panel
    assesses[a] = any(k[-1] != "*" for k in cells)
    periods[a] = {k[0] for k in cells}
    rules, proof = man["rules"], {}
    k = rules["base"] - 1
    with open(os.path.join(d, "release.csv"), newline="") as f:
        for row in csv.DictReader(f):
            key = (row["period"],) + tuple(row[x] for x in DIMS)
            proof[key] = [None if row[m] == "S" else
                          (max(0, int(row[m]) - k), int(row[m]) + k) for m in M]
    with open(os.path.join(d, "intervals.csv"), newline="") as f:
        for row in csv.DictReader(f):
            key = (row["period"],) + tuple(row[x] for x in DIMS)
            hi = INF if row["high"] == "inf" else int(row["high"])
            proof[key][M.index(row["measure"])] = (int(row["low"]), hi)
            if row["status"] != "ok" or hi - int(row["low"]) < 2:
                fail("%s %s %s: interval %s..%s %s" % (a, key, row["measure"],
                     row["low"], row["high"], row["status"]))
    proven[a] = proof

def true_value(a, key):
    if key in truth[a]:
        return truth[a][key]
    if key[-1] != "*" and not assesses[a]:
        return [0, 0, 0, 0]     # diff-quarters: no outcome, a structural zero
    region = key[1]
    if region != "*" and coverage[a] is not None and region not in coverage[a]:
        return [0, 0, 0, 0]
    fail("agency %s has no internal cell %s" % (a, key))
    return [0, 0, 0, 0]

def inside(low, value, high):
    return int(low) <= value and (high == "" or value <= int(high))

def proven_sum(released, key, i):
    lo, hi = 0, 0
    for a in released:
        if key in proven[a]:
            plo, phi = proven[a][key][i]
            lo, hi = lo + plo, hi + phi
        elif key[1] == "*" or coverage[a] is None or key[1] in coverage[a]:
            fail("agency %s has no release cell %s" % (a, key))
    return lo, hi

# ---- merge ----
checked = stat_in = stat_n = 0
seen = set()
latest = max(p for a in periods for p in periods[a])
shown = {}
with open(os.path.join(work, "merged.csv"), newline="") as f:
    for row in csv.DictReader(f):
        key = (row["period"],) + tuple(row[k] for k in DIMS)
        seen.add(key)
        for d in FLOW:       # the issue-16 cells are checked like any
            flow_checked[d] += row[d] != "*"
        released = [a for a in truth if key[0] in periods[a] and
                    (key[-1] == "*" or assesses[a])]
        serving = [a for a in released if key[1] == "*" or
                   coverage[a] is None or key[1] in coverage[a]]
        if int(row["agencies"]) != len(serving):
            fail("merged %s: agencies %s, expected %d" % (key, row["agencies"], len(serving)))
        sums = [0, 0, 0, 0]
        for a in released:
            sums = [s + v for s, v in zip(sums, true_value(a, key))]
        for i, m in enumerate(M):
            lo, est, hi = row[m + "_low"], int(row[m]), row[m + "_high"]
            if not inside(lo, sums[i], hi):
                fail("merged %s %s: true %d outside %s..%s" % (key, m, sums[i], lo, hi))
            if not inside(lo, est, hi):
                fail("merged %s %s: estimate %d outside %s..%s" % (key, m, est, lo, hi))
            plo, phi = proven_sum(released, key, i)
            hnum = INF if hi == "" else int(hi)
            if int(lo) < plo or hnum > phi:
                fail("merged %s %s: %s..%s wider than the releases prove, %s..%s" %
                     (key, m, lo, hi, plo, phi))
            slo, shi = row[m + "_stat_low"], row[m + "_stat_high"]
            if not (inside(lo, int(slo), hi) and inside(slo, est, shi) and
                    (shi == "" or inside(lo, int(shi), hi)) and
                    (shi != "" or hi == "")):
                fail("merged %s %s: statistical %s..%s not within %s..%s around %d" %
                     (key, m, slo, shi, lo, hi, est))
            if hi == "" or int(hi) > int(lo):
                stat_n += 1
                stat_in += inside(slo, sums[i], shi)
            if key[0] == latest and key[1:] == ("*", "0-17") + ("*",) * (len(DIMS) - 2) and m == "clients":
                print("national clients aged 0-17, %s: %s in %s..%s; the releases prove %s..%s" %
                      (latest, est, lo, hi, plo, phi))
            # M_shown (FORMATS.md): never a number that may hide a value
            # under 6; S only for what is certainly under 6
            want = "S" if hi != "" and int(hi) <= 5 else \
                "number" if int(lo) >= 6 and hi != "" and \
                (int(hi) - int(lo)) * 100 <= 20 * est else "range"
            if row[m + "_shown"] != want:
                fail("merged %s %s: shown %s, expected %s (%d in %s..%s)" %
                     (key, m, row[m + "_shown"], want, est, lo, hi))
            shown[row[m + "_shown"]] = shown.get(row[m + "_shown"], 0) + 1
            if row[m + "_shown"] == "number" and sums[i] < 6:
                fail("merged %s %s: a number, but the true sum is %d" % (key, m, sums[i]))
            checked += 1
every = {k for a in truth for k in truth[a]}
for k in sorted(every - seen)[:5]:
    fail("cell %s of the internal cells is not in merged.csv" % (k,))
if every - seen:
    fail("%d internal cells missing from merged.csv" % len(every - seen))
print("statistical intervals: %d of %d not exact hold the true sum" % (stat_in, stat_n))
if stat_n and stat_in < 0.9 * stat_n:
    fail("the statistical intervals hold the true sum in %d of %d cells" % (stat_in, stat_n))
print("merge: %d cells, %d measures checked; shown %s" % (len(seen), checked,
      ", ".join("%s %d" % kv for kv in sorted(shown.items()))))
if not {"number", "range", "S"} <= set(shown):
    fail("merged: not every kind of M_shown occurs on the sample")

# ---- diff-quarters ----
def check_changes(name):
    rows = n = 0
    with open(os.path.join(work, name), newline="") as f:
        for row in csv.DictReader(f):
            rows += 1
            p, b = row["period"], row["base_period"]
            key_p = (p,) + tuple(row[k] for k in DIMS)
            key_b = (b,) + key_p[1:]
            matched = sorted(a for a in truth if p in periods[a] and b in periods[a])
            joined = sorted(a for a in truth if p in periods[a] and b not in periods[a])
            left = sorted(a for a in truth if b in periods[a] and p not in periods[a])
            if (int(row["agencies_matched"]), row["agencies_joined"], row["agencies_left"]) != \
                    (len(matched), "|".join(joined), "|".join(left)):
                fail("%s %s: panel %s/%s/%s, expected %d/%s/%s" % (name, key_p,
                     row["agencies_matched"], row["agencies_joined"], row["agencies_left"],
                     len(matched), "|".join(joined), "|".join(left)))
            now = [0, 0, 0, 0]
            then = [0, 0, 0, 0]
            for a in matched:
                now = [s + v for s, v in zip(now, true_value(a, key_p))]
                then = [s + v for s, v in zip(then, true_value(a, key_b))]
            for i, m in enumerate(M):
                if not inside(row[m + "_low"], now[i], row[m + "_high"]):
                    fail("%s %s %s: level %d outside" % (name, key_p, m, now[i]))
                if not inside(row[m + "_base_low"], then[i], row[m + "_base_high"]):
                    fail("%s %s %s: base %d outside" % (name, key_p, m, then[i]))
                ch, lo, hi = now[i] - then[i], row[m + "_change_low"], row[m + "_change_high"]
                if (lo != "" and ch < int(lo)) or (hi != "" and ch > int(hi)):
                    fail("%s %s %s: change %d outside %s..%s" % (name, key_p, m, ch, lo, hi))
                if row[m + "_sig"] == "1" and ch == 0:
                    fail("%s %s %s: sig but no true change" % (name, key_p, m))
                n += 1
    if rows == 0:
        fail("%s: no rows" % name)
    print("%s: %d rows, %d measures checked" % (name, rows, n))

check_changes("changes.csv")
check_changes("changes-yoy.csv")
print("merged cells of the flow measures and referral checked:", flow_checked)
if min(flow_checked.values()) == 0:
    fail("no merged cell of %s" % [d for d in FLOW if not flow_checked[d]])
sys.exit(1 if fails else 0)
EOF
