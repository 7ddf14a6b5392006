/* suppress: internal cells to release cells (DESIGN §5).
 *
 * Person measures below the threshold become S; every other value is
 * randomly rounded to the base with a draw that is a fixed function of
 * (ckey, measure, raw value), so the same cell always rounds the same way
 * and averaging repeated releases learns nothing.  Sum measures are S
 * where the cell's raw client count is below sum_min_clients.  ckey and
 * the raw values never reach the output.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nz.h"

static const char *const in_cols[] = {
	"period", "agency", "region", "age_band", "gender", "ethnicity",
	"household", "income", "housing", "need", "service", "clients",
	"households", "events", "units", "ckey",
};
#define NDIMCOLS 11        /* period, agency and the nine dimensions */
#define NMEASURES 4
#define NIN (NDIMCOLS + NMEASURES + 1)
#define C_CLIENTS NDIMCOLS
#define C_CKEY (NDIMCOLS + NMEASURES)
static const char *const measure[NMEASURES] = {
	"clients", "households", "events", "units",
};

enum kind { PERSON, SUM };

struct rules {
	const char *path;
	long threshold, base, sum_min_clients;
	int suppress_zero;
	enum kind kind[NMEASURES];
};

struct counts {
	long rows_read, rows_written, primary;
};

static void
usage(void)
{
	printf("Usage: %s [OPTION]... [FILE]\n"
"Turn internal cells (from aggregate) into release cells: primary\n"
"suppression and keyed consistent random rounding; ckey and raw values\n"
"are dropped.  No FILE or '-' reads standard input.\n\n"
"Output: period,agency,region,age_band,gender,ethnicity,household,income,\n"
"        housing,need,service,clients,households,events,units\n\n"
"  -r, --rules FILE  disclosure rules (default pipelines/rules/statsnz.json)\n"
"  -s, --stats FILE  write row accounting as JSON, with \"suppression\":\n"
"                    {\"primary\": N, \"secondary\": 0}, N the number of\n"
"                    measure values published as S\n"
"  -h, --help        show this help and exit\n"
"  -V, --version     show the version and exit\n\n"
"Person measures: raw below threshold is S (0 too when suppress_zero).\n"
"Sum measures: S where the cell's raw clients is below sum_min_clients.\n"
"Every other value v with residue r = v mod base is rounded up to\n"
"v - r + base with probability r/base, else down to v - r (base 3: residue\n"
"1 goes down with p 2/3, residue 2 goes up with p 2/3).  The draw: the\n"
"first 8 bytes, big-endian, of the unkeyed BLAKE2b-128 digest (libsodium\n"
"crypto_generichash) of the text \"CKEY:MEASURE:RAW\" in decimal, e.g.\n"
"\"3735928559:clients:7\", divided by 2^64; the value goes up when the draw\n"
"is below r/base.  Each total is rounded from its own raw value.\n\n"
"Exit status: 0 success, 1 data or input error, 2 usage error.\n",
	    nz_prog);
	exit(NZ_EXIT_OK);
}

/* ---- rules ---- */

static _Noreturn void
rules_error(const char *path, const char *key, const char *msg)
{
	nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
	    "\"%s\" %s", key, msg);
}

static long
rules_int(const char *path, json_t *root, const char *key, long min)
{
	json_t *v = json_object_get(root, key);

	if (!v)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"%s\"", path, key);
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > 1000000000)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
		    "\"%s\" must be an integer from %ld to 1000000000", key,
		    min);
	return (long)json_integer_value(v);
}

static void
rules_measures(struct rules *r, json_t *root, const char *key, enum kind k,
    int seen[NMEASURES])
{
	json_t *list = json_object_get(root, key), *v;
	size_t i;
	int m;

	if (!list)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"%s\"", r->path, key);
	if (!json_is_array(list))
		rules_error(r->path, key, "must be an array of measure names");
	json_array_foreach(list, i, v) {
		const char *name = json_is_string(v) ? json_string_value(v) : "";
		for (m = 0; m < NMEASURES; m++)
			if (strcmp(name, measure[m]) == 0)
				break;
		if (m == NMEASURES)
			nz_dieat(NZ_EXIT_DATA, r->path, nz_json_key_line(r->path,
			    key, 1), "\"%s\": unknown measure %s (expected "
			    "clients, households, events or units)", key,
			    json_is_string(v) ? nz_q(name) : "(not a string)");
		if (seen[m]++)
			nz_dieat(NZ_EXIT_DATA, r->path, nz_json_key_line(r->path,
			    key, 1), "\"%s\": measure %s is already listed",
			    key, measure[m]);
		r->kind[m] = k;
	}
}

static void
load_rules(struct rules *r, const char *path)
{
	json_t *root = nz_json_load(path), *sz;
	int seen[NMEASURES] = {0}, m;

	r->path = path;
	nz_json_str(path, root, "name", NULL);
	nz_json_str(path, root, "version", NULL);
	r->threshold = rules_int(path, root, "threshold", 0);
	r->base = rules_int(path, root, "base", 1);
	r->sum_min_clients = rules_int(path, root, "sum_min_clients", 0);
	sz = json_object_get(root, "suppress_zero");
	if (!sz)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"suppress_zero\"", path);
	if (!json_is_boolean(sz))
		rules_error(path, "suppress_zero", "must be true or false");
	r->suppress_zero = json_is_true(sz);
	rules_measures(r, root, "person_measures", PERSON, seen);
	rules_measures(r, root, "sum_measures", SUM, seen);
	/* an unlisted measure would be published raw: refuse */
	for (m = 0; m < NMEASURES; m++)
		if (!seen[m])
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    "person_measures", 1), "measure %s is in neither "
			    "\"person_measures\" nor \"sum_measures\"",
			    measure[m]);
	json_decref(root);
}

/* ---- rounding ---- */

/* The keyed draw in [0, 2^64): see usage(). */
static uint64_t
draw(uint32_t ckey, const char *name, uint64_t raw)
{
	char text[64];
	unsigned char digest[16];
	uint64_t v = 0;
	int n, i;

	n = snprintf(text, sizeof text, "%" PRIu32 ":%s:%" PRIu64, ckey, name,
	    raw);
	crypto_generichash(digest, sizeof digest, (unsigned char *)text,
	    (unsigned long long)n, NULL, 0);
	for (i = 0; i < 8; i++)
		v = v << 8 | digest[i];
	return v;
}

static uint64_t
round_value(uint32_t ckey, const char *name, uint64_t raw, uint64_t base)
{
	uint64_t r = raw % base;

	if (r == 0)
		return raw;
	/* up iff draw/2^64 < r/base, exactly: draw * base < r * 2^64 */
	if ((unsigned __int128)draw(ckey, name, raw) * base <
	    (unsigned __int128)r << 64)
		return raw - r + base;
	return raw - r;
}

/* ---- cells ---- */

static void
check_header(nz_csv *csv)
{
	static const size_t ncols = sizeof in_cols / sizeof *in_cols;
	const char *file = nz_csv_name(csv);
	nz_row *row;
	size_t i;
	int r = nz_csv_next(csv, &row);

	if (r < 0)
		exit(NZ_EXIT_DATA);
	if (r == 0)
		nz_dieat(NZ_EXIT_DATA, file, 0, "empty input: expected internal "
		    "cells from aggregate");
	for (i = 0; i < row->nfields && i < ncols; i++)
		if (strcmp(row->field[i], in_cols[i]) != 0)
			break;
	if (i == ncols - 1 && row->nfields == ncols - 1)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "this is a release "
		    "(no ckey column); suppress reads the internal cells "
		    "written by aggregate");
	if (i < ncols && i < row->nfields)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "not internal cells: "
		    "column %zu is %s, expected %s", i + 1, nz_q(row->field[i]),
		    nz_q(in_cols[i]));
	if (row->nfields != ncols)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "not internal cells: "
		    "%zu columns, expected %zu (period,agency,...,units,ckey)",
		    row->nfields, ncols);
}

static uint64_t
field_u64(const nz_row *row, int col, const char *file)
{
	uint64_t v;

	if (nz_parse_u64(row->field[col], &v) < 0 ||
	    row->len[col] != strspn(row->field[col], "0123456789"))
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid %s %s: expected "
		    "a non-negative integer", in_cols[col],
		    nz_q(row->field[col]));
	return v;
}

static void
suppress_row(const struct rules *r, const nz_row *row, const char *file,
    struct counts *n)
{
	uint64_t raw[NMEASURES], ckey, clients;
	char out[32];
	int c, m;

	for (c = 0; c < NDIMCOLS; c++)
		if (row->len[c] == 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "empty %s",
			    in_cols[c]);
	for (m = 0; m < NMEASURES; m++)
		raw[m] = field_u64(row, C_CLIENTS + m, file);
	ckey = field_u64(row, C_CKEY, file);
	if (ckey > UINT32_MAX)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid ckey %s: "
		    "expected 0 to 4294967295", nz_q(row->field[C_CKEY]));
	clients = raw[0];

	for (c = 0; c < NDIMCOLS; c++)
		nz_csv_field(stdout, row->field[c], row->len[c], c == 0);
	for (m = 0; m < NMEASURES; m++) {
		int hide = r->kind[m] == PERSON ?
		    (raw[m] < (uint64_t)r->threshold &&
		    (raw[m] > 0 || r->suppress_zero)) :
		    clients < (uint64_t)r->sum_min_clients;

		if (hide) {
			fputs(",S", stdout);
			n->primary++;
			continue;
		}
		if (raw[m] > UINT64_MAX - (uint64_t)r->base)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "%s too large",
			    measure[m]);
		snprintf(out, sizeof out, ",%" PRIu64, round_value(
		    (uint32_t)ckey, measure[m], raw[m], (uint64_t)r->base));
		fputs(out, stdout);
	}
	putchar('\n');
	n->rows_written++;
}

static void
write_stats(const struct counts *n, const char *path)
{
	json_t *stats = json_object(), *sup = json_object();

	json_object_set_new(stats, "program", json_string("suppress"));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "rows_read", json_integer(n->rows_read));
	json_object_set_new(stats, "rows_written",
	    json_integer(n->rows_written));
	json_object_set_new(stats, "rows_rejected", json_integer(0));
	json_object_set_new(stats, "rejected", json_object());
	json_object_set_new(stats, "warnings", json_object());
	json_object_set_new(sup, "primary", json_integer(n->primary));
	json_object_set_new(sup, "secondary", json_integer(0));
	json_object_set_new(stats, "suppression", sup);
	nz_json_write(path, stats);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static const char *const out_cols[] = {
		"period", "agency", "region", "age_band", "gender",
		"ethnicity", "household", "income", "housing", "need",
		"service", "clients", "households", "events", "units",
	};
	struct rules rules = {0};
	struct counts counts = {0};
	char *rules_path = NULL;
	const char *stats = NULL;
	nz_csv *csv;
	nz_row *row;
	int c;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "r:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rules_path = optarg; break;
		case 's': stats = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (argc - optind > 1)
		nz_usage_error("expected at most one FILE");
	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium failed to initialise");
	rules_path = rules_path ? nz_strdup(rules_path) :
	    nz_pipelines_path("rules/statsnz.json");
	load_rules(&rules, rules_path);

	csv = nz_csv_open(optind < argc ? argv[optind] : "-",
	    NZ_CSV_CANONICAL);
	check_header(csv);
	nz_csv_header(stdout, out_cols, sizeof out_cols / sizeof *out_cols);
	while (nz_csv_next_n(csv, &row, NIN) == 1) {
		counts.rows_read++;
		suppress_row(&rules, row, nz_csv_name(csv), &counts);
	}
	nz_csv_close(csv);
	if (stats)
		write_stats(&counts, stats);
	free(rules_path);
	return nz_close_stdout();
}
