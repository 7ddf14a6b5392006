#!/bin/sh
# write-if-changed.sh FILE: standard input to FILE, but only when it
# differs from what FILE holds, so that what depends on FILE is rebuilt
# only when its content changes (the settings and lists make rewrites on
# every run).  Two builds may run at once (the test suite's queues do),
# so the temporary file is this shell's own, FILE.tmp.PID; one that a
# killed build left behind is removed first, so an interrupted build
# leaves nothing in out/ after the next.
set -eu
f=${1:?usage: write-if-changed.sh FILE < content}

# Is process $1 gone?  A killed writer may not be reaped yet when the
# next build starts (its parent was killed too): a zombie is gone.
gone() {
	kill -0 "$1" 2>/dev/null || return 0
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ "$state" = Z ] || [ "$state" = X ]
}

for t in "$f".tmp.*; do
	[ -e "$t" ] || continue
	pid=${t##*.tmp.}
	case $pid in
	''|*[!0-9]*) rm -f "$t" ;;
	*) if gone "$pid"; then rm -f "$t"; fi ;;
	esac
done
cat > "$f.tmp.$$"
if cmp -s "$f.tmp.$$" "$f"; then
	rm -f "$f.tmp.$$"
else
	mv "$f.tmp.$$" "$f"
fi
