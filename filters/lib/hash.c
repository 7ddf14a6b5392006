/* hash.c: the one hash function and the one hash table of the shared layer.
 *
 * nz_strset is a set of byte strings, each with a dense index in order of
 * addition: code lists, maps, releases and the audit's cells keep their
 * data in arrays and look entries up by key through it.  Open addressing
 * with linear probing, kept at most half full.  (aggregate keeps its own
 * table of packed 16-byte client keys: it is the hot path of the chain.)
 * nz_bag, the same table over 64-bit fingerprints with a count each, is
 * a multiset of rows: freeze matches an export's rows against frozen ones.
 */
#include <stdlib.h>
#include <string.h>

#include "nz.h"

/* Eight bytes at a time, each word multiplied in, then murmur3's final
 * mix: the keys are long (a release's cell keys are 40 to 80 bytes of
 * codes and '*'), and FNV-1a, a multiply per byte, was a third of
 * diff-quarters' time.  Only the table's slots depend on it; every
 * index, and so every output, is in order of addition. */
uint64_t
nz_hash_bytes(const char *s, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = 1469598103934665603ULL ^ (len * k), w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, s + i, len - i);
		h = (h ^ w) * k;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
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

/* ---- nz_bag: a multiset of 64-bit fingerprints ---- */

/* Each distinct fingerprint once, with its count and a tag, 16 bytes; open
 * addressing, linear probing, at most half full.  A fingerprint is stored
 * with its low bit set, so 0 marks an empty slot. */
struct bag_entry {
	uint64_t key;
	uint32_t count, tag;
};

struct nz_bag {
	struct bag_entry *slot;
	size_t nslot, n;
};

nz_bag *
nz_bag_new(void)
{
	nz_bag *b = nz_calloc(1, sizeof *b);

	b->nslot = 4096;
	b->slot = nz_calloc(b->nslot, sizeof *b->slot);
	return b;
}

static struct bag_entry *
bag_slot(const nz_bag *b, uint64_t key)
{
	size_t at = key & (b->nslot - 1);

	while (b->slot[at].key && b->slot[at].key != key)
		at = (at + 1) & (b->nslot - 1);
	return &b->slot[at];
}

void
nz_bag_add(nz_bag *b, uint64_t key, uint32_t tag)
{
	struct bag_entry *e, *old = b->slot;
	size_t i, n = b->nslot;

	key |= 1;
	e = bag_slot(b, key);
	if (e->key) {
		e->count++;
		return;
	}
	if (2 * (b->n + 1) > b->nslot) {
		b->nslot *= 2;
		b->slot = nz_calloc(b->nslot, sizeof *b->slot);
		for (i = 0; i < n; i++)
			if (old[i].key)
				*bag_slot(b, old[i].key) = old[i];
		free(old);
		e = bag_slot(b, key);
	}
	*e = (struct bag_entry){key, 1, tag};
	b->n++;
}

int
nz_bag_take(nz_bag *b, uint64_t key)
{
	struct bag_entry *e = bag_slot(b, key | 1);

	if (!e->key || !e->count)
		return 0;
	e->count--;
	return 1;
}

void
nz_bag_left(const nz_bag *b, void (*fn)(uint32_t tag, uint32_t count,
    void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < b->nslot; i++)
		if (b->slot[i].key && b->slot[i].count)
			fn(b->slot[i].tag, b->slot[i].count, ctx);
}

void
nz_bag_free(nz_bag *b)
{
	if (!b)
		return;
	free(b->slot);
	free(b);
}
