#!/bin/sh
# national.sh: the national build at scale (make bench runs it after
# sdc.sh; never part of make check).
#   BENCH_AGENCIES agencies (300) over 13 quarters, made once by the real
#   chain (tests/bench/gen-releases.sh, kept in out/bench/national/), then
#   timed end to end with GNU time: make national on them (bin/audit
#   --manifest for every release, merge, diff-quarters) and make site
#   (publish), into out/bench/national/out and .../site, with a state
#   folder of its own; then the dashboard's data size and its
#   load-to-interactive time in headless Chromium (site-load.mjs).
#   Two builds are timed: the first, from nothing (every quarter of every
#   release audited, filling the intervals cache), and the quarterly one
#   that follows a new quarter: every release sent again, only its newest
#   quarter new (a released quarter is final, so the others are byte for
#   byte as before), made here by removing the intervals and the cache's
#   entries of the newest quarter, then make national site again.
# Results go to stdout and out/bench/national/results.txt, one
# "name value" line each (national.sh's own figures).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
N=${BENCH_AGENCIES:-300}
B=out/bench/national
TIME=/usr/bin/time
REL=$B/releases-$N
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the first N agencies' releases, in a folder of their own
mkdir -p "$B/releases"
sh tests/bench/gen-releases.sh "$N" "$B/releases"
rm -rf "$REL"
mkdir -p "$REL"
head -n "$N" "$B/agencies/plan.txt" | while read -r code rest; do
	ln -s "../releases/$code" "$REL/$code"
done
rows=$(head -n "$N" "$B/agencies/plan.txt" | awk '{ s += $2 } END { print s }')

# the timed build: every intervals.csv, merged.csv and the site made anew
rm -rf "$B/out" "$B/site"
find "$B/releases" -name intervals.csv -delete
NATIONAL_VARS="RELEASES=$REL NATIONAL=$B/out SITE=$B/site NATIONAL_STATE=$work/state"
echo "national bench: $N agencies ($rows rows of events), make national site" >&2
# first the intervals of every release (bin/audit --manifest, two at a
# time), then merge, diff-quarters and publish: timed apart
$TIME -f '%e %U %S %M' -o "$work/t1" make -s -j2 $NATIONAL_VARS \
	$(for d in "$REL"/*; do echo "$d/intervals.csv"; done) \
	> "$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
$TIME -f '%e %U %S %M' -o "$work/t2" make -s -j2 national site \
	$NATIONAL_VARS >> "$work/make.log" 2>&1 ||
	{ cat "$work/make.log" >&2; exit 1; }
# the quarterly build: each release's newest quarter is new, its others
# read from the intervals cache
latest=$(ls "$B/out/intervals-cache" | sort | tail -n 1)
find "$B/releases" -name intervals.csv -delete
rm -rf "$B/out/intervals-cache/$latest"
echo "national bench: the quarterly build ($latest new), make national site" >&2
$TIME -f '%e %U %S %M' -o "$work/t3" make -s -j2 $NATIONAL_VARS \
	$(for d in "$REL"/*; do echo "$d/intervals.csv"; done) \
	>> "$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
$TIME -f '%e %U %S %M' -o "$work/t4" make -s -j2 national site \
	$NATIONAL_VARS >> "$work/make.log" 2>&1 ||
	{ cat "$work/make.log" >&2; exit 1; }
read -r wall1 user1 sys1 rss1 < "$work/t1"
read -r wall2 user2 sys2 rss2 < "$work/t2"
read -r wall3 user3 sys3 rss3 < "$work/t3"
read -r wall4 user4 sys4 rss4 < "$work/t4"
data=$(du -cb "$B/site/data.js" | tail -n 1 | cut -f1)
annex=$(du -cb "$B/site/data" | tail -n 1 | cut -f1)
load=$(NPM_DIR=out/npm node tests/bench/site-load.mjs "$B/site" 3)
cells=$(($(wc -l < "$B/out/merged.csv") - 1))
{
	echo "agencies $N"
	echo "event_rows $rows"
	echo "merged_cells $cells"
	echo "$wall1 $wall2" | awk '{ print "build_wall_s", $1 + $2 }'
	echo "$user1 $sys1 $user2 $sys2" | awk '{ print "build_cpu_s", $1 + $2 + $3 + $4 }'
	echo "intervals_wall_s $wall1"
	echo "$user1 $sys1" | awk '{ print "intervals_cpu_s", $1 + $2 }'
	echo "merge_publish_wall_s $wall2"
	echo "$user2 $sys2" | awk '{ print "merge_publish_cpu_s", $1 + $2 }'
	echo "quarterly_period $latest"
	echo "$wall3 $wall4" | awk '{ print "quarterly_wall_s", $1 + $2 }'
	echo "$user3 $sys3 $user4 $sys4" | awk '{ print "quarterly_cpu_s", $1 + $2 + $3 + $4 }'
	echo "quarterly_intervals_wall_s $wall3"
	echo "quarterly_merge_publish_wall_s $wall4"
	echo "$rss1 $rss2 $rss3 $rss4" | awk '{ m = $1; for (i = 2; i <= 4; i++) if ($i > m) m = $i
		printf "build_max_rss_mb %.1f\n", m / 1024 }'
	echo "site_data_mb $(echo "$data" | awk '{ printf "%.2f", $1 / 1e6 }')"
	echo "annex_mb $(echo "$annex" | awk '{ printf "%.2f", $1 / 1e6 }')"
	echo "site_interactive_s ${load% *}"
	echo "site_charts ${load#* }"
	echo "load_average $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$B/results.txt"
