/* csvwrite.c: the canonical dialect out: comma, LF, minimal quoting. */
#define _DEFAULT_SOURCE /* fwrite_unlocked (glibc, musl) */
#include <string.h>

#include "nz.h"

/* the bytes that make a field quoted */
static const unsigned char special[256] = {
	['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
};

static int
needs_quotes(const char *s, size_t len)
{
	size_t i;

	/* at the start of a file a reader would strip it as a byte-order mark */
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		return 1;
	for (i = 0; i < len; i++)
		if (special[(unsigned char)s[i]])
			return 1;
	return 0;
}

void
nz_csv_field(FILE *f, const char *s, size_t len, int first)
{
	size_t i;

	/* unlocked: a call per field, and every program is single-threaded */
	if (!first)
		putc_unlocked(',', f);
	if (!needs_quotes(s, len)) {
		fwrite_unlocked(s, 1, len, f);
		return;
	}
	putc_unlocked('"', f);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			putc_unlocked('"', f);
		putc_unlocked(s[i], f);
	}
	putc_unlocked('"', f);
}

void
nz_csv_fields(FILE *f, const char *const *fields, size_t n)
{
	size_t i;

	if (n == 1 && !fields[0][0])
		fputs("\"\"", f); /* a lone empty field: a blank line is skipped */
	else
		for (i = 0; i < n; i++)
			nz_csv_field(f, fields[i], strlen(fields[i]), i == 0);
	putc_unlocked('\n', f);
}

void
nz_csv_header(FILE *f, const char *const *cols, size_t n)
{
	nz_csv_fields(f, cols, n);
}
