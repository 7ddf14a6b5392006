/* bucket: age to age band and event date to quarter; drops both exact. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

#define MAX_AGE 120          /* normalise leaves older ages empty */

/* Mapped events in, bucketed events out (schema.c): the first five
 * columns differ, the fields and units after them are copied as they are
 * (both contracts put them in the same places). */
enum { COL_AGENCY, COL_CLIENT, COL_HOUSEHOLD, COL_DATE, COL_AGE,
	COL_FIRST_FIELD };
#define MAX_COLUMNS (COL_FIRST_FIELD + NZ_MAX_FIELDS + 1)
static const char *const *in_columns, *const *out_columns;
static size_t NCOLUMNS;

static void
find_columns(void)
{
	size_t nout;

	in_columns = nz_cols(NZ_COLS_CANONICAL, &NCOLUMNS);
	out_columns = nz_cols(NZ_COLS_BUCKETED, &nout);
	if (nout != NCOLUMNS ||
	    nz_col_index(NZ_COLS_CANONICAL, "event_date") != COL_DATE ||
	    nz_col_index(NZ_COLS_CANONICAL, "age") != COL_AGE ||
	    nz_col_index(NZ_COLS_BUCKETED, "age_band") != COL_AGE)
		nz_die(NZ_EXIT_DATA, "internal error: the event contracts "
		    "moved their columns");
}

/* The quarters a build may release end with the last one complete when
 * the export was taken: its last day before the export date (less the
 * lag).  An event after the export date is impossible (a typo, a wrong
 * clock): rejected as future.  An event of a later quarter (the partial
 * one the export stops in) is held back: counted, never written. */
struct window {
	char export_date[11];      /* YYYY-MM-DD; "" when there is no window */
	const char *export_date_from;   /* which option or file gave it */
	long lag_days;
	long through;              /* last quarter written */
	int through_given;         /* --through, else from the export date */
};

#define MAX_HELD 64        /* quarters held back, counted one by one */

struct run {
	nz_codes *bands;
	int band_of_age[MAX_AGE + 1];
	struct window w;
	FILE *rejects;
	const char *rejects_path;
	long rows_read, rows_written, future, held_back, age_not_stated;
	long held_quarter[MAX_HELD], held_count[MAX_HELD];
	size_t nheld;
	char last_date[11];        /* the latest event not in the future */
	int progress, header_done;
};

static void
usage(void)
{
	printf("Usage: %s [OPTION]... [FILE]...\n"
"Put mapped events into buckets: the age becomes an age band and the event\n"
"date a calendar quarter, and neither exact value is written.  Reads\n"
"mapped events (CSV) and writes bucketed events on standard output:\n",
	    nz_prog);
	nz_cols_usage("  in:  ", NZ_COLS_CANONICAL);
	nz_cols_usage("  out: ", NZ_COLS_BUCKETED);
	printf("period is the calendar quarter YYYYQn (2026Q3 = July to September 2026,\n"
"Stats NZ's \"September 2026 quarter\").  With no FILE, or when FILE is -,\n"
"read standard input.\n\n"
"  -b, --bands FILE    the age bands (JSON; default: $NZ_PIPELINES/\n"
"                      age-bands.json if set, else pipelines/age-bands.json\n"
"                      of the repository this program was built in)\n"
"  -e, --export-date DATE  the date the export was taken, YYYY-MM-DD\n"
"  -E, --export-stats FILE  normalise's --stats of the export: its\n"
"                      \"export_date\", when the profile reads one from the\n"
"                      export's title lines; it must agree with --export-date\n"
"  -F, --fallback-export-date DATE  the export date when neither of the\n"
"                      above gives one (the sample build's setting)\n"
"  -t, --through YYYYQn  the last quarter to write (default: the last one\n"
"                      complete when the export was taken)\n"
"  -l, --lag-days N    a quarter is complete only N days after it ends\n"
"                      (late data entry; default 0)\n"
"  -r, --rejects FILE  write one CSV row per rejected row: line,reason,value\n"
"                      (reason future, value the event date)\n"
"  -s, --stats FILE    write row accounting as JSON: rows_read = rows_written\n"
"                      + rows_rejected + rows_held_back; rejected: future;\n"
"                      held_back: after_through, and per quarter in\n"
"                      quarters_held_back; warnings: age_not_stated; window:\n"
"                      export_date, lag_days, through (stays at the agency)\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"Age bands:\n"
"  {\"version\": \"1\", \"not_stated\": \"unknown\",\n"
"   \"bands\": [{\"code\": \"0-17\", \"min\": 0, \"max\": 17},\n"
"             {\"code\": \"65+\", \"min\": 65}]}\n"
"  Bands start at 0 and follow on without gap or overlap up to %d at\n"
"  least; only the last may leave out \"max\".  An empty age gets the\n"
"  not_stated code.\n\n"
"Complete quarters:\n"
"  Given the date the export was taken (any of the first three options,\n"
"  or --through or --lag-days, asks for it; without it they are an\n"
"  error), bucket writes only the quarters up to THROUGH: by default the\n"
"  last quarter whose last day is before the export date less the lag\n"
"  (an export taken on 2026-07-01 completes 2026Q2; one taken on\n"
"  2026-06-30 does not).  Events in later quarters are held back: counted\n"
"  in --stats, never written.  An event dated after the export date is\n"
"  rejected as future.  A --through later than the export allows is a\n"
"  usage error.  Without any of these options every quarter is written.\n\n"
"Input:\n"
"  event_date must be YYYY-MM-DD and age empty or a whole number from 0 to\n"
"  %d, as normalise writes them; anything else is an error naming the line.\n"
"  Rejected rows are summed up in one line on standard error.\n\n"
"Exit status:\n"
"  0 success (rows may have been rejected), 1 data or input error (bad\n"
"  bands file, wrong header, bad date or age, malformed CSV, write\n"
"  error), 2 usage error.\n",
	    MAX_AGE, MAX_AGE);
	exit(NZ_EXIT_OK);
}

static void
load_bands(struct run *run, const char *path)
{
	nz_codes *b = nz_bands_load(path);
	size_t last = b->n - 2;   /* the last band; b->n - 1 is not stated */
	size_t i;
	long age;

	if (b->max[last] >= 0 && b->max[last] < MAX_AGE)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    b->code[last], 1), "the bands end at %ld; they must cover "
		    "ages 0 to %d (leave out the last band's \"max\")",
		    b->max[last], MAX_AGE);
	for (i = 0; i <= last; i++)
		for (age = b->min[i]; age <= MAX_AGE &&
		    (b->max[i] < 0 || age <= b->max[i]); age++)
			run->band_of_age[age] = (int)i;
	run->bands = b;
}

static void
reject_future(struct run *run, long line, const char *value, size_t len)
{
	run->future++;
	if (!run->rejects)
		return;
	fprintf(run->rejects, "%ld,future,", line);
	nz_csv_field(run->rejects, value, len, 1);
	putc('\n', run->rejects);
}

/* one more event of a quarter after THROUGH */
static void
hold_back(struct run *run, long quarter, const char *input, long line)
{
	size_t i;

	run->held_back++;
	for (i = 0; i < run->nheld; i++)
		if (run->held_quarter[i] == quarter) {
			run->held_count[i]++;
			return;
		}
	if (run->nheld == MAX_HELD)
		nz_dieat(NZ_EXIT_DATA, input, line, "events in more than %d "
		    "quarters after THROUGH: is the export date right?",
		    MAX_HELD);
	run->held_quarter[run->nheld] = quarter;
	run->held_count[run->nheld++] = 1;
}

/* the row's band code; an age that is not canonical is an error */
static const char *
age_band(struct run *run, const char *input, const nz_row *row)
{
	const char *age = row->field[COL_AGE];
	long years;

	if (!*age) {
		run->age_not_stated++;
		return run->bands->not_stated;
	}
	/* one to three digits, as normalise writes them: no strtol */
	if (row->len[COL_AGE] <= 3 && age[0] >= '0' && age[0] <= '9' &&
	    (age[1] == '\0' || (age[1] >= '0' && age[1] <= '9' &&
	    (age[2] == '\0' || (age[2] >= '0' && age[2] <= '9'))))) {
		for (years = 0; *age; age++)
			years = years * 10 + (*age - '0');
		if (years <= MAX_AGE)
			return run->bands->code[run->band_of_age[years]];
		age = row->field[COL_AGE];
	}
	if (nz_parse_long(age, 0, MAX_AGE, &years) < 0)
		nz_dieat(NZ_EXIT_DATA, input, row->line, "age %s is not a "
		    "whole number from 0 to %d", nz_q(age), MAX_AGE);
	return run->bands->code[run->band_of_age[years]];
}

static void
bucket_row(struct run *run, const char *input, const nz_row *row)
{
	const char *date = row->field[COL_DATE], *band;
	static char period[NZ_PERIOD_BUF]; /* of last_quarter: rows come in
	                                    * runs */
	static long last_quarter = -1;
	const char *val[MAX_COLUMNS];
	size_t len[MAX_COLUMNS];
	int y, m, d;
	size_t col;
	long quarter;

	if (nz_parse_iso_date(date, &y, &m, &d) < 0)
		nz_dieat(NZ_EXIT_DATA, input, row->line, "event_date %s is "
		    "not a date YYYY-MM-DD", nz_q(date));
	quarter = nz_period_of_date(y, m);
	if (run->w.export_date[0]) {
		/* both ISO: the text compares as the dates do */
		if (memcmp(date, run->w.export_date, 10) > 0) {
			reject_future(run, row->line, date, row->len[COL_DATE]);
			return;
		}
		if (memcmp(date, run->last_date, 10) > 0)
			memcpy(run->last_date, date, 10);
		if (quarter > run->w.through) {
			hold_back(run, quarter, input, row->line);
			return;
		}
	}
	band = age_band(run, input, row);
	if (quarter != last_quarter) {
		nz_period_name(quarter, period);
		last_quarter = quarter;
	}
	/* out: agency, period, client_key, household_key, age_band, then
	 * the fields as they came */
	val[0] = row->field[COL_AGENCY];
	len[0] = row->len[COL_AGENCY];
	val[1] = period;
	len[1] = NZ_PERIOD_LEN;
	val[2] = row->field[COL_CLIENT];
	len[2] = row->len[COL_CLIENT];
	val[3] = row->field[COL_HOUSEHOLD];
	len[3] = row->len[COL_HOUSEHOLD];
	val[4] = band;
	len[4] = strlen(band);
	for (col = COL_FIRST_FIELD; col < NCOLUMNS; col++) {
		val[col] = row->field[col];
		len[col] = row->len[col];
	}
	nz_csv_record(stdout, val, len, NCOLUMNS);
	run->rows_written++;
}

static void
bucket_file(struct run *run, const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *input = nz_csv_name(csv);
	nz_row *row;

	nz_csv_expect_header(csv, in_columns, NCOLUMNS);
	if (!run->header_done) {
		nz_csv_header(stdout, out_columns, NCOLUMNS);
		run->header_done = 1;
	}
	while (nz_csv_next_n(csv, &row, NCOLUMNS) > 0) {
		run->rows_read++;
		bucket_row(run, input, row);
		nz_progress(stdout, run->rows_read, run->progress);
	}
	nz_progress_end(run->rows_read, run->progress);
	nz_csv_close(csv);
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static json_t *
window_json(const struct window *w)
{
	json_t *out = json_object();
	char q[NZ_PERIOD_BUF];

	nz_period_name(w->through, q);
	json_object_set_new(out, "export_date", json_string(w->export_date));
	json_object_set_new(out, "export_date_from",
	    json_string(w->export_date_from));
	json_object_set_new(out, "lag_days", json_integer(w->lag_days));
	json_object_set_new(out, "through", json_string(q));
	json_object_set_new(out, "through_from", json_string(w->through_given ?
	    "--through" : "export_date"));
	return out;
}

static void
write_stats(const struct run *run, const char *path)
{
	json_t *stats = json_object(), *rejected = json_object();
	json_t *warnings = json_object(), *held = json_object();
	json_t *quarters = json_object();
	long sorted[MAX_HELD];
	char q[NZ_PERIOD_BUF];
	size_t i, j;

	json_object_set_new(stats, "program", json_string(nz_prog));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "rows_read", json_integer(run->rows_read));
	json_object_set_new(stats, "rows_written",
	    json_integer(run->rows_written));
	json_object_set_new(stats, "rows_rejected", json_integer(run->future));
	json_object_set_new(stats, "rows_held_back",
	    json_integer(run->held_back));
	json_object_set_new(rejected, "future", json_integer(run->future));
	json_object_set_new(stats, "rejected", rejected);
	json_object_set_new(held, "after_through",
	    json_integer(run->held_back));
	json_object_set_new(stats, "held_back", held);
	memcpy(sorted, run->held_quarter, run->nheld * sizeof *sorted);
	qsort(sorted, run->nheld, sizeof *sorted, cmp_long);
	for (i = 0; i < run->nheld; i++) {
		for (j = 0; run->held_quarter[j] != sorted[i]; j++)
			;
		nz_period_name(sorted[i], q);
		json_object_set_new(quarters, q,
		    json_integer(run->held_count[j]));
	}
	json_object_set_new(stats, "quarters_held_back", quarters);
	json_object_set_new(warnings, "age_not_stated",
	    json_integer(run->age_not_stated));
	json_object_set_new(stats, "warnings", warnings);
	if (run->w.export_date[0])
		json_object_set_new(stats, "window", window_json(&run->w));
	nz_json_write(path, stats);
}

/* An export date well after the last event may be a wrong one, which
 * would make a partial quarter look complete: say so. */
#define QUIET_DAYS 31

static void
warn_gap(const struct run *run)
{
	int y, m, d;
	long gap;

	if (!run->w.export_date[0] || !run->last_date[0])
		return;
	nz_parse_iso_date(run->w.export_date, &y, &m, &d);
	gap = nz_days_from_civil(y, m, d);
	nz_parse_iso_date(run->last_date, &y, &m, &d);
	gap -= nz_days_from_civil(y, m, d);
	if (gap > QUIET_DAYS)
		nz_warn("the last event is dated %s, %ld days before the export "
		    "date %s: if that date is wrong, a partial quarter may "
		    "look complete", run->last_date, gap, run->w.export_date);
}

/* ---- the window ---- */

struct window_opts {
	const char *date, *stats, *fallback, *through, *lag;
};

/* an ISO date given on the command line */
static const char *
date_opt(const char *opt, const char *s)
{
	int y, m, d;

	if (s && nz_parse_iso_date(s, &y, &m, &d) < 0)
		nz_usage_error("invalid value for %s: %s (expected a date "
		    "YYYY-MM-DD)", opt, nz_q(s));
	return s;
}

/* normalise's "export_date", or NULL when its profile reads none */
static const char *
stats_export_date(const char *path, json_t **root)
{
	json_t *v;
	int y, m, d;

	*root = nz_json_load(path);
	v = json_object_get(*root, "export_date");
	if (!v)
		return NULL;
	if (!json_is_string(v) ||
	    nz_parse_iso_date(json_string_value(v), &y, &m, &d) < 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    "export_date", 1), "\"export_date\" must be a date "
		    "YYYY-MM-DD");
	return json_string_value(v);
}

/* The export date and the last quarter to write, from the options; no
 * window when none of them is given. */
static void
set_window(struct window *w, const struct window_opts *o)
{
	const char *date = NULL, *from = NULL, *told;
	json_t *root = NULL;
	long day, latest;
	int y, m, d;

	if (!o->date && !o->stats && !o->fallback && !o->through && !o->lag)
		return;
	told = o->stats ? stats_export_date(o->stats, &root) : NULL;
	if (o->date && told && strcmp(o->date, told) != 0)
		nz_die(NZ_EXIT_DATA, "--export-date (EXPORT_DATE) is %s, but "
		    "the export's title line gives %s (%s): which is right?",
		    o->date, told, o->stats);
	if (o->date) {
		date = o->date;
		from = "--export-date";
	} else if (told) {
		date = told;
		from = "export";
	} else if (o->fallback) {
		date = o->fallback;
		from = "--fallback-export-date";
	}
	if (!date)
		nz_usage_error("the date the export was taken is not known, so "
		    "no quarter can be called complete: give it as "
		    "EXPORT_DATE=YYYY-MM-DD to make agency (bucket "
		    "--export-date), or have the profile read it from the "
		    "export's title lines (\"export_date\", FORMATS.md)");
	memcpy(w->export_date, date, 10);
	w->export_date[10] = '\0';
	w->export_date_from = from;
	w->lag_days = o->lag ? nz_opt_long("--lag-days", o->lag, 0, 3660) : 0;
	nz_parse_iso_date(date, &y, &m, &d);
	/* the quarter holding (export date - lag) is not complete; the one
	 * before it ended on an earlier day */
	day = nz_days_from_civil(y, m, d) - w->lag_days;
	nz_civil_from_days(day, &y, &m, &d);
	latest = nz_period_of_date(y, m) - 1;
	w->through = latest;
	if (o->through) {
		char q[NZ_PERIOD_BUF];

		w->through = nz_period_opt("--through", o->through);
		w->through_given = 1;
		nz_period_name(latest, q);
		if (w->through > latest)
			nz_usage_error("THROUGH %s is later than the export "
			    "allows: taken on %s%s, its last complete quarter "
			    "is %s", o->through, w->export_date, w->lag_days ?
			    " (less the lag)" : "", q);
	}
	nz_json_free(root);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bands", required_argument, NULL, 'b'},
		{"export-date", required_argument, NULL, 'e'},
		{"export-stats", required_argument, NULL, 'E'},
		{"fallback-export-date", required_argument, NULL, 'F'},
		{"through", required_argument, NULL, 't'},
		{"lag-days", required_argument, NULL, 'l'},
		{"rejects", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *bands_path = NULL, *stats_path = NULL;
	struct window_opts wo = {0};
	char *default_bands = NULL;
	struct run run = {0};
	int c, i;

	nz_setprog(argv[0]);
	find_columns();
	while ((c = getopt_long(argc, argv, "b:e:E:F:t:l:r:s:hV", opts,
	    NULL)) != -1) {
		switch (c) {
		case 'b': bands_path = optarg; break;
		case 'e': wo.date = date_opt("--export-date", optarg); break;
		case 'E': wo.stats = optarg; break;
		case 'F': wo.fallback = date_opt("--fallback-export-date",
			    optarg);
			break;
		case 't': wo.through = optarg; break;
		case 'l': wo.lag = optarg; break;
		case 'r': run.rejects_path = nz_side_path("--rejects", optarg);
			break;
		case 's': stats_path = nz_side_path("--stats", optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: /* getopt has said what is wrong */
			fprintf(stderr, "Try '%s --help' for more "
			    "information.\n", nz_prog);
			return NZ_EXIT_USAGE;
		}
	}
	if (wo.through)
		nz_period_opt("--through", wo.through);
	set_window(&run.w, &wo);
	if (!bands_path)
		bands_path = default_bands = nz_pipelines_path(
		    "age-bands.json");

	nz_stream_setup();
	load_bands(&run, bands_path);
	run.progress = nz_progress_wanted();
	if (run.rejects_path) {
		run.rejects = nz_fopen_out(run.rejects_path);
		fputs("line,reason,value\n", run.rejects);
	}
	if (optind == argc)
		bucket_file(&run, NULL);
	for (i = optind; i < argc; i++)
		bucket_file(&run, argv[i]);

	if (run.rejects)
		nz_fclose_out(run.rejects, run.rejects_path);
	if (stats_path)
		write_stats(&run, stats_path);
	if (run.future)
		nz_warn("%ld of %ld rows rejected: future %ld (dated after "
		    "the export date, %s)", run.future, run.rows_read,
		    run.future, run.w.export_date);
	warn_gap(&run);
	if (run.held_back) {
		char q[NZ_PERIOD_BUF];

		nz_period_name(run.w.through, q);
		nz_warn("%ld of %ld rows held back: in quarters after %s, "
		    "the last to release", run.held_back, run.rows_read, q);
	}
	nz_codes_free(run.bands);
	free(default_bands);
	return nz_close_stdout();
}
