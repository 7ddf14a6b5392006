#!/bin/sh
# normalise-held-oom: out of memory while a row is being held (its text
# copied for the batch of keys) is an error exit, never a crash, and the
# rows held before it are written as they were: the half-copied row is no
# held row.  A 20 MB gender value in the fifth row (the first of the
# second batch, its slot holding the first row's text) under every
# address-space limit from too little to start to enough for the whole
# run; before, the at-exit write read the new row's lengths over the old
# row's text (a crash, or other memory written out as the row).  Each
# run's output is the start of the full run's.  Not
# under the sanitizers (their shadow memory needs no limit).
cd "${ROOT:-.}"
. tests/lib/limits.sh
cat > "$work/profile.json" <<'JSON'
{"agency": "akcm", "date_formats": ["%d/%m/%Y"],
 "columns": {"client_id": "Client No", "household_id": "Household",
   "event_date": "Date", "gender": "Gender"}}
JSON
python3 - "$work" <<'PY'
import sys
with open(sys.argv[1] + "/export.csv", "w") as f:
    f.write("Client No,Household,Date,Gender\n")
    for i in range(4):
        f.write("C%d,H%d,2/5/2025,Female\n" % (i, i))
    f.write("C4,H4,2/5/2025,%s\n" % ("F" * (20 << 20)))
    for i in range(5, 8):
        f.write("C%d,H%d,2/5/2025,Male\n" % (i, i))
PY
"${BIN:-bin}/normalise" -p "$work/profile.json" -k "$work/test.key" \
    "$work/export.csv" >"$work/full" 2>/dev/null || {
	echo "not ok: the run without a limit failed"; exit 1; }
bad=0 done=0 kb=16384
while [ $kb -le 1048576 ] && [ $done = 0 ]; do
	under_limit $kb "${BIN:-bin}/normalise" -p "$work/profile.json" \
	    -k "$work/test.key" "$work/export.csv" >"$work/out" 2>"$work/err"
	code=$?
	if [ $code -ge 128 ]; then
		echo "not ok: killed by signal $((code - 128)) at ulimit -v $kb"
		bad=1
	elif [ $code = 0 ]; then
		done=1
	fi
	# whatever stopped it, what it wrote is what the full run wrote first
	head -n "$(wc -l < "$work/out")" "$work/full" | cmp -s - "$work/out" || {
		echo "not ok: at ulimit -v $kb the output is not the full run's"
		bad=1
	}
	kb=$((kb + 4096))
done
[ $done = 1 ] || { echo "not ok: no limit let the run finish"; bad=1; }
[ $bad = 0 ] && echo "ok out of memory while holding a row: an error exit"
exit $bad
