#!/bin/sh
# test-tree: own (works in a scratch folder, never in out/; tests/run.sh)
# test-timeout: 900 (ten builds of northern, in a niced worker; tests/run.sh)
# e2e-fault-kill: a sample build (make -j2 agencies national) of the
# sample agency quickest to protect, northern (the build is run nine
# times, and the SDC engine's cost is in S cells, not rows), killed with
# SIGKILL at any point, then run again, gives outputs byte-identical to an
# uninterrupted build, and never takes a half-written file as complete:
#   - right after each kill, every output present under its final name is
#     already byte-identical to the uninterrupted build's (temp then rename);
#   - the rerun completes, every output equals the reference, and no *.tmp
#     file is left.
# Kill points: after fixed delays, and the moment a given .tmp (or the
# first of a stage's side files) appears.  The build runs in a scratch
# copy (bin, pipelines, sample-data, Makefile; no sources, so the
# programs are never rebuilt), so the repository's out/ is not touched.
set -u
cd "${ROOT:-.}"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "-$pid" 2>/dev/null; rm -rf "$work"' EXIT
tree=$work/tree
. tests/lib/tree.sh
copy_tree "$tree"
cp -R sample-data "$tree/"
# the chain tests' five tables: the kill points are in the build's
# steps, whose cost on the full spec is the SDC engine's, nine times over
# (tests/lib/chain-tables.json)
cp tests/lib/chain-tables.json "$tree/pipelines/tables.json"
AGENCIES=northern
build() {
	make -C "$tree" -j2 SAMPLE_AGENCIES="$AGENCIES" agencies national \
	    >"$work/make.log" 2>&1
}
sums() { # every output (no .tmp), with its sha256, sorted
	(cd "$tree" && find out -type f ! -name '*.tmp' | LC_ALL=C sort |
		xargs sha256sum)
}

build || { echo "reference build failed"; cat "$work/make.log"; exit 1; }
sums > "$work/ref"
[ "$(wc -l < "$work/ref")" -ge 25 ] || { echo "too few outputs"; exit 1; }
build && ! grep -q '^bin/' "$work/make.log" ||
	{ echo "the finished build is not up to date"; cat "$work/make.log"; exit 1; }

# kill_at WHAT: start a clean build, kill its process group at WHAT (a
# delay in seconds, or a file to wait for), then check and rerun
bad=0
kill_at() {
	rm -rf "$tree/out"
	setsid make -C "$tree" -j2 SAMPLE_AGENCIES="$AGENCIES" agencies \
	    national >"$work/make.log" 2>&1 &
	pid=$!
	case $1 in
	[0-9]*) sleep "$1" ;;
	*)
		n=0
		while [ ! -e "$tree/$1" ] && [ $n -lt 1000 ] &&
		    kill -0 "$pid" 2>/dev/null; do
			sleep 0.005
			n=$((n + 1))
		done
		# a short-lived .tmp may be missed: still a kill point, later
		[ -e "$tree/$1" ] || echo "note: $1 not seen before the kill" ;;
	esac
	kill -KILL "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	# what the killed build left under final names must be complete
	sums > "$work/left"
	if ! LC_ALL=C join -j 2 -o 1.1,2.1,0 "$work/left" "$work/ref" |
	    awk '$1 != $2 { print "  partial: " $3; bad = 1 } END { exit bad }'
	then
		echo "FAIL: killed at $1: a partial file under its final name"
		bad=1
	fi
	left=$(grep -c . "$work/left")
	if ! build; then
		echo "FAIL: killed at $1: the rerun failed"
		sed 's/^/    /' "$work/make.log" | tail -n 10
		bad=1
		return
	fi
	sums > "$work/again"
	if ! cmp -s "$work/again" "$work/ref"; then
		echo "FAIL: killed at $1: outputs differ from the reference"
		diff "$work/ref" "$work/again" | head -n 10
		bad=1
	fi
	tmps=$(cd "$tree" && find out -name '*.tmp')
	[ -z "$tmps" ] || { echo "FAIL: killed at $1: left $tmps"; bad=1; }
	echo "killed at $1: $left complete files left, rerun identical"
}

for at in 0.5 \
    out/keys/northern.key \
    out/agency/northern/canonical.csv.tmp \
    out/agency/northern/rejects.csv \
    out/agency/northern/cells.csv.tmp \
    out/agency/northern/release.csv.tmp \
    out/agency/northern/intervals.csv.tmp \
    out/national/merged.csv.tmp; do
	kill_at "$at"
done
exit $bad
