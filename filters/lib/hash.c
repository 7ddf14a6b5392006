/* hash.c: the one hash function and the one hash table of the shared layer.
 *
 * nz_strset is a set of byte strings, each with a dense index in order of
 * addition: code lists, maps, releases and the audit's cells keep their
 * data in arrays and look entries up by key through it.  Open addressing
 * with linear probing, kept at most half full.  (aggregate keeps its own
 * table of packed 16-byte client keys: it is the hot path of the chain.)
 */
#include <stdlib.h>
#include <string.h>

#include "nz.h"

uint64_t
nz_hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a, odd basis kept */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct nz_strset {
	char **keys;      /* each NUL-terminated, may hold NULs before */
	size_t *lens;
	size_t n, cap;
	size_t *slot;     /* index + 1, 0 = empty */
	size_t nslot;
};

nz_strset *
nz_strset_new(void)
{
	nz_strset *s = nz_calloc(1, sizeof *s);

	s->nslot = 16;
	s->slot = nz_calloc(s->nslot, sizeof *s->slot);
	return s;
}

static size_t
probe(const nz_strset *s, const char *key, size_t len)
{
	size_t i = nz_hash_bytes(key, len) & (s->nslot - 1), k;

	while ((k = s->slot[i]) != 0 && (s->lens[k - 1] != len ||
	    memcmp(s->keys[k - 1], key, len) != 0))
		i = (i + 1) & (s->nslot - 1);
	return i;
}

long
nz_strset_findn(const nz_strset *s, const char *key, size_t len)
{
	size_t i = probe(s, key, len);

	return s->slot[i] ? (long)(s->slot[i] - 1) : -1;
}

long
nz_strset_find(const nz_strset *s, const char *key)
{
	return nz_strset_findn(s, key, strlen(key));
}

static void
rehash(nz_strset *s)
{
	size_t k;

	free(s->slot);
	s->nslot *= 2;
	s->slot = nz_calloc(s->nslot, sizeof *s->slot);
	for (k = 0; k < s->n; k++)
		s->slot[probe(s, s->keys[k], s->lens[k])] = k + 1;
}

size_t
nz_strset_addn(nz_strset *s, const char *key, size_t len, int *added)
{
	size_t i = probe(s, key, len), cap;

	if (added)
		*added = !s->slot[i];
	if (s->slot[i])
		return s->slot[i] - 1;
	if (2 * (s->n + 1) > s->nslot) {
		rehash(s);
		i = probe(s, key, len);
	}
	if (s->n >= s->cap) {
		cap = s->cap;
		nz_grow(&s->keys, &cap, s->n + 1, sizeof *s->keys);
		s->lens = nz_realloc(s->lens, cap * sizeof *s->lens);
		s->cap = cap;
	}
	s->keys[s->n] = nz_strndup(key, len);
	s->lens[s->n] = len;
	s->slot[i] = ++s->n;
	return s->n - 1;
}

size_t
nz_strset_add(nz_strset *s, const char *key, int *added)
{
	return nz_strset_addn(s, key, strlen(key), added);
}

size_t
nz_strset_count(const nz_strset *s)
{
	return s->n;
}

const char *
nz_strset_key(const nz_strset *s, size_t i)
{
	return s->keys[i];
}

size_t
nz_strset_len(const nz_strset *s, size_t i)
{
	return s->lens[i];
}

void
nz_strset_free(nz_strset *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->lens);
	free(s->slot);
	free(s);
}
