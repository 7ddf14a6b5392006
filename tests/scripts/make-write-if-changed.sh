#!/bin/sh
# make-write-if-changed: pipelines/write-if-changed.sh, which writes the
# settings and lists make rewrites on every run, writes FILE only when
# its content changes (FILE untouched otherwise, so nothing depending on
# it is rebuilt), leaves no temporary file, and removes the temporary
# file a killed build left behind (FILE.tmp.PID, no such process
# running) while keeping one a running build is writing.  A build killed
# in that recipe once left out/national/settings.txt.tmp.PID, which the
# rerun kept (e2e-fault-kill).
set -u
cd "${ROOT:-.}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
w="sh pipelines/write-if-changed.sh"
f=$work/settings.txt
bad=0
fail() { echo "FAIL: $*"; bad=1; }

printf 'mode default\n' | $w "$f" || fail "first write: exit $?"
[ "$(cat "$f")" = "mode default" ] || fail "first write: $(cat "$f")"
touch -d '2020-01-01 00:00' "$f"
printf 'mode default\n' | $w "$f" || fail "same content: exit $?"
[ "$(date -r "$f" +%Y)" = 2020 ] || fail "the same content rewrote the file"
printf 'mode secure\n' | $w "$f" || fail "new content: exit $?"
[ "$(cat "$f")" = "mode secure" ] || fail "new content: $(cat "$f")"
[ "$(date -r "$f" +%Y)" != 2020 ] || fail "new content left the file's time"

# a killed writer's file (its process gone) and a running one's
sh -c 'exit 0' & dead=$!
wait "$dead"
sleep 60 & live=$!
printf 'half' > "$f.tmp.$dead"
printf 'half' > "$f.tmp.$live"
printf 'other\n' > "$f.tmp.x"
printf 'mode secure\n' | $w "$f" || fail "with temporary files: exit $?"
[ ! -e "$f.tmp.$dead" ] || fail "a killed build's temporary file was kept"
[ ! -e "$f.tmp.x" ] || fail "a temporary file of no process was kept"
[ -e "$f.tmp.$live" ] || fail "a running build's temporary file was removed"
kill "$live" 2>/dev/null
wait "$live" 2>/dev/null
rm -f "$f.tmp.$live"
left=$(ls "$work" | grep -v '^settings.txt$')
[ -z "$left" ] || fail "left in the folder: $left"
[ "$(cat "$f")" = "mode secure" ] || fail "after the clean-up: $(cat "$f")"

# no FILE argument: a usage error, nothing written
if printf 'x\n' | $w 2>"$work/err"; then fail "no FILE: exit 0"; fi
grep -q usage "$work/err" || fail "no FILE: $(cat "$work/err")"
rm -f "$work/err"
[ $bad = 0 ] && echo "ok: write-if-changed writes on change only and clears a killed build's temporary file"
exit $bad
