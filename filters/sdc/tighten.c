/* tighten.c: the bounds of one solve (solve.c): each variable's own box
 * (model.c), tightened to what the rows imply, and the components the
 * rows that still bind link the other variables into; and the first
 * relation an inconsistent group breaks.
 *
 * Tightening is constraint propagation rounded to integers: exact, as it
 * removes no integer solution.  It fixes many variables and gives S sums
 * a finite top; variables held to one value are constants, and a row
 * the bounds alone already satisfy binds nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define NEG_INF (-SDC_INF)

/* ---- the bounds of one solve ---- */

size_t
sdc_find_root(size_t *root, size_t i)
{
	while (root[i] != i) {
		root[i] = root[root[i]];
		i = root[i];
	}
	return i;
}

static void
join(size_t *root, size_t i, size_t j)
{
	i = sdc_find_root(root, i);
	j = sdc_find_root(root, j);
	if (i < j)
		root[j] = i;
	else if (j < i)
		root[i] = j;
}

/* The least and greatest sums of row r within the bounds; *_inf counts
 * the members that make a sum infinite. */
struct row_sums {
	int64_t minsum, maxsum;
	size_t min_inf, max_inf;
};

static struct row_sums
row_sums(const struct model *md, size_t r)
{
	const sdc_group *g = md->g;
	struct row_sums s = {0, 0, 0, 0};
	size_t k;

	for (k = g->start[r]; k < g->start[r + 1]; k++) {
		int64_t lo = md->lo[g->var[k]], hi = md->hi[g->var[k]];
		if (g->coef[k] > 0) {
			s.minsum += lo;
			if (hi == SDC_INF)
				s.max_inf++;
			else
				s.maxsum += hi;
		} else {
			s.maxsum -= lo;
			if (hi == SDC_INF)
				s.min_inf++;
			else
				s.minsum -= hi;
		}
	}
	return s;
}

/* Does the row hold for any values within the bounds?  Then it tells
 * nothing and stays out of the LP. */
int
sdc_row_implied(const struct model *md, size_t r)
{
	struct row_sums s = row_sums(md, r);
	int type = md->g->info[r].type;

	if (type == ROW_LE)
		return !s.max_inf && s.maxsum <= 0;
	if (type == ROW_GE)
		return !s.min_inf && s.minsum >= 0;
	return !s.min_inf && !s.max_inf && s.minsum == 0 && s.maxsum == 0;
}

/* Can the row hold at all within the bounds? */
static int
row_possible(const struct model *md, size_t r)
{
	struct row_sums s = row_sums(md, r);
	int type = md->g->info[r].type;

	if (type != ROW_LE && !s.max_inf && s.maxsum < 0)
		return 0;
	if (type != ROW_GE && !s.min_inf && s.minsum > 0)
		return 0;
	return 1;
}

/* ---- bound tightening: what each row implies for its members ---- */

/* Tighten each member's bound to what the others leave it, rounded
 * inward (true values are integers).  Returns 1 on a change. */
static int
tighten_row(struct model *md, size_t r)
{
	const sdc_group *g = md->g;
	int type = g->info[r].type, changed = 0;
	int64_t low = type == ROW_LE ? NEG_INF : 0;
	int64_t high = type == ROW_GE ? SDC_INF : 0;
	struct row_sums s;
	int64_t kmin, kmax, b;
	size_t k;

	for (k = g->start[r]; k < g->start[r + 1]; k++)
		if (md->lo[g->var[k]] > md->hi[g->var[k]])
			return 0;   /* no values fit: the LP says so */
	s = row_sums(md, r);
	for (k = g->start[r]; k < g->start[r + 1]; k++) {
		int64_t *lo = &md->lo[g->var[k]], *hi = &md->hi[g->var[k]];
		int pos = g->coef[k] > 0, kinf = *hi == SDC_INF;
		/* this member's part of the least and greatest sums */
		kmin = pos ? *lo : (kinf ? 0 : -*hi);
		kmax = pos ? (kinf ? 0 : *hi) : -*lo;
		if (high != SDC_INF && s.min_inf == (size_t)(!pos && kinf)) {
			b = high - (s.minsum - kmin);   /* coef x <= b */
			if (pos && b < *hi) {
				*hi = b;
				changed = 1;
			} else if (!pos && -b > *lo) {
				*lo = -b;
				changed = 1;
			}
		}
		if (low != NEG_INF && s.max_inf == (size_t)(pos && kinf)) {
			b = low - (s.maxsum - kmax);    /* coef x >= b */
			if (pos && b > *lo) {
				*lo = b;
				changed = 1;
			} else if (!pos && -b < *hi) {
				*hi = -b;
				changed = 1;
			}
		}
	}
	return changed;
}

/* Tighten every bound to what the rows imply, pass after pass. */
static void
tighten(struct model *md)
{
	size_t r;
	int changed = 1, pass;

	for (pass = 0; pass < 50 && changed; pass++) {
		changed = 0;
		for (r = 0; r < md->g->nrows; r++)
			changed |= tighten_row(md, r);
	}
}

static void
model_bounds(struct model *md, sdc_group *g)
{
	size_t v;

	memset(md, 0, sizeof *md);
	md->g = g;
	md->lo = nz_calloc(g->nvars + 1, sizeof *md->lo);
	md->hi = nz_calloc(g->nvars + 1, sizeof *md->hi);
	for (v = 0; v < g->nvars; v++)
		sdc_box(g, v, &md->lo[v], &md->hi[v]);
}

/* Bounds, tightened, and the components of what is not constant. */
void
sdc_model_init(struct model *md, sdc_group *g)
{
	size_t v, r, k, first;

	model_bounds(md, g);
	tighten(md);
	md->root = nz_calloc(g->nvars + 1, sizeof *md->root);
	for (v = 0; v < g->nvars; v++)
		md->root[v] = v;
	for (r = 0; r < g->nrows; r++) {
		if (sdc_row_implied(md, r))
			continue;
		first = SIZE_MAX;
		for (k = g->start[r]; k < g->start[r + 1]; k++) {
			if (sdc_is_const(md, g->var[k]))
				continue;
			if (first == SIZE_MAX)
				first = g->var[k];
			else
				join(md->root, first, g->var[k]);
		}
	}
}

void
sdc_model_free(struct model *md)
{
	free(md->lo);
	free(md->hi);
	free(md->root);
}

/* ---- the first relation an inconsistent group breaks ---- */

int
sdc_violation(sdc_group *g, size_t *cell, nz_buf *why)
{
	struct model md;
	size_t r, v;
	int pass, changed = 1, found = -1;

	model_bounds(&md, g);
	/* a variable whose own entries leave it no value: its cell */
	for (v = 0; v < VAR(g->ncells, 0) && found < 0; v++)
		if (md.lo[v] > md.hi[v]) {
			const char *e;
			int m = VAR_MEASURE(v);
			*cell = VAR_CELL(v);
			e = sdc_cell_error(&g->rules, &g->cells[*cell], &m);
			nz_buf_clear(why);
			nz_buf_printf(why, "%s: %s", nz_measure_names[m],
			    e ? e : "no value fits what the cell publishes");
			found = 0;
		}
	/* else the first row the bounds leave no values, tightening by
	 * the rows before it as they come */
	for (pass = 0; pass < 50 && changed && found < 0; pass++) {
		changed = 0;
		for (r = 0; r < g->nrows && found < 0; r++) {
			if (!row_possible(&md, r)) {
				*cell = g->info[r].cell;
				sdc_describe_row(g, r, md.lo, md.hi, why);
				found = 0;
			} else {
				changed |= tighten_row(&md, r);
			}
		}
	}
	sdc_model_free(&md);
	return found;
}
