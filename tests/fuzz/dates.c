/* dates.c: libFuzzer harness for the dates of filters/lib/num.c.
 *
 * Input: byte 0 picks the format: %d/%m/%Y, %d-%b-%Y, %Y-%m-%d, or (3) a
 * format taken from the input up to its first newline; the rest is the
 * date text.  A date that parses must be valid, survive days_from_civil and
 * civil_from_days, and parse again from its canonical spelling; ISO dates
 * that nz_parse_iso_date takes must parse the same with %Y-%m-%d.  The
 * first four bytes also give a day number that must round-trip.
 */
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
