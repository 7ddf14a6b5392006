/* cellorder.c: the cells of many releases of one period, in one order.
 *
 * Every NZCCSS output lists its cells in schema order, the order aggregate
 * writes them: dimension by dimension, left to right, '*' first and then
 * the codes in code-list order.  The order comes from the code lists, not
 * from the releases' rows, so releases whose rows were shuffled, or that
 * each lack other cells, give byte-identical output.  A code a code list
 * lacks (a release from other code lists) sorts after that list's codes,
 * bytewise.
 *
 * Adding a release looks each of its cells up once, and the list keeps
 * where each release's cell is in each listed cell: merge and
 * diff-quarters then sum a cell over its releases by index, not by a
 * string lookup per cell and release (most of their time before).
 */
#include <stdlib.h>
#include <string.h>

#include "nz.h"

struct nz_schema_order {
	nz_codes *codes[NZ_NDIMS];
};

nz_schema_order *
nz_schema_order_load(const char *codes_dir, const char *bands_path)
{
	nz_schema_order *so = nz_calloc(1, sizeof *so);
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		so->codes[d] = nz_dims[d].codes ?
		    nz_codes_load(codes_dir, nz_dims[d].codes) :
		    nz_bands_load(bands_path);
	return so;
}

void
nz_schema_order_free(nz_schema_order *so)
{
	int d;

	if (!so)
		return;
	for (d = 0; d < NZ_NDIMS; d++)
		nz_codes_free(so->codes[d]);
	free(so);
}

/* one cell: where each of its codes is, and its rank in its list */
struct entry {
	const char *dims, *seen_in;
	size_t id;            /* its index in the order's set */
	size_t at[NZ_NDIMS], len[NZ_NDIMS];
	int rank[NZ_NDIMS];   /* 0 '*', 1 + list index, or past the list */
	unsigned set;         /* bit per dimension that is not '*' */
};

/* a release added, and where its cells are in the order's set */
struct added {
	const nz_release *r;
	const char *period;
	size_t first, n;      /* its hits */
};

struct hit {
	size_t id;
	const nz_rcell *cell;
};

struct nz_cellorder {
	const nz_schema_order *so;
	nz_strset *dims;
	struct entry *cell;
	size_t ncells, cap;
	struct added *added;
	size_t nadded, added_cap;
	struct hit *hit;
	size_t nhits, hit_cap;
	/* made by nz_cellorder_list */
	const char **list;
	struct entry *sorted;
	const nz_rcell **part;   /* [listed cell][release added]; NULL: none */
};

nz_cellorder *
nz_cellorder_new(const nz_schema_order *so)
{
	nz_cellorder *o = nz_calloc(1, sizeof *o);

	o->so = so;
	o->dims = nz_strset_new();
	return o;
}

static void
rank_cell(const nz_schema_order *so, struct entry *e)
{
	const char *p = e->dims;
	size_t len;
	int d, i;

	e->set = 0;
	for (d = 0; d < NZ_NDIMS; d++) {
		len = strcspn(p, ",");
		e->at[d] = (size_t)(p - e->dims);
		e->len[d] = len;
		i = nz_codes_find(so->codes[d], p, len);
		e->rank[d] = len == 1 && *p == '*' ? 0 :
		    i >= 0 ? 1 + i : 1 + (int)so->codes[d]->n;
		if (e->rank[d])
			e->set |= 1u << d;
		p += len + (p[len] == ',');
	}
}

void
nz_cellorder_add(nz_cellorder *o, const nz_release *r, const char *period,
	const char *label)
{
	struct added *a;
	const size_t *cells;
	size_t i, n = nz_release_period_cells(r, period, &cells), at;
	int added;

	nz_grow(&o->added, &o->added_cap, o->nadded + 1, sizeof *o->added);
	a = &o->added[o->nadded++];
	*a = (struct added){r, period, o->nhits, n};
	nz_grow(&o->hit, &o->hit_cap, o->nhits + n, sizeof *o->hit);
	for (i = 0; i < n; i++) {
		const nz_rcell *c = &r->cells[cells[i]];

		at = nz_strset_add(o->dims, c->dims, &added);
		o->hit[o->nhits++] = (struct hit){at, c};
		if (!added)
			continue;
		nz_grow(&o->cell, &o->cap, at + 1, sizeof *o->cell);
		o->cell[at].dims = nz_strset_key(o->dims, at);
		o->cell[at].seen_in = label;
		o->cell[at].id = at;
		rank_cell(o->so, &o->cell[at]);
		o->ncells = at + 1;
	}
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t n;
	int d, c;

	for (d = 0; d < NZ_NDIMS; d++) {
		if (x->rank[d] != y->rank[d])
			return x->rank[d] < y->rank[d] ? -1 : 1;
		if (x->rank[d] == 0 || (x->len[d] == y->len[d] &&
		    memcmp(x->dims + x->at[d], y->dims + y->at[d],
		    x->len[d]) == 0))
			continue;
		/* both codes past the list, or the same list index */
		n = x->len[d] < y->len[d] ? x->len[d] : y->len[d];
		c = memcmp(x->dims + x->at[d], y->dims + y->at[d], n);
		if (c)
			return c;
		return x->len[d] < y->len[d] ? -1 : 1;
	}
	return 0;
}

/* each release's cell in each listed cell, from the hits of the adds */
static void
fill_parts(nz_cellorder *o)
{
	size_t n = o->ncells, *pos = nz_malloc((n + 1) * sizeof *pos), i, k;
	const struct hit *h;

	for (i = 0; i < n; i++)
		pos[o->sorted[i].id] = i;
	free(o->part);
	o->part = nz_calloc(n * o->nadded + 1, sizeof *o->part);
	for (k = 0; k < o->nadded; k++)
		for (i = 0; i < o->added[k].n; i++) {
			h = &o->hit[o->added[k].first + i];
			o->part[pos[h->id] * o->nadded + k] = h->cell;
		}
	free(pos);
}

size_t
nz_cellorder_list(nz_cellorder *o, const char ***dims)
{
	size_t n = o->ncells, i;

	/* a copy: o->cell stays indexed as o->dims, for later adds */
	free(o->sorted);
	o->sorted = nz_malloc((n + 1) * sizeof *o->sorted);
	if (n)
		memcpy(o->sorted, o->cell, n * sizeof *o->sorted);
	qsort(o->sorted, n, sizeof *o->sorted, cmp_entry);
	free(o->list);
	o->list = nz_malloc((n + 1) * sizeof *o->list);
	for (i = 0; i < n; i++)
		o->list[i] = o->sorted[i].dims;
	fill_parts(o);
	*dims = o->list;
	return n;
}

enum nz_part
nz_cellorder_part(const nz_cellorder *o, size_t i, size_t k,
	const nz_rcell **cell)
{
	const struct entry *e = &o->sorted[i];
	const struct added *a = &o->added[k];

	if ((*cell = o->part[i * o->nadded + k]))
		return NZ_PART_CELL;
	if (e->set & ~a->r->dims_released)
		return NZ_PART_NONE;
	if (!nz_release_covers(a->r, e->dims, e->len[0]))
		return NZ_PART_OUTSIDE;
	nz_release_missing(a->r, a->period, e->dims, e->seen_in);
}

void
nz_cellorder_free(nz_cellorder *o)
{
	if (!o)
		return;
	nz_strset_free(o->dims);
	free(o->cell);
	free(o->added);
	free(o->hit);
	free(o->list);
	free(o->sorted);
	free(o->part);
	free(o);
}
