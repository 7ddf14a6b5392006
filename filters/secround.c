/* secround: NZCCSS's side of a secure round (README, "Secure mode").
 *   secround open  fix the quarter, round number, kind, k, participant
 *                  list (with the pinned keys) and the cell universe;
 *                  write the statement, signed by NZCCSS
 *   secround sum   check every participant's vector and add them mod
 *                  2^32: the masks cancel and the sum is exact */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "secure.h"

static const char *tables = "pipelines/tables.json";
static const char *codes = "pipelines/codes";
static const char *bands = "pipelines/age-bands.json";

static void
usage(void)
{
	printf("Usage: %s open --quarter YYYYQn --round N --kind KIND --k K\n"
	    "         --participants A,B,... --pinned FILE --secret KEYFILE\n"
	    "         [--contributors FILE --indicator FILE] [--state DIR]\n"
	    "  or:  %s sum --round FILE --pinned FILE [--state DIR] VECTOR...\n"
	    "NZCCSS's side of a secure round.\n\n"
	    "open writes the round statement to standard output, signed with\n"
	    "NZCCSS's key (--secret, party %s): the quarter, round number (a\n"
	    "new one for every round: the masks are bound to it), KIND\n"
	    "(indicator: does the agency have the cell; value: its four\n"
	    "measures), K (the contributors a cell needs to enter the value\n"
	    "sum: 3 plus the colluders assumed), the participants with their\n"
	    "pinned keys, and the cell universe (from the table spec and code\n"
	    "lists).  A value round includes the cells whose contributors, in\n"
	    "the indicator round's sum (--contributors), are K or more (but\n"
	    "no band of an outcome domain that has a band of 1 to K-1: the\n"
	    "bands add up to the margin, so the summed ones would give the\n"
	    "others' total), and names that indicator round (--indicator, its statement): every\n"
	    "agency checks the cells against the indicator vectors itself.\n"
	    "With --state, DIR/secure.csv refuses another participant list for\n"
	    "the quarter, a round number used before, and a quarter with\n"
	    "releases held (DIR/received.csv), and records the round.\n\n"
	    "sum checks each VECTOR (signature, quarter, round, list, universe;\n"
	    "one per participant, every participant) and writes the sum:\n"
	    "  indicator: period,<dimensions>,contributors (every cell)\n"
	    "  value:     period,<dimensions>,clients,households,events,units\n"
	    "             (the included cells; internal to NZCCSS, exact)\n"
	    "A sum that breaks the relations between measures (households <=\n"
	    "clients <= events) or counts more contributors than participants\n"
	    "is refused; nothing is written then.\n\n"
	    "  --tables FILE, --codes DIR, --bands FILE  the table spec, code\n"
	    "        lists and age bands (defaults under pipelines/)\n"
	    "  -h, --help     show this help and exit\n"
	    "  -V, --version  show the version and exit\n\n"
	    "Exit status: 0 success, 1 data error or refusal, 2 usage error.\n",
	    nz_prog, nz_prog, NZ_SEC_AGGREGATOR);
	exit(NZ_EXIT_OK);
}

static int
cmp_party(const void *a, const void *b)
{
	return strcmp(((const nz_party *)a)->name, ((const nz_party *)b)->name);
}

static void
set_participants(nz_round *r, const nz_pinned *pinned, const char *list)
{
	char *copy = nz_strdup(list), *save = NULL, *name;
	size_t i;

	nz_hold(copy);
	for (name = strtok_r(copy, ",", &save); name;
	    name = strtok_r(NULL, ",", &save)) {
		const nz_party *p = nz_pinned_find(pinned, name);

		if (!nz_agency_valid(name) || strcmp(name,
		    NZ_SEC_AGGREGATOR) == 0)
			nz_usage_error("--participants: %s is not an agency "
			    "code", nz_q(name));
		if (!p)
			nz_die(NZ_EXIT_DATA, "--participants: %s: key not "
			    "pinned (no line in %s)", nz_q(name), pinned->path);
		r->party = nz_realloc(r->party, (r->nparties + 1) *
		    sizeof *r->party);
		r->party[r->nparties++] = *p;
	}
	qsort(r->party, r->nparties, sizeof *r->party, cmp_party);
	for (i = 1; i < r->nparties; i++)
		if (strcmp(r->party[i - 1].name, r->party[i].name) == 0)
			nz_usage_error("--participants: %s is listed twice",
			    r->party[i].name);
	if (r->nparties < 3)
		nz_usage_error("--participants: at least 3 agencies (two "
		    "could each subtract their own cells from the sum)");
	nz_drop(copy);
	free(copy);
}

/* the value round's cells: those the indicator sum gives K or more,
 * but for the outcome domains with a thin band (nz_universe_include) */
static void
read_contributors(nz_round *r, const nz_universe *u, const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const size_t ncols = 2 + NZ_NDIMS;
	uint32_t *contrib = nz_calloc(u->n + 1, sizeof *contrib);
	nz_buf cell = {0};
	nz_row *row;
	size_t i = 0;
	long n;
	int d;

	nz_hold(contrib);

	while (nz_csv_next_n(csv, &row, ncols) > 0) {
		if (row->line == 1)
			continue;  /* the header */
		if (strcmp(row->field[0], r->quarter) != 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "wrong quarter: "
			    "%s, the round is for %s", nz_q(row->field[0]),
			    r->quarter);
		nz_buf_clear(&cell);
		for (d = 0; d < NZ_NDIMS; d++)
			nz_buf_printf(&cell, "%s%s", d ? "," : "",
			    row->field[1 + d]);
		if (i >= u->n || strcmp(cell.s, nz_strset_key(u->cells, i)) != 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "wrong universe: "
			    "cell %zu is not the universe's", i + 1);
		if (nz_parse_long(row->field[ncols - 1], 0, 1000000, &n) != 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "contributors: "
			    "%s", nz_q(row->field[ncols - 1]));
		contrib[i++] = (uint32_t)n;
	}
	if (i != u->n)
		nz_dieat(NZ_EXIT_DATA, path, 0, "wrong universe: %zu cells, the "
		    "universe has %zu", i, u->n);
	nz_csv_close(csv);
	nz_universe_include(u, contrib, r->k, r->included);
	nz_drop(contrib);
	free(contrib);
	nz_buf_free(&cell);
}

/* the indicator round a value round names: NZCCSS's own, of the
 * quarter and list */
static void
set_indicator(nz_round *r, const nz_pinned *pinned, const char *path)
{
	nz_round *ind = nz_round_load(path, pinned);

	if (ind->kind != NZ_ROUND_INDICATOR || strcmp(ind->quarter,
	    r->quarter) != 0 || strcmp(ind->list_hash, r->list_hash) != 0 ||
	    strcmp(ind->universe, r->universe) != 0)
		nz_die(NZ_EXIT_DATA, "%s: not the indicator round of %s over "
		    "these participants and universe", path, r->quarter);
	memcpy(r->indicator, ind->hash_hex, sizeof r->indicator);
	nz_round_free(ind);
}

static int
cmd_open(const char *quarter, long round, const char *kind, long k,
    const char *list, const char *pinned_path, const char *secret,
    const char *contributors, const char *indicator, const char *state)
{
	nz_pinned *pinned = nz_pinned_load(pinned_path);
	nz_universe *u = nz_universe_load(tables, codes, bands);
	const nz_party *agg = nz_pinned_find(pinned, NZ_SEC_AGGREGATOR);
	nz_round *r = nz_calloc(1, sizeof *r);
	nz_secret s;

	nz_hold(u);
	nz_hold(r);
	snprintf(r->quarter, sizeof r->quarter, "%s", quarter);
	r->round = round;
	r->kind = strcmp(kind, "value") == 0 ? NZ_ROUND_VALUE :
	    NZ_ROUND_INDICATOR;
	r->k = k;
	memcpy(r->universe, u->hash, sizeof r->universe);
	r->ncells = u->n;
	r->included = nz_malloc(u->n + 1);
	memset(r->included, 1, u->n);
	r->path = nz_strdup("<the new round>");
	set_participants(r, pinned, list);
	if (r->kind == NZ_ROUND_VALUE) {
		read_contributors(r, u, contributors);
		nz_round_seal(r);   /* the list hash, to compare */
		set_indicator(r, pinned, indicator);
	}
	nz_round_seal(r);
	nz_secret_load(secret, NZ_SEC_AGGREGATOR, &s);
	if (!agg || memcmp(agg->sign, s.pub.sign, sizeof agg->sign) != 0)
		nz_die(NZ_EXIT_DATA, "%s: not the key pinned for %s in %s",
		    secret, NZ_SEC_AGGREGATOR, pinned_path);
	crypto_sign_detached(r->aggregator_sig, NULL,
	    (const unsigned char *)r->text.s, r->text.len, s.sign_sk);
	nz_secret_wipe(&s);
	if (state)
		nz_secstate_open(state, r);
	nz_round_write(stdout, r);
	nz_drop(u);
	nz_drop(r);
	nz_universe_free(u);
	free(r->path);
	r->path = NULL;
	nz_hold(r);
	nz_round_free(r);
	nz_pinned_free(pinned);
	return nz_close_stdout();
}

static void
write_header(const nz_round *r)
{
	int d;

	fputs("period", stdout);
	for (d = 0; d < NZ_NDIMS; d++)
		printf(",%s", nz_dims[d].name);
	if (r->kind == NZ_ROUND_VALUE)
		for (d = 0; d < NZ_NMEASURES; d++)
			printf(",%s", nz_measure_names[d]);
	else
		fputs(",contributors", stdout);
	putchar('\n');
}

/* the relations every true sum keeps: a dishonest vector (or a wrong
 * one) that breaks them is refused */
static void
check_sum(const nz_round *r, const nz_universe *u, const uint32_t *sum)
{
	size_t i, j = 0, w = nz_round_width(r);

	for (i = 0; i < r->ncells; i++) {
		const uint32_t *v = sum + j;

		if (!r->included[i])
			continue;
		j += w;
		if (r->kind == NZ_ROUND_INDICATOR && v[0] > r->nparties)
			nz_die(NZ_EXIT_DATA, "%s: cell (%s): %" PRIu32 " "
			    "contributors of %zu participants: a vector is "
			    "not made of indicators; refused, nothing "
			    "written", r->path, nz_strset_key(u->cells, i),
			    v[0], r->nparties);
		if (r->kind == NZ_ROUND_VALUE && (v[NZ_HOUSEHOLDS] >
		    v[NZ_CLIENTS] || v[NZ_CLIENTS] > v[NZ_EVENTS] ||
		    v[NZ_UNITS] > INT32_MAX || v[NZ_EVENTS] > INT32_MAX))
			nz_die(NZ_EXIT_DATA, "%s: cell (%s): the sum (%" PRIu32
			    " clients, %" PRIu32 " households, %" PRIu32
			    " events, %" PRIu32 " units) breaks households <= "
			    "clients <= events: a vector is wrong; refused, "
			    "nothing written", r->path,
			    nz_strset_key(u->cells, i), v[NZ_CLIENTS],
			    v[NZ_HOUSEHOLDS], v[NZ_EVENTS], v[NZ_UNITS]);
	}
}

static int
cmd_sum(const char *round_path, const char *pinned_path, const char *state,
    char **vec, int nvec)
{
	nz_pinned *pinned = nz_pinned_load(pinned_path);
	nz_round *r = nz_round_load(round_path, pinned);
	nz_universe *u = nz_universe_load(tables, codes, bands);
	size_t i, j, w = nz_round_width(r);
	uint32_t *sum;
	long missing;
	int m;

	nz_hold(u);
	if (strcmp(u->hash, r->universe) != 0 || u->n != r->ncells)
		nz_die(NZ_EXIT_DATA, "%s: wrong universe: the round's (%.12s, "
		    "%zu cells) is not the one the table spec and code lists "
		    "make here (%.12s, %zu cells)", round_path, r->universe,
		    r->ncells, u->hash, u->n);
	sum = nz_vectors_sum(r, vec, (size_t)nvec, &missing);
	nz_hold(sum);
	if (missing >= 0)
		nz_die(NZ_EXIT_DATA, "%s: no vector from %s: the round "
		    "stops here, nothing is summed (the masks cancel "
		    "only over every participant).  Re-run it with "
		    "the identical list and a new round number, or "
		    "publish %s in the default mode", round_path,
		    r->party[missing].name, r->quarter);
	check_sum(r, u, sum);
	write_header(r);
	for (i = 0, j = 0; i < r->ncells; i++) {
		if (!r->included[i])
			continue;
		printf("%s,%s", r->quarter, nz_strset_key(u->cells, i));
		for (m = 0; m < (int)w; m++)
			printf(",%" PRIu32, sum[j + m]);
		putchar('\n');
		j += w;
	}
	if (state && r->kind == NZ_ROUND_VALUE)
		nz_secstate_summed(state, r);
	nz_drop(u);
	nz_drop(sum);
	nz_universe_free(u);
	free(sum);
	nz_round_free(r);
	nz_pinned_free(pinned);
	return nz_close_stdout();
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"quarter", required_argument, NULL, 'q'},
		{"round", required_argument, NULL, 'r'},
		{"kind", required_argument, NULL, 'K'},
		{"k", required_argument, NULL, 'k'},
		{"participants", required_argument, NULL, 'P'},
		{"pinned", required_argument, NULL, 'p'},
		{"secret", required_argument, NULL, 's'},
		{"contributors", required_argument, NULL, 'c'},
		{"indicator", required_argument, NULL, 'i'},
		{"state", required_argument, NULL, 'S'},
		{"tables", required_argument, NULL, 't'},
		{"codes", required_argument, NULL, 'C'},
		{"bands", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *quarter = NULL, *round = NULL, *kind = NULL, *list = NULL;
	const char *pinned = NULL, *secret = NULL, *contrib = NULL;
	const char *state = NULL, *indicator = NULL, *cmd;
	long k = -1, n = 0;
	int c;

	nz_setprog(argv[0]);
	/* the command first, then its options */
	cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
	if (cmd) {
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'q': quarter = optarg; break;
		case 'r': round = optarg; break;
		case 'K': kind = optarg; break;
		case 'k': k = nz_opt_long("--k", optarg, 3, 1000); break;
		case 'P': list = optarg; break;
		case 'p': pinned = optarg; break;
		case 's': secret = optarg; break;
		case 'c': contrib = optarg; break;
		case 'i': indicator = optarg; break;
		case 'S': state = optarg; break;
		case 't': tables = optarg; break;
		case 'C': codes = optarg; break;
		case 'b': bands = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (!cmd)
		nz_usage_error("expected a command: open or sum");
	if (!pinned)
		nz_usage_error("--pinned FILE is required");
	if (strcmp(cmd, "open") == 0) {
		int y, q;

		if (optind != argc)
			nz_usage_error("open takes no files");
		if (!quarter || nz_period_parse(quarter, &y, &q) != 0)
			nz_usage_error("--quarter YYYYQn is required");
		if (!round)
			nz_usage_error("--round N is required");
		n = nz_opt_long("--round", round, 1, 1000000);
		if (!kind || (strcmp(kind, "indicator") != 0 &&
		    strcmp(kind, "value") != 0))
			nz_usage_error("--kind indicator or value is required");
		if (k < 0)
			nz_usage_error("--k K is required");
		if (!list || !secret)
			nz_usage_error("--participants and --secret are "
			    "required");
		if (!contrib != (strcmp(kind, "value") != 0) ||
		    !indicator != !contrib)
			nz_usage_error("--contributors FILE and --indicator "
			    "FILE go with --kind value, and only with it");
		return cmd_open(quarter, n, kind, k, list, pinned, secret,
		    contrib, indicator, state);
	}
	if (strcmp(cmd, "sum") == 0) {
		if (!round)
			nz_usage_error("--round FILE is required");
		if (optind >= argc)
			nz_usage_error("expected the vectors");
		return cmd_sum(round, pinned, state, argv + optind,
		    argc - optind);
	}
	nz_usage_error("unknown command %s: open or sum", nz_q(cmd));
}
