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
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
	[ -n "${2:-}" ] && sed 's/^/    /' "$2" | head -n 40
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
	(cd "$dir" && PATH="$bindir:$PATH" BIN="$bindir" timeout 120 \
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
	passed=$((passed + ok))
	if [ "$bad" -gt 0 ] || [ "$code" -ne 0 ] || [ "$ok" -eq 0 ]; then
		failed=$((failed + bad))
		[ "$bad" -eq 0 ] && failed=$((failed + 1))
		grep -v '^ok' "$log" > "$work/unit.bad"
		fail "$label (exit $code)" "$work/unit.bad"
	fi
}

run_script() { # script bindir label
	log=$work/script
	(cd "$ROOT" && PATH="$2:$PATH" BIN="$2" timeout 300 sh "$1" >"$log" 2>&1)
	if [ $? -eq 0 ]; then pass; else fail "$3" "$log"; fi
}

for build in bin bin/san; do
	bindir=$ROOT/$build
	tag=""
	[ "$build" = bin/san ] && tag=" [asan+ubsan]"
	for dir in "$ROOT"/tests/cases/*/; do
		[ -f "$dir/cmd" ] || continue
		name=$(basename "$dir")
		case $name in *"$pattern"*) ;; *) continue ;; esac
		run_case "$dir" "$bindir" "case $name$tag"
	done
	for src in "$ROOT"/tests/unit/*.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		case $name in *"$pattern"*) ;; *) continue ;; esac
		ubin=$ROOT/bin/test/$name
		[ "$build" = bin/san ] && ubin=$ROOT/bin/test/san-$name
		run_unit "$ubin" "unit $name$tag"
	done
	for script in "$ROOT"/tests/scripts/*.sh; do
		[ -f "$script" ] || continue
		name=$(basename "$script" .sh)
		case $name in *"$pattern"*) ;; *) continue ;; esac
		# slow end-to-end scripts run once, with the normal build
		case $name in e2e-*) [ "$build" = bin/san ] && continue ;; esac
		run_script "$script" "$bindir" "script $name$tag"
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
