/* solve.c: the interval each S of a group can hide, under the model of
 * model.c, found with GLPK.
 *
 * The bounds are first tightened to what the rows imply (tighten.c);
 * the variables not held to one value fall into components linked by
 * the rows that still bind, and each component holding a target is one
 * LP, solved by the simplex method and re-solved warm for each target
 * and direction.
 * Every integral LP vertex met is an integer point of the model, so an
 * end of a target's interval that such a point reaches needs no solve
 * of its own: a few broad solves (broad.c: all targets down, then mixes
 * of targets that share no row, up and down), and the points moves of
 * whole clients reach from their vertices (witness.c: a point at a
 * target's bound, or a ray along which it has no end), settle most ends
 * at once.  A status alone needs only two points three apart.
 *
 * The LP end is the integer end when the optimal vertex is integral or
 * an integer point reaches it.  Otherwise the LP end lies beyond the
 * integer one and could pass an exposed cell, so whenever the integer
 * points met do not already span 3 values, the end is found exactly: an
 * integer point at the LP end (the RINS point near the LP optimum, an
 * integral vertex or RINS point with the target held there, a MIP
 * stopped at its first point there), or the MIP optimum (glp_intopt).
 * The status is therefore always exact; low and high are exact too
 * except where an S passes anyway and an LP vertex was fractional, where
 * they are the LP ends rounded inward (an outer bound).  SDC_EXACT makes
 * every end exact.
 *
 * For a status alone (protect.c) less is needed, and each target stops
 * at the first of: integer points met three apart (OK; low and high
 * those points, an inner bound), or LP ends rounded inward fewer than
 * three apart in a component that has an integer point (EXPOSED; low
 * and high those ends, an outer bound).  Where the LP ends are three
 * apart and the points met are not, a point two beyond those points,
 * between them and the LP end (status_point), is sought before one at
 * the LP end itself: the LP end is a corner of the polytope, often
 * fractional, where only a MIP found a point (nine tenths of the CPU
 * of suppress on a capital quarter), and the nearer value rarely needs
 * one.  The integer point is what keeps INCONSISTENT exact: without
 * one, the MIP above still decides whether the component has integer
 * points at all.
 */
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glpk.h>

#include "lp.h"

/* ---- one component as an LP ---- */

/* Row r's right side, the constants moved there; *nvar: its members
 * that are columns of the LP. */
static double
row_rhs(const struct model *md, const struct lp *lp, size_t r, size_t *nvar)
{
	const sdc_group *g = md->g;
	double rhs = 0;
	size_t k;

	*nvar = 0;
	for (k = g->start[r]; k < g->start[r + 1]; k++) {
		if (lp->col[g->var[k]])
			++*nvar;
		else
			rhs -= g->coef[k] * (double)md->lo[g->var[k]];
	}
	return rhs;
}

/* Add row r to the LP: to the triplets lp_build loads, or (loaded) at
 * once. */
static void
put_row(const struct model *md, struct lp *lp, size_t r, int loaded)
{
	static const int glp_type[] = {
		[ROW_EQ] = GLP_FX, [ROW_GE] = GLP_LO, [ROW_LE] = GLP_UP,
	};
	const sdc_group *g = md->g;
	size_t k, nvar, base;
	double rhs = row_rhs(md, lp, r, &nvar);
	int row = glp_add_rows(lp->prob, 1);

	glp_set_row_bnds(lp->prob, row, glp_type[g->info[r].type], rhs, rhs);
	lp->nrows = row;
	base = loaded ? 0 : lp->nz;
	nz_grow(&lp->ia, &lp->iacap, base + nvar + 2, sizeof *lp->ia);
	nz_grow(&lp->ja, &lp->jacap, base + nvar + 2, sizeof *lp->ja);
	nz_grow(&lp->ar, &lp->nzcap, base + nvar + 2, sizeof *lp->ar);
	for (k = g->start[r]; k < g->start[r + 1]; k++) {
		if (!lp->col[g->var[k]])
			continue;
		base++;
		lp->ia[base] = row;
		lp->ja[base] = lp->col[g->var[k]];
		lp->ar[base] = g->coef[k];
	}
	if (loaded)
		glp_set_mat_row(lp->prob, row, (int)nvar, lp->ja, lp->ar);
	else
		lp->nz = base;
}

/* Lazy rows.  The rows "a cell is at most its margin", "households at
 * most clients" and "events at least clients" are most of a component's
 * rows (a bench agency's twelve quarters, public mode: four in five),
 * and the simplex method's every step costs in proportion to the rows;
 * yet the optimum of most solves meets most of them unasked.  So they
 * wait outside the LP, and every point a solve returns is checked
 * against them: those it breaks join the LP, which is solved again (the
 * dual simplex, from the basis it had), until a point meets them all.
 * Such a point is the optimum with every row, and a vertex of it too
 * (a vertex of the larger polytope that lies in the smaller one is a
 * vertex there), so integral vertices stay integer points of the model.
 * An integer point a MIP returns is checked the same way.  Seven in ten
 * of the rows join in the end (the broad solves take every target to
 * its bound), and the audit takes three quarters of the time it did.
 *
 * Only rows sum c_k x_k <= b whose members with c_k > 0 are bounded
 * above wait: a ray (every member is bounded below) then meets them, so
 * once a point meeting every row is known (lp->feasible), a maximum the
 * smaller LP finds unbounded is unbounded with every row too. */
static int
row_waits(const struct model *md, const struct lp *lp, size_t r)
{
	const sdc_group *g = md->g;
	int kind = g->info[r].kind;
	size_t k;

	if (g->info[r].type != ROW_LE || (kind != RK_CHILD &&
	    kind != RK_HOUSEHOLDS && kind != RK_EVENTS))
		return 0;
	for (k = g->start[r]; k < g->start[r + 1]; k++)
		if (g->coef[k] > 0 && lp->col[g->var[k]] &&
		    md->hi[g->var[k]] == SDC_INF)
			return 0;
	return 1;
}

/* Add row r to the LP, unless it binds nothing or waits (lazy). */
static void
add_row(const struct model *md, struct lp *lp, size_t r)
{
	size_t nvar;

	if (sdc_row_implied(md, r))
		return;
	(void)row_rhs(md, lp, r, &nvar);
	if (nvar == 0)
		return;
	if (row_waits(md, lp, r)) {
		nz_grow(&lp->lazy, &lp->lazycap, lp->nlazy + 1,
		    sizeof *lp->lazy);
		lp->lazy[lp->nlazy++] = r;
		return;
	}
	put_row(md, lp, r, 0);
}

/* Add to the LP the waiting rows that the point x (by column) breaks,
 * or every one (x NULL).  Returns how many were added.  A MIP copy of
 * the LP is then out of date. */
static size_t
add_broken_rows(struct lp *lp, const double *x)
{
	const struct model *md = lp->md;
	const sdc_group *g = md->g;
	size_t i, k, kept = 0, added = 0, nvar;
	double act, rhs;

	for (i = 0; i < lp->nlazy; i++) {
		size_t r = lp->lazy[i];
		if (x) {
			rhs = row_rhs(md, lp, r, &nvar);
			act = 0;
			for (k = g->start[r]; k < g->start[r + 1]; k++)
				if (lp->col[g->var[k]])
					act += g->coef[k] *
					    x[lp->col[g->var[k]]];
			if (act <= rhs + 1e-9 * (1 + fabs(rhs))) {
				lp->lazy[kept++] = r;
				continue;
			}
		}
		put_row(md, lp, r, 1);
		added++;
	}
	lp->nlazy = kept;
	if (added && lp->mip) {
		glp_delete_prob(lp->mip);
		lp->mip = NULL;
	}
	return added;
}

/* The LP's point, or a MIP's (rounded), by column, in lp->x. */
static const double *
point_of(struct lp *lp, glp_prob *prob, int mip)
{
	int j;

	for (j = 1; j <= lp->ncols; j++)
		lp->x[j] = mip ? floor(glp_mip_col_val(prob, j) + 0.5) :
		    glp_get_col_prim(prob, j);
	return lp->x;
}

/* Does the MIP's integer point break a waiting row?  Those it breaks
 * join the LP, and the MIP must be made again from it. */
static int
mip_breaks_rows(struct lp *lp, glp_prob *mip)
{
	if (lp->nlazy == 0)
		return 0;
	if (add_broken_rows(lp, point_of(lp, mip, 1)) == 0) {
		lp->feasible = 1;
		return 0;
	}
	return 1;
}

void
sdc_set_col_bounds(glp_prob *prob, int j, int64_t lo, int64_t hi)
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
			sdc_set_col_bounds(lp->prob, (int)k + 1,
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
	lp->md = md;
	lp->x = nz_calloc(n + 1, sizeof *lp->x);
	if (lp->nrows == 0 && lp->nlazy)   /* else nothing to solve */
		add_broken_rows(lp, NULL);
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
	free(lp->lazy);
	free(lp->x);
}

/* How the simplex starts: from the current basis (after rows were
 * added, by the dual simplex), afresh, in exact arithmetic, or (a
 * problem solved once, with no basis worth keeping) through GLPK's
 * presolver and the dual simplex. */
enum { WARM, WARM_DUAL, AFRESH, EXACT, PRESOLVED };

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

/* An integer point settles ends of intervals, so one beyond a row
 * would settle an end too wide: every point met was checked against
 * the rows waiting outside the LP (lazy rows) before it was taken, and
 * this makes sure of it, in whole numbers, failing closed. */
static void
check_waiting_rows(const struct lp *lp)
{
	const struct model *md = lp->md;
	const sdc_group *g = md->g;
	size_t i, k;
	int64_t act;
	nz_buf why = {0};

	for (i = 0; i < lp->nlazy; i++) {
		size_t r = lp->lazy[i];
		act = 0;
		for (k = g->start[r]; k < g->start[r + 1]; k++)
			act += g->coef[k] * (lp->col[g->var[k]] ?
			    lp->point[lp->col[g->var[k]]] : md->lo[g->var[k]]);
		if (act <= 0)
			continue;
		sdc_describe_row(g, r, md->lo, md->hi, &why);
		nz_die(NZ_EXIT_DATA, "the SDC engine took a point that "
		    "breaks a row it had left out of the LP (%s): a defect "
		    "in the engine; nothing is proven", why.s);
	}
}

/* An integer point: the LP solution of prob, or its MIP solution; kept
 * as lp->point. */
static void
note_solution(struct lp *lp, glp_prob *prob, int mip)
{
	size_t i;
	double x;
	int j;

	for (j = 1; j <= lp->ncols; j++) {
		x = mip ? glp_mip_col_val(prob, j) : glp_get_col_prim(prob, j);
		lp->point[j] = (int64_t)floor(x + 0.5);
	}
	check_waiting_rows(lp);
	lp->has_point = 1;
	for (i = 0; i < lp->nseen; i++)
		sdc_note_value(&lp->seen[i], lp->point[lp->seen[i].col]);
}

/* Objective: sum coef_j x_cols[j] (coef NULL: all 1). */
void
sdc_set_objective(struct lp *lp, const int *cols, const double *coef, int n,
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

/* ---- the time limit: when it runs out, nothing is proven ---- */

static double deadline, time_limit;   /* CLOCK_MONOTONIC s; 0: none */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void
sdc_time_limit(double seconds)
{
	time_limit = seconds;
	deadline = seconds > 0 ? now() + seconds : 0;
}

/* Fail closed: a release whose S are not all proven safe is none. */
static _Noreturn void
out_of_time(void)
{
	nz_die(NZ_EXIT_DATA, "the disclosure checks did not finish within "
	    "the time limit (%g s): no S is proven safe and nothing is "
	    "written; allow longer (--time-limit), or use fewer or smaller "
	    "tables", time_limit);
}

/* What is left of the time limit, in GLPK's milliseconds. */
static int
time_left_ms(void)
{
	double left;

	if (!deadline)
		return INT_MAX;
	left = deadline - now();
	if (left <= 0)
		out_of_time();
	return left * 1000 >= INT_MAX ? INT_MAX : (int)(left * 1000) + 1;
}

static void
mip_parameters(glp_iocp *parm)
{
	glp_init_iocp(parm);
	parm->msg_lev = GLP_MSG_OFF;
	parm->presolve = GLP_ON;      /* shrinks it a great deal */
	parm->br_tech = GLP_BR_MFV;   /* Driebeck-Tomlin costs more than
	                               * it saves */
	parm->tm_lim = time_left_ms();
}

/* An integer copy of the component's LP. */
static glp_prob *
integer_copy(const struct lp *lp)
{
	glp_prob *mip = glp_create_prob();
	int j;

	glp_copy_prob(mip, lp->prob, GLP_OFF);
	for (j = 1; j <= lp->ncols; j++)
		glp_set_col_kind(mip, j, GLP_IV);
	return mip;
}

/* The integer optimum, when the LP vertex was fractional. */
static int
mip_optimum(sdc_group *g, struct lp *lp, double *value)
{
	glp_iocp parm;
	int j, ret;

again:
	if (!lp->mip)
		lp->mip = integer_copy(lp);
	for (j = 1; j <= lp->ncols; j++)
		glp_set_obj_coef(lp->mip, j, glp_get_obj_coef(lp->prob, j));
	glp_set_obj_dir(lp->mip, glp_get_obj_dir(lp->prob));
	mip_parameters(&parm);
	g->mip_solves++;
	ret = glp_intopt(lp->mip, &parm);
	if (ret == GLP_ETMLIM)
		out_of_time();
	if (ret == GLP_ENODFS) {
		if (!lp->feasible && add_broken_rows(lp, NULL))
			goto again;
		return UNBOUNDED;
	}
	if (ret == GLP_ENOPFS ||
	    (ret == 0 && glp_mip_status(lp->mip) == GLP_NOFEAS))
		return INFEASIBLE;
	if (ret != 0 || glp_mip_status(lp->mip) != GLP_OPT)
		nz_die(NZ_EXIT_DATA, "the SDC engine's MIP solver failed "
		    "(glpk code %d)", ret);
	if (mip_breaks_rows(lp, lp->mip))   /* (lazy rows) */
		goto again;
	note_solution(lp, lp->mip, 1);
	*value = glp_mip_obj_val(lp->mip);
	return SOLVED;
}

/* One run of the simplex method: from the current basis, afresh, or in
 * exact rational arithmetic from the current basis; GLPK's code. */
static int
simplex(glp_prob *prob, int how)
{
	glp_smcp parm;
	int ret;

	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.tm_lim = time_left_ms();
	if (how == WARM_DUAL || how == PRESOLVED)
		parm.meth = GLP_DUALP;
	if (how == PRESOLVED)
		parm.presolve = GLP_ON;
	if (how == AFRESH)
		glp_std_basis(prob);
	ret = how == EXACT ? glp_exact(prob, &parm) : glp_simplex(prob, &parm);
	if (ret == GLP_ETMLIM)
		out_of_time();
	return ret;
}

int
sdc_simplex_presolved(glp_prob *prob)
{
	return simplex(prob, PRESOLVED);
}

/* Is the LP's status a verdict to act on: an optimum, or a maximum that
 * is unbounded?  Nothing else is expected of the model's LPs (every
 * column is bounded below and a minimum has positive coefficients). */
static int
status_expected(glp_prob *prob)
{
	int status = glp_get_status(prob);

	return status == GLP_OPT || (status == GLP_UNBND &&
	    glp_get_obj_dir(prob) == GLP_MAX);
}

/* Solve the LP; when the simplex says anything but an optimum or an
 * unbounded maximum, confirm it afresh, then in exact arithmetic: GLPK's
 * primal simplex, warm started, has reported "no primal feasible
 * solution" for a feasible LP (kaishare 2026Q2 under threshold-only, an
 * unbounded maximum), and an infeasible LP condemns the whole group as
 * inconsistent. */
static int
lp_status(sdc_group *g, struct lp *lp, int how)
{
	int ret;

	g->lp_solves++;
	ret = simplex(lp->prob, how);
	if (ret != 0 || !status_expected(lp->prob)) {
		g->lp_solves++;
		ret = simplex(lp->prob, AFRESH);
	}
	if (ret != 0 || !status_expected(lp->prob)) {
		g->lp_solves++;
		ret = simplex(lp->prob, EXACT);
	}
	if (ret != 0)
		nz_die(NZ_EXIT_DATA, "the SDC engine's LP solver failed "
		    "(glpk code %d)", ret);
	return glp_get_status(lp->prob);
}

/* Optimise the objective: SOLVED with *value and *integral, or not. */
int
sdc_lp_optimum(sdc_group *g, struct lp *lp, double *value, int *integral)
{
	int status = lp_status(g, lp, WARM);

	/* the rows waiting outside the LP (lazy rows, above) */
	while (lp->nlazy) {
		if (status == GLP_OPT && add_broken_rows(lp,
		    point_of(lp, lp->prob, 0)) == 0) {
			lp->feasible = 1;
			break;
		}
		if (status == GLP_OPT || (status == GLP_UNBND &&
		    !lp->feasible && add_broken_rows(lp, NULL)))
			status = lp_status(g, lp, WARM_DUAL);
		else
			break;
	}

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
 * target held there: an integral vertex is one, and so is a point the
 * RINS heuristic finds around a fractional one (sdc_rins, the target
 * held: a small MIP that needs only a point). */
static int
integer_point_at(sdc_group *g, struct lp *lp, const struct seen *t,
    int64_t end)
{
	int type = glp_get_col_type(lp->prob, t->col), integral = 0, r;
	double lb = glp_get_col_lb(lp->prob, t->col);
	double ub = glp_get_col_ub(lp->prob, t->col), v;

	if (end == t->low || end == t->high)
		return 1;
	glp_set_col_bnds(lp->prob, t->col, GLP_FX, (double)end, (double)end);
	r = sdc_lp_optimum(g, lp, &v, &integral);
	if (r == SOLVED && !integral)
		integral = sdc_rins(g, lp, &v);
	else if (r != SOLVED)
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

	sdc_set_objective(lp, &col, NULL, 1, dir);
	r = sdc_lp_optimum(g, lp, &v, &integral);
	if (r == INFEASIBLE || (r == UNBOUNDED && dir == GLP_MIN)) {
		lp->infeasible = 1;
		return -1;
	}
	*end = r == UNBOUNDED ? SDC_INF : round_in(v, dir);
	*exact = r == UNBOUNDED || integral ||
	    *end == (dir == GLP_MIN ? t->low : t->high);
	return 0;
}

/* RINS is a heuristic: its branch and bound stops after RINS_NODES
 * subproblems, and a point met by then still counts.  Nearly every RINS
 * needs a handful; a few around a partial quarter's fractional vertex
 * ran on for tens of thousands of subproblems without a point (a
 * 3,000-row agency's last quarter, in public mode: over 11 minutes),
 * where the methods after it found one in a second.  A count, not a
 * time, so that the same release meets the same points everywhere. */
enum { RINS_NODES = 500 };

static void
rins_limit(glp_tree *tree, void *info)
{
	long *nodes = info;

	if (glp_ios_reason(tree) == GLP_IPREPRO && ++*nodes > RINS_NODES)
		glp_ios_terminate(tree);
}

/* Around a fractional LP optimum, the best integer point that keeps
 * every column the LP made integral (a small MIP: the RINS heuristic),
 * or the best met within RINS_NODES subproblems.  Returns 1 with *value
 * if there is one. */
int
sdc_rins(sdc_group *g, struct lp *lp, double *value)
{
	glp_prob *sub;
	glp_iocp parm;
	double *x = nz_calloc((size_t)lp->ncols + 1, sizeof *x);
	long nodes;
	int j, ret, found;

	for (j = 1; j <= lp->ncols; j++)
		x[j] = glp_get_col_prim(lp->prob, j);
again:
	sub = glp_create_prob();
	glp_copy_prob(sub, lp->prob, GLP_OFF);
	for (j = 1; j <= lp->ncols; j++) {
		glp_set_col_kind(sub, j, GLP_IV);
		if (is_integral(x[j]))
			glp_set_col_bnds(sub, j, GLP_FX, floor(x[j] + 0.5),
			    floor(x[j] + 0.5));
	}
	mip_parameters(&parm);
	nodes = 0;
	parm.cb_func = rins_limit;
	parm.cb_info = &nodes;
	g->mip_solves++;
	ret = glp_intopt(sub, &parm);
	found = (ret == 0 || ret == GLP_ESTOP) &&
	    (glp_mip_status(sub) == GLP_OPT || glp_mip_status(sub) == GLP_FEAS);
	if (found && mip_breaks_rows(lp, sub)) {   /* (lazy rows) */
		glp_delete_prob(sub);
		goto again;
	}
	free(x);
	if (found) {
		note_solution(lp, sub, 1);
		*value = glp_mip_obj_val(sub);
	}
	glp_delete_prob(sub);
	return found;
}

/* Stop the branch and bound at its first integer point. */
static void
first_point(glp_tree *tree, void *info)
{
	(void)info;
	if (glp_ios_reason(tree) == GLP_IBINGO)
		glp_ios_terminate(tree);
}

/* Is there an integer point with the target from lo to hi?  A MIP with
 * the target held there, stopped at its first point: far cheaper than
 * the optimum when one is easy to find.  1 yes, 0 no. */
static int
integer_point_mip(sdc_group *g, struct lp *lp, const struct seen *t,
    int64_t lo, int64_t hi)
{
	glp_prob *mip;
	glp_iocp parm;
	int j, ret, found;

again:
	mip = integer_copy(lp);
	for (j = 1; j <= lp->ncols; j++)
		glp_set_obj_coef(mip, j, 0.0);
	sdc_set_col_bounds(mip, t->col, lo, hi);
	mip_parameters(&parm);
	parm.cb_func = first_point;
	parm.fp_heur = GLP_ON;      /* the feasibility pump: a point soon */
	g->mip_solves++;
	ret = glp_intopt(mip, &parm);
	if (ret == GLP_ETMLIM) {
		glp_delete_prob(mip);
		out_of_time();
	}
	found = (ret == 0 || ret == GLP_ESTOP) &&
	    (glp_mip_status(mip) == GLP_OPT || glp_mip_status(mip) == GLP_FEAS);
	if (found && mip_breaks_rows(lp, mip)) {   /* (lazy rows) */
		glp_delete_prob(mip);
		goto again;
	}
	if (found)
		note_solution(lp, mip, 1);
	glp_delete_prob(mip);
	return found;
}

/* An integer point with target t at value: t held there and every
 * other target down, the objective of the first broad solve, whose
 * vertices are most often integral (or the RINS point near it).  The
 * point takes many targets to new values, so it often settles more
 * than t.  1 if there is one; t's bounds are left held. */
static int
all_down_at(sdc_group *g, struct lp *lp, const struct seen *t,
    int64_t value)
{
	int n = 0, integral;
	double v;
	size_t i;

	for (i = 0; i < lp->nseen; i++)
		if (lp->seen[i].col != t->col)
			lp->ocols[n++] = lp->seen[i].col;
	sdc_set_col_bounds(lp->prob, t->col, value, value);
	sdc_set_objective(lp, lp->ocols, NULL, n, GLP_MIN);
	if (sdc_lp_optimum(g, lp, &v, &integral) != SOLVED)
		return 0;
	return integral || sdc_rins(g, lp, &v);
}

/* For a status alone, when the integer points met span fewer than 3
 * values: is there one at least two beyond them, toward dir's LP end
 * (lp_end), at least t->low + 2 for a maximum, at most t->high - 2 for
 * a minimum?  The nearest such value first: the LP with the target held
 * between it and the LP end, optimised toward it (an integral vertex,
 * or the RINS point near a fractional one); else the target held at
 * the whole value nearest that optimum and every other target down
 * (all_down_at); then a MIP's first point in that range.  Far easier
 * than a point at the LP end itself, a corner of the polytope, and
 * enough to settle the status.  1 if one was found (it is noted), else
 * the status is still open and integer_end goes on as before. */
static int
status_point(sdc_group *g, struct lp *lp, struct seen *t, int dir,
    int64_t end)
{
	int type = glp_get_col_type(lp->prob, t->col), integral = 0, r;
	double lb = glp_get_col_lb(lp->prob, t->col);
	double ub = glp_get_col_ub(lp->prob, t->col), v;
	int64_t lo, hi;

	if (t->high < 0 || end == SDC_INF)
		return 0;   /* no point met yet, or a ray (settled) */
	lo = dir == GLP_MAX ? t->low + 2 : end;
	hi = dir == GLP_MAX ? end : t->high - 2;
	if (lo > hi)
		return 0;
	sdc_set_objective(lp, &t->col, NULL, 1,
	    dir == GLP_MAX ? GLP_MIN : GLP_MAX);
	sdc_set_col_bounds(lp->prob, t->col, lo, hi);
	r = sdc_lp_optimum(g, lp, &v, &integral);
	if (r == SOLVED && !integral)
		integral = sdc_rins(g, lp, &v);
	if (r == SOLVED && !integral)
		integral = all_down_at(g, lp, t, round_in(v, dir == GLP_MAX ?
		    GLP_MIN : GLP_MAX));
	glp_set_col_bnds(lp->prob, t->col, type, lb, ub);
	if (r == SOLVED && !integral)
		integral = integer_point_mip(g, lp, t, lo, hi);
	if (!integral || !sdc_status_settled(t))
		return 0;
	g->status_points++;
	return 1;
}

/* The integer end where the LP one may lie beyond it: an integer point
 * at the LP end (near the LP optimum, with the target held there, or
 * by a MIP that stops at its first point there), else the MIP optimum.
 * For a status alone it first tries status_point, and stops as soon as
 * the points met settle it (*end is then left). */
static int
integer_end(sdc_group *g, struct lp *lp, struct seen *t, int dir,
    int status_only, int64_t *end)
{
	int col = t->col, r, integral;
	double v;

	if (status_only && status_point(g, lp, t, dir, *end))
		return 0;
	sdc_set_objective(lp, &col, NULL, 1, dir);
	if (sdc_lp_optimum(g, lp, &v, &integral) == SOLVED && !integral &&
	    sdc_rins(g, lp, &v) && round_in(v, dir) == *end)
		return 0;
	if (integral || (status_only && sdc_status_settled(t)) ||
	    integer_point_at(g, lp, t, *end) ||
	    (status_only && sdc_status_settled(t)) ||
	    integer_point_mip(g, lp, t, *end, *end))
		return 0;
	r = mip_optimum(g, lp, &v);
	if (r != SOLVED) {   /* LP points but no integer one */
		lp->infeasible = 1;
		return -1;
	}
	*end = round_in(v, dir);
	return 0;
}

/* Before target t's own maximum, one that weighs t far above the next
 * SHARED_MAX_OTHERS targets whose high end is still open: a vertex that
 * is integral with t at its bound settles t's high end (no value lies
 * beyond the bound, and the vertex is an integer point there), and
 * takes the others as high as it can, settling many of theirs with the
 * same solve.  Most maxima of a table of small counts are their bounds
 * (9 in 10 of capital's).  1 if it settled t's high end, else its own
 * maximum must be solved.  Measured on capital's audit: 16 others, 0.75
 * of the CPU of none; 4 about the same; 32 or all of them more often
 * leave the vertex fractional. */
enum { SHARED_MAX_OTHERS = 16 };
static int
shared_max(sdc_group *g, struct lp *lp, const struct model *md,
    const struct seen *t)
{
	int64_t hi = md->hi[t->var];
	double weight = 1, v;
	size_t i;
	int n = 0, integral;

	if (hi == SDC_INF)
		return 0;
	for (i = (size_t)(t - lp->seen) + 1; i < lp->nseen &&
	    n < SHARED_MAX_OTHERS; i++) {
		const struct seen *u = &lp->seen[i];
		if (u->ray || md->hi[u->var] == SDC_INF ||
		    u->high >= md->hi[u->var])
			continue;
		lp->ocols[n] = u->col;
		lp->ocoef[n++] = 1;
		weight += (double)(md->hi[u->var] - md->lo[u->var]);
	}
	if (n == 0)
		return 0;
	lp->ocols[n] = t->col;
	lp->ocoef[n++] = weight;
	sdc_set_objective(lp, lp->ocols, lp->ocoef, n, GLP_MAX);
	return sdc_lp_optimum(g, lp, &v, &integral) == SOLVED && integral &&
	    t->high == hi;
}

/* For a status alone, integer points three apart settle it: low and
 * high are then those points' values, an inner bound. */
static int
settled_bound(const struct seen *t, sdc_bound *b)
{
	b->low = t->low;
	b->high = t->ray ? SDC_INF : t->high;
	b->status = SDC_OK;
	return 0;
}

/* One target's ends; -1 when the LP turns out infeasible.  For a status
 * alone it stops once integer points settle it; and LP ends (rounded
 * inward) fewer than 3 apart expose it once the component is known to
 * have an integer point (low and high are then those ends, an outer
 * bound). */
static int
target_ends(sdc_group *g, struct lp *lp, const struct model *md,
    struct seen *t, int status_only, sdc_bound *b)
{
	int lo_exact = 1, hi_exact = 1;

#define SETTLED() (status_only && sdc_status_settled(t))
	if (SETTLED())
		return settled_bound(t, b);
	b->low = md->lo[t->var];
	b->high = md->hi[t->var];
	if (t->low > b->low &&
	    lp_end(g, lp, t, GLP_MIN, &b->low, &lo_exact) < 0)
		return -1;
	if (SETTLED())
		return settled_bound(t, b);
	if (!t->ray && (b->high == SDC_INF || t->high < b->high) &&
	    !shared_max(g, lp, md, t) &&
	    lp_end(g, lp, t, GLP_MAX, &b->high, &hi_exact) < 0)
		return -1;
	if (SETTLED())
		return settled_bound(t, b);
	if (status_only && lp->has_point && b->high != SDC_INF &&
	    b->high - b->low < 2) {
		b->status = SDC_EXPOSED;
		return 0;
	}
	/* integer points 3 apart already pass it: the LP ends may stand,
	 * unless asked for exact ones */
	if ((g->flags & SDC_EXACT) || (b->high != SDC_INF &&
	    t->high - t->low < 2)) {
		if (!lo_exact && integer_end(g, lp, t, GLP_MIN, status_only,
		    &b->low) < 0)
			return -1;
		if (SETTLED())
			return settled_bound(t, b);
		if (!hi_exact && integer_end(g, lp, t, GLP_MAX, status_only,
		    &b->high) < 0)
			return -1;
		if (SETTLED())
			return settled_bound(t, b);
	}
#undef SETTLED
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
	lp->ocols = nz_calloc(n + 1, sizeof *lp->ocols);
	lp->ocoef = nz_calloc(n + 1, sizeof *lp->ocoef);
	lp->nseen = n;
	for (i = 0; i < n; i++) {
		lp->seen[i].var = targets[i];
		lp->seen[i].col = lp->col[targets[i]];
		lp->seen[i].low = SDC_INF;
		lp->seen[i].high = -1;
	}
	if (!lp->infeasible)
		sdc_broad_solves(g, lp, md, status_only);
	if (!(g->flags & SDC_RAYS_ALONE))
		sdc_find_rays(g, lp, md);
	for (i = 0; i < n && !lp->infeasible; i++)
		if (target_ends(g, lp, md, &lp->seen[i], status_only,
		    &out[lp->seen[i].var]) < 0)
			break;
	/* one infeasible LP spoils them all */
	for (i = 0; i < n && lp->infeasible; i++)
		out[targets[i]].status = SDC_INCONSISTENT;
	free(lp->seen);
	free(lp->ocols);
	free(lp->ocoef);
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
	int64_t *point;
	int status_only;
	struct witness *witness;
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
	lp.witness = w->witness;
	lp.point = w->point;
	lp_build(&lp, md, w->members, nmembers, w->row_stamp, stamp);
	for (i = tstart; i < tend; i++)
		w->tlist[i - tstart] = w->tp[i].var;
	if (lp.nrows == 0 && lp.nlazy == 0 && !lp.infeasible)
		for (i = tstart; i < tend; i++)
			box_bound(md, w->tp[i].var, &out[w->tp[i].var]);
	else
		solve_component(g, &lp, md, w->tlist, tend - tstart,
		    w->status_only, out);
	lp_free(&lp);
}

/* GLPK allocates and frees a component's problem, its factorisation
 * and each MIP's tree, megabytes at a time: glibc would hand such blocks
 * back to the system and fault them in again on the next solve (a tenth
 * of the engine's time).  Keep them in the heap instead. */
static void
keep_freed_memory(void)
{
	static int done;

	if (done++)
		return;
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

void
sdc_solve_vars(sdc_group *g, const size_t *targets, size_t ntargets,
    int status_only, sdc_bound *out)
{
	struct model md;
	struct work w;
	size_t i, t, c, n, stamp = 0;

	keep_freed_memory();
	w.status_only = status_only;
	glp_term_out(GLP_OFF);
	sdc_model_init(&md, g);
	w.tp = nz_calloc(ntargets + 1, sizeof *w.tp);
	w.cp = nz_calloc(g->nvars + 1, sizeof *w.cp);
	w.row_stamp = nz_calloc(g->nrows + 1, sizeof *w.row_stamp);
	w.members = nz_calloc(g->nvars + 1, sizeof *w.members);
	w.tlist = nz_calloc(ntargets + 1, sizeof *w.tlist);
	w.col = nz_calloc(g->nvars + 1, sizeof *w.col);
	w.point = nz_calloc(g->nvars + 1, sizeof *w.point);
	w.witness = sdc_witness_new(&md, w.col);
	for (i = 0; i < ntargets; i++) {
		w.tp[i].var = targets[i];
		w.tp[i].root = sdc_find_root(md.root, targets[i]);
	}
	qsort(w.tp, ntargets, sizeof *w.tp, pair_cmp);
	for (i = 0; i < g->nvars; i++) {
		w.cp[i].var = i;
		w.cp[i].root = sdc_is_const(&md, i) ? SIZE_MAX :
		    sdc_find_root(md.root, i);
	}
	qsort(w.cp, g->nvars, sizeof *w.cp, pair_cmp);
	for (t = 0, c = 0; t < ntargets; ) {
		size_t root = w.tp[t].root, tend = t;

		while (tend < ntargets && w.tp[tend].root == root)
			tend++;
		if (sdc_is_const(&md, w.tp[t].var)) {
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
	sdc_model_free(&md);
	free(w.tp);
	free(w.cp);
	free(w.row_stamp);
	free(w.members);
	free(w.tlist);
	free(w.col);
	free(w.point);
	sdc_witness_free(w.witness);
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
