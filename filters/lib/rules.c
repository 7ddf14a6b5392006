/* rules.c: the disclosure rules (DESIGN §5): a rules file, or the copy of
 * one that a manifest carries, read and checked once; and the one place
 * that says what range of true values a published figure or an S stands
 * for (the release reader and the SDC engine both ask here). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nz.h"

static _Noreturn void
rules_error(const char *path, const char *key, const char *msg)
{
	nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
	    "\"%s\" %s", key, msg);
}

static long
rules_int(const char *path, json_t *root, const char *key, long min,
    long max)
{
	json_t *v = json_object_get(root, key);

	if (!v)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"%s\"", path, key);
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
		    "\"%s\" must be an integer from %ld to %ld", key, min,
		    max);
	return (long)json_integer_value(v);
}

static void
rules_list(const char *path, json_t *root, const char *key,
    nz_rules *r, enum nz_rule_kind kind)
{
	json_t *list = json_object_get(root, key), *v;
	size_t i;
	int m;

	if (!list)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"%s\"", path, key);
	if (!json_is_array(list))
		rules_error(path, key, "must be an array of measure names");
	json_array_foreach(list, i, v) {
		m = json_is_string(v) ? nz_measure_index(json_string_value(v)) :
		    -1;
		if (m < 0)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    key, 1), "\"%s\": unknown measure %s (expected "
			    "clients, households, events or units)", key,
			    json_is_string(v) ? nz_q(json_string_value(v)) :
			    "(not a string)");
		if (r->kind[m] != NZ_RULE_UNRULED)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    key, 1), "\"%s\": measure %s is already listed",
			    key, nz_measure_names[m]);
		r->kind[m] = kind;
	}
}

void
nz_rules_parse(const char *path, json_t *root, nz_rules *r)
{
	json_t *sz;
	int m;

	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s",
	    nz_json_str(path, root, "name", NULL));
	nz_json_str(path, root, "version", NULL);
	r->threshold = rules_int(path, root, "threshold", 0,
	    NZ_RULES_MAX);
	r->base = rules_int(path, root, "base", 1, NZ_RULES_MAX);
	r->sum_min_clients = rules_int(path, root, "sum_min_clients", 0,
	    NZ_RULES_MAX);
	sz = json_object_get(root, "suppress_zero");
	if (!sz)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"suppress_zero\"",
		    path);
	if (!json_is_boolean(sz))
		rules_error(path, "suppress_zero", "must be true or false");
	r->suppress_zero = json_is_true(sz);
	rules_list(path, root, "person_measures", r, NZ_RULE_PERSON);
	rules_list(path, root, "sum_measures", r, NZ_RULE_SUM);
	/* an unlisted measure would be published raw: refuse */
	for (m = 0; m < NZ_NMEASURES; m++)
		if (r->kind[m] == NZ_RULE_UNRULED)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    "person_measures", 1), "measure %s is in neither "
			    "\"person_measures\" nor \"sum_measures\"",
			    nz_measure_names[m]);
	nz_perturb_parse(path, root, r);
}

void
nz_rules_load(const char *path, nz_rules *r)
{
	json_t *root = nz_json_load(path);

	nz_rules_parse(path, root, r);
	nz_json_free(root);
}

/* ---- what a figure of a release can stand for ---- */

/* Under a perturbation, the true values the table can publish as p: p-max
 * .. p+max, not below 0, and not 0 when zeros are kept and p is not (the
 * table's checks, perturb.c, make it that whole run). */
static int
perturbed_range(const nz_perturb *pt, int64_t p, int64_t *lo, int64_t *hi)
{
	int64_t v;

	for (v = p > pt->max ? p - pt->max : 0; v <= p + pt->max; v++)
		if (nz_perturb_weight(pt, (uint64_t)v, (long)(p - v)) > 0) {
			if (*lo > *hi)
				*lo = v;
			*hi = v;
		}
	return *lo <= *hi ? NZ_RANGE_OK : NZ_RANGE_EMPTY;
}

int
nz_rules_published_range(const nz_rules *r, int m, int64_t p, int64_t *lo,
    int64_t *hi)
{
	int64_t spread = r->base - 1, t = r->threshold;

	*lo = 1;
	*hi = 0;
	if (p < 0)
		return NZ_RANGE_NEGATIVE;
	if (r->kind[m] == NZ_RULE_UNRULED) {
		*lo = *hi = p;
		return NZ_RANGE_OK;
	}
	if (r->perturb.max)
		return perturbed_range(&r->perturb, p, lo, hi);
	if (p % r->base != 0)
		return NZ_RANGE_NOT_MULTIPLE;
	*hi = p + spread;
	if (r->kind[m] == NZ_RULE_SUM) {
		*lo = p > spread ? p - spread : 0;
		return NZ_RANGE_OK;
	}
	/* only raw values at or above the threshold are published ... */
	*lo = p - spread > t ? p - spread : t;
	/* ... and a raw 0 when zeros are, which rounding never moves */
	if (!r->suppress_zero && p <= spread) {
		if (*lo > *hi)
			*hi = 0;
		*lo = 0;
	}
	return *lo <= *hi ? NZ_RANGE_OK : NZ_RANGE_EMPTY;
}

int
nz_rules_suppressed_range(const nz_rules *r, int m, int64_t *lo,
    int64_t *hi)
{
	*lo = 0;
	*hi = NZ_RANGE_INF;
	if (r->perturb.max) {
		*lo = 1;   /* a perturbation hides no value */
		*hi = 0;
		return NZ_RANGE_NO_S;
	}
	if (r->kind[m] != NZ_RULE_PERSON)
		return NZ_RANGE_OK;
	/* a raw 0 is published when the rules publish zeros */
	*lo = r->suppress_zero ? 0 : 1;
	*hi = r->threshold - 1;
	return *lo <= *hi ? NZ_RANGE_OK : NZ_RANGE_NO_S;
}

const char *
nz_rules_range_error(const nz_rules *r, int status, int64_t p)
{
	static char msg[200];

	switch (status) {
	case NZ_RANGE_NEGATIVE:
		snprintf(msg, sizeof msg, "%" PRId64 " is negative", p);
		break;
	case NZ_RANGE_NOT_MULTIPLE:
		snprintf(msg, sizeof msg, "%" PRId64 " is not a multiple of "
		    "the rounding base %ld (rules %s)", p, r->base,
		    nz_q(r->name));
		break;
	case NZ_RANGE_EMPTY:
		if (r->perturb.max) {
			snprintf(msg, sizeof msg, "%" PRId64 " is impossible: "
			    "no value comes out as it under the perturbation "
			    "table (rules %s)", p, nz_q(r->name));
			break;
		}
		snprintf(msg, sizeof msg, "%" PRId64 " is impossible: values "
		    "under %ld are suppressed, and rounding moves a value by "
		    "at most %ld (rules %s)", p, r->threshold, r->base - 1,
		    nz_q(r->name));
		break;
	case NZ_RANGE_NO_S:
		snprintf(msg, sizeof msg, "S is impossible: rules %s suppress "
		    "no value", nz_q(r->name));
		break;
	default:
		snprintf(msg, sizeof msg, "no error");
	}
	return msg;
}

/* ---- what a reader can learn, in words (audit --statement) ---- */

static void
statement_perturbed(FILE *f, const nz_rules *r, long figures)
{
	long d = r->perturb.max;

	fprintf(f, "Rules %s: cell-key perturbation.  Nothing is suppressed "
	    "or rounded: each of the %ld figures is its true value plus a "
	    "perturbation from -%ld to +%ld, looked up in the rules' table "
	    "from the cell's key (never published), the cell's measure and "
	    "its true value.  The audit checked that every figure is one the "
	    "table can give, that no S is published, and that no relation "
	    "between the published cells is broken.\n\n", r->name, figures,
	    d, d);
	fprintf(f, "What a reader can learn:\n"
	    "- every true value to within %ld of its figure: a published p "
	    "stands for max(%ld, p-%ld)..p+%ld, and 0 for 0..%ld;\n", d,
	    r->perturb.zero_kept ? 1L : 0L, d, d, d);
	if (r->perturb.zero_kept)
		fprintf(f, "- that a cell published as 1 or more holds at least "
		    "one person or event: a true 0 is always published as 0;\n");
	fprintf(f, "- small counts: no threshold protects them, so a "
	    "published 1 stands for 1..%ld people;\n"
	    "- more, possibly, by combining a cell with its margins (each "
	    "figure is perturbed on its own, so a margin and its children "
	    "need not add up exactly): no guarantee is made against that.\n\n",
	    1 + d);
	fprintf(f, "What a reader cannot learn:\n"
	    "- the perturbation of any figure: the same cell (the same "
	    "records, so the same key) gets the same perturbation in every "
	    "table and every release, so asking again, or finding the cell in "
	    "another table, averages nothing away;\n"
	    "- a true value more exactly than the range above from that "
	    "figure alone: every perturbation the table allows has a weight "
	    "above zero.\n");
}

void
nz_rules_statement(FILE *f, const nz_rules *r, long figures, long s)
{
	if (r->perturb.max) {
		statement_perturbed(f, r, figures);
		return;
	}
	fprintf(f, "Rules %s: threshold %ld, random rounding to base %ld.  "
	    "Of the %ld figures, %ld are S.  The audit proved that no S can "
	    "be narrowed to fewer than 3 whole numbers from everything "
	    "published (the margins, the rounding and the relations between "
	    "measures).\n\n", r->name, r->threshold, r->base, figures, s);
	fprintf(f, "What a reader can learn:\n"
	    "- every published figure to within %ld of its true value;\n"
	    "- that a published person count is %ld or more%s.\n\n"
	    "What a reader cannot learn:\n"
	    "- any S to fewer than 3 possible values;\n"
	    "- the rounding of any figure: the same cell always rounds the "
	    "same way, so asking again averages nothing away.\n",
	    r->base - 1, r->threshold, r->suppress_zero ? "" :
	    ", or exactly 0");
}
