/* num.c: checked numbers and calendar dates. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nz.h"

int
nz_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* no leading space or '+', no empty string: values must be canonical */
	if (!*s || !(isdigit((unsigned char)*s) || (*s == '-' &&
	    isdigit((unsigned char)s[1]))))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
nz_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

long
nz_opt_long(const char *opt, const char *s, long min, long max)
{
	long v;

	if (nz_parse_long(s, min, max, &v) < 0)
		nz_usage_error("invalid value for %s: %s (expected %ld to %ld)",
		    opt, nz_q(s), min, max);
	return v;
}

double
nz_opt_percent(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (end == s || *end || errno || !(v >= 0.0 && v <= 100.0) ||
	    !isdigit((unsigned char)s[0]))
		nz_usage_error("invalid value for %s: %s (expected a "
		    "percentage from 0 to 100)", opt, nz_q(s));
	return v;
}

int
nz_date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Howard Hinnant's days_from_civil */
long
nz_days_from_civil(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
nz_civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* '0'-'9' only: isdigit goes through the locale's table on every call */
#define DIGIT(c) ((unsigned)(c) - '0' < 10u)

int
nz_parse_iso_date(const char *s, int *y, int *m, int *d)
{
	int i, v[10];

	/* a NUL among the first ten bytes fails the digit or '-' test */
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (!DIGIT(s[i])) {
			return -1;
		}
		v[i] = s[i] - '0';
	}
	if (s[10] != '\0')
		return -1;
	*y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
	*m = v[5] * 10 + v[6];
	*d = v[8] * 10 + v[9];
	return nz_date_valid(*y, *m, *d) ? 0 : -1;
}

/* read between minw and maxw digits */
static int
take_digits(const char **sp, int minw, int maxw, int *out)
{
	const char *s = *sp;
	int n = 0, v = 0;

	while (n < maxw && DIGIT(s[n]))
		v = v * 10 + (s[n++] - '0');
	if (n < minw)
		return -1;
	*sp = s + n;
	*out = v;
	return 0;
}

static int
take_month_name(const char **sp, int *out)
{
	static const char *names[] = {"january", "february", "march", "april",
	    "may", "june", "july", "august", "september", "october",
	    "november", "december"};
	const char *s = *sp;
	size_t n = 0;
	int i;

	while (isalpha((unsigned char)s[n]))
		n++;
	if (n < 3)
		return -1;
	for (i = 0; i < 12; i++) {
		/* "Sept" is common in exports; accept any prefix of 3+ */
		if (n <= strlen(names[i]) && strncasecmp(s, names[i], n) == 0) {
			*out = i + 1;
			*sp = s + n;
			return 0;
		}
	}
	return -1;
}

static const char *const month_names[] = {"January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December"};

static int __attribute__((format(printf, 3, 4)))
why_printf(char *why, int ret, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, NZ_DATE_WHY, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Why y-m-d is no date: the first part that fails, in words. */
static int
why_invalid(int y, int m, int d, char *why)
{
	if (y < 1 || y > 9999)
		return why_printf(why, NZ_DATE_IMPOSSIBLE, "year %d is out of "
		    "range", y);
	if (m < 1 || m > 12)
		return why_printf(why, NZ_DATE_IMPOSSIBLE, "month %d does not "
		    "exist", m);
	if (d < 1)
		return why_printf(why, NZ_DATE_IMPOSSIBLE, "day %d does not "
		    "exist", d);
	if (m == 2 && d == 29)
		return why_printf(why, NZ_DATE_IMPOSSIBLE, "day 29 does not "
		    "exist in February %d", y);
	return why_printf(why, NZ_DATE_IMPOSSIBLE, "day %d does not exist "
	    "in %s", d, month_names[m - 1]);
}

/* am/pm in any case, with or without dots: 1 and past it, else 0 */
static int
take_meridiem(const char **sp, int *pm)
{
	const char *s = *sp;
	char c = (char)tolower((unsigned char)s[0]);

	if (c != 'a' && c != 'p')
		return 0;
	*pm = c == 'p';
	s++;
	if (*s == '.')
		s++;
	if (tolower((unsigned char)*s) != 'm')
		return 0;
	s++;
	if (*s == '.')
		s++;
	*sp = s;
	return 1;
}

/* Time zone after an ISO time: Z, or +HH, +HHMM, +HH:MM. */
static void
skip_zone(const char **sp)
{
	const char *s = *sp;
	int v;

	if (*s == 'Z') {
		*sp = s + 1;
		return;
	}
	if (*s != '+' && *s != '-')
		return;
	s++;
	if (take_digits(&s, 2, 2, &v) < 0 || v > 14)
		return;
	if (*s == ':' && DIGIT(s[1]))
		s++;
	if (DIGIT(*s) && (take_digits(&s, 2, 2, &v) < 0 || v > 59))
		return;
	*sp = s;
}

/* A time after a date: H:MM or H:MM:SS (fraction allowed), 24-hour, or
 * 1 to 12 with am/pm; an ISO zone after it.  0 if s is exactly that. */
static int
valid_time(const char *s)
{
	int h, mi, sec = 0, pm, twelve;

	if (take_digits(&s, 1, 2, &h) < 0 || *s++ != ':' ||
	    take_digits(&s, 2, 2, &mi) < 0)
		return -1;
	if (*s == ':') {
		s++;
		if (take_digits(&s, 2, 2, &sec) < 0)
			return -1;
		if (*s == '.' && DIGIT(s[1]))
			for (s++; DIGIT(*s); s++)
				;
	}
	while (*s == ' ')
		s++;
	twelve = take_meridiem(&s, &pm);
	skip_zone(&s);
	if (*s || mi > 59 || sec > 60)
		return -1;
	return twelve ? (h >= 1 && h <= 12 ? 0 : -1) : (h <= 23 ? 0 : -1);
}

/* What follows a date: nothing, or ' '/'T' then a time (dropped). */
static int
check_time_part(const char *s, char *why)
{
	const char *t = s;

	if (!*s)
		return 0;
	if (*t == 'T')
		t++;
	else
		while (*t == ' ')
			t++;
	if (t != s && valid_time(t) == 0)
		return 0;
	while (*s == ' ')
		s++;
	return why_printf(why, NZ_DATE_BAD_TIME, "time part %s after the date "
	    "is not a time (H:MM or H:MM:SS, 24-hour or with am/pm)",
	    nz_q(s));
}

/* Excel's serial day numbers: 1900 system, 1 = 1900-01-01, with Excel's
 * phantom 29 February 1900 as 60; or 1904 system, 0 = 1904-01-01.  The
 * fraction is the time of day, dropped. */
int
nz_excel_date(double serial, int system1904, int *y, int *m, int *d,
    char *why)
{
	long day, days;

	if (!(serial >= 0.0) || serial >= 3000000.0)
		return why_printf(why, NZ_DATE_IMPOSSIBLE, "serial date %g is "
		    "out of range", serial);
	day = (long)serial;
	if (system1904) {
		days = nz_days_from_civil(1904, 1, 1) + day;
	} else if (day == 0 || day == 60) {
		return why_printf(why, NZ_DATE_IMPOSSIBLE, "serial date %ld is "
		    "%s, a day that does not exist", day, day ? "29 February "
		    "1900" : "0 January 1900");
	} else {
		/* up to 59 Excel agrees with the calendar from 1900-01-01 */
		days = nz_days_from_civil(1899, 12, day < 60 ? 31 : 30) + day;
	}
	nz_civil_from_days(days, y, m, d);
	if (*y > 9999)
		return why_printf(why, NZ_DATE_IMPOSSIBLE, "serial date %ld is "
		    "after 9999-12-31", day);
	return 0;
}

/* "45476" or "45476.65": the whole text a non-negative decimal */
static int
parse_serial(const char *s, int system1904, int *y, int *m, int *d,
    char *why)
{
	const char *p = s;
	char *end;
	double v;

	while (DIGIT(*p))
		p++;
	if (p == s || (*p == '.' && !DIGIT(p[1])))
		return why_printf(why, NZ_DATE_SHAPE, "not a date: expected an "
		    "Excel serial number (e.g. 45476.65)");
	if (*p == '.')
		for (p++; DIGIT(*p); p++)
			;
	if (*p)
		return why_printf(why, NZ_DATE_SHAPE, "not a date: expected an "
		    "Excel serial number (e.g. 45476.65)");
	v = strtod(s, &end);
	return nz_excel_date(v, system1904, y, m, d, why);
}

int
nz_parse_date_why(const char *s, const char *fmt, int *y, int *m, int *d,
    char *why)
{
	const char *f = fmt;
	int yy = -1, mm = -1, dd = -1, bad = 0, r;

	if (strcmp(fmt, "excel") == 0 || strcmp(fmt, "excel-1904") == 0)
		return parse_serial(s, fmt[5] != '\0', y, m, d, why);
	for (; *f && !bad; f++) {
		if (*f != '%') {
			bad = *s++ != *f;
			continue;
		}
		switch (*++f) {
		case 'd':
		case 'e':
			bad = take_digits(&s, 1, 2, &dd) < 0;
			break;
		case 'm':
			bad = take_digits(&s, 1, 2, &mm) < 0;
			break;
		case 'Y':
			bad = take_digits(&s, 4, 4, &yy) < 0;
			break;
		case 'y':
			bad = take_digits(&s, 2, 2, &yy) < 0;
			/* two-digit years: 00-68 are 20xx, as POSIX strptime */
			yy += yy < 69 ? 2000 : 1900;
			break;
		case 'b':
		case 'B':
			bad = take_month_name(&s, &mm) < 0;
			break;
		case '%':
			bad = *s++ != '%';
			break;
		default:
			bad = 1;
		}
	}
	if (bad || yy < 0 || mm < 0 || dd < 0)
		return why_printf(why, NZ_DATE_SHAPE, "not a date: expected %s",
		    fmt);
	if ((r = check_time_part(s, why)) != 0)
		return r;
	if (!nz_date_valid(yy, mm, dd))
		return why_invalid(yy, mm, dd, why);
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

int
nz_parse_date(const char *s, const char *fmt, int *y, int *m, int *d)
{
	return nz_parse_date_why(s, fmt, y, m, d, NULL) == 0 ? 0 : -1;
}

int
nz_age_years(int by, int bm, int bd, int ey, int em, int ed)
{
	int age = ey - by;

	if (em < bm || (em == bm && ed < bd))
		age--;
	return age;
}
