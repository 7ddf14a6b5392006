/* reference.c: reference tables (pipelines/reference/NAME.json): names
 * a national classification or a concordance gives, each to a code of one
 * field's national list, with the table's source and version.  A map can
 * use them ("use" in map.json) so that it lists only the agency's own
 * spellings, and map-categories --suggest guesses from them.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

static _Noreturn void __attribute__((format(printf, 3, 4)))
table_error(const char *path, const char *near, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	nz_dieat(NZ_EXIT_DATA, path, near ? nz_json_key_line(path, near, 1) : 0,
	    "%s", msg);
}

/* A table name: lower case letters, digits and '-' (a file name). */
static int
valid_name(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return 0;
	return n > 0 && n <= 64;
}

static void
add_name(nz_reftable *t, const char *value, int code)
{
	if (t->n == t->cap) {
		size_t cap = t->cap;
		nz_grow(&t->value, &cap, t->n + 1, sizeof *t->value);
		t->code = nz_realloc(t->code, cap * sizeof *t->code);
		t->cap = cap;
	}
	t->value[t->n] = value;
	t->code[t->n++] = code;
}

/* entries: [{"code": "01", "names": ["Far North District", ...]}, ...] */
static void
load_entries(nz_reftable *t, json_t *entries, const nz_codes *codes)
{
	json_t *e, *names, *v;
	const char *code;
	size_t i, j;
	int at;

	if (!json_is_array(entries) || json_array_size(entries) == 0)
		table_error(t->path, "entries", "\"entries\" must be a non-empty "
		    "array");
	json_array_foreach(entries, i, e) {
		code = json_string_value(json_object_get(e, "code"));
		names = json_object_get(e, "names");
		if (!code || !json_is_array(names) || !json_array_size(names))
			table_error(t->path, "entries", "entry %zu needs a "
			    "\"code\" and a non-empty array \"names\"", i + 1);
		at = nz_codes_find(codes, code, strlen(code));
		if (at < 0)
			table_error(t->path, code, "code %s is not in %s",
			    nz_q(code), codes->path);
		json_array_foreach(names, j, v) {
			if (!json_is_string(v) || !json_string_length(v))
				table_error(t->path, code, "the names of code %s "
				    "must be non-empty strings", nz_q(code));
			add_name(t, json_string_value(v), at);
		}
	}
}

nz_reftable *
nz_reftable_load(const char *dir, const char *name, const nz_codes *codes,
    int other_field_ok)
{
	nz_reftable *t = nz_calloc(1, sizeof *t);
	nz_buf path = {0};
	const char *field;

	nz_hold(t);
	if (!valid_name(name))
		nz_die(NZ_EXIT_DATA, "%s: reference table name %s: use a-z, "
		    "0-9 and '-'", dir, nz_q(name));
	nz_buf_printf(&path, "%s/%s.json", dir, name);
	t->path = path.s;
	t->root = nz_json_load(t->path);
	t->name = nz_json_str(t->path, t->root, "name", NULL);
	if (strcmp(t->name, name) != 0)
		table_error(t->path, "name", "\"name\" is %s, not the file's "
		    "name %s", nz_q(t->name), nz_q(name));
	field = nz_json_str(t->path, t->root, "field", NULL);
	if (strcmp(field, codes->field) != 0 && other_field_ok) {
		nz_reftable_free(t);
		return NULL;
	}
	if (strcmp(field, codes->field) != 0)
		table_error(t->path, "field", "a table for %s, not %s",
		    nz_q(field), nz_q(codes->field));
	t->version = nz_json_str(t->path, t->root, "version", NULL);
	nz_json_str(t->path, t->root, "source", NULL);
	load_entries(t, json_object_get(t->root, "entries"), codes);
	return t;
}

void
nz_reftable_free(nz_reftable *t)
{
	if (!t)
		return;
	free(t->value);
	free(t->code);
	nz_json_free(t->root);
	free(t->path);
	nz_drop(t);
	free(t);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
nz_reftable_names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	char **names = NULL;
	size_t cap = 0, len;

	*n = 0;
	if (!d)
		return NULL;
	while ((ent = readdir(d)) != NULL) {
		len = strlen(ent->d_name);
		if (len <= 5 || strcmp(ent->d_name + len - 5, ".json") != 0)
			continue;
		nz_grow(&names, &cap, *n + 1, sizeof *names);
		names[(*n)++] = nz_strndup(ent->d_name, len - 5);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmp_name);
	return names;
}
