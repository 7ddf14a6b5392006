#!/bin/sh
# run.sh: each libFuzzer harness bin/fuzz/NAME for SECONDS, on a scratch
# corpus out/fuzz/NAME/corpus seeded from tests/fuzz/corpus/NAME (the
# committed seeds stay small; what the fuzzer learns stays in out/).
# A crash, invariant failure or hang is saved as out/fuzz/NAME/crash-*
# (or timeout-*); rerun bin/fuzz/NAME FILE to see its message.
# usage: tests/fuzz/run.sh SECONDS NAME...; exit 1 if any harness failed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
seconds=$1
shift
failed=0
for name in "$@"; do
	work=$ROOT/out/fuzz/$name
	mkdir -p "$work/corpus"
	cp "$ROOT/tests/fuzz/corpus/$name/"* "$work/corpus/" 2>/dev/null
	dict=
	[ -f "$ROOT/tests/fuzz/$name.dict" ] && dict=$ROOT/tests/fuzz/$name.dict
	echo "fuzz $name: ${seconds}s, log in out/fuzz/$name/log"
	# the library's messages would flood the log: close fd 2 (sanitizer
	# reports and libFuzzer's own output still come through)
	if "$ROOT/bin/fuzz/$name" -max_total_time="$seconds" -timeout=25 \
	    -close_fd_mask=2 -artifact_prefix="$work/" ${dict:+"-dict=$dict"} \
	    "$work/corpus" >"$work/log" 2>&1; then
		grep '^Done' "$work/log"
	else
		failed=$((failed + 1))
		echo "FAIL: fuzz $name"
		grep -v '^#' "$work/log" | tail -n 40 | sed 's/^/    /'
	fi
done
[ "$failed" -eq 0 ]
