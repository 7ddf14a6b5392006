/* model.c: what a reader of a release can prove about its suppressed
 * cells, as one integer model per agency and period (DESIGN §5).
 *
 * A group is one agency's cells for one period.  Its variables are the
 * true values x[m][i] of every measure m (clients c, households h, events
 * e, units u) of every cell i: integers, all in one model, so that what
 * one measure says narrows the others.  Everything below follows from
 * the counting rules (DESIGN §4) and the disclosure rules (rules.c); a
 * reader of the README can state each of it.
 *
 * Bounds on a variable, from the release itself (rules.c says what a
 * figure stands for; t threshold, b base, n20 sum_min_clients):
 *  - published p: person measure max(t, p-(b-1))..p+(b-1) (and 0 when
 *    zeros are published); sum measure max(0, p-(b-1))..p+(b-1).
 *  - S of a cell whose S are primary (enum sdc_kind): person measure
 *    0..t-1 (1..t-1 when zeros are published); sum measure 0..inf.
 *  - S of a cell hidden by secondary suppression, or that may be
 *    (SDC_EITHER): 0..inf.
 *  - the 20-client rule: sums are S exactly when the cell has fewer
 *    than n20 clients, so a published event or unit sum means c >= n20,
 *    and a primary S sum means c <= n20-1.  An S sum in a cell that is
 *    or may be secondary says nothing: the cell may have been hidden.
 *  - a secondary cell was published before it was hidden, in some
 *    measure: its clients are at least what that measure's publication
 *    meant (t for clients or households, n20 for sums): the least of
 *    these, when zeros are suppressed.
 * Which cells are secondary: suppress knows (it hid them), and audit is
 * told by --secondary-cells.  A reader of the release alone (public
 * mode, sdc_public_kinds) knows that secondary suppression hides whole
 * cells: an S beside a published measure of its cell is primary, and a
 * cell with every measure S may be either, unless the manifest records
 * no secondary suppression.
 *
 * Relations between cells: a parent P with `*` in dimension d and its
 * children C_k, the cells equal to P but for a code k in d.  The
 * relation is complete when its children hold every code of d seen in
 * the group (regions outside the agency's coverage are never seen: they
 * are the structural zeros they should be).
 *  - clients, events and units over a single-valued d (region age_band
 *    gender household housing): P = sum C_k.  A client counts in its
 *    modal value only; an event or unit in its row's own value.
 *  - over a multi-valued d (ethnicity income need service: total
 *    response), and households over any d: C_k <= P <= sum C_k.
 *    Households are not additive even over single-valued dimensions: a
 *    household whose clients fall in two age bands counts in both (the
 *    sample data has such margins in every agency).  P <= sum C_k holds
 *    as every row carries a code in every dimension.
 *  - incomplete: sum C_k <= P where additive, else C_k <= P.
 *  - outcome (issue 23) is multi-valued over its domains but, within one
 *    domain ("domain:band"), every client seen has exactly one band, and
 *    its events and units go with it: clients, events and units of a
 *    domain's bands add up to P (the code list says so, so a reader
 *    knows it), sum <= P where incomplete; besides the rows above.
 * Relations between the measures of one cell:
 *  - h <= c: a cell's households are those of its clients.
 *  - c <= e in a cell with at most one dimension coded: each client
 *    counted there has an event there (its modal value is on one of its
 *    events; a multi-valued code is there because an event carried it).
 *    With two dimensions coded it fails (a client's modal region and
 *    modal age band need not meet on one event; the samples have such
 *    cells), so it is not in the model.  A per-client dimension (the
 *    flow measures: one value on all of a client's events in the
 *    quarter) does not count here: its code holds all its clients'
 *    events.
 *  - e = c in a one-visit cell (visits band "1", nz_cell_one_visit):
 *    each client there has exactly one event, and that event carries
 *    every code the client is counted in.  suppress rounds such a
 *    cell's events with its clients' draw, so both publish the same
 *    figure and two roundings of one value never narrow it.
 * The latent cross-classification of linked tables: see latent.c.
 *
 * The interval of an S is the min and max of its variable subject to all
 * of this (solve.c).  Every S must keep at least three values.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* over a single-valued dimension, children add up to their margin */
static const unsigned char measure_additive[NZ_NMEASURES] = {
	1, 0, 1, 1,
};

/* ---- bounds on one variable ---- */

/* What publishing measure m says of its cell's clients. */
static int64_t
clients_floor_if_published(const nz_rules *r, int m)
{
	if (r->kind[m] == NZ_RULE_SUM)
		return r->sum_min_clients;
	if (r->kind[m] == NZ_RULE_PERSON && r->suppress_zero &&
	    (m == NZ_CLIENTS || m == NZ_HOUSEHOLDS))
		return r->threshold;   /* households never exceed clients */
	return 0;
}

/* A secondary cell's clients: at least the least of those. */
static int64_t
secondary_clients_floor(const nz_rules *r)
{
	int64_t floor = SDC_INF, f;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++)
		if ((f = clients_floor_if_published(r, m)) < floor)
			floor = f;
	return floor;
}

/* The bound a measure's own entry gives; lo > hi when no value fits. */
static void
own_box(const nz_rules *r, const sdc_cell *c, int m, int64_t *lo,
    int64_t *hi)
{
	int ok;

	if (!c->s[m])
		ok = nz_rules_published_range(r, m, c->value[m], lo, hi);
	else if (c->kind == SDC_PRIMARY)
		ok = nz_rules_suppressed_range(r, m, lo, hi);
	else {
		*lo = 0;
		*hi = SDC_INF;
		return;
	}
	if (ok != NZ_RANGE_OK) {
		*lo = 1;
		*hi = 0;
	}
}

/* Clients, with what the 20-client rule and a secondary cell add. */
static void
clients_box(const nz_rules *r, const sdc_cell *c, int64_t *lo,
    int64_t *hi)
{
	int64_t f;
	int m;

	own_box(r, c, NZ_CLIENTS, lo, hi);
	for (m = 0; m < NZ_NMEASURES && r->sum_min_clients > 0; m++) {
		if (r->kind[m] != NZ_RULE_SUM)
			continue;
		if (!c->s[m] && *lo < r->sum_min_clients)
			*lo = r->sum_min_clients;
		else if (c->s[m] && c->kind == SDC_PRIMARY &&
		    *hi > r->sum_min_clients - 1)
			*hi = r->sum_min_clients - 1;
	}
	if (c->kind == SDC_SECONDARY &&
	    (f = secondary_clients_floor(r)) > *lo)
		*lo = f;
}

void
sdc_box(const sdc_group *g, size_t v, int64_t *lo, int64_t *hi)
{
	const sdc_cell *c;
	int m;

	if (v >= VAR(g->ncells, 0)) {   /* latent counts */
		*lo = 0;
		*hi = SDC_INF;
		return;
	}
	c = &g->cells[VAR_CELL(v)];
	m = VAR_MEASURE(v);
	if (m == NZ_CLIENTS)
		clients_box(&g->rules, c, lo, hi);
	else
		own_box(&g->rules, c, m, lo, hi);
}

static const char *
range_text(int64_t lo, int64_t hi)
{
	static char buf[2][48];
	static int next;
	char *out = buf[next++ % 2];

	if (lo == hi)
		snprintf(out, sizeof buf[0], "%lld", (long long)lo);
	else if (hi == SDC_INF)
		snprintf(out, sizeof buf[0], "%lld or more", (long long)lo);
	else
		snprintf(out, sizeof buf[0], "%lld..%lld", (long long)lo,
		    (long long)hi);
	return out;
}

/* What the release says of one measure alone, or NULL if it can be. */
static const char *
value_error(const nz_rules *r, const sdc_cell *c, int m)
{
	static char msg[256];
	int64_t lo, hi;
	int st;

	if (c->s[m] && c->kind != SDC_PRIMARY)
		return NULL;
	if (c->s[m]) {
		st = nz_rules_suppressed_range(r, m, &lo, &hi);
		return st == NZ_RANGE_OK ? NULL : nz_rules_range_error(r, st, 0);
	}
	if (c->kind == SDC_SECONDARY) {
		snprintf(msg, sizeof msg, "%lld is published in a cell hidden "
		    "by secondary suppression", (long long)c->value[m]);
		return msg;
	}
	if (c->value[m] > SDC_MAX_VALUE) {
		snprintf(msg, sizeof msg, "%lld is out of range (0 to %ld)",
		    (long long)c->value[m], SDC_MAX_VALUE);
		return msg;
	}
	st = nz_rules_published_range(r, m, c->value[m], &lo, &hi);
	return st == NZ_RANGE_OK ? NULL :
	    nz_rules_range_error(r, st, c->value[m]);
}

const char *
sdc_cell_error(const nz_rules *r, const sdc_cell *c, int *measure)
{
	static char msg[300];
	int64_t lo, hi, clo, chi, hlo, hhi;
	const char *why;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		*measure = m;
		if ((why = value_error(r, c, m)))
			return why;
	}
	own_box(r, c, NZ_HOUSEHOLDS, &hlo, &hhi);
	clients_box(r, c, &clo, &chi);
	own_box(r, c, NZ_CLIENTS, &lo, &hi);
	*measure = NZ_CLIENTS;
	if (clo > chi && hi < r->sum_min_clients)
		snprintf(msg, sizeof msg, "%s (%s) beside a published event "
		    "or unit sum: rules %s publish sums only for %ld clients "
		    "or more", c->s[NZ_CLIENTS] ? "S" : "a count",
		    range_text(lo, hi), nz_q(r->name), r->sum_min_clients);
	else if (clo > chi)
		snprintf(msg, sizeof msg, "%s (%s) beside an S event or unit "
		    "sum: rules %s suppress sums only under %ld clients",
		    c->s[NZ_CLIENTS] ? "S" : "a count", range_text(lo, hi),
		    nz_q(r->name), r->sum_min_clients);
	else if (hlo > chi)
		snprintf(msg, sizeof msg, "households (%s) outnumber clients "
		    "(%s)", range_text(hlo, hhi), range_text(clo, chi));
	else
		return NULL;
	return msg;
}

void
sdc_public_kinds(sdc_cell *cells, size_t n, int secondary_possible)
{
	size_t i;
	int m, all_s;

	for (i = 0; i < n; i++) {
		for (m = 0, all_s = 1; m < NZ_NMEASURES; m++)
			all_s &= cells[i].s[m];
		cells[i].kind = secondary_possible && all_s ? SDC_EITHER :
		    SDC_PRIMARY;
	}
}

/* ---- the rows ---- */

static void
row_begin(sdc_group *g, int kind, int type, int m, int dim, size_t cell)
{
	struct row_info *ri;
	size_t cap = g->rowcap;

	nz_grow(&g->info, &g->rowcap, g->nrows + 1, sizeof *g->info);
	if (g->rowcap != cap)
		g->start = nz_realloc(g->start, (g->rowcap + 1) *
		    sizeof *g->start);
	ri = &g->info[g->nrows];
	ri->kind = (unsigned char)kind;
	ri->type = (unsigned char)type;
	ri->measure = (unsigned char)m;
	ri->dim = (unsigned char)dim;
	ri->cell = cell;
	g->start[g->nrows++] = g->nnz;
	g->start[g->nrows] = g->nnz;
}

void
sdc_row_add(sdc_group *g, size_t v, int coef)
{
	size_t cap = g->nzcap;

	nz_grow(&g->var, &g->nzcap, g->nnz + 1, sizeof *g->var);
	if (g->nzcap != cap || !g->coef)
		g->coef = nz_realloc(g->coef, g->nzcap * sizeof *g->coef);
	g->var[g->nnz] = v;
	g->coef[g->nnz++] = (signed char)coef;
	g->start[g->nrows] = g->nnz;
}

void
sdc_row_begin(sdc_group *g, int kind, int type, int m, int dim,
    size_t cell)
{
	row_begin(g, kind, type, m, dim, cell);
}

/* the length of the domain of an outcome code, "housing:improved" */
static size_t
domain_len(const char *code)
{
	const char *colon = strchr(code, ':');

	return colon ? (size_t)(colon - code) : strlen(code);
}

/* outcome: within each domain the bands add up to the margin */
static void
domain_rows(sdc_group *g, int m, size_t parent, int d, const size_t *kids,
    size_t n, int complete)
{
	size_t k, j, len;

	for (k = 0; k < n; k++) {
		const char *ck = g->cells[kids[k]].dim[d];
		len = domain_len(ck);
		for (j = 0; j < k; j++)   /* the domain's first band only */
			if (domain_len(g->cells[kids[j]].dim[d]) == len &&
			    strncmp(g->cells[kids[j]].dim[d], ck, len) == 0)
				break;
		if (j < k)
			continue;
		row_begin(g, RK_DOMAIN, complete ? ROW_EQ : ROW_LE, m, d,
		    parent);
		for (j = k; j < n; j++)
			if (domain_len(g->cells[kids[j]].dim[d]) == len &&
			    strncmp(g->cells[kids[j]].dim[d], ck, len) == 0)
				sdc_row_add(g, VAR(kids[j], m), 1);
		sdc_row_add(g, VAR(parent, m), -1);
	}
}

/* The rows of one relation in measure m: parent, dimension, children. */
static void
relation_rows(sdc_group *g, int m, size_t parent, int d, const size_t *kids,
    size_t n, int complete)
{
	int additive = !nz_dims[d].multi && measure_additive[m];
	size_t k;

	if (measure_additive[m] && strcmp(nz_dims[d].name, "outcome") == 0)
		domain_rows(g, m, parent, d, kids, n, complete);

	if (additive || complete) {
		row_begin(g, !complete ? RK_SUBSUM : additive ? RK_SUM :
		    RK_TOTAL, !complete ? ROW_LE : additive ? ROW_EQ : ROW_GE,
		    m, d, parent);
		for (k = 0; k < n; k++)
			sdc_row_add(g, VAR(kids[k], m), 1);
		sdc_row_add(g, VAR(parent, m), -1);
	}
	if (additive)   /* C_k <= P follows */
		return;
	for (k = 0; k < n; k++) {
		row_begin(g, RK_CHILD, ROW_LE, m, d, parent);
		sdc_row_add(g, VAR(kids[k], m), 1);
		sdc_row_add(g, VAR(parent, m), -1);
	}
}

static void
cell_rows(sdc_group *g, size_t i)
{
	int d, coded = 0;

	row_begin(g, RK_HOUSEHOLDS, ROW_LE, NZ_HOUSEHOLDS, 0, i);
	sdc_row_add(g, VAR(i, NZ_HOUSEHOLDS), 1);
	sdc_row_add(g, VAR(i, NZ_CLIENTS), -1);
	if (nz_cell_one_visit(g->cells[i].dim)) {
		row_begin(g, RK_ONE_VISIT, ROW_EQ, NZ_EVENTS, 0, i);
		sdc_row_add(g, VAR(i, NZ_CLIENTS), 1);
		sdc_row_add(g, VAR(i, NZ_EVENTS), -1);
		return;
	}
	/* a per-client code holds all of its clients' events, so it does
	 * not count against the one dimension c <= e allows */
	for (d = 0; d < NZ_NDIMS; d++)
		coded += !nz_dims[d].per_client &&
		    strcmp(g->cells[i].dim[d], "*") != 0;
	if (coded > 1)
		return;
	row_begin(g, RK_EVENTS, ROW_LE, NZ_EVENTS, 0, i);
	sdc_row_add(g, VAR(i, NZ_CLIENTS), 1);
	sdc_row_add(g, VAR(i, NZ_EVENTS), -1);
}

/* ---- the group's structure: cells by their codes, relations ---- */

/* Number each dimension's codes 1, 2, ... in order of appearance; 0 is
 * `*`.  codes[i * NDIMS + d] is cell i's code in d. */
static uint32_t *
intern_codes(const sdc_group *g, uint32_t ncodes[NZ_NDIMS])
{
	uint32_t *codes = nz_calloc(g->ncells * NZ_NDIMS + 1, sizeof *codes);
	nz_strset *seen[NZ_NDIMS];
	size_t i;
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		seen[d] = nz_strset_new();
	for (i = 0; i < g->ncells; i++)
		for (d = 0; d < NZ_NDIMS; d++) {
			const char *code = g->cells[i].dim[d];
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

/* Every relation: for each cell and each of its `*` dimensions, the
 * children present.  Then each cell's own rows. */
static void
find_relations(sdc_group *g, const uint32_t *codes, nz_strset *index,
    const uint32_t ncodes[NZ_NDIMS])
{
	uint32_t key[NZ_NDIMS], maxcodes = 0, k;
	size_t i, n, *kids;
	long at;
	int d, m;

	for (d = 0; d < NZ_NDIMS; d++)
		if (ncodes[d] > maxcodes)
			maxcodes = ncodes[d];
	kids = nz_calloc(maxcodes + 1, sizeof *kids);
	for (i = 0; i < g->ncells; i++) {
		for (d = 0; d < NZ_NDIMS; d++) {
			memcpy(key, codes + i * NZ_NDIMS, sizeof key);
			if (key[d] != 0)
				continue;
			for (n = 0, k = 1; k <= ncodes[d]; k++) {
				key[d] = k;
				at = nz_strset_findn(index, (const char *)key,
				    sizeof key);
				if (at >= 0)
					kids[n++] = (size_t)at;
			}
			if (n == 0)
				continue;
			g->nrelations++;
			for (m = 0; m < NZ_NMEASURES; m++)
				relation_rows(g, m, i, d, kids, n,
				    n == ncodes[d]);
		}
	}
	free(kids);
	for (i = 0; i < g->ncells; i++)
		cell_rows(g, i);
}

/* inc[inc_start[v] .. inc_start[v+1]): the rows holding variable v */
static void
index_incidence(sdc_group *g)
{
	size_t r, k, *fill;

	g->inc_start = nz_calloc(g->nvars + 2, sizeof *g->inc_start);
	for (k = 0; k < g->nnz; k++)
		g->inc_start[g->var[k] + 1]++;
	for (k = 0; k < g->nvars; k++)
		g->inc_start[k + 1] += g->inc_start[k];
	g->inc = nz_calloc(g->nnz + 1, sizeof *g->inc);
	fill = nz_calloc(g->nvars + 1, sizeof *fill);
	memcpy(fill, g->inc_start, g->nvars * sizeof *fill);
	for (r = 0; r < g->nrows; r++)
		for (k = g->start[r]; k < g->start[r + 1]; k++)
			g->inc[fill[g->var[k]]++] = r;
	free(fill);
}

sdc_group *
sdc_new(const nz_rules *rules, sdc_cell *cells, size_t ncells,
    unsigned flags, size_t dup[2])
{
	sdc_group *g = nz_calloc(1, sizeof *g);
	uint32_t ncodes[NZ_NDIMS], *codes;
	nz_strset *index = nz_strset_new();
	size_t i, at;
	int added;

	g->rules = *rules;
	g->cells = cells;
	g->ncells = ncells;
	g->flags = flags;
	codes = intern_codes(g, ncodes);
	for (i = 0; i < ncells; i++) {
		at = nz_strset_addn(index, (const char *)(codes + i * NZ_NDIMS),
		    NZ_NDIMS * sizeof *codes, &added);
		if (!added) {
			if (dup) {
				dup[0] = at;
				dup[1] = i;
			}
			nz_strset_free(index);
			free(codes);
			free(g);
			return NULL;
		}
	}
	g->start = nz_calloc(1, sizeof *g->start);
	g->nvars = VAR(ncells, 0);
	find_relations(g, codes, index, ncodes);
	sdc_latent_rows(g, codes, index, ncodes);
	index_incidence(g);
	nz_strset_free(index);
	g->codes = codes;   /* witness.c moves clients between them */
	memcpy(g->ncodes, ncodes, sizeof g->ncodes);
	return g;
}

void
sdc_free(sdc_group *g)
{
	if (!g)
		return;
	free(g->info);
	free(g->start);
	free(g->var);
	free(g->coef);
	free(g->inc_start);
	free(g->inc);
	free(g->latent);
	free(g->codes);
	free(g);
}

size_t
sdc_nrelations(const sdc_group *g)
{
	return g->nrelations;
}

size_t
sdc_nrows(const sdc_group *g)
{
	return g->nrows;
}

void
sdc_counts(const sdc_group *g, unsigned long *lp_solves,
    unsigned long *mip_solves)
{
	*lp_solves = g->lp_solves;
	*mip_solves = g->mip_solves;
}

/* ---- a row in words ---- */

static void
var_label(const sdc_group *g, size_t v, nz_buf *out)
{
	nz_buf label = {0};

	if (v >= VAR(g->ncells, 0)) {
		sdc_latent_label(g, v, out);
		return;
	}
	nz_cell_label(&label, NULL, NULL, g->cells[VAR_CELL(v)].dim);
	nz_buf_printf(out, "%s of %s", nz_measure_names[VAR_MEASURE(v)],
	    label.s);
	nz_buf_free(&label);
}

void
sdc_describe_row(const sdc_group *g, size_t r, const int64_t *lo,
    const int64_t *hi, nz_buf *out)
{
	static const char *const says[] = {
		[RK_SUM] = "a single-valued margin is the sum of its cells",
		[RK_TOTAL] = "a margin is at most the sum of its cells",
		[RK_SUBSUM] = "a margin is at least the sum of its cells",
		[RK_DOMAIN] = "within a domain, an outcome margin is the sum "
		    "of its bands",
		[RK_CHILD] = "a cell is at most its margin",
		[RK_HOUSEHOLDS] = "households are at most clients",
		[RK_EVENTS] = "a cell with one dimension has at least as many "
		    "events as clients",
		[RK_ONE_VISIT] = "a one-visit cell has as many events as "
		    "clients",
		[RK_LATENT] = "linked tables share one cross-classification",
	};
	const struct row_info *ri = &g->info[r];
	size_t k, shown = 0;

	nz_buf_clear(out);
	nz_buf_printf(out, "%s (", says[ri->kind]);
	if (ri->kind <= RK_CHILD)
		nz_buf_printf(out, "over %s: ", nz_dims[ri->dim].name);
	for (k = g->start[r]; k < g->start[r + 1]; k++) {
		if (shown++ == 8) {
			nz_buf_printf(out, "; and %zu more",
			    g->start[r + 1] - k);
			break;
		}
		if (k > g->start[r])
			nz_buf_adds(out, "; ");
		var_label(g, g->var[k], out);
		nz_buf_printf(out, " %s", range_text(lo[g->var[k]],
		    hi[g->var[k]]));
	}
	nz_buf_adds(out, ")");
}
