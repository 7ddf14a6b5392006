#!/bin/sh
# normalise: an id padded with spaces, tabs or no-break spaces, quoted or
# not, keys exactly as the bare id, under every profile option that
# changes how a row is read: encoding, delimiter, line ends, title lines,
# a trailer, and the id in the first, a middle or the last column; and
# as an .xlsx sheet (text cells, padding kept), read through first_of,
# and with fold_case: every pair of those options, and every line
# structure (title lines, trailer, id column) in CSV and .xlsx, rather
# than all 288 combinations.  (A trailer test used to trim the first field in
# place and leave its length stale, so "  K00030 " and "K00030" became
# two clients.)
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'nzccss-test-key-0123456789abcdef' > "$tmp/key"
chmod 600 "$tmp/key"
python3 - "$tmp" <<'PY'
import itertools, json, os, subprocess, sys
tmp = sys.argv[1]
ids = ["K00030", "  K00030 ", "\tK00030", "K00030\u00a0", " K00030  ", "K00031", " K00031"]
factors = [["utf-8", "utf-8-sig", "windows-1252", "utf-16"], [",", ";", "\t"],
           ["\n", "\r\n"], [0, 2], [False, True], ["first", "middle", "last"]]
# Not all 288 combinations: every pair of options, and every combination
# of the line-structure ones (title lines, trailer, id column), where the
# trailer bug was; chosen greedily, in order, so always the same cases.
def needs(case):
    pairs = {(i, case[i], j, case[j]) for i, j in
             itertools.combinations(range(len(case)), 2)}
    return pairs | {("lines",) + tuple(case[3:6])}
uncovered = set().union(*(needs(c) for c in itertools.product(*factors)))
cases = []
while uncovered:
    best = max(itertools.product(*factors), key=lambda c: len(needs(c) & uncovered))
    cases.append(best)
    uncovered -= needs(best)

def text_of(enc, delim, eol, skip, trailer, pos):
    cols = ["Visit Date", "Notes"]
    cols.insert({"first": 0, "middle": 1, "last": 2}[pos], "Client ID")
    lines = ["Report run 16/07/2026", "Agency: test"][:skip]
    lines.append(delim.join(cols))
    for i, cid in enumerate(ids):
        quoted = i % 2 == 1 or "\t" in cid
        val = '"%s"' % cid if quoted else cid
        row = {"Client ID": val, "Visit Date": "2025-01-%02d" % (i + 1),
               "Notes": "n%d" % i}
        lines.append(delim.join(row[c] for c in cols))
    if trailer:
        lines.append("Total records: %d" % len(ids) + delim * 2)
    return eol.join(lines) + eol

def profile(n, enc, delim, skip, trailer):
    prof = {"agency": "padtest", "encoding": "utf-8" if enc == "utf-8-sig" else enc,
            "delimiter": delim, "skip_rows": skip,
            "columns": {"client_id": "Client ID", "event_date": "Visit Date"}}
    if trailer:
        prof["trailer_prefix"] = "Total records:"
    if n % 4 == 1:      # the id through fallback columns
        prof["columns"]["client_id"] = {"first_of": ["Client ID", "Notes"]}
    if n % 4 == 2:
        prof["fold_case"] = ["client_id"]
    return prof

pyenc = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig",
         "windows-1252": "cp1252", "utf-16": "utf-16"}
for n, (enc, delim, eol, skip, trailer, pos) in enumerate(cases):
    d = os.path.join(tmp, "case%03d" % n)
    os.mkdir(d)
    text = text_of(enc, delim, eol, skip, trailer, pos)
    open(os.path.join(d, "export.csv"), "wb").write(text.encode(pyenc[enc]))
    json.dump(profile(n, enc, delim, skip, trailer),
              open(os.path.join(d, "profile.json"), "w"))
# the same rows as an .xlsx sheet, for every line structure
for n, (skip, trailer, pos) in enumerate(itertools.product(*factors[3:])):
    x = os.path.join(tmp, "case%03d" % (n + 1000))
    os.mkdir(x)
    src = os.path.join(x, "source.csv")
    open(src, "w").write(text_of("utf-8", ",", "\n", skip, trailer, pos))
    subprocess.run([sys.executable, "tests/bench/csv2xlsx.py", src, "100",
                    os.path.join(x, "export.csv")],
                   check=True, stderr=subprocess.DEVNULL)
    prof = profile(n, "utf-8", ",", skip, trailer)
    for k in ("encoding", "delimiter"):
        del prof[k]
    prof["format"] = "xlsx"
    json.dump(prof, open(os.path.join(x, "profile.json"), "w"))
print(len(cases), "CSV cases and 12 .xlsx", file=sys.stderr)
PY
fails=0
for d in "$tmp"/case*; do
	if ! "$BIN/normalise" --profile "$d/profile.json" --key "$tmp/key" \
	    "$d/export.csv" > "$d/out.csv" 2> "$d/err"; then
		echo "$(basename "$d"): normalise failed: $(cat "$d/err")"
		fails=$((fails + 1))
		continue
	fi
	keys=$(tail -n +2 "$d/out.csv" | cut -d, -f2 | sort -u | wc -l)
	rows=$(tail -n +2 "$d/out.csv" | wc -l)
	if [ "$keys" -ne 2 ] || [ "$rows" -ne 7 ]; then
		echo "$(basename "$d"): $rows rows and $keys client keys, expected 7 and 2"
		cat "$d/profile.json"; echo
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
