/* nz.h: the shared layer of the NZCCSS aggregate-at-source filters.
 *
 * One prefix (nz_) for every public name.  One concern per file:
 *   err.c     diagnostics and exit codes        csvread.c  CSV reader on libcsv
 *   csvwrite.c minimal-quoting CSV writer       num.c      checked numbers
 *   json.c    JSON config loading               key.c      agency keys, hashing
 *   decode.c  input encodings (iconv)           text.c     strings, UTF-8, lists
 *   io.c      files, atomic output, close checks
 */
#ifndef NZ_H
#define NZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#define NZ_VERSION "0.1.0"

/* Exit codes every program uses (DESIGN §8). */
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
void nz_buf_printf(nz_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nz_buf_clear(nz_buf *b);
void nz_buf_free(nz_buf *b);
/* 1 if s[0..len) is valid UTF-8; else 0 and *bad = offset of bad byte */
int nz_utf8_valid(const char *s, size_t len, size_t *bad);
/* trim ASCII space/tab/CR/LF and NBSP on both sides, in place; returns s */
char *nz_trim(char *s);
/* Split a '|'-joined list, sort bytewise, de-duplicate, drop empties,
 * and write it back joined by '|' into out. */
void nz_list_normalise(const char *in, nz_buf *out);
/* Values of a list: calls fn for each '|'-separated element of s. */
typedef void (*nz_list_fn)(const char *val, size_t len, void *ctx);
void nz_list_each(const char *s, nz_list_fn fn, void *ctx);

/* ---- num.c: checked conversions; return 0 on success, -1 on error ---- */
int nz_parse_long(const char *s, long min, long max, long *out);
int nz_parse_u64(const char *s, uint64_t *out);
/* Command-line number: exits 2 naming the option on error. */
long nz_opt_long(const char *opt, const char *s, long min, long max);

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
/* Whole years between birth and event date (negative if birth later). */
int nz_age_years(int by, int bm, int bd, int ey, int em, int ed);

/* ---- csvread.c ---- */
enum {
	NZ_CSV_CANONICAL = 1 << 0, /* our dialect: refuse UTF-16, NUL, bad UTF-8 */
	NZ_CSV_UTF8 = 1 << 1,      /* validate UTF-8 of every field */
};
/* A byte source: returns bytes read, 0 at end; on error returns 0 and sets
 * *errmsg.  It returns every good byte before reporting an error. */
typedef size_t (*nz_readfn)(void *ctx, char *buf, size_t n,
	const char **errmsg);
typedef struct nz_csv nz_csv;
typedef struct nz_row {
	size_t nfields;
	char **field;   /* NUL-terminated */
	size_t *len;    /* byte length of each field */
	long line;      /* 1-based line where the record starts */
	long line_end;  /* line where the record ends */
} nz_row;
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
long nz_csv_line(const nz_csv *c);     /* current physical line */
void nz_csv_close(nz_csv *c);
/* Read the header and check it equals the expected columns exactly;
 * exits 1 with a clear message otherwise. */
void nz_csv_expect_header(nz_csv *c, const char *const *cols, size_t ncols);
/* Read a record and check its field count; returns 1, 0 at EOF; exits 1
 * on error or wrong width ("expected N fields, found M"). */
int nz_csv_next_n(nz_csv *c, nz_row **row, size_t ncols);

/* ---- csvwrite.c: minimal quoting, LF ---- */
void nz_csv_field(FILE *f, const char *s, size_t len, int first);
void nz_csv_fields(FILE *f, const char *const *fields, size_t n);
void nz_csv_header(FILE *f, const char *const *cols, size_t n);

/* ---- json.c ---- */
/* Load a JSON file; exits 1 with "prog: FILE:LINE:COL: message" on error. */
json_t *nz_json_load(const char *path);
/* Typed getters that exit 1 naming file and key on a wrong type.
 * def is returned when the key is absent (required=0). */
const char *nz_json_str(const char *file, json_t *obj, const char *key,
	const char *def);
long nz_json_int(const char *file, json_t *obj, const char *key, long def);
/* Line (1-based) of the first occurrence of "key" in the file's text, for
 * messages about a value jansson cannot place; 0 if not found. */
long nz_json_key_line(const char *path, const char *key, long from_line);

/* ---- key.c ---- */
#define NZ_KEY_BYTES 32
#define NZ_HASH_BYTES 16
/* Load a 32-byte key file; exits 1 if missing, wrong size, or readable by
 * group or others. */
void nz_key_load(const char *path, unsigned char key[NZ_KEY_BYTES]);
/* Keyed BLAKE2b-128 of s as 32 lowercase hex chars + NUL. */
void nz_key_hash_hex(const unsigned char key[NZ_KEY_BYTES], const char *s,
	size_t len, char out[2 * NZ_HASH_BYTES + 1]);
/* sha256 of a file as 64 hex + NUL; -1 on read error. */
int nz_sha256_file(const char *path, char out[65]);

/* ---- decode.c: any supported encoding to UTF-8 ---- */
typedef struct nz_decoder nz_decoder;
/* encoding: "utf-8", "windows-1252", "utf-16" (BOM required, LE or BE).
 * Exits 1 if the file cannot be opened. */
nz_decoder *nz_decoder_open(const char *path, const char *encoding);
size_t nz_decoder_read(void *ctx, char *buf, size_t n, const char **errmsg);
void nz_decoder_close(nz_decoder *d);

/* ---- io.c ---- */
/* Flush and close stdout (and check stdin); returns NZ_EXIT_DATA with a
 * message on a write error (e.g. /dev/full), else NZ_EXIT_OK. */
int nz_close_stdout(void);
/* Open FILE for writing ("-" = stdout); exits 1 naming it on failure. */
FILE *nz_fopen_out(const char *path);
/* Close a file opened by nz_fopen_out; exits 1 naming it on error. */
void nz_fclose_out(FILE *f, const char *path);
/* Progress on stderr only when it is a terminal. */
int nz_progress_wanted(void);

#endif
