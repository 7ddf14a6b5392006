#!/bin/sh
# csv-oom: a field too long for the memory there is (a quoted 32 MB
# value, read by libcsv) is said as "out of memory", with the file and
# the line, exit 1: never "malformed CSV: stray quote", which sent the
# data officer looking for a quote that is not there, and never a crash.
# Under every address-space limit from too little to start to enough for
# the whole run.  Not under the sanitizers (their shadow memory needs no
# limit).
cd "${ROOT:-.}"
. tests/lib/limits.sh
cat > "$work/profile.json" <<'JSON'
{"agency": "akcm", "date_formats": ["%d/%m/%Y"],
 "columns": {"client_id": "Client No", "event_date": "Date",
   "gender": "Gender"}}
JSON
python3 - "$work/export.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Client No,Date,Gender\nC1,2/5/2025,Female\n")
    f.write('C2,2/5/2025,"%s"\n' % ("F" * (32 << 20)))
    f.write("C3,2/5/2025,Male\n")
PY
bad=0 done=0 oom=0 kb=16384
while [ $kb -le 1048576 ] && [ $done = 0 ]; do
	under_limit $kb "${BIN:-bin}/normalise" -p "$work/profile.json" \
	    -k "$work/test.key" "$work/export.csv" >/dev/null 2>"$work/err"
	code=$?
	if [ $code = 0 ]; then
		done=1
	elif [ $code = 1 ]; then
		if grep -q "export.csv:3: out of memory reading this record" \
		    "$work/err"; then
			oom=1
		elif ! grep -q "out of memory" "$work/err"; then
			echo "not ok: at ulimit -v $kb: $(head -n 1 "$work/err")"
			bad=1
		fi
	elif [ $code -ge 128 ]; then
		echo "not ok: killed by signal $((code - 128)) at ulimit -v $kb"
		bad=1
	fi   # else it could not start (its libraries need more)
	kb=$((kb + 16384))
done
[ $done = 1 ] || { echo "not ok: no limit let the run finish"; bad=1; }
[ $oom = 1 ] || { echo "not ok: no limit ran out inside the field"; bad=1; }
[ $bad = 0 ] && echo "ok a field too long for memory: out of memory, file and line"
exit $bad
