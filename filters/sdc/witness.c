/* witness.c: integer points of a component found without a solve, for
 * the statuses secondary suppression needs (solve.c).
 *
 * A status needs only two integer points of the model whose values of
 * the target are two apart.  Given one (an integral LP vertex, or a
 * RINS point), a move that real data could make often gives another:
 * two more clients (households, events, units) with one code in every
 * dimension, counted in every cell whose codes they match; or two
 * moved from one code of a dimension to another, so that the margins
 * above stay as they were.
 * On a sparse table of small counts, all S, the first LP's vertex and
 * such moves settle nearly every S, where an LP of thousands of columns
 * per S took minutes.
 *
 * The new point is checked against every bound and every row it
 * changes, in integers, so a move the model does not allow is simply
 * not taken: nothing here need be true of real data for the points to
 * be points of the model.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define C (1u << NZ_CLIENTS)
#define H (1u << NZ_HOUSEHOLDS)
#define E (1u << NZ_EVENTS)
#define U (1u << NZ_UNITS)

/* The measures a move changes together, by the target's measure: a
 * client comes with an event (events >= clients), with or without a
 * household of its own; events and units move alone. */
static const unsigned moves[NZ_NMEASURES][3] = {
	[NZ_CLIENTS] = {C | E, C | H | E, C},
	[NZ_HOUSEHOLDS] = {C | H | E, H, 0},
	[NZ_EVENTS] = {E, 0, 0},
	[NZ_UNITS] = {U, 0, 0},
};

struct witness {
	const struct model *md;
	const sdc_group *g;
	const int *col;           /* variable -> column, 0: a constant */
	int64_t *delta;           /* by variable: the move */
	size_t *touched, ntouched;
	size_t *row_stamp, stamp;
	/* the cells by their codes (index_cells): the cells matching codes
	 * k are, for each set of dimensions a cell codes (sig: one for
	 * each table and margin), those whose codes are k's in that set;
	 * slot (open addressing, nslots a power of two) holds the first
	 * such cell + 1 of each code vector, next the others, in order */
	uint32_t *sig;            /* each set: its dimensions, a bitmask */
	size_t nsigs, *slot, nslots, *next;
	uint32_t *cell_sig;       /* by cell: its set's index */
	size_t *cell_stamp, cstamp;
};

/* Does cell j have set s and, in its dimensions, codes k? */
static int
cell_is(const struct witness *w, size_t j, size_t s, const uint32_t *k)
{
	const uint32_t *c = w->g->codes + j * NZ_NDIMS;
	uint32_t dims = w->sig[s];
	int d;

	if (w->cell_sig[j] != s)
		return 0;
	for (; dims; dims &= dims - 1) {
		d = __builtin_ctz(dims);
		if (c[d] != k[d])
			return 0;
	}
	return 1;
}

/* The slot of the cells with set s and, in its dimensions, codes k. */
static size_t
codes_slot(const struct witness *w, size_t s, const uint32_t *k)
{
	uint64_t x = 14695981039346656037u ^ s;
	uint32_t dims = w->sig[s];
	size_t h;

	for (; dims; dims &= dims - 1)
		x = (x ^ k[__builtin_ctz(dims)]) * 1099511628211u;
	h = (size_t)(x ^ x >> 29) & (w->nslots - 1);
	while (w->slot[h] && !cell_is(w, w->slot[h] - 1, s, k))
		h = (h + 1) & (w->nslots - 1);
	return h;
}

/* Index the cells by their codes: a move for codes k changes only the
 * cells that match k, one a table, so it need not scan them. */
static void
index_cells(struct witness *w)
{
	const sdc_group *g = w->g;
	const uint32_t *c;
	uint32_t sig;
	size_t j, i, h;
	int d;

	for (w->nslots = 16; w->nslots < 2 * g->ncells; w->nslots *= 2)
		;
	w->slot = nz_calloc(w->nslots, sizeof *w->slot);
	w->next = nz_calloc(g->ncells + 1, sizeof *w->next);
	w->sig = nz_calloc(g->ncells + 1, sizeof *w->sig);
	w->cell_sig = nz_calloc(g->ncells + 1, sizeof *w->cell_sig);
	for (j = g->ncells; j-- > 0; ) {   /* each chain in cell order */
		c = g->codes + j * NZ_NDIMS;
		for (sig = 0, d = 0; d < NZ_NDIMS; d++)
			if (c[d])
				sig |= 1u << d;
		for (i = 0; i < w->nsigs && w->sig[i] != sig; i++)
			;
		if (i == w->nsigs)
			w->sig[w->nsigs++] = sig;
		w->cell_sig[j] = (uint32_t)i;
		h = codes_slot(w, i, c);
		w->next[j] = w->slot[h];
		w->slot[h] = j + 1;
	}
	w->cell_stamp = nz_calloc(g->ncells + 1, sizeof *w->cell_stamp);
}

struct witness *
sdc_witness_new(const struct model *md, const int *col)
{
	struct witness *w = nz_calloc(1, sizeof *w);
	const sdc_group *g = md->g;

	w->md = md;
	w->g = g;
	w->col = col;
	w->delta = nz_calloc(g->nvars + 1, sizeof *w->delta);
	w->touched = nz_calloc(g->nvars + 1, sizeof *w->touched);
	w->row_stamp = nz_calloc(g->nrows + 1, sizeof *w->row_stamp);
	index_cells(w);
	return w;
}

void
sdc_witness_free(struct witness *w)
{
	if (!w)
		return;
	free(w->delta);
	free(w->touched);
	free(w->row_stamp);
	free(w->sig);
	free(w->cell_sig);
	free(w->slot);
	free(w->next);
	free(w->cell_stamp);
	free(w);
}

/* Does cell j count what has codes k? */
static int
matches(const sdc_group *g, size_t j, const uint32_t *k)
{
	const uint32_t *c = g->codes + j * NZ_NDIMS;
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		if (c[d] != 0 && c[d] != k[d])
			return 0;
	return 1;
}

static void
clear_move(struct witness *w)
{
	size_t i;

	for (i = 0; i < w->ntouched; i++)
		w->delta[w->touched[i]] = 0;
	w->ntouched = 0;
}

/* The move: step in the measures of mask of every cell matching k, less
 * (when from is given) those matching from.  0 when it would change a
 * constant or leave a bound. */
/* Cell j's part of the move: step in the measures of mask.  0 when it
 * would change a constant or leave a bound. */
static int
move_cell(struct witness *w, const int64_t *x, size_t j, int sign,
    unsigned mask, int64_t step)
{
	const struct model *md = w->md;
	size_t u;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		if (!(mask & (1u << m)))
			continue;
		u = VAR(j, m);
		if (!w->col[u])
			return 0;
		w->delta[u] = sign * step;
		w->touched[w->ntouched++] = u;
		if (x[w->col[u]] + w->delta[u] < md->lo[u] ||
		    (md->hi[u] != SDC_INF &&
		    x[w->col[u]] + w->delta[u] > md->hi[u]))
			return 0;
	}
	return 1;
}

/* Move the cells of set s with codes c there that are not yet done. */
static int
move_cells(struct witness *w, const int64_t *x, size_t s, const uint32_t *c,
    const uint32_t *k, const uint32_t *from, unsigned mask, int64_t step)
{
	const sdc_group *g = w->g;
	size_t j1;
	int sign;

	for (j1 = w->slot[codes_slot(w, s, c)]; j1; j1 = w->next[j1 - 1]) {
		size_t j = j1 - 1;
		if (w->cell_stamp[j] == w->cstamp)
			continue;
		w->cell_stamp[j] = w->cstamp;
		sign = matches(g, j, k) - (from ? matches(g, j, from) : 0);
		if (sign != 0 && !move_cell(w, x, j, sign, mask, step))
			return 0;
	}
	return 1;
}

/* The move: step in the measures of mask of every cell matching k, less
 * (when from is given) those matching from.  0 when it would change a
 * constant or leave a bound.  The cells matching k are, in each table,
 * the one with k's codes there (index_cells); whether the move is
 * allowed does not depend on the order they come in. */
static int
build_move(struct witness *w, const int64_t *x, const uint32_t *k,
    const uint32_t *from, unsigned mask, int64_t step)
{
	size_t i;

	w->cstamp++;
	for (i = 0; i < w->nsigs; i++)
		if (!move_cells(w, x, i, k, k, from, mask, step) ||
		    (from && !move_cells(w, x, i, from, k, from, mask, step)))
			return 0;
	return w->ntouched > 0;
}

/* Do the rows the move changes still hold?  For a ray, does each row
 * hold however often the move is made (its part of the row's sum keeps
 * the row's side)? */
static int
rows_hold(struct witness *w, const int64_t *x, int ray)
{
	const sdc_group *g = w->g;
	size_t i, q, r, k, u;
	int64_t sum;
	int type;

	w->stamp++;
	for (i = 0; i < w->ntouched; i++) {
		u = w->touched[i];
		for (q = g->inc_start[u]; q < g->inc_start[u + 1]; q++) {
			r = g->inc[q];
			if (w->row_stamp[r] == w->stamp)
				continue;
			w->row_stamp[r] = w->stamp;
			if (sdc_row_implied(w->md, r))
				continue;
			/* its other members are in the component or are
			 * constants (tighten.c joins them) */
			for (sum = 0, k = g->start[r]; k < g->start[r + 1];
			    k++) {
				size_t y = g->var[k];
				sum += g->coef[k] * (ray ? w->delta[y] :
				    w->col[y] ? x[w->col[y]] + w->delta[y] :
				    w->md->lo[y]);
			}
			type = g->info[r].type;
			if (type == ROW_EQ ? sum != 0 : type == ROW_LE ?
			    sum > 0 : sum < 0)
				return 0;
		}
	}
	return 1;
}

/* A ray moves only what has no upper bound, and only up. */
static int
ray_bounds(const struct witness *w)
{
	size_t i, u;

	for (i = 0; i < w->ntouched; i++) {
		u = w->touched[i];
		if (w->delta[u] < 0 || w->md->hi[u] != SDC_INF)
			return 0;
	}
	return 1;
}

static int
try_move(struct witness *w, const int64_t *x, const uint32_t *k,
    const uint32_t *from, unsigned mask, int64_t step)
{
	int ray = step == 0;
	int ok = build_move(w, x, k, from, mask, ray ? 1 : step) &&
	    (!ray || ray_bounds(w)) && rows_hold(w, x, ray);

	clear_move(w);
	return ok;
}

/* The moves for target v, by step (0: a ray): more of what has its
 * codes, or (not for a ray) some moved there from the next code of one
 * of its dimensions. */
static int
find_move(struct witness *w, const int64_t *x, size_t v, int64_t step)
{
	const sdc_group *g = w->g;
	const uint32_t *own = g->codes + VAR_CELL(v) * NZ_NDIMS;
	uint32_t k[NZ_NDIMS], from[NZ_NDIMS];
	int m = VAR_MEASURE(v), d, a;

	if (v >= VAR(g->ncells, 0) || !w->col[v])
		return 0;
	/* the other dimensions: each one's first code */
	for (d = 0; d < NZ_NDIMS; d++)
		k[d] = own[d] ? own[d] : g->ncodes[d] ? 1 : 0;
	for (a = 0; a < 3 && moves[m][a]; a++) {
		if (try_move(w, x, k, NULL, moves[m][a], step))
			return 1;
		for (d = 0; d < NZ_NDIMS && step != 0; d++) {
			if (!own[d] || g->ncodes[d] < 2)
				continue;
			memcpy(from, k, sizeof from);
			from[d] = own[d] % g->ncodes[d] + 1;
			if (try_move(w, x, k, from, moves[m][a], step))
				return 1;
		}
	}
	return 0;
}

int
sdc_witness_step(struct witness *w, const int64_t *x, size_t v,
    int64_t step)
{
	return step != 0 && find_move(w, x, v, step);
}

int
sdc_witness_ray(struct witness *w, const int64_t *x, size_t v)
{
	return find_move(w, x, v, 0);
}
