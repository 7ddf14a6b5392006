/* csvwrite.c: the canonical dialect out: comma, LF, minimal quoting. */
#include <string.h>

#include "nz.h"

static int
needs_quotes(const char *s, size_t len)
{
	size_t i;

	/* at the start of a file a reader would strip it as a byte-order mark */
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		return 1;
	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return 1;
	return 0;
}

void
nz_csv_field(FILE *f, const char *s, size_t len, int first)
{
	size_t i;

	if (!first)
		putc(',', f);
	if (!needs_quotes(s, len)) {
		fwrite(s, 1, len, f);
		return;
	}
	putc('"', f);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			putc('"', f);
		putc(s[i], f);
	}
	putc('"', f);
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
	putc('\n', f);
}

void
nz_csv_header(FILE *f, const char *const *cols, size_t n)
{
	nz_csv_fields(f, cols, n);
}
