/* intervals.c: the interval each S of a release is proven to hide, as NZCCSS
 * reads it (CONTRACTS.md, "Intervals of a release").
 *
 * Beside every release it merges, NZCCSS keeps intervals.csv: the audit
 * report of the release in public mode (`audit --manifest DIR`, no list of
 * secondary cells, so every S is read as a reader with the release alone
 * can read it).  Each row gives one S of one cell the integers low..high
 * its true value may take, given the rules and every published value.
 * An S of a merged sum is then bounded by that interval, not by the rules
 * alone: a sum of intervals each of which the model proves.
 *
 * The file is only as good as its match with the release, so it must hold
 * exactly one row for every S of the release and none for anything else,
 * every row "ok" with at least three values: an exposed or inconsistent
 * interval means the release should never have been sent, and it is
 * refused by name rather than merged with looser bounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nz.h"

#define COL_MEASURE (NZ_COL_DIMS + NZ_NDIMS)
#define COL_LOW (COL_MEASURE + 1)
#define COL_HIGH (COL_MEASURE + 2)
#define COL_STATUS (COL_MEASURE + 3)
#define VALUE_MAX 1000000000000L /* as release.c: 10^12 */
#define MIN_VALUES 3             /* what the agency's audit guarantees */

/* "(PERIOD, AGENCY, dim=code, ...)" for a cell of r */
static const char *
label(const nz_release *r, const nz_rcell *c, nz_buf *out)
{
	char *copy = nz_strdup(c->dims), *p = copy;
	const char *dim[NZ_NDIMS];
	int d;

	for (d = 0; d < NZ_NDIMS; d++) {
		dim[d] = p;
		p += strcspn(p, ",");
		if (*p)
			*p++ = '\0';
	}
	nz_buf_clear(out);
	nz_cell_label(out, c->period, r->agency, dim);
	free(copy);
	return out->s;
}

static _Noreturn void
no_intervals(const nz_release *r, const char *path)
{
	nz_die(NZ_EXIT_DATA, "%s: %s: NZCCSS merges a release only with the "
	    "intervals its S cells are proven to hide; make them with "
	    "'make national' (or 'bin/audit --manifest %s > %s')", path,
	    strerror(errno), r->manifest_path, path);
}

/* the release cell a row of intervals.csv names, or exit; last holds the
 * bytes of the last row's period, agency and dims, *cell its cell (NULL
 * at first): a cell's S measures come on consecutive rows, so most rows
 * need neither a check nor a lookup */
static nz_rcell *
row_cell(const nz_release *r, const char *path, const nz_row *row,
	nz_buf *last, nz_rcell **cell, nz_buf *key)
{
	/* one span, fields apart by a NUL each (nz_row) */
	const char *start = row->field[NZ_COL_PERIOD];
	size_t n = (size_t)(row->field[COL_MEASURE - 1] +
	    row->len[COL_MEASURE - 1] - start);
	long at;

	if (*cell && n == last->len && memcmp(start, last->s, n) == 0)
		return *cell;
	if (strcmp(row->field[NZ_COL_AGENCY], r->agency) != 0)
		nz_dieat(NZ_EXIT_DATA, path, row->line, "agency %s in the "
		    "intervals of a release of %s",
		    nz_q(row->field[NZ_COL_AGENCY]),
		    nz_q(r->agency));
	nz_release_row_key(key, row);
	at = nz_strset_findn(r->index, key->s, key->len);
	if (at < 0)
		nz_dieat(NZ_EXIT_DATA, path, row->line, "no such cell in %s: "
		    "these intervals are not this release's (remake them)",
		    r->path);
	nz_buf_clear(last);
	nz_buf_add(last, start, n);
	return *cell = &r->cells[at];
}

/* low..high of a row, checked: ok, at least MIN_VALUES values */
static void
row_interval(const nz_release *r, const char *path, const nz_row *row,
	const nz_rcell *c, int m, int64_t *low, int64_t *high)
{
	const char *status = row->field[COL_STATUS];
	int ok = strcmp(status, "ok") == 0;   /* nearly every row */
	nz_buf cell = {0};
	long v;

	if (!ok && strcmp(status, "inconsistent") == 0)
		nz_dieat(NZ_EXIT_DATA, path, row->line, "%s of %s: no true "
		    "values fit the published cells: the release is "
		    "inconsistent (tampered or hand-edited) and is refused",
		    nz_measure_names[m], label(r, c, &cell));
	if (!ok && strcmp(status, "exposed") != 0)
		nz_dieat(NZ_EXIT_DATA, path, row->line, "status: expected ok, "
		    "exposed or inconsistent, found %s", nz_q(status));
	if (nz_parse_long(row->field[COL_LOW], 0, VALUE_MAX, &v) < 0)
		nz_dieat(NZ_EXIT_DATA, path, row->line, "low: expected a whole "
		    "number, found %s", nz_q(row->field[COL_LOW]));
	*low = v;
	if (strcmp(row->field[COL_HIGH], "inf") == 0)
		*high = NZ_UNBOUNDED;
	else if (nz_parse_long(row->field[COL_HIGH], v, VALUE_MAX, &v) == 0)
		*high = v;
	else
		nz_dieat(NZ_EXIT_DATA, path, row->line, "high: expected a whole "
		    "number from low up, or inf, found %s",
		    nz_q(row->field[COL_HIGH]));
	/* not ok is exposed here: any other status stopped above */
	if (!ok || (*high != NZ_UNBOUNDED && *high - *low < MIN_VALUES - 1))
		nz_dieat(NZ_EXIT_DATA, path, row->line, "%s of %s is exposed: "
		    "its true value lies in %s..%s, fewer than %d values: the "
		    "release of %s is refused", nz_measure_names[m],
		    label(r, c, &cell), row->field[COL_LOW],
		    row->field[COL_HIGH], MIN_VALUES, nz_q(r->agency));
}

/* the S's rules bounds cut to low..high */
static void
apply(const nz_release *r, const char *path, long line, nz_rcell *c,
	int m, int64_t low, int64_t high)
{
	nz_bounds *b = &c->m[m];
	nz_buf cell = {0};

	if (low > b->low)
		b->low = low;
	if (high < b->high)
		b->high = high;
	if (b->low > b->high)
		nz_dieat(NZ_EXIT_DATA, path, line, "%s of %s: the interval "
		    "leaves no value the rules %s allow for an S: these "
		    "intervals are not this release's (remake them)",
		    nz_measure_names[m], label(r, c, &cell),
		    nz_q(r->rules.name));
}

static void
check_all_given(const nz_release *r, const char *path,
	const unsigned char *given)
{
	nz_buf cell = {0};
	size_t i;
	int m;

	for (i = 0; i < r->ncells; i++)
		for (m = 0; m < NZ_NMEASURES; m++)
			if ((r->cells[i].suppressed & ~given[i]) & (1u << m))
				nz_dieat(NZ_EXIT_DATA, r->path, r->cells[i].line,
				    "%s of %s is S, but %s gives it no "
				    "interval: remake the intervals",
				    nz_measure_names[m],
				    label(r, &r->cells[i], &cell), path);
}

void
nz_release_intervals(nz_release *r)
{
	nz_buf path = {0}, key = {0}, last = {0}, cell = {0};
	unsigned char *given = nz_calloc(r->ncells + 1, 1);
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_AUDIT, &ncols);
	nz_csv *csv;
	nz_row *row;
	nz_rcell *c, *at = NULL;
	int64_t low, high;
	int m;

	nz_hold(given); /* reachable on every error exit below */
	nz_buf_printf(&path, "%sintervals.csv", r->dir);
	errno = 0;
	if (access(path.s, R_OK) != 0)
		no_intervals(r, path.s);
	csv = nz_csv_open(path.s, NZ_CSV_CANONICAL);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		c = row_cell(r, path.s, row, &last, &at, &key);
		m = nz_measure_index(row->field[COL_MEASURE]);
		if (m < 0)
			nz_dieat(NZ_EXIT_DATA, path.s, row->line, "measure: "
			    "expected clients, households, events or units, "
			    "found %s", nz_q(row->field[COL_MEASURE]));
		if (!(c->suppressed & (1u << m)))
			nz_dieat(NZ_EXIT_DATA, path.s, row->line, "%s of %s is "
			    "published in %s, not S: these intervals are not "
			    "this release's (remake them)", nz_measure_names[m],
			    label(r, c, &cell), r->path);
		if (given[c - r->cells] & (1u << m))
			nz_dieat(NZ_EXIT_DATA, path.s, row->line, "%s of %s is "
			    "given twice", nz_measure_names[m],
			    label(r, c, &cell));
		given[c - r->cells] |= (unsigned char)(1u << m);
		row_interval(r, path.s, row, c, m, &low, &high);
		apply(r, path.s, row->line, c, m, low, high);
	}
	nz_csv_close(csv);
	check_all_given(r, path.s, given);
	nz_drop(given);
	free(given);
	nz_buf_free(&path);
	nz_buf_free(&key);
	nz_buf_free(&last);
	nz_buf_free(&cell);
}
