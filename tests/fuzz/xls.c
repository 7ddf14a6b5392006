/* xls.c: libFuzzer harness for the .xls reader (filters/lib/biff.c, then
 * FreeXL through filters/lib/xls.c and rows.c).
 *
 * A fuzzed OLE2 container is almost never one, so the harness writes the
 * fuzzed bytes as the Workbook stream of a real container (libgsf's
 * writer, in a scratch file) and the fuzzer works on BIFF records, the
 * part of the format this project reads itself (sheet offsets, formats,
 * FORMULA, STRING, BOOLERR).  Byte 0: % 4 == 3 writes the rest as the
 * whole file instead; / 4 % 4 picks the sheet asked for (the first, by
 * name "Visits", number 2, one not there).  Rows read must hold the
 * header's width once set, fields NUL-terminated at their length, valid
 * types and ISO date cells, rising row numbers; a damaged file must come
 * back as NULL or -1.  FreeXL leaks on some of its own error paths, so
 * leak detection is off for this harness (never for our code: the case
 * tests run biff.c under LeakSanitizer).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-stdio.h>
#include <gsf/gsf-utils.h>

#include "nz.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "xls fuzz: invariant failed: %s\n", #cond); \
		abort(); \
	} \
} while (0)

const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

static char path[64];

static void
make_ole(const uint8_t *data, size_t len)
{
	GsfOutput *out = gsf_output_stdio_new(path, NULL), *wb;
	GsfOutfile *ole;

	REQUIRE(out != NULL);
	ole = gsf_outfile_msole_new(out);
	g_object_unref(out);
	REQUIRE(ole != NULL);
	wb = gsf_outfile_new_child(ole, "Workbook", FALSE);
	REQUIRE(wb != NULL);
	REQUIRE(len == 0 || gsf_output_write(wb, len, data));
	gsf_output_close(wb);
	g_object_unref(wb);
	gsf_output_close(GSF_OUTPUT(ole));
	g_object_unref(ole);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	nz_setprog("xls-fuzz");
	gsf_init();
	snprintf(path, sizeof path, "/tmp/nz-xls-fuzz-%ld.xls", (long)getpid());
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {NULL, "Visits", NULL, "Nowhere"};
	nz_rows_opts o = {NZ_FORMAT_XLS, "utf-8", ',', 0, NULL, 0, 1};
	long last_line = 0;
	size_t width = 0, i;
	nz_rows *r;
	nz_row *row;
	int mode, is_date, y, m, d;
	FILE *f;

	if (size < 1)
		return 0;
	mode = data[0];
	if (mode % 4 == 3) {
		f = fopen(path, "wb");
		REQUIRE(f && fwrite(data + 1, 1, size - 1, f) == size - 1 &&
		    fclose(f) == 0);
	} else {
		make_ole(data + 1, size - 1);
	}
	o.sheet_name = names[mode / 4 % 4];
	o.sheet_index = mode / 4 % 4 == 2 ? 2 : 0;
	r = nz_rows_open(path, &o);
	if (r) {
		while (nz_rows_next(r, &row) > 0) {
			REQUIRE(row->line > last_line);
			last_line = row->line;
			if (width)
				REQUIRE(row->nfields == width);
			for (i = 0; i < row->nfields; i++) {
				REQUIRE(strlen(row->field[i]) == row->len[i]);
				REQUIRE(row->type[i] <= NZ_CELL_ERROR);
				if (row->type[i] == NZ_CELL_DATE)
					REQUIRE(nz_parse_iso_date(row->field[i],
					    &y, &m, &d) == 0);
			}
			if (!width)
				nz_rows_set_width(r, width = row->nfields);
		}
		(void)nz_rows_title(r, &is_date);
		nz_rows_close(r);
	}
	unlink(path);
	return 0;
}
