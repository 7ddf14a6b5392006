/* schema.c: the cell layout and the column lists of every contract, defined
 * once (DESIGN §3).  Every program takes its headers and column indices
 * from here: adding a dimension is one line of nz_dims plus its code list.
 */
#include <stdio.h>
#include <string.h>

#include "nz.h"

/* The dimensions of a cell, in the contracts' column order.  event_col:
 * where the dimension's value sits among the categorical columns of the
 * event files (canonical, mapped and bucketed events), in their order;
 * -1 when it is not an event column (age_band comes from the age, the
 * flow measures from a client's events in and before the quarter). */
const nz_dim nz_dims[] = {
	/* name          multi  code list    event_col  per_client */
	{"region",       0,     "region",    2,         0},
	{"age_band",     0,     NULL,        -1,        0},
	{"gender",       0,     "gender",    0,         0},
	{"ethnicity",    1,     "ethnicity", 1,         0},
	{"household",    0,     "household", 3,         0},
	{"income",       1,     "income",    4,         0},
	{"housing",      0,     "housing",   5,         0},
	{"need",         1,     "need",      6,         0},
	{"service",      1,     "service",   7,         0},
	{"referral",     0,     "referral",  8,         0},
	/* the flow measures: computed per client and quarter by aggregate
	 * (flow-bands.json), never event columns */
	{"client_status", 0,    "client_status", -1,    1},
	{"visits_band",  0,     "visits_band", -1,      1},
	{"needs_band",   0,     "needs_band", -1,       1},
	{"tenure_band",  0,     "tenure_band", -1,      1},
	/* from pair-outcomes, joined by client and quarter (aggregate
	 * --outcomes): no event column; several per client */
	{"outcome",      1,     "outcome",   -1,        0},
};
_Static_assert(sizeof nz_dims / sizeof *nz_dims == NZ_NDIMS,
    "NZ_NDIMS in nz.h must count the dimensions above");

const char *const nz_measure_names[NZ_NMEASURES] = {
	"clients", "households", "events", "units",
};

int
nz_dim_index(const char *name)
{
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		if (strcmp(nz_dims[d].name, name) == 0)
			return d;
	return -1;
}

int
nz_measure_index(const char *name)
{
	int m;

	/* the first letter first: the names differ there, so one strcmp
	 * instead of up to four (every intervals row asks) */
	for (m = 0; m < NZ_NMEASURES; m++)
		if (name[0] == nz_measure_names[m][0] &&
		    strcmp(nz_measure_names[m], name) == 0)
			return m;
	return -1;
}

int
nz_nfields(void)
{
	int d, n = 0;

	for (d = 0; d < NZ_NDIMS; d++)
		n += nz_dims[d].event_col >= 0;
	return n;
}

int
nz_field_dim(int field)
{
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		if (nz_dims[d].event_col == field)
			return d;
	return -1;
}

const char *
nz_field_name(int field)
{
	return nz_dims[nz_field_dim(field)].name;
}

int
nz_field_index(const char *name)
{
	int d = nz_dim_index(name);

	return d < 0 ? -1 : nz_dims[d].event_col;
}

/* ---- the contracts' column lists ---- */

#define MAX_COLS (8 + NZ_NDIMS + 16 * NZ_NMEASURES)

struct cols {
	const char *name[MAX_COLS];
	char built[MAX_COLS][32];   /* names made here, e.g. clients_low */
	size_t n;
};

static void
add(struct cols *c, const char *name)
{
	c->name[c->n++] = name;
}

static void
add_fields(struct cols *c)
{
	int f;

	for (f = 0; f < nz_nfields(); f++)
		add(c, nz_dims[nz_field_dim(f)].name);
}

static void
add_dims(struct cols *c)
{
	int d;

	for (d = 0; d < NZ_NDIMS; d++)
		add(c, nz_dims[d].name);
}

static void
add_measures(struct cols *c, const char *const *suffix, size_t nsuffix)
{
	size_t s;
	int m;

	for (m = 0; m < NZ_NMEASURES; m++)
		for (s = 0; s < nsuffix; s++) {
			snprintf(c->built[c->n], sizeof c->built[c->n], "%s%s",
			    nz_measure_names[m], suffix[s]);
			add(c, c->built[c->n]);
		}
}

static void
build(enum nz_contract which, struct cols *c)
{
	static const char *const plain[] = {""};
	/* the hard bounds, how a reader shows them, then the statistical
	 * interval (merge --help) */
	static const char *const bounds[] = {"", "_low", "_high", "_shown",
	    "_stat_low", "_stat_high"};
	static const char *const change[] = {"", "_low", "_high", "_base",
	    "_base_low", "_base_high", "_change", "_change_low",
	    "_change_high", "_pct", "_sig"};

	switch (which) {
	case NZ_COLS_CANONICAL:
		add(c, "agency");
		add(c, "client_key");
		add(c, "household_key");
		add(c, "event_date");
		add(c, "age");
		add_fields(c);
		add(c, "units");
		break;
	case NZ_COLS_BUCKETED:
		add(c, "agency");
		add(c, "period");
		add(c, "client_key");
		add(c, "household_key");
		add(c, "age_band");
		add_fields(c);
		add(c, "units");
		break;
	case NZ_COLS_CELLS:
	case NZ_COLS_RELEASE:
	case NZ_COLS_CELL_KEY:
	case NZ_COLS_AUDIT:
	case NZ_COLS_MERGED:
		add(c, "period");
		add(c, "agency");
		add_dims(c);
		if (which == NZ_COLS_CELLS || which == NZ_COLS_RELEASE)
			add_measures(c, plain, 1);
		if (which == NZ_COLS_CELLS)
			add(c, "ckey");
		if (which == NZ_COLS_AUDIT) {
			add(c, "measure");
			add(c, "low");
			add(c, "high");
			add(c, "status");
		}
		if (which == NZ_COLS_MERGED) {
			add_measures(c, bounds, sizeof bounds / sizeof *bounds);
			add(c, "agencies");
		}
		break;
	case NZ_COLS_CHANGES:
		add(c, "period");
		add(c, "base_period");
		add(c, "agency");
		add_dims(c);
		add_measures(c, change, sizeof change / sizeof *change);
		add(c, "agencies_matched");
		add(c, "agencies_joined");
		add(c, "agencies_left");
		add(c, "policy_events");
		break;
	case NZ_COLS_WORKER:
		add(c, "client_key");
		add(c, "event_date");
		add(c, "worker");
		break;
	case NZ_COLS_COVERAGE:
		add(c, "period");
		add(c, "expected");
		add(c, "reported");
		add(c, "not_yet_reported");
		add(c, "agencies_reported");
		add(c, "agencies_not_yet_reported");
		add(c, "complete");
		add(c, "latest_complete");
		break;
	case NZ_COLS_UTILITY:
		add(c, "period");
		add(c, "measure");
		add(c, "level");
		add(c, "interval");
		add(c, "cells");
		add(c, "number");
		add(c, "range");
		add(c, "S");
		add(c, "median_range_width");
		add(c, "median_range_span");
		break;
	case NZ_COLS_ASSESSMENTS:
		add(c, "agency");
		add(c, "client_key");
		add(c, "assessment_date");
		add(c, "domain");
		add(c, "score");
		break;
	case NZ_COLS_OUTCOMES:
		add(c, "agency");
		add(c, "period");
		add(c, "client_key");
		add(c, "outcome");
		break;
	case NZ_COLS_RECEIVED:
		add(c, "agency");
		add(c, "period");
		add(c, "key_fingerprint");
		add(c, "sha256");
		break;
	case NZ_NCONTRACTS:
		break;
	}
}

const char *const *
nz_cols(enum nz_contract which, size_t *n)
{
	static struct cols cols[NZ_NCONTRACTS];
	static int built[NZ_NCONTRACTS];

	if (!built[which]) {
		build(which, &cols[which]);
		built[which] = 1;
	}
	*n = cols[which].n;
	return cols[which].name;
}

int
nz_col_index(enum nz_contract which, const char *name)
{
	size_t n, i;
	const char *const *cols = nz_cols(which, &n);

	for (i = 0; i < n; i++)
		if (strcmp(cols[i], name) == 0)
			return (int)i;
	return -1;
}

void
nz_cols_usage(const char *label, enum nz_contract which)
{
	size_t n, i, col = strlen(label);
	const char *const *cols = nz_cols(which, &n);

	fputs(label, stdout);
	for (i = 0; i < n; i++) {
		size_t w = strlen(cols[i]) + (i + 1 < n);
		if (col + w > 76) {
			printf("\n%*s", (int)strlen(label), "");
			col = strlen(label);
		}
		printf("%s%s", cols[i], i + 1 < n ? "," : "\n");
		col += w;
	}
}

void
nz_dims_usage(void)
{
	int multi, d, any;

	for (multi = 0; multi < 2; multi++) {
		printf("%s", multi ? "Multi-valued (total response):" :
		    "Single-valued (modal):");
		for (d = any = 0; d < NZ_NDIMS; d++)
			if (nz_dims[d].multi == multi)
				printf("%s %s", any++ ? "," : "",
				    nz_dims[d].name);
		putchar('\n');
	}
}

/* "(PERIOD, AGENCY, dim=code, ...)", leaving out the "*" dimensions;
 * "(dim=code, ...)" with no period. */
void
nz_cell_label(nz_buf *out, const char *period, const char *agency,
    const char *const dim[NZ_NDIMS])
{
	int d, any = 0;

	nz_buf_clear(out);
	nz_buf_adds(out, "(");
	if (period)
		nz_buf_printf(out, "%s, %s", period, agency);
	for (d = 0; d < NZ_NDIMS; d++) {
		if (strcmp(dim[d], "*") == 0)
			continue;
		nz_buf_printf(out, "%s%s=%s", period || any ? ", " : "",
		    nz_dims[d].name, dim[d]);
		any = 1;
	}
	nz_buf_adds(out, any ? ")" : period ? ", all)" : "all)");
}
