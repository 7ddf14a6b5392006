/* audit.c: how closely can a reader of a release pin down a suppressed
 * cell?  The engine behind `audit`, and the secondary suppression loop
 * that `suppress` can run (DESIGN §5).
 *
 * A group is one agency's cells for one period; a measure is modelled on
 * its own.  The model has a variable x_i per cell, its true value, an
 * integer, and (t = threshold, b = base of the rules):
 *
 * Bounds on each x_i, from what the release says of the cell itself:
 *  - person measure (clients, households) published as p: only raw
 *    values r >= t are published, and rounding moves r by at most b-1:
 *        max(p-(b-1), t, 0) <= x <= p+(b-1)          (b = 1: x = p).
 *    A published 0 can also be a raw 0, when suppress_zero is false
 *    (rounding never moves 0): then the bound is the hull of {0} and the
 *    range above: 0..b-1 if t <= b-1 (an outer bound), else exactly 0.
 *    With the shipped rules (t >= b) a published p > 0 means x >= t.
 *  - person measure S: 0..t-1, or 1..t-1 when suppress_zero is false
 *    (a raw 0 is then published).  A secondary S, or every S under
 *    NZ_AUDIT_UNBOUNDED_S, may hide anything: 0..inf.
 *  - sum measure (events, units) published as p: max(0, p-(b-1))..p+(b-1);
 *    S: 0..inf (suppressed for its client count, not for its size).
 *  - a measure in neither list of the rules: p exactly; S: 0..inf.
 *  - across the measures of one cell: households <= clients (distinct
 *    households among the cell's clients), so the clients bound caps
 *    households, as does the interval the relations leave an S clients
 *    (clients are solved first), and the households bound floors
 *    clients.  Sums are suppressed exactly when raw clients is under
 *    sum_min_clients, so a published event or unit sum floors clients
 *    at sum_min_clients, and a primary S sum caps it one below (not
 *    under NZ_AUDIT_UNBOUNDED_S, where an S sum may be secondary).
 *
 * Relations between cells: a parent P with `*` in dimension d, and its
 * children C_k, the cells equal to P but for a code k in d.  A relation
 * is complete when its children hold every code of d seen in the group;
 * regions outside the agency's coverage are never seen, so they are the
 * structural zeros they should be.
 *  - single-valued d (region age_band gender household housing) with an
 *    additive measure (clients take their modal value; events and units
 *    count each row once): P = sum C_k.
 *  - multi-valued d (total response, nz_dims in schema.c), and
 *    households in any d (two clients of one household may fall in two
 *    children): C_k <= P <= sum C_k.
 *  - incomplete: sum C_k <= P for single-valued additive, else C_k <= P.
 *
 * The interval of an S cell is the min and max of its x_i subject to all
 * of this, found with GLPK.  Published cells held to one value (b = 1)
 * are constants; the other cells fall into components linked by
 * relations, and each component holding a target is one LP, solved by
 * the simplex method and re-solved warm for each target and direction.
 * Before that, each bound is tightened to what the relations imply
 * (constraint propagation, rounded to integers: exact, as it removes no
 * integer solution), which fixes some cells and gives S sums a finite
 * top.  Every integral LP vertex met is an integer point of the model,
 * so an end of a target's interval that such a point reaches needs no
 * solve of its own: a few broad solves (all targets down, then random
 * mixes up and down) settle most ends at once.
 *
 * The LP end is the integer end when the optimal vertex is integral or
 * an integer point reaches it.  Otherwise the LP end lies beyond the
 * integer one and could pass an exposed cell, so whenever the integer
 * points met do not already span 3 values, the end is found exactly: an
 * integer point at the LP end, or the MIP optimum (glp_intopt).  The
 * status is therefore always exact; low and high are exact too except
 * where a cell passes anyway and an LP vertex was fractional, where they
 * are the LP ends rounded inward (an outer bound, off by the LP's
 * fractional gap).  NZ_AUDIT_EXACT makes every end exact, at the price
 * of many MIPs on large releases with three-way tables.
 *
 * Secondary suppression (nz_audit_protect) suppresses whole cells: a
 * measure left published would narrow the others (households floor
 * clients, sums floor them at sum_min_clients).  Suppressing only
 * loosens the model, so a cell that passed stays passed, and each round
 * re-solves only the cells still failing and the new ones.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "nz.h"

/* children of a single-valued dimension add up to the parent */
static const unsigned char measure_additive[NZ_NMEASURES] = {
	1, 0, 1, 1,
};

enum rel_type {
	REL_SUM,      /* P = sum C */
	REL_TOTAL,    /* C_k <= P <= sum C */
	REL_SUBSUM,   /* sum C <= P */
	REL_EACH,     /* C_k <= P */
};

struct relation {
	size_t parent;
	size_t first, n;          /* children: child[first .. first+n) */
	unsigned char dim;
	unsigned char complete;
};

struct nz_audit {
	nz_rules rules;
	nz_audit_cell *cells;     /* the caller's; protect() marks them */
	size_t ncells;
	unsigned flags;
	struct relation *rel;
	size_t nrel, relcap;
	size_t *child;
	size_t nchild, childcap;
	size_t *inc_start, *inc;  /* relations holding cell i */
	long *clients_high;       /* high end of each S clients' interval */
	unsigned char *clients_state; /* the clients states it was found for */
	unsigned long lp_solves, mip_solves;
};

/* "(2026Q3, akcm, region=02, need=food)"; "*" codes are left out */
void
nz_audit_label(nz_buf *out, const char *period, const char *agency,
    const char *const dim[NZ_NDIMS])
{
	int d, any = 0;

	nz_buf_clear(out);
	nz_buf_printf(out, "(%s, %s", period, agency);
	for (d = 0; d < NZ_NDIMS; d++) {
		if (strcmp(dim[d], "*") == 0)
			continue;
		nz_buf_printf(out, ", %s=%s", nz_dims[d].name, dim[d]);
		any = 1;
	}
	nz_buf_adds(out, any ? ")" : ", all)");
}

/* ---- bounds on one cell ---- */

/* The bound a cell's own entry gives; lo > hi when no value fits. */
static void
own_box(const nz_rules *r, unsigned flags, int m,
    const nz_audit_cell *c, long *lo, long *hi)
{
	long p = c->value[m], spread = r->base - 1, t = r->threshold;

	if (c->state[m] != NZ_AUDIT_PUBLISHED) {
		*lo = 0;
		*hi = NZ_AUDIT_INF;
		if (r->kind[m] == NZ_RULE_PERSON &&
		    c->state[m] == NZ_AUDIT_PRIMARY &&
		    !(flags & NZ_AUDIT_UNBOUNDED_S)) {
			*lo = r->suppress_zero ? 0 : 1;
			*hi = t - 1;
		}
		return;
	}
	switch (r->kind[m]) {
	case NZ_RULE_PERSON:
		*lo = p - spread > t ? p - spread : t;
		*hi = p + spread;
		if (p == 0 && !r->suppress_zero && t > 0) {
			if (*lo > *hi)   /* only a raw 0 */
				*hi = 0;
			*lo = 0;
		}
		break;
	case NZ_RULE_SUM:
		*lo = p - spread > 0 ? p - spread : 0;
		*hi = p + spread;
		break;
	default:
		*lo = *hi = p;
	}
}

/* Clients with what the sum measures say of them. */
static void
clients_box(const nz_rules *r, unsigned flags, const nz_audit_cell *c,
    long *lo, long *hi)
{
	int m;

	own_box(r, flags, NZ_CLIENTS, c, lo, hi);
	for (m = 0; m < NZ_NMEASURES && r->sum_min_clients > 0; m++) {
		if (r->kind[m] != NZ_RULE_SUM)
			continue;
		if (c->state[m] == NZ_AUDIT_PUBLISHED &&
		    *lo < r->sum_min_clients)
			*lo = r->sum_min_clients;
		else if (c->state[m] == NZ_AUDIT_PRIMARY &&
		    !(flags & NZ_AUDIT_UNBOUNDED_S) &&
		    *hi > r->sum_min_clients - 1)
			*hi = r->sum_min_clients - 1;
	}
}

/* A cell's bound in measure m, with what its other measures imply. */
static void
cell_box(const nz_rules *r, unsigned flags, const nz_audit_cell *c,
    int m, long *lo, long *hi)
{
	long olo, ohi;

	if (m == NZ_CLIENTS) {
		clients_box(r, flags, c, lo, hi);
		own_box(r, flags, NZ_HOUSEHOLDS, c, &olo, &ohi);
		if (olo > *lo)
			*lo = olo;
	} else if (m == NZ_HOUSEHOLDS) {
		own_box(r, flags, m, c, lo, hi);
		clients_box(r, flags, c, &olo, &ohi);
		if (ohi < *hi)
			*hi = ohi;
	} else {
		own_box(r, flags, m, c, lo, hi);
	}
}

static void
box(const nz_audit *a, int m, size_t i, long *lo, long *hi)
{
	cell_box(&a->rules, a->flags, &a->cells[i], m, lo, hi);
}

static const char *
range(long lo, long hi)
{
	static char buf[2][48];
	static int next;
	char *out = buf[next++ % 2];

	if (lo == hi)
		snprintf(out, sizeof buf[0], "%ld", lo);
	else if (hi == NZ_AUDIT_INF)
		snprintf(out, sizeof buf[0], "%ld or more", lo);
	else
		snprintf(out, sizeof buf[0], "%ld..%ld", lo, hi);
	return out;
}

/* What the release says of one measure alone, or NULL if it can be. */
static const char *
value_error(const nz_rules *r, unsigned flags, const nz_audit_cell *c,
    int m, char *msg, size_t size)
{
	long lo, hi;

	own_box(r, flags, m, c, &lo, &hi);
	if (c->state[m] != NZ_AUDIT_PUBLISHED && lo > hi)
		snprintf(msg, size, "S is impossible: rules %s suppress no "
		    "value", nz_q(r->name));
	else if (c->state[m] != NZ_AUDIT_PUBLISHED)
		return NULL;
	else if (c->value[m] < 0 || c->value[m] > NZ_AUDIT_MAX_VALUE)
		snprintf(msg, size, "%ld is out of range (0 to %ld)",
		    c->value[m], NZ_AUDIT_MAX_VALUE);
	else if (r->kind[m] != NZ_RULE_UNRULED && c->value[m] % r->base)
		snprintf(msg, size, "%ld is not a multiple of the rounding "
		    "base %ld (rules %s)", c->value[m], r->base, nz_q(r->name));
	else if (lo > hi)
		snprintf(msg, size, "%ld is impossible: values under %ld are "
		    "suppressed, and rounding moves a value by at most %ld "
		    "(rules %s)", c->value[m], r->threshold, r->base - 1,
		    nz_q(r->name));
	else
		return NULL;
	return msg;
}

const char *
nz_audit_cell_error(const nz_rules *r, unsigned flags,
    const nz_audit_cell *c, int *measure)
{
	static char msg[256];
	long lo, hi, clo, chi, hlo, hhi;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		*measure = m;
		if (value_error(r, flags, c, m, msg, sizeof msg))
			return msg;
	}
	own_box(r, flags, NZ_HOUSEHOLDS, c, &hlo, &hhi);
	clients_box(r, flags, c, &clo, &chi);
	own_box(r, flags, NZ_CLIENTS, c, &lo, &hi);
	*measure = NZ_CLIENTS;
	if (clo > chi && hi < r->sum_min_clients)
		snprintf(msg, sizeof msg, "%s (%s) beside a published event "
		    "or unit sum: rules %s publish sums only for %ld clients "
		    "or more", c->state[NZ_CLIENTS] ? "S" : "a count",
		    range(lo, hi), nz_q(r->name), r->sum_min_clients);
	else if (clo > chi)
		snprintf(msg, sizeof msg, "%s (%s) beside an S event or unit "
		    "sum: rules %s suppress sums only under %ld clients",
		    c->state[NZ_CLIENTS] ? "S" : "a count",
		    range(lo, hi), nz_q(r->name), r->sum_min_clients);
	else if (hlo > chi)
		snprintf(msg, sizeof msg, "households (%s) outnumber clients "
		    "(%s)", range(hlo, hhi), range(clo, chi));
	else
		return NULL;
	return msg;
}

/* ---- the group's structure: cells by their codes, relations ---- */

/* Number each dimension's codes 1, 2, ... in order of appearance; 0 is
 * `*`.  codes[i * NDIMS + d] is cell i's code in d. */
static uint32_t *
intern_codes(const nz_audit *a, uint32_t ncodes[NZ_NDIMS])
{
	uint32_t *codes = nz_calloc(a->ncells * NZ_NDIMS, sizeof *codes);
	nz_strset *seen[NZ_NDIMS];
	size_t i;
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		seen[d] = nz_strset_new();
	for (i = 0; i < a->ncells; i++)
		for (d = 0; d < NZ_NDIMS; d++) {
			const char *code = a->cells[i].dim[d];
			if (strcmp(code, "*") != 0)
				codes[i * NZ_NDIMS + d] = (uint32_t)nz_strset_add(
				    seen[d], code, NULL) + 1;
		}
	for (d = 0; d < NZ_NDIMS; d++) {
		ncodes[d] = (uint32_t)nz_strset_count(seen[d]);
		nz_strset_free(seen[d]);
	}
	return codes;
}

/* the cells by their codes: a cell's key is its NDIMS code numbers */
struct cellindex {
	const uint32_t *codes;
	nz_strset *cells;         /* key -> cell */
};

static long
cell_of(const struct cellindex *ix, const uint32_t *key)
{
	return nz_strset_findn(ix->cells, (const char *)key,
	    NZ_NDIMS * sizeof *key);
}

static void
add_relation(nz_audit *a, size_t parent, unsigned dim, const size_t *kids,
    size_t n, int complete)
{
	struct relation *r;

	nz_grow(&a->rel, &a->relcap, a->nrel + 1, sizeof *a->rel);
	nz_grow(&a->child, &a->childcap, a->nchild + n, sizeof *a->child);
	r = &a->rel[a->nrel++];
	r->parent = parent;
	r->first = a->nchild;
	r->n = n;
	r->dim = (unsigned char)dim;
	r->complete = (unsigned char)complete;
	memcpy(a->child + a->nchild, kids, n * sizeof *kids);
	a->nchild += n;
}

static void
find_relations(nz_audit *a, const struct cellindex *ix,
    const uint32_t ncodes[NZ_NDIMS])
{
	uint32_t key[NZ_NDIMS], maxcodes = 0, k;
	size_t i, n, *kids;
	unsigned d;
	long at;

	for (d = 0; d < NZ_NDIMS; d++)
		if (ncodes[d] > maxcodes)
			maxcodes = ncodes[d];
	kids = nz_calloc(maxcodes + 1, sizeof *kids);
	for (i = 0; i < a->ncells; i++) {
		for (d = 0; d < NZ_NDIMS; d++) {
			memcpy(key, ix->codes + i * NZ_NDIMS, sizeof key);
			if (key[d] != 0)
				continue;
			for (n = 0, k = 1; k <= ncodes[d]; k++) {
				key[d] = k;
				if ((at = cell_of(ix, key)) >= 0)
					kids[n++] = (size_t)at;
			}
			if (n > 0)
				add_relation(a, i, d, kids, n, n == ncodes[d]);
		}
	}
	free(kids);
}

/* inc[inc_start[i] .. inc_start[i+1]): the relations cell i is in */
static void
index_incidence(nz_audit *a)
{
	size_t r, k, *fill;

	a->inc_start = nz_calloc(a->ncells + 1, sizeof *a->inc_start);
	for (r = 0; r < a->nrel; r++) {
		a->inc_start[a->rel[r].parent + 1]++;
		for (k = 0; k < a->rel[r].n; k++)
			a->inc_start[a->child[a->rel[r].first + k] + 1]++;
	}
	for (k = 0; k < a->ncells; k++)
		a->inc_start[k + 1] += a->inc_start[k];
	a->inc = nz_calloc(a->inc_start[a->ncells] + 1, sizeof *a->inc);
	fill = nz_calloc(a->ncells + 1, sizeof *fill);
	memcpy(fill, a->inc_start, a->ncells * sizeof *fill);
	for (r = 0; r < a->nrel; r++) {
		a->inc[fill[a->rel[r].parent]++] = r;
		for (k = 0; k < a->rel[r].n; k++)
			a->inc[fill[a->child[a->rel[r].first + k]]++] = r;
	}
	free(fill);
}

nz_audit *
nz_audit_new(const nz_rules *rules, nz_audit_cell *cells,
    size_t ncells, unsigned flags, size_t dup[2])
{
	nz_audit *a = nz_calloc(1, sizeof *a);
	uint32_t ncodes[NZ_NDIMS];
	struct cellindex ix;
	size_t i;
	int added;

	a->rules = *rules;
	a->cells = cells;
	a->ncells = ncells;
	a->flags = flags;
	ix.codes = intern_codes(a, ncodes);
	ix.cells = nz_strset_new();
	for (i = 0; i < ncells; i++) {
		size_t at = nz_strset_addn(ix.cells, (const char *)(ix.codes +
		    i * NZ_NDIMS), NZ_NDIMS * sizeof *ix.codes, &added);
		if (!added) {
			if (dup) {
				dup[0] = at;
				dup[1] = i;
			}
			nz_strset_free(ix.cells);
			free((void *)ix.codes);
			free(a);
			return NULL;
		}
	}
	find_relations(a, &ix, ncodes);
	index_incidence(a);
	nz_strset_free(ix.cells);
	free((void *)ix.codes);
	return a;
}

void
nz_audit_free(nz_audit *a)
{
	if (!a)
		return;
	free(a->rel);
	free(a->child);
	free(a->inc_start);
	free(a->inc);
	free(a->clients_high);
	free(a->clients_state);
	free(a);
}

size_t
nz_audit_nrelations(const nz_audit *a)
{
	return a->nrel;
}

void
nz_audit_counts(const nz_audit *a, unsigned long *lp_solves,
    unsigned long *mip_solves)
{
	*lp_solves = a->lp_solves;
	*mip_solves = a->mip_solves;
}

static enum rel_type
relation_type(const struct relation *r, int m)
{
	int additive = !nz_dims[r->dim].multi && measure_additive[m];

	if (r->complete)
		return additive ? REL_SUM : REL_TOTAL;
	return additive ? REL_SUBSUM : REL_EACH;
}

/* ---- components: cells linked through relations by non-constants ---- */

/* cells sorted by component: (root, cell) pairs */
struct pair { size_t root, cell; };

struct model {
	nz_audit *a;
	int m;
	long *lo, *hi;            /* each cell's bound */
	size_t *root;             /* union-find over the cells */
	size_t *buf, bufcap;      /* a row being built */
	int *coef;
};

static int
is_const(const struct model *md, size_t i)
{
	return md->lo[i] == md->hi[i];
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

static void solve_targets(nz_audit *a, int m, const size_t *targets,
    size_t ntargets, nz_audit_bound *out);
static size_t suppressed_cells(const nz_audit *a, int m, size_t *targets);

/* Keep the clients intervals found for the current clients states. */
static void
remember_clients(nz_audit *a, const size_t *list, size_t n,
    const nz_audit_bound *out)
{
	size_t i;

	if (!a->clients_state) {
		a->clients_state = nz_calloc(a->ncells + 1, 1);
		a->clients_high = nz_calloc(a->ncells + 1,
		    sizeof *a->clients_high);
	}
	for (i = 0; i < a->ncells; i++) {
		a->clients_state[i] = a->cells[i].state[NZ_CLIENTS];
		a->clients_high[i] = NZ_AUDIT_INF;
	}
	for (i = 0; i < n; i++)
		if (out[list[i]].status != NZ_AUDIT_INCONSISTENT)
			a->clients_high[list[i]] = out[list[i]].high;
}

/* households <= clients, also where the relations narrow an S clients:
 * cap each households by the high end of its cell's clients interval,
 * found once for each set of clients states (audit solves clients
 * first, so its intervals are at hand). */
static void
cap_by_clients(nz_audit *a, long *hi)
{
	size_t i, n, *list;
	nz_audit_bound *out;
	int stale = !a->clients_state;

	for (i = 0; i < a->ncells && !stale; i++)
		stale = a->clients_state[i] !=
		    a->cells[i].state[NZ_CLIENTS];
	if (stale) {
		list = nz_calloc(a->ncells + 1, sizeof *list);
		out = nz_calloc(a->ncells + 1, sizeof *out);
		n = suppressed_cells(a, NZ_CLIENTS, list);
		solve_targets(a, NZ_CLIENTS, list, n, out);
		remember_clients(a, list, n, out);
		free(list);
		free(out);
	}
	for (i = 0; i < a->ncells; i++)
		if (a->clients_high[i] < hi[i])
			hi[i] = a->clients_high[i];
}

/* ---- the rows of a relation ---- */

/* sum coef_k x_k (type) 0, coef +-1, type GLP_FX (= 0), GLP_LO (>= 0)
 * or GLP_UP (<= 0) */
struct row {
	const size_t *cells;
	const int *coef;
	size_t n;
	int type;
};
typedef int (*row_fn)(struct model *md, const struct row *row, void *ctx);

/* Call fn on each row of a relation, for the model's measure: sum C - P
 * = 0, >= 0 (P <= sum C) or <= 0 (sum C <= P), and C_k - P <= 0 for
 * each child.  Returns the OR of what fn returns. */
static int
each_row(struct model *md, const struct relation *rel, row_fn fn, void *ctx)
{
	static const int pair_coef[2] = {1, -1};
	const size_t *kids = md->a->child + rel->first;
	enum rel_type type = relation_type(rel, md->m);
	size_t k, pair[2];
	struct row row;
	int ret = 0;

	nz_grow(&md->buf, &md->bufcap, rel->n + 1, sizeof *md->buf);
	md->coef = nz_realloc(md->coef, md->bufcap * sizeof *md->coef);
	memcpy(md->buf, kids, rel->n * sizeof *kids);
	md->buf[rel->n] = rel->parent;
	for (k = 0; k < rel->n; k++)
		md->coef[k] = 1;
	md->coef[rel->n] = -1;
	if (type != REL_EACH) {
		row.cells = md->buf;
		row.coef = md->coef;
		row.n = rel->n + 1;
		row.type = type == REL_SUM ? GLP_FX : type == REL_TOTAL ?
		    GLP_LO : GLP_UP;
		ret |= fn(md, &row, ctx);
	}
	if (type == REL_TOTAL || type == REL_EACH) {
		row.cells = pair;
		row.coef = pair_coef;
		row.n = 2;
		row.type = GLP_UP;
		for (k = 0; k < rel->n; k++) {
			pair[0] = kids[k];
			pair[1] = rel->parent;
			ret |= fn(md, &row, ctx);
		}
	}
	return ret;
}

/* Does the row hold for any values within the bounds?  Then it tells
 * nothing and stays out of the LP. */
static int
row_implied(const struct model *md, const struct row *row)
{
	long lo, hi, minsum = 0, maxsum = 0;
	int min_inf = 0, max_inf = 0;
	size_t k;

	for (k = 0; k < row->n; k++) {
		lo = md->lo[row->cells[k]];
		hi = md->hi[row->cells[k]];
		if (row->coef[k] > 0) {
			minsum += lo;
			if (hi == NZ_AUDIT_INF)
				max_inf = 1;
			else
				maxsum += hi;
		} else {
			maxsum -= lo;
			if (hi == NZ_AUDIT_INF)
				min_inf = 1;
			else
				minsum -= hi;
		}
	}
	if (row->type == GLP_UP)
		return !max_inf && maxsum <= 0;
	if (row->type == GLP_LO)
		return !min_inf && minsum >= 0;
	return !min_inf && !max_inf && minsum == 0 && maxsum == 0;
}

/* ---- bound tightening: what each row implies for its members ---- */

#define NEG_INF (-NZ_AUDIT_INF)

/* Tighten each member's bound to what the others leave it, rounded
 * inward (true values are integers).  Returns 1 on a change. */
static int
tighten_row(struct model *md, const struct row *row, void *ctx)
{
	const size_t *cells = row->cells;
	const int *coef = row->coef;
	size_t k, n = row->n, inf_min = 0, inf_max = 0;
	long low = row->type == GLP_UP ? NEG_INF : 0;
	long high = row->type == GLP_LO ? NZ_AUDIT_INF : 0;
	long minsum = 0, maxsum = 0, kmin, kmax, b;
	int changed = 0;

	(void)ctx;

	for (k = 0; k < n; k++) {
		long lo = md->lo[cells[k]], hi = md->hi[cells[k]];
		if (lo > hi)   /* no values fit: the LP says so; stop here */
			return 0;
		if (coef[k] > 0) {
			minsum += lo;
			if (hi == NZ_AUDIT_INF)
				inf_max++;
			else
				maxsum += hi;
		} else {
			maxsum -= lo;
			if (hi == NZ_AUDIT_INF)
				inf_min++;
			else
				minsum -= hi;
		}
	}
	for (k = 0; k < n; k++) {
		long *lo = &md->lo[cells[k]], *hi = &md->hi[cells[k]];
		int kinf = *hi == NZ_AUDIT_INF;
		/* the others' least and greatest sums, if finite */
		kmin = coef[k] > 0 ? *lo : (kinf ? 0 : -*hi);
		kmax = coef[k] > 0 ? (kinf ? 0 : *hi) : -*lo;
		if (high != NZ_AUDIT_INF && inf_min == (size_t)(coef[k] < 0 &&
		    kinf)) {
			b = high - (minsum - kmin);   /* coef x_k <= b */
			if (coef[k] > 0 && b < *hi) {
				*hi = b;
				changed = 1;
			} else if (coef[k] < 0 && -b > *lo) {
				*lo = -b;
				changed = 1;
			}
		}
		if (low != NEG_INF && inf_max == (size_t)(coef[k] > 0 && kinf)) {
			b = low - (maxsum - kmax);    /* coef x_k >= b */
			if (coef[k] > 0 && b > *lo) {
				*lo = b;
				changed = 1;
			} else if (coef[k] < 0 && -b < *hi) {
				*hi = -b;
				changed = 1;
			}
		}
	}
	return changed;
}

/* Tighten every bound to what the relations imply, pass after pass. */
static void
tighten(struct model *md)
{
	size_t r;
	int changed = 1, pass;

	for (pass = 0; pass < 50 && changed; pass++) {
		changed = 0;
		for (r = 0; r < md->a->nrel; r++)
			changed |= each_row(md, &md->a->rel[r], tighten_row,
			    NULL);
	}
}

/* Link the cells a row binds together (constants link nothing). */
static int
join_row(struct model *md, const struct row *row, void *ctx)
{
	size_t k, first = SIZE_MAX;

	(void)ctx;
	if (row_implied(md, row))
		return 0;
	for (k = 0; k < row->n; k++) {
		if (is_const(md, row->cells[k]))
			continue;
		if (first == SIZE_MAX)
			first = row->cells[k];
		else
			join(md->root, first, row->cells[k]);
	}
	return 0;
}

static void
model_init(struct model *md, nz_audit *a, int m)
{
	size_t i, r;

	memset(md, 0, sizeof *md);
	md->a = a;
	md->m = m;
	md->lo = nz_calloc(a->ncells, sizeof *md->lo);
	md->hi = nz_calloc(a->ncells, sizeof *md->hi);
	md->root = nz_calloc(a->ncells, sizeof *md->root);
	for (i = 0; i < a->ncells; i++) {
		box(a, m, i, &md->lo[i], &md->hi[i]);
		md->root[i] = i;
	}
	if (m == NZ_HOUSEHOLDS)
		cap_by_clients(a, md->hi);
	tighten(md);
	for (r = 0; r < a->nrel; r++)
		each_row(md, &a->rel[r], join_row, NULL);
}

static void
model_free(struct model *md)
{
	free(md->lo);
	free(md->hi);
	free(md->root);
	free(md->buf);
	free(md->coef);
}

/* ---- one component as an LP ---- */

struct lp {
	glp_prob *prob, *mip;
	int *col;                 /* cell -> column (1-based), 0 none */
	size_t *cells;            /* column -> cell (1-based) */
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
	size_t cell;
	int col;
	long low, high;
};

/* Add a row to the LP, the constants moved to the right side. */
static int
add_row(struct model *md, const struct row *r, void *ctx)
{
	struct lp *lp = ctx;
	const size_t *cells = r->cells;
	const int *coef = r->coef;
	size_t k, n = r->n, nvar = 0;
	int type = r->type, row;
	double rhs = 0;

	if (row_implied(md, r))
		return 0;

	for (k = 0; k < n; k++) {
		if (lp->col[cells[k]])
			nvar++;
		else
			rhs -= coef[k] * (double)md->lo[cells[k]];
	}
	if (nvar == 0)
		return 0;
	row = glp_add_rows(lp->prob, 1);
	glp_set_row_bnds(lp->prob, row, type, rhs, rhs);
	lp->nrows = row;
	for (k = 0; k < n; k++) {
		if (!lp->col[cells[k]])
			continue;
		nz_grow(&lp->ia, &lp->iacap, lp->nz + 2, sizeof *lp->ia);
		nz_grow(&lp->ja, &lp->jacap, lp->nz + 2, sizeof *lp->ja);
		nz_grow(&lp->ar, &lp->nzcap, lp->nz + 2, sizeof *lp->ar);
		lp->nz++;
		lp->ia[lp->nz] = row;
		lp->ja[lp->nz] = lp->col[cells[k]];
		lp->ar[lp->nz] = coef[k];
	}
	return 0;
}

static void
set_col_bounds(glp_prob *prob, int j, long lo, long hi)
{
	if (hi == NZ_AUDIT_INF)
		glp_set_col_bnds(prob, j, GLP_LO, (double)lo, 0.0);
	else
		glp_set_col_bnds(prob, j, GLP_DB, (double)lo, (double)hi);
}

/* Columns for the members, rows for every relation touching them. */
static void
lp_build(struct lp *lp, struct model *md, const size_t *members, size_t n,
    size_t *rel_stamp, size_t stamp)
{
	const nz_audit *a = md->a;
	size_t k, q, r;

	lp->prob = glp_create_prob();
	lp->ncols = (int)n;
	lp->cells = nz_calloc(n + 1, sizeof *lp->cells);
	glp_add_cols(lp->prob, (int)n);
	for (k = 0; k < n; k++) {
		lp->col[members[k]] = (int)k + 1;
		lp->cells[k + 1] = members[k];
		if (md->lo[members[k]] > md->hi[members[k]])
			lp->infeasible = 1;
		else
			set_col_bounds(lp->prob, (int)k + 1,
			    md->lo[members[k]], md->hi[members[k]]);
	}
	for (k = 0; k < n && !lp->infeasible; k++) {
		for (q = a->inc_start[members[k]];
		    q < a->inc_start[members[k] + 1]; q++) {
			r = a->inc[q];
			if (rel_stamp[r] == stamp)
				continue;
			rel_stamp[r] = stamp;
			each_row(md, &a->rel[r], add_row, lp);
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
		lp->col[lp->cells[j]] = 0;
	if (lp->prob)
		glp_delete_prob(lp->prob);
	if (lp->mip)
		glp_delete_prob(lp->mip);
	free(lp->cells);
	free(lp->obj);
	free(lp->ia);
	free(lp->ja);
	free(lp->ar);
}

enum { SOLVED, UNBOUNDED, INFEASIBLE };

static int
lp_integral(glp_prob *prob, int ncols)
{
	int j;

	for (j = 1; j <= ncols; j++) {
		double x = glp_get_col_prim(prob, j);
		if (fabs(x - floor(x + 0.5)) > 1e-6 + 1e-12 * fabs(x))
			return 0;
	}
	return 1;
}

/* An integer point: the LP solution of prob, or its MIP solution. */
static void
note_solution(struct lp *lp, glp_prob *prob, int mip)
{
	size_t i;
	double x;
	long v;

	for (i = 0; i < lp->nseen; i++) {
		struct seen *t = &lp->seen[i];
		x = mip ? glp_mip_col_val(prob, t->col) :
		    glp_get_col_prim(prob, t->col);
		v = (long)floor(x + 0.5);
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

/* The integer optimum, when the LP vertex was fractional. */
static int
mip_optimum(nz_audit *a, struct lp *lp, double *value)
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
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;      /* shrinks it a great deal */
	parm.br_tech = GLP_BR_MFV;   /* Driebeck-Tomlin costs more than it saves */
	a->mip_solves++;
	ret = glp_intopt(lp->mip, &parm);
	if (ret == GLP_ENODFS)
		return UNBOUNDED;
	if (ret == GLP_ENOPFS ||
	    (ret == 0 && glp_mip_status(lp->mip) == GLP_NOFEAS))
		return INFEASIBLE;
	if (ret != 0 || glp_mip_status(lp->mip) != GLP_OPT)
		nz_die(NZ_EXIT_DATA, "the audit's MIP solver failed "
		    "(glpk code %d)", ret);
	note_solution(lp, lp->mip, 1);
	*value = glp_mip_obj_val(lp->mip);
	return SOLVED;
}

/* Optimise the objective: SOLVED with *value and *integral, or not. */
static int
lp_optimum(nz_audit *a, struct lp *lp, double *value, int *integral)
{
	glp_smcp parm;
	int ret, status;

	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	a->lp_solves++;
	ret = glp_simplex(lp->prob, &parm);
	if (ret != 0) {
		/* a basis gone bad: start afresh, once */
		glp_std_basis(lp->prob);
		ret = glp_simplex(lp->prob, &parm);
	}
	if (ret != 0)
		nz_die(NZ_EXIT_DATA, "the audit's LP solver failed "
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
integer_point_at(nz_audit *a, struct lp *lp, const struct seen *t, long end)
{
	int type = glp_get_col_type(lp->prob, t->col), integral = 0;
	double lb = glp_get_col_lb(lp->prob, t->col);
	double ub = glp_get_col_ub(lp->prob, t->col), v;

	if ((end == t->low || end == t->high))
		return 1;
	glp_set_col_bnds(lp->prob, t->col, GLP_FX, (double)end, (double)end);
	if (lp_optimum(a, lp, &v, &integral) != SOLVED)
		integral = 0;
	glp_set_col_bnds(lp->prob, t->col, type, lb, ub);
	return integral;
}

static void
set_status(nz_audit_bound *b)
{
	if (b->status == NZ_AUDIT_INCONSISTENT)
		return;
	b->status = b->high != NZ_AUDIT_INF && b->high - b->low < 2 ?
	    NZ_AUDIT_EXPOSED : NZ_AUDIT_OK;
}

static long
round_in(double v, int dir)
{
	return dir == GLP_MIN ? (long)ceil(v - 1e-6) : (long)floor(v + 1e-6);
}

/* One end of a target's interval, its min (GLP_MIN) or max: the LP
 * optimum rounded inward.  *exact: it is the integer one too (the vertex
 * is integral, or an integer point met so far reaches it). */
static int
lp_end(nz_audit *a, struct lp *lp, const struct seen *t, int dir,
    long *end, int *exact)
{
	int col = t->col, r, integral;
	double v;

	set_objective(lp, &col, NULL, 1, dir);
	r = lp_optimum(a, lp, &v, &integral);
	if (r == INFEASIBLE || (r == UNBOUNDED && dir == GLP_MIN)) {
		lp->infeasible = 1;
		return -1;
	}
	*end = r == UNBOUNDED ? NZ_AUDIT_INF : round_in(v, dir);
	*exact = r == UNBOUNDED || integral ||
	    *end == (dir == GLP_MIN ? t->low : t->high);
	return 0;
}

/* Around a fractional LP optimum, the best integer point that keeps
 * every column the LP made integral (a small MIP: the RINS heuristic).
 * Returns 1 with *value if there is one. */
static int
rins(nz_audit *a, struct lp *lp, double *value)
{
	glp_prob *sub = glp_create_prob();
	glp_iocp parm;
	double x;
	int j, found;

	glp_copy_prob(sub, lp->prob, GLP_OFF);
	for (j = 1; j <= lp->ncols; j++) {
		x = glp_get_col_prim(lp->prob, j);
		glp_set_col_kind(sub, j, GLP_IV);
		if (fabs(x - floor(x + 0.5)) <= 1e-6 + 1e-12 * fabs(x))
			glp_set_col_bnds(sub, j, GLP_FX, floor(x + 0.5),
			    floor(x + 0.5));
	}
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;
	parm.br_tech = GLP_BR_MFV;
	a->mip_solves++;
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
integer_end(nz_audit *a, struct lp *lp, const struct seen *t, int dir,
    long *end)
{
	int col = t->col, r, integral;
	double v;

	set_objective(lp, &col, NULL, 1, dir);
	if (lp_optimum(a, lp, &v, &integral) == SOLVED && !integral &&
	    rins(a, lp, &v) && round_in(v, dir) == *end)
		return 0;
	if (integral || integer_point_at(a, lp, t, *end))
		return 0;
	r = mip_optimum(a, lp, &v);
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

	if (t->low > md->lo[t->cell])
		ends |= 1;
	if (md->hi[t->cell] == NZ_AUDIT_INF || t->high < md->hi[t->cell])
		ends |= 2;
	return ends;
}

/* Member k of a relation: its children, then (k = n) its parent. */
static size_t
rel_member(const nz_audit *a, const struct relation *rel, size_t k)
{
	return k < rel->n ? a->child[rel->first + k] : rel->parent;
}

/* Colour the targets so that no two of a colour share a relation:
 * those of one colour do not compete for the same total, so one vertex
 * can take them all to their ends at once.  Returns the colours used. */
static unsigned
colour_targets(const nz_audit *a, const struct lp *lp, unsigned *colour)
{
	unsigned *mark = nz_calloc(lp->nseen + 2, sizeof *mark), ncolours = 0;
	long *slot = nz_calloc(a->ncells + 1, sizeof *slot);
	size_t i, j, k, q;

	for (i = 0; i < lp->nseen; i++)
		slot[lp->seen[i].cell] = (long)i + 1;
	for (i = 0; i < lp->nseen; i++) {
		size_t cell = lp->seen[i].cell;
		/* the colours of the targets sharing a relation with it */
		for (q = a->inc_start[cell]; q < a->inc_start[cell + 1]; q++) {
			const struct relation *rel = &a->rel[a->inc[q]];
			for (k = 0; k <= rel->n; k++) {
				j = (size_t)slot[rel_member(a, rel, k)];
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
broad_solves(nz_audit *a, struct lp *lp, const struct model *md)
{
	static const int dirs[2] = {GLP_MAX, GLP_MIN};
	int *cols = nz_calloc(lp->nseen + 1, sizeof *cols), n, integral, d, dir;
	unsigned *colour = nz_calloc(lp->nseen + 1, sizeof *colour), c, nc;
	double v;
	size_t i;

	for (i = 0; i < lp->nseen; i++)
		cols[i] = lp->seen[i].col;
	set_objective(lp, cols, NULL, (int)lp->nseen, GLP_MIN);
	if (lp_optimum(a, lp, &v, &integral) == INFEASIBLE)
		lp->infeasible = 1;
	nc = lp->infeasible ? 0 : colour_targets(a, lp, colour);
	for (d = 0; d < 2; d++) {
		dir = dirs[d];
		for (c = 0; c < nc; c++) {
			for (i = 0, n = 0; i < lp->nseen; i++) {
				const struct seen *t = &lp->seen[i];
				int ends = open_ends(md, t);
				if (colour[i] == c && (dir == GLP_MIN ?
				    (ends & 1) : ((ends & 2) &&
				    md->hi[t->cell] != NZ_AUDIT_INF)))
					cols[n++] = t->col;
			}
			if (n == 0)
				continue;
			set_objective(lp, cols, NULL, n, dir);
			/* a fractional vertex: the integer point nearby */
			if (lp_optimum(a, lp, &v, &integral) == SOLVED &&
			    !integral)
				rins(a, lp, &v);
		}
	}
	free(cols);
	free(colour);
}

static void
solve_component(nz_audit *a, struct lp *lp, const struct model *md,
    const struct pair *tp, size_t n, nz_audit_bound *out)
{
	size_t i;

	lp->seen = nz_calloc(n + 1, sizeof *lp->seen);
	lp->nseen = n;
	for (i = 0; i < n; i++) {
		lp->seen[i].cell = tp[i].cell;
		lp->seen[i].col = lp->col[tp[i].cell];
		lp->seen[i].low = NZ_AUDIT_INF;
		lp->seen[i].high = -1;
	}
	if (!lp->infeasible)
		broad_solves(a, lp, md);
	for (i = 0; i < n && !lp->infeasible; i++) {
		struct seen *t = &lp->seen[i];
		nz_audit_bound *b = &out[t->cell];
		int lo_exact = 1, hi_exact = 1;
		b->low = md->lo[t->cell];
		b->high = md->hi[t->cell];
		if (t->low > b->low &&
		    lp_end(a, lp, t, GLP_MIN, &b->low, &lo_exact) < 0)
			break;
		if ((b->high == NZ_AUDIT_INF || t->high < b->high) &&
		    lp_end(a, lp, t, GLP_MAX, &b->high, &hi_exact) < 0)
			break;
		/* integer points 3 apart already pass it: the LP ends may
		 * stand, unless asked for exact ones */
		if ((a->flags & NZ_AUDIT_EXACT) || (b->high != NZ_AUDIT_INF &&
		    t->high - t->low < 2)) {
			if (!lo_exact &&
			    integer_end(a, lp, t, GLP_MIN, &b->low) < 0)
				break;
			if (!hi_exact &&
			    integer_end(a, lp, t, GLP_MAX, &b->high) < 0)
				break;
		}
		b->status = NZ_AUDIT_OK;
		set_status(b);
	}
	/* one infeasible LP spoils them all */
	for (i = 0; i < n && lp->infeasible; i++)
		out[tp[i].cell].status = NZ_AUDIT_INCONSISTENT;
	free(lp->seen);
	lp->seen = NULL;
}

/* A target that is a constant, or alone with no relation. */
static void
box_bound(const struct model *md, size_t cell, nz_audit_bound *b)
{
	b->low = md->lo[cell];
	b->high = md->hi[cell];
	b->status = b->low > b->high ? NZ_AUDIT_INCONSISTENT : NZ_AUDIT_OK;
	set_status(b);
}

/* ---- solving a set of targets ---- */

static int
pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	if (a->root != b->root)
		return a->root < b->root ? -1 : 1;
	return a->cell < b->cell ? -1 : a->cell > b->cell;
}

static void
solve_targets(nz_audit *a, int m, const size_t *targets, size_t ntargets,
    nz_audit_bound *out)
{
	struct model md;
	struct pair *tp = nz_calloc(ntargets + 1, sizeof *tp);
	struct pair *cp = nz_calloc(a->ncells + 1, sizeof *cp);
	size_t *rel_stamp = nz_calloc(a->nrel + 1, sizeof *rel_stamp);
	size_t *members = nz_calloc(a->ncells + 1, sizeof *members);
	int *col = nz_calloc(a->ncells + 1, sizeof *col);
	size_t i, t, c, n, stamp = 0;

	glp_term_out(GLP_OFF);
	model_init(&md, a, m);
	for (i = 0; i < ntargets; i++) {
		tp[i].cell = targets[i];
		tp[i].root = find_root(md.root, targets[i]);
	}
	qsort(tp, ntargets, sizeof *tp, pair_cmp);
	for (i = 0; i < a->ncells; i++) {
		cp[i].cell = i;
		cp[i].root = is_const(&md, i) ? SIZE_MAX :
		    find_root(md.root, i);
	}
	qsort(cp, a->ncells, sizeof *cp, pair_cmp);
	for (t = 0, c = 0; t < ntargets; ) {
		size_t root = tp[t].root, tstart = t, tend = t;
		struct lp lp;

		while (tend < ntargets && tp[tend].root == root)
			tend++;
		if (is_const(&md, tp[t].cell)) {
			for (; t < tend; t++)
				box_bound(&md, tp[t].cell, &out[tp[t].cell]);
			continue;
		}
		while (c < a->ncells && cp[c].root < root)
			c++;
		for (n = 0; c < a->ncells && cp[c].root == root; c++)
			members[n++] = cp[c].cell;
		memset(&lp, 0, sizeof lp);
		lp.col = col;
		lp_build(&lp, &md, members, n, rel_stamp, ++stamp);
		if (lp.nrows == 0 && !lp.infeasible)
			for (i = tstart; i < tend; i++)
				box_bound(&md, tp[i].cell, &out[tp[i].cell]);
		else
			solve_component(a, &lp, &md, tp + tstart,
			    tend - tstart, out);
		t = tend;
		lp_free(&lp);
	}
	model_free(&md);
	free(tp);
	free(cp);
	free(rel_stamp);
	free(members);
	free(col);
}

static size_t
suppressed_cells(const nz_audit *a, int m, size_t *targets)
{
	size_t i, n = 0;

	for (i = 0; i < a->ncells; i++)
		if (a->cells[i].state[m] != NZ_AUDIT_PUBLISHED)
			targets[n++] = i;
	return n;
}

size_t
nz_audit_solve(nz_audit *a, int m, nz_audit_bound *out)
{
	size_t *targets = nz_calloc(a->ncells + 1, sizeof *targets);
	size_t n = suppressed_cells(a, m, targets), i, bad = 0;

	solve_targets(a, m, targets, n, out);
	for (i = 0; i < n; i++)
		bad += out[targets[i]].status != NZ_AUDIT_OK;
	if (m == NZ_CLIENTS)
		remember_clients(a, targets, n, out);
	free(targets);
	return bad;
}

/* ---- secondary suppression ---- */

#define NONE SIZE_MAX

/* How many members of relation r are S in measure m, and published. */
static size_t
rel_suppressed(const nz_audit *a, int m, size_t r, size_t *published)
{
	const struct relation *rel = &a->rel[r];
	size_t k, ns = 0;

	for (k = 0; k <= rel->n; k++)
		ns += a->cells[rel_member(a, rel, k)].state[m] !=
		    NZ_AUDIT_PUBLISHED;
	if (published)
		*published = rel->n + 1 - ns;
	return ns;
}

/* The relation holding cell with the fewest S and a published cell. */
static size_t
best_relation(const nz_audit *a, int m, size_t cell, size_t *best_s)
{
	size_t q, ns, np, best = NONE;

	*best_s = NONE;
	for (q = a->inc_start[cell]; q < a->inc_start[cell + 1]; q++) {
		ns = rel_suppressed(a, m, a->inc[q], &np);
		if (np > 0 && ns < *best_s) {
			*best_s = ns;
			best = a->inc[q];
		}
	}
	return best;
}

/* How a candidate ranks, least first: the relations it would leave
 * with a single S (a new exposure to mend), how many of its measures are
 * still published (all of them will be suppressed), its value, its
 * place. */
struct rank {
	size_t singletons;
	int published;
	long value;
	size_t cell;
};

static struct rank
candidate_rank(const nz_audit *a, int m, size_t r, size_t cell)
{
	struct rank k = {0, 0, a->cells[cell].value[m], cell};
	size_t q;
	int o;

	for (q = a->inc_start[cell]; q < a->inc_start[cell + 1]; q++)
		if (a->inc[q] != r && rel_suppressed(a, m, a->inc[q], NULL) == 0)
			k.singletons++;
	for (o = 0; o < NZ_NMEASURES; o++)
		k.published += a->cells[cell].state[o] == NZ_AUDIT_PUBLISHED;
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

static long
pick_in_relation(const nz_audit *a, int m, size_t r)
{
	const struct relation *rel = &a->rel[r];
	struct rank best = {0, 0, 0, NONE}, k;
	size_t i, j;

	for (j = 0; j <= rel->n; j++) {
		i = rel_member(a, rel, j);
		if (a->cells[i].state[m] != NZ_AUDIT_PUBLISHED)
			continue;
		k = candidate_rank(a, m, r, i);
		if (best.cell == NONE || rank_less(&k, &best))
			best = k;
	}
	return best.cell == NONE ? -1 : (long)best.cell;
}

long
nz_audit_cheapest(const nz_audit *a, int m, size_t cell)
{
	size_t ns, r = best_relation(a, m, cell, &ns);

	return r == NONE ? -1 : pick_in_relation(a, m, r);
}

/* Of the exposed cells (sorted), the relation with the fewest S; ties go
 * to the first cell.  NONE when none has a published cell left. */
static size_t
exposing_relation(const nz_audit *a, int m, const size_t *exposed, size_t n,
    size_t *best_s)
{
	size_t i, r, ns, best = NONE;

	*best_s = NONE;
	for (i = 0; i < n; i++) {
		r = best_relation(a, m, exposed[i], &ns);
		if (r != NONE && ns < *best_s) {
			best = r;
			*best_s = ns;
		}
	}
	return best;
}

static int
cell_cmp(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return a < b ? -1 : a > b;
}

/* When every relation holding an exposed cell is all S, what narrows it
 * comes along a chain of S cells to published ones.  Search outwards
 * from the exposed cells, in order, through the relations of S cells;
 * the first relation reached that still has a published cell is where
 * hiding one loosens the chain nearest the exposure.  NONE if none. */
static size_t
nearest_published_relation(const nz_audit *a, int m, const size_t *exposed,
    size_t n)
{
	size_t *queue = nz_calloc(a->ncells + 1, sizeof *queue);
	unsigned char *seen = nz_calloc(a->ncells + 1, 1);
	size_t head = 0, tail = 0, q, k, i, r, np, found = NONE;

	for (i = 0; i < n; i++)
		if (!seen[exposed[i]]) {
			seen[exposed[i]] = 1;
			queue[tail++] = exposed[i];
		}
	while (head < tail && found == NONE) {
		i = queue[head++];
		for (q = a->inc_start[i]; q < a->inc_start[i + 1]; q++) {
			r = a->inc[q];
			rel_suppressed(a, m, r, &np);
			if (np > 0) {
				found = r;
				break;
			}
			for (k = 0; k <= a->rel[r].n; k++) {
				size_t c = rel_member(a, &a->rel[r], k);
				if (!seen[c]) {
					seen[c] = 1;
					queue[tail++] = c;
				}
			}
		}
	}
	free(queue);
	free(seen);
	return found;
}

/* Mark cell secondary in every measure it is published in. */
static void
suppress_cell(nz_audit *a, size_t cell, size_t **targets, size_t *n)
{
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		if (a->cells[cell].state[m] != NZ_AUDIT_PUBLISHED)
			continue;
		a->cells[cell].state[m] = NZ_AUDIT_SECONDARY;
		targets[m][n[m]++] = cell;
	}
}

/* Solve the targets of each measure and keep the ones not OK, sorted;
 * returns 1 if any is inconsistent (setting *stuck). */
static int
keep_failing(nz_audit *a, size_t **targets, size_t *n, nz_audit_bound *out,
    size_t *stuck, int *stuck_measure)
{
	size_t i, k;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		solve_targets(a, m, targets[m], n[m], out);
		for (i = 0, k = 0; i < n[m]; i++) {
			if (out[targets[m][i]].status == NZ_AUDIT_INCONSISTENT) {
				*stuck = targets[m][i];
				*stuck_measure = m;
				return 1;
			}
			if (out[targets[m][i]].status != NZ_AUDIT_OK)
				targets[m][k++] = targets[m][i];
		}
		n[m] = k;
		qsort(targets[m], n[m], sizeof *targets[m], cell_cmp);
	}
	return 0;
}

long
nz_audit_protect(nz_audit *a, size_t *stuck, int *stuck_measure)
{
	nz_audit_bound *out = nz_calloc(a->ncells + 1, sizeof *out);
	size_t *targets[NZ_NMEASURES], n[NZ_NMEASURES];
	size_t r, ns, best_r, best_s, s_cell = 0, total;
	int m, best_m, s_m = 0;
	long added = 0, next;

	for (m = 0; m < NZ_NMEASURES; m++) {
		targets[m] = nz_calloc(a->ncells + 1, sizeof *targets[m]);
		n[m] = suppressed_cells(a, m, targets[m]);
	}
	/* cells that passed stay passed: a new S only loosens the model */
	for (;;) {
		if (keep_failing(a, targets, n, out, &s_cell, &s_m)) {
			added = -1;
			break;
		}
		best_r = best_s = NONE;
		best_m = 0;
		for (m = 0, total = 0; m < NZ_NMEASURES; m++) {
			total += n[m];
			r = exposing_relation(a, m, targets[m], n[m], &ns);
			if (r != NONE && ns < best_s) {
				best_r = r;
				best_s = ns;
				best_m = m;
			}
		}
		if (total == 0)
			break;
		for (m = 0; best_r == NONE && m < NZ_NMEASURES; m++) {
			best_r = nearest_published_relation(a, m, targets[m],
			    n[m]);
			best_m = m;
		}
		next = best_r == NONE ? -1 : pick_in_relation(a, best_m, best_r);
		if (next < 0) {
			for (m = 0; m < NZ_NMEASURES && !n[m]; m++)
				;
			s_cell = targets[m][0];
			s_m = m;
			added = -1;
			break;
		}
		suppress_cell(a, (size_t)next, targets, n);
		added++;
	}
	if (added < 0 && stuck)
		*stuck = s_cell;
	if (added < 0 && stuck_measure)
		*stuck_measure = s_m;
	for (m = 0; m < NZ_NMEASURES; m++)
		free(targets[m]);
	free(out);
	return added;
}
