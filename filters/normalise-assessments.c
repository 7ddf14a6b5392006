/* normalise-assessments: an agency's outcome assessments to keyed
 * assessments (issue 23; FORMATS.md, "Assessments").
 *
 * The profile's "assessments" says where the file is, how to read it
 * (the export's encoding, delimiter and date formats unless it gives its
 * own), its four columns and the scale.  The client id is keyed exactly
 * as normalise keys it (same key, the profile's fold_case), so that
 * pair-outcomes can join the two; the area is mapped to a national
 * outcome domain through the agency's map.json (fields.outcome_domain).
 * Everything else in the file (names, workers, notes) is dropped.  Every
 * row is written or rejected with a reason.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "nz.h"

enum reject {
	R_WRONG_FIELD_COUNT, R_MISSING_CLIENT_ID, R_MISSING_DATE,
	R_INVALID_DATE, R_MISSING_DOMAIN, R_UNKNOWN_DOMAIN, R_INVALID_SCORE,
	R_SCORE_OUTSIDE_SCALE, NREJECTS
};
static const char *const reject_key[NREJECTS] = {"wrong_field_count",
    "missing_client_id", "missing_date", "invalid_date", "missing_domain",
    "unknown_domain", "invalid_score", "score_outside_scale"};
static const char *const reject_text[NREJECTS] = {"wrong field count",
    "missing client id", "missing date", "invalid date", "missing domain",
    "unknown domain", "invalid score", "score outside scale"};

struct run {
	const nz_profile *prof;
	const nz_assess *as;
	unsigned char key[NZ_KEY_BYTES];
	nz_hasher *hasher;
	char fingerprint[NZ_FINGERPRINT_HEX + 1];
	const char *input;
	nz_rows *rows;
	size_t col[NZ_AC_COUNT], header_fields;
	int date1904;
	json_t *map;                 /* fields.outcome_domain of map.json */
	const char *map_path;
	char **domain;               /* national domains */
	size_t ndomains;
	nz_tally tally;              /* rows read, written, rejected */
	nz_buf folded;
};

static void
usage(void)
{
	printf("Usage: %s --profile FILE --key FILE --map FILE [OPTION]... "
	    "[FILE]\n"
"Key an agency's outcome assessments (the profile's \"assessments\"): the\n"
"client id keyed as normalise keys it, the date, the area mapped to a\n"
"national outcome domain, the score checked against the scale.  FILE\n"
"defaults to the profile's assessments.file (relative to the profile's\n"
"folder); '-' reads standard input.\n\n", nz_prog);
	nz_cols_usage("Output: ", NZ_COLS_ASSESSMENTS);
	printf("\n"
"  -p, --profile FILE  agency profile with \"assessments\":\n"
"                      {\"file\": \"assessments.csv\",\n"
"                       \"columns\": {\"client_id\": \"Client\", \"date\":\n"
"                         \"Assessed\", \"domain\": \"Area\", \"score\":\n"
"                         \"Rating\"},\n"
"                       \"scale\": {\"min\": 1, \"max\": 10}}\n"
"                      and, where they differ from the export's, format,\n"
"                      sheet, encoding, delimiter, skip_rows, date_formats\n"
"  -k, --key FILE      the agency key (the one normalise uses)\n"
"  -m, --map FILE      the agency's map.json: fields.outcome_domain maps\n"
"                      each area to a code of outcome-domain.json\n"
"  -c, --codes DIR     national code lists (default pipelines/codes)\n"
"  -r, --rejects FILE  rejected rows: line,reason,value (value cut to 40\n"
"                      bytes)\n"
"  -s, --stats FILE    row accounting as JSON (rows_read = rows_written +\n"
"                      rows_rejected; rejected by reason)\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"Rejected: wrong field count, missing client id, missing or invalid date,\n"
"missing domain, unknown domain (an area map.json does not map), invalid\n"
"score (not a whole number), score outside scale.  Dates are written\n"
"YYYY-MM-DD (a time after the date is dropped); pair-outcomes reads this\n"
"file with the mapped events.  It holds client keys: never sent.\n\n"
"Exit status: 0 success, 1 data or input error, 2 usage error.\n");
	exit(NZ_EXIT_OK);
}

/* ---- configuration ---- */

static void
load_map(struct run *run, const char *path, const char *codes_dir)
{
	json_t *root = nz_json_load(path), *fields, *dom, *v;
	const char *local;
	size_t i;

	run->map_path = path;
	run->domain = nz_outcome_domains(codes_dir, &run->ndomains);
	fields = json_object_get(root, "fields");
	dom = json_is_object(fields) ? json_object_get(fields,
	    "outcome_domain") : NULL;
	if (!json_is_object(dom) || json_object_size(dom) == 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "fields",
		    1), "no fields.outcome_domain: map each assessment area to "
		    "a domain of outcome-domain.json");
	json_object_foreach(dom, local, v) {
		const char *code = json_is_string(v) ? json_string_value(v) :
		    "";
		for (i = 0; i < run->ndomains; i++)
			if (strcmp(code, run->domain[i]) == 0)
				break;
		if (i == run->ndomains)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    local, nz_json_key_line(path, "outcome_domain", 1)),
			    "outcome_domain %s: %s is not a domain of "
			    "outcome-domain.json", nz_q(local), json_is_string(v)
			    ? nz_q(code) : "(not a string)");
	}
	run->map = json_incref(dom);
	nz_json_free(root);
	nz_hold(run->map);
}

/* ---- rows ---- */

static void
map_header(struct run *run)
{
	nz_row *row = nz_rows_header(run->rows, run->input, 0);
	size_t i;
	int c;

	for (c = 0; c < NZ_AC_COUNT; c++) {
		size_t found = row->nfields;
		for (i = 0; i < row->nfields; i++)
			if (strcmp(row->field[i], run->as->col[c]) == 0) {
				if (found < row->nfields)
					nz_dieat(NZ_EXIT_DATA, run->input,
					    row->line, "column %s (assessments "
					    "%s) appears twice in the header",
					    nz_q(run->as->col[c]),
					    nz_assess_col_names[c]);
				found = i;
			}
		if (found == row->nfields)
			nz_dieat(NZ_EXIT_DATA, run->input, row->line, "column "
			    "%s named in %s (assessments %s) is not in the "
			    "header", nz_q(run->as->col[c]), run->prof->path,
			    nz_assess_col_names[c]);
		run->col[c] = found;
	}
	run->header_fields = row->nfields;
}

/* a date cell as it is; else the formats, then ISO, then a serial number
 * of a workbook */
static int
parse_date(const struct run *run, const nz_row *row, size_t i, int *y,
    int *m, int *d, char *why)
{
	const char *s = row->field[i];
	char tried[NZ_DATE_WHY];
	size_t k;
	int type = row->type ? row->type[i] : NZ_CELL_TEXT, r, best = 0;

	if (type == NZ_CELL_DATE)
		return nz_parse_iso_date(s, y, m, d);
	snprintf(why, NZ_DATE_WHY, "not a date");
	for (k = 0; k <= run->as->ndate_formats; k++) {
		r = nz_parse_date_why(s, k < run->as->ndate_formats ?
		    run->as->date_formats[k] : "%Y-%m-%d", y, m, d, tried);
		if (r == 0)
			return 0;
		if (r < best || k == 0) {
			best = r;
			memcpy(why, tried, sizeof tried);
		}
	}
	if (type == NZ_CELL_NUMBER)
		return nz_excel_date(strtod(s, NULL), run->date1904, y, m, d,
		    why);
	return -1;
}

static const char *
domain_of(const struct run *run, const char *s)
{
	json_t *v = json_object_get(run->map, s);

	return v ? json_string_value(v) : NULL;
}

static void
hash_client(struct run *run, const char *s, size_t len, char *out)
{
	size_t i;

	if (!run->prof->fold_case[NZ_PF_CLIENT_ID]) {
		nz_hasher_hex(run->hasher, s, len, out);
		return;
	}
	nz_buf_clear(&run->folded);
	nz_buf_add(&run->folded, s, len);
	for (i = 0; i < len; i++)
		if (run->folded.s[i] >= 'A' && run->folded.s[i] <= 'Z')
			run->folded.s[i] += 'a' - 'A';
	nz_hasher_hex(run->hasher, run->folded.s, len, out);
}

static void
process_row(void *ctx, nz_row *row)
{
	struct run *run = ctx;
	char why[NZ_DATE_WHY], detail[NZ_DATE_WHY + 32], date[16];
	char key[2 * NZ_HASH_BYTES + 1], score_text[24];
	const char *f[NZ_AC_COUNT], *dom;
	const char *val[5];
	long score;
	int c, y, m, d;

	if (row->nfields != run->header_fields) {
		snprintf(detail, sizeof detail, "wrong field count: expected "
		    "%zu, found %zu", run->header_fields, row->nfields);
		nz_tally_reject(&run->tally, row->line,
		    R_WRONG_FIELD_COUNT, detail, "");
		return;
	}
	for (c = 0; c < NZ_AC_COUNT; c++) {
		nz_trim_len(row->field[run->col[c]], &row->len[run->col[c]]);
		f[c] = row->field[run->col[c]];
	}
	if (!*f[NZ_AC_CLIENT_ID]) {
		nz_tally_reject(&run->tally, row->line,
		    R_MISSING_CLIENT_ID, NULL, "");
		return;
	}
	if (!*f[NZ_AC_DATE]) {
		nz_tally_reject(&run->tally, row->line,
		    R_MISSING_DATE, NULL, "");
		return;
	}
	if (parse_date(run, row, run->col[NZ_AC_DATE], &y, &m, &d, why) < 0) {
		snprintf(detail, sizeof detail, "invalid date: %s", why);
		nz_tally_reject(&run->tally, row->line, R_INVALID_DATE, detail,
		    f[NZ_AC_DATE]);
		return;
	}
	if (!*f[NZ_AC_DOMAIN]) {
		nz_tally_reject(&run->tally, row->line,
		    R_MISSING_DOMAIN, NULL, "");
		return;
	}
	if (!(dom = domain_of(run, f[NZ_AC_DOMAIN]))) {
		nz_tally_reject(&run->tally, row->line, R_UNKNOWN_DOMAIN, NULL,
		    f[NZ_AC_DOMAIN]);
		return;
	}
	if (nz_parse_long(f[NZ_AC_SCORE], -1000000, 1000000, &score) < 0) {
		nz_tally_reject(&run->tally, row->line, R_INVALID_SCORE, NULL,
		    f[NZ_AC_SCORE]);
		return;
	}
	if (score < run->as->min || score > run->as->max) {
		snprintf(detail, sizeof detail, "score outside scale %ld to "
		    "%ld", run->as->min, run->as->max);
		nz_tally_reject(&run->tally, row->line,
		    R_SCORE_OUTSIDE_SCALE, detail, f[NZ_AC_SCORE]);
		return;
	}
	hash_client(run, f[NZ_AC_CLIENT_ID], row->len[run->col[NZ_AC_CLIENT_ID]],
	    key);
	snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
	snprintf(score_text, sizeof score_text, "%ld", score);
	val[0] = run->prof->agency;
	val[1] = key;
	val[2] = date;
	val[3] = dom;
	val[4] = score_text;
	nz_csv_record(stdout, val, NULL, 5);
	run->tally.rows_written++;
}

static void
read_assessments(struct run *run, const char *path)
{
	size_t n;
	const char *const *cols = nz_cols(NZ_COLS_ASSESSMENTS, &n);

	run->rows = nz_rows_open(path, &run->as->opts);
	if (!run->rows)
		exit(NZ_EXIT_DATA);
	run->date1904 = nz_rows_date1904(run->rows);
	map_header(run);
	nz_csv_header(stdout, cols, n);
	nz_tally_rows(&run->tally, run->rows, process_row, run,
	    nz_progress_wanted());
}

/* ---- reporting ---- */

static void
write_stats(const struct run *run, const char *path)
{
	json_t *stats = nz_tally_stats_new("normalise-assessments", run->input,
	    run->fingerprint);

	json_object_set_new(stats, "scale", json_pack("{s:I,s:I}", "min",
	    (json_int_t)run->as->min, "max", (json_int_t)run->as->max));
	nz_tally_stats(stats, &run->tally);
	nz_json_write(path, stats);
}

static void
summarise(const struct run *run)
{
	const nz_tally *t = &run->tally;
	nz_buf b = {0};
	int i, first = -1;

	if (!t->rows_rejected)
		return;
	for (i = 0; i < NREJECTS; i++)
		if (t->rejected[i] && (first < 0 ||
		    t->first_line[i] < t->first_line[first]))
			first = i;
	nz_counts_line(&b, reject_key, t->rejected, NREJECTS);
	nz_warnat(run->input, 0, "%ld of %ld rows rejected: %s; first at line "
	    "%ld (%s)", t->rows_rejected, t->rows_read, b.s,
	    t->first_line[first], reject_key[first]);
	nz_buf_free(&b);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"key", required_argument, NULL, 'k'},
		{"map", required_argument, NULL, 'm'},
		{"codes", required_argument, NULL, 'c'},
		{"rejects", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL, *key = NULL, *map = NULL, *stats = NULL;
	const char *rejects = NULL;
	char *codes = NULL;
	const char *path;
	static struct run run;
	nz_profile *prof;
	nz_assess *as;
	int c;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "p:k:m:c:r:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile = optarg; break;
		case 'k': key = optarg; break;
		case 'm': map = optarg; break;
		case 'c': free(codes); codes = nz_strdup(optarg); break;
		case 'r': rejects = nz_side_path("--rejects", optarg); break;
		case 's': stats = nz_side_path("--stats", optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (!profile || !key || !map)
		nz_usage_error("--profile, --key and --map are required");
	if (argc - optind > 1)
		nz_usage_error("expected at most one assessments FILE");
	if (!codes)
		codes = nz_pipelines_path("codes");
	nz_hold(codes);

	prof = nz_profile_load(profile, NZ_PROFILE_COLUMNS);
	as = nz_assess_load(prof);
	if (!as)
		nz_die(NZ_EXIT_DATA, "%s: no \"assessments\": this agency's "
		    "profile records none", profile);
	path = argc - optind == 1 ? argv[optind] : as->file;
	if (strcmp(path, "-") == 0)
		path = NULL;
	load_map(&run, map, codes);
	nz_key_load(key, run.key);
	nz_key_fingerprint(run.key, run.fingerprint);
	nz_demo_key_check(prof->path, prof->agency, key, run.fingerprint);
	run.hasher = nz_hasher_new(run.key);
	run.prof = prof;
	run.as = as;
	run.input = path ? path : "<stdin>";
	nz_tally_init(&run.tally, reject_key, reject_text, NREJECTS);
	if (rejects)
		nz_tally_open_rejects(&run.tally, rejects);

	read_assessments(&run, path);

	nz_tally_close_rejects(&run.tally);
	if (stats)
		write_stats(&run, stats);
	summarise(&run);
	nz_tally_free(&run.tally);
	sodium_memzero(run.key, sizeof run.key);
	nz_hasher_free(run.hasher);
	nz_buf_free(&run.folded);
	nz_drop(run.map);
	json_decref(run.map);
	nz_outcome_domains_free(run.domain, run.ndomains);
	nz_assess_free(as);
	nz_profile_free(prof);
	nz_drop(codes);
	free(codes);
	return nz_close_stdout();
}
