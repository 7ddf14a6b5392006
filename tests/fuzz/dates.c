/* dates.c: libFuzzer harness for the dates of filters/lib/num.c.
 *
 * Input: byte 0 picks the format: %d/%m/%Y, %d-%b-%Y, %Y-%m-%d, or (3) a
 * format taken from the input up to its first newline; the rest is the
 * date text.  A date that parses must be valid, survive days_from_civil and
 * civil_from_days, and parse again from its canonical spelling; ISO dates
 * that nz_parse_iso_date takes must parse the same with %Y-%m-%d.  The
 * first four bytes also give a day number that must round-trip.
 * nz_parse_date_why must agree with nz_parse_date and say why it fails
 * (one of its three failures, a message); a date that parses must parse
 * the same with a time after it (" 14:22", "T14:22:05Z", " 2:22 pm") and
 * fail with NZ_DATE_BAD_TIME with a time that is not one (" 25:00");
 * the first four bytes as an Excel serial day must give the calendar day
 * that many days after 1899-12-30 (1900 system, from 61) or 1904-01-01,
 * and the same as its decimal text through the "excel" formats.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "dates fuzz: invariant failed: %s\n", #cond); \
		abort(); \
	} \
} while (0)

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* 0001-01-01 and 9999-12-31 as day numbers */
#define FIRST_DAY (-719162L)
#define LAST_DAY 2932896L

static void
check_date(int y, int m, int d)
{
	long days;
	int y2, m2, d2;

	REQUIRE(nz_date_valid(y, m, d));
	days = nz_days_from_civil(y, m, d);
	REQUIRE(days >= FIRST_DAY && days <= LAST_DAY);
	nz_civil_from_days(days, &y2, &m2, &d2);
	REQUIRE(y2 == y && m2 == m && d2 == d);
	/* the next day is a valid date one later (or past 9999) */
	nz_civil_from_days(days + 1, &y2, &m2, &d2);
	REQUIRE(nz_days_from_civil(y2, m2, d2) == days + 1);
	REQUIRE(nz_date_valid(y2, m2, d2) || days == LAST_DAY);
}

/* Parse again from the canonical spelling in the same format. */
static void
check_respelled(int which, int y, int m, int d)
{
	char text[64];
	int y2, m2, d2;

	if (which == 0)
		snprintf(text, sizeof text, "%02d/%02d/%04d", d, m, y);
	else if (which == 1)
		snprintf(text, sizeof text, "%d-%s-%04d", d, months[m - 1], y);
	else
		snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
	REQUIRE(nz_parse_date(text, which == 0 ? "%d/%m/%Y" : which == 1 ?
	    "%d-%b-%Y" : "%Y-%m-%d", &y2, &m2, &d2) == 0);
	REQUIRE(y2 == y && m2 == m && d2 == d);
	if (which == 2) {
		REQUIRE(nz_parse_iso_date(text, &y2, &m2, &d2) == 0);
		REQUIRE(y2 == y && m2 == m && d2 == d);
	}
}

/* the why-variant agrees; a time after a good date changes nothing */
static void
check_why(const char *text, const char *fmt)
{
	static const char *const times[] = {" 14:22", "T14:22:05Z",
	    " 2:22 pm", "  23:59:59.5", "T09:30+13:00"};
	char why[NZ_DATE_WHY], longer[600];
	int y, m, d, y2, m2, d2, r, r2;
	size_t i;

	why[0] = '\0';
	r = nz_parse_date_why(text, fmt, &y, &m, &d, why);
	r2 = nz_parse_date(text, fmt, &y2, &m2, &d2);
	REQUIRE((r == 0) == (r2 == 0));
	if (r != 0) {
		REQUIRE(r == NZ_DATE_SHAPE || r == NZ_DATE_BAD_TIME ||
		    r == NZ_DATE_IMPOSSIBLE);
		REQUIRE(why[0] != '\0' && strlen(why) < NZ_DATE_WHY);
		return;
	}
	REQUIRE(y == y2 && m == m2 && d == d2);
	/* a time is already there, or is none here; after a month name a
	 * "T" would be read as part of the name */
	if (strlen(text) > 500 || strpbrk(text, " T") || strncmp(fmt,
	    "excel", 5) == 0 || isalpha((unsigned char)text[strlen(text) -
	    1]))
		return;
	for (i = 0; i < sizeof times / sizeof *times; i++) {
		snprintf(longer, sizeof longer, "%s%s", text, times[i]);
		REQUIRE(nz_parse_date_why(longer, fmt, &y2, &m2, &d2, why) == 0);
		REQUIRE(y == y2 && m == m2 && d == d2);
	}
	snprintf(longer, sizeof longer, "%s 25:00", text);
	REQUIRE(nz_parse_date_why(longer, fmt, &y2, &m2, &d2, why) ==
	    NZ_DATE_BAD_TIME);
}

/* An Excel serial day: the calendar day it counts to, both systems. */
static void
check_serial(uint32_t raw)
{
	long day = (long)(raw % 3000000u);
	char text[32], why[NZ_DATE_WHY];
	int y, m, d, y2, m2, d2, sys, r;

	for (sys = 0; sys < 2; sys++) {
		r = nz_excel_date((double)day + 0.25, sys, &y, &m, &d, why);
		if (sys == 0 && (day == 0 || day == 60 || day > 2958465)) {
			REQUIRE(r != 0);
			continue;
		}
		if (sys == 1 && day > 2957003) {
			REQUIRE(r != 0);
			continue;
		}
		REQUIRE(r == 0);
		REQUIRE(nz_date_valid(y, m, d));
		REQUIRE(nz_days_from_civil(y, m, d) == day + (sys ?
		    nz_days_from_civil(1904, 1, 1) : day < 60 ?
		    nz_days_from_civil(1899, 12, 31) :
		    nz_days_from_civil(1899, 12, 30)));
		snprintf(text, sizeof text, "%ld.25", day);
		REQUIRE(nz_parse_date(text, sys ? "excel-1904" : "excel", &y2,
		    &m2, &d2) == 0);
		REQUIRE(y == y2 && m == m2 && d == d2);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = {"%d/%m/%Y", "%d-%b-%Y",
	    "%Y-%m-%d"};
	char *copy, *text, *fmt, *nl;
	int which, y = 0, m = 0, d = 0, yi, mi, di;

	if (size < 1)
		return 0;
	if (size >= 4) {
		uint32_t raw = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
		    (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		long day = FIRST_DAY + (long)(raw % (LAST_DAY - FIRST_DAY + 1));
		nz_civil_from_days(day, &y, &m, &d);
		check_date(y, m, d);
		REQUIRE(nz_days_from_civil(y, m, d) == day);
		check_serial(raw);
	}
	which = data[0] % 4;
	copy = nz_strndup((const char *)data + 1, size - 1); /* cut at a NUL */
	text = copy;
	fmt = which < 3 ? (char *)formats[which] : NULL;
	if (which == 3) {
		nl = strchr(copy, '\n');
		if (!nl) {
			free(copy);
			return 0;
		}
		*nl = '\0';
		fmt = copy;
		text = nl + 1;
	}
	check_why(text, fmt);
	check_why(text, data[0] & 0x80 ? "excel" : "excel-1904");
	if (nz_parse_date(text, fmt, &y, &m, &d) == 0) {
		check_date(y, m, d);
		if (which < 3)
			check_respelled(which, y, m, d);
	}
	/* strict ISO is a subset of %Y-%m-%d, with the same result */
	if (nz_parse_iso_date(text, &yi, &mi, &di) == 0) {
		REQUIRE(nz_parse_date(text, "%Y-%m-%d", &y, &m, &d) == 0);
		REQUIRE(y == yi && m == mi && d == di);
	}
	free(copy);
	return 0;
}
