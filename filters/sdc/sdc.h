/* sdc.h: the disclosure-control engine (libsdc): what a reader of a
 * release can prove about its suppressed cells, and the secondary
 * suppression that leaves every S at least three possible values.
 * Linked by suppress and audit only.  The model is written out at the top
 * of model.c; solve.c finds the intervals, protect.c suppresses.
 *
 * One sdc_group is one agency's cells for one period, with the
 * dimensions and measures of the schema (nz.h).  Prefix sdc_. */
#ifndef SDC_H
#define SDC_H

#include "nz.h"

#define SDC_INF INT64_MAX          /* no upper bound */
#define SDC_MAX_VALUE NZ_RULES_MAX /* larger counts are not real */

/* What a reader knows of a cell's S: which suppression made them. */
enum sdc_kind {
	SDC_PRIMARY,    /* its S are the rules' (under the threshold, or
	                 * sums under sum_min_clients clients) */
	SDC_SECONDARY,  /* hidden whole by secondary suppression: its S may
	                 * hide anything the cell held when it was published */
	SDC_EITHER,     /* every measure S, and the reader cannot tell
	                 * which suppression (public mode) */
};

typedef struct sdc_cell {
	const char *dim[NZ_NDIMS];      /* a code or "*"; borrowed */
	int64_t value[NZ_NMEASURES];    /* published value, unless S */
	unsigned char s[NZ_NMEASURES];  /* 1: published as S */
	unsigned char kind;             /* enum sdc_kind */
} sdc_cell;

enum sdc_status { SDC_OK, SDC_EXPOSED, SDC_INCONSISTENT };

/* The integers an S may hide: low..high (SDC_INF: no upper bound).
 * EXPOSED: fewer than 3 (high - low < 2); INCONSISTENT: no true values
 * fit what is published (low, high meaningless).  The status is exact;
 * low and high are exact unless the S is OK anyway, where they may be an
 * outer bound (model.c; SDC_EXACT makes them exact). */
typedef struct sdc_bound {
	int64_t low, high;
	int status;
} sdc_bound;

enum {
	SDC_EXACT = 1,   /* exact integer low and high for every S */
	SDC_LATENT = 2,  /* the latent cross-classification (latent.c) */
	SDC_RAYS_ALONE = 4, /* for tests: each target with no upper end
	                 * found by a solve of its own, not by one LP for
	                 * the component (rays.c); the same bounds */
};

typedef struct sdc_group sdc_group;

/* Why a cell cannot appear in a release under the rules, or NULL: a
 * value not a multiple of the base or under the threshold after
 * rounding, an S where nothing is suppressed, a measure published in a
 * secondary cell, measures that contradict each other (households over
 * clients; sums published under sum_min_clients clients).  A static
 * message about *measure. */
const char *sdc_cell_error(const nz_rules *rules, const sdc_cell *cell,
	int *measure);

/* Public mode: what a reader of the release and its manifest alone knows
 * of each cell's S.  Secondary suppression hides whole cells, so an S
 * beside a published measure is primary; a cell with every measure S
 * may be either, unless the manifest says nothing was hidden
 * (secondary_possible 0), when every S is primary. */
void sdc_public_kinds(sdc_cell *cells, size_t n, int secondary_possible);

/* Index a group's cells and build the model.  cells stays the caller's
 * and must outlive the group; sdc_protect changes it.  NULL when two
 * cells have the same codes: dup (if given) gets both. */
sdc_group *sdc_new(const nz_rules *rules, sdc_cell *cells, size_t ncells,
	unsigned flags, size_t dup[2]);
void sdc_free(sdc_group *g);

/* Bounds of every S: out[i * NZ_NMEASURES + m] for S measure m of cell
 * i (out has ncells * NZ_NMEASURES entries; the others are untouched).
 * Returns how many are not OK. */
size_t sdc_solve(sdc_group *g, sdc_bound *out);

/* When the group is inconsistent: the first relation (in the order of
 * cells, then measures) that its published values, the rules and the
 * relations before it leave no values for, in words, and the cell it is
 * about.  Returns 0 with *cell and why set, -1 if none is found alone
 * (the relations contradict only together). */
int sdc_violation(sdc_group *g, size_t *cell, nz_buf *why);

/* Secondary suppression: while any S is exposed, hide one more whole
 * cell (every measure S, kind SDC_SECONDARY).  The cell: of the
 * relations holding an exposed S, the one with the fewest S that still
 * has a published member; in it, the published member that leaves no
 * other relation with a single S, then the one with the fewest measures
 * published, then the smallest value, then the first in cell order.
 * When every such relation is all S, the nearest relation with a
 * published member along chains of S.  Returns the number of cells
 * hidden, or -1 with *stuck and *stuck_measure (if given) naming an S
 * that cannot be protected (nothing left to hide, or inconsistent). */
long sdc_protect(sdc_group *g, size_t *stuck, int *stuck_measure);

/* The time the engine may take from now, for the whole run (0: no
 * limit).  When it runs out the engine exits 1 naming the limit: a
 * release whose S are not all proven safe is not written. */
void sdc_time_limit(double seconds);
#define SDC_DEFAULT_TIME 1800L      /* suppress and audit: 30 minutes */
#define SDC_MAX_TIME 31536000L      /* a year */

/* For tests and benchmarks: relations (a parent and a dimension) found,
 * rows of the model, LPs and MIPs solved so far. */
size_t sdc_nrelations(const sdc_group *g);
size_t sdc_nrows(const sdc_group *g);
void sdc_counts(const sdc_group *g, unsigned long *lp_solves,
	unsigned long *mip_solves);

#endif
