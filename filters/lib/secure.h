/* secure.h: secure aggregation (issue 22 item 3; README "Secure mode").
 * Pairwise masks that cancel in the sum (Bonawitz et al., CCS 2017):
 * NZCCSS learns the sum over the agencies of a round of their internal
 * cells and nothing about any one agency's cells.
 *
 *   secuniverse.c  the cell universe, from the table spec and code lists
 *   seckeys.c      party key files (X25519 + Ed25519) and pinned keys
 *   secstmt.c      the round statement, its signatures, vectors
 *   seccheck.c     an agency's check of a value round's included cells
 *   secmask.c      the pairwise masks
 *   secstate.c     one list per quarter, one mode per quarter
 */
#ifndef NZ_SECURE_H
#define NZ_SECURE_H

#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

#include "nz.h"

#define NZ_SEC_PARTY_MAX NZ_AGENCY_MAX
#define NZ_SEC_HASH 32                   /* BLAKE2b-256 / sha256 bytes */
#define NZ_SEC_HEX (2 * NZ_SEC_HASH)
#define NZ_SEC_AGGREGATOR "nzccss"       /* NZCCSS's party name */

/* ---- the universe ---- */
typedef struct nz_universe {
	size_t n;                 /* cells */
	nz_strset *cells;         /* "region,age_band,...,outcome" in order */
	char hash[NZ_SEC_HEX + 1];  /* sha256 of the cells, one a line */
	/* the exact relations between its cells (for clients, events and
	 * units): a margin over a single-valued dimension is the sum of its
	 * cells, and an outcome margin the sum of a domain's bands; rel_cell
	 * [rel_start[r] .. rel_start[r+1]) holds relation r, margin first */
	size_t nrel, *rel_start, *rel_cell;
} nz_universe;
/* Every cell of every table of the table spec (all combinations of its
 * dimensions' codes and every margin; the other dimensions '*'), each
 * once, in table order: never from any agency's data. */
nz_universe *nz_universe_load(const char *tables, const char *codes_dir,
	const char *bands);
void nz_universe_free(nz_universe *u);
/* The cells a value round sums, from the indicator round's contributors
 * (CONTRIB, in universe order): INCLUDED[i] is 1 where cell i has K or
 * more, except
 *  - every band of an outcome domain (the same cell but for the band)
 *    that has a band of 1 to K-1: its bands add up to its margin, which
 *    is summed, so the summed bands would give the hidden ones' total,
 *    the few agencies that record assessments;
 *  - then, until none is left, in each relation of the universe with
 *    exactly one cell not summed that has a contributor (NZCCSS would
 *    have it by subtraction: national less regional totals, a region
 *    one agency serves), another cell left out: the child summed with
 *    the fewest contributors (the first in universe order), else the
 *    margin.  A cell no agency has is a known 0. */
void nz_universe_include(const nz_universe *u, const uint32_t *contrib,
	long k, unsigned char *included);

/* ---- keys ---- */
typedef struct nz_party {
	char name[NZ_SEC_PARTY_MAX + 1];
	unsigned char kx[crypto_kx_PUBLICKEYBYTES];
	unsigned char sign[crypto_sign_PUBLICKEYBYTES];
	long line;                /* in the pinned-keys file */
} nz_party;
typedef struct nz_secret {
	nz_party pub;
	unsigned char kx_sk[crypto_kx_SECRETKEYBYTES];
	unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
} nz_secret;
typedef struct nz_pinned {
	char *path;
	size_t n;
	nz_party *party;
} nz_pinned;
#define NZ_SEC_SEED_BYTES 64      /* a key file: kx seed, sign seed */
/* Write a new key file (mode 0600, never over an existing file). */
void nz_secret_create(const char *path);
/* Load a key file as PARTY (same checks as an agency key: regular file,
 * mode 0600). */
void nz_secret_load(const char *path, const char *party, nz_secret *s);
void nz_secret_wipe(nz_secret *s);
void nz_party_line(FILE *f, const nz_party *p);   /* the pinned line */
nz_pinned *nz_pinned_load(const char *path);
const nz_party *nz_pinned_find(const nz_pinned *p, const char *name);
void nz_pinned_free(nz_pinned *p);
void nz_hex(char *out, const unsigned char *bin, size_t n);
/* hex of exactly n bytes, or -1 */
int nz_unhex(unsigned char *out, size_t n, const char *hex);

/* ---- the round statement ---- */
enum nz_round_kind { NZ_ROUND_INDICATOR, NZ_ROUND_VALUE };
typedef struct nz_round {
	char quarter[NZ_PERIOD_BUF];
	long round;
	int kind;
	long k;                   /* contributors a cell needs */
	char universe[NZ_SEC_HEX + 1];
	size_t ncells;
	unsigned char *included;  /* a byte per universe cell: 0/1 */
	char included_hash[NZ_SEC_HEX + 1];
	size_t nparties;
	nz_party *party;          /* sorted by name */
	char list_hash[NZ_SEC_HEX + 1];  /* the names, one a line */
	char indicator[NZ_SEC_HEX + 1];  /* value round: its indicator
	                                  * round's hash_hex; else "" */
	unsigned char aggregator_sig[crypto_sign_BYTES];
	nz_buf text;              /* the statement: what is signed */
	unsigned char hash[NZ_SEC_HASH];  /* BLAKE2b of text */
	char hash_hex[NZ_SEC_HEX + 1];
	char *path;
} nz_round;
const char *nz_round_kind_name(int kind);
/* Fill text, list_hash, included_hash and hash from the fields. */
void nz_round_seal(nz_round *r);
void nz_round_write(FILE *f, const nz_round *r);
/* Read a round file and check NZCCSS's signature against the pinned
 * keys, and that every participant's keys are the pinned ones. */
nz_round *nz_round_load(const char *path, const nz_pinned *pinned);
void nz_round_free(nz_round *r);
long nz_round_party(const nz_round *r, const char *name);  /* -1 */
/* values per cell and cells in a vector */
size_t nz_round_width(const nz_round *r);
size_t nz_round_values(const nz_round *r);

/* An acknowledgement: PARTY's signature over the statement. */
void nz_ack_write(FILE *f, const nz_round *r, const nz_secret *s);
/* Check one ack file; returns the participant's index. */
size_t nz_ack_check(const char *path, const nz_round *r);

/* A vector: header (party, quarter, round, kind, list, universe,
 * included, statement), the values, the party's signature. */
typedef struct nz_vector {
	char party[NZ_SEC_PARTY_MAX + 1];
	size_t n;
	uint32_t *value;
	char *path;
} nz_vector;
void nz_vector_write(FILE *f, const nz_round *r, const nz_secret *s,
	const uint32_t *value);
/* Read and check a vector against the round: every refusal names the
 * file and what is wrong. */
nz_vector *nz_vector_load(const char *path, const nz_round *r);
void nz_vector_free(nz_vector *v);
/* The sum mod 2^32 of the vectors VEC... of round R, each loaded and
 * checked (nz_vector_load); a participant's second vector is refused.
 * *missing is the first participant without a vector, -1 if none: the
 * caller says what that stops.  The sum is the caller's to free. */
uint32_t *nz_vectors_sum(const nz_round *r, char **vec, size_t nvec,
	long *missing);

/* ---- an agency's check of a value round ---- */
/* Refuses (exit 1, by name) unless VALUE's included cells are exactly
 * those whose contributors, summed here from the indicator round's
 * statement (INDICATOR, checked against PINNED) and every participant's
 * signed vector of it (VEC...), give VALUE's k or more, but for the
 * outcome domains with a thin band (nz_universe_include over U, the
 * universe the agency's own table spec and code lists make); and unless
 * that indicator round is the one VALUE names, of the same quarter,
 * list and universe, over every cell. */
void nz_value_check(const nz_round *value, const nz_universe *u,
	const char *indicator, const nz_pinned *pinned, char **vec,
	size_t nvec);

/* ---- masks ---- */
/* Add to value[0..n) the party's masks with every other participant:
 * +stream for a partner whose name sorts after it, -stream before. */
void nz_mask_add(const nz_round *r, const nz_secret *s, uint32_t *value,
	size_t n);

/* ---- the national state of secure rounds ---- */
/* Checks at opening a round and records it (DIR/secure.csv): one list
 * per quarter, a round number never used before for the quarter, no
 * participant with a release of the quarter in DIR/received.csv. */
void nz_secstate_open(const char *dir, const nz_round *r);
/* Records that the quarter's value round was summed: from then on the
 * quarter is published in secure mode only. */
void nz_secstate_summed(const char *dir, const nz_round *r);
/* For merge: a release (not the secure one) of a quarter published in
 * secure mode is refused. */
void nz_secstate_check_release(const char *dir, const char *path,
	const char *agency, const char *period);

#endif
