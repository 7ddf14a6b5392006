/* secuniverse.c: the cell universe of secure mode.  Every agency writes
 * its vector in this order and NZCCSS reads the sum in it, so it comes
 * from the configuration both sides hold (the table spec, the code lists
 * and the age bands), never from any agency's data: a cell an agency
 * has not got is a 0 in its vector, and which cells an agency has tells
 * nobody anything. */
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
	free(u);
}
