/* gen.h: the sample-data generator (gen-sample), shared declarations.
 *
 * rng.c       PRNG, calendar, small helpers
 * national.c  how often each national code occurs; names, places, notes
 * spellings.c each agency's local spellings of the national codes
 * agencies.c  the six fictional agencies
 * model.c     people, episodes of help, visits
 * assess.c    assessments (outcome scores) of two agencies
 * dirty.c     the dirty rows planted on purpose
 * csv.c       text exports: encodings, dialects, lines
 * fields.c    field text: dates, ids, addresses
 * layouts.c   each agency's columns
 * xlsx.c      the workbook export (libxlsxwriter)
 * ../generate.c  the command line and the benchmark
 */
#ifndef GEN_H
#define GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROG "gen-sample"
#define VERSION "0.2.0"

enum exit_code { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2 };

#define MAXV 3			/* most values of a multi-valued field */
#define MAX_SPELLINGS 24	/* entries of one field in one vocabulary */
#define N_DOMAINS 5		/* assessment domains */

/* ------------------------------------------------------------ rng.c */

_Noreturn void die(const char *msg);
void *xrealloc(void *p, size_t n);
void *grow(void *p, size_t *cap, size_t n, size_t size);

struct rng { uint64_t s[4]; };

uint64_t hash_name(const char *s);
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
unsigned rng_below(struct rng *r, unsigned n);
long rng_between(struct rng *r, long lo, long hi);
double rng_unit(struct rng *r);
int rng_chance(struct rng *r, double p);
uint32_t mix32(uint32_t x);

struct ymd { int y, m, d; };

long days_from_civil(int y, int m, int d);
long day_of(struct ymd t);
struct ymd civil_from_days(long z);
int age_at(struct ymd birth, struct ymd at);
extern const char *const month_abbr[12];
int same(const char *a, const char *b);
int contains(const char *const *codes, int n, const char *code);

/* The planted story: a benefit change (pipelines/policy-events.csv) and
 * the return of no-cause tenancy terminations. */
#define POLICY_YMD 2025, 4, 1
#define TENANCY_YMD 2025, 1, 30

/* ------------------------------------------------------- national.c */

struct weight { const char *code; int weight; };

extern const struct weight gender_w[], ethnicity_w[], household_w[],
	housing_w[], income_before_w[], income_after_w[], need_before_w[],
	need_after_w[], referral_before_w[], referral_after_w[];
extern const char *const domain_codes[N_DOMAINS];

const char *draw_code(struct rng *r, const struct weight *w);
int domain_index(const char *code);
const char *domain_of_need(const char *need);

extern const char *const female_names[], *const male_names[],
	*const last_names[], *const streets[], *const street_types[],
	*const notes[];
size_t count_strings(const char *const *list);
const char *pick_string(struct rng *r, const char *const *list);
const char *pick_town(struct rng *r, const char *region);

/* ------------------------------------------------------ spellings.c */

enum field { F_REGION, F_GENDER, F_ETHNICITY, F_HOUSEHOLD, F_INCOME,
	F_HOUSING, F_NEED, F_SERVICE, F_REFERRAL, F_DOMAIN, NFIELDS };

struct spelling { const char *code, *local; int weight; };
struct value { const char *code, *local; };
typedef struct spelling vocabulary[NFIELDS][MAX_SPELLINGS];

extern const vocabulary northern_vocab, eastern_vocab, capital_vocab,
	kaishare_vocab, harbour_vocab, southern_vocab;

struct value spell(struct rng *r, const struct spelling *vocab,
	const char *code);
struct value spell_any(struct rng *r, const struct spelling *vocab);

/* ------------------------------------------------------- agencies.c */

enum encoding { ENC_UTF8, ENC_UTF8_BOM, ENC_CP1252, ENC_UTF16LE };
enum order { BY_DATE, BY_CLIENT, BY_DATE_DESC };

struct line;
struct row_ctx;
typedef void row_fn(struct line *l, const struct row_ctx *rc);
typedef void date_fn(char *buf, size_t n, struct ymd t, struct rng *fmt);
typedef void time_fn(char *buf, size_t n, int minute);

/* An id: a prefix and a number of at least `width` digits. */
struct id_format { const char *prefix; int width; };

/* A misspelling planted on `count` visits whose first need is `code`. */
struct typo { const char *code, *local; int count; };

/* A text file's dialect: the export's, and its assessments file's. */
struct dialect {
	enum encoding encoding;
	char delim;
	const char *eol;
	int quote_text;			/* text fields always quoted */
	unsigned long unquoted;		/* COL(i): columns never forced */
};

#define COL(i) (1ul << (i))

struct agency {
	const char *code;
	const char *cms;		/* the kind of system it imitates */
	const char *file;		/* export.csv, export.txt, export.xlsx */
	int clients_per_quarter;	/* before the policy change, roughly */
	struct ymd first, last;		/* data_from; the export date */
	const vocabulary *vocab;
	const struct weight *ethnicity_w; /* NULL: the national one */
	const struct weight *workers;	/* NULL: no worker column */
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
	int timed;			/* visits carry a time of day */
	int mixed_case_ids;		/* ids typed in lower case now and then */
	int units_na;			/* "N/A" typed in the units column */
	int xlsx;			/* a workbook, not a text file */
	struct dialect dialect;
	const char *const *preamble;	/* title lines before the header */
	int trailer;			/* a "Total records: N" line at the end */
	enum order order;
	date_fn *fmt_date;
	time_fn *fmt_time;		/* after the date, when timed */
	const char *const *header;
	row_fn *row;
	const struct typo *typos;	/* misspellings left out of map.json */
	/* assessments, in a second file (assess_scale 0: none) */
	int assess_scale;		/* scores 1..assess_scale */
	double assess_share;		/* episodes that start with one */
	const char *assess_file;
	struct dialect assess_dialect;
	const char *const *assess_header;
	row_fn *assess_row;
};

extern const struct agency agencies[];
extern const size_t n_agencies;
const struct agency *find_agency(const char *code);

/* ---------------------------------------------------------- model.c */

struct household {
	unsigned number;
	struct value region, type, housing;
	const char *surname, *street, *street_type, *town;
	int street_no;
	unsigned phone;
	int members;
	int no_id;			/* the optional id was never filled in */
};

enum client_flag { CL_DOB_PLACEHOLDER = 1, CL_DOB_FUTURE = 2,
	CL_GROWING = 4 };

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
	int visits;			/* visits so far: numbers them */
};

enum dirty_flag { DIRTY_NO_DATE = 1, DIRTY_BAD_DATE = 2,
	DIRTY_SPACED_ID = 4, DIRTY_SPACED_REGION = 8, DIRTY_TYPO = 16,
	DIRTY_LOWER_ID = 32, DIRTY_SCORE = 64, DIRTY_UNKNOWN_CLIENT = 128,
	DIRTY_FUTURE = 256 };

enum { UNITS_BLANK = -1, UNITS_NA = -2 };

struct event {
	long day;
	int minute;			/* time of day, when the agency is timed */
	size_t client;
	int visit;			/* the client's visit number: a total order */
	struct value region, household, housing, gender, income, referral;
	struct value need[MAXV], service[MAXV];
	int n_need, n_service;
	const char *worker;
	int units;			/* food parcels, or UNITS_BLANK, UNITS_NA */
	int note;			/* index into notes[]; -1 is none */
	unsigned dirty;
};

struct assessment {
	long day;
	int minute;
	size_t client;
	int domain;			/* index into domain_codes */
	int score;
	const char *worker;
	unsigned dirty;
};

struct sample {
	const struct agency *ag;
	long first_day, last_day, policy_day, tenancy_day;
	struct household *hh;
	size_t n_hh, cap_hh;
	struct client *cl;
	size_t n_cl, cap_cl;
	struct event *ev;
	size_t n_ev, cap_ev;
	struct assessment *as;
	size_t n_as, cap_as;
};

/* An episode of help: a run of visits for the same reasons. */
struct episode {
	int kind;			/* light, regular, intensive */
	const char *needs[MAXV];
	int n_needs;
	struct value referral, income;
	const char *worker;
};

void generate(const struct agency *ag, struct sample *s);
void free_sample(struct sample *s);
void make_household(struct rng *r, const struct agency *ag,
	unsigned number, struct household *h);
void make_client(struct rng *r, const struct agency *ag, unsigned number,
	int after_policy, const struct household *h, struct client *c);
void begin_episode(struct rng *r, const struct agency *ag, long day,
	long policy_day, const struct client *c, struct episode *ep);
void fill_visit(struct rng *r, const struct agency *ag, long policy_day,
	const struct client *c, const struct episode *ep, struct event *e);

/* ---------------------------------------------------------- assess.c */

void assess_episode(struct sample *s, struct rng *r,
	const struct episode *ep, size_t first_event);
void plant_dirty_assessments(struct sample *s, struct rng *r);
void sort_assessments(struct sample *s);

/* ----------------------------------------------------------- dirty.c */

void plant_dirty(struct sample *s, struct rng *r);
void sort_events(struct sample *s);

/* ------------------------------------------------------------- csv.c */

struct line {
	const struct dialect *dialect;
	char *buf;
	size_t len, cap;
};

struct row_ctx {
	const struct agency *ag;
	const struct sample *s;
	const struct household *hh;
	const struct client *cl;
	const struct event *ev;		/* a visit row */
	const struct assessment *as;	/* an assessment row */
	struct rng *fmt;		/* formatting only: date padding */
};

void line_record(struct line *l, const char *const *field, int n);
void write_export(const struct sample *s, FILE *f);
void write_assessments(const struct sample *s, FILE *f);
void write_bench(unsigned long long rows, FILE *f);

/* ---------------------------------------------------------- fields.c */

struct text { char *buf; size_t len, cap; };

struct text text_on(char *buf, size_t cap);
void text_str(struct text *t, const char *s);
void text_num(struct text *t, long v, int width, unsigned base);

date_fn date_dmy_mixed, date_dmony, date_excel_nz, date_iso;
time_fn time_12h;
void fmt_client_id(const struct row_ctx *rc, char *buf, size_t n);
void fmt_id_of(const struct agency *ag, unsigned number, char *buf,
	size_t n);
void fmt_household_id(const struct row_ctx *rc, char *buf, size_t n);
void fmt_phone(const struct row_ctx *rc, char *buf, size_t n);
void fmt_address(const struct row_ctx *rc, int with_town, char *buf,
	size_t n);
void fmt_region(const struct row_ctx *rc, char *buf, size_t n);
void fmt_event_date(const struct row_ctx *rc, char *buf, size_t n);
void fmt_assessment_date(const struct row_ctx *rc, char *buf, size_t n);
void fmt_birth_date(const struct row_ctx *rc, char *buf, size_t n);
void fmt_age(const struct row_ctx *rc, char *buf, size_t n);
void fmt_units(const struct row_ctx *rc, char *buf, size_t n);
void fmt_email(const struct client *c, char *buf, size_t n);
void fmt_joined(char *buf, size_t n, const struct value *v, int count,
	const char *sep);
const char *nth_local(const struct value *v, int count, int i);
const char *domain_local(const struct row_ctx *rc);

/* --------------------------------------------------------- layouts.c */

extern const char *const northern_header[], *const eastern_header[],
	*const capital_header[], *const kaishare_header[],
	*const harbour_header[], *const harbour_assess_header[],
	*const capital_assess_header[];
row_fn row_northern, row_eastern, row_capital, row_kaishare, row_harbour,
	row_harbour_assessment, row_capital_assessment;

/* ------------------------------------------------------------ xlsx.c */

int write_workbook(const struct sample *s, FILE *f);

#endif
