/* normalise: one agency's raw CMS export to canonical events (DESIGN §3).
 *
 * Reads the export (CSV in the encoding and dialect its profile names, or
 * a sheet of an .xlsx or .xls workbook), maps the profile's columns by
 * header name, and writes only the canonical columns: the client id
 * becomes a keyed hash, the birth date an age at the event date, and no
 * other raw column is ever copied.  A row that cannot be used is rejected
 * with a reason, never dropped silently; one pass, streaming.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "nz.h"

/* canonical events (schema.c): agency, client_key, household_key,
 * event_date, age, the categorical fields in schema order, units */
enum { COL_AGENCY, COL_CLIENT, COL_HOUSEHOLD, COL_DATE, COL_AGE,
	COL_FIRST_FIELD };
#define MAX_CANONICAL (COL_FIRST_FIELD + NZ_MAX_FIELDS + 1)
static const char *const *canonical_cols;
static size_t NCANONICAL;
static int field_of_col[MAX_CANONICAL];  /* profile field of a field column */

/* ---- why a row is rejected, and what is only a warning ---- */

enum reject {
	R_TRAILER, R_WRONG_FIELD_COUNT, R_MISSING_CLIENT_ID,
	R_MISSING_EVENT_DATE, R_INVALID_EVENT_DATE, R_INVALID_UNITS,
	R_ERROR_VALUE, NREJECTS
};
static const char *const reject_key[NREJECTS] = {"trailer",
    "wrong_field_count", "missing_client_id", "missing_event_date",
    "invalid_event_date", "invalid_units", "error_value"};
static const char *const reject_text[NREJECTS] = {"trailer",
    "wrong field count", "missing client id", "missing event date",
    "invalid event date", "invalid units", "error value"};

enum warning {
	W_BIRTH_IN_FUTURE, W_PLACEHOLDER_BIRTH, W_AGE_OVER_120,
	W_INVALID_BIRTH, W_INVALID_AGE, W_BAR_IN_VALUE, W_UNITS_MISSING,
	W_ERROR_VALUE, W_INDICATOR_UNCLEAR, NWARNINGS
};
static const char *const warning_key[NWARNINGS] = {"birth_date_in_future",
    "placeholder_birth_date", "age_over_120", "invalid_birth_date",
    "invalid_age", "bar_in_value", "units_missing", "error_value",
    "indicator_unclear"};

#define MAX_AGE 120
#define DETAIL_MAX (NZ_DATE_WHY + 64)
/* Default --max-reject: a larger share of rejected rows fails the run,
 * since it means the profile does not fit the export. */
#define MAX_REJECT_PERCENT 5.0
/* Warn about day/month order when more of the rows than this share fail
 * the date formats yet parse with day and month swapped. */
#define SWAPPED_WARN_PERCENT 1.0

/* ---- the run: input, outputs and row accounting ---- */

struct list {     /* values of one multi-valued field, reused per row */
	nz_buf text;
	size_t *offs, *lens, n, cap; /* each value in text, NUL after it */
	size_t *ord, ocap;           /* their indexes, sorted */
	nz_buf joined[NZ_PF_COUNT];  /* each multi-valued field's, one row */
};

struct cell {     /* a single-valued field's value in one row */
	const char *s;
	size_t len;
	int type;     /* enum nz_cell */
	int error;    /* an error value (#REF!...) was read as empty */
};

/* A row written once its ids are hashed: its fields one after another in
 * text (the keys' columns empty), then its client, household and worker
 * values. */
struct held {
	nz_buf text;
	size_t len[MAX_CANONICAL + 3];
};
#define HELD_ROWS (NZ_HASH_BATCH / 2)   /* two ids a row */

struct run {
	const nz_profile *prof;
	unsigned char key[NZ_KEY_BYTES];
	nz_hasher *hasher;        /* the key, set up once */
	char fingerprint[NZ_FINGERPRINT_HEX + 1];
	const char *input;        /* name used in messages */
	nz_rows *rows;
	size_t header_fields;
	int workbook, date1904;
	char export_date[11];     /* from the title lines, or "" */
	char first_date[11];      /* the earliest event written, or "" */
	char *date_shape;         /* "not a date: expected ..." */
	FILE *worker;
	const char *rejects_path, *worker_path;
	nz_tally tally;       /* rows read, written, rejected by reason */
	long warned[NWARNINGS];
	long dates_swapped;   /* invalid event dates valid as month/day */
	double max_reject;    /* percent of data rows; more fails the run */
	nz_buf folded[2];     /* the client and household ids in lower case */
	struct list list;
	int progress;
	struct held held[HELD_ROWS];  /* rows waiting for their keys */
	size_t nheld;
};

static void
usage(void)
{
	printf("Usage: %s --profile FILE --key FILE [OPTION]... [EXPORT]\n"
"Turn one agency's raw CMS export (CSV, or a sheet of an .xlsx or .xls\n"
"workbook) into canonical events: CSV on standard output with the columns\n",
	    nz_prog);
	nz_cols_usage("  ", NZ_COLS_CANONICAL);
	printf("The client and household ids become keyed BLAKE2b-128 hashes under the\n"
"agency key, the birth date becomes the age in whole years at the event\n"
"date, and no other raw column (names, addresses, notes) is written.\n"
"With no EXPORT, or when EXPORT is -, read standard input.\n\n"
"  -p, --profile FILE  the agency profile (JSON): how to read the export\n"
"  -k, --key FILE      the agency key: %d bytes, mode 0600 (see keygen)\n"
"  -r, --rejects FILE  write one CSV row per rejected row: line,reason,value\n"
"                      (value is the offending date or number, cut to %d\n"
"                      bytes; never an id, a name or a whole row)\n"
"  -s, --stats FILE    write row accounting as JSON: rows_read = rows_written\n"
"                      + rows_rejected, with counts by reason and warning,\n"
"                      the profile's export_date and data_from, and the\n"
"                      first_event_date written (for the flow measures)\n"
"  -w, --worker FILE   write client_key,event_date,worker for each row\n"
"                      written, from the profile's worker column: for the\n"
"                      agency's own view only, never part of a release\n"
"  -x, --max-reject PCT  fail (exit 1, after writing everything) when more\n"
"                      than PCT percent of the rows are rejected, trailers\n"
"                      left out; default %g\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"Profile:\n"
"  {\"agency\": \"akcm\", \"encoding\": \"utf-8\", \"delimiter\": \",\",\n"
"   \"skip_rows\": 2, \"trailer_prefix\": \"Total records:\",\n"
"   \"export_date\": {\"line\": 1, \"format\": \"Report run: %%d-%%b-%%Y\"},\n"
"   \"date_formats\": [\"%%d/%%m/%%Y\"], \"fold_case\": [\"client_id\"],\n"
"   \"columns\": {\"client_id\": \"Client ID\",\n"
"     \"event_date\": \"Visit Date\", \"birth_date\": \"DOB\",\n"
"     \"ethnicity\": [\"Ethnicity 1\", \"Ethnicity 2\"],\n"
"     \"region\": {\"first_of\": [\"Region\", \"Town\"]},\n"
"     \"need\": {\"indicators\": {\"Food\": \"food\", \"Rent\": \"rent\"}},\n"
"     \"service\": {\"column\": \"Services\", \"separator\": \"; \"},\n"
"     \"units\": \"Food Parcels\", \"worker\": \"Case Worker\"}}\n"
"  agency          code written in every row: a-z, 0-9, '-', 2 to 16 chars\n"
"  format          csv (default), xlsx or xls\n"
"  sheet           xlsx, xls: a sheet name, or its number from 1; default\n"
"                  the first (a wrong one is an error listing the sheets)\n"
"  encoding        csv: utf-8 (BOM optional), windows-1252, or utf-16 (BOM\n"
"                  required, LE or BE); default utf-8\n"
"  delimiter       csv: \",\", \"\\t\" or \";\"; default \",\"\n"
"  skip_rows       title lines (csv) or sheet rows above the header\n"
"  trailer_prefix  a row whose first field starts with it is rejected as\n"
"                  a trailer (e.g. \"Total records: 123\")\n"
"  export_date     {\"line\": N, \"format\": ...}: the date the export was\n"
"                  taken, read from title line N (a workbook: the row's\n"
"                  first non-empty cell); written to --stats\n"
"  data_from       YYYY-MM-DD: the first day from which the export holds\n"
"                  every event; written to --stats\n"
"  date_formats    tried in order for event and birth dates, then ISO\n"
"                  %%Y-%%m-%%d; %%d %%m take 1 or 2 digits, %%Y 4, %%y 2,\n"
"                  %%b a month name (Mar, March); a time after the date\n"
"                  (\"4/03/2025 2:22 pm\", \"2025-03-04T14:22\") is dropped;\n"
"                  \"excel\" and \"excel-1904\" read serial numbers (45476.65)\n"
"  fold_case       [\"client_id\", \"household_id\"]: ids in lower case\n"
"                  before hashing, so \"ABC123\" and \"abc123\" are one\n"
"  units_missing   units values that mean not recorded: read as empty with\n"
"                  a warning; default [\"N/A\", \"NA\", \"n/a\", \"-\", \"none\"]\n"
"                  (any case); [] rejects them as invalid units\n"
"  columns         canonical field -> header name (exact match after\n"
"                  trimming): client_id and event_date required;\n"
"                  single-valued fields (household_id, birth_date or age,\n"
"                  gender, region, household, housing, units, worker,\n"
"                  referral) take one column or {\"first_of\": [columns]}:\n"
"                  the first non-empty; ethnicity, income, need, service\n"
"                  take one column, an array of columns, {\"column\"|\n"
"                  \"columns\": ..., \"separator\": \"; \"} to split values,\n"
"                  or {\"indicators\": {column: value}, \"yes\": [...]}: yes/no\n"
"                  columns, each standing for a value when it holds a yes\n"
"                  (default yes, y, 1, true, x; any case)\n"
"  name, regions, assessments and keys starting with '_' are allowed and\n"
"  not used here.\n\n"
"Workbooks:\n"
"  Cells keep their type: a cell shown as a date is a date whatever\n"
"  date_formats says; a number in a date column is an Excel serial date\n"
"  in the workbook's date system (1900 or 1904), but a time of day alone\n"
"  (14:30 shown as h:mm) is its time as text, no date; numbers are written\n"
"  without a spurious \".0\"; texts are kept exactly (\"0110\" stays\n"
"  0110); a formula gives its cached value; a merged range's value is in\n"
"  its top-left cell.  An error value (#REF!, #N/A) is read as empty with\n"
"  the warning error_value; in the client id or event date it rejects\n"
"  the row (error_value).  Line numbers are sheet row numbers.\n\n"
"Rows:\n"
"  Values are trimmed.  A row is rejected (reason in --rejects and --stats)\n"
"  when it is a trailer, has the wrong number of fields, has no client id,\n"
"  has a missing or impossible event date (the reason says which part\n"
"  failed), or has units that are not a whole number from 0 to %ld.  A\n"
"  birth date in the future, the placeholder 1900-01-01, an age over %d,\n"
"  or an invalid birth date or age leave the age empty and count a\n"
"  warning.  Multi-valued fields are written sorted, de-duplicated and\n"
"  joined by '|'; a '|' inside a value becomes '/' (warning bar_in_value).\n"
"  An indicator column holding neither a yes nor a usual no (no, n, 0,\n"
"  false, -) counts the warning indicator_unclear.  Rejects and warnings\n"
"  are summed up in one line on standard error, with the most common\n"
"  reason and the first line it happened on; the line in --rejects is\n"
"  the export's physical line where the row starts.  When more than %g%%\n"
"  of the event dates fail the formats but read with day and month\n"
"  swapped, a warning says so.\n\n"
"Example:\n"
"  normalise --profile akcm/profile.json --key ~/.nzccss/keys/akcm.key \\\n"
"    --rejects rejects.csv --stats stats.json akcm/export.csv > events.csv\n\n"
"Exit status:\n"
"  0 success (rows may have been rejected, up to --max-reject), 1 data or\n"
"  input error (unreadable file, bad encoding, malformed CSV, damaged\n"
"  workbook or no such sheet, bad profile or key, column missing from the\n"
"  header, no export date where the profile says, too many rows rejected,\n"
"  write error), 2 usage error.\n",
	    NZ_KEY_BYTES, NZ_REJECT_VALUE_MAX, MAX_REJECT_PERCENT,
	    NZ_MAX_UNITS, MAX_AGE, SWAPPED_WARN_PERCENT);
	exit(NZ_EXIT_OK);
}

/* ==== the header ==== */

/* The position of column name in the header row; exits 1 when it is not
 * there or there twice. */
static size_t
find_column(const struct run *run, const nz_row *row, const char *name,
    int f)
{
	size_t i, found = row->nfields;

	for (i = 0; i < row->nfields; i++) {
		if (strcmp(row->field[i], name) != 0)
			continue;
		if (found < row->nfields)
			nz_dieat(NZ_EXIT_DATA, run->input, row->line, "column "
			    "%s named in %s (field '%s') appears twice in the "
			    "header", nz_q(name), run->prof->path,
			    nz_pfields[f].name);
		found = i;
	}
	if (found == row->nfields)
		nz_dieat(NZ_EXIT_DATA, run->input, row->line, "column %s named "
		    "in %s (field '%s') is not in the header", nz_q(name),
		    run->prof->path, nz_pfields[f].name);
	return found;
}

static void
map_header(struct run *run)
{
	const nz_profile *p = run->prof;
	nz_row *row = nz_rows_header(run->rows, run->input, p->skip_rows != 0);
	size_t c;
	int f;

	for (f = 0; f < NZ_PF_COUNT; f++)
		for (c = 0; c < p->field[f].ncols; c++)
			p->field[f].col_index[c] = find_column(run, row,
			    p->field[f].col_name[c], f);
	run->header_fields = row->nfields;
}

/* "Report run: 05-Mar-2025," as the text around one date: quotes and
 * trailing delimiters of a CSV title line left out. */
static void
title_text(const struct run *run, const char *line, nz_buf *out)
{
	size_t len = strlen(line);
	const char *s = nz_trim_span(line, &len);

	while (len && (s[len - 1] == run->prof->delim || s[len - 1] == ' ' ||
	    s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"')
		s++, len -= 2;
	nz_buf_add(out, s, len);
}

/* The export date from the title line the profile names; exits 1 when
 * that line holds no date in its format. */
static void
read_export_date(struct run *run)
{
	const nz_profile *p = run->prof;
	const char *title;
	char why[NZ_DATE_WHY];
	nz_buf text = {0};
	char shorter[256];
	size_t cut;
	int is_date, y, m, d, r;

	if (!p->export_date_line)
		return;
	title = nz_rows_title(run->rows, &is_date);
	if (!title)
		nz_dieat(NZ_EXIT_DATA, run->input, p->export_date_line, "no "
		    "title line %ld for the export date (%s)",
		    p->export_date_line, p->path);
	title_text(run, title, &text);
	nz_hold(text.s);
	r = nz_parse_date_why(text.s, is_date ? "%Y-%m-%d" :
	    p->export_date_format, &y, &m, &d, why);
	/* a report's title may go on after the date and time ("Report run:
	 * 16-Jul-2026 10:31  All sites"): words after a space are cut off,
	 * last first, while only what follows the date is at fault */
	for (cut = text.len; r == NZ_DATE_BAD_TIME && !is_date && cut > 0; ) {
		while (cut > 0 && text.s[cut - 1] != ' ')
			cut--;
		while (cut > 0 && text.s[cut - 1] == ' ')
			cut--;
		if (cut == 0)
			break;
		memcpy(shorter, text.s, cut < sizeof shorter ? cut :
		    sizeof shorter - 1);
		shorter[cut < sizeof shorter ? cut : sizeof shorter - 1] = '\0';
		if (nz_parse_date_why(shorter, p->export_date_format, &y, &m,
		    &d, NULL) == 0)
			r = 0;
	}
	if (r != 0)
		nz_dieat(NZ_EXIT_DATA, run->input, p->export_date_line,
		    "export date: %s in %s (export_date in %s)", why,
		    nz_q(text.s), p->path);
	nz_drop(text.s);
	nz_buf_free(&text);
	snprintf(run->export_date, sizeof run->export_date, "%04d-%02d-%02d",
	    y, m, d);
}

/* ==== one value ==== */

/* Cell i of the row, trimmed in place; an error value reads as empty. */
static struct cell
cell_at(nz_row *row, size_t i)
{
	struct cell c;

	nz_trim_len(row->field[i], &row->len[i]);
	c.s = row->field[i];
	c.len = row->len[i];
	c.type = row->type ? row->type[i] : NZ_CELL_TEXT;
	c.error = c.type == NZ_CELL_ERROR;
	if (c.error) {
		c.s = "";
		c.len = 0;
		c.type = NZ_CELL_TEXT;
	}
	return c;
}

/* The value of a single-valued field: its column, or the first non-empty
 * of its first_of columns; "" when unmapped. */
static struct cell
value_of(const struct run *run, nz_row *row, int f)
{
	const nz_source *src = &run->prof->field[f];
	struct cell c = {"", 0, NZ_CELL_TEXT, 0}, one;
	size_t k;

	for (k = 0; k < src->ncols; k++) {
		one = cell_at(row, src->col_index[k]);
		c.error |= one.error;
		if (one.len) {
			one.error = c.error;
			return one;
		}
	}
	return c;
}

/* 1 if the date format reads a two-digit year (%y) */
static int
two_digit_year(const char *fmt)
{
	const char *f;

	for (f = fmt; (f = strchr(f, '%')) != NULL && f[1]; f += 2)
		if (f[1] == 'y')
			return 1;
	return 0;
}

/* An event or birth date: a date cell as it is; else the profile's
 * formats in order, then ISO, then, for a number in a workbook, an Excel
 * serial.  On failure why says what failed, the most telling reason of
 * all the formats (an impossible day beats a wrong shape).  *fmt: the
 * profile's format that read it, else ndate_formats. */
static int
parse_row_date(const struct run *run, const struct cell *c, int *y, int *m,
    int *d, char *why, size_t *fmt)
{
	const nz_profile *p = run->prof;
	char tried[NZ_DATE_WHY];
	int best = 0, r;
	size_t i;

	*fmt = p->ndate_formats;
	if (c->type == NZ_CELL_DATE)
		return nz_parse_iso_date(c->s, y, m, d);
	for (i = 0; i <= p->ndate_formats; i++) {
		r = nz_parse_date_why(c->s, i < p->ndate_formats ?
		    p->date_formats[i] : "%Y-%m-%d", y, m, d, tried);
		if (r == 0) {
			*fmt = i;
			return 0;
		}
		if (r < best) {
			best = r;
			memcpy(why, tried, sizeof tried);
		}
	}
	if (c->type == NZ_CELL_NUMBER) {
		if (nz_excel_date(strtod(c->s, NULL), run->date1904, y, m, d,
		    tried) == 0)
			return 0;
		memcpy(why, tried, sizeof tried);
		return -1;
	}
	if (best == NZ_DATE_SHAPE)
		snprintf(why, NZ_DATE_WHY, "%s", run->date_shape);
	return -1;
}

/* 1 if s fails the profile's formats but one of them reads it with day
 * and month the other way round. */
static int
parses_swapped(const nz_profile *p, const char *s)
{
	size_t i;
	int y, m, d;

	for (i = 0; i < p->ndate_formats; i++)
		if (p->swapped_formats[i] &&
		    nz_parse_date(s, p->swapped_formats[i], &y, &m, &d) == 0)
			return 1;
	return 0;
}

/* Age at the event date from the birth date or age column; -1 (and a
 * warning) when unknown or implausible. */
static int
row_age(struct run *run, nz_row *row, int ey, int em, int ed)
{
	char why[NZ_DATE_WHY];
	struct cell c;
	int by, bm, bd, age;
	size_t fmt;
	long years;

	if (run->prof->field[NZ_PF_AGE].ncols) {
		c = value_of(run, row, NZ_PF_AGE);
		if (!c.len)
			return -1;
		if (nz_parse_long(c.s, 0, 100000, &years) < 0) {
			run->warned[W_INVALID_AGE]++;
			return -1;
		}
		if (years > MAX_AGE) {
			run->warned[W_AGE_OVER_120]++;
			return -1;
		}
		return (int)years;
	}
	c = value_of(run, row, NZ_PF_BIRTH_DATE);
	if (!c.len)
		return -1;
	if (parse_row_date(run, &c, &by, &bm, &bd, why, &fmt) < 0) {
		run->warned[W_INVALID_BIRTH]++;
		return -1;
	}
	/* a two-digit birth year is of the century that puts the birth on
	 * or before the event: 17/12/62 at a visit in 2023 is 1962, where
	 * %y alone (00-68 are 20xx) says 2062, a birth in the future */
	if (nz_days_from_civil(by, bm, bd) > nz_days_from_civil(ey, em, ed) &&
	    fmt < run->prof->ndate_formats &&
	    two_digit_year(run->prof->date_formats[fmt]) &&
	    nz_date_valid(by - 100, bm, bd))
		by -= 100;
	if (by == 1900 && bm == 1 && bd == 1) {
		run->warned[W_PLACEHOLDER_BIRTH]++;
		return -1;
	}
	age = nz_age_years(by, bm, bd, ey, em, ed);
	if (nz_days_from_civil(by, bm, bd) > nz_days_from_civil(ey, em, ed)) {
		run->warned[W_BIRTH_IN_FUTURE]++;
		return -1;
	}
	if (age > MAX_AGE) {
		run->warned[W_AGE_OVER_120]++;
		return -1;
	}
	return age;
}

/* ==== multi-valued fields ==== */

/* Add one raw value to the list: trimmed, dropped if empty; returns 1 if
 * a '|' had to become '/'. */
static int
list_add(struct list *l, const char *s, size_t len)
{
	const char *t = nz_trim_span(s, &len);
	size_t off = l->text.len, i, cap;
	int bar = 0;
	char *v;

	if (len == 0)
		return 0;
	if (l->n >= l->cap) {
		cap = l->cap;
		nz_grow(&l->offs, &cap, l->n + 1, sizeof *l->offs);
		l->lens = nz_realloc(l->lens, cap * sizeof *l->lens);
		l->cap = cap;
	}
	if (off + len + 1 > l->text.cap)
		nz_grow(&l->text.s, &l->text.cap, off + len + 1, 1);
	v = l->text.s + off;
	memcpy(v, t, len);
	v[len] = '\0';
	l->text.len = off + len + 1;
	if (memchr(v, '|', len))
		for (i = 0; i < len; i++)
			if (v[i] == '|') {
				v[i] = '/';
				bar = 1;
			}
	l->offs[l->n] = off;
	l->lens[l->n++] = len;
	return bar;
}

static void
free_list(struct list *l)
{
	int f;

	nz_buf_free(&l->text);
	for (f = 0; f < NZ_PF_COUNT; f++)
		nz_buf_free(&l->joined[f]);
	free(l->offs);
	free(l->lens);
	free(l->ord);
}

/* bytewise order of values a and b, as strcmp (no value holds a NUL) */
static int
list_cmp(const struct list *l, size_t a, size_t b)
{
	size_t la = l->lens[a], lb = l->lens[b];
	int c = memcmp(l->text.s + l->offs[a], l->text.s + l->offs[b],
	    la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

/* Split s[0..len) on the separator (none: one value) into the list. */
static int
list_split(struct list *l, const char *s, size_t len, const char *sep)
{
	size_t seplen = sep ? strlen(sep) : 0;
	const char *end = s + len, *p;
	int bar = 0;

	/* split on the separator: its first byte, then the rest */
	for (p = s; seplen && (p = memchr(p, sep[0], (size_t)(end - p))) !=
	    NULL; ) {
		if ((size_t)(end - p) < seplen)
			break;
		if (memcmp(p, sep, seplen) != 0) {
			p++;
			continue;
		}
		bar |= list_add(l, s, (size_t)(p - s));
		s = p = p + seplen;
	}
	return bar | list_add(l, s, (size_t)(end - s));
}

/* 1 if an indicator cell says yes; counts a value that is neither a yes
 * nor a usual no, which is more likely a profile that misses a yes. */
static int
indicator_yes(struct run *run, const nz_source *src, const struct cell *c)
{
	static const char *const usual_no[] = {"no", "n", "0", "false", "-"};
	size_t i;

	if (!c->len)
		return 0;
	for (i = 0; i < src->nyes; i++)
		if (strcasecmp(c->s, src->yes[i]) == 0)
			return 1;
	for (i = 0; i < sizeof usual_no / sizeof *usual_no; i++)
		if (strcasecmp(c->s, usual_no[i]) == 0)
			return 0;
	run->warned[W_INDICATOR_UNCLEAR]++;
	return 0;
}

/* The values of a multi-valued field, sorted, de-duplicated, '|'-joined,
 * into out.  Returns 1 if a value held a '|'. */
static int
list_build(struct run *run, const nz_source *src, nz_row *row, nz_buf *out)
{
	struct list *l = &run->list;
	size_t c, i, j;
	struct cell v;
	int bar = 0, error = 0;

	l->n = 0;
	l->text.len = 0;
	nz_buf_clear(out);
	nz_buf_add(out, "", 0);
	for (c = 0; c < src->ncols; c++) {
		size_t col = src->col_index[c];
		if (row->type && row->type[col] == NZ_CELL_ERROR) {
			error = 1;
		} else if (src->kind == NZ_SOURCE_INDICATORS) {
			v = cell_at(row, col);
			if (indicator_yes(run, src, &v))
				bar |= list_add(l, src->value[c],
				    strlen(src->value[c]));
		} else {   /* split first: a separator may end in a space */
			bar |= list_split(l, row->field[col], row->len[col],
			    src->separator);
		}
	}
	run->warned[W_ERROR_VALUE] += error;
	if (l->n == 0)
		return bar;
	if (l->n > l->ocap)
		nz_grow(&l->ord, &l->ocap, l->n, sizeof *l->ord);
	/* insertion sort: a list holds a few values */
	for (i = 0; i < l->n; i++) {
		for (j = i; j > 0 && list_cmp(l, l->ord[j - 1], i) > 0; j--)
			l->ord[j] = l->ord[j - 1];
		l->ord[j] = i;
	}
	for (i = 0; i < l->n; i++) {
		size_t k = l->ord[i];
		if (i > 0 && list_cmp(l, l->ord[i - 1], k) == 0)
			continue;
		if (out->len)
			nz_buf_addc(out, '|');
		nz_buf_add(out, l->text.s + l->offs[k], l->lens[k]);
	}
	return bar;
}

/* The categorical fields, from COL_FIRST_FIELD to the column before
 * units, into val and len. */
static void
put_categories(struct run *run, nz_row *row, const char **val, size_t *len)
{
	struct cell c;
	size_t col;
	int bar = 0;

	for (col = COL_FIRST_FIELD; col + 1 < NCANONICAL; col++) {
		int f = field_of_col[col];
		if (nz_pfields[f].multi && run->prof->field[f].ncols) {
			nz_buf *out = &run->list.joined[f];
			bar |= list_build(run, &run->prof->field[f], row, out);
			val[col] = out->s;
			len[col] = out->len;
		} else {
			c = value_of(run, row, f);
			run->warned[W_ERROR_VALUE] += c.error;
			val[col] = c.s;
			len[col] = c.len;
		}
	}
	if (bar)
		run->warned[W_BAR_IN_VALUE]++;
}

/* ==== one row ==== */

/* Numbers by hand: snprintf costs more than the rest of a row's output. */
static void
format_uint(char out[24], unsigned long v)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*out++ = digits[--n];
	*out = '\0';
}

static void
format_iso_date(char out[16], int y, int m, int d)
{
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* A footer row such as "Total records: 123".  The field is looked at, not
 * trimmed: it may be the client id, whose length the row still holds. */
static int
is_trailer(const nz_profile *p, const nz_row *row)
{
	size_t len, plen;
	const char *s;

	if (!p->trailer_prefix || row->nfields == 0)
		return 0;
	len = row->len[0];
	s = nz_trim_span(row->field[0], &len);
	plen = strlen(p->trailer_prefix);
	return len >= plen && memcmp(s, p->trailer_prefix, plen) == 0;
}

/* An id as it is hashed: in lower case first, into buf, if the profile
 * folds it */
static struct cell
id_text(const struct run *run, int f, struct cell id, nz_buf *buf)
{
	size_t i;

	if (!run->prof->fold_case[f])
		return id;
	nz_buf_clear(buf);
	nz_buf_add(buf, id.s, id.len);
	for (i = 0; i < id.len; i++)
		if (buf->s[i] >= 'A' && buf->s[i] <= 'Z')
			buf->s[i] += 'a' - 'A';
	id.s = buf->s;
	return id;
}

/* Units: "" when empty or a not-recorded mark (warned), else the
 * number; -1 (rejected) when neither. */
static int
row_units(struct run *run, nz_row *row, char units[24])
{
	const nz_profile *p = run->prof;
	struct cell c = value_of(run, row, NZ_PF_UNITS);
	long v;
	size_t i;

	units[0] = '\0';
	run->warned[W_ERROR_VALUE] += c.error;
	if (!c.len)
		return 0;
	if (nz_parse_long(c.s, 0, NZ_MAX_UNITS, &v) == 0) {
		format_uint(units, (unsigned long)v);
		return 0;
	}
	for (i = 0; i < p->nunits_missing; i++)
		if (strcasecmp(c.s, p->units_missing[i]) == 0) {
			run->warned[W_UNITS_MISSING]++;
			return 0;
		}
	nz_tally_reject(&run->tally, row->line, R_INVALID_UNITS, NULL, c.s);
	return -1;
}

/* The row's shape, client id and event date: 0, or -1 when rejected. */
static int
check_row(struct run *run, nz_row *row, struct cell *id, int *y, int *m,
    int *d)
{
	char why[NZ_DATE_WHY], detail[DETAIL_MAX];
	struct cell date;
	size_t fmt;

	if (is_trailer(run->prof, row)) {
		nz_trim_len(row->field[0], &row->len[0]);
		nz_tally_reject(&run->tally, row->line,
		    R_TRAILER, NULL, row->field[0]);
		return -1;
	}
	if (row->unterminated && row->nfields < run->header_fields)
		nz_dieat(NZ_EXIT_DATA, run->input, row->line, "truncated "
		    "export: the last record has %zu of %zu fields and no line "
		    "end", row->nfields, run->header_fields);
	if (row->nfields != run->header_fields) {
		snprintf(detail, sizeof detail, "wrong field count: expected "
		    "%zu, found %zu", run->header_fields, row->nfields);
		nz_tally_reject(&run->tally, row->line,
		    R_WRONG_FIELD_COUNT, detail, "");
		return -1;
	}
	*id = value_of(run, row, NZ_PF_CLIENT_ID);
	date = value_of(run, row, NZ_PF_EVENT_DATE);
	/* an error value passed over for a fallback column */
	run->warned[W_ERROR_VALUE] += (id->len && id->error) +
	    (date.len && date.error);
	if (!id->len || !date.len) {
		int error = !id->len ? id->error : date.error;
		snprintf(detail, sizeof detail, "error value in the %s",
		    !id->len ? "client id" : "event date");
		nz_tally_reject(&run->tally, row->line,
		    error ? R_ERROR_VALUE : !id->len ? R_MISSING_CLIENT_ID :
		    R_MISSING_EVENT_DATE, error ? detail : NULL, "");
		return -1;
	}
	if (parse_row_date(run, &date, y, m, d, why, &fmt) < 0) {
		run->dates_swapped += parses_swapped(run->prof, date.s);
		snprintf(detail, sizeof detail, "invalid event date: %s", why);
		nz_tally_reject(&run->tally, row->line,
		    R_INVALID_EVENT_DATE, detail, date.s);
		return -1;
	}
	return 0;
}

/* Where each of a held row's values starts in its text. */
static void
held_fields(const struct held *h, const char **val)
{
	const char *at = h->text.s;
	size_t i;

	for (i = 0; i < NCANONICAL + 3; i++) {
		val[i] = at;
		at += h->len[i];
	}
}

/* The rows held, written: their ids hashed together (several at a time
 * where the processor can), each row then as it came. */
static void
write_held(struct run *run)
{
	const char *id[NZ_HASH_BATCH] = {0}, *val[MAX_CANONICAL + 3];
	size_t idlen[NZ_HASH_BATCH] = {0}, key_at[HELD_ROWS][2], nid = 0, r, i;
	size_t nheld = run->nheld;
	char key[NZ_HASH_BATCH][2 * NZ_HASH_BYTES + 1];

	run->nheld = 0;   /* once, even if a write dies */
	for (r = 0; r < nheld; r++) {
		struct held *h = &run->held[r];
		held_fields(h, val);
		for (i = 0; i < 2; i++) {
			key_at[r][i] = NZ_HASH_BATCH;  /* no household: no key */
			if (i == 0 || h->len[NCANONICAL + 1]) {
				key_at[r][i] = nid;
				id[nid] = val[NCANONICAL + i];
				idlen[nid++] = h->len[NCANONICAL + i];
			}
		}
	}
	nz_hasher_hex_n(run->hasher, id, idlen, nid, key);
	for (r = 0; r < nheld; r++) {
		struct held *h = &run->held[r];
		size_t len[MAX_CANONICAL];
		held_fields(h, val);
		memcpy(len, h->len, NCANONICAL * sizeof *len);
		for (i = 0; i < 2; i++)
			if (key_at[r][i] < NZ_HASH_BATCH) {
				val[COL_CLIENT + i] = key[key_at[r][i]];
				len[COL_CLIENT + i] = 2 * NZ_HASH_BYTES;
			}
		nz_csv_record(stdout, val, len, NCANONICAL);
		if (run->worker) {
			const char *w[3] = {val[COL_CLIENT], val[COL_DATE],
			    val[NCANONICAL + 2]};
			size_t wlen[3] = {2 * NZ_HASH_BYTES, len[COL_DATE],
			    h->len[NCANONICAL + 2]};
			nz_csv_record(run->worker, w, wlen, 3);
		}
	}
}

/* A fatal error in a later row (or in reading it) exits: the rows held
 * before it are written first, before its message (and before a write
 * error's message closes stdout), as they were when each row was written
 * at once; at exit too, should any exit come without a message. */
static struct run *held_run;

static void
write_held_now(void)
{
	if (held_run && held_run->nheld)
		write_held(held_run);
}

/* Hold the row (its fields val, the ids and the worker value) until
 * HELD_ROWS are held.  It counts as held once copied whole: an error
 * exit in between (out of memory) writes the rows before it only. */
static void
hold_row(struct run *run, const char *const *val, const size_t *len,
    struct cell id, struct cell household, struct cell worker)
{
	struct held *h = &run->held[run->nheld];
	size_t i, n = NCANONICAL + 3, total = 0;
	char *at;

	memcpy(h->len, len, NCANONICAL * sizeof *len);
	h->len[NCANONICAL] = id.len;
	h->len[NCANONICAL + 1] = household.len;
	h->len[NCANONICAL + 2] = worker.len;
	for (i = 0; i < n; i++)
		total += h->len[i];
	if (total > h->text.cap)
		nz_grow(&h->text.s, &h->text.cap, total, 1);
	at = h->text.s;
	for (i = 0; i < n; i++) {
		nz_copy_short(at, i < NCANONICAL ? val[i] : i == NCANONICAL ?
		    id.s : i == NCANONICAL + 1 ? household.s : worker.s,
		    h->len[i]);
		at += h->len[i];
	}
	if (++run->nheld == HELD_ROWS)
		write_held(run);
}

static void
process_row(void *ctx, nz_row *row)
{
	struct run *run = ctx;
	const nz_profile *p = run->prof;
	const char *val[MAX_CANONICAL];
	size_t len[MAX_CANONICAL], i;
	char iso_date[16], units[24], age_text[24];
	struct cell id, household, worker = {"", 0, NZ_CELL_TEXT, 0};
	int y, m, d, age;

	if (check_row(run, row, &id, &y, &m, &d) < 0 ||
	    row_units(run, row, units) < 0)
		return;
	household = value_of(run, row, NZ_PF_HOUSEHOLD_ID);
	run->warned[W_ERROR_VALUE] += household.error;
	/* the ids' cache slots are asked for now and the ids hashed last, so
	 * that the rest of the row is done while the slots come in */
	id = id_text(run, NZ_PF_CLIENT_ID, id, &run->folded[0]);
	household = id_text(run, NZ_PF_HOUSEHOLD_ID, household,
	    &run->folded[1]);
	nz_hasher_prefetch(run->hasher, id.s, id.len);
	nz_hasher_prefetch(run->hasher, household.s, household.len);
	format_iso_date(iso_date, y, m, d);
	age = row_age(run, row, y, m, d);
	age_text[0] = '\0';
	if (age >= 0)
		format_uint(age_text, (unsigned long)age);

	put_categories(run, row, val, len);
	val[COL_AGENCY] = p->agency;
	val[COL_CLIENT] = "";      /* the keys: when the row is written */
	val[COL_HOUSEHOLD] = "";
	val[COL_DATE] = iso_date;
	val[COL_AGE] = age_text;
	val[NCANONICAL - 1] = units;
	for (i = 0; i < COL_FIRST_FIELD; i++)
		len[i] = strlen(val[i]);
	len[NCANONICAL - 1] = strlen(units);
	if (run->worker)
		worker = value_of(run, row, NZ_PF_WORKER);
	hold_row(run, val, len, id, household, worker);
	if (!run->first_date[0] || memcmp(iso_date, run->first_date, 10) < 0)
		memcpy(run->first_date, iso_date, 11);
	run->tally.rows_written++;
}

/* ==== reporting ==== */

/* The reason behind most rejects (ties: the first in reject order),
 * trailers only when nothing else was rejected: they are expected. */
static enum reject
main_reason(const struct run *run)
{
	const long *rejected = run->tally.rejected;
	int why, best = R_TRAILER;

	for (why = R_TRAILER + 1; why < NREJECTS; why++)
		if (rejected[why] > rejected[best] ||
		    (best == R_TRAILER && rejected[why] > 0))
			best = why;
	return (enum reject)best;
}

static double
percent(long part, long whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* One line each for rejects and warnings, so nothing passes unseen, then
 * the guards: a share of rejected data rows (trailers are not data) over
 * --max-reject fails the run, and dates that only read with day and
 * month swapped are named.  Returns the exit status. */
static int
summarise(const struct run *run)
{
	const nz_tally *t = &run->tally;
	long data_rows = t->rows_read - t->rejected[R_TRAILER];
	long bad_rows = t->rows_rejected - t->rejected[R_TRAILER];
	enum reject why = main_reason(run);
	const char *detail = t->first_detail[why];
	size_t i, plen = strlen(reject_text[why]);
	nz_buf b = {0};
	long warnings = 0;

	/* "invalid event date: day 31 ..." says the reason once already */
	if (detail && strncmp(detail, reject_text[why], plen) == 0 &&
	    detail[plen] == ':')
		detail += plen + 2;

	if (t->rows_rejected) {
		nz_counts_line(&b, reject_key, t->rejected, NREJECTS);
		nz_warnat(run->input, 0, "%ld of %ld rows rejected: %s; most "
		    "often %s, first at line %ld%s%s", t->rows_rejected,
		    t->rows_read, b.s, reject_key[why],
		    t->first_line[why], detail ? ": " : "",
		    detail ? detail : "");
	}
	for (i = 0; i < NWARNINGS; i++)
		warnings += run->warned[i];
	if (warnings) {
		nz_buf_clear(&b);
		nz_counts_line(&b, warning_key, run->warned, NWARNINGS);
		nz_warnat(run->input, 0, "%ld warning%s: %s", warnings,
		    warnings == 1 ? "" : "s", b.s);
	}
	nz_buf_free(&b);
	if (percent(run->dates_swapped, data_rows) > SWAPPED_WARN_PERCENT)
		nz_warnat(run->input, 0, "%ld event dates (%.1f%% of rows) "
		    "fail the profile's date_formats but read as dates with "
		    "day and month swapped: is the export in the other "
		    "order?", run->dates_swapped,
		    percent(run->dates_swapped, data_rows));
	if (percent(bad_rows, data_rows) > run->max_reject) {
		nz_warnat(run->input, 0, "%.1f%% of rows rejected, over the "
		    "limit of %g%% (--max-reject): check the profile against "
		    "the export", percent(bad_rows, data_rows),
		    run->max_reject);
		return NZ_EXIT_DATA;
	}
	return NZ_EXIT_OK;
}

static void
write_stats(const struct run *run, const char *path)
{
	json_t *stats = nz_tally_stats_new("normalise", run->input,
	    run->fingerprint);

	if (run->export_date[0])
		json_object_set_new(stats, "export_date",
		    json_string(run->export_date));
	if (run->prof->data_from)
		json_object_set_new(stats, "data_from",
		    json_string(run->prof->data_from));
	/* where the export reaches back to without data_from (aggregate's
	 * flow measures); stays at the agency like every date here */
	if (run->first_date[0])
		json_object_set_new(stats, "first_event_date",
		    json_string(run->first_date));
	nz_tally_stats(stats, &run->tally);
	json_object_set_new(stats, "warnings",
	    nz_counts_object(warning_key, run->warned, NWARNINGS));
	nz_json_write(path, stats);
}

/* ==== main ==== */

/* "not a date: expected %d/%m/%Y or %Y-%m-%d", said once for all rows */
static char *
date_shape(const nz_profile *p)
{
	nz_buf b = {0};
	size_t i;

	nz_buf_adds(&b, "not a date: expected ");
	for (i = 0; i < p->ndate_formats; i++)
		nz_buf_printf(&b, "%s%s", p->date_formats[i], " or ");
	nz_buf_adds(&b, "%Y-%m-%d");
	if (b.len >= NZ_DATE_WHY) {   /* many formats: the first and ISO */
		nz_buf_clear(&b);
		nz_buf_printf(&b, "not a date: expected %.40s, ... or "
		    "%%Y-%%m-%%d", p->date_formats[0]);
	}
	return b.s;
}

static void
normalise(struct run *run, const char *path)
{
	const nz_profile *p = run->prof;
	nz_rows_opts o = {p->format, p->encoding, p->delim, p->skip_rows,
	    p->sheet_name, p->sheet_index, p->export_date_line};
	run->rows = nz_rows_open(path, &o);
	if (!run->rows)   /* a workbook that cannot be read: said */
		exit(NZ_EXIT_DATA);
	run->workbook = nz_rows_is_workbook(run->rows);
	run->date1904 = nz_rows_date1904(run->rows);
	map_header(run);
	read_export_date(run);
	nz_csv_header(stdout, canonical_cols, NCANONICAL);
	if (run->worker) {
		size_t n;
		const char *const *cols = nz_cols(NZ_COLS_WORKER, &n);
		nz_csv_header(run->worker, cols, n);
	}
	held_run = run;
	nz_before_message(write_held_now);
	atexit(write_held_now);
	nz_tally_rows(&run->tally, run->rows, process_row, run, run->progress);
	write_held(run);
	nz_before_message(NULL);
	held_run = NULL;
}

static void
open_outputs(struct run *run)
{
	if (run->worker_path && !run->prof->field[NZ_PF_WORKER].ncols)
		nz_die(NZ_EXIT_DATA, "--worker: %s maps no worker column "
		    "(columns.worker)", run->prof->path);
	nz_tally_init(&run->tally, reject_key, reject_text, NREJECTS);
	if (run->rejects_path)
		nz_tally_open_rejects(&run->tally, run->rejects_path);
	if (run->worker_path)
		run->worker = nz_fopen_out(run->worker_path);
}

static void
wipe_buf(nz_buf *b)
{
	if (b->s)
		sodium_memzero(b->s, b->cap);
	nz_buf_free(b);
}

static void
close_outputs(struct run *run)
{
	size_t i;

	nz_tally_close_rejects(&run->tally);
	if (run->worker)
		nz_fclose_out(run->worker, run->worker_path);
	sodium_memzero(run->key, sizeof run->key);
	nz_hasher_free(run->hasher);
	free_list(&run->list);
	/* raw ids: wiped, as the hasher's cache is */
	for (i = 0; i < 2; i++)
		wipe_buf(&run->folded[i]);
	for (i = 0; i < HELD_ROWS; i++)
		wipe_buf(&run->held[i].text);
	free(run->date_shape);
}

/* The canonical columns from the schema, each field column with the
 * profile field it comes from. */
static void
find_columns(void)
{
	size_t col;
	int f;

	canonical_cols = nz_cols(NZ_COLS_CANONICAL, &NCANONICAL);
	if (nz_col_index(NZ_COLS_CANONICAL, "age") != COL_AGE ||
	    strcmp(canonical_cols[NCANONICAL - 1], "units") != 0)
		nz_die(NZ_EXIT_DATA, "internal error: the canonical columns "
		    "moved");
	for (col = COL_FIRST_FIELD; col + 1 < NCANONICAL; col++) {
		for (f = 0; f < NZ_PF_COUNT; f++)
			if (strcmp(nz_pfields[f].name, canonical_cols[col]) == 0)
				break;
		if (f == NZ_PF_COUNT)
			nz_die(NZ_EXIT_DATA, "internal error: no profile field "
			    "for the canonical column %s", canonical_cols[col]);
		field_of_col[col] = f;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"key", required_argument, NULL, 'k'},
		{"rejects", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"worker", required_argument, NULL, 'w'},
		{"max-reject", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *profile_path = NULL, *key_path = NULL, *stats_path = NULL;
	const char *path = NULL;
	nz_profile *prof;
	static struct run run = {.max_reject = MAX_REJECT_PERCENT};
	int c, status;

	nz_setprog(argv[0]);
	find_columns();
	while ((c = getopt_long(argc, argv, "p:k:r:s:w:x:hV", opts, NULL)) !=
	    -1) {
		switch (c) {
		case 'p': profile_path = optarg; break;
		case 'k': key_path = optarg; break;
		case 'r': run.rejects_path = nz_side_path("--rejects", optarg);
			break;
		case 's': stats_path = nz_side_path("--stats", optarg); break;
		case 'w': run.worker_path = nz_side_path("--worker", optarg);
			break;
		case 'x': run.max_reject = nz_opt_percent("--max-reject",
			    optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: /* getopt has said what is wrong */
			fprintf(stderr, "Try '%s --help' for more "
			    "information.\n", nz_prog);
			return NZ_EXIT_USAGE;
		}
	}
	if (!profile_path)
		nz_usage_error("missing --profile FILE");
	if (!key_path)
		nz_usage_error("missing --key FILE");
	if (argc - optind > 1)
		nz_usage_error("expected at most one EXPORT file");
	if (argc - optind == 1 && strcmp(argv[optind], "-") != 0)
		path = argv[optind];

	prof = nz_profile_load(profile_path, NZ_PROFILE_COLUMNS);
	nz_key_load(key_path, run.key);
	nz_key_fingerprint(run.key, run.fingerprint);
	nz_demo_key_check(prof->path, prof->agency, key_path,
	    run.fingerprint);
	run.hasher = nz_hasher_new(run.key);
	run.prof = prof;
	run.input = path ? path : "<stdin>";
	run.date_shape = date_shape(prof);
	run.progress = nz_progress_wanted();
	nz_stream_setup();
	open_outputs(&run);

	normalise(&run, path);

	if (stats_path)
		write_stats(&run, stats_path);
	close_outputs(&run);
	status = summarise(&run);
	nz_tally_free(&run.tally);
	nz_profile_free(prof);
	return status | nz_close_stdout();
}
