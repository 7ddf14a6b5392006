/* layouts.c: each text export's columns.  Each writer lists its fields
 * in its header's order. */
#include <stddef.h>

#include "gen.h"

#define N_FIELDS(a) ((int)(sizeof(a) / sizeof(a)[0]))

const char *const northern_header[] = {"Client ID", "Household ID",
	"First Name", "Last Name", "DOB", "Gender", "Ethnicity 1",
	"Ethnicity 2", "Street Address", "Phone", "Region", "Household Type",
	"Main Income", "Housing", "Referral", "Visit Date", "Needs",
	"Service", "Food Parcels", NULL};

void row_northern(struct line *l, const struct row_ctx *rc)
{
	const struct client *c = rc->cl;
	const struct event *e = rc->ev;
	char id[24], hh[24], dob[24], addr[128], phone[24], region[64];
	char date[24], needs[256], units[16];
	fmt_client_id(rc, id, sizeof id);
	fmt_household_id(rc, hh, sizeof hh);
	fmt_birth_date(rc, dob, sizeof dob);
	fmt_address(rc, 1, addr, sizeof addr);
	fmt_phone(rc, phone, sizeof phone);
	fmt_region(rc, region, sizeof region);
	fmt_event_date(rc, date, sizeof date);
	fmt_joined(needs, sizeof needs, e->need, e->n_need, "; ");
	fmt_units(rc, units, sizeof units);
	const char *const field[] = {id, hh, c->first, c->last, dob,
		e->gender.local, nth_local(c->eth, c->n_eth, 0),
		nth_local(c->eth, c->n_eth, 1), addr, phone, region,
		e->household.local, e->income.local, e->housing.local,
		e->referral.local, date, needs,
		nth_local(e->service, e->n_service, 0), units};
	line_record(l, field, N_FIELDS(field));
}

const char *const eastern_header[] = {"Client No", "Family No", "Surname",
	"Given Names", "Date of Birth", "Sex", "Ethnic Group", "Address",
	"Town", "Home Phone", "Area", "Family Type", "Income Source",
	"Accommodation", "Contact Date", "Primary Need", "Secondary Need",
	"Service Provided", "Parcels", NULL};

/* One ethnicity box, two need boxes, one service. */
void row_eastern(struct line *l, const struct row_ctx *rc)
{
	const struct client *c = rc->cl;
	const struct event *e = rc->ev;
	char id[24], hh[24], dob[24], addr[96], phone[24], region[64];
	char date[24], units[16];
	fmt_client_id(rc, id, sizeof id);
	fmt_household_id(rc, hh, sizeof hh);
	fmt_birth_date(rc, dob, sizeof dob);
	fmt_address(rc, 0, addr, sizeof addr);
	fmt_phone(rc, phone, sizeof phone);
	fmt_region(rc, region, sizeof region);
	fmt_event_date(rc, date, sizeof date);
	fmt_units(rc, units, sizeof units);
	const char *const field[] = {id, hh, c->last, c->first, dob,
		e->gender.local, nth_local(c->eth, c->n_eth, 0), addr,
		rc->hh->town, phone, region, e->household.local,
		e->income.local, e->housing.local, date,
		nth_local(e->need, e->n_need, 0),
		nth_local(e->need, e->n_need, 1),
		nth_local(e->service, e->n_service, 0), units};
	line_record(l, field, N_FIELDS(field));
}

const char *const capital_header[] = {"Client", "Household", "Name",
	"Date of birth", "Gender", "Ethnicity", "Suburb", "Region",
	"Household composition", "Income", "Housing", "Phone", "Date",
	"Presenting needs", "Services", "Food parcels", NULL};

void row_capital(struct line *l, const struct row_ctx *rc)
{
	const struct client *c = rc->cl;
	const struct event *e = rc->ev;
	char id[24], hh[24], name[96], dob[24], eth[192], phone[24];
	char region[64], date[24], needs[256], services[256], units[16];
	struct text s = text_on(name, sizeof name);
	text_str(&s, c->last);
	text_str(&s, ", ");
	text_str(&s, c->first);
	fmt_client_id(rc, id, sizeof id);
	fmt_household_id(rc, hh, sizeof hh);
	fmt_birth_date(rc, dob, sizeof dob);
	fmt_joined(eth, sizeof eth, c->eth, c->n_eth, ", ");
	fmt_phone(rc, phone, sizeof phone);
	fmt_region(rc, region, sizeof region);
	fmt_event_date(rc, date, sizeof date);
	fmt_joined(needs, sizeof needs, e->need, e->n_need, ", ");
	fmt_joined(services, sizeof services, e->service, e->n_service, ", ");
	fmt_units(rc, units, sizeof units);
	const char *const field[] = {id, hh, name, dob, e->gender.local, eth,
		rc->hh->town, region, e->household.local, e->income.local,
		e->housing.local, phone, date, needs, services, units};
	line_record(l, field, N_FIELDS(field));
}

const char *const capital_assess_header[] = {"Client", "Assessed", "Area",
	"Rating", NULL};

void row_capital_assessment(struct line *l, const struct row_ctx *rc)
{
	char id[24], date[40], score[16];
	struct text s = text_on(score, sizeof score);
	fmt_client_id(rc, id, sizeof id);
	fmt_assessment_date(rc, date, sizeof date);
	text_num(&s, rc->as->score, 1, 10);
	const char *const field[] = {id, date, domain_local(rc), score};
	line_record(l, field, N_FIELDS(field));
}

const char *const kaishare_header[] = {"ClientRef", "HouseholdRef",
	"GivenName", "FamilyName", "Email", "Mobile", "Age", "Gender",
	"Ethnicity1", "Ethnicity2", "Ethnicity3", "Region", "HouseholdType",
	"IncomeSource", "HousingStatus", "VisitDate", "Needs", "Services",
	"Parcels", "Notes", NULL};

void row_kaishare(struct line *l, const struct row_ctx *rc)
{
	const struct client *c = rc->cl;
	const struct event *e = rc->ev;
	char id[24], hh[24], email[96], phone[24], age[16], region[64];
	char date[24], needs[256], services[256], units[16];
	fmt_client_id(rc, id, sizeof id);
	fmt_household_id(rc, hh, sizeof hh);
	fmt_email(c, email, sizeof email);
	fmt_phone(rc, phone, sizeof phone);
	fmt_age(rc, age, sizeof age);
	fmt_region(rc, region, sizeof region);
	fmt_event_date(rc, date, sizeof date);
	fmt_joined(needs, sizeof needs, e->need, e->n_need, ";");
	fmt_joined(services, sizeof services, e->service, e->n_service, ";");
	fmt_units(rc, units, sizeof units);
	const char *const field[] = {id, hh, c->first, c->last, email, phone,
		age, e->gender.local, nth_local(c->eth, c->n_eth, 0),
		nth_local(c->eth, c->n_eth, 1), nth_local(c->eth, c->n_eth, 2),
		region, e->household.local, e->income.local, e->housing.local,
		date, needs, services, units,
		e->note >= 0 ? notes[e->note] : ""};
	line_record(l, field, N_FIELDS(field));
}

const char *const harbour_header[] = {"Contact ID", "Household ID",
	"First Name", "Last Name", "Email", "Mobile", "Date of Birth",
	"Gender", "Ethnicity", "Street", "Town", "Household Type",
	"Income Source", "Housing Situation", "Visit Date", "Needs",
	"Support Provided", "Parcels", "Referral Source", "Worker", NULL};

/* A CRM: every field quoted, multi-select values joined by ";", a town
 * picklist instead of a region, date-times on a 12-hour clock. */
void row_harbour(struct line *l, const struct row_ctx *rc)
{
	const struct client *c = rc->cl;
	const struct event *e = rc->ev;
	char id[24], hh[24], email[96], phone[24], dob[24], eth[192];
	char street[96], town[64], date[40], needs[256], units[16];
	fmt_client_id(rc, id, sizeof id);
	fmt_household_id(rc, hh, sizeof hh);
	fmt_email(c, email, sizeof email);
	fmt_phone(rc, phone, sizeof phone);
	fmt_birth_date(rc, dob, sizeof dob);
	fmt_joined(eth, sizeof eth, c->eth, c->n_eth, ";");
	fmt_address(rc, 0, street, sizeof street);
	fmt_region(rc, town, sizeof town);
	fmt_event_date(rc, date, sizeof date);
	fmt_joined(needs, sizeof needs, e->need, e->n_need, ";");
	fmt_units(rc, units, sizeof units);
	const char *const field[] = {id, hh, c->first, c->last, email, phone,
		dob, e->gender.local, eth, street, town, e->household.local,
		e->income.local, e->housing.local, date, needs,
		nth_local(e->service, e->n_service, 0), units,
		e->referral.local, e->worker};
	line_record(l, field, N_FIELDS(field));
}

const char *const harbour_assess_header[] = {"Contact ID",
	"Assessment Date", "Domain", "Score", "Assessed By", NULL};

void row_harbour_assessment(struct line *l, const struct row_ctx *rc)
{
	char id[24], date[40], score[16];
	struct text s = text_on(score, sizeof score);
	fmt_client_id(rc, id, sizeof id);
	fmt_assessment_date(rc, date, sizeof date);
	text_num(&s, rc->as->score, 1, 10);
	const char *const field[] = {id, date, domain_local(rc), score,
		rc->as->worker};
	line_record(l, field, N_FIELDS(field));
}
