#!/bin/sh
# make-write-if-changed: pipelines/write-if-changed.sh, which writes the
# settings and lists make rewrites on every run, writes FILE only when
# its content changes (FILE untouched otherwise, so nothing depending on
# it is rebuilt), leaves no temporary file, and removes the temporary
# file a killed build left behind (FILE.tmp.PID, no such process
# running, or only a zombie not yet reaped) while keeping one a running
# build is writing.  A build killed in that recipe once left
# out/national/settings.txt.tmp.PID, which the rerun kept
# (e2e-fault-kill).
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

# a killed writer's file (its process gone), one whose writer is a
# zombie nobody has reaped yet (as right after a build is killed), and
# a running one's
sh -c 'exit 0' & dead=$!
wait "$dead"
sh -c 'sleep 0 & echo $! > "$1"; exec sleep 30' sh "$work/zpid" & zparent=$!
sleep 60 & live=$!
n=0
while [ ! -s "$work/zpid" ] && [ $n -lt 200 ]; do sleep 0.01; n=$((n + 1)); done
zombie=$(cat "$work/zpid")
rm -f "$work/zpid"
n=0
while [ "$(sed 's/.*) //' "/proc/$zombie/stat" 2>/dev/null | cut -c1)" != Z ] &&
    [ $n -lt 200 ]; do sleep 0.01; n=$((n + 1)); done
printf 'half' > "$f.tmp.$dead"
printf 'half' > "$f.tmp.$zombie"
printf 'half' > "$f.tmp.$live"
printf 'other\n' > "$f.tmp.x"
printf 'mode secure\n' | $w "$f" || fail "with temporary files: exit $?"
[ ! -e "$f.tmp.$dead" ] || fail "a killed build's temporary file was kept"
[ ! -e "$f.tmp.$zombie" ] || fail "a zombie writer's temporary file was kept"
[ ! -e "$f.tmp.x" ] || fail "a temporary file of no process was kept"
[ -e "$f.tmp.$live" ] || fail "a running build's temporary file was removed"
kill "$live" "$zparent" 2>/dev/null
wait "$live" "$zparent" 2>/dev/null
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
