/* protect.c: secondary suppression (sdc_protect; DESIGN §5).
 *
 * While an S of the group is exposed under the model (model.c), hide
 * one more whole cell: every measure S, as a reader must not learn
 * which were published (a published households floors clients, a
 * published sum floors them at sum_min_clients).  Hiding only loosens
 * the model (what a hidden cell's S may hold contains what its
 * published values meant), so an S that passed stays passed, and each
 * round re-solves only the S still failing and the new ones.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define NONE SIZE_MAX

static int
var_is_s(const sdc_group *g, size_t v)
{
	return v >= VAR(g->ncells, 0) ||   /* latent counts are never seen */
	    g->cells[VAR_CELL(v)].s[VAR_MEASURE(v)];
}

static int
is_relation(const sdc_group *g, size_t r)
{
	return g->info[r].kind <= RK_CHILD;
}

/* How many members of row r are S (or latent), and published. */
static size_t
row_suppressed(const sdc_group *g, size_t r, size_t *published)
{
	size_t k, ns = 0;

	for (k = g->start[r]; k < g->start[r + 1]; k++)
		ns += var_is_s(g, g->var[k]);
	if (published)
		*published = g->start[r + 1] - g->start[r] - ns;
	return ns;
}

/* The row holding v with the fewest S and a published member. */
static size_t
best_row(const sdc_group *g, size_t v, size_t *best_s)
{
	size_t q, ns, np, best = NONE;

	*best_s = NONE;
	for (q = g->inc_start[v]; q < g->inc_start[v + 1]; q++) {
		ns = row_suppressed(g, g->inc[q], &np);
		if (np > 0 && ns < *best_s) {
			*best_s = ns;
			best = g->inc[q];
		}
	}
	return best;
}

/* How a candidate ranks, least first: the relations of its measure it
 * would leave with a single S (a new exposure to mend), how many of its
 * cell's measures are still published (all of them will be hidden), its
 * value, its cell. */
struct rank {
	size_t singletons;
	int published;
	int64_t value;
	size_t cell;
};

static struct rank
candidate_rank(const sdc_group *g, size_t r, size_t v)
{
	const sdc_cell *c = &g->cells[VAR_CELL(v)];
	struct rank k = {0, 0, c->value[VAR_MEASURE(v)], VAR_CELL(v)};
	size_t q;
	int m;

	for (q = g->inc_start[v]; q < g->inc_start[v + 1]; q++)
		if (g->inc[q] != r && is_relation(g, g->inc[q]) &&
		    row_suppressed(g, g->inc[q], NULL) == 0)
			k.singletons++;
	for (m = 0; m < NZ_NMEASURES; m++)
		k.published += !c->s[m];
	return k;
}

static int
rank_less(const struct rank *x, const struct rank *y)
{
	if (x->singletons != y->singletons)
		return x->singletons < y->singletons;
	if (x->published != y->published)
		return x->published < y->published;
	if (x->value != y->value)
		return x->value < y->value;
	return x->cell < y->cell;
}

/* The cell to hide in row r: its best published member's. */
static size_t
pick_in_row(const sdc_group *g, size_t r)
{
	struct rank best = {0, 0, 0, NONE}, k;
	size_t j;

	for (j = g->start[r]; j < g->start[r + 1]; j++) {
		if (var_is_s(g, g->var[j]))
			continue;
		k = candidate_rank(g, r, g->var[j]);
		if (best.cell == NONE || rank_less(&k, &best))
			best = k;
	}
	return best.cell;
}

/* When every row holding an exposed S is all S, what narrows it comes
 * along a chain of S to published values.  Search outwards from the
 * exposed variables, in order, through the rows of S; the first row
 * reached that still has a published member is where hiding one
 * loosens the chain nearest the exposure.  NONE if none. */
static size_t
nearest_published_row(const sdc_group *g, const size_t *exposed, size_t n)
{
	size_t *queue = nz_calloc(g->nvars + 1, sizeof *queue);
	unsigned char *seen = nz_calloc(g->nvars + 1, 1);
	size_t head = 0, tail = 0, q, k, i, r, np, found = NONE;

	for (i = 0; i < n; i++)
		if (!seen[exposed[i]]) {
			seen[exposed[i]] = 1;
			queue[tail++] = exposed[i];
		}
	while (head < tail && found == NONE) {
		i = queue[head++];
		for (q = g->inc_start[i]; q < g->inc_start[i + 1]; q++) {
			r = g->inc[q];
			row_suppressed(g, r, &np);
			if (np > 0) {
				found = r;
				break;
			}
			for (k = g->start[r]; k < g->start[r + 1]; k++)
				if (!seen[g->var[k]]) {
					seen[g->var[k]] = 1;
					queue[tail++] = g->var[k];
				}
		}
	}
	free(queue);
	free(seen);
	return found;
}

/* Hide a cell whole; its newly S measures become targets. */
static void
hide_cell(sdc_group *g, size_t cell, size_t *targets, size_t *n)
{
	sdc_cell *c = &g->cells[cell];
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		if (c->s[m])
			continue;
		c->s[m] = 1;
		targets[(*n)++] = VAR(cell, m);
	}
	c->kind = SDC_SECONDARY;
}

/* exposed S first by measure, then by cell: clients before households */
static int
measure_first(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	if (VAR_MEASURE(a) != VAR_MEASURE(b))
		return VAR_MEASURE(a) - VAR_MEASURE(b);
	return a < b ? -1 : a > b;
}

/* Solve the targets and keep the ones not OK, in order; returns 1 if one
 * is inconsistent (setting *stuck). */
static int
keep_failing(sdc_group *g, size_t *targets, size_t *n, sdc_bound *out,
    size_t *stuck)
{
	size_t i, k;

	sdc_solve_vars(g, targets, *n, 1, out);
	for (i = 0, k = 0; i < *n; i++) {
		if (out[targets[i]].status == SDC_INCONSISTENT) {
			*stuck = targets[i];
			return 1;
		}
		if (out[targets[i]].status != SDC_OK)
			targets[k++] = targets[i];
	}
	*n = k;
	qsort(targets, *n, sizeof *targets, measure_first);
	return 0;
}

/* Mark the rows of a hidden cell: exposures they hold may be mended by
 * it, so they wait for the next round. */
static void
touch_rows(const sdc_group *g, size_t cell, unsigned char *touched)
{
	size_t q;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++)
		for (q = g->inc_start[VAR(cell, m)];
		    q < g->inc_start[VAR(cell, m) + 1]; q++)
			touched[g->inc[q]] = 1;
}

static int
untouched(const sdc_group *g, size_t v, const unsigned char *touched)
{
	size_t q;

	for (q = g->inc_start[v]; q < g->inc_start[v + 1]; q++)
		if (touched[g->inc[q]])
			return 0;
	return 1;
}

/* An exposed S and the row that exposes it: the one holding it with the
 * fewest S and a published member. */
struct exposure {
	size_t var, row, nsup, order;
};

/* fewest S first, then the exposures' order (measure, then cell) */
static int
exposure_cmp(const void *x, const void *y)
{
	const struct exposure *a = x, *b = y;

	if (a->nsup != b->nsup)
		return a->nsup < b->nsup ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* One round: the exposures in that order; for each whose rows no cell
 * hidden in this round touches, hide the cell its row suggests.
 * Exposures far apart are mended together, near ones one at a time, as
 * one cell may mend both.  Returns the cells hidden, 0 if none could
 * be. */
static long
hide_round(sdc_group *g, size_t *targets, size_t *n,
    unsigned char *touched)
{
	struct exposure *e = nz_calloc(*n + 1, sizeof *e);
	size_t i, k = 0, r, cell, nfailing = *n;
	long hidden = 0;

	for (i = 0; i < nfailing; i++) {
		r = best_row(g, targets[i], &e[k].nsup);
		if (r == NONE)
			continue;
		e[k].var = targets[i];
		e[k].row = r;
		e[k++].order = i;
	}
	qsort(e, k, sizeof *e, exposure_cmp);
	memset(touched, 0, g->nrows + 1);
	for (i = 0; i < k; i++) {
		if (!untouched(g, e[i].var, touched))
			continue;
		cell = pick_in_row(g, e[i].row);
		touch_rows(g, cell, touched);
		hide_cell(g, cell, targets, n);
		hidden++;
	}
	/* every row holding an exposed S is all S: follow the chains */
	if (hidden == 0 && (r = nearest_published_row(g, targets,
	    nfailing)) != NONE && (cell = pick_in_row(g, r)) != NONE) {
		hide_cell(g, cell, targets, n);
		hidden++;
	}
	free(e);
	return hidden;
}

long
sdc_protect(sdc_group *g, size_t *stuck, int *stuck_measure)
{
	sdc_bound *out = nz_calloc(g->nvars + 1, sizeof *out);
	size_t *targets = nz_calloc(g->nvars + 1, sizeof *targets);
	unsigned char *touched = nz_calloc(g->nrows + 1, 1);
	size_t n = 0, v, s_var = 0;
	long added = 0, hidden;

	for (v = 0; v < VAR(g->ncells, 0); v++)
		if (var_is_s(g, v))
			targets[n++] = v;
	for (;;) {
		if (keep_failing(g, targets, &n, out, &s_var)) {
			added = -1;
			break;
		}
		if (n == 0)
			break;
		hidden = hide_round(g, targets, &n, touched);
		if (hidden == 0) {
			s_var = targets[0];
			added = -1;
			break;
		}
		added += hidden;
	}
	if (added < 0 && stuck)
		*stuck = VAR_CELL(s_var);
	if (added < 0 && stuck_measure)
		*stuck_measure = VAR_MEASURE(s_var);
	free(targets);
	free(touched);
	free(out);
	return added;
}
