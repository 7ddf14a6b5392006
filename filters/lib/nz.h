/* nz.h: the shared layer of the NZCCSS aggregate-at-source filters.
 *
 * One prefix (nz_) for every public name.  One concern per file:
 *   err.c     diagnostics and exit codes        csvread.c  CSV reader on libcsv
 *   csvwrite.c minimal-quoting CSV writer       num.c      checked numbers
 *   json.c    JSON config loading               key.c      agency keys, hashing
 *   decode.c  input encodings (iconv)           text.c     strings, UTF-8, lists
 *   io.c      files, atomic output, close checks
 *   schema.c  the cell layout and every contract's columns, defined once
 *   period.c  calendar quarters           hash.c     the hash table
 *   codes.c   national code lists, age bands, the pipelines directory
 *   profile.c the agency profile and its coverage
 *   assess.c  the profile's assessments and the outcome domains
 *   reference.c reference tables: classifications and concordances
 *   rows.c    rows of a raw export (CSV), and of workbooks through
 *   xlsx.c    .xlsx (libzip, expat, streaming; its package: xlsxpkg.c)
 *             and xls.c .xls (FreeXL)
 *   rules.c   the disclosure rules and the ranges their figures stand for
 *   perturb.c the cell-key perturbation table of a rules file
 *   events.c  policy events
 *   series.c  the national series (merged cells, changes), checked
 *   narrative.c the report's narrative, CommonMark to HTML (cmark)
 *   release.c agency releases, manifests and bounds (merge, diff-quarters)
 *   intervals.c the interval each S of a release is proven to hide
 *   intake.c  releases taken in at NZCCSS: keys, the national state
 *   cellorder.c the cells of many releases in schema order
 *   statsum.c a statistical interval for a merged sum
 *   utility.c how the merged figures show      coverage.c  who reported
 *   state.c   an agency's state folder: released quarters, kept final
 *   tally.c   an export's rows read, written and rejected (--rejects, --stats)
 *   made.c    what a release is made with: key, coverage, rules, versions
 * The disclosure-control engine (GLPK) is its own library: filters/sdc,
 * header sdc.h, linked only by suppress and audit.
 */
#ifndef NZ_H
#define NZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#define NZ_VERSION "0.1.0"

/* Exit codes every program uses (DESIGN §6). */
enum nz_exit {
	NZ_EXIT_OK = 0,    /* success */
	NZ_EXIT_DATA = 1,  /* data or input error */
	NZ_EXIT_USAGE = 2, /* usage error */
};

/* ---- err.c ---- */
extern const char *nz_prog;                 /* program name for messages */
void nz_setprog(const char *argv0);
/* "prog: message" on stderr */
void nz_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: FILE:LINE: message" (line 0 leaves ":LINE" out) */
void nz_warnat(const char *file, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void nz_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* fn (NULL: none) is called before each message above and its flush of
 * stdout: a filter that holds output back (normalise's rows waiting for
 * their keys) writes it first, so that output and messages on one stream
 * come in the order of a run that held nothing.  A message fn itself
 * gives does not call it again. */
void nz_before_message(void (*fn)(void));
_Noreturn void nz_dieat(int code, const char *file, long line,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Quote a value for a message: 'value' cut to 40 bytes (on a UTF-8
 * boundary) with "..." appended when cut; control bytes shown as \xHH.
 * Returns one of 8 rotating static buffers, so up to 8 per message. */
const char *nz_q(const char *s);
const char *nz_qn(const char *s, size_t len);
/* Usage error: "prog: message" then "Try 'prog --help'." and exit 2. */
_Noreturn void nz_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---- memory (err.c): abort with a message on exhaustion ---- */
void *nz_malloc(size_t n);
void *nz_calloc(size_t n, size_t size);
void *nz_realloc(void *p, size_t n);
char *nz_strdup(const char *s);
char *nz_strndup(const char *s, size_t n);
/* Objects kept to the end (configurations and what is built from them):
 * nz_hold when made, nz_drop before freeing, so that they stay reachable
 * on every exit path and leak checks give one verdict everywhere. */
void nz_hold(const void *p);
void nz_drop(const void *p);
/* grow *buf (capacity *cap, element size elem) to hold at least need */
void nz_grow(void *bufp, size_t *cap, size_t need, size_t elem);

/* ---- text.c ---- */
/* Growable string buffer, NUL-terminated. */
typedef struct nz_buf {
	char *s;
	size_t len, cap;
} nz_buf;
void nz_buf_add(nz_buf *b, const char *s, size_t n);
void nz_buf_adds(nz_buf *b, const char *s);
void nz_buf_addc(nz_buf *b, char c);
/* v in decimal, without printf (for output made in bulk): into out,
 * NUL-terminated, its length returned; or added to b */
#define NZ_UINT_BUF 24
size_t nz_fmt_uint(char out[NZ_UINT_BUF], unsigned long long v);
void nz_buf_add_uint(nz_buf *b, unsigned long long v);
void nz_buf_printf(nz_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nz_buf_clear(nz_buf *b);
/* memcpy without a call for the up to 32 bytes of most CSV fields (a key
 * is 32), which the readers and the writer copy by the million: two
 * overlapping moves of the first and last bytes */
static inline void
nz_copy_short(char *to, const char *from, size_t len)
{
	char a[16], b[16];
	size_t i;

	if (len > 32) {
		memcpy(to, from, len);
	} else if (len >= 16) {
		memcpy(a, from, 16);
		memcpy(b, from + len - 16, 16);
		memcpy(to, a, 16);
		memcpy(to + len - 16, b, 16);
	} else if (len >= 8) {
		memcpy(a, from, 8);
		memcpy(b, from + len - 8, 8);
		memcpy(to, a, 8);
		memcpy(to + len - 8, b, 8);
	} else if (len >= 4) {
		memcpy(a, from, 4);
		memcpy(b, from + len - 4, 4);
		memcpy(to, a, 4);
		memcpy(to + len - 4, b, 4);
	} else {
		for (i = 0; i < len; i++)
			to[i] = from[i];
	}
}
void nz_buf_free(nz_buf *b);
/* 1 if s[0..len) is valid UTF-8; else 0 and *bad = offset of bad byte */
int nz_utf8_valid(const char *s, size_t len, size_t *bad);
/* trim ASCII space/tab/CR/LF and NBSP on both sides, in place; returns s */
char *nz_trim(char *s);
/* the same for s of *len bytes (s[*len] NUL); sets *len to the new length */
char *nz_trim_len(char *s, size_t *len);
/* the part of s[0..*len) that nz_trim keeps, without changing s: returns
 * where it starts and sets *len to its length */
const char *nz_trim_span(const char *s, size_t *len);
/* qsort comparator for an array of C strings, bytewise. */
int nz_strcmp_ptr(const void *a, const void *b);
/* Sort v[0..n) by the high 32 bits of each, stably (tmp holds n): the
 * order qsort gives the whole values when the low 32 bits already
 * increase.  Radix passes, only as many as the largest value needs. */
void nz_sort_hi32(uint64_t *v, uint64_t *tmp, size_t n);
/* The values of a '|'-joined list s[0..len), one at a time, in place:
 *   for (nz_list it = nz_list_of(s, len); nz_list_next(&it); )
 *           use it.val[0 .. it.len)
 * An empty list is one empty value; "a||b" has an empty value between. */
typedef struct nz_list {
	const char *val, *next, *end;
	size_t len;
} nz_list;
static inline nz_list
nz_list_of(const char *s, size_t len)
{
	nz_list it = {NULL, s, s + len, 0};

	return it;
}
static inline int
nz_list_next(nz_list *it)
{
	const char *bar;

	if (!it->next)
		return 0;
	bar = memchr(it->next, '|', (size_t)(it->end - it->next));
	it->val = it->next;
	it->len = (size_t)((bar ? bar : it->end) - it->next);
	it->next = bar ? bar + 1 : NULL;
	return 1;
}

/* ---- num.c: checked conversions; return 0 on success, -1 on error ---- */
int nz_parse_long(const char *s, long min, long max, long *out);
int nz_parse_u64(const char *s, uint64_t *out);
/* The most units (food parcels, nights...) one event may carry: normalise
 * rejects more, aggregate refuses more, so no cell's sum can overflow. */
#define NZ_MAX_UNITS 1000000000L
/* Command-line number: exits 2 naming the option on error. */
long nz_opt_long(const char *opt, const char *s, long min, long max);
/* Command-line percentage, 0 to 100, digits first, an optional '%'. */
double nz_opt_percent(const char *opt, const char *s);

/* Dates: days since 1970-01-01 (proleptic Gregorian) and back. */
int nz_date_valid(int y, int m, int d);
long nz_days_from_civil(int y, int m, int d);
void nz_civil_from_days(long days, int *y, int *m, int *d);
/* Parse an ISO YYYY-MM-DD date strictly. */
int nz_parse_iso_date(const char *s, int *y, int *m, int *d);
/* Parse with a strptime-like format of %d %m %Y %y %b (month name, any
 * case, 3+ letters) %e (day, no zero padding needed), and literal text.
 * Numeric fields accept one or two digits for %d/%m, four for %Y.
 * Impossible dates (31/02) fail.  Whole string must match. */
int nz_parse_date(const char *s, const char *fmt, int *y, int *m, int *d);
/* The same, telling why a value is no date.  A time after the date ("4/03/
 * 2025 2:22 pm", "2025-03-04T14:22:05Z": a space or T, H:MM[:SS], 24-hour
 * or 1-12 with am/pm, an ISO zone) is accepted and dropped.  The formats
 * "excel" and "excel-1904" read Excel serial numbers ("45476.65").
 * Returns 0, or one of the failures below with a message in why (NULL:
 * none wanted) such as "day 31 does not exist in February". */
enum {
	NZ_DATE_SHAPE = -1,      /* not in the format: "not a date: ..." */
	NZ_DATE_BAD_TIME = -2,   /* a date, then something not a time */
	NZ_DATE_IMPOSSIBLE = -3, /* the format's shape, no such day */
};
#define NZ_DATE_WHY 128
int nz_parse_date_why(const char *s, const char *fmt, int *y, int *m, int *d,
	char *why);
/* An Excel serial day number (1900 system with Excel's phantom 29
 * February 1900, or 1904 system) as a date; the fraction (time) dropped. */
int nz_excel_date(double serial, int system1904, int *y, int *m, int *d,
	char *why);
/* Whole years between birth and event date (negative if birth later). */
int nz_age_years(int by, int bm, int bd, int ey, int em, int ed);

/* ---- csvread.c ---- */
enum {
	/* our dialect (DESIGN §3): refuse UTF-16, a BOM, NUL, bad UTF-8, CR
	 * line ends and a last record without its LF */
	NZ_CSV_CANONICAL = 1 << 0,
	NZ_CSV_UTF8 = 1 << 1,      /* validate UTF-8 of every field */
	/* readers split whole lines with simple quotes themselves
	 * (csvread.c); this turns that off, for the tests that compare both
	 * ways */
	NZ_CSV_NO_FAST = 1 << 2,
	/* the fast path without AVX-512 (SSE2), as on a processor without
	 * it; for the same tests */
	NZ_CSV_NO_WIDE = 1 << 3,
};
/* A byte source: returns bytes read, 0 at end; on error returns 0 and sets
 * *errmsg.  It returns every good byte before reporting an error. */
typedef size_t (*nz_readfn)(void *ctx, char *buf, size_t n,
	const char **errmsg);
typedef struct nz_csv nz_csv;
typedef struct nz_row {
	size_t nfields;
	char **field;   /* NUL-terminated, valid until the next row */
	size_t *len;    /* byte length of each field */
	long line;      /* 1-based line where the record starts */
	long line_end;  /* line where the record ends */
	int unterminated; /* ended by the end of input, not CR/LF: maybe cut */
	/* what each cell of a workbook held (enum nz_cell); NULL: all text,
	 * as in a CSV file */
	const unsigned char *type;
} nz_row;
enum nz_cell {
	NZ_CELL_TEXT,    /* text as written (also empty cells, booleans) */
	NZ_CELL_NUMBER,  /* a number, written without a spurious ".0" */
	NZ_CELL_DATE,    /* a cell typed or formatted as a date: YYYY-MM-DD */
	NZ_CELL_ERROR,   /* an error value such as #REF! or #N/A */
};
/* Open a path ("-" or NULL for stdin). Exits 1 with a message if the file
 * cannot be opened. */
nz_csv *nz_csv_open(const char *path, unsigned flags);
/* A reader over a byte source (e.g. the decoder of decode.c). */
nz_csv *nz_csv_new(const char *name, nz_readfn fn, void *ctx, unsigned flags);
void nz_csv_set_delim(nz_csv *c, char delim);
/* Bytes fed to the parser per call (0 = default); for chunk-size tests. */
void nz_csv_set_chunk(nz_csv *c, size_t chunk);
/* Next record: 1 got one, 0 end of input, -1 error (message printed,
 * naming file and line).  The row is valid until the next call. */
int nz_csv_next(nz_csv *c, nz_row **row);
const char *nz_csv_name(const nz_csv *c);
/* After nz_csv_next returned -1: the message it printed and its line. */
const char *nz_csv_error(const nz_csv *c, long *line);
long nz_csv_line(const nz_csv *c);     /* current physical line */
void nz_csv_close(nz_csv *c);
/* Read the header and check it equals the expected columns exactly;
 * exits 1 with a clear message otherwise. */
void nz_csv_expect_header(nz_csv *c, const char *const *cols, size_t ncols);
/* Read a record and check its field count; returns 1, 0 at EOF; exits 1
 * on error or wrong width ("expected N fields, found M"). */
int nz_csv_next_n(nz_csv *c, nz_row **row, size_t ncols);

/* ---- rows.c, xlsx.c, xls.c: the rows of a raw export, any format ---- */
enum nz_format { NZ_FORMAT_CSV, NZ_FORMAT_XLSX, NZ_FORMAT_XLS };
typedef struct nz_rows_opts {
	int format;              /* enum nz_format */
	const char *encoding;    /* csv: as decode.c */
	char delim;              /* csv */
	long skip_rows;          /* csv: physical lines; workbooks: sheet rows
	                          * above the header */
	const char *sheet_name;  /* workbooks: by name, or */
	long sheet_index;        /* 1-based; neither set: the first sheet */
	long title_line;         /* keep this skipped line's text (0: none) */
} nz_rows_opts;
typedef struct nz_rows nz_rows;
/* Open an export (path NULL or "-": standard input).  A workbook that
 * cannot be read (not a zip, damaged, no such sheet: the message lists
 * the sheets) is NULL, the reason printed naming the file; a CSV file
 * that cannot be opened exits 1. */
nz_rows *nz_rows_open(const char *path, const nz_rows_opts *o);
/* The next non-empty row: 1, 0 at the end, -1 on an error (printed).
 * row->line is the physical line (CSV) or the sheet row number; a row of
 * a workbook has a type per cell.  Valid until the next call. */
int nz_rows_next(nz_rows *r, nz_row **row);
/* Workbooks: from now on each row has exactly n cells (empty ones added;
 * cells right of the header, which no column name reaches, left out). */
void nz_rows_set_width(nz_rows *r, size_t n);
/* The header row: its fields trimmed, a workbook's cut at its last named
 * column and each later row of it as wide (nz_rows_set_width).  Exits 1
 * on a read error or an empty input ("no header row", "after the skipped
 * lines" when SKIPPED), naming INPUT.  Valid until the next row. */
nz_row *nz_rows_header(nz_rows *r, const char *input, int skipped);
int nz_rows_is_workbook(const nz_rows *r);
/* 1 if the workbook counts its dates from 1904 (Mac Excel) */
int nz_rows_date1904(const nz_rows *r);
/* The title line asked for in opts.title_line: the line's text (CSV) or
 * its first non-empty cell (workbooks), NULL if the file had no such
 * line; *is_date set when that cell is a date (the text is then ISO). */
const char *nz_rows_title(const nz_rows *r, int *is_date);
/* A workbook's sheets, in order (NULL, *n 0: a CSV file). */
char *const *nz_rows_sheets(const nz_rows *r, size_t *n);
const char *nz_rows_name(const nz_rows *r);
void nz_rows_close(nz_rows *r);

/* ---- tally.c: every row read is written or rejected with a reason ---- */
/* The reasons are the program's: key[i] in --stats and summaries, text[i]
 * in the rejects file unless a reject gives its own detail. */
typedef struct nz_tally {
	const char *const *key, *const *text;
	size_t nreasons;
	FILE *rejects;             /* line,reason,value; NULL: none asked */
	const char *rejects_path;
	long rows_read, rows_written, rows_rejected;
	long *rejected;            /* by reason */
	long *first_line;          /* where each reason first happened */
	char **first_detail;       /* and what it said, if it said more */
} nz_tally;
void nz_tally_init(nz_tally *t, const char *const *key,
    const char *const *text, size_t nreasons);
/* the rejects file, its header written */
void nz_tally_open_rejects(nz_tally *t, const char *path);
/* A row rejected: counted, and in the rejects file with DETAIL (NULL: the
 * reason's text) and VALUE cut to NZ_REJECT_VALUE_MAX bytes on a
 * character boundary ("..." when cut). */
#define NZ_REJECT_VALUE_MAX 40
void nz_tally_reject(nz_tally *t, long line, size_t why, const char *detail,
    const char *value);
/* Every data row after the header: counted as read, given to PROCESS
 * (which counts it written or rejects it), progress shown; exits 1 on a
 * read error or a failed write to stdout; closes the rows. */
void nz_tally_rows(nz_tally *t, nz_rows *rows, void (*process)(void *ctx,
    nz_row *row), void *ctx, int progress);
void nz_tally_close_rejects(nz_tally *t);
void nz_tally_free(nz_tally *t);
/* "key n, key n" of the counts that are not 0 */
void nz_counts_line(nz_buf *b, const char *const *keys, const long *counts,
    size_t n);
/* {"key": n, ...}, every key */
json_t *nz_counts_object(const char *const *keys, const long *counts,
    size_t n);
/* --stats: program, version, input and key_fingerprint; then the
 * program's own; then nz_tally_stats's rows_read, rows_written,
 * rows_rejected and rejected */
json_t *nz_tally_stats_new(const char *program, const char *input,
    const char *key_fingerprint);
void nz_tally_stats(json_t *stats, const nz_tally *t);

/* ---- csvwrite.c: minimal quoting, LF ---- */
void nz_csv_field(FILE *f, const char *s, size_t len, int first);
void nz_csv_fields(FILE *f, const char *const *fields, size_t n);
/* A whole record and its LF in one stdio call: fields[i] is lens[i] bytes
 * (lens NULL: NUL-terminated).  The same bytes as nz_csv_fields. */
void nz_csv_record(FILE *f, const char *const *fields, const size_t *lens,
	size_t n);
/* Whether nz_csv_record looks at its record with AVX-512 (the default
 * where the processor has it, unless NZ_CSV_NO_WIDE is set) or SSE2: for
 * the tests that compare both ways. */
void nz_csv_write_wide(int on);
void nz_csv_header(FILE *f, const char *const *cols, size_t n);

/* ---- json.c ---- */
/* Load a JSON file; exits 1 with "prog: FILE:LINE:COL: message" on error.
 * The root is held (nz_hold) until nz_json_free. */
json_t *nz_json_load(const char *path);
void nz_json_free(json_t *root);
/* Typed getters that exit 1 naming file and key on a wrong type.
 * def is returned when the key is absent (required=0). */
const char *nz_json_str(const char *file, json_t *obj, const char *key,
	const char *def);
long nz_json_int(const char *file, json_t *obj, const char *key, long def);
/* Write root to path as indented JSON, keys in insertion order, with a
 * final newline; exits 1 naming path on a write error.  Takes root. */
void nz_json_write(const char *path, json_t *root);
/* Line (1-based) of the first occurrence of "key" in the file's text, for
 * messages about a value jansson cannot place; 0 if not found. */
long nz_json_key_line(const char *path, const char *key, long from_line);

/* ---- key.c ---- */
#define NZ_KEY_BYTES 32
#define NZ_HASH_BYTES 16
/* Load a 32-byte key file; exits 1 if missing, wrong size, or readable by
 * group or others. */
/* a secret file of exactly n bytes, owner-only; make: how to make one */
void nz_secret_file_load(const char *path, unsigned char *buf, size_t n,
    const char *make);
void nz_key_load(const char *path, unsigned char key[NZ_KEY_BYTES]);
/* Keyed BLAKE2b-128 of s as 32 lowercase hex chars + NUL. */
void nz_key_hash_hex(const unsigned char key[NZ_KEY_BYTES], const char *s,
	size_t len, char out[2 * NZ_HASH_BYTES + 1]);
/* The same hash for many values under one key: the keyed state is set up
 * once.  nz_hasher_free wipes it. */
typedef struct nz_hasher nz_hasher;
nz_hasher *nz_hasher_new(const unsigned char key[NZ_KEY_BYTES]);
void nz_hasher_hex(const nz_hasher *h, const char *s, size_t len,
	char out[2 * NZ_HASH_BYTES + 1]);
/* nz_hasher_hex of n ids at once (n at most NZ_HASH_BATCH): out[i] is
 * the hash of s[i], exactly as nz_hasher_hex gives it.  Where the
 * processor has AVX-512, ids of 1 to 16 bytes are hashed side by side,
 * at about a third of the cost (NZ_HASH_NO_LANES in the environment
 * turns that off); each run first checks that way against libsodium. */
#define NZ_HASH_BATCH 8
void nz_hasher_hex_n(const nz_hasher *h, const char *const *s,
	const size_t *len, size_t n, char (*out)[2 * NZ_HASH_BYTES + 1]);
/* Start bringing in what nz_hasher_hex of s will look at, so that other
 * work can be done meanwhile; no effect on any hash. */
void nz_hasher_prefetch(const nz_hasher *h, const char *s, size_t len);
void nz_hasher_free(nz_hasher *h);
/* The key's public fingerprint, 32 lowercase hex: derived with libsodium's
 * KDF under a context of its own, so it shares nothing with client keys,
 * and useless for testing guesses since a key is 32 random bytes.  It
 * names the key a release was made with (manifest), and recognises the
 * public demo keys under any file name. */
#define NZ_FINGERPRINT_HEX 32
void nz_key_fingerprint(const unsigned char key[NZ_KEY_BYTES],
	char out[NZ_FINGERPRINT_HEX + 1]);
/* 1 and the sample agency's code in agency when the fingerprint is that
 * of a public demo key (the pipelines' demo-keys.csv), else 0. */
#define NZ_AGENCY_MAX 16
int nz_demo_key_agency(const char *fingerprint,
	char agency[NZ_AGENCY_MAX + 1]);
/* A demo key keys only its own sample agency, read from the repository's
 * sample-data folder (the profile's folder): else exits 1 saying so. */
void nz_demo_key_check(const char *profile_path, const char *agency,
	const char *key_path, const char *fingerprint);
/* sha256 of a file as 64 hex + NUL; -1 on read error. */
int nz_sha256_file(const char *path, char out[65]);

/* ---- decode.c: any supported encoding to UTF-8 ---- */
typedef struct nz_decoder nz_decoder;
/* encoding: "utf-8", "windows-1252", "utf-16" (BOM required, LE or BE).
 * Exits 1 if the file cannot be opened. */
nz_decoder *nz_decoder_open(const char *path, const char *encoding);
/* The same over a stream the caller opened and closes (e.g. fmemopen). */
nz_decoder *nz_decoder_new(FILE *fp, const char *encoding);
size_t nz_decoder_read(void *ctx, char *buf, size_t n, const char **errmsg);
void nz_decoder_close(nz_decoder *d);

/* ---- io.c ---- */
/* Flush and close stdout (and check stdin); returns NZ_EXIT_DATA with a
 * message on a write error (e.g. /dev/full), else NZ_EXIT_OK. */
int nz_close_stdout(void);
/* Registered by nz_setprog: a program that ends without nz_close_stdout
 * (--help, --version) still fails, exit 1, when stdout could not be written. */
void nz_stdout_atexit(void);
/* The whole of a file, NUL-terminated (*len excludes the NUL, the file
 * may hold others); NULL with errno if it cannot be opened; exits 1 on a
 * read error. */
char *nz_slurp(const char *path, size_t *len);
/* A temporary file, deleted already (gone when closed or at exit), in
 * $TMPDIR when set, else /tmp; NULL with errno when none can be made. */
FILE *nz_tmpfile(void);
/* Where nz_tmpfile makes them, for messages. */
const char *nz_tmpdir(void);
/* 1 if both paths name the same existing file or folder. */
int nz_same_file(const char *a, const char *b);
/* Open FILE for writing ("-" = stdout); exits 1 naming it on failure. */
FILE *nz_fopen_out(const char *path);
/* Close a file opened by nz_fopen_out; exits 1 naming it on error. */
void nz_fclose_out(FILE *f, const char *path);
/* Output made whole in memory before any of it goes out, so that an
 * error met while making it leaves none: nz_memout_open gives m->f, a
 * stream into memory (open_memstream); nz_memout_write closes it and
 * writes its bytes to TO (a failed write shows when TO is closed).
 * Exits 1 when memory runs out. */
typedef struct nz_memout {
	FILE *f;
	char *s;
	size_t len;
} nz_memout;
void nz_memout_open(nz_memout *m);
void nz_memout_write(nz_memout *m, FILE *to);
/* A side-output option's FILE: "-" is a usage error, since standard
 * output carries the program's main output. */
const char *nz_side_path(const char *opt, const char *path);
/* For a filter that streams rows: a large stdout buffer, and when stdout
 * or stdin is a pipe, a large pipe, so the stages of a chain exchange
 * big blocks and run side by side instead of taking turns every 4 KiB.
 * Call before any output; does nothing to a terminal. */
void nz_stream_setup(void);
/* Progress on stderr only when it is a terminal. */
int nz_progress_wanted(void);
/* A streaming stage's row loop calls nz_progress after each row it reads,
 * with ROWS read so far: every NZ_PROGRESS_EVERY rows it stops the program
 * on a failed write to OUT (standard output, or NULL for none: a full
 * disk) rather than at the end, and shows the count on stderr when PROGRESS is set.
 * nz_progress_end clears that line after the loop. */
#define NZ_PROGRESS_EVERY 65536
void nz_progress_step(FILE *out, long rows, int progress);
void nz_progress_end(long rows, int progress);
static inline void
nz_progress(FILE *out, long rows, int progress)
{
	if (rows % NZ_PROGRESS_EVERY == 0)
		nz_progress_step(out, rows, progress);
}

/* ---- period.c: calendar quarters ---- */
/* A quarter YYYYQn as one number, its index: year * 4 + n - 1. */
#define NZ_PERIOD_LEN 6
#define NZ_PERIOD_BUF 16   /* room for any index, for snprintf */
long nz_period_index(int year, int quarter);
/* "2026Q3" (year 1 to 9999, quarter 1 to 4): 0, else -1 */
int nz_period_parse(const char *s, int *year, int *quarter);
int nz_period_parse_index(const char *s, long *index);
void nz_period_name(long index, char out[NZ_PERIOD_BUF]);
long nz_period_of_date(int year, int month);
/* its first and last days, as days since 1970-01-01 */
long nz_period_first_day(long index);
long nz_period_last_day(long index);
/* Command-line quarter: exits 2 naming the option when malformed. */
long nz_period_opt(const char *opt, const char *s);
/* {"first": "YYYYQn", "last": "YYYYQn"}, or null when first > last */
json_t *nz_period_run(long first, long last);

/* ---- hash.c: the one hash function and hash table ---- */
/* FNV-1a 64-bit hash of s[0..len). */
uint64_t nz_hash_bytes(const char *s, size_t len);
/* A set of byte strings, each with a dense index in order of addition
 * (the index of the first add; keys are copied and NUL-terminated). */
typedef struct nz_strset nz_strset;
nz_strset *nz_strset_new(void);
long nz_strset_find(const nz_strset *s, const char *key);   /* -1: absent */
long nz_strset_findn(const nz_strset *s, const char *key, size_t len);
size_t nz_strset_add(nz_strset *s, const char *key, int *added);
size_t nz_strset_addn(nz_strset *s, const char *key, size_t len,
	int *added);
size_t nz_strset_count(const nz_strset *s);
const char *nz_strset_key(const nz_strset *s, size_t i);
size_t nz_strset_len(const nz_strset *s, size_t i);
void nz_strset_free(nz_strset *s);

/* A multiset of 64-bit fingerprints (e.g. of rows), each with a tag given
 * when first added: 16 bytes a distinct fingerprint. */
typedef struct nz_bag nz_bag;
nz_bag *nz_bag_new(void);
void nz_bag_add(nz_bag *b, uint64_t key, uint32_t tag);
/* 1 and one fewer of key if the bag holds it, else 0 */
int nz_bag_take(nz_bag *b, uint64_t key);
/* fn(tag, count) for every fingerprint left, in no particular order */
void nz_bag_left(const nz_bag *b, void (*fn)(uint32_t tag, uint32_t count,
	void *ctx), void *ctx);
void nz_bag_free(nz_bag *b);

/* ---- schema.c: the cell layout and the contracts' columns ---- */
/* The dimensions of a cell (DESIGN §3, §4), in column order.  NZ_NDIMS is
 * the length of nz_dims (schema.c checks it at compile time). */
#define NZ_NDIMS 15
typedef struct nz_dim {
	const char *name;    /* its column: "region" */
	int multi;           /* total response: a client counts once in each
	                      * value it has (else its modal value) */
	const char *codes;   /* its code list, pipelines/codes/NAME.json;
	                      * NULL for age_band (the age bands) */
	int event_col;       /* its place among the categorical columns of
	                      * the event files, -1 when it is none */
	int per_client;      /* one value per client and quarter, carried by
	                      * every event of the client in the quarter (the
	                      * flow measures): a cell coded in it holds all
	                      * the quarter's events of its clients and no
	                      * other client's */
} nz_dim;
extern const nz_dim nz_dims[NZ_NDIMS];
enum nz_measure { NZ_CLIENTS, NZ_HOUSEHOLDS, NZ_EVENTS, NZ_UNITS,
	NZ_NMEASURES };
extern const char *const nz_measure_names[NZ_NMEASURES];
int nz_dim_index(const char *name);       /* -1 if not a dimension */
int nz_measure_index(const char *name);   /* -1 if not a measure */
/* The categorical fields of the event files (canonical, mapped and
 * bucketed events): how many, the dimension of each, and the field a name
 * is (-1 if none).  At most NZ_NDIMS. */
#define NZ_MAX_FIELDS NZ_NDIMS
int nz_nfields(void);
int nz_field_dim(int field);
const char *nz_field_name(int field);
int nz_field_index(const char *name);
/* "(PERIOD, AGENCY, dim=code, ...)", leaving out the "*" dimensions;
 * "(dim=code, ...)" with no period. */
void nz_cell_label(nz_buf *out, const char *period, const char *agency,
	const char *const dim[NZ_NDIMS]);
/* The contracts (DESIGN §3) and their columns, in order. */
enum nz_contract {
	NZ_COLS_CANONICAL,  /* canonical and mapped events */
	NZ_COLS_BUCKETED,   /* bucketed events */
	NZ_COLS_CELLS,      /* internal cells: measures and ckey */
	NZ_COLS_RELEASE,    /* release cells */
	NZ_COLS_CELL_KEY,   /* period, agency and dimensions: a cell's name */
	NZ_COLS_AUDIT,      /* audit report: a cell, measure, low, high, status */
	NZ_COLS_MERGED,     /* merged cells */
	NZ_COLS_CHANGES,    /* changes */
	NZ_COLS_WORKER,     /* the worker side file (internal only) */
	NZ_COLS_COVERAGE,   /* merge --coverage: who reported each quarter */
	NZ_COLS_UTILITY,    /* merge --utility: how merged figures show */
	NZ_COLS_RECEIVED,   /* national state: the quarters NZCCSS holds */
	NZ_COLS_ASSESSMENTS, /* keyed assessments (internal only) */
	NZ_COLS_OUTCOMES,   /* outcome bands per client and quarter (internal) */
	NZ_NCONTRACTS
};
const char *const *nz_cols(enum nz_contract which, size_t *n);
int nz_col_index(enum nz_contract which, const char *name);
/* For --help: LABEL then the columns, wrapped and indented under it. */
void nz_cols_usage(const char *label, enum nz_contract which);
/* For --help: the single-valued and the multi-valued dimensions. */
void nz_dims_usage(void);
/* Where the parts of a cell row are, in every cell contract. */
/* region, the geography (coverage, regional series), is the first
 * dimension */
#define NZ_DIM_REGION 0
#define NZ_COL_PERIOD 0
#define NZ_COL_AGENCY 1
#define NZ_COL_DIMS 2
#define NZ_COL_MEASURES (NZ_COL_DIMS + NZ_NDIMS)

/* ---- codes.c ---- */
/* A code list (pipelines/codes/FIELD.json) or the age bands. */
typedef struct nz_codes {
	char *field;       /* "region", ..., "age_band" */
	char *version;
	char *not_stated;  /* the not-stated/unknown code, one of code[];
	                    * NULL (index -1) in a list without one */
	int not_stated_index;
	int multi;         /* total response (ethnicity, income, need, service) */
	size_t n;          /* codes, in code-list (output) order */
	char **code;
	char **label;
	long *min, *max;   /* age bands only: years, max -1 = open; the
	                    * not-stated band (last) has neither (-1) */
	char *path;        /* the file it came from, for messages */
	nz_strset *index;  /* private: code[i] -> i */
} nz_codes;
/* DIR/FIELD.json, checked; exits 1 naming the file and key on error. */
nz_codes *nz_codes_load(const char *dir, const char *field);
/* The age bands file as a code list: the bands in order, then its
 * not_stated code last.  Bands start at 0 and follow on without gap or
 * overlap; only the last may be open. */
nz_codes *nz_bands_load(const char *path);
/* index of the code s[0..len), or -1 */
int nz_codes_find(const nz_codes *c, const char *s, size_t len);
void nz_codes_free(nz_codes *c);
/* A dimension as the pages show it (publish, agency-view): its code
 * list, or the age bands with the labels the bands file gives them; the
 * file's title; the codes it features ("highlight": true), a JSON array
 * of strings.  Kept to the end of the program. */
typedef struct nz_dim_shown {
	const char *name;
	char *title;
	nz_codes *codes;
	json_t *highlight;
} nz_dim_shown;
/* Dimension name from the code lists in dir, or (bands not NULL) the
 * age bands file bands; exits 1 on a bad file. */
void nz_dim_shown_load(nz_dim_shown *d, const char *name, const char *dir,
	const char *bands);
/* ---- flow.c: the flow spec (pipelines/flow-bands.json, issue 16) ---- */
enum { NZ_FLOW_VISITS, NZ_FLOW_NEEDS, NZ_FLOW_TENURE, NZ_FLOW_NKINDS };
typedef struct nz_flow {
	char *path, *version;
	long window_months;          /* a multiple of 3 */
	nz_codes *codes[NZ_FLOW_NKINDS];   /* visits_band, needs_band,
	                                    * tenure_band code lists */
	long *min[NZ_FLOW_NKINDS], *max[NZ_FLOW_NKINDS];  /* per code, -1 none
	                                    * (max -1: open) */
} nz_flow;
/* PATH checked against CODES_DIR's lists: bands without gap or overlap in
 * code-list order, every code but not_stated given one, the window and the
 * tenure band starts whole quarters; exits 1 naming file and line. Held
 * until nz_flow_free. */
nz_flow *nz_flow_load(const char *path, const char *codes_dir);
/* the code-list index of VALUE's band of KIND, -1 if none */
int nz_flow_band(const nz_flow *f, int kind, long value);
/* months the export must reach back before a quarter for tenure to be
 * known: the start of the open (last) tenure band */
long nz_flow_tenure_reach(const nz_flow *f);
/* A visits band code states its range: "N", "N-M" or "N+" (max -1).
 * 0 if CODE is one, -1 if not.  The SDC engine and suppress read a
 * one-visit cell (events = clients) from the code alone; nz_flow_load
 * refuses a visits band whose code says another range than its min and
 * max. */
int nz_flow_code_range(const char *code, long *min, long *max);
/* 1 if the cell's visits band (its dims, in nz_dims order) is one visit
 * exactly: every client there has one event, so events = clients. */
int nz_cell_one_visit(const char *const *dims);
void nz_flow_free(nz_flow *f);

/* ---- lookback.c: the quarters each client was seen in (issue 16) ---- */
typedef struct nz_lookback nz_lookback;
nz_lookback *nz_lookback_new(void);                  /* held until freed */
/* returns key's entry, for nz_lookback_before_entry once all are added */
size_t nz_lookback_add(nz_lookback *lb, const uint8_t key[16], long quarter);
/* which of the quarters q-1 ... q-n (n up to 64) were added for key, as
 * bits 0 ... n-1 of *bits, and its earliest quarter in *first: 0, or -1
 * (bits 0, *first untouched) if key was never added */
int nz_lookback_before(const nz_lookback *lb, const uint8_t key[16],
	long quarter, int n, uint64_t *bits, long *first);
/* the same, key's entry given (as nz_lookback_add returned it): no
 * lookup; exits if the entry is not key's */
int nz_lookback_before_entry(const nz_lookback *lb, size_t entry,
	const uint8_t key[16], long quarter, int n, uint64_t *bits,
	long *first);
void nz_lookback_prefetch_entry(const nz_lookback *lb, size_t entry);
/* a hint that key will be looked up soon: fetch its slot (entry 0), or,
 * a little later, the entry that slot points to (entry 1) */
void nz_lookback_prefetch(const nz_lookback *lb, const uint8_t key[16],
	int entry);
size_t nz_lookback_clients(const nz_lookback *lb);   /* distinct keys */
void nz_lookback_free(nz_lookback *lb);

/* Path of REL (e.g. "codes", "age-bands.json") in the pipelines directory,
 * malloc'd: $NZ_PIPELINES/REL if set, else the pipelines/ directory of the
 * repository the running binary was built in (bin/NAME, bin/san/NAME),
 * else the installed data beside an installed binary (PREFIX/bin/NAME:
 * PREFIX/share/nzccss/REL), else NZ_DATADIR/REL (the data directory of
 * make install), else pipelines/REL relative to the working directory. */
char *nz_pipelines_path(const char *rel);

/* ---- profile.c: the agency profile (FORMATS.md) ---- */
/* The fields a profile's "columns" can map, canonical ones first. */
enum nz_pfield {
	NZ_PF_CLIENT_ID, NZ_PF_HOUSEHOLD_ID, NZ_PF_EVENT_DATE,
	NZ_PF_BIRTH_DATE, NZ_PF_AGE, NZ_PF_GENDER, NZ_PF_ETHNICITY,
	NZ_PF_REGION, NZ_PF_HOUSEHOLD, NZ_PF_INCOME, NZ_PF_HOUSING,
	NZ_PF_NEED, NZ_PF_SERVICE, NZ_PF_UNITS,
	NZ_PF_WORKER,    /* the agency's own view only: never canonical */
	NZ_PF_REFERRAL,  /* for the flow measures (issue 16) */
	NZ_PF_COUNT
};
extern const struct nz_pfield_info {
	const char *name;
	int multi;   /* several values: columns, a separator, indicators */
} nz_pfields[NZ_PF_COUNT];
enum nz_source_kind {
	NZ_SOURCE_COLUMNS,     /* one column, or several each a value */
	NZ_SOURCE_SPLIT,       /* columns split on a separator */
	NZ_SOURCE_INDICATORS,  /* yes/no columns, each standing for a value */
	NZ_SOURCE_FIRST_OF,    /* the first non-empty of the columns */
};
typedef struct nz_source {
	int kind;              /* enum nz_source_kind */
	size_t ncols;          /* 0: the field is not mapped */
	const char **col_name; /* header names, from the profile */
	size_t *col_index;     /* their positions: set by the reader */
	const char *separator; /* NZ_SOURCE_SPLIT */
	const char **value;    /* NZ_SOURCE_INDICATORS: per column */
	const char **yes;      /* NZ_SOURCE_INDICATORS: what counts as yes */
	size_t nyes;
} nz_source;
typedef struct nz_profile {
	json_t *root;          /* the strings below point into it */
	const char *path;
	const char *agency;
	int format;            /* enum nz_format */
	const char *sheet_name;
	long sheet_index;      /* 0: by name, or the first sheet */
	const char *encoding;
	char delim;
	long skip_rows;
	const char *trailer_prefix;   /* NULL: none */
	size_t ndate_formats;
	const char **date_formats;
	char **swapped_formats;  /* each with %d and %m exchanged, or NULL */
	const char *data_from;   /* YYYY-MM-DD or NULL */
	long export_date_line;   /* 0: none */
	const char *export_date_format;
	int fold_case[NZ_PF_COUNT];   /* ids folded to lower case */
	const char **units_missing;   /* units values read as not recorded */
	size_t nunits_missing;
	const char **regions;    /* the coverage; NULL: every region */
	size_t nregions;
	nz_source field[NZ_PF_COUNT];
} nz_profile;
enum { NZ_PROFILE_COLUMNS = 1 };  /* "columns" required (normalise) */
/* Load and check a profile; exits 1 naming file, line and key on any
 * error.  Held (nz_hold) until nz_profile_free. */
nz_profile *nz_profile_load(const char *path, unsigned flags);
void nz_profile_free(nz_profile *p);
/* 1 if fmt is a date format of date_formats (or "excel", "excel-1904") */
int nz_date_format_valid(const char *fmt);
/* The coverage as one flag per code of the region list (malloc'd): the
 * codes in want, or every code when want is NULL; a code not in the list
 * exits 1, "FROM: region '77' is not a code in PATH". */
char *nz_coverage(const char *const *want, size_t nwant,
	const nz_codes *region, const char *from);
/* The profile's "regions" as nz_coverage flags. */
char *nz_profile_coverage(const nz_profile *p, const nz_codes *region);

/* ---- assess.c: the profile's "assessments" (issue 23, FORMATS.md) ---- */
enum nz_assess_col { NZ_AC_CLIENT_ID, NZ_AC_DATE, NZ_AC_DOMAIN, NZ_AC_SCORE,
	NZ_AC_COUNT };
extern const char *const nz_assess_col_names[NZ_AC_COUNT];
typedef struct nz_assess {
	char *file;              /* resolved against the profile's folder */
	nz_rows_opts opts;       /* how to read it: the export's by default */
	const char **date_formats;
	size_t ndate_formats;
	const char **own_formats; /* private */
	const char *col[NZ_AC_COUNT];
	long min, max;           /* the scale, inclusive */
} nz_assess;
/* The profile's "assessments", checked (exits 1 naming file and line);
 * NULL when the profile has none.  Held until nz_assess_free. */
nz_assess *nz_assess_load(const nz_profile *p);
void nz_assess_free(nz_assess *a);
/* The outcome bands, in the order of each domain's codes in outcome.json */
enum { NZ_BAND_IMPROVED, NZ_BAND_SAME, NZ_BAND_WORSE, NZ_BAND_UNPAIRED,
	NZ_BAND_NOT_ASSESSED, NZ_NBANDS };
extern const char *const nz_outcome_bands[NZ_NBANDS];
/* The codes of DIR/outcome-domain.json, in order, after checking that
 * DIR/outcome.json is every domain:band in that order; exits 1 if not. */
char **nz_outcome_domains(const char *codes_dir, size_t *n);
void nz_outcome_domains_free(char **dom, size_t n);

/* ---- reference.c: reference tables (pipelines/reference/NAME.json) ---- */
/* Names from a national classification or concordance (Stats NZ ethnic
 * groups at every level, territorial authorities, towns), each to a code
 * of one field's national list. */
typedef struct nz_reftable {
	json_t *root;          /* the strings below point into it */
	char *path;
	const char *name, *version;
	size_t n, cap;
	const char **value;    /* every name, as written */
	int *code;             /* its code's index in the field's list */
} nz_reftable;
/* DIR/NAME.json, checked against the field's code list; exits 1 naming
 * file and line on an error.  other_field_ok: NULL (no error) when the
 * table is for another field. */
nz_reftable *nz_reftable_load(const char *dir, const char *name,
	const nz_codes *codes, int other_field_ok);
void nz_reftable_free(nz_reftable *t);
/* The names of the tables in dir, sorted (free each and the array);
 * NULL and *n 0 when there is no such folder. */
char **nz_reftable_names(const char *dir, size_t *n);

/* ---- rules.c ---- */
/* Disclosure rules (pipelines/rules/NAME.json, or a manifest's "rules"). */
enum nz_rule_kind { NZ_RULE_UNRULED, NZ_RULE_PERSON, NZ_RULE_SUM };
/* Cell-key perturbation (pipelines/rules/cellkey.json, "perturbation"):
 * a table of weights, in thousandths, of each perturbation -max..+max,
 * one row per true value from first (0, or 1 when zeros are kept), the
 * last row serving every larger value. */
#define NZ_PERTURB_MAX 5
#define NZ_PERTURB_ROWS 8
#define NZ_PERTURB_SCALE 1000
typedef struct nz_perturb {
	long max;                  /* 0: the rules perturb nothing */
	int zero_kept;             /* a true 0 is always published as 0 */
	int first, rows;
	int weight[NZ_PERTURB_ROWS][2 * NZ_PERTURB_MAX + 1];
} nz_perturb;
typedef struct nz_rules {
	char name[64];
	long threshold, base, sum_min_clients;
	int suppress_zero;
	enum nz_rule_kind kind[NZ_NMEASURES];
	nz_perturb perturb;
} nz_rules;
/* Load pipelines/rules/NAME.json: every key is required and every measure
 * must be in person_measures or sum_measures (an unlisted one would be
 * published raw); exits 1 naming file, line and key on error. */
void nz_rules_load(const char *path, nz_rules *rules);
/* The same from a JSON object read from path (a manifest's "rules"). */
void nz_rules_parse(const char *path, json_t *obj, nz_rules *rules);
/* Counts and rules numbers above this are not real (rules files, the
 * SDC engine's linear programs). */
#define NZ_RULES_MAX 1000000000L
/* What a release's figure can stand for under the rules: the one place
 * that says it (CONTRACTS; DESIGN §5).  The true values lo..hi, hi
 * NZ_RANGE_INF when nothing bounds it:
 *  - published person count p: max(threshold, p-(base-1)) .. p+(base-1),
 *    and 0 too when zeros are published (suppress_zero false) and
 *    p <= base-1 (rounding never moves a 0);
 *  - published sum p: max(0, p-(base-1)) .. p+(base-1);
 *  - primary S of a person measure: 1 .. threshold-1 when the rules
 *    publish zeros, else 0 .. threshold-1;
 *  - S of a sum measure: 0 .. NZ_RANGE_INF (suppressed for its client
 *    count, not its size; the relations may bound it);
 *  - a measure in neither list: p exactly; S 0 .. NZ_RANGE_INF.
 * A secondary S may hide anything, 0 .. NZ_RANGE_INF: the caller's
 * business, not the rules'.  Returns NZ_RANGE_OK, or why no value fits:
 * NZ_RANGE_NEGATIVE, NZ_RANGE_NOT_MULTIPLE (of the base),
 * NZ_RANGE_EMPTY (p under the threshold after rounding), NZ_RANGE_NO_S
 * (an S where the rules suppress nothing). */
#define NZ_RANGE_INF INT64_MAX
enum nz_range_status { NZ_RANGE_OK, NZ_RANGE_NEGATIVE, NZ_RANGE_NOT_MULTIPLE,
	NZ_RANGE_EMPTY, NZ_RANGE_NO_S };
int nz_rules_published_range(const nz_rules *rules, int measure, int64_t p,
	int64_t *lo, int64_t *hi);
int nz_rules_suppressed_range(const nz_rules *rules, int measure,
	int64_t *lo, int64_t *hi);
/* A message for a status other than NZ_RANGE_OK about the figure p (S for
 * NZ_RANGE_NO_S), naming the rules: static, overwritten by the next
 * call. */
const char *nz_rules_range_error(const nz_rules *rules, int status,
	int64_t p);
/* Cell-key perturbation: the published value of a true value, from the
 * draw (uniform in 0..2^64-1, a fixed function of the cell key, measure
 * and value: suppress.c): the table row's weights laid end to end from
 * -max, the perturbation whose span holds draw*1000/2^64.  Only for
 * rules with a perturbation. */
/* perturb.c: read "perturbation" of a rules file (none: max 0), after
 * the rest; the weight (thousandths) of moving true value v by d. */
void nz_perturb_parse(const char *path, json_t *root, nz_rules *rules);
int nz_perturb_weight(const nz_perturb *p, uint64_t v, long d);
uint64_t nz_rules_perturbed(const nz_rules *rules, uint64_t value,
	uint64_t draw);
/* The variance of one published value's error, for statistical
 * intervals: the rounding's (base^2-1)/6 averaged over residues, or the
 * largest of the perturbation table's rows. */
double nz_rules_variance(const nz_rules *rules);
/* What a reader of a release under the rules can and cannot learn, in
 * words, with the release's count of figures and of S (audit
 * --statement). */
void nz_rules_statement(FILE *f, const nz_rules *rules, long figures,
	long s);
/* ---- events.c ---- */
/* Policy events (pipelines/policy-events.csv: date,title,url), sorted by
 * date, then title, then url, whatever the file's order.  A bad date, an
 * empty title or an event listed twice exits 1 with file and line. */
typedef struct nz_event {
	char *date, *title, *url;  /* date as YYYY-MM-DD */
	int year, month;
	long day;                  /* nz_days_from_civil */
	long line;
} nz_event;
nz_event *nz_events_load(const char *path, size_t *count);
void nz_events_free(nz_event *events, size_t count);
/* ---- series.c: the national series files, each value checked ---- */
/* A file of merge's cells or diff-quarters' changes being read: its
 * contract's columns, what each holds, and a row's values. */
struct nz_series_col;
typedef struct nz_series_file {
	const char *name;
	const char *const *cols;
	size_t ncols;
	const struct nz_series_col **spec;  /* per column */
	int64_t *num;                 /* per column (2 more): a row's values */
} nz_series_file;
/* Quarter s as year * 4 + quarter - 1; exits 1 naming file and line. */
int nz_series_period(const char *file, long line, const char *s);
/* csv's header as the schema gives contract: f's cols and spec (which
 * the caller frees). */
void nz_series_header(nz_csv *csv, nz_series_file *f,
	enum nz_contract contract);
/* Field j of a row as JSON, checked (exits 1 naming file and line), with
 * *num its value where it has one (INT64_MIN: empty); NULL for a
 * dimension (the caller reads those) and the agency. */
json_t *nz_series_field(const nz_series_file *f, long line, size_t j,
	const char *s, int64_t *num);
/* A row's values together: each estimate within its bounds, and a
 * number shown only where it cannot hide a value under NZ_SHOWN_MIN. */
void nz_series_check(const nz_series_file *f, long line, const int64_t *num);

/* ---- narrative.c ---- */
/* Every DIR/NAME.md (CommonMark, raw HTML left out) as NAME: its HTML
 * ("" when empty, with a warning); exits 1 if the folder or a file
 * cannot be read or is not UTF-8. */
json_t *nz_narrative_json(const char *dir);

/* ---- release.c: agency releases as NZCCSS receives them ---- */
/* Estimate and bounds on a true value; high NZ_UNBOUNDED: no upper bound. */
#define NZ_UNBOUNDED INT64_MAX
typedef struct nz_bounds {
	int64_t est, low, high;
} nz_bounds;
void nz_bounds_add(nz_bounds *acc, const nz_bounds *b);
/* ",est,low,high" (high empty when unbounded) */
void nz_bounds_write(FILE *f, const nz_bounds *b);
/* How a reader sees a national figure: a number, a range, or S ("fewer
 * than 6").  S when the count it rests on is at most NZ_SHOWN_MIN - 1 for
 * certain (count_high); a number when that count is at least NZ_SHOWN_MIN
 * for certain and the figure's range low..high is at most max_share
 * percent of its estimate; otherwise a range.  For a count, the figure is
 * the count itself (nz_bounds_shown); for a share, count_low..count_high
 * are its numerator's bounds.  NZ_UNBOUNDED: no upper bound. */
#define NZ_SHOWN_MIN 6
#define NZ_MAX_RANGE_SHARE 20.0  /* percent: the default max_share */
enum nz_shown { NZ_SHOWN_NUMBER, NZ_SHOWN_RANGE, NZ_SHOWN_S };
extern const char *const nz_shown_names[3];
enum nz_shown nz_shown(int64_t count_low, int64_t count_high, double low,
	double high, double est, double max_share);
enum nz_shown nz_bounds_shown(const nz_bounds *b, double max_share);
/* An agency code: 2 to 16 of a-z, 0-9 and '-'. */
int nz_agency_valid(const char *s);
typedef struct nz_rcell {
	const char *period;        /* the key in the release's period_set */
	const char *dims;          /* region..service joined by ',' */
	nz_bounds m[NZ_NMEASURES];
	long value[NZ_NMEASURES];  /* as published; -1 for S */
	unsigned suppressed;       /* bit per measure */
	long line;
} nz_rcell;
typedef struct nz_release {
	char *manifest_path, *path, *agency;
	char *dir;                 /* the manifest's folder, "" or ending '/' */
	json_t *manifest;
	nz_rules rules;
	int secondary;             /* 1 some, 0 none, -1 unknown */
	nz_strset *regions;        /* coverage; NULL: every region */
	const char **periods;      /* sorted */
	size_t nperiods;
	nz_rcell *cells;           /* file order */
	size_t ncells;
	size_t *period_cells;      /* cell indexes by period (periods' order),
	                            * file order within */
	size_t *period_start;      /* period p's: period_cells[period_start[p]]
	                            * up to period_cells[period_start[p + 1]] */
	nz_strset *period_set, *index;
	char (*digest)[65];        /* per period (periods' order): sha256 of
	                            * its rows, sorted (nz_release_digest) */
	char fingerprint[33];      /* the manifest's key_fingerprint */
	unsigned dims_released;    /* bit per dimension with a cell not '*':
	                            * an agency without assessments releases
	                            * no outcome (issue 23) */
} nz_release;
/* How NZCCSS takes releases in (merge, diff-quarters). */
typedef struct nz_intake {
	int allow_demo_keys;       /* the sample build: demo keys accepted */
} nz_intake;
/* Load a release: ARG is a folder holding manifest.json or the manifest;
 * the CSV is the manifest's release.file.  Checks the release against
 * its manifest; the bounds are the rules' alone (nz_release_tighten not
 * yet applied).  Exits 1 on any error. */
nz_release *nz_release_load(const char *arg);
void nz_release_free(nz_release *r);
/* Cut each bound to its margins' and set the estimates (release.c). */
void nz_release_tighten(nz_release *r);
/* Load each of args[0..n) as NZCCSS takes a release in: its key checked
 * (nz_release_check_key), every S cut to the interval the release
 * proves (nz_release_intervals), tightened, digested; then checked
 * together (nz_releases_check). */
nz_release **nz_releases_load(char *const *args, size_t n,
	const nz_intake *in);
void nz_releases_free(nz_release **rs, size_t n);
int nz_release_has_period(const nz_release *r, const char *period);
/* How many cells the release has of period, and in *cells their indexes
 * in r->cells, in file order. */
size_t nz_release_period_cells(const nz_release *r, const char *period,
	const size_t **cells);
/* 1 if the release's coverage includes region (every release covers "*") */
int nz_release_covers(const nz_release *r, const char *region, size_t len);
/* *key = "period,dims" of a row of a release or of its intervals: the
 * key of the cell in r->index. */
void nz_release_row_key(nz_buf *key, const nz_row *row);
/* Exit 1: the release lacks the cell period,dims, which the release
 * labelled seen_in has (another table spec or other code lists). */
_Noreturn void nz_release_missing(const nz_release *r, const char *period,
	const char *dims, const char *seen_in);
/* Every period of the releases, added to set and listed sorted in *out
 * (malloc'd; the strings belong to set); returns how many. */
size_t nz_releases_periods(nz_release *const *rs, size_t n, nz_strset *set,
	const char ***out);
/* Sort by agency; exit 1 on two releases of one agency and period. */
void nz_releases_check(nz_release **rs, size_t n);
/* Exit 1 unless releases summed or compared together have the same
 * code-list and age-band versions (where their manifests give them). */
void nz_releases_compatible(nz_release *const *rs, size_t n);

/* ---- intervals.c: what each S of a release is proven to hide ---- */
/* Read DIR/intervals.csv (the audit report of the release in public mode,
 * CONTRACTS.md) and cut every S's bounds to its interval.  Exits 1 when
 * the file is missing (saying how to make it), does not match the
 * release's S cells one for one, or holds an interval that is exposed
 * (fewer than 3 values) or inconsistent, naming the cell. */
void nz_release_intervals(nz_release *r);

/* ---- intake.c: keys and the national state ---- */
/* The manifest's key_fingerprint: exits 1 when it is missing (fail
 * closed), malformed, or a public demo key's (pipelines/demo-keys.csv)
 * unless allow_demo_keys, and then only for its own sample agency. */
void nz_release_check_key(nz_release *r, int allow_demo_keys);
/* r->digest: per period, the sha256 of that period's rows as the CSV
 * writes them, sorted bytewise: the same figures, the same digest. */
void nz_release_digest(nz_release *r);
/* The national state folder (NATIONAL_STATE): DIR/received.csv lists
 * every agency and quarter NZCCSS has received, with its key fingerprint
 * and digest.  nz_national_take_in locks DIR (waiting while another program
 * holds it), exits 1 on a release of a quarter held there with another
 * digest (a released quarter is final), adds the quarters not yet held,
 * rewriting the list atomically, and unlocks.  Call it once every other
 * check has passed and before writing any output. */
void nz_national_take_in(const char *dir, nz_release *const *rs, size_t n);

/* ---- cellorder.c: the cells of many releases in one order ---- */
/* Every output's row order (schema order, the order aggregate writes):
 * dimension by dimension, left to right, '*' first, then the codes in
 * code-list order (a code the list lacks after them, bytewise), whatever
 * the order of the releases' rows. */
typedef struct nz_schema_order nz_schema_order;
/* The code lists in codes_dir and the age bands at bands_path. */
nz_schema_order *nz_schema_order_load(const char *codes_dir,
	const char *bands_path);
void nz_schema_order_free(nz_schema_order *so);
/* The cells of many releases of a period, in schema order, and each
 * release's part in each; label names the release in messages and must
 * outlive the order. */
typedef struct nz_cellorder nz_cellorder;
nz_cellorder *nz_cellorder_new(const nz_schema_order *so);
void nz_cellorder_add(nz_cellorder *o, const nz_release *r,
	const char *period, const char *label);
/* n cells: dims[i] is the i-th in schema order */
size_t nz_cellorder_list(nz_cellorder *o, const char ***dims);
/* What the k-th release added (0 the first) has in the i-th cell listed
 * (by the last nz_cellorder_list, after every add): its own cell, set in
 * *cell; an exact 0, for a region outside its coverage; or no part at
 * all, for a cell with a code in a dimension the release holds no cell
 * of, e.g. outcome for an agency without assessments: the agency is not
 * in that cell's panel (neither a zero nor missing).  Exits 1 if the cell
 * is missing (nz_release_missing, naming the first release added that
 * has it). */
enum nz_part { NZ_PART_CELL, NZ_PART_OUTSIDE, NZ_PART_NONE };
enum nz_part nz_cellorder_part(const nz_cellorder *o, size_t i, size_t k,
	const nz_rcell **cell);
void nz_cellorder_free(nz_cellorder *o);

/* ---- state.c: an agency's state folder (layout at the top of state.c) ---- */
/* A generation's files: the release, its manifest, its secondary cells. */
enum { NZ_STATE_RELEASE, NZ_STATE_MANIFEST, NZ_STATE_SECONDARY,
	NZ_STATE_FILES };
extern const char *const nz_state_files[NZ_STATE_FILES];
typedef struct nz_state_gen {
	long generation, base;     /* base: the generation it carried forward */
	long first, last;          /* the quarters it released new */
	long rows[NZ_STATE_FILES];       /* data rows (the manifest: 0) */
	char sha256[NZ_STATE_FILES][65];
} nz_state_gen;
typedef struct nz_state_events {
	long rows;
	char sha256[65];
} nz_state_events;
typedef struct nz_state {
	char *dir, *path;          /* the folder; its state.json */
	json_t *root;              /* state.json; NULL: nothing released yet */
	const char *agency;        /* in root */
	json_t *made_with;         /* in root: key, rules, versions, coverage */
	long first, last;          /* the released quarters; -1 none */
	nz_state_events *events;   /* per released quarter, first to last */
	nz_state_gen *gen;         /* generation i + 1 at gen[i] */
	size_t ngen;
} nz_state;
/* Read DIR/state.json, checked (not the files' sha256: nz_state_check);
 * a folder without one, or none at all, has released nothing.  Held. */
nz_state *nz_state_open(const char *dir);
void nz_state_free(nz_state *s);
/* The frozen events of a released quarter; NULL if not released. */
const nz_state_events *nz_state_quarter(const nz_state *s, long quarter);
/* Exit 1 unless the file's sha256 is the one recorded (WHAT names it). */
void nz_state_check(const char *path, const char *sha256, const char *what);
/* Paths in the folder, malloc'd: DIR/printf(FMT), generation N's file
 * releases/NNNN/NAME, a quarter's events/YYYYQn.csv. */
char *nz_state_file(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *nz_state_release_file(const char *dir, long generation,
	const char *name);
char *nz_state_events_file(const char *dir, long quarter);
/* Writing: make the folder (mode 0700), hold its lock to exit, sync a
 * path to disk, and replace state.json atomically (the commit point). */
void nz_state_mkdirs(const char *dir);
void nz_state_lock(const char *dir);
void nz_state_sync(const char *path);
void nz_state_write(const char *dir, json_t *root);
/* Exit 1 unless generation N's files are those state.json recorded. */
void nz_state_check_generation(const nz_state *s, long generation);
/* Keep generation N's files (from[f] copied to releases/NNNN/, written in
 * a temporary folder renamed into place); their rows and sha256 as the
 * generation's entries of state.json. */
json_t *nz_state_keep_release(const char *dir, long generation,
	const char *const from[NZ_STATE_FILES]);
/* Freeze the bucketed events of agency in FROM as events/YYYYQn.csv, one
 * file for each quarter first..last (empty ones too); their rows and
 * sha256 into events ({"YYYYQn": {"rows", "sha256"}}). */
void nz_state_keep_events(const char *dir, const char *from,
	const char *agency, long first, long last, json_t *events);
/* The state as a build read it (its release GENERATION), or one release
 * on that a build from the same base kept since (*kept set); else exit 1:
 * the state changed under the build. */
nz_state *nz_state_open_at(const char *dir, long generation, int *kept);
/* What a build releases, for the state to keep. */
typedef struct nz_state_keep {
	const char *dir;           /* the state folder */
	long generation;           /* its release when the build read it */
	const char *agency;
	long first, last;          /* the new quarters; first > last: none */
	json_t *made_with;         /* nz_made_with */
	const char *events;        /* the new quarters' bucketed events */
	const char *release, *manifest, *secondary;   /* the build's files */
} nz_state_keep;
/* Keep the release as the next generation (locked; state.json renamed
 * into place last): 1.  Already kept by the same build, or nothing new
 * and the release the last kept: 0.  Exit 1 when the release does not
 * carry the last one's rows first, byte for byte, or its manifest does
 * not name it, or another build kept another release meanwhile. */
int nz_state_commit(const nz_state_keep *k);

/* ---- made.c: what a release is made with (state.json "made_with") ---- */
typedef struct nz_made_paths {
	const char *key_stats;     /* normalise's --stats: key_fingerprint */
	const char *profile;       /* agency code, regions */
	const char *rules, *codes, *bands, *tables;
	const char *flow;          /* the flow spec (flow-bands.json) */
} nz_made_paths;
/* The key's fingerprint, the regions served (and 99), the rules file's
 * name, version and sha256, and each code list's, the age bands', the
 * flow spec's and the table spec's version and shape, as JSON; *agency the profile's code.
 * Exits 1 on a public demo key of another agency than its own. */
json_t *nz_made_with(const nz_made_paths *paths,
	char agency[NZ_AGENCY_MAX + 1]);
/* Exit 1 naming every difference when the state's quarters were released
 * by another agency, under another key or other settings. */
void nz_made_with_check(const nz_state *s, json_t *now, const char *agency);

/* ---- statsum.c: a statistical interval for a merged sum ---- */
/* Random rounding is unbiased: a sum of n values rounded to base 3 has a
 * standard deviation of about 1.15*sqrt(n).  The published values of a
 * sum give its centre and spread; its S parts keep their hard bounds. */
typedef struct nz_statsum {
	int64_t rounded;             /* the published values, summed */
	double variance;             /* their rounding's variance */
	int64_t rest_low, rest_high; /* the S parts' bounds */
} nz_statsum;
/* Add measure m of an agency's cell (NULL: a structural zero). */
void nz_statsum_add(nz_statsum *s, const nz_release *r, const nz_rcell *c,
	int m);
/* The 95% interval, whole numbers, within hard and holding hard->est. */
void nz_statsum_interval(const nz_statsum *s, const nz_bounds *hard,
	int64_t *low, int64_t *high);

/* ---- utility.c: how the merged figures show (merge --utility) ---- */
typedef struct nz_utility nz_utility;
/* max_share: as for nz_bounds_shown */
nz_utility *nz_utility_new(double max_share);
/* One merged cell's measure m, in period (periods in order, each once
 * in a run of calls); national: region '*'. */
void nz_utility_add(nz_utility *u, const char *period, int m, int national,
	const nz_bounds *hard, int64_t stat_low, int64_t stat_high);
/* The NZ_COLS_UTILITY table. */
void nz_utility_write(nz_utility *u, FILE *f);
void nz_utility_free(nz_utility *u);

/* ---- coverage.c: who reported each quarter (merge --coverage) ---- */
/* Which panel makes a quarter complete: every agency that reported the
 * quarter before, or every agency that has joined by then. */
enum nz_complete { NZ_COMPLETE_PREVIOUS, NZ_COMPLETE_EXPECTED };
/* The NZ_COLS_COVERAGE table of releases rs (sorted by agency). */
void nz_coverage_write(FILE *f, nz_release *const *rs, size_t n,
	enum nz_complete rule);


/* ---- parallel.c: independent tasks in worker processes ---- */
/* run(i, arg, result) does task i and appends what the parent needs of
 * it to result; take(i, arg, result, len) applies that in the parent, in
 * task order.  run may run in a forked worker (its own copy of memory,
 * standard output discarded, messages held back and written before the
 * take) or in the parent, so the parent's state must change in take
 * alone.  Everything written and said is as from running the tasks one
 * by one; a task that stops the program stops it after every task before
 * it was taken, with the same message and exit code. */
#define NZ_MAX_JOBS 64
typedef void (*nz_task_run)(size_t i, void *arg, nz_buf *result);
typedef void (*nz_task_take)(size_t i, void *arg, const char *result,
	size_t len);
void nz_parallel(size_t n, int jobs, nz_task_run run, nz_task_take take,
	void *arg);
/* The same, task by task as their data arrives: nz_tasks_add says that
 * task n (0, 1, ...) can run now (it may be forked at once, so its data
 * must be in memory and stay as it is), without waiting; nz_tasks_finish
 * runs what is left and takes every task in order; nz_tasks_abandon
 * stops the workers and takes nothing.  Both free t. */
typedef struct nz_tasks nz_tasks;
nz_tasks *nz_tasks_new(int jobs, nz_task_run run, nz_task_take take,
	void *arg);
void nz_tasks_add(nz_tasks *t);
void nz_tasks_finish(nz_tasks *t);
void nz_tasks_abandon(nz_tasks *t);
/* The processors online, 1 to NZ_MAX_JOBS: the default for --jobs. */
int nz_jobs_default(void);
/* --jobs N: 1 to NZ_MAX_JOBS, or a usage error. */
int nz_jobs_arg(const char *arg);

#endif
