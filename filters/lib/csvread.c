/* csvread.c: a pull reader on libcsv that knows where each record starts.
 *
 * Input is fed to libcsv one physical line at a time (split after every CR
 * or LF), so at most one record can end per feed and the line where a
 * record starts is the line of the first feed holding one of its bytes.
 *
 * Each field must hold no NUL (and be UTF-8 when the reader checks it).
 * The bytes are looked at where they come in, a line (or segment) at a
 * time, and a field is checked on its own only when its record's bytes
 * are not all clean, so that the message still names the field at fault.
 *
 * The fast path (DESIGN §6): a reader with the comma delimiter that is
 * between records and holds a whole line ending in LF splits that line
 * itself, in place: no per-byte callback and no copy, one pass over the
 * line finding its commas, its quotes and any CR.  It takes a line whose
 * quotes are all simple (each opens a field, at the line's start or
 * after a comma, and the next closes it right before a comma or the
 * record's end) and that holds no CR but, outside the canonical dialect,
 * one right before its LF: such a line is one record, and its fields are
 * what libcsv gives, the quotes taken off.  Anything else (a doubled or
 * stray quote, a field over two lines, a line not yet whole in the
 * buffer, the end of input) goes through libcsv.  The fields, line
 * numbers and errors are the same either way: the unit tests read every
 * input at every chunk size both ways, in the canonical dialect and an
 * export's, and the csv fuzz harness compares the two on any input
 * (NZ_CSV_NO_FAST turns it off).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __x86_64__
#include <immintrin.h>
#endif

#include "nz.h"

#define READ_SIZE 65536
#define NO_POS ((size_t)-1)

struct nz_csv {
	struct csv_parser parser;
	char *name;
	nz_readfn readfn;
	void *ctx;
	FILE *fp;              /* when we opened it */
	unsigned flags;
	size_t chunk;          /* bytes per read */
	char *in;              /* raw input not yet fed */
	size_t in_len, in_pos, in_cap;
	size_t next_lf, next_cr; /* offsets of the next LF and CR in `in`
	                          * (in_len: none; NO_POS: not searched) */
	int at_start, at_eof, finished;
	long line;             /* physical line of the next byte */
	int last_was_cr;
	int in_record;
	int dirty;             /* a byte fed of this record may fail
	                        * check_field: its fields are checked */
	long rec_start;
	/* the record being assembled: fields packed with NUL after each (offs:
	 * where each starts; on the fast path, where each ends) */
	nz_buf bytes;
	size_t *offs, *lens, nfields, fcap;
	char **ptrs;
	size_t *quotes, qcap;  /* the fast path's quote offsets in a line */
	nz_row row;
	int have_record;
	int fast;              /* the fast path may be taken */
	int wide;              /* with AVX-512 (scan_wide) */
	char *error;           /* set by a callback */
};

/* libcsv grows its field buffer linearly; a size header lets this
 * allocator grow it geometrically so a 10 MB field costs O(n). */
#define HDR sizeof(max_align_t)

static void *
geo_realloc(void *p, size_t n)
{
	char *base = p ? (char *)p - HDR : NULL;
	size_t cap = base ? *(size_t *)base : 0;

	if (n <= cap)
		return p;
	if (cap && n < cap * 2)
		n = cap * 2;
	base = realloc(base, HDR + n);
	if (!base)
		return NULL;
	*(size_t *)base = n;
	return base + HDR;
}

static void
geo_free(void *p)
{
	if (p)
		free((char *)p - HDR);
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0; /* keep every space: libcsv trims by default */
}

static size_t
file_read(void *ctx, char *buf, size_t n, const char **errmsg)
{
	FILE *fp = ctx;
	size_t got = fread(buf, 1, n, fp);

	if (got == 0 && ferror(fp))
		*errmsg = strerror(errno ? errno : EIO);
	return got;
}

nz_csv *
nz_csv_new(const char *name, nz_readfn fn, void *ctx, unsigned flags)
{
	nz_csv *c = nz_calloc(1, sizeof *c);

	if (csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		nz_die(NZ_EXIT_DATA, "out of memory");
	csv_set_space_func(&c->parser, no_space);
	csv_set_realloc_func(&c->parser, geo_realloc);
	csv_set_free_func(&c->parser, geo_free);
	c->name = nz_strdup(name);
	c->readfn = fn;
	c->ctx = ctx;
	c->flags = flags;
	c->chunk = READ_SIZE;
	c->at_start = 1;
	c->line = 1;
	c->fast = !(flags & NZ_CSV_NO_FAST);
#ifdef __x86_64__
	c->wide = !(flags & NZ_CSV_NO_WIDE) &&
	    __builtin_cpu_supports("avx512bw");
#endif
	return c;
}

nz_csv *
nz_csv_open(const char *path, unsigned flags)
{
	FILE *fp;
	nz_csv *c;

	if (!path || strcmp(path, "-") == 0) {
		c = nz_csv_new("<stdin>", file_read, stdin, flags);
		return c;
	}
	fp = fopen(path, "rb");
	if (!fp)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	c = nz_csv_new(path, file_read, fp, flags);
	c->fp = fp;
	return c;
}

void
nz_csv_set_delim(nz_csv *c, char delim)
{
	csv_set_delim(&c->parser, (unsigned char)delim);
	if (delim != ',')
		c->fast = 0;
}

void
nz_csv_set_chunk(nz_csv *c, size_t chunk)
{
	c->chunk = chunk ? chunk : READ_SIZE;
}

const char *
nz_csv_name(const nz_csv *c)
{
	return c->name;
}

long
nz_csv_line(const nz_csv *c)
{
	return c->line;
}

void
nz_csv_close(nz_csv *c)
{
	if (!c)
		return;
	csv_free(&c->parser);
	if (c->fp)
		fclose(c->fp);
	free(c->name);
	free(c->in);
	nz_buf_free(&c->bytes);
	free(c->offs);
	free(c->lens);
	free(c->ptrs);
	free(c->quotes);
	free(c->error);
	free(c);
}

static void __attribute__((format(printf, 2, 3)))
set_error(nz_csv *c, const char *fmt, ...)
{
	nz_buf msg = {0};
	va_list ap;
	int n;

	if (c->error)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	nz_grow(&msg.s, &msg.cap, (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(msg.s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	c->error = msg.s;
}

/* offs, lens and ptrs share one capacity */
static void
ensure_fields(nz_csv *c, size_t n)
{
	size_t cap = c->fcap;

	if (n <= cap)
		return;
	nz_grow(&c->offs, &cap, n, sizeof *c->offs);
	c->lens = nz_realloc(c->lens, cap * sizeof *c->lens);
	c->ptrs = nz_realloc(c->ptrs, cap * sizeof *c->ptrs);
	c->fcap = cap;
}

/* 1 if s[0..len) has no NUL and no byte over 0x7F, eight at a time */
static int
plain_ascii(const unsigned char *s, size_t len)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);
	uint64_t w, bad = 0;
	size_t i = 0;

	if (len < 8) {
		for (; i < len; i++)
			if (s[i] == 0 || s[i] >= 0x80)
				return 0;
		return 1;
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		/* a high bit set, or a zero byte (w - ones borrows into it) */
		bad |= (w | ((w - ones) & ~w)) & highs;
	}
	if (i < len) { /* the last 8 bytes, overlapping what was seen */
		memcpy(&w, s + len - 8, 8);
		bad |= (w | ((w - ones) & ~w)) & highs;
	}
	return bad == 0;
}

/* 1 if s[0..len) holds no NUL and, when the reader checks UTF-8, is
 * valid UTF-8: then so is every field cut from it at ASCII bytes (commas,
 * quotes, line ends), and none needs a check of its own. */
static int
clean_text(const nz_csv *c, const char *s, size_t len)
{
	if (memchr(s, '\0', len))
		return 0;
	return !(c->flags & (NZ_CSV_UTF8 | NZ_CSV_CANONICAL)) ||
	    nz_utf8_valid(s, len, NULL);
}

/* A field's bytes: no NUL, and UTF-8 when the reader asks for it. */
static void
check_field(nz_csv *c, const char *s, size_t len, size_t field)
{
	size_t bad;

	if (plain_ascii((const unsigned char *)s, len))
		return;
	if (memchr(s, '\0', len))
		set_error(c, "NUL byte in field %zu", field);
	else if ((c->flags & (NZ_CSV_UTF8 | NZ_CSV_CANONICAL)) &&
	    !nz_utf8_valid(s, len, &bad))
		set_error(c, "invalid UTF-8 in field %zu: %s", field,
		    nz_qn(s + bad, len - bad > 4 ? 4 : len - bad));
}

static void
on_field(void *s, size_t len, void *data)
{
	nz_csv *c = data;
	nz_buf *b = &c->bytes;

	if (c->nfields >= c->fcap)
		ensure_fields(c, c->nfields + 1);
	if (c->dirty)
		check_field(c, s, len, c->nfields + 1);
	c->offs[c->nfields] = b->len;
	c->lens[c->nfields] = len;
	/* the field and its NUL, kept: nz_buf_add inlined, a call per field */
	if (b->len + len + 1 > b->cap)
		nz_grow(&b->s, &b->cap, b->len + len + 1, 1);
	nz_copy_short(b->s + b->len, s, len);
	b->s[b->len + len] = '\0';
	b->len += len + 1;
	c->nfields++;
}

static void
on_record(int term, void *data)
{
	nz_csv *c = data;

	c->row.unterminated = term == -1; /* libcsv: -1 from csv_fini */
	c->have_record = 1;
	/* the canonical dialect ends every line with LF, the last one too:
	 * a CR ending means some other tool rewrote the file, and no line
	 * end at all that it was cut short */
	if (c->flags & NZ_CSV_CANONICAL) {
		if (term == '\r')
			set_error(c, "CR line end: the canonical dialect ends "
			    "lines with LF alone");
		else if (term == -1)
			set_error(c, "truncated input: the last record has no "
			    "line end");
	}
	c->in_record = 0;
	c->dirty = 0;
}

static void
parse_error(nz_csv *c, int at_fini)
{
	if (csv_error(&c->parser) == CSV_ENOMEM)   /* a field too long */
		set_error(c, "out of memory reading this record");
	else if (at_fini)
		set_error(c, "malformed CSV: quoted field not closed "
		    "before end of input");
	else if (c->line != c->rec_start)
		set_error(c, "malformed CSV: stray quote (record starts here, "
		    "error on line %ld)", c->line);
	else
		set_error(c, "malformed CSV: stray quote in field or after "
		    "closing quote");
}

static int
is_term(char ch)
{
	return ch == '\n' || ch == '\r';
}

/* Offset of the next byte ch at or after in_pos (in_len if none); the
 * answer is kept, so a buffer is searched once for each of CR and LF
 * (a CR-only file would otherwise search its whole buffer every line). */
static size_t
next_of(nz_csv *c, size_t *cached, int ch)
{
	if (*cached == NO_POS || *cached < c->in_pos) {
		const char *hit = memchr(c->in + c->in_pos, ch,
		    c->in_len - c->in_pos);
		*cached = hit ? (size_t)(hit - c->in) : c->in_len;
	}
	return *cached;
}

/* Feed one segment ending at the first CR/LF (or the end of the data). */
static void
feed_segment(nz_csv *c)
{
	const char *p = c->in + c->in_pos, *q;
	size_t n, lf = next_of(c, &c->next_lf, '\n'),
	    cr = next_of(c, &c->next_cr, '\r');

	q = c->in + (lf < cr ? lf : cr);
	if (q < c->in + c->in_len)
		q++;
	n = (size_t)(q - p);
	/* a CR alone between records (a blank line of a CRLF or LF-CR
	 * file): libcsv skips it without a record to refuse, so refuse it
	 * here; a CR inside a quoted field is in a record, and is data */
	if ((c->flags & NZ_CSV_CANONICAL) && !c->in_record && n == 1 &&
	    *p == '\r') {
		set_error(c, "CR line end: the canonical dialect ends lines "
		    "with LF alone");
		return;   /* the error is on this line: count no further */
	}
	if (!c->in_record && (n > 1 || (n == 1 && !is_term(*p)))) {
		c->in_record = 1;
		c->rec_start = c->line;
	}
	/* the segment's bytes are looked at once, here, not field by field:
	 * a record ends only at a segment's end, and its fields are cut from
	 * its segments at ASCII bytes, so clean segments make clean fields */
	if (!plain_ascii((const unsigned char *)p, n) && !clean_text(c, p, n))
		c->dirty = 1;
	if (csv_parse(&c->parser, p, n, on_field, on_record, c) != n)
		parse_error(c, 0);
	c->in_pos += n;
	if (n && is_term(q[-1])) {
		/* CR counts a line; LF too unless it ends a CRLF */
		if (q[-1] == '\r' || n > 1 || !c->last_was_cr)
			c->line++;
		c->last_was_cr = q[-1] == '\r';
	} else if (n) {
		c->last_was_cr = 0;
	}
}

static int
check_start(nz_csv *c)
{
	unsigned char *u = (unsigned char *)c->in;

	if (c->in_len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
	    (u[0] == 0xFE && u[1] == 0xFF))) {
		set_error(c, "input is UTF-16; convert it to UTF-8 (normalise "
		    "reads other encodings with its profile)");
		return -1;
	}
	if (c->in_len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		if (c->flags & NZ_CSV_CANONICAL) {
			set_error(c, "byte order mark: the canonical dialect "
			    "is UTF-8 without one (normalise reads exports "
			    "that have it)");
			return -1;
		}
		c->in_pos = 3;
	}
	return 0;
}

static int
fill(nz_csv *c)
{
	const char *errmsg = NULL;
	size_t got;

	if (c->in_cap < c->chunk || c->in_cap < 4) {
		c->in_cap = c->chunk < 4 ? 4 : c->chunk;
		c->in = nz_realloc(c->in, c->in_cap);
	}
	c->in_pos = 0;
	c->in_len = 0;
	c->next_lf = c->next_cr = NO_POS;
	/* read at least 3 bytes at the start so a BOM is seen whole */
	do {
		size_t want = c->chunk > c->in_len ? c->chunk - c->in_len : 1;
		got = c->readfn(c->ctx, c->in + c->in_len, want, &errmsg);
		c->in_len += got;
	} while (got && c->at_start && c->in_len < 3);
	if (errmsg) {
		set_error(c, "read error: %s", errmsg);
		return -1;
	}
	if (c->in_len == 0 && !c->at_start) {
		c->at_eof = 1;
		return 0;
	}
	if (c->at_start) {
		c->at_start = 0;
		if (c->in_len == 0)
			c->at_eof = 1;
		else if (check_start(c) < 0)
			return -1;
	}
	return 0;
}

static void
build_row(nz_csv *c)
{
	size_t i;

	ensure_fields(c, c->nfields + 1);
	for (i = 0; i < c->nfields; i++)
		c->ptrs[i] = c->bytes.s + c->offs[i];
	c->row.nfields = c->nfields;
	c->row.field = c->ptrs;
	c->row.len = c->lens;
	c->row.line = c->rec_start;
	c->row.line_end = c->line - (c->line > c->rec_start ? 1 : 0);
}

static long
error_line(const nz_csv *c)
{
	return c->in_record || c->have_record ? c->rec_start : c->line;
}

static int
report(nz_csv *c)
{
	nz_warnat(c->name, error_line(c), "%s", c->error);
	return -1;
}

const char *
nz_csv_error(const nz_csv *c, long *line)
{
	if (c->error && line)
		*line = error_line(c);
	return c->error;
}

/* Room for n quote offsets in c->quotes. */
static void
ensure_quotes(nz_csv *c, size_t n)
{
	if (n > c->qcap)
		nz_grow(&c->quotes, &c->qcap, n, sizeof *c->quotes);
}

/* One pass over a line's n bytes (its LF at line[n], avail bytes from
 * line in the buffer): the offset of each comma into c->offs and of each
 * quote into c->quotes (*nquotes of them), how many CRs it holds (*ncr),
 * and whether any byte needs a field check (a NUL, a byte over 0x7F;
 * *odd).  Returns the number of commas.  SSE2 looks at 16 bytes at a
 * time where the machine has it; commas and quotes need a mask of their
 * own per 16 bytes, the rest one for the line. */
static size_t
scan_line(nz_csv *c, const char *line, size_t n, size_t avail,
    size_t *nquotes, size_t *ncr, int *odd)
{
	size_t at = 0, ncommas = 0, nq = 0, ncrs = 0;
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
	const __m128i comma = _mm_set1_epi8(','), zero = _mm_setzero_si128();
	const __m128i lanes = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	    11, 12, 13, 14, 15);
	__m128i odds = zero, crs = zero, b, qt, cs, od, cm, keep;
	unsigned char last[16];
	unsigned commas, quotes;

	for (; at < n; at += 16) {
		if (at + 16 <= avail) {
			b = _mm_loadu_si128((const __m128i *)(line + at));
		} else {   /* the buffer's last bytes: none read beyond it */
			memset(last, 0, sizeof last);
			memcpy(last, line + at, avail - at);
			b = _mm_loadu_si128((const __m128i *)last);
		}
		qt = _mm_cmpeq_epi8(b, quote);
		cs = _mm_cmpeq_epi8(b, cr);
		/* a byte over 0x7F has its top bit set, and so has a NUL's
		 * compare with zero */
		od = _mm_or_si128(b, _mm_cmpeq_epi8(b, zero));
		cm = _mm_cmpeq_epi8(b, comma);
		if (n - at < 16) {   /* the LF and the bytes after it: none */
			keep = _mm_cmpgt_epi8(_mm_set1_epi8((char)(n - at)),
			    lanes);
			qt = _mm_and_si128(qt, keep);
			cs = _mm_and_si128(cs, keep);
			od = _mm_and_si128(od, keep);
			cm = _mm_and_si128(cm, keep);
		}
		odds = _mm_or_si128(odds, od);
		crs = _mm_or_si128(crs, cs);
		commas = (unsigned)_mm_movemask_epi8(cm);
		if (ncommas + 16 > c->fcap)
			ensure_fields(c, ncommas + 16);
		for (; commas; commas &= commas - 1)
			c->offs[ncommas++] = at + (size_t)__builtin_ctz(commas);
		if ((quotes = (unsigned)_mm_movemask_epi8(qt)) != 0) {
			ensure_quotes(c, nq + 16);
			for (; quotes; quotes &= quotes - 1)
				c->quotes[nq++] = at +
				    (size_t)__builtin_ctz(quotes);
		}
	}
	*odd = _mm_movemask_epi8(odds) != 0;
	if (_mm_movemask_epi8(crs))   /* rare: counted byte by byte */
		for (at = 0; at < n; at++)
			ncrs += line[at] == '\r';
#else
	(void)avail;
	*odd = 0;
	for (; at < n; at++) {
		unsigned char ch = (unsigned char)line[at];
		if (ch == ',') {
			if (ncommas >= c->fcap)
				ensure_fields(c, ncommas + 1);
			c->offs[ncommas++] = at;
		} else if (ch == '"') {
			ensure_quotes(c, nq + 1);
			c->quotes[nq++] = at;
		}
		ncrs += ch == '\r';
		*odd |= ch == 0 || ch >= 0x80;
	}
#endif
	*nquotes = nq;
	*ncr = ncrs;
	return ncommas;
}

#ifdef __x86_64__
/* scan_line with AVX-512, 64 bytes at a time, which also finds the line's
 * LF, so the line is read once: from `line`, avail bytes in the buffer.
 * Returns the number of commas before the first LF and sets *n to its
 * offset, or returns 0 with *n = avail when the buffer holds no LF.
 * Masked loads read no byte past avail. */
__attribute__((target("avx512f,avx512bw"))) static size_t
scan_wide(nz_csv *c, const char *line, size_t avail, size_t *n,
    size_t *nquotes, size_t *ncr, int *odd)
{
	const __m512i quote = _mm512_set1_epi8('"'), cr = _mm512_set1_epi8('\r');
	const __m512i comma = _mm512_set1_epi8(','), lf = _mm512_set1_epi8('\n');
	const __m512i zero = _mm512_setzero_si512();
	size_t at, ncommas = 0, nq = 0, ncrs = 0;
	uint64_t keep, cm, qt, lfs, odds = 0;
	__m512i b;

	for (at = 0; at < avail; at += 64) {
		keep = avail - at >= 64 ? ~UINT64_C(0) :
		    (UINT64_C(1) << (avail - at)) - 1;
		b = _mm512_maskz_loadu_epi8(keep, line + at);
		lfs = _mm512_mask_cmpeq_epi8_mask(keep, b, lf);
		if (lfs)   /* the bytes from the LF on are not the line's */
			keep &= (lfs & -lfs) - 1;
		cm = _mm512_mask_cmpeq_epi8_mask(keep, b, comma);
		qt = _mm512_mask_cmpeq_epi8_mask(keep, b, quote);
		ncrs += (size_t)__builtin_popcountll(
		    _mm512_mask_cmpeq_epi8_mask(keep, b, cr));
		/* a byte over 0x7F has its top bit set; a NUL is zero */
		odds |= (_mm512_movepi8_mask(b) |
		    _mm512_mask_cmpeq_epi8_mask(keep, b, zero)) & keep;
		if (ncommas + 64 > c->fcap)
			ensure_fields(c, ncommas + 64);
		for (; cm; cm &= cm - 1)
			c->offs[ncommas++] = at + (size_t)__builtin_ctzll(cm);
		if (qt) {
			ensure_quotes(c, nq + 64);
			for (; qt; qt &= qt - 1)
				c->quotes[nq++] = at +
				    (size_t)__builtin_ctzll(qt);
		}
		if (lfs) {
			*n = at + (size_t)__builtin_ctzll(lfs);
			*nquotes = nq;
			*ncr = ncrs;
			*odd = odds != 0;
			return ncommas;
		}
	}
	*n = avail;
	return 0;
}
#endif

/* The fields of a record's m bytes at line, with its commas and quotes
 * at the offsets scan_line found, into c->ptrs and c->lens, when every
 * quote is simple: it opens a field (at the record's start or right after
 * a comma) and the next quote closes that field right before a comma or
 * the record's end.  That is what libcsv gives for such a record, the
 * quotes taken off.  Returns the number of fields, or 0, the buffer
 * untouched, when a quote is anything else (doubled, stray, or not closed
 * on the line): those records are libcsv's. */
static size_t
split_quoted(nz_csv *c, char *line, size_t m, size_t ncommas,
    size_t nquotes)
{
	const size_t *comma = c->offs, *quote = c->quotes;
	size_t ci = 0, qi = 0, f = 0, from = 0, end, i;

	for (;; f++) {
		if (qi < nquotes && quote[qi] == from) {
			if (qi + 1 == nquotes)
				return 0;       /* not closed on this line */
			end = quote[qi + 1] + 1;
			if (end != m && line[end] != ',')
				return 0;       /* "" or a byte after the quote */
			c->ptrs[f] = line + from + 1;
			c->lens[f] = end - from - 2;
			qi += 2;
			while (ci < ncommas && comma[ci] < end)
				ci++;   /* the commas inside the quotes */
		} else {
			end = ci < ncommas ? comma[ci] : m;
			if (qi < nquotes && quote[qi] < end)
				return 0;       /* a quote inside a bare field */
			c->ptrs[f] = line + from;
			c->lens[f] = end - from;
		}
		if (end == m)
			break;
		ci++;                   /* comma[ci] == end */
		from = end + 1;
	}
	for (i = 0; i <= f; i++)
		c->ptrs[i][c->lens[i]] = '\0';
	return f + 1;
}

/* The fast path: the line at in_pos is whole (its LF is in the buffer)
 * and its quotes, if any, are simple (split_quoted), with no CR in it but,
 * outside the canonical dialect, one right before its LF.  It is then one
 * record (or a blank line, which libcsv skips).  Split it in place; the
 * fields stay valid until the next call, as the row's always do.  Not
 * after a CR, which a following LF joins into one line end.
 * Returns 0, the buffer untouched, when the line is not one for the fast
 * path. */
static int
fast_line(nz_csv *c)
{
	size_t lf, n, m, ncommas, nquotes, ncr, f, from, to;
	char *line = c->in + c->in_pos;
	int odd;

	if (c->last_was_cr)
		return 0;
#ifdef __x86_64__
	if (c->wide) {
		ncommas = scan_wide(c, line, c->in_len - c->in_pos, &n,
		    &nquotes, &ncr, &odd);
		if ((lf = c->in_pos + n) == c->in_len)
			return 0;
	} else
#endif
	{
		if ((lf = next_of(c, &c->next_lf, '\n')) == c->in_len)
			return 0;
		n = lf - c->in_pos;
		ncommas = scan_line(c, line, n, c->in_len - c->in_pos,
		    &nquotes, &ncr, &odd);
	}
	m = n;
	if (ncr) {   /* CRLF ends a line outside the canonical dialect */
		if ((c->flags & NZ_CSV_CANONICAL) || ncr > 1 ||
		    line[n - 1] != '\r')
			return 0;
		m = n - 1;
	}
	if (ncommas >= c->fcap)
		ensure_fields(c, ncommas + 1);
	/* a NUL or a byte over 0x7F: the fields are checked one by one
	 * (which says which is at fault) unless the whole line is clean;
	 * looked at before the fields' NULs are written */
	odd = odd && m && !clean_text(c, line, m);
	if (m == 0) {
		c->nfields = 0;   /* a blank line: no record */
	} else if (nquotes) {
		if (!(c->nfields = split_quoted(c, line, m, ncommas, nquotes)))
			return 0;
	} else {
		c->offs[ncommas] = m;
		for (f = 0, from = 0; f <= ncommas; f++) {
			to = c->offs[f];
			line[to] = '\0';
			c->ptrs[f] = line + from;
			c->lens[f] = to - from;
			from = to + 1;
		}
		c->nfields = ncommas + 1;
	}
	c->in_pos = lf + 1;
	c->line++;
	if (c->nfields == 0)
		return 1;
	c->rec_start = c->line - 1;
	if (odd)
		for (f = 0; f < c->nfields; f++)
			check_field(c, c->ptrs[f], c->lens[f], f + 1);
	c->row.nfields = c->nfields;
	c->row.field = c->ptrs;
	c->row.len = c->lens;
	c->row.line = c->row.line_end = c->rec_start;
	c->row.unterminated = 0;
	c->have_record = 1;
	return 1;
}

int
nz_csv_next(nz_csv *c, nz_row **row)
{
	if (c->error)
		return report(c);
	c->nfields = 0;
	nz_buf_clear(&c->bytes);
	c->have_record = 0;
	while (!c->have_record && !c->error) {
		if (c->fast && !c->in_record && c->in_pos < c->in_len &&
		    fast_line(c)) {
			if (c->have_record && !c->error) {
				*row = &c->row;
				return 1;
			}
			continue;
		}
		if (c->in_pos >= c->in_len) {
			if (c->at_eof || c->finished)
				break;
			if (fill(c) < 0)
				break;
			if (c->at_eof) {
				c->finished = 1;
				if (csv_fini(&c->parser, on_field, on_record,
				    c) != 0)
					parse_error(c, 1);
				break;
			}
			continue;
		}
		feed_segment(c);
	}
	if (c->error)
		return report(c);
	if (!c->have_record)
		return 0;
	build_row(c);
	*row = &c->row;
	return 1;
}

void
nz_csv_expect_header(nz_csv *c, const char *const *cols, size_t ncols)
{
	nz_row *row;
	size_t i;
	int r = nz_csv_next(c, &row);

	if (r < 0)
		exit(NZ_EXIT_DATA);
	if (r == 0)
		nz_dieat(NZ_EXIT_DATA, c->name, 0,
		    "empty input: expected a header starting %s", nz_q(cols[0]));
	for (i = 0; i < ncols && i < row->nfields; i++)
		if (strcmp(row->field[i], cols[i]) != 0)
			nz_dieat(NZ_EXIT_DATA, c->name, row->line,
			    "unexpected header: column %zu is %s, expected %s",
			    i + 1, nz_q(row->field[i]), nz_q(cols[i]));
	if (row->nfields != ncols)
		nz_dieat(NZ_EXIT_DATA, c->name, row->line,
		    "unexpected header: %zu columns, expected %zu (%s...)",
		    row->nfields, ncols, nz_q(cols[0]));
}

int
nz_csv_next_n(nz_csv *c, nz_row **row, size_t ncols)
{
	int r = nz_csv_next(c, row);

	if (r < 0)
		exit(NZ_EXIT_DATA);
	if (r == 1 && (*row)->nfields != ncols)
		nz_dieat(NZ_EXIT_DATA, c->name, (*row)->line,
		    "expected %zu fields, found %zu", ncols, (*row)->nfields);
	return r;
}
