/* publish: the national figures as the data that the dashboard and the
 * six-monthly report read (JSON, or a script for pages opened from
 * file://).  It checks the merged cells and the changes and carries those
 * a page shows, with the agencies of each quarter, the policy events,
 * the code lists and the report's narrative (CommonMark to HTML).  The
 * documents are templates that read this data (pipelines/site,
 * pipelines/report); publish writes none. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nz.h"

static void
usage(void)
{
	printf("Usage: %s [OPTION]... MERGED\n"
	    "Turn the merged cells of merge(1), the changes of diff-quarters(1)\n"
	    "and the policy events into the data that the NZCCSS dashboard and\n"
	    "six-monthly report read: JSON on stdout, keys in a fixed order and\n"
	    "rows sorted, so the same inputs give the same bytes.\n"
	    "\n"
	    "  -c, --changes FILE    quarter-on-quarter changes (diff-quarters)\n"
	    "  -y, --yoy FILE        year-on-year changes (diff-quarters --yoy)\n"
	    "  -e, --events FILE     policy events, CSV date,title,url\n"
	    "  -m, --manifest FILE   an agency's manifest.json, to know which\n"
	    "                        agencies released each quarter (repeatable)\n"
	    "      --codes DIR       national code lists (default: pipelines/codes)\n"
	    "      --bands FILE      age bands (default: pipelines/age-bands.json)\n"
	    "      --max-range-share PCT\n"
	    "                        as merge(1), for the figures the pages derive\n"
	    "                        (shares, percentage changes; default 20)\n"
	    "  -d, --date DATE       publication date, YYYY-MM-DD (default: the day\n"
	    "                        of SOURCE_DATE_EPOCH if set, else today, UTC)\n"
	    "  -j, --js              write a script setting window.NZ_DATA, so that\n"
	    "                        a page opens from file://\n"
	    "  -r, --report HALF     add the report's half (2026H1: January to June\n"
	    "                        2026, 2026H2: July to December); both its\n"
	    "                        quarters must have national figures\n"
	    "  -n, --narrative DIR   with --report: each DIR/NAME.md (CommonMark,\n"
	    "                        raw HTML left out) as the narrative NAME\n"
	    "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n"
	    "\n"
	    "The columns are the schema's (merge's and diff-quarters' contracts),\n"
	    "each dimension with its code list (DIR/NAME.json, or the age bands),\n"
	    "so a new dimension needs no change here.  The data carries the cells\n"
	    "with no dimension or one set besides region, and the changes of the\n"
	    "same cells, with the columns of their files written compact: keys as\n"
	    "indexes, bounds as offsets, a change's levels less its cells', what a\n"
	    "page derives left out (pipelines/site/README.md; figures.js reads it).\n"
	    "An empty narrative file is a warning.\n"
	    "\n"
	    "AGENCIES ARE NOT ADDITIVE IN PEOPLE: a client of two agencies counts\n"
	    "twice in every merged sum.\n"
	    "\n"
	    "Errors (exit 1): a malformed input, naming file and line.\n"
	    "Exit status: 0 success, 1 data or input error, 2 usage error.\n",
	    nz_prog);
	exit(NZ_EXIT_OK);
}

/* ---- the files' columns (series.c checks them) ---- */

/* The measures as readers name them.  Events and units add up over the
 * quarters of a half; people do not (a client of two quarters is two). */
static const struct { const char *title; int additive; }
measure_info[NZ_NMEASURES] = {
	{"Clients", 0}, {"Households", 0}, {"Visits", 1},
	{"Units given (e.g. food parcels)", 1},
};

/* A file being read: its contract's columns and what each holds. */
typedef nz_series_file file;

/* A row the pages show: key kind (0 cells, 1 + comparison for changes),
 * period, base, region, dim (0: a total), code; codes are 1 + index.
 * Its values are the file's columns after the dimensions, as JSON and
 * as numbers (NONE: empty, or not a number: a list, a percentage). */
enum { KIND, KPERIOD, KBASE, KREGION, KDIM, KCODE, NKEY };
#define NONE INT64_MIN
typedef struct row {
	int key[NKEY];
	long line;
	json_t *vals;
	int64_t *num;
} row;

/* How the data writes a value column (pipelines/site/README.md, "The
 * data"), by its suffix after a measure's name: an estimate as it is,
 * a low bound as the estimate less it, a high bound as 1 + itself less
 * the estimate (0: none), a count as it is, a list as an array; a column
 * a page derives (shown, a change and its bounds, pct, sig) not at all.
 * A statistical bound is written less its bound (as written), and a
 * change's levels less the same column of the cell (period or base
 * period) they are told from, so that a change over the same agencies
 * as its cells is all 0; agencies_matched less the agencies of the
 * national total of the period, a cell's agencies (but a total's) less
 * those of its region's total. */
enum how { RAW, EST, LOW, HIGH, DERIVED, LIST };
typedef struct col {
	const char *name;
	enum how how;
	int ref;                     /* LOW, HIGH: the estimate's column */
	int less;                    /* the column of the row taken off (-1) */
	int from, at;                /* the cell: KPERIOD or KBASE (0: none),
	                              * and its column there */
	int total;                   /* the cell is a total: 1 of its
	                              * region, 2 national */
} col;

typedef nz_dim_shown dim;

static struct {
	dim dims[NZ_NDIMS];
	row *rows;                   /* cells, then changes */
	size_t nrows, rcap;
	int *periods;                /* distinct */
	size_t nperiods, pcap;
	nz_event *events;
	size_t nevents;
	json_t *agencies;            /* agency: its periods, by code */
	json_t *rules;               /* the manifests' rules, distinct */
	const char *file_of[3];      /* per key kind, for messages */
	col *cols[2];                /* cells', changes' value columns */
	size_t ncols[2];
	double max_share;            /* --max-range-share */
} model;

static json_t *
jperiod(int p)
{
	return json_sprintf("%dQ%d", p / 4, p % 4 + 1);
}

/* ---- the dimensions and their code lists ---- */

/* every dimension of the schema with its code list (or the age bands) */
static void
load_dims(const char *dir, const char *bands)
{
	int k;

	for (k = 0; k < NZ_NDIMS; k++)
		nz_dim_shown_load(&model.dims[k], nz_dims[k].name, dir,
		    nz_dims[k].codes ? NULL : bands);
}

/* ---- the rows ---- */

/* The key of a row's dimensions: 0 when more than one besides region is
 * set (such cells are in the annex, not on the pages). */
static int
dims_key(const file *f, long line, char *const *codes, int *key)
{
	int k, i, n = 0;

	key[KREGION] = key[KDIM] = key[KCODE] = 0;
	for (k = 0; k < NZ_NDIMS; k++) {
		i = 0;
		if (strcmp(codes[k], "*") != 0 && (i = 1 + nz_codes_find(
		    model.dims[k].codes, codes[k], strlen(codes[k]))) == 0)
			nz_dieat(NZ_EXIT_DATA, f->name, line, "%s: unknown code %s",
			    model.dims[k].name, nz_q(codes[k]));
		if (k == NZ_DIM_REGION)
			key[KREGION] = i;
		else if (i && ++n)
			key[KDIM] = k, key[KCODE] = i;
	}
	return n <= 1;
}

static void
add_period(int p)
{
	size_t i;

	for (i = 0; i < model.nperiods && model.periods[i] != p; i++)
		;
	if (i < model.nperiods)
		return;
	nz_grow(&model.periods, &model.pcap, i + 1, sizeof(int));
	model.periods[model.nperiods++] = p;
}

/* A value column's suffix after a measure's name, NULL if it has none:
 * *m its measure */
static const char *
measure_suffix(const char *name, int *m)
{
	size_t len;

	for (*m = 0; *m < NZ_NMEASURES; (*m)++) {
		len = strlen(nz_measure_names[*m]);
		if (strncmp(name, nz_measure_names[*m], len) == 0 &&
		    (name[len] == '\0' || name[len] == '_'))
			return name + len;
	}
	return NULL;
}

static int
col_index(int table, const char *name)
{
	size_t j;

	for (j = 0; j < model.ncols[table]; j++)
		if (strcmp(model.cols[table][j].name, name) == 0)
			return (int)j;
	nz_die(NZ_EXIT_DATA, "no column %s", nz_q(name));
}

/* The value columns of a file (cells: table 0, changes: 1) and how each
 * is written.  The cells' come first: a change's levels name theirs. */
static void
set_cols(int table, const char *const *names, size_t n)
{
	static const struct { const char *suffix; enum how how; int base; }
	suffixes[] = {
		{"", EST, 0}, {"_low", LOW, 0}, {"_high", HIGH, 0},
		{"_shown", DERIVED, 0}, {"_stat_low", LOW, 0},
		{"_stat_high", HIGH, 0}, {"_base", EST, 1},
		{"_base_low", LOW, 1}, {"_base_high", HIGH, 1},
		{"_change", DERIVED, 0}, {"_change_low", DERIVED, 0},
		{"_change_high", DERIVED, 0}, {"_pct", DERIVED, 0},
		{"_sig", DERIVED, 0},
	};
	const char *suf, *lists[] = {"agencies_joined", "agencies_left",
	    "policy_events"};
	nz_buf name = {0};
	size_t j, i;
	int m;

	model.cols[table] = nz_calloc(n, sizeof(col));
	model.ncols[table] = n;
	for (j = 0; j < n; j++) {
		col *c = &model.cols[table][j];

		*c = (col){names[j], RAW, -1, -1, 0, 0, 0};
		if (!table && strcmp(names[j], "agencies") == 0) {
			c->from = KPERIOD;
			c->at = (int)j;
			c->total = 1;
		}
		for (i = 0; i < 3; i++)
			if (strcmp(names[j], lists[i]) == 0)
				c->how = LIST;
		if (table && strcmp(names[j], "agencies_matched") == 0) {
			c->from = KPERIOD;
			c->at = col_index(0, "agencies");
			c->total = 2;
		}
		if ((suf = measure_suffix(names[j], &m)) == NULL)
			continue;
		for (i = 0; i < sizeof suffixes / sizeof *suffixes &&
		    strcmp(suf, suffixes[i].suffix) != 0; i++)
			;
		if (i == sizeof suffixes / sizeof *suffixes)
			nz_die(NZ_EXIT_DATA, "the column %s has no encoding here",
			    nz_q(names[j]));
		c->how = suffixes[i].how;
		if (c->how == LOW || c->how == HIGH) {
			nz_buf_clear(&name);
			nz_buf_printf(&name, "%s%s", nz_measure_names[m],
			    suffixes[i].base ? "_base" : "");
			c->ref = col_index(table, name.s);
		}
		if (strncmp(suf, "_stat_", 6) == 0) {
			nz_buf_clear(&name);
			nz_buf_printf(&name, "%s%s", nz_measure_names[m], suf + 5);
			c->less = col_index(table, name.s);
		}
		if (table && (c->how == EST || c->how == LOW ||
		    c->how == HIGH)) {
			/* clients_base_low: the base period's clients_low */
			nz_buf_clear(&name);
			nz_buf_printf(&name, "%s%s", nz_measure_names[m],
			    suf + (suffixes[i].base ? 5 : 0));
			c->from = suffixes[i].base ? KBASE : KPERIOD;
			c->at = col_index(0, name.s);
		}
	}
	nz_buf_free(&name);
}

/* Every bound (a statistical one too) holds its estimate: the data
 * writes a bound as its distance from it. */
static void
check_bounds(const file *f, long line, const row *w, int table)
{
	const col *c = model.cols[table];
	size_t j;

	for (j = 0; j < model.ncols[table]; j++) {
		int64_t v = w->num[j], est;

		if ((c[j].how != LOW && c[j].how != HIGH) || v == NONE)
			continue;
		est = w->num[c[j].ref];
		if (c[j].how == LOW ? v > est : v < est)
			nz_dieat(NZ_EXIT_DATA, f->name, line, "%s: %lld %s %s %lld",
			    c[j].name, (long long)v, c[j].how == LOW ? "above" :
			    "below", c[c[j].ref].name, (long long)est);
	}
}

/* The rows of a file, each checked; those the pages show are kept with
 * their values, but for the lists of a change, which only its totals
 * carry (they are the same for each cell of a quarter). */
static void
read_rows(const char *path, enum nz_contract contract, int kind)
{
	static file f;      /* static: what it holds stays reachable on errors */
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	nz_row *r;
	size_t j, dim0, v0;
	int table = kind > 0;

	f = (file){nz_strdup(nz_csv_name(csv)), NULL, 0, NULL, NULL};
	model.file_of[kind] = f.name;
	nz_series_header(csv, &f, contract);
	dim0 = (size_t)nz_col_index(contract, nz_dims[0].name);
	v0 = dim0 + NZ_NDIMS;
	if (!model.cols[table])
		set_cols(table, f.cols + v0, f.ncols - v0);
	f.num = nz_calloc(f.ncols + 2, sizeof *f.num);
	while (nz_csv_next_n(csv, &r, f.ncols) == 1) {
		char *const *dims = r->field + dim0;
		row *w;
		int shown;

		/* built in its place in model.rows, reachable on errors */
		nz_grow(&model.rows, &model.rcap, model.nrows + 1, sizeof *w);
		w = &model.rows[model.nrows];
		*w = (row){{kind}, r->line, json_array(), NULL};
		w->num = nz_calloc(f.ncols - v0, sizeof *w->num);
		shown = dims_key(&f, r->line, dims, w->key);
		for (j = 0; j < f.ncols; j++) {
			json_t *v = nz_series_field(&f, r->line, j, r->field[j],
			    &f.num[j]);

			if (j < v0)
				json_decref(v);
			else {
				if (w->key[KDIM] && model.cols[table][j - v0].how ==
				    LIST)
					json_decref(v), v = json_null();
				json_array_append_new(w->vals, v);
				w->num[j - v0] = f.num[j];
			}
		}
		nz_series_check(&f, r->line, f.num);
		check_bounds(&f, r->line, w, table);
		w->key[KPERIOD] = (int)f.num[0];
		w->key[KBASE] = kind ? (int)f.num[1] : 0;
		if (kind && w->key[KBASE] >= w->key[KPERIOD])
			nz_dieat(NZ_EXIT_DATA, f.name, r->line, "base_period %s not "
			    "before period", nz_q(r->field[1]));
		add_period(w->key[KPERIOD]);
		if (!shown) {
			json_decref(w->vals);
			free(w->num);
			continue;
		}
		model.nrows++;
	}
	nz_csv_close(csv);
	free(f.num);
	free(f.spec);
}

/* A manifest's agency and the quarters it released (an agency may send
 * several releases), kept sorted, and its disclosure rules, each set
 * once: the order of the options does not matter (keys are written
 * sorted too). */
static void
read_manifest(const char *path)
{
	json_t *root = nz_json_load(path), *periods, *p, *list, *q = NULL;
	const char *agency = nz_json_str(path, root, "agency", NULL);
	long line = nz_json_key_line(path, "periods", 1);
	size_t i, at;

	if (!(list = json_object_get(model.agencies, agency)))
		json_object_set_new(model.agencies, agency, list = json_array());
	periods = json_object_get(root, "periods");
	if (!json_is_array(periods))
		nz_dieat(NZ_EXIT_DATA, path, line, "\"periods\" must be an array");
	json_array_foreach(periods, i, p) {
		if (!json_is_string(p))
			nz_dieat(NZ_EXIT_DATA, path, line, "\"periods\" must hold "
			    "strings");
		nz_series_period(path, line, json_string_value(p));
		json_array_foreach(list, at, q)
			if (strcmp(json_string_value(q), json_string_value(p)) >= 0)
				break;
		if (at == json_array_size(list) || !json_equal(q, p))
			json_array_insert(list, at, p);
	}
	if ((p = json_object_get(root, "rules")) != NULL) {
		json_array_foreach(model.rules, i, periods)
			if (json_equal(periods, p))
				break;
		if (i == json_array_size(model.rules))
			json_array_append(model.rules, p);
	}
	nz_json_free(root);
}

/* ---- sorting ---- */

static int
cmp_row(const void *a, const void *b)
{
	const int *x = ((const row *)a)->key, *y = ((const row *)b)->key;
	int k;

	for (k = 0; k < NKEY; k++)
		if (x[k] != y[k])
			return (x[k] > y[k]) - (x[k] < y[k]);
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) -
	    (*(const int *)a < *(const int *)b);
}

/* two rows of a file with the same key: the later line is the error */
static void
sort_rows(void)
{
	size_t i;

	if (model.nrows)
		qsort(model.rows, model.nrows, sizeof(row), cmp_row);
	for (i = 1; i < model.nrows; i++) {
		const row *a = &model.rows[i - 1], *b = &model.rows[i];

		if (cmp_row(a, b) == 0)
			nz_dieat(NZ_EXIT_DATA, model.file_of[a->key[KIND]],
			    a->line > b->line ? a->line : b->line, "the %s of line "
			    "%ld again", a->key[KIND] ? "change" : "cell",
			    a->line < b->line ? a->line : b->line);
	}
	qsort(model.periods, model.nperiods, sizeof(int), cmp_int);
}

/* ---- the tables as the data writes them ---- */

/* value j of row w as written before its cell is taken off (how) */
static int64_t
written(const row *w, const col *cols, size_t j)
{
	int64_t v = w->num[j];

	switch (cols[j].how) {
	case LOW:
		return w->num[cols[j].ref] - v;
	case HIGH:
		return v == NONE ? 0 : 1 + v - w->num[cols[j].ref];
	default:
		return v;
	}
}

/* the shown cell of a key in period p, or the total of its region (total
 * 1) or the national total (2); NULL if none */
static const row *
cell_of(const row *w, int p, int total)
{
	row key = {{0, p, 0, w->key[KREGION], w->key[KDIM], w->key[KCODE]},
	    0, NULL, NULL};

	if (total)
		key.key[KDIM] = key.key[KCODE] = 0;
	if (total == 2)
		key.key[KREGION] = 0;
	return bsearch(&key, model.rows, model.nrows, sizeof key, cmp_row);
}

/* 100 * change / base to one decimal, half away from zero, as
 * diff-quarters writes it */
static double
pct_of(int64_t change, int64_t base)
{
	int64_t num = change * 1000, tenths = num / base, rest = num % base;

	if (2 * (rest < 0 ? -rest : rest) >= base)
		tenths += num < 0 ? -1 : 1;
	return (double)tenths / 10;
}

/* The derived column suf (shown, change, change_low, change_high, pct,
 * sig) of measure m of row w as a page derives it: a cell's shown by the
 * rule of nz_shown with publish's --max-range-share, a change and its
 * bounds, pct and sig from its levels as diff-quarters writes them;
 * at: the columns of m's level, bounds and base with its bounds. */
static json_t *
derived_value(const row *w, const char *suf, const int *at)
{
	int64_t e = w->num[at[0]], l = w->num[at[1]], h = w->num[at[2]];
	int64_t be, bl, bh, lo, hi;

	if (strcmp(suf, "_shown") == 0) {
		nz_bounds b = {e, l, h == NONE ? NZ_UNBOUNDED : h};

		return json_string(nz_shown_names[nz_bounds_shown(&b,
		    model.max_share)]);
	}
	be = w->num[at[3]], bl = w->num[at[4]], bh = w->num[at[5]];
	lo = bh == NONE ? NONE : l - bh;
	hi = h == NONE ? NONE : h - bl;
	if (strcmp(suf, "_change") == 0)
		return json_integer(e - be);
	if (strcmp(suf, "_change_low") == 0)
		return lo == NONE ? json_null() : json_integer(lo);
	if (strcmp(suf, "_change_high") == 0)
		return hi == NONE ? json_null() : json_integer(hi);
	if (strcmp(suf, "_pct") == 0)
		return be > 0 ? json_real(pct_of(e - be, be)) : json_null();
	return json_integer((lo != NONE && lo > 0) || (hi != NONE && hi < 0));
}

/* The derived columns of row w whose values in the file differ from
 * what a page derives, as an object (merge's and diff-quarters' own
 * never do); NULL when none differ. */
static json_t *
derived_differ(const row *w, int table)
{
	static const char *const suffixes[6] = {"", "_low", "_high", "_base",
	    "_base_low", "_base_high"};
	static int level[2][NZ_NMEASURES][6], known[2];
	const col *cols = model.cols[table];
	json_t *differ = NULL, *want;
	size_t j;
	int m, k;

	for (m = 0; !known[table] && m < NZ_NMEASURES; m++)
		for (k = 0; k < (table ? 6 : 3); k++) {
			nz_buf name = {0};

			nz_buf_printf(&name, "%s%s", nz_measure_names[m], suffixes[k]);
			level[table][m][k] = col_index(table, name.s);
			nz_buf_free(&name);
		}
	known[table] = 1;
	for (j = 0; j < model.ncols[table]; j++) {
		const char *suf;

		if (cols[j].how != DERIVED)
			continue;
		suf = measure_suffix(cols[j].name, &m);
		want = derived_value(w, suf, level[table][m]);
		if (!json_equal(want, json_array_get(w->vals, j))) {
			if (!differ)
				differ = json_object();
			json_object_set(differ, cols[j].name,
			    json_array_get(w->vals, j));
		}
		json_decref(want);
	}
	return differ;
}

/* A row as the data writes it: dimension and code (indexes), its values
 * (each less what it is told from) up to the last not 0, its lists up
 * to the last not null, and the derived values that differ. */
static json_t *
row_json(const row *w, int table)
{
	const col *cols = model.cols[table];
	const row *cell[NKEY] = {NULL}, *total[3] = {NULL};
	json_t *out = json_pack("[i, i]", w->key[KDIM], w->key[KCODE]), *differ;
	size_t j, n;

	if (table) {
		cell[KPERIOD] = cell_of(w, w->key[KPERIOD], 0);
		cell[KBASE] = cell_of(w, w->key[KBASE], 0);
	}
	/* a cell is not told from itself */
	if (table || w->key[KDIM])
		total[1] = cell_of(w, w->key[KPERIOD], 1);
	if (table || w->key[KDIM] || w->key[KREGION])
		total[2] = cell_of(w, w->key[KPERIOD], 2);
	for (j = 0; j < model.ncols[table]; j++) {
		const row *from = cols[j].total ? total[cols[j].total] :
		    cell[cols[j].from];
		int64_t v;

		if (cols[j].how == LIST || cols[j].how == DERIVED)
			continue;
		v = written(w, cols, j);
		if (cols[j].less >= 0)
			v -= written(w, cols, (size_t)cols[j].less);
		if (cols[j].from && from)
			v -= written(from, model.cols[0], (size_t)cols[j].at);
		json_array_append_new(out, json_integer(v));
	}
	for (n = json_array_size(out); n > 2 &&
	    json_integer_value(json_array_get(out, n - 1)) == 0; n--)
		json_array_remove(out, n - 1);
	for (j = 0; j < model.ncols[table]; j++)
		if (cols[j].how == LIST) {
			json_array_append(out, json_array_get(w->vals, j));
			if (!json_is_null(json_array_get(w->vals, j)))
				n = json_array_size(out);
		}
	while (json_array_size(out) > n)
		json_array_remove(out, n);
	if ((differ = derived_differ(w, table)) != NULL)
		json_array_append_new(out, differ);
	return out;
}

static int
period_index(int p)
{
	int *at = bsearch(&p, model.periods, model.nperiods, sizeof(int),
	    cmp_int);

	return (int)(at - model.periods);
}

/* A table: the names of its value columns as written, of its lists and
 * of the columns a page derives; its rows grouped by period and region
 * (changes: comparison, period, base period, region), each group
 * [period, region, rows] or [comparison, period, base_period, region,
 * rows], periods as indexes in "periods" and regions as 1 + their index
 * in the region's codes (0: all regions). */
static json_t *
table_json(int table)
{
	static const char *const comparison[3] = {NULL, "qoq", "yoy"};
	json_t *names[3], *groups = json_array(), *group = NULL, *rows = NULL;
	const row *last = NULL;
	size_t i, j;

	for (i = 0; i < 3; i++)
		names[i] = json_array();
	for (j = 0; j < model.ncols[table]; j++)
		json_array_append_new(names[model.cols[table][j].how == LIST ? 1 :
		    model.cols[table][j].how == DERIVED ? 2 : 0],
		    json_string(model.cols[table][j].name));
	for (i = 0; i < model.nrows; i++) {
		const row *w = &model.rows[i];

		if ((w->key[KIND] > 0) != table)
			continue;
		if (!last || memcmp(last->key, w->key, KDIM * sizeof(int)) != 0) {
			group = json_array();
			if (table)
				json_array_append_new(group,
				    json_string(comparison[w->key[KIND]]));
			json_array_append_new(group,
			    json_integer(period_index(w->key[KPERIOD])));
			if (table)
				json_array_append_new(group,
				    json_integer(period_index(w->key[KBASE])));
			json_array_append_new(group, json_integer(w->key[KREGION]));
			json_array_append_new(group, rows = json_array());
			json_array_append_new(groups, group);
		}
		json_array_append_new(rows, row_json(w, table));
		last = w;
	}
	return json_pack("{s:o, s:o, s:o, s:o}", "columns", names[0], "lists",
	    names[1], "derived", names[2], "rows", groups);
}

/* ---- coverage, events, code lists ---- */

static json_t *
events_json(void)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < model.nevents; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "date",
		    model.events[i].date, "title", model.events[i].title, "url",
		    model.events[i].url));
	return list;
}

static json_t *
dimensions_json(void)
{
	json_t *list = json_array(), *codes;
	size_t i;
	int k;

	for (k = 0; k < NZ_NDIMS; k++) {
		const dim *d = &model.dims[k];

		codes = json_array();
		for (i = 0; i < d->codes->n; i++)
			json_array_append_new(codes, json_pack("[s, s]",
			    d->codes->code[i], d->codes->label[i]));
		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:s?, s:o, "
		    "s:O}", "name", d->name, "title", d->title, "multi",
		    d->codes->multi, "not_stated", d->codes->not_stated, "codes",
		    codes, "highlight", d->highlight));
	}
	return list;
}

static json_t *
measures_json(void)
{
	json_t *list = json_array();
	int m;

	for (m = 0; m < NZ_NMEASURES; m++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "name",
		    nz_measure_names[m], "title", measure_info[m].title,
		    "additive", measure_info[m].additive));
	return list;
}

/* ---- the report: its half and the narrative ---- */

/* the first quarter of a half such as 2026H1 */
static int
half_start(const char *half)
{
	int year, h, n = 0;

	if (sscanf(half, "%4dH%1d%n", &year, &h, &n) != 2 || n != 6 ||
	    strlen(half) != 6 || h < 1 || h > 2 || year < 1900)
		nz_usage_error("--report: bad half %s (expected e.g. 2026H1)",
		    nz_q(half));
	return year * 4 + (h - 1) * 2;
}

static json_t *
report_json(const char *half, const char *narrative)
{
	static const char *const months[2] = {"January to June",
	    "July to December"};
	int first = half_start(half), q;

	for (q = first; q < first + 2; q++) {
		row key = {{0, q}, 0, NULL, NULL};   /* its national total */

		if (!bsearch(&key, model.rows, model.nrows, sizeof key, cmp_row))
			nz_die(NZ_EXIT_DATA, "%s: no national figures for %dQ%d",
			    half, q / 4, q % 4 + 1);
	}
	return json_pack("{s:s, s:o, s:[o, o], s:o}", "half", half, "title",
	    json_sprintf("%s %d", months[first % 4 / 2], first / 4),
	    "quarters", jperiod(first), jperiod(first + 1), "narrative",
	    narrative ? nz_narrative_json(narrative) : json_object());
}

/* --date, else SOURCE_DATE_EPOCH's day, else today (UTC) */
static json_t *
published(const char *date)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	char day[16];
	long v;
	int y, m, d;

	if (date && nz_parse_iso_date(date, &y, &m, &d) != 0)
		nz_usage_error("--date: bad date %s (expected YYYY-MM-DD)",
		    nz_q(date));
	if (date)
		return json_string(date);
	if (epoch && nz_parse_long(epoch, 0, 253402300799L, &v) == 0)
		t = (time_t)v;
	strftime(day, sizeof day, "%Y-%m-%d", gmtime(&t));
	return json_string(day);
}

/* the JSON text as it is, or inside a script's '...' string (JSON has
 * no line break outside its strings and escapes those inside) */
static int
put_plain(const char *s, size_t n, void *data)
{
	(void)data;
	return fwrite(s, 1, n, stdout) == n ? 0 : -1;
}

static int
put_quoted(const char *s, size_t n, void *data)
{
	size_t i;

	(void)data;
	for (i = 0; i < n; i++) {
		if ((s[i] == '\\' || s[i] == '\'') && putchar('\\') == EOF)
			return -1;
		if (putchar(s[i]) == EOF)
			return -1;
	}
	return 0;
}

/* ---- command line ---- */

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"changes", required_argument, NULL, 'c'},
		{"yoy", required_argument, NULL, 'y'},
		{"events", required_argument, NULL, 'e'},
		{"manifest", required_argument, NULL, 'm'},
		{"codes", required_argument, NULL, 'C'},
		{"bands", required_argument, NULL, 'B'},
		{"max-range-share", required_argument, NULL, 'P'},
		{"date", required_argument, NULL, 'd'},
		{"js", no_argument, NULL, 'j'},
		{"report", required_argument, NULL, 'r'},
		{"narrative", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *changes[3] = {NULL}, *events = NULL, *half = NULL;
	/* static: what they hold stays reachable when an error ends us */
	static const char **manifests;
	static char *codes, *bands;
	const char *narrative = NULL, *date = NULL;
	size_t nman = 0, capman = 0, i;
	int c, as_js = 0;
	double max_share = NZ_MAX_RANGE_SHARE;
	json_t *root, *list;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "c:y:e:m:d:jr:n:hV", opts, NULL))
	    != -1) {
		switch (c) {
		case 'c': changes[1] = optarg; break;
		case 'y': changes[2] = optarg; break;
		case 'e': events = optarg; break;
		case 'm':
			nz_grow(&manifests, &capman, nman + 1, sizeof *manifests);
			manifests[nman++] = optarg;
			break;
		case 'C': free(codes); codes = nz_strdup(optarg); break;
		case 'B': free(bands); bands = nz_strdup(optarg); break;
		case 'P':
			max_share = nz_opt_percent("--max-range-share", optarg);
			break;
		case 'd': date = optarg; break;
		case 'j': as_js = 1; break;
		case 'r': half = optarg; break;
		case 'n': narrative = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (argc - optind != 1)
		nz_usage_error("expected one MERGED file");
	if (narrative && !half)
		nz_usage_error("--narrative needs --report");
	if (half)
		half_start(half);
	model.max_share = max_share;
	root = json_pack("{s:s, s:o, s:f, s:i}", "format", "nzccss-dashboard-3",
	    "published", published(date), "max_range_share", max_share,
	    "shown_min", NZ_SHOWN_MIN);
	nz_hold(root);

	codes = codes ? codes : nz_pipelines_path("codes");
	bands = bands ? bands : nz_pipelines_path("age-bands.json");
	model.agencies = json_object();
	model.rules = json_array();
	load_dims(codes, bands);
	read_rows(argv[optind], NZ_COLS_MERGED, 0);
	for (i = 1; i < 3; i++)
		if (changes[i])
			read_rows(changes[i], NZ_COLS_CHANGES, (int)i);
	if (events)
		model.events = nz_events_load(events, &model.nevents);
	for (i = 0; i < nman; i++)
		read_manifest(manifests[i]);
	sort_rows();

	json_object_set_new(root, "periods", list = json_array());
	for (i = 0; i < model.nperiods; i++)
		json_array_append_new(list, jperiod(model.periods[i]));
	json_object_set_new(root, "measures", measures_json());
	json_object_set_new(root, "dimensions", dimensions_json());
	json_object_set(root, "agencies", model.agencies);
	json_object_set(root, "rules", model.rules);
	json_object_set_new(root, "events", events_json());
	json_object_set_new(root, "cells", table_json(0));
	json_object_set_new(root, "changes", table_json(1));
	if (half)
		json_object_set_new(root, "report", report_json(half, narrative));
	/* a page parses JSON text faster than a script's object literal */
	if (as_js)
		fputs("/* NZCCSS dashboard data, written by publish */\n"
		    "window.NZ_DATA = JSON.parse('", stdout);
	if (json_dump_callback(root, as_js ? put_quoted : put_plain, NULL,
	    JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(12)))
		nz_die(NZ_EXIT_DATA, "cannot write the data");
	fputs(as_js ? "');\n" : "\n", stdout);
	nz_drop(root);
	json_decref(root);
	nz_events_free(model.events, model.nevents);
	free(codes);
	free(bands);
	free(manifests);
	return nz_close_stdout();
}
