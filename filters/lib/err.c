/* err.c: diagnostics in GNU style, exit codes, checked allocation. */
#define _DEFAULT_SOURCE /* madvise (glibc, musl) */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nz.h"

const char *nz_prog = "nz";

void
nz_setprog(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	static char out_buf[1 << 16];
	int fd;

	/* A standard descriptor closed by the caller ("prog >&-") is taken
	 * by /dev/null opened the wrong way round, so that its use still
	 * fails as on a closed one, and no file this program opens gets its
	 * number: else a side output (--worker, --rejects) opened as fd 1
	 * took the rows meant for stdout. */
	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) < 0)
			abort();   /* no /dev/null: nothing can be trusted */
	if (argv0)
		nz_prog = slash ? slash + 1 : argv0;
	/* 64 KiB writes into a pipe or file, not stdio's 4 KiB */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
	atexit(nz_stdout_atexit);
}

static void (*before_message)(void);

void
nz_before_message(void (*fn)(void))
{
	before_message = fn;
}

static void
vwarnat(const char *file, long line, const char *fmt, va_list ap)
{
	void (*before)(void) = before_message;

	if (before) {
		before_message = NULL;
		before();
		before_message = before;
	}
	fflush(stdout);
	fprintf(stderr, "%s: ", nz_prog);
	if (file && line > 0)
		fprintf(stderr, "%s:%ld: ", file, line);
	else if (file)
		fprintf(stderr, "%s: ", file);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
nz_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnat(NULL, 0, fmt, ap);
	va_end(ap);
}

void
nz_warnat(const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnat(file, line, fmt, ap);
	va_end(ap);
}

void
nz_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnat(NULL, 0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
nz_dieat(int code, const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnat(file, line, fmt, ap);
	va_end(ap);
	exit(code);
}

void
nz_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnat(NULL, 0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", nz_prog);
	exit(NZ_EXIT_USAGE);
}

#define QUOTE_MAX 40
#define QUOTE_SLOTS 8

const char *
nz_qn(const char *s, size_t len)
{
	/* rotating buffers: a message may quote several values */
	static char slots[QUOTE_SLOTS][QUOTE_MAX * 4 + 8];
	static unsigned next;
	char *out = slots[next++ % QUOTE_SLOTS], *o = out;
	size_t i, cut = len;

	if (cut > QUOTE_MAX) {
		cut = QUOTE_MAX;
		/* never cut a UTF-8 sequence in two */
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
	}
	*o++ = '\'';
	for (i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t seq = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (c < 0x20 || c == 0x7F)
			o += sprintf(o, "\\x%02X", c);
		else if (c >= 0x80 && (seq > cut - i ||
		    !nz_utf8_valid(s + i, seq, NULL)))
			/* a message about bad UTF-8 must not hold bad UTF-8 */
			o += sprintf(o, "\\x%02X", c);
		else if (c >= 0x80) {
			memcpy(o, s + i, seq);
			o += seq;
			i += seq - 1;
		} else
			*o++ = (char)c;
	}
	*o++ = '\'';
	if (cut < len)
		o += sprintf(o, "...");
	*o = '\0';
	return out;
}

const char *
nz_q(const char *s)
{
	return nz_qn(s, strlen(s));
}

/* A new block of HUGE_MIN or more (aggregate's clients and their hash)
 * asks Linux for 2 MiB pages, where the kernel leaves that to the
 * program (transparent_hugepage "madvise"), before anything touches it:
 * a page fault and a TLB entry then cover 512 times as much.  Only the
 * whole 2 MiB pages inside the block are asked for; smaller blocks,
 * other systems and a kernel that says no keep their pages. */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HUGE_MIN ((size_t)4 << 20)

static void
huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t from, to;

	if (n < HUGE_MIN)
		return;
	from = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	to = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
	if (from < to)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

static void *
checked(void *p)
{
	if (!p)
		nz_die(NZ_EXIT_DATA, "out of memory");
	return p;
}

void *
nz_malloc(size_t n)
{
	void *p = checked(malloc(n ? n : 1));

	huge(p, n);
	return p;
}

void *
nz_calloc(size_t n, size_t size)
{
	void *p = checked(calloc(n ? n : 1, size ? size : 1));

	/* calloc checked n * size for overflow */
	huge(p, n * size);
	return p;
}

void *
nz_realloc(void *p, size_t n)
{
	return checked(realloc(p, n ? n : 1));
}

char *
nz_strdup(const char *s)
{
	return nz_strndup(s, strlen(s));
}

char *
nz_strndup(const char *s, size_t n)
{
	char *d = nz_malloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Objects a program builds from its configuration and keeps to the end:
 * held here from when they are made until they are freed, so that an exit
 * on an error path, from however deep, leaves nothing that LeakSanitizer
 * could call leaked.  Without this its verdict would hang on whether the
 * compiler happened to leave a pointer on the stack.  (A fixed 256 of
 * them stopped merge at the 257th release.) */
static const void **held;      /* as many as there are: merge holds */
static size_t nheld, heldcap;   /* each release it reads */

void
nz_hold(const void *p)
{
	nz_grow(&held, &heldcap, nheld + 1, sizeof *held);
	held[nheld++] = p;
}

void
nz_drop(const void *p)
{
	size_t i;

	for (i = nheld; p && i-- > 0;)
		if (held[i] == p) {
			held[i] = held[--nheld];
			return;
		}
}

void
nz_grow(void *bufp, size_t *cap, size_t need, size_t elem)
{
	void **buf = bufp;
	size_t ncap = *cap ? *cap : 16;

	if (need <= *cap)
		return;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			nz_die(NZ_EXIT_DATA, "out of memory");
		ncap *= 2;
	}
	if (ncap * elem < HUGE_MIN) {
		*buf = nz_realloc(*buf, ncap * elem);
	} else {
		/* realloc would copy into pages faulted one by one (or
		 * remap them, which an advised block cannot) */
		void *p = nz_malloc(ncap * elem);
		if (*cap)
			memcpy(p, *buf, *cap * elem);
		free(*buf);
		*buf = p;
	}
	*cap = ncap;
}
