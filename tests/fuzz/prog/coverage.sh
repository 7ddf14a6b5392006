#!/bin/sh
# coverage.sh: line coverage that the corpus of each AFL++ harness reaches:
# builds the driver with gcc --coverage in out/fuzz/cov, replays
# out/fuzz/prog-NAME/afl/default/queue and prints gcov's summary for each
# source file the corpus reaches.
# usage: tests/fuzz/prog/coverage.sh NAME...   (after tests/fuzz/prog/run.sh)
set -eu
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
cov=$ROOT/out/fuzz/cov
for name in "$@"; do
	rm -rf "$cov/$name"
	mkdir -p "$cov/$name/obj" "$cov/$name/scratch"
	objs=
	for src in filters/normalise.c filters/map-categories.c filters/bucket.c \
	    filters/aggregate.c filters/suppress.c filters/merge.c \
	    filters/audit.c filters/lib/*.c; do
		p=$(basename "$src" .c)
		case $src in filters/lib/*) o=lib-$p; def= ;;
		*) o=$p; def=-Dmain=nzmain_$(echo "$p" | tr - _) ;; esac
		gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Ifilters/lib -O0 \
		    --coverage $def -c -o "$cov/$name/obj/$o.o" "$src"
		objs="$objs $cov/$name/obj/$o.o"
	done
	# shellcheck disable=SC2086
	gcc --coverage -std=c11 -D_POSIX_C_SOURCE=200809L -o "$cov/$name/driver" \
	    tests/fuzz/prog/driver.c $objs -lcsv -ljansson -lsodium -lglpk -lm
	for f in out/fuzz/prog-"$name"/afl/default/queue/id:*; do
		NZ_FUZZ_WORK=$cov/$name/scratch NZ_FUZZ_KEYS=out/fuzz/keys \
		    timeout 10 "$cov/$name/driver" "$name" "$f" \
		    >/dev/null 2>&1 || :
	done
	echo "coverage of the $name corpus (lines executed):"
	(cd "$cov/$name/obj" && gcov -n ./*.gcda 2>/dev/null) |
	    awk '
	    /^File / { file = $2; gsub(/\047/, "", file) }
	    /^Lines executed/ && file ~ /^filters\// {
		split($2, a, ":")
		if (a[2] + 0 > 0)
			printf "  %-28s %6.2f%% of %d\n", file, a[2], $4
		file = ""
	    }'
done
