/* csv.c: the CSV layer against csv-spectrum and csvkit's real-world files,
 * every input fed at every chunk size, as libcsv's own tests do. */
#include <stdlib.h>
#include <string.h>

#include "nz.h"
#include "mem.h"
#include "tap.h"

/* Parse data at chunk size; records as a JSON array of arrays, with each
 * record's start line as the first element.  NULL on a parse error. */
static json_t *
parse_all(const char *data, size_t len, size_t chunk, unsigned flags)
{
	struct mem m = {data, len, 0, chunk, 0};
	nz_csv *c = nz_csv_new("mem", mem_read, &m, flags);
	json_t *rows = json_array();
	nz_row *row;
	int r;

	nz_csv_set_chunk(c, chunk);
	while ((r = nz_csv_next(c, &row)) == 1) {
		json_t *rec = json_array();
		size_t i;
		json_array_append_new(rec, json_integer(row->line));
		for (i = 0; i < row->nfields; i++)
			json_array_append_new(rec,
			    json_stringn(row->field[i], row->len[i]));
		json_array_append_new(rows, rec);
	}
	nz_csv_close(c);
	if (r < 0) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

/* csv-spectrum's JSON is an array of objects keyed by the header */
static json_t *
as_objects(json_t *rows)
{
	json_t *out = json_array(), *header = json_array_get(rows, 0);
	size_t i, j;

	for (i = 1; i < json_array_size(rows); i++) {
		json_t *obj = json_object(), *rec = json_array_get(rows, i);
		for (j = 1; j < json_array_size(header); j++)
			json_object_set(obj, json_string_value(
			    json_array_get(header, j)), json_array_get(rec, j));
		json_array_append_new(out, obj);
	}
	return out;
}

static void
spectrum(const char *dir, const char *name)
{
	char csvpath[512], jsonpath[512], what[600];
	size_t len, chunk, bad_chunk = 0;
	char *data;
	json_t *want;
	json_error_t err;

	snprintf(csvpath, sizeof csvpath, "%s/csv-spectrum/csvs/%s.csv", dir,
	    name);
	snprintf(jsonpath, sizeof jsonpath, "%s/csv-spectrum/json/%s.json",
	    dir, name);
	snprintf(what, sizeof what, "csv-spectrum %s at every chunk size",
	    name);
	data = nz_slurp(csvpath, &len);
	want = json_load_file(jsonpath, 0, &err);
	if (!data || !want) {
		check_detail(0, what, "cannot read test data");
		return;
	}
	for (chunk = 1; chunk <= len + 1 && !bad_chunk; chunk++) {
		json_t *rows = parse_all(data, len, chunk, NZ_CSV_UTF8);
		json_t *got = rows ? as_objects(rows) : NULL;
		if (!got || !json_equal(got, want))
			bad_chunk = chunk;
		json_decref(got);
		json_decref(rows);
	}
	check_detail(!bad_chunk, what, bad_chunk ? "differs" : NULL);
	json_decref(want);
	free(data);
}

/* Expected parse of a crafted input: "line:f1,f2;line:f1..." */
static void
expect_rows(const char *what, const char *data, unsigned flags,
    const char *want_text)
{
	size_t len = strlen(data), chunk;
	json_error_t err;
	json_t *want = json_loads(want_text, 0, &err);
	char detail[400] = "";

	for (chunk = 1; chunk <= len + 1; chunk++) {
		json_t *got = parse_all(data, len, chunk, flags);
		int ok = got && json_equal(got, want);
		if (!ok) {
			char *dump = got ? json_dumps(got, JSON_COMPACT) : NULL;
			snprintf(detail, sizeof detail, "chunk %zu: %s", chunk,
			    dump ? dump : "error");
			free(dump);
			json_decref(got);
			break;
		}
		json_decref(got);
	}
	check_detail(!detail[0], what, detail[0] ? detail : NULL);
	json_decref(want);
}

/* A file must fail: the error (on stderr) is checked by the case tests;
 * here only that it fails at every chunk size. */
static void
expect_error(const char *what, const char *data, size_t len, unsigned flags)
{
	size_t chunk;
	int all_fail = 1;

	for (chunk = 1; chunk <= len + 1; chunk++) {
		json_t *got = parse_all(data, len, chunk, flags);
		if (got)
			all_fail = 0;
		json_decref(got);
	}
	check_detail(all_fail, what, NULL);
}

static void
real_world(const char *dir)
{
	char path[512];
	size_t len;
	char *data;

#define RW(name) (snprintf(path, sizeof path, "%s/real-world/%s", dir, name), \
    data = nz_slurp(path, &len))
	RW("bad.csv");
	expect_rows("real-world bad.csv: ragged rows parse, widths kept", data,
	    NZ_CSV_UTF8, "[[1,\"column_a\",\"column_b\",\"column_c\"],"
	    "[2,\"1\",\"27\",\"\",\"I'm too long!\"],[3,\"\",\"I'm too short!\"],"
	    "[4,\"0\",\"mixed types.... uh oh\",\"17\"]]");
	free(data);
	RW("empty.csv");
	expect_rows("real-world empty.csv: no records", data, NZ_CSV_UTF8,
	    "[]");
	free(data);
	RW("mac_newlines.csv");
	expect_rows("real-world mac_newlines.csv: CR-only lines", data,
	    NZ_CSV_UTF8, "[[1,\"a\",\"b\",\"c\"],[2,\"1\",\"2\",\"3\"],"
	    "[3,\"Once upon\\ra time\",\"5\",\"6\"]]");
	free(data);
	RW("null_byte.csv");
	expect_error("real-world null_byte.csv: NUL byte is an error", data,
	    len, NZ_CSV_UTF8);
	free(data);
	RW("test_header_newline.csv");
	expect_rows("real-world test_header_newline.csv: newline in header",
	    data, NZ_CSV_UTF8, "[[1,\"\\t\\n\\u000b\\f\\r start \\t\\n"
	    "\\u000b\\f\\r end \\t\\n\\u000b\\f\\r\",\"b\",\"c\"],[8,\"d\",\"e\",\"f\"]]");
	free(data);
	RW("test_latin1.csv");
	expect_error("real-world test_latin1.csv: not UTF-8 is an error", data,
	    len, NZ_CSV_UTF8);
	free(data);
	RW("test_utf16_little.csv");
	expect_error("real-world test_utf16_little.csv: UTF-16 is refused",
	    data, len, NZ_CSV_UTF8);
	free(data);
	RW("test_utf16_big.csv");
	expect_error("real-world test_utf16_big.csv: UTF-16 is refused", data,
	    len, NZ_CSV_UTF8);
	free(data);
	RW("test_utf8.csv");
	expect_rows("real-world test_utf8.csv", data, NZ_CSV_UTF8,
	    "[[1,\"foo\",\"bar\",\"baz\"],[2,\"1\",\"2\",\"3\"],"
	    "[3,\"4\",\"5\",\"ʤ\"]]");
	free(data);
	RW("test_utf8_bom.csv");
	expect_rows("real-world test_utf8_bom.csv: BOM stripped", data,
	    NZ_CSV_UTF8, "[[1,\"foo\",\"bar\",\"baz\"],[2,\"1\",\"2\",\"3\"],"
	    "[3,\"4\",\"5\",\"ʤ\"]]");
	free(data);
#undef RW
}

/* The decoder in front of the reader, at every read size. */
static void
decoded(const char *dir, const char *name, const char *encoding,
    const char *want_text)
{
	char path[512], what[600], detail[80] = "";
	size_t chunk;
	json_error_t err;
	json_t *want = json_loads(want_text, 0, &err);

	snprintf(path, sizeof path, "%s/real-world/%s", dir, name);
	snprintf(what, sizeof what, "decoded %s as %s at every chunk size",
	    name, encoding);
	for (chunk = 1; chunk <= 64; chunk++) {
		nz_decoder *d = nz_decoder_open(path, encoding);
		nz_csv *c = nz_csv_new(path, nz_decoder_read, d, NZ_CSV_UTF8);
		json_t *rows = json_array();
		nz_row *row;
		int r;
		size_t i;

		nz_csv_set_chunk(c, chunk);
		while ((r = nz_csv_next(c, &row)) == 1) {
			json_t *rec = json_array();
			json_array_append_new(rec, json_integer(row->line));
			for (i = 0; i < row->nfields; i++)
				json_array_append_new(rec, json_string(
				    row->field[i]));
			json_array_append_new(rows, rec);
		}
		nz_csv_close(c);
		nz_decoder_close(d);
		if (r < 0 || !json_equal(rows, want))
			snprintf(detail, sizeof detail, "chunk %zu", chunk);
		json_decref(rows);
		if (detail[0])
			break;
	}
	check_detail(!detail[0], what, detail[0] ? detail : NULL);
	json_decref(want);
}

static void
crafted(void)
{
	expect_rows("record start lines with multi-line fields and CRLF",
	    "h1,h2\r\n\"a\r\nb\",c\r\n\r\nd,\"e\n\nf\"\r\ng,h", NZ_CSV_UTF8,
	    "[[1,\"h1\",\"h2\"],[2,\"a\\r\\nb\",\"c\"],[5,\"d\",\"e\\n\\nf\"],"
	    "[8,\"g\",\"h\"]]");
	expect_rows("spaces kept, empty fields kept",
	    " a , b ,\n\"  \",,\n", NZ_CSV_UTF8,
	    "[[1,\" a \",\" b \",\"\"],[2,\"  \",\"\",\"\"]]");
	expect_error("quote inside an unquoted field is an error",
	    "a,b\nx\"y,z\n", 10, NZ_CSV_UTF8);
	expect_error("text after a closing quote is an error",
	    "a,b\n\"x\"y,z\n", 11, NZ_CSV_UTF8);
	expect_error("an unclosed quote at the end is an error",
	    "a,b\n\"x,z\n", 9, NZ_CSV_UTF8);
	expect_error("invalid UTF-8 is an error", "a,b\n\xC3\x28,z\n", 9,
	    NZ_CSV_UTF8);
}

/* DESIGN §3: between programs, UTF-8 without BOM and LF line ends, the
 * last line too; NZ_CSV_CANONICAL refuses the rest at every chunk size.
 * A CR inside a quoted field is data, not a line end. */
static void
canonical(void)
{
	static const char bom[] = "\xEF\xBB\xBF" "a,b\n1,2\n";

	expect_rows("canonical: LF lines, CR and LF inside quotes kept",
	    "a,b\n\"x\r\ny\",\"\r\"\n", NZ_CSV_CANONICAL,
	    "[[1,\"a\",\"b\"],[2,\"x\\r\\ny\",\"\\r\"]]");
	expect_error("canonical: a CRLF line end is refused", "a,b\r\n1,2\r\n",
	    10, NZ_CSV_CANONICAL);
	expect_error("canonical: a CR line end is refused", "a,b\n1,2\r", 8,
	    NZ_CSV_CANONICAL);
	expect_error("canonical: a CR on a blank line is refused",
	    "a,b\n1,2\n\r\n", 11, NZ_CSV_CANONICAL);
	expect_error("canonical: LF-CR line ends are refused",
	    "a,b\n\r1,2\n\r", 10, NZ_CSV_CANONICAL);
	expect_error("canonical: a byte-order mark is refused", bom,
	    sizeof bom - 1, NZ_CSV_CANONICAL);
	expect_error("canonical: a last record without its LF is refused",
	    "a,b\n1,2", 7, NZ_CSV_CANONICAL);
	expect_error("canonical: a last quoted field without its LF is refused",
	    "a,b\n1,\"2\"", 9, NZ_CSV_CANONICAL);
	expect_rows("the same data without NZ_CSV_CANONICAL is read",
	    "\xEF\xBB\xBF" "a,b\r\n1,2", NZ_CSV_UTF8,
	    "[[1,\"a\",\"b\"],[2,\"1\",\"2\"]]");
}

/* Everything a canonical reader gives of data at one chunk size, fast
 * path on or off: each record's lines and fields, then how it ended (the
 * error's line and message). */
static char *
trace(const char *data, size_t len, size_t chunk, unsigned flags)
{
	struct mem m = {data, len, 0, chunk, 0};
	nz_csv *c = nz_csv_new("mem", mem_read, &m, flags);
	nz_buf out = {0};
	const char *error;
	nz_row *row;
	long line = 0;
	size_t i;
	int r;

	nz_csv_set_chunk(c, chunk);
	while ((r = nz_csv_next(c, &row)) == 1) {
		nz_buf_printf(&out, "%ld-%ld:", row->line, row->line_end);
		for (i = 0; i < row->nfields; i++) {
			nz_buf_printf(&out, "%zu[", row->len[i]);
			nz_buf_add(&out, row->field[i], row->len[i]);
			nz_buf_adds(&out, "]");
		}
		nz_buf_adds(&out, row->unterminated ? "unterminated\n" : "\n");
	}
	error = nz_csv_error(c, &line);
	nz_buf_printf(&out, "end %d %ld %s", r, r < 0 ? line : 0L,
	    r < 0 && error ? error : "");
	nz_csv_close(c);
	return out.s;
}

/* The fast path (whole lines with simple quotes, split without libcsv),
 * with AVX-512 where the machine has it and without, gives exactly what
 * libcsv gives: fields, record lines and errors, at every chunk size, in
 * the canonical dialect, in an export's (UTF-8 checked) and with no
 * check at all. */
static int
same_both_ways(const char *data, size_t len, char *detail, size_t dlen)
{
	static const unsigned dialects[] = {NZ_CSV_CANONICAL, NZ_CSV_UTF8, 0};
	size_t chunk, d;

	for (d = 0; d < sizeof dialects / sizeof *dialects; d++)
	for (chunk = 1; chunk <= len + 1; chunk++) {
		char *fast = trace(data, len, chunk, dialects[d]);
		char *narrow = trace(data, len, chunk,
		    dialects[d] | NZ_CSV_NO_WIDE);
		char *slow = trace(data, len, chunk,
		    dialects[d] | NZ_CSV_NO_FAST);
		int same = strcmp(fast, slow) == 0 &&
		    strcmp(narrow, slow) == 0;
		if (!same)
			snprintf(detail, dlen, "dialect %u, chunk %zu: fast "
			    "{%.60s} without AVX-512 {%.60s} libcsv {%.60s}",
			    dialects[d], chunk, fast, narrow, slow);
		free(fast);
		free(narrow);
		free(slow);
		if (!same)
			return 0;
	}
	return 1;
}

static void
fast_path(const char *dir)
{
	static const char *const crafted_inputs[] = {
		"a,b\n1,2\n", "a,b\n\n\n1,2\n\n", "\n\na\n", ",\n,,\n",
		"a,b\n1,\"2\"\n3,4\n", "a,b\n\"x\ny\",z\n5,6\n",
		"a,b\n1,2", "a,b\n1,\"2\"", "a,b\r\n1,2\r\n", "a,b\n1,2\r",
		"a,b\n1,2\n\r\n", "a,b\n\r1,2\n\r", "a,b\nx\"y,z\n",
		"a,b\n\"x\"y,z\n", "a,b\n\"x,z\n", "a,b\n\xC3\x28,z\n",
		"a,b\nok,\xE2\x82\n", "a,b\n\xEF\xBB\xBFx,y\n",
		"\xEF\xBB\xBF" "a,b\n1,2\n", "a,b\n M\xC4\x81ori , x \n",
		"agency,client_key\nnorthern,0123456789abcdef0123456789abcdef\n"
		    "northern,fedcba9876543210fedcba9876543210\n",
		"a\n\n\n", "a,b\n1,2\n3\n4,5,6\n", "\"\"\n,\n",
		/* quoted fields on one line, simple and not */
		"a,b,c\n\"x, y\",2,\"\"\n\"p\",\"q,r\",\"s\"\n",
		"a,b\n\"x\"\"y\",z\n\"\"\"\",\"\"\n", "a,b\n\"x\",\"y\n",
		"a,b\n\"x\" ,y\n", "a,b\n \"x\",y\n", "a,b\nx,y\"\n",
		"a,b\n\"x\"\"\n", "a,b\n\"\",\"\"\n\"\"\n", "a,b\n,\"\"\n",
		"a,b\n\"M\xC4\x81ori, T\",x\n\"\xC3\x28\",y\n",
		"a,b\n\"x\ry\",z\n", "a,b\n\"x\",y\"z\",w\n",
		/* CRLF and CR line ends with quotes and blank lines */
		"a,b\r\n\"x,1\",2\r\n\r\n3,\"4\"\r\n",
		"a,b\r\n1,2\r\r\n3,4\n", "a,b\n\r\n1,2\r\n",
		"a,b\r1,\"2\"\r\n3,4\r\n", "a,b\r\n1,\"2\r\n\",3\r\n",
		/* lines longer than one or two 64-byte blocks (AVX-512):
		 * commas, quotes, CRs and odd bytes past the first block */
		"agency,client_key,household_key,event_date,age,gender,"
		    "ethnicity,region,household,income,housing,need,service,"
		    "referral,units\n"
		    "northern,4d250da7ee4800c574b7d22466ed8a44,87d95132735017"
		    "288bd617b81b7b0c16,2024-03-05,31,Female,NZ European|"
		    "M\xC4\x81ori,Whang\xC4\x81rei,couple,wages,rent,food|"
		    "power,parcel,self,3\n"
		    "northern,0123456789abcdef0123456789abcdef,,2024-03-06,,"
		    ",,,,,,,,,\n",
		"0123456789012345678901234567890123456789012345678901234567"
		    "89,\"quoted, past the first block\",x\n"
		    "0123456789012345678901234567890123456789012345678901234567"
		    "8901234567890123456789012345678901234567890123456789012345"
		    "67,\"a\"\"b\",y\r\n"
		    "0123456789012345678901234567890123456789012345678901234567"
		    "890123,\xC3\x28,z\n",
		"a,b\r\n0123456789012345678901234567890123456789012345678901"
		    "234567890123456789,2\r\n012345678901234567890123456789"
		    "01234567890123456789012345678901234567890123\r4,5\n",
	};
	static const char nul_inside[] = "a,b\n1,x\0y\n\"3\0\",4\n"
	    "01234567890123456789012345678901234567890123456789012345678901"
	    "234567,x\0y\n";
	static const char *const files[] = {"csv-spectrum/csvs/simple.csv",
	    "csv-spectrum/csvs/utf8.csv", "csv-spectrum/csvs/empty.csv",
	    "csv-spectrum/csvs/comma_in_quotes.csv",
	    "csv-spectrum/csvs/escaped_quotes.csv",
	    "csv-spectrum/csvs/newlines.csv", "csv-spectrum/csvs/json.csv",
	    "csv-spectrum/csvs/quotes_and_newlines.csv",
	    "csv-spectrum/csvs/simple_crlf.csv",
	    "csv-spectrum/csvs/location_coordinates.csv",
	    "real-world/bad.csv", "real-world/null_byte.csv",
	    "real-world/test_utf8.csv", "real-world/test_utf8_bom.csv",
	    "real-world/mac_newlines.csv", "real-world/test_latin1.csv",
	    "real-world/test_header_newline.csv", "real-world/empty.csv"};
	char detail[300] = "", path[1024];
	size_t i, len;
	int ok = 1;

	for (i = 0; ok && i < sizeof crafted_inputs / sizeof *crafted_inputs;
	    i++)
		ok = same_both_ways(crafted_inputs[i], strlen(crafted_inputs[i]),
		    detail, sizeof detail);
	check_detail(ok, "fast path = libcsv on crafted inputs, "
	    "in the canonical and export dialects",
	    ok ? NULL : detail);
	ok = same_both_ways(nul_inside, sizeof nul_inside - 1, detail,
	    sizeof detail);
	check_detail(ok, "fast path = libcsv on a NUL byte", ok ? NULL : detail);
	for (i = 0; ok && i < sizeof files / sizeof *files; i++) {
		char *data;
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		if (!(data = nz_slurp(path, &len))) {
			snprintf(detail, sizeof detail, "cannot read %.200s",
			    path);
			ok = 0;
			break;
		}
		ok = same_both_ways(data, len, detail, sizeof detail);
		if (!ok)
			snprintf(detail + strlen(detail), sizeof detail -
			    strlen(detail), " (%s)", files[i]);
		free(data);
	}
	check_detail(ok, "fast path = libcsv on csv-spectrum and real-world "
	    "files", ok ? NULL : detail);
}

static void
writer(void)
{
	const char *fields[] = {"plain", "a,b", "say \"hi\"", "two\nlines",
	    "", "cr\r"};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	nz_csv_fields(f, fields, 6);
	fclose(f);
	int ok = strcmp(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,"
	    "\"cr\r\"\n") == 0;

	check_detail(ok, "writer quotes only what needs it", ok ? NULL : buf);
	free(buf);
}

/* A field as the canonical dialect writes it, the plain way: quoted when
 * it holds a comma, quote, CR or LF or starts with a byte-order mark, or
 * when it is a record's only field and empty (else a blank line). */
static void
reference_field(nz_buf *out, const char *s, size_t len, int alone)
{
	size_t i;
	int quote = alone && len == 0;

	for (i = 0; i < len; i++)
		quote |= s[i] == ',' || s[i] == '"' || s[i] == '\r' ||
		    s[i] == '\n';
	quote |= len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
	if (!quote) {
		nz_buf_add(out, s, len);
		return;
	}
	nz_buf_adds(out, "\"");
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			nz_buf_adds(out, "\"");
		nz_buf_add(out, s + i, 1);
	}
	nz_buf_adds(out, "\"");
}

/* nz_csv_record, with AVX-512 where the machine has it and without,
 * writes what the plain reference does: 20,000 records of 1 to 24
 * fields up to 40 bytes, mostly plain, a comma, quote, CR, LF, BOM or
 * UTF-8 byte at any place (records of 1 to 1,000 bytes: every position in
 * and across 16- and 64-byte blocks). */
static void
writer_both_ways(void)
{
	static const char alphabet[] = "abcdefghij0123456789-|";
	static const char *const odd[] = {",", "\"", "\r", "\n",
	    "\xEF\xBB\xBF", "\xC4\x81"};
	char fields[24][48], detail[200] = "";
	const char *ptrs[24];
	size_t lens[24], n, i, j, k, way;
	uint64_t x = 88172645463325252u;
	nz_buf want = {0};
	int ok = 1;

	for (k = 0; k < 20000 && ok; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = 1 + x % 24;
		nz_buf_clear(&want);
		for (i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			lens[i] = x % 41;
			for (j = 0; j < lens[i]; j++)
				fields[i][j] = alphabet[(x >> (j % 50)) %
				    (sizeof alphabet - 1)];
			/* one record in eight has an odd byte somewhere */
			if (lens[i] >= 3 && (x >> 20) % (8 * n) == 0) {
				const char *o = odd[(x >> 30) % 6];
				size_t at = (x >> 40) % (lens[i] - 2);
				memcpy(fields[i] + at, o, strlen(o));
			}
			fields[i][lens[i]] = '\0';
			ptrs[i] = fields[i];
			if (i)
				nz_buf_adds(&want, ",");
			reference_field(&want, fields[i], lens[i], n == 1);
		}
		nz_buf_adds(&want, "\n");
		for (way = 0; way < 2 && ok; way++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);

			nz_csv_write_wide(way == 0);
			nz_csv_record(f, ptrs, lens, n);
			fclose(f);
			ok = len == want.len && memcmp(buf, want.s, len) == 0;
			if (!ok)
				snprintf(detail, sizeof detail, "%s: {%.80s} "
				    "not {%.80s}", way ? "without AVX-512" :
				    "AVX-512", buf, want.s);
			free(buf);
		}
	}
	nz_csv_write_wide(1);
	check_detail(ok, "writer with and without AVX-512 = the plain "
	    "reference, on 20,000 records", ok ? NULL : detail);
	nz_buf_free(&want);
}

int
main(int argc, char **argv)
{
	static const char *names[] = {"comma_in_quotes", "empty", "empty_crlf",
	    "escaped_quotes", "json", "newlines",
	    "newlines_crlf", "quotes_and_newlines", "simple", "simple_crlf",
	    "utf8"};
	const char *dir = getenv("TESTDATA");
	size_t i;

	nz_setprog(argv[0]);
	(void)argc;
	if (!dir)
		dir = "tests/data";
	{
		char probe[512];
		FILE *f;
		snprintf(probe, sizeof probe, "%s/README.md", dir);
		if (!(f = fopen(probe, "r"))) {
			check_detail(0, "vendored test data (tests/data)", dir);
			return 1;
		}
		fclose(f);
	}
	/* the reader's errors are expected here; keep the log readable */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		spectrum(dir, names[i]);
	/* location_coordinates.csv has bare quotes inside unquoted fields
	 * (37°36'37.8"N); strict mode (DESIGN §6) must refuse it, and its
	 * JSON does not match its own data (a different phone number). */
	{
		char path[512];
		size_t len;
		char *data;
		snprintf(path, sizeof path,
		    "%s/csv-spectrum/csvs/location_coordinates.csv", dir);
		data = nz_slurp(path, &len);
		if (data)
			expect_error("csv-spectrum location_coordinates: bare "
			    "quote refused in strict mode", data, len,
			    NZ_CSV_UTF8);
		else
			check_detail(0, "csv-spectrum location_coordinates", "missing");
		free(data);
	}
	real_world(dir);
	decoded(dir, "test_utf16_little.csv", "utf-16",
	    "[[1,\"a\",\"b\",\"c\"],[2,\"1\",\"2\",\"3\"],[3,\"4\",\"5\",\"ʤ\"]]");
	decoded(dir, "test_utf16_big.csv", "utf-16",
	    "[[1,\"a\",\"b\",\"c\"],[2,\"1\",\"2\",\"3\"],[3,\"4\",\"5\",\"ʤ\"]]");
	decoded(dir, "test_latin1.csv", "windows-1252",
	    "[[1,\"a\",\"b\",\"c\"],[2,\"1\",\"2\",\"3\"],[3,\"4\",\"5\",\"©\"]]");
	crafted();
	canonical();
	fast_path(dir);
	writer();
	writer_both_ways();
	return failures ? 1 : 0;
}
