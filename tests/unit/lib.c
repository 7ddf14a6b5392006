/* lib.c: unit tests of the shared layer's numbers, dates and text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "nz.h"
#include "sheet.h"
#include "tap.h"

static int
date_is(const char *s, const char *fmt, int y, int m, int d)
{
	int gy, gm, gd;

	return nz_parse_date(s, fmt, &gy, &gm, &gd) == 0 && gy == y &&
	    gm == m && gd == d;
}

static int
date_fails(const char *s, const char *fmt)
{
	int y, m, d;

	return nz_parse_date(s, fmt, &y, &m, &d) < 0;
}

static int
why_is(const char *s, const char *fmt, int code, const char *why)
{
	char got[NZ_DATE_WHY];
	int y, m, d, r = nz_parse_date_why(s, fmt, &y, &m, &d, got);

	if (r != code || strcmp(got, why) != 0)
		printf("# %s: %d %s\n", s, r, got);
	return r == code && strcmp(got, why) == 0;
}

static void
dates(void)
{
	int y, m, d;
	long day;
	int all = 1;

	check(date_is("3/7/2024", "%d/%m/%Y", 2024, 7, 3) &&
	    date_is("03/07/2024", "%d/%m/%Y", 2024, 7, 3),
	    "d/m/Y with and without zero padding");
	check(date_is("05-Mar-2025", "%d-%b-%Y", 2025, 3, 5) &&
	    date_is("5-march-2025", "%d-%b-%Y", 2025, 3, 5) &&
	    date_is("5-Sept-2025", "%d-%b-%Y", 2025, 9, 5),
	    "d-Mon-Y, month names in any case and length");
	check(date_fails("31/02/2025", "%d/%m/%Y") &&
	    date_fails("29/02/2025", "%d/%m/%Y") &&
	    date_is("29/02/2024", "%d/%m/%Y", 2024, 2, 29) &&
	    date_fails("29/02/1900", "%d/%m/%Y") &&
	    date_is("29/02/2000", "%d/%m/%Y", 2000, 2, 29),
	    "impossible dates refused, leap years right");
	check(date_fails("2025-03-05x", "%Y-%m-%d") && date_fails("", "%d/%m/%Y") &&
	    date_fails("1/1/25", "%d/%m/%Y") && date_fails("123/1/2025", "%d/%m/%Y") &&
	    date_fails("5-Mrz-2025", "%d-%b-%Y"),
	    "trailing text, short years, bad month names refused");
	check(nz_parse_iso_date("2026-06-30", &y, &m, &d) == 0 && y == 2026 &&
	    m == 6 && d == 30 && nz_parse_iso_date("2026-6-30", &y, &m, &d) < 0 &&
	    nz_parse_iso_date("2026-13-01", &y, &m, &d) < 0,
	    "ISO dates strict");
	check(date_is("4/03/2025 2:22 pm", "%d/%m/%Y", 2025, 3, 4) &&
	    date_is("4/03/2025 12:05 AM", "%d/%m/%Y", 2025, 3, 4) &&
	    date_is("4/03/2025 2:22 p.m.", "%d/%m/%Y", 2025, 3, 4) &&
	    date_is("2025-03-04 14:22:05", "%Y-%m-%d", 2025, 3, 4) &&
	    date_is("2025-03-04T14:22", "%Y-%m-%d", 2025, 3, 4) &&
	    date_is("2025-03-04T14:22:05.123+13:00", "%Y-%m-%d", 2025, 3, 4) &&
	    date_is("2025-03-04T14:22:05Z", "%Y-%m-%d", 2025, 3, 4) &&
	    date_is("4/03/2025  23:59:60", "%d/%m/%Y", 2025, 3, 4),
	    "a time after the date, 12 or 24 hour, is accepted and dropped");
	check(date_fails("4/03/2025 13:22 pm", "%d/%m/%Y") &&
	    date_fails("4/03/2025 0:22 am", "%d/%m/%Y") &&
	    date_fails("4/03/2025 24:00", "%d/%m/%Y") &&
	    date_fails("4/03/2025 2:60", "%d/%m/%Y") &&
	    date_fails("4/03/2025 2", "%d/%m/%Y") &&
	    date_fails("4/03/2025 ", "%d/%m/%Y") &&
	    date_fails("4/03/20252:22", "%d/%m/%Y") &&
	    date_fails("2025-03-04T", "%Y-%m-%d"),
	    "a time part that is not a time fails the date");
	check(why_is("31/02/2025", "%d/%m/%Y", NZ_DATE_IMPOSSIBLE,
	    "day 31 does not exist in February") &&
	    why_is("29/02/2025", "%d/%m/%Y", NZ_DATE_IMPOSSIBLE,
	    "day 29 does not exist in February 2025") &&
	    why_is("4/13/2025", "%d/%m/%Y", NZ_DATE_IMPOSSIBLE,
	    "month 13 does not exist") &&
	    why_is("4/03/2025 2:22 xm", "%d/%m/%Y", NZ_DATE_BAD_TIME,
	    "time part '2:22 xm' after the date is not a time (H:MM or "
	    "H:MM:SS, 24-hour or with am/pm)") &&
	    why_is("2025-03-04", "%d/%m/%Y", NZ_DATE_SHAPE,
	    "not a date: expected %d/%m/%Y") &&
	    why_is("4,5", "excel", NZ_DATE_SHAPE, "not a date: expected an "
	    "Excel serial number (e.g. 45476.65)"),
	    "a failed date says which part failed");
	check(date_is("45476.65", "excel", 2024, 7, 3) &&
	    date_is("1", "excel", 1900, 1, 1) &&
	    date_is("59", "excel", 1900, 2, 28) &&
	    date_is("61", "excel", 1900, 3, 1) &&
	    date_is("2958465", "excel", 9999, 12, 31) &&
	    date_is("0", "excel-1904", 1904, 1, 1) &&
	    date_is("44014.65", "excel-1904", 2024, 7, 3) &&
	    why_is("60", "excel", NZ_DATE_IMPOSSIBLE, "serial date 60 is 29 "
	    "February 1900, a day that does not exist") &&
	    date_fails("0", "excel") && date_fails("2958466", "excel") &&
	    date_fails("-1", "excel") && date_fails("1e5", "excel") &&
	    date_fails("45476.", "excel") && date_fails("", "excel"),
	    "Excel serial dates: 1900 system with its 29 February, 1904");
	for (day = -700000; day < 800000; day += 37) {
		nz_civil_from_days(day, &y, &m, &d);
		if (nz_days_from_civil(y, m, d) != day || !nz_date_valid(y, m, d))
			all = 0;
	}
	check(all && nz_days_from_civil(1970, 1, 1) == 0 &&
	    nz_days_from_civil(2000, 3, 1) == 11017,
	    "day numbers round-trip");
	check(nz_age_years(2000, 7, 3, 2024, 7, 2) == 23 &&
	    nz_age_years(2000, 7, 3, 2024, 7, 3) == 24 &&
	    nz_age_years(2000, 2, 29, 2025, 2, 28) == 24 &&
	    nz_age_years(2000, 2, 29, 2025, 3, 1) == 25,
	    "whole years of age, birthdays and 29 February");
}

static int
number_is(double v, const char *want)
{
	char got[32];

	nz_sheet_number(v, got);
	if (strcmp(got, want) != 0)
		printf("# %.17g: %s, not %s\n", v, got, want);
	return strcmp(got, want) == 0;
}

/* workbook cells: which number formats show dates and times, numbers
 * as shown */
static int
format_is(long id, const char *code, int want)
{
	return nz_sheet_format_kind(id, code) == want;
}

static void
sheet_cells(void)
{
	enum { N = NZ_FORMAT_NUMBER, D = NZ_FORMAT_DATE, T = NZ_FORMAT_TIME };
	struct nz_sheetrow row = {0};

	check(format_is(14, NULL, D) && format_is(22, NULL, D) &&
	    format_is(57, NULL, D) && format_is(20, NULL, T) &&
	    format_is(45, NULL, T) && format_is(46, NULL, T) &&
	    format_is(0, NULL, N) && format_is(2, NULL, N),
	    "built-in number formats: dates, times, numbers");
	check(format_is(164, "d/mm/yyyy", D) &&
	    format_is(164, "[$-1409]d mmmm yyyy;@", D) &&
	    format_is(164, "mmm-yy", D) &&
	    format_is(164, "dd/mm/yyyy hh:mm", D) &&
	    format_is(164, "[Red]yyyy-mm-dd", D) &&
	    format_is(164, "h:mm", T) && format_is(164, "[h]:mm:ss", T) &&
	    format_is(164, "mm:ss", T) && format_is(164, "0.00", N) &&
	    format_is(164, "General", N) && format_is(164, "\"day\" 0", N) &&
	    format_is(164, "0;[Red]\"yes\"", N) && format_is(164, "\\d0", N) &&
	    format_is(164, "[Magenta]0", N) &&
	    format_is(164, "[MAGENTA]0.00", N) &&
	    format_is(164, "[Submarine]0", N) && format_is(164, "[s]", T) &&
	    format_is(164, "[HH]:mm", T) && format_is(164, "[mm]:ss", T) &&
	    format_is(164, "[$-F400]h:mm:ss AM/PM", T),
	    "custom number formats: a day or year, or months without time, "
	    "is a date; hours or seconds alone a time ([h] elapsed, "
	    "[Magenta] a colour); outside quotes, escapes and brackets");
	/* a time of day alone is text in every date system, as FreeXL
	 * gives an .xls time: never 0 January 1900 or 1 January 1904; a
	 * day and time in a time format keeps its day, as a number */
	nz_sheetrow_start(&row, 1);
	nz_sheet_put_number(&row, 0, 14.5 / 24, T, 1);
	nz_sheet_put_number(&row, 1, 1.5, T, 0);
	nz_sheet_put_number(&row, 2, 45476.5, D, 0);
	nz_sheet_put_number(&row, 3, 0.25, N, 0);
	check(row.ncells == 4 && row.type[0] == NZ_CELL_TEXT &&
	    strcmp(row.text.s + row.off[0], "14:30:00") == 0 &&
	    row.type[1] == NZ_CELL_NUMBER &&
	    strcmp(row.text.s + row.off[1], "1.5") == 0 &&
	    row.type[2] == NZ_CELL_DATE &&
	    strcmp(row.text.s + row.off[2], "2024-07-03") == 0 &&
	    row.type[3] == NZ_CELL_NUMBER,
	    "a time of day alone is text; a day in a time format a number; "
	    "a date cell its day");
	nz_sheetrow_free(&row);
	check(number_is(2, "2") && number_is(-0.0, "0") &&
	    number_is(2.5, "2.5") && number_is(0.1 + 0.2, "0.3") &&
	    number_is(45476.654861111109, "45476.6548611111") &&
	    number_is(1e20, "1e+20") && number_is(123456789012345.0,
	    "123456789012345") && number_is(-7, "-7"),
	    "numbers as a sheet shows them: no spurious .0, 15 digits");
	check(number_is(1234567890123456.0, "1234567890123456") &&
	    number_is(1234567890123457.0, "1234567890123457") &&
	    number_is(-9007199254740991.0, "-9007199254740991") &&
	    number_is(9007199254740992.0, "9.00719925474099e+15"),
	    "whole numbers below 2^53 with every digit: 16-digit ids stay "
	    "distinct");
}

static void
numbers(void)
{
	long v;
	uint64_t u;

	check(nz_parse_long("42", 0, 100, &v) == 0 && v == 42 &&
	    nz_parse_long("-3", -5, 5, &v) == 0 && v == -3,
	    "integers in range parse");
	check(nz_parse_long("", 0, 9, &v) < 0 && nz_parse_long(" 4", 0, 9, &v) < 0 &&
	    nz_parse_long("4 ", 0, 9, &v) < 0 && nz_parse_long("+4", 0, 9, &v) < 0 &&
	    nz_parse_long("10", 0, 9, &v) < 0 && nz_parse_long("1.5", 0, 9, &v) < 0 &&
	    nz_parse_long("99999999999999999999", 0, 9, &v) < 0,
	    "bad integers refused");
	check(nz_parse_u64("18446744073709551615", &u) == 0 &&
	    u == UINT64_MAX && nz_parse_u64("18446744073709551616", &u) < 0 &&
	    nz_parse_u64("-1", &u) < 0, "unsigned 64-bit bounds");
}

static void
text(void)
{
	char s1[] = "  Māori \t", s2[] = "\xC2\xA0x\xC2\xA0", s3[] = "   ";
	nz_buf b = {0};
	size_t bad;

	check(strcmp(nz_trim(s1), "Māori") == 0 && strcmp(nz_trim(s2), "x") == 0 &&
	    strcmp(nz_trim(s3), "") == 0, "trim spaces, tabs, no-break spaces");
	{
		const char *list = "need|food||debt";
		nz_list it = nz_list_of(list, strlen(list));
		nz_buf_clear(&b);
		while (nz_list_next(&it))
			nz_buf_printf(&b, "[%.*s]", (int)it.len, it.val);
		check(strcmp(b.s, "[need][food][][debt]") == 0,
		    "list values in order, the empty one too");
		it = nz_list_of("", 0);
		nz_buf_clear(&b);
		while (nz_list_next(&it))
			nz_buf_printf(&b, "[%.*s]", (int)it.len, it.val);
		check(strcmp(b.s, "[]") == 0, "an empty list is one empty value");
		/* numbers without printf, as printf writes them */
		static const unsigned long long v[] = {0, 7, 10, 99, 100,
		    4294967296ULL, 18446744073709551615ULL};
		char d[NZ_UINT_BUF], p[32];
		size_t i, n;
		int same = 1;
		nz_buf_clear(&b);
		for (i = 0; i < sizeof v / sizeof *v; i++) {
			n = nz_fmt_uint(d, v[i]);
			snprintf(p, sizeof p, "%llu", v[i]);
			same &= strcmp(d, p) == 0 && n == strlen(p);
			nz_buf_add_uint(&b, v[i]);
			nz_buf_addc(&b, ';');
		}
		check(same && strcmp(b.s, "0;7;10;99;100;4294967296;"
		    "18446744073709551615;") == 0, "whole numbers in decimal "
		    "by hand, as printf writes them");
		it = nz_list_of("a|b|", 4);
		nz_buf_clear(&b);
		while (nz_list_next(&it))
			nz_buf_printf(&b, "[%.*s]", (int)it.len, it.val);
		check(strcmp(b.s, "[a][b][]") == 0, "a trailing bar ends in an "
		    "empty value");
	}
	nz_buf_free(&b);
	check(nz_utf8_valid("Māori ʤ 😀", strlen("Māori ʤ 😀"), &bad) &&
	    !nz_utf8_valid("\xC0\xAF", 2, &bad) &&
	    !nz_utf8_valid("\xED\xA0\x80", 3, &bad) &&
	    !nz_utf8_valid("ab\xE2\x82", 4, &bad) && bad == 2,
	    "UTF-8 validation: overlong, surrogate, truncated");
	check(strcmp(nz_q("short"), "'short'") == 0 &&
	    strcmp(nz_q("a\tb"), "'a\\x09b'") == 0 &&
	    strcmp(nz_q("āāāāāāāāāāāāāāāāāāāāāā"),
	    "'āāāāāāāāāāāāāāāāāāāā'...") == 0,
	    "quoted values cut at 40 bytes on a character boundary");
}

/* The hasher keeps recent ids' hashes in a cache: whatever it holds, each
 * id must get the hash nz_key_hash_hex gives it on its own, the first
 * time and every time after, among enough ids to fill and overwrite the
 * cache's slots, and for ids too long for a slot. */
static void
hasher_cache(void)
{
	unsigned char key[NZ_KEY_BYTES];
	char id[64], got[2 * NZ_HASH_BYTES + 1], want[2 * NZ_HASH_BYTES + 1];
	nz_hasher *h;
	int i, round, same = 1;
	size_t len;

	for (i = 0; i < NZ_KEY_BYTES; i++)
		key[i] = (unsigned char)(i * 7 + 1);
	h = nz_hasher_new(key);
	for (round = 0; round < 3; round++)
		for (i = 0; i < 100000; i += round == 1 ? 7 : 1) {
			/* ids of 1 to 50 bytes: over the slot size too */
			len = (size_t)snprintf(id, sizeof id, "C%0*d",
			    1 + i % 49 > 8 ? 1 + i % 49 : 8, i);
			nz_hasher_hex(h, id, len, got);
			nz_key_hash_hex(key, id, len, want);
			if (strcmp(got, want) != 0) {
				if (same)
					printf("# %s: %s, want %s\n", id, got, want);
				same = 0;
			}
		}
	nz_hasher_hex(h, "", 0, got);
	nz_key_hash_hex(key, "", 0, want);
	check(same && strcmp(got, want) == 0,
	    "the hasher's cache gives every id its own keyed hash, again and again");
	nz_hasher_free(h);
}

/* The hasher's BLAKE2b (key.c) against libsodium's crypto_generichash,
 * which nz_key_hash_hex calls: ids of every length from 0 to past four
 * blocks (a block is 128 bytes; the last one full or not), of any bytes,
 * under keys of different bytes. */
static void
hasher_blake2b(void)
{
	unsigned char key[NZ_KEY_BYTES];
	char id[520], got[2 * NZ_HASH_BYTES + 1], want[2 * NZ_HASH_BYTES + 1];
	nz_hasher *h;
	size_t i, len;
	int k, same = 1;

	for (i = 0; i < sizeof id; i++)
		id[i] = (char)(i * 151 + 17);
	for (k = 0; k < 3 && same; k++) {
		for (i = 0; i < NZ_KEY_BYTES; i++)
			key[i] = (unsigned char)(k == 0 ? 0 : k == 1 ? 0xFF :
			    i * 29 + 3);
		h = nz_hasher_new(key);
		for (len = 0; len <= sizeof id && same; len++) {
			nz_hasher_hex(h, id, len, got);
			nz_key_hash_hex(key, id, len, want);
			if (strcmp(got, want) != 0) {
				printf("# key %d, %zu bytes: %s, want %s\n", k,
				    len, got, want);
				same = 0;
			}
		}
		nz_hasher_free(h);
	}
	check(same, "the hasher's BLAKE2b is libsodium's, for ids of 0 to "
	    "520 bytes");
}

/* nz_hasher_hex_n against nz_key_hash_hex: batches of 1 to 8 ids, of 0 to
 * 40 bytes, most seen before (cache hits), enough of them that a hit and
 * a later miss of one batch share a cache slot; eight at a time where the
 * processor has AVX-512, and one at a time (NZ_HASH_NO_LANES). */
static void
hasher_batch(void)
{
	unsigned char key[NZ_KEY_BYTES];
	char ids[NZ_HASH_BATCH][48], got[NZ_HASH_BATCH][2 * NZ_HASH_BYTES + 1];
	char want[2 * NZ_HASH_BYTES + 1];
	const char *s[NZ_HASH_BATCH];
	size_t len[NZ_HASH_BATCH], n, k;
	unsigned long x = 12345;
	int way, i, same = 1;
	nz_hasher *h;

	for (i = 0; i < NZ_KEY_BYTES; i++)
		key[i] = (unsigned char)(i * 13 + 5);
	for (way = 0; way < 2; way++) {
		if (way == 1)
			setenv("NZ_HASH_NO_LANES", "1", 1);
		h = nz_hasher_new(key);
		for (i = 0; i < 60000 && same; i++) {
			n = 1 + (size_t)i % NZ_HASH_BATCH;
			for (k = 0; k < n; k++) {
				x = x * 6364136223846793005u + 1442695040888963407u;
				/* 1 in 40 of 0 to 40 bytes, else a short id out
				 * of 70,000 */
				if ((x >> 33) % 40 == 0)
					len[k] = (size_t)snprintf(ids[k], 48,
					    "%.*s", (int)((x >> 20) % 41),
					    "H0123456789012345678901234567890123456789");
				else
					len[k] = (size_t)snprintf(ids[k], 48,
					    "C%lu", (x >> 24) % 70000);
				s[k] = ids[k];
			}
			nz_hasher_hex_n(h, s, len, n, got);
			for (k = 0; k < n; k++) {
				nz_key_hash_hex(key, s[k], len[k], want);
				if (strcmp(got[k], want) != 0) {
					printf("# %s (way %d): %s, want %s\n",
					    s[k], way, got[k], want);
					same = 0;
				}
			}
		}
		nz_hasher_free(h);
	}
	unsetenv("NZ_HASH_NO_LANES");
	check(same, "ids hashed in batches get the keyed hash each gets "
	    "alone, eight at a time or one at a time, cache hits or not");
}

/* Whether the kernel takes MADV_HUGEPAGE: transparent huge pages built
 * in and not switched off ("[always]" or "[madvise]"). */
static int
thp_advisable(void)
{
	char mode[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return 0;
	if (!fgets(mode, sizeof mode, f))
		mode[0] = '\0';
	fclose(f);
	return strstr(mode, "[never]") == NULL && mode[0] != '\0';
}

/* Whether the mapping that holds p is marked for huge pages: its
 * VmFlags in /proc/self/smaps hold "hg". */
static int
marked_huge(const void *p)
{
	char line[512];
	unsigned long from, to, at = (unsigned long)p;
	int inside = 0, marked = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lx-%lx ", &from, &to) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			inside = from <= at && at < to;
		else if (inside && strncmp(line, "VmFlags:", 8) == 0)
			marked = strstr(line, " hg") != NULL;
	}
	fclose(f);
	return marked;
}

/* nz_grow moves an array of 4 MiB or more into a new block (realloc
 * cannot remap a block advised for huge pages): element by element to
 * 12 MiB, every element kept at every move (at least the three into
 * blocks of 4, 8 and 16 MiB, which always move); a big nz_calloc block
 * comes zeroed; and both are marked for huge pages where the kernel
 * takes the advice. */
static void
grow_big(void)
{
	enum { N = 3 << 20 };
	uint32_t *a = NULL, *z;
	size_t cap = 0, i, moves = 0, bad = 0;
	void *was = NULL;

	for (i = 0; i < N; i++) {
		nz_grow(&a, &cap, i + 1, sizeof *a);
		if (a != was) {
			size_t k;
			for (k = 0; k < i; k++)
				bad += a[k] != (uint32_t)(k * 2654435761u);
			was = a;
			moves++;
		}
		a[i] = (uint32_t)(i * 2654435761u);
	}
	for (i = 0; i < N; i++)
		bad += a[i] != (uint32_t)(i * 2654435761u);
	if (bad != 0 || cap < N || moves < 3)
		printf("# bad %zu cap %zu moves %zu\n", bad, cap, moves);
	check(bad == 0 && cap >= N && moves >= 3, "nz_grow keeps every "
	    "element of an array grown one by one to 12 MiB");
	z = nz_calloc(N, sizeof *z);
	for (i = 0, bad = 0; i < N; i++)
		bad += z[i] != 0;
	check(bad == 0, "a 12 MiB block from nz_calloc is zeroed");
	if (thp_advisable())
		check(marked_huge(a + N / 2) && marked_huge(z + N / 2),
		    "blocks of 4 MiB or more are advised for huge pages");
	else
		check(1, "blocks of 4 MiB or more are advised for huge pages "
		    "(not checked: this kernel has transparent huge pages off)");
	free(a);
	free(z);
}

/* merge holds each release it reads (nz_hold): more than the 256 a
 * fixed table took, dropped in any order. */
static void
held_many(void)
{
	enum { N = 1000 };
	char *p[N];
	int i;

	for (i = 0; i < N; i++) {
		p[i] = nz_strdup("held");
		nz_hold(p[i]);
	}
	for (i = 0; i < N; i += 2) {
		nz_drop(p[i]);
		free(p[i]);
	}
	for (i = N - 1; i > 0; i -= 2) {
		nz_drop(p[i]);
		free(p[i]);
	}
	check(1, "1,000 objects held and dropped");
}

/* The string set with the word-wise hash: cell keys of a release (long,
 * mostly '*' and ','), each found at the index of its addition, and keys
 * never added, or one byte short, not found. */
static void
strset_keys(void)
{
	nz_strset *s = nz_strset_new();
	char key[128];
	int i, ok = 1, added;
	size_t len;

	for (i = 0; i < 100000; i++) {
		len = (size_t)snprintf(key, sizeof key, "2026Q%d,%02d,*,*,%d,*,*,"
		    "*,*,*,*,*,*,*,%.*s", 1 + i % 4, i % 17, i / 68,
		    i % 9, "*,*,*,*,*,*,*,*,*");
		if (nz_strset_addn(s, key, len, &added) != (size_t)i || !added)
			ok = 0;
	}
	for (i = 0; i < 100000; i++) {
		len = (size_t)snprintf(key, sizeof key, "2026Q%d,%02d,*,*,%d,*,*,"
		    "*,*,*,*,*,*,*,%.*s", 1 + i % 4, i % 17, i / 68,
		    i % 9, "*,*,*,*,*,*,*,*,*");
		if (nz_strset_findn(s, key, len) != i ||
		    nz_strset_findn(s, key, len - 1) >= 0 ||
		    strcmp(nz_strset_key(s, (size_t)i), key) != 0)
			ok = 0;
	}
	check(ok && nz_strset_count(s) == 100000 &&
	    nz_strset_find(s, "2027Q1,01") < 0,
	    "100,000 cell keys each found at its index, others not found");
	nz_strset_free(s);
}

/* the lookback against a plain list of every (key, quarter) added: keys
 * with quarters inside the window, far before and far after it (the
 * overflow), repeats, and keys never added */
static void
lookback_quarters(void)
{
	enum { NKEY = 3000, NADD = 40000 };
	static uint8_t seen[NKEY][400];   /* quarter - 7900, 0..399 */
	nz_lookback *lb = nz_lookback_new();
	uint8_t key[16];
	uint32_t x = 12345;
	long first[NKEY], q, got;
	size_t entry[NKEY];
	uint64_t bits;
	int i, k, r, ok = 1, want;

	for (k = 0; k < NKEY; k++)
		first[k] = -1;
	for (i = 0; i < NADD; i++) {
		x = x * 1103515245u + 12345u;
		k = (int)(x >> 8) % NKEY;
		x = x * 1103515245u + 12345u;
		/* most quarters within 20 of 8100, some anywhere in 400 */
		q = (x >> 9) % 8 ? 8080 + (long)((x >> 12) % 40) :
		    7900 + (long)((x >> 12) % 400);
		memset(key, 0, sizeof key);
		memcpy(key, &k, sizeof k);
		key[15] = (uint8_t)(k * 7);
		entry[k] = nz_lookback_add(lb, key, q);
		seen[k][q - 7900] = 1;
		if (first[k] < 0 || q < first[k])
			first[k] = q;
	}
	for (k = 0; k < NKEY + 10; k++) {
		memset(key, 0, sizeof key);
		memcpy(key, &k, sizeof k);
		key[15] = (uint8_t)(k * 7);
		/* each quarter as the one before q = that + 1, then the
		 * 64 before 8310 at once */
		for (q = 7890; q < 8310; q++) {
			want = k < NKEY && q >= 7900 && q < 8300 &&
			    seen[k][q - 7900];
			r = nz_lookback_before(lb, key, q + 1, 1, &bits, &got);
			if ((int)bits != want)
				ok = 0;
		}
		r = nz_lookback_before(lb, key, 8310, 64, &bits, &got);
		/* the same by the entry its adds returned */
		if (k < NKEY && first[k] >= 0) {
			uint64_t bits2;
			long got2;
			ok &= nz_lookback_before_entry(lb, entry[k], key, 8310,
			    64, &bits2, &got2) == r && bits2 == bits &&
			    got2 == got;
		}
		for (q = 8246; q < 8310; q++) {
			want = k < NKEY && q < 8300 && seen[k][q - 7900];
			if ((int)(bits >> (8310 - q - 1) & 1) != want)
				ok = 0;
		}
		if (k < NKEY && first[k] >= 0)
			ok &= r == 0 && got == first[k];
		else
			ok &= r == -1 && bits == 0;
	}
	for (k = 0, i = 0; k < NKEY; k++)
		i += first[k] >= 0;
	check(ok && nz_lookback_clients(lb) == (size_t)i,
	    "lookback: every quarter of 3,000 keys over 100 years found, "
	    "no other, and each key's first, by key and by entry");
	nz_lookback_free(lb);
}

/* nz_parallel: 50 tasks in 4 worker processes, taken in order with
 * their results and messages; task 10 kills its worker (as a crash
 * would), and the parent runs that task itself, the other workers the
 * rest */
static pid_t parallel_parent;

static void
parallel_run(size_t i, void *arg, nz_buf *result)
{
	(void)arg;
	if (i == 10 && getpid() != parallel_parent)
		raise(SIGKILL);
	if (i % 3 == 0)
		fprintf(stderr, "task %zu says\n", i);
	nz_buf_printf(result, "%zu squared %zu by %s;", i, i * i,
	    getpid() == parallel_parent ? "parent" : "worker");
}

static void
parallel_take(size_t i, void *arg, const char *result, size_t len)
{
	nz_buf *all = arg;

	if (strlen(result) == len)
		nz_buf_printf(all, "%zu:%s\n", i, result);
}

static void
parallel_tasks(void)
{
	nz_buf all = {0}, want = {0}, said = {0}, one = {0};
	FILE *err = tmpfile();
	char line[64];
	int saved = dup(STDERR_FILENO), ok = 1;
	size_t i;

	parallel_parent = getpid();
	fflush(stderr);
	dup2(fileno(err), STDERR_FILENO);
	nz_parallel(50, 4, parallel_run, parallel_take, &all);
	nz_parallel(3, 1, parallel_run, parallel_take, &one);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	for (i = 0; i < 50; i++) {
		nz_buf_printf(&want, "%zu:%zu squared %zu by %s;\n", i, i, i * i,
		    i == 10 ? "parent" : "worker");
		if (i % 3 == 0)
			nz_buf_printf(&said, "task %zu says\n", i);
	}
	nz_buf_adds(&said, "task 0 says\n");   /* the one-job run's */
	check(all.s && strcmp(all.s, want.s) == 0, "parallel: 50 tasks taken "
	    "in order, a dead worker's task run by the parent");
	rewind(err);
	nz_buf_clear(&all);
	while (fgets(line, sizeof line, err))
		nz_buf_adds(&all, line);
	ok = all.s && strcmp(all.s, said.s) == 0;
	check(ok, "parallel: each task's messages in task order");
	fclose(err);
	check(one.s && strcmp(one.s, "0:0 squared 0 by parent;\n"
	    "1:1 squared 1 by parent;\n2:2 squared 4 by parent;\n") == 0,
	    "parallel: one job runs every task in the parent");
	nz_buf_free(&all);
	nz_buf_free(&one);
	nz_buf_free(&want);
	nz_buf_free(&said);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* nz_sort_hi32 gives qsort's order when the low halves increase: high
 * halves of every size, up to 2^32 - 1 (three radix passes) */
static void
sort_hi32(void)
{
	static const size_t sizes[] = {0, 1, 2, 7, 5000, 70000};
	static const uint64_t tops[] = {1, 2000, 4000000, 0xFFFFFFFFu};
	uint64_t *v, *want, *tmp, seed = 12345;
	size_t s, t, i;
	int ok = 1;

	for (s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		size_t n = sizes[s];
		v = nz_calloc(n + 1, sizeof *v);
		want = nz_calloc(n + 1, sizeof *want);
		tmp = nz_calloc(n + 1, sizeof *tmp);
		for (t = 0; t < sizeof tops / sizeof *tops; t++) {
			for (i = 0; i < n; i++) {
				seed = seed * 6364136223846793005u +
				    1442695040888963407u;
				v[i] = (seed >> 16) % (tops[t] + 1) << 32 | i;
			}
			memcpy(want, v, n * sizeof *v);
			qsort(want, n, sizeof *want, cmp_u64);
			nz_sort_hi32(v, tmp, n);
			ok &= n == 0 || memcmp(v, want, n * sizeof *v) == 0;
		}
		free(v);
		free(want);
		free(tmp);
	}
	check(ok, "sort_hi32: qsort's order, for high halves to 2^32 - 1");
}

/* nz_tasks: tasks added one by one as their data arrives (a task's is
 * set just before it is added, later ones' not yet), the first started
 * before nz_tasks_finish; and abandoned workers stopped. */
static long stream_data[12];
static int stream_sleep;
static char stream_dir[] = "/tmp/nz-tasks-XXXXXX";

/* the file task i makes when it starts */
static const char *
stream_path(size_t i)
{
	static char path[64];

	snprintf(path, sizeof path, "%s/%zu", stream_dir, i);
	return path;
}

static void
stream_run(size_t i, void *arg, nz_buf *result)
{
	FILE *f;

	(void)arg;
	if ((f = fopen(stream_path(i), "w")))
		fclose(f);
	if (stream_sleep)
		sleep(30);   /* abandoned long before */
	nz_buf_printf(result, "%zu:%ld,", i, stream_data[i]);
}

static void
stream_take(size_t i, void *arg, const char *result, size_t len)
{
	(void)i;
	nz_buf_add(arg, result, len);
}

/* Has task i started?  Waits up to 5 s. */
static int
stream_started(size_t i)
{
	struct timespec tick = {0, 10000000};
	int tries;

	for (tries = 0; tries < 500; tries++) {
		if (access(stream_path(i), F_OK) == 0)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

static void
tasks_streamed(void)
{
	nz_buf got = {0}, want = {0};
	nz_tasks *t;
	time_t began;
	size_t i;
	int early;

	if (!mkdtemp(stream_dir)) {
		check(0, "tasks: a temporary folder");
		return;
	}
	t = nz_tasks_new(3, stream_run, stream_take, &got);
	for (i = 0; i < 12; i++)
		stream_data[i] = -1;
	for (i = 0; i < 12; i++) {
		stream_data[i] = (long)(i * 7);
		nz_tasks_add(t);
		nz_buf_printf(&want, "%zu:%zu,", i, i * 7);
	}
	early = stream_started(0);
	nz_tasks_finish(t);
	check(early, "tasks: the first task started before nz_tasks_finish");
	check(got.s && strcmp(got.s, want.s) == 0, "tasks: each task ran on "
	    "the data there when it was added, taken in order");
	/* abandoned: the workers sleep, and are stopped */
	for (i = 0; i < 12; i++)
		unlink(stream_path(i));
	stream_sleep = 1;
	t = nz_tasks_new(2, stream_run, stream_take, &got);
	nz_tasks_add(t);
	nz_tasks_add(t);
	began = time(NULL);
	early = stream_started(0) && stream_started(1);
	nz_tasks_abandon(t);
	check(early && time(NULL) - began < 10 &&
	    waitpid(-1, NULL, WNOHANG) < 0, "tasks: abandon stops and reaps "
	    "its workers at once");
	stream_sleep = 0;
	nz_buf_free(&got);
	nz_buf_free(&want);
	for (i = 0; i < 12; i++)
		unlink(stream_path(i));
	rmdir(stream_dir);
}

int
main(int argc, char **argv)
{
	(void)argc;
	nz_setprog(argv[0]);
	dates();
	sheet_cells();
	numbers();
	text();
	hasher_cache();
	hasher_blake2b();
	hasher_batch();
	held_many();
	grow_big();
	strset_keys();
	lookback_quarters();
	parallel_tasks();
	sort_hi32();
	tasks_streamed();
	return failures ? 1 : 0;
}
