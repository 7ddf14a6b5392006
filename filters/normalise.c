/* normalise: one agency's raw CMS export to canonical events (DESIGN §3).
 *
 * Reads the export in the encoding and dialect its profile names, maps the
 * profile's columns by header name, and writes only the canonical columns:
 * the client id becomes a keyed hash, the birth date an age at the event
 * date, and no other raw column is ever copied.  A row that cannot be used
 * is rejected with a reason, never dropped silently; one pass, streaming.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "nz.h"

/* ---- the canonical fields a profile can map ---- */

enum field {
	F_CLIENT_ID, F_HOUSEHOLD_ID, F_EVENT_DATE, F_BIRTH_DATE, F_AGE,
	F_GENDER, F_ETHNICITY, F_REGION, F_HOUSEHOLD, F_INCOME, F_HOUSING,
	F_NEED, F_SERVICE, F_UNITS, NFIELDS
};

static const struct {
	const char *name;
	int multi; /* multi-valued: several columns or a separator allowed */
} field_info[NFIELDS] = {
	[F_CLIENT_ID] = {"client_id", 0},
	[F_HOUSEHOLD_ID] = {"household_id", 0},
	[F_EVENT_DATE] = {"event_date", 0},
	[F_BIRTH_DATE] = {"birth_date", 0},
	[F_AGE] = {"age", 0},
	[F_GENDER] = {"gender", 0},
	[F_ETHNICITY] = {"ethnicity", 1},
	[F_REGION] = {"region", 0},
	[F_HOUSEHOLD] = {"household", 0},
	[F_INCOME] = {"income", 1},
	[F_HOUSING] = {"housing", 0},
	[F_NEED] = {"need", 1},
	[F_SERVICE] = {"service", 1},
	[F_UNITS] = {"units", 0},
};

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
	R_MISSING_EVENT_DATE, R_INVALID_EVENT_DATE, R_INVALID_UNITS, NREJECTS
};
static const char *const reject_key[NREJECTS] = {"trailer",
    "wrong_field_count", "missing_client_id", "missing_event_date",
    "invalid_event_date", "invalid_units"};
static const char *const reject_text[NREJECTS] = {"trailer",
    "wrong field count", "missing client id", "missing event date",
    "invalid event date", "invalid units"};

enum warning {
	W_BIRTH_IN_FUTURE, W_PLACEHOLDER_BIRTH, W_AGE_OVER_120,
	W_INVALID_BIRTH, W_INVALID_AGE, W_BAR_IN_VALUE, NWARNINGS
};
static const char *const warning_key[NWARNINGS] = {"birth_date_in_future",
    "placeholder_birth_date", "age_over_120", "invalid_birth_date",
    "invalid_age", "bar_in_value"};

#define MAX_AGE 120
#define REJECT_VALUE_MAX 40
/* Default --max-reject: a larger share of rejected rows fails the run,
 * since it means the profile does not fit the export. */
#define MAX_REJECT_PERCENT 5.0
/* Warn about day/month order when more of the rows than this share fail
 * the date formats yet parse with day and month swapped. */
#define SWAPPED_WARN_PERCENT 1.0

/* ---- the profile ---- */

struct source {
	size_t ncols;
	const char **col_name;  /* header names, from the profile */
	size_t *col_index;      /* their positions in the export's header */
	const char *separator;  /* NULL: one value per column */
};

struct profile {
	json_t *root;           /* the strings below point into it */
	const char *path;
	const char *agency;
	const char *encoding;
	char delim;
	long skip_rows;
	const char *trailer_prefix;
	size_t ndate_formats;
	const char **date_formats;
	char **swapped_formats;  /* each with %d and %m exchanged, or NULL */
	struct source field[NFIELDS]; /* ncols 0: not mapped */
};

/* ---- the run: input, outputs and row accounting ---- */

struct skipper {  /* drops the first skip_rows physical lines */
	nz_decoder *decoder;
	long skip_rows, line;
	int last_was_cr;
};

struct list {     /* values of one multi-valued field, reused per row */
	nz_buf text;
	size_t *offs, *lens, n, cap; /* each value in text, NUL after it */
	size_t *ord, ocap;           /* their indexes, sorted */
	nz_buf joined[NFIELDS];  /* each multi-valued field's, for one row */
};

struct run {
	const struct profile *prof;
	unsigned char key[NZ_KEY_BYTES];
	nz_hasher *hasher;        /* the key, set up once */
	char fingerprint[NZ_FINGERPRINT_HEX + 1];
	const char *input;        /* name used in messages */
	size_t header_fields;
	FILE *rejects;
	const char *rejects_path;
	long rows_read, rows_written, rows_rejected;
	long rejected[NREJECTS], warned[NWARNINGS];
	long first_line[NREJECTS];   /* where each reason first happened */
	long dates_swapped;   /* invalid event dates valid as month/day */
	double max_reject;    /* percent of data rows; more fails the run */
	struct list list;
	int progress;
};

static void
usage(void)
{
	printf("Usage: %s --profile FILE --key FILE [OPTION]... [EXPORT]\n"
"Turn one agency's raw CMS export into canonical events: CSV on standard\n"
"output with the columns\n", nz_prog);
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
"                      + rows_rejected, with counts by reason and warning\n"
"  -x, --max-reject PCT  fail (exit 1, after writing everything) when more\n"
"                      than PCT percent of the rows are rejected, trailers\n"
"                      left out; default %g\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"Profile:\n"
"  {\"agency\": \"akcm\", \"encoding\": \"utf-8\", \"delimiter\": \",\",\n"
"   \"skip_rows\": 0, \"trailer_prefix\": \"Total records:\",\n"
"   \"date_formats\": [\"%%d/%%m/%%Y\"],\n"
"   \"columns\": {\"client_id\": \"Client ID\",\n"
"     \"event_date\": \"Visit Date\", \"birth_date\": \"DOB\",\n"
"     \"ethnicity\": [\"Ethnicity 1\", \"Ethnicity 2\"],\n"
"     \"need\": {\"column\": \"Needs\", \"separator\": \"; \"},\n"
"     \"units\": \"Food Parcels\"}}\n"
"  agency          code written in every row: a-z, 0-9, '-', 2 to 16 chars\n"
"  encoding        utf-8 (BOM optional), windows-1252, or utf-16 (BOM\n"
"                  required, LE or BE); default utf-8\n"
"  delimiter       \",\", \"\\t\" or \";\"; default \",\"\n"
"  skip_rows       physical lines before the header row; default 0\n"
"  trailer_prefix  a row whose first field starts with it is rejected as\n"
"                  a trailer (e.g. \"Total records: 123\")\n"
"  date_formats    tried in order for event and birth dates, then ISO\n"
"                  %%Y-%%m-%%d; %%d %%m take 1 or 2 digits, %%Y 4,\n"
"                  %%y 2, %%b a month name (Mar, March)\n"
"  columns         canonical field -> header name (exact match after\n"
"                  trimming): client_id and event_date required;\n"
"                  household_id, birth_date or age, gender, region,\n"
"                  household, housing, units take one column; ethnicity,\n"
"                  income, need, service take one column, an array of\n"
"                  columns, or {\"column\"|\"columns\": ..., \"separator\":\n"
"                  \"; \"} to split values on that exact separator\n"
"  name, regions and keys starting with '_' are allowed and ignored here.\n\n"
"Rows:\n"
"  Values are trimmed.  A row is rejected (reason in --rejects and --stats)\n"
"  when it is a trailer, has the wrong number of fields, has no client id,\n"
"  has a missing or impossible event date, or has units that are not a\n"
"  whole number from 0 to %ld.  A birth date in the future, the\n"
"  placeholder 1900-01-01, an age over %d, or an invalid birth date or age\n"
"  leave the age empty and count a warning.  Multi-valued fields are\n"
"  written sorted, de-duplicated and joined by '|'; a '|' inside a value\n"
"  becomes '/' (warning bar_in_value).  Rejects and warnings are summed up\n"
"  in one line on standard error, with the most common reason and the\n"
"  first line it happened on; the line in --rejects is the export's\n"
"  physical line where the row starts.  When more than %g%% of the event\n"
"  dates fail the formats but read with day and month swapped, a warning\n"
"  says so.\n\n"
"Example:\n"
"  normalise --profile akcm/profile.json --key ~/.nzccss/keys/akcm.key \\\n"
"    --rejects rejects.csv --stats stats.json akcm/export.csv > events.csv\n\n"
"Exit status:\n"
"  0 success (rows may have been rejected, up to --max-reject), 1 data or\n"
"  input error (unreadable file, bad encoding, malformed CSV, bad profile\n"
"  or key, column missing from the header, too many rows rejected, write\n"
"  error), 2 usage error.\n",
	    NZ_KEY_BYTES, REJECT_VALUE_MAX, MAX_REJECT_PERCENT,
	    NZ_MAX_UNITS, MAX_AGE, SWAPPED_WARN_PERCENT);
	exit(NZ_EXIT_OK);
}

/* ==== profile loading: validate every value once, naming file and line */

static _Noreturn void __attribute__((format(printf, 3, 4)))
profile_error(const struct profile *p, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	nz_dieat(NZ_EXIT_DATA, p->path,
	    key ? nz_json_key_line(p->path, key, 1) : 0, "%s", msg);
}

/* A date format must use only our conversions and give day, month, year. */
static int
valid_date_format(const char *fmt)
{
	int day = 0, month = 0, year = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		switch (*++fmt) {
		case 'd': case 'e': day++; break;
		case 'm': case 'b': case 'B': month++; break;
		case 'Y': case 'y': year++; break;
		case '%': break;
		default: return 0;
		}
	}
	return day == 1 && month == 1 && year == 1;
}

static const char *
column_name(const struct profile *p, const char *field, json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) == 0)
		profile_error(p, field, "column of field '%s' must be a "
		    "non-empty string", field);
	return json_string_value(v);
}

static void
load_columns(struct profile *p, struct source *src, const char *field,
    json_t *v)
{
	size_t i;

	if (json_is_array(v)) {
		src->ncols = json_array_size(v);
		if (src->ncols == 0)
			profile_error(p, field, "field '%s' has an empty list "
			    "of columns", field);
		src->col_name = nz_calloc(src->ncols, sizeof *src->col_name);
		for (i = 0; i < src->ncols; i++)
			src->col_name[i] = column_name(p, field,
			    json_array_get(v, i));
	} else {
		src->ncols = 1;
		src->col_name = nz_calloc(1, sizeof *src->col_name);
		src->col_name[0] = column_name(p, field, v);
	}
	src->col_index = nz_calloc(src->ncols, sizeof *src->col_index);
}

/* {"column": "Needs", "separator": "; "} or {"columns": [...], ...} */
static void
load_split_source(struct profile *p, struct source *src, const char *field,
    json_t *obj)
{
	json_t *one = json_object_get(obj, "column");
	json_t *many = json_object_get(obj, "columns");
	json_t *sep = json_object_get(obj, "separator");
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
		if (strcmp(key, "column") != 0 && strcmp(key, "columns") != 0 &&
		    strcmp(key, "separator") != 0)
			profile_error(p, key, "unknown key \"%s\" in field "
			    "'%s' (expected column or columns, and separator)",
			    key, field);
	if (!one == !many)
		profile_error(p, field, "field '%s' needs exactly one of "
		    "\"column\" and \"columns\"", field);
	if (many && !json_is_array(many))
		profile_error(p, field, "\"columns\" of field '%s' must be an "
		    "array", field);
	if (!json_is_string(sep) || json_string_length(sep) == 0)
		profile_error(p, field, "field '%s' needs a non-empty "
		    "\"separator\" string", field);
	load_columns(p, src, field, one ? one : many);
	src->separator = json_string_value(sep);
}

static int
field_by_name(const char *name)
{
	int f;

	for (f = 0; f < NFIELDS; f++)
		if (strcmp(field_info[f].name, name) == 0)
			return f;
	return -1;
}

static void
load_field_map(struct profile *p, json_t *columns)
{
	const char *name;
	json_t *v;
	int f;

	if (!json_is_object(columns))
		profile_error(p, "columns", "\"columns\" must be an object");
	json_object_foreach(columns, name, v) {
		if ((f = field_by_name(name)) < 0)
			profile_error(p, name, "unknown field \"%s\" in "
			    "\"columns\"", name);
		if (json_is_object(v) && field_info[f].multi)
			load_split_source(p, &p->field[f], name, v);
		else if (json_is_array(v) && field_info[f].multi)
			load_columns(p, &p->field[f], name, v);
		else if (json_is_string(v))
			load_columns(p, &p->field[f], name, v);
		else
			profile_error(p, name, "field '%s' must name one "
			    "column (a string)%s", name, field_info[f].multi ?
			    ", an array of columns or {\"column\", "
			    "\"separator\"}" : "");
	}
	if (!p->field[F_CLIENT_ID].ncols)
		profile_error(p, "columns", "\"columns\" must map client_id");
	if (!p->field[F_EVENT_DATE].ncols)
		profile_error(p, "columns", "\"columns\" must map event_date");
	if (p->field[F_BIRTH_DATE].ncols && p->field[F_AGE].ncols)
		profile_error(p, "age", "map birth_date or age, not both");
}

/* The format with day and month exchanged (%d or %e <-> %m), to tell a
 * profile whose day/month order is the export's reverse; NULL when the
 * month is a name. */
static char *
swap_day_month(const char *fmt)
{
	char *out = nz_strdup(fmt), *c;

	for (c = out; *c; c++) {
		if (*c != '%' || !c[1])
			continue;
		c++;
		if (*c == 'b' || *c == 'B') {
			free(out);
			return NULL;
		}
		if (*c == 'd' || *c == 'e')
			*c = 'm';
		else if (*c == 'm')
			*c = 'd';
	}
	return out;
}

static void
load_date_formats(struct profile *p, json_t *formats)
{
	size_t i;

	if (!formats)
		return;
	if (!json_is_array(formats))
		profile_error(p, "date_formats", "\"date_formats\" must be an "
		    "array of strings");
	p->ndate_formats = json_array_size(formats);
	p->date_formats = nz_calloc(p->ndate_formats, sizeof *p->date_formats);
	p->swapped_formats = nz_calloc(p->ndate_formats,
	    sizeof *p->swapped_formats);
	for (i = 0; i < p->ndate_formats; i++) {
		json_t *v = json_array_get(formats, i);
		if (!json_is_string(v) ||
		    !valid_date_format(json_string_value(v)))
			profile_error(p, "date_formats", "date format %zu "
			    "must be a string using one each of day (%%d), "
			    "month (%%m or %%b) and year (%%Y or %%y)", i + 1);
		p->date_formats[i] = json_string_value(v);
		p->swapped_formats[i] = swap_day_month(p->date_formats[i]);
	}
}

static void
check_known_keys(struct profile *p, json_t *root)
{
	static const char *const known[] = {"agency", "name", "encoding",
	    "delimiter", "skip_rows", "trailer_prefix", "date_formats",
	    "regions", "columns"};
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(root, key, v) {
		for (i = 0; i < sizeof known / sizeof *known; i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (i == sizeof known / sizeof *known && key[0] != '_')
			profile_error(p, key, "unknown key \"%s\"", key);
	}
}

static void
load_profile(struct profile *p, const char *path)
{
	json_t *root = nz_json_load(path), *columns;
	const char *delim;

	memset(p, 0, sizeof *p);
	p->root = root;
	p->path = path;
	check_known_keys(p, root);
	p->agency = nz_json_str(path, root, "agency", NULL);
	if (!nz_agency_valid(p->agency))
		profile_error(p, "agency", "invalid agency code %s (use a-z, "
		    "0-9 and '-', 2 to 16 characters)", nz_q(p->agency));
	p->encoding = nz_json_str(path, root, "encoding", "utf-8");
	if (strcasecmp(p->encoding, "utf-8") != 0 &&
	    strcasecmp(p->encoding, "windows-1252") != 0 &&
	    strcasecmp(p->encoding, "utf-16") != 0)
		profile_error(p, "encoding", "unsupported encoding %s (use "
		    "utf-8, windows-1252 or utf-16)", nz_q(p->encoding));
	delim = nz_json_str(path, root, "delimiter", ",");
	if (strcmp(delim, ",") != 0 && strcmp(delim, "\t") != 0 &&
	    strcmp(delim, ";") != 0)
		profile_error(p, "delimiter", "delimiter must be \",\", "
		    "\"\\t\" or \";\", not %s", nz_q(delim));
	p->delim = delim[0];
	p->skip_rows = nz_json_int(path, root, "skip_rows", 0);
	if (p->skip_rows < 0)
		profile_error(p, "skip_rows", "\"skip_rows\" must not be "
		    "negative");
	p->trailer_prefix = nz_json_str(path, root, "trailer_prefix", "");
	if (!*p->trailer_prefix)
		p->trailer_prefix = NULL;
	load_date_formats(p, json_object_get(root, "date_formats"));
	if (!(columns = json_object_get(root, "columns")))
		profile_error(p, NULL, "missing key \"columns\"");
	load_field_map(p, columns);
}

static void
free_profile(struct profile *p)
{
	int f;

	for (f = 0; f < NFIELDS; f++) {
		free(p->field[f].col_name);
		free(p->field[f].col_index);
	}
	for (size_t i = 0; i < p->ndate_formats; i++)
		free(p->swapped_formats[i]);
	free(p->swapped_formats);
	free(p->date_formats);
	nz_json_free(p->root);
}

/* ==== input: decoder, skipped lines, header ==== */

/* Skipped lines are passed on as bare line ends, so the parser never sees
 * their (possibly odd) quoting yet its line numbers stay those of the
 * file; libcsv ignores empty lines. */
static size_t
skip_read(void *ctx, char *buf, size_t n, const char **errmsg)
{
	struct skipper *s = ctx;
	size_t got, i, kept;

	for (;;) {
		got = nz_decoder_read(s->decoder, buf, n, errmsg);
		if (got == 0 || s->line > s->skip_rows)
			return got;
		for (i = kept = 0; i < got; i++) {
			char ch = buf[i];
			if (ch == '\r' || ch == '\n') {
				/* as csvread counts: CR, LF, or CRLF as one */
				if (ch == '\r' || !s->last_was_cr)
					s->line++;
				s->last_was_cr = ch == '\r';
				buf[kept++] = ch;
			} else {
				s->last_was_cr = 0;
				if (s->line > s->skip_rows)
					buf[kept++] = ch;
			}
		}
		if (kept)
			return kept;
	}
}

static void
map_header(struct run *run, nz_csv *csv)
{
	const struct profile *p = run->prof;
	nz_row *row;
	size_t i, c;
	int r = nz_csv_next(csv, &row), f;

	if (r < 0)
		exit(NZ_EXIT_DATA);
	if (r == 0)
		nz_dieat(NZ_EXIT_DATA, run->input, 0, "empty input: no header "
		    "row%s", p->skip_rows ? " after the skipped lines" : "");
	for (i = 0; i < row->nfields; i++)
		nz_trim_len(row->field[i], &row->len[i]);
	for (f = 0; f < NFIELDS; f++) {
		const struct source *src = &p->field[f];
		for (c = 0; c < src->ncols; c++) {
			size_t found = row->nfields;
			for (i = 0; i < row->nfields; i++) {
				if (strcmp(row->field[i], src->col_name[c]))
					continue;
				if (found < row->nfields)
					nz_dieat(NZ_EXIT_DATA, run->input,
					    row->line, "column %s named in %s "
					    "(field '%s') appears twice in the "
					    "header", nz_q(src->col_name[c]),
					    p->path, field_info[f].name);
				found = i;
			}
			if (found == row->nfields)
				nz_dieat(NZ_EXIT_DATA, run->input, row->line,
				    "column %s named in %s (field '%s') is not "
				    "in the header", nz_q(src->col_name[c]),
				    p->path, field_info[f].name);
			src->col_index[c] = found;
		}
	}
	run->header_fields = row->nfields;
}

/* ==== one row ==== */

/* The trimmed value of a single-column field ("" when unmapped), and its
 * length in *len if len is not NULL.  Trims the row's field in place. */
static const char *
value_len(const struct run *run, nz_row *row, int f, size_t *len)
{
	const struct source *src = &run->prof->field[f];
	size_t i, dummy;

	if (!len)
		len = &dummy;
	if (!src->ncols) {
		*len = 0;
		return "";
	}
	i = src->col_index[0];
	nz_trim_len(row->field[i], &row->len[i]);
	*len = row->len[i];
	return row->field[i];
}

static const char *
value_of(const struct run *run, nz_row *row, int f)
{
	return value_len(run, row, f, NULL);
}

static int
parse_any_date(const struct profile *p, const char *s, int *y, int *m,
    int *d)
{
	size_t i;

	for (i = 0; i < p->ndate_formats; i++)
		if (nz_parse_date(s, p->date_formats[i], y, m, d) == 0)
			return 0;
	return nz_parse_iso_date(s, y, m, d);
}

/* 1 if s fails the profile's formats but one of them reads it with day
 * and month the other way round. */
static int
parses_swapped(const struct profile *p, const char *s)
{
	size_t i;
	int y, m, d;

	for (i = 0; i < p->ndate_formats; i++)
		if (p->swapped_formats[i] &&
		    nz_parse_date(s, p->swapped_formats[i], &y, &m, &d) == 0)
			return 1;
	return 0;
}

/* Up to REJECT_VALUE_MAX bytes of an offending value, cut on a UTF-8
 * character boundary. */
static void
write_reject(struct run *run, long line, enum reject why, const char *detail,
    const char *value)
{
	size_t len = strlen(value);
	int cut = 0;

	run->rows_rejected++;
	if (run->rejected[why]++ == 0)
		run->first_line[why] = line;
	if (!run->rejects)
		return;
	if (len > REJECT_VALUE_MAX) {
		len = REJECT_VALUE_MAX;
		while (len > 0 && ((unsigned char)value[len] & 0xC0) == 0x80)
			len--;
		cut = 1;
	}
	fprintf(run->rejects, "%ld,", line);
	nz_csv_field(run->rejects, detail ? detail : reject_text[why],
	    strlen(detail ? detail : reject_text[why]), 1);
	if (cut) {
		nz_buf shown = {0};
		nz_buf_add(&shown, value, len);
		nz_buf_adds(&shown, "...");
		nz_csv_field(run->rejects, shown.s, shown.len, 0);
		nz_buf_free(&shown);
	} else {
		nz_csv_field(run->rejects, value, len, 0);
	}
	putc('\n', run->rejects);
}

/* Age at the event date from the birth date or age column; -1 (and a
 * warning) when unknown or implausible. */
static int
row_age(struct run *run, nz_row *row, int ey, int em, int ed)
{
	const char *s;
	int by, bm, bd, age;
	long years;

	if (run->prof->field[F_AGE].ncols) {
		s = value_of(run, row, F_AGE);
		if (!*s)
			return -1;
		if (nz_parse_long(s, 0, 100000, &years) < 0) {
			run->warned[W_INVALID_AGE]++;
			return -1;
		}
		if (years > MAX_AGE) {
			run->warned[W_AGE_OVER_120]++;
			return -1;
		}
		return (int)years;
	}
	s = value_of(run, row, F_BIRTH_DATE);
	if (!*s)
		return -1;
	if (parse_any_date(run->prof, s, &by, &bm, &bd) < 0) {
		run->warned[W_INVALID_BIRTH]++;
		return -1;
	}
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
	for (f = 0; f < NFIELDS; f++)
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

/* The values of a multi-valued field, sorted, de-duplicated, '|'-joined,
 * into out.  Returns 1 if a value held a '|'. */
static int
list_build(struct list *l, const struct source *src, nz_row *row,
    nz_buf *out)
{
	size_t c, i, j, seplen = src->separator ? strlen(src->separator) : 0;
	int bar = 0;

	l->n = 0;
	l->text.len = 0;
	nz_buf_clear(out);
	nz_buf_add(out, "", 0);
	for (c = 0; c < src->ncols; c++) {
		size_t col = src->col_index[c];
		const char *s = row->field[col], *end = s + row->len[col], *p;

		/* split on the separator: its first byte, then the rest */
		for (p = s; seplen && (p = memchr(p, src->separator[0],
		    (size_t)(end - p))) != NULL; ) {
			if ((size_t)(end - p) < seplen)
				break;
			if (memcmp(p, src->separator, seplen) != 0) {
				p++;
				continue;
			}
			bar |= list_add(l, s, (size_t)(p - s));
			s = p = p + seplen;
		}
		bar |= list_add(l, s, (size_t)(end - s));
	}
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

/* The categorical fields and units, from COL_FIRST_FIELD on, into val
 * and len. */
static void
put_categories(struct run *run, nz_row *row, const char **val, size_t *len)
{
	size_t col;
	int bar = 0;

	for (col = COL_FIRST_FIELD; col + 1 < NCANONICAL; col++) {
		int f = field_of_col[col];
		if (field_info[f].multi && run->prof->field[f].ncols) {
			nz_buf *out = &run->list.joined[f];
			bar |= list_build(&run->list, &run->prof->field[f],
			    row, out);
			val[col] = out->s;
			len[col] = out->len;
		} else {
			val[col] = value_len(run, row, f, &len[col]);
		}
	}
	if (bar)
		run->warned[W_BAR_IN_VALUE]++;
}

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
is_trailer(const struct profile *p, const nz_row *row)
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

static void
process_row(struct run *run, nz_row *row)
{
	const struct profile *p = run->prof;
	const char *client_id, *household_id, *date, *units_raw;
	const char *val[MAX_CANONICAL];
	size_t len[MAX_CANONICAL], client_len, household_len;
	char client_key[2 * NZ_HASH_BYTES + 1];
	char household_key[2 * NZ_HASH_BYTES + 1];
	char iso_date[16], units[24], age_text[24];
	int y, m, d, age;
	long units_val;
	size_t i;

	run->rows_read++;
	if (is_trailer(p, row)) {
		nz_trim_len(row->field[0], &row->len[0]);
		write_reject(run, row->line, R_TRAILER, NULL, row->field[0]);
		return;
	}
	if (row->unterminated && row->nfields < run->header_fields)
		nz_dieat(NZ_EXIT_DATA, run->input, row->line, "truncated "
		    "export: the last record has %zu of %zu fields and no line "
		    "end", row->nfields, run->header_fields);
	if (row->nfields != run->header_fields) {
		char detail[96];
		snprintf(detail, sizeof detail, "wrong field count: expected "
		    "%zu, found %zu", run->header_fields, row->nfields);
		write_reject(run, row->line, R_WRONG_FIELD_COUNT, detail, "");
		return;
	}
	client_id = value_len(run, row, F_CLIENT_ID, &client_len);
	if (!*client_id) {
		write_reject(run, row->line, R_MISSING_CLIENT_ID, NULL, "");
		return;
	}
	date = value_of(run, row, F_EVENT_DATE);
	if (!*date) {
		write_reject(run, row->line, R_MISSING_EVENT_DATE, NULL, "");
		return;
	}
	if (parse_any_date(p, date, &y, &m, &d) < 0) {
		run->dates_swapped += parses_swapped(p, date);
		write_reject(run, row->line, R_INVALID_EVENT_DATE, NULL, date);
		return;
	}
	units_raw = value_of(run, row, F_UNITS);
	units[0] = '\0';
	if (*units_raw) {
		if (nz_parse_long(units_raw, 0, NZ_MAX_UNITS, &units_val) < 0) {
			write_reject(run, row->line, R_INVALID_UNITS, NULL,
			    units_raw);
			return;
		}
		format_uint(units, (unsigned long)units_val);
	}

	nz_hasher_hex(run->hasher, client_id, client_len, client_key);
	household_id = value_len(run, row, F_HOUSEHOLD_ID, &household_len);
	household_key[0] = '\0';
	if (*household_id)
		nz_hasher_hex(run->hasher, household_id, household_len,
		    household_key);
	format_iso_date(iso_date, y, m, d);
	age = row_age(run, row, y, m, d);
	age_text[0] = '\0';
	if (age >= 0)
		format_uint(age_text, (unsigned long)age);

	put_categories(run, row, val, len);
	val[COL_AGENCY] = p->agency;
	val[COL_CLIENT] = client_key;
	val[COL_HOUSEHOLD] = household_key;
	val[COL_DATE] = iso_date;
	val[COL_AGE] = age_text;
	val[NCANONICAL - 1] = units;
	for (i = 0; i < COL_FIRST_FIELD; i++)
		len[i] = strlen(val[i]);
	len[NCANONICAL - 1] = strlen(units);
	nz_csv_record(stdout, val, len, NCANONICAL);
	run->rows_written++;
}

/* ==== reporting ==== */

static void
counts_line(nz_buf *b, const char *const *keys, const long *counts, size_t n)
{
	size_t i;
	const char *sep = "";

	for (i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		nz_buf_printf(b, "%s%s %ld", sep, keys[i], counts[i]);
		sep = ", ";
	}
}

/* The reason behind most rejects (ties: the first in reject order),
 * trailers only when nothing else was rejected: they are expected. */
static enum reject
main_reason(const struct run *run)
{
	int why, best = R_TRAILER;

	for (why = R_TRAILER + 1; why < NREJECTS; why++)
		if (run->rejected[why] > run->rejected[best] ||
		    (best == R_TRAILER && run->rejected[why] > 0))
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
	long data_rows = run->rows_read - run->rejected[R_TRAILER];
	long bad_rows = run->rows_rejected - run->rejected[R_TRAILER];
	enum reject why = main_reason(run);
	nz_buf b = {0};
	long warnings = 0;
	size_t i;

	if (run->rows_rejected) {
		counts_line(&b, reject_key, run->rejected, NREJECTS);
		nz_warnat(run->input, 0, "%ld of %ld rows rejected: %s; most "
		    "often %s, first at line %ld", run->rows_rejected,
		    run->rows_read, b.s, reject_key[why],
		    run->first_line[why]);
	}
	for (i = 0; i < NWARNINGS; i++)
		warnings += run->warned[i];
	if (warnings) {
		nz_buf_clear(&b);
		counts_line(&b, warning_key, run->warned, NWARNINGS);
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

static json_t *
counts_object(const char *const *keys, const long *counts, size_t n)
{
	json_t *obj = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(obj, keys[i], json_integer(counts[i]));
	return obj;
}

static void
write_stats(const struct run *run, const char *path)
{
	json_t *stats = json_object();

	json_object_set_new(stats, "program", json_string("normalise"));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "input", json_string(run->input));
	json_object_set_new(stats, "key_fingerprint",
	    json_string(run->fingerprint));
	json_object_set_new(stats, "rows_read", json_integer(run->rows_read));
	json_object_set_new(stats, "rows_written",
	    json_integer(run->rows_written));
	json_object_set_new(stats, "rows_rejected",
	    json_integer(run->rows_rejected));
	json_object_set_new(stats, "rejected",
	    counts_object(reject_key, run->rejected, NREJECTS));
	json_object_set_new(stats, "warnings",
	    counts_object(warning_key, run->warned, NWARNINGS));
	nz_json_write(path, stats);
}

/* ==== main ==== */

/* A demo key is public: it may key only its own sample agency, read from
 * the repository's sample-data folder.  Anything else (a real agency
 * named like a sample one, a demo key copied under another name) would
 * give clients keys that anyone can recompute. */
static void
check_demo_key(const struct profile *p, const char *key_path,
    const char *fingerprint)
{
	char demo[NZ_AGENCY_MAX + 1], *home;
	const char *slash = strrchr(p->path, '/');
	nz_buf rel = {0}, dir = {0};
	int ok;

	if (!nz_demo_key_agency(fingerprint, demo))
		return;
	nz_buf_printf(&dir, "%.*s", slash ? (int)(slash - p->path) : 1,
	    slash ? p->path : ".");
	nz_buf_printf(&rel, "../sample-data/%s", demo);
	home = nz_pipelines_path(rel.s);
	ok = strcmp(demo, p->agency) == 0 && nz_same_file(home, dir.s);
	free(home);
	nz_buf_free(&rel);
	nz_buf_free(&dir);
	if (!ok)
		nz_die(NZ_EXIT_DATA, "key file %s is the public demo key of the "
		    "sample agency %s (fingerprint %s): it keys only "
		    "sample-data/%s.  Make a real key for %s with 'make key "
		    "AGENCY=%s' and keep it outside the repository", key_path,
		    demo, fingerprint, demo, p->agency, p->agency);
}

static void
normalise(struct run *run, const char *path)
{
	const struct profile *p = run->prof;
	struct skipper skip = {0};
	nz_csv *csv;
	nz_row *row;
	int r;

	skip.decoder = nz_decoder_open(path, p->encoding);
	skip.skip_rows = p->skip_rows;
	skip.line = 1;
	csv = nz_csv_new(run->input, skip_read, &skip, NZ_CSV_UTF8);
	nz_csv_set_delim(csv, p->delim);
	map_header(run, csv);
	nz_csv_header(stdout, canonical_cols, NCANONICAL);
	while ((r = nz_csv_next(csv, &row)) > 0) {
		process_row(run, row);
		nz_progress(stdout, run->rows_read, run->progress);
	}
	nz_progress_end(run->rows_read, run->progress);
	if (r < 0)
		exit(NZ_EXIT_DATA);
	nz_csv_close(csv);
	nz_decoder_close(skip.decoder);
	/* a failed write must not be followed by stats claiming success */
	if (fflush(stdout) != 0 || ferror(stdout))
		exit(nz_close_stdout());
}

/* The canonical columns from the schema, each field column with the
 * profile field it comes from. */
static void
find_columns(void)
{
	size_t col;

	canonical_cols = nz_cols(NZ_COLS_CANONICAL, &NCANONICAL);
	if (nz_col_index(NZ_COLS_CANONICAL, "age") != COL_AGE ||
	    strcmp(canonical_cols[NCANONICAL - 1], "units") != 0)
		nz_die(NZ_EXIT_DATA, "internal error: the canonical columns "
		    "moved");
	for (col = COL_FIRST_FIELD; col + 1 < NCANONICAL; col++)
		if ((field_of_col[col] = field_by_name(canonical_cols[col])) < 0)
			nz_die(NZ_EXIT_DATA, "internal error: no profile field "
			    "for the canonical column %s", canonical_cols[col]);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"key", required_argument, NULL, 'k'},
		{"rejects", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"max-reject", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *profile_path = NULL, *key_path = NULL, *stats_path = NULL;
	const char *path = NULL;
	struct profile prof;
	struct run run = {.max_reject = MAX_REJECT_PERCENT};
	int c, status;

	nz_setprog(argv[0]);
	find_columns();
	while ((c = getopt_long(argc, argv, "p:k:r:s:x:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profile_path = optarg; break;
		case 'k': key_path = optarg; break;
		case 'r': run.rejects_path = nz_side_path("--rejects", optarg);
			break;
		case 's': stats_path = nz_side_path("--stats", optarg); break;
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

	load_profile(&prof, profile_path);
	nz_key_load(key_path, run.key);
	nz_key_fingerprint(run.key, run.fingerprint);
	check_demo_key(&prof, key_path, run.fingerprint);
	run.hasher = nz_hasher_new(run.key);
	run.prof = &prof;
	run.input = path ? path : "<stdin>";
	run.progress = nz_progress_wanted();
	nz_stream_setup();
	if (run.rejects_path) {
		run.rejects = nz_fopen_out(run.rejects_path);
		fputs("line,reason,value\n", run.rejects);
	}

	normalise(&run, path);

	sodium_memzero(run.key, sizeof run.key);
	nz_hasher_free(run.hasher);
	free_list(&run.list);
	if (run.rejects)
		nz_fclose_out(run.rejects, run.rejects_path);
	if (stats_path)
		write_stats(&run, stats_path);
	status = summarise(&run);
	free_profile(&prof);
	return status | nz_close_stdout();
}
