#!/bin/sh
# chain-fault-long-fields: a 10 MB field and very long lines work, in seconds:
# normalise reads an export whose notes column holds 10 MB (never written),
# map-categories a 1 MB unmapped value and a 1 MB list of 100000 values
# (counted, quoted to 40 bytes in messages), and bucket, aggregate and
# suppress the events that follow.  A quadratic buffer would take minutes
# of processor time on these fields, so each program gets at most 60 CPU
# seconds (ulimit -t: processor time, not wall time, which moves with the
# machine's load); it takes about one.
set -u
ulimit -t 60
cd "${ROOT:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
P=pipelines
printf 'nzccss-test-key-0123456789abcdef' > "$work/test.key"
chmod 600 "$work/test.key"
cat > "$work/profile.json" <<'JSON'
{"agency": "akcm", "date_formats": ["%d/%m/%Y"],
 "columns": {"client_id": "Client No", "event_date": "Date",
   "region": "Region", "need": {"column": "Needs", "separator": "; "}}}
JSON
echo '{"agency": "akcm", "fields": {"region": {"Napier": "06"}}}' \
	> "$work/map.json"
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
notes = "x" * (10 << 20)
with open(w + "/export.csv", "w") as f:
    f.write("Client No,Date,Notes,Region,Needs\n")
    f.write('7001,2/5/2025,"%s, ""quoted""\n%s",Napier,Food\n' % (notes, notes[:100]))
    f.write("7002,3/5/2025,%s,Napier,Food; Rent\n" % notes)
# canonical events with a 1 MB region and a list of 100000 needs (1 MB)
with open(w + "/long.csv", "w") as f:
    f.write("agency,client_key,household_key,event_date,age,gender,ethnicity,"
            "region,household,income,housing,need,service,referral,units\n")
    f.write("akcm,%s,,2025-05-04,,,,%s,,,,%s,,,\n" % ("0" * 32, "W" * (1 << 20),
        "|".join(sorted("need%d" % i for i in range(100000)))))
    f.write("akcm,%s,,2025-05-05,,,,Napier,,,,Food,,,\n" % ("1" * 32))
PY
normalise --profile "$work/profile.json" --key "$work/test.key" \
	"$work/export.csv" > "$work/canonical.csv" || exit 1
[ "$(wc -l < "$work/canonical.csv")" -eq 3 ] || { echo "rows lost"; exit 1; }
grep -q xxxx "$work/canonical.csv" && { echo "notes leaked"; exit 1; }
tail -n +2 "$work/canonical.csv" >> "$work/long.csv"
map-categories --map "$work/map.json" --codes "$P/codes" \
	--unmapped "$work/unmapped.csv" "$work/long.csv" \
	> "$work/mapped.csv" 2>"$work/err" || { cat "$work/err"; exit 1; }
# the long value is counted once under its own (whole) value
awk -F, '$1 == "region" && length($2) == 1048576 && $3 == 1 { ok = 1 }
	END { exit !ok }' "$work/unmapped.csv" ||
	{ echo "long value not counted"; head -c 300 "$work/unmapped.csv"; exit 1; }
[ "$(grep -c '^need,need' "$work/unmapped.csv")" -eq 100000 ] ||
	{ echo "long list not counted"; exit 1; }
[ "$(wc -l < "$work/mapped.csv")" -eq 5 ] || { echo "rows lost"; exit 1; }
# no message line longer than a screenful: values are quoted to 40 bytes
awk 'length > 400 { print "long message: " substr($0, 1, 80); bad = 1 }
	END { exit bad }' "$work/err" || exit 1
bucket --bands "$P/age-bands.json" "$work/mapped.csv" \
	> "$work/bucketed.csv" || exit 1
aggregate "$work/bucketed.csv" > "$work/cells.csv" || exit 1
suppress "$work/cells.csv" > /dev/null || exit 1
