/* lp.h: one component of the model as a GLPK problem, shared by
 * solve.c (building and solving it, target by target) and broad.c (the
 * broad solves first); private to filters/sdc. */
#ifndef SDC_LP_H
#define SDC_LP_H

#include <glpk.h>

#include "engine.h"

struct lp {
	const struct model *md;
	glp_prob *prob, *mip;
	int *col;                 /* variable -> column (1-based), 0 none */
	size_t *vars;             /* column -> variable (1-based) */
	int ncols, nrows;
	int *ia, *ja;             /* the matrix, 1-based triplets */
	double *ar;
	size_t nz, nzcap, iacap, jacap;
	int *obj, nobj;           /* columns with a non-zero objective */
	struct seen *seen;        /* the component's targets */
	struct witness *witness;  /* witness.c, for statuses */
	size_t nseen;
	int infeasible;
	/* the last integer point met, by column (has_point: there is one,
	 * so the component has integer points) */
	int64_t *point;
	int has_point;
	int *ocols;               /* an objective's columns and weights, */
	double *ocoef;            /* nseen + 1 each (solve.c) */
	/* rows left out until a point breaks one (solve.c, lazy rows):
	 * lazy[0 .. nlazy), in the model's order; feasible: a point
	 * meeting every row, left out or not, was met */
	size_t *lazy, nlazy, lazycap;
	int feasible;
	double *x;                /* a point's values by column, ncols + 1 */
};

/* A target, and the least and greatest values it takes in the integer
 * solutions met so far: each is a point of the model, so when one sits
 * on the target's own bound, that end of its interval needs no solve. */
struct seen {
	size_t var;
	int col;
	int64_t low, high;
	int ray;                  /* it grows without end (witness.c) */
};

enum { SOLVED, UNBOUNDED, INFEASIBLE };

/* solve.c */
void sdc_set_col_bounds(glp_prob *prob, int j, int64_t lo, int64_t hi);
/* Objective: sum coef_j x_cols[j] (coef NULL: all 1), direction dir. */
void sdc_set_objective(struct lp *lp, const int *cols, const double *coef,
	int n, int dir);
/* Optimise: SOLVED with *value and *integral (an integral vertex is
 * noted in the targets' seen values), UNBOUNDED or INFEASIBLE. */
int sdc_lp_optimum(sdc_group *g, struct lp *lp, double *value,
	int *integral);
/* Around a fractional optimum, the best integer point keeping the
 * columns the LP made integral; 1 with *value if there is one (it is
 * then lp->point). */
int sdc_rins(sdc_group *g, struct lp *lp, double *value);
/* Target t took value in an integer point. */
void sdc_note_value(struct seen *t, int64_t value);
/* From lp->point, moves of whole clients (witness.c) to other integer
 * points: for a status, a point two away or a ray; for exact ends, a
 * point at the target's bound (the bound is then its end) or a ray. */
void sdc_witness_pass(struct lp *lp, const struct model *md,
	int status_only);

/* A problem solved once, with no basis to start from (rays.c): GLPK's
 * presolver, then the dual simplex, under the time limit; glp_simplex's
 * return code. */
int sdc_simplex_presolved(glp_prob *prob);

/* rays.c */
/* Mark every target of the component whose values have no upper end
 * (t->ray), by one LP over the recession cone, each checked in whole
 * numbers; the rest are left to their own solves. */
void sdc_find_rays(sdc_group *g, struct lp *lp, const struct model *md);

/* broad.c */
/* For a status alone: integer points three apart, or no end. */
int sdc_status_settled(const struct seen *t);
void sdc_broad_solves(sdc_group *g, struct lp *lp, const struct model *md,
	int status_only);

#endif
