/* generate.c: gen-sample, the deterministic sample-data generator.
 *
 * Writes the raw client-management-system (CMS) export of one of four
 * fictional New Zealand social-service agencies, byte-identical on every
 * run, so the sample build and its tests have realistic, messy input that
 * describes no real person.  Each agency imitates a different CMS: its own
 * encoding, dialect, date format, column names and local spellings.
 *
 *   gen-sample AGENCY          one agency's export on stdout
 *   gen-sample --bench ROWS    a large export in the first agency's layout
 *
 * libc only: its own PRNG (splitmix64 seeding xoshiro256**) seeded from
 * the agency code, its own calendar arithmetic and its own encoders, so
 * the output depends on nothing but this file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "gen-sample"
#define VERSION "0.1.0"

enum exit_code { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2 };

#define MAXV 3			/* most values of a multi-valued field */
#define MAX_SPELLINGS 20	/* entries of one field in one vocabulary */
#define POLICY_YMD 2025, 4, 1	/* the planted policy change */

/* ---------------------------------------------------------------- errors */

static _Noreturn void die(const char *msg)
{
	fprintf(stderr, "%s: %s\n", PROG, msg);
	exit(EXIT_DATA);
}

static _Noreturn void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s%s\n", PROG, msg, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "");
	fprintf(stderr, "Try '%s --help'.\n", PROG);
	exit(EXIT_USAGE);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		die("out of memory");
	return p;
}

/* ------------------------------------------------------------------ PRNG */

struct rng { uint64_t s[4]; };

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* FNV-1a: turns an agency code into a seed. */
static uint64_t hash_name(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) by multiply-shift: no division, bias below 2^-32. */
static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

/* A bijection on 32 bits (lowbias32): distinct numbers give distinct
 * opaque-looking ids, as a web app's ids look. */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* -------------------------------------------------------------- calendar */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct ymd { int y, m, d; };

static struct ymd civil_from_days(long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	struct ymd t;
	t.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	t.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	t.y = (int)(yoe + era * 400 + (t.m <= 2));
	return t;
}

/* Whole years from birth to an event date (may be negative or huge:
 * the dirty birth dates are meant to produce implausible ages). */
static int age_at(struct ymd birth, struct ymd at)
{
	int age = at.y - birth.y;
	if (at.m < birth.m || (at.m == birth.m && at.d < birth.d))
		age--;
	return age;
}

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr",
	"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* String equality, quick on the common mismatch (a hot path in --bench). */
static int same(const char *a, const char *b)
{
	return a == b || (a[0] == b[0] && strcmp(a, b) == 0);
}

/* ------------------------------------------- national distributions
 * How often each national code occurs among clients.  The agencies differ
 * only in how they spell the codes, in regions, and in the extras below.
 */

struct weight { const char *code; int weight; };

static const struct weight gender_w[] = {
	{"1", 41}, {"2", 54}, {"3", 1}, {"9", 4}, {NULL, 0}};
static const struct weight ethnicity_w[] = {
	{"1", 34}, {"2", 33}, {"3", 18}, {"4", 9}, {"5", 2}, {"6", 1},
	{"9", 3}, {NULL, 0}};
static const struct weight household_w[] = {
	{"couple", 9}, {"couple_children", 20}, {"one_parent", 31},
	{"one_person", 28}, {"multi", 9}, {"not_stated", 3}, {NULL, 0}};
static const struct weight housing_w[] = {
	{"owned", 4}, {"private_rental", 45}, {"social", 27},
	{"emergency", 8}, {"without_shelter", 3}, {"temporary", 9},
	{"other", 2}, {"not_stated", 2}, {NULL, 0}};
/* After the policy change more new clients live on Jobseeker or nothing. */
static const struct weight income_before_w[] = {
	{"wages", 16}, {"self_employed", 2}, {"nz_super", 8},
	{"jobseeker", 28}, {"sole_parent", 20}, {"slp", 12}, {"student", 3},
	{"other_benefit", 4}, {"no_income", 4}, {"other", 1},
	{"not_stated", 2}, {NULL, 0}};
static const struct weight income_after_w[] = {
	{"wages", 14}, {"self_employed", 2}, {"nz_super", 8},
	{"jobseeker", 36}, {"sole_parent", 20}, {"slp", 12}, {"student", 3},
	{"other_benefit", 4}, {"no_income", 7}, {"other", 1},
	{"not_stated", 2}, {NULL, 0}};
/* After the policy change more visits are about food and income. */
static const struct weight need_before_w[] = {
	{"food", 38}, {"housing", 14}, {"debt", 12}, {"income", 9},
	{"family_harm", 4}, {"mental_health", 6}, {"addiction", 3},
	{"physical_health", 4}, {"employment", 3}, {"relationships", 3},
	{"legal", 2}, {"other", 2}, {NULL, 0}};
static const struct weight need_after_w[] = {
	{"food", 62}, {"housing", 12}, {"debt", 14}, {"income", 20},
	{"family_harm", 4}, {"mental_health", 6}, {"addiction", 3},
	{"physical_health", 4}, {"employment", 3}, {"relationships", 3},
	{"legal", 2}, {"other", 2}, {NULL, 0}};

static const char *draw_code(struct rng *r, const struct weight *w)
{
	int total = 0;
	for (const struct weight *p = w; p->code; p++)
		total += p->weight;
	int x = (int)rng_below(r, (unsigned)total);
	for (; w->code; w++) {
		if (x < w->weight)
			return w->code;
		x -= w->weight;
	}
	return NULL; /* not reached: x < total */
}

/* ------------------------------------------------- local spellings
 * Each agency's CMS spells a national code its own way, sometimes in
 * several ways (weights say how often).  An empty spelling is a blank
 * cell.  map.json of each agency maps exactly these spellings back.
 */

struct spelling { const char *code, *local; int weight; };
struct value { const char *code, *local; };

enum field { F_REGION, F_GENDER, F_ETHNICITY, F_HOUSEHOLD, F_INCOME,
	F_HOUSING, F_NEED, F_SERVICE, NFIELDS };

#define END {NULL, NULL, 0}

/* northern: a cloud CMS, tidy labels, a few free-text leftovers. */
static const struct spelling northern_vocab[NFIELDS][MAX_SPELLINGS] = {
	[F_REGION] = {{"01", "Northland", 2}, {"02", "Auckland", 6},
		{"03", "Waikato", 3}, END},
	[F_GENDER] = {{"1", "Male", 1}, {"2", "Female", 1},
		{"3", "Gender diverse", 1}, {"9", "", 3},
		{"9", "Prefer not to say", 1}, END},
	[F_ETHNICITY] = {{"1", "NZ European", 8}, {"1", "Other European", 1},
		{"1", "British", 1}, {"2", "Māori", 1}, {"3", "Samoan", 4},
		{"3", "Tongan", 3}, {"3", "Cook Islands Māori", 2},
		{"3", "Niuean", 1}, {"4", "Chinese", 2}, {"4", "Indian", 3},
		{"4", "Filipino", 1}, {"5", "Middle Eastern", 1},
		{"5", "African", 1}, {"6", "Other", 1},
		{"9", "Not stated", 1}, END},
	[F_HOUSEHOLD] = {{"couple", "Couple", 1},
		{"couple_children", "Couple with children", 1},
		{"one_parent", "Sole parent", 1}, {"one_person", "Single", 1},
		{"multi", "Extended family", 2}, {"multi", "Flatting", 1},
		{"not_stated", "Not recorded", 1}, END},
	[F_INCOME] = {{"wages", "Wages", 1}, {"self_employed", "Self-employed", 1},
		{"nz_super", "NZ Super", 1}, {"jobseeker", "Jobseeker", 1},
		{"sole_parent", "Sole Parent Support", 1},
		{"slp", "Supported Living Payment", 1},
		{"student", "Student Allowance", 1},
		{"other_benefit", "Other benefit", 1},
		{"no_income", "No income", 1}, {"other", "Other", 1},
		{"not_stated", "", 1}, END},
	[F_HOUSING] = {{"owned", "Own home", 1},
		{"private_rental", "Private rental", 1},
		{"social", "Kāinga Ora", 3}, {"social", "Community housing", 1},
		{"emergency", "Emergency housing", 1},
		{"without_shelter", "Homeless", 1}, {"temporary", "Boarding", 1},
		{"temporary", "Staying with friends/whānau", 2},
		{"other", "Other", 1}, {"not_stated", "", 1}, END},
	[F_NEED] = {{"food", "Food", 1}, {"housing", "Rent arrears", 1},
		{"housing", "Housing", 1}, {"debt", "Debt", 2},
		{"debt", "Budgeting", 1}, {"income", "Benefit issues", 1},
		{"income", "Low income", 1}, {"family_harm", "Family violence", 1},
		{"mental_health", "Mental health", 1},
		{"addiction", "Addictions", 1}, {"physical_health", "Health", 1},
		{"employment", "Employment", 1},
		{"relationships", "Relationship", 1}, {"legal", "Legal", 1},
		{"other", "Other", 1}, END},
	[F_SERVICE] = {{"food", "Food parcel", 1},
		{"financial", "Budgeting service", 1},
		{"social_work", "Social work", 1},
		{"counselling", "Counselling", 1},
		{"accommodation", "Transitional housing", 1},
		{"advocacy", "Advocacy", 1}, {"practical", "Practical help", 1},
		{"other", "Other", 1}, END},
};

/* eastern: an old desktop database; windows-1252, so no macrons. */
static const struct spelling eastern_vocab[NFIELDS][MAX_SPELLINGS] = {
	[F_REGION] = {{"06", "Hawkes Bay", 5}, {"07", "Taranaki", 2},
		{"08", "Manawatu-Wanganui", 4}, END},
	[F_GENDER] = {{"1", "M", 1}, {"2", "F", 1}, {"3", "X", 1},
		{"9", "U", 1}, {"9", "", 1}, END},
	[F_ETHNICITY] = {{"1", "NZ European/Pakeha", 1}, {"2", "Maori", 1},
		{"3", "Pacific Island", 2}, {"3", "Samoan", 2},
		{"3", "Tongan", 1}, {"4", "Asian", 1},
		{"5", "Middle Eastern", 1}, {"5", "Latin American", 1},
		{"6", "Other", 1}, {"9", "Unknown", 1}, END},
	[F_HOUSEHOLD] = {{"couple", "Couple only", 1},
		{"couple_children", "Two parent family", 1},
		{"one_parent", "Single parent", 1},
		{"one_person", "Living alone", 1},
		{"multi", "Shared/other", 1}, {"not_stated", "", 1}, END},
	[F_INCOME] = {{"wages", "Employed", 1}, {"self_employed", "Self employed", 1},
		{"nz_super", "Superannuation", 1}, {"jobseeker", "JS", 1},
		{"sole_parent", "SPS", 1}, {"slp", "SLP", 1},
		{"student", "Student", 1}, {"other_benefit", "Benefit - other", 1},
		{"no_income", "Nil income", 1}, {"other", "Other", 1},
		{"not_stated", "Unknown", 1}, END},
	[F_HOUSING] = {{"owned", "Owner", 1},
		{"private_rental", "Renting - private", 1},
		{"social", "State house", 1}, {"emergency", "Motel (EH)", 1},
		{"without_shelter", "Rough sleeping", 1},
		{"temporary", "Staying with whanau", 1}, {"other", "Other", 1},
		{"not_stated", "Unknown", 1}, END},
	[F_NEED] = {{"food", "Food", 1}, {"housing", "Accommodation", 1},
		{"housing", "Rent arrears", 1}, {"debt", "Debt", 1},
		{"debt", "Budgeting", 1}, {"income", "Income/WINZ", 1},
		{"family_harm", "Family harm", 1},
		{"mental_health", "Mental health", 1},
		{"addiction", "Alcohol & drugs", 1},
		{"physical_health", "Physical health", 1},
		{"employment", "Work", 1}, {"relationships", "Relationships", 1},
		{"legal", "Court/legal", 1}, {"other", "Other", 1}, END},
	[F_SERVICE] = {{"food", "Food", 1}, {"financial", "Financial mentor", 1},
		{"social_work", "Social worker", 1},
		{"counselling", "Counselling", 1},
		{"accommodation", "Accommodation", 1},
		{"advocacy", "Advocacy", 1}, {"practical", "Practical", 1},
		{"other", "Other", 1}, END},
};

/* capital: a spreadsheet kept by hand and saved as Excel Unicode text. */
static const struct spelling capital_vocab[NFIELDS][MAX_SPELLINGS] = {
	[F_REGION] = {{"09", "Wellington", 5}, {"13", "Canterbury", 4},
		{"08", "Manawatū-Whanganui", 2}, {"06", "Hawke’s Bay", 1}, END},
	[F_GENDER] = {{"1", "Male", 1}, {"2", "Female", 1},
		{"3", "Another gender", 1}, {"9", "Not stated", 1}, END},
	[F_ETHNICITY] = {{"1", "New Zealand European", 6},
		{"1", "European nfd", 1}, {"2", "Māori", 1},
		{"3", "Samoan", 3}, {"3", "Tongan", 2}, {"3", "Fijian", 1},
		{"3", "Cook Islands Māori", 1}, {"4", "Indian", 2},
		{"4", "Chinese", 2}, {"4", "Filipino", 1},
		{"4", "Sri Lankan", 1}, {"5", "African", 1},
		{"5", "Middle Eastern", 1}, {"6", "Other ethnicity", 1},
		{"9", "Declined to answer", 1}, END},
	[F_HOUSEHOLD] = {{"couple", "Couple without children", 1},
		{"couple_children", "Couple with children", 1},
		{"one_parent", "One parent with children", 1},
		{"one_person", "One person", 1},
		{"multi", "Multi-family / other", 1},
		{"not_stated", "Not stated", 1}, END},
	[F_INCOME] = {{"wages", "Wages/salary", 1},
		{"self_employed", "Self-employment", 1},
		{"nz_super", "NZ Superannuation", 1},
		{"jobseeker", "Jobseeker Support", 1},
		{"sole_parent", "Sole Parent Support", 1},
		{"slp", "Supported Living Payment", 1},
		{"student", "Student allowance/loan", 1},
		{"other_benefit", "Other main benefit", 1},
		{"no_income", "No income", 1}, {"other", "Other", 1},
		{"not_stated", "Not stated", 1}, END},
	[F_HOUSING] = {{"owned", "Owned", 1},
		{"private_rental", "Private rental", 1},
		{"social", "Social housing", 1},
		{"emergency", "Emergency housing", 1},
		{"without_shelter", "Without shelter", 1},
		{"temporary", "Temporary accommodation", 1},
		{"other", "Other", 1}, {"not_stated", "Not stated", 1}, END},
	[F_NEED] = {{"food", "Kai / food", 1}, {"housing", "Housing", 1},
		{"debt", "Debt", 1}, {"income", "Insufficient income", 1},
		{"family_harm", "Family harm", 1},
		{"mental_health", "Mental wellbeing", 1},
		{"addiction", "Addiction", 1}, {"physical_health", "Health", 1},
		{"employment", "Employment", 1},
		{"relationships", "Relationships", 1}, {"legal", "Legal", 1},
		{"other", "Other", 1}, END},
	[F_SERVICE] = {{"food", "Foodbank", 1},
		{"financial", "Financial capability", 1},
		{"social_work", "Social work", 1},
		{"counselling", "Counselling", 1},
		{"accommodation", "Housing support", 1},
		{"advocacy", "Advocacy", 1},
		{"practical", "Practical assistance", 1},
		{"other", "Other", 1}, END},
};

/* kaishare: a web app with snake_case option values; staff type Māori
 * both with and without the macron in the ethnicity boxes. */
static const struct spelling kaishare_vocab[NFIELDS][MAX_SPELLINGS] = {
	[F_REGION] = {{"02", "AKL", 4}, {"09", "WLG", 2}, {"13", "CHC", 3}, END},
	[F_GENDER] = {{"1", "male", 1}, {"2", "female", 1},
		{"3", "non_binary", 1}, {"9", "unknown", 1}, {"9", "", 1}, END},
	[F_ETHNICITY] = {{"1", "European", 1}, {"2", "Maori", 2},
		{"2", "Māori", 1}, {"3", "Pasifika", 1}, {"4", "Asian", 1},
		{"5", "MELAA", 1}, {"6", "Other", 1},
		{"9", "Prefer not to say", 1}, END},
	[F_HOUSEHOLD] = {{"couple", "couple", 1},
		{"couple_children", "family", 1},
		{"one_parent", "sole_parent", 1}, {"one_person", "single", 1},
		{"multi", "shared", 1}, {"not_stated", "unknown", 1}, END},
	[F_INCOME] = {{"wages", "wages", 1}, {"self_employed", "self_employed", 1},
		{"nz_super", "super", 1}, {"jobseeker", "jobseeker", 1},
		{"sole_parent", "sole_parent", 1}, {"slp", "slp", 1},
		{"student", "student", 1}, {"other_benefit", "other_benefit", 1},
		{"no_income", "none", 1}, {"other", "other", 1},
		{"not_stated", "unknown", 1}, END},
	[F_HOUSING] = {{"owned", "own", 1}, {"private_rental", "rent", 1},
		{"social", "social", 1}, {"emergency", "emergency", 1},
		{"without_shelter", "street", 1}, {"temporary", "couch", 1},
		{"other", "other", 1}, {"not_stated", "unknown", 1}, END},
	[F_NEED] = {{"food", "food", 1}, {"housing", "housing", 1},
		{"debt", "bills_debt", 1}, {"income", "income_benefit", 1},
		{"family_harm", "family_harm", 1},
		{"mental_health", "mental_health", 1},
		{"addiction", "addiction", 1}, {"physical_health", "health", 1},
		{"employment", "employment", 1},
		{"relationships", "relationships", 1}, {"legal", "legal", 1},
		{"other", "other", 1}, END},
	[F_SERVICE] = {{"food", "food_parcel", 4}, {"food", "food_voucher", 1},
		{"financial", "budget_advice", 1},
		{"social_work", "social_work", 1},
		{"counselling", "counselling", 1},
		{"accommodation", "housing_support", 1},
		{"advocacy", "advocacy", 1}, {"practical", "practical", 1},
		{"other", "other", 1}, END},
};

/* The spelling of a code, or a blank cell when the CMS has none. */
static struct value spell(struct rng *r, const struct spelling *vocab,
	const char *code)
{
	struct value v = {code, ""};
	int total = 0;
	for (const struct spelling *p = vocab; p->code; p++)
		if (same(p->code, code))
			total += p->weight;
	if (total == 0)
		return v;
	int x = (int)rng_below(r, (unsigned)total);
	for (const struct spelling *p = vocab; p->code; p++) {
		if (!same(p->code, code))
			continue;
		if (x < p->weight) {
			v.local = p->local;
			break;
		}
		x -= p->weight;
	}
	return v;
}

/* Any entry by weight: regions are drawn from the agency's own list. */
static struct value spell_any(struct rng *r, const struct spelling *vocab)
{
	int total = 0;
	for (const struct spelling *p = vocab; p->code; p++)
		total += p->weight;
	int x = (int)rng_below(r, (unsigned)total);
	const struct spelling *p = vocab;
	for (; x >= p->weight; p++)
		x -= p->weight;
	return (struct value){p->code, p->local};
}

/* ------------------------------------------- names, places, notes
 * Fictional: names are drawn independently, streets are common tree
 * names, phone numbers are 555 numbers and e-mail is at example.org.
 */

static const char *const female_names[] = {"Aroha", "Mere", "Losa",
	"Malia", "Priya", "Jia", "Sarah", "Jessica", "Emma", "Olivia",
	"Charlotte", "Ngaire", "Hine", "Anahera", "Ana", "Faith", "Grace",
	"Kiri", "Moana", "Leilani", "Fatima", "Sina", "Mele", "Chloe", "Ruby",
	"Isla", NULL};
static const char *const male_names[] = {"Tama", "Wiremu", "Sione",
	"Tevita", "Wei", "Arjun", "John", "Michael", "Daniel", "James",
	"Liam", "Rawiri", "Mikaere", "Tane", "Ravi", "Mohammed", "Hamid",
	"Peni", "Ben", "Jack", "Noah", NULL};
static const char *const last_names[] = {"Smith", "Williams", "Brown",
	"Wilson", "Taylor", "Ngata", "Walker", "Tipene", "Parata",
	"Tuilagi", "Fonoti", "Vaifale", "Taufa", "Lolohea", "Patel",
	"Singh", "Kumar", "Li", "Wang", "Chen", "Nguyen", "Thompson",
	"Anderson", "Campbell", "Kereama", "Rangi", "Henare", "Morgan",
	"Davies", "Hohaia", "Te Whare", "Ruru", "Fifita", "Leota", "Aumua",
	"Sharma", "Reddy", "Kim", "Park", "O'Brien", "MacDonald", "Stewart",
	NULL};
static const char *const streets[] = {"Kowhai", "Rimu", "Totara",
	"Matai", "Puriri", "Karaka", "Nikau", "Rata", "Miro", "Tawa",
	"Harakeke", "Kauri", NULL};
static const char *const street_types[] = {"Street", "Road", "Avenue",
	"Crescent", "Place", "Lane", "Grove", NULL};

/* Towns by national region code; 06-08 stay ASCII for windows-1252. */
static const struct { const char *region; const char *towns[5]; } towns[] = {
	{"01", {"Whangārei", "Kaitāia", "Kaikohe", NULL}},
	{"02", {"Ōtara", "Manurewa", "Henderson", "Papakura"}},
	{"03", {"Hamilton", "Huntly", "Ngāruawāhia", "Tokoroa"}},
	{"06", {"Napier", "Hastings", "Flaxmere", "Wairoa"}},
	{"07", {"New Plymouth", "Hawera", "Waitara", NULL}},
	{"08", {"Palmerston North", "Whanganui", "Levin", "Feilding"}},
	{"09", {"Porirua", "Lower Hutt", "Wainuiomata", "Newtown"}},
	{"13", {"Christchurch", "Aranui", "Hornby", "Rangiora"}},
};

/* Free-text notes of the web app: commas, quotes and line breaks. */
static const char *const notes[] = {
	"Rent went up again, landlord wants $40 more a week",
	"Client said \"the power bill is the killer\", referred to budgeting",
	"Kids' lunches, nappies and formula\nFollow up next week",
	"Hardship grant pending, waiting on a call back",
	"Benefit stopped, no income since Friday",
	"Pasted from email:\r\n\"Please help, urgent\"",
	"Allergies: gluten, dairy",
	"Hours cut at work; partner unwell",
	"New to area, referred by school social worker",
	"Picked up by neighbour (authorised)\n2 parcels",
	NULL};

static size_t count_strings(const char *const *list)
{
	size_t n = 0;
	while (list[n])
		n++;
	return n;
}

static const char *pick_string(struct rng *r, const char *const *list)
{
	return list[rng_below(r, (unsigned)count_strings(list))];
}

static const char *pick_town(struct rng *r, const char *region)
{
	for (size_t i = 0; i < sizeof towns / sizeof towns[0]; i++)
		if (strcmp(towns[i].region, region) == 0) {
			size_t n = 0;
			while (n < 5 && towns[i].towns[n])
				n++;
			return towns[i].towns[rng_below(r, (unsigned)n)];
		}
	return "";
}

/* --------------------------------------------------------- the agencies */

enum encoding { ENC_UTF8, ENC_UTF8_BOM, ENC_CP1252, ENC_UTF16LE };
enum order { BY_DATE, BY_CLIENT, BY_DATE_DESC };

struct line;
struct row_ctx;
typedef void row_fn(struct line *l, const struct row_ctx *rc);
typedef void date_fn(char *buf, size_t n, struct ymd t, struct rng *fmt);

/* An id: a prefix and a number of at least `width` digits. */
struct id_format { const char *prefix; int width; };

/* A misspelling planted on `count` visits whose first need is `code`. */
struct typo { const char *code, *local; int count; };

struct agency {
	const char *code;
	const char *cms;		/* the kind of system it imitates */
	int target_rows;		/* stop adding clients at this many rows */
	struct ymd first, last;		/* visit dates in the export */
	int lead_in_days;		/* clients already coming before `first` */
	const struct spelling (*vocab)[MAX_SPELLINGS];
	const char *const *extra_first_names;
	struct id_format client_id, household_id;
	const char *phone_prefix;	/* then four digits */
	unsigned first_client_no, first_household_no;
	int hashed_ids;			/* ids look opaque, as a web app's do */
	int foodbank;			/* nearly every visit is for food */
	int multi_service;		/* several services on one visit */
	int zero_units;			/* no food given: 0 parcels, not blank */
	int blank_household_ids;	/* household id is optional */
	int has_notes;			/* a free-text notes column */
	enum encoding encoding;
	char delim;
	const char *eol;
	int quote_text;			/* every text field quoted, as Access does */
	unsigned long unquoted;		/* COL(i): date and number columns */
	const char *const *preamble;	/* title lines before the header */
	int trailer;			/* a "Total records: N" line at the end */
	enum order order;
	date_fn *fmt_date;
	const char *const *header;
	row_fn *row;
	const struct typo *typos;	/* misspellings left out of map.json */
};

/* --------------------------------------------------------- the sample */

struct household {
	unsigned number;
	struct value region, type, housing;
	const char *surname, *street, *street_type, *town;
	int street_no;
	unsigned phone;
	int members;
	int no_id;			/* the optional id was never filled in */
};

enum client_flag { CL_DOB_PLACEHOLDER = 1, CL_DOB_FUTURE = 2, CL_GROWING = 4 };

struct client {
	unsigned number;
	size_t household;
	int has_birth;
	struct ymd birth;
	const char *first, *last;
	struct value gender, income;
	struct value eth[MAXV];
	int n_eth;
	unsigned flags;
};

enum dirty_flag { DIRTY_NO_DATE = 1, DIRTY_BAD_DATE = 2, DIRTY_SPACED_ID = 4,
	DIRTY_SPACED_REGION = 8, DIRTY_TYPO = 16 };

struct event {
	long day;
	size_t client;
	int visit;			/* the client's visit number: a total order */
	struct value region, household, housing, gender;
	struct value need[MAXV], service[MAXV];
	int n_need, n_service;
	int units;			/* food parcels; -1 is a blank cell */
	int note;			/* index into notes[]; -1 is none */
	unsigned dirty;
};

struct sample {
	const struct agency *ag;
	long first_day, last_day, policy_day;
	struct household *hh;
	size_t n_hh, cap_hh;
	struct client *cl;
	size_t n_cl, cap_cl;
	struct event *ev;
	size_t n_ev, cap_ev;
};

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 256;
	return xrealloc(p, *cap * size);
}

static long policy_day(void)
{
	return days_from_civil(POLICY_YMD);
}

static int contains(const char *const *codes, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (same(codes[i], code))
			return 1;
	return 0;
}

/* ------------------------------------------------------ people */

static void make_household(struct rng *r, const struct agency *ag,
	unsigned number, struct household *h)
{
	memset(h, 0, sizeof *h);
	h->number = number;
	h->region = spell_any(r, ag->vocab[F_REGION]);
	h->type = spell(r, ag->vocab[F_HOUSEHOLD], draw_code(r, household_w));
	h->housing = spell(r, ag->vocab[F_HOUSING], draw_code(r, housing_w));
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
	int age = bands[i].lo + (int)rng_below(r,
		(unsigned)(bands[i].hi - bands[i].lo + 1));
	long day = days_from_civil(2024, 7, 1) - (long)age * 365 - age / 4
		- (long)rng_below(r, 365);
	c->birth = civil_from_days(day);
}

/* Total response: about one client in five names a second group. */
static void draw_ethnicities(struct rng *r, const struct agency *ag,
	struct client *c)
{
	const char *codes[MAXV];
	int n = 0;
	codes[n++] = draw_code(r, ethnicity_w);
	while (n < MAXV && strcmp(codes[0], "9") != 0
		&& rng_chance(r, n == 1 ? 0.22 : 0.15)) {
		const char *code = draw_code(r, ethnicity_w);
		if (strcmp(code, "9") == 0 || contains(codes, n, code))
			break;
		codes[n++] = code;
	}
	for (int i = 0; i < n; i++)
		c->eth[i] = spell(r, ag->vocab[F_ETHNICITY], codes[i]);
	c->n_eth = n;
}

/* Most people 65 and over get NZ Super; nobody younger does. */
static const char *draw_income(struct rng *r, int after_policy, int age)
{
	const struct weight *w = after_policy ? income_after_w : income_before_w;
	if (age >= 65 && rng_chance(r, 0.85))
		return "nz_super";
	const char *code;
	do
		code = draw_code(r, w);
	while (age < 65 && strcmp(code, "nz_super") == 0);
	return code;
}

static void make_client(struct rng *r, const struct agency *ag,
	unsigned number, int after_policy, const struct household *h,
	struct client *c)
{
	memset(c, 0, sizeof *c);
	c->number = number;
	c->gender = spell(r, ag->vocab[F_GENDER], draw_code(r, gender_w));
	int female = strcmp(c->gender.code, "2") == 0
		|| (strcmp(c->gender.code, "1") != 0 && rng_chance(r, 0.5));
	if (ag->extra_first_names && rng_chance(r, 0.06))
		c->first = pick_string(r, ag->extra_first_names);
	else
		c->first = pick_string(r, female ? female_names : male_names);
	c->last = rng_chance(r, 0.75) ? h->surname : pick_string(r, last_names);
	draw_ethnicities(r, ag, c);
	draw_birth(r, c);
	c->income = spell(r, ag->vocab[F_INCOME], draw_income(r, after_policy,
		age_at(c->birth, (struct ymd){2024, 7, 1})));
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

/* ------------------------------------------------------ visits */

/* Visits ask for food most; after the policy change for food and income
 * more.  A foodbank's visits are nearly all for food. */
static int draw_needs(struct rng *r, const struct agency *ag,
	int after_policy, const char *codes[MAXV])
{
	const struct weight *w = after_policy ? need_after_w : need_before_w;
	int want = 1 + rng_chance(r, 0.38) + rng_chance(r, 0.12);
	int n = 0;
	if (ag->foodbank) {
		if (rng_chance(r, 0.92))
			codes[n++] = "food";
		if (want > 2)
			want = 2;
	}
	for (int tries = 0; n < want && tries < 20; tries++) {
		const char *code = draw_code(r, w);
		if (!contains(codes, n, code))
			codes[n++] = code;
	}
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
		e->service[i] = spell(r, ag->vocab[F_SERVICE], codes[i]);
	e->n_service = n;
	return food;
}

static int draw_units(struct rng *r, const struct agency *ag, int food,
	const char *household)
{
	if (!food)
		return ag->zero_units ? 0 : -1;
	if (rng_chance(r, 0.04))
		return -1; /* staff left it blank */
	int family = strcmp(household, "couple_children") == 0
		|| strcmp(household, "multi") == 0;
	return 1 + family + rng_chance(r, 0.15);
}

/* Everything about one visit that is not the client's or the place's. */
static void fill_visit(struct rng *r, const struct agency *ag, long policy,
	const struct client *c, struct event *e)
{
	const char *needs[MAXV];
	/* staff skip the gender box now and then */
	e->gender = rng_chance(r, 0.005) ? (struct value){"9", ""} : c->gender;
	e->n_need = draw_needs(r, ag, e->day >= policy, needs);
	for (int i = 0; i < e->n_need; i++)
		e->need[i] = spell(r, ag->vocab[F_NEED], needs[i]);
	int food = draw_services(r, ag, needs, e->n_need, e);
	e->units = draw_units(r, ag, food, e->household.code);
	e->note = -1;
	if (ag->has_notes && rng_chance(r, 0.25))
		e->note = (int)rng_below(r, (unsigned)count_strings(notes));
}

static struct event *push_event(struct sample *s, size_t c, long day,
	int visit)
{
	s->ev = grow(s->ev, &s->cap_ev, s->n_ev, sizeof *s->ev);
	struct event *e = &s->ev[s->n_ev++];
	const struct household *h = &s->hh[s->cl[c].household];
	memset(e, 0, sizeof *e);
	e->day = day;
	e->client = c;
	e->visit = visit;
	e->region = h->region;
	e->household = h->type;
	e->housing = h->housing;
	return e;
}

static struct value other_region(struct rng *r, const struct agency *ag,
	struct value from)
{
	struct value to;
	do
		to = spell_any(r, ag->vocab[F_REGION]);
	while (strcmp(to.code, from.code) == 0);
	return to;
}

/* New clients come more in winter and at Christmas, and more after the
 * policy change. */
static double arrival_rate(long day, long policy)
{
	int m = civil_from_days(day).m;
	double season = (m >= 6 && m <= 8) ? 1.2
		: (m == 5 || m == 9 || m == 12) ? 1.1 : 1.0;
	return season * (day >= policy ? 1.3 : 1.0);
}

static long first_visit_day(const struct sample *s, struct rng *r)
{
	const double max_rate = 1.2 * 1.3;
	long from = s->first_day - s->ag->lead_in_days;
	for (;;) {
		long day = from + (long)rng_below(r,
			(unsigned)(s->last_day - from + 1));
		if (rng_unit(r) * max_rate < arrival_rate(day, s->policy_day))
			return day;
	}
}

/* A client comes back every week to four months, more often after the
 * policy change.  A few move region, change household or lose their home
 * partway through.  Visits before the export starts are not written. */
static void add_visits(struct sample *s, struct rng *r, size_t c, long day)
{
	const struct agency *ag = s->ag;
	const struct household *h = &s->hh[s->cl[c].household];
	struct value region = h->region, type = h->type, housing = h->housing;
	int move_at = rng_chance(r, 0.03) ? 1 + (int)rng_below(r, 3) : -1;
	int type_at = rng_chance(r, 0.03) ? 1 + (int)rng_below(r, 3) : -1;
	int housing_at = rng_chance(r, 0.03) ? 1 + (int)rng_below(r, 3) : -1;
	for (int visit = 0; day <= s->last_day; visit++) {
		if (visit == move_at)
			region = other_region(r, ag, region);
		if (visit == type_at)
			type = spell(r, ag->vocab[F_HOUSEHOLD],
				draw_code(r, household_w));
		if (visit == housing_at)
			housing = spell(r, ag->vocab[F_HOUSING], "emergency");
		if (day >= s->first_day) {
			struct event *e = push_event(s, c, day, visit);
			e->region = region;
			e->household = type;
			e->housing = housing;
			fill_visit(r, ag, s->policy_day, &s->cl[c], e);
		}
		if (!rng_chance(r, day >= s->policy_day ? 0.68 : 0.62))
			break;
		day += 7 + (long)(rng_unit(r) * rng_unit(r) * 110);
	}
}

/* One client comes back more and more often, from every six weeks to
 * every week, and takes more parcels each time. */
static void add_growing_client(struct sample *s, struct rng *r)
{
	const struct spelling *need = s->ag->vocab[F_NEED];
	size_t c = new_client(s, r, s->first_day);
	long span = s->last_day - s->first_day;
	s->cl[c].flags |= CL_GROWING;
	long day = s->first_day + 10 + (long)rng_below(r, 20);
	for (int visit = 0; day <= s->last_day; visit++) {
		double progress = (double)(day - s->first_day) / (double)span;
		struct event *e = push_event(s, c, day, visit);
		fill_visit(r, s->ag, s->policy_day, &s->cl[c], e);
		e->need[0] = spell(r, need, "food");
		e->need[1] = spell(r, need, "income");
		e->n_need = progress > 0.5 ? 2 : 1;
		e->service[0] = spell(r, s->ag->vocab[F_SERVICE], "food");
		e->n_service = 1;
		e->units = 1 + (int)(progress * 3.99);
		day += 42 - (long)(progress * 35);
	}
}

/* ------------------------------------------------------ dirty rows */

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

static void plant_dirty(struct sample *s, struct rng *r)
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
	return d ? d : cmp_client_visit(a, b);
}

static int by_date_desc(const void *pa, const void *pb)
{
	const struct event *a = pa, *b = pb;
	int d = cmp_long(b->day, a->day);
	return d ? d : cmp_client_visit(a, b);
}

static int by_client(const void *pa, const void *pb)
{
	return cmp_client_visit(pa, pb);
}

static void sort_events(struct sample *s)
{
	static int (*const cmp[])(const void *, const void *) = {
		[BY_DATE] = by_date, [BY_CLIENT] = by_client,
		[BY_DATE_DESC] = by_date_desc};
	qsort(s->ev, s->n_ev, sizeof *s->ev, cmp[s->ag->order]);
}

static void generate(const struct agency *ag, struct sample *s)
{
	struct rng r;
	memset(s, 0, sizeof *s);
	s->ag = ag;
	s->first_day = days_from_civil(ag->first.y, ag->first.m, ag->first.d);
	s->last_day = days_from_civil(ag->last.y, ag->last.m, ag->last.d);
	s->policy_day = policy_day();
	rng_seed(&r, hash_name(ag->code));
	add_growing_client(s, &r);
	while (s->n_ev < (size_t)ag->target_rows) {
		long day = first_visit_day(s, &r);
		add_visits(s, &r, new_client(s, &r, day), day);
	}
	plant_dirty(s, &r);
	sort_events(s);
}

/* ------------------------------------------------------ encoders
 * Rows are built in UTF-8 and encoded on the way out. */

/* Decodes one character of our own (valid) UTF-8 literals. */
static uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	if (extra)
		c &= 0x3fu >> extra;
	for (int i = 1; i <= extra; i++)
		c = (c << 6) | (s[i] & 0x3fu);
	*p = s + 1 + extra;
	return c;
}

static int cp1252_byte(uint32_t c)
{
	if (c < 0x80 || (c >= 0xa0 && c <= 0xff))
		return (int)c;
	switch (c) {
	case 0x20ac: return 0x80;
	case 0x2018: return 0x91;
	case 0x2019: return 0x92;
	case 0x201c: return 0x93;
	case 0x201d: return 0x94;
	case 0x2013: return 0x96;
	case 0x2014: return 0x97;
	}
	/* a table above holds a character this CMS cannot store */
	die("internal error: character has no windows-1252 byte");
}

static void put_utf16le(FILE *f, uint32_t c)
{
	if (c >= 0x10000) {
		c -= 0x10000;
		put_utf16le(f, 0xd800 | (c >> 10));
		put_utf16le(f, 0xdc00 | (c & 0x3ff));
		return;
	}
	putc((int)(c & 0xff), f);
	putc((int)(c >> 8), f);
}

static void put_encoded(FILE *f, enum encoding enc, const char *s, size_t n)
{
	if (enc == ENC_UTF8 || enc == ENC_UTF8_BOM) {
		fwrite(s, 1, n, f);
		return;
	}
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint32_t c = utf8_next(&p);
		if (enc == ENC_CP1252)
			putc(cp1252_byte(c), f);
		else
			put_utf16le(f, c);
	}
}

static void put_bom(FILE *f, enum encoding enc)
{
	if (enc == ENC_UTF8_BOM)
		fputs("\xef\xbb\xbf", f);
	else if (enc == ENC_UTF16LE)
		put_utf16le(f, 0xfeff);
}

/* ------------------------------------------------------ lines */

struct line {
	const struct agency *ag;
	char *buf;
	size_t len, cap;
};

static void line_raw(struct line *l, const char *s, size_t n)
{
	if (l->len + n > l->cap) {
		while (l->len + n > l->cap)
			l->cap = l->cap ? 2 * l->cap : 1024;
		l->buf = xrealloc(l->buf, l->cap);
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* Minimal quoting (delimiter, quote, CR, LF), or always when forced. */
static void line_field(struct line *l, const char *v, int force_quote)
{
	const char specials[] = {l->ag->delim, '"', '\r', '\n', '\0'};
	size_t n = strcspn(v, specials);
	if (!force_quote && !v[n]) {
		line_raw(l, v, n);
		return;
	}
	line_raw(l, "\"", 1);
	for (const char *q; (q = strchr(v, '"')); v = q + 1) {
		line_raw(l, v, (size_t)(q - v + 1));
		line_raw(l, "\"", 1); /* an inner quote is doubled */
	}
	line_raw(l, v, strlen(v));
	line_raw(l, "\"", 1);
}

#define COL(i) (1ul << (i))

/* One record.  Where the CMS quotes text (Access), every column is
 * quoted except the date and number columns in the agency's mask. */
static void line_record(struct line *l, const char *const *field, int n)
{
	for (int i = 0; i < n; i++) {
		if (i > 0)
			line_raw(l, &l->ag->delim, 1);
		line_field(l, field[i], l->ag->quote_text
			&& !(l->ag->unquoted & COL(i)));
	}
}

static void line_emit(struct line *l, FILE *f)
{
	line_raw(l, l->ag->eol, strlen(l->ag->eol));
	put_encoded(f, l->ag->encoding, l->buf, l->len);
	l->len = 0;
}

/* ------------------------------------------------------ field text
 * A bounded builder for the few formats a row needs; not snprintf, which
 * took a third of the time of --bench. */

struct text { char *buf; size_t len, cap; };

static struct text text_on(char *buf, size_t cap)
{
	buf[0] = '\0';
	return (struct text){buf, 0, cap};
}

static void text_str(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (n > t->cap - 1 - t->len)
		n = t->cap - 1 - t->len; /* cut rather than overflow */
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* v in base 10 or 16 (lower case), zero-padded to width digits. */
static void text_num(struct text *t, long v, int width, unsigned base)
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

struct row_ctx {
	const struct agency *ag;
	const struct household *hh;
	const struct client *cl;
	const struct event *ev;
	struct rng *fmt;		/* formatting only: date padding */
};

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
static void date_dmy_mixed(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	date_dmy(buf, n, t, rng_chance(fmt, 0.5) ? 2 : 1, "/");
}

/* eastern: the desktop database's report date, 05-Mar-2025. */
static void date_dmony(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	struct text s = text_on(buf, n);
	(void)fmt;
	text_num(&s, t.d, 2, 10);
	text_str(&s, "-");
	text_str(&s, month_abbr[(t.m + 11) % 12]);
	text_str(&s, "-");
	text_num(&s, t.y, 4, 10);
}

/* capital: Excel's New Zealand short date, 3/07/2024. */
static void date_excel_nz(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	struct text s = text_on(buf, n);
	(void)fmt;
	text_num(&s, t.d, 1, 10);
	text_str(&s, "/");
	text_num(&s, t.m, 2, 10);
	text_str(&s, "/");
	text_num(&s, t.y, 4, 10);
}

static void date_iso(char *buf, size_t n, struct ymd t, struct rng *fmt)
{
	struct text s = text_on(buf, n);
	(void)fmt;
	text_num(&s, t.y, 4, 10);
	text_str(&s, "-");
	text_num(&s, t.m, 2, 10);
	text_str(&s, "-");
	text_num(&s, t.d, 2, 10);
}

/* Opaque ids (web app) are a bijection of the number, so still unique. */
static void fmt_id(char *buf, size_t n, const struct agency *ag,
	struct id_format f, unsigned no)
{
	struct text s = text_on(buf, n);
	text_str(&s, f.prefix);
	text_num(&s, ag->hashed_ids ? mix32(no) : no, f.width,
		ag->hashed_ids ? 16 : 10);
}

static void fmt_client_id(const struct row_ctx *rc, char *buf, size_t n)
{
	fmt_id(buf, n, rc->ag, rc->ag->client_id, rc->cl->number);
	if (rc->ev->dirty & DIRTY_SPACED_ID) { /* pasted with a space */
		struct text s = {buf, strlen(buf), n};
		text_str(&s, " ");
	}
}

static void fmt_household_id(const struct row_ctx *rc, char *buf, size_t n)
{
	if (rc->hh->no_id)
		buf[0] = '\0';
	else /* xor: household and client numbers must not share ids */
		fmt_id(buf, n, rc->ag, rc->ag->household_id,
			rc->hh->number ^ (rc->ag->hashed_ids ? 0x9e3779b9u : 0));
}

static void fmt_phone(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	text_str(&s, rc->ag->phone_prefix);
	text_num(&s, rc->hh->phone, 4, 10);
}

/* "12 Kowhai Street", and ", Town" when the CMS has no town column. */
static void fmt_address(const struct row_ctx *rc, int with_town, char *buf,
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

static void fmt_region(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	int spaced = rc->ev->dirty & DIRTY_SPACED_REGION;
	text_str(&s, spaced ? " " : "");
	text_str(&s, rc->ev->region.local);
	text_str(&s, spaced ? "  " : "");
}

static void fmt_event_date(const struct row_ctx *rc, char *buf, size_t n)
{
	if (rc->ev->dirty & DIRTY_NO_DATE)
		buf[0] = '\0';
	else if (rc->ev->dirty & DIRTY_BAD_DATE)
		rc->ag->fmt_date(buf, n, (struct ymd){2025, 2, 31}, rc->fmt);
	else
		rc->ag->fmt_date(buf, n, civil_from_days(rc->ev->day), rc->fmt);
}

static void fmt_birth_date(const struct row_ctx *rc, char *buf, size_t n)
{
	if (!rc->cl->has_birth)
		buf[0] = '\0';
	else
		rc->ag->fmt_date(buf, n, rc->cl->birth, rc->fmt);
}

/* kaishare shows an age worked out from a birth date it keeps hidden. */
static void fmt_age(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	if (rc->cl->has_birth)
		text_num(&s, age_at(rc->cl->birth,
			civil_from_days(rc->ev->day)), 1, 10);
}

static void fmt_units(const struct row_ctx *rc, char *buf, size_t n)
{
	struct text s = text_on(buf, n);
	if (rc->ev->units >= 0)
		text_num(&s, rc->ev->units, 1, 10);
}

static void fmt_joined(char *buf, size_t n, const struct value *v, int count,
	const char *sep)
{
	struct text s = text_on(buf, n);
	for (int i = 0; i < count; i++) {
		text_str(&s, i > 0 ? sep : "");
		text_str(&s, v[i].local);
	}
}

static const char *nth_local(const struct value *v, int count, int i)
{
	return i < count ? v[i].local : "";
}

/* ------------------------------------------------------ the four layouts
 * Each writer lists its fields in its header's order. */

static const char *const northern_header[] = {"Client ID", "Household ID",
	"First Name", "Last Name", "DOB", "Gender", "Ethnicity 1",
	"Ethnicity 2", "Street Address", "Phone", "Region", "Household Type",
	"Main Income", "Housing", "Visit Date", "Needs", "Service",
	"Food Parcels", NULL};

static void row_northern(struct line *l, const struct row_ctx *rc)
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
		e->household.local, c->income.local, e->housing.local, date,
		needs, nth_local(e->service, e->n_service, 0), units};
	line_record(l, field, sizeof field / sizeof field[0]);
}

static const char *const eastern_header[] = {"Client No", "Family No",
	"Surname", "Given Names", "Date of Birth", "Sex", "Ethnic Group",
	"Address", "Town", "Home Phone", "Area", "Family Type",
	"Income Source", "Accommodation", "Contact Date", "Primary Need",
	"Secondary Need", "Service Provided", "Parcels", NULL};

/* One ethnicity box, two need boxes, one service. */
static void row_eastern(struct line *l, const struct row_ctx *rc)
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
		c->income.local, e->housing.local, date,
		nth_local(e->need, e->n_need, 0),
		nth_local(e->need, e->n_need, 1),
		nth_local(e->service, e->n_service, 0), units};
	line_record(l, field, sizeof field / sizeof field[0]);
}

static const char *const capital_header[] = {"Client", "Household", "Name",
	"Date of birth", "Gender", "Ethnicity", "Suburb", "Region",
	"Household composition", "Income", "Housing", "Phone", "Date",
	"Presenting needs", "Services", "Food parcels", NULL};

static void row_capital(struct line *l, const struct row_ctx *rc)
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
		rc->hh->town, region, e->household.local, c->income.local,
		e->housing.local, phone, date, needs, services, units};
	line_record(l, field, sizeof field / sizeof field[0]);
}

static const char *const kaishare_header[] = {"ClientRef", "HouseholdRef",
	"GivenName", "FamilyName", "Email", "Mobile", "Age", "Gender",
	"Ethnicity1", "Ethnicity2", "Ethnicity3", "Region", "HouseholdType",
	"IncomeSource", "HousingStatus", "VisitDate", "Needs", "Services",
	"Parcels", "Notes", NULL};

/* given.family.NN@example.org, ASCII letters only. */
static void fmt_email(const struct client *c, char *buf, size_t n)
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

static void row_kaishare(struct line *l, const struct row_ctx *rc)
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
		region, e->household.local, c->income.local, e->housing.local,
		date, needs, services, units,
		e->note >= 0 ? notes[e->note] : ""};
	line_record(l, field, sizeof field / sizeof field[0]);
}

/* ------------------------------------------------------ the agency table */

static const char *const northern_names[] = {"Hēmi", "Tūī", "Mātene", NULL};
static const char *const eastern_names[] = {"Renée", "Zoë", "José",
	"Chloé", NULL};
static const char *const capital_names[] = {"Ātaahua", "Rāwiri", "Hēmi",
	"Pīta", NULL};
static const char *const eastern_preamble[] = {
	"Eastern Family Care Trust - Client Contact Report",
	"Report run: 01-Jul-2026 08:30  All sites", NULL};
/* Typed into a free-text box; map.json leaves them out on purpose. */
static const struct typo eastern_typos[] = {
	{"food", "Foood", 3}, {"debt", "Powr bill", 2}, {NULL, NULL, 0}};

static const struct agency agencies[] = {
	{
		.code = "northern",
		.cms = "cloud CMS, 'CSV UTF-8' for Excel: BOM, CRLF, d/m/Y",
		.target_rows = 5200, .lead_in_days = 180,
		.first = {2024, 7, 1}, .last = {2026, 6, 30},
		.vocab = northern_vocab, .extra_first_names = northern_names,
		.client_id = {"C", 6}, .first_client_no = 100001,
		.household_id = {"H", 5}, .first_household_no = 1,
		.phone_prefix = "021 555 ",
		.encoding = ENC_UTF8_BOM, .delim = ',', .eol = "\r\n",
		.order = BY_DATE, .fmt_date = date_dmy_mixed,
		.header = northern_header, .row = row_northern,
	},
	{
		.code = "eastern",
		.cms = "desktop database report: windows-1252, quoted, "
			"d-Mon-Y, total",
		.target_rows = 4300, .lead_in_days = 180,
		.first = {2024, 7, 1}, .last = {2026, 6, 30},
		.vocab = eastern_vocab, .extra_first_names = eastern_names,
		.client_id = {"", 6}, .first_client_no = 1201,
		.household_id = {"", 1}, .first_household_no = 3001,
		.phone_prefix = "(06) 555 ",
		.zero_units = 1, .blank_household_ids = 1,
		.encoding = ENC_CP1252, .delim = ',', .eol = "\r\n",
		.quote_text = 1, .unquoted = COL(4) | COL(14) | COL(18),
		.preamble = eastern_preamble, .trailer = 1,
		.order = BY_CLIENT, .fmt_date = date_dmony,
		.header = eastern_header, .row = row_eastern,
		.typos = eastern_typos,
	},
	{
		.code = "capital",
		.cms = "spreadsheet saved as Excel 'Unicode Text': UTF-16LE, "
			"tab, CRLF",
		.target_rows = 3700, .lead_in_days = 180,
		.first = {2024, 7, 1}, .last = {2026, 6, 30},
		.vocab = capital_vocab, .extra_first_names = capital_names,
		.client_id = {"CP-", 5}, .first_client_no = 1,
		.household_id = {"HH-", 4}, .first_household_no = 1,
		.phone_prefix = "04 555 ", .multi_service = 1,
		.encoding = ENC_UTF16LE, .delim = '\t', .eol = "\r\n",
		.order = BY_DATE, .fmt_date = date_excel_nz,
		.header = capital_header, .row = row_capital,
	},
	{
		.code = "kaishare",
		.cms = "foodbank web app, joined 2025Q1: ISO dates, age, "
			"notes, LF",
		.target_rows = 3400, .lead_in_days = 0,
		.first = {2025, 1, 1}, .last = {2026, 6, 30},
		.vocab = kaishare_vocab, .extra_first_names = NULL,
		.client_id = {"", 8}, .first_client_no = 1,
		.household_id = {"hh-", 8}, .first_household_no = 1,
		.phone_prefix = "+6422555", .hashed_ids = 1,
		.foodbank = 1, .multi_service = 1, .zero_units = 1,
		.has_notes = 1,
		.encoding = ENC_UTF8, .delim = ',', .eol = "\n",
		.order = BY_DATE_DESC, .fmt_date = date_iso,
		.header = kaishare_header, .row = row_kaishare,
	},
};

#define N_AGENCIES (sizeof agencies / sizeof agencies[0])

static const struct agency *find_agency(const char *code)
{
	for (size_t i = 0; i < N_AGENCIES; i++)
		if (strcmp(agencies[i].code, code) == 0)
			return &agencies[i];
	return NULL;
}

/* ------------------------------------------------------ writing */

/* Access quotes the header row too, so every name is quoted there. */
static void write_header(struct line *l, FILE *f)
{
	const char *const *name = l->ag->header;
	int n = 0;
	while (name[n])
		n++;
	for (int i = 0; i < n; i++) {
		if (i > 0)
			line_raw(l, &l->ag->delim, 1);
		line_field(l, name[i], l->ag->quote_text);
	}
	line_emit(l, f);
}

static void write_export(const struct sample *s, FILE *f)
{
	const struct agency *ag = s->ag;
	struct line l = {.ag = ag};
	struct rng fmt;
	rng_seed(&fmt, hash_name(ag->code) ^ 0x5851f42d4c957f2du);
	put_bom(f, ag->encoding);
	for (const char *const *p = ag->preamble; p && *p; p++) {
		line_raw(&l, *p, strlen(*p));
		line_emit(&l, f);
	}
	write_header(&l, f);
	for (size_t i = 0; i < s->n_ev; i++) {
		const struct event *e = &s->ev[i];
		const struct client *c = &s->cl[e->client];
		struct row_ctx rc = {ag, &s->hh[c->household], c, e, &fmt};
		ag->row(&l, &rc);
		line_emit(&l, f);
	}
	if (ag->trailer) {
		char total[64];
		snprintf(total, sizeof total, "Total records: %zu", s->n_ev);
		line_raw(&l, total, strlen(total));
		line_emit(&l, f);
	}
	free(l.buf);
}

/* ------------------------------------------------------ benchmark
 * No tables in memory: a client and its household are a pure function of
 * the client number, so any number of rows streams in constant space. */

static void bench_people(const struct agency *ag, unsigned no,
	struct household *h, struct client *c)
{
	struct rng r;
	rng_seed(&r, (uint64_t)(no / 2) << 1); /* two clients a household */
	make_household(&r, ag, no / 2 + 1, h);
	rng_seed(&r, (uint64_t)no << 1 | 1);
	make_client(&r, ag, ag->first_client_no + no, 0, h, c);
}

static void write_bench(unsigned long long rows, FILE *f)
{
	const struct agency *ag = &agencies[0];
	long first = days_from_civil(ag->first.y, ag->first.m, ag->first.d);
	long span = days_from_civil(ag->last.y, ag->last.m, ag->last.d)
		- first + 1;
	unsigned n_clients = (unsigned)(rows / 3 + 1);
	struct line l = {.ag = ag};
	struct rng r, fmt;
	rng_seed(&r, hash_name("bench"));
	rng_seed(&fmt, hash_name("bench-format"));
	put_bom(f, ag->encoding);
	write_header(&l, f);
	for (unsigned long long i = 0; i < rows; i++) {
		struct household h;
		struct client c;
		struct event e = {0};
		bench_people(ag, rng_below(&r, n_clients), &h, &c);
		e.day = first + (long)(i * (unsigned long long)span / rows);
		e.region = h.region;
		e.household = h.type;
		e.housing = h.housing;
		fill_visit(&r, ag, policy_day(), &c, &e);
		struct row_ctx rc = {ag, &h, &c, &e, &fmt};
		ag->row(&l, &rc);
		line_emit(&l, f);
	}
	free(l.buf);
}

/* ------------------------------------------------------ command line */

static void print_help(void)
{
	printf("Usage: %s AGENCY\n"
		"  or:  %s --bench ROWS\n"
		"  or:  %s --list\n"
		"Write the raw client-management-system export of a fictional "
		"agency to\nstandard output, byte-identical on every run: a PRNG "
		"seeded from the\nagency code, no clock, no rand().  The people "
		"are made up; the dirty\nrows are planted on purpose (see "
		"sample-data/README.md).\n\nAgencies:\n", PROG, PROG, PROG);
	for (size_t i = 0; i < N_AGENCIES; i++)
		printf("  %-9s %s\n", agencies[i].code, agencies[i].cms);
	printf("\nOptions:\n"
		"  -b, --bench ROWS  write ROWS data rows (0 to 1000000000) in "
		"the layout of\n"
		"                    '%s' (UTF-8 with BOM, comma, CRLF), "
		"for benchmarks\n"
		"  -l, --list        print the agency codes, one a line\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n\n"
		"Exit status: 0 success, 1 write error, 2 usage error.\n\n"
		"Example:\n  %s northern > sample-data/northern/export.csv\n",
		agencies[0].code, PROG);
}

/* ROWS: decimal digits only, at most 10^9. */
static unsigned long long parse_rows(const char *arg)
{
	unsigned long long rows = 0;
	if (!*arg)
		usage_error("--bench needs a number of rows, got", arg);
	for (const char *p = arg; *p; p++) {
		if (*p < '0' || *p > '9')
			usage_error("--bench needs a number of rows, got", arg);
		rows = rows * 10 + (unsigned long long)(*p - '0');
		if (rows > 1000000000ull)
			usage_error("--bench rows must be at most 1000000000, got",
				arg);
	}
	return rows;
}

/* A write error (full disk, closed pipe) must not pass as success. */
static int finish(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "%s: write error on standard output: %s\n",
			PROG, strerror(errno));
		return EXIT_DATA;
	}
	return EXIT_OK;
}

static int run_agency(const char *code)
{
	const struct agency *ag = find_agency(code);
	struct sample s;
	if (!ag)
		usage_error("unknown agency (try --list):", code);
	generate(ag, &s);
	write_export(&s, stdout);
	free(s.hh), free(s.cl), free(s.ev);
	return finish();
}

/* The option as typed: "-x" (a short one may sit in a cluster) or "--xyz". */
static const char *bad_option(int opt, char **argv)
{
	static char short_opt[3] = "-?";
	if (opt > 0) {
		short_opt[1] = (char)opt;
		return short_opt;
	}
	return argv[optind - 1];
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"bench", required_argument, NULL, 'b'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	const char *bench = NULL;
	int list = 0, opt;
	opterr = 0; /* our own messages, in our own format */
	while ((opt = getopt_long(argc, argv, ":b:lhV", options, NULL)) != -1) {
		switch (opt) {
		case 'b': bench = optarg; break;
		case 'l': list = 1; break;
		case 'h': print_help(); return finish();
		case 'V': printf("%s %s\n", PROG, VERSION); return finish();
		case ':': usage_error("option needs an argument:",
				argv[optind - 1]);
		default: usage_error("unknown option:", bad_option(optopt, argv));
		}
	}
	int operands = argc - optind;
	if (bench && list)
		usage_error("--bench and --list do not go together", NULL);
	if ((bench || list) && operands > 0)
		usage_error("unexpected argument:", argv[optind]);
	if (list) {
		for (size_t i = 0; i < N_AGENCIES; i++)
			puts(agencies[i].code);
		return finish();
	}
	if (bench) {
		unsigned long long rows = parse_rows(bench);
		static char buf[1 << 20]; /* big writes: bench speed */
		setvbuf(stdout, buf, _IOFBF, sizeof buf);
		write_bench(rows, stdout);
		return finish();
	}
	if (operands != 1)
		usage_error(operands ? "one agency at a time" : "missing AGENCY",
			NULL);
	return run_agency(argv[optind]);
}
