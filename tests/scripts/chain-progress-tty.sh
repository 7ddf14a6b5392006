#!/bin/sh
# chain-progress-tty: DESIGN §6, "long runs on a terminal show progress on
# stderr; never when stderr is not a tty".  Each streaming stage (normalise,
# map-categories, bucket, aggregate) runs on 66,000 rows (the sample's 20
# repeated), once with stderr on a terminal (script(1) gives it a pty) and
# once with stderr on a file.  On the terminal it must show "PROG: 65536
# rows" and clear that line before it ends; on the file, no progress at
# all; and standard output must be the same both ways.
set -u
cd "${ROOT:-.}"
. tests/lib/chain.sh

command -v script >/dev/null || { echo "script(1) not found (util-linux)"; exit 1; }

# repeat FILE: its header, then its rows over and over, 66,000 in all
repeat() {
	awk 'NR == 1 { print; next } { row[n++] = $0 }
	    END { for (i = 0; i < 66000; i++) print row[i % n] }' "$1"
}
repeat "$work/export.csv" > "$work/big-export.csv"
repeat "$d/canonical.csv" > "$work/big-canonical.csv"
repeat "$d/mapped.csv" > "$work/big-mapped.csv"
repeat "$d/bucketed.csv" > "$work/big-bucketed.csv"

# the programs by full path: script(1) runs its command through a shell
# that need not keep our PATH
bin=$(dirname "$(command -v normalise)")
bin=$(cd "$bin" && pwd)

# check NAME COMMAND: COMMAND's stdout goes to a file; its stderr once
# to a terminal, once to a file
check() {
	name=$1 cmd=$2
	script -qec "$cmd > '$work/tty.out'" /dev/null > "$work/tty.err" \
	    2>&1 </dev/null
	sh -c "$cmd > '$work/file.out' 2> '$work/file.err'" </dev/null
	if ! grep -q "$name: 65536 rows" "$work/tty.err"; then
		echo "FAIL: $name shows no progress on a terminal:"
		od -c "$work/tty.err" | head -n 5 | sed 's/^/    /'
		bad=1
	elif ! tr '\r' '\n' < "$work/tty.err" | awk -v p="$name" '
	    $0 ~ "^" p ": [0-9]+ rows$" { last = NR } { line[NR] = $0 }
	    END { exit !(last && line[last + 1] == sprintf("%40s", "")) }'
	then
		echo "FAIL: $name leaves its progress line on the terminal"
		bad=1
	fi
	if tr '\r' '\n' < "$work/file.err" | grep -q "^$name: [0-9]* rows$"
	then
		echo "FAIL: $name shows progress when stderr is a file:"
		sed 's/^/    /' "$work/file.err" | head -n 5
		bad=1
	fi
	if ! cmp -s "$work/tty.out" "$work/file.out"; then
		echo "FAIL: $name writes other output when stderr is a terminal"
		bad=1
	fi
}

check normalise "'$bin/normalise' --profile '$work/profile.json' \
--key '$work/test.key' '$work/big-export.csv'"
check map-categories "'$bin/map-categories' --map '$work/map.json' \
--codes '$P/codes' '$work/big-canonical.csv'"
check bucket "'$bin/bucket' --bands '$P/age-bands.json' '$work/big-mapped.csv'"
check aggregate "'$bin/aggregate' --tables '$P/tables.json' \
--codes '$P/codes' --bands '$P/age-bands.json' \
--profile '$work/profile.json' '$work/big-bucketed.csv'"
exit $bad
