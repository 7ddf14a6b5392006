/* lookback.c: which quarters each client was seen in, and its first
 * (issue 16, the flow measures).  Two open-addressing hash tables: the
 * distinct (client key, quarter) pairs and, per client key, the earliest
 * quarter.  Memory grows with distinct clients and quarters, never with
 * rows.
 */
#include <string.h>

#include "nz.h"

struct lb_pair {
	uint8_t key[16];
	int32_t q;          /* the quarter (nz_period index); slot used when
	                     * used != 0 */
	uint32_t used;
};

struct nz_lookback {
	struct lb_pair *pair, *first;   /* first: q = the earliest quarter */
	size_t npair, nfirst, cap_pair, cap_first;
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

/* the slot of (key, q) in t (q ignored when by_key), empty or matching */
static struct lb_pair *
lb_find(struct lb_pair *t, size_t cap, const uint8_t key[16], long q,
    int by_key)
{
	size_t at = lb_hash(key, by_key ? 0 : (uint64_t)q) & (cap - 1);

	while (t[at].used && (memcmp(t[at].key, key, 16) != 0 ||
	    (!by_key && t[at].q != q)))
		at = (at + 1) & (cap - 1);
	return &t[at];
}

static void
lb_grow(struct lb_pair **t, size_t *cap, int by_key)
{
	size_t old = *cap, i, ncap = old ? old * 2 : 1024;
	struct lb_pair *nt = nz_calloc(ncap, sizeof *nt), *was = *t;

	for (i = 0; i < old; i++)
		if (was[i].used)
			*lb_find(nt, ncap, was[i].key, was[i].q, by_key) = was[i];
	free(was);
	*t = nt;
	*cap = ncap;
}

nz_lookback *
nz_lookback_new(void)
{
	nz_lookback *lb = nz_calloc(1, sizeof *lb);

	nz_hold(lb);
	return lb;
}

void
nz_lookback_add(nz_lookback *lb, const uint8_t key[16], long q)
{
	struct lb_pair *p;

	if (q < INT32_MIN || q > INT32_MAX)
		nz_die(NZ_EXIT_DATA, "internal error: quarter %ld", q);
	if (2 * (lb->npair + 1) > lb->cap_pair)
		lb_grow(&lb->pair, &lb->cap_pair, 0);
	p = lb_find(lb->pair, lb->cap_pair, key, q, 0);
	if (!p->used) {
		memcpy(p->key, key, 16);
		p->q = (int32_t)q;
		p->used = 1;
		lb->npair++;
	}
	if (2 * (lb->nfirst + 1) > lb->cap_first)
		lb_grow(&lb->first, &lb->cap_first, 1);
	p = lb_find(lb->first, lb->cap_first, key, q, 1);
	if (!p->used) {
		memcpy(p->key, key, 16);
		p->q = (int32_t)q;
		p->used = 1;
		lb->nfirst++;
	} else if (q < p->q) {
		p->q = (int32_t)q;
	}
}

int
nz_lookback_seen(const nz_lookback *lb, const uint8_t key[16], long q)
{
	return lb->cap_pair && lb_find(lb->pair, lb->cap_pair, key, q,
	    0)->used;
}

int
nz_lookback_first(const nz_lookback *lb, const uint8_t key[16], long *q)
{
	const struct lb_pair *p;

	if (!lb->cap_first)
		return -1;
	p = lb_find(lb->first, lb->cap_first, key, 0, 1);
	if (!p->used)
		return -1;
	*q = p->q;
	return 0;
}

size_t
nz_lookback_clients(const nz_lookback *lb)
{
	return lb->nfirst;
}

void
nz_lookback_free(nz_lookback *lb)
{
	if (!lb)
		return;
	free(lb->pair);
	free(lb->first);
	nz_drop(lb);
	free(lb);
}
