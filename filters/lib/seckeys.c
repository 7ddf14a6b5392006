/* seckeys.c: the keys of secure mode.  A party (an agency, or NZCCSS as
 * "nzccss") has one key file: two 32-byte seeds, for its X25519 key
 * (crypto_kx: the pairwise mask secrets) and its Ed25519 key
 * (crypto_sign: every statement, acknowledgement and vector).  The public
 * halves go into a pinned-keys file that each party keeps from an out of
 * band exchange (README, "Secure mode"): keys are never taken on
 * NZCCSS's word, since NZCCSS could otherwise put in keys of its own and
 * unmask an agency. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secure.h"

void
nz_hex(char *out, const unsigned char *bin, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, bin, n);
}

int
nz_unhex(unsigned char *out, size_t n, const char *hex)
{
	size_t got;

	if (strlen(hex) != 2 * n || strspn(hex, "0123456789abcdef") != 2 * n)
		return -1;
	if (sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) != 0 ||
	    got != n)
		return -1;
	return 0;
}

static void
init(void)
{
	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium failed to initialise");
}

void
nz_secret_create(const char *path)
{
	unsigned char seed[NZ_SEC_SEED_BYTES];
	int fd;

	init();
	randombytes_buf(seed, sizeof seed);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s (a key file is never written "
		    "over)", path, strerror(errno));
	if (write(fd, seed, sizeof seed) != (ssize_t)sizeof seed ||
	    close(fd) != 0) {
		unlink(path);
		nz_die(NZ_EXIT_DATA, "%s: write error", path);
	}
	sodium_memzero(seed, sizeof seed);
}

void
nz_secret_load(const char *path, const char *party, nz_secret *s)
{
	unsigned char seed[NZ_SEC_SEED_BYTES];

	init();
	if (!nz_agency_valid(party))
		nz_die(NZ_EXIT_USAGE, "party: invalid code %s", nz_q(party));
	nz_secret_file_load(path, seed, sizeof seed, "seckey");
	memset(s, 0, sizeof *s);
	strcpy(s->pub.name, party);
	if (crypto_kx_seed_keypair(s->pub.kx, s->kx_sk, seed) != 0 ||
	    crypto_sign_seed_keypair(s->pub.sign, s->sign_sk, seed + 32) != 0)
		nz_die(NZ_EXIT_DATA, "key file %s: libsodium could not make "
		    "the key pairs", path);
	sodium_memzero(seed, sizeof seed);
}

void
nz_secret_wipe(nz_secret *s)
{
	sodium_memzero(s, sizeof *s);
}

void
nz_party_line(FILE *f, const nz_party *p)
{
	char kx[2 * sizeof p->kx + 1], sg[2 * sizeof p->sign + 1];

	nz_hex(kx, p->kx, sizeof p->kx);
	nz_hex(sg, p->sign, sizeof p->sign);
	fprintf(f, "%s,%s,%s\n", p->name, kx, sg);
}

static const char *const pinned_cols[] = {"party", "kx_public",
	"sign_public"};

nz_pinned *
nz_pinned_load(const char *path)
{
	nz_pinned *p = nz_calloc(1, sizeof *p);
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL | NZ_CSV_UTF8);
	size_t cap = 0, i;
	nz_row *row;

	p->path = nz_strdup(path);
	nz_csv_expect_header(csv, pinned_cols, 3);
	while (nz_csv_next_n(csv, &row, 3) > 0) {
		nz_party *q;

		if (!nz_agency_valid(row->field[0]))
			nz_dieat(NZ_EXIT_DATA, path, row->line, "party: "
			    "invalid code %s", nz_q(row->field[0]));
		for (i = 0; i < p->n; i++)
			if (strcmp(p->party[i].name, row->field[0]) == 0)
				nz_dieat(NZ_EXIT_DATA, path, row->line, "party "
				    "%s is pinned twice (line %ld)",
				    nz_q(row->field[0]), p->party[i].line);
		nz_grow(&p->party, &cap, p->n + 1, sizeof *p->party);
		q = &p->party[p->n++];
		strcpy(q->name, row->field[0]);
		q->line = row->line;
		if (nz_unhex(q->kx, sizeof q->kx, row->field[1]) != 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "kx_public: "
			    "expected 64 lower-case hex digits, found %s",
			    nz_q(row->field[1]));
		if (nz_unhex(q->sign, sizeof q->sign, row->field[2]) != 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "sign_public: "
			    "expected 64 lower-case hex digits, found %s",
			    nz_q(row->field[2]));
	}
	nz_csv_close(csv);
	nz_hold(p);
	return p;
}

const nz_party *
nz_pinned_find(const nz_pinned *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->party[i].name, name) == 0)
			return &p->party[i];
	return NULL;
}

void
nz_pinned_free(nz_pinned *p)
{
	if (!p)
		return;
	nz_drop(p);
	free(p->path);
	free(p->party);
	free(p);
}
