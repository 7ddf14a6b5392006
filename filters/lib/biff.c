/* biff.c: the cells of a legacy .xls sheet that FreeXL does not read.
 *
 * FreeXL (xls.c) reads numbers, texts and dates, but skips FORMULA
 * records, so a formula's cached value would read as empty, and it takes
 * an error constant (BOOLERR) for the boolean 1.  This file opens the
 * same file's OLE2 container with libgsf, walks the BIFF records of the
 * workbook globals (sheet offsets, cell formats, number formats) and of
 * the chosen sheet, and lists those cells: a formula's cached number
 * (a date when its format shows one), text (the STRING record after it),
 * boolean or error, every BOOLERR, and every number whose format shows
 * a time alone (FreeXL drops its day).  Records follow [MS-XLS] 2.4:
 * type u16, size u16, then size bytes; a STRING continues in CONTINUE
 * records, each starting with its own compression flag.  Every length is
 * checked against the record, so a damaged file is an error, not a read
 * past the end: the first error jumps back to nz_biff_read (all of this
 * file's own code, no library between), which prints it.
 */
#include <iconv.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-stdio.h>
#include <gsf/gsf-input.h>
#include <gsf/gsf-utils.h>

#include "sheet.h"

enum {
	R_FORMULA = 0x0006, R_EOF = 0x000A, R_DATEMODE = 0x0022,
	R_CONTINUE = 0x003C, R_BOUNDSHEET = 0x0085, R_XF = 0x00E0,
	R_BOOLERR = 0x0205, R_STRING = 0x0207, R_FORMAT = 0x041E,
	R_BOF = 0x0809, R_NUMBER = 0x0203, R_RK = 0x027E, R_MULRK = 0x00BD
};

struct stream {
	const char *file;
	jmp_buf jmp;          /* back to nz_biff_read, on an error */
	nz_buf error;
	nz_buf text;          /* a STRING record's text */
	struct nz_sheetrow one;  /* a formula's number, as a cell */
	unsigned char *data;
	size_t size, pos;
	size_t at;            /* where the current record starts */
	int biff8;
	/* the current record */
	unsigned type;
	const unsigned char *rec;
	size_t len;
};

struct globals {
	unsigned long *sheet_offset;
	char **sheet_name;
	size_t nsheets, sheet_cap;
	int date1904;
	unsigned *xf_fmt;
	size_t nxf, xf_cap;
	long *fmt_id;
	char **fmt_code;
	size_t nfmts, fmt_cap;
};

static unsigned
u16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long
u32(const unsigned char *p)
{
	return (unsigned long)u16(p) | (unsigned long)u16(p + 2) << 16;
}

static _Noreturn void
damaged(struct stream *s, const char *what)
{
	nz_buf_clear(&s->error);
	nz_buf_printf(&s->error, "damaged .xls workbook: %s (BIFF record at "
	    "byte %zu)", what, s->at);
	longjmp(s->jmp, 1);
}

/* The next record; 0 at the end of the stream. */
static int
next_record(struct stream *s)
{
	if (s->pos + 4 > s->size)
		return 0;
	s->at = s->pos;
	s->type = u16(s->data + s->pos);
	s->len = u16(s->data + s->pos + 2);
	if (s->pos + 4 + s->len > s->size)
		damaged(s, "a record runs past the end of the stream");
	s->rec = s->data + s->pos + 4;
	s->pos += 4 + s->len;
	return 1;
}

/* ---- texts ---- */

static void
put_utf8(nz_buf *out, unsigned long cp)
{
	char b[4];

	if (cp < 0x80) {
		nz_buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		nz_buf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		nz_buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		nz_buf_add(out, b, 4);
	}
}

/* n characters at p, 8-bit (Latin-1, BIFF8's compressed form) or
 * UTF-16LE, as UTF-8; a lone surrogate becomes U+FFFD. */
static void
add_chars(nz_buf *out, const unsigned char *p, size_t n, int wide,
    unsigned *high)
{
	unsigned long cp;
	size_t i;

	for (i = 0; i < n; i++) {
		cp = wide ? u16(p + 2 * i) : p[i];
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (*high)
				put_utf8(out, 0xFFFD);
			*high = (unsigned)cp;
			continue;
		}
		if (cp >= 0xDC00 && cp <= 0xDFFF && *high) {
			cp = 0x10000 + ((unsigned long)(*high - 0xD800) << 10) +
			    (cp - 0xDC00);
			*high = 0;
		} else if (*high || (cp >= 0xDC00 && cp <= 0xDFFF)) {
			put_utf8(out, 0xFFFD);
			*high = 0;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				continue;
		}
		if (cp == 0)
			cp = 0xFFFD;   /* no NUL inside a field */
		put_utf8(out, cp);
	}
	if (*high)
		put_utf8(out, 0xFFFD);
	*high = 0;
}

/* A BIFF5 string: 8-bit text in the workbook's code page, taken as
 * windows-1252 (the code page of every NZ Excel 95 install). */
static void
add_cp1252(struct stream *s, nz_buf *out, const unsigned char *p,
    size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
	char *in = (char *)p, *o, buf[4 * 256 + 4];
	size_t left = n, room;

	if (cd == (iconv_t)-1)
		damaged(s, "no windows-1252 converter");
	while (left) {
		o = buf;
		room = sizeof buf;
		if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 &&
		    room == sizeof buf) {
			/* a byte with no character: U+FFFD and on */
			nz_buf_adds(out, "\xEF\xBF\xBD");
			in++;
			left--;
		}
		nz_buf_add(out, buf, (size_t)(o - buf));
	}
	iconv_close(cd);
}

/* The text of a STRING record and its CONTINUE records. */
static void
read_string(struct stream *s, nz_buf *out)
{
	size_t want, take, off;
	unsigned high = 0;
	int wide;

	if (s->len < 2 || (s->biff8 && s->len < 3))
		damaged(s, "a STRING record too short");
	want = u16(s->rec);
	if (!s->biff8) {
		if (want > s->len - 2)
			damaged(s, "a STRING longer than its record");
		add_cp1252(s, out, s->rec + 2, want);
		return;
	}
	wide = s->rec[2] & 1;
	off = 3;
	for (;;) {
		take = (s->len - off) >> wide;
		if (take > want)
			take = want;
		add_chars(out, s->rec + off, take, wide, &high);
		want -= take;
		if (!want)
			return;
		if (!next_record(s) || s->type != R_CONTINUE || s->len < 1)
			damaged(s, "a STRING cut short");
		wide = s->rec[0] & 1;
		off = 1;
	}
}

/* ---- the workbook globals ---- */

static void
add_format(struct stream *s, struct globals *g)
{
	nz_buf code = {0};
	unsigned high = 0;
	size_t n;

	if (s->len < 5)
		return;
	n = u16(s->rec + 2);
	if (s->biff8) {
		if (n << (s->rec[4] & 1) > s->len - 5)
			damaged(s, "a FORMAT longer than its record");
		add_chars(&code, s->rec + 5, n, s->rec[4] & 1, &high);
	} else {
		n = s->rec[2];
		if (n > s->len - 3)
			damaged(s, "a FORMAT longer than its record");
		nz_buf_add(&code, (const char *)s->rec + 3, n);
	}
	nz_grow(&g->fmt_id, &g->fmt_cap, g->nfmts + 1, sizeof *g->fmt_id);
	g->fmt_code = nz_realloc(g->fmt_code, g->fmt_cap * sizeof *g->fmt_code);
	g->fmt_id[g->nfmts] = (long)u16(s->rec);
	g->fmt_code[g->nfmts++] = code.s ? code.s : nz_strdup("");
}

/* A BOUNDSHEET: where the sheet starts in the stream, and its name. */
static void
add_sheet(struct stream *s, struct globals *g)
{
	nz_buf name = {0};
	unsigned high = 0;
	size_t n;

	if (s->len < 8)
		damaged(s, "a BOUNDSHEET record too short");
	n = s->rec[6];
	if (s->biff8) {
		if (n << (s->rec[7] & 1) > s->len - 8)
			damaged(s, "a sheet name longer than its record");
		add_chars(&name, s->rec + 8, n, s->rec[7] & 1, &high);
	} else {
		if (n > s->len - 7)
			damaged(s, "a sheet name longer than its record");
		add_cp1252(s, &name, s->rec + 7, n);
	}
	nz_grow(&g->sheet_offset, &g->sheet_cap, g->nsheets + 1,
	    sizeof *g->sheet_offset);
	g->sheet_name = nz_realloc(g->sheet_name,
	    g->sheet_cap * sizeof *g->sheet_name);
	g->sheet_offset[g->nsheets] = u32(s->rec);
	g->sheet_name[g->nsheets++] = name.s ? name.s : nz_strdup("");
}

static void
read_globals(struct stream *s, struct globals *g)
{
	if (!next_record(s) || s->type != R_BOF || s->len < 4)
		damaged(s, "the workbook stream does not start with BOF");
	s->biff8 = u16(s->rec) == 0x0600;
	while (next_record(s) && s->type != R_EOF) {
		if (s->type == R_BOUNDSHEET) {
			add_sheet(s, g);
		} else if (s->type == R_DATEMODE && s->len >= 2) {
			g->date1904 = u16(s->rec) == 1;
		} else if (s->type == R_XF && s->len >= 4) {
			nz_grow(&g->xf_fmt, &g->xf_cap, g->nxf + 1,
			    sizeof *g->xf_fmt);
			g->xf_fmt[g->nxf++] = u16(s->rec + 2);
		} else if (s->type == R_FORMAT) {
			add_format(s, g);
		}
	}
}

static int
xf_format(const struct globals *g, unsigned xf)
{
	size_t i;

	if (xf >= g->nxf)
		return NZ_FORMAT_NUMBER;
	for (i = 0; i < g->nfmts; i++)
		if (g->fmt_id[i] == (long)g->xf_fmt[xf])
			return nz_sheet_format_kind(g->fmt_id[i],
			    g->fmt_code[i]);
	return nz_sheet_format_kind((long)g->xf_fmt[xf], NULL);
}

static void
free_globals(struct globals *g)
{
	size_t i;

	for (i = 0; i < g->nfmts; i++)
		free(g->fmt_code[i]);
	for (i = 0; i < g->nsheets; i++)
		free(g->sheet_name[i]);
	free(g->sheet_name);
	free(g->fmt_code);
	free(g->fmt_id);
	free(g->xf_fmt);
	free(g->sheet_offset);
}

/* ---- the sheet's cells ---- */

static const char *
error_name(unsigned code)
{
	switch (code) {
	case 0x00: return "#NULL!";
	case 0x07: return "#DIV/0!";
	case 0x0F: return "#VALUE!";
	case 0x17: return "#REF!";
	case 0x1D: return "#NAME?";
	case 0x24: return "#NUM!";
	case 0x2A: return "#N/A";
	default: return "#ERROR";
	}
}

/* A cell of the current record (its row and column first in rec). */
static struct nz_biff_cell *
new_cell(const struct stream *s, struct nz_biff_list *l,
    const unsigned char *rec)
{
	struct nz_biff_cell *c;

	nz_grow(&l->cell, &l->cap, l->n + 1, sizeof *l->cell);
	c = &l->cell[l->n++];
	c->row = u16(rec);
	c->col = u16(rec + 2);
	c->text = NULL;
	c->at = s->at;
	return c;
}

static void
set_text(struct nz_biff_cell *c, int type, const char *s)
{
	c->type = (unsigned char)type;
	c->text = nz_strdup(s);
}

/* A FORMULA record's cached result (MS-XLS 2.5.133 FormulaValue). */
static void
formula_cell(struct stream *s, const struct globals *g,
    struct nz_biff_list *l, int date1904)
{
	struct nz_biff_cell *c;
	const unsigned char *v;
	double num;

	if (s->len < 20)
		damaged(s, "a FORMULA record too short");
	v = s->rec + 6;
	c = new_cell(s, l, s->rec);
	if (u16(v + 6) != 0xFFFF) {
		memcpy(&num, v, sizeof num);   /* IEEE 754, little-endian */
		nz_sheetrow_start(&s->one, 0);
		nz_sheet_put_number(&s->one, 0, num, xf_format(g, u16(s->rec +
		    4)), date1904);
		set_text(c, s->one.ncells ? s->one.type[0] : NZ_CELL_TEXT,
		    s->one.ncells ? s->one.text.s : "");
	} else if (v[0] == 0) {   /* text: the STRING record that follows */
		while (next_record(s) && s->type != R_STRING)
			if (s->type == R_EOF || s->type == R_FORMULA)
				damaged(s, "a text formula without its STRING");
		if (s->type != R_STRING)
			damaged(s, "a text formula without its STRING");
		nz_buf_clear(&s->text);
		read_string(s, &s->text);
		set_text(c, NZ_CELL_TEXT, s->text.s ? s->text.s : "");
	} else if (v[0] == 1) {
		set_text(c, NZ_CELL_TEXT, v[2] ? "TRUE" : "FALSE");
	} else if (v[0] == 2) {
		set_text(c, NZ_CELL_ERROR, error_name(v[2]));
	} else {
		set_text(c, NZ_CELL_TEXT, "");
	}
}

static void
boolerr_cell(struct stream *s, struct nz_biff_list *l)
{
	struct nz_biff_cell *c;

	if (s->len < 8)
		damaged(s, "a BOOLERR record too short");
	c = new_cell(s, l, s->rec);
	if (s->rec[7])
		set_text(c, NZ_CELL_ERROR, error_name(s->rec[6]));
	else
		set_text(c, NZ_CELL_TEXT, s->rec[6] ? "TRUE" : "FALSE");
}

/* An RK number (MS-XLS 2.5.217): a 30-bit integer or the high 30 bits
 * of a double, divided by 100 when its lowest bit says so. */
static double
rk_number(const unsigned char *p)
{
	uint32_t rk = u32(p);
	uint64_t bits;
	double v;

	if (rk & 2) {
		v = (double)(rk >> 2) - ((rk & 0x80000000u) ? 1073741824.0 :
		    0.0);
	} else {
		bits = (uint64_t)(rk & 0xFFFFFFFCu) << 32;
		memcpy(&v, &bits, sizeof v);
	}
	return rk & 1 ? v / 100 : v;
}

/* A number whose format shows a time alone: FreeXL gives its time of
 * day as text and drops its day, so a date-time serial shown as h:mm
 * would lose its date; as a cell of ours it reads as an .xlsx's does
 * (nz_sheet_put_number). */
static void
number_cell(struct stream *s, const struct globals *g,
    struct nz_biff_list *l, const unsigned char *rec, unsigned col,
    unsigned xf, double num, int date1904)
{
	struct nz_biff_cell *c;

	if (xf_format(g, xf) != NZ_FORMAT_TIME)
		return;
	c = new_cell(s, l, rec);
	c->col = col;
	nz_sheetrow_start(&s->one, 0);
	nz_sheet_put_number(&s->one, 0, num, NZ_FORMAT_TIME, date1904);
	set_text(c, s->one.type[0], s->one.text.s);
}

/* NUMBER, RK and MULRK records (MS-XLS 2.4.180, 2.4.220, 2.4.175). */
static void
number_cells(struct stream *s, const struct globals *g,
    struct nz_biff_list *l, int date1904)
{
	const unsigned char *r = s->rec;
	double num;
	size_t i, n;

	if (s->type == R_NUMBER) {
		if (s->len < 14)
			damaged(s, "a NUMBER record too short");
		memcpy(&num, r + 6, sizeof num);   /* IEEE 754, little-endian */
		number_cell(s, g, l, r, u16(r + 2), u16(r + 4), num, date1904);
	} else if (s->type == R_RK) {
		if (s->len < 10)
			damaged(s, "an RK record too short");
		number_cell(s, g, l, r, u16(r + 2), u16(r + 4), rk_number(r + 6),
		    date1904);
	} else {
		if (s->len < 6 || (s->len - 6) % 6 != 0)
			damaged(s, "a MULRK record of the wrong size");
		n = (s->len - 6) / 6;
		if (u16(r + s->len - 2) != u16(r + 2) + n - 1)
			damaged(s, "a MULRK record whose columns do not add up");
		for (i = 0; i < n; i++)
			number_cell(s, g, l, r, u16(r + 2) + (unsigned)i,
			    u16(r + 4 + 6 * i), rk_number(r + 6 + 6 * i),
			    date1904);
	}
}

static int
cmp_cell(const void *a, const void *b)
{
	const struct nz_biff_cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return (x->col > y->col) - (x->col < y->col);
}

/* A cell in two records (sorted, they are side by side) is damage, not
 * a choice to make: which one a reader took would be a guess. */
static void
twice(struct stream *s, const struct nz_biff_list *l)
{
	const struct nz_biff_cell *a, *b;
	char col[8];
	unsigned n;
	size_t i, k;

	for (i = 1; i < l->n; i++) {
		a = &l->cell[i - 1];
		b = &l->cell[i];
		if (a->row != b->row || a->col != b->col)
			continue;
		/* the column's letters, as Excel names it */
		k = sizeof col - 1;
		col[k] = '\0';
		for (n = a->col + 1; n && k > 0; n = (n - 1) / 26)
			col[--k] = (char)('A' + (n - 1) % 26);
		nz_buf_clear(&s->error);
		nz_buf_printf(&s->error, "damaged .xls workbook: row %u, column "
		    "%s is in two records (BIFF records at bytes %zu and %zu)",
		    a->row + 1, col + k, a->at < b->at ? a->at : b->at,
		    a->at < b->at ? b->at : a->at);
		longjmp(s->jmp, 1);
	}
}

static void
read_sheet(struct stream *s, const struct globals *g, size_t sheet,
    struct nz_biff_list *l, int date1904)
{
	if (sheet >= g->nsheets || g->sheet_offset[sheet] >= s->size)
		damaged(s, "the sheet's offset is outside the stream");
	s->pos = g->sheet_offset[sheet];
	if (!next_record(s) || s->type != R_BOF)
		damaged(s, "the sheet does not start with BOF");
	while (next_record(s) && s->type != R_EOF) {
		if (s->type == R_FORMULA)
			formula_cell(s, g, l, date1904);
		else if (s->type == R_BOOLERR)
			boolerr_cell(s, l);
		else if (s->type == R_NUMBER || s->type == R_RK ||
		    s->type == R_MULRK)
			number_cells(s, g, l, date1904);
	}
	if (l->n)   /* qsort must not see a NULL array */
		qsort(l->cell, l->n, sizeof *l->cell, cmp_cell);
	twice(s, l);
}

/* ---- the container ---- */

/* libgsf reports a damaged container as GLib "CRITICAL" lines on
 * standard error; the message that counts is ours. */
static void
quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer data)
{
	(void)domain, (void)level, (void)msg, (void)data;
}

static _Noreturn void
no_container(struct stream *s, const char *what)
{
	nz_buf_clear(&s->error);
	nz_buf_printf(&s->error, "damaged .xls workbook: %s (a cut-short "
	    "file?)", what);
	longjmp(s->jmp, 1);
}

static void
read_stream(struct stream *s, const char *path)
{
	GError *err = NULL;
	GsfInput *in, *wb = NULL;
	GsfInfile *ole;
	const guint8 *got;
	gsf_off_t size;

	gsf_init();
	g_log_set_default_handler(quiet, NULL);
	in = gsf_input_stdio_new(path, &err);
	if (!in) {
		char msg[256];
		snprintf(msg, sizeof msg, "%s", err ? err->message :
		    "cannot open it");
		if (err)
			g_error_free(err);
		no_container(s, msg);
	}
	ole = gsf_infile_msole_new(in, &err);
	g_object_unref(in);
	if (ole) {
		wb = gsf_infile_child_by_name(ole, "Workbook");
		if (!wb)
			wb = gsf_infile_child_by_name(ole, "Book");
		g_object_unref(ole);
	}
	if (err)
		g_error_free(err);
	if (!wb)
		no_container(s, "no workbook stream in its OLE2 container");
	size = gsf_input_size(wb);
	s->size = size > 0 ? (size_t)size : 0;
	s->data = nz_malloc(s->size + 1);
	got = s->size ? gsf_input_read(wb, s->size, s->data) : s->data;
	g_object_unref(wb);
	if (!got)
		no_container(s, "its workbook stream cannot be read");
}

size_t
nz_biff_read(const char *path, const char *file, const char *sheet_name,
    long sheet_index, int *date1904, struct nz_biff_list *out)
{
	/* on the heap and held: reachable whatever error ends the run */
	struct { struct stream s; struct globals g; } *w = nz_calloc(1,
	    sizeof *w);
	size_t pick = (size_t)-1;

	nz_hold(w);
	w->s.file = file;
	memset(out, 0, sizeof *out);
	if (setjmp(w->s.jmp)) {
		nz_warnat(file, 0, "%s", w->s.error.s);
		pick = (size_t)-1;
		goto done;
	}
	read_stream(&w->s, path);
	read_globals(&w->s, &w->g);
	out->sheet = nz_calloc(w->g.nsheets + 1, sizeof *out->sheet);
	for (out->nsheets = 0; out->nsheets < w->g.nsheets; out->nsheets++)
		out->sheet[out->nsheets] = nz_strdup(
		    w->g.sheet_name[out->nsheets]);
	pick = nz_sheet_pick(file, (const char *const *)w->g.sheet_name,
	    w->g.nsheets, sheet_name, sheet_index, &w->s.error);
	if (pick == (size_t)-1) {
		nz_warnat(file, 0, "%s", w->s.error.s);
		goto done;
	}
	*date1904 = w->g.date1904;
	read_sheet(&w->s, &w->g, pick, out, *date1904);
done:
	free(w->s.data);
	nz_buf_free(&w->s.error);
	nz_buf_free(&w->s.text);
	nz_sheetrow_free(&w->s.one);
	free_globals(&w->g);
	nz_drop(w);
	free(w);
	return pick;
}

void
nz_biff_free(struct nz_biff_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->cell[i].text);
	for (i = 0; i < l->nsheets; i++)
		free(l->sheet[i]);
	free(l->sheet);
	free(l->cell);
	memset(l, 0, sizeof *l);
}
