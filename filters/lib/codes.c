/* codes.c: the national code lists, the age bands, and where the
 * pipelines directory (pipelines/codes, pipelines/age-bands.json) is;
 * a dimension's codes as the pages show them. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nz.h"

/* ---- where the pipelines directory is ---- */

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* directory of the running binary, resolved; NULL if unknown */
static char *
exe_dir(void)
{
	char buf[PATH_MAX], *slash, *real;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	real = realpath(buf, NULL);
	if (!real)
		return NULL;
	slash = strrchr(real, '/');
	if (slash)
		*slash = '\0';
	return real;
}

char *
nz_pipelines_path(const char *rel)
{
	const char *env = getenv("NZ_PIPELINES");
	nz_buf path = {0};
	char *dir, *real;
	int up, i;

	if (env && *env) {
		nz_buf_printf(&path, "%s/%s", env, rel);
		return path.s;
	}
	/* bin/NAME and bin/san/NAME both find the repository's pipelines/ */
	dir = exe_dir();
	for (up = 1; dir && up <= 2; up++) {
		nz_buf_clear(&path);
		nz_buf_adds(&path, dir);
		for (i = 0; i < up; i++)
			nz_buf_adds(&path, "/..");
		nz_buf_adds(&path, "/pipelines");
		real = realpath(path.s, NULL);
		if (!real)
			continue;
		nz_buf_clear(&path);
		nz_buf_printf(&path, "%s/%s", real, rel);
		free(real);
		if (exists(path.s)) {
			free(dir);
			return path.s;
		}
	}
	/* installed (make install): PREFIX/bin/NAME finds PREFIX/share/
	 * nzccss, also where DESTDIR staged it; else the prefix built in */
	if (dir) {
		nz_buf_clear(&path);
		nz_buf_printf(&path, "%s/../share/nzccss/%s", dir, rel);
		if (exists(path.s)) {
			free(dir);
			return path.s;
		}
	}
	free(dir);
#ifdef NZ_DATADIR
	nz_buf_clear(&path);
	nz_buf_printf(&path, "%s/%s", NZ_DATADIR, rel);
	if (exists(path.s))
		return path.s;
#endif
	nz_buf_clear(&path);
	nz_buf_printf(&path, "pipelines/%s", rel);
	return path.s;
}

/* ---- code lists ---- */

/* error at the line of the first "near" in the file (0 = no line) */
static _Noreturn void __attribute__((format(printf, 3, 4)))
list_error(const char *path, const char *near, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	nz_dieat(NZ_EXIT_DATA, path, near ? nz_json_key_line(path, near, 1) : 0,
	    "%s", msg);
}

static json_t *
entries(const char *path, json_t *root, const char *key)
{
	json_t *a = json_object_get(root, key);

	if (!json_is_array(a) || json_array_size(a) == 0)
		list_error(path, json_object_get(root, key) ? key : NULL,
		    "\"%s\" must be a non-empty array", key);
	return a;
}

static json_t *
entry_member(const char *path, const char *list, json_t *a, size_t i,
    const char *key)
{
	json_t *e = json_array_get(a, i);

	if (!json_is_object(e))
		list_error(path, list, "%s[%zu] must be an object", list, i);
	return json_object_get(e, key);
}

/* a code: non-empty, no separator, wildcard, quote or space */
static char *
code_member(const char *path, const char *list, json_t *a, size_t i)
{
	json_t *v = entry_member(path, list, a, i, "code");
	const char *s;

	if (!json_is_string(v))
		list_error(path, list, "%s[%zu] needs a string \"code\"", list,
		    i);
	s = json_string_value(v);
	if (!*s || strpbrk(s, "|,*\" \t\r\n"))
		list_error(path, s, "code %s: a code is non-empty and holds no "
		    "'|', ',', '*', quote or space", nz_q(s));
	return nz_strdup(s);
}

static void
alloc_codes(nz_codes *c, size_t n)
{
	c->n = n;
	c->code = nz_calloc(n, sizeof *c->code);
	c->label = nz_calloc(n, sizeof *c->label);
}

/* hash index over code[]; duplicates are an error */
static void
index_codes(nz_codes *c)
{
	size_t i;
	int added;

	c->index = nz_strset_new();
	for (i = 0; i < c->n; i++) {
		nz_strset_add(c->index, c->code[i], &added);
		if (!added)
			list_error(c->path, c->code[i], "code %s appears twice",
			    nz_q(c->code[i]));
	}
}

/* A list whose every value is always known (visits_band) has no
 * not_stated: NULL and -1.  The lists of mapped fields need one
 * (map-categories checks). */
static void
set_not_stated(nz_codes *c, json_t *root)
{
	const char *ns;
	int i;

	c->not_stated = NULL;
	c->not_stated_index = -1;
	if (!json_object_get(root, "not_stated"))
		return;
	ns = nz_json_str(c->path, root, "not_stated", NULL);
	i = nz_codes_find(c, ns, strlen(ns));

	if (i < 0)
		list_error(c->path, "not_stated", "not_stated %s is not one of "
		    "the codes", nz_q(ns));
	c->not_stated = c->code[i];
	c->not_stated_index = i;
}

nz_codes *
nz_codes_load(const char *dir, const char *field)
{
	nz_codes *c = nz_calloc(1, sizeof *c);
	nz_buf path = {0};
	json_t *root, *list, *multi, *label;
	size_t i;

	nz_hold(c);
	nz_buf_printf(&path, "%s/%s.json", dir, field);
	c->path = path.s;
	root = nz_json_load(c->path);
	c->field = nz_strdup(nz_json_str(c->path, root, "field", NULL));
	if (strcmp(c->field, field) != 0)
		list_error(c->path, "field", "\"field\" is %s, expected %s",
		    nz_q(c->field), nz_q(field));
	c->version = nz_strdup(nz_json_str(c->path, root, "version", ""));
	multi = json_object_get(root, "multi");
	if (multi && !json_is_boolean(multi))
		list_error(c->path, "multi", "\"multi\" must be true or false");
	c->multi = json_is_true(multi);
	list = entries(c->path, root, "codes");
	alloc_codes(c, json_array_size(list));
	for (i = 0; i < c->n; i++) {
		c->code[i] = code_member(c->path, "codes", list, i);
		label = entry_member(c->path, "codes", list, i, "label");
		if (!json_is_string(label))
			list_error(c->path, c->code[i], "code %s needs a "
			    "string \"label\"", nz_q(c->code[i]));
		c->label[i] = nz_strdup(json_string_value(label));
	}
	index_codes(c);
	set_not_stated(c, root);
	nz_json_free(root);
	return c;
}

static long
band_year(nz_codes *c, json_t *list, size_t i, const char *key, int need)
{
	json_t *v = entry_member(c->path, "bands", list, i, key);

	if (!v && !need)
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 200)
		list_error(c->path, c->code[i], "band %s needs \"%s\": a whole "
		    "number of years from 0 to 200", nz_q(c->code[i]), key);
	return (long)json_integer_value(v);
}

/* bands start at 0, follow on without gap or overlap, only the last open */
static void
check_bands(nz_codes *c, size_t nbands)
{
	size_t i;

	for (i = 0; i < nbands; i++) {
		long want = i ? c->max[i - 1] + 1 : 0;
		if (c->min[i] != want)
			list_error(c->path, c->code[i], "band %s starts at %ld; "
			    "expected %ld (%s)", nz_q(c->code[i]), c->min[i],
			    want, i == 0 ? "bands start at 0" :
			    c->min[i] > want ? "a gap" : "an overlap");
		if (c->max[i] >= 0 && c->max[i] < c->min[i])
			list_error(c->path, c->code[i], "band %s ends before it "
			    "starts", nz_q(c->code[i]));
		if (c->max[i] < 0 && i + 1 < nbands)
			list_error(c->path, c->code[i], "band %s has no \"max\"; "
			    "only the last band may be open", nz_q(c->code[i]));
	}
}

nz_codes *
nz_bands_load(const char *path)
{
	nz_codes *c = nz_calloc(1, sizeof *c);
	json_t *root, *list;
	size_t i, nbands;
	const char *ns;

	nz_hold(c);
	c->path = nz_strdup(path);
	root = nz_json_load(path);
	c->field = nz_strdup("age_band");
	c->version = nz_strdup(nz_json_str(path, root, "version", ""));
	list = entries(path, root, "bands");
	nbands = json_array_size(list);
	alloc_codes(c, nbands + 1);
	c->min = nz_calloc(c->n, sizeof *c->min);
	c->max = nz_calloc(c->n, sizeof *c->max);
	for (i = 0; i < nbands; i++) {
		c->code[i] = code_member(path, "bands", list, i);
		c->label[i] = nz_strdup(c->code[i]);
		c->min[i] = band_year(c, list, i, "min", 1);
		c->max[i] = band_year(c, list, i, "max", 0);
	}
	ns = nz_json_str(path, root, "not_stated", NULL);
	c->code[nbands] = nz_strdup(ns);
	c->label[nbands] = nz_strdup("Not stated");
	c->min[nbands] = c->max[nbands] = -1;
	if (!*ns || strpbrk(ns, "|,*\" \t\r\n"))
		list_error(path, "not_stated", "not_stated %s: a code is "
		    "non-empty and holds no '|', ',', '*', quote or space",
		    nz_q(ns));
	check_bands(c, nbands);
	index_codes(c);
	set_not_stated(c, root);
	nz_json_free(root);
	return c;
}

int
nz_codes_find(const nz_codes *c, const char *s, size_t len)
{
	return (int)nz_strset_findn(c->index, s, len);
}

void
nz_codes_free(nz_codes *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->code[i]);
		free(c->label[i]);
	}
	free(c->code);
	free(c->label);
	free(c->min);
	free(c->max);
	nz_strset_free(c->index);
	free(c->path);
	free(c->field);
	free(c->version);
	nz_drop(c);
	free(c);
}

/* ---- a dimension as the pages show it ---- */

void
nz_dim_shown_load(nz_dim_shown *d, const char *name, const char *dir,
    const char *bands)
{
	json_t *root, *entry;
	size_t i;

	d->name = name;
	d->codes = bands ? nz_bands_load(bands) : nz_codes_load(dir, name);
	root = nz_json_load(d->codes->path);
	d->title = nz_strdup(nz_json_str(d->codes->path, root, "title", name));
	d->highlight = json_array();
	json_array_foreach(json_object_get(root, bands ? "bands" : "codes"),
	    i, entry) {
		const char *label = json_string_value(json_object_get(entry,
		    "label"));

		if (label && bands) {        /* bands are labelled by code */
			free(d->codes->label[i]);
			d->codes->label[i] = nz_strdup(label);
		}
		if (json_is_true(json_object_get(entry, "highlight")))
			json_array_append_new(d->highlight,
			    json_string(d->codes->code[i]));
	}
	nz_json_free(root);
}
