/* model.c: the people and their visits.
 *
 * People first come on days drawn from a daily arrival rate: more in
 * winter and December, and 30% more from the policy change.  Help comes
 * in episodes, runs of visits for one set of reasons:
 *   light      one visit, or a few one to four months apart
 *   regular    every two to six weeks for a while
 *   intensive  about weekly, for weeks to months
 * After an episode about half the people come back, some within the
 * year, most a year or more later (so "new" clients, unseen for twelve
 * months, are both first-timers and people returning after years).  From
 * the policy change more episodes are regular or intensive and visits
 * come a third sooner: existing clients come back more often within a
 * quarter, while episodes span no longer, so the larger inflow of new
 * people shows as a larger share of new clients.  The simulation starts LEAD_IN_DAYS before the export's
 * first day, so the first quarters already hold returning clients whose
 * earlier visits the export does not have; visits before the first day
 * are not written.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define LEAD_IN_DAYS 1461		/* four years */
/* People never seen before arriving in a quarter, per client the agency
 * sees in a quarter: a person is seen in about three and a half quarters
 * over the years, first episode and returns (measured with story.py). */
#define ARRIVALS_PER_CLIENT 0.29
#define P_RETURN 0.55			/* another episode after this one */

enum kind { LIGHT, REGULAR, INTENSIVE, N_KINDS };

static const struct {
	int before, after;		/* weights of the kind */
	double go_on;			/* chance of another visit */
	int gap_lo, gap_hi;		/* days to the next visit */
} kinds[N_KINDS] = {
	[LIGHT] = {58, 52, 0.40, 28, 120},
	[REGULAR] = {32, 34, 0.72, 14, 42},
	[INTENSIVE] = {10, 14, 0.86, 5, 12},
};

/* Where a client lives and with whom, as the visit records it. */
struct place { struct value region, type, housing; };

/* ------------------------------------------------------ people */

void make_household(struct rng *r, const struct agency *ag,
	unsigned number, struct household *h)
{
	memset(h, 0, sizeof *h);
	h->number = number;
	h->region = spell_any(r, (*ag->vocab)[F_REGION]);
	h->type = spell(r, (*ag->vocab)[F_HOUSEHOLD],
		draw_code(r, household_w));
	h->housing = spell(r, (*ag->vocab)[F_HOUSING],
		draw_code(r, housing_w));
	h->surname = pick_string(r, last_names);
	h->street_no = 1 + (int)rng_below(r, 240);
	h->street = pick_string(r, streets);
	h->street_type = pick_string(r, street_types);
	h->town = pick_town(r, h->region.code);
	h->phone = rng_below(r, 10000);
	h->no_id = ag->blank_household_ids && rng_chance(r, 0.04);
}

/* Ages as seen at foodbanks: mostly working age, few under 18. */
static void draw_birth(struct rng *r, struct client *c)
{
	static const struct { int lo, hi, weight; } bands[] = {
		{16, 24, 15}, {25, 39, 36}, {40, 54, 27}, {55, 64, 11},
		{65, 88, 11}};
	c->has_birth = !rng_chance(r, 0.02); /* some records never had one */
	int x = (int)rng_below(r, 100), i = 0;
	while (x >= bands[i].weight)
		x -= bands[i++].weight;
	int age = (int)rng_between(r, bands[i].lo, bands[i].hi);
	long day = days_from_civil(2024, 7, 1) - (long)age * 365 - age / 4
		- (long)rng_below(r, 365);
	c->birth = civil_from_days(day);
}

/* Total response: about one client in five names a second group. */
static void draw_ethnicities(struct rng *r, const struct agency *ag,
	struct client *c)
{
	const struct weight *w = ag->ethnicity_w ? ag->ethnicity_w
		: ethnicity_w;
	const char *codes[MAXV];
	int n = 0;
	codes[n++] = draw_code(r, w);
	while (n < MAXV && strcmp(codes[0], "9") != 0
		&& rng_chance(r, n == 1 ? 0.22 : 0.15)) {
		const char *code = draw_code(r, w);
		if (strcmp(code, "9") == 0 || contains(codes, n, code))
			break;
		codes[n++] = code;
	}
	for (int i = 0; i < n; i++)
		c->eth[i] = spell(r, (*ag->vocab)[F_ETHNICITY], codes[i]);
	c->n_eth = n;
}

/* Most people 65 and over get NZ Super; nobody younger does. */
static const char *draw_income(struct rng *r, int after_policy, int age)
{
	const struct weight *w = after_policy ? income_after_w
		: income_before_w;
	if (age >= 65 && rng_chance(r, 0.85))
		return "nz_super";
	const char *code;
	do
		code = draw_code(r, w);
	while (age < 65 && strcmp(code, "nz_super") == 0);
	return code;
}

static int age_mid_2024(const struct client *c)
{
	return age_at(c->birth, (struct ymd){2024, 7, 1});
}

void make_client(struct rng *r, const struct agency *ag, unsigned number,
	int after_policy, const struct household *h, struct client *c)
{
	memset(c, 0, sizeof *c);
	c->number = number;
	c->gender = spell(r, (*ag->vocab)[F_GENDER], draw_code(r, gender_w));
	int female = strcmp(c->gender.code, "2") == 0
		|| (strcmp(c->gender.code, "1") != 0 && rng_chance(r, 0.5));
	if (ag->extra_first_names && rng_chance(r, 0.06))
		c->first = pick_string(r, ag->extra_first_names);
	else
		c->first = pick_string(r, female ? female_names : male_names);
	c->last = rng_chance(r, 0.75) ? h->surname : pick_string(r, last_names);
	draw_ethnicities(r, ag, c);
	draw_birth(r, c);
	c->income = spell(r, (*ag->vocab)[F_INCOME],
		draw_income(r, after_policy, age_mid_2024(c)));
}

/* About one new client in five joins a household already seen: a
 * partner, an adult child, a flatmate.  SIZE_MAX means a new household. */
static size_t join_household(struct sample *s, struct rng *r)
{
	if (s->n_hh == 0 || !rng_chance(r, 0.2))
		return SIZE_MAX;
	for (int tries = 0; tries < 5; tries++) {
		size_t recent = s->n_hh < 40 ? s->n_hh : 40;
		size_t h = s->n_hh - 1 - rng_below(r, (unsigned)recent);
		if (s->hh[h].members < 4
			&& strcmp(s->hh[h].type.code, "one_person") != 0)
			return h;
	}
	return SIZE_MAX;
}

static size_t new_client(struct sample *s, struct rng *r, long day)
{
	size_t h = join_household(s, r);
	if (h == SIZE_MAX) {
		s->hh = grow(s->hh, &s->cap_hh, s->n_hh, sizeof *s->hh);
		h = s->n_hh++;
		make_household(r, s->ag, s->ag->first_household_no
			+ (unsigned)h, &s->hh[h]);
	}
	s->cl = grow(s->cl, &s->cap_cl, s->n_cl, sizeof *s->cl);
	size_t c = s->n_cl++;
	make_client(r, s->ag, s->ag->first_client_no + (unsigned)c,
		day >= s->policy_day, &s->hh[h], &s->cl[c]);
	s->cl[c].household = h;
	s->hh[h].members++;
	return c;
}

/* ------------------------------------------------------ episodes */

static enum kind draw_kind(struct rng *r, int after_policy)
{
	int total = 0;
	for (int k = 0; k < N_KINDS; k++)
		total += after_policy ? kinds[k].after : kinds[k].before;
	int x = (int)rng_below(r, (unsigned)total);
	int k = 0;
	for (; k < N_KINDS - 1; k++) {
		int w = after_policy ? kinds[k].after : kinds[k].before;
		if (x < w)
			break;
		x -= w;
	}
	return (enum kind)k;
}

/* What brings the client this time: one to three reasons; from the
 * policy change more often food and income. */
void begin_episode(struct rng *r, const struct agency *ag, long day,
	long policy_day, const struct client *c, struct episode *ep)
{
	int after = day >= policy_day;
	const struct weight *w = after ? need_after_w : need_before_w;
	int want = 1 + rng_chance(r, 0.45) + rng_chance(r, 0.2);
	memset(ep, 0, sizeof *ep);
	ep->kind = draw_kind(r, after);
	for (int tries = 0; ep->n_needs < want && tries < 20; tries++) {
		const char *code = draw_code(r, w);
		if (!contains(ep->needs, ep->n_needs, code))
			ep->needs[ep->n_needs++] = code;
	}
	ep->referral = spell(r, (*ag->vocab)[F_REFERRAL], draw_code(r,
		after ? referral_after_w : referral_before_w));
	ep->income = c->income;
	ep->worker = ag->workers ? draw_code(r, ag->workers) : NULL;
}

/* Days to the next visit: a third sooner from the policy change. */
static long visit_gap(struct rng *r, enum kind k, int after_policy)
{
	long gap = rng_between(r, kinds[k].gap_lo, kinds[k].gap_hi);
	return after_policy ? gap * 65 / 100 : gap;
}

/* Months or years until the next episode, from the last visit. */
static long return_gap(struct rng *r)
{
	if (rng_chance(r, 0.45))
		return rng_between(r, 30, 330);
	return rng_between(r, 366, 1400);
}

/* ------------------------------------------------------ visits */

/* The reasons a visit names: mostly the episode's own, now and then one
 * more; from the policy change food and income more often.  A foodbank's
 * visits are nearly all for food. */
static int visit_needs(struct rng *r, const struct agency *ag, int after,
	const struct episode *ep, const char *codes[MAXV])
{
	int n = 0;
	if (ag->foodbank && rng_chance(r, 0.92))
		codes[n++] = "food";
	for (int i = 0; i < ep->n_needs && n < MAXV; i++)
		if (!contains(codes, n, ep->needs[i]) && rng_chance(r,
			ag->foodbank ? 0.3 : i == 0 ? 0.9 : 0.6))
			codes[n++] = ep->needs[i];
	if (n == 0)
		codes[n++] = ep->needs[0];
	if (n < MAXV && rng_chance(r, 0.08)) {
		const char *code = draw_code(r, after ? need_after_w
			: need_before_w);
		if (!contains(codes, n, code))
			codes[n++] = code;
	}
	if (after && n < MAXV && !contains(codes, n, "food")
		&& rng_chance(r, 0.10))
		codes[n++] = "food";
	if (after && n < MAXV && !contains(codes, n, "income")
		&& rng_chance(r, 0.07))
		codes[n++] = "income";
	return n;
}

/* The help given follows the need, one of two usual ways. */
static const char *service_for(struct rng *r, const char *need)
{
	static const struct { const char *need, *usual, *alt; } rules[] = {
		{"food", "food", "food"},
		{"housing", "accommodation", "advocacy"},
		{"debt", "financial", "financial"},
		{"income", "advocacy", "financial"},
		{"family_harm", "social_work", "social_work"},
		{"mental_health", "counselling", "social_work"},
		{"addiction", "counselling", "counselling"},
		{"physical_health", "practical", "other"},
		{"employment", "practical", "advocacy"},
		{"relationships", "counselling", "social_work"},
		{"legal", "advocacy", "advocacy"},
		{"other", "other", "practical"}};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (same(rules[i].need, need))
			return rng_chance(r, 0.6) ? rules[i].usual : rules[i].alt;
	return "other";
}

/* Fills the services; returns whether food was given (parcels counted
 * even where the CMS records only the first service). */
static int draw_services(struct rng *r, const struct agency *ag,
	const char *const *needs, int n_need, struct event *e)
{
	const char *codes[MAXV + 1];
	int n = 0;
	for (int i = 0; i < n_need; i++) {
		const char *code = service_for(r, needs[i]);
		if (!contains(codes, n, code))
			codes[n++] = code;
	}
	if (!contains(codes, n, "food") && rng_chance(r, 0.3))
		codes[n++] = "food"; /* a parcel handed out as well */
	int food = contains(codes, n, "food");
	if (!ag->multi_service && n > 1)
		n = 1;
	if (n > MAXV)
		n = MAXV;
	for (int i = 0; i < n; i++)
		e->service[i] = spell(r, (*ag->vocab)[F_SERVICE], codes[i]);
	e->n_service = n;
	return food;
}

static int draw_units(struct rng *r, const struct agency *ag, int food,
	const char *household)
{
	if (ag->units_na && rng_chance(r, 0.005))
		return UNITS_NA; /* typed into a number box */
	if (!food)
		return ag->zero_units ? 0 : UNITS_BLANK;
	if (rng_chance(r, 0.04))
		return UNITS_BLANK; /* staff left it blank */
	int family = strcmp(household, "couple_children") == 0
		|| strcmp(household, "multi") == 0;
	return 1 + family + rng_chance(r, 0.15);
}

/* Everything about one visit that is not the client's or the place's. */
void fill_visit(struct rng *r, const struct agency *ag, long policy_day,
	const struct client *c, const struct episode *ep, struct event *e)
{
	const char *needs[MAXV];
	/* staff skip the gender box now and then */
	e->gender = rng_chance(r, 0.005) ? (struct value){"9", ""} : c->gender;
	e->income = ep->income;
	e->referral = ep->referral;
	e->n_need = visit_needs(r, ag, e->day >= policy_day, ep, needs);
	for (int i = 0; i < e->n_need; i++)
		e->need[i] = spell(r, (*ag->vocab)[F_NEED], needs[i]);
	int food = draw_services(r, ag, needs, e->n_need, e);
	e->units = draw_units(r, ag, food, e->household.code);
	e->note = -1;
	if (ag->has_notes && rng_chance(r, 0.25))
		e->note = (int)rng_below(r, (unsigned)count_strings(notes));
	e->worker = ep->worker;
	if (ag->workers && rng_chance(r, 0.12)) /* seen by the duty worker */
		e->worker = draw_code(r, ag->workers);
	if (ag->timed)
		e->minute = 9 * 60 + (int)rng_below(r, 8 * 60);
	if (ag->mixed_case_ids && rng_chance(r, 0.02))
		e->dirty |= DIRTY_LOWER_ID;
}

static struct event *push_event(struct sample *s, size_t c, long day,
	const struct place *at)
{
	s->ev = grow(s->ev, &s->cap_ev, s->n_ev, sizeof *s->ev);
	struct event *e = &s->ev[s->n_ev++];
	memset(e, 0, sizeof *e);
	e->day = day;
	e->client = c;
	e->visit = s->cl[c].visits++;
	e->region = at->region;
	e->household = at->type;
	e->housing = at->housing;
	return e;
}

static struct value other_region(struct rng *r, const struct agency *ag,
	struct value from)
{
	struct value to;
	do
		to = spell_any(r, (*ag->vocab)[F_REGION]);
	while (strcmp(to.code, from.code) == 0);
	return to;
}

/* Between episodes (and now and then within one) people move, change
 * household or lose their home. */
static void move_on(struct rng *r, const struct agency *ag, double p,
	struct place *at)
{
	if (rng_chance(r, p))
		at->region = other_region(r, ag, at->region);
	if (rng_chance(r, p))
		at->type = spell(r, (*ag->vocab)[F_HOUSEHOLD],
			draw_code(r, household_w));
	if (rng_chance(r, p))
		at->housing = spell(r, (*ag->vocab)[F_HOUSING],
			rng_chance(r, 0.4) ? "emergency" : draw_code(r, housing_w));
}

/* One episode from `day`; returns the day of its last visit. */
static long run_episode(struct sample *s, struct rng *r, size_t c,
	long day, struct episode *ep, struct place *at)
{
	size_t first_event = s->n_ev;
	long last = day;
	for (;;) {
		int after = day >= s->policy_day;
		if (day >= s->first_day) {
			struct event *e = push_event(s, c, day, at);
			fill_visit(r, s->ag, s->policy_day, &s->cl[c], ep, e);
		}
		last = day;
		if (!rng_chance(r, kinds[ep->kind].go_on))
			break;
		day += visit_gap(r, (enum kind)ep->kind, after);
		if (day > s->last_day)
			break;
		move_on(r, s->ag, 0.01, at);
	}
	if (s->ag->assess_scale)
		assess_episode(s, r, ep, first_event);
	return last;
}

/* A person's whole history with the agency, from the first visit. */
static void live(struct sample *s, struct rng *r, size_t c, long day)
{
	const struct household *h = &s->hh[s->cl[c].household];
	struct place at = {h->region, h->type, h->housing};
	struct episode ep;
	for (int n = 0; day <= s->last_day; n++) {
		int after = day >= s->policy_day;
		begin_episode(r, s->ag, day, s->policy_day, &s->cl[c], &ep);
		if (n > 0) {
			move_on(r, s->ag, 0.1, &at);
			if (rng_chance(r, 0.3))
				ep.income = spell(r, (*s->ag->vocab)[F_INCOME],
					draw_income(r, after,
					age_mid_2024(&s->cl[c])));
		}
		long last = run_episode(s, r, c, day, &ep, &at);
		if (!rng_chance(r, P_RETURN))
			return;
		day = last + return_gap(r);
	}
}

/* One client comes back more and more often, from every six weeks to
 * every week, and takes more parcels each time. */
static void add_growing_client(struct sample *s, struct rng *r)
{
	const struct spelling *need = (*s->ag->vocab)[F_NEED];
	size_t c = new_client(s, r, s->first_day);
	const struct household *h = &s->hh[s->cl[c].household];
	struct place at = {h->region, h->type, h->housing};
	struct episode ep;
	long span = s->last_day - s->first_day;
	s->cl[c].flags |= CL_GROWING;
	begin_episode(r, s->ag, s->first_day, s->policy_day, &s->cl[c], &ep);
	long day = s->first_day + 10 + (long)rng_below(r, 20);
	while (day <= s->last_day) {
		double progress = (double)(day - s->first_day) / (double)span;
		struct event *e = push_event(s, c, day, &at);
		fill_visit(r, s->ag, s->policy_day, &s->cl[c], &ep, e);
		e->need[0] = spell(r, need, "food");
		e->need[1] = spell(r, need, "income");
		e->n_need = progress > 0.5 ? 2 : 1;
		e->service[0] = spell(r, (*s->ag->vocab)[F_SERVICE], "food");
		e->n_service = 1;
		e->units = 1 + (int)(progress * 3.99);
		day += 42 - (long)(progress * 35);
	}
}

/* ------------------------------------------------------ arrivals */

/* New people come more in winter and at Christmas, and more after the
 * policy change. */
static double arrival_rate(long day, long policy)
{
	int m = civil_from_days(day).m;
	double season = (m >= 6 && m <= 8) ? 1.2
		: (m == 5 || m == 9 || m == 12) ? 1.1 : 1.0;
	return season * (day >= policy ? 1.3 : 1.0);
}

/* A binomial count with mean `mean`: a day's arrivals. */
static int arrivals(struct rng *r, double mean)
{
	int trials = 4 + (int)(mean * 4);
	double p = mean / trials;
	int n = 0;
	for (int i = 0; i < trials; i++)
		n += rng_chance(r, p);
	return n;
}

void generate(const struct agency *ag, struct sample *s)
{
	struct rng r;
	memset(s, 0, sizeof *s);
	s->ag = ag;
	s->first_day = day_of(ag->first);
	s->last_day = day_of(ag->last);
	s->policy_day = days_from_civil(POLICY_YMD);
	s->tenancy_day = days_from_civil(TENANCY_YMD);
	rng_seed(&r, hash_name(ag->code));
	add_growing_client(s, &r);
	double per_day = ag->clients_per_quarter * ARRIVALS_PER_CLIENT / 91.3;
	for (long day = s->first_day - LEAD_IN_DAYS; day <= s->last_day; day++) {
		int n = arrivals(&r, per_day * arrival_rate(day, s->policy_day));
		for (int i = 0; i < n; i++)
			live(s, &r, new_client(s, &r, day), day);
	}
	plant_dirty(s, &r);
	if (ag->assess_scale)
		plant_dirty_assessments(s, &r);
	sort_events(s);
	sort_assessments(s);
}

void free_sample(struct sample *s)
{
	free(s->hh);
	free(s->cl);
	free(s->ev);
	free(s->as);
}
