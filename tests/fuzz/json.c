/* json.c: libFuzzer harness for filters/lib/json.c.
 *
 * nz_json_load and the typed getters exit(1) on bad input by design
 * (nz_die); to libFuzzer an exit is a crash, so those paths are not fuzzed
 * here (the case tests cover their messages).  Instead the input is first
 * parsed with jansson's json_loadb under the same flags; only a JSON object
 * goes on, written to a scratch file: nz_json_load must then succeed with
 * an equal value, each string and integer member must come back through
 * nz_json_str and nz_json_int, absent keys give the default, and
 * nz_json_key_line must name a line that holds the quoted key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nz.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "json fuzz: invariant failed: %s\n", #cond); \
		abort(); \
	} \
} while (0)

static char path[64];    /* the scratch file, there only during a run */

static int
contains(const char *text, size_t len, const char *needle, size_t nlen)
{
	size_t i;

	for (i = 0; i + nlen <= len; i++)
		if (memcmp(text + i, needle, nlen) == 0)
			return 1;
	return 0;
}

/* 1 if line n (1-based) of data holds needle */
static int
line_holds(const uint8_t *data, size_t size, long n, const char *needle)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	nz_buf line = {0};
	int found;

	while (--n > 0 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	if (n > 0 || p >= end)
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	nz_buf_add(&line, p, (size_t)((nl ? nl : end) - p));
	found = contains(line.s, line.len, needle, strlen(needle));
	nz_buf_free(&line);
	return found;
}

static void
check_member(const uint8_t *data, size_t size, json_t *root, const char *key,
    json_t *value)
{
	nz_buf needle = {0};
	long line, next;

	if (json_is_string(value))
		REQUIRE(strcmp(nz_json_str(path, root, key, NULL),
		    json_string_value(value)) == 0);
	if (json_is_integer(value))
		REQUIRE(nz_json_int(path, root, key, 0) ==
		    (long)json_integer_value(value));
	nz_buf_printf(&needle, "\"%s\"", key);
	line = nz_json_key_line(path, key, 1);
	REQUIRE(line >= 0);
	if (line > 0) {
		REQUIRE(line_holds(data, size, line, needle.s));
		next = nz_json_key_line(path, key, line + 1);
		REQUIRE(next == 0 || next > line);
	} else {
		/* not found: the quoted key is nowhere in the text (it may be
		 * written with escapes) */
		REQUIRE(!contains((const char *)data, size, needle.s,
		    needle.len));
	}
	nz_buf_free(&needle);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof path, "/tmp/nz-fuzz-json-XXXXXX");
	fd = mkstemp(path);     /* a free name; each run writes it anew */
	if (fd < 0)
		return 1;
	close(fd);
	unlink(path);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *want, *got, *value;
	json_error_t err;
	const char *key;
	size_t members = 0;
	FILE *f;

	want = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &err);
	if (!json_is_object(want)) {
		json_decref(want);
		return 0;
	}
	f = fopen(path, "wb");
	REQUIRE(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
	got = nz_json_load(path);
	REQUIRE(json_equal(got, want));
	json_object_foreach(got, key, value) {
		if (members++ == 32)
			break;      /* each check reads the file: keep runs fast */
		check_member(data, size, got, key, value);
	}
	if (!json_object_get(got, "nz-fuzz-absent")) {
		REQUIRE(strcmp(nz_json_str(path, got, "nz-fuzz-absent", "def"),
		    "def") == 0);
		REQUIRE(nz_json_int(path, got, "nz-fuzz-absent", 42) == 42);
	}
	json_decref(got);
	json_decref(want);
	unlink(path);
	return 0;
}
