/* intake.c: what NZCCSS checks before it takes a release in (issue 19):
 * the key it was made with, and that no quarter of it differs from a
 * release of that quarter NZCCSS already holds.
 *
 * Keys.  Every manifest names its key by key_fingerprint (keygen
 * --fingerprint).  A release without one is refused (fail closed), and so
 * is one made with a public demo key (pipelines/demo-keys.csv): its
 * rounding can be undone by anyone.  Only the sample build passes
 * allow_demo_keys, and even then a demo key must be its own agency's.
 *
 * Quarters are final.  A second release of a quarter with other figures
 * gives away the clients whose cells changed (a late record turns an S
 * into 6: it was exactly 5), so NZCCSS keeps, in its state folder, the
 * digest of every agency's quarter it has received, and refuses any
 * release whose quarter has another digest.  The digest is of the
 * quarter's rows, sorted by cell: a rebuild that writes the same figures
 * in another order is the same release.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <unistd.h>

#include "nz.h"
#include "secure.h"

#define SHA256_HEX 64
#define STATE_FILE "received.csv"
#define STATE_LOCK "received.lock"

/* ---- the key ---- */

static int
is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

void
nz_release_check_key(nz_release *r, int allow_demo_keys)
{
	json_t *v = json_object_get(r->manifest, "key_fingerprint");
	char demo[NZ_AGENCY_MAX + 1];
	const char *fp;

	if (!v)
		nz_dieat(NZ_EXIT_DATA, r->manifest_path, 0, "no "
		    "\"key_fingerprint\": NZCCSS takes only a release that names "
		    "the key it was made with; ask %s to rebuild it with the "
		    "current pipeline and send it again", nz_q(r->agency));
	fp = json_is_string(v) ? json_string_value(v) : "";
	if (!is_hex(fp, NZ_FINGERPRINT_HEX))
		nz_dieat(NZ_EXIT_DATA, r->manifest_path,
		    nz_json_key_line(r->manifest_path, "key_fingerprint", 1),
		    "\"key_fingerprint\": expected %d lower-case hex digits, "
		    "found %s", NZ_FINGERPRINT_HEX, json_is_string(v) ?
		    nz_q(fp) : "(not a string)");
	if (nz_demo_key_agency(fp, demo)) {
		if (!allow_demo_keys)
			nz_dieat(NZ_EXIT_DATA, r->manifest_path,
			    nz_json_key_line(r->manifest_path,
			    "key_fingerprint", 1), "\"key_fingerprint\": the "
			    "release was made with the public demo key of the "
			    "sample agency %s, whose rounding anyone can undo; "
			    "only the sample build (--allow-demo-keys) takes "
			    "it", nz_q(demo));
		if (strcmp(demo, r->agency) != 0)
			nz_dieat(NZ_EXIT_DATA, r->manifest_path,
			    nz_json_key_line(r->manifest_path,
			    "key_fingerprint", 1), "\"key_fingerprint\": the "
			    "public demo key of the sample agency %s, in a "
			    "release of %s: refused even in the sample build",
			    nz_q(demo), nz_q(r->agency));
	}
	memcpy(r->fingerprint, fp, NZ_FINGERPRINT_HEX + 1);
}

/* ---- the digest of each quarter ---- */

static int
cmp_cell_dims(const void *a, const void *b)
{
	const nz_rcell *x = *(const nz_rcell *const *)a;
	const nz_rcell *y = *(const nz_rcell *const *)b;

	return strcmp(x->dims, y->dims);
}

/* ",v", or ",S" for an S (-1), without printf: a digest formats every
 * value of every release */
static void
add_value(nz_buf *b, long v)
{
	if (v < 0) {
		nz_buf_add(b, ",S", 2);
		return;
	}
	nz_buf_addc(b, ',');
	nz_buf_add_uint(b, (unsigned long)v);
}

/* the rows of a period, hashed in 64 KiB pieces */
#define DIGEST_PIECE 65536

static void
digest_period(const nz_release *r, const char *period,
	const nz_rcell **cells, char out[SHA256_HEX + 1])
{
	crypto_hash_sha256_state st;
	unsigned char hash[crypto_hash_sha256_BYTES];
	nz_buf lines = {0};
	const size_t *at;
	size_t i, n = nz_release_period_cells(r, period, &at);
	int m;

	for (i = 0; i < n; i++)
		cells[i] = &r->cells[at[i]];
	qsort(cells, n, sizeof *cells, cmp_cell_dims);
	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++) {
		nz_buf_adds(&lines, period);
		nz_buf_addc(&lines, ',');
		nz_buf_adds(&lines, r->agency);
		nz_buf_addc(&lines, ',');
		nz_buf_adds(&lines, cells[i]->dims);
		for (m = 0; m < NZ_NMEASURES; m++)
			add_value(&lines, cells[i]->value[m]);
		nz_buf_addc(&lines, '\n');
		if (lines.len >= DIGEST_PIECE || i + 1 == n) {
			crypto_hash_sha256_update(&st,
			    (const unsigned char *)lines.s, lines.len);
			nz_buf_clear(&lines);
		}
	}
	crypto_hash_sha256_final(&st, hash);
	sodium_bin2hex(out, SHA256_HEX + 1, hash, sizeof hash);
	nz_buf_free(&lines);
}

void
nz_release_digest(nz_release *r)
{
	const nz_rcell **cells = nz_malloc((r->ncells + 1) * sizeof *cells);
	size_t p;

	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium could not be initialised");
	free(r->digest);
	r->digest = nz_malloc((r->nperiods + 1) * sizeof *r->digest);
	for (p = 0; p < r->nperiods; p++)
		digest_period(r, r->periods[p], cells, r->digest[p]);
	free(cells);
}

/* ---- the national state ---- */

typedef struct national_state national_state;

struct national_state {
	char *dir, *path;
	int lock_fd;
	nz_strset *held;          /* "agency,period" */
	char (*fingerprint)[NZ_FINGERPRINT_HEX + 1];
	char (*digest)[SHA256_HEX + 1];
	long *line;               /* where each was read; 0 if new */
	size_t cap;
	int changed;
};

static size_t
state_add(national_state *st, const char *agency, const char *period,
	const char *fingerprint, const char *digest, long line)
{
	nz_buf key = {0};
	size_t i, cap = st->cap;
	int added;

	nz_buf_printf(&key, "%s,%s", agency, period);
	i = nz_strset_add(st->held, key.s, &added);
	nz_buf_free(&key);
	if (!added)
		return i;
	nz_grow(&st->line, &cap, i + 1, sizeof *st->line);
	st->fingerprint = nz_realloc(st->fingerprint,
	    cap * sizeof *st->fingerprint);
	st->digest = nz_realloc(st->digest, cap * sizeof *st->digest);
	st->cap = cap;
	memcpy(st->fingerprint[i], fingerprint, NZ_FINGERPRINT_HEX + 1);
	memcpy(st->digest[i], digest, SHA256_HEX + 1);
	st->line[i] = line;
	return i;
}

static void
state_read(national_state *st)
{
	size_t ncols, before;
	const char *const *cols = nz_cols(NZ_COLS_RECEIVED, &ncols);
	nz_csv *csv;
	nz_row *row;
	int y, q;

	if (access(st->path, F_OK) != 0 && errno == ENOENT)
		return; /* nothing received yet */
	csv = nz_csv_open(st->path, NZ_CSV_CANONICAL);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		if (!nz_agency_valid(row->field[0]))
			nz_dieat(NZ_EXIT_DATA, st->path, row->line, "agency: "
			    "invalid code %s", nz_q(row->field[0]));
		if (nz_period_parse(row->field[1], &y, &q) < 0)
			nz_dieat(NZ_EXIT_DATA, st->path, row->line, "period: "
			    "expected YYYYQn, found %s", nz_q(row->field[1]));
		if (!is_hex(row->field[2], NZ_FINGERPRINT_HEX) ||
		    !is_hex(row->field[3], SHA256_HEX))
			nz_dieat(NZ_EXIT_DATA, st->path, row->line, "expected "
			    "a key fingerprint of %d and a sha256 of %d "
			    "lower-case hex digits", NZ_FINGERPRINT_HEX,
			    SHA256_HEX);
		before = nz_strset_count(st->held);
		state_add(st, row->field[0], row->field[1], row->field[2],
		    row->field[3], row->line);
		if (nz_strset_count(st->held) == before)
			nz_dieat(NZ_EXIT_DATA, st->path, row->line, "%s %s is "
			    "listed twice", row->field[0], row->field[1]);
	}
	nz_csv_close(csv);
}

static national_state *
state_open(const char *dir)
{
	national_state *st = nz_calloc(1, sizeof *st);
	struct flock lock = {0};
	nz_buf b = {0};

	st->dir = nz_strdup(dir);
	nz_buf_printf(&b, "%s/%s", dir, STATE_LOCK);
	st->lock_fd = open(b.s, O_RDWR | O_CREAT, 0644);
	if (st->lock_fd < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s (the national state folder, "
		    "--state, must exist)", b.s, strerror(errno));
	/* one reader-writer at a time: merge and diff-quarters may run
	 * side by side (make -j) */
	lock.l_type = F_WRLCK;
	lock.l_whence = SEEK_SET;
	while (fcntl(st->lock_fd, F_SETLKW, &lock) < 0)
		if (errno != EINTR)
			nz_die(NZ_EXIT_DATA, "%s: cannot lock: %s", b.s,
			    strerror(errno));
	nz_buf_free(&b);
	nz_buf_printf(&b, "%s/%s", dir, STATE_FILE);
	st->path = b.s;
	st->held = nz_strset_new();
	state_read(st);
	return st;
}

static void
state_check(const national_state *st, nz_release *const *rs, size_t n)
{
	nz_buf key = {0};
	size_t i, p;
	long at;

	for (i = 0; i < n; i++)
		for (p = 0; p < rs[i]->nperiods; p++) {
			nz_buf_clear(&key);
			nz_buf_printf(&key, "%s,%s", rs[i]->agency,
			    rs[i]->periods[p]);
			at = nz_strset_find(st->held, key.s);
			if (at < 0 || strcmp(st->digest[at],
			    rs[i]->digest[p]) == 0)
				continue;
			nz_dieat(NZ_EXIT_DATA, rs[i]->path, 0, "%s %s differs "
			    "from the release of it NZCCSS already holds "
			    "(%s:%ld: key %s, rows sha256 %s; this one: key "
			    "%s, rows sha256 %s): a released quarter is final, "
			    "and a second release of it would show what "
			    "changed; refused.  If the one held was taken in "
			    "by mistake, remove its line", rs[i]->agency,
			    rs[i]->periods[p], st->path, st->line[at],
			    nz_qn(st->fingerprint[at], 12),
			    nz_qn(st->digest[at], 12),
			    nz_qn(rs[i]->fingerprint, 12),
			    nz_qn(rs[i]->digest[p], 12));
		}
	nz_buf_free(&key);
}

static void
state_write(const national_state *st)
{
	size_t n = nz_strset_count(st->held), i, ncols, *order;
	const char *const *cols = nz_cols(NZ_COLS_RECEIVED, &ncols);
	const char *field[4], **keys;
	char agency[NZ_AGENCY_MAX + 1];
	nz_buf tmp = {0};
	FILE *f;

	/* by agency, then period: every agency code sorts after ',' */
	keys = nz_malloc((n + 1) * sizeof *keys);
	order = nz_malloc((n + 1) * sizeof *order);
	for (i = 0; i < n; i++)
		keys[i] = nz_strset_key(st->held, i);
	qsort(keys, n, sizeof *keys, nz_strcmp_ptr);
	for (i = 0; i < n; i++)
		order[i] = (size_t)nz_strset_find(st->held, keys[i]);
	nz_buf_printf(&tmp, "%s.tmp", st->path);
	f = nz_fopen_out(tmp.s);
	nz_csv_header(f, cols, ncols);
	for (i = 0; i < n; i++) {
		const char *key = keys[i], *comma = strchr(key, ',');

		snprintf(agency, sizeof agency, "%.*s", (int)(comma - key),
		    key);
		field[0] = agency;
		field[1] = comma + 1;
		field[2] = st->fingerprint[order[i]];
		field[3] = st->digest[order[i]];
		nz_csv_fields(f, field, 4);
	}
	nz_fclose_out(f, tmp.s);
	if (rename(tmp.s, st->path) != 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", st->path, strerror(errno));
	nz_buf_free(&tmp);
	free(keys);
	free(order);
}

static void
state_record(national_state *st, nz_release *const *rs, size_t n)
{
	size_t i, p, before;

	for (i = 0; i < n; i++)
		for (p = 0; p < rs[i]->nperiods; p++) {
			before = nz_strset_count(st->held);
			state_add(st, rs[i]->agency, rs[i]->periods[p],
			    rs[i]->fingerprint, rs[i]->digest[p], 0);
			st->changed |= nz_strset_count(st->held) != before;
		}
	if (st->changed)
		state_write(st);
	st->changed = 0;
}

static void
state_close(national_state *st)
{
	if (!st)
		return;
	close(st->lock_fd);
	free(st->dir);
	free(st->path);
	nz_strset_free(st->held);
	free(st->fingerprint);
	free(st->digest);
	free(st->line);
	free(st);
}

void
nz_national_take_in(const char *dir, nz_release *const *rs, size_t n)
{
	national_state *st = state_open(dir);
	size_t i, p;

	/* a quarter published in secure mode takes no release (secstate.c) */
	for (i = 0; i < n; i++)
		for (p = 0; p < rs[i]->nperiods; p++)
			nz_secstate_check_release(dir, rs[i]->path,
			    rs[i]->agency, rs[i]->periods[p]);
	state_check(st, rs, n);
	state_record(st, rs, n);
	state_close(st);
}
