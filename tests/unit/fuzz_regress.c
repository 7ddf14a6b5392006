/* fuzz_regress.c: inputs the fuzz harnesses of tests/fuzz/ found failing,
 * each fed through the path its harness took (see `make fuzz`). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nz.h"
#include "mem.h"
#include "tap.h"

/* Read data with flags at chunk size; the fields of every
 * record go to fields ("len,bytes" each, a newline after each record) and,
 * if copy is not NULL, through nz_csv_fields to copy. */
static void
read_rows(const char *data, size_t len, size_t chunk, unsigned flags,
    FILE *copy, nz_buf *fields)
{
	struct mem m = {data, len, 0, chunk, 0};
	nz_csv *c = nz_csv_new("fuzz-regress", mem_read, &m, flags);
	nz_row *row;
	size_t i;

	nz_csv_set_chunk(c, chunk);
	while (nz_csv_next(c, &row) == 1) {
		for (i = 0; i < row->nfields; i++) {
			nz_buf_printf(fields, "%zu,", row->len[i]);
			nz_buf_add(fields, row->field[i], row->len[i]);
		}
		nz_buf_addc(fields, '\n');
		if (copy)
			nz_csv_fields(copy, (const char *const *)row->field,
			    row->nfields);
	}
	nz_csv_close(c);
}

/* tests/fuzz/csv.c: rows read, written by nz_csv_fields and read again
 * must be the same rows. */
static void
csv_round_trip(const char *what, const char *data, size_t len, size_t chunk)
{
	nz_buf first = {0}, again = {0};
	char *text = NULL;
	size_t text_len = 0;
	FILE *copy = open_memstream(&text, &text_len);

	read_rows(data, len, 65536, NZ_CSV_UTF8, copy, &first);
	fclose(copy);
	/* what nz_csv_fields writes is the canonical dialect */
	read_rows(text, text_len, chunk, NZ_CSV_CANONICAL, NULL, &again);
	check(first.len > 0 && first.len == again.len &&
	    memcmp(first.s, again.s, first.len) == 0, what);
	free(text);
	nz_buf_free(&first);
	nz_buf_free(&again);
}

/* tests/fuzz/json.c: jansson takes a NUL byte after a number, so
 * nz_json_key_line must find a key after one on the same line. */
static void
json_key_after_nul(void)
{
	static const char text[] = "{\"a\": 1\0, \"bc\":518}";
	char path[] = "/tmp/nz-fuzz-regress-XXXXXX";
	int fd = mkstemp(path);
	json_error_t err;
	json_t *want = json_loadb(text, sizeof text - 1, JSON_REJECT_DUPLICATES,
	    &err), *got;
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		check(0, "json: key after a NUL byte (no scratch file)");
		return;
	}
	fwrite(text, 1, sizeof text - 1, f);
	fclose(f);
	got = want ? nz_json_load(path) : NULL; /* exits if jansson refuses */
	check(!want || (json_equal(got, want) &&
	    nz_json_key_line(path, "bc", 1) == 1 &&
	    nz_json_key_line(path, "a", 1) == 1),
	    "json: nz_json_key_line finds a key after a NUL byte on its line");
	json_decref(got);
	json_decref(want);
	unlink(path);
}

int
main(int argc, char **argv)
{
	/* fuzz header bytes (chunk size, delimiter) left out of each input */
	static const char lone_empty[] = ",\n\"\"";
	static const char bom_field[] = "\xEF\xBB\xBF\xEF\xBB\xBF\n\nx,\x02"
	    "\0\0\0\0\0\0\0y\"";

	(void)argc;
	nz_setprog(argv[0]);
	csv_round_trip("csv: a record of one empty field survives "
	    "nz_csv_fields (was a blank line, which readers skip)",
	    lone_empty, sizeof lone_empty - 1, 1);
	csv_round_trip("csv: a first field starting with U+FEFF survives "
	    "nz_csv_fields (was stripped as a byte-order mark)",
	    bom_field, sizeof bom_field - 1, 2);
	json_key_after_nul();
	return failures ? 1 : 0;
}
