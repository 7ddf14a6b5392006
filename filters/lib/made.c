/* made.c: what a release is made with, so that a quarter is released once.
 *
 * A release's figures follow from its events and from seven things around
 * them: the agency key (client keys, and so every cell key and rounding),
 * the regions it serves (which cells exist), the rules, the code lists,
 * the age bands, the flow spec (window and bands) and the table spec.  A quarter is released under one of
 * each; the state folder records them (state.json "made_with") and a
 * build on that state must use the same, or stop naming what changed.
 * Code lists and age bands count by what shapes cells (codes in order,
 * bounds, multi, not stated) with their version, the flow spec by its
 * window and band bounds with its version; labels and notes may
 * change freely.  The table spec counts by its tables and version; the
 * rules file by its bytes; the key by its fingerprint.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nz.h"


/* sha256 of text, as hex */
static json_t *
digest(const nz_buf *text)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[65];

	crypto_hash_sha256(h, (const unsigned char *)(text->s ? text->s : ""),
	    text->len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	return json_string(hex);
}

/* A code list by what shapes cells: its codes in order, multi, not
 * stated (labels and notes may change freely). */
static json_t *
list_identity(const nz_codes *cl)
{
	nz_buf text = {0};
	json_t *out;
	size_t i;

	for (i = 0; i < cl->n; i++)
		nz_buf_printf(&text, "%s %ld %ld\n", cl->code[i],
		    cl->min ? cl->min[i] : 0, cl->max ? cl->max[i] : 0);
	nz_buf_printf(&text, "multi %d not_stated %s\n", cl->multi,
	    cl->not_stated ? cl->not_stated : "");
	out = json_pack("{s:s,s:o}", "version", cl->version, "codes",
	    digest(&text));
	nz_buf_free(&text);
	return out;
}

/* The flow spec by what shapes cells: the window and each band's bounds */
static json_t *
flow_identity(const char *path, const char *codes_dir)
{
	nz_flow *f = nz_flow_load(path, codes_dir);
	nz_buf text = {0};
	json_t *out;
	size_t i;
	int k;

	nz_buf_printf(&text, "window %ld\n", (long)f->window_months);
	for (k = 0; k < NZ_FLOW_NKINDS; k++)
		for (i = 0; i < f->codes[k]->n; i++)
			nz_buf_printf(&text, "%d %s %ld %ld\n", k,
			    f->codes[k]->code[i], f->min[k][i], f->max[k][i]);
	out = json_pack("{s:s,s:o}", "version", f->version, "bands",
	    digest(&text));
	nz_buf_free(&text);
	nz_flow_free(f);
	return out;
}

static json_t *
tables_identity(const char *path)
{
	json_t *root = nz_json_load(path), *tables, *t, *dims, *d, *out;
	nz_buf text = {0};
	size_t i, j;

	tables = json_object_get(root, "tables");
	if (!json_is_array(tables))
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "tables",
		    1), "\"tables\" must be an array");
	json_array_foreach(tables, i, t) {
		nz_buf_adds(&text, nz_json_str(path, t, "name", NULL));
		dims = json_object_get(t, "dims");
		json_array_foreach(dims, j, d)
			nz_buf_printf(&text, " %s", json_is_string(d) ?
			    json_string_value(d) : "?");
		nz_buf_addc(&text, '\n');
	}
	out = json_pack("{s:s,s:o}", "version", nz_json_str(path, root,
	    "version", NULL), "tables", digest(&text));
	nz_buf_free(&text);
	nz_json_free(root);
	return out;
}

static json_t *
rules_identity(const char *path)
{
	json_t *root = nz_json_load(path), *out;
	char sha[65];

	if (nz_sha256_file(path, sha) < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	out = json_pack("{s:s,s:s,s:s}", "name", nz_json_str(path, root,
	    "name", NULL), "version", nz_json_str(path, root, "version",
	    NULL), "sha256", sha);
	nz_json_free(root);
	return out;
}

/* The regions served, in code-list order, and 99 (outside the area or
 * not stated) always, as aggregate counts them. */
static json_t *
regions_identity(json_t *profile, const char *path, const nz_codes *region)
{
	json_t *want = json_object_get(profile, "regions"), *v, *out;
	char *keep = nz_calloc(region->n, 1);
	size_t i;
	int at;

	if (want && (!json_is_array(want) || json_array_size(want) == 0))
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "regions",
		    1), "\"regions\" must be a non-empty array of region codes");
	if (!want)
		memset(keep, 1, region->n);
	json_array_foreach(want, i, v) {
		at = json_is_string(v) ? nz_codes_find(region,
		    json_string_value(v), json_string_length(v)) : -1;
		if (at < 0)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
			    "regions", 1), "region %s is not a code in %s",
			    json_is_string(v) ? nz_q(json_string_value(v)) :
			    "(not a string)", region->path);
		keep[at] = 1;
	}
	keep[region->not_stated_index] = 1;
	out = json_array();
	for (i = 0; i < region->n; i++)
		if (keep[i])
			json_array_append_new(out,
			    json_string(region->code[i]));
	free(keep);
	return out;
}

/* A public demo key keys only its own sample agency. */
static void
check_demo_key(json_t *made, const char *agency)
{
	const char *fp = json_string_value(json_object_get(made,
	    "key_fingerprint"));
	char demo[NZ_AGENCY_MAX + 1];

	if (fp && nz_demo_key_agency(fp, demo) && strcmp(demo, agency) != 0)
		nz_die(NZ_EXIT_DATA, "the events of %s were keyed with the "
		    "public demo key of sample agency %s (fingerprint %s): "
		    "nothing keyed with it may be kept or released; make the "
		    "agency its own key ('make key AGENCY=%s')", nz_q(agency),
		    nz_q(demo), fp, agency);
}

json_t *
nz_made_with(const nz_made_paths *o, char agency[NZ_AGENCY_MAX + 1])
{
	json_t *m = json_object(), *lists = json_object(), *st, *prof;
	const char *fp;
	nz_codes *cl;
	int d;

	nz_hold(m);
	st = nz_json_load(o->key_stats);
	fp = nz_json_str(o->key_stats, st, "key_fingerprint", NULL);
	json_object_set_new(m, "key_fingerprint", json_string(fp));
	nz_json_free(st);
	prof = nz_json_load(o->profile);
	snprintf(agency, NZ_AGENCY_MAX + 1, "%s",
	    nz_json_str(o->profile, prof, "agency", NULL));
	/* in the manifest's order; regions come with the region list */
	json_object_set_new(m, "regions", json_null());
	json_object_set_new(m, "rules", rules_identity(o->rules));
	json_object_set_new(m, "code_lists", lists);
	for (d = 0; d < NZ_NDIMS; d++) {
		if (!nz_dims[d].codes)
			continue;
		cl = nz_codes_load(o->codes, nz_dims[d].codes);
		json_object_set_new(lists, nz_dims[d].codes,
		    list_identity(cl));
		if (d == NZ_DIM_REGION)
			json_object_set_new(m, "regions",
			    regions_identity(prof, o->profile, cl));
		nz_codes_free(cl);
	}
	nz_json_free(prof);
	cl = nz_bands_load(o->bands);
	json_object_set_new(m, "age_bands", list_identity(cl));
	nz_codes_free(cl);
	if (o->flow)
		json_object_set_new(m, "flow_bands", flow_identity(o->flow,
		    o->codes));
	json_object_set_new(m, "table_spec", tables_identity(o->tables));
	check_demo_key(m, agency);
	nz_drop(m);
	return m;
}

/* "name statsnz, version 1, sha256 3f2a1b2c4d5e..." of a part */
static void
describe(nz_buf *b, json_t *part)
{
	const char *key;
	json_t *v;
	int n = 0, hash;

	if (!part) {
		nz_buf_adds(b, "(none)");
		return;
	}
	json_object_foreach(part, key, v) {
		if (!json_is_string(v))
			continue;
		hash = strcmp(key, "name") != 0 && strcmp(key, "version") != 0;
		nz_buf_printf(b, "%s%s %.*s%s", n++ ? ", " : "", key,
		    hash ? 12 : (int)json_string_length(v),
		    json_string_value(v), hash ? "..." : "");
	}
}

static void
changed(nz_buf *why, const char *what, json_t *then, json_t *now)
{
	size_t i;

	if (json_equal(then, now))
		return;
	nz_buf_printf(why, "\n  %s: ", what);
	if (json_is_array(then) && json_is_array(now)) {
		for (i = 0; i < json_array_size(then); i++)
			nz_buf_printf(why, "%s%s", i ? "," : "",
			    json_string_value(json_array_get(then, i)));
		nz_buf_adds(why, " then, ");
		for (i = 0; i < json_array_size(now); i++)
			nz_buf_printf(why, "%s%s", i ? "," : "",
			    json_string_value(json_array_get(now, i)));
		nz_buf_adds(why, " now");
		return;
	}
	describe(why, then);
	nz_buf_adds(why, " then; ");
	describe(why, now);
	nz_buf_adds(why, " now");
}

void
nz_made_with_check(const nz_state *s, json_t *now, const char *agency)
{
	json_t *then = s->made_with, *tl, *nl, *v;
	char first[NZ_PERIOD_BUF], last[NZ_PERIOD_BUF];
	const char *key;
	nz_buf why = {0};

	nz_period_name(s->first, first);
	nz_period_name(s->last, last);
	if (strcmp(s->agency, agency) != 0)
		nz_die(NZ_EXIT_DATA, "%s: the state of agency %s, not %s: give "
		    "this agency's own state folder (STATE=)", s->path,
		    nz_q(s->agency), nz_q(agency));
	if (!json_equal(json_object_get(then, "key_fingerprint"),
	    json_object_get(now, "key_fingerprint")))
		nz_die(NZ_EXIT_DATA, "%s: %s to %s were released under the key "
		    "with fingerprint %s, but this export was keyed with %s: "
		    "build with the agency's own key, from its backup (KEY=); "
		    "a new key can only start a new series (README, \"When "
		    "something changes\")", s->path, first, last,
		    json_string_value(json_object_get(then, "key_fingerprint")),
		    json_string_value(json_object_get(now, "key_fingerprint")));
	changed(&why, "the regions served (profile)", json_object_get(then,
	    "regions"), json_object_get(now, "regions"));
	changed(&why, "the rules", json_object_get(then, "rules"),
	    json_object_get(now, "rules"));
	tl = json_object_get(then, "code_lists");
	nl = json_object_get(now, "code_lists");
	json_object_foreach(nl, key, v) {
		nz_buf what = {0};
		nz_buf_printf(&what, "the code list %s", key);
		changed(&why, what.s, json_object_get(tl, key), v);
		nz_buf_free(&what);
	}
	changed(&why, "the age bands", json_object_get(then, "age_bands"),
	    json_object_get(now, "age_bands"));
	changed(&why, "the flow bands", json_object_get(then, "flow_bands"),
	    json_object_get(now, "flow_bands"));
	changed(&why, "the table spec", json_object_get(then, "table_spec"),
	    json_object_get(now, "table_spec"));
	if (why.len || json_object_size(tl) != json_object_size(nl))
		nz_die(NZ_EXIT_DATA, "%s: %s to %s were released under other "
		    "settings, and a released quarter is never released "
		    "again with other figures.  Changed:%s\nA change applies "
		    "only to quarters not yet released: build with the "
		    "settings they were released under, or start a new series "
		    "(README, \"When something changes\")", s->path, first,
		    last, why.len ? why.s : "\n  the set of code lists");
	nz_buf_free(&why);
}
