/* cellorder.c: the cells of many releases of one period, in one order.
 *
 * Every NZCCSS output lists its cells in schema order, the order aggregate
 * writes them: dimension by dimension, left to right, '*' first and then
 * the codes in code-list order.  The order comes from the code lists, not
 * from the releases' rows, so releases whose rows were shuffled, or that
 * each lack other cells, give byte-identical output.  A code a code list
 * lacks (a release from other code lists) sorts after that list's codes,
 * bytewise.
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
	size_t at[NZ_NDIMS], len[NZ_NDIMS];
	int rank[NZ_NDIMS];   /* 0 '*', 1 + list index, or past the list */
};

struct nz_cellorder {
	const nz_schema_order *so;
	nz_strset *dims;
	struct entry *cell;
	size_t ncells, cap;
	const char **list;
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

	for (d = 0; d < NZ_NDIMS; d++) {
		len = strcspn(p, ",");
		e->at[d] = (size_t)(p - e->dims);
		e->len[d] = len;
		i = nz_codes_find(so->codes[d], p, len);
		e->rank[d] = len == 1 && *p == '*' ? 0 :
		    i >= 0 ? 1 + i : 1 + (int)so->codes[d]->n;
		p += len + (p[len] == ',');
	}
}

void
nz_cellorder_add(nz_cellorder *o, const nz_release *r, const char *period,
	const char *label)
{
	size_t i, at;
	int added;

	for (i = 0; i < r->ncells; i++) {
		if (strcmp(r->cells[i].period, period) != 0)
			continue;
		at = nz_strset_add(o->dims, r->cells[i].dims, &added);
		if (!added)
			continue;
		nz_grow(&o->cell, &o->cap, at + 1, sizeof *o->cell);
		o->cell[at].dims = nz_strset_key(o->dims, at);
		o->cell[at].seen_in = label;
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

size_t
nz_cellorder_list(nz_cellorder *o, const char ***dims, const char ***seen_in)
{
	size_t n = o->ncells, i;
	struct entry *sorted = nz_malloc((n + 1) * sizeof *sorted);

	/* a copy: o->cell stays indexed as o->dims, for later adds */
	if (n)
		memcpy(sorted, o->cell, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_entry);
	free(o->list);
	o->list = nz_malloc((2 * n + 1) * sizeof *o->list);
	for (i = 0; i < n; i++) {
		o->list[i] = sorted[i].dims;
		o->list[n + i] = sorted[i].seen_in;
	}
	free(sorted);
	*dims = o->list;
	*seen_in = o->list + n;
	return n;
}

void
nz_cellorder_free(nz_cellorder *o)
{
	if (!o)
		return;
	nz_strset_free(o->dims);
	free(o->cell);
	free(o->list);
	free(o);
}
