/* csvwrite.c: the canonical dialect out: comma, LF, minimal quoting. */
#define _DEFAULT_SOURCE /* fwrite_unlocked (glibc, musl) */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __x86_64__
#include <immintrin.h>
#endif

#include "nz.h"

/* the bytes that make a field quoted */
static const unsigned char special[256] = {
	['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
};

static int
needs_quotes(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	/* at the start of a file a reader would strip it as a byte-order mark */
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		return 1;
	/* four at a time: a data row has a thousand bytes to look at per
	 * hundred fields, and almost never one of these */
	for (i = 0; i + 4 <= len; i += 4)
		if (special[u[i]] | special[u[i + 1]] | special[u[i + 2]] |
		    special[u[i + 3]])
			return 1;
	for (; i < len; i++)
		if (special[u[i]])
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

/* One record is put together here and handed to stdio in one call: a
 * stdio call per field costs more than the rest of a stage's output. */
static char *rec;
static size_t rec_cap;

/* 1 if rec[0..len) holds a quote, CR or LF, or a comma count other than
 * commas (the separators put there): then some field needs quotes.  SSE2
 * looks at 16 bytes at a time where the machine has it. */
static int
record_special(const char *r, size_t len, size_t commas)
{
	const unsigned char *u = (const unsigned char *)r;
	size_t i = 0, seen = 0;

#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
	const __m128i lf = _mm_set1_epi8('\n'), comma = _mm_set1_epi8(',');
	__m128i acc = _mm_setzero_si128(); /* commas per byte lane */
	size_t blocks = 0;

	for (; i + 16 <= len; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(u + i));
		__m128i bad = _mm_or_si128(_mm_cmpeq_epi8(b, q),
		    _mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, lf)));
		if (_mm_movemask_epi8(bad))
			return 1;
		/* a match is -1: subtracting counts it */
		acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(b, comma));
		if (++blocks == 255 || i + 32 > len) { /* before a lane wraps */
			__m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
			seen += (size_t)_mm_cvtsi128_si32(sums) +
			    (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
			acc = _mm_setzero_si128();
			blocks = 0;
		}
	}
#endif
	for (; i < len; i++) {
		if (u[i] == ',')
			seen++;
		else if (special[u[i]])
			return 1;
	}
	return seen != commas;
}

#ifdef __x86_64__
/* record_special with AVX-512: 64 bytes at a time, masked at the end
 * (a masked load reads no byte outside the mask). */
__attribute__((target("avx512f,avx512bw"))) static int
record_special_wide(const char *r, size_t len, size_t commas)
{
	const __m512i q = _mm512_set1_epi8('"'), cr = _mm512_set1_epi8('\r');
	const __m512i lf = _mm512_set1_epi8('\n'), comma = _mm512_set1_epi8(',');
	size_t i, seen = 0;
	uint64_t keep;
	__m512i b;

	for (i = 0; i < len; i += 64) {
		keep = len - i >= 64 ? ~UINT64_C(0) :
		    (UINT64_C(1) << (len - i)) - 1;
		b = _mm512_maskz_loadu_epi8(keep, r + i);
		if (_mm512_mask_cmpeq_epi8_mask(keep, b, q) |
		    _mm512_mask_cmpeq_epi8_mask(keep, b, cr) |
		    _mm512_mask_cmpeq_epi8_mask(keep, b, lf))
			return 1;
		seen += (size_t)__builtin_popcountll(
		    _mm512_mask_cmpeq_epi8_mask(keep, b, comma));
	}
	return seen != commas;
}
#endif

static int wide = -1;   /* record_special_wide; -1: not yet known */

void
nz_csv_write_wide(int on)
{
#ifdef __x86_64__
	wide = on && __builtin_cpu_supports("avx512bw");
#else
	wide = on && 0;
#endif
}

/* record_special, with AVX-512 when the processor has it and the
 * environment has no NZ_CSV_NO_WIDE */
static int
any_special(const char *r, size_t len, size_t commas)
{
	if (wide < 0)
		nz_csv_write_wide(!getenv("NZ_CSV_NO_WIDE"));
#ifdef __x86_64__
	if (wide)
		return record_special_wide(r, len, commas);
#endif
	return record_special(r, len, commas);
}

static int
starts_bom(const char *s, size_t len)
{
	return len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
}

void
nz_csv_record(FILE *f, const char *const *fields, const size_t *lens,
    size_t n)
{
	size_t i, j, len, need, at = 0;
	int slow = n == 1 && (lens ? lens[0] : strlen(fields[0])) == 0;

	/* the usual record: the fields as they are, commas between, the
	 * room for each made as it comes (and for the LF) */
	if (rec_cap < 1)   /* no fields: room for the LF */
		nz_grow(&rec, &rec_cap, 1, 1);
	for (i = 0; i < n && !slow; i++) {
		len = lens ? lens[i] : strlen(fields[i]);
		if (at + len + 2 > rec_cap)
			nz_grow(&rec, &rec_cap, at + len + 2, 1);
		if (i)
			rec[at++] = ',';
		slow = starts_bom(fields[i], len);
		nz_copy_short(rec + at, fields[i], len);
		at += len;
	}
	if (!slow && !any_special(rec, at, n ? n - 1 : 0)) {
		rec[at++] = '\n';
		fwrite_unlocked(rec, 1, at, f);
		return;
	}
	/* some field needs quotes: again, field by field */
	need = 5;
	for (i = 0; i < n; i++) /* worst case: every byte a quote */
		need += 2 * (lens ? lens[i] : strlen(fields[i])) + 3;
	if (need > rec_cap)
		nz_grow(&rec, &rec_cap, need, 1);
	at = 0;
	if (n == 1 && (lens ? lens[0] : strlen(fields[0])) == 0) {
		memcpy(rec, "\"\"", 2); /* a blank line would be skipped */
		at = 2;
	}
	for (i = 0; i < n; i++) {
		const char *s = fields[i];

		len = lens ? lens[i] : strlen(s);
		if (i)
			rec[at++] = ',';
		if (!needs_quotes(s, len)) {
			memcpy(rec + at, s, len);
			at += len;
			continue;
		}
		rec[at++] = '"';
		for (j = 0; j < len; j++) {
			if (s[j] == '"')
				rec[at++] = '"';
			rec[at++] = s[j];
		}
		rec[at++] = '"';
	}
	rec[at++] = '\n';
	fwrite_unlocked(rec, 1, at, f);
}

void
nz_csv_fields(FILE *f, const char *const *fields, size_t n)
{
	nz_csv_record(f, fields, NULL, n);
}

void
nz_csv_header(FILE *f, const char *const *cols, size_t n)
{
	nz_csv_fields(f, cols, n);
}
