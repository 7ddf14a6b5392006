/* suppress: internal cells to release cells (DESIGN §5).
 *
 * Person measures below the threshold become S; every other value is
 * randomly rounded to the base with a draw that is a fixed function of
 * (ckey, measure, raw value), so the same cell always rounds the same way
 * and averaging repeated releases learns nothing.  Sum measures are S
 * where the cell's raw client count is below sum_min_clients.  Then,
 * agency by agency and period by period, secondary suppression
 * (sdc_protect, filters/sdc) hides further whole cells until no S can be
 * narrowed from what is published, under the same model audit proves.
 * ckey and the raw values never reach the output.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sdc.h"

/* internal cells in (schema.c): period, agency, the dimensions (a cell's
 * name, NZ_COLS_CELL_KEY), the measures, ckey */
#define NDIMCOLS NZ_COL_MEASURES
#define NMEASURES NZ_NMEASURES
#define C_CLIENTS NDIMCOLS
#define C_CKEY (NDIMCOLS + NMEASURES)
struct counts {
	long rows_read, rows_written, primary, secondary;
};

/* one internal cell: its codes, and what the release says of it */
struct cell {
	char *field[NDIMCOLS];    /* period, agency, region .. service */
	size_t len[NDIMCOLS];
	int64_t value[NMEASURES]; /* rounded, unless S */
	unsigned char s[NMEASURES];       /* published as S */
	unsigned char secondary;  /* hidden by secondary suppression */
	unsigned char forced;     /* hidden whole by --forced */
	long line;
};

struct cells {
	struct cell *c;
	size_t n, cap;
};

static void
usage(void)
{
	printf("Usage: %s [OPTION]... [FILE]\n"
"Turn internal cells (from aggregate) into release cells: primary\n"
"suppression, keyed consistent random rounding and secondary suppression;\n"
"ckey and raw values are dropped.  No FILE or '-' reads standard input.\n"
"Output rows are in input order.  A one-visit cell (visits band \"1\") has\n"
"as many events as clients, and its events are rounded with the clients'\n"
"draw, so both publish the same figure.\n\n", nz_prog);
	nz_cols_usage("Output: ", NZ_COLS_RELEASE);
	printf("\n"
"  -r, --rules FILE  disclosure rules (default pipelines/rules/statsnz.json)\n"
"  -s, --stats FILE  write row accounting as JSON, with \"suppression\":\n"
"                    {\"primary\": N, \"secondary\": M}: the measure values\n"
"                    published as S by the rules, and those hidden to\n"
"                    protect them\n"
"  -c, --secondary-cells FILE  write the cells hidden by secondary\n"
"                    suppression (period,agency,region..service), for\n"
"                    'audit --secondary-cells'; internal: never send it\n"
"  -f, --forced FILE  hide these cells (period,agency,region..service)\n"
"                    whole before secondary suppression, their S any\n"
"                    value, small or not (secure mode: the cells too\n"
"                    few agencies contribute to; not in --secondary-cells)\n"
"  -t, --time-limit SECONDS  stop (exit 1, nothing written) if secondary\n"
"                    suppression is not done within SECONDS of the start\n"
"                    (default 1800; 0: no limit)\n"
"  -j, --jobs N      protect the agencies' periods in N processes at once\n"
"                    (default: the processors online); the output is the\n"
"                    same for every N.  Input in agency and period order,\n"
"                    as aggregate writes it, is protected as it is read:\n"
"                    a period once the next begins\n"
"  -h, --help        show this help and exit\n"
"  -V, --version     show the version and exit\n\n"
"Person measures: raw below threshold is S (0 too when suppress_zero).\n"
"Sum measures: S where the cell's raw clients is below sum_min_clients.\n"
"Every other value v with residue r = v mod base is rounded up to\n"
"v - r + base with probability r/base, else down to v - r (base 3: residue\n"
"1 goes down with p 2/3, residue 2 goes up with p 2/3); rounded households\n"
"above rounded clients are published as the clients (within the rounding\n"
"of both, as households never exceed clients).  The draw: the\n"
"first 8 bytes, big-endian, of the unkeyed BLAKE2b-128 digest (libsodium\n"
"crypto_generichash) of the text \"CKEY:MEASURE:RAW\" in decimal, e.g.\n"
"\"3735928559:clients:7\", divided by 2^64; the value goes up when the draw\n"
"is below r/base.  Each total is rounded from its own raw value.\n\n"
"Rules with a \"perturbation\" (pipelines/rules/cellkey.json, the ABS\n"
"cell-key method) suppress and round nothing: each value v is published\n"
"as v+d, d from -max to +max, from the table's row for v (the last row\n"
"serving larger values; a kept zero stays 0): with the same draw,\n"
"the weights laid end to end from -max, d is the one whose span holds\n"
"draw*1000/2^64.  The same cell (the same records, so the same ckey)\n"
"gets the same d in every table.  No secondary suppression.\n\n"
"Secondary suppression: for each agency and period, the cells are audited\n"
"as the 'audit' program does (one integer model of all four measures,\n"
"GLPK); while some S could be narrowed to fewer than 3 whole numbers\n"
"from the published cells, margins, rounding and the relations between\n"
"measures, one more whole cell is published as S, the cheapest in the\n"
"relation that exposes it.  When no cell is left to hide, suppress fails\n"
"(exit 1) naming the cell: nothing unsafe is written.  Audit the release\n"
"with 'audit --secondary-cells' or, as NZCCSS does, 'audit --public'.\n\n"
"Exit status: 0 success, 1 data or input error, 2 usage error.\n");
	exit(NZ_EXIT_OK);
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
	size_t ncols;
	const char *const *in_cols = nz_cols(NZ_COLS_CELLS, &ncols);
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
	size_t ncols;

	if (nz_parse_u64(row->field[col], &v) < 0 ||
	    row->len[col] != strspn(row->field[col], "0123456789"))
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid %s %s: expected "
		    "a non-negative integer", nz_cols(NZ_COLS_CELLS, &ncols)[col],
		    nz_q(row->field[col]));
	return v;
}

/* Households never exceed clients, so neither may their rounded values:
 * the rounded clients is then within the rounding of the households too
 * (raw h <= raw c <= rounded c + base-1, and rounded c < rounded h <=
 * raw h + base-1), and a reader learns nothing from the pair. */
static void
households_under_clients(struct cell *cell)
{
	if (!cell->s[NZ_CLIENTS] && !cell->s[NZ_HOUSEHOLDS] &&
	    cell->value[NZ_HOUSEHOLDS] > cell->value[NZ_CLIENTS])
		cell->value[NZ_HOUSEHOLDS] = cell->value[NZ_CLIENTS];
}

/* Primary suppression and rounding of one internal cell. */
static void
read_cell(const nz_rules *r, const nz_row *row, const char *file,
    struct cells *cells, struct counts *n)
{
	uint64_t raw[NMEASURES], ckey, clients, v;
	struct cell *cell;
	const char *name;
	int c, m, one_visit;

	for (c = 0; c < NDIMCOLS; c++)
		if (row->len[c] == 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "empty %s",
			    c >= NZ_COL_DIMS ? nz_dims[c - NZ_COL_DIMS].name :
			    c == NZ_COL_PERIOD ? "period" : "agency");
	if (nz_period_parse(row->field[0], &c, &m) < 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid period %s: "
		    "expected a calendar quarter YYYYQn", nz_q(row->field[0]));
	for (m = 0; m < NMEASURES; m++)
		raw[m] = field_u64(row, C_CLIENTS + m, file);
	ckey = field_u64(row, C_CKEY, file);
	if (ckey > UINT32_MAX)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid ckey %s: "
		    "expected 0 to 4294967295", nz_q(row->field[C_CKEY]));
	clients = raw[0];
	if (raw[NZ_HOUSEHOLDS] > clients)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "households %s exceed "
		    "clients %s: these are not cells from aggregate",
		    nz_q(row->field[C_CLIENTS + NZ_HOUSEHOLDS]),
		    nz_q(row->field[C_CLIENTS]));

	nz_grow(&cells->c, &cells->cap, cells->n + 1, sizeof *cells->c);
	cell = &cells->c[cells->n++];
	memset(cell, 0, sizeof *cell);
	for (c = 0; c < NDIMCOLS; c++) {
		cell->field[c] = nz_strndup(row->field[c], row->len[c]);
		cell->len[c] = row->len[c];
	}
	cell->line = row->line;
	one_visit = nz_cell_one_visit((const char *const *)&cell->field[
	    NZ_COL_DIMS]);
	if (one_visit && raw[NZ_EVENTS] != clients)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "events %s differ from "
		    "clients %s in a one-visit cell: these are not cells from "
		    "aggregate", nz_q(row->field[C_CLIENTS + NZ_EVENTS]),
		    nz_q(row->field[C_CLIENTS]));
	for (m = 0; m < NMEASURES; m++) {
		int hide = r->kind[m] == NZ_RULE_PERSON ?
		    (raw[m] < (uint64_t)r->threshold &&
		    (raw[m] > 0 || r->suppress_zero)) :
		    clients < (uint64_t)r->sum_min_clients;

		cell->s[m] = (unsigned char)hide;
		if (hide) {
			n->primary++;
			continue;
		}
		/* no real count comes near; the engine's model stops here */
		/* a one-visit cell's events are its clients: the same draw
		 * publishes the same figure (rounded or perturbed), and two
		 * draws on one value never narrow it */
		name = nz_measure_names[one_visit && m == NZ_EVENTS ?
		    NZ_CLIENTS : m];
		v = raw[m] > SDC_MAX_VALUE ? raw[m] : r->perturb.max ?
		    nz_rules_perturbed(r, raw[m], draw((uint32_t)ckey, name,
		    raw[m])) : round_value((uint32_t)ckey, name, raw[m],
		    (uint64_t)r->base);
		/* a figure the draw takes past the limit goes the other
		 * way: the multiple of the base below it, or the
		 * perturbation mirrored, as near the value as the rules
		 * say and the same for the same draw */
		if (raw[m] <= SDC_MAX_VALUE && v > SDC_MAX_VALUE)
			v = r->perturb.max ? 2 * raw[m] - v :
			    v - (uint64_t)r->base;
		if (v > SDC_MAX_VALUE)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "%s %s is too "
			    "large (at most %ld)", nz_measure_names[m],
			    nz_q(row->field[C_CLIENTS + m]), SDC_MAX_VALUE);
		cell->value[m] = (int64_t)v;
	}
	households_under_clients(cell);
}

/* groups are one agency and one period, in that order */
static int
group_cmp(const struct cell *a, const struct cell *b)
{
	int c = strcmp(a->field[1], b->field[1]);

	return c ? c : strcmp(a->field[0], b->field[0]);
}

/* within a group, code order, so the cells chosen do not depend on the
 * order of the input; then line, so that duplicates sort the same in a
 * group alone as among all the cells */
static int
cell_cmp(const void *x, const void *y)
{
	const struct cell *a = *(const struct cell *const *)x;
	const struct cell *b = *(const struct cell *const *)y;
	int c = group_cmp(a, b), i;

	for (i = 2; c == 0 && i < NDIMCOLS; i++)
		c = strcmp(a->field[i], b->field[i]);
	if (c == 0)
		c = (a->line > b->line) - (a->line < b->line);
	return c;
}

/* --forced: cells hidden whole before secondary suppression, whose S
 * may hide any value, small or not (the engine's SDC_EITHER, as a reader
 * sees any all-S cell): the secure mode's cells with too few
 * contributors, whose values NZCCSS never learnt.  They are not listed
 * in --secondary-cells (a secondary cell held 6 or more); the release
 * is audited as a reader would, 'audit --manifest' alone. */
static void
force_cells(const char *path, struct cells *cells, struct counts *n)
{
	size_t ncols, i, *found;
	const char *const *cols = nz_cols(NZ_COLS_CELL_KEY, &ncols);
	nz_strset *want = nz_strset_new();
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	nz_buf name = {0};
	nz_row *row;
	long *line = NULL, at;
	size_t cap = 0;
	int c, m, added;

	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) > 0) {
		nz_buf_clear(&name);
		for (c = 0; c < (int)ncols; c++)
			nz_buf_printf(&name, "%s%s", c ? "," : "",
			    row->field[c]);
		i = nz_strset_add(want, name.s, &added);
		if (!added)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "the cell %s "
			    "twice", nz_q(name.s));
		nz_grow(&line, &cap, i + 1, sizeof *line);
		line[i] = row->line;
	}
	nz_csv_close(csv);
	found = nz_calloc(nz_strset_count(want) + 1, sizeof *found);
	for (i = 0; i < cells->n; i++) {
		struct cell *cell = &cells->c[i];

		nz_buf_clear(&name);
		for (c = 0; c < NDIMCOLS; c++)
			nz_buf_printf(&name, "%s%s", c ? "," : "",
			    cell->field[c]);
		at = nz_strset_find(want, name.s);
		if (at < 0)
			continue;
		found[at] = 1;
		cell->forced = 1;
		/* every value of it is hidden to protect it, whatever the
		 * stand-in value read made of it: counted as secondary, so
		 * the manifest tells a reader an all-S cell may hide any
		 * value */
		for (m = 0; m < NMEASURES; m++) {
			if (cell->s[m])
				n->primary--;
			cell->s[m] = 1;
			n->secondary++;
		}
	}
	for (i = 0; i < nz_strset_count(want); i++)
		if (!found[i])
			nz_dieat(NZ_EXIT_DATA, path, line[i], "the cell %s is "
			    "not among the cells", nz_q(nz_strset_key(want, i)));
	free(found);
	free(line);
	nz_buf_free(&name);
	nz_strset_free(want);
}

/* Secondary suppression failed: say why, and stop. */
static _Noreturn void
cannot_protect(sdc_group *g, struct cell **group, sdc_cell *sc, size_t n,
    size_t stuck, int stuck_m, const char *file)
{
	sdc_bound *b = nz_calloc(n * NZ_NMEASURES + 1, sizeof *b);
	nz_buf label = {0}, why = {0};
	size_t cell;

	nz_cell_label(&label, group[stuck]->field[0], group[stuck]->field[1],
	    sc[stuck].dim);
	sdc_solve(g, b);
	if (b[stuck * NZ_NMEASURES + stuck_m].status == SDC_INCONSISTENT) {
		if (sdc_violation(g, &cell, &why) == 0)
			stuck = cell;
		nz_dieat(NZ_EXIT_DATA, file, group[stuck]->line, "%s of %s "
		    "contradicts the other cells%s%s: these are not cells from "
		    "aggregate; nothing written", nz_measure_names[stuck_m],
		    label.s, why.len ? ": " : "", why.len ? why.s : "");
	}
	nz_dieat(NZ_EXIT_DATA, file, group[stuck]->line, "cannot protect %s "
	    "of %s: no published cell is left that would hide it; nothing "
	    "written", nz_measure_names[stuck_m], label.s);
}

/* Secondary suppression of one group: the cells it hides, one byte per
 * cell into hidden (1: secondary).  The group is left as it was. */
static void
protect_group(const nz_rules *r, struct cell **group, size_t n,
    const char *file, nz_buf *hidden)
{
	sdc_cell *sc = nz_calloc(n + 1, sizeof *sc);
	size_t i, dup[2], stuck = 0;
	int m, d, stuck_m = 0;
	sdc_group *g;

	for (i = 0; i < n; i++) {
		for (d = 0; d < NZ_NDIMS; d++)
			sc[i].dim[d] = group[i]->field[2 + d];
		for (m = 0; m < NMEASURES; m++) {
			sc[i].value[m] = group[i]->value[m];
			sc[i].s[m] = group[i]->s[m];
		}
		sc[i].kind = group[i]->forced ? SDC_EITHER :
		    group[i]->secondary ? SDC_SECONDARY : SDC_PRIMARY;
	}
	g = sdc_new(r, sc, n, 0, dup);
	if (!g)
		nz_dieat(NZ_EXIT_DATA, file, group[dup[1]]->line, "duplicate "
		    "cell: the same period, agency and codes as line %ld",
		    group[dup[0]]->line);
	if (sdc_protect(g, &stuck, &stuck_m) < 0)
		cannot_protect(g, group, sc, n, stuck, stuck_m, file);
	for (i = 0; i < n; i++)
		nz_buf_addc(hidden, sc[i].kind == SDC_SECONDARY &&
		    !group[i]->forced);
	sdc_free(g);
	free(sc);
}

/* The groups (agency and period) to protect, each a task for
 * nz_parallel: they are independent.  Input in group order (aggregate
 * writes a period at a time) is protected as it is read: each group, once
 * the next begins, is a task of tasks, its cells cells->c[first[k] ..
 * first[k+1]) (streamed); the tasks are taken once every cell is read,
 * in the same order and with the same results as when none is streamed.
 * Input out of group order is protected only once read whole. */
struct groups {
	const nz_rules *rules;
	struct cell **sorted;     /* NULL until every cell is read */
	size_t *start;            /* group k: sorted[start[k] .. start[k+1]) */
	size_t n;
	const char *file;
	struct counts *counts;
	/* streamed */
	nz_tasks *tasks;          /* NULL: not (or no longer) streamed */
	const struct cells *cells;
	size_t *first, nfirst, firstcap;
};

static void
protect_run(size_t k, void *arg, nz_buf *hidden)
{
	struct groups *gs = arg;
	struct cell **group;
	size_t n, i;

	if (gs->sorted) {
		protect_group(gs->rules, gs->sorted + gs->start[k],
		    gs->start[k + 1] - gs->start[k], gs->file, hidden);
		return;
	}
	/* a streamed group, in a worker, before the rest is read */
	n = gs->first[k + 1] - gs->first[k];
	group = nz_calloc(n + 1, sizeof *group);
	for (i = 0; i < n; i++)
		group[i] = &gs->cells->c[gs->first[k] + i];
	qsort(group, n, sizeof *group, cell_cmp);
	protect_group(gs->rules, group, n, gs->file, hidden);
	free(group);
}

static void
protect_take(size_t k, void *arg, const char *hidden, size_t len)
{
	struct groups *gs = arg;
	struct cell **group = gs->sorted + gs->start[k];
	size_t i;
	int m;

	if (len != gs->start[k + 1] - gs->start[k])
		nz_die(NZ_EXIT_DATA, "internal error: a worker's result for "
		    "%s %s has %zu cells, not %zu", group[0]->field[1],
		    group[0]->field[0], len, gs->start[k + 1] - gs->start[k]);
	if (nz_progress_wanted())   /* as each is taken, whoever ran it */
		fprintf(stderr, "%s: protected %s %s (%zu of %zu)\r", nz_prog,
		    group[0]->field[1], group[0]->field[0], k + 1, gs->n);
	for (i = 0; i < len; i++) {
		if (!hidden[i])
			continue;
		group[i]->secondary = 1;
		for (m = 0; m < NMEASURES; m++)
			if (!group[i]->s[m]) {
				group[i]->s[m] = 1;
				gs->counts->secondary++;
			}
	}
}

/* Streaming: the groups read so far, the last still open (its first
 * cell first[nfirst - 1]); a cell of a new group closes it, and it is
 * added as a task.  A group that does not come after the last in group
 * order ends streaming: what was started is abandoned. */
static void
stream_cell(struct groups *gs, size_t i)
{
	const struct cell *open, *cell = &gs->cells->c[i];
	int c;

	if (!gs->tasks)
		return;
	if (gs->nfirst == 0) {
		nz_grow(&gs->first, &gs->firstcap, 2, sizeof *gs->first);
		gs->first[gs->nfirst++] = i;
		return;
	}
	open = &gs->cells->c[gs->first[gs->nfirst - 1]];
	if ((c = group_cmp(cell, open)) == 0)
		return;
	if (c < 0) {
		nz_tasks_abandon(gs->tasks);
		gs->tasks = NULL;
		return;
	}
	nz_grow(&gs->first, &gs->firstcap, gs->nfirst + 1, sizeof *gs->first);
	gs->first[gs->nfirst++] = i;
	nz_tasks_add(gs->tasks);
}

static void
protect_all(struct groups *gs, struct cells *cells, int jobs)
{
	size_t i;

	/* the last group streamed is closed by the end of the input */
	if (gs->tasks && gs->nfirst) {
		nz_grow(&gs->first, &gs->firstcap, gs->nfirst + 1,
		    sizeof *gs->first);
		gs->first[gs->nfirst] = cells->n;
		nz_tasks_add(gs->tasks);
	}
	gs->sorted = nz_calloc(cells->n + 1, sizeof *gs->sorted);
	gs->start = nz_calloc(cells->n + 1, sizeof *gs->start);
	for (i = 0; i < cells->n; i++)
		gs->sorted[i] = &cells->c[i];
	qsort(gs->sorted, cells->n, sizeof *gs->sorted, cell_cmp);
	for (i = 0; i < cells->n; i++)
		if (i == 0 || group_cmp(gs->sorted[i], gs->sorted[i - 1]) != 0)
			gs->start[gs->n++] = i;
	gs->start[gs->n] = cells->n;
	if (gs->tasks) {
		/* the groups streamed are these, in this order */
		for (i = 0; i < gs->n; i++)
			if (gs->n != gs->nfirst ||
			    gs->start[i + 1] - gs->start[i] !=
			    gs->first[i + 1] - gs->first[i])
				nz_die(NZ_EXIT_DATA, "internal error: the groups "
				    "streamed are not the groups of the cells");
		nz_tasks_finish(gs->tasks);
		gs->tasks = NULL;
	} else
		nz_parallel(gs->n, jobs, protect_run, protect_take, gs);
	if (nz_progress_wanted() && cells->n)
		fprintf(stderr, "\n");
	free(gs->start);
	free(gs->sorted);
	free(gs->first);
}

static void
write_cells(const struct cells *cells, struct counts *n)
{
	char out[32];
	size_t i;
	int c, m;

	for (i = 0; i < cells->n; i++) {
		const struct cell *cell = &cells->c[i];
		for (c = 0; c < NDIMCOLS; c++)
			nz_csv_field(stdout, cell->field[c], cell->len[c],
			    c == 0);
		for (m = 0; m < NMEASURES; m++) {
			if (cell->s[m]) {
				fputs(",S", stdout);
				continue;
			}
			snprintf(out, sizeof out, ",%lld",
			    (long long)cell->value[m]);
			fputs(out, stdout);
		}
		putchar('\n');
		n->rows_written++;
	}
}

/* The cells secondary suppression hid, in output order. */
static void
write_secondary(const struct cells *cells, const char *path)
{
	FILE *f = nz_fopen_out(path);
	size_t i, ncols;
	const char *const *cols = nz_cols(NZ_COLS_CELL_KEY, &ncols);
	int c;

	nz_csv_header(f, cols, ncols);
	for (i = 0; i < cells->n; i++) {
		const struct cell *cell = &cells->c[i];
		if (!cell->secondary)
			continue;
		for (c = 0; c < NDIMCOLS; c++)
			nz_csv_field(f, cell->field[c], cell->len[c], c == 0);
		putc('\n', f);
	}
	nz_fclose_out(f, path);
}

static void
free_cells(struct cells *cells)
{
	size_t i;
	int c;

	for (i = 0; i < cells->n; i++)
		for (c = 0; c < NDIMCOLS; c++)
			free(cells->c[i].field[c]);
	free(cells->c);
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
	json_object_set_new(sup, "secondary", json_integer(n->secondary));
	json_object_set_new(stats, "suppression", sup);
	nz_json_write(path, stats);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"secondary-cells", required_argument, NULL, 'c'},
		{"time-limit", required_argument, NULL, 't'},
		{"forced", required_argument, NULL, 'f'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	nz_rules rules;
	long limit = SDC_DEFAULT_TIME;
	int jobs = nz_jobs_default();
	struct counts counts = {0};
	struct cells cells = {0};
	struct groups gs = {0};
	char *rules_path = NULL;
	const char *stats = NULL, *secondary = NULL, *forced = NULL;
	char *file;
	const char *const *out_cols;
	size_t ncols;
	nz_csv *csv;
	nz_row *row;
	int c;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "r:s:c:t:j:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rules_path = optarg; break;
		case 's': stats = nz_side_path("--stats", optarg); break;
		case 'c':
			secondary = nz_side_path("--secondary-cells", optarg);
			break;
		case 't':
			if (nz_parse_long(optarg, 0, SDC_MAX_TIME, &limit) < 0)
				nz_usage_error("--time-limit: expected whole "
				    "seconds from 0 to 31536000, found %s",
				    nz_q(optarg));
			break;
		case 'f': forced = optarg; break;
		case 'j': jobs = nz_jobs_arg(optarg); break;
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
	nz_rules_load(rules_path, &rules);

	/* the limit holds from here: groups are protected as they are
	 * read */
	sdc_time_limit((double)limit);
	csv = nz_csv_open(optind < argc ? argv[optind] : "-",
	    NZ_CSV_CANONICAL);
	file = nz_strdup(nz_csv_name(csv));
	gs.rules = &rules;
	gs.file = file;
	gs.counts = &counts;
	gs.cells = &cells;
	/* a perturbation suppresses nothing, so there is nothing to protect;
	 * forced cells come after the input, into any group */
	if (jobs > 1 && !rules.perturb.max && !forced)
		gs.tasks = nz_tasks_new(jobs, protect_run, protect_take, &gs);
	check_header(csv);
	while (nz_csv_next_n(csv, &row, NDIMCOLS + NMEASURES + 1) == 1) {
		counts.rows_read++;
		read_cell(&rules, row, file, &cells, &counts);
		stream_cell(&gs, cells.n - 1);
	}
	nz_csv_close(csv);
	if (forced)
		force_cells(forced, &cells, &counts);
	if (!rules.perturb.max)
		protect_all(&gs, &cells, jobs);
	out_cols = nz_cols(NZ_COLS_RELEASE, &ncols);
	nz_csv_header(stdout, out_cols, ncols);
	write_cells(&cells, &counts);
	if (secondary)
		write_secondary(&cells, secondary);
	free_cells(&cells);
	free(file);
	if (stats)
		write_stats(&counts, stats);
	free(rules_path);
	return nz_close_stdout();
}
