/* xls.c: one sheet of a legacy Excel workbook (.xls, BIFF5/BIFF8),
 * through FreeXL.
 *
 * FreeXL reads the whole workbook when it opens it (an .xls holds at most
 * 65,536 rows of 256 columns) and gives each cell typed: integers and
 * doubles, texts (shared or not, already UTF-8), and dates, date-times
 * and times, which it tells from the cell's number format and the
 * workbook's date system (1900 or 1904).  It skips formulas and reads an
 * error constant as 1, so those cells come from biff.c instead: a
 * formula's cached value, an error value (#N/A, #REF!) as an error, a
 * boolean as TRUE or FALSE.  Rows are handed on one at a time like the
 * other readers'.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <freexl.h>

#include "sheet.h"

struct xls {
	struct nz_book book;  /* first: rows.c sees only this */
	const char *file;
	const void *handle;
	FILE *spool;          /* standard input, copied */
	unsigned rows, row;
	unsigned short cols;
	struct nz_biff_list extra;  /* the cells FreeXL does not read */
	size_t next_extra;
};

static const char *
freexl_error(int code)
{
	switch (code) {
	case FREEXL_FILE_NOT_FOUND: return ": no such file";
	case FREEXL_INSUFFICIENT_MEMORY: return ": out of memory";
	case FREEXL_INVALID_CFBF_HEADER:
	case FREEXL_CFBF_INVALID_SIGNATURE:
		return ": not an .xls file (no OLE compound file header)";
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR:
		return ": read error, a cut-short file?";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
		return ": no workbook stream in the file";
	case FREEXL_UNSUPPORTED_CHARSET:
		return ": a character set FreeXL cannot convert";
	case FREEXL_INVALID_CHARACTER:
		return ": a text that is not valid in its character set";
	default: return ": a damaged or unsupported .xls file";
	}
}

/* a cell as text of its type into the row */
static void
put_cell(struct xls *x, struct nz_sheetrow *row, unsigned short col,
    const FreeXL_CellValue *v)
{
	char text[32];
	const char *s;
	int y, m, d;

	switch (v->type) {
	case FREEXL_CELL_INT:
		snprintf(text, sizeof text, "%d", v->value.int_value);
		nz_sheetrow_put(row, col, text, strlen(text), NZ_CELL_NUMBER);
		break;
	case FREEXL_CELL_DOUBLE:
		nz_sheet_put_number(row, col, v->value.double_value,
		    NZ_FORMAT_NUMBER, x->book.date1904);
		break;
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
		s = v->value.text_value ? v->value.text_value : "";
		nz_sheetrow_put(row, col, s, strlen(s), NZ_CELL_TEXT);
		break;
	case FREEXL_CELL_DATE:
	case FREEXL_CELL_DATETIME:
		/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS": the date part, if it
		 * is a date (a serial out of range gives FreeXL nonsense) */
		s = v->value.text_value ? v->value.text_value : "";
		snprintf(text, sizeof text, "%.10s", s);
		nz_sheetrow_put(row, col, text, strlen(text),
		    nz_parse_iso_date(text, &y, &m, &d) == 0 ? NZ_CELL_DATE :
		    NZ_CELL_TEXT);
		break;
	case FREEXL_CELL_TIME:
		s = v->value.text_value ? v->value.text_value : "";
		nz_sheetrow_put(row, col, s, strlen(s), NZ_CELL_TEXT);
		break;
	default:   /* FREEXL_CELL_NULL: empty */
		break;
	}
}

static int
xls_next_row(struct nz_book *b, struct nz_sheetrow *row)
{
	struct xls *x = (struct xls *)b;
	FreeXL_CellValue v;
	unsigned short c;
	int r;

	if (x->row >= x->rows)
		return 0;
	nz_sheetrow_start(row, (long)x->row + 1);
	for (c = 0; c < x->cols; c++) {
		const struct nz_biff_cell *e = x->next_extra < x->extra.n ?
		    &x->extra.cell[x->next_extra] : NULL;
		if (e && e->row == x->row && e->col == c) {
			nz_sheetrow_put(row, c, e->text, strlen(e->text),
			    e->type);
			x->next_extra++;
			continue;
		}
		r = freexl_get_cell_value(x->handle, x->row, c, &v);
		if (r != FREEXL_OK) {
			nz_warnat(x->file, (long)x->row + 1, "column %u%s",
			    c + 1u, freexl_error(r));
			return -1;
		}
		put_cell(x, row, c, &v);
	}
	/* cells of this row outside FreeXL's dimensions, if any */
	while (x->next_extra < x->extra.n &&
	    x->extra.cell[x->next_extra].row <= x->row)
		x->next_extra++;
	x->row++;
	return 1;
}

static void
xls_close(struct nz_book *b)
{
	struct xls *x = (struct xls *)b;

	if (x->handle)
		freexl_close(x->handle);
	if (x->spool)
		fclose(x->spool);
	nz_biff_free(&x->extra);
	nz_drop(x);
	free(x);
}

/* Select sheet pick (as biff.c chose it, from the same list of sheets)
 * and read its size. */
static int
select_sheet(struct xls *x, size_t pick)
{
	if (freexl_select_active_worksheet(x->handle, (unsigned short)pick) !=
	    FREEXL_OK || freexl_worksheet_dimensions(x->handle, &x->rows,
	    &x->cols) != FREEXL_OK) {
		nz_warnat(x->file, 0, "cannot read sheet %zu", pick + 1);
		return -1;
	}
	return 0;
}

/* What a file that FreeXL cannot open is, by its first bytes: a hint. */
static const char *
not_xls_hint(const char *path, const char *name)
{
	unsigned char magic[4] = {0};
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f) {
		nz_warn("%s: %s", name, strerror(errno));
		return NULL;
	}
	got = fread(magic, 1, 4, f);
	fclose(f);
	if (got == 0)
		return ": an empty file";
	if (got == 4 && memcmp(magic, "PK\x03\x04", 4) == 0)
		return ": it is a zip, an .xlsx workbook? (then \"format\": "
		    "\"xlsx\")";
	if (got < 4 || memcmp(magic, "\xD0\xCF\x11\xE0", 4) != 0)
		return ": it is no Excel file (no OLE2 header); a CSV file? "
		    "(then \"format\": \"csv\")";
	return "";
}

struct nz_book *
nz_xls_open(const char *path, const char *name, const char *sheet_name,
    long sheet_index)
{
	struct xls *x = nz_calloc(1, sizeof *x);
	char spool_path[64];
	unsigned password = 0;
	const char *hint;
	size_t pick;
	int r;

	nz_hold(x);
	x->book.next_row = xls_next_row;
	x->book.close = xls_close;
	x->file = name;
	if (!path) {   /* FreeXL opens a path: standard input's copy's */
		x->spool = nz_spool_stdin();
		snprintf(spool_path, sizeof spool_path, "/proc/self/fd/%d",
		    fileno(x->spool));
		path = spool_path;
	}
	/* first the checks and the cells FreeXL misses: a damaged file
	 * stops there, before FreeXL reads it */
	hint = not_xls_hint(path, name);
	if (!hint)
		goto fail;
	if (*hint) {
		nz_warnat(name, 0, "not a readable .xls workbook%s", hint);
		goto fail;
	}
	pick = nz_biff_read(path, name, sheet_name, sheet_index,
	    &x->book.date1904, &x->extra);
	if (pick == (size_t)-1)
		goto fail;
	x->book.sheet = x->extra.sheet;
	x->book.nsheets = x->extra.nsheets;
	r = freexl_open(path, &x->handle);
	if (r == FREEXL_OK && !x->handle) {  /* FreeXL gave up, saying nothing */
		nz_warnat(name, 0, "not a readable .xls workbook: FreeXL cannot "
		    "read it (its string table may hold an empty text); save it "
		    "as .xlsx");
		goto fail;
	}
	if (r != FREEXL_OK) {
		x->handle = NULL;
		nz_warnat(name, 0, "not a readable .xls workbook%s",
		    freexl_error(r));
		goto fail;
	}
	/* FreeXL 1.0.6 says PLAIN, or for a protected file not OBFUSCATED
	 * but some other number: anything but PLAIN is protected */
	if (freexl_get_info(x->handle, FREEXL_BIFF_PASSWORD, &password) ==
	    FREEXL_OK && password != FREEXL_BIFF_PLAIN) {
		nz_warnat(name, 0, "the workbook is protected by a password: "
		    "save it without one");
		goto fail;
	}
	if (select_sheet(x, pick) < 0)
		goto fail;
	return &x->book;
fail:
	xls_close(&x->book);
	return NULL;
}
