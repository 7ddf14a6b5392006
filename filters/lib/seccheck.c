/* seccheck.c: an agency's check of a value round's included cells
 * (README, "Secure mode").  NZCCSS chooses the cells of a value round
 * from the indicator round's sum; trusted, a dishonest NZCCSS could
 * include a cell only one agency has and read that agency's exact
 * counts from the sum.  So each agency sums the indicator round itself:
 * the statement and every participant's signed vector (NZCCSS forwards
 * them; each is masked, so it tells nothing alone), and acknowledges or
 * sends only when the value round's cells are exactly those with k or
 * more contributors. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "secure.h"

#define K_MIN 3   /* as secround open: two could each subtract their own */

/* the indicator round must be the one the value round names, and a
 * round of the same quarter, list and universe over every cell */
static void
check_pair(const nz_round *v, const nz_round *ind)
{
	size_t i;

	if (strcmp(v->indicator, ind->hash_hex) != 0)
		nz_die(NZ_EXIT_DATA, "%s: the value round names indicator "
		    "round %.12s, not %s (%.12s): refused", v->path,
		    v->indicator, ind->path, ind->hash_hex);
	if (ind->kind != NZ_ROUND_INDICATOR)
		nz_die(NZ_EXIT_DATA, "%s: not an indicator round: refused",
		    ind->path);
	if (strcmp(v->quarter, ind->quarter) != 0 || v->round == ind->round ||
	    strcmp(v->list_hash, ind->list_hash) != 0 ||
	    strcmp(v->universe, ind->universe) != 0 || v->ncells !=
	    ind->ncells)
		nz_die(NZ_EXIT_DATA, "%s: the indicator round %s is not of the "
		    "same quarter, participant list and universe, with "
		    "another round number: refused", v->path, ind->path);
	for (i = 0; i < ind->ncells; i++)
		if (!ind->included[i])
			nz_die(NZ_EXIT_DATA, "%s: the indicator round leaves "
			    "out cell %zu: every cell must be counted; "
			    "refused", ind->path, i + 1);
	if (v->k < K_MIN)
		nz_die(NZ_EXIT_DATA, "%s: k %ld: a value round needs k of %d "
		    "or more; refused", v->path, v->k, K_MIN);
}

/* the contributors of every cell: the masks cancel over every vector */
static uint32_t *
sum_indicators(const nz_round *ind, char **vec, size_t nvec)
{
	long missing;
	uint32_t *sum = nz_vectors_sum(ind, vec, nvec, &missing);
	size_t i;

	nz_hold(sum);
	if (missing >= 0)
		nz_die(NZ_EXIT_DATA, "%s: no indicator vector from %s: the "
		    "value round's cells cannot be checked; refused",
		    ind->path, ind->party[missing].name);
	for (i = 0; i < ind->ncells; i++)
		if (sum[i] > ind->nparties)
			nz_die(NZ_EXIT_DATA, "%s: cell %zu: %" PRIu32 " "
			    "contributors of %zu participants: an indicator "
			    "vector is not made of indicators; refused",
			    ind->path, i + 1, sum[i], ind->nparties);
	nz_drop(sum);
	return sum;
}

void
nz_value_check(const nz_round *value, const nz_universe *u,
    const char *indicator, const nz_pinned *pinned, char **vec, size_t nvec)
{
	nz_round *ind = nz_round_load(indicator, pinned);
	unsigned char *want;
	uint32_t *sum;
	size_t i;

	check_pair(value, ind);
	if (strcmp(u->hash, value->universe) != 0 || u->n != value->ncells)
		nz_die(NZ_EXIT_DATA, "%s: wrong universe: the round's (%.12s, "
		    "%zu cells) is not the one the table spec and code lists "
		    "make here (%.12s, %zu cells); refused", value->path,
		    value->universe, value->ncells, u->hash, u->n);
	sum = sum_indicators(ind, vec, nvec);
	nz_hold(sum);
	want = nz_calloc(u->n + 1, 1);
	nz_hold(want);
	nz_universe_include(u, sum, value->k, want);
	/* what the round sums that it should not, the attack, first */
	for (i = 0; i < value->ncells; i++)
		if (value->included[i] && !want[i])
			nz_die(NZ_EXIT_DATA, "%s: the value round includes "
			    "cells the indicator round does not give k "
			    "contributors, or a band of an outcome domain "
			    "with a band of fewer, or a cell that would give "
			    "another by subtraction (cell %zu: %" PRIu32 ", k "
			    "%ld); refused", value->path, i + 1, sum[i],
			    value->k);
	for (i = 0; i < value->ncells; i++) {
		if (!value->included[i] && want[i])
			nz_die(NZ_EXIT_DATA, "%s: the value round excludes "
			    "cells that have k contributors (cell %zu: %"
			    PRIu32 ", k %ld); refused", value->path, i + 1,
			    sum[i], value->k);
	}
	nz_drop(want);
	free(want);
	nz_drop(sum);
	free(sum);
	nz_round_free(ind);
}
