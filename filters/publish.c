/* publish: merged cells, changes and policy events to the dashboard data
 * (JSON) or to the six-monthly report (HTML, narrative via cmark). */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "nz.h"

static void
usage(void)
{
	printf("Usage: %s [OPTION]... MERGED\n"
	    "Turn the merged cells of merge(1), the changes of diff-quarters(1)\n"
	    "and the policy events into the data of the NZCCSS dashboard (JSON\n"
	    "on stdout), or with --report into the six-monthly report (HTML).\n"
	    "\n"
	    "  -c, --changes FILE    quarter-on-quarter changes (diff-quarters)\n"
	    "  -y, --yoy FILE        year-on-year changes (diff-quarters --yoy)\n"
	    "  -e, --events FILE     policy events, CSV date,title,url\n"
	    "  -m, --manifest FILE   an agency manifest.json, to name the agencies\n"
	    "                        of each quarter (repeatable)\n"
	    "      --codes DIR       national code lists (default: pipelines/codes)\n"
	    "      --bands FILE      age bands (default: pipelines/age-bands.json)\n"
	    "  -j, --js              write the data as a script setting\n"
	    "                        window.NZ_DATA, so a page opens from file://\n"
	    "  -r, --report HALF     write the report of HALF (2026H1: January to\n"
	    "                        June 2026, 2026H2: July to December) as HTML\n"
	    "  -n, --narrative DIR   the report's narrative: DIR/lived-experience.md,\n"
	    "                        DIR/services.md, DIR/policy.md (CommonMark)\n"
	    "      --charts DIR      SVG charts to put in the report: DIR/clients.svg,\n"
	    "                        DIR/regions.svg, DIR/need.svg\n"
	    "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n"
	    "\n"
	    "MERGED is out/national/merged.csv.  The data holds, for every quarter,\n"
	    "the national and regional totals of clients, households, events and\n"
	    "units with their low/high bounds; the breakdowns (cells where exactly\n"
	    "one dimension besides region is set); the changes on the previous\n"
	    "quarter and the same quarter a year before over the matched panel,\n"
	    "with bounds and significance; the policy events; the agencies of each\n"
	    "quarter; and the labels of every code.  Keys come in a fixed order\n"
	    "and rows sorted (period, region, code in code-list order), so the\n"
	    "same inputs give the same bytes.  An unbounded high is null.\n"
	    "\n"
	    "A narrative file that is missing gives a warning and a visible note\n"
	    "in the report, never an empty section.\n"
	    "\n"
	    "AGENCIES ARE NOT ADDITIVE IN PEOPLE: a client of two agencies counts\n"
	    "twice in every merged sum.\n"
	    "\n"
	    "Errors (exit 1): a malformed input, naming file and line.\n"
	    "Exit status: 0 success, 1 data or input error, 2 usage error.\n",
	    nz_prog);
	exit(NZ_EXIT_OK);
}

/* ---- the model ---- */

#define NO_VALUE INT64_MIN     /* empty field: an unbounded bound */
#define NDIMS NZ_NDIMS         /* region, age_band, ..., service */
#define NCHANGE 11             /* values per measure in a changes row */

static const char *const dim_names[NDIMS] = {
	"region", "age_band", "gender", "ethnicity", "household", "income",
	"housing", "need", "service",
};
static const char *const change_suffix[NCHANGE] = {
	"", "_low", "_high", "_base", "_base_low", "_base_high", "_change",
	"_change_low", "_change_high", "_pct", "_sig",
};

typedef struct cell {
	int period;                 /* year * 4 + quarter - 1 */
	int region;                 /* 0 '*', else 1 + code index */
	int dim;                    /* 0 a total, else the other dim set */
	int code;                   /* 1 + code index of that dim */
	int64_t m[NZ_NMEASURES][3]; /* estimate, low, high */
	long agencies;
	long line;
} cell;

typedef struct change {
	int period, base, region;
	long line;
	int64_t v[NZ_NMEASURES][NCHANGE]; /* pct in tenths */
	long matched;
	char *joined, *left, *events;
} change;

typedef struct manifest {
	char *agency;
	int *periods;
	size_t nperiods;
} manifest;

static struct {
	nz_codes *codes[NDIMS];
	char *titles[NDIMS];
	cell *cells;
	size_t ncells, cap;
	int *periods;
	size_t nperiods, pcap;
	change *changes[2];
	size_t nchanges[2], ccap[2];
	nz_event *events;
	size_t nevents;
	manifest *manifests;
	size_t nmanifests, mcap;
} model;

static void
period_name(int period, char out[16])
{
	snprintf(out, 16, "%dQ%d", period / 4, period % 4 + 1);
}

static int
parse_period(const char *file, long line, const char *s)
{
	int y, q;

	if (nz_period_parse(s, &y, &q) != 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "bad period %s", nz_q(s));
	return y * 4 + q - 1;
}

static void
add_period(int period)
{
	size_t i;

	for (i = 0; i < model.nperiods; i++)
		if (model.periods[i] == period)
			return;
	nz_grow(&model.periods, &model.pcap, model.nperiods + 1, sizeof(int));
	model.periods[model.nperiods++] = period;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* an integer field, or NO_VALUE for an empty one when empty_ok */
static int64_t
parse_value(const char *file, long line, const char *col, const char *s,
	long min, int empty_ok)
{
	long v;

	if (*s == '\0' && empty_ok)
		return NO_VALUE;
	if (nz_parse_long(s, min, 1L << 53, &v) != 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "%s: bad value %s", col,
		    nz_q(s));
	return v;
}

/* a dimension field: 0 for '*', else 1 + its code-list index */
static int
parse_code(const char *file, long line, int dim, const char *s)
{
	int i;

	if (strcmp(s, "*") == 0)
		return 0;
	i = nz_codes_find(model.codes[dim], s, strlen(s));
	if (i < 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "%s: unknown code %s",
		    dim_names[dim], nz_q(s));
	return i + 1;
}

/* Which cell a row of dims is: 0 a total, the dim index when exactly
 * one dimension besides region is set, -1 otherwise. */
static int
dims_kind(const int *codes)
{
	int d, dim = 0;

	for (d = 1; d < NDIMS; d++) {
		if (!codes[d])
			continue;
		if (dim)
			return -1;
		dim = d;
	}
	return dim;
}

/* ---- reading ---- */

static const char *merged_cols[2 + NDIMS + 3 * NZ_NMEASURES + 1];
static const char *change_cols[2 + 1 + NDIMS + NCHANGE * NZ_NMEASURES + 4];

static void
make_headers(void)
{
	static char names[NZ_NMEASURES][NCHANGE][32];
	size_t n = 0, k = 0;
	int d, m, i;

	merged_cols[n++] = "period";
	change_cols[k++] = "period";
	change_cols[k++] = "base_period";
	merged_cols[n++] = "agency";
	change_cols[k++] = "agency";
	for (d = 0; d < NDIMS; d++)
		merged_cols[n++] = change_cols[k++] = dim_names[d];
	for (m = 0; m < NZ_NMEASURES; m++) {
		for (i = 0; i < NCHANGE; i++) {
			snprintf(names[m][i], sizeof names[m][i], "%s%s",
			    nz_measure_names[m], change_suffix[i]);
			change_cols[k++] = names[m][i];
			if (i < 3)
				merged_cols[n++] = names[m][i];
		}
	}
	merged_cols[n++] = "agencies";
	change_cols[k++] = "agencies_matched";
	change_cols[k++] = "agencies_joined";
	change_cols[k++] = "agencies_left";
	change_cols[k++] = "policy_events";
}

static void
check_bounds(const char *file, long line, const char *measure,
	const int64_t *v)
{
	if (v[1] > v[0] || (v[2] != NO_VALUE && v[0] > v[2]))
		nz_dieat(NZ_EXIT_DATA, file, line,
		    "%s: estimate %" PRId64 " outside its bounds", measure, v[0]);
}

static const char *merged_path;

static void
read_merged(const char *path)
{
	/* the columns as schema.c defines them; those read found by name */
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_MERGED, &ncols);
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *row;
	int codes[NDIMS], at[NZ_NMEASURES][3], d, m, i, kind;

	for (m = 0; m < NZ_NMEASURES; m++)
		for (i = 0; i < 3; i++)
			at[m][i] = nz_col_index(NZ_COLS_MERGED,
			    merged_cols[2 + NDIMS + 3 * m + i]);
	merged_path = nz_strdup(file);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		cell c = {0};
		long line = row->line;

		c.period = parse_period(file, line, row->field[0]);
		if (strcmp(row->field[1], "*") != 0)
			nz_dieat(NZ_EXIT_DATA, file, line,
			    "agency must be '*', found %s", nz_q(row->field[1]));
		for (d = 0; d < NDIMS; d++)
			codes[d] = parse_code(file, line, d, row->field[2 + d]);
		for (m = 0; m < NZ_NMEASURES; m++) {
			for (i = 0; i < 3; i++)
				c.m[m][i] = parse_value(file, line,
				    merged_cols[2 + NDIMS + 3 * m + i],
				    row->field[at[m][i]], 0, i == 2);
			check_bounds(file, line, nz_measure_names[m], c.m[m]);
		}
		c.agencies = (long)parse_value(file, line, "agencies",
		    row->field[nz_col_index(NZ_COLS_MERGED, "agencies")], 0, 0);
		add_period(c.period);
		kind = dims_kind(codes);
		if (kind < 0)
			continue; /* a cell the dashboard does not show */
		c.line = line;
		c.region = codes[0];
		c.dim = kind;
		c.code = kind ? codes[kind] : 0;
		nz_grow(&model.cells, &model.cap, model.ncells + 1, sizeof(cell));
		model.cells[model.ncells++] = c;
	}
	nz_csv_close(csv);
	if (model.nperiods == 0)
		nz_die(NZ_EXIT_DATA, "%s: no cells", file);
	qsort(model.periods, model.nperiods, sizeof(int), cmp_int);
}

/* 1 if s is [-]digits[.digits] */
static int
plain_decimal(const char *s)
{
	const char *p = s + (*s == '-');
	size_t n = strspn(p, "0123456789");

	if (n == 0)
		return 0;
	p += n;
	if (*p == '.') {
		n = strspn(++p, "0123456789");
		if (n == 0)
			return 0;
		p += n;
	}
	return *p == '\0';
}

static char *changes_path[2];  /* --changes, --yoy, as errors name them */

static void
read_changes(const char *path, int which)
{
	const size_t ncols = sizeof change_cols / sizeof change_cols[0];
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *row;
	int codes[NDIMS], d, m, i;

	changes_path[which] = nz_strdup(file);
	nz_csv_expect_header(csv, change_cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		change c = {0};
		long line = row->line;
		char **f = row->field + 3 + NDIMS;

		c.period = parse_period(file, line, row->field[0]);
		c.base = parse_period(file, line, row->field[1]);
		if (c.base >= c.period)
			nz_dieat(NZ_EXIT_DATA, file, line,
			    "base_period %s not before period",
			    nz_q(row->field[1]));
		for (d = 0; d < NDIMS; d++)
			codes[d] = parse_code(file, line, d, row->field[3 + d]);
		if (dims_kind(codes) != 0)
			continue; /* only totals go into the change tables */
		c.region = codes[0];
		for (m = 0; m < NZ_NMEASURES; m++, f += NCHANGE) {
			for (i = 0; i < NCHANGE; i++) {
				const char *col = change_cols[3 + NDIMS +
				    NCHANGE * m + i];
				int empty_ok = i == 2 || i == 5 || i == 7 ||
				    i == 8 || i == 9;
				double pct;

				if (i != 9) {
					c.v[m][i] = parse_value(file, line, col,
					    f[i], i >= 6 && i <= 8 ? -(1L << 53)
					    : 0, empty_ok);
					continue;
				}
				if (*f[i] == '\0') {
					c.v[m][i] = NO_VALUE;
					continue;
				}
				/* as diff-quarters writes it: [-]digits[.digits];
				 * strtod alone would take nan, inf, hex and spaces */
				if (!plain_decimal(f[i]) ||
				    (pct = strtod(f[i], NULL)) < -1e9 || pct > 1e9)
					nz_dieat(NZ_EXIT_DATA, file, line,
					    "%s: bad value %s", col, nz_q(f[i]));
				c.v[m][i] = (int64_t)(pct * 10 + (pct < 0 ?
				    -0.5 : 0.5));
			}
			if (c.v[m][10] > 1)
				nz_dieat(NZ_EXIT_DATA, file, line,
				    "%s_sig: bad value %s", nz_measure_names[m],
				    nz_q(f[10]));
			check_bounds(file, line, nz_measure_names[m], c.v[m]);
			check_bounds(file, line, nz_measure_names[m], c.v[m] + 3);
		}
		c.line = line;
		c.matched = (long)parse_value(file, line, "agencies_matched",
		    f[0], 0, 0);
		c.joined = nz_strdup(f[1]);
		c.left = nz_strdup(f[2]);
		c.events = nz_strdup(f[3]);
		nz_grow(&model.changes[which], &model.ccap[which],
		    model.nchanges[which] + 1, sizeof(change));
		model.changes[which][model.nchanges[which]++] = c;
	}
	nz_csv_close(csv);
}

static void
read_manifest(const char *path)
{
	json_t *root = nz_json_load(path), *periods, *p;
	manifest man = {0};
	size_t i;

	man.agency = nz_strdup(nz_json_str(path, root, "agency", NULL));
	periods = json_object_get(root, "periods");
	if (!json_is_array(periods))
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "periods",
		    1), "\"periods\" must be an array");
	man.periods = nz_calloc(json_array_size(periods) + 1, sizeof(int));
	json_array_foreach(periods, i, p) {
		if (!json_is_string(p))
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    "periods", 1), "\"periods\" must hold strings");
		man.periods[man.nperiods++] = parse_period(path,
		    nz_json_key_line(path, "periods", 1), json_string_value(p));
	}
	nz_json_free(root);
	nz_grow(&model.manifests, &model.mcap, model.nmanifests + 1,
	    sizeof(manifest));
	model.manifests[model.nmanifests++] = man;
}

static void
load_codes(const char *dir, const char *bands)
{
	int d;

	for (d = 0; d < NDIMS; d++) {
		json_t *root;
		nz_buf path = {0};

		if (d == 1) {
			model.codes[d] = nz_bands_load(bands);
			model.titles[d] = nz_strdup("Age band");
			continue;
		}
		model.codes[d] = nz_codes_load(dir, dim_names[d]);
		nz_buf_printf(&path, "%s/%s.json", dir, dim_names[d]);
		root = nz_json_load(path.s);
		model.titles[d] = nz_strdup(nz_json_str(path.s, root, "title",
		    dim_names[d]));
		nz_json_free(root);
		nz_buf_free(&path);
	}
}

/* ---- sorting ---- */

static int
cmp_cell(const void *a, const void *b)
{
	const cell *x = a, *y = b;

	if (x->dim != y->dim)
		return x->dim - y->dim;
	if (x->period != y->period)
		return x->period - y->period;
	if (x->region != y->region)
		return x->region - y->region;
	return x->code - y->code;
}

static int
cmp_change(const void *a, const void *b)
{
	const change *x = a, *y = b;

	if (x->period != y->period)
		return x->period - y->period;
	if (x->base != y->base)
		return x->base - y->base;
	return x->region - y->region;
}

/* Two rows of path with the same key: the later line is the error. */
static void
die_again(const char *path, const char *what, long a, long b)
{
	nz_dieat(NZ_EXIT_DATA, path, a > b ? a : b, "the %s of line %ld again",
	    what, a < b ? a : b);
}

static void
sort_model(void)
{
	size_t i;

	if (model.ncells)
		qsort(model.cells, model.ncells, sizeof(cell), cmp_cell);
	for (i = 1; i < model.ncells; i++)
		if (cmp_cell(&model.cells[i - 1], &model.cells[i]) == 0)
			die_again(merged_path, "cell", model.cells[i - 1].line,
			    model.cells[i].line);
	for (i = 0; i < 2; i++) {
		const change *v = model.changes[i];
		size_t k;

		if (model.nchanges[i])
			qsort(model.changes[i], model.nchanges[i],
			    sizeof(change), cmp_change);
		for (k = 1; k < model.nchanges[i]; k++)
			if (cmp_change(&v[k - 1], &v[k]) == 0)
				die_again(changes_path[i], "change", v[k - 1].line,
				    v[k].line);
	}
}

/* ---- lookups ---- */

static const cell *
find_cell(int period, int region, int dim, int code)
{
	cell key = {0};

	key.period = period;
	key.region = region;
	key.dim = dim;
	key.code = code;
	if (!model.ncells)
		return NULL;
	return bsearch(&key, model.cells, model.ncells, sizeof(cell), cmp_cell);
}

static const change *
find_change(int which, int period, int region)
{
	size_t i;

	for (i = 0; i < model.nchanges[which]; i++)
		if (model.changes[which][i].period == period &&
		    model.changes[which][i].region == region)
			return &model.changes[which][i];
	return NULL;
}

static const char *
code_of(int dim, int code)
{
	return code ? model.codes[dim]->code[code - 1] : "*";
}

static const char *
label_of(int dim, int code)
{
	if (!code)
		return dim == 0 ? "New Zealand" : "All";
	if (dim == 1 && code - 1 == model.codes[1]->not_stated_index)
		return "Age not stated";
	return model.codes[dim]->label[code - 1];
}

/* regions with a total in the latest period, in code-list order */
static int
region_present(int region)
{
	return find_cell(model.periods[model.nperiods - 1], region, 0, 0) != NULL;
}

/* ---- the dashboard data ---- */

static json_t *
jvalue(int64_t v)
{
	return v == NO_VALUE ? json_null() : json_integer(v);
}

static json_t *
jlist(const char *joined)
{
	json_t *a = json_array();
	const char *s = joined, *bar;

	while (*s) {
		bar = strchr(s, '|');
		if (!bar)
			bar = s + strlen(s);
		json_array_append_new(a, json_stringn(s, (size_t)(bar - s)));
		s = *bar ? bar + 1 : bar;
	}
	return a;
}

/* an event's quarter, as model periods count them */
static int
event_period(const nz_event *e)
{
	return e->year * 4 + (e->month - 1) / 3;
}

static json_t *
jperiod(int period)
{
	char name[16];

	period_name(period, name);
	return json_string(name);
}

static json_t *
cell_columns(int with_code)
{
	json_t *cols = json_array();
	int m, i;

	json_array_append_new(cols, json_string("period"));
	json_array_append_new(cols, json_string("region"));
	if (with_code)
		json_array_append_new(cols, json_string("code"));
	for (m = 0; m < NZ_NMEASURES; m++)
		for (i = 0; i < 3; i++)
			json_array_append_new(cols, json_string(
			    merged_cols[2 + NDIMS + 3 * m + i]));
	if (!with_code)
		json_array_append_new(cols, json_string("agencies"));
	return cols;
}

static json_t *
cell_row(const cell *c)
{
	json_t *row = json_array();
	int m, i;

	json_array_append_new(row, jperiod(c->period));
	json_array_append_new(row, json_string(code_of(0, c->region)));
	if (c->dim)
		json_array_append_new(row, json_string(code_of(c->dim,
		    c->code)));
	for (m = 0; m < NZ_NMEASURES; m++)
		for (i = 0; i < 3; i++)
			json_array_append_new(row, jvalue(c->m[m][i]));
	if (!c->dim)
		json_array_append_new(row, json_integer(c->agencies));
	return row;
}

static json_t *
labels_json(void)
{
	json_t *labels = json_object();
	int d;
	size_t i;

	for (d = 0; d < NDIMS; d++) {
		json_t *obj = json_object(), *codes = json_array();

		for (i = 0; i < model.codes[d]->n; i++) {
			json_t *pair = json_array();

			json_array_append_new(pair, json_string(
			    model.codes[d]->code[i]));
			json_array_append_new(pair, json_string(
			    label_of(d, (int)i + 1)));
			json_array_append_new(codes, pair);
		}
		json_object_set_new(obj, "title", json_string(model.titles[d]));
		json_object_set_new(obj, "multi",
		    json_boolean(model.codes[d]->multi));
		json_object_set_new(obj, "codes", codes);
		json_object_set_new(labels, dim_names[d], obj);
	}
	return labels;
}

static json_t *
agencies_json(void)
{
	json_t *list = json_array();
	size_t p, a, k;

	for (p = 0; p < model.nperiods; p++) {
		json_t *obj = json_object(), *names = json_array();
		const cell *total = find_cell(model.periods[p], 0, 0, 0);

		for (a = 0; a < model.nmanifests; a++)
			for (k = 0; k < model.manifests[a].nperiods; k++)
				if (model.manifests[a].periods[k] ==
				    model.periods[p])
					json_array_append_new(names, json_string(
					    model.manifests[a].agency));
		json_object_set_new(obj, "period", jperiod(model.periods[p]));
		json_object_set_new(obj, "count",
		    json_integer(total ? total->agencies : 0));
		json_object_set_new(obj, "agencies", names);
		json_array_append_new(list, obj);
	}
	return list;
}

static json_t *
changes_json(int which)
{
	json_t *list = json_array();
	size_t k;
	int m, i;

	for (k = 0; k < model.nchanges[which]; k++) {
		const change *c = &model.changes[which][k];
		json_t *obj = json_object();

		json_object_set_new(obj, "period", jperiod(c->period));
		json_object_set_new(obj, "base_period", jperiod(c->base));
		json_object_set_new(obj, "region",
		    json_string(code_of(0, c->region)));
		for (m = 0; m < NZ_NMEASURES; m++) {
			json_t *v = json_array();

			for (i = 0; i < NCHANGE; i++)
				json_array_append_new(v, i == 9 &&
				    c->v[m][i] != NO_VALUE ?
				    json_real((double)c->v[m][i] / 10) :
				    jvalue(c->v[m][i]));
			json_object_set_new(obj, nz_measure_names[m], v);
		}
		json_object_set_new(obj, "agencies_matched",
		    json_integer(c->matched));
		json_object_set_new(obj, "agencies_joined", jlist(c->joined));
		json_object_set_new(obj, "agencies_left", jlist(c->left));
		json_object_set_new(obj, "policy_events", jlist(c->events));
		json_array_append_new(list, obj);
	}
	return list;
}

static json_t *
dashboard_json(void)
{
	json_t *root = json_object(), *a, *obj, *breakdowns, *rows[NDIMS];
	json_t *change_cols_json = json_array();
	size_t i;
	int d;

	json_object_set_new(root, "format", json_string("nzccss-dashboard-1"));
	a = json_array();
	for (i = 0; i < model.nperiods; i++)
		json_array_append_new(a, jperiod(model.periods[i]));
	json_object_set_new(root, "periods", a);
	json_object_set_new(root, "latest",
	    jperiod(model.periods[model.nperiods - 1]));
	a = json_array();
	for (i = 0; i < model.codes[0]->n; i++)
		if (region_present((int)i + 1))
			json_array_append_new(a,
			    json_string(model.codes[0]->code[i]));
	json_object_set_new(root, "regions", a);
	a = json_array();
	for (i = 0; i < NZ_NMEASURES; i++)
		json_array_append_new(a, json_string(nz_measure_names[i]));
	json_object_set_new(root, "measures", a);
	json_object_set_new(root, "labels", labels_json());
	json_object_set_new(root, "agencies", agencies_json());

	obj = json_object();
	json_object_set_new(obj, "columns", cell_columns(0));
	breakdowns = json_object();
	json_object_set_new(breakdowns, "columns", cell_columns(1));
	for (d = 0; d < NDIMS; d++)
		rows[d] = json_array();
	for (i = 0; i < model.ncells; i++)
		json_array_append_new(rows[model.cells[i].dim],
		    cell_row(&model.cells[i]));
	json_object_set_new(obj, "rows", rows[0]);
	json_object_set_new(root, "totals", obj);
	for (d = 1; d < NDIMS; d++)
		json_object_set_new(breakdowns, dim_names[d], rows[d]);
	json_object_set_new(root, "breakdowns", breakdowns);

	for (i = 0; i < NCHANGE; i++)
		json_array_append_new(change_cols_json,
		    json_string(change_suffix[i][0] ? change_suffix[i] + 1 :
		    "level"));
	obj = json_object();
	json_object_set_new(obj, "columns", change_cols_json);
	json_object_set_new(obj, "qoq", changes_json(0));
	json_object_set_new(obj, "yoy", changes_json(1));
	json_object_set_new(root, "changes", obj);

	a = json_array();
	for (i = 0; i < model.nevents; i++) {
		obj = json_object();
		json_object_set_new(obj, "date", json_string(model.events[i].date));
		json_object_set_new(obj, "period",
		    jperiod(event_period(&model.events[i])));
		json_object_set_new(obj, "title",
		    json_string(model.events[i].title));
		json_object_set_new(obj, "url", json_string(model.events[i].url));
		json_array_append_new(a, obj);
	}
	json_object_set_new(root, "events", a);
	return root;
}

static void
write_dashboard(int as_js)
{
	json_t *root = dashboard_json();
	size_t flags = JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(12);

	if (as_js)
		fputs("/* NZCCSS dashboard data, written by publish */\n"
		    "window.NZ_DATA = ", stdout);
	if (json_dumpf(root, stdout, flags) != 0)
		nz_die(NZ_EXIT_DATA, "cannot write the data");
	fputs(as_js ? ";\n" : "\n", stdout);
	json_decref(root);
}

/* ---- the report (HTML) ---- */

static void
html_text(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		default: putchar(*s);
		}
	}
}

/* 12345 as "12,345"; negative with a minus sign; plus sign when asked */
static const char *
fmt_num(int64_t v, int sign)
{
	static char bufs[8][40];
	static int next;
	char digits[32], *out = bufs[next++ % 8];
	size_t n, i, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	if (v == NO_VALUE)
		return "no limit";
	snprintf(digits, sizeof digits, "%" PRIu64, u);
	n = strlen(digits);
	if (v < 0)
		k += (size_t)sprintf(out, "\xe2\x88\x92"); /* U+2212 minus */
	else if (sign && v > 0)
		out[k++] = '+';
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	return out;
}

/* a percentage in tenths as "+5.7%" or "\u22126.5%" */
static void
pct_td(int64_t tenths, int sig)
{
	int64_t a = tenths < 0 ? -tenths : tenths;

	printf("<td class=\"num\">%s%" PRId64 ".%" PRId64 "%%%s</td>",
	    tenths < 0 ? "\xe2\x88\x92" : tenths > 0 ? "+" : "", a / 10,
	    a % 10, sig ? "" : " <abbr title=\"the range includes no change\">"
	    "ns</abbr>");
}

static void
range_td(const int64_t *v, int sign)
{
	printf("<td class=\"num\">%s</td>", fmt_num(v[0], sign));
	printf("<td class=\"range\">%s to %s</td>", fmt_num(v[1], sign),
	    fmt_num(v[2], sign));
}

static const char *const measure_titles[NZ_NMEASURES] = {
	"Clients", "Households", "Events (visits)", "Units (e.g. food parcels)",
};

static void
headline_table(const int *quarters)
{
	char name[2][16];
	int m, q;

	period_name(quarters[0], name[0]);
	period_name(quarters[1], name[1]);
	printf("<table>\n<caption>National totals for each quarter of the "
	    "half, with the range the true value lies in</caption>\n"
	    "<thead><tr><th scope=\"col\">Measure</th>");
	for (q = 0; q < 2; q++)
		printf("<th scope=\"col\">%s</th><th scope=\"col\">Range</th>",
		    name[q]);
	printf("</tr></thead>\n<tbody>\n");
	for (m = 0; m < NZ_NMEASURES; m++) {
		printf("<tr><th scope=\"row\">%s</th>", measure_titles[m]);
		for (q = 0; q < 2; q++)
			range_td(find_cell(quarters[q], 0, 0, 0)->m[m], 0);
		printf("</tr>\n");
	}
	printf("<tr><th scope=\"row\">Agencies contributing</th>");
	for (q = 0; q < 2; q++)
		printf("<td class=\"num\">%ld</td><td></td>",
		    find_cell(quarters[q], 0, 0, 0)->agencies);
	printf("</tr>\n</tbody>\n</table>\n");
}

/* The change of the half's quarterly average on a base, from the
 * matched-panel changes: coef[k] times the change into quarter q[k]. */
typedef struct half_change {
	int ok;
	int64_t change[3], base[3]; /* in halves: divide by 2 */
} half_change;

static void
add_scaled(int64_t *acc, const int64_t *v, int coef)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (acc[i] == NO_VALUE || v[i] == NO_VALUE)
			acc[i] = NO_VALUE;
		else
			acc[i] += coef * v[i];
	}
}

/* v2 is twice the value: round -1 down (a low bound), +1 up (a high
 * bound), 0 half away from zero (an estimate) */
static const char *
fmt_half(int64_t v2, int sign, int round)
{
	int64_t down, up; /* floor and ceiling of v2 / 2 */

	if (v2 == NO_VALUE)
		return "no limit";
	down = v2 >= 0 ? v2 / 2 : -((-v2 + 1) / 2);
	up = v2 >= 0 ? (v2 + 1) / 2 : -(-v2 / 2);
	if (round < 0)
		return fmt_num(down, sign);
	if (round > 0)
		return fmt_num(up, sign);
	return fmt_num(v2 >= 0 ? up : down, sign);
}

static void
half_change_row(const char *label, int which, const int *periods,
	const int *coefs, int nterms, const int *base_terms, int nbase)
{
	int m, k;

	printf("<tr><th scope=\"row\">%s</th>", label);
	for (m = 0; m < NZ_NMEASURES; m++) {
		int64_t ch[3] = {0, 0, 0}, base = 0;
		int ok = 1;

		for (k = 0; k < nterms; k++) {
			const change *c = find_change(which, periods[k], 0);

			if (!c) {
				ok = 0;
				break;
			}
			add_scaled(ch, c->v[m] + 6, coefs[k]);
		}
		for (k = 0; ok && k < nbase; k++) {
			const change *c = find_change(which, base_terms[k], 0);

			if (!c)
				ok = 0;
			else
				base += c->v[m][3];
		}
		if (!ok) {
			printf("<td colspan=\"3\">not available</td>");
			continue;
		}
		printf("<td class=\"num\">%s</td>", fmt_half(ch[0], 1, 0));
		printf("<td class=\"range\">%s to %s</td>",
		    fmt_half(ch[1], 1, -1), fmt_half(ch[2], 1, 1));
		if (base > 0)
			pct_td((int64_t)(1000.0 * (double)ch[0] / (double)base +
			    (ch[0] < 0 ? -0.5 : 0.5)), (ch[1] != NO_VALUE &&
			    ch[1] > 0) || (ch[2] != NO_VALUE && ch[2] < 0));
		else
			printf("<td></td>");
	}
	printf("</tr>\n");
}

static void
half_change_head(const char *caption)
{
	int m;

	printf("<table class=\"changes\">\n<caption>%s</caption>\n<thead><tr>"
	    "<th scope=\"col\" rowspan=\"2\">Comparison</th>", caption);
	for (m = 0; m < NZ_NMEASURES; m++)
		printf("<th scope=\"colgroup\" colspan=\"3\">%s</th>",
		    measure_titles[m]);
	printf("</tr><tr>");
	for (m = 0; m < NZ_NMEASURES; m++)
		printf("<th scope=\"col\">Change</th><th scope=\"col\">Range"
		    "</th><th scope=\"col\">%%</th>");
	printf("</tr></thead>\n<tbody>\n");
}

static void
quarter_change_rows(int which, const int *quarters)
{
	int q, m;
	char name[16], base[16];

	for (q = 0; q < 2; q++) {
		const change *c = find_change(which, quarters[q], 0);

		if (!c)
			continue;
		period_name(c->period, name);
		period_name(c->base, base);
		printf("<tr><th scope=\"row\">%s on %s (%ld agencies)</th>",
		    name, base, c->matched);
		for (m = 0; m < NZ_NMEASURES; m++) {
			printf("<td class=\"num\">%s</td>",
			    fmt_num(c->v[m][6], 1));
			printf("<td class=\"range\">%s to %s</td>",
			    fmt_num(c->v[m][7], 1), fmt_num(c->v[m][8], 1));
			if (c->v[m][9] != NO_VALUE)
				pct_td(c->v[m][9], (int)c->v[m][10]);
			else
				printf("<td></td>");
		}
		printf("</tr>\n");
	}
}

static void
changes_section(const int *quarters)
{
	/* previous half: (Q1+Q2) - (Q3'+Q4') = d(Q4') + 2 d(Q1) + d(Q2) */
	int prev_periods[3] = {quarters[0] - 1, quarters[0], quarters[1]};
	int prev_coefs[3] = {1, 2, 1};
	int prev_base[2] = {quarters[0] - 1, quarters[0]};
	int yoy_coefs[2] = {1, 1};

	printf("<section class=\"keep\">\n<h2 id=\"previous-half\">Changes against the "
	    "previous half</h2>\n<p>Like for like: each quarter is compared "
	    "with the quarter before over the agencies that released both, "
	    "and the changes are chained, so an agency joining or leaving is "
	    "never counted as growth or decline.  The half figure is the "
	    "change in the average per quarter.</p>\n");
	half_change_head("Change against the previous half (average per "
	    "quarter), and each quarter on the quarter before");
	half_change_row("Half on previous half", 0, prev_periods, prev_coefs,
	    3, prev_base, 2);
	quarter_change_rows(0, quarters);
	printf("</tbody>\n</table>\n</section>\n");

	printf("<section class=\"keep\">\n<h2 id=\"year-earlier\">Changes against the same "
	    "half a year earlier</h2>\n<p>Each quarter of the half against "
	    "the same quarter a year before, over the agencies that released "
	    "both.</p>\n");
	half_change_head("Change against the same half a year earlier "
	    "(average per quarter), and each quarter on a year before");
	half_change_row("Half on a year earlier", 1, quarters, yoy_coefs, 2,
	    quarters, 2);
	quarter_change_rows(1, quarters);
	printf("</tbody>\n</table>\n<p class=\"note\">A change is shown as "
	    "significant when its whole range lies on one side of zero; "
	    "<abbr title=\"not significant\">ns</abbr> marks a change whose "
	    "range includes no change.</p>\n</section>\n");
}

static void
trend_table(int last)
{
	char name[16];
	size_t p;

	printf("<table>\n<caption>Clients nationally each quarter</caption>\n"
	    "<thead><tr><th scope=\"col\">Quarter</th><th scope=\"col\">"
	    "Clients</th><th scope=\"col\">Range</th><th scope=\"col\">"
	    "Agencies</th></tr></thead>\n<tbody>\n");
	for (p = 0; p < model.nperiods && model.periods[p] <= last; p++) {
		const cell *c = find_cell(model.periods[p], 0, 0, 0);

		if (!c)
			continue;
		period_name(c->period, name);
		printf("<tr><th scope=\"row\">%s</th>", name);
		range_td(c->m[NZ_CLIENTS], 0);
		printf("<td class=\"num\">%ld</td></tr>\n", c->agencies);
	}
	printf("</tbody>\n</table>\n");
}

static void
region_table(const int *quarters)
{
	char name[2][16];
	size_t r;
	int q;

	period_name(quarters[0], name[0]);
	period_name(quarters[1], name[1]);
	printf("<table>\n<caption>Clients by region</caption>\n<thead><tr>"
	    "<th scope=\"col\">Region</th>");
	for (q = 0; q < 2; q++)
		printf("<th scope=\"col\">%s</th><th scope=\"col\">Range</th>",
		    name[q]);
	printf("</tr></thead>\n<tbody>\n");
	for (r = 0; r <= model.codes[0]->n; r++) {
		if (!find_cell(quarters[1], (int)r, 0, 0))
			continue;
		printf("<tr><th scope=\"row\">");
		html_text(label_of(0, (int)r));
		printf("</th>");
		for (q = 0; q < 2; q++) {
			const cell *c = find_cell(quarters[q], (int)r, 0, 0);

			if (c)
				range_td(c->m[NZ_CLIENTS], 0);
			else
				printf("<td colspan=\"2\">no data</td>");
		}
		printf("</tr>\n");
	}
	printf("</tbody>\n</table>\n");
}

static void
breakdown_table(int dim, int period)
{
	char name[16];
	size_t k;

	period_name(period, name);
	printf("<table>\n<caption>%s: clients nationally, %s%s</caption>\n"
	    "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">Clients"
	    "</th><th scope=\"col\">Range</th></tr></thead>\n<tbody>\n",
	    model.titles[dim], name, model.codes[dim]->multi ?
	    " (total response: a client can count in several rows)" : "",
	    model.titles[dim]);
	for (k = 1; k <= model.codes[dim]->n; k++) {
		const cell *c = find_cell(period, 0, dim, (int)k);

		if (!c)
			continue;
		printf("<tr><th scope=\"row\">");
		html_text(label_of(dim, (int)k));
		printf("</th>");
		range_td(c->m[NZ_CLIENTS], 0);
		printf("</tr>\n");
	}
	printf("</tbody>\n</table>\n");
}

static void
chart(const char *dir, const char *name, const char *alt)
{
	nz_buf path = {0};
	FILE *f;
	char buf[8192];
	size_t n;

	if (!dir)
		return;
	nz_buf_printf(&path, "%s/%s.svg", dir, name);
	f = fopen(path.s, "r");
	if (!f) {
		nz_warn("%s: no chart, the table stands alone", path.s);
		nz_buf_free(&path);
		return;
	}
	printf("<figure class=\"chart\" role=\"img\" aria-label=\"");
	html_text(alt);
	printf("\">\n");
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	if (ferror(f))
		nz_die(NZ_EXIT_DATA, "%s: read error", path.s);
	fclose(f);
	printf("\n</figure>\n");
	nz_buf_free(&path);
}

static void
events_section(const int *quarters)
{
	size_t i, n = 0;

	printf("<section>\n<h2 id=\"policy\">Policy events in the half</h2>\n");
	for (i = 0; i < model.nevents; i++) {
		const nz_event *e = &model.events[i];

		if (event_period(e) != quarters[0] &&
		    event_period(e) != quarters[1])
			continue;
		if (n++ == 0)
			printf("<ul class=\"events\">\n");
		printf("<li><time datetime=\"%s\">%s</time>: ", e->date, e->date);
		if (*e->url) {
			printf("<a href=\"");
			html_text(e->url);
			printf("\">");
			html_text(e->title);
			printf("</a>");
		} else {
			html_text(e->title);
		}
		printf("</li>\n");
	}
	if (n)
		printf("</ul>\n");
	else
		printf("<p>No policy events are recorded for this half.</p>\n");
	printf("</section>\n");
}

static void
narrative_section(const char *dir, const char *file, const char *id,
	const char *title)
{
	nz_buf path = {0};
	char *text = NULL, *html;
	size_t len = 0, bad;

	printf("<section class=\"narrative\">\n<h2 id=\"%s\">%s</h2>\n", id,
	    title);
	if (dir) {
		nz_buf_printf(&path, "%s/%s", dir, file);
		text = nz_slurp(path.s, &len);
	}
	if (text && !nz_utf8_valid(text, len, &bad))
		nz_die(NZ_EXIT_DATA, "%s: invalid UTF-8 at byte %zu", path.s,
		    bad);
	if (text && strspn(text, " \t\r\n") < len) {
		html = cmark_markdown_to_html(text, len, CMARK_OPT_DEFAULT);
		fputs(html, stdout);
		free(html);
	} else {
		nz_warn("%s: no narrative for section '%s'",
		    dir ? path.s : file, title);
		printf("<p class=\"missing\">The %s narrative for this half has "
		    "not been written yet (%s was %s).</p>\n", title, file,
		    text ? "empty" : "not found");
	}
	printf("</section>\n");
	free(text);
	nz_buf_free(&path);
}

static const char report_notes[] =
	"<section>\n<h2 id=\"about\">About these figures</h2>\n<ul>\n"
	"<li><strong>People are counted once per agency.</strong> The figures "
	"add up what each agency reports, so a client of two agencies counts "
	"twice.  They count contacts with the agencies taking part, not "
	"distinct people in New Zealand.</li>\n"
	"<li><strong>Total response.</strong> Ethnicity, reasons for seeking "
	"help (need), income source and service are total-response counts, as "
	"Stats NZ counts ethnicity: a client with two ethnicities or two needs "
	"counts in each, so rows can add up to more than the total.</li>\n"
	"<li><strong>Protected counts.</strong> Every agency protects its "
	"figures before they leave it: small counts are suppressed and the "
	"rest are randomly rounded to a multiple of 3 (Stats NZ rules).  The "
	"figure shown is our best estimate; the <em>range</em> is where the "
	"true value certainly lies given that protection.  A change is "
	"significant when its whole range is above or below zero.</li>\n"
	"<li><strong>Like for like.</strong> Changes compare only agencies "
	"that released both periods, so a new agency joining is never "
	"counted as growth.</li>\n"
	"<li>Quarters are calendar quarters (2026Q1 is the March 2026 "
	"quarter).  A client seen in two quarters counts in both.</li>\n"
	"</ul>\n</section>\n";

static const char report_style[] =
	"body{font:11pt/1.45 system-ui,'DejaVu Sans',sans-serif;color:#1d2433;"
	"max-width:60rem;margin:0 auto;padding:1.5rem}"
	"h1{font-size:1.7rem;color:#0b4f6c;margin-bottom:.2rem}"
	"h2{font-size:1.3rem;color:#0b4f6c;border-bottom:2px solid #c9dde6;"
	"padding-bottom:.2rem;margin-top:2rem}"
	"table{border-collapse:collapse;margin:1rem 0;font-size:.92em}"
	"caption{text-align:left;font-weight:600;padding-bottom:.3rem}"
	"th,td{border-bottom:1px solid #d5dbe1;padding:.25rem .5rem;"
	"text-align:left;vertical-align:top}"
	"thead th{background:#eef4f7}td.num{text-align:right;"
	"font-variant-numeric:tabular-nums}td.range{color:#4b5563;"
	"font-size:.9em;white-space:nowrap}"
	".changes{font-size:.8em}.note,.lede{color:#4b5563}"
	".missing{border-left:4px solid #b45309;background:#fff7ed;"
	"padding:.5rem 1rem}.chart svg{max-width:100%;height:auto}"
	"figure{margin:1rem 0}section{break-inside:auto}"
	"h2{break-after:avoid}table,figure,.keep{break-inside:avoid}"
	"@media print{body{padding:0;font-size:10pt}a{color:inherit}}";

static int
half_quarters(const char *half, int quarters[2])
{
	int year, h, n = 0;

	if (sscanf(half, "%4dH%1d%n", &year, &h, &n) != 2 ||
	    (size_t)n != strlen(half) || strlen(half) != 6 || h < 1 || h > 2 ||
	    year < 1900)
		return -1;
	quarters[0] = year * 4 + (h - 1) * 2;
	quarters[1] = quarters[0] + 1;
	return 0;
}

static void
write_report(const char *half, const int *quarters, const char *narrative,
	const char *charts)
{
	static const char *const months[2] = {"January to June",
	    "July to December"};
	char q0[16], q1[16];
	int year = quarters[0] / 4, h = quarters[0] % 4 / 2;
	int q;

	for (q = 0; q < 2; q++)
		if (!find_cell(quarters[q], 0, 0, 0)) {
			period_name(quarters[q], q0);
			nz_die(NZ_EXIT_DATA, "%s: no national figures for %s",
			    half, q0);
		}
	period_name(quarters[0], q0);
	period_name(quarters[1], q1);
	printf("<!DOCTYPE html>\n<html lang=\"en-NZ\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\">\n"
	    "<title>Community services report %s</title>\n<style>%s</style>\n"
	    "</head>\n<body>\n<header>\n<h1>Community services report, %s %d"
	    "</h1>\n<p class=\"lede\">NZCCSS member agencies: clients, "
	    "households, visits and support given in %s and %s (%s), from "
	    "figures each agency aggregated and protected before sending.</p>\n"
	    "</header>\n<main>\n", half, report_style, months[h], year, q0, q1,
	    half);

	printf("<section>\n<h2 id=\"headline\">Headline figures</h2>\n");
	headline_table(quarters);
	printf("</section>\n");

	printf("<section>\n<h2 id=\"trend\">Clients over time</h2>\n");
	chart(charts, "clients", "Clients nationally each quarter, with the "
	    "range and policy events");
	trend_table(quarters[1]);
	printf("</section>\n");

	changes_section(quarters);

	printf("<section>\n<h2 id=\"regions\">Regions</h2>\n");
	chart(charts, "regions", "Clients by region in the latest quarter of "
	    "the half");
	region_table(quarters);
	printf("</section>\n");

	printf("<section>\n<h2 id=\"needs\">Reasons for seeking help</h2>\n");
	chart(charts, "need", "Clients by reason for seeking help in the "
	    "latest quarter of the half");
	breakdown_table(7, quarters[1]);
	printf("</section>\n");

	events_section(quarters);
	narrative_section(narrative, "lived-experience.md", "lived-experience",
	    "Lived experience");
	narrative_section(narrative, "services.md", "services", "Services");
	narrative_section(narrative, "policy.md", "policy-narrative", "Policy");
	fputs(report_notes, stdout);
	printf("</main>\n</body>\n</html>\n");
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
		{"js", no_argument, NULL, 'j'},
		{"report", required_argument, NULL, 'r'},
		{"narrative", required_argument, NULL, 'n'},
		{"charts", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *changes = NULL, *yoy = NULL, *events = NULL;
	const char *half = NULL, *narrative = NULL, *charts = NULL;
	char *codes = NULL, *bands = NULL;
	const char **manifests = NULL;
	size_t nman = 0, capman = 0, i;
	int c, as_js = 0, quarters[2];

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "c:y:e:m:jr:n:hV", opts, NULL))
	    != -1) {
		switch (c) {
		case 'c': changes = optarg; break;
		case 'y': yoy = optarg; break;
		case 'e': events = optarg; break;
		case 'm':
			nz_grow(&manifests, &capman, nman + 1, sizeof *manifests);
			manifests[nman++] = optarg;
			break;
		case 'C': codes = nz_strdup(optarg); break;
		case 'B': bands = nz_strdup(optarg); break;
		case 'j': as_js = 1; break;
		case 'r': half = optarg; break;
		case 'n': narrative = optarg; break;
		case 'S': charts = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (argc - optind != 1)
		nz_usage_error("expected one MERGED file");
	if (half && half_quarters(half, quarters) != 0)
		nz_usage_error("--report: bad half %s (expected e.g. 2026H1)",
		    nz_q(half));
	if (half && as_js)
		nz_usage_error("--js and --report do not go together");
	if (!half && (narrative || charts))
		nz_usage_error("--narrative and --charts need --report");

	if (!codes)
		codes = nz_pipelines_path("codes");
	if (!bands)
		bands = nz_pipelines_path("age-bands.json");
	load_codes(codes, bands);
	make_headers();
	read_merged(argv[optind]);
	if (changes)
		read_changes(changes, 0);
	if (yoy)
		read_changes(yoy, 1);
	if (events)
		model.events = nz_events_load(events, &model.nevents);
	for (i = 0; i < nman; i++)
		read_manifest(manifests[i]);
	sort_model();
	if (half)
		write_report(half, quarters, narrative, charts);
	else
		write_dashboard(as_js);
	nz_events_free(model.events, model.nevents);
	free(changes_path[0]);
	free(changes_path[1]);
	free(codes);
	free(bands);
	free(manifests);
	return nz_close_stdout();
}
