/* state.c: an agency's state folder, where released quarters stay final.
 *
 * The folder (STATE, by default ~/.nzccss/state/CODE; never in out/ and
 * never sent) keeps every release the agency made and the bucketed
 * events of every quarter it released:
 *
 *   state.json                  what was released, under what; written
 *                               last, by rename: the commit point
 *   releases/NNNN/release.csv   generation N's release, as sent
 *   releases/NNNN/manifest.json its manifest, as sent
 *   releases/NNNN/secondary-cells.csv  the cells its secondary
 *                               suppression hid (internal)
 *   lock                        held while a build keeps a release
 *   events/YYYYQn.csv           the bucketed events of a released
 *                               quarter, frozen when it was released
 *
 * A generation is one build that released new quarters: it carries the
 * quarters of its base (the generation before it) byte for byte and adds
 * its own after them, so the released quarters are always one unbroken
 * run.  Anything state.json does not name (a generation or events file
 * left by an interrupted commit) is not part of the state and is
 * replaced by the next commit.  state.json records the sha256 of every
 * release and events file, and readers check them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nz.h"

#define STATE_FORMAT 1

/* a generation's files, in its folder and in state.json */
const char *const nz_state_files[NZ_STATE_FILES] = {"release.csv",
    "manifest.json", "secondary-cells.csv"};

char *
nz_state_file(const char *dir, const char *fmt, ...)
{
	nz_buf b = {0};
	char rel[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof rel, fmt, ap);
	va_end(ap);
	nz_buf_printf(&b, "%s/%s", dir, rel);
	return b.s;
}

char *
nz_state_release_file(const char *dir, long generation, const char *name)
{
	return nz_state_file(dir, "releases/%04ld/%s", generation, name);
}

char *
nz_state_events_file(const char *dir, long quarter)
{
	char q[NZ_PERIOD_BUF];

	nz_period_name(quarter, q);
	return nz_state_file(dir, "events/%s.csv", q);
}

/* ---- reading state.json ---- */

static _Noreturn void __attribute__((format(printf, 3, 4)))
bad_state(const char *path, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	nz_dieat(NZ_EXIT_DATA, path, key ? nz_json_key_line(path, key, 1) : 0,
	    "%s (is this an agency state folder? README, \"The state "
	    "folder\")", msg);
}

static long
quarter_of(const char *path, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	long q;

	if (!json_is_string(v) ||
	    nz_period_parse_index(json_string_value(v), &q) < 0)
		bad_state(path, key, "\"%s\" must be a quarter YYYYQn", key);
	return q;
}

static long
count_of(const char *path, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		bad_state(path, key, "\"%s\" must be a whole number", key);
	return (long)json_integer_value(v);
}

static void
sha_of(const char *path, json_t *obj, char out[65])
{
	json_t *v = json_object_get(obj, "sha256");

	if (!json_is_string(v) || json_string_length(v) != 64 ||
	    strspn(json_string_value(v), "0123456789abcdef") != 64)
		bad_state(path, "sha256", "\"sha256\" must be 64 lower-case "
		    "hex digits");
	memcpy(out, json_string_value(v), 65);
}

/* {"first": Q, "last": Q} with first <= last */
static void
run_of(const char *path, json_t *obj, const char *key, long *first,
    long *last)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_object(v))
		bad_state(path, key, "\"%s\" must be {\"first\": YYYYQn, "
		    "\"last\": YYYYQn}", key);
	*first = quarter_of(path, v, "first");
	*last = quarter_of(path, v, "last");
	if (*first > *last)
		bad_state(path, key, "\"%s\": first is after last", key);
}

static void
load_generations(nz_state *s, const char *path)
{
	json_t *gens = json_object_get(s->root, "generations"), *g, *rel;
	size_t i;
	int f;

	if (!json_is_array(gens) || json_array_size(gens) == 0)
		bad_state(path, "generations", "\"generations\" must be a "
		    "non-empty array");
	s->ngen = json_array_size(gens);
	s->gen = nz_calloc(s->ngen, sizeof *s->gen);
	nz_hold(s->gen);
	json_array_foreach(gens, i, g) {
		nz_state_gen *x = &s->gen[i];

		if (!json_is_object(g))
			bad_state(path, "generations", "a generation must be "
			    "an object");
		x->generation = count_of(path, g, "generation");
		x->base = count_of(path, g, "base");
		run_of(path, g, "new", &x->first, &x->last);
		for (f = 0; f < NZ_STATE_FILES; f++) {
			rel = json_object_get(g, nz_state_files[f]);
			if (!json_is_object(rel))
				bad_state(path, nz_state_files[f], "\"%s\" must "
				    "be an object", nz_state_files[f]);
			x->rows[f] = f == NZ_STATE_MANIFEST ? 0 :
			    count_of(path, rel, "rows");
			sha_of(path, rel, x->sha256[f]);
		}
		/* generations follow on: N's base is N-1, its quarters come
		 * right after N-1's */
		if (x->generation != (long)i + 1 || x->base != (long)i ||
		    (i > 0 && x->first != s->gen[i - 1].last + 1))
			bad_state(path, "generations", "generation %zu does not "
			    "follow on from the one before", i + 1);
	}
	if (s->gen[0].first != s->first || s->gen[s->ngen - 1].last != s->last)
		bad_state(path, "quarters", "\"quarters\" is not the run its "
		    "generations released");
}

static void
load_events(nz_state *s, const char *path)
{
	json_t *events = json_object_get(s->root, "events"), *e;
	char name[NZ_PERIOD_BUF];
	long q;

	if (!json_is_object(events))
		bad_state(path, "events", "\"events\" must be an object");
	s->events = nz_calloc((size_t)(s->last - s->first + 1),
	    sizeof *s->events);
	nz_hold(s->events);
	for (q = s->first; q <= s->last; q++) {
		nz_state_events *x = &s->events[q - s->first];

		nz_period_name(q, name);
		e = json_object_get(events, name);
		if (!json_is_object(e))
			bad_state(path, "events", "no frozen events recorded "
			    "for %s, which is released", name);
		x->rows = count_of(path, e, "rows");
		sha_of(path, e, x->sha256);
	}
}

nz_state *
nz_state_open(const char *dir)
{
	nz_state *s = nz_calloc(1, sizeof *s);
	char *path = nz_state_file(dir, "state.json");
	json_t *v;

	nz_hold(s);
	s->dir = nz_strdup(dir);
	nz_hold(s->dir);
	s->first = s->last = -1;
	if (access(path, F_OK) != 0) {   /* nothing released yet */
		free(path);
		return s;
	}
	s->path = path;
	nz_hold(path);
	s->root = nz_json_load(path);
	if (nz_json_int(path, s->root, "format", -1) != STATE_FORMAT)
		bad_state(path, "format", "\"format\" must be %d",
		    STATE_FORMAT);
	s->agency = nz_json_str(path, s->root, "agency", NULL);
	if (!nz_agency_valid(s->agency))
		bad_state(path, "agency", "\"agency\" %s is not an agency "
		    "code", nz_q(s->agency));
	v = json_object_get(s->root, "made_with");
	if (!json_is_object(v))
		bad_state(path, "made_with", "\"made_with\" must be an object");
	s->made_with = v;
	run_of(path, s->root, "quarters", &s->first, &s->last);
	load_events(s, path);
	load_generations(s, path);
	return s;
}

void
nz_state_free(nz_state *s)
{
	if (!s)
		return;
	nz_drop(s->gen);
	free(s->gen);
	nz_drop(s->events);
	free(s->events);
	if (s->root)
		nz_json_free(s->root);
	nz_drop(s->path);
	free(s->path);
	nz_drop(s->dir);
	free(s->dir);
	nz_drop(s);
	free(s);
}

const nz_state_events *
nz_state_quarter(const nz_state *s, long quarter)
{
	if (s->first < 0 || quarter < s->first || quarter > s->last)
		return NULL;
	return &s->events[quarter - s->first];
}

void
nz_state_check(const char *path, const char *sha256, const char *what)
{
	char got[65];

	if (nz_sha256_file(path, got) < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s: the state folder has lost %s; "
		    "restore the folder from its backup", path,
		    strerror(errno ? errno : EIO), what);
	if (strcmp(got, sha256) != 0)
		nz_die(NZ_EXIT_DATA, "%s: its sha256 is %s, but state.json "
		    "recorded %s: it has changed since it was kept (%s); "
		    "restore the state folder from its backup", path, got,
		    sha256, what);
}

/* ---- writing ---- */

/* mkdir -p, each new folder readable by its owner only */
void
nz_state_mkdirs(const char *dir)
{
	char *copy = nz_strdup(dir), *p;

	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST)
			nz_die(NZ_EXIT_DATA, "%s: cannot make the folder: %s",
			    copy, strerror(errno));
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
}

/* One commit at a time per state folder: a lock held until exit. */
void
nz_state_lock(const char *dir)
{
	char *path = nz_state_file(dir, "lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		nz_die(NZ_EXIT_DATA, "%s: another build is keeping a release "
		    "in this state folder; wait for it and run make again",
		    dir);
	free(path);        /* fd stays open, and the lock held, to exit */
}

/* fsync a file or folder by path, so a rename after it is durable */
void
nz_state_sync(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0)
		nz_die(NZ_EXIT_DATA, "%s: cannot sync: %s", path,
		    strerror(errno));
	close(fd);
}

void
nz_state_write(const char *dir, json_t *root)
{
	char *tmp = nz_state_file(dir, "state.json.tmp");
	char *path = nz_state_file(dir, "state.json");

	nz_hold(tmp);
	nz_hold(path);
	nz_json_write(tmp, json_incref(root));
	nz_state_sync(tmp);
	if (rename(tmp, path) != 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	nz_state_sync(dir);
	nz_drop(tmp);
	nz_drop(path);
	free(tmp);
	free(path);
}

/* Generation N's files are what state.json recorded. */
void
nz_state_check_generation(const nz_state *s, long generation)
{
	const nz_state_gen *g = &s->gen[generation - 1];
	char *path;
	int f;

	for (f = 0; f < NZ_STATE_FILES; f++) {
		path = nz_state_release_file(s->dir, generation,
		    nz_state_files[f]);
		nz_hold(path);
		nz_state_check(path, g->sha256[f], f == NZ_STATE_RELEASE ?
		    "a release the agency sent" : f == NZ_STATE_MANIFEST ?
		    "the manifest of a release the agency sent" :
		    "the secondary cells of a release");
		nz_drop(path);
		free(path);
	}
}

/* ---- keeping a generation ---- */

/* Remove a folder left by an interrupted commit (its files are only
 * those of a generation). */
static void
remove_generation_dir(const char *dir)
{
	char *path;
	int f;

	for (f = 0; f < NZ_STATE_FILES; f++) {
		path = nz_state_file(dir, "%s", nz_state_files[f]);
		if (unlink(path) != 0 && errno != ENOENT)
			nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
		free(path);
	}
	if (rmdir(dir) != 0 && errno != ENOENT)
		nz_die(NZ_EXIT_DATA, "%s: cannot replace it: %s", dir,
		    strerror(errno));
}

static void
copy_file(const char *from, const char *to)
{
	size_t len;
	char *text = nz_slurp(from, &len);
	FILE *out;

	if (!text)
		nz_die(NZ_EXIT_DATA, "%s: %s", from, strerror(errno));
	out = nz_fopen_out(to);
	if (fwrite(text, 1, len, out) != len)
		nz_die(NZ_EXIT_DATA, "%s: write error", to);
	nz_fclose_out(out, to);
	nz_state_sync(to);
	free(text);
}

static long
count_lines(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n, i;
	long lines = 0;

	if (!f)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	if (ferror(f))
		nz_die(NZ_EXIT_DATA, "%s: read error", path);
	fclose(f);
	return lines;
}

/* releases/NNNN: the release, its manifest and secondary cells, written
 * in a temporary folder renamed into place; their rows and sha256 */
json_t *
nz_state_keep_release(const char *dir, long generation,
    const char *const from[NZ_STATE_FILES])
{
	char *tmp = nz_state_file(dir, "releases/%04ld.tmp", generation);
	char *final = nz_state_file(dir, "releases/%04ld", generation);
	char *releases = nz_state_file(dir, "releases");
	json_t *files = json_object();
	char sha[65];
	int f;

	nz_state_mkdirs(releases);
	remove_generation_dir(tmp);
	remove_generation_dir(final);
	nz_state_mkdirs(tmp);
	for (f = 0; f < NZ_STATE_FILES; f++) {
		char *to = nz_state_file(tmp, "%s", nz_state_files[f]);
		copy_file(from[f], to);
		if (nz_sha256_file(to, sha) < 0)
			nz_die(NZ_EXIT_DATA, "%s: %s", to, strerror(errno));
		json_object_set_new(files, nz_state_files[f], f ==
		    NZ_STATE_MANIFEST ? json_pack("{s:s}", "sha256", sha) :
		    json_pack("{s:I,s:s}", "rows", (json_int_t)count_lines(to)
		    - 1, "sha256", sha));
		free(to);
	}
	nz_state_sync(tmp);
	if (rename(tmp, final) != 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", final, strerror(errno));
	nz_state_sync(releases);
	free(tmp);
	free(final);
	free(releases);
	return files;
}

/* events/YYYYQn.csv for each quarter first..last (those without events
 * too), from the bucketed events FROM; into events, rows and sha256 */
void
nz_state_keep_events(const char *dir, const char *from, const char *agency,
    long first, long last, json_t *events)
{
	size_t ncols, nq = (size_t)(last - first + 1), i;
	const char *const *cols = nz_cols(NZ_COLS_BUCKETED, &ncols);
	char *events_dir = nz_state_file(dir, "events"), sha[65];
	char name[NZ_PERIOD_BUF];
	FILE **out;
	nz_buf *path;
	long *rows, q;
	nz_csv *csv;
	nz_row *row;

	if (nq > 400)
		nz_die(NZ_EXIT_DATA, "%zu quarters released at once; release "
		    "at most 400 (FROM=)", nq);
	nz_state_mkdirs(events_dir);
	out = nz_calloc(nq, sizeof *out);
	path = nz_calloc(nq, sizeof *path);
	rows = nz_calloc(nq, sizeof *rows);
	for (i = 0; i < nq; i++) {
		nz_period_name(first + (long)i, name);
		nz_buf_printf(&path[i], "%s/%s.csv.tmp", events_dir, name);
		out[i] = nz_fopen_out(path[i].s);
		nz_csv_header(out[i], cols, ncols);
	}
	csv = nz_csv_open(from, NZ_CSV_CANONICAL);
	nz_csv_expect_header(csv, cols, ncols);
	while (nz_csv_next_n(csv, &row, ncols) == 1) {
		if (strcmp(row->field[0], agency) != 0 ||
		    nz_period_parse_index(row->field[1], &q) < 0 ||
		    q < first || q > last)
			nz_dieat(NZ_EXIT_DATA, from, row->line, "not an event "
			    "of %s in a quarter this build releases",
			    nz_q(agency));
		nz_csv_record(out[q - first], (const char *const *)
		    row->field, row->len, ncols);
		rows[q - first]++;
	}
	nz_csv_close(csv);
	for (i = 0; i < nq; i++) {
		char *final = nz_strndup(path[i].s, path[i].len - 4);

		nz_fclose_out(out[i], path[i].s);
		nz_state_sync(path[i].s);
		if (rename(path[i].s, final) != 0)
			nz_die(NZ_EXIT_DATA, "%s: %s", final, strerror(errno));
		if (nz_sha256_file(final, sha) < 0)
			nz_die(NZ_EXIT_DATA, "%s: %s", final, strerror(errno));
		nz_period_name(first + (long)i, name);
		json_object_set_new(events, name, json_pack("{s:I,s:s}", "rows",
		    (json_int_t)rows[i], "sha256", sha));
		free(final);
		nz_buf_free(&path[i]);
	}
	nz_state_sync(events_dir);
	free(out);
	free(path);
	free(rows);
	free(events_dir);
}

/* ---- the commit ---- */

/* The state as the split saw it, or one generation on that this very
 * build kept (a commit done, then the build stopped before its end). */
nz_state *
nz_state_open_at(const char *dir, long generation, int *kept)
{
	nz_state *s = nz_state_open(dir);
	long now = (long)s->ngen;

	*kept = now == generation + 1 && s->gen[now - 1].base == generation;
	if (now != generation && !*kept)
		nz_die(NZ_EXIT_DATA, "%s has changed since this build read it "
		    "(release %ld then, %ld now): build again from the split "
		    "(remove new-events.csv in the build's folder)", dir,
		    generation, now);
	return s;
}

/* The release kept must be the one the manifest describes, and must carry
 * the base release's rows first, byte for byte. */
static void
check_release(const nz_state_keep *k, const nz_state *s, const char *sha)
{
	json_t *m = nz_json_load(k->manifest);
	size_t len, blen;
	char *text, *btext, *path;
	const char *named = json_string_value(json_object_get(json_object_get(
	    m, "release"), "sha256"));

	if (!named || strcmp(named, sha) != 0)
		nz_die(NZ_EXIT_DATA, "%s does not describe %s (its sha256 "
		    "differs)", k->manifest, k->release);
	nz_json_free(m);
	if (k->generation == 0)
		return;
	path = nz_state_release_file(s->dir, k->generation, "release.csv");
	text = nz_slurp(k->release, &len);
	btext = nz_slurp(path, &blen);
	if (!text || !btext || blen > len || memcmp(text, btext, blen) != 0)
		nz_die(NZ_EXIT_DATA, "%s does not carry the quarters released "
		    "before byte for byte (%s): not kept", k->release, path);
	free(text);
	free(btext);
	free(path);
}

static json_t *
next_state(const nz_state_keep *p, const nz_state *s, json_t *files,
    json_t *events)
{
	json_t *gens = s->root ? json_deep_copy(json_object_get(s->root,
	    "generations")) : json_array();
	json_t *gen = json_pack("{s:I,s:I,s:o}", "generation",
	    (json_int_t)p->generation + 1, "base", (json_int_t)p->generation,
	    "new", nz_period_run(p->first, p->last));

	json_object_update(gen, files);
	json_array_append_new(gens, gen);
	return json_pack("{s:i,s:s,s:O,s:o,s:o,s:o}", "format", 1,
	    "agency", p->agency, "made_with", s->root ? s->made_with : p->made_with,
	    "quarters", nz_period_run(s->first >= 0 ? s->first : p->first,
	    p->last), "events", events, "generations", gens);
}

int
nz_state_commit(const nz_state_keep *k)
{
	nz_state *s;
	json_t *files, *events, *root;
	char sha[65];
	int kept, keep = 0;

	nz_state_mkdirs(k->dir);
	nz_state_lock(k->dir);
	s = nz_state_open_at(k->dir, k->generation, &kept);
	if (nz_sha256_file(k->release, sha) < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", k->release, strerror(errno));
	if (kept) {
		/* a commit from the same base: this one, or another build's */
		if (strcmp(s->gen[s->ngen - 1].sha256[NZ_STATE_RELEASE], sha))
			nz_die(NZ_EXIT_DATA, "%s already keeps release %zu, made "
			    "since this build read it, and %s is not that "
			    "release: build again from the split (remove "
			    "new-events.csv in the build's folder)", k->dir,
			    s->ngen, k->release);
	} else if (k->first > k->last) {
		/* nothing new: the release is the last one kept */
		if (s->ngen && strcmp(s->gen[s->ngen - 1].sha256[
		    NZ_STATE_RELEASE], sha))
			nz_die(NZ_EXIT_DATA, "%s releases no new quarter, but it "
			    "is not the release %s keeps last", k->release,
			    k->dir);
	} else {
		check_release(k, s, sha);
		files = nz_state_keep_release(k->dir, k->generation + 1,
		    (const char *const[]){k->release, k->manifest,
		    k->secondary});
		events = s->root ? json_deep_copy(json_object_get(s->root,
		    "events")) : json_object();
		nz_hold(files);
		nz_hold(events);
		nz_state_keep_events(k->dir, k->events, k->agency, k->first,
		    k->last, events);
		nz_drop(files);
		nz_drop(events);
		root = next_state(k, s, files, events);
		json_decref(files);
		nz_state_write(k->dir, root);   /* the commit */
		json_decref(root);
		keep = 1;
	}
	nz_state_free(s);
	return keep;
}
