#!/bin/sh
# e2e-agency-view: the agency's internal report (issue 17).
#  1. Every sample agency's report, built by 'make agency-views' (after the
#     national build, so each compares), opened in headless Chromium
#     (e2e-agency-view.mjs): no console error, every chart drawn, every
#     section there (who, why, workloads and complexity, comparison, data
#     quality), its figures equal to cells.csv and the mapped events, the
#     national shares equal to merged.csv by the share rule, the
#     data-quality figures equal to the stats files, unmapped.csv and
#     rejects.csv, and the marking on the page, in every chart image and
#     on every CSV and SVG export.
#  2. The canary: a small export with a worker column (one worker's name a
#     unique value) through the whole chain in a scratch tree, then the
#     national build and the dashboard there.  The value reaches the
#     worker side file and the internal report's data, nothing else (not
#     the events, release.csv, manifest.json, out/national or out/site);
#     the report's workloads equal the side file joined with the events;
#     an empty worker is "not stated"; a profile naming a worker column
#     the export lacks stops normalise, naming the profile and the column.
#     This part needs normalise --worker (issue 18's exports work) and says
#     so when the build lacks it.
# Screenshots go to out/test-artefacts/agency-*.png.
set -eu
cd "${ROOT:-.}"
ROOT=$(pwd)
art=out/test-artefacts
mkdir -p "$art"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! make -s agency-views >"$art/agency-view-make.log" 2>&1; then
	cat "$art/agency-view-make.log"
	exit 1
fi
status=0
dirs=
for profile in sample-data/*/profile.json; do
	a=$(basename "$(dirname "$profile")")
	# not in the sample build yet (pipelines/agency.mk)
	[ -e "sample-data/$a/PENDING" ] && continue
	dirs="$dirs out/agency/$a"
done
# In a fresh clone the first browser run has timed out waiting for a
# download (a workers CSV) where every later run passes; not reproduced
# since (a fresh clone, views rebuilt, a loaded machine), so a failed run
# is said, its log kept in $art/agency-view-first-run.log (with what the
# page showed and a screenshot), and run once more; only a second
# failure fails the test.
# shellcheck disable=SC2086
if ! NPM_DIR=out/npm NATIONAL=out/national/merged.csv \
	node tests/lib/e2e-agency-view.mjs "$art" $dirs >"$work/browser.log" 2>&1
then
	cp "$work/browser.log" "$art/agency-view-first-run.log"
	grep -v '^ok ' "$work/browser.log" | tail -n 5 | sed 's/^/note: first run: /'
	echo "note: the browser checks failed once; run again"
	# shellcheck disable=SC2086
	NPM_DIR=out/npm NATIONAL=out/national/merged.csv \
		node tests/lib/e2e-agency-view.mjs "$art" $dirs || status=1
else
	cat "$work/browser.log"
fi

# ---- the canary, in a scratch tree (its agency must not join the
# repository's national build) ----
CANARY=canary-worker-7f3a9c2e
if ! bin/normalise --help | grep -q -- '--worker'; then
	echo "skip the canary: this normalise has no --worker (the exports work," \
	    "issue 18); the workloads are covered by tests/cases/agency-view-*"
	exit $status
fi
tree=$work/tree
. tests/lib/tree.sh
copy_tree "$tree"
mkdir -p "$tree/sample-data" "$tree/agencies/canary"
bin/keygen "$work/canary.key" 2>/dev/null
fix=$tree/agencies/canary
# 360 clients over two quarters, one to four visits each, workers by
# client with some visits unrecorded and a few by the canary
awk -v canary="$CANARY" 'BEGIN {
	srand(17)
	split("Aroha Ngata|Ben Li|Team West|Mere Tane", worker, "|")
	split("Food|Rent arrears|Power bill|Debt|Mental health|Legal", need, "|")
	split("Food parcel|Budgeting|Advocacy|Counselling", service, "|")
	split("Male|Female|", gender, "|")
	split("NZ European|Maori|Samoan|Chinese|", eth, "|")
	print "Client ID,Household ID,Visit Date,DOB,Gender,Ethnicity,Region,Needs,Service,Food Parcels,Worker"
	for (c = 1; c <= 360; c++) {
		visits = 1 + int(rand() * 4)
		w = worker[1 + int(rand() * 4)]
		for (v = 0; v < visits; v++) {
			m = 1 + int(rand() * 6); d = 1 + int(rand() * 28)
			n = need[1 + int(rand() * 6)]
			if (rand() < 0.4) n = n "; " need[1 + int(rand() * 6)]
			if (rand() < 0.2) n = n "; " need[1 + int(rand() * 6)]
			who = rand() < 0.08 ? "" : (c % 37 == 0 ? canary : w)
			printf "C%04d,H%04d,%02d/%02d/2025,%02d/%02d/%d,%s,%s,Auckland,%s,%s,%d,%s\n",
			    c, int((c + 1) / 2), d, m, 1 + (c % 28), 1 + (c % 12),
			    1940 + (c % 60), gender[1 + c % 3], eth[1 + c % 5], n,
			    service[1 + int(rand() * 4)], int(rand() * 3), who
		}
	}
}' >"$fix/export.csv"
cat >"$fix/profile.json" <<'EOF'
{"agency": "canary", "name": "Canary Trust (test)", "date_formats": ["%d/%m/%Y"],
 "regions": ["02"],
 "columns": {"client_id": "Client ID", "household_id": "Household ID",
   "event_date": "Visit Date", "birth_date": "DOB", "gender": "Gender",
   "ethnicity": "Ethnicity", "region": "Region",
   "need": {"column": "Needs", "separator": "; "}, "service": "Service",
   "units": "Food Parcels", "worker": "Worker"}}
EOF
cat >"$fix/map.json" <<'EOF'
{"agency": "canary", "fields": {
  "gender": {"Male": "1", "Female": "2"},
  "ethnicity": {"NZ European": "1", "Maori": "2", "Samoan": "3", "Chinese": "4"},
  "region": {"Auckland": "02"},
  "need": {"Food": "food", "Rent arrears": "housing", "Power bill": "income",
           "Debt": "debt", "Mental health": "mental_health", "Legal": "legal"},
  "service": {"Food parcel": "food", "Budgeting": "financial",
              "Advocacy": "advocacy", "Counselling": "counselling"}}}
EOF
tmake() {
	make -C "$tree" NPM_DIR="$ROOT/out/npm" SAMPLE_AGENCIES= "$@" \
	    >>"$work/make.log" 2>&1
}
# the canary agency's build: its own key and state folder, never the
# machine's (~/.nzccss), and the date its export was taken
canary="AGENCY=canary AGENCY_DIR=agencies KEY=$work/canary.key
    STATE=$work/state EXPORT_DATE=2025-07-10"
# the agency, then NZCCSS's build with it, then the agency again: its
# view now compares with the national figures
if ! tmake $canary agency ||
    ! tmake $canary national site ||
    ! tmake $canary agency; then
	echo "not ok canary: the build failed"
	tail -n 30 "$work/make.log"
	exit 1
fi
echo "ok canary: a small export with a worker column built, released, merged and published"
out=$tree/out/agency/canary
found=$(cd "$tree/out" && grep -rl -- "$CANARY" . | LC_ALL=C sort | tr '\n' ' ')
if [ "$found" = "./agency/canary/internal/data.js ./agency/canary/worker.csv " ]; then
	echo "ok canary: the worker value is in worker.csv and the internal report's data only"
else
	echo "not ok canary: the worker value is in: $found"
	status=1
fi
for f in "$out/release.csv" "$out/manifest.json" "$out/canonical.csv" \
    "$out/mapped.csv" "$tree/out/national/merged.csv" "$tree/out/site/data.js"; do
	if [ ! -s "$f" ] || grep -q -- "$CANARY" "$f"; then
		echo "not ok canary: $f missing or holding the value"
		status=1
	fi
done
NPM_DIR=out/npm CANARY="$CANARY" NATIONAL="$tree/out/national/merged.csv" \
	node tests/lib/e2e-agency-view.mjs "$art" "$out" || status=1

# a worker column the export lacks: normalise names the profile and column
sed 's/"worker": "Worker"/"worker": "Case Worker"/' "$fix/profile.json" \
	>"$work/profile.json"
if bin/normalise --profile "$work/profile.json" --key "$work/canary.key" \
    --worker "$work/w.csv" "$fix/export.csv" >/dev/null 2>"$work/err"; then
	echo "not ok canary: a missing worker column was accepted"
	status=1
elif grep -q 'profile.json' "$work/err" && grep -q 'Case Worker' "$work/err"; then
	echo "ok canary: a missing worker column names the profile and the column: $(head -n 1 "$work/err")"
else
	echo "not ok canary: the missing worker column's message: $(cat "$work/err")"
	status=1
fi
exit $status
