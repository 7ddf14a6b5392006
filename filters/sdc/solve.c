/* solve.c: the interval each S of a group can hide, under the model of
 * model.c, found with GLPK.
 *
 * Each bound is first tightened to what the rows imply (constraint
 * propagation, rounded to integers: exact, as it removes no integer
 * solution), which fixes many variables and gives S sums a finite top.
 * Variables held to one value are constants; the others fall into
 * components linked by rows that the bounds alone do not already
 * satisfy, and each component holding a target is one LP, solved by the
 * simplex method and re-solved warm for each target and direction.
 * Every integral LP vertex met is an integer point of the model, so an
 * end of a target's interval that such a point reaches needs no solve
 * of its own: a few broad solves (all targets down, then mixes of
 * targets that share no row, up and down) settle most ends at once.
 *
 * The LP end is the integer end when the optimal vertex is integral or
 * an integer point reaches it.  Otherwise the LP end lies beyond the
 * integer one and could pass an exposed cell, so whenever the integer
 * points met do not already span 3 values, the end is found exactly: an
 * integer point at the LP end, or the MIP optimum (glp_intopt).  The
 * status is therefore always exact; low and high are exact too except
 * where an S passes anyway and an LP vertex was fractional, where they
 * are the LP ends rounded inward (an outer bound).  SDC_EXACT makes
 * every end exact.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "engine.h"

#define NEG_INF (-SDC_INF)

/* ---- the bounds of one solve ---- */

struct model {
	sdc_group *g;
	int64_t *lo, *hi;         /* each variable's bound */
	size_t *root;             /* union-find over the variables */
};

static int
is_const(const struct model *md, size_t v)
{
	return md->lo[v] == md->hi[v];
}

static size_t
find_root(size_t *root, size_t i)
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
	i = find_root(root, i);
	j = find_root(root, j);
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
static int
row_implied(const struct model *md, size_t r)
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
static void
model_init(struct model *md, sdc_group *g)
{
	size_t v, r, k, first;

	model_bounds(md, g);
	tighten(md);
	md->root = nz_calloc(g->nvars + 1, sizeof *md->root);
	for (v = 0; v < g->nvars; v++)
		md->root[v] = v;
	for (r = 0; r < g->nrows; r++) {
		if (row_implied(md, r))
			continue;
		first = SIZE_MAX;
		for (k = g->start[r]; k < g->start[r + 1]; k++) {
			if (is_const(md, g->var[k]))
				continue;
			if (first == SIZE_MAX)
				first = g->var[k];
			else
				join(md->root, first, g->var[k]);
		}
	}
}

static void
model_free(struct model *md)
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
	model_free(&md);
	return found;
}

/* ---- one component as an LP ---- */

struct lp {
	glp_prob *prob, *mip;
	int *col;                 /* variable -> column (1-based), 0 none */
	size_t *vars;             /* column -> variable (1-based) */
	int ncols, nrows;
	int *ia, *ja;             /* the matrix, 1-based triplets */
	double *ar;
	size_t nz, nzcap, iacap, jacap;
	int *obj, nobj;           /* columns with a non-zero objective */
	struct seen *seen;        /* the component's targets */
	size_t nseen;
	int infeasible;
};

/* A target, and the least and greatest values it takes in the integer
 * solutions met so far: each is a point of the model, so when one sits
 * on the target's own bound, that end of its interval needs no solve. */
struct seen {
	size_t var;
	int col;
	int64_t low, high;
};

/* Add row r to the LP, the constants moved to the right side. */
static void
add_row(const struct model *md, struct lp *lp, size_t r)
{
	static const int glp_type[] = {
		[ROW_EQ] = GLP_FX, [ROW_GE] = GLP_LO, [ROW_LE] = GLP_UP,
	};
	const sdc_group *g = md->g;
	size_t k, nvar = 0;
	double rhs = 0;
	int row;

	if (row_implied(md, r))
		return;
	for (k = g->start[r]; k < g->start[r + 1]; k++) {
		if (lp->col[g->var[k]])
			nvar++;
		else
			rhs -= g->coef[k] * (double)md->lo[g->var[k]];
	}
	if (nvar == 0)
		return;
	row = glp_add_rows(lp->prob, 1);
	glp_set_row_bnds(lp->prob, row, glp_type[g->info[r].type], rhs, rhs);
	lp->nrows = row;
	for (k = g->start[r]; k < g->start[r + 1]; k++) {
		if (!lp->col[g->var[k]])
			continue;
		nz_grow(&lp->ia, &lp->iacap, lp->nz + 2, sizeof *lp->ia);
		nz_grow(&lp->ja, &lp->jacap, lp->nz + 2, sizeof *lp->ja);
		nz_grow(&lp->ar, &lp->nzcap, lp->nz + 2, sizeof *lp->ar);
		lp->nz++;
		lp->ia[lp->nz] = row;
		lp->ja[lp->nz] = lp->col[g->var[k]];
		lp->ar[lp->nz] = g->coef[k];
	}
}

static void
set_col_bounds(glp_prob *prob, int j, int64_t lo, int64_t hi)
{
	if (hi == SDC_INF)
		glp_set_col_bnds(prob, j, GLP_LO, (double)lo, 0.0);
	else if (lo == hi)
		glp_set_col_bnds(prob, j, GLP_FX, (double)lo, (double)hi);
	else
		glp_set_col_bnds(prob, j, GLP_DB, (double)lo, (double)hi);
}

/* Columns for the members, rows for every row touching them. */
static void
lp_build(struct lp *lp, const struct model *md, const size_t *members,
    size_t n, size_t *row_stamp, size_t stamp)
{
	const sdc_group *g = md->g;
	size_t k, q, r;

	lp->prob = glp_create_prob();
	lp->ncols = (int)n;
	lp->vars = nz_calloc(n + 1, sizeof *lp->vars);
	glp_add_cols(lp->prob, (int)n);
	for (k = 0; k < n; k++) {
		lp->col[members[k]] = (int)k + 1;
		lp->vars[k + 1] = members[k];
		if (md->lo[members[k]] > md->hi[members[k]])
			lp->infeasible = 1;
		else
			set_col_bounds(lp->prob, (int)k + 1,
			    md->lo[members[k]], md->hi[members[k]]);
	}
	for (k = 0; k < n && !lp->infeasible; k++) {
		for (q = g->inc_start[members[k]];
		    q < g->inc_start[members[k] + 1]; q++) {
			r = g->inc[q];
			if (row_stamp[r] == stamp)
				continue;
			row_stamp[r] = stamp;
			add_row(md, lp, r);
		}
	}
	if (lp->nz)
		glp_load_matrix(lp->prob, (int)lp->nz, lp->ia, lp->ja, lp->ar);
}

static void
lp_free(struct lp *lp)
{
	size_t j;

	for (j = 1; j <= (size_t)lp->ncols; j++)
		lp->col[lp->vars[j]] = 0;
	if (lp->prob)
		glp_delete_prob(lp->prob);
	if (lp->mip)
		glp_delete_prob(lp->mip);
	free(lp->vars);
	free(lp->obj);
	free(lp->ia);
	free(lp->ja);
	free(lp->ar);
}

enum { SOLVED, UNBOUNDED, INFEASIBLE };

static int
is_integral(double x)
{
	return fabs(x - floor(x + 0.5)) <= 1e-6 + 1e-12 * fabs(x);
}

static int
lp_integral(glp_prob *prob, int ncols)
{
	int j;

	for (j = 1; j <= ncols; j++)
		if (!is_integral(glp_get_col_prim(prob, j)))
			return 0;
	return 1;
}

/* An integer point: the LP solution of prob, or its MIP solution. */
static void
note_solution(struct lp *lp, glp_prob *prob, int mip)
{
	size_t i;
	double x;
	int64_t v;

	for (i = 0; i < lp->nseen; i++) {
		struct seen *t = &lp->seen[i];
		x = mip ? glp_mip_col_val(prob, t->col) :
		    glp_get_col_prim(prob, t->col);
		v = (int64_t)floor(x + 0.5);
		if (v < t->low)
			t->low = v;
		if (v > t->high)
			t->high = v;
	}
}

/* Objective: sum coef_j x_cols[j] (coef NULL: all 1). */
static void
set_objective(struct lp *lp, const int *cols, const double *coef, int n,
    int dir)
{
	int j;

	for (j = 0; j < lp->nobj; j++)
		glp_set_obj_coef(lp->prob, lp->obj[j], 0.0);
	lp->obj = nz_realloc(lp->obj, (size_t)(n + 1) * sizeof *lp->obj);
	for (j = 0; j < n; j++) {
		glp_set_obj_coef(lp->prob, cols[j], coef ? coef[j] : 1.0);
		lp->obj[j] = cols[j];
	}
	lp->nobj = n;
	glp_set_obj_dir(lp->prob, dir);
}

static void
mip_parameters(glp_iocp *parm)
{
	glp_init_iocp(parm);
	parm->msg_lev = GLP_MSG_OFF;
	parm->presolve = GLP_ON;      /* shrinks it a great deal */
	parm->br_tech = GLP_BR_MFV;   /* Driebeck-Tomlin costs more than
	                               * it saves */
}

/* The integer optimum, when the LP vertex was fractional. */
static int
mip_optimum(sdc_group *g, struct lp *lp, double *value)
{
	glp_iocp parm;
	int j, ret;

	if (!lp->mip) {
		lp->mip = glp_create_prob();
		glp_copy_prob(lp->mip, lp->prob, GLP_OFF);
		for (j = 1; j <= lp->ncols; j++)
			glp_set_col_kind(lp->mip, j, GLP_IV);
	}
	for (j = 1; j <= lp->ncols; j++)
		glp_set_obj_coef(lp->mip, j, glp_get_obj_coef(lp->prob, j));
	glp_set_obj_dir(lp->mip, glp_get_obj_dir(lp->prob));
	mip_parameters(&parm);
	g->mip_solves++;
	ret = glp_intopt(lp->mip, &parm);
	if (ret == GLP_ENODFS)
		return UNBOUNDED;
	if (ret == GLP_ENOPFS ||
	    (ret == 0 && glp_mip_status(lp->mip) == GLP_NOFEAS))
		return INFEASIBLE;
	if (ret != 0 || glp_mip_status(lp->mip) != GLP_OPT)
		nz_die(NZ_EXIT_DATA, "the SDC engine's MIP solver failed "
		    "(glpk code %d)", ret);
	note_solution(lp, lp->mip, 1);
	*value = glp_mip_obj_val(lp->mip);
	return SOLVED;
}

/* Optimise the objective: SOLVED with *value and *integral, or not. */
static int
lp_optimum(sdc_group *g, struct lp *lp, double *value, int *integral)
{
	glp_smcp parm;
	int ret, status;

	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	g->lp_solves++;
	ret = glp_simplex(lp->prob, &parm);
	if (ret != 0) {
		/* a basis gone bad: start afresh, once */
		glp_std_basis(lp->prob);
		ret = glp_simplex(lp->prob, &parm);
	}
	if (ret != 0)
		nz_die(NZ_EXIT_DATA, "the SDC engine's LP solver failed "
		    "(glpk code %d)", ret);
	status = glp_get_status(lp->prob);
	if (status == GLP_UNBND)
		return UNBOUNDED;
	if (status != GLP_OPT)
		return INFEASIBLE;
	*value = glp_get_obj_val(lp->prob);
	*integral = lp_integral(lp->prob, lp->ncols);
	if (*integral)
		note_solution(lp, lp->prob, 0);
	return SOLVED;
}

/* Is there an integer point with the target at end?  Try the LP with the
 * target held there: an integral vertex is one. */
static int
integer_point_at(sdc_group *g, struct lp *lp, const struct seen *t,
    int64_t end)
{
	int type = glp_get_col_type(lp->prob, t->col), integral = 0;
	double lb = glp_get_col_lb(lp->prob, t->col);
	double ub = glp_get_col_ub(lp->prob, t->col), v;

	if (end == t->low || end == t->high)
		return 1;
	glp_set_col_bnds(lp->prob, t->col, GLP_FX, (double)end, (double)end);
	if (lp_optimum(g, lp, &v, &integral) != SOLVED)
		integral = 0;
	glp_set_col_bnds(lp->prob, t->col, type, lb, ub);
	return integral;
}

static void
set_status(sdc_bound *b)
{
	if (b->status == SDC_INCONSISTENT)
		return;
	b->status = b->high != SDC_INF && b->high - b->low < 2 ?
	    SDC_EXPOSED : SDC_OK;
}

static int64_t
round_in(double v, int dir)
{
	return dir == GLP_MIN ? (int64_t)ceil(v - 1e-6) :
	    (int64_t)floor(v + 1e-6);
}

/* One end of a target's interval, its min (GLP_MIN) or max: the LP
 * optimum rounded inward.  *exact: it is the integer one too (the vertex
 * is integral, or an integer point met so far reaches it). */
static int
lp_end(sdc_group *g, struct lp *lp, const struct seen *t, int dir,
    int64_t *end, int *exact)
{
	int col = t->col, r, integral;
	double v;

	set_objective(lp, &col, NULL, 1, dir);
	r = lp_optimum(g, lp, &v, &integral);
	if (r == INFEASIBLE || (r == UNBOUNDED && dir == GLP_MIN)) {
		lp->infeasible = 1;
		return -1;
	}
	*end = r == UNBOUNDED ? SDC_INF : round_in(v, dir);
	*exact = r == UNBOUNDED || integral ||
	    *end == (dir == GLP_MIN ? t->low : t->high);
	return 0;
}

/* Around a fractional LP optimum, the best integer point that keeps
 * every column the LP made integral (a small MIP: the RINS heuristic).
 * Returns 1 with *value if there is one. */
static int
rins(sdc_group *g, struct lp *lp, double *value)
{
	glp_prob *sub = glp_create_prob();
	glp_iocp parm;
	double x;
	int j, found;

	glp_copy_prob(sub, lp->prob, GLP_OFF);
	for (j = 1; j <= lp->ncols; j++) {
		x = glp_get_col_prim(lp->prob, j);
		glp_set_col_kind(sub, j, GLP_IV);
		if (is_integral(x))
			glp_set_col_bnds(sub, j, GLP_FX, floor(x + 0.5),
			    floor(x + 0.5));
	}
	mip_parameters(&parm);
	g->mip_solves++;
	found = glp_intopt(sub, &parm) == 0 && glp_mip_status(sub) == GLP_OPT;
	if (found) {
		note_solution(lp, sub, 1);
		*value = glp_mip_obj_val(sub);
	}
	glp_delete_prob(sub);
	return found;
}

/* The integer end where the LP one may lie beyond it: an integer point
 * at the LP end (near the LP optimum, or with the target held there),
 * else the MIP optimum. */
static int
integer_end(sdc_group *g, struct lp *lp, const struct seen *t, int dir,
    int64_t *end)
{
	int col = t->col, r, integral;
	double v;

	set_objective(lp, &col, NULL, 1, dir);
	if (lp_optimum(g, lp, &v, &integral) == SOLVED && !integral &&
	    rins(g, lp, &v) && round_in(v, dir) == *end)
		return 0;
	if (integral || integer_point_at(g, lp, t, *end))
		return 0;
	r = mip_optimum(g, lp, &v);
	if (r != SOLVED) {   /* LP points but no integer one */
		lp->infeasible = 1;
		return -1;
	}
	*end = round_in(v, dir);
	return 0;
}

/* Ends of the target's interval still to find: 1 low, 2 high. */
static int
open_ends(const struct model *md, const struct seen *t)
{
	int ends = 0;

	if (t->low > md->lo[t->var])
		ends |= 1;
	if (md->hi[t->var] == SDC_INF || t->high < md->hi[t->var])
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

/* Broad solves first: every target down at once, then, colour by
 * colour, every open high end up and every open low end down.  Their
 * integer vertices settle most ends for the price of a few solves; on a
 * large component a solve costs much the same for one target as for a
 * hundred. */
static void
broad_solves(sdc_group *g, struct lp *lp, const struct model *md)
{
	static const int dirs[2] = {GLP_MAX, GLP_MIN};
	int *cols = nz_calloc(lp->nseen + 1, sizeof *cols), n, integral, d, dir;
	unsigned *colour = nz_calloc(lp->nseen + 1, sizeof *colour), c, nc;
	double v;
	size_t i;

	for (i = 0; i < lp->nseen; i++)
		cols[i] = lp->seen[i].col;
	set_objective(lp, cols, NULL, (int)lp->nseen, GLP_MIN);
	if (lp_optimum(g, lp, &v, &integral) == INFEASIBLE)
		lp->infeasible = 1;
	nc = lp->infeasible ? 0 : colour_targets(g, lp, colour);
	for (d = 0; d < 2; d++) {
		dir = dirs[d];
		for (c = 0; c < nc; c++) {
			for (i = 0, n = 0; i < lp->nseen; i++) {
				const struct seen *t = &lp->seen[i];
				int ends = open_ends(md, t);
				if (colour[i] == c && (dir == GLP_MIN ?
				    (ends & 1) : ((ends & 2) &&
				    md->hi[t->var] != SDC_INF)))
					cols[n++] = t->col;
			}
			if (n == 0)
				continue;
			set_objective(lp, cols, NULL, n, dir);
			/* a fractional vertex: the integer point nearby */
			if (lp_optimum(g, lp, &v, &integral) == SOLVED &&
			    !integral)
				rins(g, lp, &v);
		}
	}
	free(cols);
	free(colour);
}

/* One target's ends; -1 when the LP turns out infeasible.  For a status
 * alone, integer points three apart settle it: low and high are then
 * those points' values, an inner bound. */
static int
target_ends(sdc_group *g, struct lp *lp, const struct model *md,
    const struct seen *t, int status_only, sdc_bound *b)
{
	int lo_exact = 1, hi_exact = 1;

	if (status_only && t->high != -1 && t->high - t->low >= 2) {
		b->low = t->low;
		b->high = t->high;
		b->status = SDC_OK;
		return 0;
	}
	b->low = md->lo[t->var];
	b->high = md->hi[t->var];
	if (t->low > b->low &&
	    lp_end(g, lp, t, GLP_MIN, &b->low, &lo_exact) < 0)
		return -1;
	if ((b->high == SDC_INF || t->high < b->high) &&
	    lp_end(g, lp, t, GLP_MAX, &b->high, &hi_exact) < 0)
		return -1;
	/* integer points 3 apart already pass it: the LP ends may stand,
	 * unless asked for exact ones */
	if ((g->flags & SDC_EXACT) || (b->high != SDC_INF &&
	    t->high - t->low < 2)) {
		if (!lo_exact && integer_end(g, lp, t, GLP_MIN, &b->low) < 0)
			return -1;
		if (!hi_exact && integer_end(g, lp, t, GLP_MAX, &b->high) < 0)
			return -1;
	}
	b->status = SDC_OK;
	set_status(b);
	return 0;
}

static void
solve_component(sdc_group *g, struct lp *lp, const struct model *md,
    const size_t *targets, size_t n, int status_only, sdc_bound *out)
{
	size_t i;

	lp->seen = nz_calloc(n + 1, sizeof *lp->seen);
	lp->nseen = n;
	for (i = 0; i < n; i++) {
		lp->seen[i].var = targets[i];
		lp->seen[i].col = lp->col[targets[i]];
		lp->seen[i].low = SDC_INF;
		lp->seen[i].high = -1;
	}
	if (!lp->infeasible)
		broad_solves(g, lp, md);
	for (i = 0; i < n && !lp->infeasible; i++)
		if (target_ends(g, lp, md, &lp->seen[i], status_only,
		    &out[lp->seen[i].var]) < 0)
			break;
	/* one infeasible LP spoils them all */
	for (i = 0; i < n && lp->infeasible; i++)
		out[targets[i]].status = SDC_INCONSISTENT;
	free(lp->seen);
	lp->seen = NULL;
}

/* A target that is a constant, or alone with no row. */
static void
box_bound(const struct model *md, size_t v, sdc_bound *b)
{
	b->low = md->lo[v];
	b->high = md->hi[v];
	b->status = b->low > b->high ? SDC_INCONSISTENT : SDC_OK;
	set_status(b);
}

/* ---- solving a set of targets ---- */

/* variables sorted by component: (root, variable) pairs */
struct pair { size_t root, var; };

static int
pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	if (a->root != b->root)
		return a->root < b->root ? -1 : 1;
	return a->var < b->var ? -1 : a->var > b->var;
}

struct work {
	struct pair *tp, *cp;
	size_t *row_stamp, *members, *tlist;
	int *col;
	int status_only;
};

static void
solve_one(sdc_group *g, const struct model *md, struct work *w,
    size_t tstart, size_t tend, size_t nmembers, size_t stamp,
    sdc_bound *out)
{
	struct lp lp;
	size_t i;

	memset(&lp, 0, sizeof lp);
	lp.col = w->col;
	lp_build(&lp, md, w->members, nmembers, w->row_stamp, stamp);
	for (i = tstart; i < tend; i++)
		w->tlist[i - tstart] = w->tp[i].var;
	if (lp.nrows == 0 && !lp.infeasible)
		for (i = tstart; i < tend; i++)
			box_bound(md, w->tp[i].var, &out[w->tp[i].var]);
	else
		solve_component(g, &lp, md, w->tlist, tend - tstart,
		    w->status_only, out);
	lp_free(&lp);
}

void
sdc_solve_vars(sdc_group *g, const size_t *targets, size_t ntargets,
    int status_only, sdc_bound *out)
{
	struct model md;
	struct work w;
	size_t i, t, c, n, stamp = 0;

	w.status_only = status_only;
	glp_term_out(GLP_OFF);
	model_init(&md, g);
	w.tp = nz_calloc(ntargets + 1, sizeof *w.tp);
	w.cp = nz_calloc(g->nvars + 1, sizeof *w.cp);
	w.row_stamp = nz_calloc(g->nrows + 1, sizeof *w.row_stamp);
	w.members = nz_calloc(g->nvars + 1, sizeof *w.members);
	w.tlist = nz_calloc(ntargets + 1, sizeof *w.tlist);
	w.col = nz_calloc(g->nvars + 1, sizeof *w.col);
	for (i = 0; i < ntargets; i++) {
		w.tp[i].var = targets[i];
		w.tp[i].root = find_root(md.root, targets[i]);
	}
	qsort(w.tp, ntargets, sizeof *w.tp, pair_cmp);
	for (i = 0; i < g->nvars; i++) {
		w.cp[i].var = i;
		w.cp[i].root = is_const(&md, i) ? SIZE_MAX :
		    find_root(md.root, i);
	}
	qsort(w.cp, g->nvars, sizeof *w.cp, pair_cmp);
	for (t = 0, c = 0; t < ntargets; ) {
		size_t root = w.tp[t].root, tend = t;

		while (tend < ntargets && w.tp[tend].root == root)
			tend++;
		if (is_const(&md, w.tp[t].var)) {
			for (; t < tend; t++)
				box_bound(&md, w.tp[t].var, &out[w.tp[t].var]);
			continue;
		}
		while (c < g->nvars && w.cp[c].root < root)
			c++;
		for (n = 0; c < g->nvars && w.cp[c].root == root; c++)
			w.members[n++] = w.cp[c].var;
		solve_one(g, &md, &w, t, tend, n, ++stamp, out);
		t = tend;
	}
	model_free(&md);
	free(w.tp);
	free(w.cp);
	free(w.row_stamp);
	free(w.members);
	free(w.tlist);
	free(w.col);
}

size_t
sdc_solve(sdc_group *g, sdc_bound *out)
{
	size_t *targets = nz_calloc(g->nvars + 1, sizeof *targets);
	size_t n = 0, i, bad = 0;
	sdc_bound *all = nz_calloc(g->nvars + 1, sizeof *all);

	for (i = 0; i < VAR(g->ncells, 0); i++)
		if (g->cells[VAR_CELL(i)].s[VAR_MEASURE(i)])
			targets[n++] = i;
	sdc_solve_vars(g, targets, n, 0, all);
	for (i = 0; i < n; i++)
		bad += all[targets[i]].status == SDC_INCONSISTENT;
	/* no true values fit one part of the group: none fit the group */
	for (i = 0; i < n && bad; i++)
		all[targets[i]].status = SDC_INCONSISTENT;
	for (i = 0, bad = 0; i < n; i++) {
		out[targets[i]] = all[targets[i]];
		bad += all[targets[i]].status != SDC_OK;
	}
	free(targets);
	free(all);
	return bad;
}
