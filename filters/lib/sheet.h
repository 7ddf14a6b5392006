/* sheet.h: private to rows.c, xlsx.c and xls.c: how a workbook reader
 * hands its rows to rows.c, which makes them nz_rows like a CSV file's.
 */
#ifndef NZ_SHEET_H
#define NZ_SHEET_H

#include "nz.h"

/* One sheet row as a reader collects it, cell by cell, left to right. */
struct nz_sheetrow {
	long number;          /* sheet row number, 1-based */
	size_t ncells;        /* columns 0 .. ncells-1 filled (empty or not) */
	size_t cap;
	size_t *off, *len;    /* each cell's text in text, NUL after it */
	unsigned char *type;  /* enum nz_cell */
	nz_buf text;
	int any;              /* some cell is not empty */
};
void nz_sheetrow_start(struct nz_sheetrow *r, long number);
/* Put cell col (0-based, left of no cell already put).  Empty text is an
 * empty cell, whatever its type. */
void nz_sheetrow_put(struct nz_sheetrow *r, size_t col, const char *s,
	size_t len, int type);
void nz_sheetrow_free(struct nz_sheetrow *r);

/* A number as a spreadsheet shows it in General format: integers without
 * a ".0", others with up to 15 significant digits.  out: 32 bytes. */
void nz_sheet_number(double v, char out[32]);
/* What a cell's number format shows: */
enum nz_sheet_format {
	NZ_FORMAT_NUMBER,
	NZ_FORMAT_DATE,    /* a date, or a date and time */
	NZ_FORMAT_TIME,    /* a time of day or a duration, no date */
};
/* A cell that holds a number, by its format (enum nz_sheet_format): a
 * date (the serial in the workbook's date system); a time of day with
 * no day (under 1) as text, "14:30:00" as FreeXL gives it, never a day
 * of 1900 or 1904; else the number; into r. */
void nz_sheet_put_number(struct nz_sheetrow *r, size_t col, double v,
	int format, int date1904);

/* What number format id (code: its format code, NULL for a built-in
 * one) shows: enum nz_sheet_format. */
int nz_sheet_format_kind(long id, const char *code);

/* biff.c: the cells of an .xls sheet that FreeXL does not read: formula results and BOOLERR constants, sorted by row
 * then column; text as UTF-8, type an enum nz_cell. */
struct nz_biff_cell {
	unsigned row, col;    /* 0-based */
	unsigned char type;
	char *text;
	size_t at;            /* where its record starts in the stream */
};
struct nz_biff_list {
	struct nz_biff_cell *cell;
	size_t n, cap;
	char **sheet;         /* every sheet's name, in order */
	size_t nsheets;
};
/* Read the workbook at path (named file in messages), pick the sheet as
 * nz_sheet_pick does from its names and return its index, with the date
 * system and the cells; exits 1 on a damaged file. */
size_t nz_biff_read(const char *path, const char *file,
	const char *sheet_name, long sheet_index, int *date1904,
	struct nz_biff_list *out);
void nz_biff_free(struct nz_biff_list *l);

/* A workbook reader: next_row fills row with the next sheet row that has
 * any cell (1), says the sheet is done (0), or prints what is wrong with
 * a damaged file and returns -1.  close frees it. */
struct nz_book {
	int (*next_row)(struct nz_book *b, struct nz_sheetrow *row);
	void (*close)(struct nz_book *b);
	int date1904;
	char *const *sheet;   /* the workbook's sheets, in order */
	size_t nsheets;
};
/* Open the sheet (by name, else 1-based index, else the first) of the
 * workbook at path, read under the name given in messages; NULL (the
 * reason printed) when it cannot be read. */
struct nz_book *nz_xlsx_open(const char *path, const char *name,
	const char *sheet_name, long sheet_index);
struct nz_book *nz_xls_open(const char *path, const char *name,
	const char *sheet_name, long sheet_index);
/* The sheet asked for among n names: its 0-based index, or (size_t)-1
 * with the reason, listing the sheets, in err. */
size_t nz_sheet_pick(const char *file, const char *const *names, size_t n,
	const char *sheet_name, long sheet_index, nz_buf *err);
/* standard input copied to an unlinked temporary file, for readers that
 * need to seek; the caller closes it */
FILE *nz_spool_stdin(void);

#endif
