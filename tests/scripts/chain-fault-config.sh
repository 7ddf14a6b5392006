#!/bin/sh
# chain-fault-config: a configuration file that is missing, unreadable or
# malformed (key, profile, map, code list, reference table, age bands,
# table spec, rules, stage stats, manifest, policy events, hex key; and a
# workbook export) is an error naming it:
# exit 1 and a message "PROG: ...PATH..." on standard error.  Tests run as
# root, where chmod 000 does not stop reading: then "unreadable" is a
# directory where the file should be (read fails with EISDIR); as another
# user it is also a chmod 000 copy.
set -u
cd "${ROOT:-.}"
. tests/lib/chain.sh
cfg=$work/cfg
mkdir -p "$cfg"

# run PATH CMD...: CMD with every @F@ in its arguments replaced by PATH
run() {
	f=$1
	shift
	for a do
		shift
		case $a in *@F@*) a="${a%%@F@*}$f${a#*@F@}" ;; esac
		set -- "$@" "$a"
	done
	"$@" >/dev/null 2>"$work/err" </dev/null
}

# expect HOW PATH CMD...: exit 1 and a message from CMD naming PATH
expect() {
	how=$1 f=$2
	shift 2
	run "$f" "$@"
	code=$?
	if [ "$code" -ne 1 ] || ! grep -qF "$f" "$work/err" ||
	    ! grep -q "^$1: " "$work/err"; then
		echo "FAIL ($how $f): $* (exit $code)"
		sed 's/^/    /' "$work/err" | head -n 5
		bad=1
	fi
}

# damage KIND GOOD NAME: a damaged copy of GOOD at $cfg/NAME; prints its path
damage() {
	p=$cfg/$3
	rm -rf "$p"
	case $1 in
	missing) ;;
	directory) mkdir -p "$p" ;;
	unreadable) cp "$2" "$p"; chmod 000 "$p" ;;
	truncated) head -c $(($(wc -c < "$2") / 2)) "$2" > "$p"
		chmod 600 "$p" ;; # a key must be 0600 to be read at all
	esac
	echo "$p"
}

kinds="missing directory truncated"
[ "$(id -u)" -ne 0 ] && kinds="$kinds unreadable"

# check PROG GOOD NAME CMD...: CMD (@F@ for the file) with each damage
check() {
	prog=$1 good=$2 name=$3
	shift 3
	have "$prog" || return 0
	run "$good" "$@" || { echo "FAIL (good file): $*"; cat "$work/err"; bad=1; }
	for kind in $kinds; do
		expect "$kind" "$(damage "$kind" "$good" "$name")" "$@"
	done
}

# a code-list directory with one list damaged (or not a directory)
codes_check() {
	prog=$1
	shift
	have "$prog" || return 0
	for kind in $kinds; do
		rm -rf "$cfg/codes"
		cp -r "$P/codes" "$cfg/codes"
		damage "$kind" "$P/codes/region.json" codes/region.json >/dev/null
		expect "$kind" "$cfg/codes/region.json" "$@"
	done
	rm -rf "$cfg/codes"
	echo '{}' > "$cfg/codes"
	expect "file-for-directory" "$cfg/codes" "$@"
	rm -f "$cfg/codes"
	expect "missing" "$cfg/codes" "$@"
}

prof=$work/profile.json
ex=$work/export.csv
stages() {
	for s in $STAGES; do
		printf -- '--stage %s ' "$d/$s-stats.json"
	done
}

check normalise "$prof" profile.json normalise --profile @F@ \
	--key "$work/test.key" "$ex"
check normalise "$work/test.key" test.key normalise --profile "$prof" \
	--key @F@ "$ex"
check map-categories "$work/map.json" map.json map-categories --map @F@ \
	--codes "$P/codes" "$d/canonical.csv"
codes_check map-categories map-categories --map "$work/map.json" \
	--codes "$cfg/codes" "$d/canonical.csv"
# a reference table a map uses (its folder is --reference)
printf '{"agency": "northern", "use": {"region": ["towns"]}, "fields": {}}\n' \
  > "$work/usemap.json"
cp "$P/reference/towns.json" "$cfg/towns.json"
check map-categories "$P/reference/towns.json" towns.json map-categories \
	--map "$work/usemap.json" --codes "$P/codes" --reference "$cfg" \
	"$d/canonical.csv"
# a workbook export, damaged as a configuration file is (the good copy
# is not the one damaged, or "truncated" would cut a missing file)
check normalise tests/workbooks/visits.xlsx visits.xlsx normalise --profile \
	tests/cases/normalise-xlsx-damaged/profile.json --key "$work/test.key" \
	--max-reject 100 @F@
check bucket "$P/age-bands.json" age-bands.json bucket --bands @F@ \
	"$d/mapped.csv"
check aggregate "$P/tables.json" tables.json aggregate --tables @F@ \
	"$d/bucketed.csv"
check aggregate "$P/age-bands.json" age-bands.json aggregate --bands @F@ \
	"$d/bucketed.csv"
check aggregate "$prof" profile.json aggregate --profile @F@ \
	"$d/bucketed.csv"
codes_check aggregate aggregate --codes "$cfg/codes" "$d/bucketed.csv"
check suppress "$P/rules/statsnz.json" rules.json suppress --rules @F@ \
	"$d/cells.csv"
# freeze --split on a state reads what the release is made with, and
# bucket's window; --assemble its plan and suppress's stats
fs="freeze --split --state $work/fstate --history $work/h.csv --stats $work/p.json"
fk="--key-stats $d/normalise-stats.json"
# bucket's window, the export taken the day after its last quarter
q=$(tail -n +2 "$d/bucketed.csv" | cut -d, -f2 | sort | tail -n 1)
printf '{"window": {"export_date": "2030-01-01", "through": "%s"}}\n' "$q" \
	> "$work/window.json"
check freeze "$prof" profile.json $fs $fk --profile @F@ "$d/bucketed.csv"
check freeze "$d/normalise-stats.json" normalise-stats.json $fs \
	--key-stats @F@ --profile "$prof" "$d/bucketed.csv"
check freeze "$P/rules/statsnz.json" rules.json $fs $fk --profile "$prof" \
	--rules @F@ "$d/bucketed.csv"
check freeze "$P/tables.json" tables.json $fs $fk --profile "$prof" \
	--tables @F@ "$d/bucketed.csv"
check freeze "$P/age-bands.json" age-bands.json $fs $fk --profile "$prof" \
	--bands @F@ "$d/bucketed.csv"
codes_check freeze $fs $fk --profile "$prof" --codes "$cfg/codes" \
	"$d/bucketed.csv"
check freeze "$work/window.json" window.json freeze --split \
	--window @F@ --history "$work/h.csv" "$d/bucketed.csv"
fa="freeze --assemble --secondary-in $d/new-secondary-cells.csv --secondary-cells $work/s.csv"
check freeze "$d/freeze-stats.json" freeze-stats.json $fa --plan @F@ \
	--suppress-stats "$d/suppress-stats.json" "$d/new-release.csv"
check freeze "$d/suppress-stats.json" suppress-stats.json $fa \
	--plan "$d/freeze-stats.json" --suppress-stats @F@ "$d/new-release.csv"
check audit "$P/rules/statsnz.json" rules.json audit --rules @F@ \
	--secondary-cells "$d/secondary-cells.csv" "$d/release.csv"
m="manifest --agency northern --release $d/release.csv"
check manifest "$prof" profile.json $m $(stages) --profile @F@
check manifest "$P/rules/statsnz.json" rules.json $m $(stages) --rules @F@
check manifest "$P/tables.json" tables.json $m $(stages) --tables @F@
check manifest "$P/age-bands.json" age-bands.json $m $(stages) --bands @F@
check manifest "$d/assemble-stats.json" assemble-stats.json $m \
	--stage "$d/normalise-stats.json" --stage "$d/map-stats.json" \
	--stage "$d/bucket-stats.json" --stage "$d/freeze-stats.json" \
	--stage "$d/aggregate-stats.json" --stage "$d/suppress-stats.json" \
	--stage @F@
codes_check manifest $m $(stages) --codes "$cfg/codes"
check diff-quarters "$P/policy-events.csv" events.csv diff-quarters \
	--events @F@ "$d"
printf 'date,title,url\n2024-04-01,"Half a title\n' > "$cfg/events-cut.csv"
expect malformed "$cfg/events-cut.csv" diff-quarters --events @F@ "$d"

# a release folder whose manifest.json or intervals.csv is damaged, and a
# national state whose received.csv is (missing is fine there: nothing
# received yet)
for prog in merge diff-quarters; do
	have "$prog" || continue
	for kind in $kinds; do
		rm -rf "$cfg/rel"
		mkdir -p "$cfg/rel"
		cp "$d/release.csv" "$d/intervals.csv" "$cfg/rel/"
		damage "$kind" "$d/manifest.json" rel/manifest.json >/dev/null
		expect "$kind" "$cfg/rel/manifest.json" "$prog" "$cfg/rel"
		rm -rf "$cfg/rel/manifest.json"
		cp "$d/manifest.json" "$cfg/rel/"
		damage "$kind" "$d/intervals.csv" rel/intervals.csv >/dev/null
		expect "$kind" "$cfg/rel/intervals.csv" "$prog" "$cfg/rel"
	done
	rm -rf "$cfg/state"
	mkdir -p "$cfg/state"
	"$prog" --state "$cfg/state" "$d" >/dev/null 2>"$work/err" ||
		{ echo "FAIL: $prog --state"; cat "$work/err"; bad=1; }
	for kind in $kinds; do
		[ "$kind" = missing ] && continue
		damage "$kind" "$cfg/state/received.csv" state/received.csv.bad \
			>/dev/null
		mkdir -p "$cfg/state2"
		rm -rf "$cfg/state2/received.csv"
		mv "$cfg/state/received.csv.bad" "$cfg/state2/received.csv"
		expect "$kind" "$cfg/state2/received.csv" "$prog" \
			--state "$cfg/state2" "$d"
	done
done

# keygen --from-hex: the hex file
printf '%064d\n' 0 > "$cfg/good.hex"
for kind in $kinds; do
	rm -f "$cfg/new.key"
	expect "$kind" "$(damage "$kind" "$cfg/good.hex" key.hex)" \
		keygen --from-hex @F@ "$cfg/new.key"
done
exit $bad
