/* sdc.c: the disclosure-control engine (filters/sdc) on tables whose
 * answers are worked out by hand, and on random microdata counted by the
 * rules of DESIGN §4, where every interval must hold the true value. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"   /* sdc_solve_vars: statuses alone */
#include "tap.h"

static nz_rules
rules(long threshold, long base, long sum_min_clients)
{
	nz_rules r;

	memset(&r, 0, sizeof r);
	snprintf(r.name, sizeof r.name, "test");
	r.threshold = threshold;
	r.base = base;
	r.sum_min_clients = sum_min_clients;
	r.suppress_zero = 1;
	r.kind[NZ_CLIENTS] = r.kind[NZ_HOUSEHOLDS] =
	    NZ_RULE_PERSON;
	r.kind[NZ_EVENTS] = r.kind[NZ_UNITS] = NZ_RULE_SUM;
	return r;
}

static void
set_dims(sdc_cell *c, const char *region, const char *gender,
    const char *need)
{
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		c->dim[d] = "*";
	c->dim[0] = region;
	c->dim[2] = gender;
	c->dim[7] = need;
}

/* ---- a 3x3 region by gender table, no rounding (threshold-only) ----
 *          1    2    9    *
 *   02    20   30   (4)  54        (4) is the one primary S
 *   03    25   22   30   77
 *   04    35   28   29   92
 *   *     80   80   63  223
 * households = clients, events 3x and units 2x clients, sums S under
 * 20 clients.  Cells in row order, the row total last. */
static const char *const rows3[] = {"02", "03", "04", "*"};
static const char *const cols3[] = {"1", "2", "9", "*"};
static const long table3[4][4] = {
	{20, 30, 4, 54}, {25, 22, 30, 77}, {35, 28, 29, 92}, {80, 80, 63, 223},
};

static void
table3_cells(sdc_cell *cells)
{
	int r, c, m;

	for (r = 0; r < 4; r++) {
		for (c = 0; c < 4; c++) {
			sdc_cell *cell = &cells[r * 4 + c];
			long v = table3[r][c];
			set_dims(cell, rows3[r], cols3[c], "*");
			cell->value[NZ_CLIENTS] = v;
			cell->value[NZ_HOUSEHOLDS] = v;
			cell->value[NZ_EVENTS] = 3 * v;
			cell->value[NZ_UNITS] = 2 * v;
			cell->kind = SDC_PRIMARY;
			for (m = 0; m < NZ_NMEASURES; m++)
				cell->s[m] = 0;
			if (v < 6)
				cell->s[0] = cell->s[1] = 1;
			if (v < 20)
				cell->s[2] = cell->s[3] = 1;
		}
	}
}

static int
bound_is(const sdc_bound *b, long low, long high, int status)
{
	return b->low == low && b->high == high && b->status == status;
}

/* out[] of sdc_solve for cell i, measure m */
#define B(out, i, m) (&(out)[(i) * NZ_NMEASURES + (m)])

static void
exact_table(void)
{
	nz_rules r = rules(6, 1, 20);
	sdc_cell cells[16];
	sdc_bound out[16 * NZ_NMEASURES];
	size_t stuck = 99;
	sdc_group *g;
	long added;

	table3_cells(cells);
	g = sdc_new(&r, cells, 16, 0, NULL);
	check(g != NULL, "3x3: model built");
	/* one per dimension of `*`: 3 rows, 3 columns, 2 totals */
	check(sdc_nrelations(g) == 8, "3x3: 8 relations");
	check(sdc_solve(g, out) == 4 &&
	    bound_is(B(out, 2, NZ_CLIENTS), 4, 4, SDC_EXPOSED),
	    "3x3: a single S in its row is 54-20-30 = 4 exactly");
	check(bound_is(B(out, 2, NZ_HOUSEHOLDS), 4, 4, SDC_EXPOSED),
	    "3x3: households <= clients = 4, and >= 54-20-30");
	check(bound_is(B(out, 2, NZ_EVENTS), 12, 12, SDC_EXPOSED) &&
	    bound_is(B(out, 2, NZ_UNITS), 8, 8, SDC_EXPOSED),
	    "3x3: events 162-60-90 = 12, units 108-40-60 = 8");

	/* (02,1) for the row; (03,1) for column 1; then (03,9) closes the
	 * rectangle, as it leaves no relation with a single S */
	added = sdc_protect(g, &stuck, NULL);
	check(added == 3, "3x3: protect hides 3 cells");
	check(cells[0].kind == SDC_SECONDARY &&
	    cells[4].kind == SDC_SECONDARY && cells[6].kind == SDC_SECONDARY,
	    "3x3: they are (02,1), (03,1) and (03,9), a rectangle");
	check(cells[0].s[3] && cells[2].kind == SDC_PRIMARY && !cells[8].s[0],
	    "3x3: whole cells, and nowhere else");
	/* x = 4+t, (02,1) = 20-t, (03,1) = 25+t, (03,9) = 30-t; x in 0..5:
	 * t in -4..1; a secondary cell had 6 clients or more */
	check(sdc_solve(g, out) == 0 &&
	    bound_is(B(out, 2, 0), 0, 5, SDC_OK) &&
	    bound_is(B(out, 0, 0), 19, 24, SDC_OK) &&
	    bound_is(B(out, 4, 0), 21, 26, SDC_OK) &&
	    bound_is(B(out, 6, 0), 29, 34, SDC_OK),
	    "3x3: protected: 0..5, 19..24, 21..26, 29..34");
	/* events: 12+u, 60-u, 75+u, 90-u, all 0..inf: u in -12..60 */
	check(bound_is(B(out, 2, NZ_EVENTS), 0, 72, SDC_OK) &&
	    bound_is(B(out, 4, NZ_EVENTS), 63, 135, SDC_OK),
	    "3x3: events protected too: 0..72, 63..135");
	sdc_free(g);
}

/* ---- sdcTable's 4x4 (tests/testthat/test-simpleheuristic.R) ----
 * Nine primary suppressions, at least two in every row and column, yet
 * w|b = 47 follows from rows w+x less columns a+c:
 * (230+250-89-124-31) - (1012+779-92-800-59-651) = 236 - 189.
 * The margins of a and c are sums of the cells (sdcTable's makeProblem
 * computes them; the test file's 1021 and 770 do not add up).  S here
 * hides any value (0..inf), as in sdcTable's attacker model. */
static const char *const sdc_rows[] = {"w", "x", "y", "z", "*"};
static const char *const sdc_cols[] = {"a", "b", "c", "d", "*"};
static const long sdc_inner[4][4] = {
	{30, 47, 64, 89}, {90, 124, 5, 31}, {92, 100, 59, 85},
	{800, 991, 651, 685},
};
static const char *const sdc_primary[] = {
	"wa", "wb", "wc", "xa", "xc", "yb", "yd", "zb", "zd",
};

static long
sdc_value(int r, int c)
{
	long v = 0;
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			if ((r == 4 || r == i) && (c == 4 || c == j))
				v += sdc_inner[i][j];
	return v;
}

static void
sdc_cells(sdc_cell *cells)
{
	char name[3];
	int r, c, m;
	size_t k;

	for (r = 0; r < 5; r++) {
		for (c = 0; c < 5; c++) {
			sdc_cell *cell = &cells[r * 5 + c];
			set_dims(cell, sdc_rows[r], sdc_cols[c], "*");
			/* only clients: the other measures are unknown */
			for (m = 0; m < NZ_NMEASURES; m++) {
				cell->value[m] = m == 0 ? sdc_value(r, c) : 0;
				cell->s[m] = m != 0;
			}
			snprintf(name, sizeof name, "%s%s", sdc_rows[r],
			    sdc_cols[c]);
			for (k = 0; k < sizeof sdc_primary / sizeof *sdc_primary;
			    k++)
				if (strcmp(name, sdc_primary[k]) == 0)
					cell->s[0] = 1;
		}
	}
	/* every S may hide anything: cells all S may be secondary */
	sdc_public_kinds(cells, 25, 1);
}

static void
sdc_table(void)
{
	nz_rules r = rules(6, 1, 0);
	sdc_cell cells[25];
	sdc_bound out[25 * NZ_NMEASURES];
	size_t stuck;
	sdc_group *g;

	r.kind[NZ_HOUSEHOLDS] = r.kind[NZ_EVENTS] =
	    r.kind[NZ_UNITS] = NZ_RULE_UNRULED;
	sdc_cells(cells);
	g = sdc_new(&r, cells, 25, 0, NULL);
	check(sdc_solve(g, out) == 1 &&
	    bound_is(B(out, 1, 0), 47, 47, SDC_EXPOSED),
	    "sdcTable 4x4: w|b is exactly 47 despite 2+ S in every line");
	/* wa+wc = 94, wa+xa = 120, wc+xc = 69: wa in 25..94 */
	check(bound_is(B(out, 0, 0), 25, 94, SDC_OK) &&
	    bound_is(B(out, 2, 0), 0, 69, SDC_OK) &&
	    bound_is(B(out, 5, 0), 26, 95, SDC_OK) &&
	    bound_is(B(out, 16, 0), 906, 1091, SDC_OK),
	    "sdcTable 4x4: the others are 25..94, 0..69, 26..95, 906..1091");
	/* row w and column b both hold 3 S; in row w, w|d = 89 leaves
	 * column d with 3 S, the row total would leave a single S */
	check(sdc_protect(g, &stuck, NULL) == 1 &&
	    cells[3].kind == SDC_SECONDARY,
	    "sdcTable 4x4: protect hides w|d, one cell");
	/* then wb + wd = 136 (households are unruled here: a secondary
	 * cell may have been published in households, whatever its
	 * clients) */
	check(sdc_solve(g, out) == 0 &&
	    bound_is(B(out, 1, 0), 0, 136, SDC_OK) &&
	    bound_is(B(out, 3, 0), 0, 136, SDC_OK),
	    "sdcTable 4x4: then w|b and w|d lie in 0..136");
	sdc_free(g);

	/* sdcTable's own suggestion, x|b as well: wb + xb = 171, wb <= 141 */
	sdc_cells(cells);
	cells[6].s[0] = 1;
	cells[6].kind = SDC_EITHER;
	g = sdc_new(&r, cells, 25, 0, NULL);
	check(sdc_solve(g, out) == 0 &&
	    bound_is(B(out, 1, 0), 0, 141, SDC_OK) &&
	    bound_is(B(out, 6, 0), 30, 171, SDC_OK),
	    "sdcTable 4x4 with x|b: w|b 0..141, x|b 30..171");
	sdc_free(g);
}

/* ---- what one cell says, and the relations between its measures ---- */
static void
one_cell(void)
{
	nz_rules r = rules(6, 3, 20);
	sdc_cell c;
	int m;

	memset(&c, 0, sizeof c);
	set_dims(&c, "01", "*", "*");
	c.value[0] = 7;
	check(sdc_cell_error(&r, &c, &m) != NULL && m == 0,
	    "cell: 7 is not a multiple of base 3");
	c.value[0] = c.value[1] = 3;
	check(sdc_cell_error(&r, &c, &m) != NULL,
	    "cell: a published 3 is impossible under threshold 6, base 3");
	c.value[0] = c.value[1] = 0;
	check(sdc_cell_error(&r, &c, &m) != NULL,
	    "cell: a published 0 is impossible when zeros are suppressed");
	r.suppress_zero = 0;
	c.s[2] = c.s[3] = 1;
	check(sdc_cell_error(&r, &c, &m) == NULL,
	    "cell: ... and possible when they are not");
	r.suppress_zero = 1;
	c.value[0] = 9;
	c.value[1] = 15;
	check(sdc_cell_error(&r, &c, &m) != NULL,
	    "cell: households 13..17 cannot exceed clients 7..11");
	c.value[1] = 9;
	c.s[2] = 0;
	c.value[2] = 30;
	check(sdc_cell_error(&r, &c, &m) != NULL,
	    "cell: events published with 9 clients contradicts 20");
	c.s[0] = c.s[1] = c.s[2] = 1;
	check(sdc_cell_error(&r, &c, &m) == NULL,
	    "cell: S everywhere is fine");
	c.kind = SDC_SECONDARY;
	c.s[0] = 0;
	c.value[0] = 9;
	check(sdc_cell_error(&r, &c, &m) != NULL && m == 0,
	    "cell: a secondary cell publishes nothing");
	c.kind = SDC_PRIMARY;
	c.s[0] = 1;
	check(sdc_new(&r, (sdc_cell[2]){c, c}, 2, 0, NULL) == NULL,
	    "cell: two cells with the same codes are refused");
}

/* The kinds a reader of the release alone gives the cells. */
static void
public_kinds(void)
{
	sdc_cell c[3];
	int m;

	memset(c, 0, sizeof c);
	for (m = 0; m < NZ_NMEASURES; m++)
		c[0].s[m] = c[1].s[m] = 1;
	c[1].s[NZ_CLIENTS] = 0;
	sdc_public_kinds(c, 3, 1);
	check(c[0].kind == SDC_EITHER && c[1].kind == SDC_PRIMARY &&
	    c[2].kind == SDC_PRIMARY, "public: a cell all S may be "
	    "secondary; an S beside a published measure is primary");
	sdc_public_kinds(c, 3, 0);
	check(c[0].kind == SDC_PRIMARY, "public: with no secondary "
	    "suppression recorded, every S is primary");
}

/* Between the measures, the first exposure of issue 19 in small: a
 * total of 21 clients (19..23) and 24 households (22..26) over three
 * regions, 9 + 9 + 6 clients (7..11, 7..11, 6..8) with 9 + 9 + S
 * households.  The regions' clients add up to at most 23, so regions
 * 01 and 02 have at most 23 - 6 = 17 clients, and so at most 17
 * households; the total's 22 households or more need 5 in region 03,
 * whose S says at most 5.  Each measure alone leaves region 03 0..5. */
static void
joint_cells(sdc_cell *c)
{
	static const char *const reg[4] = {"*", "01", "02", "03"};
	static const long cl[4] = {21, 9, 9, 6}, hh[4] = {24, 9, 9, -1};
	int i;

	memset(c, 0, 4 * sizeof *c);
	for (i = 0; i < 4; i++) {
		set_dims(&c[i], reg[i], "*", "*");
		c[i].value[NZ_CLIENTS] = cl[i];
		c[i].value[NZ_HOUSEHOLDS] = hh[i] < 0 ? 0 : hh[i];
		c[i].s[NZ_HOUSEHOLDS] = hh[i] < 0;
		/* sums for 20 clients or more: the total's only */
		c[i].value[NZ_EVENTS] = i == 0 ? 60 : 0;
		c[i].value[NZ_UNITS] = i == 0 ? 30 : 0;
		c[i].s[NZ_EVENTS] = c[i].s[NZ_UNITS] = i > 0;
	}
}

static void
joint_model(void)
{
	nz_rules r = rules(6, 3, 20);
	sdc_cell c[4];
	sdc_bound out[4 * NZ_NMEASURES];
	nz_buf why = {0};
	sdc_group *g;
	size_t cell;
	long added;

	joint_cells(c);
	g = sdc_new(&r, c, 4, 0, NULL);
	check(sdc_solve(g, out) == 1 &&
	    bound_is(B(out, 3, NZ_HOUSEHOLDS), 5, 5, SDC_EXPOSED),
	    "joint: households <= clients in every cell pin region 03's "
	    "households S to 5");
	/* each region's events are at least its clients (one dimension
	 * coded), and they add up to the total's 58..62 */
	check(bound_is(B(out, 1, NZ_EVENTS), 7, 49, SDC_OK),
	    "joint: region 01's events S lie in 7..49 (62 - 7 - 6)");
	check(sdc_violation(g, &cell, &why) < 0,
	    "joint: a consistent group breaks no relation");
	added = sdc_protect(g, NULL, NULL);
	check(added > 0 && sdc_solve(g, out) == 0,
	    "joint: protect hides a cell, and then every S passes");
	sdc_free(g);

	/* households are not additive: regions may hold more than their
	 * total (a household whose clients live apart) */
	joint_cells(c);
	c[3].s[NZ_HOUSEHOLDS] = 0;
	c[3].value[NZ_HOUSEHOLDS] = 6;
	c[0].value[NZ_HOUSEHOLDS] = 21;
	c[1].s[NZ_EVENTS] = 1;
	g = sdc_new(&r, c, 4, 0, NULL);
	check(sdc_solve(g, out) == 0 && sdc_violation(g, &cell, &why) < 0,
	    "joint: regions' households 9 + 9 + 6 over a total of 21 are "
	    "consistent");
	sdc_free(g);

	/* a tampered total: 30 clients over regions of at most 30 */
	joint_cells(c);
	c[0].value[NZ_CLIENTS] = 36;
	g = sdc_new(&r, c, 4, 0, NULL);
	check(sdc_solve(g, out) > 0 && sdc_violation(g, &cell, &why) == 0 &&
	    cell == 0 && strstr(why.s, "single-valued margin is the sum") &&
	    strstr(why.s, "clients of (all) 34..38"),
	    "joint: a tampered total is inconsistent, naming the sum it "
	    "breaks");
	printf("# %s\n", why.s);
	sdc_free(g);
	nz_buf_free(&why);
}

/* ---- random microdata, counted by DESIGN §4 ---- */
#define NREG 4
#define NGEN 3
#define NNEED 4
#define MAXEV 4

struct client {
	int region, gender, household;
	int nev;
	int ev_region[MAXEV];
	unsigned ev_needs[MAXEV];   /* bit per need, never 0 */
	int ev_units[MAXEV];
};

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL +
	    1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static const char *const reg_codes[NREG + 1] = {"01", "02", "03", "04", "*"};
static const char *const gen_codes[NGEN + 1] = {"1", "2", "9", "*"};
static const char *const need_codes[NNEED + 1] = {
	"food", "housing", "debt", "legal", "*",
};

/* does the client (or its event e) fall in the cell? -1 = any */
static int
in_cell(const struct client *c, int reg, int gen, int need)
{
	unsigned needs = 0;
	int e;

	for (e = 0; e < c->nev; e++)
		needs |= c->ev_needs[e];
	return (reg < 0 || c->region == reg) && (gen < 0 || c->gender == gen)
	    && (need < 0 || (needs >> need & 1));
}

static void
count_cell(const struct client *cl, int n, int reg, int gen, int need,
    long raw[NZ_NMEASURES])
{
	unsigned char seen[64];
	int i, e;

	memset(seen, 0, sizeof seen);
	memset(raw, 0, NZ_NMEASURES * sizeof *raw);
	for (i = 0; i < n; i++) {
		if (in_cell(&cl[i], reg, gen, need)) {
			raw[NZ_CLIENTS]++;
			if (!seen[cl[i].household]++)
				raw[NZ_HOUSEHOLDS]++;
		}
		/* events by their own region and needs, the client's gender */
		for (e = 0; e < cl[i].nev; e++) {
			if ((reg >= 0 && cl[i].ev_region[e] != reg) ||
			    (gen >= 0 && cl[i].gender != gen) ||
			    (need >= 0 && !(cl[i].ev_needs[e] >> need & 1)))
				continue;
			raw[NZ_EVENTS]++;
			raw[NZ_UNITS] += cl[i].ev_units[e];
		}
	}
}

/* random rounding to base 3 (DESIGN §5) */
static long
rr3(long raw)
{
	long res = raw % 3;

	if (res == 1)
		return rnd(3) < 2 ? raw - 1 : raw + 2;
	if (res == 2)
		return rnd(3) < 2 ? raw + 1 : raw - 2;
	return raw;
}

/* The value on most of a client's events (ties: the first code), as
 * aggregate settles a single-valued dimension. */
static int
modal_region(const struct client *c)
{
	int count[NREG] = {0}, e, k, best = 0;

	for (e = 0; e < c->nev; e++)
		count[c->ev_region[e]]++;
	for (k = 1; k < NREG; k++)
		if (count[k] > count[best])
			best = k;
	return best;
}

static void
make_clients(struct client *cl, int n)
{
	int i, e, home;

	for (i = 0; i < n; i++) {
		home = (int)rnd(NREG);
		cl[i].gender = (int)rnd(NGEN);
		cl[i].household = (int)rnd(64);
		cl[i].nev = 1 + (int)rnd(MAXEV);
		for (e = 0; e < cl[i].nev; e++) {
			/* events count by their own region, clients by
			 * their modal one: some events differ */
			cl[i].ev_region[e] = rnd(4) == 0 ? (int)rnd(NREG) :
			    home;
			cl[i].ev_needs[e] = 1 + rnd((1u << NNEED) - 1);
			cl[i].ev_units[e] = (int)rnd(4);
		}
		cl[i].region = modal_region(&cl[i]);
	}
}

/* region x gender and region x need, all margins: (5*4) + (4*4 + 4);
 * linked: gender x need too (3*4 more), three tables over one latent
 * region x gender x need table */
static size_t
make_release(const struct client *cl, int n, sdc_cell *cells,
    long raw[][NZ_NMEASURES], int rounded, int linked)
{
	size_t k = 0, ncells;
	int r, g, d, m;

	for (r = 0; r <= NREG; r++) {
		for (g = 0; g <= NGEN; g++) {
			set_dims(&cells[k], reg_codes[r], gen_codes[g], "*");
			count_cell(cl, n, r < NREG ? r : -1, g < NGEN ? g : -1,
			    -1, raw[k]);
			k++;
		}
		for (d = 0; d < NNEED; d++) {
			set_dims(&cells[k], reg_codes[r], "*", need_codes[d]);
			count_cell(cl, n, r < NREG ? r : -1, -1, d, raw[k]);
			k++;
		}
	}
	for (g = 0; linked && g < NGEN; g++)
		for (d = 0; d < NNEED; d++) {
			set_dims(&cells[k], "*", gen_codes[g], need_codes[d]);
			count_cell(cl, n, -1, g, d, raw[k]);
			k++;
		}
	ncells = k;
	for (k = 0; k < ncells; k++) {
		cells[k].kind = SDC_PRIMARY;
		for (m = 0; m < NZ_NMEASURES; m++) {
			int person = m < 2;
			int small = person ? raw[k][m] < 6 :
			    raw[k][NZ_CLIENTS] < 20;
			cells[k].s[m] = (unsigned char)small;
			cells[k].value[m] = small ? 0 : rounded ?
			    rr3(raw[k][m]) : raw[k][m];
		}
		/* as suppress publishes them */
		if (!cells[k].s[0] && !cells[k].s[1] &&
		    cells[k].value[1] > cells[k].value[0])
			cells[k].value[1] = cells[k].value[0];
	}
	return ncells;
}

static int
holds_truth(sdc_group *g, size_t n, long raw[][NZ_NMEASURES],
    const sdc_cell *cells, int *exposed)
{
	sdc_bound out[128 * NZ_NMEASURES];
	size_t i;
	int m, ok = 1;

	*exposed += (int)sdc_solve(g, out);
	for (i = 0; i < n; i++) {
		for (m = 0; m < NZ_NMEASURES; m++) {
			const sdc_bound *b = B(out, i, m);
			if (!cells[i].s[m])
				continue;
			if (b->status == SDC_INCONSISTENT ||
			    raw[i][m] < b->low || raw[i][m] > b->high) {
				printf("# trial cell %zu %s: true %ld, interval "
				    "%lld..%lld status %d\n", i,
				    nz_measure_names[m], raw[i][m],
				    (long long)b->low, (long long)b->high,
				    b->status);
				ok = 0;
			}
		}
	}
	return ok;
}

/* Rounding leaves fewer S exposed: more trials find some. */
static void
random_tables(int rounded, int trials, const char *label)
{
	nz_rules r = rules(6, rounded ? 3 : 1, 20);
	struct client cl[120];
	sdc_cell cells[128];
	long raw[128][NZ_NMEASURES];
	int trial, truth = 1, protect_ok = 1, exposed = 0, after = 0;
	char what[160];
	size_t n;

	rng_state = 20260701 + (unsigned)rounded;
	for (trial = 0; trial < trials; trial++) {
		int nclients = 15 + (int)rnd(100);
		sdc_group *g;
		make_clients(cl, nclients);
		n = make_release(cl, nclients, cells, raw, rounded, 0);
		g = sdc_new(&r, cells, n, 0, NULL);
		truth &= holds_truth(g, n, raw, cells, &exposed);
		if (sdc_protect(g, NULL, NULL) < 0)
			protect_ok = 0;
		truth &= holds_truth(g, n, raw, cells, &after);
		/* what a reader of the release alone proves holds it too */
		sdc_public_kinds(cells, n, 1);
		sdc_free(g);
		g = sdc_new(&r, cells, n, 0, NULL);
		truth &= holds_truth(g, n, raw, cells, &after);
		sdc_free(g);
	}
	snprintf(what, sizeof what, "%s: every S interval holds the true "
	    "value, before and after protect", label);
	check(truth, what);
	snprintf(what, sizeof what, "%s: protect leaves no S exposed "
	    "(%d exposed before)", label, exposed);
	check(protect_ok && after == 0 && exposed > 0, what);
}

/* For a status alone (sdc_solve_vars, as protect solves) the engine
 * stops at integer points three apart and calls an S exposed from LP
 * ends fewer than three apart: every status must be the one exact
 * integer ends (SDC_EXACT) give, and on some tables the points met must
 * not settle it, so that a MIP runs.  Where LP ends are three apart and
 * the points met are not, a point two beyond them (status_point)
 * settles it: that must happen on some tables, and the statuses must
 * still be exact. */
static void
status_shortcuts(void)
{
	nz_rules r = rules(6, 3, 20);
	struct client cl[120];
	sdc_cell cells[128];
	long raw[128][NZ_NMEASURES];
	sdc_bound exact[128 * NZ_NMEASURES], fast[128 * NZ_NMEASURES + 1];
	size_t targets[128 * NZ_NMEASURES], n, i, nt;
	int trial, same = 1, exposed = 0, mip_ran = 0;
	unsigned long lps, mips, nearer = 0;
	char what[160];

	rng_state = 20261206;
	for (trial = 0; trial < 60; trial++) {
		int nclients = 15 + (int)rnd(100);
		sdc_group *g;
		make_clients(cl, nclients);
		n = make_release(cl, nclients, cells, raw, 1, trial % 2);
		g = sdc_new(&r, cells, n, SDC_EXACT, NULL);
		sdc_solve(g, exact);
		sdc_free(g);
		g = sdc_new(&r, cells, n, 0, NULL);
		for (i = 0, nt = 0; i < n * NZ_NMEASURES; i++)
			if (cells[i / NZ_NMEASURES].s[i % NZ_NMEASURES])
				targets[nt++] = i;
		sdc_solve_vars(g, targets, nt, 1, fast);
		sdc_counts(g, &lps, &mips);
		mip_ran += mips > 0;
		nearer += g->status_points;
		for (i = 0; i < nt; i++) {
			exposed += exact[targets[i]].status == SDC_EXPOSED;
			if (fast[targets[i]].status != exact[targets[i]].status)
				same = 0;
		}
		sdc_free(g);
	}
	snprintf(what, sizeof what, "statuses alone: the same as exact ends "
	    "give (%d exposed; a MIP ran on %d tables; %lu settled by a "
	    "point two beyond those met)", exposed, mip_ran, nearer);
	check(same && exposed > 0 && mip_ran > 0 && nearer > 0, what);
}

/* For a status alone the broad solves cap each open target two above
 * the least value it took in a point met, or above its lower bound
 * before any point is met, and keep the caps from colour to colour; a
 * capped solve that finds no point lifts them all (broad.c).  Once a
 * point is met, the last one met keeps every cap (those set before it
 * held when it was found; one set after lies above it, as the values
 * an open target took span fewer than 3), so only a component whose
 * first vertices were fractional, with no integer point near them,
 * reaches the lift: none of the random tables above does.  This one
 * does, a 2x2 of clients rounded to base 3 (a published v is
 * v-2..v+2), the other measures S and unruled, as in sdcTable's 4x4:
 *
 *          1     2     *
 *   01    (a)    9   [R1]     (a) a primary S, 0..5
 *   02     9    18   [R2]     [..] hidden whole (secondary)
 *   *    [C1]  [C2]   39
 *
 * Every target down at once, the vertex is fractional (both 9s at 8.5)
 * with no integer point near it, so each cap is its target's lower
 * bound plus 2.  Colour 0 holds a, R2 and C2 (no row holds two; with
 * other measures' S), capped at a <= 2, R2 <= 25, C2 <= 25: each alone
 * is met (a = 0 beside 9, 9, 19; R2 = 23 as 7 + 16 beside 3 + 11), the
 * three are not: a total of 37 or more leaves b + c + d >= 35 when
 * a <= 2, and R2 + C2 = b + c + 2d <= 50 then holds d to 15, under the
 * 16 the published 18 allows.  Lifted, the caps of colour 1 (R1 and
 * C1 <= 9) leave a point, which settles every target; left on, no
 * later colour would meet one, and the second pass would solve colour
 * 0 in vain again.  So exactly one capped solve finds no point, and
 * the statuses are those of exact ends (SDC_EXACT, no caps): every S
 * passes. */
static const long capped_table[3][3] = {   /* -1 primary S, -2 hidden */
	{-1, 9, -2}, {9, 18, -2}, {-2, -2, 39},
};

static void
capped_broad(void)
{
	static const char *const reg[] = {"01", "02", "*"};
	static const char *const gen[] = {"1", "2", "*"};
	nz_rules r = rules(6, 3, 0);
	sdc_cell cells[9];
	sdc_bound exact[9 * NZ_NMEASURES], fast[9 * NZ_NMEASURES];
	size_t targets[9 * NZ_NMEASURES], nt = 0, i;
	unsigned long lifted;
	int m, same = 1;
	char what[160];
	sdc_group *g;

	r.kind[NZ_HOUSEHOLDS] = r.kind[NZ_EVENTS] =
	    r.kind[NZ_UNITS] = NZ_RULE_UNRULED;
	memset(cells, 0, sizeof cells);
	for (i = 0; i < 9; i++) {
		long v = capped_table[i / 3][i % 3];
		set_dims(&cells[i], reg[i / 3], gen[i % 3], "*");
		cells[i].kind = v == -2 ? SDC_SECONDARY : SDC_PRIMARY;
		cells[i].value[NZ_CLIENTS] = v < 0 ? 0 : v;
		for (m = 0; m < NZ_NMEASURES; m++)
			cells[i].s[m] = m != NZ_CLIENTS || v < 0;
	}
	for (i = 0; i < 9 * NZ_NMEASURES; i++)
		if (cells[i / NZ_NMEASURES].s[i % NZ_NMEASURES])
			targets[nt++] = i;
	g = sdc_new(&r, cells, 9, SDC_EXACT, NULL);
	check(sdc_solve(g, exact) == 0 &&
	    bound_is(B(exact, 0, 0), 0, 5, SDC_OK) &&
	    bound_is(B(exact, 2, 0), 7, 16, SDC_OK) &&
	    bound_is(B(exact, 5, 0), 23, 31, SDC_OK) &&
	    bound_is(B(exact, 6, 0), 7, 16, SDC_OK) &&
	    bound_is(B(exact, 7, 0), 23, 31, SDC_OK),
	    "capped: exact ends, every S passes: a 0..5, R1 and C1 7..16, "
	    "R2 and C2 23..31");
	sdc_free(g);
	g = sdc_new(&r, cells, 9, 0, NULL);
	sdc_solve_vars(g, targets, nt, 1, fast);
	lifted = g->caps_lifted;
	sdc_free(g);
	for (i = 0; i < nt; i++)
		same &= fast[targets[i]].status == exact[targets[i]].status;
	snprintf(what, sizeof what, "capped: the caps together left no "
	    "point, were lifted, and the next colour met one (%lu capped "
	    "solves met none)", lifted);
	check(lifted == 1, what);
	check(same, "capped: statuses alone the same as exact ends give");
}

/* The latent cross-classification (SDC_LATENT): with a third table
 * linking the other two, every interval still holds the true value,
 * none is wider than without it, and some are narrower. */
static void
latent_tables(void)
{
	nz_rules r = rules(6, 3, 20);
	struct client cl[120];
	sdc_cell cells[128];
	long raw[128][NZ_NMEASURES];
	sdc_bound plain[128 * NZ_NMEASURES], latent[128 * NZ_NMEASURES];
	int trial, exposed = 0, truth = 1, inside = 1, narrower = 0;
	char what[120];
	size_t n, i;
	sdc_group *g;

	rng_state = 20261201;
	for (trial = 0; trial < 15; trial++) {
		int nclients = 15 + (int)rnd(100);
		make_clients(cl, nclients);
		n = make_release(cl, nclients, cells, raw, 1, 1);
		g = sdc_new(&r, cells, n, SDC_EXACT, NULL);
		sdc_solve(g, plain);
		sdc_free(g);
		g = sdc_new(&r, cells, n, SDC_LATENT | SDC_EXACT, NULL);
		truth &= holds_truth(g, n, raw, cells, &exposed);
		sdc_solve(g, latent);
		sdc_free(g);
		for (i = 0; i < n * NZ_NMEASURES; i++) {
			if (!cells[i / NZ_NMEASURES].s[i % NZ_NMEASURES])
				continue;
			inside &= latent[i].low >= plain[i].low &&
			    latent[i].high <= plain[i].high;
			narrower += latent[i].low > plain[i].low ||
			    latent[i].high < plain[i].high;
		}
	}
	check(truth, "latent: every S interval holds the true value");
	snprintf(what, sizeof what, "latent: intervals within the plain "
	    "model's, %d narrower", narrower);
	check(inside && narrower > 0, what);
}

/* Whole cells hidden by secondary suppression may hide anything: a
 * total, a region's total and a gender's column hidden whole leave
 * cells with no upper end (a reader can add any number of clients along
 * them).  One LP over the recession cone finds them all (rays.c): the
 * bounds must be those that each target's own solve gives
 * (SDC_RAYS_ALONE), with fewer LPs, and every interval holds the true
 * value. */
static void
ray_targets(void)
{
	nz_rules r = rules(6, 3, 20);
	struct client cl[120];
	sdc_cell cells[128];
	long raw[128][NZ_NMEASURES];
	sdc_bound one[128 * NZ_NMEASURES], alone[128 * NZ_NMEASURES];
	unsigned long lps_one = 0, lps_alone = 0, lps, mips;
	int trial, same = 1, truth = 1, exposed = 0, rays = 0;
	size_t n, i, k;
	char what[160];
	sdc_group *g;

	rng_state = 20261207;
	for (trial = 0; trial < 30; trial++) {
		int nclients = 15 + (int)rnd(100);
		make_clients(cl, nclients);
		n = make_release(cl, nclients, cells, raw, 1, trial % 2);
		/* hide whole, as secondary suppression does (a cell with
		 * every measure published): the grand total, one region's
		 * total and one gender's column total, and a few cells at
		 * random */
		for (k = 0; k < n; k++) {
			const char *reg = cells[k].dim[0], *gen = cells[k].dim[2];
			int margin = strcmp(cells[k].dim[7], "*") == 0 &&
			    ((strcmp(gen, "*") == 0 && (strcmp(reg, "*") == 0 ||
			    strcmp(reg, reg_codes[trial % NREG]) == 0)) ||
			    (strcmp(reg, "*") == 0 &&
			    strcmp(gen, gen_codes[trial % NGEN]) == 0));
			if (cells[k].s[0] | cells[k].s[1] | cells[k].s[2] |
			    cells[k].s[3] || (!margin && rnd(8) != 0))
				continue;
			cells[k].kind = SDC_SECONDARY;
			for (i = 0; i < NZ_NMEASURES; i++) {
				cells[k].s[i] = 1;
				cells[k].value[i] = 0;
			}
		}
		g = sdc_new(&r, cells, n, 0, NULL);
		truth &= holds_truth(g, n, raw, cells, &exposed);
		sdc_free(g);
		g = sdc_new(&r, cells, n, 0, NULL);
		sdc_solve(g, one);
		sdc_counts(g, &lps, &mips);
		lps_one += lps;
		sdc_free(g);
		g = sdc_new(&r, cells, n, SDC_RAYS_ALONE, NULL);
		sdc_solve(g, alone);
		sdc_counts(g, &lps, &mips);
		lps_alone += lps;
		sdc_free(g);
		for (i = 0; i < n * NZ_NMEASURES; i++) {
			if (!cells[i / NZ_NMEASURES].s[i % NZ_NMEASURES])
				continue;
			rays += one[i].high == SDC_INF;
			if (one[i].low != alone[i].low ||
			    one[i].high != alone[i].high ||
			    one[i].status != alone[i].status) {
				printf("# trial %d cell %zu measure %zu: %lld..%lld "
				    "against %lld..%lld alone\n", trial,
				    i / NZ_NMEASURES, i % NZ_NMEASURES,
				    (long long)one[i].low, (long long)one[i].high,
				    (long long)alone[i].low,
				    (long long)alone[i].high);
				same = 0;
			}
		}
	}
	check(truth, "rays: every S interval holds the true value");
	snprintf(what, sizeof what, "rays: %d S with no upper end, the same "
	    "bounds as their own solves give, in %lu LPs instead of %lu",
	    rays, lps_one, lps_alone);
	check(same && rays > 0 && lps_one < lps_alone, what);
}

int
main(void)
{
	nz_setprog("test-sdc");
	exact_table();
	sdc_table();
	one_cell();
	public_kinds();
	joint_model();
	random_tables(0, 40, "random microdata, no rounding");
	random_tables(1, 100, "random microdata, RR3");
	status_shortcuts();
	capped_broad();
	ray_targets();
	latent_tables();
	return failures ? 1 : 0;
}
