/* secstmt.c: the messages of a secure round, each a small text file of
 * "key value" lines (pipelines/FORMATS.md, "Secure mode files").
 *
 * The round statement fixes everything the masks and the sum depend on:
 * quarter, round number, kind (indicator or value), k, the universe (its
 * sha256 and size), the cells included in the sum, and the participants
 * with their keys.  NZCCSS signs it; every participant signs it too (an
 * acknowledgement), and an agency sends its vector only when every
 * participant's signature holds, so that no two agencies are shown
 * different lists.  A vector names the round it is for and is signed
 * over its header and body: it cannot be forged, and a vector of
 * another round (replayed) is refused by what differs. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "secure.h"

#define ROUND_MAGIC "nzccss-secure-round 1"
#define VECTOR_MAGIC "nzccss-secure-vector 1"

/* ---- reading key-value lines ---- */
typedef struct lines {
	const char *path;
	char *text, *at;
	long line;
} lines;

static void
lines_open(lines *l, const char *path)
{
	size_t len;

	l->path = path;
	l->text = nz_slurp(path, &len);
	if (!l->text)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	nz_hold(l->text);
	if (strlen(l->text) != len)
		nz_dieat(NZ_EXIT_DATA, path, 0, "holds a NUL byte");
	l->at = l->text;
	l->line = 0;
}

static void
lines_close(lines *l)
{
	nz_drop(l->text);
	free(l->text);
}

/* the next line, or NULL at the end; a last line without LF is a file
 * cut short */
static char *
next_line(lines *l)
{
	char *s = l->at, *nl;

	if (!*s)
		return NULL;
	l->line++;
	nl = strchr(s, '\n');
	if (!nl)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "the last line has no "
		    "line end: the file is cut short");
	*nl = '\0';
	l->at = nl + 1;
	return s;
}

/* the value of a line that must be "KEY value" */
static char *
expect(lines *l, const char *key)
{
	char *s = next_line(l);
	size_t n = strlen(key);

	if (!s)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line + 1, "expected "
		    "\"%s\", found the end of the file", key);
	if (strncmp(s, key, n) != 0 || s[n] != ' ')
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "expected \"%s ...\", "
		    "found %s", key, nz_q(s));
	return s + n + 1;
}

static long
expect_long(lines *l, const char *key, long min, long max)
{
	char *v = expect(l, key);
	long n;

	if (nz_parse_long(v, min, max, &n) != 0)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "%s: expected a whole "
		    "number from %ld to %ld, found %s", key, min, max, nz_q(v));
	return n;
}

static void
expect_hex(lines *l, const char *key, char out[NZ_SEC_HEX + 1])
{
	unsigned char bin[NZ_SEC_HASH];
	char *v = expect(l, key);

	if (nz_unhex(bin, sizeof bin, v) != 0)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "%s: expected %d "
		    "lower-case hex digits, found %s", key, NZ_SEC_HEX, nz_q(v));
	memcpy(out, v, NZ_SEC_HEX + 1);
}

/* ---- the statement ---- */
const char *
nz_round_kind_name(int kind)
{
	return kind == NZ_ROUND_VALUE ? "value" : "indicator";
}

size_t
nz_round_width(const nz_round *r)
{
	return r->kind == NZ_ROUND_VALUE ? NZ_NMEASURES : 1;
}

size_t
nz_round_values(const nz_round *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ncells; i++)
		n += r->included[i] != 0;
	return n * nz_round_width(r);
}

long
nz_round_party(const nz_round *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nparties; i++)
		if (strcmp(r->party[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void
hash_hex(const void *data, size_t len, char out[NZ_SEC_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	nz_hex(out, h, sizeof h);
}

void
nz_round_seal(nz_round *r)
{
	nz_buf names = {0};
	size_t i;

	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium failed to initialise");
	for (i = 0; i < r->nparties; i++)
		nz_buf_printf(&names, "%s\n", r->party[i].name);
	hash_hex(names.s ? names.s : "", names.len, r->list_hash);
	hash_hex(r->included, r->ncells, r->included_hash);
	nz_buf_clear(&r->text);
	nz_buf_printf(&r->text, "%s\nquarter %s\nround %ld\nkind %s\nk %ld\n"
	    "universe %s %zu\nincluded %s\nlist %s\n", ROUND_MAGIC, r->quarter,
	    r->round, nz_round_kind_name(r->kind), r->k, r->universe,
	    r->ncells, r->included_hash, r->list_hash);
	if (r->kind == NZ_ROUND_VALUE)
		nz_buf_printf(&r->text, "indicator %s\n", r->indicator);
	for (i = 0; i < r->nparties; i++) {
		char kx[NZ_SEC_HEX + 1], sg[NZ_SEC_HEX + 1];

		nz_hex(kx, r->party[i].kx, sizeof r->party[i].kx);
		nz_hex(sg, r->party[i].sign, sizeof r->party[i].sign);
		nz_buf_printf(&r->text, "party %s %s %s\n", r->party[i].name,
		    kx, sg);
	}
	crypto_generichash(r->hash, sizeof r->hash,
	    (const unsigned char *)r->text.s, r->text.len, NULL, 0);
	nz_hex(r->hash_hex, r->hash, sizeof r->hash);
	nz_buf_free(&names);
}

/* the included cells, packed 4 to a hex digit */
static void
write_included(FILE *f, const nz_round *r)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	fputs("cells ", f);
	for (i = 0; i < r->ncells; i += 4) {
		unsigned v = 0, b;

		for (b = 0; b < 4 && i + b < r->ncells; b++)
			v |= (unsigned)(r->included[i + b] != 0) << (3 - b);
		putc(hex[v], f);
	}
	putc('\n', f);
}

void
nz_round_write(FILE *f, const nz_round *r)
{
	char sig[2 * crypto_sign_BYTES + 1];

	fputs(r->text.s, f);
	write_included(f, r);
	nz_hex(sig, r->aggregator_sig, sizeof r->aggregator_sig);
	fprintf(f, "signature %s %s\n", NZ_SEC_AGGREGATOR, sig);
}

static void
read_included(lines *l, nz_round *r)
{
	char *v = expect(l, "cells");
	size_t i, b;

	if (strlen(v) != (r->ncells + 3) / 4)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "cells: expected %zu "
		    "hex digits (one per 4 of the %zu cells), found %zu",
		    (r->ncells + 3) / 4, r->ncells, strlen(v));
	r->included = nz_calloc(r->ncells + 1, 1);
	for (i = 0; i < r->ncells; i += 4) {
		const char *p = strchr("0123456789abcdef", v[i / 4]);

		if (!p || !*p)
			nz_dieat(NZ_EXIT_DATA, l->path, l->line, "cells: not "
			    "a hex digit: %s", nz_qn(v + i / 4, 1));
		for (b = 0; b < 4 && i + b < r->ncells; b++)
			r->included[i + b] = ((p - "0123456789abcdef") >>
			    (3 - b)) & 1;
	}
}

/* "universe SHA256 CELLS" */
static void
read_universe(lines *l, nz_round *r)
{
	unsigned char bin[NZ_SEC_HASH];
	char *v = expect(l, "universe"), *sp = strchr(v, ' ');
	uint64_t n = 0;

	if (!sp || (*sp = '\0', nz_unhex(bin, sizeof bin, v) != 0) ||
	    nz_parse_u64(sp + 1, &n) != 0 || n == 0 || n > 10000000)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "universe: expected a "
		    "sha256 and a number of cells");
	memcpy(r->universe, v, NZ_SEC_HEX + 1);
	r->ncells = (size_t)n;
}

static void
read_party(lines *l, nz_round *r, const nz_pinned *pinned, size_t *cap)
{
	const nz_party *pin;
	char *v;
	nz_party *p;
	char name[64], kx[80], sg[80];

	v = expect(l, "party");
	if (sscanf(v, "%63s %79s %79s", name, kx, sg) != 3 ||
	    !nz_agency_valid(name))
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "party: expected "
		    "\"party CODE KX SIGN\", found %s", nz_q(v));
	nz_grow(&r->party, cap, r->nparties + 1, sizeof *r->party);
	p = &r->party[r->nparties++];
	memset(p, 0, sizeof *p);
	strcpy(p->name, name);
	p->line = l->line;
	if (nz_unhex(p->kx, sizeof p->kx, kx) != 0 ||
	    nz_unhex(p->sign, sizeof p->sign, sg) != 0)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "party %s: its keys "
		    "are not 2 x 64 hex digits", nz_q(name));
	if (r->nparties > 1 && strcmp(r->party[r->nparties - 2].name,
	    name) >= 0)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "party %s: the "
		    "participants must be listed once each, in name order",
		    nz_q(name));
	pin = nz_pinned_find(pinned, name);
	if (!pin)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "party %s: key not "
		    "pinned: %s has no line for it; keys are pinned out of "
		    "band, never taken from a round", nz_q(name), pinned->path);
	if (memcmp(pin->kx, p->kx, sizeof p->kx) != 0 ||
	    memcmp(pin->sign, p->sign, sizeof p->sign) != 0)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "party %s: key not "
		    "pinned: its keys differ from %s:%ld; refused", nz_q(name),
		    pinned->path, pin->line);
}

nz_round *
nz_round_load(const char *path, const nz_pinned *pinned)
{
	nz_round *r = nz_calloc(1, sizeof *r);
	const nz_party *agg = nz_pinned_find(pinned, NZ_SEC_AGGREGATOR);
	char *v, kind[16], got_inc[NZ_SEC_HEX + 1], got_list[NZ_SEC_HEX + 1];
	size_t cap = 0;
	lines l;

	nz_hold(r);
	r->path = nz_strdup(path);
	lines_open(&l, path);
	if (!(v = next_line(&l)) || strcmp(v, ROUND_MAGIC) != 0)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "not a round statement "
		    "(expected \"%s\")", ROUND_MAGIC);
	v = expect(&l, "quarter");
	if (nz_period_parse(v, &(int){0}, &(int){0}) != 0)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "quarter: expected "
		    "YYYYQn, found %s", nz_q(v));
	snprintf(r->quarter, sizeof r->quarter, "%s", v);
	r->round = expect_long(&l, "round", 1, 1000000);
	snprintf(kind, sizeof kind, "%.15s", expect(&l, "kind"));
	if (strcmp(kind, "indicator") != 0 && strcmp(kind, "value") != 0)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "kind: expected indicator "
		    "or value, found %s", nz_q(kind));
	r->kind = strcmp(kind, "value") == 0 ? NZ_ROUND_VALUE :
	    NZ_ROUND_INDICATOR;
	r->k = expect_long(&l, "k", 2, 1000);
	read_universe(&l, r);
	expect_hex(&l, "included", got_inc);
	expect_hex(&l, "list", got_list);
	if (r->kind == NZ_ROUND_VALUE)
		expect_hex(&l, "indicator", r->indicator);
	while (strncmp(l.at, "party ", 6) == 0)
		read_party(&l, r, pinned, &cap);
	if (r->nparties < 2)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "fewer than 2 participants");
	read_included(&l, r);
	nz_round_seal(r);
	if (strcmp(got_inc, r->included_hash) != 0)
		nz_dieat(NZ_EXIT_DATA, path, 7, "included: the cells line does "
		    "not hash to it");
	if (strcmp(got_list, r->list_hash) != 0)
		nz_dieat(NZ_EXIT_DATA, path, 8, "list: the participants do not "
		    "hash to it");
	v = expect(&l, "signature");
	if (!agg)
		nz_die(NZ_EXIT_DATA, "%s: key not pinned: no line for %s, whose "
		    "signature every round must carry", pinned->path,
		    NZ_SEC_AGGREGATOR);
	if (strncmp(v, NZ_SEC_AGGREGATOR " ", strlen(NZ_SEC_AGGREGATOR) + 1)
	    != 0 || nz_unhex(r->aggregator_sig, sizeof r->aggregator_sig,
	    v + strlen(NZ_SEC_AGGREGATOR) + 1) != 0)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "expected \"signature %s "
		    "HEX\"", NZ_SEC_AGGREGATOR);
	if (crypto_sign_verify_detached(r->aggregator_sig,
	    (const unsigned char *)r->text.s, r->text.len, agg->sign) != 0)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "bad signature: %s's "
		    "signature does not verify with its pinned key (%s:%ld): "
		    "the statement was changed or not made by %s",
		    NZ_SEC_AGGREGATOR, pinned->path, agg->line,
		    NZ_SEC_AGGREGATOR);
	if (next_line(&l))
		nz_dieat(NZ_EXIT_DATA, path, l.line, "a line after the "
		    "signature");
	lines_close(&l);
	return r;
}

void
nz_round_free(nz_round *r)
{
	if (!r)
		return;
	nz_drop(r);
	free(r->included);
	free(r->party);
	free(r->path);
	nz_buf_free(&r->text);
	free(r);
}

/* ---- acknowledgements ---- */
void
nz_ack_write(FILE *f, const nz_round *r, const nz_secret *s)
{
	unsigned char sig[crypto_sign_BYTES];
	char hex[2 * crypto_sign_BYTES + 1];

	crypto_sign_detached(sig, NULL, (const unsigned char *)r->text.s,
	    r->text.len, s->sign_sk);
	nz_hex(hex, sig, sizeof sig);
	fprintf(f, "ack %s %s %ld %s %s\n", s->pub.name, r->quarter, r->round,
	    r->hash_hex, hex);
}

size_t
nz_ack_check(const char *path, const nz_round *r)
{
	unsigned char sig[crypto_sign_BYTES];
	char name[64], quarter[32], hash[80], hex[200];
	long round, i;
	lines l;
	char *v;

	lines_open(&l, path);
	v = expect(&l, "ack");
	if (sscanf(v, "%63s %31s %ld %79s %199s", name, quarter, &round, hash,
	    hex) != 5 || nz_unhex(sig, sizeof sig, hex) != 0)
		nz_dieat(NZ_EXIT_DATA, path, 1, "expected \"ack PARTY QUARTER "
		    "ROUND STATEMENT SIGNATURE\"");
	i = nz_round_party(r, name);
	if (i < 0)
		nz_dieat(NZ_EXIT_DATA, path, 1, "party %s is not in the round's "
		    "participant list (%s)", nz_q(name), r->path);
	if (crypto_sign_verify_detached(sig, (const unsigned char *)r->text.s,
	    r->text.len, r->party[i].sign) != 0)
		nz_dieat(NZ_EXIT_DATA, path, 1, "bad signature: %s's signature "
		    "does not hold over the statement of %s (quarter %s, round "
		    "%ld; this ack says quarter %s, round %ld): it signed "
		    "another quarter, round, list, keys or universe, or it is "
		    "forged", name, r->path, r->quarter, r->round,
		    nz_q(quarter), round);
	if (next_line(&l))
		nz_dieat(NZ_EXIT_DATA, path, 2, "a line after the ack");
	lines_close(&l);
	return (size_t)i;
}

/* ---- vectors ---- */
static void
vector_header(nz_buf *b, const nz_round *r, const char *party)
{
	nz_buf_printf(b, "%s\nparty %s\nquarter %s\nround %ld\nkind %s\n"
	    "list %s\nuniverse %s\nincluded %s\nstatement %s\nvalues %zu\n",
	    VECTOR_MAGIC, party, r->quarter, r->round,
	    nz_round_kind_name(r->kind), r->list_hash, r->universe,
	    r->included_hash, r->hash_hex, nz_round_values(r));
}

void
nz_vector_write(FILE *f, const nz_round *r, const nz_secret *s,
    const uint32_t *value)
{
	unsigned char sig[crypto_sign_BYTES];
	char hex[2 * crypto_sign_BYTES + 1];
	size_t i, n = nz_round_values(r);
	nz_buf b = {0};

	vector_header(&b, r, s->pub.name);
	for (i = 0; i < n; i++)
		nz_buf_printf(&b, "%" PRIu32 "\n", value[i]);
	crypto_sign_detached(sig, NULL, (const unsigned char *)b.s, b.len,
	    s->sign_sk);
	nz_hex(hex, sig, sizeof sig);
	fputs(b.s, f);
	fprintf(f, "signature %s\n", hex);
	nz_buf_free(&b);
}

/* a header field that must match the round's */
static void
vector_field(lines *l, const char *key, const char *want, const char *what)
{
	char *v = expect(l, key);

	if (strcmp(v, want) != 0)
		nz_dieat(NZ_EXIT_DATA, l->path, l->line, "wrong %s: %s %s, "
		    "but the round is for %s %s: refused", what, key, nz_q(v),
		    key, want);
}

static void
vector_signature(const char *path, const char *text, const nz_round *r,
    long who)
{
	const char *sigline = strstr(text, "\nsignature ");
	unsigned char sig[crypto_sign_BYTES];
	char hex[2 * crypto_sign_BYTES + 1];
	size_t len;

	if (!sigline)
		nz_dieat(NZ_EXIT_DATA, path, 0, "bad signature: the vector "
		    "has no signature line");
	len = (size_t)(sigline - text) + 1;
	snprintf(hex, sizeof hex, "%.*s", (int)strcspn(sigline + 11, "\n"),
	    sigline + 11);
	if (nz_unhex(sig, sizeof sig, hex) != 0 || sigline[11 + strlen(hex)]
	    != '\n' || sigline[12 + strlen(hex)] != '\0')
		nz_dieat(NZ_EXIT_DATA, path, 0, "bad signature: the last line "
		    "must be \"signature\" and 128 hex digits");
	if (crypto_sign_verify_detached(sig, (const unsigned char *)text, len,
	    r->party[who].sign) != 0)
		nz_dieat(NZ_EXIT_DATA, path, 0, "bad signature: the vector does "
		    "not verify with %s's pinned key: forged or changed; "
		    "refused", r->party[who].name);
}

nz_vector *
nz_vector_load(const char *path, const nz_round *r)
{
	nz_vector *vec = nz_calloc(1, sizeof *vec);
	char buf[32], *v;
	size_t i, n = nz_round_values(r);
	long who;
	lines l;

	nz_hold(vec);
	vec->path = nz_strdup(path);
	lines_open(&l, path);
	if (!(v = next_line(&l)) || strcmp(v, VECTOR_MAGIC) != 0)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "not a vector (expected "
		    "\"%s\")", VECTOR_MAGIC);
	v = expect(&l, "party");
	who = nz_round_party(r, v);
	if (who < 0)
		nz_dieat(NZ_EXIT_DATA, path, l.line, "party %s is not in the "
		    "participant list of %s: refused", nz_q(v), r->path);
	snprintf(vec->party, sizeof vec->party, "%s", v);
	/* the signature first: what a vector says is believed only once it
	 * is known to be the party's */
	{
		size_t len;
		char *text = nz_slurp(path, &len);

		nz_hold(text);
		vector_signature(path, text, r, who);
		nz_drop(text);
		free(text);
	}
	vector_field(&l, "quarter", r->quarter, "quarter");
	snprintf(buf, sizeof buf, "%ld", r->round);
	vector_field(&l, "round", buf, "round (a vector of another round "
	    "replayed, or sent late)");
	vector_field(&l, "kind", nz_round_kind_name(r->kind), "kind");
	vector_field(&l, "list", r->list_hash, "participant list");
	vector_field(&l, "universe", r->universe, "cell universe");
	vector_field(&l, "included", r->included_hash, "included cells");
	vector_field(&l, "statement", r->hash_hex, "statement");
	snprintf(buf, sizeof buf, "%zu", n);
	vector_field(&l, "values", buf, "number of values");
	vec->n = n;
	vec->value = nz_malloc((n + 1) * sizeof *vec->value);
	for (i = 0; i < n; i++) {
		uint64_t x;

		v = next_line(&l);
		if (!v || nz_parse_u64(v, &x) != 0 || x > UINT32_MAX)
			nz_dieat(NZ_EXIT_DATA, path, l.line, "value %zu: "
			    "expected a whole number below 2^32, found %s",
			    i + 1, v ? nz_q(v) : "the end of the file");
		vec->value[i] = (uint32_t)x;
	}
	lines_close(&l);
	return vec;
}

void
nz_vector_free(nz_vector *v)
{
	if (!v)
		return;
	nz_drop(v);
	free(v->value);
	free(v->path);
	free(v);
}

uint32_t *
nz_vectors_sum(const nz_round *r, char **vec, size_t nvec, long *missing)
{
	size_t n = nz_round_values(r), v, i;
	uint32_t *sum = nz_calloc(n + 1, sizeof *sum);
	char **from = nz_calloc(r->nparties + 1, sizeof *from);

	nz_hold(sum);
	nz_hold(from);
	for (v = 0; v < nvec; v++) {
		nz_vector *x = nz_vector_load(vec[v], r);
		long p = nz_round_party(r, x->party);

		if (from[p])
			nz_die(NZ_EXIT_DATA, "%s: a vector sent twice: %s "
			    "already sent %s; refused", vec[v], x->party,
			    from[p]);
		from[p] = vec[v];
		for (i = 0; i < n; i++)
			sum[i] += x->value[i];   /* mod 2^32: the masks cancel */
		nz_vector_free(x);
	}
	for (*missing = -1, i = 0; i < r->nparties && *missing < 0; i++)
		if (!from[i])
			*missing = (long)i;
	nz_drop(from);
	free(from);
	nz_drop(sum);
	return sum;
}
