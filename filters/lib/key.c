/* key.c: agency keys, keyed hashing (BLAKE2b) and sha256, via libsodium. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_LANES 1           /* short ids eight at a time (short_hash8) */
#endif

#include "nz.h"

static void
init_sodium(void)
{
	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium failed to initialise");
}

/* A secret file (an agency key, a secure-mode key pair's seed): a
 * regular file, readable by its owner only, of exactly n bytes; make
 * names the command that makes one. */
void
nz_secret_file_load(const char *path, unsigned char *buf, size_t n,
    const char *make)
{
	struct stat st;
	FILE *f;
	size_t got;
	int extra;

	init_sodium();
	f = fopen(path, "rb");
	if (!f)
		nz_die(NZ_EXIT_DATA, "key file %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0)
		nz_die(NZ_EXIT_DATA, "key file %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		nz_die(NZ_EXIT_DATA, "key file %s: not a regular file", path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		nz_die(NZ_EXIT_DATA, "key file %s: readable by group or others "
		    "(mode %03o); run: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 0777), path);
	got = fread(buf, 1, n, f);
	extra = getc(f);
	fclose(f);
	if (got != n || extra != EOF)
		nz_die(NZ_EXIT_DATA, "key file %s: must hold exactly %zu bytes "
		    "(make one with '%s')", path, n, make);
}

void
nz_key_load(const char *path, unsigned char key[NZ_KEY_BYTES])
{
	nz_secret_file_load(path, key, NZ_KEY_BYTES, "make key AGENCY=code");
}

void
nz_key_hash_hex(const unsigned char key[NZ_KEY_BYTES], const char *s,
    size_t len, char out[2 * NZ_HASH_BYTES + 1])
{
	unsigned char hash[NZ_HASH_BYTES];

	static const char hex[] = "0123456789abcdef";
	size_t i;

	crypto_generichash(hash, sizeof hash, (const unsigned char *)s, len,
	    key, NZ_KEY_BYTES);
	/* sodium_bin2hex is constant-time, at a quarter of the cost of the
	 * hash itself; the hash is public output, so a table will do */
	for (i = 0; i < NZ_HASH_BYTES; i++) {
		out[2 * i] = hex[hash[i] >> 4];
		out[2 * i + 1] = hex[hash[i] & 15];
	}
	out[2 * NZ_HASH_BYTES] = '\0';
}

/* The ids' keyed BLAKE2b-128 (RFC 7693) is computed here, not by
 * libsodium, for one reason: a keyed hash starts by compressing the key,
 * padded to a block, and that block is the same for every id of the run.
 * libsodium has no way to keep a state after that compression (its state
 * holds the key block until more data comes), so each id cost two
 * compressions; here the key block is compressed once, in nz_hasher_new,
 * and an id of up to 128 bytes costs one.  The hash is libsodium's
 * crypto_generichash, bit for bit: the unit tests compare the two for
 * every length up to four blocks and for 100,000 ids, and every run
 * compares them before it hashes an id (check_with_libsodium).
 *
 * An export names each client and household on many rows, so the hashes
 * of recent ids are kept in a direct-mapped cache of fixed size (constant
 * memory, whatever the export's length): a hit costs a short hash and a
 * compare instead of a BLAKE2b compression.  The output is the same
 * either way; ids longer than a slot holds are always hashed. */
#define CACHE_SLOTS 32768          /* a power of two: 1.8 MB in all */
#define CACHE_ID_MAX 39
#define BLOCK 128                  /* BLAKE2b's block */

struct cache_slot {
	unsigned char len;             /* 0: empty */
	char id[CACHE_ID_MAX];
	unsigned char hash[NZ_HASH_BYTES];
};

struct nz_hasher {
	unsigned char key[NZ_KEY_BYTES];
	uint64_t keyed[8];              /* the chain after the key block */
	struct cache_slot *cache;       /* CACHE_SLOTS of them */
	int lanes;                      /* short_hash8 may be used */
};

static const uint64_t blake2b_iv[8] = {
	0x6a09e667f3bcc908u, 0xbb67ae8584caa73bu, 0x3c6ef372fe94f82bu,
	0xa54ff53a5f1d36f1u, 0x510e527fade682d1u, 0x9b05688c2b3e6c1fu,
	0x1f83d9abfb41bd6bu, 0x5be0cd19137e2179u,
};

static const unsigned char blake2b_sigma[12][16] = {
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static uint64_t
load64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

#define ROTR64(x, n) ((x) >> (n) | (x) << (64 - (n)))
#define G(a, b, c, d, x, y) do { \
	a = a + b + (x); d = ROTR64(d ^ a, 32); \
	c = c + d; b = ROTR64(b ^ c, 24); \
	a = a + b + (y); d = ROTR64(d ^ a, 16); \
	c = c + d; b = ROTR64(b ^ c, 63); \
} while (0)
/* one round; g: the G function, scalar (G) or eight lanes (LG) */
#define ROUND_OF(g, r) do { \
	g(v[0], v[4], v[8], v[12], m[blake2b_sigma[r][0]], \
	    m[blake2b_sigma[r][1]]); \
	g(v[1], v[5], v[9], v[13], m[blake2b_sigma[r][2]], \
	    m[blake2b_sigma[r][3]]); \
	g(v[2], v[6], v[10], v[14], m[blake2b_sigma[r][4]], \
	    m[blake2b_sigma[r][5]]); \
	g(v[3], v[7], v[11], v[15], m[blake2b_sigma[r][6]], \
	    m[blake2b_sigma[r][7]]); \
	g(v[0], v[5], v[10], v[15], m[blake2b_sigma[r][8]], \
	    m[blake2b_sigma[r][9]]); \
	g(v[1], v[6], v[11], v[12], m[blake2b_sigma[r][10]], \
	    m[blake2b_sigma[r][11]]); \
	g(v[2], v[7], v[8], v[13], m[blake2b_sigma[r][12]], \
	    m[blake2b_sigma[r][13]]); \
	g(v[3], v[4], v[9], v[14], m[blake2b_sigma[r][14]], \
	    m[blake2b_sigma[r][15]]); \
} while (0)
#define ROUND(r) ROUND_OF(G, r)

/* BLAKE2b's compression of the message words m into the chain h; t
 * counts the bytes hashed so far, this block's too (never 2^64 here: its
 * high word is 0).  Inlined, so that where most words are known to be
 * zero (short_hash) their additions are left out. */
static inline __attribute__((always_inline)) void
compress_words(uint64_t h[8], const uint64_t m[16], uint64_t t, int last)
{
	uint64_t v[16];
	int i;

	for (i = 0; i < 8; i++) {
		v[i] = h[i];
		v[i + 8] = blake2b_iv[i];
	}
	v[12] ^= t;
	if (last)
		v[14] = ~v[14];
	/* the twelve rounds written out, so that each round's message
	 * order is constant and the words are picked without a lookup */
	ROUND(0); ROUND(1); ROUND(2); ROUND(3); ROUND(4); ROUND(5);
	ROUND(6); ROUND(7); ROUND(8); ROUND(9); ROUND(10); ROUND(11);
	for (i = 0; i < 8; i++)
		h[i] ^= v[i] ^ v[i + 8];
}

/* The compression of one block of bytes. */
static void
blake2b_compress(uint64_t h[8], const unsigned char block[BLOCK],
    uint64_t t, int last)
{
	uint64_t m[16];
	int i;

	for (i = 0; i < 16; i++)
		m[i] = load64(block + 8 * i);
	compress_words(h, m, t, last);
}

/* The last and only block after the key's of an id of 1 to 16 bytes (most
 * client and household ids): two message words, the other fourteen zero,
 * which the compiler leaves out of the rounds. */
static void
short_hash(uint64_t h[8], const unsigned char *u, size_t len)
{
	unsigned char b[16] = {0};
	uint64_t m[16] = {0};

	memcpy(b, u, len);
	m[0] = load64(b);
	m[1] = load64(b + 8);
	compress_words(h, m, BLOCK + len, 1);
	sodium_memzero(b, sizeof b);
}

/* Eight short ids at once (nz_hasher_hex_n): the rounds of
 * compress_words on eight chains side by side, each in one 64-bit lane
 * of AVX-512's registers, with its rotations.  A row of an export names a
 * client and a household, so normalise holds four rows back and hashes
 * their ids together, at about a third of the cost of one at a time.
 * The message words past the two an id fills are zero, and the compiler
 * leaves their additions out, as in short_hash.  m0, m1: each id's two
 * words; t: its byte count; out0, out1: the first two words of each
 * chain after, which are the hash. */
#ifdef HAVE_LANES
#define LANES 8
#define LROUND(r) ROUND_OF(LG, r)
#define LG(a, b, c, d, x, y) do { \
	a = _mm512_add_epi64(_mm512_add_epi64(a, b), x); \
	d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 32); \
	c = _mm512_add_epi64(c, d); \
	b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 24); \
	a = _mm512_add_epi64(_mm512_add_epi64(a, b), y); \
	d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 16); \
	c = _mm512_add_epi64(c, d); \
	b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 63); \
} while (0)

__attribute__((target("avx512f"))) static void
short_hash8(const uint64_t keyed[8], const uint64_t m0[LANES],
    const uint64_t m1[LANES], const uint64_t t[LANES], uint64_t out0[LANES],
    uint64_t out1[LANES])
{
	__m512i v[16], m[16];
	int i;

	for (i = 2; i < 16; i++)
		m[i] = _mm512_setzero_si512();
	m[0] = _mm512_loadu_si512(m0);
	m[1] = _mm512_loadu_si512(m1);
	for (i = 0; i < 8; i++) {
		v[i] = _mm512_set1_epi64((long long)keyed[i]);
		v[i + 8] = _mm512_set1_epi64((long long)blake2b_iv[i]);
	}
	v[12] = _mm512_xor_si512(v[12], _mm512_loadu_si512(t));
	v[14] = _mm512_xor_si512(v[14], _mm512_set1_epi64(-1));
	LROUND(0); LROUND(1); LROUND(2); LROUND(3); LROUND(4); LROUND(5);
	LROUND(6); LROUND(7); LROUND(8); LROUND(9); LROUND(10); LROUND(11);
	_mm512_storeu_si512(out0, _mm512_xor_si512(v[0], _mm512_xor_si512(
	    v[8], _mm512_set1_epi64((long long)keyed[0]))));
	_mm512_storeu_si512(out1, _mm512_xor_si512(v[1], _mm512_xor_si512(
	    v[9], _mm512_set1_epi64((long long)keyed[1]))));
}
#undef LG
#undef LROUND

/* The keyed hashes of ids s[which[k]] (1 to 16 bytes each, k < n <=
 * LANES) into hash[which[k]]; the lanes left over hash the first id
 * again. */
static void
lanes_hash(const nz_hasher *h, const char *const *s, const size_t *len,
    const size_t *which, size_t n, unsigned char (*hash)[NZ_HASH_BYTES])
{
	uint64_t m0[LANES], m1[LANES], t[LANES], out0[LANES], out1[LANES];
	unsigned char b[16];
	size_t k, i, id;

	for (k = 0; k < LANES; k++) {
		id = which[k < n ? k : 0];
		memset(b, 0, sizeof b);
		memcpy(b, s[id], len[id]);
		m0[k] = load64(b);
		m1[k] = load64(b + 8);
		t[k] = BLOCK + len[id];
	}
	short_hash8(h->keyed, m0, m1, t, out0, out1);
	for (k = 0; k < n; k++)
		for (i = 0; i < 8; i++) {
			hash[which[k]][i] = (unsigned char)(out0[k] >> 8 * i);
			hash[which[k]][8 + i] = (unsigned char)(out1[k] >> 8 * i);
		}
	sodium_memzero(b, sizeof b);
	sodium_memzero(m0, sizeof m0);
	sodium_memzero(m1, sizeof m1);
	sodium_memzero(out0, sizeof out0);
	sodium_memzero(out1, sizeof out1);
}
#endif

/* The chain before anything is hashed, and the key block, padded with
 * zeros; the parameter block: digest length, key length, fanout 1, depth 1 */
static void
blake2b_start(const nz_hasher *h, uint64_t chain[8],
    unsigned char block[BLOCK])
{
	memcpy(chain, blake2b_iv, sizeof blake2b_iv);
	chain[0] ^= 0x01010000u ^ (uint64_t)NZ_KEY_BYTES << 8 ^ NZ_HASH_BYTES;
	memset(block, 0, BLOCK);
	memcpy(block, h->key, NZ_KEY_BYTES);
}

static void check_with_libsodium(const nz_hasher *h);

nz_hasher *
nz_hasher_new(const unsigned char key[NZ_KEY_BYTES])
{
	nz_hasher *h = nz_calloc(1, sizeof *h);
	unsigned char block[BLOCK];

	init_sodium();
	memcpy(h->key, key, NZ_KEY_BYTES);
	blake2b_start(h, h->keyed, block);
	blake2b_compress(h->keyed, block, BLOCK, 0);
	sodium_memzero(block, sizeof block);
	h->cache = nz_calloc(CACHE_SLOTS, sizeof *h->cache);
#ifdef HAVE_LANES
	/* NZ_HASH_NO_LANES: one id at a time, to test that way here too */
	h->lanes = __builtin_cpu_supports("avx512f") &&
	    !getenv("NZ_HASH_NO_LANES");
#endif
	check_with_libsodium(h);
	return h;
}

/* the cache slot of an id: FNV-1a, only to spread ids over the slots */
static struct cache_slot *
cache_slot(const nz_hasher *h, const char *s, size_t len)
{
	uint64_t x = 14695981039346656037u;
	size_t i;

	for (i = 0; i < len; i++)
		x = (x ^ (unsigned char)s[i]) * 1099511628211u;
	return &h->cache[(x ^ x >> 29) & (CACHE_SLOTS - 1)];
}

/* The slot is mostly in main memory, not in the processor's caches: ids
 * come in no order and the export streams through those caches.  Fetched
 * ahead, its wait overlaps the rest of a row's work. */
void
nz_hasher_prefetch(const nz_hasher *h, const char *s, size_t len)
{
	const struct cache_slot *slot;

	if (len == 0 || len > CACHE_ID_MAX)
		return;
	slot = cache_slot(h, s, len);
	__builtin_prefetch(slot);   /* a slot may span two cache lines */
	__builtin_prefetch((const char *)(slot + 1) - 1);
}

/* The keyed hash of s: the blocks of s after the key block, the last
 * (padded with zeros) marked so.  An empty s has no block of its own, and
 * the key block is the last. */
static void
keyed_hash(const nz_hasher *h, const char *s, size_t len,
    unsigned char hash[NZ_HASH_BYTES])
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char block[BLOCK];
	uint64_t chain[8], t = BLOCK;
	size_t i;

	if (len == 0) {
		blake2b_start(h, chain, block);
		blake2b_compress(chain, block, BLOCK, 1);
		sodium_memzero(block, sizeof block);
	} else if (len <= 16) {
		memcpy(chain, h->keyed, sizeof chain);
		short_hash(chain, u, len);
	} else {
		memcpy(chain, h->keyed, sizeof chain);
		for (; len > BLOCK; u += BLOCK, len -= BLOCK) {
			t += BLOCK;
			blake2b_compress(chain, u, t, 0);
		}
		memset(block, 0, sizeof block);
		memcpy(block, u, len);
		blake2b_compress(chain, block, t + len, 1);
		sodium_memzero(block, sizeof block);
	}
	for (i = 0; i < NZ_HASH_BYTES; i++)   /* the chain's words, LE */
		hash[i] = (unsigned char)(chain[i / 8] >> 8 * (i % 8));
	sodium_memzero(chain, sizeof chain);
}

/* libsodium stays the reference: every run first hashes ids of the
 * lengths that take each path of keyed_hash (none, 16 bytes at most,
 * part of a block, a whole one, more than one) both ways, under its own
 * key, and stops if they differ, before any id is written: a client's
 * key must never change from one quarter to the next. */
static void
check_with_libsodium(const nz_hasher *h)
{
	static const size_t lens[] = {0, 1, 16, 17, 24, 127, 128, 129, 256,
	    300};
	unsigned char ours[NZ_HASH_BYTES], theirs[NZ_HASH_BYTES];
	char id[300];
	size_t i, k;

	for (i = 0; i < sizeof id; i++)
		id[i] = (char)('0' + i % 75);
	for (k = 0; k < sizeof lens / sizeof *lens; k++) {
		keyed_hash(h, id, lens[k], ours);
		crypto_generichash(theirs, sizeof theirs,
		    (const unsigned char *)id, lens[k], h->key, NZ_KEY_BYTES);
		if (memcmp(ours, theirs, sizeof ours) != 0)
			nz_die(NZ_EXIT_DATA, "the keyed hash of a %zu-byte id "
			    "differs from libsodium's: this build of the "
			    "program is wrong, and no id is written", lens[k]);
	}
#ifdef HAVE_LANES
	if (h->lanes) {   /* and eight at a time, ids of 1 to 16 bytes */
		const char *ids[LANES];
		size_t idlen[LANES], which[LANES];
		unsigned char lane[LANES][NZ_HASH_BYTES];

		for (k = 0; k < 16; k += LANES) {
			for (i = 0; i < LANES; i++) {
				ids[i] = id + 7 * i + k;
				idlen[i] = 1 + i + k;
				which[i] = i;
			}
			lanes_hash(h, ids, idlen, which, LANES, lane);
			for (i = 0; i < LANES; i++) {
				crypto_generichash(theirs, sizeof theirs,
				    (const unsigned char *)ids[i], idlen[i],
				    h->key, NZ_KEY_BYTES);
				if (memcmp(lane[i], theirs, sizeof theirs) != 0)
					nz_die(NZ_EXIT_DATA, "the keyed hash "
					    "of a %zu-byte id, eight at a time, "
					    "differs from libsodium's: this "
					    "build of the program is wrong, "
					    "and no id is written", idlen[i]);
			}
		}
		sodium_memzero(lane, sizeof lane);
	}
#endif
}

static void
to_hex(const unsigned char hash[NZ_HASH_BYTES],
    char out[2 * NZ_HASH_BYTES + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < NZ_HASH_BYTES; i++) {
		out[2 * i] = hex[hash[i] >> 4];
		out[2 * i + 1] = hex[hash[i] & 15];
	}
	out[2 * NZ_HASH_BYTES] = '\0';
}

/* The id's cache slot when it has one, and whether it holds the id. */
static struct cache_slot *
cached(const nz_hasher *h, const char *s, size_t len, int *hit)
{
	struct cache_slot *slot;

	*hit = 0;
	if (len == 0 || len > CACHE_ID_MAX)
		return NULL;
	slot = cache_slot(h, s, len);
	*hit = slot->len == len && memcmp(slot->id, s, len) == 0;
	return slot;
}

static void
cache_put(struct cache_slot *slot, const char *s, size_t len,
    const unsigned char hash[NZ_HASH_BYTES])
{
	slot->len = (unsigned char)len;
	memcpy(slot->id, s, len);
	memcpy(slot->hash, hash, NZ_HASH_BYTES);
}

void
nz_hasher_hex(const nz_hasher *h, const char *s, size_t len,
    char out[2 * NZ_HASH_BYTES + 1])
{
	unsigned char hash[NZ_HASH_BYTES];
	struct cache_slot *slot;
	int hit;

	slot = cached(h, s, len, &hit);
	if (hit) {
		to_hex(slot->hash, out);
		return;
	}
	keyed_hash(h, s, len, hash);
	if (slot)
		cache_put(slot, s, len, hash);
	to_hex(hash, out);
}

/* Each id is looked up in the cache, as by nz_hasher_hex, before any of
 * them is hashed or kept, and a hit's hash copied at once (a later id of
 * the batch may take its slot): the hashes are those of one id at a
 * time; only a hit may become a miss. */
void
nz_hasher_hex_n(const nz_hasher *h, const char *const *s, const size_t *len,
    size_t n, char (*out)[2 * NZ_HASH_BYTES + 1])
{
	unsigned char hash[NZ_HASH_BATCH][NZ_HASH_BYTES];
	struct cache_slot *slot[NZ_HASH_BATCH];
	size_t i, which[NZ_HASH_BATCH], nlanes = 0;
	int hit[NZ_HASH_BATCH];

	if (n > NZ_HASH_BATCH)
		nz_die(NZ_EXIT_DATA, "internal error: %zu ids in a batch", n);
	for (i = 0; i < n; i++) {
		slot[i] = cached(h, s[i], len[i], &hit[i]);
		if (hit[i]) {   /* an id after it may take its slot */
			memcpy(hash[i], slot[i]->hash, NZ_HASH_BYTES);
			continue;
		}
#ifdef HAVE_LANES
		if (h->lanes && len[i] >= 1 && len[i] <= 16) {
			which[nlanes++] = i;
			continue;
		}
#endif
		keyed_hash(h, s[i], len[i], hash[i]);
	}
#ifdef HAVE_LANES
	/* a few alone cost less than eight lanes */
	if (nlanes >= 3)
		lanes_hash(h, s, len, which, nlanes, hash);
	else
#endif
		for (i = 0; i < nlanes; i++)
			keyed_hash(h, s[which[i]], len[which[i]],
			    hash[which[i]]);
	for (i = 0; i < n; i++) {
		if (!hit[i] && slot[i])
			cache_put(slot[i], s[i], len[i], hash[i]);
		to_hex(hash[i], out[i]);
	}
	sodium_memzero(hash, sizeof hash);
}

void
nz_hasher_free(nz_hasher *h)
{
	if (!h)
		return;
	/* the cache holds ids and their keyed hashes: wipe it too */
	sodium_memzero(h->cache, CACHE_SLOTS * sizeof *h->cache);
	free(h->cache);
	sodium_memzero(h, sizeof *h);   /* the key, and the chain after it */
	free(h);
}

void
nz_key_fingerprint(const unsigned char key[NZ_KEY_BYTES],
    char out[NZ_FINGERPRINT_HEX + 1])
{
	unsigned char sub[NZ_FINGERPRINT_HEX / 2];

	init_sodium();
	if (crypto_kdf_derive_from_key(sub, sizeof sub, 1, "nzkeyfpr",
	    key) != 0)
		nz_die(NZ_EXIT_DATA, "libsodium could not derive the key's "
		    "fingerprint");
	sodium_bin2hex(out, NZ_FINGERPRINT_HEX + 1, sub, sizeof sub);
	sodium_memzero(sub, sizeof sub);
}

int
nz_demo_key_agency(const char *fingerprint, char agency[NZ_AGENCY_MAX + 1])
{
	static const char *const cols[] = {"agency", "fingerprint"};
	char *path = nz_pipelines_path("demo-keys.csv");
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL | NZ_CSV_UTF8);
	nz_row *row;
	int found = 0;

	nz_csv_expect_header(csv, cols, 2);
	while (!found && nz_csv_next_n(csv, &row, 2) > 0) {
		if (strcmp(row->field[1], fingerprint) != 0)
			continue;
		if (!nz_agency_valid(row->field[0]))
			nz_dieat(NZ_EXIT_DATA, path, row->line, "invalid agency "
			    "code %s", nz_q(row->field[0]));
		strcpy(agency, row->field[0]);
		found = 1;
	}
	nz_csv_close(csv);
	free(path);
	return found;
}

int
nz_sha256_file(const char *path, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], hash[crypto_hash_sha256_BYTES];
	FILE *f;
	size_t n;
	int bad;

	init_sodium();
	f = fopen(path, "rb");
	if (!f)
		return -1;
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	bad = ferror(f);
	fclose(f);
	if (bad)
		return -1;
	crypto_hash_sha256_final(&st, hash);
	sodium_bin2hex(out, 65, hash, sizeof hash);
	return 0;
}

/* A demo key is public: it may key only its own sample agency, read from
 * the repository's sample-data folder.  Anything else (a real agency
 * named like a sample one, a demo key copied under another name) would
 * give clients keys that anyone can recompute. */
void
nz_demo_key_check(const char *profile_path, const char *agency,
    const char *key_path, const char *fingerprint)
{
	char demo[NZ_AGENCY_MAX + 1], *home;
	const char *slash = strrchr(profile_path, '/');
	nz_buf rel = {0}, dir = {0};
	int ok;

	if (!nz_demo_key_agency(fingerprint, demo))
		return;
	nz_buf_printf(&dir, "%.*s", slash ? (int)(slash - profile_path) : 1,
	    slash ? profile_path : ".");
	nz_buf_printf(&rel, "../sample-data/%s", demo);
	home = nz_pipelines_path(rel.s);
	ok = strcmp(demo, agency) == 0 && nz_same_file(home, dir.s);
	free(home);
	nz_buf_free(&rel);
	nz_buf_free(&dir);
	if (!ok)
		nz_die(NZ_EXIT_DATA, "key file %s is the public demo key of the "
		    "sample agency %s (fingerprint %s): it keys only "
		    "sample-data/%s.  Make a real key for %s with 'make key "
		    "AGENCY=%s' and keep it outside the repository", key_path,
		    demo, fingerprint, demo, agency, agency);
}
