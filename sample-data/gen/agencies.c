/* agencies.c: the six fictional agencies, each imitating another kind of
 * client-management system (sample-data/README.md). */
#include <string.h>

#include "gen.h"

static const char *const northern_names[] = {"Hēmi", "Tūī", "Mātene", NULL};
static const char *const eastern_names[] = {"Renée", "Zoë", "José",
	"Chloé", NULL};
static const char *const capital_names[] = {"Ātaahua", "Rāwiri", "Hēmi",
	"Pīta", NULL};
static const char *const southern_names[] = {"Tūī", "Whetū", "Kahu",
	"Mereana", "Hōhepa", NULL};

/* The report's run date is the export date (profile "export_date"). */
static const char *const eastern_preamble[] = {
	"Eastern Family Care Trust - Client Contact Report",
	"Report run: 16-Jul-2026 10:31  All sites", NULL};
/* Typed into a free-text box; map.json leaves them out on purpose. */
static const struct typo eastern_typos[] = {
	{"food", "Foood", 3}, {"debt", "Powr bill", 2}, {NULL, NULL, 0}};

/* Workers (or the duty desk) by their share of episodes: workloads
 * differ on purpose. */
static const struct weight harbour_workers[] = {
	{"Sam P", 6}, {"Leilani F", 5}, {"Mereana T", 4}, {"Josh K", 3},
	{"Priya N", 2}, {"Duty desk", 1}, {NULL, 0}};
static const struct weight southern_workers[] = {
	{"Aroha K", 5}, {"Hēmi R", 3}, {"Kate M", 1}, {NULL, 0}};

/* A kaupapa Māori whānau service: most of its clients are Māori. */
static const struct weight southern_ethnicity_w[] = {
	{"1", 16}, {"2", 62}, {"3", 10}, {"4", 4}, {"5", 1}, {"6", 2},
	{"9", 5}, {NULL, 0}};

#define CRLF_CSV(enc) {enc, ',', "\r\n", 0, 0}
#define EXPORT_DAY {2026, 7, 16}

const struct agency agencies[] = {
	{
		.code = "northern",
		.cms = "cloud CMS, 'CSV UTF-8' for Excel: BOM, CRLF, d/m/Y",
		.file = "export.csv", .clients_per_quarter = 2500,
		.first = {2023, 7, 1}, .last = EXPORT_DAY,
		.vocab = &northern_vocab, .extra_first_names = northern_names,
		.client_id = {"C", 6}, .first_client_no = 100001,
		.household_id = {"H", 5}, .first_household_no = 1,
		.phone_prefix = "021 555 ",
		.dialect = CRLF_CSV(ENC_UTF8_BOM),
		.order = BY_DATE, .fmt_date = date_dmy_mixed,
		.header = northern_header, .row = row_northern,
	},
	{
		.code = "eastern",
		.cms = "desktop database report: windows-1252, quoted, "
			"d-Mon-Y, total",
		.file = "export.csv", .clients_per_quarter = 400,
		.first = {2023, 7, 1}, .last = EXPORT_DAY,
		.vocab = &eastern_vocab, .extra_first_names = eastern_names,
		.client_id = {"", 6}, .first_client_no = 1201,
		.household_id = {"", 1}, .first_household_no = 3001,
		.phone_prefix = "(06) 555 ",
		.zero_units = 1, .blank_household_ids = 1,
		.dialect = {ENC_CP1252, ',', "\r\n", 1,
			COL(4) | COL(14) | COL(18)},
		.preamble = eastern_preamble, .trailer = 1,
		.order = BY_CLIENT, .fmt_date = date_dmony,
		.header = eastern_header, .row = row_eastern,
		.typos = eastern_typos,
	},
	{
		.code = "capital",
		.cms = "spreadsheet saved as 'Unicode Text': UTF-16LE, tab; "
			"scores 1-10",
		.file = "export.txt", .clients_per_quarter = 700,
		.first = {2023, 7, 1}, .last = EXPORT_DAY,
		.vocab = &capital_vocab, .extra_first_names = capital_names,
		.client_id = {"CP-", 5}, .first_client_no = 1,
		.household_id = {"HH-", 4}, .first_household_no = 1,
		.phone_prefix = "04 555 ", .multi_service = 1,
		.dialect = {ENC_UTF16LE, '\t', "\r\n", 0, 0},
		.order = BY_DATE, .fmt_date = date_excel_nz,
		.header = capital_header, .row = row_capital,
		.assess_scale = 10, .assess_share = 0.5,
		.assess_file = "assessments.txt",
		.assess_dialect = {ENC_UTF16LE, '\t', "\r\n", 0, 0},
		.assess_header = capital_assess_header,
		.assess_row = row_capital_assessment,
	},
	{
		.code = "kaishare",
		.cms = "foodbank web app, joined 2025Q1: ISO dates, age, "
			"notes, LF",
		.file = "export.csv", .clients_per_quarter = 1200,
		.first = {2025, 1, 1}, .last = EXPORT_DAY,
		.vocab = &kaishare_vocab, .extra_first_names = NULL,
		.client_id = {"", 8}, .first_client_no = 1,
		.household_id = {"hh-", 8}, .first_household_no = 1,
		.phone_prefix = "+6422555", .hashed_ids = 1,
		.foodbank = 1, .multi_service = 1, .zero_units = 1,
		.has_notes = 1,
		.dialect = {ENC_UTF8, ',', "\n", 0, 0},
		.order = BY_DATE_DESC, .fmt_date = date_iso,
		.header = kaishare_header, .row = row_kaishare,
	},
	{
		.code = "harbour",
		.cms = "CRM CSV: quoted, date-times, towns, referral, worker; "
			"scores 1-5",
		.file = "export.csv", .clients_per_quarter = 300,
		.first = {2023, 7, 1}, .last = EXPORT_DAY,
		.vocab = &harbour_vocab, .workers = harbour_workers,
		.client_id = {"HCM-", 5}, .first_client_no = 1,
		.household_id = {"HCMH-", 5}, .first_household_no = 1,
		.phone_prefix = "022 555 ",
		.timed = 1, .mixed_case_ids = 1, .units_na = 1,
		.dialect = {ENC_UTF8, ',', "\r\n", 1, 0},
		.order = BY_DATE, .fmt_date = date_excel_nz,
		.fmt_time = time_12h,
		.header = harbour_header, .row = row_harbour,
		.assess_scale = 5, .assess_share = 0.8,
		.assess_file = "assessments.csv",
		.assess_dialect = {ENC_UTF8, ',', "\r\n", 1, 0},
		.assess_header = harbour_assess_header,
		.assess_row = row_harbour_assessment,
	},
	{
		.code = "southern",
		.cms = "Excel workbook, a quarter late: date cells, Yes/No "
			"needs, worker",
		.file = "export.xlsx", .clients_per_quarter = 100,
		.first = {2023, 7, 1}, .last = {2026, 4, 16},
		.vocab = &southern_vocab, .ethnicity_w = southern_ethnicity_w,
		.workers = southern_workers,
		.extra_first_names = southern_names,
		.client_id = {"SWS-", 5}, .first_client_no = 1,
		.household_id = {"WH-", 4}, .first_household_no = 1,
		.phone_prefix = "03 555 ", .timed = 1, .xlsx = 1,
		.order = BY_DATE, .fmt_date = date_excel_nz,
	},
};

const size_t n_agencies = sizeof agencies / sizeof agencies[0];

const struct agency *find_agency(const char *code)
{
	for (size_t i = 0; i < n_agencies; i++)
		if (strcmp(agencies[i].code, code) == 0)
			return &agencies[i];
	return NULL;
}
