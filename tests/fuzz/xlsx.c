/* xlsx.c: libFuzzer harness for the .xlsx reader (filters/lib/xlsx.c,
 * through rows.c).
 *
 * A fuzzed zip is almost never a zip, so the harness zips the fuzzed
 * parts itself (libzip, in a scratch file) and the fuzzer works on XML.
 * Input: byte 0 picks the mode; then the sheet's XML, and after a line
 * "--sst--" the shared strings, after "--styles--" the styles, after
 * "--book--" the workbook part (else fixed ones).  Mode % 8 == 7: the
 * rest is the whole file, as it comes (the zip reader itself).  Mode / 8
 * % 4 picks the sheet asked for: the first, by name "Data", number 2,
 * or a name that is not there.
 * Every row read must hold exactly the header's width once set, each
 * field NUL-terminated at its length with no NUL inside, a valid type,
 * date cells a valid ISO date, and rising sheet row numbers; a damaged
 * workbook must come back as NULL or -1, never a crash, a hang or a
 * leak.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "nz.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "xlsx fuzz: invariant failed: %s\n", #cond); \
		abort(); \
	} \
} while (0)

static char path[64];

static const char rels[] = "<?xml version=\"1.0\"?><Relationships xmlns="
    "\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/relationships/officeDocument\" Target=\"xl/"
    "workbook.xml\"/></Relationships>";
static const char book[] = "<?xml version=\"1.0\"?><workbook xmlns=\"http:"
    "//schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http:"
    "//schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<workbookPr date1904=\"0\"/><sheets><sheet name=\"Data\" sheetId=\"1\" "
    "r:id=\"rId1\"/><sheet name=\"Other\" sheetId=\"2\" r:id=\"rId1\"/>"
    "</sheets></workbook>";
static const char book_rels[] = "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/"
    "sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/sharedStrings\" "
    "Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"x/"
    "styles\" Target=\"styles.xml\"/></Relationships>";
static const char styles[] = "<styleSheet><numFmts><numFmt numFmtId=\"164\" "
    "formatCode=\"d/mm/yyyy\"/></numFmts><cellXfs><xf numFmtId=\"0\"/><xf "
    "numFmtId=\"164\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";
static const char sst[] = "<sst><si><t>Client ID</t></si><si><t>Date</t>"
    "</si><si><r><t>a</t></r><r><t>b</t></r></si></sst>";

/* the part of the input after "\n--NAME--\n", up to the next marker */
static int
part(const char *in, size_t len, const char *name, const char **p,
    size_t *plen)
{
	char marker[32];
	const char *s, *e;
	size_t mlen;

	mlen = (size_t)snprintf(marker, sizeof marker, "\n--%s--\n", name);
	s = memmem(in, len, marker, mlen);
	if (!s)
		return 0;
	s += mlen;
	e = memmem(s, len - (size_t)(s - in), "\n--", 3);
	*p = s;
	*plen = e ? (size_t)(e - s) : len - (size_t)(s - in);
	return 1;
}

static void
add(zip_t *z, const char *name, const char *s, size_t len)
{
	zip_source_t *src = zip_source_buffer(z, s, len, 0);
	zip_int64_t at;

	REQUIRE(src && (at = zip_file_add(z, name, src, ZIP_FL_OVERWRITE)) >= 0);
	/* stored, not deflated: the fuzzer's time goes to the reader */
	REQUIRE(zip_set_file_compression(z, (zip_uint64_t)at, ZIP_CM_STORE,
	    0) == 0);
}

static void
make_zip(const char *in, size_t len)
{
	const char *p;
	size_t plen, sheet_len;
	zip_t *z;
	int err;

	unlink(path);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	REQUIRE(z != NULL);
	sheet_len = len;
	p = memmem(in, len, "\n--", 3);
	if (p)
		sheet_len = (size_t)(p - in);
	add(z, "_rels/.rels", rels, sizeof rels - 1);
	if (part(in, len, "book", &p, &plen))
		add(z, "xl/workbook.xml", p, plen);
	else
		add(z, "xl/workbook.xml", book, sizeof book - 1);
	add(z, "xl/_rels/workbook.xml.rels", book_rels, sizeof book_rels - 1);
	add(z, "xl/worksheets/sheet1.xml", in, sheet_len);
	if (part(in, len, "sst", &p, &plen))
		add(z, "xl/sharedStrings.xml", p, plen);
	else
		add(z, "xl/sharedStrings.xml", sst, sizeof sst - 1);
	if (part(in, len, "styles", &p, &plen))
		add(z, "xl/styles.xml", p, plen);
	else
		add(z, "xl/styles.xml", styles, sizeof styles - 1);
	REQUIRE(zip_close(z) == 0);
}

static void
check_row(const nz_row *row, size_t width, long *last_line)
{
	size_t i;
	int y, m, d;

	REQUIRE(row->line > *last_line);
	*last_line = row->line;
	REQUIRE(row->type != NULL);
	if (width)
		REQUIRE(row->nfields == width);
	for (i = 0; i < row->nfields; i++) {
		REQUIRE(row->field[i][row->len[i]] == '\0');
		REQUIRE(strlen(row->field[i]) == row->len[i]);
		REQUIRE(row->type[i] <= NZ_CELL_ERROR);
		if (row->type[i] == NZ_CELL_DATE)
			REQUIRE(nz_parse_iso_date(row->field[i], &y, &m, &d) ==
			    0);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	nz_setprog("xlsx-fuzz");
	snprintf(path, sizeof path, "/tmp/nz-xlsx-fuzz-%ld.xlsx",
	    (long)getpid());
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {NULL, "Data", NULL, "Nowhere"};
	nz_rows_opts o = {NZ_FORMAT_XLSX, "utf-8", ',', 0, NULL, 0, 1};
	const char *in = (const char *)data + 1;
	long last_line = 0;
	size_t width = 0, len;
	nz_rows *r;
	nz_row *row;
	int mode, got, is_date;
	FILE *f;

	if (size < 1)
		return 0;
	mode = data[0];
	len = size - 1;
	if (mode % 8 == 7) {
		f = fopen(path, "wb");
		REQUIRE(f && fwrite(in, 1, len, f) == len && fclose(f) == 0);
	} else {
		make_zip(in, len);
	}
	o.sheet_name = names[mode / 8 % 4];
	o.sheet_index = mode / 8 % 4 == 2 ? 2 : 0;
	o.skip_rows = mode / 32 % 3;
	r = nz_rows_open(path, &o);
	if (r) {
		while ((got = nz_rows_next(r, &row)) > 0) {
			check_row(row, width, &last_line);
			if (!width)   /* the header: its width from now on */
				nz_rows_set_width(r, width = row->nfields ?
				    row->nfields : 1);
		}
		(void)nz_rows_title(r, &is_date);
		nz_rows_close(r);
	}
	unlink(path);
	return 0;
}
