/* seccells: NZCCSS's internal cells from the secure rounds' sums, to be
 * protected once, as an agency's are (suppress, manifest, audit): the
 * exact sums of the cells summed (K or more contributors), a cell key for
 * each from the programme key, and the cells with 1 to K-1 contributors
 * (whose values nobody has learnt) listed to be hidden whole. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "secure.h"

#define PROGRAMME NZ_SEC_AGGREGATOR

static void
usage(void)
{
	printf("Usage: %s --contributors FILE --sums FILE --key KEYFILE --k K\n"
	    "       --excluded FILE [--stats FILE] [--coverage FILE]\n"
	    "       [--allow-demo-key]\n"
	    "Write NZCCSS's internal cells (agency %s, the contract of\n"
	    "aggregate's cells.csv) from the secure rounds: --contributors,\n"
	    "the indicator rounds' sums (period,<dimensions>,contributors),\n"
	    "and --sums, the value rounds' (period,<dimensions>,clients,\n"
	    "households,events,units), any number of quarters each.\n"
	    "  a cell summed (K or more contributors): its exact sums;\n"
	    "  a cell with none: 0 (no agency has it);\n"
	    "  a cell with contributors but not summed (1 to K-1, or left\n"
	    "      out of the value round so that no such cell could be had\n"
	    "      by subtraction: secround open): 0, and listed in\n"
	    "      --excluded (period,agency,<dimensions>) for 'suppress\n"
	    "      --forced', which hides it whole and protects it as a\n"
	    "      secondary cell: its value was never summed.\n"
	    "A sum of a cell with fewer than K contributors is refused.\n"
	    "Cells of regions no participant has (no contributor to the\n"
	    "region's total in any quarter) are left out, as aggregate leaves\n"
	    "out regions outside an agency's coverage; --coverage writes the\n"
	    "regions kept (for 'manifest --regions').\n"
	    "ckey is the first 4 bytes (little-endian) of BLAKE2b keyed with\n"
	    "the programme key (--key, 32 bytes as 'keygen' makes) over\n"
	    "\"PERIOD,<dimensions>\": the rounding of the sums is NZCCSS's\n"
	    "secret, as an agency's is its own.  A public demo key (pipelines/\n"
	    "demo-keys.csv) is taken only as the sample build's programme key\n"
	    "(%s), with --allow-demo-key.\n\n"
	    "  --stats FILE   row accounting and the key's fingerprint, for\n"
	    "                 'manifest --stage'\n"
	    "  -h, --help     show this help and exit\n"
	    "  -V, --version  show the version and exit\n\n"
	    "Exit status: 0 success, 1 data error, 2 usage error.\n",
	    nz_prog, PROGRAMME, PROGRAMME);
	exit(NZ_EXIT_OK);
}

struct sums {
	nz_strset *cells;            /* "period,<dims>" */
	uint64_t (*value)[NZ_NMEASURES];
	unsigned char *used;
};

static void
cell_name(nz_buf *b, const nz_row *row)
{
	int d;

	nz_buf_clear(b);
	for (d = 0; d <= NZ_NDIMS; d++)
		nz_buf_printf(b, "%s%s", d ? "," : "", row->field[d]);
}

static void
read_sums(const char *path, struct sums *s)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const size_t ncols = 1 + NZ_NDIMS + NZ_NMEASURES;
	size_t cap = 0, i;
	nz_buf name = {0};
	nz_row *row;
	int m, added;

	s->cells = nz_strset_new();
	while (nz_csv_next_n(csv, &row, ncols) > 0) {
		if (strcmp(row->field[0], "period") == 0)
			continue;   /* a header, one per quarter */
		cell_name(&name, row);
		i = nz_strset_add(s->cells, name.s, &added);
		if (!added)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "the cell %s "
			    "twice", nz_q(name.s));
		nz_grow(&s->value, &cap, i + 1, sizeof *s->value);
		for (m = 0; m < NZ_NMEASURES; m++)
			if (nz_parse_u64(row->field[1 + NZ_NDIMS + m],
			    &s->value[i][m]) != 0 || s->value[i][m] > INT32_MAX)
				nz_dieat(NZ_EXIT_DATA, path, row->line, "%s: %s",
				    nz_measure_names[m],
				    nz_q(row->field[1 + NZ_NDIMS + m]));
	}
	nz_csv_close(csv);
	s->used = nz_calloc(nz_strset_count(s->cells) + 1, 1);
	nz_buf_free(&name);
}

/* the regions with a contributor to their total in some quarter */
static nz_strset *
covered_regions(const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	nz_strset *set = nz_strset_new();
	nz_row *row;
	int d, total;

	nz_strset_add(set, "99", NULL);
	while (nz_csv_next_n(csv, &row, 2 + NZ_NDIMS) > 0) {
		if (strcmp(row->field[0], "period") == 0 ||
		    strcmp(row->field[1], "*") == 0 ||
		    strcmp(row->field[1 + NZ_NDIMS], "0") == 0)
			continue;
		for (total = 1, d = 1; d < NZ_NDIMS; d++)
			total &= strcmp(row->field[1 + d], "*") == 0;
		if (total)
			nz_strset_add(set, row->field[1], NULL);
	}
	nz_csv_close(csv);
	return set;
}

static uint32_t
cell_key(const unsigned char key[NZ_KEY_BYTES], const char *name)
{
	unsigned char h[16];

	crypto_generichash(h, sizeof h, (const unsigned char *)name,
	    strlen(name), key, NZ_KEY_BYTES);
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	    (uint32_t)h[3] << 24;
}

static void
programme_key(const char *path, int allow_demo, unsigned char key[NZ_KEY_BYTES],
    char fp[NZ_FINGERPRINT_HEX + 1])
{
	char demo[NZ_AGENCY_MAX + 1];

	nz_key_load(path, key);
	nz_key_fingerprint(key, fp);
	if (!nz_demo_key_agency(fp, demo))
		return;
	if (strcmp(demo, PROGRAMME) != 0)
		nz_die(NZ_EXIT_DATA, "key file %s is the public demo key of the "
		    "sample agency %s: never a programme key", path, demo);
	if (!allow_demo)
		nz_die(NZ_EXIT_DATA, "key file %s is the public demo programme "
		    "key (fingerprint %s): anyone can undo its rounding; only "
		    "the sample build takes it (--allow-demo-key).  Make a real "
		    "one with 'keygen' and keep it outside the repository",
		    path, fp);
}

static void
write_stats(const char *path, long rows, const char *fp)
{
	json_t *st = json_object();

	json_object_set_new(st, "program", json_string(nz_prog));
	json_object_set_new(st, "version", json_string(NZ_VERSION));
	json_object_set_new(st, "step", json_string("secure sums to cells"));
	json_object_set_new(st, "rows_read", json_integer(rows));
	json_object_set_new(st, "rows_rejected", json_integer(0));
	json_object_set_new(st, "rows_written", json_integer(rows));
	json_object_set_new(st, "cells_written", json_integer(rows));
	json_object_set_new(st, "key_fingerprint", json_string(fp));
	nz_json_write(path, st);
	json_decref(st);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"contributors", required_argument, NULL, 'c'},
		{"sums", required_argument, NULL, 's'},
		{"key", required_argument, NULL, 'K'},
		{"k", required_argument, NULL, 'k'},
		{"excluded", required_argument, NULL, 'e'},
		{"stats", required_argument, NULL, 'S'},
		{"coverage", required_argument, NULL, 'g'},
		{"allow-demo-key", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *contrib = NULL, *sums_path = NULL, *key_path = NULL;
	const char *excluded = NULL, *stats = NULL, *coverage = NULL;
	unsigned char key[NZ_KEY_BYTES];
	char fp[NZ_FINGERPRINT_HEX + 1];
	size_t ncols, i;
	const char *const *cols = nz_cols(NZ_COLS_CELLS, &ncols);
	struct sums s = {0};
	nz_strset *regions;
	nz_buf name = {0};
	long k = -1, rows = 0, n;
	int c, allow_demo = 0, m, summed;
	nz_csv *csv;
	nz_row *row;
	FILE *ex;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': contrib = optarg; break;
		case 's': sums_path = optarg; break;
		case 'K': key_path = optarg; break;
		case 'k': k = nz_opt_long("--k", optarg, 3, 1000); break;
		case 'e': excluded = nz_side_path("--excluded", optarg); break;
		case 'S': stats = nz_side_path("--stats", optarg); break;
		case 'g': coverage = nz_side_path("--coverage", optarg); break;
		case 'D': allow_demo = 1; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (!contrib || !sums_path || !key_path || k < 0 || !excluded ||
	    optind != argc)
		nz_usage_error("--contributors, --sums, --key, --k and "
		    "--excluded are required, and no other file");
	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium failed to initialise");
	programme_key(key_path, allow_demo, key, fp);
	read_sums(sums_path, &s);
	regions = covered_regions(contrib);
	ex = nz_fopen_out(excluded);
	{
		size_t nkey;
		const char *const *key_cols = nz_cols(NZ_COLS_CELL_KEY, &nkey);

		nz_csv_header(ex, key_cols, nkey);
	}
	nz_csv_header(stdout, cols, ncols);
	csv = nz_csv_open(contrib, NZ_CSV_CANONICAL);
	while (nz_csv_next_n(csv, &row, 2 + NZ_NDIMS) > 0) {
		const char *cn = row->field[1 + NZ_NDIMS];
		long at;

		if (strcmp(row->field[0], "period") == 0)
			continue;
		if (nz_parse_long(cn, 0, 1000000, &n) != 0)
			nz_dieat(NZ_EXIT_DATA, contrib, row->line, "contributors:"
			    " %s", nz_q(cn));
		if (strcmp(row->field[1], "*") != 0 &&
		    nz_strset_find(regions, row->field[1]) < 0)
			continue;
		cell_name(&name, row);
		at = nz_strset_find(s.cells, name.s);
		summed = at >= 0;
		if (summed && n < k)
			nz_dieat(NZ_EXIT_DATA, contrib, row->line, "%s has %ld "
			    "contributors (k %ld) but a sum in %s: the sums are "
			    "not of these rounds", nz_q(name.s), n, k,
			    sums_path);
		printf("%s,%s%s", row->field[0], PROGRAMME,
		    name.s + strlen(row->field[0]));
		for (m = 0; m < NZ_NMEASURES; m++)
			printf(",%" PRIu64, at >= 0 ? s.value[at][m] : 0);
		printf(",%" PRIu32 "\n", cell_key(key, name.s));
		if (at >= 0)
			s.used[at] = 1;
		if (n > 0 && !summed)
			fprintf(ex, "%s,%s%s\n", row->field[0], PROGRAMME,
			    name.s + strlen(row->field[0]));
		rows++;
	}
	nz_csv_close(csv);
	for (i = 0; i < nz_strset_count(s.cells); i++)
		if (!s.used[i])
			nz_die(NZ_EXIT_DATA, "%s: the cell %s is not in %s", 
			    sums_path, nz_q(nz_strset_key(s.cells, i)), contrib);
	nz_fclose_out(ex, excluded);
	if (coverage) {
		FILE *f = nz_fopen_out(coverage);
		const char **r = nz_malloc((nz_strset_count(regions) + 1) *
		    sizeof *r);

		for (i = 0; i < nz_strset_count(regions); i++)
			r[i] = nz_strset_key(regions, i);
		qsort(r, i, sizeof *r, nz_strcmp_ptr);
		for (i = 0; i < nz_strset_count(regions); i++)
			fprintf(f, "%s%s", i ? "," : "", r[i]);
		putc('\n', f);
		nz_fclose_out(f, coverage);
		free(r);
	}
	if (stats)
		write_stats(stats, rows, fp);
	sodium_memzero(key, sizeof key);
	nz_strset_free(regions);
	nz_strset_free(s.cells);
	free(s.value);
	free(s.used);
	nz_buf_free(&name);
	return nz_close_stdout();
}
