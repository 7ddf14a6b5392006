/* text.c: growable strings, UTF-8 checks, trimming. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

void
nz_buf_add(nz_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) /* a call per field: skip it when it fits */
		nz_grow(&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
nz_buf_adds(nz_buf *b, const char *s)
{
	nz_buf_add(b, s, strlen(s));
}

void
nz_buf_addc(nz_buf *b, char c)
{
	nz_buf_add(b, &c, 1);
}

size_t
nz_fmt_uint(char out[NZ_UINT_BUF], unsigned long long v)
{
	char d[NZ_UINT_BUF], *p = d + sizeof d;
	size_t n;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	n = (size_t)(d + sizeof d - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

void
nz_buf_add_uint(nz_buf *b, unsigned long long v)
{
	char d[NZ_UINT_BUF];

	nz_buf_add(b, d, nz_fmt_uint(d, v));
}

void
nz_buf_printf(nz_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		nz_die(NZ_EXIT_DATA, "formatting failed");
	nz_grow(&b->s, &b->cap, b->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
nz_buf_clear(nz_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
nz_buf_free(nz_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

int
nz_utf8_valid(const char *str, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		unsigned long cp;

		/* most text is ASCII: skip it eight bytes at a time */
		while (i + 8 <= len) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3, cp = c & 0x07;
		else
			goto fail;
		if (n >= len - i)
			goto fail;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		/* overlong, surrogate or out of range */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			goto fail;
		i += n + 1;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}

static inline int
is_trim_space(const unsigned char *s, size_t avail, size_t *w)
{
	if (avail >= 1 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		*w = 1;
		return 1;
	}
	if (avail >= 2 && s[0] == 0xC2 && s[1] == 0xA0) { /* no-break space */
		*w = 2;
		return 1;
	}
	return 0;
}

char *
nz_trim(char *s)
{
	size_t len = strlen(s);

	return nz_trim_len(s, &len);
}

const char *
nz_trim_span(const char *s, size_t *lenp)
{
	size_t len = *lenp, start = 0, w;

	/* most values have nothing to trim: look at both ends first */
	if (len == 0 || ((unsigned char)s[0] > ' ' && (unsigned char)s[0] !=
	    0xC2 && (unsigned char)s[len - 1] > ' ' &&
	    (unsigned char)s[len - 1] != 0xA0))
		return s;
	while (start < len && is_trim_space((const unsigned char *)s + start,
	    len - start, &w))
		start += w;
	while (len > start) {
		if (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		    s[len - 1] == '\r' || s[len - 1] == '\n')
			len--;
		else if (len - start >= 2 && (unsigned char)s[len - 2] == 0xC2 &&
		    (unsigned char)s[len - 1] == 0xA0)
			len -= 2;
		else
			break;
	}
	*lenp = len - start;
	return s + start;
}

char *
nz_trim_len(char *s, size_t *lenp)
{
	const char *t = nz_trim_span(s, lenp);

	if (t > s) /* mostly nothing leads: skip the copy */
		memmove(s, t, *lenp);
	s[*lenp] = '\0';
	return s;
}

int
nz_strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
