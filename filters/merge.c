/* merge: the releases of many agencies summed into regional and national
 * cells, each measure with an estimate, bounds on the true sum and a
 * statistical interval. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

static void
usage(void)
{
	printf("Usage: %s [OPTION]... RELEASE...\n"
	    "Sum the protected releases of many agencies, cell by cell, into\n"
	    "merged cells with an estimate and low/high bounds on the true sum.\n"
	    "\n"
	    "Each RELEASE is a folder holding manifest.json, the release CSV\n"
	    "it names (release.file, default release.csv) and intervals.csv,\n"
	    "e.g. out/agency/*/, or the path of such a manifest.json.  The\n"
	    "manifest gives the rules the release was protected under, its\n"
	    "region coverage and the fingerprint of the key it was made with;\n"
	    "intervals.csv, what the release proves of each S: the report of\n"
	    "'audit --manifest RELEASE' (make national writes it).\n"
	    "\n"
	    "  -s, --state DIR     the national state folder: refuse a release\n"
	    "                      of a quarter held there with other figures,\n"
	    "                      and record the quarters taken in, in\n"
	    "                      DIR/received.csv\n"
	    "      --allow-demo-keys  take releases made with the sample agencies'\n"
	    "                      public demo keys (the sample build only)\n"
	    "  -c, --coverage FILE which agencies reported each quarter\n"
	    "      --complete PANEL  who must report a quarter for it to be\n"
	    "                      complete: previous (every agency that reported\n"
	    "                      the quarter before; default) or expected\n"
	    "                      (every agency that has joined)\n"
	    "  -u, --utility FILE  per quarter and measure, how many cells show\n"
	    "                      as numbers, ranges and S, and how wide\n"
	    "      --max-range-share PCT\n"
	    "                      the widest range M_shown still calls a\n"
	    "                      number, in percent of the estimate (default 20)\n"
	    "      --codes DIR     the code lists giving the row order\n"
	    "                      (default: the repository's pipelines/codes)\n"
	    "      --bands FILE    the age bands (default pipelines/age-bands.json)\n"
	    "  -h, --help          show this help and exit\n"
	    "  -V, --version       show the version and exit\n"
	    "\n", nz_prog);
	nz_cols_usage("Output (CSV on stdout): ", NZ_COLS_MERGED);
	printf("one row per period and cell, periods in order, cells in schema\n"
	    "order (each dimension '*' first, then code-list order), whatever\n"
	    "the order of the releases' rows.  agency is '*'; agencies is how\n"
	    "many agencies released the period and serve the cell's region\n"
	    "(their manifest's regions; every agency for region '*').\n"
	    "\n"
	    "AGENCIES ARE NOT ADDITIVE IN PEOPLE: a client of two agencies counts\n"
	    "twice in clients (and a household in households).  A merged count is\n"
	    "a sum of agencies' counts, not a count of distinct people.\n"
	    "\n"
	    "Bounds: M_low and M_high are sums of each agency's bounds on its\n"
	    "true value; the true sum always lies in M_low..M_high.  Under an\n"
	    "agency's rules (threshold t, base b):\n"
	    "  a published value p         person counts max(t, p-(b-1))..p+(b-1),\n"
	    "                              sums max(0, p-(b-1))..p+(b-1)\n"
	    "                              (base 1: exactly p); under a\n"
	    "                              cell-key perturbation of at most D,\n"
	    "                              p-D..p+D, not below 0 (nor 1 when\n"
	    "                              zeros are kept and p is not 0)\n"
	    "  S                           the interval intervals.csv proves for\n"
	    "                              it, within the rules' range for an S\n"
	    "                              (clients, households: 0..t-1, or 1..t-1\n"
	    "                              when the rules publish zeros, if the\n"
	    "                              manifest reports no secondary\n"
	    "                              suppression, else 0..no limit; events,\n"
	    "                              units: 0..no limit)\n"
	    "and a cell never exceeds a published margin it is part of (nor\n"
	    "households its clients).  A cell of a region outside an agency's\n"
	    "coverage is an exact 0 for it.  An empty M_high means no upper\n"
	    "bound.  The estimate M sums each agency's published value, or for\n"
	    "an S (t-1)/2 rounded down in a person count and 0 in a sum, each\n"
	    "first moved into that agency's bounds; so M lies in M_low..M_high.\n"
	    "\n"
	    "M_stat_low..M_stat_high is a statistical interval, not a bound:\n"
	    "random rounding is unbiased, so a sum of n published values rounded\n"
	    "to base 3 has a standard deviation of about 1.15*sqrt(n)\n"
	    "(sqrt((b*b-1)/6) each for base b; under a cell-key perturbation,\n"
	    "the square root of its table's largest row variance, 1.2 for\n"
	    "cellkey.json); it is the published values' sum\n"
	    "+- 1.96 sd, about 95%% sure to hold the true sum, plus the S parts'\n"
	    "bounds, rounded outward, within M_low..M_high and holding M.\n"
	    "\n"
	    "M_shown says how every reader (dashboard, report) shows the figure:\n"
	    "  number  M_low >= 6 and M_high - M_low <= PCT%% of M: the estimate\n"
	    "  S       M_high <= 5: 'fewer than 6', no figure\n"
	    "  range   otherwise: M_low to M_high, never a bare number\n"
	    "so no figure shown as a number may hide a value under 6.\n"
	    "\n"
	    "--coverage and --utility write the tables pipelines/FORMATS.md\n"
	    "describes (\"Coverage\", \"Utility\").\n"
	    "\n"
	    "Errors (exit 1): two releases of one agency and period; releases\n"
	    "of a period whose cells differ other than by coverage, or whose code\n"
	    "lists or age bands differ; a release that does not match its manifest\n"
	    "(agency, periods, coverage, sha256) or is malformed; a release\n"
	    "without intervals.csv, or whose intervals do not match its S cells,\n"
	    "or leave an S fewer than 3 values, or find it inconsistent; a\n"
	    "manifest without key_fingerprint, or with a demo key's (unless\n"
	    "--allow-demo-keys); a quarter that --state holds with other figures.\n"
	    "Exit status: 0 success, 1 data or input error, 2 usage error.\n");
	exit(NZ_EXIT_OK);
}

/* the options that shape the output */
static struct {
	double max_range_share;
	nz_utility *utility;       /* --utility, or NULL */
	const nz_schema_order *order;
} out = {NZ_MAX_RANGE_SHARE, NULL, NULL};

static void
write_header(void)
{
	size_t n;
	const char *const *cols = nz_cols(NZ_COLS_MERGED, &n);

	nz_csv_header(stdout, cols, n);
}

/* ",low,high" of the statistical interval (high empty when unbounded) */
static void
write_stat(FILE *f, int64_t low, int64_t high)
{
	fprintf(f, ",%lld,", (long long)low);
	if (high != NZ_UNBOUNDED)
		fprintf(f, "%lld", (long long)high);
}

/* the c-th cell of order, merged: every agency's part summed; 0 for no
 * agency.  released[k] is the k-th release added to order. */
static size_t
merge_cell(const nz_cellorder *order, nz_release *const *released, size_t n,
	size_t c, nz_bounds sum[NZ_NMEASURES], nz_statsum stat[NZ_NMEASURES])
{
	size_t k, serving = 0;
	const nz_rcell *cell;
	enum nz_part part;
	int m;

	memset(sum, 0, NZ_NMEASURES * sizeof *sum);
	memset(stat, 0, NZ_NMEASURES * sizeof *stat);
	for (k = 0; k < n; k++) {
		/* not in the panel (no outcome cells): adds nothing, and is not
		 * among the agencies serving the cell */
		part = nz_cellorder_part(order, c, k, &cell);
		if (part == NZ_PART_NONE)
			continue;
		for (m = 0; m < NZ_NMEASURES; m++) {
			nz_bounds zero = {0, 0, 0};

			nz_bounds_add(&sum[m], cell ? &cell->m[m] : &zero);
			nz_statsum_add(&stat[m], released[k], cell, m);
		}
		/* a release holds no cell of a region outside its coverage */
		serving += part == NZ_PART_CELL;
	}
	return serving;
}

/* one period: the cells of every release holding it, to f */
static void
merge_period(nz_release **rs, size_t n, const char *period, FILE *f)
{
	nz_cellorder *order = nz_cellorder_new(out.order);
	nz_bounds sum[NZ_NMEASURES];
	nz_statsum stat[NZ_NMEASURES];
	nz_release **released = nz_malloc((n + 1) * sizeof *released);
	const char **dims;
	size_t i, c, ncells, nagencies = 0, serving;
	int64_t low, high;
	int m;

	for (i = 0; i < n; i++)
		if (nz_release_has_period(rs[i], period)) {
			nz_cellorder_add(order, rs[i], period, rs[i]->path);
			released[nagencies++] = rs[i];
		}
	nz_releases_compatible(released, nagencies);
	ncells = nz_cellorder_list(order, &dims);
	for (c = 0; c < ncells; c++) {
		serving = merge_cell(order, released, nagencies, c, sum, stat);
		/* period and codes hold no comma or quote (release.c) */
		fprintf(f, "%s,*,%s", period, dims[c]);
		for (m = 0; m < NZ_NMEASURES; m++) {
			nz_bounds_write(f, &sum[m]);
			fprintf(f, ",%s", nz_shown_names[nz_bounds_shown(
			    &sum[m], out.max_range_share)]);
			nz_statsum_interval(&stat[m], &sum[m], &low, &high);
			write_stat(f, low, high);
			if (out.utility)
				nz_utility_add(out.utility, period, m,
				    strncmp(dims[c], "*,", 2) == 0, &sum[m], low,
				    high);
		}
		fprintf(f, ",%zu\n", serving);
	}
	nz_cellorder_free(order);
	free(released);
}

static void
write_side(const char *path, nz_release **rs, size_t n,
	enum nz_complete rule, nz_utility *u)
{
	FILE *f = nz_fopen_out(path);

	if (u)
		nz_utility_write(u, f);
	else
		nz_coverage_write(f, rs, n, rule);
	nz_fclose_out(f, path);
}

static enum nz_complete
complete_rule(const char *s)
{
	if (strcmp(s, "previous") == 0)
		return NZ_COMPLETE_PREVIOUS;
	if (strcmp(s, "expected") == 0)
		return NZ_COMPLETE_EXPECTED;
	nz_usage_error("invalid value for --complete: %s (expected previous "
	    "or expected)", nz_q(s));
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"state", required_argument, NULL, 's'},
		{"allow-demo-keys", no_argument, NULL, 'D'},
		{"coverage", required_argument, NULL, 'c'},
		{"complete", required_argument, NULL, 'C'},
		{"utility", required_argument, NULL, 'u'},
		{"max-range-share", required_argument, NULL, 'r'},
		{"codes", required_argument, NULL, 'k'},
		{"bands", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	nz_intake intake = {0};
	const char *state_dir = NULL, *coverage = NULL, *utility = NULL;
	char *codes = NULL, *bands = NULL;
	enum nz_complete rule = NZ_COMPLETE_PREVIOUS;
	nz_schema_order *order;
	nz_release **rs;
	nz_strset *period_set;
	nz_memout body;
	const char **periods;
	size_t n, i, nperiods;
	int c;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "s:c:u:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': state_dir = optarg; break;
		case 'D': intake.allow_demo_keys = 1; break;
		case 'c': coverage = nz_side_path("--coverage", optarg); break;
		case 'C': rule = complete_rule(optarg); break;
		case 'u': utility = nz_side_path("--utility", optarg); break;
		case 'r':
			out.max_range_share = nz_opt_percent("--max-range-share",
			    optarg);
			break;
		case 'k': free(codes); codes = nz_strdup(optarg); break;
		case 'b': free(bands); bands = nz_strdup(optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0)
		nz_usage_error("expected at least one RELEASE folder");
	if (!codes)
		codes = nz_pipelines_path("codes");
	if (!bands)
		bands = nz_pipelines_path("age-bands.json");
	order = nz_schema_order_load(codes, bands);
	out.order = order;
	period_set = nz_strset_new();
	rs = nz_releases_load(argv + optind, n, &intake);
	nperiods = nz_releases_periods(rs, n, period_set, &periods);
	if (utility)
		out.utility = nz_utility_new(out.max_range_share);
	/* every cell made and checked before any is written or the state
	 * takes the releases in, so that an error leaves no partial output */
	nz_memout_open(&body);
	for (i = 0; i < nperiods; i++)
		merge_period(rs, n, periods[i], body.f);
	if (state_dir)
		nz_national_take_in(state_dir, rs, n);
	write_header();
	nz_memout_write(&body, stdout);
	if (coverage)
		write_side(coverage, rs, n, rule, NULL);
	if (utility)
		write_side(utility, rs, n, rule, out.utility);
	nz_utility_free(out.utility);
	nz_releases_free(rs, n);
	nz_schema_order_free(order);
	free(periods);
	free(codes);
	free(bands);
	nz_strset_free(period_set);
	return nz_close_stdout();
}
