/* audit: prove that no suppressed cell of a release can be narrowed by the
 * published ones (DESIGN §5); the model is in filters/sdc/model.c. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "sdc.h"

/* a cell's name: period, agency, the dimensions (schema.c) */
#define NKEYS NZ_COL_MEASURES
#define NCOLS (NKEYS + NZ_NMEASURES)
static const char *const status_names[] = {"ok", "exposed", "inconsistent"};

/* one release cell, where it came from, and what the audit found */
struct row {
	char *key[NKEYS];                /* one block, key[0] its start */
	size_t klen[NKEYS];
	int64_t value[NZ_NMEASURES];
	unsigned char s[NZ_NMEASURES];   /* published as S */
	unsigned char kind;              /* enum sdc_kind */
	sdc_bound bound[NZ_NMEASURES];
	const char *file;
	long line;
	size_t order;
};

struct rows {
	struct row *row;
	size_t n, cap;
};

/* groups whose published figures break a relation (a perturbation) */
static long broken_groups;

/* What the reader knows of the S, and how to solve. */
enum mode {
	MODE_PRIMARY,     /* every S is primary (no secondary suppression) */
	MODE_PUBLIC,      /* the release (and manifest) alone */
	MODE_SECONDARY,   /* told which cells are secondary */
};
struct audit {
	nz_rules rules;
	enum mode mode;
	int secondary_possible;   /* public mode: may any cell be secondary */
	unsigned flags;           /* SDC_EXACT, SDC_LATENT */
};

/* --secondary-cells: the cells suppress hid to protect the others */
static struct {
	const char *path;
	nz_strset *cells;         /* period..service joined by '\x1f' */
	long *line;               /* where each was listed */
	unsigned char *found;     /* seen in the release */
} secondary;

static void
join_key(const nz_row *r, nz_buf *out)
{
	size_t i;

	nz_buf_clear(out);
	for (i = 0; i < NKEYS; i++) {
		if (i)
			nz_buf_addc(out, '\x1f');
		nz_buf_add(out, r->field[i], r->len[i]);
	}
}

static void
load_secondary(const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	nz_buf key = {0};
	size_t cap = 0, n, ncols;
	nz_row *r;
	int added;

	secondary.path = path;
	secondary.cells = nz_strset_new();
	nz_csv_expect_header(csv, nz_cols(NZ_COLS_CELL_KEY, &ncols), NKEYS);
	while (nz_csv_next_n(csv, &r, NKEYS) == 1) {
		join_key(r, &key);
		n = nz_strset_add(secondary.cells, key.s, &added);
		if (!added)
			nz_dieat(NZ_EXIT_DATA, path, r->line, "cell listed "
			    "twice (first at line %ld)", secondary.line[n]);
		nz_grow(&secondary.line, &cap, n + 1, sizeof *secondary.line);
		secondary.line[n] = r->line;
	}
	nz_csv_close(csv);
	secondary.found = nz_calloc(nz_strset_count(secondary.cells) + 1, 1);
	nz_buf_free(&key);
}

/* 1 if the release row is a listed secondary cell */
static int
is_secondary(const nz_row *r)
{
	static nz_buf key;
	long i;

	if (!secondary.cells)
		return 0;
	join_key(r, &key);
	i = nz_strset_find(secondary.cells, key.s);
	if (i < 0)
		return 0;
	secondary.found[i] = 1;
	return 1;
}

static void
check_secondary_found(void)
{
	size_t i, n;

	if (!secondary.cells)
		return;
	n = nz_strset_count(secondary.cells);
	for (i = 0; i < n; i++)
		if (!secondary.found[i])
			nz_dieat(NZ_EXIT_DATA, secondary.path, secondary.line[i],
			    "this secondary cell is not in the release");
	nz_strset_free(secondary.cells);
	free(secondary.line);
	free(secondary.found);
}

static void
usage(void)
{
	printf("Usage: %s [OPTION]... [FILE]...\n"
	    "   or: %s [OPTION]... --manifest MANIFEST\n"
	    "Audit release cells: for every suppressed (S) measure of every "
	    "cell, the\ninterval of true values consistent with everything "
	    "the release publishes.\nAn S passes when its interval holds "
	    "at least 3 whole numbers.\n\n"
	    "  --rules FILE    disclosure rules (default: the repository's\n"
	    "                  pipelines/rules/statsnz.json)\n"
	    "  --manifest M    audit the release that manifest M (or the folder "
	    "holding\n"
	    "                  manifest.json) describes, under its rules, "
	    "from the release\n"
	    "                  and manifest alone (--public) unless "
	    "--secondary-cells is\n"
	    "                  given; its sha256 is checked (no --rules or "
	    "FILE with it)\n"
	    "  --public        what a reader of the release alone can prove: "
	    "secondary\n"
	    "                  suppression hides whole cells, so an S beside "
	    "a published\n"
	    "                  measure is primary, and a cell with every "
	    "measure S may\n"
	    "                  hide anything (unless the manifest records no "
	    "secondary\n"
	    "                  suppression); the intervals NZCCSS uses\n"
	    "  --secondary-cells FILE  the cells suppress hid by secondary "
	    "suppression\n"
	    "                  (suppress --secondary-cells): their S may hide "
	    "anything the\n"
	    "                  cell held, every other S is primary; the "
	    "stricter check an\n"
	    "                  agency makes before sending\n"
	    "  --exact         exact integer low and high for every S (slower "
	    "on large\n"
	    "                  releases; the status is exact either way)\n"
	    "  --latent        add the latent cross-classification of linked "
	    "tables\n"
	    "                  (filters/sdc/latent.c): a stronger reader, at "
	    "10 to 40\n"
	    "                  times the time\n"
	    "  --time-limit SECONDS  stop (exit 1, no report) if the audit is "
	    "not done\n"
	    "                  within SECONDS (default 1800; 0: no limit)\n"
	    "  --statement FILE  when every S passes, write to FILE in words "
	    "what a\n"
	    "                  reader of the release can and cannot learn "
	    "under its rules\n"
	    "                  (under a cell-key perturbation, which "
	    "suppresses nothing:\n"
	    "                  the perturbation's bounds and consistency; the "
	    "audit then\n"
	    "                  checks that no S is published and that no "
	    "relation between\n"
	    "                  the published cells is broken)\n"
	    "  --cache DIR     keep each agency's and period's bounds in "
	    "DIR, named by the\n"
	    "                  sha256 of its cells, the rules and this "
	    "program, and read\n"
	    "                  them from there when all are the same "
	    "(a released quarter\n"
	    "                  is final: a national build audits only the "
	    "new ones)\n"
	    "  -j, --jobs N    audit the agencies' periods in N processes at "
	    "once (default:\n"
	    "                  the processors online); the report is the "
	    "same for every N\n"
	    "  -h, --help      show this help and exit\n"
	    "  -V, --version   show the version and exit\n\n"
	    "Without --public, --manifest or --secondary-cells every S is "
	    "primary.\n\n"
	    "Input: release cells (period,agency,region,age_band,gender,"
	    "ethnicity,\nhousehold,income,housing,need,service,clients,"
	    "households,events,units)\nfrom the FILEs or standard input; "
	    "cells of several agencies and periods\nare audited group by "
	    "group (one agency, one period), all four measures\nin one "
	    "integer model.\n\n"
	    "The model (filters/sdc/model.c): a published person count p "
	    "(clients,\nhouseholds) is a raw value of at least the threshold, "
	    "rounded by at most\nbase-1; a primary S is under the threshold; "
	    "events and units are\np-(base-1)..p+(base-1), their S unbounded "
	    "above.  A cell with * in a\nsingle-valued dimension (region "
	    "age_band gender household housing)\nequals the sum of its "
	    "children in clients, events and units; with * in a\n"
	    "multi-valued one (ethnicity income need service), and for "
	    "households in\nany, it is at least each child and at most their "
	    "sum.  In a cell,\nhouseholds are at most clients; with at most "
	    "one dimension coded, events\nare at least clients; a published "
	    "sum means at least sum_min_clients\nclients, a primary S sum "
	    "fewer.  Bounds are integer optima (GLPK); where\nan S passes "
	    "anyway they may be the LP optima rounded inward.\n\n"
	    "Output: CSV period,...,service,measure,low,high,status, one row "
	    "per S,\nin input order; high is 'inf' when nothing bounds it; "
	    "status is 'ok',\n'exposed' (fewer than 3 values) or "
	    "'inconsistent' (no true values fit).\n"
	    "Each exposed S is named on standard error, and for each "
	    "inconsistent\nagency and period the first relation its "
	    "published values break.\n\n"
	    "Exit status: 0 every S passes, 1 an S fails or the input is "
	    "bad, 2 usage error.\n", nz_prog, nz_prog);
	exit(NZ_EXIT_OK);
}

static void
check_keys(const nz_row *r, const char *file)
{
	size_t i;
	int year, quarter;

	if (nz_period_parse(r->field[0], &year, &quarter) < 0)
		nz_dieat(NZ_EXIT_DATA, file, r->line, "period: expected a "
		    "quarter like 2026Q3, found %s", nz_q(r->field[0]));
	if (!nz_agency_valid(r->field[1]))
		nz_dieat(NZ_EXIT_DATA, file, r->line, "agency: expected 2 to "
		    "16 lower case letters, digits or '-', found %s",
		    nz_q(r->field[1]));
	for (i = 2; i < NKEYS; i++)
		if (r->len[i] == 0 || strchr(r->field[i], '|'))
			nz_dieat(NZ_EXIT_DATA, file, r->line, "%s: expected one "
			    "code or '*', found %s", nz_dims[i - NZ_COL_DIMS].name,
			    nz_q(r->field[i]));
}

/* What the reader knows of this cell's S. */
static unsigned char
cell_kind(const struct audit *au, const struct row *row, int listed)
{
	sdc_cell cell;
	int m;

	if (au->mode == MODE_SECONDARY)
		return listed ? SDC_SECONDARY : SDC_PRIMARY;
	if (au->mode == MODE_PRIMARY)
		return SDC_PRIMARY;
	for (m = 0; m < NZ_NMEASURES; m++)
		cell.s[m] = row->s[m];
	sdc_public_kinds(&cell, 1, au->secondary_possible);
	return cell.kind;
}

static void
read_measures(const nz_row *r, const char *file, struct row *row,
    const struct audit *au)
{
	sdc_cell cell;
	const char *s, *why;
	char msg[320];
	long v;
	int m, other, hint, listed = is_secondary(r);

	memset(&cell, 0, sizeof cell);
	for (m = 0; m < NZ_NMEASURES; m++) {
		s = r->field[NKEYS + m];
		row->s[m] = strcmp(s, "S") == 0;
		if (!row->s[m] && nz_parse_long(s, 0, SDC_MAX_VALUE, &v) < 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "%s: expected a "
			    "whole number (0 to %ld) or S, found %s",
			    nz_measure_names[m], SDC_MAX_VALUE, nz_q(s));
		row->value[m] = row->s[m] ? 0 : v;
		cell.value[m] = row->value[m];
		cell.s[m] = row->s[m];
	}
	row->kind = cell.kind = cell_kind(au, row, listed);
	why = sdc_cell_error(&au->rules, &cell, &m);
	if (!why)
		return;
	snprintf(msg, sizeof msg, "%s", why);
	if (listed && cell.kind == SDC_SECONDARY && !row->s[m])
		snprintf(msg, sizeof msg, "%s lists this cell as secondary, "
		    "yet it publishes %s", secondary.path,
		    nz_q(r->field[NKEYS + m]));
	/* would an S that may be secondary explain it? */
	cell.kind = SDC_EITHER;
	hint = au->mode == MODE_PRIMARY && !au->rules.perturb.max &&
	    !sdc_cell_error(&au->rules, &cell, &other);
	nz_dieat(NZ_EXIT_DATA, file, r->line, "%s: %s%s",
	    nz_measure_names[m], msg, hint ? " (if the release has "
	    "secondary suppressions, use --public or --secondary-cells)" :
	    "");
}

static void
read_release(const char *path, struct rows *rows, const struct audit *au)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *r;
	struct row *row;
	size_t i, ncols, len;
	char *block;

	nz_csv_expect_header(csv, nz_cols(NZ_COLS_RELEASE, &ncols), NCOLS);
	while (nz_csv_next_n(csv, &r, NCOLS) == 1) {
		check_keys(r, file);
		nz_grow(&rows->row, &rows->cap, rows->n + 1, sizeof *rows->row);
		row = &rows->row[rows->n];
		memset(row, 0, sizeof *row);
		read_measures(r, file, row, au);
		/* the keys in one block: a national build reads every
		 * release's cells, most of them from the cache */
		for (i = 0, len = 0; i < NKEYS; i++)
			len += r->len[i] + 1;
		block = nz_malloc(len);
		for (i = 0; i < NKEYS; i++) {
			row->key[i] = block;
			row->klen[i] = r->len[i];
			memcpy(block, r->field[i], r->len[i]);
			block[r->len[i]] = '\0';
			block += r->len[i] + 1;
		}
		row->file = path && strcmp(path, "-") != 0 ? path : "<stdin>";
		row->line = r->line;
		row->order = rows->n++;
	}
	nz_csv_close(csv);
}

static void
free_rows(struct rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		free(rows->row[i].key[0]);
	free(rows->row);
}

/* groups: one agency, one period; input order within */
static int
group_cmp(const void *x, const void *y)
{
	const struct row *a = *(struct row *const *)x;
	const struct row *b = *(struct row *const *)y;
	int c = strcmp(a->key[1], b->key[1]);

	if (c == 0)
		c = strcmp(a->key[0], b->key[0]);
	if (c == 0)
		c = a->order < b->order ? -1 : a->order > b->order;
	return c;
}

static void
describe(const struct row *row, nz_buf *out)
{
	nz_cell_label(out, row->key[0], row->key[1],
	    (const char *const *)row->key + 2);
}

/* An inconsistent group: name the first relation its figures break. */
static void
name_violation(sdc_group *g, struct row **group)
{
	nz_buf why = {0}, label = {0};
	size_t cell;

	if (sdc_violation(g, &cell, &why) < 0) {
		describe(group[0], &label);
		nz_warnat(group[0]->file, 0, "inconsistent: no true values fit "
		    "the published cells of %s %s together", group[0]->key[1],
		    group[0]->key[0]);
	} else {
		describe(group[cell], &label);
		nz_warnat(group[cell]->file, group[cell]->line, "inconsistent: "
		    "the published values of %s break a relation: %s",
		    label.s, why.s);
	}
	nz_buf_free(&why);
	nz_buf_free(&label);
}


/* ---- --cache DIR: each group's bounds, kept by what they depend on ----
 *
 * A group's bounds are a function of its cells (codes, published values
 * and S, and what the reader knows of each S), the rules, the flags and
 * the engine: the entry's name is the sha256 of all of them, this
 * program's own file included, so a change to any gives a new name and
 * the old entry is never read for it.  A quarter an agency released is
 * final (its rows byte for byte the same in every later release), so a
 * national build audits only the quarters new since the last one.  The
 * cache is the auditor's own (NZCCSS's): an entry is trusted as written.
 *   DIR/PERIOD/AGENCY.SHA256: "nzccss-audit-cache 1 N", then one line
 *   "low high status" (high "inf" for none, status 0 ok or 1 exposed)
 *   for each of the group's N S in order, then "end".
 * A group with an inconsistent S, or whose figures break a relation, is
 * never kept (its warnings are then said on every run); a damaged entry
 * is said, solved again and written anew; an entry of the same agency
 * and period under another name is removed when one is written; each
 * is written as ENTRY.tmp, then renamed. */
static struct {
	const char *dir;
	char exe[65];             /* sha256 of this program */
} cache;

static void
hash_text(crypto_hash_sha256_state *st, const char *s, size_t n)
{
	crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

static void
hash_printf(crypto_hash_sha256_state *st, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		nz_die(NZ_EXIT_DATA, "--cache: a key part too long to hash");
	hash_text(st, buf, (size_t)n);
}

/* The path of the group's entry (malloc'd). */
static char *
cache_path(struct row **group, size_t n, const struct audit *au)
{
	const nz_rules *r = &au->rules;
	const nz_perturb *pt = &r->perturb;
	crypto_hash_sha256_state st;
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	nz_buf path = {0}, cell = {0};
	size_t i, k;
	int m, w;

	crypto_hash_sha256_init(&st);
	hash_printf(&st, "nzccss-audit-cache 1\n%s\nflags %u\n", cache.exe,
	    au->flags);
	hash_text(&st, r->name, strnlen(r->name, sizeof r->name));
	hash_printf(&st, "\n%ld %ld %ld %d", r->threshold, r->base,
	    r->sum_min_clients, r->suppress_zero);
	for (m = 0; m < NZ_NMEASURES; m++)
		hash_printf(&st, " %d", (int)r->kind[m]);
	hash_printf(&st, "\nperturb %ld %d %d %d", pt->max, pt->zero_kept,
	    pt->first, pt->rows);
	for (k = 0; k < NZ_PERTURB_ROWS; k++)
		for (w = 0; w < 2 * NZ_PERTURB_MAX + 1; w++)
			hash_printf(&st, " %d", pt->weight[k][w]);
	hash_printf(&st, "\ncells %zu\n", n);
	/* each cell's bytes put together and hashed at once (a printf per
	 * measure was a tenth of a cached release's time): its keys with their
	 * NULs, then "S;" or the value and ';' for each measure, then its
	 * kind and a newline */
	for (i = 0; i < n; i++) {
		const struct row *row = group[i];
		nz_buf_clear(&cell);
		/* the keys are one block, each with its NUL */
		nz_buf_add(&cell, row->key[0], (size_t)(row->key[NKEYS - 1] -
		    row->key[0]) + row->klen[NKEYS - 1] + 1);
		for (m = 0; m < NZ_NMEASURES; m++) {
			if (row->s[m])
				nz_buf_addc(&cell, 'S');
			else
				nz_buf_add_uint(&cell,
				    (unsigned long long)row->value[m]);
			nz_buf_addc(&cell, ';');
		}
		nz_buf_add_uint(&cell, row->kind);
		nz_buf_addc(&cell, '\n');
		hash_text(&st, cell.s, cell.len);
	}
	nz_buf_free(&cell);
	crypto_hash_sha256_final(&st, hash);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	nz_buf_printf(&path, "%s/%s/%s.%s", cache.dir, group[0]->key[0],
	    group[0]->key[1], hex);
	return path.s;
}

static size_t
count_s(struct row **group, size_t n)
{
	size_t i, ns = 0;
	int m;

	for (i = 0; i < n; i++)
		for (m = 0; m < NZ_NMEASURES; m++)
			ns += group[i]->s[m];
	return ns;
}

/* One "low high status" line into b; 0 if it is not one. */
static int
parse_bound(char *line, sdc_bound *b)
{
	char *lo = strtok(line, " \n"), *hi = strtok(NULL, " \n");
	char *st = strtok(NULL, " \n");
	long v, h, s;

	if (!lo || !hi || !st || strtok(NULL, " \n") ||
	    nz_parse_long(lo, 0, LONG_MAX, &v) < 0 ||
	    nz_parse_long(st, 0, 1, &s) < 0)
		return 0;
	if (strcmp(hi, "inf") == 0)
		h = -1;
	else if (nz_parse_long(hi, v, LONG_MAX, &h) < 0)
		return 0;
	b->low = v;
	b->high = h < 0 ? SDC_INF : h;
	b->status = s == 1 ? SDC_EXPOSED : SDC_OK;
	return 1;
}

/* The group's bounds from its entry: 1 if it is there and whole. */
static int
cache_read(const char *path, struct row **group, size_t n)
{
	size_t i, k = 0, ns = count_s(group, n);
	sdc_bound *b = nz_calloc(ns + 1, sizeof *b);
	char line[128], head[64];
	int m, ok = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno != ENOENT)
			nz_die(NZ_EXIT_DATA, "%s: cannot read: %s", path,
			    strerror(errno));
		free(b);
		return 0;
	}
	snprintf(head, sizeof head, "nzccss-audit-cache 1 %zu\n", ns);
	if (fgets(line, sizeof line, f) && strcmp(line, head) == 0) {
		while (k < ns && fgets(line, sizeof line, f) &&
		    parse_bound(line, &b[k]))
			k++;
		ok = k == ns && fgets(line, sizeof line, f) &&
		    strcmp(line, "end\n") == 0 &&
		    !fgets(line, sizeof line, f);
	}
	if (ferror(f))
		nz_die(NZ_EXIT_DATA, "%s: cannot read: %s", path,
		    strerror(errno));
	fclose(f);
	if (!ok)
		nz_warn("%s: a damaged cache entry, solved again", path);
	for (i = 0, k = 0; ok && i < n; i++)
		for (m = 0; m < NZ_NMEASURES; m++)
			if (group[i]->s[m])
				group[i]->bound[m] = b[k++];
	free(b);
	return ok;
}

/* Remove the other entries of this agency and period. */
static void
cache_prune(const char *path)
{
	const char *base = strrchr(path, '/') + 1, *dot = strrchr(base, '.');
	size_t dirlen = (size_t)(base - path), stem = (size_t)(dot - base) + 1;
	char *dir = nz_strndup(path, dirlen);
	nz_buf other = {0};
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		nz_die(NZ_EXIT_DATA, "%s: cannot read the folder: %s", dir,
		    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, base, stem) != 0 ||
		    strcmp(e->d_name, base) == 0 ||
		    strchr(e->d_name + stem, '.'))
			continue;
		nz_buf_clear(&other);
		nz_buf_printf(&other, "%s%s", dir, e->d_name);
		if (unlink(other.s) != 0 && errno != ENOENT)
			nz_die(NZ_EXIT_DATA, "%s: cannot remove: %s", other.s,
			    strerror(errno));
	}
	closedir(d);
	nz_buf_free(&other);
	free(dir);
}

static void
cache_write(const char *path, struct row **group, size_t n)
{
	char *dir = nz_strndup(path, (size_t)(strrchr(path, '/') - path));
	nz_buf tmp = {0};
	FILE *f;
	size_t i;
	int m;

	nz_state_mkdirs(dir);
	nz_buf_printf(&tmp, "%s.tmp", path);
	f = nz_fopen_out(tmp.s);
	fprintf(f, "nzccss-audit-cache 1 %zu\n", count_s(group, n));
	for (i = 0; i < n; i++)
		for (m = 0; m < NZ_NMEASURES; m++) {
			const sdc_bound *b = &group[i]->bound[m];
			if (!group[i]->s[m])
				continue;
			fprintf(f, "%lld ", (long long)b->low);
			if (b->high == SDC_INF)
				fprintf(f, "inf");
			else
				fprintf(f, "%lld", (long long)b->high);
			fprintf(f, " %d\n", b->status == SDC_EXPOSED);
		}
	fprintf(f, "end\n");
	nz_fclose_out(f, tmp.s);
	if (rename(tmp.s, path) != 0)
		nz_die(NZ_EXIT_DATA, "%s: cannot rename to %s: %s", tmp.s,
		    path, strerror(errno));
	cache_prune(path);
	nz_buf_free(&tmp);
	free(dir);
}

/* 1 if the group's bounds were in the cache (now in its rows) */
static int
cached(struct row **group, size_t n, const struct audit *au)
{
	char *entry;
	int hit;

	if (!cache.dir)
		return 0;
	entry = cache_path(group, n, au);
	hit = cache_read(entry, group, n);
	free(entry);
	return hit;
}

/* Bound every S of the group (into its rows), which the cache did not
 * hold (cached), and keep them there; 1 if its figures break a relation
 * (said here), else 0. */
static int
audit_group(struct row **group, size_t n, const struct audit *au)
{
	sdc_cell *cells = nz_calloc(n, sizeof *cells);
	sdc_bound *bound = nz_calloc(n * NZ_NMEASURES, sizeof *bound);
	nz_buf why = {0}, label = {0};
	size_t i, dup[2];
	sdc_group *g;
	char *entry = NULL;
	int m, d, inconsistent = 0, broken = 0;

	if (cache.dir)
		entry = cache_path(group, n, au);
	for (i = 0; i < n; i++) {
		for (d = 0; d < NZ_NDIMS; d++)
			cells[i].dim[d] = group[i]->key[2 + d];
		for (m = 0; m < NZ_NMEASURES; m++) {
			cells[i].value[m] = group[i]->value[m];
			cells[i].s[m] = group[i]->s[m];
		}
		cells[i].kind = group[i]->kind;
	}
	g = sdc_new(&au->rules, cells, n, au->flags, dup);
	if (!g) {
		free(cells);
		free(bound);
	}
	if (!g)
		nz_dieat(NZ_EXIT_DATA, group[dup[1]]->file, group[dup[1]]->line,
		    "duplicate cell: the same period, agency and codes as "
		    "%s:%ld", group[dup[0]]->file, group[dup[0]]->line);
	sdc_solve(g, bound);
	for (i = 0; i < n; i++)
		for (m = 0; m < NZ_NMEASURES; m++)
			if (group[i]->s[m]) {
				group[i]->bound[m] = bound[i * NZ_NMEASURES + m];
				inconsistent |= bound[i * NZ_NMEASURES +
				    m].status == SDC_INCONSISTENT;
			}
	/* no S to solve for under a perturbation: check the relations */
	if (au->rules.perturb.max && sdc_violation(g, &i, &why) == 0) {
		describe(group[i], &label);
		nz_warnat(group[i]->file, group[i]->line, "inconsistent: the "
		    "published values of %s break a relation: %s", label.s,
		    why.s);
		broken = 1;
	}
	nz_buf_free(&why);
	nz_buf_free(&label);
	if (inconsistent)
		name_violation(g, group);
	if (entry && !inconsistent && !broken)
		cache_write(entry, group, n);
	free(entry);
	sdc_free(g);
	free(cells);
	free(bound);
	return broken;
}

/* The groups (agency and period) the cache does not hold, each a task
 * for nz_parallel: they are independent.  The cached ones are read first,
 * here: a worker forked to read a file cost more than the reading (a
 * national build after a new quarter reads eleven of each release's
 * twelve).  A task's result: 1 if the group breaks a relation, else
 * 0, then every S's bound in the order of cells and measures. */
struct groups {
	const struct audit *au;
	struct row **sorted;
	size_t *start;            /* group k: sorted[start[k] .. start[k+1]) */
	size_t n;
	size_t *solve, nsolve;    /* task k: group solve[k], not cached */
};

static void
audit_run(size_t k, void *arg, nz_buf *result)
{
	struct groups *gs = arg;
	size_t g = gs->solve[k];
	struct row **group = gs->sorted + gs->start[g];
	size_t i, n = gs->start[g + 1] - gs->start[g];
	int m;

	nz_buf_addc(result, (char)audit_group(group, n, gs->au));
	for (i = 0; i < n; i++)
		for (m = 0; m < NZ_NMEASURES; m++)
			if (group[i]->s[m])
				nz_buf_add(result,
				    (const char *)&group[i]->bound[m],
				    sizeof group[i]->bound[m]);
}

static void
audit_take(size_t k, void *arg, const char *result, size_t len)
{
	struct groups *gs = arg;
	size_t g = gs->solve[k];
	struct row **group = gs->sorted + gs->start[g];
	size_t i, n = gs->start[g + 1] - gs->start[g], at = 1;
	int m;

	if (len != 1 + count_s(group, n) * sizeof(sdc_bound))
		nz_die(NZ_EXIT_DATA, "internal error: a worker's result for "
		    "%s %s has %zu bytes", group[0]->key[1], group[0]->key[0],
		    len);
	if (nz_progress_wanted())   /* as each is taken, whoever ran it */
		fprintf(stderr, "%s: audited %s %s (%zu of %zu)\r", nz_prog,
		    group[0]->key[1], group[0]->key[0], g + 1, gs->n);
	broken_groups += result[0];
	for (i = 0; i < n; i++)
		for (m = 0; m < NZ_NMEASURES; m++)
			if (group[i]->s[m]) {
				memcpy(&group[i]->bound[m], result + at,
				    sizeof group[i]->bound[m]);
				at += sizeof group[i]->bound[m];
			}
}

static void
audit_all(struct rows *rows, const struct audit *au, int jobs)
{
	struct groups gs = {au, NULL, NULL, 0, NULL, 0};
	size_t i, k;

	gs.sorted = nz_calloc(rows->n + 1, sizeof *gs.sorted);
	gs.start = nz_calloc(rows->n + 1, sizeof *gs.start);
	for (i = 0; i < rows->n; i++)
		gs.sorted[i] = &rows->row[i];
	qsort(gs.sorted, rows->n, sizeof *gs.sorted, group_cmp);
	for (i = 0; i < rows->n; i++)
		if (i == 0 || strcmp(gs.sorted[i]->key[0],
		    gs.sorted[i - 1]->key[0]) || strcmp(gs.sorted[i]->key[1],
		    gs.sorted[i - 1]->key[1]))
			gs.start[gs.n++] = i;
	gs.start[gs.n] = rows->n;
	gs.solve = nz_calloc(gs.n + 1, sizeof *gs.solve);
	for (k = 0; k < gs.n; k++)
		if (!cached(gs.sorted + gs.start[k], gs.start[k + 1] -
		    gs.start[k], au))
			gs.solve[gs.nsolve++] = k;
	nz_parallel(gs.nsolve, jobs, audit_run, audit_take, &gs);
	if (nz_progress_wanted() && gs.n)
		fprintf(stderr, "\n");
	free(gs.solve);
	free(gs.start);
	free(gs.sorted);
}

/* a bound in decimal, its length (nz_fmt_uint, never negative in fact) */
static size_t
fmt_bound(char out[NZ_UINT_BUF], int64_t v)
{
	if (v < 0)
		return (size_t)snprintf(out, NZ_UINT_BUF, "%lld", (long long)v);
	return nz_fmt_uint(out, (unsigned long long)v);
}

static int
report(const struct rows *rows)
{
	const char *field[NKEYS + 4];
	size_t len[NKEYS + 4];
	char low[NZ_UINT_BUF], high[NZ_UINT_BUF];
	nz_buf cell = {0};
	size_t i, ncols;
	int m, k, failed = 0;

	nz_csv_header(stdout, nz_cols(NZ_COLS_AUDIT, &ncols), NKEYS + 4);
	for (i = 0; i < rows->n; i++) {
		const struct row *row = &rows->row[i];
		for (m = 0; m < NZ_NMEASURES; m++) {
			const sdc_bound *b = &row->bound[m];
			if (!row->s[m])
				continue;
			for (k = 0; k < NKEYS; k++) {
				field[k] = row->key[k];
				len[k] = row->klen[k];
			}
			/* without printf: a national build writes every S of
			 * every release */
			len[NKEYS + 1] = fmt_bound(low, b->low);
			len[NKEYS + 2] = b->high == SDC_INF ?
			    (size_t)snprintf(high, sizeof high, "inf") :
			    fmt_bound(high, b->high);
			if (b->status == SDC_INCONSISTENT) {
				low[0] = high[0] = '\0';
				len[NKEYS + 1] = len[NKEYS + 2] = 0;
			}
			field[NKEYS] = nz_measure_names[m];
			field[NKEYS + 1] = low;
			field[NKEYS + 2] = high;
			field[NKEYS + 3] = status_names[b->status];
			len[NKEYS] = strlen(field[NKEYS]);
			len[NKEYS + 3] = strlen(field[NKEYS + 3]);
			nz_csv_record(stdout, field, len, NKEYS + 4);
			failed |= 1 << b->status;
			if (b->status != SDC_EXPOSED)
				continue;
			describe(row, &cell);
			nz_warnat(row->file, row->line, "%s of %s is exposed: "
			    "its true value lies in %s..%s",
			    nz_measure_names[m], cell.s, low, high);
		}
	}
	nz_buf_free(&cell);
	return failed & ~1;
}

/* --statement: what a reader of the release can and cannot learn, from
 * the rules and this audit's counts (rules.c words it). */
static void
write_statement(const char *path, const nz_rules *rules,
    const struct rows *rows)
{
	FILE *f = nz_fopen_out(path);
	long figures = 0, s = 0;
	size_t i;
	int m;

	for (i = 0; i < rows->n; i++)
		for (m = 0; m < NZ_NMEASURES; m++) {
			figures++;
			s += rows->row[i].s[m];
		}
	nz_rules_statement(f, rules, figures, s);
	nz_fclose_out(f, path);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"manifest", required_argument, NULL, 'm'},
		{"public", no_argument, NULL, 'p'},
		{"secondary-cells", required_argument, NULL, 'c'},
		{"exact", no_argument, NULL, 'e'},
		{"latent", no_argument, NULL, 'l'},
		{"time-limit", required_argument, NULL, 't'},
		{"statement", required_argument, NULL, 's'},
		{"cache", required_argument, NULL, 'C'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct rows rows = {0};
	struct audit au = {0};
	char *rules_path = NULL, *manifest = NULL, *cells_path = NULL;
	const char *statement = NULL;
	nz_release *rel = NULL;
	int c, failed, ret, public = 0;
	long limit = SDC_DEFAULT_TIME;
	int jobs = nz_jobs_default();

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "j:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			free(rules_path);
			rules_path = nz_strdup(optarg);
			break;
		case 'm':
			free(manifest);
			manifest = nz_strdup(optarg);
			break;
		case 'p': public = 1; break;
		case 'c':
			free(cells_path);
			cells_path = nz_strdup(optarg);
			break;
		case 'e': au.flags |= SDC_EXACT; break;
		case 'l': au.flags |= SDC_LATENT; break;
		case 't':
			if (nz_parse_long(optarg, 0, SDC_MAX_TIME, &limit) < 0)
				nz_usage_error("--time-limit: expected whole "
				    "seconds from 0 to 31536000, found %s",
				    nz_q(optarg));
			break;
		case 's':
			statement = nz_side_path("--statement", optarg);
			break;
		case 'C':
			if (optarg[0] == '\0')
				nz_usage_error("--cache: expected a folder");
			cache.dir = optarg;
			break;
		case 'j': jobs = nz_jobs_arg(optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (manifest && (rules_path || optind < argc))
		nz_usage_error("--manifest takes the release and its rules from "
		    "the manifest: give no --rules and no FILE");
	if (cells_path && public)
		nz_usage_error("--secondary-cells and --public: give one");
	au.mode = cells_path ? MODE_SECONDARY : public || manifest ?
	    MODE_PUBLIC : MODE_PRIMARY;
	au.secondary_possible = 1;
	if (cells_path)
		load_secondary(cells_path);
	if (manifest) {
		/* checks the manifest and the release's sha256 first */
		rel = nz_release_load(manifest);
		au.rules = rel->rules;
		if (cells_path && (rel->secondary > 0) !=
		    (nz_strset_count(secondary.cells) > 0))
			nz_die(NZ_EXIT_DATA, "%s lists %zu secondary cells, but "
			    "%s records %s secondary suppressions", cells_path,
			    nz_strset_count(secondary.cells), rel->manifest_path,
			    rel->secondary > 0 ? "some" : "no");
		au.secondary_possible = rel->secondary != 0;
		read_release(rel->path, &rows, &au);
	} else {
		if (!rules_path)
			rules_path = nz_pipelines_path("rules/statsnz.json");
		nz_rules_load(rules_path, &au.rules);
		if (optind == argc)
			read_release("-", &rows, &au);
		for (; optind < argc; optind++)
			read_release(argv[optind], &rows, &au);
	}
	check_secondary_found();
	if (cache.dir && nz_sha256_file("/proc/self/exe", cache.exe) < 0)
		nz_die(NZ_EXIT_DATA, "--cache: cannot read this program "
		    "(/proc/self/exe) to name its entries: %s", strerror(errno));
	sdc_time_limit((double)limit);
	audit_all(&rows, &au, jobs);
	failed = report(&rows);
	if (broken_groups)
		failed |= 1 << SDC_INCONSISTENT;
	if (statement && !failed)
		write_statement(statement, &au.rules, &rows);
	if ((failed & (1 << SDC_INCONSISTENT)) && au.mode == MODE_PRIMARY &&
	    !au.rules.perturb.max)
		nz_warn("if the release has secondary suppressions, audit it "
		    "with --public, or with --secondary-cells listing them");
	ret = nz_close_stdout();
	free_rows(&rows);
	free(rules_path);
	free(manifest);
	free(cells_path);
	nz_release_free(rel);
	return failed || ret ? NZ_EXIT_DATA : NZ_EXIT_OK;
}
