/* csv.c: libFuzzer harness for the CSV reader (filters/lib/csvread.c).
 *
 * Input: byte 0 picks the chunk size (1-64) and short reads, byte 1 the
 * delimiter (, ; or tab) and, with its top bit, a read error in place of
 * the end of input; the rest is the CSV, read with and without
 * NZ_CSV_CANONICAL.  Beyond memory safety it checks what the reader
 * promises: record start lines are 1-based, only go forward and never pass
 * the number of CR/LF bytes + 1; fields hold no NUL (and valid UTF-8 when
 * canonical); the records are the same at every chunk size; what
 * nz_csv_fields writes of them reads back as the same records; and the
 * fast path (whole lines with simple quotes split without libcsv), with
 * AVX-512 and without, gives the same records, lines and errors as libcsv
 * alone, in the canonical dialect and an export's, the differential
 * oracle DESIGN §6 asks for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"
#include "../unit/mem.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "csv fuzz: invariant failed: %s\n", #cond); \
		abort(); \
	} \
} while (0)

/* Read everything and check each row; the records go to out (with their
 * lines if with_lines) so that two reads can be compared, and through
 * nz_csv_fields to copy if not NULL.  Returns how the reading ended. */
static int
read_all(const char *data, size_t len, size_t chunk, size_t step,
    int fail_at_end, char delim, unsigned flags, int with_lines, FILE *copy,
    nz_buf *out)
{
	struct mem m = {data, len, 0, step, fail_at_end};
	nz_csv *c = nz_csv_new("fuzz", mem_read, &m, flags);
	long line_ends = 0, prev_end = 0;
	nz_row *row;
	size_t i;
	int r;

	for (i = 0; i < len; i++)
		line_ends += data[i] == '\r' || data[i] == '\n';
	nz_csv_set_chunk(c, chunk);
	nz_csv_set_delim(c, delim);
	while ((r = nz_csv_next(c, &row)) == 1) {
		REQUIRE(row->line >= 1);
		REQUIRE(row->line > prev_end); /* one record ends per line */
		REQUIRE(row->line_end >= row->line);
		REQUIRE(row->line_end <= line_ends + 1);
		REQUIRE(row->nfields >= 1);
		prev_end = row->line_end;
		if (with_lines)
			nz_buf_printf(out, "%ld-%ld:", row->line,
			    row->line_end);
		for (i = 0; i < row->nfields; i++) {
			REQUIRE(strlen(row->field[i]) == row->len[i]);
			if (flags & (NZ_CSV_CANONICAL | NZ_CSV_UTF8))
				REQUIRE(nz_utf8_valid(row->field[i], row->len[i],
				    NULL));
			nz_buf_printf(out, "%zu,", row->len[i]);
			nz_buf_add(out, row->field[i], row->len[i]);
		}
		nz_buf_addc(out, '\n');
		if (copy)
			nz_csv_fields(copy, (const char *const *)row->field,
			    row->nfields);
	}
	/* the end is sticky: an error or end of input stays so */
	REQUIRE(nz_csv_next(c, &row) == r);
	if (r < 0 && with_lines) {
		long line = 0;
		const char *error = nz_csv_error(c, &line);
		REQUIRE(error != NULL);
		nz_buf_printf(out, "error %ld %s\n", line, error);
	}
	nz_csv_close(c);
	return r;
}

static int
same(const nz_buf *a, const nz_buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->s, b->s, a->len) == 0);
}

/* The rows read in the canonical dialect, written by nz_csv_fields and
 * read again, must be the same rows. */
static void
round_trip(const char *csv, size_t len, size_t chunk, size_t step,
    int fail_at_end, char delim)
{
	nz_buf first = {0}, again = {0};
	char *text = NULL;
	size_t text_len = 0;
	FILE *copy = open_memstream(&text, &text_len);

	REQUIRE(copy != NULL);
	read_all(csv, len, 0, SIZE_MAX, fail_at_end, delim, NZ_CSV_UTF8,
	    0, copy, &first);
	REQUIRE(fclose(copy) == 0);
	REQUIRE(read_all(text, text_len, chunk, step, 0, ',', NZ_CSV_CANONICAL,
	    0, NULL, &again) == 0);
	REQUIRE(same(&first, &again));
	free(text);
	nz_buf_free(&first);
	nz_buf_free(&again);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	nz_setprog("csv-fuzz");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = {',', ';', '\t'};
	static const unsigned flag_sets[] = {0, NZ_CSV_CANONICAL};
	static const unsigned fast_sets[] = {NZ_CSV_CANONICAL, NZ_CSV_UTF8, 0};
	nz_buf small = {0}, whole = {0};
	const char *csv = (const char *)data + 2;
	size_t chunk, step, len, i;
	int fail_at_end, r;
	char delim;

	if (size < 2)
		return 0;
	chunk = 1 + (data[0] & 0x3F);
	step = data[0] & 0x40 ? 1 + chunk / 3 : chunk; /* short reads */
	delim = delims[data[1] % 3];
	fail_at_end = data[1] >> 7;
	len = size - 2;
	for (i = 0; i < 2; i++) {
		nz_buf_clear(&small);
		nz_buf_clear(&whole);
		r = read_all(csv, len, chunk, step, fail_at_end, delim,
		    flag_sets[i], 1, NULL, &small);
		nz_buf_printf(&small, "end %d\n", r);
		r = read_all(csv, len, 0, SIZE_MAX, fail_at_end, delim,
		    flag_sets[i], 1, NULL, &whole);
		nz_buf_printf(&whole, "end %d\n", r);
		REQUIRE(same(&small, &whole));
	}
	round_trip(csv, len, chunk, step, fail_at_end, delim);
	/* the fast path with AVX-512 (where the machine has it) and
	 * without, each against libcsv alone */
	for (i = 0; i < 12; i++) {
		unsigned flags = fast_sets[i / 4] | (i & 2 ? NZ_CSV_NO_WIDE : 0);
		nz_buf_clear(&small);
		nz_buf_clear(&whole);
		read_all(csv, len, i % 2 ? 0 : chunk, i % 2 ? SIZE_MAX : step,
		    fail_at_end, ',', flags, 1, NULL, &small);
		read_all(csv, len, i % 2 ? 0 : chunk, i % 2 ? SIZE_MAX : step,
		    fail_at_end, ',', flags | NZ_CSV_NO_FAST, 1, NULL, &whole);
		REQUIRE(same(&small, &whole));
	}
	nz_buf_free(&small);
	nz_buf_free(&whole);
	return 0;
}
