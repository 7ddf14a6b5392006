/* perturb.c: the cell-key perturbation table of a rules file (issue 22,
 * item 2; pipelines/rules/cellkey.json): read and checked once, looked up
 * by suppress.  What a perturbed figure stands for is said in rules.c.
 *
 * The method is the ABS cell-key method: every cell carries a key (ckey,
 * the sum mod 2^32 of its records' keys, so the same records give the
 * same key in every table), and the perturbation of a value is a fixed
 * function of the key, the measure and the value, looked up in a bounded
 * table.  The checks below are what the ranges rely on: every
 * perturbation a row allows (the value stays at 0 or above) has a
 * positive weight, so a published p can come from any true value within
 * max of it; no row allows more; and every row's mean is 0, so sums stay
 * unbiased. */
#include <inttypes.h>
#include <stdio.h>

#include "nz.h"

static _Noreturn void
table_error(const char *path, const char *fmt, long a, long b)
{
	char msg[200];

	snprintf(msg, sizeof msg, fmt, a, b);
	nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "table", 1),
	    "\"perturbation\": %s", msg);
}

static long
perturb_int(const char *path, json_t *obj, const char *key, long min,
    long max)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
		    "\"perturbation\": \"%s\" must be an integer from %ld to "
		    "%ld", key, min, max);
	return (long)json_integer_value(v);
}

/* One row: the weights of -max..+max for true value v. */
static void
perturb_row(const char *path, json_t *row, long v, nz_perturb *p, int i)
{
	json_t *w = json_object_get(row, "weights");
	long sum = 0, mean = 0, x, d;
	size_t n = (size_t)(2 * p->max + 1), j;

	if (!json_is_object(row) || perturb_int(path, row, "value", 0,
	    NZ_PERTURB_ROWS) != v)
		table_error(path, "row %ld must be {\"value\": %ld, \"weights\": "
		    "[...]}", (long)i + 1, v);
	if (!json_is_array(w) || json_array_size(w) != n)
		table_error(path, "the weights of value %ld must be %ld "
		    "integers, for -max..+max", v, (long)n);
	for (j = 0; j < n; j++) {
		d = (long)j - p->max;
		if (!json_is_integer(json_array_get(w, j)) ||
		    (x = (long)json_integer_value(json_array_get(w, j))) < 0 ||
		    x > NZ_PERTURB_SCALE)
			table_error(path, "value %ld: weight %ld is not an "
			    "integer from 0 to 1000", v, (long)j + 1);
		/* a true value never goes below 0 */
		if (v + d < 0 && x != 0)
			table_error(path, "value %ld cannot be moved by %ld",
			    v, d);
		if (v + d >= 0 && x == 0)
			table_error(path, "value %ld: the perturbation %ld "
			    "needs a weight above 0 (a published figure must "
			    "stand for every true value within max of it)", v,
			    d);
		p->weight[i][j] = (int)x;
		sum += x;
		mean += x * d;
	}
	if (sum != NZ_PERTURB_SCALE)
		table_error(path, "the weights of value %ld add up to %ld, not "
		    "1000", v, sum);
	if (mean != 0)
		table_error(path, "the weights of value %ld have a mean of "
		    "%ld/1000, not 0 (the perturbation must be unbiased)", v,
		    mean);
}

/* "perturbation" of a rules file, when it has one. */
void
nz_perturb_parse(const char *path, json_t *root, nz_rules *r)
{
	json_t *obj = json_object_get(root, "perturbation"), *table, *zk;
	nz_perturb *p = &r->perturb;
	size_t i;

	memset(p, 0, sizeof *p);
	if (!obj)
		return;
	if (!json_is_object(obj))
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    "perturbation", 1), "\"perturbation\" must be an object");
	p->max = perturb_int(path, obj, "max", 1, NZ_PERTURB_MAX);
	zk = json_object_get(obj, "zero_kept");
	if (!json_is_boolean(zk))
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    "zero_kept", 1), "\"perturbation\": \"zero_kept\" must be "
		    "true or false");
	p->zero_kept = json_is_true(zk);
	p->first = p->zero_kept;
	table = json_object_get(obj, "table");
	if (!json_is_array(table) || json_array_size(table) == 0 ||
	    json_array_size(table) > NZ_PERTURB_ROWS)
		table_error(path, "\"table\" must be an array of 1 to %ld rows",
		    NZ_PERTURB_ROWS, 0);
	p->rows = (int)json_array_size(table);
	for (i = 0; i < (size_t)p->rows; i++)
		perturb_row(path, json_array_get(table, i),
		    p->first + (long)i, p, (int)i);
	/* the last row serves every larger value: none may go below 0 */
	if (p->first + p->rows - 1 < p->max)
		table_error(path, "the last row is for value %ld: it must be "
		    "for %ld or more, as it serves every larger value",
		    p->first + p->rows - 1, p->max);
	/* a perturbation suppresses and rounds nothing */
	if (r->threshold != 0 || r->base != 1 || r->sum_min_clients != 0 ||
	    r->suppress_zero)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    "perturbation", 1), "rules with a \"perturbation\" "
		    "suppress and round nothing: threshold 0, suppress_zero "
		    "false, base 1, sum_min_clients 0");
}

/* The weight (thousandths) of moving true value v by d; 0 if none. */
int
nz_perturb_weight(const nz_perturb *p, uint64_t v, long d)
{
	uint64_t last = (uint64_t)(p->first + p->rows - 1);

	if (d < -p->max || d > p->max)
		return 0;
	if (v == 0 && p->zero_kept)
		return d == 0 ? NZ_PERTURB_SCALE : 0;
	if (v > last)
		v = last;   /* the last row never reaches below 0 */
	return p->weight[v - (uint64_t)p->first][d + p->max];
}

uint64_t
nz_rules_perturbed(const nz_rules *r, uint64_t value, uint64_t draw)
{
	const nz_perturb *p = &r->perturb;
	uint64_t at = (uint64_t)(((unsigned __int128)draw *
	    NZ_PERTURB_SCALE) >> 64);
	uint64_t cum = 0;
	long d;

	for (d = -p->max; d < p->max; d++) {
		cum += (uint64_t)nz_perturb_weight(p, value, d);
		if (at < cum)
			break;
	}
	return (uint64_t)((int64_t)value + d);
}

double
nz_rules_variance(const nz_rules *r)
{
	const nz_perturb *p = &r->perturb;
	double most = 0, v;
	int i, j;

	if (p->max == 0)
		return ((double)r->base * (double)r->base - 1) / 6;
	for (i = 0; i < p->rows; i++) {
		v = 0;
		for (j = 0; j <= 2 * p->max; j++)
			v += (double)p->weight[i][j] * (double)((j - p->max) *
			    (j - p->max));
		if (v / NZ_PERTURB_SCALE > most)
			most = v / NZ_PERTURB_SCALE;
	}
	return most;
}
