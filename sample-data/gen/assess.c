/* assess.c: outcome scores, for the two agencies that assess clients.
 *
 * At the start of an episode (its first or second visit) the worker
 * scores the client in the domains that fit the reasons for coming, at
 * least two.  A later visit four weeks or more after the last assessment
 * may score the client again, so about half the assessed clients have a
 * before and an after.  A domain's level (0 to 1, shown on the agency's
 * scale) drifts up between assessments on average, as services help;
 * housing stalls once no-cause tenancy terminations return (2025-01-30),
 * so fewer clients improve there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define FOLLOW_UP_DAYS 28	/* at least four weeks apart */
#define MAX_FOLLOW_UPS 3

static int has(const int *list, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (list[i] == x)
			return 1;
	return 0;
}

/* The episode's domains, in domain order: those of its needs, money
 * more often than not, and at least two. */
static int pick_domains(struct rng *r, const struct episode *ep,
	int domains[N_DOMAINS])
{
	int n = 0;
	for (int i = 0; i < ep->n_needs; i++) {
		const char *code = domain_of_need(ep->needs[i]);
		int d = code ? domain_index(code) : -1;
		if (d >= 0 && !has(domains, n, d))
			domains[n++] = d;
	}
	if (!has(domains, n, 0) && rng_chance(r, 0.6))
		domains[n++] = 0; /* financial resilience */
	while (n < 2) {
		int d = (int)rng_below(r, N_DOMAINS);
		if (!has(domains, n, d))
			domains[n++] = d;
	}
	for (int i = 1; i < n; i++) /* insertion sort: at most five */
		for (int j = i; j > 0 && domains[j - 1] > domains[j]; j--) {
			int t = domains[j];
			domains[j] = domains[j - 1];
			domains[j - 1] = t;
		}
	return n;
}

static int score_of(double level, int scale)
{
	return 1 + (int)(level * (scale - 1) + 0.5);
}

static void push_assessment(struct sample *s, const struct event *e,
	int domain, double level)
{
	s->as = grow(s->as, &s->cap_as, s->n_as, sizeof *s->as);
	struct assessment *a = &s->as[s->n_as++];
	memset(a, 0, sizeof *a);
	a->day = e->day;
	a->minute = e->minute;
	a->client = e->client;
	a->domain = domain;
	a->score = score_of(level, s->ag->assess_scale);
	a->worker = e->worker;
}

static double step(struct rng *r, const struct sample *s, int domain,
	long day, double level)
{
	int stalled = same(domain_codes[domain], "housing")
		&& day >= s->tenancy_day;
	level += (stalled ? 0.02 : 0.09) + (rng_unit(r) - 0.5) * 0.24;
	return level < 0 ? 0 : level > 1 ? 1 : level;
}

/* Assessments over the episode's visits in the export, events
 * first_event to the last one pushed (all the client's). */
void assess_episode(struct sample *s, struct rng *r,
	const struct episode *ep, size_t first_event)
{
	size_t n = s->n_ev - first_event;
	if (n == 0 || !rng_chance(r, s->ag->assess_share))
		return;
	int domains[N_DOMAINS];
	double level[N_DOMAINS];
	int n_domains = pick_domains(r, ep, domains);
	size_t at = first_event + (size_t)(n > 1 && rng_chance(r, 0.3));
	for (int i = 0; i < n_domains; i++) {
		level[i] = 0.1 + 0.4 * rng_unit(r);
		push_assessment(s, &s->ev[at], domains[i], level[i]);
	}
	long last = s->ev[at].day;
	int follow_ups = 0;
	for (size_t k = at + 1; k < s->n_ev && follow_ups < MAX_FOLLOW_UPS;
		k++) {
		if (s->ev[k].day - last < FOLLOW_UP_DAYS || !rng_chance(r, 0.75))
			continue;
		for (int i = 0; i < n_domains; i++) {
			level[i] = step(r, s, domains[i], s->ev[k].day, level[i]);
			push_assessment(s, &s->ev[k], domains[i], level[i]);
		}
		last = s->ev[k].day;
		follow_ups++;
	}
}

static struct assessment *pick_assessment(struct sample *s, struct rng *r)
{
	for (;;) {
		struct assessment *a = &s->as[rng_below(r, (unsigned)s->n_as)];
		if (!a->dirty)
			return a;
	}
}

/* A score off the scale, one for a client id the export does not have,
 * one dated a week after the export was taken. */
void plant_dirty_assessments(struct sample *s, struct rng *r)
{
	if (s->n_as < 3)
		return;
	struct assessment *a = pick_assessment(s, r);
	a->score = s->ag->assess_scale + 1;
	a->dirty |= DIRTY_SCORE;
	struct assessment unknown = *pick_assessment(s, r);
	unknown.client = SIZE_MAX;
	unknown.dirty = DIRTY_UNKNOWN_CLIENT;
	struct assessment future = *pick_assessment(s, r);
	future.day = s->last_day + 7;
	future.dirty = DIRTY_FUTURE;
	s->as = grow(s->as, &s->cap_as, s->n_as + 1, sizeof *s->as);
	s->as[s->n_as++] = unknown;
	s->as[s->n_as++] = future;
}

static int cmp_long(long a, long b)
{
	return (a > b) - (a < b);
}

/* By date and time, client and domain: unique but for the copies. */
static int by_date(const void *pa, const void *pb)
{
	const struct assessment *a = pa, *b = pb;
	int d = cmp_long(a->day, b->day);
	if (!d)
		d = cmp_long(a->minute, b->minute);
	if (!d)
		d = (a->client > b->client) - (a->client < b->client);
	if (!d)
		d = cmp_long(a->domain, b->domain);
	return d ? d : cmp_long((long)a->dirty, (long)b->dirty);
}

void sort_assessments(struct sample *s)
{
	if (s->n_as)
		qsort(s->as, s->n_as, sizeof *s->as, by_date);
}
