/* xlsxpkg.c: the package of an .xlsx workbook, for the sheet reader
 * (xlsx.c, which says what a workbook holds and how it is read).
 *
 * An .xlsx file is a zip (libzip) of XML parts (expat).  The package's
 * relationships lead to the workbook part (its sheets by name, and the
 * date system: 1900 or 1904), the workbook's relationships to each
 * sheet's part, the shared strings and the styles.  The shared strings
 * are read whole (every text cell of the sheet points into them) and the
 * styles give each cell format's number format, so that a number shown
 * as a date reads as a date.  Here too are the parts themselves (parsed
 * as they are unzipped, resumable) and the reader's first error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <expat.h>
#include <zip.h>

#include "xlsx.h"

/* ==== parts ==== */

const char *
nz_xlsx_local_name(const char *name)
{
	const char *colon = strrchr(name, ':');

	return colon ? colon + 1 : name;
}

const char *
nz_xlsx_attr(const XML_Char **atts, const char *name)
{
	for (; *atts; atts += 2)
		if (strcmp(nz_xlsx_local_name(atts[0]), name) == 0)
			return atts[1];
	return NULL;
}

/* Keep the first error (at a sheet row, or 0); in an expat handler,
 * stop the parser: nz_xlsx_part_step then jumps back. */
void __attribute__((format(printf, 3, 4)))
nz_xlsx_err(struct xlsx *x, long line, const char *fmt, ...)
{
	va_list ap;

	if (!x->failed) {
		va_start(ap, fmt);
		x->error.len = 0;
		nz_buf_add(&x->error, "", 0);
		{
			char msg[512];
			vsnprintf(msg, sizeof msg, fmt, ap);
			nz_buf_adds(&x->error, msg);
		}
		va_end(ap);
		x->error_line = line;
		x->failed = 1;
	}
	if (x->parsing)
		XML_StopParser(x->parsing, XML_FALSE);
}

/* The same from the reader's own code (never from an expat handler). */
_Noreturn void __attribute__((format(printf, 3, 4)))
nz_xlsx_die(struct xlsx *x, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	x->parsing = NULL;
	nz_xlsx_err(x, line, "%s", msg);
	longjmp(x->jmp, 1);
}

/* A DOCTYPE could declare entities: no OOXML part has one. */
static void XMLCALL
refuse_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal)
{
	struct xlsx *x = ud;

	(void)name, (void)sysid, (void)pubid, (void)has_internal;
	nz_xlsx_err(x, 0, "a part of the workbook declares a DOCTYPE, which "
	    "no xlsx part has: refused");
}

/* Open a part; 0 if the package has no such part. */
int
nz_xlsx_part_open(struct xlsx *x, struct part *p, const char *name,
    XML_StartElementHandler start, XML_EndElementHandler end)
{
	memset(p, 0, offsetof(struct part, buf));
	p->zf = zip_fopen(x->zip, name, ZIP_FL_NOCASE);
	if (!p->zf)
		return 0;
	p->name = nz_strdup(name);
	p->xp = XML_ParserCreate(NULL);
	if (!p->xp)
		nz_xlsx_die(x, 0, "out of memory");
	XML_SetUserData(p->xp, x);
	XML_SetElementHandler(p->xp, start, end);
	XML_SetStartDoctypeDeclHandler(p->xp, refuse_doctype);
	return 1;
}

/* Resume the parser, or give it the next chunk; 0 when the part is
 * done.  A damaged zip entry or malformed XML exits 1. */
int
nz_xlsx_part_step(struct xlsx *x, struct part *p)
{
	enum XML_Status st;
	zip_int64_t got;

	x->parsing = p->xp;
	if (p->suspended) {
		st = XML_ResumeParser(p->xp);
	} else {
		if (p->eof)
			return 0;
		got = zip_fread(p->zf, p->buf, sizeof p->buf);
		if (got < 0)
			nz_xlsx_die(x, 0, "%s: damaged zip entry: %s", p->name,
			    zip_file_strerror(p->zf));
		p->eof = got == 0;
		st = XML_Parse(p->xp, p->buf, (int)got, p->eof);
	}
	x->parsing = NULL;
	if (x->failed)   /* a handler found the error */
		longjmp(x->jmp, 1);
	if (st == XML_STATUS_ERROR)
		nz_xlsx_die(x, 0, "%s, XML line %lu: %s%s", p->name,
		    (unsigned long)XML_GetCurrentLineNumber(p->xp),
		    XML_ErrorString(XML_GetErrorCode(p->xp)), p->eof ?
		    " (the part ends too soon: a cut or damaged file?)" : "");
	p->suspended = st == XML_STATUS_SUSPENDED;
	return 1;
}

void
nz_xlsx_part_close(struct part *p)
{
	if (p->xp)
		XML_ParserFree(p->xp);
	if (p->zf)
		zip_fclose(p->zf);
	free(p->name);
	p->xp = NULL;
	p->zf = NULL;
	p->name = NULL;
}

/* Parse a whole part with these handlers; 0 if there is no such part.
 * The part is x's, so that an error's jump leaves nothing behind. */
static int
parse_part(struct xlsx *x, const char *name, XML_StartElementHandler start,
    XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
	int found = nz_xlsx_part_open(x, &x->aux, name, start, end);

	if (found) {
		XML_SetCharacterDataHandler(x->aux.xp, chars);
		while (nz_xlsx_part_step(x, &x->aux))
			;
	}
	nz_xlsx_part_close(&x->aux);
	return found;
}

/* Part name of a relationship's target, from the folder of the part that
 * holds it: "worksheets/sheet1.xml" from "xl/" is "xl/worksheets/
 * sheet1.xml"; "/xl/..." is from the root; ".." goes up. */
static char *
resolve(const char *from_part, const char *target)
{
	nz_buf out = {0};
	const char *slash = strrchr(from_part, '/'), *seg, *end;

	if (*target == '/')
		target++;
	else if (slash)
		nz_buf_add(&out, from_part, (size_t)(slash - from_part + 1));
	for (seg = target; *seg; seg = *end ? end + 1 : end) {
		end = strchr(seg, '/');
		if (!end)
			end = seg + strlen(seg);
		if (end - seg == 2 && memcmp(seg, "..", 2) == 0) {
			char *cut;
			if (out.len)
				out.s[--out.len] = '\0';
			cut = out.s ? strrchr(out.s, '/') : NULL;
			out.len = cut ? (size_t)(cut - out.s + 1) : 0;
			if (out.s)
				out.s[out.len] = '\0';
		} else if (!(end - seg == 1 && *seg == '.') && end > seg) {
			nz_buf_add(&out, seg, (size_t)(end - seg));
			if (*end)
				nz_buf_addc(&out, '/');
		}
	}
	if (!out.s)
		nz_buf_add(&out, "", 0);
	return out.s;
}

/* ==== relationships and the workbook ==== */

static void XMLCALL
rel_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *id = nz_xlsx_attr(atts, "Id");
	const char *target = nz_xlsx_attr(atts, "Target");
	const char *type = nz_xlsx_attr(atts, "Type"), *mode;

	if (strcmp(nz_xlsx_local_name(el), "Relationship") != 0 || !id ||
	    !target || !type)
		return;
	mode = nz_xlsx_attr(atts, "TargetMode");
	if (mode && strcmp(mode, "External") == 0)
		return;
	if (x->nrels == x->rel_cap) {
		size_t cap = x->rel_cap;
		nz_grow(&x->rel_id, &cap, x->nrels + 1, sizeof *x->rel_id);
		x->rel_target = nz_realloc(x->rel_target,
		    cap * sizeof *x->rel_target);
		x->rel_type = nz_realloc(x->rel_type, cap * sizeof *x->rel_type);
		x->rel_cap = cap;
	}
	x->rel_id[x->nrels] = nz_strdup(id);
	x->rel_target[x->nrels] = nz_strdup(target);
	x->rel_type[x->nrels++] = nz_strdup(type);
}

void
nz_xlsx_free_rels(struct xlsx *x)
{
	size_t i;

	for (i = 0; i < x->nrels; i++) {
		free(x->rel_id[i]);
		free(x->rel_target[i]);
		free(x->rel_type[i]);
	}
	x->nrels = 0;
}

/* the target of the first relationship whose type ends in "/kind" (or
 * whose id is id), resolved from part; NULL if none */
static char *
find_rel(const struct xlsx *x, const char *part, const char *kind,
    const char *id)
{
	size_t i, tl, kl = kind ? strlen(kind) : 0;

	for (i = 0; i < x->nrels; i++) {
		tl = strlen(x->rel_type[i]);
		if (id ? strcmp(x->rel_id[i], id) == 0 : (tl > kl &&
		    x->rel_type[i][tl - kl - 1] == '/' &&
		    strcmp(x->rel_type[i] + tl - kl, kind) == 0))
			return resolve(part, x->rel_target[i]);
	}
	return NULL;
}

/* "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels" */
static char *
rels_of(const char *part)
{
	const char *slash = strrchr(part, '/');
	nz_buf out = {0};

	nz_buf_printf(&out, "%.*s_rels/%s.rels", slash ? (int)(slash - part +
	    1) : 0, part, slash ? slash + 1 : part);
	return out.s;
}

static void XMLCALL
workbook_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *name = nz_xlsx_local_name(el), *v;

	if (strcmp(name, "workbookPr") == 0) {
		v = nz_xlsx_attr(atts, "date1904");
		x->book.date1904 = v && (strcmp(v, "1") == 0 ||
		    strcmp(v, "true") == 0);
	} else if (strcmp(name, "sheet") == 0) {
		const char *sname = nz_xlsx_attr(atts, "name");
		const char *rid = nz_xlsx_attr(atts, "id");
		if (!sname || !rid) {
			nz_xlsx_err(x, 0, "%s: a sheet without a name or "
			    "relationship", x->workbook_part);
			return;
		}
		if (x->nsheets == x->sheet_cap) {
			size_t cap = x->sheet_cap;
			nz_grow(&x->sheet_name, &cap, x->nsheets + 1,
			    sizeof *x->sheet_name);
			x->sheet_rid = nz_realloc(x->sheet_rid,
			    cap * sizeof *x->sheet_rid);
			x->sheet_cap = cap;
		}
		x->sheet_name[x->nsheets] = nz_strdup(sname);
		x->sheet_rid[x->nsheets++] = nz_strdup(rid);
	}
}

static void XMLCALL
no_end(void *ud, const XML_Char *el)
{
	(void)ud, (void)el;
}

static void XMLCALL
no_text(void *ud, const XML_Char *s, int len)
{
	(void)ud, (void)s, (void)len;
}

/* The workbook part, its sheets and date system, and the parts of the
 * chosen sheet, the shared strings and the styles. */
static void
read_workbook(struct xlsx *x, const char *sheet_name, long sheet_index)
{
	size_t pick;

	parse_part(x, "_rels/.rels", rel_start, no_end, no_text);
	x->workbook_part = find_rel(x, "", "officeDocument", NULL);
	if (!x->workbook_part)
		x->workbook_part = nz_strdup("xl/workbook.xml");
	nz_xlsx_free_rels(x);
	if (!parse_part(x, x->workbook_part, workbook_start, no_end, no_text))
		nz_xlsx_die(x, 0, "no workbook part %s: %s",
		    nz_q(x->workbook_part), zip_name_locate(x->zip,
		    "xl/workbook.bin", ZIP_FL_NOCASE) >= 0 ? "an .xlsb binary "
		    "workbook; save it as .xlsx" : "not an xlsx workbook");
	x->rels_part = rels_of(x->workbook_part);
	parse_part(x, x->rels_part, rel_start, no_end, no_text);
	x->book.sheet = x->sheet_name;
	x->book.nsheets = x->nsheets;
	pick = nz_sheet_pick(x->file, (const char *const *)x->sheet_name,
	    x->nsheets, sheet_name, sheet_index, &x->error);
	if (pick == (size_t)-1)
		nz_xlsx_die(x, 0, "%s", x->error.s);
	x->sheet_part = find_rel(x, x->workbook_part, NULL,
	    x->sheet_rid[pick]);
	if (!x->sheet_part)
		nz_xlsx_die(x, 0, "sheet %s has no part in the workbook's "
		    "relationships", nz_q(x->sheet_name[pick]));
	if (strstr(x->sheet_part, "chartsheets/"))
		nz_xlsx_die(x, 0, "sheet %s is a chart, not a worksheet",
		    nz_q(x->sheet_name[pick]));
	x->strings_part = find_rel(x, x->workbook_part, "sharedStrings", NULL);
	x->styles_part = find_rel(x, x->workbook_part, "styles", NULL);
}

/* ==== shared strings and texts ==== */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "_xHHHH_" escapes (a character XML cannot hold, or "_x005F_" for a
 * literal "_") decoded in place; one that would make a NUL, a surrogate
 * or an invalid character stays as written. */
void
nz_xlsx_unescape(nz_buf *b)
{
	size_t i, o = 0;
	unsigned cp;
	int k, h;

	for (i = 0; i < b->len; ) {
		if (b->s[i] == '_' && i + 7 <= b->len && b->s[i + 1] == 'x' &&
		    b->s[i + 6] == '_') {
			cp = 0;
			for (k = 2; k < 6 && (h = hexval(b->s[i + k])) >= 0; k++)
				cp = cp << 4 | (unsigned)h;
			if (k == 6 && cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
				if (cp < 0x80) {
					b->s[o++] = (char)cp;
				} else if (cp < 0x800) {
					b->s[o++] = (char)(0xC0 | cp >> 6);
					b->s[o++] = (char)(0x80 | (cp & 0x3F));
				} else {
					b->s[o++] = (char)(0xE0 | cp >> 12);
					b->s[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
					b->s[o++] = (char)(0x80 | (cp & 0x3F));
				}
				i += 7;
				continue;
			}
		}
		b->s[o++] = b->s[i++];
	}
	b->len = o;
	if (b->s)
		b->s[o] = '\0';
}

/* In <si>: the text of <t> (directly or in runs <r>), not of the
 * phonetic runs <rPh>. */
static void XMLCALL
sst_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *name = nz_xlsx_local_name(el);

	(void)atts;
	if (strcmp(name, "si") == 0)
		nz_buf_clear(&x->text);
	else if (strcmp(name, "rPh") == 0)
		x->rph++;
	else if (strcmp(name, "t") == 0 && !x->rph)
		x->in_text = 1;
}

static void XMLCALL
sst_end(void *ud, const XML_Char *el)
{
	struct xlsx *x = ud;
	const char *name = nz_xlsx_local_name(el);

	if (strcmp(name, "t") == 0) {
		x->in_text = 0;
	} else if (strcmp(name, "rPh") == 0) {
		x->rph--;
	} else if (strcmp(name, "si") == 0) {
		if (x->nsst == x->sst_cap) {
			size_t cap = x->sst_cap;
			nz_grow(&x->sst_off, &cap, x->nsst + 1,
			    sizeof *x->sst_off);
			x->sst_len = nz_realloc(x->sst_len,
			    cap * sizeof *x->sst_len);
			x->sst_cap = cap;
		}
		nz_xlsx_unescape(&x->text);
		x->sst_off[x->nsst] = x->sst.len;
		x->sst_len[x->nsst++] = x->text.len;
		nz_buf_add(&x->sst, x->text.s ? x->text.s : "", x->text.len);
		nz_buf_addc(&x->sst, '\0');
	}
}

static void XMLCALL
sst_text(void *ud, const XML_Char *s, int len)
{
	struct xlsx *x = ud;

	if (x->in_text)
		nz_buf_add(&x->text, s, (size_t)len);
}

/* ==== styles: which cell formats show dates and times ==== */

static int
format_kind(const struct xlsx *x, long id)
{
	size_t i;

	for (i = 0; i < x->nfmts; i++)
		if (x->fmt_id[i] == id)
			return nz_sheet_format_kind(id, x->fmt_code[i]);
	return nz_sheet_format_kind(id, NULL);
}

static void XMLCALL
styles_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *name = nz_xlsx_local_name(el);
	const char *id = nz_xlsx_attr(atts, "numFmtId");

	if (strcmp(name, "cellXfs") == 0) {
		x->in_cellxfs = 1;
	} else if (strcmp(name, "numFmt") == 0 && id &&
	    nz_xlsx_attr(atts, "formatCode")) {
		nz_grow(&x->fmt_id, &x->fmt_cap, x->nfmts + 1, sizeof *x->fmt_id);
		x->fmt_code = nz_realloc(x->fmt_code,
		    x->fmt_cap * sizeof *x->fmt_code);
		x->fmt_id[x->nfmts] = strtol(id, NULL, 10);
		x->fmt_code[x->nfmts++] = nz_strdup(nz_xlsx_attr(atts,
		    "formatCode"));
	} else if (strcmp(name, "xf") == 0 && x->in_cellxfs) {
		nz_grow(&x->xf_fmt, &x->xf_cap, x->nxf + 1, sizeof *x->xf_fmt);
		x->xf_fmt[x->nxf++] = id ? strtol(id, NULL, 10) : 0;
	}
}

static void XMLCALL
styles_end(void *ud, const XML_Char *el)
{
	struct xlsx *x = ud;

	if (strcmp(nz_xlsx_local_name(el), "cellXfs") == 0)
		x->in_cellxfs = 0;
}

static void
read_styles(struct xlsx *x)
{
	size_t i;

	if (x->styles_part)
		parse_part(x, x->styles_part, styles_start, styles_end,
		    no_text);
	x->xf_format = nz_calloc(x->nxf + 1, 1);
	for (i = 0; i < x->nxf; i++)
		x->xf_format[i] = (unsigned char)format_kind(x, x->xf_fmt[i]);
}

/* ==== the zip ==== */

/* What the file is, when it is no zip: a hint for the message. */
static const char *
not_zip_hint(const char *path)
{
	unsigned char magic[4] = {0};
	FILE *f = path ? fopen(path, "rb") : NULL;
	size_t got = f ? fread(magic, 1, 4, f) : 0;

	if (f)
		fclose(f);
	if (got == 4 && memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0)
		return ": it is a legacy Excel file (set \"format\": \"xls\") "
		    "or a password-protected workbook (save it without the "
		    "password)";
	if (got == 4 && memcmp(magic, "PK\x03\x04", 4) == 0)
		return ": a damaged or cut-short file?";
	return got ? ": is it a CSV file? (then \"format\": \"csv\")" : "";
}

static zip_t *
open_zip(struct xlsx *x, const char *path)
{
	zip_error_t ze;
	zip_t *zip;
	FILE *tmp;
	int err = 0, fd;

	if (path) {
		zip = zip_open(path, ZIP_RDONLY, &err);
	} else {
		tmp = nz_spool_stdin();
		fd = dup(fileno(tmp));
		fclose(tmp);
		if (fd < 0)
			nz_xlsx_die(x, 0, "%s", strerror(errno));
		zip = zip_fdopen(fd, 0, &err);
		if (!zip)
			close(fd);
	}
	if (!zip) {
		zip_error_init_with_code(&ze, err);
		if (err == ZIP_ER_NOENT || err == ZIP_ER_OPEN ||
		    err == ZIP_ER_READ) {
			x->file_error = 1;
			nz_xlsx_die(x, 0, "%s", strerror(errno ? errno : EIO));
		}
		nz_xlsx_die(x, 0, "not a readable xlsx workbook (zip: %s)%s",
		    zip_error_strerror(&ze), not_zip_hint(path));
	}
	return zip;
}

/* The workbook at path (standard input if NULL): the zip, the workbook
 * part and the chosen sheet's part, the shared strings and the styles. */
void
nz_xlsx_read_package(struct xlsx *x, const char *path,
    const char *sheet_name, long sheet_index)
{
	x->zip = open_zip(x, path);
	read_workbook(x, sheet_name, sheet_index);
	if (x->strings_part)
		parse_part(x, x->strings_part, sst_start, sst_end, sst_text);
	read_styles(x);
}
