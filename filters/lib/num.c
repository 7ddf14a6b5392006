/* num.c: checked numbers and calendar dates. */
#include <ctype.h>
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

int
nz_parse_date(const char *s, const char *fmt, int *y, int *m, int *d)
{
	int yy = -1, mm = -1, dd = -1;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (*s++ != *fmt)
				return -1;
			continue;
		}
		switch (*++fmt) {
		case 'd':
		case 'e':
			if (take_digits(&s, 1, 2, &dd) < 0)
				return -1;
			break;
		case 'm':
			if (take_digits(&s, 1, 2, &mm) < 0)
				return -1;
			break;
		case 'Y':
			if (take_digits(&s, 4, 4, &yy) < 0)
				return -1;
			break;
		case 'y':
			if (take_digits(&s, 2, 2, &yy) < 0)
				return -1;
			/* two-digit years: 00-69 are 20xx, as POSIX strptime */
			yy += yy < 69 ? 2000 : 1900;
			break;
		case 'b':
		case 'B':
			if (take_month_name(&s, &mm) < 0)
				return -1;
			break;
		case '%':
			if (*s++ != '%')
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (*s || !nz_date_valid(yy, mm, dd))
		return -1;
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

int
nz_age_years(int by, int bm, int bd, int ey, int em, int ed)
{
	int age = ey - by;

	if (em < bm || (em == bm && ed < bd))
		age--;
	return age;
}
