/* national.c: how often each national code occurs among clients, and the
 * made-up names, streets, towns and notes.  The agencies differ only in
 * how they spell the codes, in regions, and in their extras. */
#include <string.h>

#include "gen.h"

const struct weight gender_w[] = {
	{"1", 41}, {"2", 54}, {"3", 1}, {"9", 4}, {NULL, 0}};
const struct weight ethnicity_w[] = {
	{"1", 34}, {"2", 33}, {"3", 18}, {"4", 9}, {"5", 2}, {"6", 1},
	{"9", 3}, {NULL, 0}};
const struct weight household_w[] = {
	{"couple", 9}, {"couple_children", 20}, {"one_parent", 31},
	{"one_person", 28}, {"multi", 9}, {"not_stated", 3}, {NULL, 0}};
const struct weight housing_w[] = {
	{"owned", 4}, {"private_rental", 45}, {"social", 27},
	{"emergency", 8}, {"without_shelter", 3}, {"temporary", 9},
	{"other", 2}, {"not_stated", 2}, {NULL, 0}};
/* After the policy change more new clients live on Jobseeker or nothing. */
const struct weight income_before_w[] = {
	{"wages", 16}, {"self_employed", 2}, {"nz_super", 8},
	{"jobseeker", 28}, {"sole_parent", 20}, {"slp", 12}, {"student", 3},
	{"other_benefit", 4}, {"no_income", 4}, {"other", 1},
	{"not_stated", 2}, {NULL, 0}};
const struct weight income_after_w[] = {
	{"wages", 12}, {"self_employed", 2}, {"nz_super", 8},
	{"jobseeker", 38}, {"sole_parent", 19}, {"slp", 11}, {"student", 3},
	{"other_benefit", 4}, {"no_income", 9}, {"other", 1},
	{"not_stated", 2}, {NULL, 0}};
/* After the policy change more episodes are about food and income. */
const struct weight need_before_w[] = {
	{"food", 38}, {"housing", 14}, {"debt", 12}, {"income", 9},
	{"family_harm", 4}, {"mental_health", 6}, {"addiction", 3},
	{"physical_health", 4}, {"employment", 3}, {"relationships", 3},
	{"legal", 2}, {"other", 2}, {NULL, 0}};
const struct weight need_after_w[] = {
	{"food", 56}, {"housing", 12}, {"debt", 13}, {"income", 20},
	{"family_harm", 4}, {"mental_health", 6}, {"addiction", 3},
	{"physical_health", 4}, {"employment", 3}, {"relationships", 3},
	{"legal", 2}, {"other", 2}, {NULL, 0}};
/* Who sent the client (issue 16's national list); after the policy
 * change Work and Income sends more people to the agencies. */
const struct weight referral_before_w[] = {
	{"self", 34}, {"msd", 16}, {"oranga_tamariki", 4}, {"health", 9},
	{"social_service", 14}, {"school", 5}, {"church_marae", 6},
	{"other", 3}, {"not_stated", 9}, {NULL, 0}};
const struct weight referral_after_w[] = {
	{"self", 31}, {"msd", 27}, {"oranga_tamariki", 4}, {"health", 8},
	{"social_service", 12}, {"school", 4}, {"church_marae", 5},
	{"other", 3}, {"not_stated", 8}, {NULL, 0}};

/* Assessment domains (issue 23): the national codes the outcomes work
 * is expected to use, spelled by each agency in its own vocabulary. */
const char *const domain_codes[N_DOMAINS] = {"financial_resilience",
	"housing", "food_security", "mental_wellbeing", "family_safety"};

const char *draw_code(struct rng *r, const struct weight *w)
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

int domain_index(const char *code)
{
	for (int i = 0; i < N_DOMAINS; i++)
		if (same(domain_codes[i], code))
			return i;
	return -1;
}

/* The domain a need is assessed in, or NULL when none fits. */
const char *domain_of_need(const char *need)
{
	static const struct { const char *need, *domain; } map[] = {
		{"food", "food_security"}, {"housing", "housing"},
		{"debt", "financial_resilience"},
		{"income", "financial_resilience"},
		{"family_harm", "family_safety"},
		{"mental_health", "mental_wellbeing"},
		{"addiction", "mental_wellbeing"},
		{"relationships", "mental_wellbeing"}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (same(map[i].need, need))
			return map[i].domain;
	return NULL;
}

/* ------------------------------------------- names, places, notes
 * Fictional: names are drawn independently, streets are common tree
 * names, phone numbers are 555 numbers and e-mail is at example.org.
 */

const char *const female_names[] = {"Aroha", "Mere", "Losa", "Malia",
	"Priya", "Jia", "Sarah", "Jessica", "Emma", "Olivia", "Charlotte",
	"Ngaire", "Hine", "Anahera", "Ana", "Faith", "Grace", "Kiri", "Moana",
	"Leilani", "Fatima", "Sina", "Mele", "Chloe", "Ruby", "Isla", NULL};
const char *const male_names[] = {"Tama", "Wiremu", "Sione", "Tevita",
	"Wei", "Arjun", "John", "Michael", "Daniel", "James", "Liam",
	"Rawiri", "Mikaere", "Tane", "Ravi", "Mohammed", "Hamid", "Peni",
	"Ben", "Jack", "Noah", NULL};
const char *const last_names[] = {"Smith", "Williams", "Brown", "Wilson",
	"Taylor", "Ngata", "Walker", "Tipene", "Parata", "Tuilagi", "Fonoti",
	"Vaifale", "Taufa", "Lolohea", "Patel", "Singh", "Kumar", "Li",
	"Wang", "Chen", "Nguyen", "Thompson", "Anderson", "Campbell",
	"Kereama", "Rangi", "Henare", "Morgan", "Davies", "Hohaia",
	"Te Whare", "Ruru", "Fifita", "Leota", "Aumua", "Sharma", "Reddy",
	"Kim", "Park", "O'Brien", "MacDonald", "Stewart", NULL};
const char *const streets[] = {"Kowhai", "Rimu", "Totara", "Matai",
	"Puriri", "Karaka", "Nikau", "Rata", "Miro", "Tawa", "Harakeke",
	"Kauri", NULL};
const char *const street_types[] = {"Street", "Road", "Avenue",
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
	{"14", {"Dunedin", "Mosgiel", "Oamaru", "Balclutha"}},
};

/* Free-text notes of the web app: commas, quotes and line breaks. */
const char *const notes[] = {
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

size_t count_strings(const char *const *list)
{
	size_t n = 0;
	while (list[n])
		n++;
	return n;
}

const char *pick_string(struct rng *r, const char *const *list)
{
	return list[rng_below(r, (unsigned)count_strings(list))];
}

const char *pick_town(struct rng *r, const char *region)
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
