#!/bin/sh
# chain-fault-dev-full: every program, given a valid small input, fails with
# "PROG: ...: No space left on device" and exit 1 when its output (standard
# output, or a --stats, --rejects or --unmapped file) is /dev/full; so do
# --help and --version.  Programs are those of filters/*.c that this build
# has, so new ones (audit, publish) are picked up as they appear.
set -u
cd "${ROOT:-.}"
. tests/lib/chain.sh

# full PROG ARG...: run with stdout on /dev/full unless an ARG names it
full() {
	prog=$1
	case " $* " in
	*" /dev/full "*) "$@" >/dev/null 2>"$work/err" </dev/null ;;
	*) "$@" >/dev/full 2>"$work/err" </dev/null ;;
	esac
	code=$?
	if [ "$code" -ne 1 ] ||
	    ! grep -q "^$prog: .*No space left on device" "$work/err"; then
		echo "FAIL: $* (exit $code)"
		sed 's/^/    /' "$work/err" | head -n 5
		bad=1
	fi
}

n="--profile $work/profile.json --key $work/test.key $work/export.csv"
m="--map $work/map.json --codes $P/codes"
for f in filters/*.c; do
	prog=$(basename "$f" .c)
	have "$prog" || continue
	full "$prog" --help
	full "$prog" --version
	case $prog in
	normalise)
		full normalise $n
		full normalise --stats /dev/full $n
		full normalise --rejects /dev/full $n ;;
	map-categories)
		full map-categories $m "$d/canonical.csv"
		full map-categories $m --stats /dev/full "$d/canonical.csv"
		full map-categories $m --unmapped /dev/full "$d/canonical.csv"
		full map-categories --suggest --codes "$P/codes" \
			"$d/canonical.csv" ;;
	bucket)
		full bucket "$d/mapped.csv"
		full bucket --stats /dev/full "$d/mapped.csv"
		full bucket --export-date 2000-01-01 --rejects /dev/full "$d/mapped.csv" ;;
	aggregate)
		full aggregate --profile "$work/profile.json" "$d/bucketed.csv"
		full aggregate --stats /dev/full "$d/bucketed.csv" ;;
	freeze)
		full freeze --split --history "$work/h.csv" "$d/bucketed.csv"
		full freeze --split --history /dev/full "$d/bucketed.csv"
		full freeze --split --history "$work/h.csv" --stats /dev/full \
			"$d/bucketed.csv"
		a="--assemble --plan $d/freeze-stats.json --suppress-stats \
			$d/suppress-stats.json --secondary-in $d/new-secondary-cells.csv"
		full freeze $a --secondary-cells "$work/s.csv" "$d/new-release.csv"
		full freeze $a --secondary-cells /dev/full "$d/new-release.csv"
		full freeze $a --secondary-cells "$work/s.csv" --stats /dev/full \
			"$d/new-release.csv" ;;
	suppress)
		full suppress "$d/cells.csv"
		full suppress --stats /dev/full "$d/cells.csv"
		full suppress --secondary-cells /dev/full "$d/cells.csv" ;;
	manifest)
		full manifest --agency northern --profile "$work/profile.json" \
			$(for s in $STAGES; do
				printf -- '--stage %s ' "$d/$s-stats.json"; done) \
			--release "$d/release.csv" ;;
	merge)
		full merge "$d"
		full merge --coverage /dev/full "$d"
		full merge --utility /dev/full "$d"
		s=$work/state
		mkdir -p "$s"
		full merge --state "$s" "$d" ;;
	diff-quarters)
		full diff-quarters "$d" ;;
	audit)
		full audit --secondary-cells "$d/secondary-cells.csv" \
		    "$d/release.csv" ;;
	agency-view)
		full agency-view --mapped "$d/mapped.csv" \
			--stage "$d/normalise-stats.json" \
			--unmapped "$d/unmapped.csv" --rejects "$d/rejects.csv" \
			"$d/cells.csv" ;;
	keygen)
		# its output is a new file, which /dev/full is not
		;;
	*)
		echo "note: $prog has only --help and --version checked here" ;;
	esac
done
exit $bad
