/* rays.c: which targets of a component grow without end, found by one
 * LP for all of them (solve.c).
 *
 * A target whose box has no upper bound (a cell with every measure S,
 * which a reader of the release alone knows nothing of, and the cells
 * that sum to it) most often has no upper end at all; then its own
 * maximum is an LP that comes back unbounded.  A release quarter can
 * hold a thousand such targets, one solve each, and five to ten times
 * the solves of a quarter without them.
 *
 * The maximum of x_t over the component is unbounded exactly when its
 * recession cone holds a direction d with d_t > 0: d moves only the
 * columns with no upper bound, and only up (d >= 0), and each row keeps
 * its side (sum c_k d_k = 0, <= 0 or >= 0 as the row is =, <= or >=).
 * The cone is closed under sums, so one LP finds every such target:
 *
 *   maximise sum y_t  over the candidates t,  0 <= y_t <= 1,
 *   y_t <= d_t,  d in the cone,
 *
 * whose optimum takes y_t = 1 exactly for the targets that have a ray
 * (the sum of their rays, scaled up, is one direction with every such
 * d_t >= 1).  Nothing is taken on the simplex's word: the optimum's d,
 * scaled by 1, 2, ... and rounded to whole numbers, must meet every row
 * exactly in integers before a target is marked, and then the integer
 * point already met (lp->point) plus any multiple of that d is an
 * integer point of the model too, so the target's values have no upper
 * end.  A target the check does not confirm is solved alone, as before;
 * the intervals are the same either way.
 *
 * The cone LP is solved once, from nothing: GLPK's presolver first (most
 * of its rows hold a single free column and fix it at 0), then the dual
 * simplex.  With the primal simplex from the standard basis it took a
 * third of such a quarter's audit (a010's newest quarter in the national
 * bench), and that quarter's audit takes 0.72 of the instructions this
 * way.
 */
#include <math.h>
#include <stdlib.h>

#include "lp.h"

/* Largest whole direction tried: d * scale for scale 1 .. MAX_SCALE
 * (the optimum's d is most often whole or halves). */
enum { MAX_SCALE = 6 };

struct cone {
	size_t *rows, nrows;      /* the model's rows that bind the component */
	int *dcol;                /* LP column -> cone column, 0: held (d = 0) */
	int ndcols;
	int64_t *dir;             /* a whole direction, by LP column */
};

/* The rows of the component that a ray must keep: every row holding one
 * of its columns that the bounds alone do not already imply (those hold
 * along any direction that stays within the bounds). */
static void
cone_rows(const sdc_group *g, const struct lp *lp, const struct model *md,
    struct cone *c)
{
	unsigned char *seen = nz_calloc(g->nrows + 1, 1);
	size_t q, r, cap = 0;
	int j;

	for (j = 1; j <= lp->ncols; j++) {
		size_t v = lp->vars[j];
		for (q = g->inc_start[v]; q < g->inc_start[v + 1]; q++) {
			r = g->inc[q];
			if (seen[r])
				continue;
			seen[r] = 1;
			if (sdc_row_implied(md, r))
				continue;
			nz_grow(&c->rows, &cap, c->nrows + 1, sizeof *c->rows);
			c->rows[c->nrows++] = r;
		}
	}
	free(seen);
}

/* Does the whole direction c->dir keep every row's side, exactly? */
static int
cone_holds(const sdc_group *g, const struct lp *lp, const struct cone *c)
{
	size_t i, k, r;
	int64_t sum;
	int type;

	for (i = 0; i < c->nrows; i++) {
		r = c->rows[i];
		sum = 0;
		for (k = g->start[r]; k < g->start[r + 1]; k++) {
			int j = lp->col[g->var[k]];
			if (j)
				sum += g->coef[k] * c->dir[j];
		}
		type = g->info[r].type;
		if (type == ROW_EQ ? sum != 0 : type == ROW_LE ? sum > 0 :
		    sum < 0)
			return 0;
	}
	return 1;
}

/* The cone LP: columns d (the LP columns with no upper bound) then y
 * (one per candidate), rows the cone's then y_t - d_t <= 0. */
static glp_prob *
cone_lp(const sdc_group *g, const struct lp *lp, const struct model *md,
    struct cone *c, const size_t *cand, size_t ncand)
{
	glp_prob *p = glp_create_prob();
	int *ja = nz_calloc((size_t)lp->ncols + 2, sizeof *ja);
	double *ar = nz_calloc((size_t)lp->ncols + 2, sizeof *ar);
	size_t i, k, r;
	int j, n, row;

	for (j = 1; j <= lp->ncols; j++)
		if (md->hi[lp->vars[j]] == SDC_INF)
			c->dcol[j] = ++c->ndcols;
	if (c->ndcols)
		glp_add_cols(p, c->ndcols);
	for (j = 1; j <= c->ndcols; j++)
		glp_set_col_bnds(p, j, GLP_LO, 0.0, 0.0);
	for (i = 0; i < c->nrows; i++) {
		r = c->rows[i];
		n = 0;
		for (k = g->start[r]; k < g->start[r + 1]; k++) {
			j = lp->col[g->var[k]];
			if (j && c->dcol[j]) {
				ja[++n] = c->dcol[j];
				ar[n] = g->coef[k];
			}
		}
		if (n == 0)
			continue;
		row = glp_add_rows(p, 1);
		glp_set_row_bnds(p, row, g->info[r].type == ROW_EQ ? GLP_FX :
		    g->info[r].type == ROW_LE ? GLP_UP : GLP_LO, 0.0, 0.0);
		glp_set_mat_row(p, row, n, ja, ar);
	}
	glp_add_cols(p, (int)ncand);
	for (i = 0; i < ncand; i++) {
		int y = c->ndcols + (int)i + 1;
		glp_set_col_bnds(p, y, GLP_DB, 0.0, 1.0);
		glp_set_obj_coef(p, y, 1.0);
		row = glp_add_rows(p, 1);
		ja[1] = y;
		ar[1] = 1;
		ja[2] = c->dcol[lp->seen[cand[i]].col];
		ar[2] = -1;
		glp_set_row_bnds(p, row, GLP_UP, 0.0, 0.0);
		glp_set_mat_row(p, row, 2, ja, ar);
	}
	glp_set_obj_dir(p, GLP_MAX);
	free(ja);
	free(ar);
	return p;
}

void
sdc_find_rays(sdc_group *g, struct lp *lp, const struct model *md)
{
	struct cone c = {0};
	size_t *cand, ncand = 0, left, i;
	glp_prob *p;
	int j, scale;

	/* only from an integer point: else a ray proves nothing of the
	 * integer values (and the component may have none) */
	if (lp->infeasible || !lp->has_point)
		return;
	cand = nz_calloc(lp->nseen + 1, sizeof *cand);
	for (i = 0; i < lp->nseen; i++)
		if (!lp->seen[i].ray && md->hi[lp->seen[i].var] == SDC_INF)
			cand[ncand++] = i;
	if (ncand == 0) {
		free(cand);
		return;
	}
	c.dcol = nz_calloc((size_t)lp->ncols + 1, sizeof *c.dcol);
	c.dir = nz_calloc((size_t)lp->ncols + 1, sizeof *c.dir);
	cone_rows(g, lp, md, &c);
	p = cone_lp(g, lp, md, &c, cand, ncand);
	g->lp_solves++;
	if (sdc_simplex_presolved(p) == 0 && glp_get_status(p) == GLP_OPT) {
		for (left = 0, i = 0; i < ncand; i++)
			left += glp_get_col_prim(p, c.ndcols + (int)i + 1) > 0.5;
		for (scale = 1; scale <= MAX_SCALE && left; scale++) {
			int ok = 1;
			for (j = 1; j <= lp->ncols && ok; j++) {
				double d = c.dcol[j] ? scale *
				    glp_get_col_prim(p, c.dcol[j]) : 0;
				if (d < -0.5 || d > 1e12)
					ok = 0;
				else
					c.dir[j] = d < 0.5 ? 0 : llround(d);
			}
			if (!ok || !cone_holds(g, lp, &c))
				continue;
			for (i = 0; i < ncand; i++) {
				struct seen *t = &lp->seen[cand[i]];
				if (!t->ray && c.dir[t->col] > 0) {
					t->ray = 1;
					left -= glp_get_col_prim(p,
					    c.ndcols + (int)i + 1) > 0.5;
				}
			}
		}
	}
	glp_delete_prob(p);
	free(c.rows);
	free(c.dcol);
	free(c.dir);
	free(cand);
}
