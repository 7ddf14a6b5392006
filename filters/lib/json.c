/* json.c: configuration files through jansson, errors with line:column. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

json_t *
nz_json_load(const char *path)
{
	json_error_t err;
	json_t *root;
	FILE *f = fopen(path, "rb");

	if (!f)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
	if (!root && ferror(f)) /* e.g. a directory: EISDIR, not bad JSON */
		nz_die(NZ_EXIT_DATA, "%s: read error: %s", path,
		    strerror(errno ? errno : EIO));
	fclose(f);
	if (!root)
		nz_die(NZ_EXIT_DATA, "%s:%d:%d: invalid JSON: %s", path,
		    err.line, err.column, err.text);
	nz_hold(root);
	if (!json_is_object(root))
		nz_die(NZ_EXIT_DATA, "%s: expected a JSON object at the top",
		    path);
	return root;
}

void
nz_json_free(json_t *root)
{
	nz_drop(root);
	json_decref(root);
}

const char *
nz_json_str(const char *file, json_t *obj, const char *key, const char *def)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		if (!def)
			nz_die(NZ_EXIT_DATA, "%s: missing key \"%s\"", file, key);
		return def;
	}
	if (!json_is_string(v))
		nz_dieat(NZ_EXIT_DATA, file, nz_json_key_line(file, key, 1),
		    "\"%s\" must be a string", key);
	return json_string_value(v);
}

long
nz_json_int(const char *file, json_t *obj, const char *key, long def)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return def;
	if (!json_is_integer(v))
		nz_dieat(NZ_EXIT_DATA, file, nz_json_key_line(file, key, 1),
		    "\"%s\" must be an integer", key);
	return (long)json_integer_value(v);
}

/* 1 if s[0..len) holds needle; unlike strstr it reads past NUL bytes */
static int
holds(const char *s, size_t len, const char *needle, size_t needle_len)
{
	size_t i;

	for (i = 0; i + needle_len <= len; i++)
		if (memcmp(s + i, needle, needle_len) == 0)
			return 1;
	return 0;
}

long
nz_json_key_line(const char *path, const char *key, long from_line)
{
	FILE *f = fopen(path, "rb");
	nz_buf needle = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	long n = 0, found = 0;

	if (!f)
		return 0;
	nz_buf_printf(&needle, "\"%s\"", key);
	/* jansson lets a NUL byte through after a number: search whole lines */
	while ((got = getline(&line, &cap, f)) != -1) {
		if (++n >= from_line && holds(line, (size_t)got, needle.s,
		    needle.len)) {
			found = n;
			break;
		}
	}
	free(line);
	nz_buf_free(&needle);
	fclose(f);
	return found;
}

void
nz_json_write(const char *path, json_t *root)
{
	FILE *f;

	nz_hold(root);
	f = nz_fopen_out(path);
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		nz_die(NZ_EXIT_DATA, "%s: write error", path);
	putc('\n', f);
	nz_fclose_out(f, path);
	nz_json_free(root);
}
