/* merge: the releases of many agencies summed into regional and national
 * cells, each measure with an estimate and bounds on the true sum. */
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
	    "Each RELEASE is a folder holding manifest.json and the release CSV\n"
	    "it names (release.file, default release.csv), e.g. out/agency/*/,\n"
	    "or the path of such a manifest.json.  The manifest gives the rules\n"
	    "the release was protected under and its region coverage.\n"
	    "\n"
	    "      --max-range-share PCT\n"
	    "                     the widest range M_shown still calls a number,\n"
	    "                     as a percentage of the estimate (default 20)\n"
	    "  -h, --help         show this help and exit\n"
	    "  -V, --version      show the version and exit\n"
	    "\n"
	    "Output (CSV on stdout), one row per period and cell, periods in\n"
	    "order, cells in the releases' own order:\n"
	    "  period,agency,region,age_band,gender,ethnicity,household,income,\n"
	    "  housing,need,service, then for each measure M of clients,\n"
	    "  households, events, units: M,M_low,M_high,M_shown; then agencies\n"
	    "agency is '*'; agencies is how many agencies released the period.\n"
	    "\n"
	    "AGENCIES ARE NOT ADDITIVE IN PEOPLE: a client of two agencies counts\n"
	    "twice in clients (and a household in households).  A merged count is\n"
	    "a sum of agencies' counts, not a count of distinct people.\n"
	    "\n"
	    "Bounds: low and high are sums of each agency's bounds on its true\n"
	    "value; the true sum always lies in low..high.  Under an agency's\n"
	    "rules (threshold t, base b):\n"
	    "  a published value p         person counts max(t, p-(b-1))..p+(b-1),\n"
	    "                              sums max(0, p-(b-1))..p+(b-1)\n"
	    "                              (base 1: exactly p)\n"
	    "  S in clients or households  0..t-1 when the manifest reports no\n"
	    "                              secondary suppression, else 0..no limit\n"
	    "  S in events or units        0..no limit\n"
	    "and a cell never exceeds a published margin it is part of (nor\n"
	    "households its clients), which caps many of those limits.  A cell\n"
	    "of a region outside an agency's coverage is an exact 0 for it.\n"
	    "An empty M_high means no upper bound.  The estimate M sums each\n"
	    "agency's published value, or for an S (t-1)/2 rounded down in a\n"
	    "person count and 0 in a sum, each first moved into that agency's\n"
	    "bounds; so M always lies in M_low..M_high.\n"
	    "\n"
	    "M_shown says how every reader (dashboard, report) shows the figure:\n"
	    "  number  M_low >= 6 and M_high - M_low <= PCT%% of M: the estimate\n"
	    "  S       M_high <= 5: 'fewer than 6', no figure\n"
	    "  range   otherwise: M_low to M_high, never a bare number\n"
	    "so no figure shown as a number may hide a value under 6.\n"
	    "\n"
	    "Errors (exit 1): two releases of one agency and period; releases\n"
	    "of a period whose cells differ other than by coverage, or whose code\n"
	    "lists or age bands differ; a release that does not match its manifest\n"
	    "(agency, periods, coverage, sha256) or is malformed.\n"
	    "Exit status: 0 success, 1 data or input error, 2 usage error.\n",
	    nz_prog);
	exit(NZ_EXIT_OK);
}

static void
write_header(void)
{
	size_t n;
	const char *const *cols = nz_cols(NZ_COLS_MERGED, &n);

	nz_csv_header(stdout, cols, n);
}

/* --max-range-share: how wide a range M_shown still calls a number */
static double max_range_share = NZ_MAX_RANGE_SHARE;

/* one period: the cells of every release holding it; without write, only
 * check them all, so that an error leaves no partial output */
static void
merge_period(nz_release **rs, size_t n, const char *period, int write)
{
	nz_cellorder *order = nz_cellorder_new();
	nz_bounds sum[NZ_NMEASURES], one[NZ_NMEASURES];
	nz_release **released = nz_malloc(n * sizeof *released);
	const char **dims, **seen_in;
	size_t i, c, ncells, nagencies = 0;
	int m;

	for (i = 0; i < n; i++)
		if (nz_release_has_period(rs[i], period)) {
			nz_cellorder_add(order, rs[i], period, rs[i]->path);
			released[nagencies++] = rs[i];
		}
	if (!write)
		nz_releases_compatible(released, nagencies);
	ncells = nz_cellorder_list(order, &dims, &seen_in);
	for (c = 0; c < ncells; c++) {
		memset(sum, 0, sizeof sum);
		for (i = 0; i < nagencies; i++) {
			nz_release_bounds(released[i], period, dims[c],
			    seen_in[c], one);
			for (m = 0; m < NZ_NMEASURES; m++)
				nz_bounds_add(&sum[m], &one[m]);
		}
		if (!write)
			continue;
		/* period and codes hold no comma or quote (release.c) */
		printf("%s,*,%s", period, dims[c]);
		for (m = 0; m < NZ_NMEASURES; m++) {
			nz_bounds_write(stdout, &sum[m]);
			printf(",%s", nz_shown_names[nz_bounds_shown(&sum[m],
			    max_range_share)]);
		}
		printf(",%zu\n", nagencies);
	}
	nz_cellorder_free(order);
	free(released);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"max-range-share", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	nz_release **rs;
	nz_strset *period_set;
	const char **periods;
	size_t n, i, nperiods;
	int c;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			max_range_share = nz_opt_percent("--max-range-share",
			    optarg);
			break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	n = (size_t)(argc - optind);
	if (n == 0)
		nz_usage_error("expected at least one RELEASE folder");
	period_set = nz_strset_new();
	rs = nz_releases_load(argv + optind, n);
	nperiods = nz_releases_periods(rs, n, period_set, &periods);
	for (i = 0; i < nperiods; i++)
		merge_period(rs, n, periods[i], 0);
	write_header();
	for (i = 0; i < nperiods; i++)
		merge_period(rs, n, periods[i], 1);
	nz_releases_free(rs, n);
	free(periods);
	nz_strset_free(period_set);
	return nz_close_stdout();
}
