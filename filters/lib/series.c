/* series.c: the national series files, merge's cells and diff-quarters'
 * changes, read column by column with each value checked against what
 * its column holds (publish reads them so).  The columns are the
 * schema's, each with its kind found here by its name, or by its suffix
 * after a measure's name, so a new dimension needs no change here.
 */
#include <stdlib.h>
#include <string.h>

#include "nz.h"

#define NONE INT64_MIN           /* an empty bound: no limit */

/* What a column of merge's and diff-quarters' contracts (the schema)
 * holds, by its name, or by its suffix after a measure's name; est: an
 * estimate, its low and its high start there. */
enum kind { DIMENSION, PERIOD, AGENCY, COUNT, SIGNED, SHOWN, PCT, SIG, LIST };
typedef struct nz_series_col {
	const char *name;
	enum kind kind;
	int empty_ok, est;
} colspec;

static const colspec named_cols[] = {
	{"period", PERIOD, 0, 0}, {"base_period", PERIOD, 0, 0},
	{"agency", AGENCY, 0, 0}, {"agencies", COUNT, 0, 0},
	{"agencies_matched", COUNT, 0, 0}, {"agencies_joined", LIST, 1, 0},
	{"agencies_left", LIST, 1, 0}, {"policy_events", LIST, 1, 0},
};
static const colspec measure_cols[] = {
	{"", COUNT, 0, 1}, {"_low", COUNT, 0, 0}, {"_high", COUNT, 1, 0},
	{"_shown", SHOWN, 0, 0}, {"_stat_low", COUNT, 0, 0},
	{"_stat_high", COUNT, 1, 0}, {"_base", COUNT, 0, 1},
	{"_base_low", COUNT, 0, 0}, {"_base_high", COUNT, 1, 0},
	{"_change", SIGNED, 0, 1}, {"_change_low", SIGNED, 1, 0},
	{"_change_high", SIGNED, 1, 0}, {"_pct", PCT, 1, 0}, {"_sig", SIG, 0, 0},
};
static const colspec dimension_col = {NULL, DIMENSION, 0, 0};

int
nz_series_period(const char *file, long line, const char *s)
{
	int y, q;

	if (nz_period_parse(s, &y, &q) != 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "bad period %s", nz_q(s));
	return y * 4 + q - 1;
}

static const colspec *
spec_of(const char *col)
{
	size_t i, len;
	int m;

	if (nz_dim_index(col) >= 0)
		return &dimension_col;
	for (i = 0; i < sizeof named_cols / sizeof *named_cols; i++)
		if (strcmp(col, named_cols[i].name) == 0)
			return &named_cols[i];
	for (m = 0; m < NZ_NMEASURES; m++) {
		len = strlen(nz_measure_names[m]);
		for (i = 0; strncmp(col, nz_measure_names[m], len) == 0 &&
		    i < sizeof measure_cols / sizeof *measure_cols; i++)
			if (strcmp(col + len, measure_cols[i].name) == 0)
				return &measure_cols[i];
	}
	nz_die(NZ_EXIT_DATA, "the schema's column %s has no kind here",
	    nz_q(col));
}

/* the header, as the schema gives the contract */
void
nz_series_header(nz_csv *csv, nz_series_file *f,
    enum nz_contract contract)
{
	size_t j;

	f->cols = nz_cols(contract, &f->ncols);
	nz_csv_expect_header(csv, f->cols, f->ncols);
	f->spec = nz_calloc(f->ncols, sizeof *f->spec);
	for (j = 0; j < f->ncols; j++)
		f->spec[j] = spec_of(f->cols[j]);
}

/* a percentage as diff-quarters writes it: [-]digits[.digits]; strtod
 * alone would take nan, inf, hex and spaces */
static int
plain_decimal(const char *s)
{
	const char *p = s + (*s == '-');
	size_t n = strspn(p, "0123456789");

	if (n && p[n] == '.')
		n += strspn(p + n + 1, "0123456789") ? 1 +
		    strspn(p + n + 1, "0123456789") : 0;
	return n > 0 && p[n] == '\0';
}

/* One field as JSON; *num its value where it has one (NONE: empty). */
json_t *
nz_series_field(const nz_series_file *f, long line, size_t j,
    const char *s, int64_t *num)
{
	const colspec *c = f->spec[j];
	const char *col = f->cols[j];
	long v;
	int k;

	*num = NONE;
	if (c->kind == DIMENSION)
		return NULL;        /* the caller reads them */
	if (*s == '\0' && c->empty_ok)
		return c->kind == LIST ? json_array() : json_null();
	switch (c->kind) {
	case PERIOD:
		*num = nz_series_period(f->name, line, s);
		return json_string(s);
	case AGENCY:
		if (strcmp(s, "*") != 0)
			nz_dieat(NZ_EXIT_DATA, f->name, line, "agency must be '*', "
			    "found %s", nz_q(s));
		return NULL;
	case SHOWN:
		for (k = 0; k < 3 && strcmp(s, nz_shown_names[k]) != 0; k++)
			;
		*num = k;
		if (k < 3)
			return json_string(s);
		break;
	case PCT:
		if (plain_decimal(s) && strlen(s) < 16)
			return json_real(strtod(s, NULL));
		break;
	case LIST: {
		json_t *list = json_array();
		const char *bar;

		for (; ; s = bar + 1) {
			bar = strchr(s, '|');
			json_array_append_new(list, bar ? json_stringn(s,
			    (size_t)(bar - s)) : json_string(s));
			if (!bar)
				return list;
		}
	}
	default:
		if (nz_parse_long(s, c->kind == SIGNED ? -(1L << 53) : 0,
		    c->kind == SIG ? 1 : 1L << 53, &v) == 0)
			return *num = v, json_integer(v);
	}
	nz_dieat(NZ_EXIT_DATA, f->name, line, "%s: bad value %s", col, nz_q(s));
}

/* estimate within its bounds (an empty low or high has no limit), and a
 * number shown only where it cannot hide a value under NZ_SHOWN_MIN */
void
nz_series_check(const nz_series_file *f, long line, const int64_t *num)
{
	size_t j;

	for (j = 0; j < f->ncols; j++) {
		const char *col = f->cols[j];

		if (f->spec[j]->est && ((num[j + 1] != NONE &&
		    num[j + 1] > num[j]) || (num[j + 2] != NONE &&
		    num[j] > num[j + 2])))
			nz_dieat(NZ_EXIT_DATA, f->name, line, "%s: estimate %lld "
			    "outside its bounds", col, (long long)num[j]);
		if (f->spec[j]->kind == SHOWN && ((num[j] ==
		    NZ_SHOWN_NUMBER && (num[j - 2] < NZ_SHOWN_MIN ||
		    num[j - 1] == NONE)) || (num[j] == NZ_SHOWN_S &&
		    (num[j - 1] == NONE || num[j - 1] >= NZ_SHOWN_MIN))))
			nz_dieat(NZ_EXIT_DATA, f->name, line, "%s: %s does not "
			    "fit the range %lld..%lld", col, nz_q(nz_shown_names[num[j]]),
			    (long long)num[j - 2], (long long)num[j - 1]);
	}
}
