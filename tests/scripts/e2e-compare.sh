#!/bin/sh
# test-timeout: 600 (the SDC engine on a small agency or a secure sum: minutes on a busy machine; tests/run.sh)
# test-queue: secure (both build the secure mode in out/secure; tests/run.sh)
# e2e-compare: make compare (issue 22, item 4) puts the approaches side by
# side: for every quarter, measure and level, one row each for default,
# statistical, cellkey and cellkey-statistical, over the same cells, with
# numbers, ranges and S adding up to them; the cellkey releases were made
# from the sample agencies' internal cells under the perturbation rules,
# pass the audit and publish no S; and the statistical ranges never show
# fewer numbers than the hard bounds they sit inside.  The secure mode's
# rows (secure, secure-statistical) are for the last quarter only
# (SECURE_FROM, as e2e-secure builds it: the reader's audit of a
# quarter's sum, protected once, takes about a minute).
set -eu
cd "${ROOT:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! make -s compare SECURE_FROM=2026Q2 >"$work/make.log" 2>&1; then
	cat "$work/make.log"
	exit 1
fi
for m in out/compare/cellkey/*/manifest.json; do
	d=$(dirname "$m")
	grep -q '"name": "cellkey"' "$m"
	if grep -q ',S' "$d/release.csv"; then
		echo "$d/release.csv publishes S"; exit 1
	fi
	audit --manifest "$d" > /dev/null
	grep -q "^Rules cellkey: cell-key perturbation" "$d/audit-statement.txt"
done
python3 - out/compare/utility.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = ["default", "statistical", "cellkey", "cellkey-statistical"]
by = {}
for r in rows:
    assert int(r["number"]) + int(r["range"]) + int(r["S"]) == int(r["cells"]), r
    by.setdefault((r["period"], r["measure"], r["level"]), {})[r["approach"]] = r
assert len(by) >= 8 * 4 * 2, len(by)
secure = ["secure", "secure-statistical"]
for k, a in by.items():
    if k[0] >= "2026Q2":
        assert sorted(a) == sorted(want + secure), (k, sorted(a))
        assert int(a["secure-statistical"]["number"]) >= \
            int(a["secure"]["number"]), k
        a = {x: a[x] for x in want}
    assert sorted(a) == sorted(want), (k, sorted(a))
    assert len({a[x]["cells"] for x in want}) == 1, (k, "cells differ")
    for hard, stat in (("default", "statistical"),
                       ("cellkey", "cellkey-statistical")):
        assert int(a[stat]["number"]) >= int(a[hard]["number"]), (k, stat)
        assert int(a[stat]["S"]) >= int(a[hard]["S"]), (k, stat)
n = {x: sum(int(r["number"]) for r in rows if r["approach"] == x) for x in want}
assert n["cellkey"] > n["default"], n
print("compare:", len(by), "quarters x measures x levels;", n)
PY
