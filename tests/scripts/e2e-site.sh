#!/bin/sh
# e2e-site: build the dashboard and the 2026H1 report from the sample, check
# both in headless Chromium against the national files (e2e-site.mjs: the
# headline sentences, event labels and their keyboard descriptions, every
# chart's CSV, the before/after shares of 2025-04-01, the shown rule, the
# phone and print layouts, colour contrast, the report's layout before
# printing), then the PDF: A4 pages, each numbered, each section.
# Screenshots, the PDF and its text are kept in out/test-artefacts/.
set -eu
cd "${ROOT:-.}"
art=out/test-artefacts
mkdir -p "$art"
if ! make -s site report HALF=2026H1 >"$art/make.log" 2>&1; then
	cat "$art/make.log"
	exit 1
fi
status=0
NPM_DIR=out/npm node tests/lib/e2e-site.mjs out/site out/report/2026H1 \
	out/national out/agency "$art" || status=1

pdf=out/report/2026H1.pdf
cp "$pdf" "$art/report-2026H1.pdf"
pdftotext -layout "$pdf" "$art/report-2026H1.txt"
pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
sizes=$(pdfinfo -f 1 -l "$pages" "$pdf" | grep -c 'size: *59[45]\.[0-9]* x 84[12]\.[0-9]* pts (A4)')
if [ "$pages" -ge 2 ] && [ "$sizes" -eq "$pages" ]; then
	echo "ok report PDF: $pages A4 pages"
else
	echo "not ok report PDF: $sizes of $pages pages are A4"
	status=1
fi
numbered=0
i=1
while [ "$i" -le "$pages" ]; do
	pdftotext -f "$i" -l "$i" "$pdf" - | grep -q "Page $i of $pages" &&
		numbered=$((numbered + 1))
	i=$((i + 1))
done
if [ "$numbered" -eq "$pages" ]; then
	echo "ok report PDF: every page says 'Page N of $pages'"
else
	echo "not ok report PDF: $numbered of $pages pages numbered"
	status=1
fi
for heading in 'Community services report' 'January to June 2026' 'Key findings' \
	'Headline figures' 'Clients over time' 'Changes, like for like' 'Regions' \
	'New and returning clients' \
	'Policy events' 'Lived experience' 'Services' 'Policy' 'About these figures'; do
	if grep -q "^[[:space:]]*$heading[[:space:]]*\$" "$art/report-2026H1.txt"; then
		echo "ok report PDF section: $heading"
	else
		echo "not ok report PDF section: $heading"
		status=1
	fi
done
grep -q 'Published' "$art/report-2026H1.txt" && grep -q 'nzccss.org.nz' "$art/report-2026H1.txt" ||
	{ echo "not ok report PDF: publication date and contact"; status=1; }
grep -q 'Mandatory annual reviews' "$art/report-2026H1.txt" ||
	{ echo "not ok report PDF: the half's policy event"; status=1; }
exit $status
