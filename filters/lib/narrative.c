/* narrative.c: the report's narrative, each DIR/NAME.md (CommonMark,
 * cmark, raw HTML left out) as HTML for the report's data (publish). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "nz.h"

/* ---- the report: its narrative ---- */

static json_t *
markdown_json(const char *path)
{
	size_t len, bad;
	char *text = nz_slurp(path, &len), *html;
	json_t *out;

	if (!text)
		nz_die(NZ_EXIT_DATA, "%s: cannot read it", path);
	nz_hold(text);
	if (!nz_utf8_valid(text, len, &bad))
		nz_die(NZ_EXIT_DATA, "%s: invalid UTF-8 at byte %zu", path, bad);
	if (strspn(text, " \t\r\n") == len)
		nz_warn("%s: empty narrative", path);
	html = cmark_markdown_to_html(text, len, CMARK_OPT_DEFAULT);
	out = json_string(html);
	free(html);
	nz_drop(text);
	free(text);
	return out;
}

/* every DIR/NAME.md as NAME: its HTML ("" when empty); held, with the
 * folder, so that an error leaves nothing unreachable */
json_t *
nz_narrative_json(const char *dir)
{
	static nz_buf path;
	json_t *obj = json_object();
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len;

	if (!d)
		nz_die(NZ_EXIT_DATA, "%s: cannot read the narrative folder: %s",
		    dir, strerror(errno));
	nz_hold(d);
	nz_hold(obj);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len <= 3 || strcmp(e->d_name + len - 3, ".md") != 0)
			continue;
		nz_buf_clear(&path);
		nz_buf_printf(&path, "%s/%s", dir, e->d_name);
		json_object_setn_new(obj, e->d_name, len - 3,
		    markdown_json(path.s));
	}
	nz_drop(d);
	nz_drop(obj);
	closedir(d);
	nz_buf_free(&path);
	return obj;
}
