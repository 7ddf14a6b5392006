/* secvector: an agency's side of a secure round (README, "Secure mode").
 *   secvector ack   sign the round statement: the agency has seen this
 *                   quarter, round, list, keys and universe (and, in a
 *                   value round, checked its cells against the indicator
 *                   round summed here)
 *   secvector send  check NZCCSS's signature and every participant's
 *                   acknowledgement against the agency's own pinned keys,
 *                   then write the masked, signed vector of its internal
 *                   cells of the quarter, in universe order */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "secure.h"

static const char *tables = "pipelines/tables.json";
static const char *codes = "pipelines/codes";
static const char *bands = "pipelines/age-bands.json";

static void
usage(void)
{
	printf("Usage: %s ack --round FILE --pinned FILE --secret KEYFILE "
	    "--party CODE\n"
	    "         [--indicator FILE VECTOR...]\n"
	    "  or:  %s send --round FILE --pinned FILE --secret KEYFILE "
	    "--party CODE\n"
	    "         --cells FILE [--indicator FILE VECTOR...] ACK...\n"
	    "An agency's side of a secure round.\n\n"
	    "Both read the round statement (from NZCCSS) and check it against\n"
	    "the agency's own pinned-keys file: NZCCSS's signature, and every\n"
	    "participant's keys (a key not pinned is refused).\n"
	    "ack writes the agency's signature over the statement.\n"
	    "send checks an acknowledgement from every participant (ACK...),\n"
	    "and that the universe is the one the table spec and code lists\n"
	    "make here, then writes the vector: the agency's internal cells\n"
	    "of the round's quarter (--cells, aggregate's cells.csv) in\n"
	    "universe order, a cell it has not got as 0 (indicator round: 1\n"
	    "where the cell has a count, else 0; value round: clients,\n"
	    "households, events and units of the included cells), each plus\n"
	    "its masks mod 2^32, signed.  No cell key goes into it.\n\n"
	    "A value round is acknowledged or sent only with the indicator\n"
	    "round it names (--indicator, its statement) and every\n"
	    "participant's vector of it (VECTOR..., told from the ACKs by\n"
	    "their first line): their signatures checked against the pinned\n"
	    "keys, one per participant, their sum must give k or more\n"
	    "contributors to exactly the value round's included cells (no\n"
	    "band of an outcome domain with a band of 1 to k-1 among them).\n\n"
	    "  --tables FILE, --codes DIR, --bands FILE  the table spec, code\n"
	    "        lists and age bands (defaults under pipelines/)\n"
	    "  -h, --help     show this help and exit\n"
	    "  -V, --version  show the version and exit\n\n"
	    "Exit status: 0 success, 1 data error or refusal, 2 usage error.\n",
	    nz_prog, nz_prog);
	exit(NZ_EXIT_OK);
}

static void
check_party(const nz_round *r, const nz_secret *s, const char *secret)
{
	long i = nz_round_party(r, s->pub.name);

	if (i < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s is not in the round's participant "
		    "list", r->path, s->pub.name);
	if (memcmp(r->party[i].kx, s->pub.kx, sizeof s->pub.kx) != 0 ||
	    memcmp(r->party[i].sign, s->pub.sign, sizeof s->pub.sign) != 0)
		nz_die(NZ_EXIT_DATA, "%s: the round's keys for %s are not those "
		    "of %s", r->path, s->pub.name, secret);
}

/* the universe cell of a cells.csv row, with outcome code OUTCOME if
 * not NULL */
static long
universe_cell(const nz_universe *u, const nz_row *row, int od,
    const char *outcome, nz_buf *cell)
{
	int d;

	nz_buf_clear(cell);
	for (d = 0; d < NZ_NDIMS; d++)
		nz_buf_printf(cell, "%s%s", d ? "," : "", d == od && outcome ?
		    outcome : row->field[NZ_COL_DIMS + d]);
	return nz_strset_find(u->cells, cell->s);
}

/* The outcome codes "DOMAIN:not_assessed" of the code list. */
static char **
not_assessed_codes(size_t *n, nz_codes **list)
{
	static const char band[] = ":not_assessed";
	char **na;
	size_t i, len;

	*list = nz_codes_load(codes, "outcome");
	na = nz_calloc((*list)->n + 1, sizeof *na);
	for (*n = 0, i = 0; i < (*list)->n; i++) {
		len = strlen((*list)->code[i]);
		if (len > sizeof band - 1 && strcmp((*list)->code[i] + len -
		    (sizeof band - 1), band) == 0)
			na[(*n)++] = (*list)->code[i];
	}
	return na;
}

/* The cells of the quarter into the vector, in universe order.
 * An agency that records no assessments has no outcome cells, only the
 * margin '*'; in the sum it would add clients to every domain's margin
 * and to none of its bands, and the sum's bands would no longer add up
 * to their margin (a relation suppress and audit hold).  So here its
 * clients, events and units of each outcome margin go, as they are, to
 * the domains' not_assessed bands: seen in the quarter, not assessed. */
static uint32_t *
read_cells(const char *path, const nz_round *r, const nz_universe *u,
    const char *party)
{
	size_t ncols, w = nz_round_width(r), i, j, nna, k;
	const char *const *cols = nz_cols(NZ_COLS_CELLS, &ncols);
	uint64_t *raw = nz_calloc(u->n * NZ_NMEASURES + 1, sizeof *raw);
	uint64_t *na = nz_calloc(u->n * NZ_NMEASURES + 1, sizeof *na);
	uint32_t *vec = nz_calloc(nz_round_values(r) + 1, sizeof *vec);
	unsigned char *seen = nz_calloc(u->n + 1, 1);
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	nz_codes *outcomes;
	char **na_code = not_assessed_codes(&nna, &outcomes);
	nz_buf cell = {0};
	nz_row *row;
	uint64_t v;
	long at, to;
	int m, od = nz_dim_index("outcome"), banded = 0;

	nz_hold(raw);
	nz_hold(na);
	nz_hold(na_code);
	nz_hold(seen);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) > 0) {
		if (strcmp(row->field[NZ_COL_PERIOD], r->quarter) != 0)
			continue;
		if (strcmp(row->field[NZ_COL_AGENCY], party) != 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "agency %s: "
			    "these are not %s's cells", nz_q(row->field[1]),
			    party);
		if (strcmp(row->field[NZ_COL_DIMS + od], "*") != 0)
			banded = 1;
		else
			for (k = 0; k < nna; k++) {
				to = universe_cell(u, row, od, na_code[k], &cell);
				for (m = 0; to >= 0 && m < NZ_NMEASURES; m++)
					if (nz_parse_u64(row->field[
					    NZ_COL_MEASURES + m], &v) == 0)
						na[(size_t)to * NZ_NMEASURES +
						    m] = v;
			}
		at = universe_cell(u, row, od, NULL, &cell);
		if (at < 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "a cell not in "
			    "the universe (%s): the cells were made with "
			    "another table spec or code lists", nz_q(cell.s));
		if (seen[at]++)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "the cell %s "
			    "twice", nz_q(cell.s));
		for (m = 0; m < NZ_NMEASURES; m++) {
			const char *f = row->field[NZ_COL_MEASURES + m];
			uint64_t v = 0;

			if (*f && (nz_parse_u64(f, &v) != 0 || v > INT32_MAX))
				nz_dieat(NZ_EXIT_DATA, path, row->line, "%s: "
				    "expected a count, found %s",
				    nz_measure_names[m], nz_q(f));
			raw[(size_t)at * NZ_NMEASURES + m] = v;
		}
	}
	nz_csv_close(csv);
	for (i = 0; !banded && i < u->n * NZ_NMEASURES; i++)
		raw[i] += na[i];   /* the not_assessed cells, 0 in raw */
	for (i = 0, j = 0; i < u->n; i++) {
		const uint64_t *c = raw + i * NZ_NMEASURES;

		if (!r->included[i])
			continue;
		if (w == 1)
			vec[j] = c[0] || c[1] || c[2] || c[3];
		else
			for (m = 0; m < NZ_NMEASURES; m++)
				vec[j + m] = (uint32_t)c[m];
		j += w;
	}
	nz_drop(raw);
	nz_drop(na);
	nz_drop(seen);
	free(raw);
	free(na);
	free(seen);
	nz_drop(na_code);
	free(na_code);
	nz_codes_free(outcomes);
	nz_buf_free(&cell);
	return vec;
}

/* split the files into acknowledgements and indicator vectors, by their
 * first line; returns the number of vectors, moved to the front */
static size_t
split_files(char **file, size_t n, size_t *nacks)
{
	size_t i, nvec = 0;

	for (i = 0; i < n; i++) {
		FILE *f = fopen(file[i], "r");
		char head[8] = "";

		if (!f)
			nz_die(NZ_EXIT_DATA, "%s: %s", file[i], strerror(errno));
		if (!fgets(head, sizeof head, f) && ferror(f))
			nz_die(NZ_EXIT_DATA, "%s: %s", file[i], strerror(errno));
		fclose(f);
		if (strncmp(head, "ack ", 4) != 0) {
			char *t = file[nvec];

			file[nvec++] = file[i];
			file[i] = t;
		}
	}
	*nacks = n - nvec;
	return nvec;
}

/* a value round: its cells checked against the indicator round, which
 * needs every vector of it; any other round: no such files */
static void
check_cells(const nz_round *r, const nz_universe *u, const char *indicator,
    const nz_pinned *pinned, char **vec, size_t nvec)
{
	if (r->kind == NZ_ROUND_VALUE && !indicator)
		nz_usage_error("%s is a value round: --indicator FILE and the "
		    "indicator round's vectors are required", r->path);
	if (r->kind != NZ_ROUND_VALUE && (indicator || nvec))
		nz_usage_error("%s is an indicator round: no --indicator, no "
		    "vectors", r->path);
	if (indicator)
		nz_value_check(r, u, indicator, pinned, vec, nvec);
}

static int
cmd_send(nz_round *r, const nz_universe *u, const nz_secret *s,
    const char *cells, char **acks, int nacks)
{
	unsigned char *acked = nz_calloc(r->nparties + 1, 1);
	uint32_t *vec;
	size_t i;
	int a;

	nz_hold(acked);
	if (strcmp(u->hash, r->universe) != 0 || u->n != r->ncells)
		nz_die(NZ_EXIT_DATA, "%s: wrong universe: the round's (%.12s, "
		    "%zu cells) is not the one the table spec and code lists "
		    "make here (%.12s, %zu cells): not sending", r->path,
		    r->universe, r->ncells, u->hash, u->n);
	for (a = 0; a < nacks; a++)
		acked[nz_ack_check(acks[a], r)] = 1;
	for (i = 0; i < r->nparties; i++)
		if (!acked[i])
			nz_die(NZ_EXIT_DATA, "%s: no acknowledgement from %s: "
			    "not sending (every participant must have signed "
			    "the same statement)", r->path, r->party[i].name);
	vec = read_cells(cells, r, u, s->pub.name);
	nz_hold(vec);
	nz_mask_add(r, s, vec, nz_round_values(r));
	nz_vector_write(stdout, r, s, vec);
	nz_drop(vec);
	nz_drop(acked);
	sodium_memzero(vec, nz_round_values(r) * sizeof *vec);
	free(vec);
	free(acked);
	return nz_close_stdout();
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"round", required_argument, NULL, 'r'},
		{"pinned", required_argument, NULL, 'p'},
		{"secret", required_argument, NULL, 's'},
		{"party", required_argument, NULL, 'P'},
		{"cells", required_argument, NULL, 'c'},
		{"indicator", required_argument, NULL, 'i'},
		{"tables", required_argument, NULL, 't'},
		{"codes", required_argument, NULL, 'C'},
		{"bands", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *round = NULL, *pinned_path = NULL, *secret = NULL;
	const char *party = NULL, *cells = NULL, *indicator = NULL, *cmd;
	nz_pinned *pinned;
	nz_round *r;
	nz_universe *u = NULL;
	nz_secret s;
	size_t nvec, nacks;
	int c, rc;

	nz_setprog(argv[0]);
	cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	if (cmd) {
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': round = optarg; break;
		case 'p': pinned_path = optarg; break;
		case 's': secret = optarg; break;
		case 'P': party = optarg; break;
		case 'c': cells = optarg; break;
		case 'i': indicator = optarg; break;
		case 't': tables = optarg; break;
		case 'C': codes = optarg; break;
		case 'b': bands = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (!cmd || (strcmp(cmd, "ack") != 0 && strcmp(cmd, "send") != 0))
		nz_usage_error("expected a command: ack or send");
	if (!round || !pinned_path || !secret || !party)
		nz_usage_error("--round, --pinned, --secret and --party are "
		    "required");
	nvec = split_files(argv + optind, (size_t)(argc - optind), &nacks);
	if (strcmp(cmd, "ack") == 0 && nacks)
		nz_usage_error("ack takes no acknowledgements");
	if (strcmp(cmd, "send") == 0 && (!cells || !nacks))
		nz_usage_error("send needs --cells FILE and the "
		    "acknowledgements");
	pinned = nz_pinned_load(pinned_path);
	r = nz_round_load(round, pinned);
	nz_secret_load(secret, party, &s);
	check_party(r, &s, secret);
	/* the universe, made once from the agency's own table spec and code
	 * lists: for the value round's check and for the vector */
	if (indicator || strcmp(cmd, "send") == 0) {
		u = nz_universe_load(tables, codes, bands);
		nz_hold(u);
	}
	check_cells(r, u, indicator, pinned, argv + optind, nvec);
	if (strcmp(cmd, "ack") == 0) {
		nz_ack_write(stdout, r, &s);
		rc = nz_close_stdout();
	} else
		rc = cmd_send(r, u, &s, cells, argv + optind + nvec,
		    (int)nacks);
	nz_drop(u);
	nz_universe_free(u);
	nz_secret_wipe(&s);
	nz_round_free(r);
	nz_pinned_free(pinned);
	return rc;
}
