/* latent.c: the latent cross-classification of linked tables.
 *
 * Three two-way tables over the dimensions a, b, y pairwise (region by
 * need, region by age band and need by age band, say) are margins of
 * one three-way table nobody publishes: z(i,j,k), the clients (events,
 * units) with code i in a, j in b and k in y.  Each published two-way
 * cell is a sum over the third dimension: T_ab(i,j) = sum_k z(i,j,k)
 * when y is single-valued (additive measures), else z(i,j,k) <= T_ab(i,j)
 * <= sum_k z(i,j,k).  A reader who writes z down learns what no pair of
 * tables says alone: a small region-by-age cell must still hold the
 * clients of that age with a need that the other regions have too few
 * of.  Two tables sharing one dimension add nothing (any two margins
 * with a common total have a table), so only such triangles count.
 * Households are left out: they are not additive, and households <=
 * clients already carries what the clients' latent table proves.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* additive over single-valued dimensions, as in model.c */
static const unsigned char latent_measure[NZ_NMEASURES] = {
	1, 0, 1, 1,
};

struct triangle {
	int dim[3];
	uint32_t n[3];
	const uint32_t *codes;
	const nz_strset *index;
	size_t base;              /* its first latent variable */
};

/* The cell with codes c_p in dim p and c_q in dim q, `*` elsewhere. */
static long
pair_cell(const struct triangle *t, int p, uint32_t cp, int q, uint32_t cq)
{
	uint32_t key[NZ_NDIMS];

	memset(key, 0, sizeof key);
	key[t->dim[p]] = cp;
	key[t->dim[q]] = cq;
	return nz_strset_findn(t->index, (const char *)key, sizeof key);
}

/* code c[0..3), 1-based, to its latent variable */
static size_t
zvar(const struct triangle *t, const uint32_t c[3])
{
	return t->base + ((size_t)(c[0] - 1) * t->n[1] + (c[1] - 1)) *
	    t->n[2] + (c[2] - 1);
}

/* Does every two-way cell of the triangle exist? */
static int
triangle_complete(const struct triangle *t)
{
	static const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
	uint32_t i, j;
	int p;

	for (p = 0; p < 3; p++)
		for (i = 1; i <= t->n[pairs[p][0]]; i++)
			for (j = 1; j <= t->n[pairs[p][1]]; j++)
				if (pair_cell(t, pairs[p][0], i, pairs[p][1],
				    j) < 0)
					return 0;
	return 1;
}

/* The rows saying that cell T (codes fixed in p and q) is the sum (or
 * the total response) over dimension r of the latent counts. */
static void
sum_rows(sdc_group *g, const struct triangle *t, int m, int p, int q,
    int r)
{
	int additive = !nz_dims[t->dim[r]].multi;
	uint32_t c[3], cp, cq, k;
	size_t cell;

	for (cp = 1; cp <= t->n[p]; cp++)
		for (cq = 1; cq <= t->n[q]; cq++) {
			cell = (size_t)pair_cell(t, p, cp, q, cq);
			c[p] = cp;
			c[q] = cq;
			sdc_row_begin(g, RK_LATENT, additive ? ROW_EQ : ROW_GE,
			    m, t->dim[r], cell);
			for (k = 1; k <= t->n[r]; k++) {
				c[r] = k;
				sdc_row_add(g, zvar(t, c), 1);
			}
			sdc_row_add(g, VAR(cell, m), -1);
			for (k = 1; k <= t->n[r] && !additive; k++) {
				c[r] = k;
				sdc_row_begin(g, RK_LATENT, ROW_LE, m,
				    t->dim[r], cell);
				sdc_row_add(g, zvar(t, c), 1);
				sdc_row_add(g, VAR(cell, m), -1);
			}
		}
}

/* The latent variables of a triangle, for labels. */
static void
add_latent(sdc_group *g, const struct triangle *t, int m)
{
	uint32_t c[3];
	size_t v;

	for (c[0] = 1; c[0] <= t->n[0]; c[0]++)
		for (c[1] = 1; c[1] <= t->n[1]; c[1]++)
			for (c[2] = 1; c[2] <= t->n[2]; c[2]++) {
				struct latent_var *z;
				v = zvar(t, c) - VAR(g->ncells, 0);
				nz_grow(&g->latent, &g->latentcap, v + 1,
				    sizeof *g->latent);
				z = &g->latent[v];
				z->measure = (unsigned char)m;
				z->dim[0] = (unsigned char)t->dim[0];
				z->dim[1] = (unsigned char)t->dim[1];
				z->dim[2] = (unsigned char)t->dim[2];
				z->ab = (size_t)pair_cell(t, 0, c[0], 1, c[1]);
				z->ay = (size_t)pair_cell(t, 0, c[0], 2, c[2]);
				g->nlatent = v + 1;
			}
}

static void
triangle_rows(sdc_group *g, struct triangle *t)
{
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		if (!latent_measure[m])
			continue;
		t->base = g->nvars;
		g->nvars += (size_t)t->n[0] * t->n[1] * t->n[2];
		add_latent(g, t, m);
		sum_rows(g, t, m, 0, 1, 2);
		sum_rows(g, t, m, 0, 2, 1);
		sum_rows(g, t, m, 1, 2, 0);
	}
}

/* The pairs of dimensions that some two-way cell codes. */
static void
find_tables(const sdc_group *g, const uint32_t *codes,
    unsigned char table[NZ_NDIMS][NZ_NDIMS])
{
	size_t i;
	int d, coded[NZ_NDIMS], n;

	memset(table, 0, NZ_NDIMS * NZ_NDIMS);
	for (i = 0; i < g->ncells; i++) {
		for (d = 0, n = 0; d < NZ_NDIMS; d++)
			if (codes[i * NZ_NDIMS + d] != 0 && n < 3)
				coded[n++] = d;
		if (n == 2)
			table[coded[0]][coded[1]] = 1;
	}
}

void
sdc_latent_rows(sdc_group *g, const uint32_t *codes, const nz_strset *index,
    const uint32_t ncodes[NZ_NDIMS])
{
	unsigned char table[NZ_NDIMS][NZ_NDIMS];
	struct triangle t;
	int a, b, y;

	if (!(g->flags & SDC_LATENT))
		return;
	find_tables(g, codes, table);
	t.codes = codes;
	t.index = index;
	for (a = 0; a < NZ_NDIMS; a++)
		for (b = a + 1; b < NZ_NDIMS; b++)
			for (y = b + 1; y < NZ_NDIMS; y++) {
				if (!table[a][b] || !table[a][y] ||
				    !table[b][y])
					continue;
				t.dim[0] = a;
				t.dim[1] = b;
				t.dim[2] = y;
				t.n[0] = ncodes[a];
				t.n[1] = ncodes[b];
				t.n[2] = ncodes[y];
				if (triangle_complete(&t))
					triangle_rows(g, &t);
			}
}

void
sdc_latent_label(const sdc_group *g, size_t v, nz_buf *out)
{
	const struct latent_var *z = &g->latent[v - VAR(g->ncells, 0)];

	nz_buf_printf(out, "%s with %s=%s, %s=%s, %s=%s (unpublished)",
	    nz_measure_names[z->measure],
	    nz_dims[z->dim[0]].name, g->cells[z->ab].dim[z->dim[0]],
	    nz_dims[z->dim[1]].name, g->cells[z->ab].dim[z->dim[1]],
	    nz_dims[z->dim[2]].name, g->cells[z->ay].dim[z->dim[2]]);
}
