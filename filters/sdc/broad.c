/* broad.c: the broad solves of a component (solve.c): a few LPs whose
 * integer vertices (or, where a vertex is fractional, the RINS point
 * near it), and the points witness.c reaches from them, settle most
 * ends of most targets before any target is solved alone.
 */
#include <stdlib.h>

#include "lp.h"

/* Ends of the target's interval still to find: 1 low, 2 high. */
static int
open_ends(const struct model *md, const struct seen *t)
{
	int ends = 0;

	if (t->low > md->lo[t->var])
		ends |= 1;
	if (!t->ray && (md->hi[t->var] == SDC_INF ||
	    t->high < md->hi[t->var]))
		ends |= 2;
	return ends;
}

/* Colour the targets so that no two of a colour share a row: those of
 * one colour do not compete for the same total, so one vertex can take
 * them all to their ends at once.  Returns the colours used. */
static unsigned
colour_targets(const sdc_group *g, const struct lp *lp, unsigned *colour)
{
	unsigned *mark = nz_calloc(lp->nseen + 2, sizeof *mark), ncolours = 0;
	size_t *slot = nz_calloc(g->nvars + 1, sizeof *slot);
	size_t i, j, k, q;

	for (i = 0; i < lp->nseen; i++)
		slot[lp->seen[i].var] = i + 1;
	for (i = 0; i < lp->nseen; i++) {
		size_t v = lp->seen[i].var;
		/* the colours of the targets sharing a row with it */
		for (q = g->inc_start[v]; q < g->inc_start[v + 1]; q++) {
			size_t r = g->inc[q];
			for (k = g->start[r]; k < g->start[r + 1]; k++) {
				j = slot[g->var[k]];
				if (j && j - 1 < i)
					mark[colour[j - 1]] = (unsigned)i + 1;
			}
		}
		for (colour[i] = 0; mark[colour[i]] == i + 1; colour[i]++)
			;
		if (colour[i] + 1 > ncolours)
			ncolours = colour[i] + 1;
	}
	free(mark);
	free(slot);
	return ncolours;
}

/* Settled for a status alone: integer points three apart, or no end. */
int
sdc_status_settled(const struct seen *t)
{
	return t->ray || (t->high != -1 && t->high - t->low >= 2);
}

void
sdc_note_value(struct seen *t, int64_t value)
{
	if (value < t->low)
		t->low = value;
	if (value > t->high)
		t->high = value;
}

/* From the integer point just met (an integral vertex, or the point
 * sdc_rins found), the moves of witness.c to other integer points
 * settle many targets unsolved. */
void
sdc_witness_pass(struct lp *lp, const struct model *md, int status_only)
{
	const int64_t *x = lp->point;
	int64_t xt;
	size_t i;

	for (i = 0; i < lp->nseen; i++) {
		struct seen *t = &lp->seen[i];
		int64_t lo = md->lo[t->var], hi = md->hi[t->var];
		xt = x[t->col];
		if (status_only && sdc_status_settled(t))
			continue;
		if (hi == SDC_INF && !t->ray)
			t->ray = sdc_witness_ray(lp->witness, x, t->var);
		if (status_only) {
			if (!t->ray && sdc_witness_step(lp->witness, x,
			    t->var, 2))
				sdc_note_value(t, xt + 2);
			else if (!t->ray && sdc_witness_step(lp->witness, x,
			    t->var, -2))
				sdc_note_value(t, xt - 2);
			continue;
		}
		if (hi != SDC_INF && t->high < hi &&
		    sdc_witness_step(lp->witness, x, t->var, hi - xt))
			sdc_note_value(t, hi);
		if (t->low > lo &&
		    sdc_witness_step(lp->witness, x, t->var, lo - xt))
			sdc_note_value(t, lo);
	}
}

/* For a status alone, an integer point two above the least value seen
 * settles a target: a broad maximum caps its targets there, so that
 * sums with no upper bound take part, and the vertex stays near the
 * integer points (most of them integral).  The cap, or -1 for none. */
static int64_t
status_cap(const struct model *md, const struct seen *t)
{
	int64_t base = t->low != SDC_INF ? t->low : md->lo[t->var];

	if (md->hi[t->var] != SDC_INF && md->hi[t->var] - base <= 2)
		return -1;
	return base + 2;
}

/* The targets of colour c for a broad solve in direction dir: their
 * columns; for a status alone, maxima capped (status_cap). */
static int
broad_targets(struct lp *lp, const struct model *md, const unsigned *colour,
    unsigned c, int dir, int status_only, int *cols)
{
	int n = 0, ends;
	int64_t cap;
	size_t i;

	for (i = 0; i < lp->nseen; i++) {
		const struct seen *t = &lp->seen[i];
		if (colour[i] != c)
			continue;
		ends = open_ends(md, t);
		if (status_only) {
			if (dir == GLP_MIN || sdc_status_settled(t))
				continue;
			if ((cap = status_cap(md, t)) >= 0)
				glp_set_col_bnds(lp->prob, t->col, GLP_DB,
				    (double)md->lo[t->var], (double)cap);
			cols[n++] = t->col;
		} else if (dir == GLP_MIN ? (ends & 1) : ((ends & 2) &&
		    md->hi[t->var] != SDC_INF))
			cols[n++] = t->col;
	}
	return n;
}

/* Lift every cap of a status alone (broad_targets). */
static void
lift_caps(struct lp *lp, const struct model *md)
{
	size_t i;

	for (i = 0; i < lp->nseen; i++)
		sdc_set_col_bounds(lp->prob, lp->seen[i].col,
		    md->lo[lp->seen[i].var], md->hi[lp->seen[i].var]);
}

/* One broad solve: colour c's open ends in direction dir, and the
 * witness moves from its integer point.  0 when it had no target. */
static int
colour_solve(sdc_group *g, struct lp *lp, const struct model *md,
    const unsigned *colour, unsigned c, int dir, int status_only, int *cols)
{
	int n = broad_targets(lp, md, colour, c, dir, status_only, cols);
	int r, integral;
	double v;

	if (n == 0)
		return 0;
	sdc_set_objective(lp, cols, NULL, n, dir);
	/* a fractional vertex: the integer point nearby */
	r = sdc_lp_optimum(g, lp, &v, &integral);
	if (r == SOLVED && (integral || sdc_rins(g, lp, &v)))
		sdc_witness_pass(lp, md, status_only);
	/* the caps together left no point: lift them */
	if (status_only && r == INFEASIBLE) {
		g->caps_lifted++;
		lift_caps(lp, md);
	}
	return 1;
}

/* Broad solves first: every target down at once, then, colour by
 * colour, every open high end up and every open low end down (for a
 * status alone, capped maxima only).  Their integer points settle most
 * ends for the price of a few solves; on a large component a solve costs
 * much the same for one target as for a hundred.
 *
 * For a status alone the caps stay on from colour to colour.  Lifted
 * after each colour's solve, as they were, they moved the vertex: a
 * target it held at its cap went to its upper bound, the point left the
 * polytope, and the next colour's solve first had to find a feasible
 * point again.  Capped, the polytope is smaller, but its points are
 * still points of the model, and the statuses (all protect uses) are
 * exact either way.  Once an integer point is met, the last one met
 * keeps every cap (those set before it held when it was found; one set
 * after lies above it, as the values an open target took span fewer
 * than 3).  Before any is met, each cap sits two above its target's
 * lower bound, and those caps together may leave no point (the first
 * vertices fractional, with no integer point near them): a solve that
 * finds none lifts them all (else every colour after it found none
 * either, each confirmed afresh and in exact arithmetic;
 * tests/unit/sdc.c, capped_broad).  The caps kept make the later colours'
 * points less varied, so a second pass, the old way (capped, solved,
 * lifted), takes each colour that still has a target open before the
 * targets are solved one by one.  suppress, its output the same: on the
 * bench export 0.82 of the simplex steps and 0.80 of the CPU, on a large
 * agency's national tables 0.90 and 0.89 (without the second pass 1.01
 * and 1.04). */
void
sdc_broad_solves(sdc_group *g, struct lp *lp, const struct model *md,
    int status_only)
{
	static const int dirs[2] = {GLP_MAX, GLP_MIN};
	int *cols = nz_calloc(lp->nseen + 1, sizeof *cols), integral, d, r;
	unsigned *colour = nz_calloc(lp->nseen + 1, sizeof *colour), c, nc;
	double v;
	size_t i;

	for (i = 0; i < lp->nseen; i++)
		cols[i] = lp->seen[i].col;
	sdc_set_objective(lp, cols, NULL, (int)lp->nseen, GLP_MIN);
	r = sdc_lp_optimum(g, lp, &v, &integral);
	/* for a status alone, a fractional vertex: the integer point near
	 * it, whose witness moves settle many targets before the colours
	 * are solved (capital's largest component: else its first three
	 * colours' vertices were fractional too, and settled none) */
	if (r == INFEASIBLE)
		lp->infeasible = 1;
	else if (r == SOLVED && (integral ||
	    (status_only && sdc_rins(g, lp, &v))))
		sdc_witness_pass(lp, md, status_only);
	nc = lp->infeasible ? 0 : colour_targets(g, lp, colour);
	for (d = 0; d < 2 && !lp->infeasible; d++)
		for (c = 0; c < nc; c++)
			(void)colour_solve(g, lp, md, colour, c, dirs[d],
			    status_only, cols);
	if (status_only) {
		lift_caps(lp, md);
		for (c = 0; c < nc && !lp->infeasible; c++)
			if (colour_solve(g, lp, md, colour, c, GLP_MAX, 1,
			    cols))
				lift_caps(lp, md);
	}
	free(cols);
	free(colour);
}
