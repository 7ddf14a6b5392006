/* secmask.c: the pairwise masks.  Each pair of participants shares a
 * secret from crypto_kx (the one whose name sorts first is the "client":
 * its tx key is the other's rx key).  The secret is never used as it is:
 * crypto_kdf derives from it a key bound to this round, with the
 * statement's BLAKE2b (quarter, round, kind, k, list, keys, universe,
 * included cells) as the subkey id, and the rest of that hash is the
 * XChaCha20 nonce.  So the masks of two rounds, two quarters or two
 * lists are unrelated streams: the difference of two vectors never
 * shows the difference of their counts.  The party that sorts first
 * adds the stream, the other subtracts it, mod 2^32: every mask cancels
 * in the sum over all participants, and any vector missing leaves its
 * partners' masks in the sum, which then looks uniform. */
#include <string.h>

#include "secure.h"

#define KDF_CONTEXT "nzsecagg"    /* crypto_kdf_CONTEXTBYTES (8) */

static void
pair_key(const nz_round *r, const nz_secret *s, const nz_party *other,
    unsigned char key[crypto_kdf_KEYBYTES])
{
	unsigned char rx[crypto_kx_SESSIONKEYBYTES], tx[crypto_kx_SESSIONKEYBYTES];
	int first = strcmp(s->pub.name, other->name) < 0, bad;

	bad = first ? crypto_kx_client_session_keys(rx, tx, s->pub.kx,
	    s->kx_sk, other->kx) : crypto_kx_server_session_keys(rx, tx,
	    s->pub.kx, s->kx_sk, other->kx);
	if (bad)
		nz_die(NZ_EXIT_DATA, "%s: party %s's kx key is unsafe (a weak "
		    "point): refused", r->path, other->name);
	memcpy(key, first ? tx : rx, crypto_kdf_KEYBYTES);
	sodium_memzero(rx, sizeof rx);
	sodium_memzero(tx, sizeof tx);
}

void
nz_mask_add(const nz_round *r, const nz_secret *s, uint32_t *value, size_t n)
{
	unsigned char key[crypto_kdf_KEYBYTES], sub[crypto_stream_xchacha20_KEYBYTES];
	unsigned char *stream = nz_malloc(4 * n + 1);
	uint64_t id = 0;
	size_t p, i;
	int b;

	for (b = 0; b < 8; b++)
		id |= (uint64_t)r->hash[b] << (8 * b);
	for (p = 0; p < r->nparties; p++) {
		const nz_party *other = &r->party[p];
		int first;

		if (strcmp(other->name, s->pub.name) == 0)
			continue;
		first = strcmp(s->pub.name, other->name) < 0;
		pair_key(r, s, other, key);
		if (crypto_kdf_derive_from_key(sub, sizeof sub, id, KDF_CONTEXT,
		    key) != 0)
			nz_die(NZ_EXIT_DATA, "libsodium could not derive a "
			    "mask key");
		crypto_stream_xchacha20(stream, 4 * n, r->hash + 8, sub);
		for (i = 0; i < n; i++) {
			uint32_t m = (uint32_t)stream[4 * i] |
			    (uint32_t)stream[4 * i + 1] << 8 |
			    (uint32_t)stream[4 * i + 2] << 16 |
			    (uint32_t)stream[4 * i + 3] << 24;

			value[i] = first ? value[i] + m : value[i] - m;
		}
	}
	sodium_memzero(key, sizeof key);
	sodium_memzero(sub, sizeof sub);
	sodium_memzero(stream, 4 * n);
	free(stream);
}
