#!/bin/sh
# write-if-changed.sh FILE: standard input to FILE, but only when it
# differs from what FILE holds, so that what depends on FILE is rebuilt
# only when its content changes (the settings and lists make rewrites on
# every run).  Two builds may run at once (the test suite's queues do),
# so the temporary file is this shell's own, FILE.tmp.PID; one that a
# killed build left behind (no process of that number running) is
# removed first, so an interrupted build leaves nothing in out/ after
# the next.
set -eu
f=${1:?usage: write-if-changed.sh FILE < content}
for t in "$f".tmp.*; do
	[ -e "$t" ] || continue
	kill -0 "${t##*.tmp.}" 2>/dev/null || rm -f "$t"
done
cat > "$f.tmp.$$"
if cmp -s "$f.tmp.$$" "$f"; then
	rm -f "$f.tmp.$$"
else
	mv "$f.tmp.$$" "$f"
fi
