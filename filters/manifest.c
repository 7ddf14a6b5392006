/* manifest: the release manifest (FORMATS.md), sent with release.csv.
 *
 * Gathers what a reader of the release needs to trust and compare it:
 * agency, periods, coverage, rules, code-list and spec versions, the row
 * accounting of every stage (checked here on the exact counts, so nothing
 * is dropped silently; counts of raw records are not sent), the
 * suppression counts and the release's sha256.  Keys come out in a fixed
 * order and built_at from SOURCE_DATE_EPOCH, so a rebuild is
 * byte-identical.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nz.h"


struct opts {
	const char *agency, *profile, *regions, *release;
	char *rules, *codes, *bands, *tables;
	const char **stage;
	size_t nstages, stage_cap;
};

static void
usage(void)
{
	printf("Usage: %s --agency CODE --release FILE [--stage FILE]... "
	    "[OPTION]...\n"
"Write the release manifest (JSON) on standard output.\n\n"
"  -a, --agency CODE   the agency code (must match the release and profile)\n"
"  -R, --release FILE  the release cells: row count, periods, sha256\n"
"  -S, --stage FILE    a stage's --stats file; repeat, in pipeline order\n"
"  -p, --profile FILE  agency profile: its \"regions\" are the coverage\n"
"  -g, --regions LIST  coverage as region codes instead, e.g. 02,13\n"
"                      (without either, every region is covered)\n"
"  -r, --rules FILE    rules used (default pipelines/rules/statsnz.json)\n"
"  -c, --codes DIR     code lists (default pipelines/codes)\n"
"  -b, --bands FILE    age bands (default pipelines/age-bands.json)\n"
"  -t, --tables FILE   table spec (default pipelines/tables.json)\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"Row accounting is checked: every stage must have rows_read + rows_carried\n"
"= rows_written + rows_rejected + rows_held_back (rows_counted for\n"
"aggregate; rows_carried and rows_held_back count 0 when absent); each stage\n"
"must read what the one before wrote (cells_written after aggregate); the\n"
"last stage must have written the release's rows.  \"suppression\" comes\n"
"from the last stage that reports it.\n\n"
"The stages up to aggregate count the agency's raw records: once checked,\n"
"their counts stay at the agency, and the manifest says \"accounting\":\n"
"\"checked\" for each (any figure of them beside the release could\n"
"narrow what it hides), with only their program, version, step, input\n"
"and key_fingerprint: no date, no quarter held back, no other text.\n"
"Counts of cells and of suppressions are sent; a stage's input keeps only\n"
"its file name.  A key_fingerprint of a public demo key is refused for\n"
"any agency but the sample agency it belongs to.\n\n"
"built_at is SOURCE_DATE_EPOCH (seconds since 1970, UTC) when set, else\n"
"the current time; the Makefile sets it so rebuilds are byte-identical.\n\n"
"Exit status: 0 success, 1 data or input error, 2 usage error.\n",
	    nz_prog);
	exit(NZ_EXIT_OK);
}

/* ---- coverage ---- */

/* The covered region codes in code-list order: the profile's regions,
 * the --regions list, or every region. */
static json_t *
coverage(const struct opts *o, const nz_codes *region)
{
	nz_profile *p = NULL;
	char *keep, *copy = NULL, *tok, *save = NULL;
	const char **want = NULL;
	size_t i, n = 0, cap = 0;
	json_t *out;

	if (o->profile) {
		p = nz_profile_load(o->profile, 0);
		if (strcmp(p->agency, o->agency) != 0)
			nz_dieat(NZ_EXIT_DATA, o->profile, nz_json_key_line(
			    o->profile, "agency", 1), "agency %s, but --agency "
			    "is %s", nz_q(p->agency), nz_q(o->agency));
		keep = nz_profile_coverage(p, region);
	} else {
		if (o->regions) {
			copy = nz_strdup(o->regions);
			nz_hold(copy);
			for (tok = strtok_r(copy, ",", &save); tok;
			    tok = strtok_r(NULL, ",", &save)) {
				nz_grow(&want, &cap, n + 1, sizeof *want);
				want[n++] = tok;
			}
			if (n == 0)
				nz_die(NZ_EXIT_DATA, "--regions: no regions: "
				    "the coverage needs at least one region "
				    "code");
			nz_hold(want);
		}
		keep = nz_coverage(want, n, region, "--regions");
		nz_drop(want);
		nz_drop(copy);
	}
	/* 99, outside the area or not stated, is every agency's (aggregate
	 * counts a client from outside the area there) */
	keep[region->not_stated_index] = 1;
	out = json_array();
	for (i = 0; i < region->n; i++)
		if (keep[i])
			json_array_append_new(out, json_string(region->code[i]));
	free(want);
	free(copy);
	free(keep);
	nz_profile_free(p);
	return out;
}

/* ---- configuration versions ---- */

static json_t *
rules_summary(const char *path)
{
	static const char *const str_keys[] = {"name", "version"};
	static const char *const int_keys[] = {"threshold", "base",
	    "sum_min_clients"};
	json_t *root = nz_json_load(path), *out = json_object(), *v;
	size_t i, j;

	for (i = 0; i < 2; i++)
		json_object_set_new(out, str_keys[i], json_string(
		    nz_json_str(path, root, str_keys[i], NULL)));
	for (i = 0; i < 3; i++) {
		v = json_object_get(root, int_keys[i]);
		if (!json_is_integer(v))
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    int_keys[i], 1), "\"%s\" must be an integer",
			    int_keys[i]);
		json_object_set(out, int_keys[i], v);
		if (i == 0) {
			/* FORMATS order: threshold, suppress_zero, base, ... */
			v = json_object_get(root, "suppress_zero");
			if (!json_is_boolean(v))
				nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(
				    path, "suppress_zero", 1),
				    "\"suppress_zero\" must be true or false");
			json_object_set(out, "suppress_zero", v);
		}
	}
	for (i = 0; i < 2; i++) {
		const char *key = i ? "sum_measures" : "person_measures";
		v = json_object_get(root, key);
		if (!json_is_array(v))
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key,
			    1), "\"%s\" must be an array", key);
		for (j = 0; j < json_array_size(v); j++)
			if (!json_is_string(json_array_get(v, j)))
				nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(
				    path, key, 1), "\"%s\" must hold measure "
				    "names", key);
		json_object_set(out, key, v);
	}
	/* a cell-key perturbation table says what every figure stands for */
	if ((v = json_object_get(root, "perturbation")))
		json_object_set(out, "perturbation", v);
	nz_json_free(root);
	return out;
}

static json_t *
file_version(const char *path)
{
	json_t *root = nz_json_load(path);
	json_t *v = json_string(nz_json_str(path, root, "version", NULL));

	nz_json_free(root);
	return v;
}

/* ---- stages ---- */

static long
stage_int(const char *path, json_t *st, const char *key, int required)
{
	json_t *v = json_object_get(st, key);

	if (!v && !required)
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
		    "stage statistics need \"%s\" as a non-negative integer",
		    key);
	return (long)json_integer_value(v);
}

/* Check one stage's accounting and its link to the stage before; returns
 * the rows it handed on. */
static long
check_stage(const char *path, json_t *st, long handed_on, const char *prev)
{
	const char *name = json_is_string(json_object_get(st, "program")) ?
	    json_string_value(json_object_get(st, "program")) : path;
	long read = stage_int(path, st, "rows_read", 1);
	long rejected = stage_int(path, st, "rows_rejected", 1);
	long counted = stage_int(path, st, "rows_counted", 0);
	long written = stage_int(path, st, "rows_written", counted < 0);
	long cells = stage_int(path, st, "cells_written", 0);
	long held = stage_int(path, st, "rows_held_back", 0);
	long carried = stage_int(path, st, "rows_carried", 0);
	long kept = counted >= 0 ? counted : written;

	held = held < 0 ? 0 : held;
	carried = carried < 0 ? 0 : carried;
	if (read + carried != kept + rejected + held)
		nz_die(NZ_EXIT_DATA, "%s: stage %s loses rows: rows_read %ld + "
		    "rows_carried %ld != %s %ld + rows_rejected %ld + "
		    "rows_held_back %ld", path, nz_q(name), read, carried,
		    counted >= 0 ? "rows_counted" : "rows_written", kept,
		    rejected, held);
	if (handed_on >= 0 && read != handed_on)
		nz_die(NZ_EXIT_DATA, "%s: stage %s read %ld rows, but stage %s "
		    "before it wrote %ld", path, nz_q(name), read, nz_q(prev),
		    handed_on);
	return cells >= 0 ? cells : written;
}

/* The stage as sent.  The stages up to and including aggregate count
 * events, the agency's raw records, and no figure of theirs may leave:
 * an exact count beside the release's S tells what the S hides
 * (empty_gender 1), and a count rounded any fixed way beside the same
 * total rounded by suppress's keyed RR3 pins the total down (events in
 * 385..389 from the release, 383..385 from a nearest-3 rows_counted:
 * 385), as does the identity read = written + rejected between rounded
 * figures.  So such a stage keeps its program, version and input file
 * name (not the agency's folder) and says "accounting": "checked": this
 * program has checked every count above on the exact figures, and the
 * exact --stats files stay at the agency.  cells_written and every count
 * of the later stages (cells, suppressions) are what the release shows
 * anyway, so they stay exact. */
/* What a stage that counts events may send besides "accounting": never
 * a date (bucket's export date is the day a client may have visited) nor
 * any other text a stage may add. */
static int
sent_from_events(const char *key, json_t *v)
{
	static const char *const keys[] = {"program", "version", "step",
	    "key_fingerprint", "cells_written"};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		if (strcmp(key, keys[i]) == 0)
			return i < 4 ? json_is_string(v) : 1;
	return 0;
}

static json_t *
stage_as_sent(json_t *st, int events)
{
	json_t *out = json_object(), *v;
	const char *key, *slash;

	json_object_foreach(st, key, v) {
		if (strcmp(key, "input") == 0 && json_is_string(v)) {
			slash = strrchr(json_string_value(v), '/');
			json_object_set_new(out, key, json_string(slash ?
			    slash + 1 : json_string_value(v)));
		} else if (!events || sent_from_events(key, v)) {
			json_object_set(out, key, v);
		}
	}
	if (events)
		json_object_set_new(out, "accounting", json_string("checked"));
	return out;
}

static json_t *
load_stages(const struct opts *o, long release_rows, json_t **suppression)
{
	json_t *stages = json_array();
	const char *prev = NULL;
	long handed_on = -1;
	int events = 1;   /* until the stage that writes cells, counts events */
	size_t i;

	nz_hold(stages);
	*suppression = NULL;
	for (i = 0; i < o->nstages; i++) {
		json_t *st = nz_json_load(o->stage[i]), *sup, *sent;

		handed_on = check_stage(o->stage[i], st, handed_on, prev);
		sup = json_object_get(st, "suppression");
		if (sup) {
			nz_drop(*suppression);
			json_decref(*suppression);
			*suppression = json_deep_copy(sup);
			nz_hold(*suppression);
		}
		sent = stage_as_sent(st, events);
		json_array_append_new(stages, sent);
		/* the name lives in the copy sent, which outlives st */
		prev = json_is_string(json_object_get(sent, "program")) ?
		    json_string_value(json_object_get(sent, "program")) :
		    o->stage[i];
		if (json_object_get(st, "cells_written"))
			events = 0;
		nz_json_free(st);
	}
	if (o->nstages && handed_on != release_rows)
		nz_die(NZ_EXIT_DATA, "%s: the last stage wrote %ld rows, but %s "
		    "holds %ld", o->stage[o->nstages - 1], handed_on,
		    o->release, release_rows);
	if (!*suppression)
		nz_die(NZ_EXIT_DATA, "no stage reports \"suppression\": give "
		    "the --stats file of suppress with --stage");
	nz_drop(*suppression);
	nz_drop(stages);
	return stages;
}

/* ---- the release ---- */

/* rows, periods (sorted) and sha256 of the release */
static json_t *
scan_release(const struct opts *o, long *rows, json_t **periods)
{
	nz_csv *csv = nz_csv_open(o->release, NZ_CSV_CANONICAL);
	char **seen = NULL, sha[65];
	size_t n = 0, cap = 0, i;
	const char *base = strrchr(o->release, '/');
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_RELEASE, &ncols);
	json_t *out;
	nz_row *row;

	nz_csv_expect_header(csv, cols, ncols);
	*rows = 0;
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		(*rows)++;
		if (strcmp(row->field[1], o->agency) != 0)
			nz_dieat(NZ_EXIT_DATA, o->release, row->line, "agency %s, "
			    "but --agency is %s", nz_q(row->field[1]),
			    nz_q(o->agency));
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], row->field[0]) == 0)
				break;
		if (i == n) {
			nz_grow(&seen, &cap, n + 1, sizeof *seen);
			seen[n++] = nz_strdup(row->field[0]);
		}
	}
	nz_csv_close(csv);
	qsort(seen, n, sizeof *seen, nz_strcmp_ptr);
	*periods = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(*periods, json_string(seen[i]));
		free(seen[i]);
	}
	free(seen);
	if (nz_sha256_file(o->release, sha) < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", o->release, strerror(errno));
	out = json_object();
	json_object_set_new(out, "file", json_string(base ? base + 1 :
	    o->release));
	json_object_set_new(out, "rows", json_integer(*rows));
	json_object_set_new(out, "sha256", json_string(sha));
	return out;
}

/* ---- built_at ---- */

static json_t *
built_at(void)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	char text[32];
	time_t t;
	struct tm tm;
	long v;

	if (env) {
		if (nz_parse_long(env, 0, 253402300799L, &v) < 0)
			nz_die(NZ_EXIT_DATA, "SOURCE_DATE_EPOCH is %s: expected "
			    "seconds since 1970-01-01 UTC", nz_q(env));
		t = (time_t)v;
	} else {
		t = time(NULL);
	}
	if (!gmtime_r(&t, &tm) ||
	    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		nz_die(NZ_EXIT_DATA, "cannot format the build time");
	return json_string(text);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{"agency", required_argument, NULL, 'a'},
		{"release", required_argument, NULL, 'R'},
		{"stage", required_argument, NULL, 'S'},
		{"profile", required_argument, NULL, 'p'},
		{"regions", required_argument, NULL, 'g'},
		{"rules", required_argument, NULL, 'r'},
		{"codes", required_argument, NULL, 'c'},
		{"bands", required_argument, NULL, 'b'},
		{"tables", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "a:R:S:p:g:r:c:b:t:hV", opts,
	    NULL)) != -1) {
		switch (c) {
		case 'a': o->agency = optarg; break;
		case 'R':
			if (strcmp(optarg, "-") == 0)
				nz_usage_error("--release needs a file: its "
				    "sha256 goes into the manifest");
			o->release = optarg;
			break;
		case 'S':
			nz_grow(&o->stage, &o->stage_cap, o->nstages + 1,
			    sizeof *o->stage);
			o->stage[o->nstages++] = optarg;
			break;
		case 'p': o->profile = optarg; break;
		case 'g': o->regions = optarg; break;
		case 'r': o->rules = optarg; break;
		case 'c': o->codes = optarg; break;
		case 'b': o->bands = optarg; break;
		case 't': o->tables = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); exit(0);
		default: nz_usage_error("unknown option");
		}
	}
	if (optind < argc)
		nz_usage_error("unexpected argument %s", nz_q(argv[optind]));
	if (!o->agency || !*o->agency)
		nz_usage_error("--agency is required");
	if (!o->release)
		nz_usage_error("--release is required");
	if (o->profile && o->regions)
		nz_usage_error("give the coverage by --profile or --regions, "
		    "not both");
	o->rules = o->rules ? nz_strdup(o->rules) :
	    nz_pipelines_path("rules/statsnz.json");
	o->codes = o->codes ? nz_strdup(o->codes) : nz_pipelines_path("codes");
	o->bands = o->bands ? nz_strdup(o->bands) :
	    nz_pipelines_path("age-bands.json");
	o->tables = o->tables ? nz_strdup(o->tables) :
	    nz_pipelines_path("tables.json");
}

/* The fingerprint of the key the release was made with, from the stage
 * that keyed the clients (normalise's stats); left out when no stage
 * names one. */
static void
set_fingerprint(json_t *m, const struct opts *o)
{
	json_t *stages = json_object_get(m, "stages"), *st, *fp, *found = NULL;
	size_t i;

	json_array_foreach(stages, i, st) {
		fp = json_object_get(st, "key_fingerprint");
		if (!fp)
			continue;
		if (!json_is_string(fp) || json_string_length(fp) !=
		    NZ_FINGERPRINT_HEX || strspn(json_string_value(fp),
		    "0123456789abcdef") != NZ_FINGERPRINT_HEX)
			nz_dieat(NZ_EXIT_DATA, o->stage[i], nz_json_key_line(
			    o->stage[i], "key_fingerprint", 1),
			    "\"key_fingerprint\" must be %d lower-case hex "
			    "characters", NZ_FINGERPRINT_HEX);
		if (found && !json_equal(found, fp))
			nz_die(NZ_EXIT_DATA, "%s: the stages name two different "
			    "keys", o->stage[i]);
		found = fp;
	}
	if (found) {
		char demo[NZ_AGENCY_MAX + 1];

		/* normalise refuses a demo key outside the sample data; a
		 * release keyed with one for another agency stops here too */
		if (nz_demo_key_agency(json_string_value(found), demo) &&
		    strcmp(demo, o->agency) != 0)
			nz_die(NZ_EXIT_DATA, "the release of %s was keyed with "
			    "the public demo key of sample agency %s "
			    "(fingerprint %s): make the agency its own key "
			    "('make key AGENCY=%s')", nz_q(o->agency),
			    nz_q(demo), json_string_value(found), o->agency);
		json_object_set(m, "key_fingerprint", found);
	} else {
		json_object_del(m, "key_fingerprint");
	}
}

/* The manifest's keys in the order FORMATS.md gives them. */
static const char *const manifest_keys[] = {"agency", "key_fingerprint",
    "periods", "regions",
    "rules", "code_lists", "age_bands", "table_spec", "program_version",
    "stages", "suppression", "release", "built_at"};

int
main(int argc, char **argv)
{
	struct opts o = {0};
	json_t *m = json_object(), *lists = json_object(), *periods, *release;
	json_t *suppression;
	nz_codes *region = NULL;
	long rows;
	size_t i;
	int d;

	nz_setprog(argv[0]);
	/* every part goes into m, held, as soon as it is made: an error exit
	 * while the next part is checked leaves nothing unreachable */
	nz_hold(m);
	for (i = 0; i < sizeof manifest_keys / sizeof *manifest_keys; i++)
		json_object_set_new(m, manifest_keys[i], json_null());
	json_object_set_new(m, "code_lists", lists);
	parse_args(argc, argv, &o);
	/* the code lists in cell column order (age bands have their own
	 * key) */
	for (d = 0; d < NZ_NDIMS; d++) {
		nz_codes *cl;

		if (!nz_dims[d].codes)
			continue;
		cl = nz_codes_load(o.codes, nz_dims[d].codes);
		json_object_set_new(lists, nz_dims[d].codes,
		    json_string(cl->version));
		if (d == NZ_DIM_REGION)
			region = cl;
		else
			nz_codes_free(cl);
	}
	release = scan_release(&o, &rows, &periods);
	json_object_set_new(m, "release", release);
	json_object_set_new(m, "periods", periods);
	json_object_set_new(m, "stages", load_stages(&o, rows, &suppression));
	json_object_set_new(m, "suppression", suppression);
	set_fingerprint(m, &o);
	json_object_set_new(m, "agency", json_string(o.agency));
	json_object_set_new(m, "regions", coverage(&o, region));
	json_object_set_new(m, "rules", rules_summary(o.rules));
	json_object_set_new(m, "age_bands", file_version(o.bands));
	json_object_set_new(m, "table_spec", file_version(o.tables));
	json_object_set_new(m, "program_version", json_string(NZ_VERSION));
	json_object_set_new(m, "built_at", built_at());
	if (json_dumpf(m, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		nz_die(NZ_EXIT_DATA, "write error on standard output");
	putchar('\n');
	nz_json_free(m);
	nz_codes_free(region);
	free(o.rules);
	free(o.codes);
	free(o.bands);
	free(o.tables);
	free(o.stage);
	return nz_close_stdout();
}
