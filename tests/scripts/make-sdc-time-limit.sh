#!/bin/sh
# SDC_TIME_LIMIT (pipelines/agency.mk): the agency build hands it to
# suppress and to its audit, and the national build to the audit of each
# release's intervals, as --time-limit (make -n, every input taken as
# made, the targets not: -B, since a build may have made them); unset,
# each program keeps its own default (30 minutes).
set -eu
dry() { # target [make variables]: the recipe lines make would run
	t=$1
	shift
	make -n -B -o bin/suppress -o bin/audit -o bin/manifest -o bin/freeze \
	    -o out/agency/northern/cells.csv -o out/agency/northern/release.csv \
	    -o out/national/northern/manifest.json "$@" "$t" 2>&1
}
for t in out/agency/northern/new-release.csv out/agency/northern/manifest.json \
    out/national/northern/intervals.csv; do
	with=$(dry "$t" SDC_TIME_LIMIT=7200 | grep -E '^bin/(suppress|audit) ')
	without=$(dry "$t" | grep -E '^bin/(suppress|audit) ')
	echo "$with" | grep -q -- '--time-limit 7200 ' ||
		{ echo "$t: no --time-limit 7200 in: $with"; exit 1; }
	echo "$without" | grep -q -- '--time-limit' &&
		{ echo "$t: a --time-limit without SDC_TIME_LIMIT: $without"; exit 1; }
	echo "$t: $(echo "$with" | cut -d' ' -f1-3)"
done
