/* rules.c: the disclosure rules (DESIGN §5): a rules file, or the copy of
 * one that a manifest carries, read and checked once. */
#include <stdio.h>
#include <string.h>

#include "nz.h"

static _Noreturn void
rules_error(const char *path, const char *key, const char *msg)
{
	nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
	    "\"%s\" %s", key, msg);
}

static long
rules_int(const char *path, json_t *root, const char *key, long min,
    long max)
{
	json_t *v = json_object_get(root, key);

	if (!v)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"%s\"", path, key);
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key, 1),
		    "\"%s\" must be an integer from %ld to %ld", key, min,
		    max);
	return (long)json_integer_value(v);
}

static void
rules_list(const char *path, json_t *root, const char *key,
    nz_rules *r, enum nz_rule_kind kind)
{
	json_t *list = json_object_get(root, key), *v;
	size_t i;
	int m;

	if (!list)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"%s\"", path, key);
	if (!json_is_array(list))
		rules_error(path, key, "must be an array of measure names");
	json_array_foreach(list, i, v) {
		m = json_is_string(v) ? nz_measure_index(json_string_value(v)) :
		    -1;
		if (m < 0)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    key, 1), "\"%s\": unknown measure %s (expected "
			    "clients, households, events or units)", key,
			    json_is_string(v) ? nz_q(json_string_value(v)) :
			    "(not a string)");
		if (r->kind[m] != NZ_RULE_UNRULED)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    key, 1), "\"%s\": measure %s is already listed",
			    key, nz_measure_names[m]);
		r->kind[m] = kind;
	}
}

void
nz_rules_parse(const char *path, json_t *root, nz_rules *r)
{
	json_t *sz;
	int m;

	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s",
	    nz_json_str(path, root, "name", NULL));
	nz_json_str(path, root, "version", NULL);
	r->threshold = rules_int(path, root, "threshold", 0,
	    NZ_AUDIT_MAX_VALUE);
	r->base = rules_int(path, root, "base", 1, NZ_AUDIT_MAX_VALUE);
	r->sum_min_clients = rules_int(path, root, "sum_min_clients", 0,
	    NZ_AUDIT_MAX_VALUE);
	sz = json_object_get(root, "suppress_zero");
	if (!sz)
		nz_die(NZ_EXIT_DATA, "%s: missing key \"suppress_zero\"",
		    path);
	if (!json_is_boolean(sz))
		rules_error(path, "suppress_zero", "must be true or false");
	r->suppress_zero = json_is_true(sz);
	rules_list(path, root, "person_measures", r, NZ_RULE_PERSON);
	rules_list(path, root, "sum_measures", r, NZ_RULE_SUM);
	/* an unlisted measure would be published raw: refuse */
	for (m = 0; m < NZ_NMEASURES; m++)
		if (r->kind[m] == NZ_RULE_UNRULED)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    "person_measures", 1), "measure %s is in neither "
			    "\"person_measures\" nor \"sum_measures\"",
			    nz_measure_names[m]);
}

void
nz_rules_load(const char *path, nz_rules *r)
{
	json_t *root = nz_json_load(path);

	nz_rules_parse(path, root, r);
	nz_json_free(root);
}
