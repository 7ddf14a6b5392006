/* secuniverse.c: the cell universe of secure mode.  Every agency writes
 * its vector in this order and NZCCSS reads the sum in it, so it comes
 * from the configuration both sides hold (the table spec, the code lists
 * and the age bands), never from any agency's data: a cell an agency
 * has not got is a 0 in its vector, and which cells an agency has tells
 * nobody anything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secure.h"

static void
add_table(nz_universe *u, nz_codes *const *list, const int *dim, int nd)
{
	const char *code[NZ_NDIMS];
	size_t pos[NZ_NDIMS];
	unsigned mask;
	nz_buf cell = {0};
	int i, d, added;

	/* each subset of the table's dimensions shown (the rest margins),
	 * the full table first, then every combination of codes */
	for (mask = (1u << nd); mask-- > 0;) {
		memset(pos, 0, sizeof pos);
		for (;;) {
			for (d = 0; d < NZ_NDIMS; d++)
				code[d] = "*";
			for (i = 0; i < nd; i++)
				if (mask & (1u << i))
					code[dim[i]] = list[dim[i]]->code[pos[i]];
			nz_buf_clear(&cell);
			for (d = 0; d < NZ_NDIMS; d++)
				nz_buf_printf(&cell, "%s%s", d ? "," : "",
				    code[d]);
			nz_strset_add(u->cells, cell.s, &added);
			for (i = nd - 1; i >= 0; i--) {
				if (!(mask & (1u << i)))
					continue;
				if (++pos[i] < list[dim[i]]->n)
					break;
				pos[i] = 0;
			}
			if (i < 0)
				break;
		}
	}
	nz_buf_free(&cell);
}

static void
hash_cells(nz_universe *u)
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	size_t i;

	crypto_hash_sha256_init(&st);
	for (i = 0; i < u->n; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)
		    nz_strset_key(u->cells, i), nz_strset_len(u->cells, i));
		crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	}
	crypto_hash_sha256_final(&st, h);
	nz_hex(u->hash, h, sizeof h);
}

/* the relations of the universe (nz_universe.rel_*): for each cell and
 * each single-valued dimension it has as '*', its children by every
 * code of the list, when the universe has them all; for each cell with
 * outcome '*', each domain's bands */
static void
add_relations(nz_universe *u, nz_codes *const *list)
{
	size_t cap = 0, rcap = 0, i, c, *kid;
	int d, od = nz_dim_index("outcome");
	nz_buf name = {0};
	long at;

	kid = nz_calloc(1, sizeof *kid);
	u->rel_start = nz_calloc(1, sizeof *u->rel_start);
	for (i = 0; i < u->n; i++) {
		const char *cell = nz_strset_key(u->cells, i);
		const char *field[NZ_NDIMS];
		size_t len[NZ_NDIMS], nk;
		const char *p = cell;

		for (d = 0; d < NZ_NDIMS; d++) {
			field[d] = p;
			len[d] = strcspn(p, ",");
			p += len[d] + (p[len[d]] == ',');
		}
		for (d = 0; d < NZ_NDIMS; d++) {
			size_t from = 0, to;

			if (len[d] != 1 || field[d][0] != '*' ||
			    (nz_dims[d].multi && d != od))
				continue;
			/* one relation over d; for outcome, one per domain */
			while (from < list[d]->n) {
				to = list[d]->n;
				if (d == od) {
					const char *c0 = list[d]->code[from];
					size_t dl = strcspn(c0, ":");

					for (to = from + 1; to < list[d]->n &&
					    strncmp(list[d]->code[to], c0, dl) == 0 &&
					    list[d]->code[to][dl] == ':'; to++)
						;
				}
				nz_grow(&kid, &cap, to - from + 1, sizeof *kid);
				for (nk = 0, c = from; c < to; c++) {
					nz_buf_clear(&name);
					nz_buf_printf(&name, "%.*s%s%s", (int)(field[d]
					    - cell), cell, list[d]->code[c],
					    field[d] + 1);
					if ((at = nz_strset_find(u->cells, name.s))
					    < 0)
						break;
					kid[nk++] = (size_t)at;
				}
				from = to;
				if (c < to)
					continue;   /* not every child here */
				nz_grow(&u->rel_cell, &rcap, u->rel_start[u->nrel]
				    + nk + 1, sizeof *u->rel_cell);
				u->rel_cell[u->rel_start[u->nrel]] = i;
				memcpy(u->rel_cell + u->rel_start[u->nrel] + 1, kid,
				    nk * sizeof *kid);
				u->rel_start = nz_realloc(u->rel_start,
				    (u->nrel + 2) * sizeof *u->rel_start);
				u->rel_start[u->nrel + 1] = u->rel_start[u->nrel] +
				    nk + 1;
				u->nrel++;
			}
		}
	}
	free(kid);
	nz_buf_free(&name);
}

nz_universe *
nz_universe_load(const char *tables, const char *codes_dir, const char *bands)
{
	json_t *root = nz_json_load(tables), *arr, *t, *dims, *dv;
	nz_universe *u = nz_calloc(1, sizeof *u);
	nz_codes *list[NZ_NDIMS];
	int dim[NZ_NDIMS], nd, d;
	size_t i, j;

	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium failed to initialise");
	for (d = 0; d < NZ_NDIMS; d++)
		list[d] = nz_dims[d].codes ? nz_codes_load(codes_dir,
		    nz_dims[d].codes) : nz_bands_load(bands);
	u->cells = nz_strset_new();
	arr = json_object_get(root, "tables");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		nz_die(NZ_EXIT_DATA, "%s: \"tables\": expected a non-empty "
		    "array", tables);
	json_array_foreach(arr, i, t) {
		dims = json_object_get(t, "dims");
		nd = 0;
		if (!json_is_array(dims) || json_array_size(dims) == 0 ||
		    json_array_size(dims) > 8)
			nz_die(NZ_EXIT_DATA, "%s: table %zu: \"dims\": expected "
			    "1 to 8 dimensions", tables, i + 1);
		json_array_foreach(dims, j, dv) {
			d = json_is_string(dv) ?
			    nz_dim_index(json_string_value(dv)) : -1;
			if (d < 0)
				nz_die(NZ_EXIT_DATA, "%s: table %zu: not a "
				    "dimension: %s", tables, i + 1,
				    json_is_string(dv) ?
				    nz_q(json_string_value(dv)) : "(not a string)");
			dim[nd++] = d;
		}
		add_table(u, list, dim, nd);
	}
	u->n = nz_strset_count(u->cells);
	hash_cells(u);
	add_relations(u, list);
	for (d = 0; d < NZ_NDIMS; d++)
		nz_codes_free(list[d]);
	nz_json_free(root);
	return u;
}

void
nz_universe_free(nz_universe *u)
{
	if (!u)
		return;
	nz_strset_free(u->cells);
	free(u->rel_start);
	free(u->rel_cell);
	free(u);
}

/* The name of cell NAME's outcome domain group: NAME with the outcome
 * code cut to its domain ("financial"), in B; 0 (B unset) for a cell
 * outside any domain. */
static int
domain_group(nz_buf *b, const char *name)
{
	int od = nz_dim_index("outcome"), f;
	const char *code = name, *end, *colon;

	for (f = 0; f < od && code; f++) {
		code = strchr(code, ',');
		code = code ? code + 1 : NULL;
	}
	if (!code)
		return 0;
	end = code + strcspn(code, ",");
	colon = memchr(code, ':', (size_t)(end - code));
	if (!colon)
		return 0;
	nz_buf_clear(b);
	nz_buf_printf(b, "%.*s%s", (int)(colon - name), name, end);
	return 1;
}

/* unknown to NZCCSS: a cell with a contributor, not summed */
#define UNKNOWN(i) (contrib[i] > 0 && !included[i])

static void
close_under_subtraction(const nz_universe *u, const uint32_t *contrib,
    unsigned char *included)
{
	size_t r, j, unknown, best, *c;
	int changed = 1;

	while (changed) {
		changed = 0;
		for (r = 0; r < u->nrel; r++) {
			c = u->rel_cell + u->rel_start[r];
			for (unknown = 0, j = 0; j < u->rel_start[r + 1] -
			    u->rel_start[r]; j++)
				unknown += UNKNOWN(c[j]);
			if (unknown != 1)
				continue;
			best = SIZE_MAX;
			for (j = 1; j < u->rel_start[r + 1] - u->rel_start[r];
			    j++)
				if (included[c[j]] && (best == SIZE_MAX ||
				    contrib[c[j]] < contrib[best]))
					best = c[j];
			if (best == SIZE_MAX && included[c[0]])
				best = c[0];
			if (best == SIZE_MAX)
				continue;   /* cannot be: the rest are 0s */
			included[best] = 0;
			changed = 1;
		}
	}
}

void
nz_universe_include(const nz_universe *u, const uint32_t *contrib, long k,
    unsigned char *included)
{
	nz_strset *thin = nz_strset_new();
	nz_buf g = {0};
	size_t i;

	for (i = 0; i < u->n; i++)
		if (contrib[i] > 0 && contrib[i] < (uint32_t)k &&
		    domain_group(&g, nz_strset_key(u->cells, i)))
			nz_strset_add(thin, g.s, NULL);
	for (i = 0; i < u->n; i++)
		included[i] = contrib[i] >= (uint32_t)k &&
		    !(domain_group(&g, nz_strset_key(u->cells, i)) &&
		    nz_strset_find(thin, g.s) >= 0);
	nz_strset_free(thin);
	nz_buf_free(&g);
	close_under_subtraction(u, contrib, included);
}
