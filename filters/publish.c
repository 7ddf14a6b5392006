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
	    "same cells, with the columns of their files (pipelines/site/README.md).\n"
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
 * period, base, region, dim (0: a total), code; codes are 1 + index. */
enum { KIND, KPERIOD, KBASE, KREGION, KDIM, KCODE, NKEY };
typedef struct row {
	int key[NKEY];
	long line;
	json_t *json;
} row;

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
	json_t *cols[2];             /* cells', changes' measure and tail */
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

/* The rows of a file, each checked; those the pages show are kept as
 * JSON: [comparison, period, base_period,] for changes, then region,
 * dimension and code (null for a total), then the rest as in the file,
 * but for the lists of a change, which only its totals carry (they are
 * the same for each cell of a quarter). */
static void
read_rows(const char *path, enum nz_contract contract, int kind)
{
	static const char *const comparison[3] = {NULL, "qoq", "yoy"};
	static file f;      /* static: what it holds stays reachable on errors */
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	nz_row *r;
	size_t j, n, dim0;

	f = (file){nz_strdup(nz_csv_name(csv)), NULL, 0, NULL, NULL};
	model.file_of[kind] = f.name;
	nz_series_header(csv, &f, contract);
	dim0 = (size_t)nz_col_index(contract, nz_dims[0].name);
	f.num = nz_calloc(f.ncols + 2, sizeof *f.num);
	while (nz_csv_next_n(csv, &r, f.ncols) == 1) {
		char *const *dims = r->field + dim0;
		row *w;
		int shown;

		/* built in its place in model.rows, reachable on errors */
		nz_grow(&model.rows, &model.rcap, model.nrows + 1, sizeof *w);
		w = &model.rows[model.nrows];
		*w = (row){{kind}, r->line, json_array()};
		shown = dims_key(&f, r->line, dims, w->key);
		if (kind)
			json_array_append_new(w->json, json_string(comparison[kind]));
		for (j = 0; j < f.ncols; j++) {
			json_t *v = nz_series_field(&f, r->line, j, r->field[j],
			    &f.num[j]);

			if (j == dim0) {
				json_array_append_new(w->json, json_string(dims[0]));
				json_array_append_new(w->json, w->key[KDIM] ? json_string(
				    model.dims[w->key[KDIM]].name) : json_null());
				json_array_append_new(w->json, w->key[KDIM] ?
				    json_string(dims[w->key[KDIM]]) : json_null());
			}
			if (v)
				json_array_append_new(w->json, v);
		}
		nz_series_check(&f, r->line, f.num);
		w->key[KPERIOD] = (int)f.num[0];
		w->key[KBASE] = kind ? (int)f.num[1] : 0;
		if (kind && w->key[KBASE] >= w->key[KPERIOD])
			nz_dieat(NZ_EXIT_DATA, f.name, r->line, "base_period %s not "
			    "before period", nz_q(r->field[1]));
		add_period(w->key[KPERIOD]);
		if (!shown) {
			json_decref(w->json);
			continue;
		}
		n = json_array_size(w->json);
		for (j = 1; kind && w->key[KDIM] && j <= 3; j++)
			json_array_set_new(w->json, n - j, json_null());
		model.nrows++;
	}
	nz_csv_close(csv);
	if (!model.cols[kind > 0]) {
		model.cols[kind > 0] = json_array();
		for (j = dim0 + NZ_NDIMS; j < f.ncols; j++)
			json_array_append_new(model.cols[kind > 0],
			    json_string(f.cols[j]));
	}
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

static json_t *
table_json(int kind, const char *lead, json_t *cols)
{
	json_t *names = json_array(), *rows = json_array();
	const char *s, *end;
	size_t i;

	for (s = lead; *s; s = *end ? end + 1 : end) {
		end = s + strcspn(s, " ");
		json_array_append_new(names, json_stringn(s, (size_t)(end - s)));
	}
	if (cols)       /* none without a changes file */
		json_array_extend(names, cols);
	for (i = 0; i < model.nrows; i++)
		if ((model.rows[i].key[KIND] > 0) == (kind > 0))
			json_array_append(rows, model.rows[i].json);
	return json_pack("{s:o, s:o}", "columns", names, "rows", rows);
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
		row key = {{0, q}, 0, NULL};   /* its national total */

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
	root = json_pack("{s:s, s:o, s:f, s:i}", "format", "nzccss-dashboard-2",
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
	json_object_set_new(root, "cells", table_json(0, "period region "
	    "dimension code", model.cols[0]));
	json_object_set_new(root, "changes", table_json(1, "comparison period "
	    "base_period region dimension code", model.cols[1]));
	if (half)
		json_object_set_new(root, "report", report_json(half, narrative));
	if (as_js)
		fputs("/* NZCCSS dashboard data, written by publish */\n"
		    "window.NZ_DATA = ", stdout);
	if (json_dumpf(root, stdout, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(12)))
		nz_die(NZ_EXIT_DATA, "cannot write the data");
	fputs(as_js ? ";\n" : "\n", stdout);
	nz_drop(root);
	json_decref(root);
	nz_events_free(model.events, model.nevents);
	free(codes);
	free(bands);
	free(manifests);
	return nz_close_stdout();
}
