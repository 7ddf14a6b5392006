/* aggregate: bucketed events to internal cells (DESIGN §3, §4).
 *
 * The first pass over the rows keeps, per (period, client), a compact
 * state: the first value of each single-valued dimension with its count
 * (other values spill into a shared overflow pool), a bitset of the
 * multi-valued codes seen, and the household key counts; and it writes
 * each row's client, values and units (32 bytes) to a temporary file.
 * Then each client's flow measures are settled from its quarters (the
 * lookback) while a second thread settles its modal values and household
 * and orders the clients by period and household.  Then, period by
 * period on whichever thread is free (see finish), the second pass reads
 * the period's rows back to count events and units into the cells of
 * each row's own values and its client's flow measures, each client is
 * added to every cell it belongs to, and the period's cells are written
 * once those before it are.  Memory grows with distinct clients per
 * period and with cells, never with rows (the temporary file does);
 * every sum is order-free, so shuffled input gives byte-identical
 * output.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nz.h"

/* ---- dimensions (schema.c) ---- */

#define NDIM NZ_NDIMS
/* the client state below keeps a count per single-valued event dimension
 * (a column of the events): the schema's must number exactly this
 * (checked) */
#define NSINGLE 6
/* the flow measures (issue 16): single-valued dimensions that are no
 * event column, settled per client and quarter from its events in and
 * before the quarter (flow-bands.json) */
enum { F_STATUS, F_VISITS, F_NEEDS, F_TENURE, NFLOW };
static const char *const flow_dim_name[NFLOW] = {"client_status",
	"visits_band", "needs_band", "tenure_band"};
#define MULTI_BITS 64      /* all multi-valued codes share one uint64 */
#define MAX_CODES 255        /* axis indexes are bytes */

/* Where things are in a bucketed row, from the schema. */
static int C_AGENCY, C_PERIOD, C_CLIENT, C_HHKEY, C_UNITS;
static int dim_col[NDIM];
/* outcome (issue 23): no event column; a client's values in a period come
 * from pair-outcomes (--outcomes), joined by client_key and period */
static int OUTCOME_DIM;

static void
find_columns(void)
{
	int d;

	C_AGENCY = nz_col_index(NZ_COLS_BUCKETED, "agency");
	C_PERIOD = nz_col_index(NZ_COLS_BUCKETED, "period");
	C_CLIENT = nz_col_index(NZ_COLS_BUCKETED, "client_key");
	C_HHKEY = nz_col_index(NZ_COLS_BUCKETED, "household_key");
	C_UNITS = nz_col_index(NZ_COLS_BUCKETED, "units");
	for (d = 0; d < NDIM; d++)
		dim_col[d] = nz_col_index(NZ_COLS_BUCKETED, nz_dims[d].name);
	OUTCOME_DIM = nz_dim_index("outcome");
}

/* The values a dimension can take in cells: its code list, except that
 * region keeps only the covered regions.  Index = code-list order. */
struct axis {
	nz_codes *list;        /* the whole code list */
	size_t n;
	const char **code;
	int *slot;             /* code-list index -> axis index or -1 */
	int single;            /* index among single-valued event dims, or -1 */
	int flow;              /* F_STATUS... for a flow measure, or -1 */
	int bit0;              /* first bit in client multi bitset */
};

/* Every dimension set (a table's or any of its margins) is a mask of
 * dims; its cells lie at offset + sum(axis index * stride). */
struct mask {
	unsigned bits;
	int ndims;
	int dim[NDIM];
	uint32_t stride[NDIM];
	uint32_t offset, ncells;
};

struct layout {
	struct axis axis[NDIM];
	struct mask *mask;
	size_t nmasks;
	uint32_t ncells;
	uint32_t *order;       /* cells in output order */
	uint8_t *coord;        /* per cell, NDIM bytes: 0 '*', else 1+axis */
};

/* ---- per (period, client) state: 80 bytes ---- */

#define HH_DIM NSINGLE     /* overflow entries for household keys */

struct client {
	uint8_t key[16];
	uint64_t multi;                /* multi-valued codes seen */
	uint32_t count[NSINGLE + 1];   /* events with code[] / household */
	uint32_t household;            /* first household id, 0 none */
	uint32_t more;                 /* overflow list head, 0 none */
	uint32_t events;               /* its rows in the period */
	uint16_t period;
	uint8_t code[NSINGLE];         /* first (later modal) axis index */
	uint8_t flow[NFLOW];           /* the flow measures' axis indexes */
};
_Static_assert(sizeof(struct client) == 80, "client state grew");

/* other values of a client's single-valued dims and household keys */
struct extra {
	uint32_t next, count, value;
	uint8_t dim;
};

struct spooled;

struct period_acc {
	char name[8];                  /* YYYYQn */
	long q;                        /* its nz_period index */
	uint64_t *events, *units;      /* per cell, from rows */
	uint64_t units_sum;            /* of all its rows: the total cell's */
	uint64_t units_max;            /* the most of one row, at line: */
	long units_max_line;
	size_t nclients;
	/* its rows for pass 2: whole blocks in the temporary file, at these
	 * offsets, and the last few here */
	struct spooled *tail;
	size_t ntail;
	off_t *block;
	size_t nblock, block_cap;
};

/* household keys interned in an arena; a key's id is its offset + 1 */
struct households {
	nz_buf arena;
	size_t n;
	uint32_t *slot;                /* hash of ids */
	size_t nslot;
	uint32_t last_id;              /* the previous row's packed key */
	uint8_t last[16];
};

/* a household key ready for lookup: packed when it is 32 lowercase hex,
 * as normalise writes them */
struct hh_key {
	const uint8_t *bytes;
	size_t len;
	int packed;
	uint8_t buf[16];
	uint64_t hash;
};

/* a code's index by its text: a dim's few codes come on every row, so a
 * small direct-mapped memo sits in front of nz_codes_find */
#define MEMO_SLOTS 32
#define MEMO_LEN 21
struct code_memo {
	uint8_t len;                   /* 0: empty */
	char s[MEMO_LEN];
	int16_t index;
};

/* the outcome bands of each (period, client): key "YYYYQn" + client_key */
struct outcomes {
	const char *path;
	nz_strset *index;
	uint32_t *bits;                /* per index: outcome axis codes */
	size_t cap;
	char *agency;
};

struct run {
	struct layout L;
	int status[3];                 /* client_status: new, returning,
	                                * not_stated (flow_codes) */
	struct outcomes *out;          /* NULL: no --outcomes */
	struct code_memo memo[NDIM][MEMO_SLOTS];
	char *agency;
	struct client *client;
	size_t nclients, client_cap;
	/* client hash: the index + 1 in the low 32 bits, the hash's top 32
	 * (which also place it) in the high, so that a probe looks at a
	 * client's entry only when they match; 0 empty */
	uint64_t *slot;
	size_t nslot;
	size_t last_client;            /* the previous row's, index + 1 */
	struct extra *extra;
	size_t nextra, extra_cap;
	struct households hh;
	struct period_acc *period;
	size_t nperiods, period_cap, last_period;
	long rows_read;
	long outside_area;             /* rows of a region not covered */
	long history_read;             /* rows of earlier quarters */
	long history_last;             /* their latest quarter, -1 none */
	/* the flow measures */
	const nz_flow *flow;
	nz_lookback *seen;             /* quarters of every client, history
	                                * included */
	long full_from;                /* the first quarter the export holds
	                                * whole; LONG_MIN until known */
	char coverage_from[11];        /* the date it starts, "" unknown */
	const char *coverage_source;   /* data_from, first_event_date */
	long status_unknown, tenure_unknown;   /* clients (per quarter) */
	long earliest;                 /* the earliest quarter of any event */
	int stdin_read;
	FILE *spool;                   /* pass 1's rows, for pass 2 */
	off_t spool_end;               /* bytes written to it */
	long spooled;
};

/* ---- hashing ---- */

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t
hash_bytes(const uint8_t *s, size_t len, uint64_t seed)
{
	uint64_t h = seed ^ 0x9e3779b97f4a7c15u;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		h = mix64(h ^ load64(s + i));
	for (; i < len; i++)
		h = (h ^ s[i]) * 0x100000001b3u;
	return mix64(h ^ len);
}

/* ---- configuration ---- */

static void
usage(void)
{
	printf("Usage: %s [OPTION]... [FILE]...\n"
"Count bucketed events into the internal cells of every table in the table\n"
"spec, with all their margins (never leaves the agency: it holds ckey).\n"
"No FILE or '-' reads standard input; all input is one agency.\n\n",
	    nz_prog);
	nz_cols_usage("Input:  ", NZ_COLS_BUCKETED);
	nz_cols_usage("Output: ", NZ_COLS_CELLS);
	printf("\n"
"  -t, --tables FILE   table spec (default pipelines/tables.json)\n"
"  -c, --codes DIR     national code lists (default pipelines/codes)\n"
"  -b, --bands FILE    age bands (default pipelines/age-bands.json)\n"
"  -p, --profile FILE  agency profile: its \"regions\" are the coverage\n"
"  -r, --regions LIST  coverage as region codes, e.g. 02,13\n"
"                      (without either, every region is covered)\n"
"  -f, --flow FILE     the flow spec: lookback window and bands of visits,\n"
"                      needs and tenure (default pipelines/flow-bands.json)\n"
"  -E, --export-stats FILE  normalise's --stats of the export: how far back\n"
"                      it reaches (data_from, else first_event_date), for\n"
"                      the flow measures; without it, the earliest quarter\n"
"                      of the events is taken to be partial\n"
"  -H, --history FILE  bucketed events of the quarters before those\n"
"                      counted (the lookback): read after the counted\n"
"                      events and checked, counted in --stats as\n"
"                      history_rows_read, never in a cell; each must be of\n"
"                      an earlier quarter than every counted one\n"
"  -O, --outcomes FILE outcome bands per client and quarter (pair-outcomes)\n"
"                      for the dimension outcome; every counted client of\n"
"                      a period must have its row.  Without it, no table's\n"
"                      cells with outcome are made (outcome '*' only): an\n"
"                      agency without assessments has no outcome cells\n"
"  -j, --jobs N        the work after the last row on N threads at once\n"
"                      (at most 2 are used; default: the processors\n"
"                      online); the output is the same for every N\n"
"  -s, --stats FILE    write row accounting as JSON (rows_read =\n"
"                      rows_counted + rows_rejected, cells_written,\n"
"                      history_rows_read; warnings: region_outside_area; flow: the window,\n"
"                      where the export starts and the clients of unknown\n"
"                      status and tenure, which stay at the agency)\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"Cells: for every period and table, every combination of the table's\n"
"dimension codes (zeros included), and every margin down to the grand\n"
"total; '*' means all.  A cell shared by tables appears once.  Regions\n"
"outside the coverage are structural zeros and left out.  The coverage\n"
"always holds the region list's not-stated code (99, area outside region\n"
"or not stated): an event in a region outside the coverage is counted\n"
"there (the agency's service area: regional totals leave out the few\n"
"clients it sees from elsewhere), and in --stats as region_outside_area.\n"
"Rows are sorted by period, then by the dimension columns\n"
"left to right, '*' first and then codes in code-list order.\n\n"
"Counting: the single-valued dimensions take each client's modal value\n"
"in the period (ties: first in code-list order); the multi-valued ones\n"
"count a client once in every value it had in the period (total\n"
"response) and once in '*':\n");
	nz_dims_usage();
	printf("households are the distinct modal non-empty household keys of\n"
"the cell's clients (ties: smallest key).  events and units follow each\n"
"row's own values; a row's units are at most 1000000000, and so are a\n"
"period's together (its total cell's, the most a release publishes): the\n"
"row that takes them past is an error.  ckey is the sum mod 2^32 of the\n"
"cell's clients' record keys (the first 8 hex digits of client_key,\n"
"big-endian).\n\n"
"The flow measures (single-valued, per client and quarter): client_status\n"
"is new when the client has no event in the window_months before the\n"
"quarter's first day (its events of those quarters, counted or history),\n"
"returning when it has, unknown when the export does not reach back a\n"
"whole window; visits_band bands its events in the quarter; needs_band\n"
"its distinct stated needs; tenure_band the whole months from its first\n"
"event (counted or history) to the quarter's last day, unknown when the\n"
"export does not reach back as far as the open tenure band's start.  The\n"
"window and the tenure bands are whole quarters, so quarters decide them\n"
"exactly.  A cell of a flow measure counts each of the client's events\n"
"there, so each event is counted again once every client is settled, from\n"
"32 bytes of it kept in a temporary file.\n\n"
"Exit status: 0 success, 1 data or input error, 2 usage error.\n");
	exit(NZ_EXIT_OK);
}

static void
set_axis_list(struct axis *ax, nz_codes *list)
{
	size_t i;

	if (list->n > MAX_CODES)
		nz_die(NZ_EXIT_DATA, "%s: %zu codes; aggregate supports up "
		    "to %d", list->path, list->n, MAX_CODES);
	ax->list = list;
	ax->code = nz_calloc(list->n, sizeof *ax->code);
	ax->slot = nz_calloc(list->n, sizeof *ax->slot);
	for (i = 0; i < list->n; i++) {
		ax->code[i] = list->code[i];
		ax->slot[i] = (int)i;
	}
	ax->n = list->n;
}

/* F_STATUS... when dimension d is a flow measure, else -1 */
static int
flow_kind(int d)
{
	int f;

	for (f = 0; f < NFLOW; f++)
		if (strcmp(nz_dims[d].name, flow_dim_name[f]) == 0)
			return f;
	return -1;
}

static void
load_axes(struct layout *L, const char *codes_dir, const char *bands_path)
{
	int d, single = 0, bits = 0;

	for (d = 0; d < NDIM; d++) {
		struct axis *ax = &L->axis[d];
		const nz_dim *dim = &nz_dims[d];
		nz_codes *cl = dim->codes ? nz_codes_load(codes_dir,
		    dim->codes) : nz_bands_load(bands_path);

		if (cl->multi != dim->multi)
			nz_die(NZ_EXIT_DATA, "%s: \"multi\" is %s, but %s is "
			    "%s (DESIGN §4)", cl->path, cl->multi ? "true" :
			    "false", dim->name, dim->multi ?
			    "total response" : "single-valued");
		set_axis_list(ax, cl);
		ax->flow = flow_kind(d);
		ax->single = dim->multi || ax->flow >= 0 ? -1 : single++;
		ax->bit0 = dim->multi && d != OUTCOME_DIM ? bits : -1;
		if (ax->bit0 >= 0)
			bits += (int)ax->n;
	}
	if (single != NSINGLE)
		nz_die(NZ_EXIT_DATA, "internal error: %d single-valued "
		    "dimensions, aggregate's client state holds %d", single,
		    NSINGLE);
	if (bits > MULTI_BITS)
		nz_die(NZ_EXIT_DATA, "the multi-valued code lists hold %d codes "
		    "in all; aggregate supports up to %d", bits, MULTI_BITS);
}

/* Keep only the covered regions (nz_coverage flags) in the region axis,
 * in code-list order. */
static void
set_coverage(struct axis *ax, const char *keep)
{
	size_t j;

	ax->n = 0;
	for (j = 0; j < ax->list->n; j++) {
		ax->slot[j] = keep[j] ? (int)ax->n : -1;
		if (keep[j])
			ax->code[ax->n++] = ax->list->code[j];
	}
}

static void
coverage_from_profile(struct axis *ax, const char *path)
{
	nz_profile *p = nz_profile_load(path, 0);
	char *keep;

	if (p->regions) {       /* else every region is covered */
		keep = nz_profile_coverage(p, ax->list);
		set_coverage(ax, keep);
		free(keep);
	}
	nz_profile_free(p);
}

static void
coverage_from_list(struct axis *ax, const char *list)
{
	char *copy = nz_strdup(list), *p, *save = NULL, *keep;
	const char **want = NULL;
	size_t n = 0, cap = 0;

	for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		nz_grow(&want, &cap, n + 1, sizeof *want);
		want[n++] = p;
	}
	if (n == 0)
		nz_usage_error("--regions needs region codes, e.g. 02,13");
	nz_hold(copy);
	nz_hold(want);
	keep = nz_coverage(want, n, ax->list, "--regions");
	nz_drop(want);
	nz_drop(copy);
	set_coverage(ax, keep);
	free(keep);
	free(want);
	free(copy);
}

/* The coverage always holds the not-stated region (99, "area outside
 * region or not stated"): a client of the agency from outside its
 * service area is counted there, not lost and not in a region the agency
 * does not serve. */
static void
cover_outside_area(struct axis *ax)
{
	int ns = ax->list->not_stated_index;
	size_t j;

	if (ax->slot[ns] >= 0)
		return;
	ax->n = 0;
	for (j = 0; j < ax->list->n; j++) {
		int keep = ax->slot[j] >= 0 || (int)j == ns;
		ax->slot[j] = keep ? (int)ax->n : -1;
		if (keep)
			ax->code[ax->n++] = ax->list->code[j];
	}
}

/* "region, age_band, ...": the dimensions a table may use */
static const char *
dim_list(void)
{
	static nz_buf list;
	int d;

	if (!list.len)
		for (d = 0; d < NDIM; d++)
			nz_buf_printf(&list, "%s%s", d ? ", " : "",
			    nz_dims[d].name);
	return list.s;
}

/* Every subset of every table's dims, once. */
static void
load_tables(const char *path, char used[1 << NDIM])
{
	json_t *root = nz_json_load(path), *tables, *t, *dims, *dv;
	size_t i, j;

	nz_json_str(path, root, "version", NULL);
	tables = json_object_get(root, "tables");
	if (!json_is_array(tables) || json_array_size(tables) == 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "tables", 1),
		    "\"tables\" must be a non-empty array");
	json_array_foreach(tables, i, t) {
		unsigned bits = 0, sub;
		const char *name;

		if (!json_is_object(t))
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    "tables", 1), "table %zu must be an object", i + 1);
		name = nz_json_str(path, t, "name", NULL);
		dims = json_object_get(t, "dims");
		if (!json_is_array(dims) || json_array_size(dims) == 0)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    name, 1), "table %s: \"dims\" must be a non-empty "
			    "array", nz_q(name));
		json_array_foreach(dims, j, dv) {
			int d = json_is_string(dv) ?
			    nz_dim_index(json_string_value(dv)) : -1;
			if (d < 0)
				nz_dieat(NZ_EXIT_DATA, path,
				    nz_json_key_line(path, name, 1),
				    "table %s: unknown dimension %s (expected "
				    "%s)", nz_q(name), json_is_string(dv) ?
				    nz_q(json_string_value(dv)) :
				    "(not a string)", dim_list());
			if (bits & (1u << d))
				nz_dieat(NZ_EXIT_DATA, path,
				    nz_json_key_line(path, name, 1),
				    "table %s: dimension %s twice", nz_q(name),
				    nz_dims[d].name);
			bits |= 1u << d;
		}
		/* all subsets of bits, the empty one (grand total) included */
		sub = bits;
		for (;;) {
			used[sub] = 1;
			if (sub == 0)
				break;
			sub = (sub - 1) & bits;
		}
	}
	nz_json_free(root);
}

static const struct layout *sort_layout;

static int
cmp_cell(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return memcmp(sort_layout->coord + (size_t)x * NDIM,
	    sort_layout->coord + (size_t)y * NDIM, NDIM);
}

static void
build_layout(struct layout *L, const char used[1 << NDIM])
{
	unsigned bits;
	uint64_t total = 0;
	uint32_t c;
	size_t m;

	L->mask = nz_calloc(1u << NDIM, sizeof *L->mask);
	for (bits = 0; bits < (1u << NDIM); bits++) {
		struct mask *mk;
		uint64_t n = 1;
		int d, k;

		if (!used[bits])
			continue;
		mk = &L->mask[L->nmasks++];
		mk->bits = bits;
		for (d = 0; d < NDIM; d++)
			if (bits & (1u << d))
				mk->dim[mk->ndims++] = d;
		for (k = mk->ndims - 1; k >= 0; k--) {
			mk->stride[k] = (uint32_t)n;
			n *= L->axis[mk->dim[k]].n;
		}
		mk->offset = (uint32_t)total;
		mk->ncells = (uint32_t)n;
		total += n;
		if (total > 100000000)
			nz_die(NZ_EXIT_DATA, "the table spec asks for over 10^8 "
			    "cells a period; use fewer or smaller tables");
	}
	L->ncells = (uint32_t)total;
	L->coord = nz_calloc(total, NDIM);
	L->order = nz_calloc(total, sizeof *L->order);
	for (m = 0; m < L->nmasks; m++) {
		const struct mask *mk = &L->mask[m];
		for (c = 0; c < mk->ncells; c++) {
			uint8_t *co = L->coord + (size_t)(mk->offset + c) * NDIM;
			int k;
			for (k = 0; k < mk->ndims; k++)
				co[mk->dim[k]] = (uint8_t)(1 +
				    c / mk->stride[k] % L->axis[mk->dim[k]].n);
		}
	}
	for (c = 0; c < L->ncells; c++)
		L->order[c] = c;
	sort_layout = L;
	qsort(L->order, L->ncells, sizeof *L->order, cmp_cell);
}

/* ---- cells of a set of values ---- */

/* The axis indexes a row or client has in each dimension. */
struct values {
	uint8_t n[NDIM];
	uint8_t v[NDIM][MULTI_BITS];
};

/* Every cell holding these values, one index per cell, into out (in no
 * particular order: every use is a sum).  Masks of up to two dims (every
 * table is two-way or less; the margins less still) take a loop of their
 * own: the cells of every row go through here. */
static size_t
cells_of(const struct layout *L, const struct values *val, uint32_t *out)
{
	size_t n = 0, m, i, end;

	for (m = 0; m < L->nmasks; m++) {
		const struct mask *mk = &L->mask[m];
		size_t start = n;
		int k, j, a, b;

		switch (mk->ndims) {
		case 0:
			out[n++] = mk->offset;
			continue;
		case 1: {
			const uint8_t *v = val->v[mk->dim[0]];
			for (a = 0; a < val->n[mk->dim[0]]; a++)
				out[n++] = mk->offset + v[a] * mk->stride[0];
			continue;
		}
		case 2: {
			const uint8_t *v0 = val->v[mk->dim[0]];
			const uint8_t *v1 = val->v[mk->dim[1]];
			int n0 = val->n[mk->dim[0]], n1 = val->n[mk->dim[1]];
			for (a = 0; a < n0; a++) {
				uint32_t base = mk->offset + v0[a] * mk->stride[0];
				for (b = 0; b < n1; b++)
					out[n++] = base + v1[b] * mk->stride[1];
			}
			continue;
		}
		}
		for (k = 0; k < mk->ndims; k++)
			if (val->n[mk->dim[k]] == 0)
				break;
		if (k < mk->ndims)
			continue;
		/* more dims: each partial offset extended by every value of
		 * the next dim */
		out[n++] = mk->offset;
		for (k = 0; k < mk->ndims; k++) {
			const uint8_t *v = val->v[mk->dim[k]];
			int nv = val->n[mk->dim[k]];
			uint32_t stride = mk->stride[k];

			end = n;
			for (i = start; i < end; i++) {
				uint32_t base = out[i];
				out[i] = base + v[0] * stride;
				for (j = 1; j < nv; j++)
					out[n++] = base + v[j] * stride;
			}
		}
	}
	return n;
}

/* bitset of one dim's codes -> axis indexes */
static void
values_from_bits(struct values *val, int d, uint64_t bits)
{
	uint8_t n = 0;

	while (bits) {
		val->v[d][n++] = (uint8_t)__builtin_ctzll(bits);
		bits &= bits - 1;
	}
	val->n[d] = n;
}

/* ---- household keys ---- */

#define HH_PACKED 0xFFFF   /* header: 32 lowercase hex packed in 16 bytes */

/* hex digit values, -1 for anything but 0-9 a-f */
static signed char hexval[256];

static void
hexval_init(void)
{
	int c;

	memset(hexval, -1, sizeof hexval);
	for (c = '0'; c <= '9'; c++)
		hexval[c] = (signed char)(c - '0');
	for (c = 'a'; c <= 'f'; c++)
		hexval[c] = (signed char)(c - 'a' + 10);
}

static int
pack_hex32(const char *s, size_t len, uint8_t out[16])
{
	const unsigned char *u = (const unsigned char *)s;
	int bad = 0;
	size_t i;

	if (len != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		int hi = hexval[u[2 * i]], lo = hexval[u[2 * i + 1]];
		bad |= hi | lo;
		/* & 15: no shift of -1 (undefined) when a digit is bad */
		out[i] = (uint8_t)((hi & 15) << 4 | (lo & 15));
	}
	return bad < 0 ? -1 : 0;
}

/* header (uint16 length or HH_PACKED) then bytes */
static void
hh_entry(const struct households *h, uint32_t id, const uint8_t **p,
    size_t *len, int *packed)
{
	const uint8_t *e = (const uint8_t *)h->arena.s + id - 1;
	uint16_t hdr;

	memcpy(&hdr, e, 2);
	*packed = hdr == HH_PACKED;
	*len = *packed ? 16 : hdr;
	*p = e + 2;
}

static void
hh_prepare(struct hh_key *k, const char *s, size_t len, const char *file,
    long line)
{
	k->packed = pack_hex32(s, len, k->buf) == 0;
	k->bytes = k->packed ? k->buf : (const uint8_t *)s;
	k->len = k->packed ? 16 : len;
	if (k->len >= HH_PACKED)
		nz_dieat(NZ_EXIT_DATA, file, line, "household_key longer than "
		    "%d bytes", HH_PACKED - 1);
	k->hash = hash_bytes(k->bytes, k->len, (uint64_t)k->packed);
}

static void
hh_grow(struct households *h)
{
	size_t off, nslot = h->nslot ? h->nslot * 2 : 1024;
	uint32_t *slot = nz_calloc(nslot, sizeof *slot);

	/* the arena holds the entries back to back */
	for (off = 0; off < h->arena.len; ) {
		const uint8_t *p;
		size_t len, at;
		int packed;
		hh_entry(h, (uint32_t)off + 1, &p, &len, &packed);
		at = hash_bytes(p, len, (uint64_t)packed) & (nslot - 1);
		while (slot[at])
			at = (at + 1) & (nslot - 1);
		slot[at] = (uint32_t)off + 1;
		off += 2 + len;
	}
	free(h->slot);
	h->slot = slot;
	h->nslot = nslot;
}

static uint32_t
hh_intern(struct households *h, const struct hh_key *k)
{
	uint16_t hdr;
	size_t at;
	uint32_t id;

	if (k->packed && h->last_id && memcmp(h->last, k->buf, 16) == 0)
		return h->last_id;
	if (2 * (h->n + 1) > h->nslot)
		hh_grow(h);
	at = k->hash & (h->nslot - 1);
	while ((id = h->slot[at]) != 0) {
		const uint8_t *p;
		size_t len;
		int packed;
		hh_entry(h, id, &p, &len, &packed);
		if (packed == k->packed && len == k->len &&
		    memcmp(p, k->bytes, len) == 0)
			goto found;
		at = (at + 1) & (h->nslot - 1);
	}
	if (h->arena.len > UINT32_MAX - 2 * HH_PACKED)
		nz_die(NZ_EXIT_DATA, "too many household keys");
	id = (uint32_t)h->arena.len + 1;
	hdr = k->packed ? HH_PACKED : (uint16_t)k->len;
	nz_buf_add(&h->arena, (const char *)&hdr, 2);
	nz_buf_add(&h->arena, (const char *)k->bytes, k->len);
	h->slot[at] = id;
	h->n++;
found:
	if (k->packed) {
		h->last_id = id;
		memcpy(h->last, k->buf, 16);
	}
	return id;
}

/* the key's text, for the bytewise tie-break */
static size_t
hh_text(const struct households *h, uint32_t id, char *buf, size_t cap,
    const char **text)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p;
	size_t len, i;
	int packed;

	hh_entry(h, id, &p, &len, &packed);
	if (!packed) {
		*text = (const char *)p;
		return len;
	}
	for (i = 0; i < 16 && 2 * i + 1 < cap; i++) {
		buf[2 * i] = hex[p[i] >> 4];
		buf[2 * i + 1] = hex[p[i] & 15];
	}
	*text = buf;
	return 32;
}

static int
hh_less(const struct households *h, uint32_t a, uint32_t b)
{
	char abuf[32], bbuf[32];
	const char *at, *bt;
	size_t al = hh_text(h, a, abuf, sizeof abuf, &at);
	size_t bl = hh_text(h, b, bbuf, sizeof bbuf, &bt);
	int c = memcmp(at, bt, al < bl ? al : bl);

	return c < 0 || (c == 0 && al < bl);
}

/* ---- the pass over the rows ---- */

/* the slot where a client of this hash_bytes(key, 16, period) is looked
 * for first, in a table of nslot */
static size_t
client_home(uint64_t hash, size_t nslot)
{
	return (size_t)(hash >> 32) & (nslot - 1);
}

/* twice the slots, filled from the old ones' tags: no entry is read */
static void
clients_grow(struct run *r)
{
	size_t i, nslot = r->nslot ? r->nslot * 2 : 4096;
	uint64_t *slot = nz_calloc(nslot, sizeof *slot);

	for (i = 0; i < r->nslot; i++) {
		uint64_t v = r->slot[i];
		size_t s;
		if (!v)
			continue;
		s = client_home(v, nslot);
		while (slot[s])
			s = (s + 1) & (nslot - 1);
		slot[s] = v;
	}
	free(r->slot);
	r->slot = slot;
	r->nslot = nslot;
}

/* hash is hash_bytes(key, 16, period) */
static struct client *
client_get(struct run *r, const uint8_t key[16], uint16_t period,
    uint64_t hash)
{
	size_t s;
	uint64_t v, tag = hash & UINT64_C(0xFFFFFFFF00000000);
	struct client *c;

	/* input sorted by client, as exports often are, skips the lookup */
	if (r->last_client) {
		c = &r->client[r->last_client - 1];
		if (c->period == period && memcmp(c->key, key, 16) == 0)
			return c;
	}
	/* load at most 0.7 */
	if (10 * (r->nclients + 1) > 7 * r->nslot)
		clients_grow(r);
	s = client_home(hash, r->nslot);
	while ((v = r->slot[s]) != 0) {
		if ((v & UINT64_C(0xFFFFFFFF00000000)) == tag) {
			c = &r->client[(uint32_t)v - 1];
			if (c->period == period &&
			    memcmp(c->key, key, 16) == 0) {
				r->last_client = (uint32_t)v;
				return c;
			}
		}
		s = (s + 1) & (r->nslot - 1);
	}
	if (r->nclients >= UINT32_MAX - 1)
		nz_die(NZ_EXIT_DATA, "too many clients");
	nz_grow(&r->client, &r->client_cap, r->nclients + 1, sizeof *r->client);
	c = &r->client[r->nclients++];
	memset(c, 0, sizeof *c);
	memcpy(c->key, key, 16);
	c->period = period;
	r->slot[s] = tag | r->nclients;
	r->last_client = r->nclients;
	r->period[period].nclients++;
	return c;
}

/* one more event with value v in single dim s (HH_DIM: household id) */
static void
client_count(struct run *r, struct client *c, int s, uint32_t v)
{
	uint32_t first = s == HH_DIM ? c->household : c->code[s];
	uint32_t at, last;

	if (c->count[s] == 0) {
		if (s == HH_DIM)
			c->household = v;
		else
			c->code[s] = (uint8_t)v;
		c->count[s] = 1;
		return;
	}
	if (first == v) {
		c->count[s]++;
		return;
	}
	for (at = c->more, last = 0; at; last = at, at = r->extra[at].next) {
		struct extra *e = &r->extra[at];
		if (e->dim == s && e->value == v) {
			e->count++;
			return;
		}
	}
	if (r->nextra == 0)
		r->nextra = 1;         /* index 0 means none */
	if (r->nextra >= UINT32_MAX)
		nz_die(NZ_EXIT_DATA, "too many distinct values");
	nz_grow(&r->extra, &r->extra_cap, r->nextra + 1, sizeof *r->extra);
	r->extra[r->nextra] = (struct extra){0, 1, v, (uint8_t)s};
	/* link by index: the pool may just have moved */
	if (last)
		r->extra[last].next = (uint32_t)r->nextra;
	else
		c->more = (uint32_t)r->nextra;
	r->nextra++;
}

static uint16_t
period_index(struct run *r, const char *s, size_t len, const char *file,
    long line)
{
	struct period_acc *p;
	size_t i;
	long index;

	if (r->last_period < r->nperiods &&
	    strcmp(r->period[r->last_period].name, s) == 0)
		return (uint16_t)r->last_period;
	for (i = 0; i < r->nperiods; i++)
		if (strcmp(r->period[i].name, s) == 0)
			return (uint16_t)(r->last_period = i);
	if (len != NZ_PERIOD_LEN || nz_period_parse_index(s, &index) < 0)
		nz_dieat(NZ_EXIT_DATA, file, line, "invalid period %s: expected "
		    "a calendar quarter YYYYQn", nz_q(s));
	if (r->nperiods >= UINT16_MAX)
		nz_dieat(NZ_EXIT_DATA, file, line, "too many periods");
	nz_grow(&r->period, &r->period_cap, r->nperiods + 1, sizeof *r->period);
	p = &r->period[r->nperiods];
	memset(p, 0, sizeof *p);
	memcpy(p->name, s, 7);
	p->q = index;
	if (index < r->earliest)
		r->earliest = index;
	p->events = nz_calloc(r->L.ncells, sizeof *p->events);
	p->units = nz_calloc(r->L.ncells, sizeof *p->units);
	return (uint16_t)(r->last_period = r->nperiods++);
}

static _Noreturn void
bad_code(const char *file, long line, int d, const char *s, size_t len,
    const struct axis *ax)
{
	nz_dieat(NZ_EXIT_DATA, file, line, "%s %s is not a code in %s",
	    nz_dims[d].name, len ? nz_qn(s, len) : "(empty)", ax->list->path);
}

static int
find_code(struct run *r, int d, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	struct code_memo *m;
	int i;

	if (len == 0 || len > MEMO_LEN)
		return nz_codes_find(r->L.axis[d].list, s, len);
	m = &r->memo[d][(len * 7 + u[0] * 31 + u[len - 1]) % MEMO_SLOTS];
	if (m->len == len && memcmp(m->s, s, len) == 0)
		return m->index;
	i = nz_codes_find(r->L.axis[d].list, s, len);
	if (i >= 0) {
		m->len = (uint8_t)len;
		memcpy(m->s, s, len);
		m->index = (int16_t)i;
	}
	return i;
}

/* ---- outcomes: pair-outcomes' bands, joined by period and client ---- */

#define OUT_KEY_LEN (NZ_PERIOD_LEN + 2 * NZ_HASH_BYTES)

static void
outcome_row(struct run *r, const nz_row *row, const char *file)
{
	struct outcomes *o = r->out;
	const struct axis *ax = &r->L.axis[OUTCOME_DIM];
	char key[OUT_KEY_LEN];
	uint32_t bits = 0;
	size_t i;
	int added;

	if (!o->agency)
		o->agency = nz_strdup(row->field[0]);
	else if (strcmp(o->agency, row->field[0]) != 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "agency %s differs from "
		    "%s on earlier rows", nz_q(row->field[0]), nz_q(o->agency));
	if (row->len[1] != NZ_PERIOD_LEN || nz_period_parse_index(row->field[1],
	    &(long){0}) < 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid period %s: "
		    "expected a calendar quarter YYYYQn", nz_q(row->field[1]));
	if (row->len[2] != 2 * NZ_HASH_BYTES ||
	    pack_hex32(row->field[2], row->len[2], (uint8_t[16]){0}) < 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid client_key %s: "
		    "expected 32 lowercase hex characters", nz_q(row->field[2]));
	for (nz_list it = nz_list_of(row->field[3], row->len[3]);
	    nz_list_next(&it); ) {
		int c = nz_codes_find(ax->list, it.val, it.len);
		if (c < 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "outcome %s is "
			    "not a code in %s", it.len ? nz_qn(it.val, it.len) :
			    "(empty)", ax->list->path);
		bits |= 1u << c;
	}
	memcpy(key, row->field[1], NZ_PERIOD_LEN);
	memcpy(key + NZ_PERIOD_LEN, row->field[2], 2 * NZ_HASH_BYTES);
	i = nz_strset_addn(o->index, key, OUT_KEY_LEN, &added);
	if (!added)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "client_key %s twice "
		    "in %s", nz_q(row->field[2]), row->field[1]);
	nz_grow(&o->bits, &o->cap, i + 1, sizeof *o->bits);
	o->bits[i] = bits;
}

static void
read_outcomes(struct run *r, const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_OUTCOMES, &ncols);
	nz_row *row;

	if (r->L.axis[OUTCOME_DIM].n > 32)
		nz_die(NZ_EXIT_DATA, "%s: %zu codes; aggregate supports up to "
		    "32", r->L.axis[OUTCOME_DIM].list->path,
		    r->L.axis[OUTCOME_DIM].n);
	r->out = nz_calloc(1, sizeof *r->out);
	r->out->path = path;
	r->out->index = nz_strset_new();
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1)
		outcome_row(r, row, nz_csv_name(csv));
	nz_csv_close(csv);
}

/* The outcome codes of a client in a period: every client counted has
 * them, since pair-outcomes writes a row for every client and quarter of
 * the events these come from. */
static void
outcome_values(const struct run *r, const char *period, const char *key,
    struct values *val)
{
	char k[OUT_KEY_LEN];
	long i;

	if (!r->out) {
		val->n[OUTCOME_DIM] = 0;
		return;
	}
	memcpy(k, period, NZ_PERIOD_LEN);
	memcpy(k + NZ_PERIOD_LEN, key, 2 * NZ_HASH_BYTES);
	i = nz_strset_findn(r->out->index, k, OUT_KEY_LEN);
	if (i < 0)
		nz_die(NZ_EXIT_DATA, "%s: no outcome for client_key %s in %s: "
		    "make it with pair-outcomes from the same events",
		    r->out->path, nz_qn(key, 2 * NZ_HASH_BYTES), period);
	values_from_bits(val, OUTCOME_DIM, r->out->bits[i]);
}

/* a row's value of dim d as axis indexes in val; multi-valued codes also
 * as bits of the client bitset */
static uint64_t
row_dim(struct run *r, const nz_row *row, int d, struct values *val,
    const char *file)
{
	const struct axis *ax = &r->L.axis[d];
	const char *s, *bar, *end;
	uint64_t bits = 0, own = 0;
	int i;

	if (d == OUTCOME_DIM) {   /* no event column */
		outcome_values(r, row->field[C_PERIOD], row->field[C_CLIENT],
		    val);
		return 0;
	}
	s = row->field[dim_col[d]];
	if (!nz_dims[d].multi) {
		i = find_code(r, d, s, row->len[dim_col[d]]);
		if (i < 0)
			bad_code(file, row->line, d, s, row->len[dim_col[d]], ax);
		if (ax->slot[i] < 0) {   /* only regions: outside the area */
			i = ax->list->not_stated_index;
			r->outside_area++;
		}
		val->n[d] = 1;
		val->v[d][0] = (uint8_t)ax->slot[i];
		return 0;
	}
	for (end = s + row->len[dim_col[d]];;) {
		size_t len;
		bar = memchr(s, '|', (size_t)(end - s));
		len = bar ? (size_t)(bar - s) : (size_t)(end - s);
		i = find_code(r, d, s, len);
		if (i < 0)
			bad_code(file, row->line, d, s, len, ax);
		own |= 1ull << i;
		bits |= 1ull << (ax->bit0 + i);
		if (!bar)
			break;
		s = bar + 1;
	}
	values_from_bits(val, d, own);
	return bits;
}

static void
parse_key(const nz_row *row, uint8_t key[16], const char *file)
{
	const char *s = row->field[C_CLIENT];

	if (pack_hex32(s, row->len[C_CLIENT], key) < 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid client_key %s: "
		    "expected 32 lowercase hex characters", nz_q(s));
}

/* What pass 2 needs of a counted row, written by pass 1 to a temporary
 * file (32 bytes, where the row took about 150 in CSV): its client, units
 * and values, so pass 2 reads no CSV and looks up no client or outcome.
 * Each period's rows go in blocks of their own (SPOOL_BLOCK rows, the
 * last kept in memory), so that pass 2 can take the periods one by one
 * and write each period's cells as soon as they are counted. */
struct spooled {
	uint32_t client;               /* index in r->client */
	uint32_t units;                /* at most NZ_MAX_UNITS */
	uint64_t multi;                /* multi-valued codes, as in client */
	uint32_t outcome;              /* outcome axis indexes, as bits */
	uint8_t code[NSINGLE];         /* single-valued axis indexes */
};
_Static_assert(NZ_MAX_UNITS <= UINT32_MAX, "units fit the spool");
#define SPOOL_BLOCK 1024               /* rows: 32 KiB */

/* a period's full block to the end of the temporary file */
static void
spool_block(struct run *r, struct period_acc *p)
{
	const char *b = (const char *)p->tail;
	size_t left = SPOOL_BLOCK * sizeof *p->tail;
	ssize_t n;

	if (!r->spool && !(r->spool = nz_tmpfile()))
		nz_die(NZ_EXIT_DATA, "cannot make a temporary file for the "
		    "second pass in %s: %s", nz_tmpdir(), strerror(errno));
	nz_grow(&p->block, &p->block_cap, p->nblock + 1, sizeof *p->block);
	p->block[p->nblock++] = r->spool_end;
	while (left > 0) {
		if ((n = write(fileno(r->spool), b, left)) < 0) {
			if (errno == EINTR)
				continue;
			nz_die(NZ_EXIT_DATA, "writing the temporary file of "
			    "the second pass: %s", strerror(errno));
		}
		b += n;
		left -= (size_t)n;
		r->spool_end += n;
	}
	p->ntail = 0;
}

static void
spool_row(struct run *r, const struct client *c, const struct values *val,
    uint64_t multi, uint64_t units)
{
	struct spooled sp;
	struct period_acc *p;
	int d, k;

	memset(&sp, 0, sizeof sp);
	sp.client = (uint32_t)(c - r->client);
	sp.units = (uint32_t)units;
	sp.multi = multi;
	for (k = 0; k < val->n[OUTCOME_DIM]; k++)
		sp.outcome |= 1u << val->v[OUTCOME_DIM][k];
	for (d = 0; d < NDIM; d++)
		if (r->L.axis[d].single >= 0)
			sp.code[r->L.axis[d].single] = val->v[d][0];
	p = &r->period[c->period];
	if (!p->tail)
		p->tail = nz_malloc(SPOOL_BLOCK * sizeof *p->tail);
	p->tail[p->ntail++] = sp;
	if (p->ntail == SPOOL_BLOCK)
		spool_block(r, p);
	r->spooled++;
}

/* a spooled row's values back, as row_dim gave them, with its client's
 * flow measures */
static void
spooled_values(const struct run *r, const struct spooled *sp,
    const struct client *c, struct values *val)
{
	int d;

	for (d = 0; d < NDIM; d++) {
		const struct axis *ax = &r->L.axis[d];

		if (ax->flow >= 0) {
			val->n[d] = 1;
			val->v[d][0] = c->flow[ax->flow];
		} else if (ax->single >= 0) {
			val->n[d] = 1;
			val->v[d][0] = sp->code[ax->single];
		} else if (d == OUTCOME_DIM) {
			values_from_bits(val, d, sp->outcome);
		} else {
			values_from_bits(val, d, (sp->multi >> ax->bit0) &
			    (ax->n >= 64 ? ~0ull : (1ull << ax->n) - 1));
		}
	}
}

/* n spooled rows of period p into its cells (cellbuf: room for the cells
 * of one row). */
static void
count_rows(const struct run *r, struct period_acc *p,
    const struct spooled *rows, size_t n, uint32_t *cellbuf)
{
	struct values val;
	size_t i, k, nc;

	for (i = 0; i < n; i++) {
		const struct client *c = &r->client[rows[i].client];

		spooled_values(r, &rows[i], c, &val);
		nc = cells_of(&r->L, &val, cellbuf);
		for (k = 0; k < nc; k++) {
			p->events[cellbuf[k]]++;
			p->units[cellbuf[k]] += rows[i].units;
		}
	}
}

/* Pass 2 for period k: each of its spooled rows' events and units into
 * every cell of its own values and its client's flow measures.  Returns
 * the rows counted, or -1 with errno set when the file could not be
 * read back. */
static long
count_spooled(const struct run *r, size_t k, struct spooled *buf,
    uint32_t *cellbuf)
{
	struct period_acc *p = &r->period[k];
	const size_t bytes = SPOOL_BLOCK * sizeof *buf;
	long done = 0;
	size_t b, got;
	ssize_t n;

	for (b = 0; b < p->nblock; b++) {
		for (got = 0; got < bytes; got += (size_t)n)
			if ((n = pread(fileno(r->spool), (char *)buf + got,
			    bytes - got, p->block[b] + (off_t)got)) <= 0) {
				if (n < 0 && errno == EINTR) {
					n = 0;
					continue;
				}
				if (n == 0)    /* shorter than written */
					errno = EIO;
				return -1;
			}
		count_rows(r, p, buf, SPOOL_BLOCK, cellbuf);
		done += SPOOL_BLOCK;
	}
	count_rows(r, p, p->tail, p->ntail, cellbuf);
	return done + (long)p->ntail;
}

static void
check_agency(struct run *r, const nz_row *row, const char *file)
{
	if (!r->agency) {
		if (row->len[C_AGENCY] == 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "empty agency");
		r->agency = nz_strdup(row->field[C_AGENCY]);
	} else if (strcmp(r->agency, row->field[C_AGENCY]) != 0) {
		nz_dieat(NZ_EXIT_DATA, file, row->line, "agency %s differs from "
		    "%s on earlier rows: aggregate one agency at a time",
		    nz_q(row->field[C_AGENCY]), nz_q(r->agency));
	}
}

/* Pass 1 settles the clients (their values, events and needs) and spools
 * the row for pass 2, which, once their flow measures are known, counts
 * events and units (count_spooled). */
/* A row read, not yet counted: what counting it needs, out of the row.
 * Rows are read a batch at a time, their hash slots fetched as each is
 * read, then counted together, so that the cache misses of a batch's
 * clients and households overlap instead of each row waiting on its
 * own (aggregate's pass 1 is mostly waiting on them). */
struct pending {
	const char *file;
	long line;
	uint64_t hash, units, multi;
	uint16_t period;
	uint8_t key[16];
	int has_hh;
	struct hh_key hh;
	nz_buf own;                    /* an unpacked household key's bytes */
	struct values val;
};
#define BATCH 8
static struct pending pending[BATCH];
static size_t npending;
static struct run *pending_run;

/* Read a row into *pr: every check of the row's own values is here, in
 * the order of the rows, so a bad row stops the program where it did. */
static void
read_row(struct run *r, const nz_row *row, const char *file,
    struct pending *pr)
{
	struct period_acc *p;
	uint64_t units = 0;
	int d;

	pr->file = file;
	pr->line = row->line;
	pr->has_hh = row->len[C_HHKEY] > 0;
	pr->multi = 0;
	check_agency(r, row, file);
	pr->period = period_index(r, row->field[C_PERIOD], row->len[C_PERIOD],
	    file, row->line);
	parse_key(row, pr->key, file);
	/* start fetching the hash slots while the row is parsed */
	pr->hash = hash_bytes(pr->key, 16, pr->period);
	if (r->nslot)
		__builtin_prefetch(&r->slot[client_home(pr->hash, r->nslot)]);
	if (pr->has_hh) {
		hh_prepare(&pr->hh, row->field[C_HHKEY], row->len[C_HHKEY],
		    file, row->line);
		if (!pr->hh.packed) {   /* the row's bytes go with the row */
			nz_buf_clear(&pr->own);
			nz_buf_add(&pr->own, (const char *)pr->hh.bytes,
			    pr->hh.len);
			pr->hh.bytes = (const uint8_t *)pr->own.s;
		} else {
			pr->hh.bytes = pr->hh.buf;
		}
		if (r->hh.nslot)
			__builtin_prefetch(&r->hh.slot[pr->hh.hash &
			    (r->hh.nslot - 1)]);
	}
	if (row->len[C_UNITS] && (nz_parse_u64(row->field[C_UNITS], &units) < 0 ||
	    units > NZ_MAX_UNITS))
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid units %s: "
		    "expected an integer from 0 to %ld or empty",
		    nz_q(row->field[C_UNITS]), NZ_MAX_UNITS);
	/* every row is in its period's total cell, whose units no release
	 * can publish past NZ_RULES_MAX: said here, at the row that takes
	 * it there, with the period's largest, not by suppress at a line
	 * of cells */
	p = &r->period[pr->period];
	if (units > p->units_max) {
		p->units_max = units;
		p->units_max_line = row->line;
	}
	if ((p->units_sum += units) > NZ_RULES_MAX)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "units %s take the "
		    "units of %s past %ld, more than a release can publish "
		    "(its largest: %" PRIu64 " at line %ld): check the units "
		    "column", nz_q(row->field[C_UNITS]), p->name, NZ_RULES_MAX,
		    p->units_max, p->units_max_line);
	pr->units = units;
	for (d = 0; d < NDIM; d++)
		if (r->L.axis[d].flow < 0)
			pr->multi |= row_dim(r, row, d, &pr->val, file);
}

/* Count the rows read, in their order.  First, their slots having
 * arrived, fetch the client and household entries they point to, all
 * of the batch at once (only a hint; the probes check). */
static void
count_pending(void)
{
	struct run *r = pending_run;
	struct pending *pr;
	struct client *c;
	size_t i, n = npending;
	int d;

	npending = 0;   /* a message while counting: the rows are gone */
	for (i = 0; i < n; i++) {
		pr = &pending[i];
		if (r->nslot) {
			uint64_t v = r->slot[client_home(pr->hash, r->nslot)];
			if (v && v >> 32 == pr->hash >> 32)
				__builtin_prefetch(&r->client[(uint32_t)v - 1]);
		}
		if (pr->has_hh && r->hh.nslot &&
		    r->hh.slot[pr->hh.hash & (r->hh.nslot - 1)])
			__builtin_prefetch(r->hh.arena.s +
			    r->hh.slot[pr->hh.hash & (r->hh.nslot - 1)] - 1);
	}
	for (i = 0; i < n; i++) {
		pr = &pending[i];
		c = client_get(r, pr->key, pr->period, pr->hash);
		for (d = 0; d < NDIM; d++)
			if (r->L.axis[d].single >= 0)
				client_count(r, c, r->L.axis[d].single,
				    pr->val.v[d][0]);
		if (pr->has_hh)
			client_count(r, c, HH_DIM, hh_intern(&r->hh, &pr->hh));
		c->multi |= pr->multi;
		if (c->events == UINT32_MAX)
			nz_dieat(NZ_EXIT_DATA, pr->file, pr->line, "too many "
			    "events of one client in a period");
		c->events++;
		spool_row(r, c, &pr->val, pr->multi, pr->units);
	}
}

static void
count_row(struct run *r, const nz_row *row, const char *file)
{
	pending_run = r;
	read_row(r, row, file, &pending[npending]);
	if (++npending == BATCH)   /* the row whole: it counts now */
		count_pending();
}

static void
free_pending(void)
{
	size_t i;

	for (i = 0; i < BATCH; i++)
		nz_buf_free(&pending[i].own);
}

/* Pass 1 over one input: standard input can be read once. */
static void
read_input(struct run *r, const char *path)
{
	nz_csv *csv;
	const char *file;
	int progress = nz_progress_wanted();
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_BUCKETED, &ncols);
	nz_row *row;

	if (strcmp(path, "-") == 0) {
		if (r->stdin_read)
			nz_usage_error("standard input given twice");
		r->stdin_read = 1;
	}
	csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	file = nz_csv_name(csv);
	nz_csv_expect_header(csv, cols, ncols);
	/* a message (a bad row) comes after the rows before it are counted,
	 * as when rows were counted one by one */
	nz_before_message(count_pending);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		count_row(r, row, file);
		nz_progress(NULL, ++r->rows_read, progress);
	}
	count_pending();
	nz_before_message(NULL);
	if (progress)
		nz_progress_end(r->rows_read, progress);
	nz_csv_close(csv);
}

/* ---- history: the quarters before those counted ---- */

/* A history row is checked as a counted one is, as far as the lookback
 * will use it: the agency, the quarter and the client key.  It reaches no
 * cell. */
static void
history_row(struct run *r, const nz_row *row, const char *file)
{
	uint8_t key[16];
	long q;

	check_agency(r, row, file);
	if (row->len[C_PERIOD] != NZ_PERIOD_LEN ||
	    nz_period_parse_index(row->field[C_PERIOD], &q) < 0)
		nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid period %s: "
		    "expected a calendar quarter YYYYQn",
		    nz_q(row->field[C_PERIOD]));
	parse_key(row, key, file);
	if (q > r->history_last)
		r->history_last = q;
	if (q < r->earliest)
		r->earliest = q;
	nz_lookback_add(r->seen, key, q);
}

static void
read_history(struct run *r, const char *path)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	size_t ncols;
	const char *const *cols = nz_cols(NZ_COLS_BUCKETED, &ncols);
	nz_row *row;

	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		history_row(r, row, file);
		r->history_read++;
	}
	nz_csv_close(csv);
}

/* History looks back: it must end before the first counted quarter. */
static void
check_history(const struct run *r, const char *path)
{
	char last[NZ_PERIOD_BUF];
	size_t i;
	long q;

	for (i = 0; i < r->nperiods; i++) {
		nz_period_parse_index(r->period[i].name, &q);
		if (q <= r->history_last) {
			nz_period_name(r->history_last, last);
			nz_die(NZ_EXIT_DATA, "%s: history reaches %s, but %s is "
			    "counted: history must come before every counted "
			    "quarter", path, last, r->period[i].name);
		}
	}
}

/* ---- the flow measures ---- */

/* Where the export starts, from normalise's --stats: data_from (the
 * profile's), else the first event date.  The first quarter it holds
 * whole is the quarter of that date when it is the quarter's first day,
 * else the next one: a quarter is only known when the export covers the
 * whole window before it. */
static void
coverage_from_stats(struct run *r, const char *path)
{
	json_t *st = nz_json_load(path);
	const char *keys[] = {"data_from", "first_event_date"}, *v = NULL;
	int y, m, d;
	size_t i;

	for (i = 0; i < 2 && !v; i++)
		if (json_object_get(st, keys[i])) {
			v = nz_json_str(path, st, keys[i], NULL);
			r->coverage_source = keys[i];
		}
	if (v && nz_parse_iso_date(v, &y, &m, &d) < 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    r->coverage_source, 1), "%s %s is not a date YYYY-MM-DD",
		    r->coverage_source, nz_q(v));
	if (v) {
		snprintf(r->coverage_from, sizeof r->coverage_from, "%s", v);
		r->full_from = nz_period_of_date(y, m) +
		    !(d == 1 && (m - 1) % 3 == 0);
	}
	nz_json_free(st);
}

static int
code_index(const nz_codes *cl, const char *code)
{
	int i = nz_codes_find(cl, code, strlen(code));

	if (i < 0)
		nz_die(NZ_EXIT_DATA, "%s: no code %s, which aggregate needs",
		    cl->path, nz_q(code));
	return i;
}

/* Before client i's lookup, the slot of the one 16 ahead and the entry
 * of the one 8 ahead (its slot fetched 8 lookups ago) are fetched: each
 * lookup would wait on two cache misses otherwise. */
static void
look_ahead(const struct run *r, size_t i)
{
	if (i + 16 < r->nclients)
		nz_lookback_prefetch(r->seen, r->client[i + 16].key, 0);
	if (i + 8 < r->nclients)
		nz_lookback_prefetch(r->seen, r->client[i + 8].key, 1);
}

/* The codes settle_flows gives, checked when the code lists are read
 * rather than after the last row. */
static void
flow_codes(struct run *r)
{
	const nz_codes *st = r->L.axis[nz_dim_index("client_status")].list;
	const nz_codes *tn = r->L.axis[nz_dim_index("tenure_band")].list;

	r->status[0] = code_index(st, "new");
	r->status[1] = code_index(st, "returning");
	if ((r->status[2] = st->not_stated_index) < 0 ||
	    tn->not_stated_index < 0)
		nz_die(NZ_EXIT_DATA, "%s and %s need a not_stated code (unknown)",
		    st->path, tn->path);
}

/* Settle every client's four flow measures.  Quarters decide them
 * exactly (DESIGN.md, "Flow measures"): the window is the wq quarters
 * before, and a first event k quarters back gives 3k to 3k+2 whole months
 * at the quarter's last day, all in one band. */
static void
settle_flows(struct run *r)
{
	const nz_codes *tn = r->L.axis[nz_dim_index("tenure_band")].list;
	const struct axis *need = &r->L.axis[nz_dim_index("need")];
	long tq = nz_flow_tenure_reach(r->flow) / 3;
	long wq = r->flow->window_months / 3;
	const int *status = r->status;
	uint32_t *entry;
	size_t i;

	if (r->full_from == LONG_MIN)    /* no date: the first quarter may */
		r->full_from = r->earliest == LONG_MAX ? LONG_MAX :  /* be */
		    r->earliest + 1;                             /* partial */
	/* each client's lookback entry, kept from its add for its lookup
	 * (in the client hash's room: that is done with) */
	free(r->slot);
	r->slot = NULL;
	r->nslot = 0;
	entry = nz_calloc(r->nclients + 1, sizeof *entry);
	for (i = 0; i < r->nclients; i++) {
		look_ahead(r, i);
		entry[i] = (uint32_t)nz_lookback_add(r->seen, r->client[i].key,
		    r->period[r->client[i].period].q);
	}
	for (i = 0; i < r->nclients; i++) {
		struct client *c = &r->client[i];
		long q = r->period[c->period].q, first = q;
		uint64_t back = 0, needs = (c->multi >> need->bit0) &
		    (need->n >= 64 ? ~0ull : (1ull << need->n) - 1);

		needs &= ~(1ull << need->list->not_stated_index);
		c->flow[F_VISITS] = (uint8_t)nz_flow_band(r->flow,
		    NZ_FLOW_VISITS, (long)c->events);
		c->flow[F_NEEDS] = (uint8_t)nz_flow_band(r->flow,
		    NZ_FLOW_NEEDS, __builtin_popcountll(needs));
		if (i + 8 < r->nclients)
			nz_lookback_prefetch_entry(r->seen, entry[i + 8]);
		/* new, returning or unknown (see usage): seen in the window
		 * of wq quarters before, which the export must cover */
		nz_lookback_before_entry(r->seen, entry[i], c->key, q, (int)wq,
		    &back, &first);
		c->flow[F_STATUS] = (uint8_t)(q - wq < r->full_from ? status[2] :
		    back ? status[1] : status[0]);
		r->status_unknown += c->flow[F_STATUS] == status[2];
		if (q - tq < r->full_from) {
			c->flow[F_TENURE] = (uint8_t)tn->not_stated_index;
			r->tenure_unknown++;
		} else {
			c->flow[F_TENURE] = (uint8_t)nz_flow_band(r->flow,
			    NZ_FLOW_TENURE, 3 * (q - first));
		}
	}
	free(entry);
}

/* ---- settling each client: modal values and household ---- */

static void
settle_client(struct run *r, struct client *c)
{
	uint32_t best_count[NSINGLE + 1];
	uint32_t best[NSINGLE + 1];
	uint32_t link;
	int s;

	for (s = 0; s < NSINGLE; s++)
		best[s] = c->code[s];
	best[HH_DIM] = c->household;
	memcpy(best_count, c->count, sizeof best_count);
	for (link = c->more; link; link = r->extra[link].next) {
		const struct extra *e = &r->extra[link];
		int better = e->count > best_count[e->dim] ||
		    (e->count == best_count[e->dim] && (e->dim == HH_DIM ?
		    hh_less(&r->hh, e->value, best[e->dim]) :
		    e->value < best[e->dim]));
		if (better) {
			best[e->dim] = e->value;
			best_count[e->dim] = e->count;
		}
	}
	for (s = 0; s < NSINGLE; s++)
		c->code[s] = (uint8_t)best[s];
	c->household = best[HH_DIM];
	c->more = 0;
}

/* ---- output ---- */

struct cells {
	uint64_t *clients, *households;
	uint32_t *ckey, *stamp;
};

static uint32_t
record_key(const uint8_t key[16])
{
	return (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 |
	    (uint32_t)key[2] << 8 | key[3];
}

static void
add_client(const struct run *r, const struct client *c, struct cells *cl,
    uint32_t *cellbuf)
{
	struct values val;
	uint32_t rk = record_key(c->key), hh = c->household;
	size_t n, i;
	int d;

	for (d = 0; d < NDIM; d++) {
		if (d == OUTCOME_DIM) {
			static const char digit[] = "0123456789abcdef";
			char hex[2 * NZ_HASH_BYTES];
			for (i = 0; i < NZ_HASH_BYTES; i++) {
				hex[2 * i] = digit[c->key[i] >> 4];
				hex[2 * i + 1] = digit[c->key[i] & 15];
			}
			outcome_values(r, r->period[c->period].name, hex, &val);
		} else if (nz_dims[d].multi) {
			const struct axis *ax = &r->L.axis[d];
			uint64_t own = (c->multi >> ax->bit0) &
			    (ax->n >= 64 ? ~0ull : (1ull << ax->n) - 1);
			values_from_bits(&val, d, own);
		} else if (r->L.axis[d].flow >= 0) {
			val.n[d] = 1;
			val.v[d][0] = c->flow[r->L.axis[d].flow];
		} else {
			val.n[d] = 1;
			val.v[d][0] = c->code[r->L.axis[d].single];
		}
	}
	n = cells_of(&r->L, &val, cellbuf);
	for (i = 0; i < n; i++) {
		uint32_t cell = cellbuf[i];
		cl->clients[cell]++;
		cl->ckey[cell] += rk;
		/* clients come grouped by household: count each once */
		if (hh && cl->stamp[cell] != hh) {
			cl->households[cell]++;
			cl->stamp[cell] = hh;
		}
	}
}

static void
write_period(const struct run *r, const struct period_acc *p,
    const struct cells *cl)
{
	const struct layout *L = &r->L;
	uint32_t k;

	for (k = 0; k < L->ncells; k++) {
		uint32_t cell = L->order[k];
		const uint8_t *co = L->coord + (size_t)cell * NDIM;
		int d;

		nz_csv_field(stdout, p->name, strlen(p->name), 1);
		nz_csv_field(stdout, r->agency, strlen(r->agency), 0);
		for (d = 0; d < NDIM; d++) {
			const char *v = co[d] ? L->axis[d].code[co[d] - 1] : "*";
			nz_csv_field(stdout, v, strlen(v), 0);
		}
		printf(",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		    ",%" PRIu32 "\n", cl->clients[cell], cl->households[cell],
		    p->events[cell], p->units[cell], cl->ckey[cell]);
	}
}

static const struct period_acc *sort_periods;

static int
cmp_period(const void *a, const void *b)
{
	return strcmp(sort_periods[*(const size_t *)a].name,
	    sort_periods[*(const size_t *)b].name);
}

enum { PREFETCH_AHEAD = 8 };

/* The clients of every period in the order they are counted: grouped by
 * period (pord: the periods in name order), by household within each. */
struct order {
	uint64_t *order;               /* household << 32 | client index */
	size_t *start;                 /* each period's first in order */
	size_t *pord;
	uint64_t *tmp;                 /* the sort's room: the most clients
	                                * of a period */
};

/* The room order_clients needs, taken on the main thread before it
 * starts: an error there (nz_die) must not end the process from the
 * other thread while the main one works. */
static void
order_alloc(const struct run *r, struct order *o)
{
	size_t k, most = 1;

	for (k = 0; k < r->nperiods; k++)
		if (r->period[k].nclients > most)
			most = r->period[k].nclients;
	o->start = nz_calloc(r->nperiods + 1, sizeof *o->start);
	o->order = nz_malloc((r->nclients ? r->nclients : 1) *
	    sizeof *o->order);
	o->tmp = nz_malloc(most * sizeof *o->tmp);
	o->pord = nz_calloc(r->nperiods ? r->nperiods : 1, sizeof *o->pord);
}

/* Settle every client's modal values and household (not its flow
 * measures, which settle_flows writes beside them meanwhile, on the
 * other thread), then sort them by period and household, in the room
 * order_alloc took (it allocates nothing, so it cannot fail). */
static void
order_clients(struct run *r, struct order *o)
{
	size_t i, k;

	for (i = 0; i < r->nclients; i++)
		settle_client(r, &r->client[i]);
	free(r->extra);
	r->extra = NULL;

	/* counting sort by period, then household within each period */
	for (k = 0; k < r->nperiods; k++)
		o->start[k + 1] = o->start[k] + r->period[k].nclients;
	for (i = 0; i < r->nclients; i++) {
		const struct client *c = &r->client[i];
		o->order[o->start[c->period]++] = (uint64_t)c->household << 32 |
		    i;
	}
	for (k = r->nperiods; k > 0; k--)
		o->start[k] = o->start[k - 1];
	o->start[0] = 0;
	/* in increasing index: stable by household is the order of the
	 * whole key */
	for (k = 0; k < r->nperiods; k++)
		nz_sort_hi32(o->order + o->start[k], o->tmp,
		    r->period[k].nclients);

	for (k = 0; k < r->nperiods; k++)
		o->pord[k] = k;
	sort_periods = r->period;
	qsort(o->pord, r->nperiods, sizeof *o->pord, cmp_period);
}

/* Period k's clients into its cells cl (stamp: room for a household per
 * cell, cellbuf for the cells of a client).  Returns -1 when its cells
 * could not be allocated: it may run on the other thread, where nz_die
 * would end the process under the main thread's writing. */
static int
count_clients(const struct run *r, const struct order *o, size_t k,
    struct cells *cl, uint32_t *stamp, uint32_t *cellbuf)
{
	const uint64_t *slice = o->order + o->start[k];
	size_t i, n = r->period[k].nclients, ncells = r->L.ncells;

	cl->clients = calloc(ncells, sizeof *cl->clients);
	cl->households = calloc(ncells, sizeof *cl->households);
	cl->ckey = calloc(ncells, sizeof *cl->ckey);
	if (!cl->clients || !cl->households || !cl->ckey) {
		free(cl->clients);
		free(cl->households);
		free(cl->ckey);
		memset(cl, 0, sizeof *cl);
		return -1;
	}
	cl->stamp = stamp;
	memset(stamp, 0, ncells * sizeof *stamp);
	for (i = 0; i < n; i++) {
		/* in household order the clients are scattered: fetch one a
		 * few ahead (80 bytes, two lines) */
		if (i + PREFETCH_AHEAD < n) {
			const char *ahead = (const char *)&r->client[
			    slice[i + PREFETCH_AHEAD] & 0xFFFFFFFFu];
			__builtin_prefetch(ahead);
			__builtin_prefetch(ahead + 64);
		}
		add_client(r, &r->client[slice[i] & 0xFFFFFFFFu], cl, cellbuf);
	}
	cl->stamp = NULL;
	return 0;
}

/* ---- the work after the last row, on two threads ---- */

/* Once every row is read the pipe upstream has drained and the processor
 * it ran on is free, so the work left runs on two threads (--jobs).
 * First the clients' flow measures beside their modal values and their
 * order (the two write different fields of each client).  Then the
 * periods in output order, each taken whole by whichever thread is free:
 * its spooled rows' events and units (pass 2) and its clients' cells,
 * into arrays of its own.  The main thread writes each period as soon as
 * it and every period before it are done, so that suppress downstream
 * starts on the first while the later are counted.  Each sum is made by
 * one thread in a serial run's order, so the output is byte for byte a
 * serial run's.  Where no thread can be started, the main thread does it
 * all in turn. */
struct beside {
	void (*fn)(struct run *, void *);
	struct run *r;
	void *arg;
	pthread_t thread;
	int started;
};

static void *
beside_main(void *arg)
{
	struct beside *b = arg;

	b->fn(b->r, b->arg);
	return NULL;
}

static void
beside_start(struct beside *b, void (*fn)(struct run *, void *),
    struct run *r, void *arg, int jobs)
{
	b->fn = fn;
	b->r = r;
	b->arg = arg;
	b->started = jobs > 1 &&
	    pthread_create(&b->thread, NULL, beside_main, b) == 0;
}

static void
beside_join(struct beside *b)
{
	if (b->started) {
		if ((errno = pthread_join(b->thread, NULL)) != 0)
			nz_die(NZ_EXIT_DATA, "waiting for a thread: %s",
			    strerror(errno));
	} else {
		b->fn(b->r, b->arg);
	}
}

static void
order_beside(struct run *r, void *o)
{
	order_clients(r, o);
}

/* the periods, as tasks in output order */
struct periods {
	const struct order *o;
	struct cells *cl;          /* per period */
	long *rows;                /* per task: pass 2's rows, -1 unread */
	int *err;                  /* per task: errno of that */
	char *nomem;               /* per task: its cells not allocated */
	atomic_int *done;          /* per task */
	atomic_size_t next;        /* the next task to take */
	size_t written;            /* tasks written (the main thread's) */
	int write_errno;           /* of the first flush that failed */
};

/* The main thread: every task done, in order, written. */
static void
write_done(const struct run *r, struct periods *t)
{
	size_t from = t->written;

	while (t->written < r->nperiods && atomic_load_explicit(
	    &t->done[t->written], memory_order_acquire)) {
		size_t i = t->written++, k = t->o->pord[i];

		if (t->rows[i] < 0)
			nz_die(NZ_EXIT_DATA, "reading the temporary file of "
			    "the second pass: %s", strerror(t->err[i]));
		if (t->nomem[i])
			nz_die(NZ_EXIT_DATA, "out of memory");
		write_period(r, &r->period[k], &t->cl[k]);
		free(t->cl[k].clients);
		free(t->cl[k].households);
		free(t->cl[k].ckey);
	}
	/* out now, not when stdout's buffer fills: suppress can start on
	 * them while the later periods are counted (a failure is said at
	 * the end, by finish, with the other thread done) */
	if (t->written > from && !t->write_errno && fflush(stdout) != 0)
		t->write_errno = errno ? errno : EIO;
}

/* Take tasks until none is left; writer: the main thread, which writes
 * what is done after each.  An error on the other thread is the task's,
 * for the main thread to report in output order (never nz_die there:
 * the process would end under the main thread's writing, with a period
 * cut short, and both threads could report). */
static void
take_periods(struct run *r, struct periods *t, int writer)
{
	struct spooled *buf = malloc(SPOOL_BLOCK * sizeof *buf);
	uint32_t *stamp = malloc(r->L.ncells * sizeof *stamp);
	uint32_t *cellbuf = malloc(r->L.ncells * sizeof *cellbuf);
	size_t i, k;

	if (!buf || !stamp || !cellbuf) {
		free(buf);
		free(stamp);
		free(cellbuf);
		if (writer)
			nz_die(NZ_EXIT_DATA, "out of memory");
		return;        /* no room for a second thread: the main
		                * thread takes every period */
	}
	while ((i = atomic_fetch_add(&t->next, 1)) < r->nperiods) {
		k = t->o->pord[i];
		errno = 0;
		if ((t->rows[i] = count_spooled(r, k, buf, cellbuf)) < 0)
			t->err[i] = errno;
		if (count_clients(r, t->o, k, &t->cl[k], stamp, cellbuf) < 0)
			t->nomem[i] = 1;
		atomic_store_explicit(&t->done[i], 1, memory_order_release);
		if (writer)
			write_done(r, t);
	}
	free(buf);
	free(stamp);
	free(cellbuf);
}

static void
periods_beside(struct run *r, void *t)
{
	take_periods(r, t, 0);
}

/* Everything after the last row: returns the cells written. */
static long
finish(struct run *r, int jobs)
{
	size_t ncols, i, np = r->nperiods;
	const char *const *cols = nz_cols(NZ_COLS_CELLS, &ncols);
	struct order o;
	struct periods t;
	struct beside b;
	long rows = 0;

	order_alloc(r, &o);
	beside_start(&b, order_beside, r, &o, jobs);
	settle_flows(r);
	beside_join(&b);
	free(o.tmp);

	t.o = &o;
	t.cl = nz_calloc(np ? np : 1, sizeof *t.cl);
	t.rows = nz_calloc(np ? np : 1, sizeof *t.rows);
	t.err = nz_calloc(np ? np : 1, sizeof *t.err);
	t.nomem = nz_calloc(np ? np : 1, sizeof *t.nomem);
	t.done = nz_calloc(np ? np : 1, sizeof *t.done);
	for (i = 0; i < np; i++)
		atomic_init(&t.done[i], 0);
	atomic_init(&t.next, 0);
	t.written = 0;
	t.write_errno = 0;
	nz_csv_header(stdout, cols, ncols);
	beside_start(&b, periods_beside, r, &t, jobs);
	take_periods(r, &t, 1);
	beside_join(&b);
	write_done(r, &t);
	if (t.write_errno) {   /* nz_close_stdout says it, as at the end */
		errno = t.write_errno;
		exit(nz_close_stdout());
	}
	for (i = 0; i < np; i++)
		rows += t.rows[i];
	if (rows != r->spooled)
		nz_die(NZ_EXIT_DATA, "reading the temporary file of the second "
		    "pass: rows missing");
	free(t.cl);
	free(t.rows);
	free(t.err);
	free(t.nomem);
	free((void *)t.done);
	free(o.order);
	free(o.start);
	free(o.pord);
	return (long)np * r->L.ncells;
}

static void
write_stats(const struct run *r, const char *path, long cells_written)
{
	json_t *stats = json_object();

	json_object_set_new(stats, "program", json_string("aggregate"));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "rows_read", json_integer(r->rows_read));
	json_object_set_new(stats, "rows_counted", json_integer(r->rows_read));
	json_object_set_new(stats, "rows_rejected", json_integer(0));
	json_object_set_new(stats, "cells_written", json_integer(cells_written));
	json_object_set_new(stats, "history_rows_read",
	    json_integer(r->history_read));
	json_object_set_new(stats, "rejected", json_object());
	json_object_set_new(stats, "warnings", json_pack("{s:I}",
	    "region_outside_area", (json_int_t)r->outside_area));
	json_object_set_new(stats, "flow", json_pack("{s:I, s:s?, s:s?, s:I, "
	    "s:I, s:I}", "window_months", (json_int_t)r->flow->window_months,
	    "coverage_from", r->coverage_from[0] ? r->coverage_from : NULL,
	    "coverage_source", r->coverage_source,
	    "lookback_clients", (json_int_t)nz_lookback_clients(r->seen),
	    "clients_status_unknown", (json_int_t)r->status_unknown,
	    "clients_tenure_unknown", (json_int_t)r->tenure_unknown));
	nz_json_write(path, stats);
}

static void
run_free(struct run *r)
{
	size_t i;
	int d;

	for (d = 0; d < NDIM; d++) {
		nz_codes_free(r->L.axis[d].list);
		free(r->L.axis[d].code);
		free(r->L.axis[d].slot);
	}
	free(r->L.mask);
	free(r->L.order);
	free(r->L.coord);
	for (i = 0; i < r->nperiods; i++) {
		free(r->period[i].events);
		free(r->period[i].units);
		free(r->period[i].tail);
		free(r->period[i].block);
	}
	free(r->period);
	free(r->agency);
	free(r->client);
	free(r->slot);
	free(r->extra);
	nz_buf_free(&r->hh.arena);
	free(r->hh.slot);
	nz_lookback_free(r->seen);
	if (r->spool)
		fclose(r->spool);
	if (r->out) {
		nz_strset_free(r->out->index);
		free(r->out->bits);
		free(r->out->agency);
		free(r->out);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"tables", required_argument, NULL, 't'},
		{"codes", required_argument, NULL, 'c'},
		{"bands", required_argument, NULL, 'b'},
		{"profile", required_argument, NULL, 'p'},
		{"regions", required_argument, NULL, 'r'},
		{"history", required_argument, NULL, 'H'},
		{"flow", required_argument, NULL, 'f'},
		{"export-stats", required_argument, NULL, 'E'},
		{"outcomes", required_argument, NULL, 'O'},
		{"stats", required_argument, NULL, 's'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct run run = {0};
	char used[1 << NDIM] = {0};
	char *tables = NULL, *codes = NULL, *bands = NULL;
	const char *profile = NULL, *regions = NULL, *stats = NULL;
	const char *history = NULL, *export_stats = NULL, *outcomes = NULL;
	char *flow = NULL;
	long cells_written;
	int c, i, jobs = nz_jobs_default();

	nz_setprog(argv[0]);
	hexval_init();
	find_columns();
	while ((c = getopt_long(argc, argv, "t:c:b:p:r:H:f:E:O:s:j:hV", opts,
	    NULL)) != -1) {
		switch (c) {
		case 't': tables = optarg; break;
		case 'c': codes = optarg; break;
		case 'b': bands = optarg; break;
		case 'p': profile = optarg; break;
		case 'r': regions = optarg; break;
		case 'H':
			if (strcmp(optarg, "-") == 0)
				nz_usage_error("--history needs a file: standard "
				    "input carries the events to count");
			history = optarg;
			break;
		case 'f': flow = optarg; break;
		case 'E': export_stats = optarg; break;
		case 'O': outcomes = nz_side_path("--outcomes", optarg);
			break;
		case 's': stats = nz_side_path("--stats", optarg); break;
		case 'j': jobs = nz_jobs_arg(optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (profile && regions)
		nz_usage_error("give the coverage by --profile or --regions, "
		    "not both");
	tables = tables ? nz_strdup(tables) : nz_pipelines_path("tables.json");
	codes = codes ? nz_strdup(codes) : nz_pipelines_path("codes");
	bands = bands ? nz_strdup(bands) : nz_pipelines_path("age-bands.json");
	flow = flow ? nz_strdup(flow) : nz_pipelines_path("flow-bands.json");

	nz_stream_setup();
	load_axes(&run.L, codes, bands);
	if (profile)
		coverage_from_profile(&run.L.axis[NZ_DIM_REGION], profile);
	else if (regions)
		coverage_from_list(&run.L.axis[NZ_DIM_REGION], regions);
	cover_outside_area(&run.L.axis[NZ_DIM_REGION]);
	load_tables(tables, used);
	if (!outcomes)   /* no assessments: no outcome cells, not zeros */
		for (c = 0; c < (1 << NDIM); c++)
			if (c & (1 << OUTCOME_DIM))
				used[c] = 0;
	build_layout(&run.L, used);
	if (outcomes)
		read_outcomes(&run, outcomes);
	run.flow = nz_flow_load(flow, codes);
	flow_codes(&run);
	run.seen = nz_lookback_new();
	run.full_from = LONG_MIN;
	run.earliest = LONG_MAX;
	if (export_stats)
		coverage_from_stats(&run, export_stats);

	if (optind == argc)
		read_input(&run, "-");
	for (i = optind; i < argc; i++)
		read_input(&run, argv[i]);
	free_pending();
	/* after the counted events: in a pipe from 'freeze --split', which
	 * writes the history as it goes, it is complete by then */
	run.history_last = -1;
	if (history) {
		read_history(&run, history);
		check_history(&run, history);
	}
	if (run.out && run.agency && run.out->agency &&
	    strcmp(run.out->agency, run.agency) != 0)
		nz_die(NZ_EXIT_DATA, "%s: agency %s, but the events are of agency %s",
		    outcomes, nz_q(run.out->agency), nz_q(run.agency));
	cells_written = finish(&run, jobs);
	if (stats)
		write_stats(&run, stats, cells_written);
	run_free(&run);
	free(tables);
	free(codes);
	free(bands);
	nz_flow_free((nz_flow *)run.flow);
	free(flow);
	return nz_close_stdout();
}
