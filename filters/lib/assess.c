/* assess.c: the profile's "assessments" object (issue 23, FORMATS.md):
 * where an agency's outcome assessments are and how to read them, and
 * the national outcome domains they are mapped to.  The reading settings
 * the object leaves out are the export's, from the profile.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nz.h"

const char *const nz_assess_col_names[NZ_AC_COUNT] = {
	"client_id", "date", "domain", "score",
};

const char *const nz_outcome_bands[NZ_NBANDS] = {
	"improved", "same", "worse", "unpaired", "not_assessed",
};

static _Noreturn void __attribute__((format(printf, 3, 4)))
assess_error(const char *path, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	nz_dieat(NZ_EXIT_DATA, path, key ? nz_json_key_line(path, key,
	    nz_json_key_line(path, "assessments", 1)) : 0, "%s", msg);
}

static const char *
str_member(const char *path, json_t *obj, const char *key, const char *def)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return def;
	if (!json_is_string(v) || json_string_length(v) == 0)
		assess_error(path, key, "assessments: \"%s\" must be a "
		    "non-empty string", key);
	return json_string_value(v);
}

static void
only_known(const char *path, json_t *obj)
{
	static const char *const known[] = {"file", "format", "sheet",
	    "encoding", "delimiter", "skip_rows", "date_formats", "columns",
	    "scale"};
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; i < sizeof known / sizeof *known; i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (i == sizeof known / sizeof *known && key[0] != '_')
			assess_error(path, key, "assessments: unknown key "
			    "\"%s\" (expected file, format, sheet, encoding, "
			    "delimiter, skip_rows, date_formats, columns, "
			    "scale)", key);
	}
}

static void
load_reading(nz_assess *a, const nz_profile *p, json_t *obj)
{
	const char *format = str_member(p->path, obj, "format",
	    p->format == NZ_FORMAT_XLSX ? "xlsx" : p->format == NZ_FORMAT_XLS ?
	    "xls" : "csv");
	const char *delim;
	json_t *sheet = json_object_get(obj, "sheet");

	a->opts.format = strcmp(format, "csv") == 0 ? NZ_FORMAT_CSV :
	    strcmp(format, "xlsx") == 0 ? NZ_FORMAT_XLSX :
	    strcmp(format, "xls") == 0 ? NZ_FORMAT_XLS : -1;
	if (a->opts.format < 0)
		assess_error(p->path, "format", "assessments: unsupported "
		    "format %s (use csv, xlsx or xls)", nz_q(format));
	if (json_is_integer(sheet) && json_integer_value(sheet) >= 1)
		a->opts.sheet_index = (long)json_integer_value(sheet);
	else if (sheet)
		a->opts.sheet_name = str_member(p->path, obj, "sheet", NULL);
	a->opts.encoding = str_member(p->path, obj, "encoding", p->encoding);
	if (strcasecmp(a->opts.encoding, "utf-8") != 0 &&
	    strcasecmp(a->opts.encoding, "windows-1252") != 0 &&
	    strcasecmp(a->opts.encoding, "utf-16") != 0)
		assess_error(p->path, "encoding", "assessments: unsupported "
		    "encoding %s (use utf-8, windows-1252 or utf-16)",
		    nz_q(a->opts.encoding));
	delim = str_member(p->path, obj, "delimiter", (char[]){p->delim, 0});
	if (strcmp(delim, ",") != 0 && strcmp(delim, "\t") != 0 &&
	    strcmp(delim, ";") != 0)
		assess_error(p->path, "delimiter", "assessments: delimiter "
		    "must be \",\", \"\\t\" or \";\", not %s", nz_q(delim));
	a->opts.delim = delim[0];
	a->opts.skip_rows = nz_json_int(p->path, obj, "skip_rows", 0);
	if (a->opts.skip_rows < 0)
		assess_error(p->path, "skip_rows", "assessments: \"skip_rows\" "
		    "must not be negative");
}

static void
load_date_formats(nz_assess *a, const nz_profile *p, json_t *v)
{
	size_t i;

	if (!v) {
		a->date_formats = p->date_formats;
		a->ndate_formats = p->ndate_formats;
		return;
	}
	if (!json_is_array(v))
		assess_error(p->path, "date_formats", "assessments: "
		    "\"date_formats\" must be an array of date formats");
	a->ndate_formats = json_array_size(v);
	a->own_formats = nz_calloc(a->ndate_formats + 1, sizeof *a->own_formats);
	for (i = 0; i < a->ndate_formats; i++) {
		json_t *f = json_array_get(v, i);
		if (!json_is_string(f) ||
		    !nz_date_format_valid(json_string_value(f)))
			assess_error(p->path, "date_formats", "assessments: "
			    "date format %zu must use one each of %%d, %%m or "
			    "%%b, and %%Y or %%y", i + 1);
		a->own_formats[i] = json_string_value(f);
	}
	a->date_formats = a->own_formats;
}

static void
load_columns(nz_assess *a, const char *path, json_t *cols)
{
	const char *key;
	json_t *v;
	int c;

	if (!json_is_object(cols))
		assess_error(path, "assessments", "assessments: \"columns\" "
		    "must be an object naming the columns client_id, date, "
		    "domain and score");
	json_object_foreach(cols, key, v) {
		for (c = 0; c < NZ_AC_COUNT; c++)
			if (strcmp(key, nz_assess_col_names[c]) == 0)
				break;
		if (c == NZ_AC_COUNT)
			assess_error(path, key, "assessments: unknown column "
			    "\"%s\" (expected client_id, date, domain, score)",
			    key);
	}
	for (c = 0; c < NZ_AC_COUNT; c++) {
		v = json_object_get(cols, nz_assess_col_names[c]);
		if (!json_is_string(v) || json_string_length(v) == 0)
			assess_error(path, "columns", "assessments: columns."
			    "%s must name a column of the assessments file",
			    nz_assess_col_names[c]);
		a->col[c] = json_string_value(v);
	}
}

static void
load_scale(nz_assess *a, const char *path, json_t *scale)
{
	json_t *lo = json_object_get(scale, "min");
	json_t *hi = json_object_get(scale, "max");

	if (!json_is_object(scale) || json_object_size(scale) != 2 ||
	    !json_is_integer(lo) || !json_is_integer(hi) ||
	    json_integer_value(lo) < 0 || json_integer_value(hi) > 1000 ||
	    json_integer_value(lo) >= json_integer_value(hi))
		assess_error(path, "scale", "assessments: \"scale\" must be "
		    "{\"min\": N, \"max\": M}, whole numbers 0 <= N < M <= "
		    "1000");
	a->min = (long)json_integer_value(lo);
	a->max = (long)json_integer_value(hi);
}

/* The file, relative to the profile's folder unless absolute. */
static char *
resolve_file(const nz_profile *p, const char *file)
{
	const char *slash = strrchr(p->path, '/');
	nz_buf b = {0};

	if (file[0] == '/' || !slash)
		nz_buf_adds(&b, file);
	else
		nz_buf_printf(&b, "%.*s/%s", (int)(slash - p->path), p->path,
		    file);
	return b.s;
}

nz_assess *
nz_assess_load(const nz_profile *p)
{
	json_t *obj = json_object_get(p->root, "assessments");
	nz_assess *a;

	if (!obj)
		return NULL;
	if (!json_is_object(obj))
		assess_error(p->path, "assessments", "\"assessments\" must be "
		    "an object (file, columns, scale, and how to read the file "
		    "where it differs from the export)");
	a = nz_calloc(1, sizeof *a);
	nz_hold(a);
	only_known(p->path, obj);
	a->file = resolve_file(p, str_member(p->path, obj, "file",
	    "assessments.csv"));
	load_reading(a, p, obj);
	load_date_formats(a, p, json_object_get(obj, "date_formats"));
	load_columns(a, p->path, json_object_get(obj, "columns"));
	load_scale(a, p->path, json_object_get(obj, "scale"));
	return a;
}

void
nz_assess_free(nz_assess *a)
{
	if (!a)
		return;
	nz_drop(a);
	free(a->file);
	free(a->own_formats);
	free(a);
}

/* ---- the national domains ---- */

char **
nz_outcome_domains(const char *codes_dir, size_t *n)
{
	nz_codes *out = nz_codes_load(codes_dir, "outcome");
	nz_buf path = {0};
	json_t *root, *codes, *e;
	char **dom;
	size_t i, b;

	nz_buf_printf(&path, "%s/outcome-domain.json", codes_dir);
	nz_hold(path.s);
	root = nz_json_load(path.s);
	if (strcmp(nz_json_str(path.s, root, "field", NULL),
	    "outcome-domain") != 0)
		nz_dieat(NZ_EXIT_DATA, path.s, nz_json_key_line(path.s,
		    "field", 1), "\"field\" must be \"outcome-domain\"");
	codes = json_object_get(root, "codes");
	if (!json_is_array(codes) || json_array_size(codes) == 0)
		nz_dieat(NZ_EXIT_DATA, path.s, nz_json_key_line(path.s,
		    "codes", 1), "\"codes\" must be a non-empty array");
	*n = json_array_size(codes);
	dom = nz_calloc(*n, sizeof *dom);
	nz_hold(dom);
	json_array_foreach(codes, i, e) {
		json_t *c = json_object_get(e, "code");
		if (!json_is_string(c) || json_string_length(c) == 0 ||
		    strchr(json_string_value(c), ':'))
			nz_dieat(NZ_EXIT_DATA, path.s, nz_json_key_line(path.s,
			    "codes", 1), "domain %zu needs a \"code\" without "
			    "':'", i + 1);
		dom[i] = nz_strdup(json_string_value(c));
	}
	/* the outcome list is every domain's bands, in order */
	if (out->n != *n * NZ_NBANDS)
		nz_die(NZ_EXIT_DATA, "%s: %zu codes, expected %zu (each of the "
		    "%zu domains of %s with the bands improved, same, worse, "
		    "unpaired, not_assessed)", out->path, out->n,
		    *n * NZ_NBANDS, *n, path.s);
	for (i = 0; i < *n; i++)
		for (b = 0; b < NZ_NBANDS; b++) {
			const char *code = out->code[i * NZ_NBANDS + b];
			size_t dl = strlen(dom[i]);
			if (strncmp(code, dom[i], dl) != 0 || code[dl] != ':' ||
			    strcmp(code + dl + 1, nz_outcome_bands[b]) != 0)
				nz_die(NZ_EXIT_DATA, "%s: code %zu is %s, "
				    "expected '%s:%s'", out->path,
				    i * NZ_NBANDS + b + 1, nz_q(code), dom[i],
				    nz_outcome_bands[b]);
		}
	nz_json_free(root);
	nz_drop(path.s);
	nz_buf_free(&path);
	nz_codes_free(out);
	return dom;
}

void
nz_outcome_domains_free(char **dom, size_t n)
{
	size_t i;

	if (!dom)
		return;
	nz_drop(dom);
	for (i = 0; i < n; i++)
		free(dom[i]);
	free(dom);
}
