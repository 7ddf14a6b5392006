#!/bin/sh
# run.sh: every test of the project; ends with "N passed, N failed".
#
# Three kinds, each run with the normal build and again with the
# AddressSanitizer + UndefinedBehaviorSanitizer build (bin/san):
#   tests/cases/NAME/   a case directory: cmd (a shell script run in the
#                       case directory), optional stdin, and the expected
#                       stdout, stderr and exit (absent files mean empty
#                       output and exit 0)
#   tests/unit/NAME.c   C unit tests of the shared layer (bin/test/NAME),
#                       each printing "ok ..." or "not ok ..." lines (TAP)
#   tests/scripts/NAME.sh  larger checks in shell; exit 0 is a pass
# (tests/lib/ holds what the tests source or call: never run here)
# usage: tests/run.sh [PATTERN]   (only tests whose name holds PATTERN)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TESTDATA=${TESTDATA:-$ROOT/tests/data}
# leak detection on, whatever the caller's environment says
ASAN_OPTIONS=detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
# make site and make report build on the sample agencies here, whatever
# releases a make national RELEASES=dir merged last (pipelines/national.mk)
RELEASES=
export ROOT TESTDATA ASAN_OPTIONS RELEASES
pattern=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# python3 is Debian's (TEST_PKGS): a version manager's shim ahead of it in
# PATH (pyenv's) takes 0.3 s to start it, the system's 0.03 s, and the
# tests start it hundreds of times
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]
then
	mkdir -p "$work/python"
	ln -s /usr/bin/python3 "$work/python/python3"
	PATH=$work/python:$PATH
	export PATH
fi

# Results go to $results, one line per test: "P N" (N passed), or
# "F N" (N failed) followed by the failure's lines; the caller adds up.
results=$work/results
pass() { echo "P ${1:-1}" >>"$results"; }
fail() {
	{
		echo "F ${3:-1}"
		echo "FAIL: $1"
		[ -n "${2:-}" ] && sed 's/^/    /' "$2" | head -n 40
	} >>"$results"
}

# compare one expectation; missing expected file means empty
same() {
	if [ -f "$1" ]; then cmp -s "$1" "$2"; else [ ! -s "$2" ]; fi
}

run_case() { # dir bindir label
	dir=$1 bindir=$2 label=$3
	out=$work/out err=$work/err diff=$work/diff
	in=/dev/null
	[ -f "$dir/stdin" ] && in=$dir/stdin
	# a case may write scratch files in its folder (test.key): its two
	# builds take turns there (flock on the folder)
	(cd "$dir" && PATH="$bindir:$PATH" BIN="$bindir" flock . timeout 120 \
		bash ./cmd <"$in" >"$out" 2>"$err")
	code=$?
	want=0
	[ -f "$dir/exit" ] && want=$(cat "$dir/exit")
	: >"$diff"
	same "$dir/stdout" "$out" || { echo "stdout differs:"; diff "${dir}/stdout" "$out" 2>&1 | head -n 20; } >>"$diff"
	same "$dir/stderr" "$err" || { echo "stderr differs:"; diff "${dir}/stderr" "$err" 2>&1 | head -n 20; } >>"$diff"
	[ "$code" = "$want" ] || echo "exit $code, expected $want" >>"$diff"
	if [ -s "$diff" ]; then fail "$label" "$diff"; else pass; fi
}

run_unit() { # binary label
	bin=$1 label=$2
	log=$work/unit
	timeout 300 "$bin" >"$log" 2>&1
	code=$?
	ok=$(grep -c '^ok' "$log")
	bad=$(grep -c '^not ok' "$log")
	[ "$ok" -gt 0 ] && pass "$ok"
	if [ "$bad" -gt 0 ] || [ "$code" -ne 0 ] || [ "$ok" -eq 0 ]; then
		[ "$bad" -eq 0 ] && bad=1
		grep -v '^ok' "$log" > "$work/unit.bad"
		fail "$label (exit $code)" "$work/unit.bad" "$bad"
	fi
}

run_script() { # script bindir label
	log=$work/script
	# 300 s, or what the script's "# test-timeout: N" line says
	limit=$(sed -n 's/^# test-timeout: \([0-9][0-9]*\).*/\1/p' "$1" | head -n 1)
	(cd "$ROOT" && PATH="$2:$PATH" BIN="$2" timeout "${limit:-300}" sh "$1" \
		>"$log" 2>&1)
	code=$?
	if [ $code -eq 0 ]; then pass; return; fi
	# what went wrong, not the checks that passed (TAP-like "ok" lines)
	{
		[ $code -eq 124 ] && echo "timed out after ${limit:-300} s"
		grep -v '^ok ' "$log" | tail -n 30
	} >"$log.bad"
	fail "$3 (exit $code)" "$log.bad"
}

# The list of tests, one per line: KIND PATH BINDIR LABEL.  Cases, unit
# tests, the scripts other than e2e-* and the e2e-* scripts that say
# "# test-tree: own" (they build in a scratch copy of the tree) are
# independent of each other and run $jobs at a time.  The other e2e-*
# scripts read or build in the tree's out/: after the sample build they
# share, each queue of them runs one after another, the queues side by
# side and beside the rest.  A script names its queue ("# test-queue:
# NAME", for scripts that build the same files in out/); the others are
# in the queue "out".  e2e-* scripts run once, with the normal build.
tab=$(printf '\t')
list=$work/list
serial=$work/serial
: >"$list"
for build in bin bin/san; do
	bindir=$ROOT/$build
	tag=""
	[ "$build" = bin/san ] && tag=" [asan+ubsan]"
	for dir in "$ROOT"/tests/cases/*/; do
		[ -f "$dir/cmd" ] || continue
		name=$(basename "$dir")
		case $name in *"$pattern"*) ;; *) continue ;; esac
		printf "case\t%s\t%s\tcase %s\n" "$dir" "$bindir" "$name$tag" >>"$list"
	done
	for src in "$ROOT"/tests/unit/*.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		case $name in *"$pattern"*) ;; *) continue ;; esac
		ubin=$ROOT/bin/test/$name
		[ "$build" = bin/san ] && ubin=$ROOT/bin/test/san-$name
		printf "unit\t%s\t%s\tunit %s\n" "$ubin" "$bindir" "$name$tag" >>"$list"
	done
	for script in "$ROOT"/tests/scripts/*.sh; do
		[ -f "$script" ] || continue
		name=$(basename "$script" .sh)
		case $name in *"$pattern"*) ;; *) continue ;; esac
		to=$list
		case $name in
		e2e-*)	[ "$build" = bin/san ] && continue
			grep -q '^# test-tree: own' "$script" || to=$serial.$(
			    sed -n 's/^# test-queue: \([a-z0-9-]*\).*/\1/p' \
			    "$script" | grep . || echo out) ;;
		esac
		printf "script\t%s\t%s\tscript %s\n" "$script" "$bindir" \
		    "$name$tag" >>"$to"
	done
done
# The longest first, so that no worker is left with a long test at the
# end: the own-tree e2e scripts, then by the last run's times
# (out/test-times.txt); a test without one (every test, in a fresh clone)
# by a typical time of its kind, doubled under the sanitizers: a script
# 5 s, a unit test 3 s, a case 0.5 s.
awk -F"$tab" -v last="$ROOT/out/test-times.txt" '
	BEGIN {
		while ((getline line < last) > 0) {
			ms = line; sub(/ .*/, "", ms)
			label = line; sub(/^[0-9]+ /, "", label)
			t[label] = ms + 0
		}
	}
	{
		guess = ($1 == "script") ? 5000 : ($1 == "unit") ? 3000 : 500
		if ($4 ~ /asan/)
			guess *= 2
		w = ($4 ~ /^script e2e-/) ? 1e12 : (($4 in t) ? t[$4] : guess)
		printf "%d\t%d\t%s\n", w, NR, $0
	}' "$list" | sort -t"$tab" -k1,1nr -k2,2n | cut -f3- >"$list.sorted"
mv "$list.sorted" "$list"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

run_one() { # kind path bindir label; its time to $work/times
	t0=$(now_ms)
	case $1 in
	case) run_case "$2" "$3" "$4" ;;
	unit) run_unit "$2" "$4" ;;
	script) run_script "$2" "$3" "$4" ;;
	esac
	echo "$(($(now_ms) - t0)) $4" >>"$work/times"
}

# run_line N: the N-th test of FILE
run_line() { # n file
	line=$(sed -n "${1}p" "$2")
	set -f
	oldifs=$IFS
	IFS=$tab
	# shellcheck disable=SC2086
	set -- $line
	IFS=$oldifs
	set +f
	run_one "$1" "$2" "$3" "$4" </dev/null
}

# next_test: the number of the next test of $list that no worker has
# taken (a counter under a lock), so a worker that drew short tests
# takes more
next_test() {
	flock "$top/counter" sh -c 'n=$(($(cat "$1") + 1)); echo $n >"$1"; echo $n' \
	    sh "$top/counter"
}

# TEST_JOBS workers (default: the machine's processors), each with its own
# scratch files, taking tests from the list until it is done
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
top=$work
echo 0 >"$top/counter"
total=$(wc -l <"$list")
k=0
while [ "$k" -lt "$jobs" ]; do
	(
		# the workers yield to the sample build and the queues after
		# it, the suite's longest path; what they run inherits it
		renice -n 10 -p "$(sh -c 'echo $PPID')" >/dev/null 2>&1
		work=$top/w$k
		mkdir -p "$work"
		results=$work/results
		: >"$results"
		while n=$(next_test) && [ "$n" -le "$total" ]; do
			run_line "$n" "$list"
		done
	) &
	k=$((k + 1))
done
# the sample build that the shared e2e scripts use, beside the workers
# and without their time limit (it is the build a user runs, not a test
# of its speed), then each queue of those scripts.  It is the start of
# the suite's longest path, so it runs two jobs at a time (163 s alone
# and one at a time on a quiet machine), and the niced workers take
# what it leaves.
if ls "$serial".* >/dev/null 2>&1; then
	(
		work=$top/s
		mkdir -p "$work"
		results=$work/results
		: >"$results"
		if make -C "$ROOT" -s -j2 agencies national site >"$work/sample.log" 2>&1
		then pass
		else fail "the sample build (make agencies national site)" \
		    "$work/sample.log"
		fi
		for queue in "$serial".*; do
			(
				work=$top/s.${queue##*.}
				mkdir -p "$work"
				results=$work/results
				: >"$results"
				n=1
				while [ "$n" -le "$(wc -l <"$queue")" ]; do
					run_line "$n" "$queue"
					n=$((n + 1))
				done
			) &
		done
		wait
	) &
fi
wait

passed=0
failed=0
for f in "$work"/w*/results "$work"/s*/results; do
	[ -f "$f" ] || continue
	while IFS= read -r line; do
		case $line in
		"P "*) passed=$((passed + ${line#P })) ;;
		"F "*) failed=$((failed + ${line#F })) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$f"
done
# the slowest first, for keeping the suite inside its ten minutes
mkdir -p "$ROOT/out"
cat "$work"/w*/times "$work"/s*/times 2>/dev/null | sort -rn >"$ROOT/out/test-times.txt"
echo "$passed passed, $failed failed"
# the exit status scripts and CI trust: 0 only when nothing failed and
# something ran
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
