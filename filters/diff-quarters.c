/* diff-quarters: like-for-like change between quarters, summed over the
 * agencies that released both, with bounds and the policy events between. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

static void
usage(void)
{
	printf("Usage: %s [OPTION]... RELEASE...\n"
	    "Compare every quarter with the one before it (or, with --yoy, the\n"
	    "same quarter a year before) over the matched panel: the agencies\n"
	    "that released both quarters.  An agency that joins or leaves is\n"
	    "named, never counted as growth or decline.\n"
	    "\n"
	    "Each RELEASE is a folder holding manifest.json and the release CSV\n"
	    "it names, as for merge(1), e.g. out/agency/*/; a quarter may come\n"
	    "from one release and its base quarter from another.\n"
	    "\n"
	    "  -y, --yoy          base period: the same quarter a year earlier\n"
	    "                     (default: the previous quarter)\n"
	    "      --yoy-to FILE  also write the changes on a year before (as\n"
	    "                     --yoy would) to FILE, from the same reading of\n"
	    "                     the releases: both comparisons for the price of\n"
	    "                     one (not with --yoy)\n"
	    "  -e, --events FILE  policy events, CSV date,title,url with ISO dates\n"
	    "                     (e.g. pipelines/policy-events.csv)\n"
	    "  -s, --state DIR    the national state folder, as for merge(1)\n"
	    "      --allow-demo-keys  as for merge(1): the sample build only\n"
	    "      --codes DIR    the code lists giving the row order (default:\n"
	    "                     the repository's pipelines/codes)\n"
	    "      --bands FILE   the age bands (default pipelines/age-bands.json)\n"
	    "  -h, --help         show this help and exit\n"
	    "  -V, --version      show the version and exit\n"
	    "\n"
	    "Output (CSV on stdout), one row per period that has its base period\n"
	    "among the releases and per cell of the matched panel, periods in\n"
	    "order, cells in schema order (each dimension '*' first, then\n"
	    "code-list order) whatever the order of the releases' rows:\n"
	    "  period,base_period,agency,region,age_band,gender,ethnicity,\n"
	    "  household,income,housing,need,service,\n"
	    "  then for each measure M of clients, households, events, units:\n"
	    "  M,M_low,M_high                 level in period\n"
	    "  M_base,M_base_low,M_base_high  level in base_period\n"
	    "  M_change,M_change_low,M_change_high\n"
	    "                                 change, period minus base_period\n"
	    "  M_pct                          100 * change / base estimate, one\n"
	    "                                 decimal; empty when that is 0\n"
	    "  M_sig                          1 when change_low..change_high\n"
	    "                                 excludes 0, else 0\n"
	    "  then agencies_matched,agencies_joined,agencies_left,policy_events\n"
	    "agency is '*'.  agencies_matched is how many agencies released both\n"
	    "periods; agencies_joined (released period, not base_period) and\n"
	    "agencies_left (the reverse) are agency codes joined by '|', sorted.\n"
	    "policy_events holds the titles of the policy events dated after the\n"
	    "last day of base_period and on or before the last day of period,\n"
	    "that is in (end of base_period, end of period], in date order (then\n"
	    "file order), joined by '|' ('|' in a title becomes '/'); empty\n"
	    "without --events.\n"
	    "\n"
	    "Levels and bounds are as in merge(1): the sum over the matched\n"
	    "agencies of each one's estimate and bounds.  change_low is\n"
	    "low - base_high, change_high is high - base_low; an empty\n"
	    "M_high, M_base_high, M_change_low or M_change_high is unbounded.\n"
	    "\n"
	    "AGENCIES ARE NOT ADDITIVE IN PEOPLE: a client of two agencies counts\n"
	    "twice in clients (and a household in households).\n"
	    "\n"
	    "Errors (exit 1): as merge(1), for the releases of a period and its\n"
	    "base period together (every release needs its intervals.csv and a\n"
	    "key fingerprint), plus a malformed events file.\n"
	    "Exit status: 0 success, 1 data or input error, 2 usage error.\n",
	    nz_prog);
	exit(NZ_EXIT_OK);
}

/* ---- periods ---- */

static void
period_shift(const char *period, int quarters, char out[NZ_PERIOD_BUF])
{
	long index;

	nz_period_parse_index(period, &index);
	nz_period_name(index - quarters, out);
}

/* the last day of the quarter, as days since 1970-01-01 */
static long
period_end(const char *period)
{
	long index;

	nz_period_parse_index(period, &index);
	return nz_period_last_day(index);
}

/* ---- policy events ---- */

static void
events_between(const nz_event *events, size_t n, const char *base,
	const char *period, nz_buf *out)
{
	long after = period_end(base), upto = period_end(period);
	size_t i;

	nz_buf_clear(out);
	nz_buf_adds(out, "");
	for (i = 0; i < n; i++)
		if (events[i].day > after && events[i].day <= upto) {
			const char *t;
			if (out->len)
				nz_buf_addc(out, '|');
			/* '|' separates the titles */
			for (t = events[i].title; *t; t++)
				nz_buf_addc(out, *t == '|' ? '/' : *t);
		}
}

/* ---- the panel of one period and its base ---- */

typedef struct panel {
	const char *period, *base;
	nz_release **now, **then;  /* per matched agency */
	size_t matched;
	nz_buf joined, left;
} panel;

static nz_release *
release_of(nz_release **rs, size_t n, const char *agency, const char *period)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(rs[i]->agency, agency) == 0 &&
		    nz_release_has_period(rs[i], period))
			return rs[i];
	return NULL;
}

static void
add_code(nz_buf *b, const char *code)
{
	if (b->len)
		nz_buf_addc(b, '|');
	nz_buf_adds(b, code);
}

/* rs is sorted by agency, so the lists come out sorted */
static void
build_panel(nz_release **rs, size_t n, panel *pn)
{
	nz_release *now, *then;
	size_t i;

	pn->matched = 0;
	nz_buf_clear(&pn->joined);
	nz_buf_clear(&pn->left);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(rs[i]->agency, rs[i - 1]->agency) == 0)
			continue;
		now = release_of(rs + i, n - i, rs[i]->agency, pn->period);
		then = release_of(rs + i, n - i, rs[i]->agency, pn->base);
		if (now && then) {
			pn->now[pn->matched] = now;
			pn->then[pn->matched++] = then;
		} else if (now) {
			add_code(&pn->joined, rs[i]->agency);
		} else if (then) {
			add_code(&pn->left, rs[i]->agency);
		}
	}
}

/* ---- output ---- */

static void
write_header(FILE *f)
{
	size_t n;
	const char *const *cols = nz_cols(NZ_COLS_CHANGES, &n);

	nz_csv_header(f, cols, n);
}

/* 100 * change / base to one decimal, half away from zero, no floats */
static void
write_pct(FILE *f, int64_t change, int64_t base)
{
	int64_t num = change * 1000, tenths, rest;

	putc(',', f);
	if (base <= 0)
		return;
	tenths = num / base;
	rest = num % base;
	if (2 * (rest < 0 ? -rest : rest) >= base)
		tenths += num < 0 ? -1 : 1;
	if (tenths < 0) {
		putc('-', f);
		tenths = -tenths;
	}
	fprintf(f, "%" PRId64 ".%" PRId64, tenths / 10, tenths % 10);
}

static void
write_change(FILE *f, const nz_bounds *now, const nz_bounds *then)
{
	int lo_known = then->high != NZ_UNBOUNDED;
	int hi_known = now->high != NZ_UNBOUNDED;
	int64_t lo = lo_known ? now->low - then->high : 0;
	int64_t hi = hi_known ? now->high - then->low : 0;

	fprintf(f, ",%" PRId64 ",", now->est - then->est);
	if (lo_known)
		fprintf(f, "%" PRId64, lo);
	putc(',', f);
	if (hi_known)
		fprintf(f, "%" PRId64, hi);
	write_pct(f, now->est - then->est, then->est);
	fprintf(f, ",%d", (lo_known && lo > 0) || (hi_known && hi < 0));
}

/* the c-th cell of order summed over releases first to first + n - 1 of
 * those added to it */
static void
sum_panel(const nz_cellorder *order, size_t c, size_t first, size_t n,
	nz_bounds sum[NZ_NMEASURES])
{
	const nz_rcell *cell;
	size_t k;
	int m;

	memset(sum, 0, NZ_NMEASURES * sizeof *sum);
	for (k = first; k < first + n; k++)
		if (nz_cellorder_part(order, c, k, &cell) == NZ_PART_CELL)
			for (m = 0; m < NZ_NMEASURES; m++)
				nz_bounds_add(&sum[m], &cell->m[m]);
}

/* the panel's cells, to f */
static const nz_schema_order *schema_order;

static void
write_panel(const panel *pn, const char *events, FILE *f)
{
	nz_cellorder *order = nz_cellorder_new(schema_order);
	nz_bounds now[NZ_NMEASURES], then[NZ_NMEASURES];
	nz_release **both;
	const char **dims;
	nz_buf *labels = nz_calloc(2 * pn->matched, sizeof *labels);
	size_t i, c, ncells;
	int m;

	for (i = 0; i < pn->matched; i++) {
		nz_buf_printf(&labels[i], "%s of %s", pn->period,
		    pn->now[i]->path);
		nz_cellorder_add(order, pn->now[i], pn->period, labels[i].s);
	}
	for (i = 0; i < pn->matched; i++) {
		nz_buf_printf(&labels[pn->matched + i], "%s of %s", pn->base,
		    pn->then[i]->path);
		nz_cellorder_add(order, pn->then[i], pn->base,
		    labels[pn->matched + i].s);
	}
	/* every release of the panel against every other */
	both = nz_malloc(2 * pn->matched * sizeof *both);
	memcpy(both, pn->now, pn->matched * sizeof *both);
	memcpy(both + pn->matched, pn->then, pn->matched * sizeof *both);
	nz_releases_compatible(both, 2 * pn->matched);
	free(both);
	ncells = nz_cellorder_list(order, &dims);
	for (c = 0; c < ncells; c++) {
		sum_panel(order, c, 0, pn->matched, now);
		sum_panel(order, c, pn->matched, pn->matched, then);
		/* period and codes hold no comma or quote (release.c) */
		fprintf(f, "%s,%s,*,%s", pn->period, pn->base, dims[c]);
		for (m = 0; m < NZ_NMEASURES; m++) {
			nz_bounds_write(f, &now[m]);
			nz_bounds_write(f, &then[m]);
			write_change(f, &now[m], &then[m]);
		}
		fprintf(f, ",%zu,%s,%s,", pn->matched, pn->joined.s,
		    pn->left.s);
		nz_csv_field(f, events, strlen(events), 1);
		putc('\n', f);
	}
	nz_cellorder_free(order);
	for (i = 0; i < 2 * pn->matched; i++)
		nz_buf_free(&labels[i]);
	free(labels);
}

/* every period that has its base period among the releases, to f;
 * unmatched[i] set when no agency released both periods[i] and its base */
static void
write_changes(nz_release **rs, size_t n, const char **periods,
	size_t nperiods, const nz_strset *period_set, int back,
	const nz_event *events, size_t nevents, FILE *f,
	unsigned char *unmatched)
{
	panel pn = {0};
	nz_buf titles = {0};
	char base[NZ_PERIOD_BUF];
	size_t i;

	pn.now = nz_malloc(n * sizeof *pn.now);
	pn.then = nz_malloc(n * sizeof *pn.then);
	nz_buf_adds(&pn.joined, "");
	nz_buf_adds(&pn.left, "");
	for (i = 0; i < nperiods; i++) {
		period_shift(periods[i], back, base);
		if (nz_strset_find(period_set, base) < 0)
			continue;
		pn.period = periods[i];
		pn.base = base;
		build_panel(rs, n, &pn);
		if ((unmatched[i] = pn.matched == 0))
			continue;
		events_between(events, nevents, base, periods[i], &titles);
		write_panel(&pn, titles.s, f);
	}
	free(pn.now);
	free(pn.then);
	nz_buf_free(&pn.joined);
	nz_buf_free(&pn.left);
	nz_buf_free(&titles);
}

/* said as the changes are written, once the state has taken them in */
static void
warn_unmatched(const char **periods, size_t nperiods, int back,
	const unsigned char *unmatched)
{
	char base[NZ_PERIOD_BUF];
	size_t i;

	for (i = 0; i < nperiods; i++)
		if (unmatched[i]) {
			period_shift(periods[i], back, base);
			nz_warn("no agency released both %s and %s: no changes "
			    "for %s", base, periods[i], periods[i]);
		}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"yoy", no_argument, NULL, 'y'},
		{"yoy-to", required_argument, NULL, 'Y'},
		{"events", required_argument, NULL, 'e'},
		{"state", required_argument, NULL, 's'},
		{"allow-demo-keys", no_argument, NULL, 'D'},
		{"codes", required_argument, NULL, 'k'},
		{"bands", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *events_path = NULL, *state_dir = NULL, *yoy_path = NULL;
	char *codes = NULL, *bands = NULL;
	nz_intake intake = {0};
	nz_schema_order *order;
	nz_event *events = NULL;
	size_t nevents = 0, n, nperiods;
	nz_strset *period_set;
	nz_release **rs;
	nz_memout body, yoy_body;
	const char **periods;
	unsigned char *unmatched, *yoy_unmatched = NULL;
	FILE *yoy = NULL;
	int c, back = 1;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "ye:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'y': back = 4; break;
		case 'Y': yoy_path = optarg; break;
		case 'e': events_path = optarg; break;
		case 's': state_dir = optarg; break;
		case 'D': intake.allow_demo_keys = 1; break;
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
	if (yoy_path && back == 4)
		nz_usage_error("--yoy-to: the changes on a year before go "
		    "to stdout already (--yoy)");
	if (events_path)
		events = nz_events_load(events_path, &nevents);
	if (!codes)
		codes = nz_pipelines_path("codes");
	if (!bands)
		bands = nz_pipelines_path("age-bands.json");
	order = nz_schema_order_load(codes, bands);
	schema_order = order;
	period_set = nz_strset_new();
	rs = nz_releases_load(argv + optind, n, &intake);
	nperiods = nz_releases_periods(rs, n, period_set, &periods);
	/* every change made and checked before any is written or the state
	 * takes the releases in, so that an error leaves no partial output */
	unmatched = nz_calloc(nperiods + 1, 1);
	nz_memout_open(&body);
	write_changes(rs, n, periods, nperiods, period_set, back, events,
	    nevents, body.f, unmatched);
	if (yoy_path) {
		yoy_unmatched = nz_calloc(nperiods + 1, 1);
		nz_memout_open(&yoy_body);
		write_changes(rs, n, periods, nperiods, period_set, 4, events,
		    nevents, yoy_body.f, yoy_unmatched);
		/* opened (created) before the state takes anything in */
		yoy = nz_fopen_out(yoy_path);
	}
	if (state_dir)
		nz_national_take_in(state_dir, rs, n);
	warn_unmatched(periods, nperiods, back, unmatched);
	write_header(stdout);
	nz_memout_write(&body, stdout);
	if (yoy) {
		warn_unmatched(periods, nperiods, 4, yoy_unmatched);
		write_header(yoy);
		nz_memout_write(&yoy_body, yoy);
		nz_fclose_out(yoy, yoy_path);
		free(yoy_unmatched);
	}
	free(unmatched);
	nz_events_free(events, nevents);
	nz_releases_free(rs, n);
	nz_schema_order_free(order);
	free(codes);
	free(bands);
	free(periods);
	nz_strset_free(period_set);
	return nz_close_stdout();
}
