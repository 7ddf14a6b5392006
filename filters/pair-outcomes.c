/* pair-outcomes: keyed assessments and mapped events to outcome bands per
 * client and quarter (issue 23; FORMATS.md, "Outcomes").
 *
 * The events give each client's contacts, hence episodes (a gap of more
 * than episode_gap_months starts a new one) and the quarters the client
 * was seen in.  For each of those quarters and every national domain the
 * client gets one band: the first assessment in the episode and the latest
 * in or before the quarter make a pair when at least min_days_apart days
 * apart (improved, same or worse by min_change points); assessed with no
 * pair is unpaired; no assessment in the episode by then, not_assessed.
 * Only the bands leave this stage: no score, no date.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

enum reject { R_UNKNOWN_CLIENT, R_OUTSIDE_EXPORT, NREJECTS };
static const char *const reject_key[NREJECTS] = {"unknown_client",
    "outside_export"};
static const char *const reject_text[NREJECTS] = {
    "unknown client: no event of this client in the export",
    "date outside the export's events"};

struct spec {
	long gap_months, min_days, min_change;
};

struct contact {          /* one event: its client and day */
	uint32_t client;
	long day;
};

struct assessment {
	uint32_t client;
	int domain;
	long day, score, line;
};

struct out_row {          /* one client in one quarter */
	uint32_t client;
	long period;
	char outcome[256];
};

struct run {
	struct spec spec;
	char **domain;
	size_t ndomains;
	char *agency;
	nz_strset *clients;
	struct contact *ev;
	size_t nev, ev_cap;
	long first_day, last_day;
	struct assessment *as;
	size_t nas, as_cap;
	struct out_row *out;
	size_t nout, out_cap;
	FILE *rejects;
	const char *rejects_path;
	long events_read, rows_read, rows_rejected, rejected[NREJECTS];
	long bands[NZ_NBANDS];
};

static void
usage(void)
{
	printf("Usage: %s --events FILE [OPTION]... [ASSESSMENTS]\n"
"Outcome bands per client and quarter from keyed assessments\n"
"(normalise-assessments) and the agency's mapped events (their dates\n"
"give the episodes and the quarters each client was seen in).  No\n"
"ASSESSMENTS or '-' reads standard input.\n\n", nz_prog);
	nz_cols_usage("Input:  ", NZ_COLS_ASSESSMENTS);
	nz_cols_usage("Events: ", NZ_COLS_CANONICAL);
	nz_cols_usage("Output: ", NZ_COLS_OUTCOMES);
	printf("\n"
"  -e, --events FILE   mapped (or canonical) events of the same agency\n"
"  -S, --spec FILE     settings (default pipelines/outcomes.json):\n"
"                      episode_gap_months (6), min_days_apart (28),\n"
"                      min_change (1)\n"
"  -c, --codes DIR     national code lists (default pipelines/codes):\n"
"                      outcome-domain.json and outcome.json\n"
"  -r, --rejects FILE  rejected assessments: line,reason,value\n"
"  -s, --stats FILE    row accounting as JSON (rows_read = rows_paired +\n"
"                      rows_rejected; rejected: unknown_client,\n"
"                      outside_export)\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"An episode is a client's run of contacts with no gap over\n"
"episode_gap_months calendar months; an assessment belongs to the last\n"
"episode that started on or before its date (the first, if earlier).\n"
"For every quarter a client was seen in and every domain, in the order\n"
"of outcome-domain.json, outcome holds domain:band, joined by '|': the\n"
"first assessment of the episode and the latest in or before the\n"
"quarter's last day (ties on a day: the lower score first) are a pair\n"
"when at least min_days_apart days apart: improved when the later score\n"
"is higher by min_change or more, worse when lower by as much, else same;\n"
"assessed but no pair: unpaired; none by then: not_assessed.  An\n"
"assessment for a client with no event in the export, or dated before\n"
"the first or after the last event, is rejected and counted.  Rows are\n"
"sorted by period and client_key.  It holds client keys: never sent.\n\n"
"Exit status: 0 success, 1 data or input error, 2 usage error.\n");
	exit(NZ_EXIT_OK);
}

/* ---- configuration ---- */

static long
spec_int(const char *path, json_t *root, const char *key, long min, long max)
{
	json_t *v = json_object_get(root, key);

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
		    "\"%s\" must be a whole number from %ld to %ld", key, min,
		    max);
	return (long)json_integer_value(v);
}

static void
load_spec(struct spec *s, const char *path)
{
	json_t *root = nz_json_load(path), *v;
	const char *key;

	json_object_foreach(root, key, v)
		if (key[0] != '_' && strcmp(key, "version") != 0 &&
		    strcmp(key, "episode_gap_months") != 0 &&
		    strcmp(key, "min_days_apart") != 0 &&
		    strcmp(key, "min_change") != 0)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key,
			    1), "unknown key \"%s\" (expected version, "
			    "episode_gap_months, min_days_apart, min_change)",
			    key);
	nz_json_str(path, root, "version", NULL);
	s->gap_months = spec_int(path, root, "episode_gap_months", 1, 120);
	s->min_days = spec_int(path, root, "min_days_apart", 0, 3650);
	s->min_change = spec_int(path, root, "min_change", 1, 1000);
	nz_json_free(root);
}

/* ---- input ---- */

static void
check_agency(struct run *r, const char *s, const char *file, long line)
{
	if (!r->agency) {
		if (!*s)
			nz_dieat(NZ_EXIT_DATA, file, line, "empty agency");
		r->agency = nz_strdup(s);
	} else if (strcmp(r->agency, s) != 0) {
		nz_dieat(NZ_EXIT_DATA, file, line, "agency %s differs from %s: "
		    "one agency's events and assessments", nz_q(s),
		    nz_q(r->agency));
	}
}

static long
iso_day(const char *s, const char *what, const char *file, long line)
{
	int y, m, d;

	if (nz_parse_iso_date(s, &y, &m, &d) < 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "invalid %s %s: expected "
		    "YYYY-MM-DD", what, nz_q(s));
	return nz_days_from_civil(y, m, d);
}

static void
check_key(const char *s, size_t len, const char *file, long line)
{
	size_t i;

	for (i = 0; i < len && ((s[i] >= '0' && s[i] <= '9') ||
	    (s[i] >= 'a' && s[i] <= 'f')); i++)
		;
	if (len != 2 * NZ_HASH_BYTES || i != len)
		nz_dieat(NZ_EXIT_DATA, file, line, "invalid client_key %s: "
		    "expected 32 lowercase hex characters", nz_q(s));
}

static void
read_events(struct run *r, const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	size_t n;
	const char *const *cols = nz_cols(NZ_COLS_CANONICAL, &n);
	int ca = nz_col_index(NZ_COLS_CANONICAL, "agency");
	int ck = nz_col_index(NZ_COLS_CANONICAL, "client_key");
	int cd = nz_col_index(NZ_COLS_CANONICAL, "event_date");
	nz_row *row;

	nz_csv_expect_header(csv, cols, n);
	r->first_day = r->last_day = -1;
	while (nz_csv_next_n(csv, &row, n) == 1) {
		struct contact *c;
		long day;

		check_agency(r, row->field[ca], file, row->line);
		check_key(row->field[ck], row->len[ck], file, row->line);
		day = iso_day(row->field[cd], "event_date", file, row->line);
		nz_grow(&r->ev, &r->ev_cap, r->nev + 1, sizeof *r->ev);
		c = &r->ev[r->nev++];
		c->client = (uint32_t)nz_strset_addn(r->clients, row->field[ck],
		    row->len[ck], NULL);
		c->day = day;
		if (r->first_day < 0 || day < r->first_day)
			r->first_day = day;
		if (day > r->last_day)
			r->last_day = day;
		r->events_read++;
	}
	nz_csv_close(csv);
}

static void
reject(struct run *r, long line, enum reject why, const char *value)
{
	r->rows_rejected++;
	r->rejected[why]++;
	if (!r->rejects)
		return;
	fprintf(r->rejects, "%ld,", line);
	nz_csv_field(r->rejects, reject_text[why], strlen(reject_text[why]), 1);
	nz_csv_field(r->rejects, value, strlen(value), 0);
	putc('\n', r->rejects);
}

static int
domain_index(const struct run *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->ndomains; i++)
		if (strcmp(r->domain[i], s) == 0)
			return (int)i;
	return -1;
}

static void
read_assessments(struct run *r, const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	size_t n;
	const char *const *cols = nz_cols(NZ_COLS_ASSESSMENTS, &n);
	nz_row *row;

	nz_csv_expect_header(csv, cols, n);
	while (nz_csv_next_n(csv, &row, n) == 1) {
		struct assessment a;
		long client;

		r->rows_read++;
		check_agency(r, row->field[0], file, row->line);
		check_key(row->field[1], row->len[1], file, row->line);
		a.day = iso_day(row->field[2], "assessment_date", file,
		    row->line);
		a.domain = domain_index(r, row->field[3]);
		if (a.domain < 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "domain %s is "
			    "not a code of outcome-domain.json",
			    nz_q(row->field[3]));
		if (nz_parse_long(row->field[4], -1000000, 1000000,
		    &a.score) < 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid score "
			    "%s: expected a whole number", nz_q(row->field[4]));
		a.line = row->line;
		client = nz_strset_findn(r->clients, row->field[1],
		    row->len[1]);
		if (client < 0) {
			reject(r, row->line, R_UNKNOWN_CLIENT, row->field[2]);
			continue;
		}
		if (a.day < r->first_day || a.day > r->last_day) {
			reject(r, row->line, R_OUTSIDE_EXPORT, row->field[2]);
			continue;
		}
		a.client = (uint32_t)client;
		nz_grow(&r->as, &r->as_cap, r->nas + 1, sizeof *r->as);
		r->as[r->nas++] = a;
	}
	nz_csv_close(csv);
}

/* ---- pairing ---- */

static int
cmp_contact(const void *pa, const void *pb)
{
	const struct contact *a = pa, *b = pb;

	if (a->client != b->client)
		return a->client < b->client ? -1 : 1;
	return (a->day > b->day) - (a->day < b->day);
}

static int
cmp_assessment(const void *pa, const void *pb)
{
	const struct assessment *a = pa, *b = pb;

	if (a->client != b->client)
		return a->client < b->client ? -1 : 1;
	if (a->domain != b->domain)
		return a->domain - b->domain;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return (a->score > b->score) - (a->score < b->score);
}

/* day + months calendar months, the day of month cut to the month's end */
static long
add_months(long day, long months)
{
	int y, m, d;
	long mm;

	nz_civil_from_days(day, &y, &m, &d);
	mm = (long)m - 1 + months;
	y += (int)(mm / 12);
	m = (int)(mm % 12) + 1;
	while (d > 28 && !nz_date_valid(y, m, d))
		d--;
	return nz_days_from_civil(y, m, d);
}

/* The band of one domain for a quarter ending on day last, from the
 * client's assessments in that domain as[0..n) sorted by day, of which
 * those from episode_start (and before next_start, 0: none) count. */
static int
band(const struct run *r, const struct assessment *as, size_t n,
    long ep_start, long next_start, int first_episode, long last)
{
	const struct assessment *first = NULL, *latest = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((as[i].day < ep_start && !first_episode) ||
		    (next_start && as[i].day >= next_start) || as[i].day > last)
			continue;
		if (!first)
			first = &as[i];
		latest = &as[i];
	}
	if (!first)
		return NZ_BAND_NOT_ASSESSED;
	if (latest->day - first->day < r->spec.min_days)
		return NZ_BAND_UNPAIRED;
	if (latest->score - first->score >= r->spec.min_change)
		return NZ_BAND_IMPROVED;
	if (first->score - latest->score >= r->spec.min_change)
		return NZ_BAND_WORSE;
	return NZ_BAND_SAME;
}

/* One client: contacts ev[0..nev) sorted by day, assessments as[0..nas)
 * sorted by domain and day. */
static void
pair_client(struct run *r, uint32_t client, const struct contact *ev,
    size_t nev, const struct assessment *as, size_t nas)
{
	size_t i, j, ep = 0, next_ep;
	long period = -1;

	for (i = 0; i < nev; i++) {
		long q, qlast, ep_start, next_start = 0;
		int y, m, d, dom;
		struct out_row *o;
		nz_buf b = {0};

		if (i > 0 && ev[i].day > add_months(ev[i - 1].day,
		    r->spec.gap_months))
			ep = i;
		nz_civil_from_days(ev[i].day, &y, &m, &d);
		q = nz_period_of_date(y, m);
		/* the quarter's band is settled at its last contact */
		if (i + 1 < nev) {
			nz_civil_from_days(ev[i + 1].day, &y, &m, &d);
			if (nz_period_of_date(y, m) == q)
				continue;
		}
		if (q == period)
			continue;
		period = q;
		qlast = nz_period_last_day(q);
		ep_start = ev[ep].day;
		/* the next episode, if one starts after this contact */
		for (next_ep = i + 1; next_ep < nev; next_ep++)
			if (ev[next_ep].day > add_months(ev[next_ep - 1].day,
			    r->spec.gap_months)) {
				next_start = ev[next_ep].day;
				break;
			}
		for (dom = 0, j = 0; dom < (int)r->ndomains; dom++) {
			size_t from = j;
			int bd;
			while (j < nas && as[j].domain == dom)
				j++;
			bd = band(r, as + from, j - from, ep_start, next_start,
			    ep == 0, qlast);
			r->bands[bd]++;
			nz_buf_printf(&b, "%s%s:%s", dom ? "|" : "",
			    r->domain[dom], nz_outcome_bands[bd]);
		}
		nz_grow(&r->out, &r->out_cap, r->nout + 1, sizeof *r->out);
		o = &r->out[r->nout++];
		o->client = client;
		o->period = q;
		if (b.len >= sizeof o->outcome)
			nz_die(NZ_EXIT_DATA, "the outcome domains are too many "
			    "(%zu bytes of bands a row)", b.len);
		memcpy(o->outcome, b.s, b.len + 1);
		nz_buf_free(&b);
	}
}

static const nz_strset *sort_clients;

static int
cmp_out(const void *pa, const void *pb)
{
	const struct out_row *a = pa, *b = pb;

	if (a->period != b->period)
		return a->period < b->period ? -1 : 1;
	return strcmp(nz_strset_key(sort_clients, a->client),
	    nz_strset_key(sort_clients, b->client));
}

static void
pair_all(struct run *r)
{
	size_t i = 0, j = 0;

	qsort(r->ev, r->nev, sizeof *r->ev, cmp_contact);
	qsort(r->as, r->nas, sizeof *r->as, cmp_assessment);
	while (i < r->nev) {
		uint32_t c = r->ev[i].client;
		size_t ei = i, ai = j;
		while (i < r->nev && r->ev[i].client == c)
			i++;
		while (j < r->nas && r->as[j].client < c)
			j++;
		ai = j;
		while (j < r->nas && r->as[j].client == c)
			j++;
		pair_client(r, c, r->ev + ei, i - ei, r->as + ai, j - ai);
	}
	sort_clients = r->clients;
	qsort(r->out, r->nout, sizeof *r->out, cmp_out);
}

/* ---- output ---- */

static void
write_outcomes(const struct run *r)
{
	size_t n, i;
	const char *const *cols = nz_cols(NZ_COLS_OUTCOMES, &n);
	char period[NZ_PERIOD_BUF];

	nz_csv_header(stdout, cols, n);
	for (i = 0; i < r->nout; i++) {
		const struct out_row *o = &r->out[i];
		const char *val[4];

		nz_period_name(o->period, period);
		val[0] = r->agency;
		val[1] = period;
		val[2] = nz_strset_key(r->clients, o->client);
		val[3] = o->outcome;
		nz_csv_record(stdout, val, NULL, 4);
	}
}

static void
write_stats(const struct run *r, const char *path)
{
	json_t *stats = json_object(), *rej = json_object(),
	    *bands = json_object();
	int i;

	for (i = 0; i < NREJECTS; i++)
		json_object_set_new(rej, reject_key[i],
		    json_integer(r->rejected[i]));
	for (i = 0; i < NZ_NBANDS; i++)
		json_object_set_new(bands, nz_outcome_bands[i],
		    json_integer(r->bands[i]));
	json_object_set_new(stats, "program", json_string("pair-outcomes"));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "events_read", json_integer(r->events_read));
	json_object_set_new(stats, "rows_read", json_integer(r->rows_read));
	json_object_set_new(stats, "rows_paired", json_integer((json_int_t)r->nas));
	json_object_set_new(stats, "rows_rejected",
	    json_integer(r->rows_rejected));
	json_object_set_new(stats, "rejected", rej);
	json_object_set_new(stats, "outcome_rows_written",
	    json_integer((json_int_t)r->nout));
	json_object_set_new(stats, "bands", bands);
	nz_json_write(path, stats);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"events", required_argument, NULL, 'e'},
		{"spec", required_argument, NULL, 'S'},
		{"codes", required_argument, NULL, 'c'},
		{"rejects", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static struct run r;
	const char *events = NULL, *stats = NULL;
	char *spec = NULL, *codes = NULL;
	int c;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "e:S:c:r:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'e': events = optarg; break;
		case 'S': free(spec); spec = nz_strdup(optarg); break;
		case 'c': free(codes); codes = nz_strdup(optarg); break;
		case 'r': r.rejects_path = nz_side_path("--rejects", optarg);
			break;
		case 's': stats = nz_side_path("--stats", optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (!events)
		nz_usage_error("missing --events FILE");
	if (strcmp(events, "-") == 0)
		nz_usage_error("--events needs a file: standard input carries "
		    "the assessments");
	if (argc - optind > 1)
		nz_usage_error("expected at most one ASSESSMENTS file");
	if (!spec)
		spec = nz_pipelines_path("outcomes.json");
	if (!codes)
		codes = nz_pipelines_path("codes");
	nz_hold(spec);
	nz_hold(codes);
	load_spec(&r.spec, spec);
	r.domain = nz_outcome_domains(codes, &r.ndomains);
	r.clients = nz_strset_new();
	nz_hold(r.clients);
	if (r.rejects_path) {
		r.rejects = nz_fopen_out(r.rejects_path);
		fputs("line,reason,value\n", r.rejects);
	}

	read_events(&r, events);
	read_assessments(&r, optind < argc ? argv[optind] : "-");
	pair_all(&r);
	write_outcomes(&r);

	if (r.rejects)
		nz_fclose_out(r.rejects, r.rejects_path);
	if (stats)
		write_stats(&r, stats);
	if (r.rows_rejected)
		nz_warn("%ld of %ld assessments rejected: unknown_client %ld, "
		    "outside_export %ld", r.rows_rejected, r.rows_read,
		    r.rejected[R_UNKNOWN_CLIENT], r.rejected[R_OUTSIDE_EXPORT]);
	nz_drop(r.clients);
	nz_strset_free(r.clients);
	nz_outcome_domains_free(r.domain, r.ndomains);
	free(r.ev);
	free(r.as);
	free(r.out);
	free(r.agency);
	nz_drop(spec);
	nz_drop(codes);
	free(spec);
	free(codes);
	return nz_close_stdout();
}
