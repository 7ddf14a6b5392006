/* csv.c: the text exports.  Rows are built in UTF-8 in the agency's
 * dialect (delimiter, quoting, line end) and encoded on the way out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* ------------------------------------------------------ encoders */

/* Decodes one character of our own (valid) UTF-8 literals. */
static uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	if (extra)
		c &= 0x3fu >> extra;
	for (int i = 1; i <= extra; i++)
		c = (c << 6) | (s[i] & 0x3fu);
	*p = s + 1 + extra;
	return c;
}

static int cp1252_byte(uint32_t c)
{
	if (c < 0x80 || (c >= 0xa0 && c <= 0xff))
		return (int)c;
	switch (c) {
	case 0x20ac: return 0x80;
	case 0x2018: return 0x91;
	case 0x2019: return 0x92;
	case 0x201c: return 0x93;
	case 0x201d: return 0x94;
	case 0x2013: return 0x96;
	case 0x2014: return 0x97;
	}
	/* a table holds a character this CMS cannot store */
	die("internal error: character has no windows-1252 byte");
}

static void put_utf16le(FILE *f, uint32_t c)
{
	if (c >= 0x10000) {
		c -= 0x10000;
		put_utf16le(f, 0xd800 | (c >> 10));
		put_utf16le(f, 0xdc00 | (c & 0x3ff));
		return;
	}
	putc((int)(c & 0xff), f);
	putc((int)(c >> 8), f);
}

static void put_encoded(FILE *f, enum encoding enc, const char *s, size_t n)
{
	if (enc == ENC_UTF8 || enc == ENC_UTF8_BOM) {
		fwrite(s, 1, n, f);
		return;
	}
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint32_t c = utf8_next(&p);
		if (enc == ENC_CP1252)
			putc(cp1252_byte(c), f);
		else
			put_utf16le(f, c);
	}
}

static void put_bom(FILE *f, enum encoding enc)
{
	if (enc == ENC_UTF8_BOM)
		fputs("\xef\xbb\xbf", f);
	else if (enc == ENC_UTF16LE)
		put_utf16le(f, 0xfeff);
}

/* ------------------------------------------------------ lines */

static void line_raw(struct line *l, const char *s, size_t n)
{
	if (l->len + n > l->cap) {
		while (l->len + n > l->cap)
			l->cap = l->cap ? 2 * l->cap : 1024;
		l->buf = xrealloc(l->buf, l->cap);
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* Minimal quoting (delimiter, quote, CR, LF), or always when forced. */
static void line_field(struct line *l, const char *v, int force_quote)
{
	const char specials[] = {l->dialect->delim, '"', '\r', '\n', '\0'};
	size_t n = strcspn(v, specials);
	if (!force_quote && !v[n]) {
		line_raw(l, v, n);
		return;
	}
	line_raw(l, "\"", 1);
	for (const char *q; (q = strchr(v, '"')); v = q + 1) {
		line_raw(l, v, (size_t)(q - v + 1));
		line_raw(l, "\"", 1); /* an inner quote is doubled */
	}
	line_raw(l, v, strlen(v));
	line_raw(l, "\"", 1);
}

/* One record.  Where the CMS quotes text (Access, the CRM), every column
 * is quoted except those in the dialect's mask. */
void line_record(struct line *l, const char *const *field, int n)
{
	for (int i = 0; i < n; i++) {
		if (i > 0)
			line_raw(l, &l->dialect->delim, 1);
		line_field(l, field[i], l->dialect->quote_text
			&& !(l->dialect->unquoted & COL(i)));
	}
}

static void line_emit(struct line *l, FILE *f)
{
	line_raw(l, l->dialect->eol, strlen(l->dialect->eol));
	put_encoded(f, l->dialect->encoding, l->buf, l->len);
	l->len = 0;
}

/* A header quotes every name where the CMS quotes text. */
static void write_header(struct line *l, const char *const *name, FILE *f)
{
	int n = 0;
	while (name[n])
		n++;
	for (int i = 0; i < n; i++) {
		if (i > 0)
			line_raw(l, &l->dialect->delim, 1);
		line_field(l, name[i], l->dialect->quote_text);
	}
	line_emit(l, f);
}

/* ------------------------------------------------------ files */

static void seed_format(struct rng *fmt, const struct agency *ag)
{
	rng_seed(fmt, hash_name(ag->code) ^ 0x5851f42d4c957f2du);
}

void write_export(const struct sample *s, FILE *f)
{
	const struct agency *ag = s->ag;
	struct line l = {.dialect = &ag->dialect};
	struct rng fmt;
	seed_format(&fmt, ag);
	put_bom(f, ag->dialect.encoding);
	for (const char *const *p = ag->preamble; p && *p; p++) {
		line_raw(&l, *p, strlen(*p));
		line_emit(&l, f);
	}
	write_header(&l, ag->header, f);
	for (size_t i = 0; i < s->n_ev; i++) {
		const struct event *e = &s->ev[i];
		const struct client *c = &s->cl[e->client];
		struct row_ctx rc = {ag, s, &s->hh[c->household], c, e, NULL,
			&fmt};
		ag->row(&l, &rc);
		line_emit(&l, f);
	}
	if (ag->trailer) {
		char total[64];
		snprintf(total, sizeof total, "Total records: %zu", s->n_ev);
		line_raw(&l, total, strlen(total));
		line_emit(&l, f);
	}
	free(l.buf);
}

void write_assessments(const struct sample *s, FILE *f)
{
	const struct agency *ag = s->ag;
	struct line l = {.dialect = &ag->assess_dialect};
	struct rng fmt;
	seed_format(&fmt, ag);
	put_bom(f, ag->assess_dialect.encoding);
	write_header(&l, ag->assess_header, f);
	for (size_t i = 0; i < s->n_as; i++) {
		const struct assessment *a = &s->as[i];
		const struct client *c = a->client == SIZE_MAX ? NULL
			: &s->cl[a->client];
		struct row_ctx rc = {ag, s, c ? &s->hh[c->household] : NULL,
			c, NULL, a, &fmt};
		ag->assess_row(&l, &rc);
		line_emit(&l, f);
	}
	free(l.buf);
}

/* ------------------------------------------------------ benchmark
 * No tables in memory: a client and its household are a pure function of
 * the client number, so any number of rows streams in constant space. */

static void bench_people(const struct agency *ag, unsigned no,
	struct household *h, struct client *c)
{
	struct rng r;
	rng_seed(&r, (uint64_t)(no / 2) << 1); /* two clients a household */
	make_household(&r, ag, no / 2 + 1, h);
	rng_seed(&r, (uint64_t)no << 1 | 1);
	make_client(&r, ag, ag->first_client_no + no, 0, h, c);
}

void write_bench(unsigned long long rows, FILE *f)
{
	const struct agency *ag = &agencies[0];
	long first = day_of(ag->first), policy = days_from_civil(POLICY_YMD);
	long span = day_of(ag->last) - first + 1;
	unsigned n_clients = (unsigned)(rows / 3 + 1);
	struct line l = {.dialect = &ag->dialect};
	struct rng r, fmt;
	rng_seed(&r, hash_name("bench"));
	rng_seed(&fmt, hash_name("bench-format"));
	put_bom(f, ag->dialect.encoding);
	write_header(&l, ag->header, f);
	for (unsigned long long i = 0; i < rows; i++) {
		struct household h;
		struct client c;
		struct episode ep;
		struct event e = {0};
		bench_people(ag, rng_below(&r, n_clients), &h, &c);
		e.day = first + (long)(i * (unsigned long long)span / rows);
		e.region = h.region;
		e.household = h.type;
		e.housing = h.housing;
		begin_episode(&r, ag, e.day, policy, &c, &ep);
		fill_visit(&r, ag, policy, &c, &ep, &e);
		struct row_ctx rc = {ag, NULL, &h, &c, &e, NULL, &fmt};
		ag->row(&l, &rc);
		line_emit(&l, f);
	}
	free(l.buf);
}
