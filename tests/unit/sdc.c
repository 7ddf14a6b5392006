/* audit.c: the audit engine (filters/lib/audit.c) on tables whose
 * answers are worked out by hand, and on random microdata counted by the
 * rules of DESIGN §4, where every interval must hold the true value. */
#include <stdlib.h>
#include <string.h>

#include "nz.h"
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
set_dims(nz_audit_cell *c, const char *region, const char *gender,
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
table3_cells(nz_audit_cell *cells)
{
	int r, c, m;

	for (r = 0; r < 4; r++) {
		for (c = 0; c < 4; c++) {
			nz_audit_cell *cell = &cells[r * 4 + c];
			long v = table3[r][c];
			set_dims(cell, rows3[r], cols3[c], "*");
			cell->value[NZ_CLIENTS] = v;
			cell->value[NZ_HOUSEHOLDS] = v;
			cell->value[NZ_EVENTS] = 3 * v;
			cell->value[NZ_UNITS] = 2 * v;
			for (m = 0; m < NZ_NMEASURES; m++)
				cell->state[m] = NZ_AUDIT_PUBLISHED;
			if (v < 6)
				cell->state[0] = cell->state[1] =
				    NZ_AUDIT_PRIMARY;
			if (v < 20)
				cell->state[2] = cell->state[3] =
				    NZ_AUDIT_PRIMARY;
		}
	}
}

static int
bound_is(const nz_audit_bound *b, long low, long high, int status)
{
	return b->low == low && b->high == high && b->status == status;
}

static void
exact_table(void)
{
	nz_rules r = rules(6, 1, 20);
	nz_audit_cell cells[16];
	nz_audit_bound out[16];
	size_t stuck = 99;
	nz_audit *a;
	long added;

	table3_cells(cells);
	a = nz_audit_new(&r, cells, 16, 0, NULL);
	check(a != NULL, "3x3: audit built");
	/* two equalities per dimension of `*`: 3 rows, 3 columns, 2 totals */
	check(nz_audit_nrelations(a) == 8, "3x3: 8 relations");
	check(nz_audit_solve(a, NZ_CLIENTS, out) == 1 &&
	    bound_is(&out[2], 4, 4, NZ_AUDIT_EXPOSED),
	    "3x3: a single S in its row is 54-20-30 = 4 exactly");
	check(nz_audit_solve(a, NZ_HOUSEHOLDS, out) == 1 &&
	    bound_is(&out[2], 4, 4, NZ_AUDIT_EXPOSED),
	    "3x3: households <= clients = 4, and >= 54-20-30");
	check(nz_audit_solve(a, NZ_EVENTS, out) == 1 &&
	    bound_is(&out[2], 12, 12, NZ_AUDIT_EXPOSED),
	    "3x3: events 162-60-90 = 12");
	check(nz_audit_cheapest(a, NZ_CLIENTS, 2) == 0,
	    "3x3: cheapest for (02,9) is (02,1) = 20 in its row");

	/* (02,1) for the row; (03,1) for column 1; then (03,9) closes the
	 * rectangle, as it leaves no relation with a single S */
	added = nz_audit_protect(a, &stuck, NULL);
	check(added == 3, "3x3: protect adds 3 secondary suppressions");
	check(cells[0].state[0] == NZ_AUDIT_SECONDARY &&
	    cells[4].state[0] == NZ_AUDIT_SECONDARY &&
	    cells[6].state[0] == NZ_AUDIT_SECONDARY,
	    "3x3: they are (02,1), (03,1) and (03,9), a rectangle");
	check(cells[0].state[3] == NZ_AUDIT_SECONDARY &&
	    cells[8].state[0] == NZ_AUDIT_PUBLISHED,
	    "3x3: in every measure, and nowhere else");
	/* x = 4+t, (02,1) = 20-t, (03,1) = 25+t, (03,9) = 30-t; x in 0..5:
	 * t in -4..1 */
	check(nz_audit_solve(a, NZ_CLIENTS, out) == 0 &&
	    bound_is(&out[2], 0, 5, NZ_AUDIT_OK) &&
	    bound_is(&out[0], 19, 24, NZ_AUDIT_OK) &&
	    bound_is(&out[4], 21, 26, NZ_AUDIT_OK) &&
	    bound_is(&out[6], 29, 34, NZ_AUDIT_OK),
	    "3x3: protected: 0..5, 19..24, 21..26, 29..34");
	/* events: 12+u, 60-u, 75+u, 90-u, all 0..inf: u in -12..60 */
	check(nz_audit_solve(a, NZ_EVENTS, out) == 0 &&
	    bound_is(&out[2], 0, 72, NZ_AUDIT_OK) &&
	    bound_is(&out[4], 63, 135, NZ_AUDIT_OK),
	    "3x3: events protected too: 0..72, 63..135");
	nz_audit_free(a);
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
sdc_cells(nz_audit_cell *cells)
{
	char name[3];
	int r, c, m;
	size_t k;

	for (r = 0; r < 5; r++) {
		for (c = 0; c < 5; c++) {
			nz_audit_cell *cell = &cells[r * 5 + c];
			set_dims(cell, sdc_rows[r], sdc_cols[c], "*");
			/* only clients: the other measures are unknown */
			for (m = 0; m < NZ_NMEASURES; m++) {
				cell->value[m] = m == 0 ? sdc_value(r, c) : 0;
				cell->state[m] = m == 0 ? NZ_AUDIT_PUBLISHED :
				    NZ_AUDIT_PRIMARY;
			}
			snprintf(name, sizeof name, "%s%s", sdc_rows[r],
			    sdc_cols[c]);
			for (k = 0; k < sizeof sdc_primary / sizeof *sdc_primary;
			    k++)
				if (strcmp(name, sdc_primary[k]) == 0)
					cell->state[0] = NZ_AUDIT_PRIMARY;
		}
	}
}

static void
sdc_table(void)
{
	nz_rules r = rules(6, 1, 0);
	nz_audit_cell cells[25];
	nz_audit_bound out[25];
	size_t stuck;
	nz_audit *a;

	r.kind[NZ_HOUSEHOLDS] = r.kind[NZ_EVENTS] =
	    r.kind[NZ_UNITS] = NZ_RULE_UNRULED;
	sdc_cells(cells);
	a = nz_audit_new(&r, cells, 25, NZ_AUDIT_UNBOUNDED_S, NULL);
	check(nz_audit_solve(a, NZ_CLIENTS, out) == 1 &&
	    bound_is(&out[1], 47, 47, NZ_AUDIT_EXPOSED),
	    "sdcTable 4x4: w|b is exactly 47 despite 2+ S in every line");
	/* wa+wc = 94, wa+xa = 120, wc+xc = 69: wa in 25..94 */
	check(bound_is(&out[0], 25, 94, NZ_AUDIT_OK) &&
	    bound_is(&out[2], 0, 69, NZ_AUDIT_OK) &&
	    bound_is(&out[5], 26, 95, NZ_AUDIT_OK) &&
	    bound_is(&out[16], 906, 1091, NZ_AUDIT_OK),
	    "sdcTable 4x4: the others are 25..94, 0..69, 26..95, 906..1091");
	/* row w and column b both hold 3 S; in row w, w|d = 89 leaves
	 * column d with 3 S, the row total would leave a single S */
	check(nz_audit_protect(a, &stuck, NULL) == 1 &&
	    cells[3].state[0] == NZ_AUDIT_SECONDARY,
	    "sdcTable 4x4: protect suppresses w|d, one cell");
	/* then wb + wd = 136 */
	check(nz_audit_solve(a, NZ_CLIENTS, out) == 0 &&
	    bound_is(&out[1], 0, 136, NZ_AUDIT_OK) &&
	    bound_is(&out[3], 0, 136, NZ_AUDIT_OK),
	    "sdcTable 4x4: then w|b and w|d lie in 0..136");
	nz_audit_free(a);

	/* sdcTable's own suggestion, x|b as well: wb + xb = 171, wb <= 141 */
	sdc_cells(cells);
	cells[6].state[0] = NZ_AUDIT_SECONDARY;
	a = nz_audit_new(&r, cells, 25, NZ_AUDIT_UNBOUNDED_S, NULL);
	check(nz_audit_solve(a, NZ_CLIENTS, out) == 0 &&
	    bound_is(&out[1], 0, 141, NZ_AUDIT_OK) &&
	    bound_is(&out[6], 30, 171, NZ_AUDIT_OK),
	    "sdcTable 4x4 with x|b: w|b 0..141, x|b 30..171");
	nz_audit_free(a);
}

/* ---- the bounds a published value or an S gives ---- */
static void
bounds(void)
{
	nz_rules r = rules(6, 3, 20);
	nz_audit_cell c;
	int m;

	memset(&c, 0, sizeof c);
	set_dims(&c, "01", "*", "*");
	c.value[0] = 7;
	check(nz_audit_cell_error(&r, 0, &c, &m) != NULL && m == 0,
	    "bounds: 7 is not a multiple of base 3");
	c.value[0] = c.value[1] = 3;
	check(nz_audit_cell_error(&r, 0, &c, &m) != NULL,
	    "bounds: a published 3 is impossible under threshold 6, base 3");
	c.value[0] = c.value[1] = 0;
	check(nz_audit_cell_error(&r, 0, &c, &m) != NULL,
	    "bounds: a published 0 is impossible when zeros are suppressed");
	r.suppress_zero = 0;
	c.state[2] = c.state[3] = NZ_AUDIT_PRIMARY;
	check(nz_audit_cell_error(&r, 0, &c, &m) == NULL,
	    "bounds: ... and possible when they are not");
	r.suppress_zero = 1;
	c.value[0] = 9;
	c.value[1] = 15;
	check(nz_audit_cell_error(&r, 0, &c, &m) != NULL,
	    "bounds: households 13..17 cannot exceed clients 7..11");
	c.value[1] = 9;
	c.state[2] = NZ_AUDIT_PUBLISHED;
	c.value[2] = 30;
	check(nz_audit_cell_error(&r, 0, &c, &m) != NULL,
	    "bounds: events published with 9 clients contradicts 20");
	c.state[0] = c.state[1] = NZ_AUDIT_PRIMARY;
	c.state[2] = NZ_AUDIT_PRIMARY;
	check(nz_audit_cell_error(&r, 0, &c, &m) == NULL,
	    "bounds: S everywhere is fine");
	check(nz_audit_new(&r, (nz_audit_cell[2]){c, c}, 2, 0, NULL) == NULL,
	    "bounds: two cells with the same codes are refused");
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

static void
make_clients(struct client *cl, int n)
{
	int i, e;

	for (i = 0; i < n; i++) {
		cl[i].region = (int)rnd(NREG);
		cl[i].gender = (int)rnd(NGEN);
		cl[i].household = (int)rnd(64);
		cl[i].nev = 1 + (int)rnd(MAXEV);
		for (e = 0; e < cl[i].nev; e++) {
			/* events count by their own region, clients by the
			 * client's (modal) one: some events differ */
			cl[i].ev_region[e] = rnd(4) == 0 ? (int)rnd(NREG) :
			    cl[i].region;
			cl[i].ev_needs[e] = 1 + rnd((1u << NNEED) - 1);
			cl[i].ev_units[e] = (int)rnd(4);
		}
	}
}

/* region x gender and region x need, all margins: (5*4) + (4*4 + 4) */
static size_t
make_release(const struct client *cl, int n, nz_audit_cell *cells,
    long raw[][NZ_NMEASURES], int rounded)
{
	size_t k = 0;
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
	for (k = 0; k < (size_t)(NREG + 1) * (NGEN + 1 + NNEED); k++) {
		for (m = 0; m < NZ_NMEASURES; m++) {
			int person = m < 2;
			int small = person ? raw[k][m] < 6 :
			    raw[k][NZ_CLIENTS] < 20;
			cells[k].state[m] = small ? NZ_AUDIT_PRIMARY :
			    NZ_AUDIT_PUBLISHED;
			cells[k].value[m] = small ? 0 : rounded ?
			    rr3(raw[k][m]) : raw[k][m];
		}
	}
	return k;
}

static int
holds_truth(nz_audit *a, size_t n, long raw[][NZ_NMEASURES],
    const nz_audit_cell *cells, int *exposed)
{
	nz_audit_bound out[128];
	size_t i;
	int m, ok = 1;

	for (m = 0; m < NZ_NMEASURES; m++) {
		*exposed += (int)nz_audit_solve(a, m, out);
		for (i = 0; i < n; i++) {
			if (cells[i].state[m] == NZ_AUDIT_PUBLISHED)
				continue;
			if (out[i].status == NZ_AUDIT_INCONSISTENT ||
			    raw[i][m] < out[i].low || raw[i][m] > out[i].high) {
				printf("# trial cell %zu %s: true %ld, interval "
				    "%ld..%ld status %d\n", i,
				    nz_measure_names[m], raw[i][m], out[i].low,
				    out[i].high, out[i].status);
				ok = 0;
			}
		}
	}
	return ok;
}

static void
random_tables(int rounded, const char *label)
{
	nz_rules r = rules(6, rounded ? 3 : 1, 20);
	struct client cl[120];
	nz_audit_cell cells[128];
	long raw[128][NZ_NMEASURES];
	int trial, truth = 1, protect_ok = 1, exposed = 0, after = 0;
	char what[160];
	size_t n;

	rng_state = 20260701 + (unsigned)rounded;
	for (trial = 0; trial < 40; trial++) {
		int nclients = 15 + (int)rnd(100);
		nz_audit *a;
		make_clients(cl, nclients);
		n = make_release(cl, nclients, cells, raw, rounded);
		a = nz_audit_new(&r, cells, n, 0, NULL);
		truth &= holds_truth(a, n, raw, cells, &exposed);
		if (nz_audit_protect(a, NULL, NULL) < 0)
			protect_ok = 0;
		truth &= holds_truth(a, n, raw, cells, &after);
		nz_audit_free(a);
	}
	snprintf(what, sizeof what, "%s: every S interval holds the true "
	    "value, before and after protect", label);
	check(truth, what);
	snprintf(what, sizeof what, "%s: protect leaves no S exposed "
	    "(%d exposed before)", label, exposed);
	check(protect_ok && after == 0 && exposed > 0, what);
}

int
main(void)
{
	nz_setprog("test-audit");
	exact_table();
	sdc_table();
	bounds();
	random_tables(0, "random microdata, no rounding");
	random_tables(1, "random microdata, RR3");
	return failures ? 1 : 0;
}
