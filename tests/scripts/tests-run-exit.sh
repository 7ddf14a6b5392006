#!/bin/sh
# tests-run-exit: the test runner's exit status is what CI and scripts
# trust: 0 when every test passed, 1 when one failed (also when it fails
# on one worker among several) or when no test matched; the last line is
# "N passed, N failed" either way.  Run on a scratch tree holding a copy
# of tests/run.sh and two cases, one passing and one failing.
set -u
cd "${ROOT:-.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests/cases/good-one" "$tmp/tests/cases/bad-one"
cp tests/run.sh "$tmp/tests/"
printf 'echo yes\n' >"$tmp/tests/cases/good-one/cmd"
printf 'yes\n' >"$tmp/tests/cases/good-one/stdout"
printf 'echo no\n' >"$tmp/tests/cases/bad-one/cmd"
printf 'yes\n' >"$tmp/tests/cases/bad-one/stdout"
bad=0
check() { # pattern jobs want-status want-last-line
	TEST_JOBS=$2 sh "$tmp/tests/run.sh" "$1" >"$tmp/log" 2>&1
	code=$?
	last=$(tail -n 1 "$tmp/log")
	if [ "$code" = "$3" ] && [ "$last" = "$4" ]; then
		echo "ok '$1' with $2 workers: exit $code, '$last'"
	else
		echo "not ok '$1' with $2 workers: exit $code, '$last' (want $3, '$4')"
		bad=1
	fi
}
check good-one 1 0 "2 passed, 0 failed"
check good-one 2 0 "2 passed, 0 failed"
check -one 1 1 "2 passed, 2 failed"
check -one 3 1 "2 passed, 2 failed"
check bad-one 2 1 "0 passed, 2 failed"
check no-such-test 2 1 "0 passed, 0 failed"
exit $bad
