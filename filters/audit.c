/* audit: prove that no suppressed cell of a release can be narrowed by the
 * published ones (DESIGN §5); the model is in filters/lib/audit.c. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

/* a cell's name: period, agency, the dimensions (schema.c) */
#define NKEYS NZ_COL_MEASURES
#define NCOLS (NKEYS + NZ_NMEASURES)
static const char *const status_names[] = {"ok", "exposed", "inconsistent"};

/* one release cell, where it came from, and what the audit found */
struct row {
	char *key[NKEYS];
	long value[NZ_NMEASURES];
	unsigned char suppressed[NZ_NMEASURES];   /* enum nz_audit_state */
	nz_audit_bound bound[NZ_NMEASURES];
	const char *file;
	long line;
	size_t order;
};

struct rows {
	struct row *row;
	size_t n, cap;
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
	    "the release publishes.\nA cell passes when its interval holds "
	    "at least 3 whole numbers.\n\n"
	    "  --rules FILE    disclosure rules (default: the repository's\n"
	    "                  pipelines/rules/statsnz.json)\n"
	    "  --manifest M    audit the release that manifest M (or the folder "
	    "holding\n"
	    "                  manifest.json) describes, under its rules; its "
	    "sha256 is\n"
	    "                  checked, and --unbounded-s is implied when it "
	    "records\n"
	    "                  secondary suppressions (no --rules or FILE with "
	    "it)\n"
	    "  --secondary-cells FILE  the cells suppress hid by secondary "
	    "suppression\n"
	    "                  (suppress --secondary-cells): their S may hide "
	    "any value,\n"
	    "                  every other S is under the threshold; the "
	    "stricter check\n"
	    "                  an agency can make before sending (with "
	    "--manifest, it\n"
	    "                  replaces the implied --unbounded-s)\n"
	    "  --unbounded-s   an S may hide any value, not only one under "
	    "the threshold:\n"
	    "                  use it when the release has secondary "
	    "suppressions\n"
	    "  --exact         exact integer low and high for every S (slower "
	    "on large\n"
	    "                  releases; the status is exact either way)\n"
	    "  -h, --help      show this help and exit\n"
	    "  -V, --version   show the version and exit\n\n"
	    "Input: release cells (period,agency,region,age_band,gender,"
	    "ethnicity,\nhousehold,income,housing,need,service,clients,"
	    "households,events,units)\nfrom the FILEs or standard input; "
	    "cells of several agencies and periods\nare audited group by "
	    "group (one agency, one period).\n\n"
	    "The model: a published person count p (clients, households) "
	    "is a raw value\nof at least the threshold, rounded by at most "
	    "base-1; an S is 0..threshold-1;\nevents and units are p-(base-1)"
	    "..p+(base-1), their S unbounded above.  A cell\nwith * in a "
	    "single-valued dimension (region age_band gender household "
	    "housing)\nequals the sum of its children (households: at most "
	    "the sum); with * in a\nmulti-valued one (ethnicity income need "
	    "service) it is at least each child\nand at most their sum.  "
	    "In a cell, households are at most clients, and a\npublished "
	    "sum means at least sum_min_clients clients (an S sum, fewer).\n"
	    "Bounds are integer optima (GLPK); where a cell passes anyway "
	    "they may be\nthe LP optima rounded inward, an outer bound.\n\n"
	    "Output: CSV period,...,service,measure,low,high,status, one row "
	    "per S,\nin input order; high is 'inf' when nothing bounds it; "
	    "status is 'ok',\n'exposed' (fewer than 3 values) or "
	    "'inconsistent' (no true values fit).\n"
	    "Each exposed or inconsistent cell is also named on standard "
	    "error.\n\n"
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

static void
read_measures(const nz_row *r, const char *file, struct row *row,
    const nz_rules *rules, unsigned flags)
{
	nz_audit_cell cell;
	const char *s, *why;
	char msg[320];
	int m, other, unbounded, listed = is_secondary(r);

	memset(&cell, 0, sizeof cell);
	for (m = 0; m < NZ_NMEASURES; m++) {
		s = r->field[NKEYS + m];
		row->suppressed[m] = strcmp(s, "S") != 0 ? NZ_AUDIT_PUBLISHED :
		    listed ? NZ_AUDIT_SECONDARY : NZ_AUDIT_PRIMARY;
		if (!row->suppressed[m] && listed)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "%s: %s lists "
			    "this cell as secondary, yet it publishes %s",
			    nz_measure_names[m], secondary.path, nz_q(s));
		if (!row->suppressed[m] &&
		    nz_parse_long(s, 0, NZ_AUDIT_MAX_VALUE, &row->value[m]) < 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "%s: expected a "
			    "whole number (0 to %ld) or S, found %s",
			    nz_measure_names[m], NZ_AUDIT_MAX_VALUE, nz_q(s));
		cell.value[m] = row->value[m];
		cell.state[m] = row->suppressed[m];
	}
	why = nz_audit_cell_error(rules, flags, &cell, &m);
	if (!why)
		return;
	snprintf(msg, sizeof msg, "%s", why);
	/* would S that may be secondary explain it? */
	unbounded = !(flags & NZ_AUDIT_UNBOUNDED_S) && !secondary.cells &&
	    !nz_audit_cell_error(rules, flags | NZ_AUDIT_UNBOUNDED_S, &cell,
	    &other);
	nz_dieat(NZ_EXIT_DATA, file, r->line, "%s: %s%s",
	    nz_measure_names[m], msg, unbounded ? " (if the release has "
	    "secondary suppressions, use --unbounded-s or --secondary-cells)" :
	    "");
}

static void
read_release(const char *path, struct rows *rows,
    const nz_rules *rules, unsigned flags)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *r;
	struct row *row;
	size_t i, ncols;

	nz_csv_expect_header(csv, nz_cols(NZ_COLS_RELEASE, &ncols), NCOLS);
	while (nz_csv_next_n(csv, &r, NCOLS) == 1) {
		check_keys(r, file);
		nz_grow(&rows->row, &rows->cap, rows->n + 1, sizeof *rows->row);
		row = &rows->row[rows->n];
		memset(row, 0, sizeof *row);
		read_measures(r, file, row, rules, flags);
		for (i = 0; i < NKEYS; i++)
			row->key[i] = nz_strndup(r->field[i], r->len[i]);
		row->file = path && strcmp(path, "-") != 0 ? path : "<stdin>";
		row->line = r->line;
		row->order = rows->n++;
	}
	nz_csv_close(csv);
}

static void
free_rows(struct rows *rows)
{
	size_t i, k;

	for (i = 0; i < rows->n; i++)
		for (k = 0; k < NKEYS; k++)
			free(rows->row[i].key[k]);
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
audit_group(struct row **group, size_t n, const nz_rules *rules,
    unsigned flags)
{
	nz_audit_cell *cells = nz_calloc(n, sizeof *cells);
	nz_audit_bound *bound = nz_calloc(n, sizeof *bound);
	size_t i, dup[2];
	nz_audit *a;
	int m, d;

	for (i = 0; i < n; i++) {
		for (d = 0; d < NZ_NDIMS; d++)
			cells[i].dim[d] = group[i]->key[2 + d];
		for (m = 0; m < NZ_NMEASURES; m++) {
			cells[i].value[m] = group[i]->value[m];
			cells[i].state[m] = group[i]->suppressed[m];
		}
	}
	a = nz_audit_new(rules, cells, n, flags, dup);
	if (!a)
		nz_dieat(NZ_EXIT_DATA, group[dup[1]]->file, group[dup[1]]->line,
		    "duplicate cell: the same period, agency and codes as "
		    "%s:%ld", group[dup[0]]->file, group[dup[0]]->line);
	for (m = 0; m < NZ_NMEASURES; m++) {
		for (i = 0; i < n && !group[i]->suppressed[m]; i++)
			;
		if (i == n)
			continue;
		nz_audit_solve(a, m, bound);
		for (i = 0; i < n; i++)
			if (group[i]->suppressed[m])
				group[i]->bound[m] = bound[i];
	}
	nz_audit_free(a);
	free(cells);
	free(bound);
}

static void
audit_all(struct rows *rows, const nz_rules *rules, unsigned flags)
{
	struct row **sorted = nz_calloc(rows->n + 1, sizeof *sorted);
	size_t i, start, ngroups = 0, done = 0;

	for (i = 0; i < rows->n; i++)
		sorted[i] = &rows->row[i];
	qsort(sorted, rows->n, sizeof *sorted, group_cmp);
	for (i = 0; i < rows->n; i++)
		ngroups += i == 0 || strcmp(sorted[i]->key[0],
		    sorted[i - 1]->key[0]) || strcmp(sorted[i]->key[1],
		    sorted[i - 1]->key[1]);
	for (start = 0; start < rows->n; start = i) {
		for (i = start + 1; i < rows->n &&
		    strcmp(sorted[i]->key[0], sorted[start]->key[0]) == 0 &&
		    strcmp(sorted[i]->key[1], sorted[start]->key[1]) == 0; i++)
			;
		if (nz_progress_wanted())
			fprintf(stderr, "%s: auditing %s %s (%zu of %zu)\r",
			    nz_prog, sorted[start]->key[1],
			    sorted[start]->key[0], ++done, ngroups);
		audit_group(sorted + start, i - start, rules, flags);
	}
	if (nz_progress_wanted() && ngroups)
		fprintf(stderr, "\n");
	free(sorted);
}

static void
describe(const struct row *row, nz_buf *out)
{
	nz_audit_label(out, row->key[0], row->key[1],
	    (const char *const *)row->key + 2);
}

static int
report(const struct rows *rows)
{
	const char *field[NKEYS + 4];
	char low[32], high[32];
	nz_buf cell = {0};
	size_t i, ncols;
	int m, k, failed = 0;

	nz_csv_header(stdout, nz_cols(NZ_COLS_AUDIT, &ncols), NKEYS + 4);
	for (i = 0; i < rows->n; i++) {
		const struct row *row = &rows->row[i];
		for (m = 0; m < NZ_NMEASURES; m++) {
			const nz_audit_bound *b = &row->bound[m];
			if (!row->suppressed[m])
				continue;
			for (k = 0; k < NKEYS; k++)
				field[k] = row->key[k];
			snprintf(low, sizeof low, "%ld", b->low);
			if (b->high == NZ_AUDIT_INF)
				snprintf(high, sizeof high, "inf");
			else
				snprintf(high, sizeof high, "%ld", b->high);
			if (b->status == NZ_AUDIT_INCONSISTENT)
				low[0] = high[0] = '\0';
			field[NKEYS] = nz_measure_names[m];
			field[NKEYS + 1] = low;
			field[NKEYS + 2] = high;
			field[NKEYS + 3] = status_names[b->status];
			nz_csv_fields(stdout, field, NKEYS + 4);
			if (b->status == NZ_AUDIT_OK)
				continue;
			describe(row, &cell);
			if (b->status == NZ_AUDIT_EXPOSED)
				nz_warnat(row->file, row->line, "%s of %s is "
				    "exposed: its true value lies in %s..%s",
				    nz_measure_names[m], cell.s, low, high);
			else
				nz_warnat(row->file, row->line, "%s of %s: no "
				    "true values fit the published cells",
				    nz_measure_names[m], cell.s);
			failed |= 1 << b->status;
		}
	}
	nz_buf_free(&cell);
	return failed;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"manifest", required_argument, NULL, 'm'},
		{"unbounded-s", no_argument, NULL, 'u'},
		{"secondary-cells", required_argument, NULL, 'c'},
		{"exact", no_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct rows rows = {0};
	nz_rules rules;
	char *rules_path = NULL, *manifest = NULL, *cells_path = NULL;
	nz_release *rel = NULL;
	unsigned flags = 0;
	int c, failed, ret;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			free(rules_path);
			rules_path = nz_strdup(optarg);
			break;
		case 'm':
			free(manifest);
			manifest = nz_strdup(optarg);
			break;
		case 'u': flags |= NZ_AUDIT_UNBOUNDED_S; break;
		case 'c':
			free(cells_path);
			cells_path = nz_strdup(optarg);
			break;
		case 'e': flags |= NZ_AUDIT_EXACT; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (manifest && (rules_path || optind < argc))
		nz_usage_error("--manifest takes the release and its rules from "
		    "the manifest: give no --rules and no FILE");
	if (cells_path && (flags & NZ_AUDIT_UNBOUNDED_S))
		nz_usage_error("--secondary-cells and --unbounded-s: give one");
	if (cells_path)
		load_secondary(cells_path);
	if (manifest) {
		/* checks the manifest and the release's sha256 first */
		rel = nz_release_load(manifest);
		rules = rel->rules;
		if (cells_path && (rel->secondary > 0) !=
		    (nz_strset_count(secondary.cells) > 0))
			nz_die(NZ_EXIT_DATA, "%s lists %zu secondary cells, but "
			    "%s records %s secondary suppressions", cells_path,
			    nz_strset_count(secondary.cells), rel->manifest_path,
			    rel->secondary > 0 ? "some" : "no");
		if (rel->secondary != 0 && !cells_path)
			flags |= NZ_AUDIT_UNBOUNDED_S;
		read_release(rel->path, &rows, &rules, flags);
	} else {
		if (!rules_path)
			rules_path = nz_pipelines_path("rules/statsnz.json");
		nz_rules_load(rules_path, &rules);
		if (optind == argc)
			read_release("-", &rows, &rules, flags);
		for (; optind < argc; optind++)
			read_release(argv[optind], &rows, &rules, flags);
	}
	check_secondary_found();
	audit_all(&rows, &rules, flags);
	failed = report(&rows);
	if ((failed & (1 << NZ_AUDIT_INCONSISTENT)) &&
	    !(flags & NZ_AUDIT_UNBOUNDED_S) && !cells_path)
		nz_warn("if the release has secondary suppressions, audit it "
		    "with --unbounded-s, or with --secondary-cells listing them");
	ret = nz_close_stdout();
	free_rows(&rows);
	free(rules_path);
	free(manifest);
	free(cells_path);
	nz_release_free(rel);
	return failed || ret ? NZ_EXIT_DATA : NZ_EXIT_OK;
}
