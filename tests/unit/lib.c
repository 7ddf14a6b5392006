/* lib.c: unit tests of the shared layer's numbers, dates and text. */
#include <stdlib.h>
#include <string.h>

#include "nz.h"
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

int
main(int argc, char **argv)
{
	(void)argc;
	nz_setprog(argv[0]);
	dates();
	numbers();
	text();
	return failures ? 1 : 0;
}
