/* rows.c: the rows of a raw export, whatever its format, as nz_row.
 *
 * A CSV file goes through the decoder (decode.c) and the CSV reader
 * (csvread.c), its first skip_rows physical lines passed on as bare line
 * ends so that line numbers stay the file's.  A workbook's sheet comes
 * from xlsx.c or xls.c row by row; rows with no value are left out as
 * libcsv leaves out empty lines, and each row gets one cell per column
 * of the header (nz_rows_set_width), a type for each.  Either way the
 * caller sees the same nz_row and the same line numbers in messages: the
 * file's physical line, or the sheet's row number.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sheet.h"

#define TITLE_MAX 4096  /* of a title line kept for export_date */

struct skipper {  /* drops the first skip_rows physical lines */
	nz_decoder *decoder;
	long skip_rows, line, title_line;
	int last_was_cr;
	nz_buf *title;
};

struct nz_rows {
	char *name;
	long skip_rows, title_line;
	nz_buf title;
	int have_title, title_is_date;
	/* CSV */
	struct skipper skip;
	nz_csv *csv;
	/* workbooks */
	struct nz_book *book;
	struct nz_sheetrow sheetrow;
	size_t width;           /* 0: not set (the header row) */
	nz_row row;
	char **ptrs;
	size_t *lens, cap;
	unsigned char *types;
};

/* ==== CSV ==== */

/* Skipped lines are passed on as bare line ends, so the parser never sees
 * their (possibly odd) quoting yet its line numbers stay those of the
 * file; libcsv ignores empty lines.  The title line's text is kept. */
static size_t
skip_read(void *ctx, char *buf, size_t n, const char **errmsg)
{
	struct skipper *s = ctx;
	size_t got, i, kept;

	for (;;) {
		got = nz_decoder_read(s->decoder, buf, n, errmsg);
		if (got == 0 || s->line > s->skip_rows)
			return got;
		for (i = kept = 0; i < got; i++) {
			char ch = buf[i];
			if (ch == '\r' || ch == '\n') {
				/* as csvread counts: CR, LF, or CRLF as one */
				if (ch == '\r' || !s->last_was_cr)
					s->line++;
				s->last_was_cr = ch == '\r';
				buf[kept++] = ch;
			} else {
				s->last_was_cr = 0;
				if (s->line == s->title_line &&
				    s->title->len < TITLE_MAX)
					nz_buf_addc(s->title, ch);
				if (s->line > s->skip_rows)
					buf[kept++] = ch;
			}
		}
		if (kept)
			return kept;
	}
}

static void
open_csv(nz_rows *r, const char *path, const nz_rows_opts *o)
{
	r->skip.decoder = nz_decoder_open(path, o->encoding);
	r->skip.skip_rows = o->skip_rows;
	r->skip.title_line = o->title_line;
	r->skip.title = &r->title;
	r->skip.line = 1;
	r->csv = nz_csv_new(r->name, skip_read, &r->skip, NZ_CSV_UTF8);
	nz_csv_set_delim(r->csv, o->delim);
}

/* ==== workbooks ==== */

static void
keep_title(nz_rows *r, const struct nz_sheetrow *sr)
{
	size_t c;

	for (c = 0; c < sr->ncells; c++) {
		if (!sr->len[c])
			continue;
		nz_buf_add(&r->title, sr->text.s + sr->off[c], sr->len[c]);
		r->title_is_date = sr->type[c] == NZ_CELL_DATE;
		r->have_title = 1;
		return;
	}
}

/* The next sheet row with a value below the skipped rows: 1, 0 at the
 * end, -1 on an error (printed). */
static int
next_sheet_row(nz_rows *r)
{
	struct nz_sheetrow *sr = &r->sheetrow;
	int got;

	for (;;) {
		if ((got = r->book->next_row(r->book, sr)) <= 0)
			return got;
		if (sr->number == r->title_line)
			keep_title(r, sr);
		if (sr->number > r->skip_rows && sr->any)
			return 1;
	}
}

/* The sheet row as an nz_row: its own cells for the header, then exactly
 * width cells, empty ones added. */
static void
make_row(nz_rows *r)
{
	const struct nz_sheetrow *sr = &r->sheetrow;
	size_t n = r->width ? r->width : sr->ncells, c;
	static char empty[1];

	if (n > r->cap) {
		size_t cap = r->cap;
		nz_grow(&r->ptrs, &cap, n, sizeof *r->ptrs);
		r->lens = nz_realloc(r->lens, cap * sizeof *r->lens);
		r->types = nz_realloc(r->types, cap);
		r->cap = cap;
	}
	for (c = 0; c < n; c++) {
		if (c < sr->ncells) {
			r->ptrs[c] = sr->text.s + sr->off[c];
			r->lens[c] = sr->len[c];
			r->types[c] = sr->type[c];
		} else {
			r->ptrs[c] = empty;
			r->lens[c] = 0;
			r->types[c] = NZ_CELL_TEXT;
		}
	}
	r->row.nfields = n;
	r->row.field = r->ptrs;
	r->row.len = r->lens;
	r->row.type = r->types;
	r->row.line = r->row.line_end = sr->number;
	r->row.unterminated = 0;
}

/* ==== the interface ==== */

nz_rows *
nz_rows_open(const char *path, const nz_rows_opts *o)
{
	nz_rows *r = nz_calloc(1, sizeof *r);

	nz_hold(r);
	if (path && strcmp(path, "-") == 0)
		path = NULL;
	r->name = nz_strdup(path ? path : "<stdin>");
	r->skip_rows = o->skip_rows;
	r->title_line = o->title_line;
	if (o->format == NZ_FORMAT_CSV)
		open_csv(r, path, o);
	else if (o->format == NZ_FORMAT_XLSX)
		r->book = nz_xlsx_open(path, r->name, o->sheet_name,
		    o->sheet_index);
	else
		r->book = nz_xls_open(path, r->name, o->sheet_name,
		    o->sheet_index);
	if (o->format != NZ_FORMAT_CSV && !r->book) {
		nz_rows_close(r);
		return NULL;
	}
	return r;
}

/* 1 if every field of the record is empty: ",,," */
static int
blank_record(const nz_row *row)
{
	size_t i;

	for (i = 0; i < row->nfields; i++)
		if (row->len[i])
			return 0;
	return 1;
}

int
nz_rows_next(nz_rows *r, nz_row **row)
{
	int got;

	if (r->csv) {
		/* a record of empty fields only (",,,", a blank row as a
		 * spreadsheet writes it) is no row, as an empty line is none
		 * and a sheet row with no value is none */
		while ((got = nz_csv_next(r->csv, row)) == 1 &&
		    blank_record(*row))
			;
		/* the title line is read by the time the first row is */
		r->have_title = r->skip.line > r->title_line && r->title_line;
		return got;
	}
	if ((got = next_sheet_row(r)) <= 0)
		return got;
	make_row(r);
	*row = &r->row;
	return 1;
}

nz_row *
nz_rows_header(nz_rows *r, const char *input, int skipped)
{
	nz_row *row;
	size_t i;
	int got = nz_rows_next(r, &row);

	if (got < 0)
		exit(NZ_EXIT_DATA);
	if (got == 0)
		nz_dieat(NZ_EXIT_DATA, input, 0, "empty input: no header "
		    "row%s", skipped ? " after the skipped lines" : "");
	for (i = 0; i < row->nfields; i++)
		nz_trim_len(row->field[i], &row->len[i]);
	/* a workbook's header ends at its last named column */
	while (r->book && row->nfields && !row->len[row->nfields - 1])
		row->nfields--;
	nz_rows_set_width(r, row->nfields);
	return row;
}

void
nz_rows_set_width(nz_rows *r, size_t n)
{
	if (r->book)
		r->width = n;
}

int
nz_rows_is_workbook(const nz_rows *r)
{
	return r->book != NULL;
}

int
nz_rows_date1904(const nz_rows *r)
{
	return r->book ? r->book->date1904 : 0;
}

const char *
nz_rows_title(const nz_rows *r, int *is_date)
{
	*is_date = r->title_is_date;
	if (!r->have_title)
		return NULL;
	return r->title.s ? r->title.s : "";
}

char *const *
nz_rows_sheets(const nz_rows *r, size_t *n)
{
	*n = r->book ? r->book->nsheets : 0;
	return r->book ? r->book->sheet : NULL;
}

const char *
nz_rows_name(const nz_rows *r)
{
	return r->name;
}

void
nz_rows_close(nz_rows *r)
{
	if (r->csv) {
		nz_csv_close(r->csv);
		nz_decoder_close(r->skip.decoder);
	}
	if (r->book)
		r->book->close(r->book);
	nz_sheetrow_free(&r->sheetrow);
	nz_buf_free(&r->title);
	free(r->ptrs);
	free(r->lens);
	free(r->types);
	free(r->name);
	nz_drop(r);
	free(r);
}

/* ==== shared by the workbook readers (sheet.h) ==== */

void
nz_sheetrow_start(struct nz_sheetrow *r, long number)
{
	r->number = number;
	r->ncells = 0;
	r->any = 0;
	nz_buf_clear(&r->text);
}

static void
add_cell(struct nz_sheetrow *r, const char *s, size_t len, int type)
{
	if (r->ncells == r->cap) {
		size_t cap = r->cap;
		nz_grow(&r->off, &cap, r->ncells + 1, sizeof *r->off);
		r->len = nz_realloc(r->len, cap * sizeof *r->len);
		r->type = nz_realloc(r->type, cap);
		r->cap = cap;
	}
	r->off[r->ncells] = r->text.len;
	r->len[r->ncells] = len;
	r->type[r->ncells++] = (unsigned char)(len ? type : NZ_CELL_TEXT);
	nz_buf_add(&r->text, s, len);
	nz_buf_addc(&r->text, '\0');
	/* the NUL is not part of the text: len stays the cell's */
	r->any |= len > 0;
}

void
nz_sheetrow_put(struct nz_sheetrow *r, size_t col, const char *s,
    size_t len, int type)
{
	while (r->ncells < col)
		add_cell(r, "", 0, NZ_CELL_TEXT);
	add_cell(r, s, len, type);
}

void
nz_sheetrow_free(struct nz_sheetrow *r)
{
	free(r->off);
	free(r->len);
	free(r->type);
	nz_buf_free(&r->text);
}

void
nz_sheet_number(double v, char out[32])
{
	/* in range first: casting a NaN or a huge value is undefined.  A
	 * whole number below 2^53 is exact in a double: all its digits, so
	 * that two 16-digit ids (1234567890123456, ...457) stay two, where
	 * 15 significant digits made them one client */
	if (v > -9007199254740992.0 && v < 9007199254740992.0 &&
	    v == (double)(long long)v) {
		snprintf(out, 32, "%lld", (long long)v);
		return;
	}
	/* Excel shows 15 significant digits at most: 0.1 + 0.2 is 0.3 */
	snprintf(out, 32, "%.15g", v);
}

void
nz_sheet_put_number(struct nz_sheetrow *r, size_t col, double v,
    int format, int date1904)
{
	char text[32];
	int y, m, d;
	long long s;

	if (format == NZ_FORMAT_DATE &&
	    nz_excel_date(v, date1904, &y, &m, &d, NULL) == 0) {
		snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
		nz_sheetrow_put(r, col, text, 10, NZ_CELL_DATE);
		return;
	}
	/* a time of day with no day: text, as FreeXL gives it (a serial
	 * of a day and time in a time format keeps its day: read as a
	 * number, as a date in a date column) */
	if (format == NZ_FORMAT_TIME && v >= 0 && v < 1) {
		s = llround(v * 86400.0);
		snprintf(text, sizeof text, "%02lld:%02lld:%02lld", s / 3600,
		    s / 60 % 60, s % 60);
		nz_sheetrow_put(r, col, text, strlen(text), NZ_CELL_TEXT);
		return;
	}
	nz_sheet_number(v, text);
	nz_sheetrow_put(r, col, text, strlen(text), NZ_CELL_NUMBER);
}

/* Excel's built-in date formats (ECMA-376 18.8.30; 27-36 and 50-58 are
 * the East Asian ones); 18-21 and 45-47 are times of day only. */
static int
builtin_format(long id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	    (id >= 50 && id <= 58))
		return NZ_FORMAT_DATE;
	if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
		return NZ_FORMAT_TIME;
	return NZ_FORMAT_NUMBER;
}

/* 1 if a bracket's text, from b to its ']', is elapsed time: h, m or s
 * (any case) once or repeated. */
static int
elapsed(const char *b)
{
	const char *c = b;
	int ch = b[0] | 0x20;

	if (ch != 'h' && ch != 'm' && ch != 's')
		return 0;
	while ((*c | 0x20) == ch)
		c++;
	return *c == ']';
}

/* A custom format shows a date if its first section has a day or year,
 * or months without hours or seconds (mm after h is minutes), and a
 * time if it has hours or seconds and no day or year; quoted text,
 * escaped characters and [colour], [$-locale] brackets aside. */
static int
custom_format(const char *code)
{
	int day_year = 0, month = 0, time = 0;
	const char *c;

	for (c = code; *c && *c != ';'; c++) {
		switch (*c) {
		case '"':
			while (c[1] && c[1] != '"')
				c++;
			if (c[1])
				c++;
			break;
		case '\\': case '_': case '*':
			if (c[1])
				c++;
			break;
		case '[':
			/* elapsed time ([h]:mm, [mm]:ss): one of h, m, s
			 * repeated; anything else is a colour ([Magenta]),
			 * a locale or a condition */
			time |= elapsed(c + 1);
			while (c[1] && c[1] != ']')
				c++;
			if (c[1])
				c++;
			break;
		case 'd': case 'D': case 'y': case 'Y':
			day_year = 1;
			break;
		case 'm': case 'M':
			month = 1;
			break;
		case 'h': case 'H': case 's': case 'S':
			time = 1;
			break;
		}
	}
	if (day_year || (month && !time))
		return NZ_FORMAT_DATE;
	return time ? NZ_FORMAT_TIME : NZ_FORMAT_NUMBER;
}

int
nz_sheet_format_kind(long id, const char *code)
{
	return code ? custom_format(code) : builtin_format(id);
}

size_t
nz_sheet_pick(const char *file, const char *const *names, size_t n,
    const char *sheet_name, long sheet_index, nz_buf *err)
{
	size_t i;

	(void)file;
	if (n == 0) {
		nz_buf_clear(err);
		nz_buf_adds(err, "the workbook has no sheet");
		return (size_t)-1;
	}
	if (sheet_name) {
		for (i = 0; i < n; i++)
			if (strcmp(names[i], sheet_name) == 0)
				return i;
	} else if (sheet_index <= 0) {
		return 0;
	} else if ((size_t)sheet_index <= n) {
		return (size_t)sheet_index - 1;
	}
	nz_buf_clear(err);
	if (sheet_name)
		nz_buf_printf(err, "no sheet named %s; the workbook's sheets are ",
		    nz_q(sheet_name));
	else
		nz_buf_printf(err, "no sheet %ld: the workbook has %zu (",
		    sheet_index, n);
	for (i = 0; i < n; i++)
		nz_buf_printf(err, "%s%zu %s", i ? ", " : "", i + 1,
		    nz_q(names[i]));
	if (!sheet_name)
		nz_buf_addc(err, ')');
	return (size_t)-1;
}

FILE *
nz_spool_stdin(void)
{
	FILE *tmp = nz_tmpfile();
	char buf[65536];
	size_t got;

	if (!tmp)
		nz_die(NZ_EXIT_DATA, "cannot make a temporary file for "
		    "standard input in %s: %s", nz_tmpdir(), strerror(errno));
	while ((got = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (fwrite(buf, 1, got, tmp) != got)
			nz_die(NZ_EXIT_DATA, "cannot copy standard input to a "
			    "temporary file: %s", strerror(errno));
	if (ferror(stdin))
		nz_die(NZ_EXIT_DATA, "<stdin>: read error: %s",
		    strerror(errno));
	if (fflush(tmp) != 0)
		nz_die(NZ_EXIT_DATA, "cannot copy standard input to a "
		    "temporary file: %s", strerror(errno));
	rewind(tmp);
	return tmp;
}
