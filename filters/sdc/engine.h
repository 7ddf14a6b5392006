/* engine.h: what the files of the SDC engine share (model.c builds the
 * model, solve.c solves it, protect.c suppresses); private to
 * filters/sdc.  Programs include sdc.h only. */
#ifndef SDC_ENGINE_H
#define SDC_ENGINE_H

#include "sdc.h"

/* Variables: cell i's measure m is variable i * NZ_NMEASURES + m; the
 * latent cross-classification's counts follow (model.c). */
#define VAR(cell, m) ((size_t)(cell) * NZ_NMEASURES + (size_t)(m))
#define VAR_CELL(v) ((v) / NZ_NMEASURES)
#define VAR_MEASURE(v) ((int)((v) % NZ_NMEASURES))

/* Every row is sum coef_k x_k (type) 0, coef +1 or -1. */
enum row_type { ROW_EQ, ROW_GE, ROW_LE };

/* What a row says, for messages: */
enum row_kind {
	RK_SUM,         /* a single-valued margin is the sum of its cells */
	RK_TOTAL,       /* a margin is at most the sum of its cells */
	RK_SUBSUM,      /* a margin is at least the sum of the cells seen */
	RK_DOMAIN,      /* within a domain, an outcome margin is the sum of
	                 * its bands (issue 23) */
	RK_CHILD,       /* a cell is at most its margin */
	RK_HOUSEHOLDS,  /* households at most clients */
	RK_EVENTS,      /* events at least clients */
	RK_ONE_VISIT,   /* events equal clients in a one-visit cell */
	RK_LATENT,      /* the latent cross-classification of linked tables */
};

struct row_info {
	unsigned char kind;       /* enum row_kind */
	unsigned char type;       /* enum row_type */
	unsigned char measure;
	unsigned char dim;        /* of a relation; for RK_LATENT the
	                           * dimension the latent counts sum over */
	size_t cell;              /* the parent, or the cell it is about */
};

/* A latent count: measure m of the cells with code[0..3) in dim[0..3);
 * the codes' names are those of cells ab (dims 0, 1) and ay (0, 2). */
struct latent_var {
	unsigned char measure, dim[3];
	size_t ab, ay;
};

struct sdc_group {
	nz_rules rules;
	unsigned flags;
	sdc_cell *cells;          /* the caller's; protect changes them */
	size_t ncells;
	size_t nvars;             /* NZ_NMEASURES * ncells + latent */
	size_t nrelations;
	/* the rows, sparse: row r's members are var[start[r] .. start[r+1])
	 * with coefficients coef[...] */
	size_t nrows, rowcap;
	struct row_info *info;
	size_t *start, *var;
	signed char *coef;
	size_t nnz, nzcap;
	/* the latent counts, variables VAR(ncells, 0) onwards */
	struct latent_var *latent;
	size_t nlatent, latentcap;
	/* the rows holding variable v: inc[inc_start[v] .. inc_start[v+1]) */
	size_t *inc_start, *inc;
	/* cell i's code in dimension d: codes[i * NZ_NDIMS + d], numbered
	 * 1 .. ncodes[d] in order of appearance, 0 for `*` */
	uint32_t *codes, ncodes[NZ_NDIMS];
	unsigned long lp_solves, mip_solves;
	unsigned long status_points;   /* statuses status_point settled */
	unsigned long caps_lifted;     /* capped broad solves that met no
	                                * point, their caps lifted (broad.c) */
};

/* model.c */
/* The bound a variable's own entries give (the rules, the cell's kind,
 * the 20-client rule); lo > hi when no value fits. */
void sdc_box(const sdc_group *g, size_t v, int64_t *lo, int64_t *hi);
/* Row r in words, with the ranges lo..hi its members may take:
 * "clients of (region=02) is the sum of its 3 age_band cells ..." */
void sdc_describe_row(const sdc_group *g, size_t r, const int64_t *lo,
	const int64_t *hi, nz_buf *out);

/* Start a row; then add its members (coef +1 or -1). */
void sdc_row_begin(sdc_group *g, int kind, int type, int measure, int dim,
	size_t cell);
void sdc_row_add(sdc_group *g, size_t var, int coef);

/* latent.c */
/* The rows of the latent cross-classification (and its variables, added
 * to g->nvars); codes and index as model.c interns them: cell i's code
 * numbers codes[i * NZ_NDIMS ..], 0 for `*`, index from those to cells. */
void sdc_latent_rows(sdc_group *g, const uint32_t *codes,
	const nz_strset *index, const uint32_t ncodes[NZ_NDIMS]);
/* "clients with region=01, need=food, age_band=18-24" */
void sdc_latent_label(const sdc_group *g, size_t v, nz_buf *out);

/* tighten.c: the bounds of one solve */
struct model {
	sdc_group *g;
	int64_t *lo, *hi;         /* each variable's bound */
	size_t *root;             /* union-find over the variables */
};
/* Boxes (sdc_box), tightened by the rows, and the components of the
 * variables not held to one value (root). */
void sdc_model_init(struct model *md, sdc_group *g);
void sdc_model_free(struct model *md);
size_t sdc_find_root(size_t *root, size_t v);
/* Does row r hold for any values within the bounds?  (It binds
 * nothing then.) */
int sdc_row_implied(const struct model *md, size_t r);
static inline int
sdc_is_const(const struct model *md, size_t v)
{
	return md->lo[v] == md->hi[v];
}

/* solve.c */
/* Bounds of the targets (variables), out[v] for each (out has nvars
 * entries).  status_only: only the statuses need be exact; an OK
 * target's low and high may then be an inner bound, an EXPOSED one's an
 * outer bound (solve.c). */
void sdc_solve_vars(sdc_group *g, const size_t *targets, size_t ntargets,
	int status_only, sdc_bound *out);

/* witness.c: integer points near a known one, without a solve */
struct witness;
struct witness *sdc_witness_new(const struct model *md, const int *col);
void sdc_witness_free(struct witness *w);
/* x: an integer point of the component whose columns col gives (x[c]
 * for column c; the variables with col 0 are constants).  Is there one
 * with target v at x + step?  Does v grow without end from x (a ray)?
 * 1 yes, 0 not found. */
int sdc_witness_step(struct witness *w, const int64_t *x, size_t v,
	int64_t step);
int sdc_witness_ray(struct witness *w, const int64_t *x, size_t v);

#endif
