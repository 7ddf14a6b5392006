/* statsum.c: a statistical interval for a sum of agencies' figures
 * (issue 22, item 1), beside the hard bounds.
 *
 * The hard bounds allow every published value its worst rounding at
 * once: a sum of n published values is known to within +-(b-1)n.  But
 * random rounding is unbiased, and each agency's cells are rounded
 * independently: a value r above a multiple of base b rounds down by r
 * with probability (b-r)/b and up by b-r with probability r/b, a variance
 * of r(b-r), (b*b-1)/6 on average over r = 0..b-1 (4/3 for base 3: a
 * standard deviation of about 1.15).  A sum of n rounded values then has
 * a standard deviation of about 1.15*sqrt(n), and estimate +- 1.96 sd
 * covers the true sum about 95% of the time.
 *
 * A cell-key perturbation (rules with a "perturbation") is unbiased
 * too, and independent across agencies (their keys differ): its variance
 * is taken as the largest of its table's rows (1.2 for cellkey.json).
 *
 * Only the rounding is treated so: an S has no distribution to speak of,
 * so the S of a sum keep their hard bounds (the intervals the releases
 * prove).  The interval is rounded outward to whole numbers, kept within
 * the hard bounds, and holds the estimate.  It is a statement about
 * chance, not a proof: only low..high is certain.
 */
#include <math.h>

#include "nz.h"

#define Z95 1.959963984540054   /* the normal quantile of 0.975 */

void
nz_statsum_add(nz_statsum *s, const nz_release *r, const nz_rcell *c, int m)
{
	if (!c)
		return; /* a structural zero */
	if (c->value[m] >= 0) {
		s->rounded += c->value[m];
		s->variance += nz_rules_variance(&r->rules);
		return;
	}
	s->rest_low += c->m[m].low;
	if (s->rest_high != NZ_UNBOUNDED)
		s->rest_high = c->m[m].high == NZ_UNBOUNDED ? NZ_UNBOUNDED :
		    s->rest_high + c->m[m].high;
}

void
nz_statsum_interval(const nz_statsum *s, const nz_bounds *hard,
	int64_t *low, int64_t *high)
{
	double spread = Z95 * sqrt(s->variance);

	*low = (int64_t)floor((double)s->rounded - spread) + s->rest_low;
	*high = s->rest_high == NZ_UNBOUNDED ? NZ_UNBOUNDED :
	    (int64_t)ceil((double)s->rounded + spread) + s->rest_high;
	if (*low < hard->low)
		*low = hard->low;
	if (*high > hard->high)
		*high = hard->high;
	/* margins may have moved the estimate off a published value */
	if (*low > hard->est)
		*low = hard->est;
	if (*high < hard->est)
		*high = hard->est;
}
