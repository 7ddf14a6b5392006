#!/bin/sh
# e2e-site: build the dashboard and the 2026H1 report from the sample; open
# the dashboard in headless Chromium (playwright-core): no console errors,
# every chart drawn, region and measure switch the headline, the headline
# equals merged.csv; the report PDF holds every section heading.
# Screenshots and the PDF text are kept in out/test-artefacts/.
set -eu
cd "${ROOT:-.}"
art=out/test-artefacts
mkdir -p "$art"
if ! make -s site report HALF=2026H1 >"$art/make.log" 2>&1; then
	cat "$art/make.log"
	exit 1
fi
NPM_DIR=out/npm node tests/scripts/e2e-site.mjs out/site \
	out/national/merged.csv "$art"

pdftotext -layout out/report/2026H1.pdf "$art/report-2026H1.txt"
status=0
for heading in 'Community services report, January to June 2026' \
	'Headline figures' 'Clients over time' \
	'Changes against the previous half' \
	'Changes against the same half a year earlier' 'Regions' \
	'Reasons for seeking help' 'Policy events in the half' \
	'Lived experience' 'Services' 'Policy' 'About these figures'; do
	if grep -q "^[[:space:]]*$heading[[:space:]]*\$" "$art/report-2026H1.txt"; then
		echo "ok report heading: $heading"
	else
		echo "not ok report heading: $heading"
		status=1
	fi
done
grep -q 'Mandatory annual reviews' "$art/report-2026H1.txt" ||
	{ echo "not ok report: the half's policy event"; status=1; }
exit $status
