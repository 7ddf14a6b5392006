/* utility.c: how useful the merged figures are (issue 14, item 6):
 * per quarter, measure and level (the national cells, region '*', and the
 * regional ones), how many cells a reader sees as a number, a range or S
 * (nz_shown, the rule merged.csv's readers follow), and how wide the
 * ranges are: the median of (high - low) / estimate in percent (infinite
 * for an estimate of 0 or no upper bound), and the median of high - low.
 * Once for the hard bounds and once for the statistical intervals, for
 * comparison.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

enum { HARD, STAT, NINTERVALS };
enum { NATIONAL, REGIONAL, NLEVELS };
static const char *const interval_names[NINTERVALS] = {"hard",
    "statistical"};
static const char *const level_names[NLEVELS] = {"national", "regional"};

struct widths {
	double *v;
	size_t n, cap;
};

struct tally {
	long cells, shown[3];
	struct widths relative, span;  /* of the ranges */
};

#define NTALLIES (NZ_NMEASURES * NLEVELS * NINTERVALS)

struct nz_utility {
	double max_share;
	char **period;
	struct tally (*tally)[NTALLIES];
	size_t nperiods, cap;
};

nz_utility *
nz_utility_new(double max_share)
{
	nz_utility *u = nz_calloc(1, sizeof *u);

	u->max_share = max_share;
	return u;
}

static void
widths_add(struct widths *w, double v)
{
	nz_grow(&w->v, &w->cap, w->n + 1, sizeof *w->v);
	w->v[w->n++] = v;
}

/* (high - low) / est in percent; infinite when unbounded or est is 0 */
static double
relative_width(int64_t low, int64_t high, int64_t est)
{
	if (high == NZ_UNBOUNDED)
		return INFINITY;
	if (high == low)
		return 0;
	return est > 0 ? 100.0 * (double)(high - low) / (double)est :
	    INFINITY;
}

static struct tally *
tally_of(nz_utility *u, const char *period, int m, int level, int interval)
{
	size_t cap = u->cap;

	if (u->nperiods == 0 || strcmp(u->period[u->nperiods - 1], period)) {
		nz_grow(&u->tally, &cap, u->nperiods + 1, sizeof *u->tally);
		u->period = nz_realloc(u->period, cap * sizeof *u->period);
		u->cap = cap;
		memset(u->tally[u->nperiods], 0, sizeof *u->tally);
		u->period[u->nperiods++] = nz_strdup(period);
	}
	return &u->tally[u->nperiods - 1][(m * NLEVELS + level) * NINTERVALS +
	    interval];
}

static void
count(struct tally *t, enum nz_shown shown, int64_t low, int64_t high,
	int64_t est)
{
	t->cells++;
	t->shown[shown]++;
	if (shown != NZ_SHOWN_RANGE)
		return;
	widths_add(&t->relative, relative_width(low, high, est));
	widths_add(&t->span, high == NZ_UNBOUNDED ? INFINITY :
	    (double)(high - low));
}

void
nz_utility_add(nz_utility *u, const char *period, int m, int national,
	const nz_bounds *hard, int64_t stat_low, int64_t stat_high)
{
	int level = national ? NATIONAL : REGIONAL;

	count(tally_of(u, period, m, level, HARD), nz_bounds_shown(hard,
	    u->max_share), hard->low, hard->high, hard->est);
	count(tally_of(u, period, m, level, STAT), nz_shown(stat_low,
	    stat_high, (double)stat_low, (double)stat_high, (double)hard->est,
	    u->max_share), stat_low, stat_high, hard->est);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* the median, one decimal; "inf" when unbounded; "" for no values */
static void
write_median(FILE *f, struct widths *w)
{
	double mid;

	fputc(',', f);
	if (w->n == 0)
		return;
	qsort(w->v, w->n, sizeof *w->v, cmp_double);
	mid = w->n % 2 ? w->v[w->n / 2] :
	    (w->v[w->n / 2 - 1] + w->v[w->n / 2]) / 2;
	if (isinf(mid))
		fputs("inf", f);
	else
		fprintf(f, "%.1f", mid);
}

void
nz_utility_write(nz_utility *u, FILE *f)
{
	size_t p, ncols;
	const char *const *cols = nz_cols(NZ_COLS_UTILITY, &ncols);
	int m, level, k;

	nz_csv_header(f, cols, ncols);
	for (p = 0; p < u->nperiods; p++)
		for (m = 0; m < NZ_NMEASURES; m++)
			for (level = 0; level < NLEVELS; level++)
				for (k = 0; k < NINTERVALS; k++) {
					struct tally *t = &u->tally[p][(m *
					    NLEVELS + level) * NINTERVALS + k];

					fprintf(f, "%s,%s,%s,%s,%ld,%ld,%ld,%ld",
					    u->period[p], nz_measure_names[m],
					    level_names[level],
					    interval_names[k], t->cells,
					    t->shown[NZ_SHOWN_NUMBER],
					    t->shown[NZ_SHOWN_RANGE],
					    t->shown[NZ_SHOWN_S]);
					write_median(f, &t->relative);
					write_median(f, &t->span);
					fputc('\n', f);
				}
}

void
nz_utility_free(nz_utility *u)
{
	size_t p;
	int k;

	if (!u)
		return;
	for (p = 0; p < u->nperiods; p++) {
		for (k = 0; k < NTALLIES; k++) {
			free(u->tally[p][k].relative.v);
			free(u->tally[p][k].span.v);
		}
		free(u->period[p]);
	}
	free(u->tally);
	free(u->period);
	free(u);
}
