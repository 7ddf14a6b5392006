/* rules.c: what a published figure or an S stands for under the rules
 * (filters/lib/rules.c), case by case: the one statement of it that the
 * SDC engine and the release reader share. */
#include <string.h>

#include "nz.h"
#include "tap.h"

static nz_rules
rules(long threshold, long base, int suppress_zero)
{
	nz_rules r;

	memset(&r, 0, sizeof r);
	snprintf(r.name, sizeof r.name, "test");
	r.threshold = threshold;
	r.base = base;
	r.sum_min_clients = 20;
	r.suppress_zero = suppress_zero;
	r.kind[NZ_CLIENTS] = r.kind[NZ_HOUSEHOLDS] = NZ_RULE_PERSON;
	r.kind[NZ_EVENTS] = r.kind[NZ_UNITS] = NZ_RULE_SUM;
	return r;
}

/* published p of measure m: status, and lo..hi when OK */
static int
published(const nz_rules *r, int m, int64_t p, int status, int64_t lo,
    int64_t hi)
{
	int64_t l, h;
	int st = nz_rules_published_range(r, m, p, &l, &h);

	return st == status && (st != NZ_RANGE_OK || (l == lo && h == hi));
}

static int
suppressed(const nz_rules *r, int m, int status, int64_t lo, int64_t hi)
{
	int64_t l, h;
	int st = nz_rules_suppressed_range(r, m, &l, &h);

	return st == status && (st != NZ_RANGE_OK || (l == lo && h == hi));
}

static void
person_counts(void)
{
	nz_rules r = rules(6, 3, 1);

	check(published(&r, NZ_CLIENTS, 6, NZ_RANGE_OK, 6, 8) &&
	    published(&r, NZ_HOUSEHOLDS, 9, NZ_RANGE_OK, 7, 11) &&
	    published(&r, NZ_CLIENTS, 300, NZ_RANGE_OK, 298, 302),
	    "person p: max(threshold, p-(base-1)) .. p+(base-1)");
	check(published(&r, NZ_CLIENTS, 0, NZ_RANGE_EMPTY, 0, 0) &&
	    published(&r, NZ_CLIENTS, 3, NZ_RANGE_EMPTY, 0, 0),
	    "person p: 0 and 3 cannot be published under threshold 6, "
	    "base 3, zeros suppressed");
	check(published(&r, NZ_CLIENTS, 7, NZ_RANGE_NOT_MULTIPLE, 0, 0) &&
	    published(&r, NZ_CLIENTS, -3, NZ_RANGE_NEGATIVE, 0, 0),
	    "person p: not a multiple of the base, or negative");
	r.suppress_zero = 0;
	check(published(&r, NZ_CLIENTS, 0, NZ_RANGE_OK, 0, 0),
	    "person p: zeros published, threshold 6: 0 is a raw 0 only");
	r = rules(1, 3, 0);
	check(published(&r, NZ_CLIENTS, 0, NZ_RANGE_OK, 0, 2) &&
	    published(&r, NZ_CLIENTS, 3, NZ_RANGE_OK, 1, 5),
	    "person p: threshold 1, zeros published: 0 is 0..2, 3 is 1..5");
	r = rules(6, 1, 1);
	check(published(&r, NZ_CLIENTS, 7, NZ_RANGE_OK, 7, 7) &&
	    published(&r, NZ_CLIENTS, 5, NZ_RANGE_EMPTY, 0, 0),
	    "person p: no rounding (base 1): exactly p, never under 6");
}

static void
sums(void)
{
	nz_rules r = rules(6, 3, 1);

	check(published(&r, NZ_EVENTS, 0, NZ_RANGE_OK, 0, 2) &&
	    published(&r, NZ_UNITS, 3, NZ_RANGE_OK, 1, 5) &&
	    published(&r, NZ_EVENTS, 30, NZ_RANGE_OK, 28, 32),
	    "sum p: max(0, p-(base-1)) .. p+(base-1)");
	check(published(&r, NZ_UNITS, 31, NZ_RANGE_NOT_MULTIPLE, 0, 0),
	    "sum p: not a multiple of the base");
	check(suppressed(&r, NZ_EVENTS, NZ_RANGE_OK, 0, NZ_RANGE_INF) &&
	    suppressed(&r, NZ_UNITS, NZ_RANGE_OK, 0, NZ_RANGE_INF),
	    "sum S: 0 .. unbounded (suppressed for its clients, not size)");
}

static void
primary_s(void)
{
	nz_rules r = rules(6, 3, 1);

	check(suppressed(&r, NZ_CLIENTS, NZ_RANGE_OK, 0, 5) &&
	    suppressed(&r, NZ_HOUSEHOLDS, NZ_RANGE_OK, 0, 5),
	    "primary S, zeros suppressed: 0 .. threshold-1");
	r.suppress_zero = 0;
	check(suppressed(&r, NZ_CLIENTS, NZ_RANGE_OK, 1, 5),
	    "primary S, zeros published: 1 .. threshold-1");
	r = rules(0, 3, 1);
	check(suppressed(&r, NZ_CLIENTS, NZ_RANGE_NO_S, 0, 0),
	    "primary S: threshold 0 suppresses nothing");
	r = rules(1, 3, 0);
	check(suppressed(&r, NZ_CLIENTS, NZ_RANGE_NO_S, 0, 0),
	    "primary S: threshold 1 with zeros published suppresses nothing");
}

static void
unruled_and_messages(void)
{
	nz_rules r = rules(6, 3, 1);

	r.kind[NZ_UNITS] = NZ_RULE_UNRULED;
	check(published(&r, NZ_UNITS, 7, NZ_RANGE_OK, 7, 7) &&
	    suppressed(&r, NZ_UNITS, NZ_RANGE_OK, 0, NZ_RANGE_INF),
	    "a measure in neither list: p exactly; S unbounded");
	check(strstr(nz_rules_range_error(&r, NZ_RANGE_NOT_MULTIPLE, 7),
	    "7 is not a multiple of the rounding base 3 (rules 'test')") &&
	    strstr(nz_rules_range_error(&r, NZ_RANGE_EMPTY, 3),
	    "values under 6 are suppressed") &&
	    strstr(nz_rules_range_error(&r, NZ_RANGE_NO_S, 0),
	    "suppress no value"),
	    "messages name the figure, the rule and the rules set");
}

/* the cell-key rules, as pipelines/rules/cellkey.json has them */
static nz_rules
cellkey(void)
{
	static const int w1[5] = {0, 400, 300, 200, 100};
	static const int w2[5] = {100, 200, 400, 200, 100};
	nz_rules r = rules(0, 1, 0);

	r.sum_min_clients = 0;
	r.perturb.max = 2;
	r.perturb.zero_kept = 1;
	r.perturb.first = 1;
	r.perturb.rows = 2;
	memcpy(r.perturb.weight[0], w1, sizeof w1);
	memcpy(r.perturb.weight[1], w2, sizeof w2);
	return r;
}

/* the least draw with draw*1000/2^64 at or above k thousandths */
static uint64_t
at(unsigned k)
{
	return (uint64_t)((((unsigned __int128)k << 64) + 999) / 1000);
}

static void
perturbed(void)
{
	nz_rules r = cellkey();
	const uint64_t top = UINT64_MAX;

	check(published(&r, NZ_CLIENTS, 0, NZ_RANGE_OK, 0, 2) &&
	    published(&r, NZ_CLIENTS, 1, NZ_RANGE_OK, 1, 3) &&
	    published(&r, NZ_EVENTS, 2, NZ_RANGE_OK, 1, 4) &&
	    published(&r, NZ_UNITS, 300, NZ_RANGE_OK, 298, 302),
	    "perturbed p: max(1, p-2) .. p+2, and 0 for 0..2 (a kept zero)");
	check(suppressed(&r, NZ_CLIENTS, NZ_RANGE_NO_S, 0, 0) &&
	    suppressed(&r, NZ_EVENTS, NZ_RANGE_NO_S, 0, 0),
	    "perturbed: no S of any measure");
	check(nz_rules_perturbed(&r, 0, 0) == 0 &&
	    nz_rules_perturbed(&r, 0, top) == 0,
	    "perturbed: a true 0 stays 0");
	check(nz_rules_perturbed(&r, 1, 0) == 0 &&
	    nz_rules_perturbed(&r, 1, top) == 3 &&
	    nz_rules_perturbed(&r, 1, at(400) - 1) == 0 &&
	    nz_rules_perturbed(&r, 1, at(400)) == 1,
	    "perturbed: value 1's row, -1 for draws under 0.4, then 0");
	check(nz_rules_perturbed(&r, 50, 0) == 48 &&
	    nz_rules_perturbed(&r, 50, at(100)) == 49 &&
	    nz_rules_perturbed(&r, 50, at(700) - 1) == 50 &&
	    nz_rules_perturbed(&r, 50, at(900) - 1) == 51 &&
	    nz_rules_perturbed(&r, 50, at(900)) == 52 &&
	    nz_rules_perturbed(&r, 50, top) == 52,
	    "perturbed: the last row serves larger values, -2..+2");
	check(nz_rules_variance(&r) > 1.199 && nz_rules_variance(&r) < 1.201,
	    "perturbed: variance of the widest row, 1.2");
}

int
main(void)
{
	nz_setprog("test-rules");
	person_counts();
	sums();
	primary_s();
	unruled_and_messages();
	perturbed();
	return failures ? 1 : 0;
}
