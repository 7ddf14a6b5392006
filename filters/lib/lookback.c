/* lookback.c: which quarters each client was seen in, and its first
 * (issue 16, the flow measures).
 *
 * One entry per distinct client key (32 bytes): the key, its earliest
 * quarter, and a bitset of the 64 quarters around the first one added
 * (from 32 before it), which holds every quarter of a client whose
 * quarters span less than 16 years.  A quarter outside that window goes
 * to an overflow table of (key, quarter) pairs, empty in practice.  The
 * entries sit in one array, found through a table of 4-byte indexes.
 * Memory grows with distinct clients, never with rows: aggregate keeps
 * its own state per client and quarter beside this (its target, issue 21:
 * under 150 bytes per distinct client and quarter in all).
 */
#include <string.h>

#include "nz.h"

#define LB_BEFORE 32        /* window: 32 quarters before the first added */
#define LB_BITS 64

struct lb_entry {
	uint8_t key[16];
	int32_t first;      /* the earliest quarter added */
	int32_t base;       /* the quarter of bit 0 of seen */
	uint64_t seen;
};

struct lb_pair {            /* overflow: a quarter outside the window */
	uint8_t key[16];
	int32_t q;
	uint32_t used;
};

struct nz_lookback {
	struct lb_entry *entry;
	size_t n, cap;
	uint32_t *slot;     /* entry index + 1, 0 empty */
	size_t nslot;
	struct lb_pair *pair;
	size_t npair, cap_pair;
};

static uint64_t
lb_hash(const uint8_t key[16], uint64_t q)
{
	uint64_t a, b, z;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	z = a ^ (b * 0x9e3779b97f4a7c15u) ^ (q * 0xc2b2ae3d27d4eb4fu);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* the slot of key: holding its entry, or empty */
static uint32_t *
entry_slot(const nz_lookback *lb, const uint8_t key[16])
{
	size_t at = lb_hash(key, 0) & (lb->nslot - 1);

	while (lb->slot[at] &&
	    memcmp(lb->entry[lb->slot[at] - 1].key, key, 16) != 0)
		at = (at + 1) & (lb->nslot - 1);
	return &lb->slot[at];
}

static const struct lb_entry *
entry_find(const nz_lookback *lb, const uint8_t key[16])
{
	uint32_t s;

	if (!lb->nslot)
		return NULL;
	s = *entry_slot(lb, key);
	return s ? &lb->entry[s - 1] : NULL;
}

static void
slots_grow(nz_lookback *lb)
{
	size_t i;

	free(lb->slot);
	lb->nslot = lb->nslot ? lb->nslot * 2 : 1024;
	lb->slot = nz_calloc(lb->nslot, sizeof *lb->slot);
	for (i = 0; i < lb->n; i++)
		*entry_slot(lb, lb->entry[i].key) = (uint32_t)(i + 1);
}

/* the slot of (key, q) in the overflow table, empty or matching */
static struct lb_pair *
pair_find(struct lb_pair *t, size_t cap, const uint8_t key[16], long q)
{
	size_t at = lb_hash(key, (uint64_t)q) & (cap - 1);

	while (t[at].used && (memcmp(t[at].key, key, 16) != 0 || t[at].q != q))
		at = (at + 1) & (cap - 1);
	return &t[at];
}

static void
pair_add(nz_lookback *lb, const uint8_t key[16], long q)
{
	struct lb_pair *p;

	if (2 * (lb->npair + 1) > lb->cap_pair) {
		size_t old = lb->cap_pair, i;
		size_t ncap = old ? old * 2 : 64;
		struct lb_pair *nt = nz_calloc(ncap, sizeof *nt);

		for (i = 0; i < old; i++)
			if (lb->pair[i].used)
				*pair_find(nt, ncap, lb->pair[i].key,
				    lb->pair[i].q) = lb->pair[i];
		free(lb->pair);
		lb->pair = nt;
		lb->cap_pair = ncap;
	}
	p = pair_find(lb->pair, lb->cap_pair, key, q);
	if (!p->used) {
		memcpy(p->key, key, 16);
		p->q = (int32_t)q;
		p->used = 1;
		lb->npair++;
	}
}

nz_lookback *
nz_lookback_new(void)
{
	nz_lookback *lb = nz_calloc(1, sizeof *lb);

	nz_hold(lb);
	return lb;
}

size_t
nz_lookback_add(nz_lookback *lb, const uint8_t key[16], long q)
{
	struct lb_entry *e;
	uint32_t *s;

	/* the window's arithmetic stays in range */
	if (q < INT32_MIN / 2 || q > INT32_MAX / 2)
		nz_die(NZ_EXIT_DATA, "internal error: quarter %ld", q);
	if (10 * (lb->n + 1) > 7 * lb->nslot)
		slots_grow(lb);
	s = entry_slot(lb, key);
	if (*s) {
		e = &lb->entry[*s - 1];
	} else {
		if (lb->n >= UINT32_MAX - 1)
			nz_die(NZ_EXIT_DATA, "too many clients");
		nz_grow(&lb->entry, &lb->cap, lb->n + 1, sizeof *lb->entry);
		e = &lb->entry[lb->n++];
		memcpy(e->key, key, 16);
		e->first = (int32_t)q;
		e->base = (int32_t)(q - LB_BEFORE);
		e->seen = 0;
		*s = (uint32_t)lb->n;
	}
	if (q < e->first)
		e->first = (int32_t)q;
	if (q >= e->base && q - e->base < LB_BITS)
		e->seen |= 1ull << (q - e->base);
	else
		pair_add(lb, key, q);
	return (size_t)(e - lb->entry);
}

static int
before(const nz_lookback *lb, const struct lb_entry *e,
    const uint8_t key[16], long q, int n, uint64_t *bits, long *first)
{
	int j;

	*bits = 0;
	if (!e)
		return -1;
	for (j = 1; j <= n; j++) {
		long at = q - j;
		int hit = at >= e->base && at - e->base < LB_BITS ?
		    (int)(e->seen >> (at - e->base) & 1) :
		    lb->npair && pair_find(lb->pair, lb->cap_pair, key,
		    at)->used;
		*bits |= (uint64_t)hit << (j - 1);
	}
	*first = e->first;
	return 0;
}

int
nz_lookback_before(const nz_lookback *lb, const uint8_t key[16], long q,
    int n, uint64_t *bits, long *first)
{
	return before(lb, entry_find(lb, key), key, q, n, bits, first);
}

int
nz_lookback_before_entry(const nz_lookback *lb, size_t entry,
    const uint8_t key[16], long q, int n, uint64_t *bits, long *first)
{
	if (entry >= lb->n || memcmp(lb->entry[entry].key, key, 16) != 0)
		nz_die(NZ_EXIT_DATA, "internal error: lookback entry %zu is "
		    "not the client's", entry);
	return before(lb, &lb->entry[entry], key, q, n, bits, first);
}

void
nz_lookback_prefetch_entry(const nz_lookback *lb, size_t entry)
{
	if (entry < lb->n)
		__builtin_prefetch(&lb->entry[entry]);
}

void
nz_lookback_prefetch(const nz_lookback *lb, const uint8_t key[16],
    int entry)
{
	const uint32_t *s;

	if (!lb->nslot)
		return;
	s = &lb->slot[lb_hash(key, 0) & (lb->nslot - 1)];
	if (!entry)
		__builtin_prefetch(s);
	else if (*s)
		__builtin_prefetch(&lb->entry[*s - 1]);
}

size_t
nz_lookback_clients(const nz_lookback *lb)
{
	return lb->n;
}

void
nz_lookback_free(nz_lookback *lb)
{
	if (!lb)
		return;
	free(lb->entry);
	free(lb->slot);
	free(lb->pair);
	nz_drop(lb);
	free(lb);
}
