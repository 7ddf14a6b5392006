/* release.c: agency releases as NZCCSS receives them (merge, diff-quarters).
 *
 * A release is a folder holding manifest.json and the release CSV it names.
 * Loading one checks it against its manifest and turns every published or
 * suppressed measure into bounds on the true value behind it (DESIGN §5):
 *   published p:  the range the rules say p may stand for (value_range);
 *   S:            the rules' range for an S (a primary S of a person
 *                 measure is under the threshold; an S that may be
 *                 secondary, or of a sum, may hide anything), cut to the
 *                 interval the release itself proves for it: intervals.csv
 *                 beside the manifest, the public audit (intervals.c).
 * A cell never exceeds a margin it is part of, so each upper bound is then
 * cut to its margins' and each lower bound raised to its children's
 * (clients, events, units; households only against the cell's own clients,
 * as a client's modal household may differ between a cell and its margin).
 * Every relation used here is one the audit's model holds too, so what the
 * audit found consistent never fails here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nz.h"

#define COL_PERIOD NZ_COL_PERIOD
#define COL_AGENCY NZ_COL_AGENCY
#define COL_DIMS NZ_COL_DIMS
#define COL_MEASURES NZ_COL_MEASURES
#define MEASURE_MAX 1000000000000L /* 10^12: sums of many never overflow */

/* ---- bounds ---- */

void
nz_bounds_write(FILE *f, const nz_bounds *b)
{
	fprintf(f, ",%" PRId64 ",%" PRId64 ",", b->est, b->low);
	if (b->high != NZ_UNBOUNDED)
		fprintf(f, "%" PRId64, b->high);
}

/* The rule every reader of the national figures follows (FORMATS.md,
 * "Merged cells"): a figure is a number only when what it counts is at
 * least NZ_SHOWN_MIN for certain and its range is narrow; S only when
 * what it counts is under NZ_SHOWN_MIN for certain; otherwise a range. */
const char *const nz_shown_names[3] = {"number", "range", "S"};

enum nz_shown
nz_shown(int64_t count_low, int64_t count_high, double low, double high,
	double est, double max_share)
{
	if (count_high != NZ_UNBOUNDED && count_high < NZ_SHOWN_MIN)
		return NZ_SHOWN_S;
	if (count_low >= NZ_SHOWN_MIN && count_high != NZ_UNBOUNDED &&
	    (high - low) * 100.0 <= max_share * est)
		return NZ_SHOWN_NUMBER;
	return NZ_SHOWN_RANGE;
}

enum nz_shown
nz_bounds_shown(const nz_bounds *b, double max_share)
{
	return nz_shown(b->low, b->high, (double)b->low, (double)b->high,
	    (double)b->est, max_share);
}

void
nz_bounds_add(nz_bounds *acc, const nz_bounds *b)
{
	acc->est += b->est;
	acc->low += b->low;
	if (acc->high != NZ_UNBOUNDED)
		acc->high = b->high == NZ_UNBOUNDED ? NZ_UNBOUNDED :
		    acc->high + b->high;
}

/* ---- the manifest ---- */

int
nz_agency_valid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return s[n] == '\0' && n >= 2 && n <= NZ_AGENCY_MAX;
}

static _Noreturn void
manifest_error(const nz_release *r, const char *key, const char *msg)
{
	nz_dieat(NZ_EXIT_DATA, r->manifest_path,
	    nz_json_key_line(r->manifest_path, key, 1), "\"%s\": %s", key, msg);
}

static void
read_rules(nz_release *r)
{
	json_t *rules = json_object_get(r->manifest, "rules"), *v;

	if (!json_is_object(rules))
		manifest_error(r, "rules", "missing, or not an object");
	nz_rules_parse(r->manifest_path, rules, &r->rules);
	/* secondary suppressions may hide counts above the threshold */
	r->secondary = -1;
	v = json_object_get(r->manifest, "suppression");
	if (json_is_object(v) && json_is_integer(json_object_get(v, "secondary")))
		r->secondary = (int)(json_integer_value(json_object_get(v,
		    "secondary")) > 0);
}

static void
read_coverage(nz_release *r)
{
	json_t *regions = json_object_get(r->manifest, "regions"), *v;
	size_t i;

	if (!regions)
		return; /* every region */
	if (!json_is_array(regions))
		manifest_error(r, "regions", "must be an array of region codes");
	r->regions = nz_strset_new();
	json_array_foreach(regions, i, v) {
		if (!json_is_string(v) || !*json_string_value(v))
			manifest_error(r, "regions", "must be an array of "
			    "region codes");
		nz_strset_add(r->regions, json_string_value(v), NULL);
	}
}

static void
verify_release_file(nz_release *r)
{
	json_t *rel = json_object_get(r->manifest, "release");
	const char *want;
	char got[65];

	if (!rel || !json_is_string(json_object_get(rel, "sha256")))
		return;
	want = json_string_value(json_object_get(rel, "sha256"));
	if (nz_sha256_file(r->path, got) < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", r->path, strerror(errno));
	if (strcmp(want, got) != 0)
		nz_dieat(NZ_EXIT_DATA, r->path, 0, "sha256 %s differs from %s "
		    "in %s: the release is not the one its manifest describes",
		    nz_qn(got, 12), nz_qn(want, 12), r->manifest_path);
}

/* arg: a folder holding manifest.json, or the manifest itself */
static void
find_files(nz_release *r, const char *arg)
{
	struct stat st;
	nz_buf b = {0};
	json_t *rel;
	const char *file = "release.csv", *slash;

	if (stat(arg, &st) != 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", arg, strerror(errno));
	if (!S_ISDIR(st.st_mode) && (strlen(arg) < 5 ||
	    strcmp(arg + strlen(arg) - 5, ".json") != 0))
		nz_die(NZ_EXIT_DATA, "%s: expected a release folder or its "
		    "manifest.json", arg);
	if (S_ISDIR(st.st_mode)) {
		nz_buf_adds(&b, arg);
		while (b.len > 1 && b.s[b.len - 1] == '/')
			b.s[--b.len] = '\0';
		nz_buf_adds(&b, "/manifest.json");
		r->manifest_path = b.s;
	} else {
		r->manifest_path = nz_strdup(arg);
	}
	r->manifest = nz_json_load(r->manifest_path);
	rel = json_object_get(r->manifest, "release");
	if (rel && json_object_get(rel, "file"))
		file = nz_json_str(r->manifest_path, rel, "file", NULL);
	if (!*file || strchr(file, '/'))
		manifest_error(r, "file", "must name a file beside the manifest");
	slash = strrchr(r->manifest_path, '/');
	b = (nz_buf){0};
	nz_buf_adds(&b, "");
	if (slash)
		nz_buf_add(&b, r->manifest_path,
		    (size_t)(slash - r->manifest_path) + 1);
	r->dir = nz_strdup(b.s);
	nz_buf_adds(&b, file);
	r->path = b.s;
}

/* ---- the release CSV ---- */

static void
check_dims(nz_release *r, const nz_row *row)
{
	size_t i, k;

	for (i = COL_DIMS; i < COL_MEASURES; i++) {
		const char *s = row->field[i];
		int bad = row->len[i] == 0;

		if (!(s[0] == '*' && s[1] == '\0'))
			r->dims_released |= 1u << (i - COL_DIMS);

		for (k = 0; k < row->len[i]; k++)
			if (s[k] == ',' || s[k] == '"' || s[k] == '|' ||
			    (unsigned char)s[k] < 0x20 || s[k] == 0x7F)
				bad = 1;
		if (bad)
			nz_dieat(NZ_EXIT_DATA, r->path, row->line, "%s: invalid "
			    "code %s", nz_dims[i - COL_DIMS].name, nz_q(s));
	}
	if (strcmp(row->field[COL_DIMS], "*") != 0 && r->regions &&
	    nz_strset_find(r->regions, row->field[COL_DIMS]) < 0)
		nz_dieat(NZ_EXIT_DATA, r->path, row->line, "region %s is "
		    "outside the coverage in %s", nz_q(row->field[COL_DIMS]),
		    r->manifest_path);
}

/* What a published value p, or an S, may hide under the rules
 * (CONTRACTS.md, "Ranges of a published value or an S"): -1 when p
 * cannot be published at all.  possibly_secondary: the manifest records
 * secondary suppressions (or says nothing), so an S may hide any value.
 * A published value's range is the rules module's (rules.c), rounded or
 * perturbed. */
static int
value_range(const nz_rules *rules, int m, int suppressed, long p,
    int possibly_secondary, int64_t *low, int64_t *high)
{
	int person = rules->kind[m] == NZ_RULE_PERSON;

	if (suppressed) {
		if (rules->perturb.max && !possibly_secondary)
			return -1;   /* a perturbation hides no value */
		*low = person && !possibly_secondary && !rules->suppress_zero;
		*high = person && !possibly_secondary ? rules->threshold - 1 :
		    NZ_UNBOUNDED;
		return *low <= *high ? 0 : -1;
	}
	return nz_rules_published_range(rules, m, p, low, high) ==
	    NZ_RANGE_OK ? 0 : -1;
}

static void
published_bounds(const nz_release *r, int m, long p, long line, nz_bounds *b)
{
	if (p % r->rules.base != 0)
		nz_dieat(NZ_EXIT_DATA, r->path, line, "%s: %ld is not a "
		    "multiple of base %ld (rules %s)", nz_measure_names[m], p,
		    r->rules.base, nz_q(r->rules.name));
	if (value_range(&r->rules, m, 0, p, 0, &b->low, &b->high) < 0)
		nz_dieat(NZ_EXIT_DATA, r->path, line, "%s: %ld cannot be "
		    "published under rules %s (threshold %ld, base %ld)",
		    nz_measure_names[m], p, nz_q(r->rules.name),
		    r->rules.threshold, r->rules.base);
	b->est = p;
}

static void
suppressed_bounds(const nz_release *r, int m, long line, nz_bounds *b)
{
	if (value_range(&r->rules, m, 1, 0, r->secondary != 0, &b->low,
	    &b->high) < 0)
		nz_dieat(NZ_EXIT_DATA, r->path, line, "%s: 'S' but rules "
		    "%s suppress nothing and %s lists no secondary "
		    "suppression", nz_measure_names[m],
		    nz_q(r->rules.name), r->manifest_path);
	b->est = 0;
}

static void
read_measures(const nz_release *r, const nz_row *row, nz_rcell *cell)
{
	long v;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++) {
		const char *s = row->field[COL_MEASURES + m];

		if (strcmp(s, "S") == 0) {
			cell->suppressed |= 1u << m;
			cell->value[m] = -1;
			suppressed_bounds(r, m, row->line, &cell->m[m]);
		} else if (nz_parse_long(s, 0, MEASURE_MAX, &v) == 0) {
			cell->value[m] = v;
			published_bounds(r, m, v, row->line, &cell->m[m]);
		} else {
			nz_dieat(NZ_EXIT_DATA, r->path, row->line, "%s: expected "
			    "a count or 'S', found %s", nz_measure_names[m],
			    nz_q(s));
		}
	}
}

static const char *
intern_period(nz_release *r, nz_strset *periods, const nz_row *row)
{
	int y, q, added;
	size_t i;

	if (nz_period_parse(row->field[COL_PERIOD], &y, &q) < 0)
		nz_dieat(NZ_EXIT_DATA, r->path, row->line, "period: expected "
		    "YYYYQn, found %s", nz_q(row->field[COL_PERIOD]));
	i = nz_strset_add(periods, row->field[COL_PERIOD], &added);
	return nz_strset_key(periods, i);
}

void
nz_release_row_key(nz_buf *key, const nz_row *row)
{
	const char *dims = row->field[COL_DIMS];
	size_t period = strlen(row->field[COL_PERIOD]), n, i;
	char *p;

	/* the dims are one span, fields apart by a NUL each (nz_row) */
	n = (size_t)(row->field[COL_MEASURES - 1] +
	    row->len[COL_MEASURES - 1] - dims);
	nz_grow(&key->s, &key->cap, period + 1 + n + 1, 1);
	p = key->s;
	memcpy(p, row->field[COL_PERIOD], period);
	p += period;
	*p++ = ',';
	for (i = 0; i < n; i++)   /* a field holds no NUL (csvread.c) */
		p[i] = dims[i] ? dims[i] : ',';
	p[n] = '\0';
	key->len = period + 1 + n;
}

static void
read_cells(nz_release *r, nz_strset *periods)
{
	nz_csv *csv = nz_csv_open(r->path, NZ_CSV_CANONICAL);
	nz_buf key = {0};
	size_t ncols, cap = 0;
	const char *const *cols = nz_cols(NZ_COLS_RELEASE, &ncols);
	nz_row *row;
	nz_rcell *cell;
	int added;

	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		if (strcmp(row->field[COL_AGENCY], r->agency) != 0)
			nz_dieat(NZ_EXIT_DATA, r->path, row->line, "agency %s "
			    "in a release of %s (%s)",
			    nz_q(row->field[COL_AGENCY]), nz_q(r->agency),
			    r->manifest_path);
		check_dims(r, row);
		nz_grow(&r->cells, &cap, r->ncells + 1, sizeof *r->cells);
		cell = memset(&r->cells[r->ncells], 0, sizeof *cell);
		cell->period = intern_period(r, periods, row);
		cell->line = row->line;
		nz_release_row_key(&key, row);
		nz_strset_addn(r->index, key.s, key.len, &added);
		if (!added)
			nz_dieat(NZ_EXIT_DATA, r->path, row->line, "duplicate "
			    "cell (first on line %ld)", r->cells[nz_strset_find(
			    r->index, key.s)].line);
		cell->dims = nz_strset_key(r->index, r->ncells) +
		    strlen(cell->period) + 1;
		read_measures(r, row, cell);
		r->ncells++;
	}
	nz_csv_close(csv);
	nz_buf_free(&key);
	if (r->ncells == 0)
		nz_dieat(NZ_EXIT_DATA, r->path, 0, "the release holds no cells");
}

/* the periods the release holds, sorted, must be those of the manifest */
static void
check_periods(nz_release *r, nz_strset *periods)
{
	json_t *listed = json_object_get(r->manifest, "periods"), *v;
	size_t i;

	r->nperiods = nz_strset_count(periods);
	r->periods = nz_malloc(r->nperiods * sizeof *r->periods);
	for (i = 0; i < r->nperiods; i++)
		r->periods[i] = nz_strset_key(periods, i);
	qsort(r->periods, r->nperiods, sizeof *r->periods, nz_strcmp_ptr);
	if (!listed)
		return;
	if (!json_is_array(listed))
		manifest_error(r, "periods", "must be an array of periods");
	json_array_foreach(listed, i, v)
		if (!json_is_string(v) ||
		    nz_strset_find(periods, json_string_value(v)) < 0)
			nz_dieat(NZ_EXIT_DATA, r->path, 0, "holds no cell of "
			    "period %s listed in %s", nz_q(json_is_string(v) ?
			    json_string_value(v) : "?"), r->manifest_path);
	if (json_array_size(listed) != r->nperiods)
		nz_dieat(NZ_EXIT_DATA, r->path, 0, "holds periods that %s "
		    "does not list", r->manifest_path);
}

/* each period's cells, in file order: one pass, as readers take a
 * period's cells many times (cellorder.c) */
static void
group_by_period(nz_release *r)
{
	size_t *start = nz_calloc(r->nperiods + 1, sizeof *start), i, p;
	size_t *next = nz_malloc((r->nperiods + 1) * sizeof *next);
	size_t *of = nz_malloc((r->ncells + 1) * sizeof *of);

	for (i = 0; i < r->ncells; i++) {
		/* a cell's period is the release's own copy: by address */
		for (p = 0; r->periods[p] != r->cells[i].period; p++)
			;
		of[i] = p;
		start[p + 1]++;
	}
	for (p = 1; p <= r->nperiods; p++)
		start[p] += start[p - 1];
	memcpy(next, start, (r->nperiods + 1) * sizeof *next);
	r->period_cells = nz_malloc((r->ncells + 1) * sizeof *r->period_cells);
	for (i = 0; i < r->ncells; i++)
		r->period_cells[next[of[i]]++] = i;
	r->period_start = start;
	free(next);
	free(of);
}

size_t
nz_release_period_cells(const nz_release *r, const char *period,
	const size_t **cells)
{
	size_t p;

	for (p = 0; p < r->nperiods; p++)
		if (strcmp(r->periods[p], period) == 0) {
			*cells = r->period_cells + r->period_start[p];
			return r->period_start[p + 1] - r->period_start[p];
		}
	*cells = NULL;
	return 0;
}

/* ---- margins bound their cells ---- */

/* Each cell's margins, found once: the cells with one of its codes
 * replaced by '*', in dimension order.  Cell i's are up[start[i]] to
 * up[start[i + 1]]; depth[i] is how many of its codes are not '*'. */
typedef struct margins {
	size_t *start;
	nz_rcell **up;
	int *depth;
} margins;

/* the margins of cell i, whose key (period,dims) is key */
static void
find_margins(nz_release *r, size_t i, margins *mg, size_t *cap, nz_buf *buf)
{
	const char *key = nz_strset_key(r->index, i), *p;
	size_t len = nz_strset_len(r->index, i), at, end;
	long up;

	mg->depth[i] = 0;
	p = strchr(key, ',') + 1;   /* past the period */
	for (;;) {
		at = (size_t)(p - key);
		for (end = at; end < len && key[end] != ','; end++)
			;   /* codes are short: no strcspn call each */
		if (!(end - at == 1 && *p == '*')) {
			mg->depth[i]++;
			nz_buf_clear(buf);   /* period,dims with this one '*' */
			nz_buf_add(buf, key, at);
			nz_buf_addc(buf, '*');
			nz_buf_add(buf, key + end, len - end);
			if ((up = nz_strset_findn(r->index, buf->s,
			    buf->len)) >= 0) {
				nz_grow(&mg->up, cap, mg->start[i + 1] + 1,
				    sizeof *mg->up);
				mg->up[mg->start[i + 1]++] = &r->cells[up];
			}
		}
		if (end == len)
			return;
		p = key + end + 1;
	}
}

static void
margins_find(nz_release *r, margins *mg)
{
	nz_buf buf = {0};
	size_t i, cap = 0;

	mg->start = nz_malloc((r->ncells + 1) * sizeof *mg->start);
	mg->depth = nz_malloc((r->ncells + 1) * sizeof *mg->depth);
	mg->up = NULL;
	mg->start[0] = 0;
	for (i = 0; i < r->ncells; i++) {
		mg->start[i + 1] = mg->start[i];
		find_margins(r, i, mg, &cap, &buf);
	}
	nz_buf_free(&buf);
}

static void
margins_free(margins *mg)
{
	free(mg->start);
	free(mg->up);
	free(mg->depth);
}

/* measures never larger in a cell than in its margins; not households, as
 * a client's household may differ between the two (households <= clients
 * is used instead) */
static const int monotone[NZ_NMEASURES] = {1, 0, 1, 1};

static void
cut_to_margins(nz_release *r, const margins *mg, const size_t *order)
{
	nz_rcell *c, *up;
	size_t i, k;
	int m;

	for (i = 0; i < r->ncells; i++) { /* margins first */
		c = &r->cells[order[i]];
		for (k = mg->start[order[i]]; k < mg->start[order[i] + 1]; k++) {
			up = mg->up[k];
			for (m = 0; m < NZ_NMEASURES; m++) {
				if (!monotone[m] || up->m[m].high >= c->m[m].high)
					continue;
				if (c->m[m].low > up->m[m].high)
					nz_dieat(NZ_EXIT_DATA, r->path, c->line,
					    "%s: at least %lld, more than its "
					    "margin on line %ld allows (%lld)",
					    nz_measure_names[m],
					    (long long)c->m[m].low, up->line,
					    (long long)up->m[m].high);
				c->m[m].high = up->m[m].high;
			}
		}
		if (c->m[NZ_CLIENTS].high < c->m[NZ_HOUSEHOLDS].high) {
			if (c->m[NZ_HOUSEHOLDS].low > c->m[NZ_CLIENTS].high)
				nz_dieat(NZ_EXIT_DATA, r->path, c->line, "more "
				    "households than clients");
			c->m[NZ_HOUSEHOLDS].high = c->m[NZ_CLIENTS].high;
		}
	}
	for (i = r->ncells; i-- > 0;) { /* children first */
		c = &r->cells[order[i]];
		if (c->m[NZ_CLIENTS].low < c->m[NZ_HOUSEHOLDS].low)
			c->m[NZ_CLIENTS].low = c->m[NZ_HOUSEHOLDS].low;
		for (k = mg->start[order[i]]; k < mg->start[order[i] + 1]; k++) {
			up = mg->up[k];
			for (m = 0; m < NZ_NMEASURES; m++)
				if (monotone[m] && up->m[m].low < c->m[m].low)
					up->m[m].low = c->m[m].low;
		}
	}
}

/* An estimate: the published value, or for an S the middle of the
 * primary range 0..threshold-1 for people and 0 for sums; then moved into
 * the bounds, which the margins may have narrowed past it. */
static void
estimate(nz_release *r)
{
	size_t i;
	int m;

	for (i = 0; i < r->ncells; i++) {
		for (m = 0; m < NZ_NMEASURES; m++) {
			nz_bounds *b = &r->cells[i].m[m];

			if (r->cells[i].suppressed & (1u << m))
				b->est = r->rules.kind[m] == NZ_RULE_PERSON &&
				    r->rules.threshold > 0 ?
				    (r->rules.threshold - 1) / 2 : 0;
			if (b->est < b->low)
				b->est = b->low;
			if (b->est > b->high)
				b->est = b->high;
		}
	}
}

/* cell indexes by depth, margins first, file order within (counting sort) */
static size_t *
by_depth(const nz_release *r, const int *d)
{
	size_t start[NZ_NDIMS + 2] = {0}, *order, i;
	int k;

	order = nz_malloc((r->ncells + 1) * sizeof *order);
	for (i = 0; i < r->ncells; i++)
		start[d[i] + 1]++;
	for (k = 1; k < NZ_NDIMS + 2; k++)
		start[k] += start[k - 1];
	for (i = 0; i < r->ncells; i++)
		order[start[d[i]]++] = i;
	return order;
}

void
nz_release_tighten(nz_release *r)
{
	margins mg;
	size_t *order;

	margins_find(r, &mg);
	order = by_depth(r, mg.depth);
	cut_to_margins(r, &mg, order);
	free(order);
	margins_free(&mg);
	estimate(r);
}

nz_release *
nz_release_load(const char *arg)
{
	nz_release *r = nz_calloc(1, sizeof *r);
	nz_strset *periods = nz_strset_new();

	find_files(r, arg);
	r->agency = nz_strdup(nz_json_str(r->manifest_path, r->manifest,
	    "agency", NULL));
	if (!nz_agency_valid(r->agency))
		manifest_error(r, "agency", "must be 2 to 16 lower case "
		    "letters, digits or '-'");
	read_rules(r);
	read_coverage(r);
	verify_release_file(r);
	r->index = nz_strset_new();
	read_cells(r, periods);
	check_periods(r, periods);
	r->period_set = periods;
	group_by_period(r);
	return r;
}

/* At NZCCSS: each release with the intervals it proves, from a known key,
 * and no quarter of it different from one already received. */
nz_release **
nz_releases_load(char *const *args, size_t n, const nz_intake *in)
{
	nz_release **rs = nz_malloc((n ? n : 1) * sizeof *rs);
	size_t i;

	for (i = 0; i < n; i++) {
		rs[i] = nz_release_load(args[i]);
		nz_release_check_key(rs[i], in->allow_demo_keys);
		nz_release_intervals(rs[i]);
		nz_release_tighten(rs[i]);
		nz_release_digest(rs[i]);
	}
	nz_releases_check(rs, n);
	return rs;
}

void
nz_releases_free(nz_release **rs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		nz_release_free(rs[i]);
	free(rs);
}

void
nz_release_free(nz_release *r)
{
	if (!r)
		return;
	free(r->manifest_path);
	free(r->path);
	free(r->dir);
	free(r->digest);
	free(r->agency);
	nz_json_free(r->manifest);
	nz_strset_free(r->regions);
	nz_strset_free(r->period_set);
	nz_strset_free(r->index);
	free(r->periods);
	free(r->period_cells);
	free(r->period_start);
	free(r->cells);
	free(r);
}

int
nz_release_has_period(const nz_release *r, const char *period)
{
	return nz_strset_find(r->period_set, period) >= 0;
}

int
nz_release_covers(const nz_release *r, const char *region, size_t len)
{
	if (!r->regions || (len == 1 && *region == '*'))
		return 1;
	return nz_strset_findn(r->regions, region, len) >= 0;
}

void
nz_release_missing(const nz_release *r, const char *period, const char *dims,
	const char *seen_in)
{
	nz_dieat(NZ_EXIT_DATA, r->path, 0, "no cell %s,%s, which %s has: "
	    "built from different table specs or code lists", period, dims,
	    seen_in);
}

/* ---- many releases ---- */

static int
cmp_release(const void *a, const void *b)
{
	const nz_release *ra = *(nz_release *const *)a;
	const nz_release *rb = *(nz_release *const *)b;
	int c = strcmp(ra->agency, rb->agency);

	if (c)
		return c;
	c = strcmp(ra->periods[0], rb->periods[0]);
	return c ? c : strcmp(ra->path, rb->path);
}

/* Code lists and age bands must be the same versions everywhere: each
 * release's compared with the first release's that has the same code
 * list (or age bands), not with every other release's, which a national
 * build's 300 releases made 45,000 comparisons for each panel of
 * diff-quarters.  Two releases that differ are found either way: one of
 * them differs from the first.  Objects (a version per code list) are
 * compared code list by code list, anything else as a whole. */
static void
versions_differ(const nz_release *a, const nz_release *b, const char *key,
    const char *name, const json_t *x, const json_t *y)
{
	if (name)
		nz_dieat(NZ_EXIT_DATA, b->manifest_path, 0, "code list %s is "
		    "version %s, %s has %s: not like for like", nz_q(name),
		    nz_q(json_is_string(y) ? json_string_value(y) : "?"),
		    a->manifest_path,
		    nz_q(json_is_string(x) ? json_string_value(x) : "?"));
	nz_dieat(NZ_EXIT_DATA, b->manifest_path, 0, "%s differs from %s: not "
	    "like for like", key, a->manifest_path);
}

void
nz_releases_compatible(nz_release *const *rs, size_t n)
{
	static const char *const keys[] = {"code_lists", "age_bands"};
	json_t *first_of, *va, *vb, *x, *y, *at;
	const char *name;
	size_t k, i, j, first;

	for (k = 0; k < 2; k++) {
		/* code list -> the first release whose object names it */
		first_of = json_object();
		first = n;
		for (j = 0; j < n; j++) {
			if (!(vb = json_object_get(rs[j]->manifest, keys[k])))
				continue;
			if (first == n)
				first = j;
			va = json_object_get(rs[first]->manifest, keys[k]);
			if (!json_is_object(va) || !json_is_object(vb)) {
				if (!json_equal(va, vb))
					versions_differ(rs[first], rs[j],
					    keys[k], NULL, va, vb);
				continue;
			}
			json_object_foreach(vb, name, y) {
				if (!(at = json_object_get(first_of, name))) {
					json_object_set_new(first_of, name,
					    json_integer((json_int_t)j));
					continue;
				}
				i = (size_t)json_integer_value(at);
				x = json_object_get(json_object_get(
				    rs[i]->manifest, keys[k]), name);
				if (!json_equal(x, y))
					versions_differ(rs[i], rs[j], keys[k],
					    name, x, y);
			}
		}
		json_decref(first_of);
	}
}

void
nz_releases_check(nz_release **rs, size_t n)
{
	size_t i, j, p;

	qsort(rs, n, sizeof *rs, cmp_release);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && strcmp(rs[i]->agency,
		    rs[j]->agency) == 0; j++)
			for (p = 0; p < rs[j]->nperiods; p++)
				if (nz_release_has_period(rs[i], rs[j]->periods[p]))
					nz_dieat(NZ_EXIT_DATA, rs[j]->path, 0,
					    "agency %s period %s is also in %s",
					    nz_q(rs[j]->agency),
					    rs[j]->periods[p], rs[i]->path);
}

size_t
nz_releases_periods(nz_release *const *rs, size_t n, nz_strset *set,
    const char ***out)
{
	size_t i, p, count;
	const char **list;

	for (i = 0; i < n; i++)
		for (p = 0; p < rs[i]->nperiods; p++)
			nz_strset_add(set, rs[i]->periods[p], NULL);
	count = nz_strset_count(set);
	list = nz_malloc(count * sizeof *list);
	for (i = 0; i < count; i++)
		list[i] = nz_strset_key(set, i);
	qsort(list, count, sizeof *list, nz_strcmp_ptr);
	*out = list;
	return count;
}
