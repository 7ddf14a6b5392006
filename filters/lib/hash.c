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

/* The keys themselves are copied into blocks, 1 KiB at first, doubling
 * to 64 KiB (a longer key gets a block of its own), never moved, so a
 * key's address lasts as long as the set: one allocation per block
 * instead of one per key, and keys added together lie together. */
#define KEY_BLOCK 65536

struct key_block {
	struct key_block *next;
	size_t used, cap;
	char bytes[];
};

struct nz_strset {
	char **keys;      /* each NUL-terminated, may hold NULs before */
	size_t *lens;
	uint32_t *low;    /* the low 32 bits of each key's hash: with the
	                   * slot's tag, the whole hash, so a rehash hashes
	                   * no key again */
	size_t n, cap;
	uint64_t *slot;
	size_t nslot;
	struct key_block *block;   /* the newest first */
};

/* A slot holds an entry's index + 1 (0: empty) in its low 32 bits and
 * the top 32 bits of its key's hash above them: a probe passes over other
 * keys' slots without reading their keys, each a cache miss in a table of
 * a few hundred thousand cell keys (diff-quarters, merge). */
#define SLOT_INDEX(v) ((size_t)((v) & 0xFFFFFFFFu))
#define SLOT_TAG(h) ((h) >> 32)

nz_strset *
nz_strset_new(void)
{
	nz_strset *s = nz_calloc(1, sizeof *s);

	s->nslot = 16;
	s->slot = nz_calloc(s->nslot, sizeof *s->slot);
	return s;
}

/* A copy of key[0..len) and a NUL, in the set's blocks. */
static char *
key_copy(nz_strset *s, const char *key, size_t len)
{
	struct key_block *b = s->block;
	char *p;

	if (!b || b->cap - b->used < len + 1) {
		size_t cap = b && b->cap < KEY_BLOCK ? 2 * b->cap :
		    b ? KEY_BLOCK : 1024;

		if (cap < len + 1)
			cap = len + 1;

		b = nz_malloc(sizeof *b + cap);
		b->used = 0;
		b->cap = cap;
		b->next = s->block;
		s->block = b;
	}
	p = b->bytes + b->used;
	memcpy(p, key, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

/* The slot of key: holding it, or the empty one where it would go. */
static size_t
probe(const nz_strset *s, const char *key, size_t len, uint64_t h)
{
	size_t i = h & (s->nslot - 1), k;
	uint64_t v;

	while ((v = s->slot[i]) != 0) {
		k = SLOT_INDEX(v);
		if ((v >> 32) == SLOT_TAG(h) && s->lens[k - 1] == len &&
		    memcmp(s->keys[k - 1], key, len) == 0)
			break;
		i = (i + 1) & (s->nslot - 1);
	}
	return i;
}

long
nz_strset_findn(const nz_strset *s, const char *key, size_t len)
{
	size_t i = probe(s, key, len, nz_hash_bytes(key, len));

	return s->slot[i] ? (long)SLOT_INDEX(s->slot[i]) - 1 : -1;
}

long
nz_strset_find(const nz_strset *s, const char *key)
{
	return nz_strset_findn(s, key, strlen(key));
}

static void
rehash(nz_strset *s)
{
	uint64_t *old = s->slot, v, h;
	size_t k, i, nold = s->nslot;

	s->nslot *= 2;
	s->slot = nz_calloc(s->nslot, sizeof *s->slot);
	/* every key is distinct: each goes to the first empty slot */
	for (k = 0; k < nold; k++) {
		if ((v = old[k]) == 0)
			continue;
		h = (v & ~(uint64_t)0xFFFFFFFFu) | s->low[SLOT_INDEX(v) - 1];
		for (i = h & (s->nslot - 1); s->slot[i];
		    i = (i + 1) & (s->nslot - 1))
			;
		s->slot[i] = v;
	}
	free(old);
}

size_t
nz_strset_addn(nz_strset *s, const char *key, size_t len, int *added)
{
	uint64_t h = nz_hash_bytes(key, len);
	size_t i = probe(s, key, len, h), cap;

	if (added)
		*added = !s->slot[i];
	if (s->slot[i])
		return SLOT_INDEX(s->slot[i]) - 1;
	if (s->n >= 0xFFFFFFFEu)
		nz_die(NZ_EXIT_DATA, "more than 4,294,967,294 keys in one "
		    "table");
	if (2 * (s->n + 1) > s->nslot) {
		rehash(s);
		i = probe(s, key, len, h);
	}
	if (s->n >= s->cap) {
		cap = s->cap;
		nz_grow(&s->keys, &cap, s->n + 1, sizeof *s->keys);
		s->lens = nz_realloc(s->lens, cap * sizeof *s->lens);
		s->low = nz_realloc(s->low, cap * sizeof *s->low);
		s->cap = cap;
	}
	s->keys[s->n] = key_copy(s, key, len);
	s->lens[s->n] = len;
	s->low[s->n] = (uint32_t)h;
	s->slot[i] = (uint64_t)SLOT_TAG(h) << 32 | ++s->n;
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
	if (!s)
		return;
	while (s->block) {
		struct key_block *next = s->block->next;

		free(s->block);
		s->block = next;
	}
	free(s->keys);
	free(s->lens);
	free(s->low);
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
