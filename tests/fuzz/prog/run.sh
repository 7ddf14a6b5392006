#!/bin/sh
# run.sh: each AFL++ harness of the programs (driver.c) for SECONDS, one
# afl-fuzz at a time on one core, niced, on bin/afl/fuzz-progs (UBSan);
# then every input afl-fuzz kept is replayed under ASan+UBSan
# (bin/afl/fuzz-progs-asan).  Work in out/fuzz/prog-NAME/:
#   afl/default/queue     the corpus (a rerun starts from it and the seeds;
#                         the previous run stays in afl.prev)
#   afl/default/crashes   inputs that killed the program (a sanitizer
#   afl/default/hangs     abort, a signal) or ran past the time limit
#   scratch/              the files the driver writes for each run
#   asan.log              what the ASan+UBSan replay found
# The seeds are tests/fuzz/prog/corpus/NAME; the first byte of each input
# picks the configuration (see driver.c).  To replay a finding:
#   NZ_FUZZ_WORK=/tmp NZ_FUZZ_KEYS=out/fuzz/keys \
#       bin/afl/fuzz-progs-asan NAME FILE
# usage: tests/fuzz/prog/run.sh SECONDS NAME...; exit 1 on any finding.
set -u
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT" || exit 1
seconds=$1
shift
# the sample agencies' demo keys
keys=$ROOT/out/fuzz/keys
mkdir -p -m 700 "$keys"
for hex in sample-data/*/DEMO-KEY.hex; do
	a=$(basename "$(dirname "$hex")")
	[ -s "$keys/$a.key" ] || bin/keygen --from-hex "$hex" "$keys/$a.key" ||
		exit 1
done
# a sanitizer finding must abort, so that afl-fuzz sees a crash
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0:print_stacktrace=1
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CRASHES=1
# a key that is no demo key, for the workbook profiles of fixtures/
[ -s "$keys/fuzz.key" ] || printf '%s\n' \
  0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef |
  bin/keygen --from-hex - "$keys/fuzz.key" || exit 1
export NZ_FUZZ_KEYS=$keys
failed=0
for name in "$@"; do
	work=$ROOT/out/fuzz/prog-$name
	mkdir -p "$work/scratch"
	# inputs: the committed seeds and what the last run learnt (afl-fuzz's
	# own resume would ignore seeds added since)
	rm -rf "$work/in"
	mkdir -p "$work/in"
	cp "tests/fuzz/prog/corpus/$name/"* "$work/in/"
	if [ -d "$work/afl/default/queue" ]; then
		cp "$work"/afl/default/queue/id:* "$work/in/" 2>/dev/null
		rm -rf "$work/afl.prev"
		mv "$work/afl" "$work/afl.prev"
	fi
	case $name in
	configs|reference) dicts="-x tests/fuzz/prog/configs.dict -x tests/fuzz/json.dict" ;;
	normalise-xlsx) dicts="-x tests/fuzz/xlsx.dict" ;;
	normalise-xls) dicts="" ;;
	merge) dicts="-x tests/fuzz/prog/configs.dict -x tests/fuzz/prog/data.dict" ;;
	*) dicts="-x tests/fuzz/csv.dict -x tests/fuzz/prog/data.dict" ;;
	esac
	echo "fuzz $name (AFL++): ${seconds}s, log in out/fuzz/prog-$name/log"
	# shellcheck disable=SC2086
	NZ_FUZZ_WORK=$work/scratch nice -n 10 afl-fuzz -V "$seconds" -m none \
	    -t 2000 -i "$work/in" -o "$work/afl" $dicts \
	    -- bin/afl/fuzz-progs "$name" @@ >"$work/log" 2>&1
	code=$?
	stats=$work/afl/default/fuzzer_stats
	if [ ! -f "$stats" ]; then
		failed=$((failed + 1))
		echo "FAIL: fuzz $name: afl-fuzz exit $code"
		tail -n 20 "$work/log" | sed 's/^/    /'
		continue
	fi
	stat() { sed -n "s/^$1 *: //p" "$stats"; }
	echo "  $(stat execs_done) execs ($(stat execs_per_sec)/s)," \
	    "$(stat edges_found) edges ($(stat bitmap_cvg) of the map)," \
	    "$(stat corpus_count) in the corpus," \
	    "$(stat saved_crashes) crashes and $(stat saved_hangs) hangs saved"
	# every input kept, crash and hang, under ASan+UBSan: a signal or
	# more than 10 s is a finding (a crash already fixed in the sources
	# passes: the binaries are those of the current sources)
	: >"$work/asan.log"
	n=0
	for f in "$work"/afl/default/queue/id:* "$work"/afl/default/crashes/id:* \
	    "$work"/afl/default/hangs/id:*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		NZ_FUZZ_WORK=$work/scratch timeout 10 bin/afl/fuzz-progs-asan \
		    "$name" "$f" >/dev/null 2>"$work/asan.err"
		code=$?
		if [ "$code" -gt 128 ] || [ "$code" -eq 124 ] || [ "$code" -eq 3 ]; then
			echo "$f: exit $code" >>"$work/asan.log"
			grep -E 'ERROR|runtime error|SUMMARY' "$work/asan.err" |
			    head -n 3 >>"$work/asan.log"
		fi
	done
	found=$(grep -c ': exit' "$work/asan.log")
	echo "  replayed $n inputs under ASan+UBSan: $found findings"
	if [ "$found" -gt 0 ]; then
		failed=$((failed + 1))
		echo "FAIL: fuzz $name: see out/fuzz/prog-$name/asan.log"
		head -n 30 "$work/asan.log" | sed 's/^/    /'
	fi
done
[ "$failed" -eq 0 ]
