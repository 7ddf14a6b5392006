/* flow.c: the flow spec (pipelines/flow-bands.json, issue 16): the
 * lookback window and the bands of visits, needs and tenure, checked
 * against the code lists of their dimensions.
 *
 * The window and the tenure band edges are whole quarters, so that a
 * client's quarters alone decide status and tenure exactly (DESIGN.md,
 * "Flow measures"): an error names the file and line otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

static const char *const kind_key[NZ_FLOW_NKINDS] = {"visits", "needs",
	"tenure"};
static const char *const kind_dim[NZ_FLOW_NKINDS] = {"visits_band",
	"needs_band", "tenure_band"};
/* where each kind's bands must start: a counted client has 1 event or
 * more, 0 needs or more, 0 whole months or more */
static const long kind_start[NZ_FLOW_NKINDS] = {1, 0, 0};

/* the line of band i's "code" in kind's list, for messages */
static long
band_line(const char *path, int kind, size_t i)
{
	long line = nz_json_key_line(path, kind_key[kind], 1);
	size_t j;

	for (j = 0; j <= i && line > 0; j++)
		line = nz_json_key_line(path, "code", line + (j > 0));
	return line;
}

static long
band_number(const char *path, int kind, size_t i, json_t *band,
    const char *key, int need)
{
	json_t *v = json_object_get(band, key);

	if (!v && !need)
		return -1;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 100000)
		nz_dieat(NZ_EXIT_DATA, path, band_line(path, kind, i), "%s band "
		    "%zu needs \"%s\": a whole number from 0 to 100000",
		    kind_key[kind], i + 1, key);
	return (long)json_integer_value(v);
}

/* suppress and audit read a one-visit cell from its code alone, so each
 * visits band's code must state its range */
static void
check_visits_codes(const nz_flow *f)
{
	const nz_codes *cl = f->codes[NZ_FLOW_VISITS];
	long lo, hi, cmin, cmax;
	char want[64];
	size_t i, band = 0;

	for (i = 0; i < cl->n; i++) {
		if ((lo = f->min[NZ_FLOW_VISITS][i]) < 0)
			continue;   /* the not-stated code: no band */
		hi = f->max[NZ_FLOW_VISITS][i];
		if (nz_flow_code_range(cl->code[i], &cmin, &cmax) == 0 &&
		    cmin == lo && cmax == hi) {
			band++;
			continue;
		}
		if (hi == lo)
			snprintf(want, sizeof want, "%ld", lo);
		else if (hi < 0)
			snprintf(want, sizeof want, "%ld+", lo);
		else
			snprintf(want, sizeof want, "%ld-%ld", lo, hi);
		nz_dieat(NZ_EXIT_DATA, f->path, band_line(f->path,
		    NZ_FLOW_VISITS, band), "visits band %s holds %s visits: its "
		    "code must say so (suppress and audit read a one-visit cell "
		    "from the code)", nz_q(cl->code[i]), want);
	}
}

static void
load_kind(nz_flow *f, json_t *root, int kind, const char *codes_dir)
{
	const char *path = f->path;
	json_t *list = json_object_get(root, kind_key[kind]), *b;
	nz_codes *cl = nz_codes_load(codes_dir, kind_dim[kind]);
	long want = kind_start[kind];
	size_t i, next = 0;

	f->codes[kind] = cl;
	f->min[kind] = nz_calloc(cl->n, sizeof *f->min[kind]);
	f->max[kind] = nz_calloc(cl->n, sizeof *f->max[kind]);
	for (i = 0; i < cl->n; i++)
		f->min[kind][i] = f->max[kind][i] = -1;
	if (!json_is_array(list) || json_array_size(list) == 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    kind_key[kind], 1), "\"%s\" must be a non-empty array of "
		    "bands", kind_key[kind]);
	json_array_foreach(list, i, b) {
		long line = band_line(path, kind, i), lo, hi;
		const char *code;
		int ci;

		if (!json_is_object(b) || !json_is_string(json_object_get(b,
		    "code")))
			nz_dieat(NZ_EXIT_DATA, path, line, "%s band %zu must be "
			    "an object with a \"code\"", kind_key[kind], i + 1);
		code = json_string_value(json_object_get(b, "code"));
		ci = nz_codes_find(cl, code, strlen(code));
		/* the bands in code-list order; the not-stated code may have
		 * none (tenure's unknown) or one (needs' 0, none stated) */
		if (ci >= 0 && (size_t)ci == next + 1 && (int)next ==
		    cl->not_stated_index)
			next++;
		if (ci < 0 || (size_t)ci != next)
			nz_dieat(NZ_EXIT_DATA, path, line, "%s band %s: expected "
			    "%s, the next code of %s", kind_key[kind], nz_q(code),
			    next < cl->n ? nz_q(cl->code[next]) : "no more bands",
			    cl->path);
		next++;
		lo = band_number(path, kind, i, b, "min", 1);
		hi = band_number(path, kind, i, b, "max", 0);
		if (lo != want)
			nz_dieat(NZ_EXIT_DATA, path, line, "%s band %s starts at "
			    "%ld; expected %ld (%s)", kind_key[kind], nz_q(code),
			    lo, want, i == 0 ? "where the bands start" :
			    lo > want ? "a gap" : "an overlap");
		if (hi >= 0 && hi < lo)
			nz_dieat(NZ_EXIT_DATA, path, line, "%s band %s ends "
			    "before it starts", kind_key[kind], nz_q(code));
		if (hi < 0 && i + 1 < json_array_size(list))
			nz_dieat(NZ_EXIT_DATA, path, line, "%s band %s has no "
			    "\"max\"; only the last band may be open",
			    kind_key[kind], nz_q(code));
		if (hi >= 0 && i + 1 == json_array_size(list))
			nz_dieat(NZ_EXIT_DATA, path, line, "%s band %s: the last "
			    "band must be open (no \"max\")", kind_key[kind],
			    nz_q(code));
		if (kind == NZ_FLOW_TENURE && lo % 3 != 0)
			nz_dieat(NZ_EXIT_DATA, path, line, "tenure band %s starts "
			    "at %ld months: tenure bands start at whole quarters "
			    "(0, 3, 6, ...) so that quarters decide them exactly",
			    nz_q(code), lo);
		f->min[kind][ci] = lo;
		f->max[kind][ci] = hi;
		want = hi + 1;
	}
	while (next < cl->n && (int)next == cl->not_stated_index)
		next++;
	if (next < cl->n)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    kind_key[kind], 1), "%s: no band for %s of %s",
		    kind_key[kind], nz_q(cl->code[next]), cl->path);
}

nz_flow *
nz_flow_load(const char *path, const char *codes_dir)
{
	nz_flow *f = nz_calloc(1, sizeof *f);
	json_t *root;
	int k;

	nz_hold(f);
	f->path = nz_strdup(path);
	root = nz_json_load(path);
	f->version = nz_strdup(nz_json_str(path, root, "version", NULL));
	f->window_months = nz_json_int(path, root, "window_months", -1);
	if (f->window_months < 3 || f->window_months > 120 ||
	    f->window_months % 3 != 0)
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path,
		    "window_months", 1), "\"window_months\" must be a whole "
		    "number of quarters from 3 to 120 (3, 6, 9, ...), so that "
		    "quarters decide it exactly");
	for (k = 0; k < NZ_FLOW_NKINDS; k++)
		load_kind(f, root, k, codes_dir);
	check_visits_codes(f);
	nz_json_free(root);
	return f;
}

int
nz_flow_band(const nz_flow *f, int kind, long value)
{
	const nz_codes *cl = f->codes[kind];
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (f->min[kind][i] >= 0 && value >= f->min[kind][i] &&
		    (f->max[kind][i] < 0 || value <= f->max[kind][i]))
			return (int)i;
	return -1;
}

long
nz_flow_tenure_reach(const nz_flow *f)
{
	const nz_codes *cl = f->codes[NZ_FLOW_TENURE];
	long reach = 0;
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (f->min[NZ_FLOW_TENURE][i] > reach)
			reach = f->min[NZ_FLOW_TENURE][i];
	return reach;
}

int
nz_flow_code_range(const char *code, long *min, long *max)
{
	char *end;
	long a, b;

	if (*code < '0' || *code > '9')
		return -1;
	a = strtol(code, &end, 10);
	if (*end == '\0')
		b = a;
	else if (end[0] == '+' && end[1] == '\0')
		b = -1;
	else if (end[0] == '-' && end[1] >= '0' && end[1] <= '9') {
		b = strtol(end + 1, &end, 10);
		if (*end != '\0' || b < a)
			return -1;
	} else
		return -1;
	*min = a;
	*max = b;
	return 0;
}

int
nz_cell_one_visit(const char *const *dims)
{
	static int d = -2;
	long lo, hi;

	if (d == -2)
		d = nz_dim_index("visits_band");
	return d >= 0 && nz_flow_code_range(dims[d], &lo, &hi) == 0 &&
	    lo == 1 && hi == 1;
}

void
nz_flow_free(nz_flow *f)
{
	int k;

	if (!f)
		return;
	for (k = 0; k < NZ_FLOW_NKINDS; k++) {
		nz_codes_free(f->codes[k]);
		free(f->min[k]);
		free(f->max[k]);
	}
	free(f->version);
	free(f->path);
	nz_drop(f);
	free(f);
}
