/* coverage.c: which agencies reported each quarter (issue 14, item 4).
 *
 * An agency is expected in a quarter once it has reported that quarter or
 * any before it (it has joined); from then on a quarter it has not
 * released is listed as not yet reported, late or gone, never left out
 * in silence.  A quarter is complete when its panel has reported it:
 *   previous  every agency that reported the quarter before (default:
 *             an agency that joins does not hold a quarter back, one
 *             that is late does);
 *   expected  every agency expected in it.
 * The latest complete quarter is the one a headline may use.  Quarters
 * run from the first any agency released to the last, gaps included.
 */
#include <stdlib.h>
#include <string.h>

#include "nz.h"

/* the agencies of rs (sorted by agency) and, for each, whether it
 * released each quarter first..first+nquarters-1 */
struct panel {
	const char **agency;
	size_t nagencies;
	long first, nquarters;
	unsigned char *released;   /* [agency * nquarters + quarter] */
	long *joined;              /* first quarter released, per agency */
};

static void
panel_build(struct panel *pn, nz_release *const *rs, size_t n)
{
	size_t i, p, a = 0;
	long q, last = 0;

	pn->agency = nz_malloc((n + 1) * sizeof *pn->agency);
	pn->first = -1;
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(rs[i]->agency, rs[i - 1]->agency) != 0)
			pn->agency[pn->nagencies++] = rs[i]->agency;
		for (p = 0; p < rs[i]->nperiods; p++) {
			nz_period_parse_index(rs[i]->periods[p], &q);
			if (pn->first < 0 || q < pn->first)
				pn->first = q;
			if (q > last)
				last = q;
		}
	}
	pn->nquarters = pn->first < 0 ? 0 : last - pn->first + 1;
	pn->released = nz_calloc(pn->nagencies * (size_t)pn->nquarters + 1, 1);
	pn->joined = nz_malloc((pn->nagencies + 1) * sizeof *pn->joined);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(rs[i]->agency, rs[i - 1]->agency) != 0)
			a++;
		for (p = 0; p < rs[i]->nperiods; p++) {
			nz_period_parse_index(rs[i]->periods[p], &q);
			pn->released[a * (size_t)pn->nquarters +
			    (size_t)(q - pn->first)] = 1;
		}
	}
	for (a = 0; a < pn->nagencies; a++)
		for (q = 0, pn->joined[a] = -1; q < pn->nquarters &&
		    pn->joined[a] < 0; q++)
			if (pn->released[a * (size_t)pn->nquarters + (size_t)q])
				pn->joined[a] = q;
}

static int
released(const struct panel *pn, size_t a, long q)
{
	return q >= 0 && pn->released[a * (size_t)pn->nquarters + (size_t)q];
}

static int
complete(const struct panel *pn, long q, enum nz_complete rule)
{
	size_t a;

	for (a = 0; a < pn->nagencies; a++) {
		int in_panel = rule == NZ_COMPLETE_EXPECTED ?
		    pn->joined[a] <= q : released(pn, a, q - 1);

		if (in_panel && !released(pn, a, q))
			return 0;
	}
	return 1;
}

static void
write_row(FILE *f, const struct panel *pn, long q, int done, int latest)
{
	char period[NZ_PERIOD_BUF];
	nz_buf yes = {0}, no = {0};
	size_t a, nyes = 0, nno = 0;

	nz_buf_adds(&yes, "");
	nz_buf_adds(&no, "");
	for (a = 0; a < pn->nagencies; a++) {
		if (pn->joined[a] > q)
			continue;
		if (released(pn, a, q)) {
			nz_buf_printf(&yes, "%s%s", nyes++ ? "|" : "",
			    pn->agency[a]);
		} else {
			nz_buf_printf(&no, "%s%s", nno++ ? "|" : "",
			    pn->agency[a]);
		}
	}
	nz_period_name(pn->first + q, period);
	fprintf(f, "%s,%zu,%zu,%zu,%s,%s,%d,%d\n", period, nyes + nno, nyes,
	    nno, yes.s, no.s, done, latest);
	nz_buf_free(&yes);
	nz_buf_free(&no);
}

void
nz_coverage_write(FILE *f, nz_release *const *rs, size_t n,
	enum nz_complete rule)
{
	struct panel pn = {0};
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_COVERAGE, &ncols);
	long q, latest = -1;

	panel_build(&pn, rs, n);
	for (q = 0; q < pn.nquarters; q++)
		if (complete(&pn, q, rule))
			latest = q;
	nz_csv_header(f, cols, ncols);
	for (q = 0; q < pn.nquarters; q++)
		write_row(f, &pn, q, complete(&pn, q, rule), q == latest);
	free(pn.agency);
	free(pn.released);
	free(pn.joined);
}
