#!/bin/sh
# aggregate-thread-errors: an error on aggregate's second thread (--jobs 2)
# never ends the process from that thread.  With every allocation outside
# the main thread failing (a preloaded malloc, calloc and realloc), the
# second thread can take no work: the main thread does it all, and the
# cells are --jobs 1's, exit 0, nothing on stderr.  (An nz_die on the
# second thread exited under the main thread's writing: "out of memory",
# sometimes twice, and a period, even a line, cut short.)
# The plain build only: a preloaded allocator and ASan's cannot be mixed.
set -eu
cd "${ROOT:-.}"
BIN=${BIN:-bin}
case $BIN in */san) echo "ok # skip: not under the sanitizers"; exit 0 ;; esac
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

cat > "$t/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static int other(void) { return syscall(SYS_gettid) != getpid(); }
void *malloc(size_t n)
{ if (other()) { errno = ENOMEM; return NULL; } return __libc_malloc(n); }
void *calloc(size_t n, size_t s)
{ if (other()) { errno = ENOMEM; return NULL; } return __libc_calloc(n, s); }
void *realloc(void *p, size_t n)
{ if (other()) { errno = ENOMEM; return NULL; } return __libc_realloc(p, n); }
EOF
if ! ${CC:-cc} -shared -fPIC -O1 -o "$t/shim.so" "$t/shim.c" 2>"$t/cc.err"
then
	echo "ok # skip: no shared object could be built"
	exit 0
fi

# six quarters, some of them over a 32 KiB spool block
python3 tests/lib/cells.py gen 31 12000 > "$t/events.csv"
"$BIN/aggregate" --jobs 1 "$t/events.csv" > "$t/one.csv"
code=0
LD_PRELOAD=$t/shim.so "$BIN/aggregate" --jobs 2 "$t/events.csv" \
	> "$t/two.csv" 2> "$t/err" || code=$?
if [ "$code" -ne 0 ] || [ -s "$t/err" ]; then
	echo "FAIL: --jobs 2 with no allocation on the second thread: exit $code"
	head -n 5 "$t/err"
	exit 1
fi
cmp "$t/one.csv" "$t/two.csv"
echo "ok aggregate --jobs 2: no allocation on the second thread, the cells of --jobs 1"
