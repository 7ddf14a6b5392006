/* key.c: agency keys, keyed hashing (BLAKE2b) and sha256, via libsodium. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

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

/* The keyed state is made once: libsodium's states hold no pointers and
 * are meant to be copied by assignment (its author, libsodium issue 316),
 * so each value costs a copy, an update and a final instead of setting
 * up the key block again.
 *
 * An export names each client and household on many rows, so the hashes
 * of recent ids are kept in a direct-mapped cache of fixed size (constant
 * memory, whatever the export's length): a hit costs a short hash and a
 * compare instead of two BLAKE2b compressions.  The output is the same
 * either way; ids longer than a slot holds are always hashed. */
#define CACHE_SLOTS 32768          /* a power of two: 1.8 MB in all */
#define CACHE_ID_MAX 39

struct cache_slot {
	unsigned char len;             /* 0: empty */
	char id[CACHE_ID_MAX];
	unsigned char hash[NZ_HASH_BYTES];
};

struct nz_hasher {
	crypto_generichash_state init;  /* after the key, before any data */
	struct cache_slot *cache;       /* CACHE_SLOTS of them */
};

nz_hasher *
nz_hasher_new(const unsigned char key[NZ_KEY_BYTES])
{
	/* the state type asks for 64-byte alignment, more than malloc's */
	size_t size = (sizeof(nz_hasher) + 63) / 64 * 64;
	nz_hasher *h = aligned_alloc(64, size);

	if (!h)
		nz_die(NZ_EXIT_DATA, "out of memory");
	init_sodium();
	if (crypto_generichash_init(&h->init, key, NZ_KEY_BYTES,
	    NZ_HASH_BYTES) != 0)
		nz_die(NZ_EXIT_DATA, "libsodium could not set up the key");
	h->cache = nz_calloc(CACHE_SLOTS, sizeof *h->cache);
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

static void
keyed_hash(const nz_hasher *h, const char *s, size_t len,
    unsigned char hash[NZ_HASH_BYTES])
{
	crypto_generichash_state st = h->init;

	crypto_generichash_update(&st, (const unsigned char *)s, len);
	crypto_generichash_final(&st, hash, NZ_HASH_BYTES);
	sodium_memzero(&st, sizeof st);
}

void
nz_hasher_hex(const nz_hasher *h, const char *s, size_t len,
    char out[2 * NZ_HASH_BYTES + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char hash[NZ_HASH_BYTES];
	const unsigned char *use = hash;
	struct cache_slot *slot = NULL;
	size_t i;

	if (len > 0 && len <= CACHE_ID_MAX) {
		slot = cache_slot(h, s, len);
		if (slot->len == len && memcmp(slot->id, s, len) == 0)
			use = slot->hash;
	}
	if (use == hash) {
		keyed_hash(h, s, len, hash);
		if (slot) {
			slot->len = (unsigned char)len;
			memcpy(slot->id, s, len);
			memcpy(slot->hash, hash, NZ_HASH_BYTES);
		}
	}
	for (i = 0; i < NZ_HASH_BYTES; i++) {
		out[2 * i] = hex[use[i] >> 4];
		out[2 * i + 1] = hex[use[i] & 15];
	}
	out[2 * NZ_HASH_BYTES] = '\0';
}

void
nz_hasher_free(nz_hasher *h)
{
	if (!h)
		return;
	/* the cache holds ids and their keyed hashes: wipe it too */
	sodium_memzero(h->cache, CACHE_SLOTS * sizeof *h->cache);
	free(h->cache);
	sodium_memzero(h, sizeof *h);
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
