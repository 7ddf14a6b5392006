/* dirty.c: the dirty rows planted on purpose (sample-data/README.md
 * lists each with its line), and the order rows are written in. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* A random visit not yet made dirty, not the growing client's, and
 * (when need_code is given) whose first need is that code. */
static struct event *pick_event(struct sample *s, struct rng *r,
	const char *need_code)
{
	for (;;) {
		struct event *e = &s->ev[rng_below(r, (unsigned)s->n_ev)];
		if (e->dirty || (s->cl[e->client].flags & CL_GROWING))
			continue;
		if (need_code && (e->n_need == 0
			|| strcmp(e->need[0].code, need_code) != 0))
			continue;
		return e;
	}
}

/* A birth date is the client's, so every visit of the client has it. */
static void plant_birth(struct sample *s, struct rng *r, unsigned flag)
{
	for (;;) {
		struct client *c = &s->cl[pick_event(s, r, NULL)->client];
		if (c->flags || !c->has_birth)
			continue;
		c->flags |= flag;
		if (flag == CL_DOB_PLACEHOLDER) {
			c->birth = (struct ymd){1900, 1, 1};
		} else {
			c->birth.y += 100; /* 1964 typed as 2064 */
			if (c->birth.m == 2 && c->birth.d == 29)
				c->birth.d = 28;
		}
		return;
	}
}

void plant_dirty(struct sample *s, struct rng *r)
{
	pick_event(s, r, NULL)->dirty |= DIRTY_NO_DATE;
	pick_event(s, r, NULL)->dirty |= DIRTY_BAD_DATE;
	pick_event(s, r, NULL)->dirty |= DIRTY_SPACED_ID;
	pick_event(s, r, NULL)->dirty |= DIRTY_SPACED_REGION;
	for (const struct typo *t = s->ag->typos; t && t->code; t++)
		for (int i = 0; i < t->count; i++) {
			struct event *e = pick_event(s, r, t->code);
			e->need[0].local = t->local;
			e->dirty |= DIRTY_TYPO;
		}
	plant_birth(s, r, CL_DOB_PLACEHOLDER);
	plant_birth(s, r, CL_DOB_FUTURE);
}

/* ------------------------------------------------------ row order
 * Keys are unique (a client never has two visits on one day), so qsort
 * gives the same order everywhere. */

static int cmp_long(long a, long b)
{
	return (a > b) - (a < b);
}

static int cmp_client_visit(const struct event *a, const struct event *b)
{
	int d = cmp_long((long)a->client, (long)b->client);
	return d ? d : cmp_long(a->visit, b->visit);
}

static int by_date(const void *pa, const void *pb)
{
	const struct event *a = pa, *b = pb;
	int d = cmp_long(a->day, b->day);
	if (!d)
		d = cmp_long(a->minute, b->minute);
	return d ? d : cmp_client_visit(a, b);
}

static int by_date_desc(const void *pa, const void *pb)
{
	const struct event *a = pa, *b = pb;
	int d = cmp_long(b->day, a->day);
	if (!d)
		d = cmp_long(b->minute, a->minute);
	return d ? d : cmp_client_visit(a, b);
}

static int by_client(const void *pa, const void *pb)
{
	return cmp_client_visit(pa, pb);
}

void sort_events(struct sample *s)
{
	static int (*const cmp[])(const void *, const void *) = {
		[BY_DATE] = by_date, [BY_CLIENT] = by_client,
		[BY_DATE_DESC] = by_date_desc};
	qsort(s->ev, s->n_ev, sizeof *s->ev, cmp[s->ag->order]);
}
