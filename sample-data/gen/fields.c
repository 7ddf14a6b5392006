/* fields.c: the text of one field: dates and times as each CMS writes
 * them, ids, addresses, joined multi-values.  A bounded builder, not
 * snprintf, which took a third of the time of --bench. */
#include <stdint.h>
#include <string.h>

#include "gen.h"

struct text text_on(char *buf, size_t cap)
{
	buf[0] = '\0';
	return (struct text){buf, 0, cap};
}

void text_str(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (n > t->cap - 1 - t->len)
		n = t->cap - 1 - t->len; /* cut rather than overflow */
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* v in base 10 or 16 (lower case), zero-padded to width digits. */
void text_num(struct text *t, long v, int width, unsigned base)
{
	char digits[24], out[24];
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int n = 0, len = 0;
	do
		digits[n++] = "0123456789abcdef"[u % base];
	while ((u /= base) > 0);
	while (n < width && n < 20)
		digits[n++] = '0';
	if (v < 0)
		out[len++] = '-';
	while (n > 0)
		out[len++] = digits[--n];
	out[len] = '\0';
	text_str(t, out);
}

/* ------------------------------------------------------ dates */

/* d sep m sep y with the given widths of day and month. */
static void date_dmy(char *buf, size_t n, struct ymd t, int width,
	const char *sep)
{
	struct text s = text_on(buf, n);
	text_num(&s, t.d, width, 10);
	text_str(&s, sep);
	text_num(&s, t.m, width, 10);
	text_str(&s, sep);
	text_num(&s, t.y, 4, 10);
}

/* northern: dates are typed text, so some staff pad and some do not. */
void date_dmy_mixed(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	date_dmy(buf, n, t, rng_chance(fmt, 0.5) ? 2 : 1, "/");
}

/* eastern: the desktop database's report date, 05-Mar-2025. */
void date_dmony(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	struct text s = text_on(buf, n);
	(void)fmt;
	text_num(&s, t.d, 2, 10);
	text_str(&s, "-");
	text_str(&s, month_abbr[(t.m + 11) % 12]);
	text_str(&s, "-");
	text_num(&s, t.y, 4, 10);
}

/* capital and harbour: the New Zealand short date, 3/07/2024. */
void date_excel_nz(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	struct text s = text_on(buf, n);
	(void)fmt;
	text_num(&s, t.d, 1, 10);
	text_str(&s, "/");
	text_num(&s, t.m, 2, 10);
	text_str(&s, "/");
	text_num(&s, t.y, 4, 10);
}

void date_iso(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	struct text s = text_on(buf, n);
	(void)fmt;
	text_num(&s, t.y, 4, 10);
	text_str(&s, "-");
	text_num(&s, t.m, 2, 10);
	text_str(&s, "-");
	text_num(&s, t.d, 2, 10);
}

/* harbour's CRM: 2:22 pm, minutes after midnight on a 12-hour clock. */
void time_12h(char *buf, size_t n, int minute)
{
	struct text s = text_on(buf, n);
	int hour = minute / 60 % 12;
	text_num(&s, hour ? hour : 12, 1, 10);
	text_str(&s, ":");
	text_num(&s, minute % 60, 2, 10);
	text_str(&s, minute >= 12 * 60 ? " pm" : " am");
}

/* A date, and the time after it where the CMS keeps one. */
static void date_time(const struct row_ctx *rc, struct ymd t, int minute,
	char *buf, size_t n)
{
	rc->ag->fmt_date(buf, n, t, rc->fmt);
	if (rc->ag->timed && rc->ag->fmt_time) {
		char clock[16];
		struct text s = {buf, strlen(buf), n};
		rc->ag->fmt_time(clock, sizeof clock, minute);
		text_str(&s, " ");
		text_str(&s, clock);
	}
}

void fmt_event_date(const struct row_ctx *rc, char *buf, size_t n)
{
	if (rc->ev->dirty & DIRTY_NO_DATE)
		buf[0] = '\0';
	else if (rc->ev->dirty & DIRTY_BAD_DATE)
		date_time(rc, (struct ymd){2025, 2, 31}, rc->ev->minute, buf, n);
	else
		date_time(rc, civil_from_days(rc->ev->day), rc->ev->minute,
			buf, n);
}

void fmt_assessment_date(const struct row_ctx *rc, char *buf, size_t n)
{
	date_time(rc, civil_from_days(rc->as->day), rc->as->minute, buf, n);
}

void fmt_birth_date(const struct row_ctx *rc, char *buf, size_t n)
{
	if (!rc->cl->has_birth)
		buf[0] = '\0';
	else
		rc->ag->fmt_date(buf, n, rc->cl->birth, rc->fmt);
}

/* kaishare shows an age worked out from a birth date it keeps hidden. */
void fmt_age(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	if (rc->cl->has_birth)
		text_num(&s, age_at(rc->cl->birth,
			civil_from_days(rc->ev->day)), 1, 10);
}

/* ------------------------------------------------------ ids */

/* Opaque ids (web app) are a bijection of the number, so still unique. */
static void fmt_id(char *buf, size_t n, const struct agency *ag,
	struct id_format f, unsigned no)
{
	struct text s = text_on(buf, n);
	text_str(&s, f.prefix);
	text_num(&s, ag->hashed_ids ? mix32(no) : no, f.width,
		ag->hashed_ids ? 16 : 10);
}

void fmt_id_of(const struct agency *ag, unsigned number, char *buf,
	size_t n)
{
	fmt_id(buf, n, ag, ag->client_id, number);
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s | 0x20);
}

void fmt_client_id(const struct row_ctx *rc, char *buf, size_t n)
{
	if (!rc->cl) { /* an assessment of a client the export lacks */
		fmt_id_of(rc->ag, rc->ag->first_client_no
			+ (unsigned)rc->s->n_cl + 17, buf, n);
		return;
	}
	fmt_id_of(rc->ag, rc->cl->number, buf, n);
	unsigned dirty = rc->ev ? rc->ev->dirty : 0;
	if (dirty & DIRTY_LOWER_ID) /* typed by hand, in lower case */
		lower_ascii(buf);
	if (dirty & DIRTY_SPACED_ID) { /* pasted with a space */
		struct text s = {buf, strlen(buf), n};
		text_str(&s, " ");
	}
}

void fmt_household_id(const struct row_ctx *rc, char *buf, size_t n)
{
	if (rc->hh->no_id)
		buf[0] = '\0';
	else /* xor: household and client numbers must not share ids */
		fmt_id(buf, n, rc->ag, rc->ag->household_id,
			rc->hh->number ^ (rc->ag->hashed_ids ? 0x9e3779b9u : 0));
}

/* ------------------------------------------------------ the rest */

void fmt_phone(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	text_str(&s, rc->ag->phone_prefix);
	text_num(&s, rc->hh->phone, 4, 10);
}

/* "12 Kowhai Street", and ", Town" when the CMS has no town column. */
void fmt_address(const struct row_ctx *rc, int with_town, char *buf,
	size_t n)
{
	struct text s = text_on(buf, n);
	text_num(&s, rc->hh->street_no, 1, 10);
	text_str(&s, " ");
	text_str(&s, rc->hh->street);
	text_str(&s, " ");
	text_str(&s, rc->hh->street_type);
	if (with_town) {
		text_str(&s, ", ");
		text_str(&s, rc->hh->town);
	}
}

void fmt_region(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	int spaced = rc->ev->dirty & DIRTY_SPACED_REGION;
	text_str(&s, spaced ? " " : "");
	text_str(&s, rc->ev->region.local);
	text_str(&s, spaced ? "  " : "");
}

void fmt_units(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	if (rc->ev->units == UNITS_NA)
		text_str(&s, "N/A");
	else if (rc->ev->units >= 0)
		text_num(&s, rc->ev->units, 1, 10);
}

/* given.family.NN@example.org, ASCII letters only. */
void fmt_email(const struct client *c, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	const char *names[] = {c->first, ".", c->last, "."};
	for (int i = 0; i < 4; i++)
		for (const char *p = names[i]; *p; p++)
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')
				|| *p == '.') {
				char lower[2] = {(char)(*p | 0x20), '\0'};
				text_str(&s, *p == '.' ? "." : lower);
			}
	text_num(&s, c->number % 100, 2, 10);
	text_str(&s, "@example.org");
}

void fmt_joined(char *buf, size_t n, const struct value *v, int count,
	const char *sep)
{
	struct text s = text_on(buf, n);
	for (int i = 0; i < count; i++) {
		text_str(&s, i > 0 ? sep : "");
		text_str(&s, v[i].local);
	}
}

const char *nth_local(const struct value *v, int count, int i)
{
	return i < count ? v[i].local : "";
}

/* The agency's one spelling of an assessment's domain. */
const char *domain_local(const struct row_ctx *rc)
{
	const char *code = domain_codes[rc->as->domain];
	for (const struct spelling *p = (*rc->ag->vocab)[F_DOMAIN]; p->code;
		p++)
		if (same(p->code, code))
			return p->local;
	return code;
}
