/* onboard: a starter agency profile sniffed from a CMS export.
 *
 * A data officer joining has an export and no profile.  This reads the
 * export as normalise would have to: the format (by its first bytes),
 * the encoding (a BOM, valid UTF-8, else windows-1252), the delimiter
 * (the one that splits the most lines into the same number of fields),
 * the title lines above the header (and a date in them: the export
 * date), a trailer, for a workbook the sheet; then the header's columns,
 * matched to the canonical fields by their names, and a sample of the
 * rows, for the date formats, the separators of multi-valued columns and
 * the yes/no columns that are indicators.  It writes the profile and
 * says, line by line, what it found and what is left to the officer.
 * Nothing of the rows is written: names, ids and dates stay in the
 * export.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nz.h"

#define SAMPLE_BYTES (1 << 20)  /* of a CSV file, for its dialect */
#define SAMPLE_ROWS 5000        /* rows looked at for the columns */
#define MAX_COLUMNS 512

static const char *const date_candidates[] = {"%d/%m/%Y", "%m/%d/%Y",
    "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y", "%d/%m/%y", "%Y/%m/%d",
    "%Y-%m-%d", "excel"};
#define NDATE_CANDIDATES (sizeof date_candidates / sizeof *date_candidates)
/* in order of preference; " / " is left out: labels hold it ("Power /
 * utilities") */
static const char *const separators[] = {"; ", ", ", ";", "|"};
#define NSEPARATORS (sizeof separators / sizeof *separators)
static const char *const yes_no[] = {"yes", "no", "y", "n", "1", "0",
    "true", "false", "x", "-"};

/* what the rows say about one column */
struct column {
	char *name;
	long filled;            /* non-empty values */
	long date_ok[NDATE_CANDIDATES];
	long date_cells;        /* cells a workbook typed as dates */
	long sep[NSEPARATORS];  /* values holding each separator */
	long yes_no;            /* values that are a yes or a no */
	long *by_formats;       /* values per set of formats (a bit each)
	                         * that read them; NULL until one does */
	int field;              /* enum nz_pfield, NZ_PF_COUNT for an
	                         * indicator, or -1 */
};

struct sniff {
	const char *path, *agency;
	int format;                  /* enum nz_format */
	const char *sheet;           /* workbooks: the sheet read */
	const char *encoding;
	char delim;
	long skip_rows, header_line;
	char *title[8];              /* the first title lines, for a date */
	long title_line[8];
	size_t ntitles;
	char *trailer;               /* the prefix of a last-line trailer */
	struct column col[MAX_COLUMNS];
	size_t ncols;
	long rows;
	nz_buf todo;                 /* what is left, one line each */
};

static void
usage(void)
{
	printf("Usage: %s --agency CODE [OPTION]... EXPORT\n"
"Write a starter agency profile (JSON) for normalise, sniffed from a CMS\n"
"export (CSV, .xlsx or .xls), and say on standard error what it found and\n"
"what is left to fill in.  Nothing of the export's rows is written.\n\n"
"  -a, --agency CODE   the agency code: a-z, 0-9 and '-', 2 to 16 chars\n"
"  -o, --output FILE   write the profile to FILE (default standard output)\n"
"  -s, --sheet NAME    a workbook's sheet, by name or number from 1\n"
"                      (default: the sheet with the most rows)\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n\n"
"What it sniffs:\n"
"  format      xlsx or xls by the file's first bytes (a zip, an OLE2\n"
"              file), else csv\n"
"  encoding    utf-16 (BOM), utf-8 (valid UTF-8, BOM or not), else\n"
"              windows-1252\n"
"  delimiter   the one of ',' ';' tab that splits most lines alike\n"
"  skip_rows   title lines above the header (the first line whose fields\n"
"              the next lines match); a date at the end of one of them\n"
"              becomes export_date\n"
"  trailer     a last line with fewer fields starting with a word such\n"
"              as \"Total\" becomes trailer_prefix\n"
"  columns     by header name: client id, household id, visit or event\n"
"              date, date of birth or age, gender or sex, ethnicity (all\n"
"              such columns), region, then town, city, suburb (first_of),\n"
"              household type, income or benefit, housing or tenure,\n"
"              needs or reasons, services, parcels or units, worker or\n"
"              team, referral source; columns of yes/no values become\n"
"              need indicators; a multi-valued column whose values hold\n"
"              '; ' or ', ' gets that separator\n"
"  date_formats  the formats (of %%d/%%m/%%Y, %%m/%%d/%%Y, %%d-%%b-%%Y, ...,\n"
"              Excel serial numbers) that read the event and birth dates,\n"
"              day before month when both read them (New Zealand order)\n\n"
"Example:\n"
"  onboard --agency tepuna --output profile.json 'Client export.xlsx'\n\n"
"Exit status:\n"
"  0 the profile is written and maps the client id and the event date,\n"
"  1 the export cannot be read, or no column looks like the client id or\n"
"  the event date (the profile is written with what was found), or a\n"
"  write error, 2 usage error.\n", nz_prog);
	exit(NZ_EXIT_OK);
}

/* ==== the format and the dialect ==== */

static int
sniff_format(const char *path)
{
	unsigned char magic[4] = {0};
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f)
		nz_die(NZ_EXIT_DATA, "%s: cannot open: %s", path,
		    strerror(errno));
	got = fread(magic, 1, 4, f);
	fclose(f);
	if (got == 4 && memcmp(magic, "PK\x03\x04", 4) == 0)
		return NZ_FORMAT_XLSX;
	if (got == 4 && memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0)
		return NZ_FORMAT_XLS;
	return NZ_FORMAT_CSV;
}

/* The first bytes of the file, for its encoding. */
static const char *
sniff_encoding(const char *path)
{
	static char buf[SAMPLE_BYTES];
	FILE *f = fopen(path, "rb");
	size_t got, bad;

	if (!f)
		nz_die(NZ_EXIT_DATA, "%s: cannot open: %s", path,
		    strerror(errno));
	got = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (got >= 2 && ((buf[0] == '\xFF' && buf[1] == '\xFE') ||
	    (buf[0] == '\xFE' && buf[1] == '\xFF')))
		return "utf-16";
	/* a cut multi-byte character at the end of the sample is fine */
	if (nz_utf8_valid(buf, got, &bad) || bad + 4 > got)
		return "utf-8";
	return "windows-1252";
}

/* The fields of a line split on delim, quotes honoured (a field's quotes
 * are kept: only the count matters here). */
static size_t
count_fields(const char *line, char delim)
{
	size_t n = 1;
	int quoted = 0;

	for (; *line; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (*line == delim && !quoted)
			n++;
	}
	return n;
}

/* The file's first lines as UTF-8, through the decoder. */
static size_t
read_lines(struct sniff *s, char ***lines)
{
	nz_decoder *d = nz_decoder_open(s->path, s->encoding);
	nz_buf text = {0};
	char buf[65536], *p, *nl;
	const char *err = NULL;
	size_t got, n = 0, cap = 0;

	while (text.len < SAMPLE_BYTES &&
	    (got = nz_decoder_read(d, buf, sizeof buf, &err)) > 0)
		nz_buf_add(&text, buf, got);
	if (err)
		nz_die(NZ_EXIT_DATA, "%s: %s", s->path, err);
	nz_decoder_close(d);
	*lines = NULL;
	for (p = text.s; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strpbrk(p, "\r\n");
		if (nl && *nl == '\r' && nl[1] == '\n')
			*nl++ = '\0';
		if (nl)
			*nl = '\0';
		nz_grow(lines, &cap, n + 1, sizeof **lines);
		(*lines)[n++] = nz_strdup(p);
		if (!nl)
			break;
	}
	nz_buf_free(&text);
	return n;
}

/* The delimiter that gives the most lines the same field count (>1):
 * each count that one of the first 50 lines has, not only the first
 * line's, which may be a title ("Report run: ...,All sites") whose
 * count no other line has, while the values' own separators ("Food;
 * Rent") give another delimiter a count many lines share. */
static char
pick_delim(char **lines, size_t n)
{
	static const char cands[] = {',', ';', '\t'};
	size_t best_lines = 0, i, c, k, same, count[200];
	char best = ',';

	if (n > 200)
		n = 200;
	for (c = 0; c < sizeof cands; c++) {
		for (k = 0; k < n; k++)
			count[k] = count_fields(lines[k], cands[c]);
		for (i = 0; i < n && i < 50; i++) {
			if (count[i] < 2)
				continue;
			for (same = 0, k = 0; k < n; k++)
				same += count[k] == count[i];
			if (same > best_lines) {
				best_lines = same;
				best = cands[c];
			}
		}
	}
	return best;
}

/* The header: the first line with 2+ fields that the next non-empty line
 * matches; the lines above are titles. */
static void
find_csv_header(struct sniff *s, char **lines, size_t n)
{
	size_t i, k, want;

	for (i = 0; i < n; i++) {
		want = count_fields(lines[i], s->delim);
		for (k = i + 1; k < n && !*lines[k]; k++)
			;
		if (want >= 2 && k < n && count_fields(lines[k], s->delim) ==
		    want) {
			s->skip_rows = (long)i;
			return;
		}
		if (*lines[i] && s->ntitles < 8) {
			s->title[s->ntitles] = nz_strdup(lines[i]);
			s->title_line[s->ntitles++] = (long)i + 1;
		}
	}
	nz_die(NZ_EXIT_DATA, "%s: no header found: no line with two or more "
	    "fields followed by a line with as many (delimiter '%s')",
	    s->path, s->delim == '\t' ? "\\t" : (char[2]){s->delim, 0});
}

/* ==== workbooks: the sheet and its header ==== */

static nz_rows *
open_rows(const struct sniff *s, long skip_rows, const char *sheet,
    long sheet_index)
{
	nz_rows_opts o = {s->format, s->encoding, s->delim, skip_rows, sheet,
	    sheet_index, 0};
	nz_rows *r = nz_rows_open(s->path, &o);

	if (!r)   /* a workbook that cannot be read: said */
		exit(NZ_EXIT_DATA);
	return r;
}

static size_t
filled_cells(const nz_row *row)
{
	size_t i, n = 0;

	for (i = 0; i < row->nfields; i++)
		n += row->len[i] > 0;
	return n;
}

/* Rows of sheet number i (from 1) with a value, up to a limit. */
static long
sheet_rows(struct sniff *s, long i)
{
	nz_rows *r = open_rows(s, 0, NULL, i);
	nz_row *row;
	long n = 0;

	while (n < 100000 && nz_rows_next(r, &row) > 0)
		n++;
	nz_rows_close(r);
	return n;
}

/* The sheet asked for, else the one with the most rows. */
static void
pick_sheet(struct sniff *s, const char *asked)
{
	long index = 0, rows, best_rows = -1;
	char *const *names;
	nz_rows *r;
	size_t n, i;

	if (asked && nz_parse_long(asked, 1, 65535, &index) == 0)
		asked = NULL;   /* a number: the sheet's place */
	r = open_rows(s, 0, asked, asked ? 0 : index ? index : 1);
	names = nz_rows_sheets(r, &n);
	if (asked || index) {
		s->sheet = nz_strdup(asked ? asked : names[index - 1]);
	} else {
		for (i = 0; i < n; i++)
			if ((rows = sheet_rows(s, (long)i + 1)) > best_rows) {
				best_rows = rows;
				s->sheet = nz_strdup(names[i]);
			}
		if (n > 1)
			nz_buf_printf(&s->todo, "sheet: %s has the most rows of "
			    "the %zu sheets; set \"sheet\" if the visits are in "
			    "another\n", nz_q(s->sheet), n);
	}
	nz_rows_close(r);
}

/* The header: the first row with 2+ values whose next row has 2+ too;
 * the rows above are titles (their first value each). */
static void
find_sheet_header(struct sniff *s)
{
	nz_rows *r = open_rows(s, 0, s->sheet, 0);
	nz_row *row;
	long prev_line = 0;
	size_t prev_filled = 0;
	char *prev_first = NULL;

	while (nz_rows_next(r, &row) > 0) {
		if (prev_filled >= 2 && filled_cells(row) >= 2) {
			s->skip_rows = prev_line - 1;
			free(prev_first);
			nz_rows_close(r);
			return;
		}
		if (prev_first && s->ntitles < 8) {
			s->title[s->ntitles] = prev_first;
			s->title_line[s->ntitles++] = prev_line;
		} else {
			free(prev_first);
		}
		prev_first = NULL;
		prev_filled = filled_cells(row);
		prev_line = row->line;
		for (size_t i = 0; i < row->nfields && !prev_first; i++)
			if (row->len[i])
				prev_first = nz_strdup(row->field[i]);
	}
	free(prev_first);
	nz_die(NZ_EXIT_DATA, "%s: no header found in sheet %s: no row with "
	    "two or more values followed by another", s->path, nz_q(s->sheet));
}

/* ==== the rows: what each column holds ==== */

static int
is_yes_no(const char *v)
{
	size_t i;

	for (i = 0; i < sizeof yes_no / sizeof *yes_no; i++)
		if (strcasecmp(v, yes_no[i]) == 0)
			return 1;
	return 0;
}

static void
look_at_value(struct column *c, const char *v, int type)
{
	unsigned set = 0;
	int y, m, d;
	size_t i;

	if (!*v)
		return;
	c->filled++;
	c->yes_no += is_yes_no(v);
	if (type == NZ_CELL_DATE)
		c->date_cells++;
	for (i = 0; i < NDATE_CANDIDATES; i++)
		if (nz_parse_date(v, date_candidates[i], &y, &m, &d) == 0) {
			c->date_ok[i]++;
			set |= 1u << i;
		}
	if (set) {
		if (!c->by_formats)
			c->by_formats = nz_calloc(1u << NDATE_CANDIDATES,
			    sizeof *c->by_formats);
		c->by_formats[set]++;
	}
	for (i = 0; i < NSEPARATORS; i++)
		c->sep[i] += strstr(v, separators[i]) != NULL;
}

/* A trailer: a last row whose first value is text with a ':' or the
 * word "total", and nothing else. */
static void
look_at_last(struct sniff *s, const char *first, size_t filled)
{
	const char *colon = strchr(first, ':');
	char lower[64];
	size_t i;

	for (i = 0; i + 1 < sizeof lower && first[i]; i++)
		lower[i] = (char)tolower((unsigned char)first[i]);
	lower[i] = '\0';
	if (!isalpha((unsigned char)*first) || filled > 1 ||
	    (!colon && !strstr(lower, "total")))
		return;
	s->trailer = colon ? nz_strndup(first, (size_t)(colon - first + 1)) :
	    nz_strndup(first, strcspn(first, "0123456789"));
	nz_trim(s->trailer);
}

static void
read_header(struct sniff *s, nz_row *row)
{
	size_t i;

	s->header_line = row->line;
	for (i = 0; i < row->nfields && s->ncols < MAX_COLUMNS; i++) {
		nz_trim_len(row->field[i], &row->len[i]);
		s->col[s->ncols].field = -1;
		s->col[s->ncols++].name = nz_strdup(row->field[i]);
	}
	/* a workbook's header ends at its last named column */
	while (s->format != NZ_FORMAT_CSV && s->ncols &&
	    !*s->col[s->ncols - 1].name)
		free(s->col[--s->ncols].name);
}

static void
read_rows(struct sniff *s)
{
	nz_rows *r = open_rows(s, s->skip_rows, s->sheet, 0);
	nz_buf last = {0};
	size_t i, last_filled = 0;
	nz_row *row;
	int got;

	if ((got = nz_rows_next(r, &row)) <= 0)
		nz_die(NZ_EXIT_DATA, "%s: no header row", s->path);
	read_header(s, row);
	nz_rows_set_width(r, s->ncols);
	while ((got = nz_rows_next(r, &row)) > 0) {
		if (s->rows++ < SAMPLE_ROWS)
			for (i = 0; i < row->nfields && i < s->ncols; i++) {
				nz_trim_len(row->field[i], &row->len[i]);
				look_at_value(&s->col[i], row->field[i],
				    row->type ? row->type[i] : NZ_CELL_TEXT);
			}
		nz_buf_clear(&last);
		nz_buf_add(&last, row->field[0], row->len[0]);
		last_filled = filled_cells(row);
	}
	if (got < 0)
		exit(NZ_EXIT_DATA);
	nz_rows_close(r);
	if (last.s)
		look_at_last(s, nz_trim(last.s), last_filled);
	nz_buf_free(&last);
}

/* ==== the columns: canonical fields by header name ==== */

/* the header name in lower case letters and digits only */
static void
squash(const char *name, char *out, size_t cap)
{
	size_t n = 0;

	for (; *name && n + 1 < cap; name++)
		if (isalnum((unsigned char)*name))
			out[n++] = (char)tolower((unsigned char)*name);
	out[n] = '\0';
}

static int
is_any(const char *h, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(h, *words) == 0)
			return 1;
	return 0;
}

static int
has_any(const char *h, const char *const *words)
{
	for (; *words; words++)
		if (strstr(h, *words))
			return 1;
	return 0;
}

#define W(...) ((const char *const []){__VA_ARGS__, NULL})

/* The canonical field a header name stands for, or -1; *rank orders the
 * region's fallbacks (region, town, suburb, district). */
static int
field_of(const char *h, int *rank)
{
	*rank = 0;
	if (is_any(h, W("id", "nhi", "client", "personid", "customerid")) ||
	    (strstr(h, "client") && has_any(h, W("id", "no", "number", "ref",
	    "code"))))
		return NZ_PF_CLIENT_ID;
	if (is_any(h, W("household", "family", "whanau")) || (has_any(h,
	    W("household", "family", "whanau")) && has_any(h, W("id", "no",
	    "number", "ref", "code"))))
		return NZ_PF_HOUSEHOLD_ID;
	if (has_any(h, W("dob", "birth")))
		return NZ_PF_BIRTH_DATE;
	if (is_any(h, W("date", "visit", "visitdate", "dateofvisit",
	    "servicedate", "dateofservice", "eventdate", "contactdate",
	    "appointmentdate", "attendancedate", "sessiondate")) ||
	    (strstr(h, "date") && has_any(h, W("visit", "event", "contact",
	    "attend", "appointment"))))
		return NZ_PF_EVENT_DATE;
	if (is_any(h, W("age", "ageyears", "ageatvisit")))
		return NZ_PF_AGE;
	if (is_any(h, W("gender", "sex", "genderidentity")))
		return NZ_PF_GENDER;
	if (strstr(h, "ethnic"))
		return NZ_PF_ETHNICITY;
	if (is_any(h, W("area", "regionarea")) || has_any(h, W("region",
	    "town", "city", "suburb", "locality", "district"))) {
		*rank = has_any(h, W("region", "area")) ? 0 : has_any(h,
		    W("town", "city")) ? 1 : has_any(h, W("suburb", "locality")) ?
		    2 : 3;
		return NZ_PF_REGION;
	}
	if (has_any(h, W("householdtype", "householdcomposition",
	    "familytype", "householdstructure")))
		return NZ_PF_HOUSEHOLD;
	if (has_any(h, W("income", "benefit")))
		return NZ_PF_INCOME;
	if (has_any(h, W("housing", "tenure", "accommodation", "living")))
		return NZ_PF_HOUSING;
	if (has_any(h, W("need", "reason", "presenting", "issue")))
		return NZ_PF_NEED;
	if (has_any(h, W("service", "support", "assistance")))
		return NZ_PF_SERVICE;
	if (has_any(h, W("parcel", "units", "quantity", "nights", "voucher")))
		return NZ_PF_UNITS;
	if (has_any(h, W("worker", "casemanager", "staff", "team", "site",
	    "office", "branch")))
		return NZ_PF_WORKER;
	if (strstr(h, "referr"))
		return NZ_PF_REFERRAL;
	return -1;
}

static int
all_yes_no(const struct column *c)
{
	return c->filled && c->yes_no == c->filled;
}

/* Each column to at most one field; single-valued fields take the first
 * column (the region its fallbacks, in rank order). */
static void
match_columns(struct sniff *s)
{
	char h[256];
	int taken[NZ_PF_COUNT] = {0}, rank, f;
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		squash(s->col[i].name, h, sizeof h);
		if (!*h || (f = field_of(h, &rank)) < 0)
			continue;
		/* "Rent or housing: Yes/No" is a need, not a housing type */
		if (all_yes_no(&s->col[i]) && f >= NZ_PF_GENDER &&
		    f != NZ_PF_UNITS)
			continue;
		if (f != NZ_PF_REGION && !nz_pfields[f].multi && taken[f]) {
			nz_buf_printf(&s->todo, "%s: also column %s looks like "
			    "it; the profile uses the first\n", nz_pfields[f].name,
			    nz_q(s->col[i].name));
			continue;
		}
		taken[f] = 1;
		s->col[i].field = f;
	}
	/* yes/no columns nothing else took: indicators of needs */
	for (i = 0; i < s->ncols; i++)
		if (s->col[i].field < 0 && all_yes_no(&s->col[i]) &&
		    !taken[NZ_PF_NEED])
			s->col[i].field = NZ_PF_COUNT;  /* an indicator */
}

static int
region_rank(const struct column *c)
{
	char h[256];
	int rank;

	squash(c->name, h, sizeof h);
	field_of(h, &rank);
	return rank;
}

/* ==== date formats and the export date ==== */

/* The formats, in order, that together read the most of the date
 * columns' values: each time the one that reads the most values the
 * chosen ones do not (ties: the earlier candidate, day before month);
 * ISO is left out, normalise always tries it.  Into formats, a json
 * array. */
static void
pick_date_formats(const struct sniff *s, json_t *formats)
{
	unsigned chosen = 0, m, best_bit;
	long gain, best;
	size_t i, c;

	for (;;) {
		best = 0;
		best_bit = 0;
		for (i = 0; i < NDATE_CANDIDATES; i++) {
			if (chosen & (1u << i))
				continue;
			gain = 0;
			for (c = 0; c < s->ncols; c++) {
				const struct column *col = &s->col[c];
				if (!col->by_formats ||
				    (col->field != NZ_PF_EVENT_DATE &&
				    col->field != NZ_PF_BIRTH_DATE))
					continue;
				for (m = 1; m < 1u << NDATE_CANDIDATES; m++)
					if ((m & (1u << i)) && !(m & chosen))
						gain += col->by_formats[m];
			}
			if (gain > best) {
				best = gain;
				best_bit = 1u << i;
			}
		}
		if (!best)
			return;
		chosen |= best_bit;
		for (i = 0; best_bit >> i != 1; i++)
			;
		if (strcmp(date_candidates[i], "%Y-%m-%d") != 0 &&
		    !(s->format != NZ_FORMAT_CSV &&
		    strcmp(date_candidates[i], "excel") == 0))
			json_array_append_new(formats,
			    json_string(date_candidates[i]));
	}
}

/* A date at the end of a title line (a time after it allowed): the
 * export date, as {"line": N, "format": "Report run: %d-%b-%Y"}. */
static json_t *
export_date(const struct sniff *s)
{
	nz_buf text = {0}, fmt = {0};
	size_t t, at, i, len;
	const char *p;
	json_t *out;
	int y, m, d;

	for (t = 0; t < s->ntitles; t++) {
		nz_buf_clear(&text);
		len = strlen(s->title[t]);
		p = nz_trim_span(s->title[t], &len);
		while (len && (p[len - 1] == s->delim || p[len - 1] == ' '))
			len--;
		if (len >= 2 && p[0] == '"' && p[len - 1] == '"')
			p++, len -= 2;
		nz_buf_add(&text, p, len);
		for (at = 0; at < text.len; at++)
			for (i = 0; i + 1 < NDATE_CANDIDATES; i++) {
				if (nz_parse_date(text.s + at, date_candidates[i],
				    &y, &m, &d) != 0)
					continue;
				nz_buf_clear(&fmt);
				for (p = text.s; p < text.s + at; p++)
					nz_buf_adds(&fmt, *p == '%' ? "%%" :
					    (char[2]){*p, 0});
				nz_buf_adds(&fmt, date_candidates[i]);
				out = json_pack("{s:I,s:s%}", "line",
				    (json_int_t)s->title_line[t], "format",
				    fmt.s, fmt.len);
				nz_buf_free(&text);
				nz_buf_free(&fmt);
				return out;
			}
	}
	nz_buf_free(&text);
	nz_buf_free(&fmt);
	return NULL;
}

/* ==== the profile ==== */

/* The separator most of a column's values hold, if enough do. */
static const char *
common_separator(const struct column *c)
{
	long best = 0;
	size_t i, pick = 0;

	for (i = 0; i < NSEPARATORS; i++)
		if (c->sep[i] > best) {
			best = c->sep[i];
			pick = i;
		}
	/* ties go to the earlier: "; " is in every value ";" is in */
	if (best < 2 || best * 20 < c->filled)
		return NULL;
	return separators[pick];
}

static void
say(struct sniff *s, const char *field, const struct column *c,
    const char *how)
{
	nz_warn("%s: %s (%ld of %ld values filled%s%s)", field, nz_q(c->name),
	    c->filled, s->rows < SAMPLE_ROWS ? s->rows : SAMPLE_ROWS,
	    how ? "; " : "", how ? how : "");
}

static json_t *
multi_source(struct sniff *s, int f, const size_t *idx, size_t n)
{
	const char *sep = NULL, *one;
	json_t *names = json_array();
	size_t k;

	for (k = 0; k < n; k++) {
		json_array_append_new(names, json_string(s->col[idx[k]].name));
		if ((one = common_separator(&s->col[idx[k]])) != NULL)
			sep = one;
		say(s, nz_pfields[f].name, &s->col[idx[k]], one ?
		    "values split on the separator" : NULL);
	}
	if (sep) {
		json_t *o = json_object();
		json_object_set_new(o, n == 1 ? "column" : "columns", n == 1 ?
		    json_incref(json_array_get(names, 0)) : json_incref(names));
		json_object_set_new(o, "separator", json_string(sep));
		json_decref(names);
		return o;
	}
	if (n == 1) {
		json_t *v = json_incref(json_array_get(names, 0));
		json_decref(names);
		return v;
	}
	return names;
}

static int
cmp_rank(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) -
	    (*(const int *)a < *(const int *)b);
}

static json_t *
single_source(struct sniff *s, int f, size_t *idx, size_t n)
{
	int rank[MAX_COLUMNS][2];
	json_t *names;
	size_t k;

	if (n == 1) {
		say(s, nz_pfields[f].name, &s->col[idx[0]], NULL);
		return json_string(s->col[idx[0]].name);
	}
	for (k = 0; k < n; k++) {
		rank[k][0] = region_rank(&s->col[idx[k]]) * MAX_COLUMNS + (int)k;
		rank[k][1] = (int)idx[k];
	}
	qsort(rank, n, sizeof *rank, cmp_rank);
	names = json_array();
	for (k = 0; k < n; k++) {
		json_array_append_new(names, json_string(s->col[rank[k][1]].name));
		say(s, nz_pfields[f].name, &s->col[rank[k][1]], k ? "a fallback"
		    : "first_of: the first non-empty of these");
	}
	return json_pack("{s:o}", "first_of", names);
}

static json_t *
indicators(struct sniff *s)
{
	json_t *ind = json_object();
	size_t i;

	for (i = 0; i < s->ncols; i++)
		if (s->col[i].field == NZ_PF_COUNT) {
			json_object_set_new(ind, s->col[i].name,
			    json_string(s->col[i].name));
			say(s, "need", &s->col[i], "a yes/no column: an indicator");
		}
	if (!json_object_size(ind)) {
		json_decref(ind);
		return NULL;
	}
	nz_buf_printf(&s->todo, "need: the yes/no columns are taken as need "
	    "indicators, each standing for its own name (mapped in map.json); "
	    "move those that are not needs (services, consent) or drop them\n");
	return json_pack("{s:o}", "indicators", ind);
}

static json_t *
columns(struct sniff *s)
{
	json_t *cols = json_object(), *ind;
	size_t idx[MAX_COLUMNS], n, i;
	int f;

	for (f = 0; f < NZ_PF_COUNT; f++) {
		for (n = i = 0; i < s->ncols; i++)
			if (s->col[i].field == f)
				idx[n++] = i;
		if (f == NZ_PF_AGE && n && json_object_get(cols, "birth_date"))
			continue;
		if (n)
			json_object_set_new(cols, nz_pfields[f].name,
			    nz_pfields[f].multi ? multi_source(s, f, idx, n) :
			    single_source(s, f, idx, n));
		if (f == NZ_PF_NEED && !n && (ind = indicators(s)) != NULL)
			json_object_set_new(cols, "need", ind);
	}
	return cols;
}

/* What the officer still has to do, said once the profile is written;
 * 1 if the profile cannot be used yet (no client id or event date). */
static int
left_to_do(struct sniff *s, json_t *cols)
{
	nz_buf unused = {0};
	size_t i;
	int missing = 0;

	for (i = 0; i < s->ncols; i++)
		if (s->col[i].field < 0 && *s->col[i].name)
			nz_buf_printf(&unused, "%s%s", unused.len ? ", " : "",
			    nz_q(s->col[i].name));
	if (unused.len)
		nz_warn("not used (never read): %s", unused.s);
	nz_buf_free(&unused);
	for (i = 0; i < 2; i++) {
		const char *f = i ? "event_date" : "client_id";
		if (json_object_get(cols, f))
			continue;
		nz_buf_printf(&s->todo, "%s: no column looks like it; name it "
		    "in \"columns\" (it is required)\n", f);
		missing = 1;
	}
	if (!json_object_get(cols, "region"))
		nz_buf_printf(&s->todo, "region: no region, town or suburb "
		    "column; name one in \"columns\" if the export has it\n");
	nz_buf_printf(&s->todo, "regions: list the regional councils the "
	    "agency serves (codes in pipelines/codes/region.json); without it "
	    "every region is covered\n");
	nz_warn("left to do in the profile:");
	fputs(s->todo.s, stderr);
	return missing;
}

static json_t *
profile(struct sniff *s)
{
	json_t *p = json_object(), *formats = json_array(), *cols, *ed;

	json_object_set_new(p, "agency", json_string(s->agency));
	if (s->format != NZ_FORMAT_CSV) {
		json_object_set_new(p, "format", json_string(s->format ==
		    NZ_FORMAT_XLSX ? "xlsx" : "xls"));
		json_object_set_new(p, "sheet", json_string(s->sheet));
	} else {
		json_object_set_new(p, "encoding", json_string(s->encoding));
		json_object_set_new(p, "delimiter", json_string(s->delim ==
		    '\t' ? "\t" : s->delim == ';' ? ";" : ","));
	}
	json_object_set_new(p, "skip_rows", json_integer(s->skip_rows));
	if ((ed = export_date(s)) != NULL) {
		nz_warn("export_date: line %lld, %s", (long long)
		    json_integer_value(json_object_get(ed, "line")), nz_q(
		    json_string_value(json_object_get(ed, "format"))));
		json_object_set_new(p, "export_date", ed);
	}
	if (s->trailer) {
		json_object_set_new(p, "trailer_prefix", json_string(s->trailer));
		nz_warn("trailer_prefix: %s (the last row)", nz_q(s->trailer));
	}
	cols = columns(s);
	pick_date_formats(s, formats);
	json_object_set_new(p, "date_formats", formats);
	json_object_set_new(p, "columns", cols);
	return p;
}

static void
sniff_export(struct sniff *s, const char *sheet)
{
	char **lines;
	size_t n, i;

	s->format = sniff_format(s->path);
	if (s->format == NZ_FORMAT_CSV) {
		s->encoding = sniff_encoding(s->path);
		n = read_lines(s, &lines);
		s->delim = pick_delim(lines, n);
		find_csv_header(s, lines, n);
		for (i = 0; i < n; i++)
			free(lines[i]);
		free(lines);
	} else {
		s->encoding = "utf-8";
		s->delim = ',';
		pick_sheet(s, sheet);
		find_sheet_header(s);
	}
	read_rows(s);
	nz_warn("%s: %s%s%s%s, header on %s %ld, %ld rows below it", s->path,
	    s->format == NZ_FORMAT_XLSX ? "xlsx, sheet " : s->format ==
	    NZ_FORMAT_XLS ? "xls, sheet " : "csv, ", s->format ==
	    NZ_FORMAT_CSV ? s->encoding : nz_q(s->sheet), s->format ==
	    NZ_FORMAT_CSV ? ", delimiter " : "", s->format == NZ_FORMAT_CSV ?
	    (s->delim == '\t' ? "tab" : s->delim == ';' ? "';'" : "','") : "",
	    s->format == NZ_FORMAT_CSV ? "line" : "row", s->header_line,
	    s->rows);
}

static void
free_sniff(struct sniff *s)
{
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		free(s->col[i].name);
		free(s->col[i].by_formats);
	}
	for (i = 0; i < s->ntitles; i++)
		free(s->title[i]);
	free(s->trailer);
	nz_buf_free(&s->todo);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"agency", required_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'},
		{"sheet", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static struct sniff s;   /* static: reachable on every exit */
	const char *output = "-", *sheet = NULL;
	json_t *p;
	FILE *out;
	int c, missing;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "a:o:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'a': s.agency = optarg; break;
		case 'o': output = optarg; break;
		case 's': sheet = optarg; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default:
			fprintf(stderr, "Try '%s --help' for more "
			    "information.\n", nz_prog);
			return NZ_EXIT_USAGE;
		}
	}
	if (!s.agency)
		nz_usage_error("missing --agency CODE");
	if (!nz_agency_valid(s.agency))
		nz_usage_error("invalid agency code %s (use a-z, 0-9 and '-', "
		    "2 to 16 characters)", nz_q(s.agency));
	if (argc - optind != 1 || strcmp(argv[optind], "-") == 0)
		nz_usage_error("expected one EXPORT file (not standard input: "
		    "it is read several times)");
	s.path = argv[optind];

	sniff_export(&s, sheet);
	match_columns(&s);
	p = profile(&s);
	nz_hold(p);
	missing = left_to_do(&s, json_object_get(p, "columns"));
	out = nz_fopen_out(output);
	if (json_dumpf(p, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		nz_die(NZ_EXIT_DATA, "%s: write error", output);
	putc('\n', out);
	if (out != stdout)
		nz_fclose_out(out, output);
	nz_drop(p);
	json_decref(p);
	free_sniff(&s);
	c = nz_close_stdout();
	return missing ? NZ_EXIT_DATA : c;
}
