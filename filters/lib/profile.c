/* profile.c: the agency profile (pipelines/FORMATS.md), loaded and
 * checked in one place for normalise, aggregate and manifest.
 *
 * Every value is validated once, at load, with the file and the line of
 * its key; normalise then only looks columns up in the export's header.
 * The coverage (the profile's "regions") is checked against the national
 * region list by nz_coverage, which --regions uses as well.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nz.h"

const struct nz_pfield_info nz_pfields[NZ_PF_COUNT] = {
	[NZ_PF_CLIENT_ID] = {"client_id", 0},
	[NZ_PF_HOUSEHOLD_ID] = {"household_id", 0},
	[NZ_PF_EVENT_DATE] = {"event_date", 0},
	[NZ_PF_BIRTH_DATE] = {"birth_date", 0},
	[NZ_PF_AGE] = {"age", 0},
	[NZ_PF_GENDER] = {"gender", 0},
	[NZ_PF_ETHNICITY] = {"ethnicity", 1},
	[NZ_PF_REGION] = {"region", 0},
	[NZ_PF_HOUSEHOLD] = {"household", 0},
	[NZ_PF_INCOME] = {"income", 1},
	[NZ_PF_HOUSING] = {"housing", 0},
	[NZ_PF_NEED] = {"need", 1},
	[NZ_PF_SERVICE] = {"service", 1},
	[NZ_PF_UNITS] = {"units", 0},
	[NZ_PF_WORKER] = {"worker", 0},
	[NZ_PF_REFERRAL] = {"referral", 0},
};

static const char *const default_yes[] = {"yes", "y", "1", "true", "x"};
static const char *const default_units_missing[] = {"N/A", "NA", "n/a", "-",
    "none"};

static _Noreturn void __attribute__((format(printf, 3, 4)))
profile_error(const nz_profile *p, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	nz_dieat(NZ_EXIT_DATA, p->path,
	    key ? nz_json_key_line(p->path, key, 1) : 0, "%s", msg);
}

/* ---- strings and lists of strings ---- */

static const char *
nonempty_string(const nz_profile *p, const char *key, json_t *v,
    const char *what)
{
	if (!json_is_string(v) || json_string_length(v) == 0)
		profile_error(p, key, "%s must be a non-empty string", what);
	return json_string_value(v);
}

/* An array of non-empty strings into a new array; *n its size. */
static const char **
string_list(const nz_profile *p, const char *key, json_t *v, size_t *n,
    int may_be_empty)
{
	const char **out;
	size_t i;

	if (!json_is_array(v) || (!may_be_empty && json_array_size(v) == 0))
		profile_error(p, key, "\"%s\" must be a%s array of strings", key,
		    may_be_empty ? "n" : " non-empty");
	*n = json_array_size(v);
	out = nz_calloc(*n ? *n : 1, sizeof *out);
	for (i = 0; i < *n; i++)
		out[i] = nonempty_string(p, key, json_array_get(v, i),
		    "each value of this list");
	return out;
}

static const char **
static_list(const char *const *list, size_t n)
{
	const char **out = nz_calloc(n, sizeof *out);

	memcpy(out, list, n * sizeof *out);
	return out;
}

/* ---- columns ---- */

static void
set_columns(const nz_profile *p, nz_source *src, const char *field,
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
			src->col_name[i] = nonempty_string(p, field,
			    json_array_get(v, i), "a column name");
	} else {
		src->ncols = 1;
		src->col_name = nz_calloc(1, sizeof *src->col_name);
		src->col_name[0] = nonempty_string(p, field, v, "a column name");
	}
	src->col_index = nz_calloc(src->ncols, sizeof *src->col_index);
}

static void
only_keys(const nz_profile *p, const char *field, json_t *obj,
    const char *const *keys, size_t nkeys, const char *expected)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; i < nkeys && strcmp(key, keys[i]) != 0; i++)
			;
		if (i == nkeys)
			profile_error(p, key, "unknown key \"%s\" in field "
			    "'%s' (expected %s)", key, field, expected);
	}
}

/* {"column": "Needs", "separator": "; "} or {"columns": [...], ...} */
static void
load_split(const nz_profile *p, nz_source *src, const char *field,
    json_t *obj)
{
	static const char *const keys[] = {"column", "columns", "separator"};
	json_t *one = json_object_get(obj, "column");
	json_t *many = json_object_get(obj, "columns");
	json_t *sep = json_object_get(obj, "separator");

	only_keys(p, field, obj, keys, 3, "column or columns, and separator");
	if (!one == !many)
		profile_error(p, field, "field '%s' needs exactly one of "
		    "\"column\" and \"columns\"", field);
	if (many && !json_is_array(many))
		profile_error(p, field, "\"columns\" of field '%s' must be an "
		    "array", field);
	if (!json_is_string(sep) || json_string_length(sep) == 0)
		profile_error(p, field, "field '%s' needs a non-empty "
		    "\"separator\" string", field);
	set_columns(p, src, field, one ? one : many);
	src->kind = NZ_SOURCE_SPLIT;
	src->separator = json_string_value(sep);
}

/* {"indicators": {"Food": "food", ...}, "yes": ["Yes", "Y"]} */
static void
load_indicators(const nz_profile *p, nz_source *src, const char *field,
    json_t *obj)
{
	static const char *const keys[] = {"indicators", "yes"};
	json_t *ind = json_object_get(obj, "indicators");
	json_t *yes = json_object_get(obj, "yes");
	const char *column;
	json_t *v;
	size_t i = 0;

	only_keys(p, field, obj, keys, 2, "indicators and yes");
	if (!json_is_object(ind) || json_object_size(ind) == 0)
		profile_error(p, field, "\"indicators\" of field '%s' must be "
		    "an object of column: value", field);
	src->kind = NZ_SOURCE_INDICATORS;
	src->ncols = json_object_size(ind);
	src->col_name = nz_calloc(src->ncols, sizeof *src->col_name);
	src->col_index = nz_calloc(src->ncols, sizeof *src->col_index);
	src->value = nz_calloc(src->ncols, sizeof *src->value);
	json_object_foreach(ind, column, v) {
		if (!*column)
			profile_error(p, field, "an indicator column of field "
			    "'%s' has an empty name", field);
		src->col_name[i] = column;
		src->value[i++] = nonempty_string(p, column, v, "the value an "
		    "indicator column stands for");
	}
	if (yes) {
		src->yes = string_list(p, "yes", yes, &src->nyes, 0);
	} else {
		src->nyes = sizeof default_yes / sizeof *default_yes;
		src->yes = static_list(default_yes, src->nyes);
	}
}

static void
load_source(nz_profile *p, int f, json_t *v)
{
	const char *field = nz_pfields[f].name;
	nz_source *src = &p->field[f];
	int multi = nz_pfields[f].multi;

	if (json_is_object(v) && json_object_get(v, "first_of") && multi)
		profile_error(p, field, "field '%s' takes several values: "
		    "\"first_of\" is for single-valued fields (an array of "
		    "columns gives each its value)", field);
	if (json_is_string(v) || (json_is_array(v) && multi)) {
		set_columns(p, src, field, v);
		src->kind = NZ_SOURCE_COLUMNS;
	} else if (json_is_object(v) && json_object_get(v, "indicators") &&
	    multi) {
		load_indicators(p, src, field, v);
	} else if (json_is_object(v) && json_object_get(v, "first_of") &&
	    !multi) {
		static const char *const keys[] = {"first_of"};
		only_keys(p, field, v, keys, 1, "first_of");
		if (!json_is_array(json_object_get(v, "first_of")))
			profile_error(p, field, "\"first_of\" of field '%s' "
			    "must be an array of columns", field);
		set_columns(p, src, field, json_object_get(v, "first_of"));
		src->kind = NZ_SOURCE_FIRST_OF;
	} else if (json_is_object(v) && multi) {
		load_split(p, src, field, v);
	} else {
		profile_error(p, field, "field '%s' must name one column (a "
		    "string)%s", field, multi ? ", an array of columns, "
		    "{\"column\", \"separator\"} or {\"indicators\"}" :
		    " or {\"first_of\": [columns]}");
	}
}

static int
pfield_index(const char *name)
{
	int f;

	for (f = 0; f < NZ_PF_COUNT; f++)
		if (strcmp(nz_pfields[f].name, name) == 0)
			return f;
	return -1;
}

static void
load_columns(nz_profile *p, json_t *columns, unsigned flags)
{
	const char *name;
	json_t *v;
	int f;

	if (!columns) {
		if (flags & NZ_PROFILE_COLUMNS)
			profile_error(p, NULL, "missing key \"columns\"");
		return;
	}
	if (!json_is_object(columns))
		profile_error(p, "columns", "\"columns\" must be an object");
	json_object_foreach(columns, name, v) {
		if ((f = pfield_index(name)) < 0)
			profile_error(p, name, "unknown field \"%s\" in "
			    "\"columns\"", name);
		load_source(p, f, v);
	}
	if (!p->field[NZ_PF_CLIENT_ID].ncols)
		profile_error(p, "columns", "\"columns\" must map client_id");
	if (!p->field[NZ_PF_EVENT_DATE].ncols)
		profile_error(p, "columns", "\"columns\" must map event_date");
	if (p->field[NZ_PF_BIRTH_DATE].ncols && p->field[NZ_PF_AGE].ncols)
		profile_error(p, "age", "map birth_date or age, not both");
}

/* ---- dates ---- */

/* A date format uses only our conversions and gives day, month, year
 * once each, or is one of the Excel serial formats.  literal: text
 * around the date is expected (export_date). */
int
nz_date_format_valid(const char *fmt)
{
	int day = 0, month = 0, year = 0;

	if (strcmp(fmt, "excel") == 0 || strcmp(fmt, "excel-1904") == 0)
		return 1;
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

/* The format with day and month exchanged (%d or %e <-> %m), to tell a
 * profile whose day/month order is the export's reverse; NULL when the
 * month is a name or the format is an Excel serial. */
static char *
swap_day_month(const char *fmt)
{
	char *out, *c;

	if (strncmp(fmt, "excel", 5) == 0)
		return NULL;
	out = nz_strdup(fmt);
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
load_date_formats(nz_profile *p, json_t *formats)
{
	size_t i;

	if (!formats)
		return;
	if (!json_is_array(formats))
		profile_error(p, "date_formats", "\"date_formats\" must be an "
		    "array of strings");
	p->ndate_formats = json_array_size(formats);
	p->date_formats = nz_calloc(p->ndate_formats + 1,
	    sizeof *p->date_formats);
	p->swapped_formats = nz_calloc(p->ndate_formats + 1,
	    sizeof *p->swapped_formats);
	for (i = 0; i < p->ndate_formats; i++) {
		json_t *v = json_array_get(formats, i);
		if (!json_is_string(v) ||
		    !nz_date_format_valid(json_string_value(v)))
			profile_error(p, "date_formats", "date format %zu "
			    "must be a string using one each of day (%%d), "
			    "month (%%m or %%b) and year (%%Y or %%y), or "
			    "\"excel\" or \"excel-1904\"", i + 1);
		p->date_formats[i] = json_string_value(v);
		p->swapped_formats[i] = swap_day_month(p->date_formats[i]);
	}
}

/* "export_date": {"line": N, "format": "Report run: %d-%b-%Y"} */
static void
load_export_date(nz_profile *p, json_t *v)
{
	static const char *const keys[] = {"line", "format"};
	json_t *line, *fmt;

	if (!v)
		return;
	if (!json_is_object(v))
		profile_error(p, "export_date", "\"export_date\" must be an "
		    "object {\"line\": N, \"format\": \"...%%d/%%m/%%Y...\"}");
	only_keys(p, "export_date", v, keys, 2, "line and format");
	line = json_object_get(v, "line");
	fmt = json_object_get(v, "format");
	if (!json_is_integer(line) || json_integer_value(line) < 1 ||
	    json_integer_value(line) > p->skip_rows)
		profile_error(p, "export_date", "\"line\" of \"export_date\" "
		    "must be a title line, 1 to skip_rows (%ld)", p->skip_rows);
	if (!json_is_string(fmt) || strncmp(json_string_value(fmt), "excel",
	    5) == 0 || !nz_date_format_valid(json_string_value(fmt)))
		profile_error(p, "export_date", "\"format\" of \"export_date\" "
		    "must be a date format (one each of %%d, %%m or %%b, %%Y "
		    "or %%y) with the text around it");
	p->export_date_line = (long)json_integer_value(line);
	p->export_date_format = json_string_value(fmt);
}

static void
load_data_from(nz_profile *p, json_t *root)
{
	const char *s = nz_json_str(p->path, root, "data_from", "");
	int y, m, d;

	if (!json_object_get(root, "data_from"))
		return;
	if (nz_parse_iso_date(s, &y, &m, &d) < 0)
		profile_error(p, "data_from", "\"data_from\" must be a date "
		    "YYYY-MM-DD, not %s", nz_q(s));
	p->data_from = s;
}

/* ---- reading the export: format, sheet, encoding, delimiter ---- */

static void
load_format(nz_profile *p, json_t *root)
{
	const char *format = nz_json_str(p->path, root, "format", "csv");
	json_t *sheet = json_object_get(root, "sheet");

	if (strcmp(format, "csv") == 0)
		p->format = NZ_FORMAT_CSV;
	else if (strcmp(format, "xlsx") == 0)
		p->format = NZ_FORMAT_XLSX;
	else if (strcmp(format, "xls") == 0)
		p->format = NZ_FORMAT_XLS;
	else
		profile_error(p, "format", "unsupported format %s (use csv, "
		    "xlsx or xls)", nz_q(format));
	if (p->format != NZ_FORMAT_CSV) {
		if (json_object_get(root, "encoding"))
			profile_error(p, "encoding", "\"encoding\" does not "
			    "apply to an %s workbook: remove it", format);
		if (json_object_get(root, "delimiter"))
			profile_error(p, "delimiter", "\"delimiter\" does not "
			    "apply to an %s workbook: remove it", format);
	} else if (sheet) {
		profile_error(p, "sheet", "\"sheet\" applies only to format "
		    "xlsx or xls");
	}
	if (json_is_integer(sheet) && (json_integer_value(sheet) < 1 ||
	    json_integer_value(sheet) > 65535))
		profile_error(p, "sheet", "\"sheet\" as a number counts the "
		    "sheets from 1");
	if (json_is_integer(sheet))
		p->sheet_index = (long)json_integer_value(sheet);
	else if (sheet)
		p->sheet_name = nonempty_string(p, "sheet", sheet, "\"sheet\" "
		    "(a sheet name, or its number from 1)");
}

static void
load_dialect(nz_profile *p, json_t *root)
{
	const char *delim;

	p->encoding = nz_json_str(p->path, root, "encoding", "utf-8");
	if (strcasecmp(p->encoding, "utf-8") != 0 &&
	    strcasecmp(p->encoding, "windows-1252") != 0 &&
	    strcasecmp(p->encoding, "utf-16") != 0)
		profile_error(p, "encoding", "unsupported encoding %s (use "
		    "utf-8, windows-1252 or utf-16)", nz_q(p->encoding));
	delim = nz_json_str(p->path, root, "delimiter", ",");
	if (strcmp(delim, ",") != 0 && strcmp(delim, "\t") != 0 &&
	    strcmp(delim, ";") != 0)
		profile_error(p, "delimiter", "delimiter must be \",\", "
		    "\"\\t\" or \";\", not %s", nz_q(delim));
	p->delim = delim[0];
	p->skip_rows = nz_json_int(p->path, root, "skip_rows", 0);
	if (p->skip_rows < 0)
		profile_error(p, "skip_rows", "\"skip_rows\" must not be "
		    "negative");
	p->trailer_prefix = nz_json_str(p->path, root, "trailer_prefix", "");
	if (!*p->trailer_prefix)
		p->trailer_prefix = NULL;
}

/* ---- value rules and coverage ---- */

static void
load_value_rules(nz_profile *p, json_t *root)
{
	json_t *fold = json_object_get(root, "fold_case");
	json_t *missing = json_object_get(root, "units_missing");
	size_t i;

	if (fold && !json_is_array(fold))
		profile_error(p, "fold_case", "\"fold_case\" must be an array "
		    "of field names");
	for (i = 0; fold && i < json_array_size(fold); i++) {
		const char *name = json_string_value(json_array_get(fold, i));
		if (name && strcmp(name, "client_id") == 0)
			p->fold_case[NZ_PF_CLIENT_ID] = 1;
		else if (name && strcmp(name, "household_id") == 0)
			p->fold_case[NZ_PF_HOUSEHOLD_ID] = 1;
		else
			profile_error(p, "fold_case", "\"fold_case\" takes "
			    "client_id and household_id, not %s",
			    name ? nz_q(name) : "a value that is no string");
	}
	if (missing) {
		p->units_missing = string_list(p, "units_missing", missing,
		    &p->nunits_missing, 1);
	} else {
		p->nunits_missing = sizeof default_units_missing /
		    sizeof *default_units_missing;
		p->units_missing = static_list(default_units_missing,
		    p->nunits_missing);
	}
}

static void
load_regions(nz_profile *p, json_t *regions)
{
	size_t i;

	if (!regions)
		return;
	if (!json_is_array(regions) || json_array_size(regions) == 0)
		profile_error(p, "regions", "\"regions\" must be a non-empty "
		    "array of region codes");
	p->nregions = json_array_size(regions);
	p->regions = nz_calloc(p->nregions, sizeof *p->regions);
	for (i = 0; i < p->nregions; i++) {
		json_t *r = json_array_get(regions, i);
		if (!json_is_string(r))
			profile_error(p, "regions", "\"regions\" must hold "
			    "strings");
		p->regions[i] = json_string_value(r);
	}
}

static void
check_known_keys(const nz_profile *p, json_t *root)
{
	static const char *const known[] = {"agency", "name", "format",
	    "sheet", "encoding", "delimiter", "skip_rows", "trailer_prefix",
	    "date_formats", "data_from", "export_date", "fold_case",
	    "units_missing", "regions", "columns", "assessments"};
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

nz_profile *
nz_profile_load(const char *path, unsigned flags)
{
	nz_profile *p = nz_calloc(1, sizeof *p);
	json_t *root;

	nz_hold(p);   /* all it points to stays reachable on an error exit */
	p->path = path;
	p->root = root = nz_json_load(path);
	check_known_keys(p, root);
	p->agency = nz_json_str(path, root, "agency", NULL);
	if (!nz_agency_valid(p->agency))
		profile_error(p, "agency", "invalid agency code %s (use a-z, "
		    "0-9 and '-', 2 to 16 characters)", nz_q(p->agency));
	nz_json_str(path, root, "name", "");
	load_format(p, root);
	load_dialect(p, root);
	load_date_formats(p, json_object_get(root, "date_formats"));
	load_export_date(p, json_object_get(root, "export_date"));
	load_data_from(p, root);
	load_value_rules(p, root);
	load_regions(p, json_object_get(root, "regions"));
	load_columns(p, json_object_get(root, "columns"), flags);
	return p;
}

void
nz_profile_free(nz_profile *p)
{
	size_t i;
	int f;

	if (!p)
		return;
	for (f = 0; f < NZ_PF_COUNT; f++) {
		free(p->field[f].col_name);
		free(p->field[f].col_index);
		free(p->field[f].value);
		free(p->field[f].yes);
	}
	for (i = 0; i < p->ndate_formats; i++)
		free(p->swapped_formats[i]);
	free(p->swapped_formats);
	free(p->date_formats);
	free(p->units_missing);
	free(p->regions);
	nz_json_free(p->root);
	nz_drop(p);
	free(p);
}

/* ---- coverage ---- */

char *
nz_coverage(const char *const *want, size_t nwant, const nz_codes *region,
    const char *from)
{
	char *keep;
	size_t i;
	int at;

	keep = nz_calloc(region->n ? region->n : 1, 1);
	nz_hold(keep);
	for (i = 0; i < nwant; i++) {
		at = nz_codes_find(region, want[i], strlen(want[i]));
		if (at < 0)
			nz_die(NZ_EXIT_DATA, "%s: region %s is not a code in %s",
			    from, nz_q(want[i]), region->path);
		keep[at] = 1;
	}
	if (!want)
		memset(keep, 1, region->n);
	nz_drop(keep);
	return keep;
}

char *
nz_profile_coverage(const nz_profile *p, const nz_codes *region)
{
	return nz_coverage(p->regions, p->nregions, region, p->path);
}
