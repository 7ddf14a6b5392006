/* xlsx.h: private to xlsx.c (the sheet, row by row) and xlsxpkg.c (the
 * package around it: zip, XML parts, relationships, the workbook, shared
 * strings and styles): the reader's state, and what xlsx.c takes from
 * xlsxpkg.c.
 */
#ifndef NZ_XLSX_H
#define NZ_XLSX_H

#include <setjmp.h>

#include <expat.h>
#include <zip.h>

#include "sheet.h"

/* one XML part, parsed as it is unzipped */
struct part {
	char *name;
	zip_file_t *zf;
	XML_Parser xp;
	int eof, suspended;
	char buf[1 << 16];
};

enum cell_kind { C_NUMBER, C_SHARED, C_INLINE, C_STR, C_BOOL, C_ERROR,
	C_DATE };

struct xlsx {
	struct nz_book book;  /* first: rows.c sees only this */
	const char *file;     /* the workbook's name, for messages */
	zip_t *zip;
	char *workbook_part, *rels_part, *sheet_part, *strings_part,
	    *styles_part;
	/* the workbook's sheets, and the relationships of its parts */
	char **sheet_name, **sheet_rid;
	size_t nsheets, sheet_cap;
	char **rel_id, **rel_target, **rel_type;
	size_t nrels, rel_cap;
	/* shared strings: each in sst, NUL after it */
	nz_buf sst;
	size_t *sst_off, *sst_len, nsst, sst_cap;
	/* styles: custom number formats, and each cell format's */
	long *fmt_id;
	char **fmt_code;
	size_t nfmts, fmt_cap;
	long *xf_fmt;
	size_t nxf, xf_cap;
	unsigned char *xf_format;   /* enum nz_sheet_format of each xf */
	int in_cellxfs;
	/* the first error, and where open or next_row resume to report it */
	jmp_buf jmp;
	nz_buf error;
	long error_line;
	int failed, file_error;
	XML_Parser parsing;   /* the parser running now, to stop it */
	/* the sheet, and the part being read whole */
	struct part sheet, aux;
	struct nz_sheetrow *row;
	long row_number;
	long col, prev_col;
	int kind, style, in_row, in_cell, in_value, in_text, rph, row_done;
	nz_buf text;          /* character data of the element being read */
};

/* ==== xlsxpkg.c ==== */

/* An XML name without its namespace prefix. */
const char *nz_xlsx_local_name(const char *name);
/* The value of attribute name (its local name) in atts, or NULL. */
const char *nz_xlsx_attr(const XML_Char **atts, const char *name);
/* Keep the first error (at a sheet row, or 0); in an expat handler,
 * stop the parser: nz_xlsx_part_step then jumps back. */
void nz_xlsx_err(struct xlsx *x, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, then a longjmp to x->jmp (never from an expat handler). */
_Noreturn void nz_xlsx_die(struct xlsx *x, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Open a part; 0 if the package has no such part. */
int nz_xlsx_part_open(struct xlsx *x, struct part *p, const char *name,
	XML_StartElementHandler start, XML_EndElementHandler end);
/* Resume the parser, or give it the next chunk; 0 when the part is
 * done. */
int nz_xlsx_part_step(struct xlsx *x, struct part *p);
void nz_xlsx_part_close(struct part *p);
void nz_xlsx_free_rels(struct xlsx *x);
/* "_xHHHH_" escapes decoded in place. */
void nz_xlsx_unescape(nz_buf *b);
/* The workbook at path (standard input if NULL): the zip, the workbook
 * part and the chosen sheet's part, the shared strings and the styles;
 * an error jumps to x->jmp. */
void nz_xlsx_read_package(struct xlsx *x, const char *path,
	const char *sheet_name, long sheet_index);

#endif
