/* period.c: calendar quarters, the one unit of time of every release.
 *
 * A quarter is written YYYYQn (Stats NZ calls 2026Q3 the September 2026
 * quarter) and counted as one number, its index: year * 4 + n - 1, so that
 * quarters compare, subtract and step as integers.  Years run 1 to 9999.
 */
#include <stdio.h>
#include <string.h>

#include "nz.h"

long
nz_period_index(int year, int quarter)
{
	return (long)year * 4 + quarter - 1;
}

int
nz_period_parse(const char *s, int *year, int *quarter)
{
	long index;

	if (nz_period_parse_index(s, &index) < 0)
		return -1;
	*year = (int)(index / 4);
	*quarter = (int)(index % 4) + 1;
	return 0;
}

int
nz_period_parse_index(const char *s, long *index)
{
	int year = 0, i;

	if (strlen(s) != 6 || s[4] != 'Q' || s[5] < '1' || s[5] > '4')
		return -1;
	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		year = year * 10 + (s[i] - '0');
	}
	if (year < 1)
		return -1;
	*index = nz_period_index(year, s[5] - '0');
	return 0;
}

void
nz_period_name(long index, char out[NZ_PERIOD_BUF])
{
	/* years 0 to 9999 only: anything else is not a period */
	if (index < 0 || index > 9999L * 4 + 3)
		index = 0;
	snprintf(out, NZ_PERIOD_BUF, "%04dQ%d", (int)(index / 4),
	    (int)(index % 4) + 1);
}

long
nz_period_of_date(int year, int month)
{
	return nz_period_index(year, (month - 1) / 3 + 1);
}

long
nz_period_first_day(long index)
{
	return nz_days_from_civil((int)(index / 4), (int)(index % 4) * 3 + 1,
	    1);
}

long
nz_period_last_day(long index)
{
	return nz_period_first_day(index + 1) - 1;
}

long
nz_period_opt(const char *opt, const char *s)
{
	long index;

	if (nz_period_parse_index(s, &index) < 0)
		nz_usage_error("invalid value for %s: %s (expected a quarter "
		    "YYYYQn, e.g. 2026Q3)", opt, nz_q(s));
	return index;
}

json_t *
nz_period_run(long first, long last)
{
	char a[NZ_PERIOD_BUF], b[NZ_PERIOD_BUF];

	if (first > last)
		return json_null();
	nz_period_name(first, a);
	nz_period_name(last, b);
	return json_pack("{s:s,s:s}", "first", a, "last", b);
}
