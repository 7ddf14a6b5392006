/* agency-view: the data of an agency's internal report (pipelines/agency),
 * from the agency's own internal files: its internal cells (exact counts),
 * its mapped events and the worker side file (workloads and complexity),
 * each stage's statistics, the unmapped values and the rejected rows (data
 * quality) and, when given, the national figures to set beside its own.
 * It stays at the agency: nothing it writes is sent, and nothing that is
 * sent (manifest, release) reads it.  The page is a template that reads
 * this data; agency-view writes no document. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

#define MARKING "INTERNAL: not for publication"
#define COMPLEX_NEEDS 3      /* "clients with three or more needs" */
#define NEED_BANDS 4         /* clients with 0, 1, 2, 3 or more needs */
#define MAX_LINES 5          /* rejected rows listed by line, per reason */
#define MAX_COUNT (1L << 53) /* a count JSON carries exactly */
#define ALL_PERIODS (-1L)    /* the "*" period: every quarter of the report */

static void
usage(void)
{
	printf("Usage: %s --mapped FILE [OPTION]... [CELLS]\n"
"Write the data of an agency's internal report (pipelines/agency): JSON on\n"
"stdout, keys sorted and rows in a fixed order, so the same files give the\n"
"same bytes.  CELLS are aggregate(1)'s internal cells (standard input when\n"
"absent or -): exact counts, kept at the agency.  Nothing written here may\n"
"be sent; the data and the page say so (\"" MARKING "\").\n"
"\n"
"  -m, --mapped FILE     the mapped events (map-categories(1)): visits per\n"
"                        client and needs per client, each quarter\n"
"  -w, --worker FILE     normalise's --worker side file (client_key,\n"
"                        event_date,worker): clients, visits and clients\n"
"                        with %d or more needs per worker and quarter\n"
"  -p, --profile FILE    the agency profile: its name, and whether it maps\n"
"                        a worker column (then --worker is required)\n"
"  -s, --stage FILE      a stage's --stats file, in pipeline order\n"
"                        (repeatable): rows rejected and why, warnings,\n"
"                        and late entries where a stage counts them\n"
"  -u, --unmapped FILE   map-categories' --unmapped file\n"
"  -r, --rejects FILE    a stage's --rejects file (line,reason,value;\n"
"                        repeatable): rows by reason, the first %d lines\n"
"  -n, --national FILE   merged cells (merge(1)) to compare with: the\n"
"                        quarters and regions of CELLS, clients only\n"
"  -e, --events FILE     policy events, CSV date,title,url\n"
"      --codes DIR       national code lists (default: pipelines/codes)\n"
"      --bands FILE      age bands (default: pipelines/age-bands.json)\n"
"      --max-range-share PCT\n"
"                        as merge(1), for the national shares (default %g)\n"
"  -j, --js              write a script setting window.NZ_AGENCY, so that\n"
"                        the page opens from file://\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"The dimensions are the schema's, each with its code list, so a new\n"
"dimension needs no change here.  The data carries the cells with no\n"
"dimension or one set besides region; a quarter's needs per client count\n"
"the distinct need codes of its events, not-stated left out.  A worker\n"
"row must match an event (client and date) and every event a worker row;\n"
"an empty worker is \"not stated\".  The format is in pipelines/agency/README.md.\n"
"\n"
"Exit status: 0 success, 1 data or input error (naming file and line),\n"
"2 usage error.\n",
	    nz_prog, COMPLEX_NEEDS, MAX_LINES, NZ_MAX_RANGE_SHARE);
	exit(NZ_EXIT_OK);
}

/* The measures as the page names them (the dashboard's titles). */
static const char *const measure_title[NZ_NMEASURES] = {
	"Clients", "Households", "Visits", "Units given (e.g. food parcels)",
};

typedef nz_dim_shown dim;

/* A cell row kept: its key (period, region + 1 or 0 for '*', dimension
 * + 1 or 0 for none, code + 1) and its values as JSON. */
enum { KPERIOD, KREGION, KDIM, KCODE, NKEY };
typedef struct cell {
	long key[NKEY];
	long line;
	json_t *json;
} cell;

typedef struct table {
	cell *rows;
	size_t n, cap;
	const char *file;
} table;

/* What a client did in one quarter (or in all): its visits and needs. */
typedef struct client {
	long period, visits;
	uint64_t needs;              /* bit per need code */
} client;

static struct {
	dim dims[NZ_NDIMS];
	char *agency;
	long *periods;               /* the cells' quarters, sorted */
	size_t nperiods, pcap;
	int *region_used;            /* per region code: has own cells */
	table cells, national;
	int need_field, need_dim;
	nz_strset *clients;          /* client key + period: its entry */
	client *client_of;
	size_t ccap;
	nz_strset *visits;           /* client key + date: events left */
	long *visits_left;
	size_t vcap;
	long outside;                /* events outside the report's quarters */
} V;

/* ---- small helpers ---- */

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static long
count_at(const char *file, long line, const char *col, const char *s)
{
	long v;

	if (nz_parse_long(s, 0, MAX_COUNT, &v) != 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "%s: %s is not a count", col,
		    nz_q(s));
	return v;
}

static long
period_at(const char *file, long line, const char *s)
{
	long p;

	if (nz_period_parse_index(s, &p) != 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "bad period %s", nz_q(s));
	return p;
}

static json_t *
jperiod(long p)
{
	char buf[NZ_PERIOD_BUF];

	if (p == ALL_PERIODS)
		return json_string("*");
	nz_period_name(p, buf);
	return json_string(buf);
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int
in_report(long p)
{
	return V.nperiods && bsearch(&p, V.periods, V.nperiods, sizeof p,
	    cmp_long) != NULL;
}

static void
check_agency(const char *file, long line, const char *agency)
{
	if (!V.agency)
		V.agency = nz_strdup(agency);
	else if (strcmp(V.agency, agency) != 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "agency %s, but the report is "
		    "of %s", nz_q(agency), nz_q(V.agency));
}

/* ---- the dimensions and their code lists ---- */

static json_t *
dimensions_json(void)
{
	json_t *list = json_array(), *codes;
	size_t i;
	int k;

	for (k = 0; k < NZ_NDIMS; k++) {
		const dim *d = &V.dims[k];

		codes = json_array();
		for (i = 0; i < d->codes->n; i++)
			json_array_append_new(codes, json_pack("[s, s]",
			    d->codes->code[i], d->codes->label[i]));
		/* computed: no field of the export (the flow measures, which
		 * aggregate settles), so no "not stated" to fix in the CMS */
		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:s?, s:o, "
		    "s:O, s:b}", "name", nz_dims[k].name, "title", d->title, "multi",
		    d->codes->multi, "not_stated", d->codes->not_stated, "codes",
		    codes, "highlight", d->highlight, "computed",
		    nz_dims[k].event_col < 0 && nz_dims[k].codes != NULL));
	}
	return list;
}

/* ---- cells: the agency's own, and the national ones ---- */

/* The dimensions of a row into key[KREGION..KCODE]: 0 when more than one
 * is set besides region (such cells are not on the page). */
static int
dims_key(const char *file, long line, char *const *codes, long *key)
{
	int k, i, n = 0;

	key[KREGION] = key[KDIM] = key[KCODE] = 0;
	for (k = 0; k < NZ_NDIMS; k++) {
		i = 0;
		if (strcmp(codes[k], "*") != 0 && (i = 1 + nz_codes_find(
		    V.dims[k].codes, codes[k], strlen(codes[k]))) == 0)
			nz_dieat(NZ_EXIT_DATA, file, line, "%s: unknown code %s",
			    nz_dims[k].name, nz_q(codes[k]));
		if (k == NZ_DIM_REGION)
			key[KREGION] = i;
		else if (i && ++n)
			key[KDIM] = k + 1, key[KCODE] = i;
	}
	return n <= 1;
}

static json_t *
key_json(const long *key)
{
	const dim *d = key[KDIM] ? &V.dims[key[KDIM] - 1] : NULL;

	return json_pack("[o, s, o, o]", jperiod(key[KPERIOD]), key[KREGION] ?
	    V.dims[NZ_DIM_REGION].codes->code[key[KREGION] - 1] : "*",
	    d ? json_string(nz_dims[key[KDIM] - 1].name) : json_null(),
	    d ? json_string(d->codes->code[key[KCODE] - 1]) : json_null());
}

static cell *
add_row(table *t, long line, const long *key)
{
	cell *c;

	nz_grow(&t->rows, &t->cap, t->n + 1, sizeof *t->rows);
	c = &t->rows[t->n++];
	memcpy(c->key, key, sizeof c->key);
	c->line = line;
	c->json = key_json(key);
	return c;
}

static void
add_period(long p)
{
	size_t i;

	for (i = 0; i < V.nperiods && V.periods[i] != p; i++)
		;
	if (i == V.nperiods) {
		nz_grow(&V.periods, &V.pcap, V.nperiods + 1, sizeof *V.periods);
		V.periods[V.nperiods++] = p;
	}
}

static void
read_cells(const char *path)
{
	size_t ncols, m;
	const char *const *cols = nz_cols(NZ_COLS_CELLS, &ncols);
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *r;
	long key[NKEY];

	V.cells.file = nz_strdup(file);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &r, ncols) == 1) {
		cell *c;

		check_agency(file, r->line, r->field[NZ_COL_AGENCY]);
		key[KPERIOD] = period_at(file, r->line, r->field[NZ_COL_PERIOD]);
		add_period(key[KPERIOD]);
		if (!dims_key(file, r->line, r->field + NZ_COL_DIMS, key))
			continue;
		if (key[KREGION])
			V.region_used[key[KREGION] - 1] = 1;
		c = add_row(&V.cells, r->line, key);
		for (m = 0; m < NZ_NMEASURES; m++)
			json_array_append_new(c->json, json_integer(count_at(file,
			    r->line, cols[NZ_COL_MEASURES + m],
			    r->field[NZ_COL_MEASURES + m])));
	}
	nz_csv_close(csv);
	qsort(V.periods, V.nperiods, sizeof *V.periods, cmp_long);
}

/* a merged figure's clients: estimate, low, high (empty: unbounded) and
 * how it may be shown, as merge wrote them */
static void
national_clients(const char *file, const nz_row *r, json_t *out)
{
	static const char *const suffix[4] = {"", "_low", "_high", "_shown"};
	char col[32];
	int s, at;

	for (s = 0; s < 4; s++) {
		snprintf(col, sizeof col, "clients%s", suffix[s]);
		at = nz_col_index(NZ_COLS_MERGED, col);
		if (s == 2 && r->field[at][0] == '\0')
			json_array_append_new(out, json_null());
		else if (s == 3) {
			int k;

			for (k = 0; k < 3 && strcmp(r->field[at],
			    nz_shown_names[k]) != 0; k++)
				;
			if (k == 3)
				nz_dieat(NZ_EXIT_DATA, file, r->line, "%s: bad value "
				    "%s", col, nz_q(r->field[at]));
			json_array_append_new(out, json_string(r->field[at]));
		} else
			json_array_append_new(out, json_integer(count_at(file,
			    r->line, col, r->field[at])));
	}
	at = nz_col_index(NZ_COLS_MERGED, "agencies");
	json_array_append_new(out, json_integer(count_at(file, r->line,
	    "agencies", r->field[at])));
}

/* the national cells of the report's quarters and regions */
static void
read_national(const char *path)
{
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_MERGED, &ncols);
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *r;
	long key[NKEY];

	V.national.file = nz_strdup(file);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &r, ncols) == 1) {
		if (strcmp(r->field[NZ_COL_AGENCY], "*") != 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "agency must be '*', "
			    "found %s", nz_q(r->field[NZ_COL_AGENCY]));
		key[KPERIOD] = period_at(file, r->line, r->field[NZ_COL_PERIOD]);
		if (!dims_key(file, r->line, r->field + NZ_COL_DIMS, key) ||
		    !in_report(key[KPERIOD]) || (key[KREGION] &&
		    !V.region_used[key[KREGION] - 1]))
			continue;
		national_clients(file, r, add_row(&V.national, r->line,
		    key)->json);
	}
	nz_csv_close(csv);
}

static int
cmp_cell(const void *a, const void *b)
{
	const long *x = ((const cell *)a)->key, *y = ((const cell *)b)->key;
	int k;

	for (k = 0; k < NKEY; k++)
		if (x[k] != y[k])
			return (x[k] > y[k]) - (x[k] < y[k]);
	return 0;
}

static json_t *
table_json(table *t, const char *columns)
{
	json_t *names = json_array(), *rows = json_array();
	const char *s, *end;
	size_t i;

	for (s = columns; *s; s = *end ? end + 1 : end) {
		end = s + strcspn(s, " ");
		json_array_append_new(names, json_stringn(s, (size_t)(end - s)));
	}
	if (t->n)
		qsort(t->rows, t->n, sizeof *t->rows, cmp_cell);
	for (i = 0; i < t->n; i++) {
		if (i && cmp_cell(&t->rows[i - 1], &t->rows[i]) == 0)
			nz_dieat(NZ_EXIT_DATA, t->file, t->rows[i].line > t->rows[i -
			    1].line ? t->rows[i].line : t->rows[i - 1].line, "the "
			    "cell of line %ld again", t->rows[i].line > t->rows[i -
			    1].line ? t->rows[i - 1].line : t->rows[i].line);
		json_array_append_new(rows, t->rows[i].json);
	}
	free(t->rows);
	return json_pack("{s:o, s:o}", "columns", names, "rows", rows);
}

/* ---- the events: visits and needs per client and quarter ---- */

static client *
client_entry(const char *client_key, long period)
{
	char key[2 * NZ_HASH_BYTES + 24];
	size_t len, i;
	int added;

	len = (size_t)snprintf(key, sizeof key, "%s/%ld", client_key, period);
	i = nz_strset_addn(V.clients, key, len, &added);
	if (added) {
		nz_grow(&V.client_of, &V.ccap, i + 1, sizeof *V.client_of);
		V.client_of[i] = (client){period, 0, 0};
	}
	return &V.client_of[i];
}

/* the need codes of an event as bits, not-stated left out */
static uint64_t
needs_of(const char *file, const nz_row *r)
{
	const nz_codes *codes = V.dims[V.need_dim].codes;
	const char *s = r->field[V.need_field];
	uint64_t bits = 0;
	int i;

	for (nz_list it = nz_list_of(s, r->len[V.need_field]);
	    nz_list_next(&it); ) {
		if ((i = nz_codes_find(codes, it.val, it.len)) < 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "need: unknown code "
			    "%s", nz_qn(it.val, it.len));
		if (i != codes->not_stated_index)
			bits |= (uint64_t)1 << i;
	}
	return bits;
}

static void
count_visit(const char *client_key, const char *date)
{
	char key[2 * NZ_HASH_BYTES + 16];
	size_t len, i;
	int added;

	len = (size_t)snprintf(key, sizeof key, "%s %s", client_key, date);
	i = nz_strset_addn(V.visits, key, len, &added);
	if (added) {
		nz_grow(&V.visits_left, &V.vcap, i + 1, sizeof *V.visits_left);
		V.visits_left[i] = 0;
	}
	V.visits_left[i]++;
}

static void
read_mapped(const char *path, int with_workers)
{
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_CANONICAL, &ncols);
	int col_client = nz_col_index(NZ_COLS_CANONICAL, "client_key");
	int col_date = nz_col_index(NZ_COLS_CANONICAL, "event_date");
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *r;
	int y, m, d;

	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &r, ncols) == 1) {
		const char *ck = r->field[col_client];
		uint64_t needs = needs_of(file, r);
		long p;
		client *c;

		check_agency(file, r->line, r->field[0]);
		if (r->len[col_client] != 2 * NZ_HASH_BYTES)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "client_key %s is not "
			    "32 hex digits", nz_q(ck));
		if (nz_parse_iso_date(r->field[col_date], &y, &m, &d) != 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "event_date %s is not "
			    "a date YYYY-MM-DD", nz_q(r->field[col_date]));
		if (with_workers)
			count_visit(ck, r->field[col_date]);
		p = nz_period_of_date(y, m);
		if (!in_report(p)) {
			V.outside++;
			continue;
		}
		c = client_entry(ck, p);
		c->visits++;
		c->needs |= needs;
		c = client_entry(ck, ALL_PERIODS);
		c->visits++;
		c->needs |= needs;
	}
	nz_csv_close(csv);
}

static int
popcount64(uint64_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static long
period_slot(long p)
{
	long *at;

	if (p == ALL_PERIODS)
		return (long)V.nperiods;
	at = bsearch(&p, V.periods, V.nperiods, sizeof p, cmp_long);
	return at ? at - V.periods : -1;
}

/* per quarter and over all: clients, visits, and clients by how many
 * needs they had (0, 1, 2, 3 or more) */
static json_t *
complexity_json(void)
{
	long (*sum)[2 + NEED_BANDS] = nz_calloc(V.nperiods + 1, sizeof *sum);
	json_t *rows = json_array();
	size_t i, p;
	int b;

	for (i = 0; i < nz_strset_count(V.clients); i++) {
		const client *c = &V.client_of[i];
		long slot = period_slot(c->period);
		int n = popcount64(c->needs);

		sum[slot][0]++;
		sum[slot][1] += c->visits;
		sum[slot][2 + (n < NEED_BANDS ? n : NEED_BANDS - 1)]++;
	}
	for (p = 0; p <= V.nperiods; p++) {
		json_t *row = json_array();

		json_array_append_new(row, jperiod(p < V.nperiods ? V.periods[p] :
		    ALL_PERIODS));
		for (b = 0; b < 2 + NEED_BANDS; b++)
			json_array_append_new(row, json_integer(sum[p][b]));
		json_array_append_new(rows, row);
	}
	free(sum);
	return json_pack("{s:[s,s,s,s,s,s,s], s:o}", "columns", "period",
	    "clients", "events", "needs_0", "needs_1", "needs_2",
	    "needs_3_plus", "rows", rows);
}

/* ---- workers: the side file joined with the events ---- */

/* a worker's figures in one quarter (or in all) */
typedef struct load {
	long slot, clients, events, complex;
	const char *worker;          /* points into the worker set */
} load;

static struct {
	nz_strset *names;            /* the workers, "" for not stated */
	nz_strset *pairs;            /* slot + worker: its load */
	load *load_of;
	size_t lcap;
	nz_strset *seen;             /* slot + client + worker: counted */
	const char *column;          /* the profile's worker column */
} W;

static load *
load_entry(long slot, const char *worker, size_t len)
{
	nz_buf key = {0};
	size_t i, w;
	int added;

	w = nz_strset_addn(W.names, worker, len, &added);
	nz_buf_printf(&key, "%ld/", slot);
	nz_buf_add(&key, worker, len);
	i = nz_strset_addn(W.pairs, key.s, key.len, &added);
	nz_buf_free(&key);
	if (added) {
		nz_grow(&W.load_of, &W.lcap, i + 1, sizeof *W.load_of);
		W.load_of[i] = (load){slot, 0, 0, 0, nz_strset_key(W.names, w)};
	}
	return &W.load_of[i];
}

/* a visit of client_key by worker in slot: counted, and the client once */
static void
add_load(long period, const char *client_key, const char *worker,
    size_t len)
{
	long slot = period_slot(period);
	load *l = load_entry(slot, worker, len);
	nz_buf key = {0};
	int added;

	l->events++;
	nz_buf_printf(&key, "%ld/%s/", slot, client_key);
	nz_buf_add(&key, worker, len);
	nz_strset_addn(W.seen, key.s, key.len, &added);
	nz_buf_free(&key);
	if (added) {
		l->clients++;
		l->complex += popcount64(client_entry(client_key,
		    period)->needs) >= COMPLEX_NEEDS;
	}
}

static void
match_visit(const char *file, const nz_row *r)
{
	char key[2 * NZ_HASH_BYTES + 16];
	size_t len = (size_t)snprintf(key, sizeof key, "%s %s", r->field[0],
	    r->field[1]);
	long i = nz_strset_findn(V.visits, key, len);

	if (i < 0 || V.visits_left[i] == 0)
		nz_dieat(NZ_EXIT_DATA, file, r->line, "no event of client %s on "
		    "%s left for this row in the mapped events: the side file is "
		    "not from the same build", nz_q(r->field[0]),
		    nz_q(r->field[1]));
	V.visits_left[i]--;
}

static void
read_workers(const char *path)
{
	static const char *const cols[] = {"client_key", "event_date",
	    "worker"};
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_row *r;
	size_t i;
	int y, m, d;

	nz_csv_expect_header(csv, cols, 3);
	while (nz_csv_next_n(csv, &r, 3) == 1) {
		long p;

		if (nz_parse_iso_date(r->field[1], &y, &m, &d) != 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "event_date %s is not "
			    "a date YYYY-MM-DD", nz_q(r->field[1]));
		match_visit(file, r);
		p = nz_period_of_date(y, m);
		if (!in_report(p))
			continue;
		add_load(p, r->field[0], r->field[2], r->len[2]);
		add_load(ALL_PERIODS, r->field[0], r->field[2], r->len[2]);
	}
	for (i = 0; i < nz_strset_count(V.visits); i++)
		if (V.visits_left[i])
			nz_die(NZ_EXIT_DATA, "%s: no row for the %ld event%s of "
			    "client %s on %s in the mapped events: the side file "
			    "is not from the same build", file, V.visits_left[i],
			    V.visits_left[i] == 1 ? "" : "s",
			    nz_qn(nz_strset_key(V.visits, i), 2 * NZ_HASH_BYTES),
			    nz_q(nz_strset_key(V.visits, i) + 2 * NZ_HASH_BYTES + 1));
	nz_csv_close(csv);
}

/* by quarter ("*" last), then by worker bytewise, not stated last */
static int
cmp_load(const void *a, const void *b)
{
	const load *x = a, *y = b;

	if (x->slot != y->slot)
		return (x->slot > y->slot) - (x->slot < y->slot);
	if (!*x->worker || !*y->worker)
		return !*x->worker - !*y->worker;
	return strcmp(x->worker, y->worker);
}

static json_t *
workers_json(void)
{
	size_t n = nz_strset_count(W.pairs), i;
	json_t *rows = json_array();

	if (n)
		qsort(W.load_of, n, sizeof *W.load_of, cmp_load);
	for (i = 0; i < n; i++) {
		const load *l = &W.load_of[i];

		json_array_append_new(rows, json_pack("[o, o, I, I, I]",
		    jperiod(l->slot < (long)V.nperiods ? V.periods[l->slot] :
		    ALL_PERIODS), *l->worker ? json_string(l->worker) : json_null(),
		    (json_int_t)l->clients, (json_int_t)l->events,
		    (json_int_t)l->complex));
	}
	return json_pack("{s:o, s:[s,s,s,s,s], s:o}", "column", W.column ?
	    json_string(W.column) : json_null(), "columns", "period", "worker",
	    "clients", "events", "clients_3_plus_needs", "rows", rows);
}

/* ---- data quality: stages, unmapped values, rejected rows ---- */

static json_t *
stage_json(const char *path)
{
	json_t *root = nz_json_load(path), *out;

	if (!json_is_object(root) || !json_is_string(json_object_get(root,
	    "program")))
		nz_die(NZ_EXIT_DATA, "%s: not a stage's statistics (no "
		    "\"program\")", path);
	out = json_pack("{s:s, s:O}", "file", base_name(path), "stats", root);
	nz_json_free(root);
	return out;
}

static json_t *
unmapped_json(const char *path)
{
	static const char *const cols[] = {"field", "value", "count"};
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	json_t *rows = json_array();
	nz_row *r;

	nz_csv_expect_header(csv, cols, 3);
	while (nz_csv_next_n(csv, &r, 3) == 1) {
		if (nz_field_index(r->field[0]) < 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "field %s is not a "
			    "field of the events", nz_q(r->field[0]));
		json_array_append_new(rows, json_pack("[s, s, I]", r->field[0],
		    r->field[1], (json_int_t)count_at(file, r->line, "count",
		    r->field[2])));
	}
	nz_csv_close(csv);
	return json_pack("{s:[s,s,s], s:o}", "columns", "field", "value",
	    "count", "rows", rows);
}

/* keep the MAX_LINES smallest line numbers, sorted */
static void
keep_line(json_t *lines, long line)
{
	size_t i, n = json_array_size(lines);

	for (i = 0; i < n && json_integer_value(json_array_get(lines, i)) <
	    line; i++)
		;
	if (i < MAX_LINES)
		json_array_insert_new(lines, i, json_integer(line));
	if (json_array_size(lines) > MAX_LINES)
		json_array_remove(lines, MAX_LINES);
}

static json_t *
rejects_json(const char *path)
{
	static const char *const cols[] = {"line", "reason", "value"};
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	json_t *reasons = json_object(), *list, *entry;
	const char *reason;
	nz_row *r;

	nz_hold(reasons);
	nz_csv_expect_header(csv, cols, 3);
	while (nz_csv_next_n(csv, &r, 3) == 1) {
		long line = count_at(file, r->line, "line", r->field[0]);

		if (r->len[1] == 0)
			nz_dieat(NZ_EXIT_DATA, file, r->line, "empty reason");
		if (!(entry = json_object_get(reasons, r->field[1])))
			json_object_set_new(reasons, r->field[1], entry = json_pack(
			    "{s:s, s:I, s:[]}", "reason", r->field[1], "rows",
			    (json_int_t)0, "lines"));
		json_object_set_new(entry, "rows", json_integer(1 +
		    json_integer_value(json_object_get(entry, "rows"))));
		keep_line(json_object_get(entry, "lines"), line);
	}
	nz_csv_close(csv);
	list = json_array();
	/* jansson iterates in insertion order; sorted keys are order-free */
	{
		const char **keys = nz_calloc(json_object_size(reasons) + 1,
		    sizeof *keys);
		size_t n = 0, i;

		json_object_foreach(reasons, reason, entry)
			keys[n++] = reason;
		qsort(keys, n, sizeof *keys, nz_strcmp_ptr);
		for (i = 0; i < n; i++)
			json_array_append(list, json_object_get(reasons, keys[i]));
		free(keys);
	}
	nz_drop(reasons);
	json_decref(reasons);
	return json_pack("{s:s, s:o}", "file", base_name(path), "reasons",
	    list);
}

/* ---- the profile ---- */

/* a single-valued field's columns as the profile gives them: "Worker",
 * or {"first_of": ["Worker", "Team"]} as "Worker, Team" */
static char *
column_names(json_t *spec)
{
	json_t *list = json_object_get(spec, "first_of"), *v;
	nz_buf names = {0};
	size_t i;

	if (json_is_string(spec))
		return nz_strdup(json_string_value(spec));
	json_array_foreach(list, i, v)
		if (json_is_string(v))
			nz_buf_printf(&names, "%s%s", i ? ", " : "",
			    json_string_value(v));
	return names.s ? names.s : nz_strdup("");
}

/* the profile's name, and its worker column if it maps one */
static json_t *
read_profile(const char *path, int with_workers)
{
	json_t *root = nz_json_load(path), *worker, *name;

	check_agency(path, nz_json_key_line(path, "agency", 1),
	    nz_json_str(path, root, "agency", NULL));
	name = json_object_get(root, "name");
	name = json_is_string(name) ? json_incref(name) : json_null();
	worker = json_object_get(json_object_get(root, "columns"), "worker");
	if (worker && !json_is_null(worker))
		W.column = column_names(worker);
	if (W.column && !with_workers)
		nz_die(NZ_EXIT_DATA, "%s maps a worker column (columns.worker): "
		    "give normalise's side file with --worker", path);
	if (!worker && with_workers)
		nz_die(NZ_EXIT_DATA, "--worker: %s maps no worker column "
		    "(columns.worker)", path);
	nz_json_free(root);
	return name;
}

/* ---- command line ---- */

struct opts {
	const char *mapped, *worker, *profile, *unmapped, *national, *events;
	const char **stages, **rejects;
	size_t nstages, scap, nrejects, rcap;
	char *codes, *bands;
	double max_share;
	int as_js;
};

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{"mapped", required_argument, NULL, 'm'},
		{"worker", required_argument, NULL, 'w'},
		{"profile", required_argument, NULL, 'p'},
		{"stage", required_argument, NULL, 's'},
		{"unmapped", required_argument, NULL, 'u'},
		{"rejects", required_argument, NULL, 'r'},
		{"national", required_argument, NULL, 'n'},
		{"events", required_argument, NULL, 'e'},
		{"codes", required_argument, NULL, 'C'},
		{"bands", required_argument, NULL, 'B'},
		{"max-range-share", required_argument, NULL, 'P'},
		{"js", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "m:w:p:s:u:r:n:e:jhV", opts,
	    NULL)) != -1) {
		switch (c) {
		case 'm': o->mapped = optarg; break;
		case 'w': o->worker = optarg; break;
		case 'p': o->profile = optarg; break;
		case 's':
			nz_grow(&o->stages, &o->scap, o->nstages + 1,
			    sizeof *o->stages);
			o->stages[o->nstages++] = optarg;
			break;
		case 'u': o->unmapped = optarg; break;
		case 'r':
			nz_grow(&o->rejects, &o->rcap, o->nrejects + 1,
			    sizeof *o->rejects);
			o->rejects[o->nrejects++] = optarg;
			break;
		case 'n': o->national = optarg; break;
		case 'e': o->events = optarg; break;
		case 'C': free(o->codes); o->codes = nz_strdup(optarg); break;
		case 'B': free(o->bands); o->bands = nz_strdup(optarg); break;
		case 'P':
			o->max_share = nz_opt_percent("--max-range-share", optarg);
			break;
		case 'j': o->as_js = 1; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); exit(0);
		default: nz_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		nz_usage_error("expected at most one CELLS file");
	if (!o->mapped)
		nz_usage_error("--mapped FILE is required");
}

static json_t *
measures_json(void)
{
	json_t *list = json_array();
	int m;

	for (m = 0; m < NZ_NMEASURES; m++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "name",
		    nz_measure_names[m], "title", measure_title[m]));
	return list;
}

static json_t *
events_json(const char *path)
{
	json_t *list = json_array();
	nz_event *ev;
	size_t n, i;

	if (!path)
		return list;
	ev = nz_events_load(path, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "date",
		    ev[i].date, "title", ev[i].title, "url", ev[i].url));
	nz_events_free(ev, n);
	return list;
}

static json_t *
quality_json(const struct opts *o)
{
	json_t *stages = json_array(), *rejects = json_array();
	size_t i;

	for (i = 0; i < o->nstages; i++)
		json_array_append_new(stages, stage_json(o->stages[i]));
	for (i = 0; i < o->nrejects; i++)
		json_array_append_new(rejects, rejects_json(o->rejects[i]));
	return json_pack("{s:o, s:o, s:o}", "stages", stages, "unmapped",
	    o->unmapped ? unmapped_json(o->unmapped) : json_null(), "rejects",
	    rejects);
}

static json_t *
national_json(const struct opts *o)
{
	json_t *regions = json_array();
	const nz_codes *rc = V.dims[NZ_DIM_REGION].codes;
	size_t i;

	read_national(o->national);
	for (i = 0; i < rc->n; i++)
		if (V.region_used[i])
			json_array_append_new(regions, json_string(rc->code[i]));
	return json_pack("{s:s, s:f, s:i, s:o, s:o}", "file",
	    base_name(o->national), "max_range_share", o->max_share,
	    "shown_min", NZ_SHOWN_MIN, "regions", regions, "cells",
	    table_json(&V.national, "period region dimension code clients "
	    "clients_low clients_high clients_shown agencies"));
}

static void
setup(struct opts *o)
{
	int k;

	o->codes = o->codes ? o->codes : nz_pipelines_path("codes");
	o->bands = o->bands ? o->bands : nz_pipelines_path("age-bands.json");
	for (k = 0; k < NZ_NDIMS; k++)
		nz_dim_shown_load(&V.dims[k], nz_dims[k].name, o->codes,
		    nz_dims[k].codes ? NULL : o->bands);
	V.region_used = nz_calloc(V.dims[NZ_DIM_REGION].codes->n,
	    sizeof *V.region_used);
	V.need_dim = nz_dim_index("need");
	V.need_field = nz_col_index(NZ_COLS_CANONICAL, "need");
	if (V.need_dim < 0 || V.need_field < 0 ||
	    V.dims[V.need_dim].codes->n > 64)
		nz_die(NZ_EXIT_DATA, "the schema's need dimension is missing or "
		    "has more than 64 codes");
	V.clients = nz_strset_new();
	V.visits = nz_strset_new();
	W.names = nz_strset_new();
	W.pairs = nz_strset_new();
	W.seen = nz_strset_new();
}

int
main(int argc, char **argv)
{
	static struct opts o;   /* static: reachable when an error ends us */
	json_t *root, *name, *periods;
	size_t i;

	nz_setprog(argv[0]);
	o.max_share = NZ_MAX_RANGE_SHARE;
	parse_opts(argc, argv, &o);
	setup(&o);
	root = json_pack("{s:s, s:s}", "format", "nzccss-agency-view-1",
	    "marking", MARKING);
	nz_hold(root);
	read_cells(optind < argc ? argv[optind] : NULL);
	name = o.profile ? read_profile(o.profile, o.worker != NULL) :
	    json_null();
	read_mapped(o.mapped, o.worker != NULL);
	if (o.worker)
		read_workers(o.worker);

	json_object_set_new(root, "agency", V.agency ? json_string(V.agency) :
	    json_null());
	json_object_set_new(root, "name", name);
	json_object_set_new(root, "periods", periods = json_array());
	for (i = 0; i < V.nperiods; i++)
		json_array_append_new(periods, jperiod(V.periods[i]));
	json_object_set_new(root, "measures", measures_json());
	json_object_set_new(root, "dimensions", dimensions_json());
	json_object_set_new(root, "events", events_json(o.events));
	json_object_set_new(root, "complex_needs", json_integer(COMPLEX_NEEDS));
	json_object_set_new(root, "outside_events", json_integer(V.outside));
	json_object_set_new(root, "complexity", complexity_json());
	json_object_set_new(root, "workers", o.worker ? workers_json() :
	    json_null());
	json_object_set_new(root, "quality", quality_json(&o));
	json_object_set_new(root, "national", o.national ? national_json(&o) :
	    json_null());
	json_object_set_new(root, "cells", table_json(&V.cells, "period region "
	    "dimension code clients households events units"));

	if (o.as_js)
		fputs("/* " MARKING ": the agency's internal report data, "
		    "written by agency-view */\nwindow.NZ_AGENCY = ", stdout);
	if (json_dumpf(root, stdout, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(12)))
		nz_die(NZ_EXIT_DATA, "cannot write the data");
	fputs(o.as_js ? ";\n" : "\n", stdout);
	nz_drop(root);
	json_decref(root);
	return nz_close_stdout();
}
