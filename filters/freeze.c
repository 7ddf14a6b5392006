/* freeze: a released quarter is final (README, "Released quarters").
 *
 * The agency keeps its releases, and the bucketed events of every quarter
 * it released, in its state folder (filters/lib/state.c).  Three steps of
 * the build, each one invocation:
 *
 *   --split     between bucket and aggregate.  Quarters already released
 *               are not counted again: their events come from the state
 *               (frozen when first released) and go to --history, as do
 *               the events of quarters before FROM.  The export's own
 *               events of a released quarter are matched against the
 *               frozen ones as a multiset of bucketed rows: a row not
 *               among them arrived late (or was changed) and is counted
 *               by quarter, and goes nowhere else.  The events of the
 *               quarters new in this build go to standard output.  The
 *               state must have been made with the same key, rules, code
 *               lists, age bands, table spec and coverage, else nothing
 *               is built.  --stats is the plan the later steps follow.
 *   --assemble  after suppress: the release is the base release's rows
 *               (every quarter released before, byte for byte) and then
 *               the new quarters' rows; so are the secondary cells.
 *   --commit    after the audit passed: the new release, its manifest and
 *               the new quarters' events are kept as the next generation;
 *               state.json, renamed into place last, is the commit.
 *
 * Without a state (the sample build) nothing is carried and nothing kept.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nz.h"

enum step { STEP_NONE, STEP_SPLIT, STEP_ASSEMBLE, STEP_COMMIT };

struct opts {
	enum step step;
	const char *state, *window, *from, *history, *stats;
	nz_made_paths made;        /* key stats, profile, rules, ... */
	char *own[5];              /* the default paths, to free */
	const char *plan, *suppress_stats, *secondary_in, *secondary;
	const char *events, *release, *manifest;
	const char *input;
};

static void
usage(void)
{
	printf("Usage: %s --split [--state DIR] [OPTION]... [FILE]\n"
"       %s --assemble --plan FILE [OPTION]... [FILE]\n"
"       %s --commit --plan FILE --events FILE --release FILE\n"
"              --secondary-cells FILE --manifest FILE\n"
"A released quarter is final: the agency's state folder keeps its releases\n"
"and the bucketed events of the quarters it released, and a build releases\n"
"only quarters not released before, carrying the others forward byte for\n"
"byte (README, \"Released quarters\").\n\n",
	    nz_prog, nz_prog, nz_prog);
	printf(
"--split: bucketed events in (FILE, or standard input); out, the events of\n"
"the quarters to release now; to --history, those the counting looks back\n"
"on: the frozen events of released quarters and the export's of quarters\n"
"before FROM.  An export event of a released quarter that is not among\n"
"its frozen events (a multiset of whole rows) is late: counted by quarter\n"
"in --stats, written nowhere.\n"
"  -S, --state DIR     the agency's state folder (none: nothing released)\n"
"  -w, --window FILE   bucket's --stats: the export date and THROUGH\n"
"  -f, --from YYYYQn   the first quarter to release (default: the first\n"
"                      released, or the first with events)\n"
"  -H, --history FILE  write the events looked back on (required)\n"
"  -k, --key-stats FILE  normalise's --stats: the key's fingerprint\n"
"  -p, --profile FILE  the agency profile: its code and regions\n"
"  -r, --rules FILE    -c, --codes DIR   -b, --bands FILE   -t, --tables FILE\n"
"  -F, --flow FILE     the rules, code lists, age bands, table spec and flow\n"
"                      spec (defaults as for manifest; the flow spec\n"
"                      pipelines/flow-bands.json); with --state, they and\n"
"                      the key must be those the state was released under\n"
"  -s, --stats FILE    the accounting and the plan: rows_read =\n"
"                      rows_written + rows_held_back (before_from, released,\n"
"                      late); late and withdrawn rows by quarter\n\n");
	printf(
"--assemble: the new quarters' release cells in (suppress's output); out,\n"
"the release: every row of the base release, then the new ones.\n"
"  -P, --plan FILE           the --split step's --stats\n"
"  -u, --suppress-stats FILE suppress's --stats (its suppression counts)\n"
"  -i, --secondary-in FILE   suppress's --secondary-cells\n"
"  -C, --secondary-cells FILE  write the release's secondary cells\n"
"  -s, --stats FILE          rows_read + rows_carried = rows_written, and\n"
"                            the release's suppression counts\n\n"
"--commit: keep the release (audited), its manifest, its secondary cells\n"
"and the new quarters' events (--events: the --split step's output) in the\n"
"state as its next generation.  Done twice, it keeps it once.\n"
"  -P, --plan FILE  -e, --events FILE  -R, --release FILE\n"
"  -C, --secondary-cells FILE  -m, --manifest FILE\n\n"
"Exit status: 0 success, 1 data error (a state that does not match its\n"
"sha256 or its key, rules or versions; a stale export; a state changed\n"
"meanwhile), 2 usage error (THROUGH before FROM, FROM outside what the\n"
"state allows).  On an error nothing is written to the state.\n");
	exit(NZ_EXIT_OK);
}

/* ---- the frozen events of released quarters ---- */

/* A bucketed row as one 64-bit SipHash of its fields: the frozen rows of
 * millions of events take 16 bytes each in an nz_bag.  Two different rows
 * sharing a hash (about 1 in 10^7 at a few million rows) can only hide a
 * late row from the count: the frozen events are what is used either
 * way. */
static uint64_t
row_hash(nz_buf *text, const nz_row *row)
{
	/* not a secret: one fixed key, so that equal rows hash equal */
	static const unsigned char key[crypto_shorthash_KEYBYTES];
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;
	size_t i;

	nz_buf_clear(text);
	for (i = 0; i < row->nfields; i++) {
		nz_buf_add(text, row->field[i], row->len[i]);
		nz_buf_addc(text, '\0');     /* no field holds a NUL */
	}
	crypto_shorthash(out, (const unsigned char *)(text->s ? text->s : ""),
	    text->len, key);
	memcpy(&h, out, sizeof h);
	return h;
}

/* ---- split ---- */

struct split {
	const struct opts *o;
	nz_state *state;
	json_t *window, *made;     /* bucket's window; what builds with */
	char agency[NZ_AGENCY_MAX + 1];
	long from, through;        /* FROM, THROUGH; -1 none */
	long r0, r1;               /* released quarters; -1 none */
	long n0;                   /* first quarter new now; -1 first seen */
	long first_new, last_new;  /* quarters with new rows; -1 none */
	nz_bag *frozen;            /* the released quarters' rows */
	nz_buf row;                /* the row being hashed */
	long *late, *withdrawn;    /* per released quarter */
	FILE *history;
	long rows_read, rows_written, before_from, released, late_rows;
	long after_through, history_written;
};

/* a quarter in a JSON file another step wrote */
static long
json_quarter(const char *path, json_t *obj, const char *key)
{
	long q;

	if (nz_period_parse_index(nz_json_str(path, obj, key, NULL), &q) < 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
		    "\"%s\" must be a quarter YYYYQn", key);
	return q;
}

static void
load_window(struct split *sp, const char *path)
{
	json_t *root = nz_json_load(path), *w = json_object_get(root, "window");

	if (!json_is_object(w))
		nz_die(NZ_EXIT_DATA, "%s: no \"window\": bucket ran without the "
		    "date the export was taken (bucket --export-date)", path);
	sp->through = json_quarter(path, w, "through");
	nz_json_str(path, w, "export_date", NULL);
	sp->window = json_deep_copy(w);
	nz_hold(sp->window);
	nz_json_free(root);
}

/* What this build may release: after the released quarters (or from
 * FROM), up to THROUGH. */
static void
plan_quarters(struct split *sp)
{
	char a[NZ_PERIOD_BUF], b[NZ_PERIOD_BUF], c[NZ_PERIOD_BUF];

	sp->r0 = sp->state ? sp->state->first : -1;
	sp->r1 = sp->state ? sp->state->last : -1;
	sp->n0 = sp->r0 >= 0 ? sp->r1 + 1 : sp->from;
	nz_period_name(sp->r0, a);
	nz_period_name(sp->r1, b);
	nz_period_name(sp->from, c);
	if (sp->r0 >= 0 && sp->from >= 0 && sp->from < sp->r0)
		nz_usage_error("FROM %s is before %s, the first quarter "
		    "released from %s: a released series only grows forward",
		    c, a, sp->state->dir);
	if (sp->r0 >= 0 && sp->from > sp->r1 + 1) {
		nz_period_name(sp->r1 + 1, a);
		nz_period_name(sp->from - 1, b);
		nz_usage_error("FROM %s would leave %s%s%s never released, "
		    "between the quarters released from %s and FROM", c, a,
		    sp->from - 1 > sp->r1 + 1 ? " to " : "",
		    sp->from - 1 > sp->r1 + 1 ? b : "", sp->state->dir);
	}
	nz_period_name(sp->through, a);
	if (sp->r1 >= 0 && sp->through >= 0 && sp->through < sp->r1)
		nz_die(NZ_EXIT_DATA, "THROUGH %s is before %s, already released "
		    "from %s: this export is older than the last release "
		    "(check EXPORT_DATE, or use the newer export)", a, b,
		    sp->state->dir);
	if (sp->from >= 0 && sp->through >= 0 && sp->from > sp->through)
		nz_usage_error("THROUGH %s is before FROM %s", a, c);
}

static void
write_history(struct split *sp, const nz_row *row)
{
	nz_csv_record(sp->history, (const char *const *)row->field, row->len,
	    row->nfields);
	sp->history_written++;
}

static long
row_quarter(const nz_row *row, const char *file, const char *agency)
{
	long q;

	if (strcmp(row->field[0], agency) != 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "agency %s, but the "
		    "build is of %s", nz_q(row->field[0]), nz_q(agency));
	if (nz_period_parse_index(row->field[1], &q) < 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid period %s: "
		    "expected a quarter YYYYQn", nz_q(row->field[1]));
	return q;
}

/* The frozen events of the released quarters: into the multiset and,
 * as what later quarters look back on, into the history. */
static void
load_frozen(struct split *sp)
{
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_BUCKETED, &ncols);
	char name[NZ_PERIOD_BUF];
	long q, rows;
	nz_row *row;

	for (q = sp->r0; q <= sp->r1; q++) {
		const nz_state_events *ev = nz_state_quarter(sp->state, q);
		char *path = nz_state_events_file(sp->state->dir, q);
		nz_csv *csv;

		nz_hold(path);
		nz_period_name(q, name);
		nz_state_check(path, ev->sha256, "the frozen events of a "
		    "released quarter");
		csv = nz_csv_open(path, NZ_CSV_CANONICAL);
		nz_csv_expect_header(csv, cols, ncols);
		for (rows = 0; nz_csv_next_n(csv, &row, ncols) == 1; rows++) {
			if (row_quarter(row, path, sp->agency) != q)
				nz_dieat(NZ_EXIT_DATA, path, row->line, "an "
				    "event of %s among the frozen events of %s",
				    nz_q(row->field[1]), name);
			nz_bag_add(sp->frozen, row_hash(&sp->row, row),
			    (uint32_t)(q - sp->r0));
			write_history(sp, row);
		}
		nz_csv_close(csv);
		if (rows != ev->rows)
			nz_die(NZ_EXIT_DATA, "%s: %ld rows, state.json says %ld",
			    path, rows, ev->rows);
		nz_drop(path);
		free(path);
	}
}

static void
match_released(struct split *sp, const nz_row *row, long q)
{
	if (nz_bag_take(sp->frozen, row_hash(&sp->row, row))) {
		sp->released++;
	} else {
		sp->late[q - sp->r0]++;
		sp->late_rows++;
	}
}

/* what is left of the frozen rows was not in the export */
static void
count_withdrawn(uint32_t quarter, uint32_t count, void *ctx)
{
	long *withdrawn = ctx;

	withdrawn[quarter] += count;
}

static void
split_row(struct split *sp, const nz_row *row, const char *file)
{
	long q;

	if (!sp->agency[0])
		snprintf(sp->agency, sizeof sp->agency, "%s", row->field[0]);
	q = row_quarter(row, file, sp->agency);
	sp->rows_read++;
	if (sp->r0 >= 0 && q >= sp->r0 && q <= sp->r1) {
		match_released(sp, row, q);
	} else if (sp->n0 >= 0 && q < sp->n0) {
		write_history(sp, row);
		sp->before_from++;
	} else if (sp->through >= 0 && q > sp->through) {
		sp->after_through++;    /* bucket holds these back already */
	} else {
		nz_csv_record(stdout, (const char *const *)row->field, row->len,
		    row->nfields);
		sp->rows_written++;
		if (sp->first_new < 0 || q < sp->first_new)
			sp->first_new = q;
		if (q > sp->last_new)
			sp->last_new = q;
	}
}

/* The new quarters: from n0 (or the first with events) to THROUGH (or
 * the last with events).  *first > *last: nothing new. */
static void
new_quarters(const struct split *sp, long *first, long *last)
{
	*first = sp->n0 >= 0 ? sp->n0 : sp->first_new;
	*last = sp->through >= 0 ? sp->through : sp->last_new;
	if (*first < 0) {
		*first = 0;
		*last = -1;
	}
}

/* A quarter the export date calls complete but that holds no event: the
 * export (or its date) is stale.  Released empty, it would be a false
 * zero, so the build stops; leading empty quarters (an agency that began
 * after FROM) are fine. */
static void
check_stale(const struct split *sp, long first, long last)
{
	char a[NZ_PERIOD_BUF], b[NZ_PERIOD_BUF], c[NZ_PERIOD_BUF];

	if (!sp->window || first > last || sp->last_new == last)
		return;
	nz_period_name(sp->last_new < 0 ? first : sp->last_new + 1, a);
	nz_period_name(last, b);
	nz_period_name(sp->last_new, c);
	nz_die(NZ_EXIT_DATA, "the export holds no event from %s to %s, "
	    "quarters its date (%s) says are complete: is the export stale, "
	    "or the export date wrong?%s%s%s", a, b,
	    json_string_value(json_object_get(sp->window, "export_date")),
	    sp->last_new >= 0 ? "  To release up to its last event, give "
	    "THROUGH=" : "", sp->last_new >= 0 ? c : "",
	    sp->last_new >= 0 ? "." : "");
}

/* {"YYYYQn": n} of the released quarters with a count */
static json_t *
by_quarter(const struct split *sp, const long *count)
{
	json_t *out = json_object();
	char q[NZ_PERIOD_BUF];
	long i;

	for (i = 0; sp->r0 >= 0 && i <= sp->r1 - sp->r0; i++)
		if (count[i]) {
			nz_period_name(sp->r0 + i, q);
			json_object_set_new(out, q, json_integer(count[i]));
		}
	return out;
}

static void
write_plan(const struct split *sp, long first, long last)
{
	json_t *st = json_object(), *plan = json_object();
	long held = sp->before_from + sp->released + sp->late_rows +
	    sp->after_through;

	json_object_set_new(st, "program", json_string(nz_prog));
	json_object_set_new(st, "version", json_string(NZ_VERSION));
	json_object_set_new(st, "step", json_string("split"));
	json_object_set_new(st, "rows_read", json_integer(sp->rows_read));
	json_object_set_new(st, "rows_written", json_integer(sp->rows_written));
	json_object_set_new(st, "rows_rejected", json_integer(0));
	json_object_set_new(st, "rows_held_back", json_integer(held));
	json_object_set_new(st, "rejected", json_object());
	json_object_set_new(st, "held_back", json_pack("{s:I,s:I,s:I,s:I}",
	    "before_from", (json_int_t)sp->before_from, "released",
	    (json_int_t)sp->released, "late", (json_int_t)sp->late_rows,
	    "after_through", (json_int_t)sp->after_through));
	json_object_set_new(st, "late", by_quarter(sp, sp->late));
	json_object_set_new(st, "withdrawn", by_quarter(sp, sp->withdrawn));
	json_object_set_new(st, "history_rows_written",
	    json_integer(sp->history_written));
	json_object_set_new(st, "warnings", json_object());
	json_object_set_new(plan, "state", sp->state ?
	    json_string(sp->state->dir) : json_null());
	json_object_set_new(plan, "generation",
	    json_integer(sp->state ? (json_int_t)sp->state->ngen : 0));
	json_object_set_new(plan, "agency", json_string(sp->agency));
	json_object_set_new(plan, "released", nz_period_run(sp->r0 >= 0 ?
	    sp->r0 : 0, sp->r1));
	json_object_set_new(plan, "new", nz_period_run(first, last));
	json_object_set_new(plan, "made_with", sp->made ?
	    json_incref(sp->made) : json_null());
	json_object_set_new(st, "plan", plan);
	nz_json_write(sp->o->stats, st);
}

/* Say what did not reach the release, on stderr. */
static void
tell_late(const struct split *sp)
{
	long withdrawn = 0, i;

	for (i = 0; sp->r0 >= 0 && i <= sp->r1 - sp->r0; i++)
		withdrawn += sp->withdrawn[i];
	if (sp->late_rows)
		nz_warn("%ld event%s of released quarters %s not among their "
		    "frozen events (late, or changed since): counted in "
		    "--stats, not released; a released quarter is final",
		    sp->late_rows, sp->late_rows == 1 ? "" : "s",
		    sp->late_rows == 1 ? "is" : "are");
	if (withdrawn)
		nz_warn("%ld frozen event%s of released quarters %s no longer "
		    "in the export (deleted, or changed since): the frozen "
		    "ones stay", withdrawn, withdrawn == 1 ? "" : "s",
		    withdrawn == 1 ? "is" : "are");
}

static void
split(const struct opts *o)
{
	struct split sp = {0};
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_BUCKETED, &ncols);
	const char *file;
	long first, last;
	nz_csv *csv;
	nz_row *row;

	sp.o = o;
	sp.from = o->from ? nz_period_opt("--from", o->from) : -1;
	sp.through = sp.first_new = sp.last_new = -1;
	sp.frozen = nz_bag_new();
	if (o->window)
		load_window(&sp, o->window);
	if (o->state) {
		sp.state = nz_state_open(o->state);
		sp.made = nz_made_with(&o->made, sp.agency);
		nz_hold(sp.made);
		if (sp.state->root)
			nz_made_with_check(sp.state, sp.made, sp.agency);
		if (sp.state->ngen)
			nz_state_check_generation(sp.state, (long)sp.state->ngen);
	}
	plan_quarters(&sp);
	if (sp.r0 >= 0) {
		sp.late = nz_calloc((size_t)(sp.r1 - sp.r0 + 1), sizeof *sp.late);
		sp.withdrawn = nz_calloc((size_t)(sp.r1 - sp.r0 + 1),
		    sizeof *sp.withdrawn);
	}
	sp.history = nz_fopen_out(o->history);
	nz_csv_header(sp.history, cols, ncols);
	nz_stream_setup();
	nz_csv_header(stdout, cols, ncols);
	if (sp.r0 >= 0)
		load_frozen(&sp);

	csv = nz_csv_open(o->input, NZ_CSV_CANONICAL);
	file = nz_csv_name(csv);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1)
		split_row(&sp, row, file);
	nz_csv_close(csv);
	nz_bag_left(sp.frozen, count_withdrawn, sp.withdrawn);

	new_quarters(&sp, &first, &last);
	check_stale(&sp, first, last);
	nz_fclose_out(sp.history, o->history);
	if (o->stats)
		write_plan(&sp, first, last);
	tell_late(&sp);
	nz_bag_free(sp.frozen);
	nz_buf_free(&sp.row);
	free(sp.late);
	free(sp.withdrawn);
	nz_drop(sp.window);
	json_decref(sp.window);
	nz_drop(sp.made);
	json_decref(sp.made);
	nz_state_free(sp.state);
}

/* ---- the plan the split made, for assemble and commit ---- */

struct plan {
	json_t *root;
	const char *path, *state, *agency;
	long generation;           /* the state's when split */
	long first, last;          /* the new quarters; first > last: none */
	json_t *made;
};

static void
load_plan(const char *path, struct plan *p)
{
	json_t *plan, *v;

	p->path = path;
	p->root = nz_json_load(path);
	plan = json_object_get(p->root, "plan");
	if (!json_is_object(plan) || strcmp(nz_json_str(path, p->root, "step",
	    ""), "split") != 0)
		nz_die(NZ_EXIT_DATA, "%s: not the --stats of 'freeze --split'",
		    path);
	v = json_object_get(plan, "state");
	p->state = json_is_string(v) ? json_string_value(v) : NULL;
	p->generation = nz_json_int(path, plan, "generation", -1);
	p->agency = nz_json_str(path, plan, "agency", NULL);
	p->made = json_object_get(plan, "made_with");
	v = json_object_get(plan, "new");
	p->first = 0;
	p->last = -1;
	if (json_is_object(v)) {
		p->first = json_quarter(path, v, "first");
		p->last = json_quarter(path, v, "last");
	}
	if (p->generation < 0 || (p->state && !json_is_object(p->made)))
		nz_die(NZ_EXIT_DATA, "%s: a damaged plan", path);
}

/* ---- assemble ---- */

/* Copy a CSV file's rows (not its header, which must be header) to out;
 * returns how many. */
static long
copy_rows(const char *path, const char *header, FILE *out)
{
	size_t len, hlen = strlen(header);
	char *text = nz_slurp(path, &len), *p;
	long rows = 0;

	if (!text)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	if (len <= hlen || memcmp(text, header, hlen) != 0 ||
	    text[hlen] != '\n')
		nz_die(NZ_EXIT_DATA, "%s: not the header %s", path,
		    nz_q(header));
	for (p = text + hlen + 1; p < text + len; p++)
		rows += *p == '\n';
	if (fwrite(text + hlen + 1, 1, len - hlen - 1, out) != len - hlen - 1)
		nz_die(NZ_EXIT_DATA, "write error: %s", strerror(errno));
	free(text);
	return rows;
}

static char *
header_of(enum nz_contract which)
{
	size_t n, i;
	const char *const *cols = nz_cols(which, &n);
	nz_buf b = {0};

	for (i = 0; i < n; i++)
		nz_buf_printf(&b, "%s%s", i ? "," : "", cols[i]);
	return b.s;
}

/* The new quarters' rows of a cell file, each checked to be one. */
static long
copy_new(const struct plan *p, const char *path, enum nz_contract which,
    FILE *out)
{
	size_t ncols;
	const char *const *cols = nz_cols(which, &ncols);
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	long rows = 0, q;
	nz_row *row;

	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		if (strcmp(row->field[NZ_COL_AGENCY], p->agency) != 0 ||
		    nz_period_parse_index(row->field[NZ_COL_PERIOD], &q) < 0 ||
		    q < p->first || q > p->last)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "%s of %s is "
			    "not a quarter this build releases (%s)",
			    nz_q(row->field[NZ_COL_PERIOD]),
			    nz_q(row->field[NZ_COL_AGENCY]), p->path);
		nz_csv_record(out, (const char *const *)row->field, row->len,
		    ncols);
		rows++;
	}
	nz_csv_close(csv);
	return rows;
}

static void
add_suppression(json_t *sum, const char *path)
{
	json_t *root = nz_json_load(path), *sup, *v;
	const char *key;

	sup = json_object_get(root, "suppression");
	if (!json_is_object(sup))
		nz_die(NZ_EXIT_DATA, "%s: no \"suppression\"", path);
	json_object_foreach(sup, key, v) {
		json_t *was = json_object_get(sum, key);
		if (!json_is_integer(v))
			nz_die(NZ_EXIT_DATA, "%s: \"suppression\" must hold "
			    "counts", path);
		json_object_set_new(sum, key, json_integer(json_integer_value(v)
		    + (was ? json_integer_value(was) : 0)));
	}
	nz_json_free(root);
}

static void
assemble(const struct opts *o)
{
	struct plan p = {0};
	nz_state *s = NULL;
	char *release_header = header_of(NZ_COLS_RELEASE);
	char *cell_header = header_of(NZ_COLS_CELL_KEY);
	json_t *st = json_object(), *sup = json_object();
	FILE *secondary;
	long carried = 0, rows, base;
	int kept;

	nz_hold(st);
	nz_hold(sup);
	load_plan(o->plan, &p);
	secondary = nz_fopen_out(o->secondary);
	printf("%s\n", release_header);
	fprintf(secondary, "%s\n", cell_header);
	base = p.state ? p.generation : 0;
	if (p.state)
		s = nz_state_open_at(p.state, p.generation, &kept);
	if (base > 0) {
		char *file[NZ_STATE_FILES];
		int f;

		nz_state_check_generation(s, base);
		for (f = 0; f < NZ_STATE_FILES; f++) {
			file[f] = nz_state_release_file(s->dir, base,
			    nz_state_files[f]);
			nz_hold(file[f]);
		}
		carried = copy_rows(file[NZ_STATE_RELEASE], release_header,
		    stdout);
		copy_rows(file[NZ_STATE_SECONDARY], cell_header, secondary);
		add_suppression(sup, file[NZ_STATE_MANIFEST]);
		for (f = 0; f < NZ_STATE_FILES; f++) {
			nz_drop(file[f]);
			free(file[f]);
		}
	}
	rows = copy_new(&p, o->input, NZ_COLS_RELEASE, stdout);
	copy_new(&p, o->secondary_in, NZ_COLS_CELL_KEY, secondary);
	nz_fclose_out(secondary, o->secondary);
	add_suppression(sup, o->suppress_stats);
	json_object_set_new(st, "program", json_string(nz_prog));
	json_object_set_new(st, "version", json_string(NZ_VERSION));
	json_object_set_new(st, "step", json_string("assemble"));
	json_object_set_new(st, "rows_read", json_integer(rows));
	json_object_set_new(st, "rows_carried", json_integer(carried));
	json_object_set_new(st, "rows_written", json_integer(rows + carried));
	json_object_set_new(st, "rows_rejected", json_integer(0));
	json_object_set_new(st, "rejected", json_object());
	json_object_set_new(st, "warnings", json_object());
	json_object_set(st, "suppression", sup);
	nz_drop(st);
	if (o->stats)
		nz_json_write(o->stats, st);
	else
		json_decref(st);
	nz_drop(sup);
	json_decref(sup);
	nz_state_free(s);
	nz_json_free(p.root);
	free(release_header);
	free(cell_header);
}

/* ---- commit ---- */

static void
commit(const struct opts *o)
{
	struct plan p = {0};
	char first[NZ_PERIOD_BUF], last[NZ_PERIOD_BUF];
	nz_state_keep k;

	load_plan(o->plan, &p);
	k = (nz_state_keep){p.state, p.generation, p.agency, p.first, p.last,
	    p.made, o->events, o->release, o->manifest, o->secondary};
	/* without a state folder (the sample build) nothing is kept */
	if (p.state && nz_state_commit(&k)) {
		nz_period_name(p.first, first);
		nz_period_name(p.last, last);
		fprintf(stderr, "%s: %s%s%s released and kept in %s as release "
		    "%ld: back the folder up\n", nz_prog, first, p.first <
		    p.last ? " to " : "", p.first < p.last ? last : "",
		    p.state, p.generation + 1);
	}
	nz_json_free(p.root);
}

/* ---- the command line ---- */

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{"split", no_argument, NULL, '1'},
		{"assemble", no_argument, NULL, '2'},
		{"commit", no_argument, NULL, '3'},
		{"state", required_argument, NULL, 'S'},
		{"window", required_argument, NULL, 'w'},
		{"from", required_argument, NULL, 'f'},
		{"history", required_argument, NULL, 'H'},
		{"key-stats", required_argument, NULL, 'k'},
		{"profile", required_argument, NULL, 'p'},
		{"rules", required_argument, NULL, 'r'},
		{"codes", required_argument, NULL, 'c'},
		{"bands", required_argument, NULL, 'b'},
		{"tables", required_argument, NULL, 't'},
		{"flow", required_argument, NULL, 'F'},
		{"stats", required_argument, NULL, 's'},
		{"plan", required_argument, NULL, 'P'},
		{"suppress-stats", required_argument, NULL, 'u'},
		{"secondary-in", required_argument, NULL, 'i'},
		{"secondary-cells", required_argument, NULL, 'C'},
		{"events", required_argument, NULL, 'e'},
		{"release", required_argument, NULL, 'R'},
		{"manifest", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "S:w:f:H:k:p:r:c:b:t:F:s:P:u:i:C:"
	    "e:R:m:hV", opts, NULL)) != -1) {
		switch (c) {
		case '1': case '2': case '3':
			if (o->step)
				nz_usage_error("give one of --split, --assemble "
				    "and --commit");
			o->step = c - '0';
			break;
		case 'S': o->state = optarg; break;
		case 'w': o->window = optarg; break;
		case 'f': o->from = optarg; nz_period_opt("--from", optarg);
			break;
		case 'H': o->history = nz_side_path("--history", optarg); break;
		case 'k': o->made.key_stats = optarg; break;
		case 'p': o->made.profile = optarg; break;
		case 'r': o->made.rules = optarg; break;
		case 'c': o->made.codes = optarg; break;
		case 'b': o->made.bands = optarg; break;
		case 't': o->made.tables = optarg; break;
		case 'F': o->made.flow = optarg; break;
		case 's': o->stats = nz_side_path("--stats", optarg); break;
		case 'P': o->plan = optarg; break;
		case 'u': o->suppress_stats = optarg; break;
		case 'i': o->secondary_in = optarg; break;
		case 'C': o->secondary = nz_side_path("--secondary-cells",
			    optarg);
			break;
		case 'e': o->events = optarg; break;
		case 'R': o->release = optarg; break;
		case 'm': o->manifest = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); exit(0);
		default: nz_usage_error("unknown option");
		}
	}
	if (optind + 1 < argc)
		nz_usage_error("one input at most");
	o->input = optind < argc ? argv[optind] : "-";
}

static void
need(const char *value, const char *opt, const char *step)
{
	if (!value)
		nz_usage_error("%s needs %s", step, opt);
}

static void
check_args(struct opts *o)
{
	switch (o->step) {
	case STEP_SPLIT:
		need(o->history, "--history FILE", "--split");
		if (o->state) {
			need(o->stats, "--stats FILE (the plan)", "--split "
			    "--state");
			need(o->made.key_stats, "--key-stats FILE (normalise's "
			    "--stats)", "--split --state");
			need(o->made.profile, "--profile FILE", "--split "
			    "--state");
		}
		break;
	case STEP_ASSEMBLE:
		need(o->plan, "--plan FILE", "--assemble");
		need(o->suppress_stats, "--suppress-stats FILE", "--assemble");
		need(o->secondary_in, "--secondary-in FILE", "--assemble");
		need(o->secondary, "--secondary-cells FILE", "--assemble");
		break;
	case STEP_COMMIT:
		need(o->plan, "--plan FILE", "--commit");
		need(o->events, "--events FILE", "--commit");
		need(o->release, "--release FILE", "--commit");
		need(o->secondary, "--secondary-cells FILE", "--commit");
		need(o->manifest, "--manifest FILE", "--commit");
		break;
	default:
		nz_usage_error("give one of --split, --assemble and --commit");
	}
	o->own[0] = o->made.rules ? NULL : nz_pipelines_path(
	    "rules/statsnz.json");
	o->own[1] = o->made.codes ? NULL : nz_pipelines_path("codes");
	o->own[2] = o->made.bands ? NULL : nz_pipelines_path("age-bands.json");
	o->own[3] = o->made.tables ? NULL : nz_pipelines_path("tables.json");
	o->own[4] = o->made.flow ? NULL : nz_pipelines_path("flow-bands.json");
	o->made.rules = o->made.rules ? o->made.rules : o->own[0];
	o->made.codes = o->made.codes ? o->made.codes : o->own[1];
	o->made.bands = o->made.bands ? o->made.bands : o->own[2];
	o->made.tables = o->made.tables ? o->made.tables : o->own[3];
	o->made.flow = o->made.flow ? o->made.flow : o->own[4];
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	int i;

	nz_setprog(argv[0]);
	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium cannot start");
	parse_args(argc, argv, &o);
	check_args(&o);
	if (o.step == STEP_SPLIT)
		split(&o);
	else if (o.step == STEP_ASSEMBLE)
		assemble(&o);
	else
		commit(&o);
	for (i = 0; i < (int)(sizeof o.own / sizeof *o.own); i++)
		free(o.own[i]);
	return nz_close_stdout();
}
