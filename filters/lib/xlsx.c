/* xlsx.c: one sheet of an Office Open XML workbook (.xlsx), row by row.
 *
 * An .xlsx file is a zip (libzip) of XML parts (expat).  The package's
 * relationships lead to the workbook part (its sheets by name, and the
 * date system: 1900 or 1904), the workbook's relationships to each
 * sheet's part, the shared strings and the styles.  The shared strings
 * are read whole (every text cell of the sheet points into them) and the
 * styles give each cell format's number format, so that a number shown
 * as a date reads as a date; the sheet part is then parsed as it is
 * unzipped, the parser suspended at the end of each row, so memory holds
 * the shared strings and one row whatever the number of rows.  This file
 * reads the sheet; xlsxpkg.c the package around it (xlsx.h).
 *
 * Cells (ECMA-376 Part 1, 18.3.1.4): t="s" shared string, "inlineStr"
 * (<is>, rich text runs joined, phonetic runs left out), "str" formula
 * text, "b" boolean (TRUE/FALSE), "e" error (#REF!, #N/A...), "d" ISO
 * date, else a number; a formula's cached value <v> is its value.  A
 * merged range keeps its value in its top-left cell; the others are
 * empty, as in the file.  Texts keep every character, "_xHHHH_" escapes
 * decoded (22.9.2.19).
 *
 * A damaged workbook is an error, never a crash: the first error is kept,
 * a parser in the middle of a part is stopped (XML_StopParser), and the
 * open or the row that met it returns NULL or -1 having printed it (a
 * longjmp back to them from this file's own code, never across expat).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx.h"

#define MAX_ROWS 1048576L
#define MAX_COLS 16384L

/* ==== the sheet ==== */

/* "AB12" -> column 27 (0-based); -1 if it is no cell reference */
static long
ref_column(const char *ref)
{
	long col = 0;
	int n = 0;

	for (; *ref >= 'A' && *ref <= 'Z' && n < 4; ref++, n++)
		col = col * 26 + (*ref - 'A' + 1);
	if (n == 0 || n > 3 || *ref < '1' || *ref > '9')
		return -1;
	return col - 1;
}

static void
start_row(struct xlsx *x, const XML_Char **atts)
{
	const char *r = nz_xlsx_attr(atts, "r");
	long number = x->row_number + 1;

	if (r && nz_parse_long(r, 1, MAX_ROWS, &number) < 0) {
		nz_xlsx_err(x, x->row_number + 1, "%s: row number %s is not "
		    "1 to %ld", x->sheet.name, nz_q(r), MAX_ROWS);
		return;
	}
	if (number <= x->row_number) {
		nz_xlsx_err(x, number, "%s: row %ld comes after row %ld",
		    x->sheet.name, number, x->row_number);
		return;
	}
	x->row_number = number;
	nz_sheetrow_start(x->row, number);
	x->in_row = 1;
	x->prev_col = -1;
}

static void
start_cell(struct xlsx *x, const XML_Char **atts)
{
	const char *r = nz_xlsx_attr(atts, "r"), *t = nz_xlsx_attr(atts, "t");
	const char *s = nz_xlsx_attr(atts, "s");
	long style = 0;

	if (!x->in_row) {
		nz_xlsx_err(x, 0, "%s: a cell outside a row", x->sheet.name);
		return;
	}
	x->col = r ? ref_column(r) : x->prev_col + 1;
	if (x->col < 0 || x->col >= MAX_COLS || x->col <= x->prev_col) {
		nz_xlsx_err(x, x->row_number, "%s: cell reference %s is not a "
		    "column after the row's last one", x->sheet.name,
		    nz_q(r ? r : "?"));
		return;
	}
	x->kind = !t || strcmp(t, "n") == 0 ? C_NUMBER :
	    strcmp(t, "s") == 0 ? C_SHARED : strcmp(t, "inlineStr") == 0 ?
	    C_INLINE : strcmp(t, "str") == 0 ? C_STR : strcmp(t, "b") == 0 ?
	    C_BOOL : strcmp(t, "e") == 0 ? C_ERROR : strcmp(t, "d") == 0 ?
	    C_DATE : -1;
	if (x->kind < 0) {
		nz_xlsx_err(x, x->row_number, "%s: cell %s has an unknown "
		    "type %s", x->sheet.name, nz_q(r ? r : "?"), nz_q(t));
		return;
	}
	if (s && nz_parse_long(s, 0, 1000000, &style) < 0)
		style = 0;
	x->style = (int)style;
	x->in_cell = 1;
	nz_buf_clear(&x->text);
}

static void
put_shared(struct xlsx *x, const char *v)
{
	long i;

	if (nz_parse_long(v, 0, (long)x->nsst - 1, &i) < 0) {
		nz_xlsx_err(x, x->row_number, "%s: cell in column %ld points "
		    "to shared string %s, but the workbook has %zu",
		    x->sheet.name, x->col + 1, nz_q(v), x->nsst);
		return;
	}
	nz_sheetrow_put(x->row, (size_t)x->col, x->sst.s + x->sst_off[i],
	    x->sst_len[i], NZ_CELL_TEXT);
}

static void
put_value(struct xlsx *x)
{
	const char *v = x->text.s ? x->text.s : "";
	size_t col = (size_t)x->col;
	char *end, iso[11];
	double num;
	int y, m, d;

	switch (x->kind) {
	case C_SHARED:
		if (*v)
			put_shared(x, v);
		return;
	case C_BOOL:
		v = strcmp(v, "1") == 0 ? "TRUE" : strcmp(v, "0") == 0 ?
		    "FALSE" : v;
		break;
	case C_ERROR:
		nz_sheetrow_put(x->row, col, v, strlen(v), NZ_CELL_ERROR);
		return;
	case C_DATE:
		snprintf(iso, sizeof iso, "%.10s", v);
		if (nz_parse_iso_date(iso, &y, &m, &d) == 0) {
			nz_sheetrow_put(x->row, col, iso, 10, NZ_CELL_DATE);
			return;
		}
		break;
	case C_NUMBER:
		num = strtod(v, &end);
		if (*v && !*end && end != v) {
			nz_sheet_put_number(x->row, col, num, (size_t)x->style <
			    x->nxf ? x->xf_format[x->style] : NZ_FORMAT_NUMBER,
			    x->book.date1904);
			return;
		}
		break;
	default:   /* texts: inline, formula results */
		nz_xlsx_unescape(&x->text);
		v = x->text.s ? x->text.s : "";
		nz_sheetrow_put(x->row, col, v, x->text.len, NZ_CELL_TEXT);
		return;
	}
	nz_sheetrow_put(x->row, col, v, strlen(v), NZ_CELL_TEXT);
}

static void XMLCALL
sheet_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *name = nz_xlsx_local_name(el);

	if (x->failed)
		return;
	if (strcmp(name, "row") == 0)
		start_row(x, atts);
	else if (strcmp(name, "c") == 0)
		start_cell(x, atts);
	else if (!x->in_cell)
		return;
	else if (strcmp(name, "v") == 0)
		x->in_value = 1;
	else if (strcmp(name, "rPh") == 0)
		x->rph++;
	else if (strcmp(name, "t") == 0 && x->kind == C_INLINE && !x->rph)
		x->in_text = 1;
}

static void XMLCALL
sheet_end(void *ud, const XML_Char *el)
{
	struct xlsx *x = ud;
	const char *name = nz_xlsx_local_name(el);

	if (x->failed)
		return;
	if (strcmp(name, "v") == 0) {
		x->in_value = 0;
	} else if (strcmp(name, "t") == 0) {
		x->in_text = 0;
	} else if (strcmp(name, "rPh") == 0 && x->in_cell) {
		x->rph--;
	} else if (strcmp(name, "c") == 0 && x->in_cell) {
		put_value(x);
		x->prev_col = x->col;
		x->in_cell = 0;
	} else if (strcmp(name, "row") == 0 && x->in_row) {
		x->in_row = 0;
		x->row_done = 1;
		XML_StopParser(x->sheet.xp, XML_TRUE);
	}
}

static void XMLCALL
sheet_text(void *ud, const XML_Char *s, int len)
{
	struct xlsx *x = ud;

	/* an inline string's text is in <t>; any other value in <v> */
	if ((x->in_value && x->kind != C_INLINE) || x->in_text)
		nz_buf_add(&x->text, s, (size_t)len);
}

static int
xlsx_next_row(struct nz_book *b, struct nz_sheetrow *row)
{
	struct xlsx *x = (struct xlsx *)b;

	if (x->failed)
		return -1;
	if (setjmp(x->jmp)) {
		nz_warnat(x->file, x->error_line, "%s", x->error.s);
		return -1;
	}
	x->row = row;
	x->row_done = 0;
	while (!x->row_done)
		if (!nz_xlsx_part_step(x, &x->sheet))
			return 0;
	return 1;
}

/* ==== opening and closing ==== */

static void
xlsx_close(struct nz_book *b)
{
	struct xlsx *x = (struct xlsx *)b;
	size_t i;

	nz_xlsx_part_close(&x->sheet);
	nz_xlsx_part_close(&x->aux);
	nz_xlsx_free_rels(x);
	for (i = 0; i < x->nsheets; i++) {
		free(x->sheet_name[i]);
		free(x->sheet_rid[i]);
	}
	for (i = 0; i < x->nfmts; i++)
		free(x->fmt_code[i]);
	free(x->sheet_name);
	free(x->sheet_rid);
	free(x->rel_id);
	free(x->rel_target);
	free(x->rel_type);
	free(x->fmt_id);
	free(x->fmt_code);
	free(x->xf_fmt);
	free(x->xf_format);
	free(x->sst_off);
	free(x->sst_len);
	nz_buf_free(&x->sst);
	nz_buf_free(&x->text);
	nz_buf_free(&x->error);
	free(x->workbook_part);
	free(x->rels_part);
	free(x->sheet_part);
	free(x->strings_part);
	free(x->styles_part);
	if (x->zip)
		zip_discard(x->zip);
	nz_drop(x);
	free(x);
}

struct nz_book *
nz_xlsx_open(const char *path, const char *name, const char *sheet_name,
    long sheet_index)
{
	struct xlsx *x = nz_calloc(1, sizeof *x);

	nz_hold(x);
	x->book.next_row = xlsx_next_row;
	x->book.close = xlsx_close;
	x->file = name;
	if (setjmp(x->jmp)) {
		if (x->file_error)  /* as the CSV reader says it */
			nz_warn("%s: %s", x->file, x->error.s);
		else
			nz_warnat(x->file, x->error_line, "%s", x->error.s);
		xlsx_close(&x->book);
		return NULL;
	}
	nz_xlsx_read_package(x, path, sheet_name, sheet_index);
	if (!nz_xlsx_part_open(x, &x->sheet, x->sheet_part, sheet_start,
	    sheet_end))
		nz_xlsx_die(x, 0, "the sheet's part %s is missing from the "
		    "workbook", nz_q(x->sheet_part));
	XML_SetCharacterDataHandler(x->sheet.xp, sheet_text);
	return &x->book;
}
