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

struct run {
	nz_codes *bands;
	int band_of_age[MAX_AGE + 1];
	long from, to;             /* quarters as year * 4 + q - 1; -1 none */
	FILE *rejects;
	const char *rejects_path;
	long rows_read, rows_written, outside_period, age_not_stated;
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
"  -f, --from YYYYQn   reject rows before this quarter\n"
"  -t, --to YYYYQn     reject rows after this quarter\n"
"  -r, --rejects FILE  write one CSV row per rejected row: line,reason,value\n"
"                      (reason outside_period, value the event date)\n"
"  -s, --stats FILE    write row accounting as JSON: rows_read = rows_written\n"
"                      + rows_rejected; warnings: age_not_stated\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"Age bands:\n"
"  {\"version\": \"1\", \"not_stated\": \"unknown\",\n"
"   \"bands\": [{\"code\": \"0-17\", \"min\": 0, \"max\": 17},\n"
"             {\"code\": \"65+\", \"min\": 65}]}\n"
"  Bands start at 0 and follow on without gap or overlap up to %d at\n"
"  least; only the last may leave out \"max\".  An empty age gets the\n"
"  not_stated code.\n\n"
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
reject(struct run *run, long line, const char *value, size_t len)
{
	run->outside_period++;
	if (!run->rejects)
		return;
	fprintf(run->rejects, "%ld,outside_period,", line);
	nz_csv_field(run->rejects, value, len, 1);
	putc('\n', run->rejects);
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
	if ((run->from >= 0 && quarter < run->from) ||
	    (run->to >= 0 && quarter > run->to)) {
		reject(run, row->line, date, row->len[COL_DATE]);
		return;
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

static void
write_stats(const struct run *run, const char *path)
{
	json_t *stats = json_object(), *rejected = json_object();
	json_t *warnings = json_object();

	json_object_set_new(stats, "program", json_string(nz_prog));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "rows_read", json_integer(run->rows_read));
	json_object_set_new(stats, "rows_written",
	    json_integer(run->rows_written));
	json_object_set_new(stats, "rows_rejected",
	    json_integer(run->outside_period));
	json_object_set_new(rejected, "outside_period",
	    json_integer(run->outside_period));
	json_object_set_new(stats, "rejected", rejected);
	json_object_set_new(warnings, "age_not_stated",
	    json_integer(run->age_not_stated));
	json_object_set_new(stats, "warnings", warnings);
	nz_json_write(path, stats);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bands", required_argument, NULL, 'b'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"rejects", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *bands_path = NULL, *stats_path = NULL;
	char *default_bands = NULL;
	struct run run = {0};
	int c, i;

	run.from = run.to = -1;
	nz_setprog(argv[0]);
	find_columns();
	while ((c = getopt_long(argc, argv, "b:f:t:r:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bands_path = optarg; break;
		case 'f': run.from = nz_period_opt("--from", optarg); break;
		case 't': run.to = nz_period_opt("--to", optarg); break;
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
	if (run.from >= 0 && run.to >= 0 && run.from > run.to)
		nz_usage_error("--from is after --to");
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
	if (run.outside_period)
		nz_warn("%ld of %ld rows rejected: outside_period %ld",
		    run.outside_period, run.rows_read, run.outside_period);
	nz_codes_free(run.bands);
	free(default_bands);
	return nz_close_stdout();
}
