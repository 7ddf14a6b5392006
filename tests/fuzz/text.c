/* text.c: libFuzzer harness for filters/lib/text.c and the quoting of
 * err.c.
 *
 * The input is used whole (nz_utf8_valid, nz_qn) and as a string cut at its
 * first NUL (the rest).  Checks: nz_utf8_valid agrees with iconv's UTF-8
 * decoder, offset of the bad byte included; nz_trim removes exactly the
 * leading and trailing spaces and no-break spaces; nz_list_next gives the
 * values between the bars, which joined again give the list; nz_qn writes what
 * its comment promises (valid UTF-8, cut on a character boundary) and
 * nothing past its own buffer.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "text fuzz: invariant failed: %s\n", #cond); \
		abort(); \
	} \
} while (0)

static iconv_t from_utf8;

static void
check_utf8(const char *s, size_t len)
{
	char out[4096], *inp = (char *)s, *outp;
	size_t inleft = len, outleft, bad = (size_t)-1, iconv_bad = (size_t)-1;
	int ours = nz_utf8_valid(s, len, &bad);

	iconv(from_utf8, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		outp = out;
		outleft = sizeof out;
		if (iconv(from_utf8, &inp, &inleft, &outp, &outleft) !=
		    (size_t)-1)
			break;
		if (errno != E2BIG) {          /* EILSEQ or EINVAL (cut short) */
			iconv_bad = len - inleft;
			break;
		}
	}
	REQUIRE(ours == (iconv_bad == (size_t)-1));
	if (!ours)
		REQUIRE(bad == iconv_bad);
}

static int
space_at(const char *s, size_t avail)
{
	if (avail >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' ||
	    s[0] == '\n'))
		return 1;
	if (avail >= 2 && (unsigned char)s[0] == 0xC2 &&
	    (unsigned char)s[1] == 0xA0)
		return 2;
	return 0;
}

static int
ends_in_space(const char *s, size_t len)
{
	return (len >= 1 && space_at(s + len - 1, 1)) ||
	    (len >= 2 && space_at(s + len - 2, 2) == 2);
}

static void
check_trim(const char *s)
{
	size_t len = strlen(s), start = 0, tlen, i, w;
	char *copy = nz_strdup(s), *t = nz_trim(copy);

	REQUIRE(t == copy);
	tlen = strlen(t);
	while ((w = space_at(s + start, len - start)) > 0)
		start += w;
	/* what is left is s[start..start+tlen), with only spaces after it */
	REQUIRE(start + tlen <= len);
	REQUIRE(memcmp(t, s + start, tlen) == 0);
	REQUIRE(tlen == 0 || (!space_at(t, tlen) && !ends_in_space(t, tlen)));
	for (i = start + tlen; i < len; i += w)
		REQUIRE((w = space_at(s + i, len - i)) > 0);
	/* trimming twice changes nothing */
	REQUIRE(strcmp(nz_trim(t), copy) == 0 && strlen(copy) == tlen);
	free(copy);
}

static void
check_list(const char *s)
{
	size_t len = strlen(s), values = 0, bytes = 0;
	nz_list it = nz_list_of(s, len);
	nz_buf joined = {0};

	while (nz_list_next(&it)) {
		REQUIRE(it.val >= s && it.val + it.len <= s + len);
		REQUIRE(memchr(it.val, '|', it.len) == NULL);
		if (values++)
			nz_buf_addc(&joined, '|');
		nz_buf_add(&joined, it.val, it.len);
		bytes += it.len;
	}
	/* one value more than bars, and nothing lost or added */
	REQUIRE(values >= 1 && bytes + values - 1 == len);
	REQUIRE(joined.len == len &&
	    (len == 0 || memcmp(joined.s, s, len) == 0));
	nz_buf_free(&joined);
}

/* Undo nz_qn's quoting into out: the bytes between the quotes with \xHH
 * decoded; returns 1 if "..." follows, -1 if the form is wrong. */
static int
unquote(const char *q, nz_buf *out)
{
	size_t len = strlen(q), i;
	int cut = len >= 5 && strcmp(q + len - 4, "'...") == 0;
	unsigned hex;

	nz_buf_clear(out);
	if (cut)
		len -= 3;
	if (len < 2 || q[0] != '\'' || q[len - 1] != '\'')
		return -1;
	for (i = 1; i < len - 1; i++) {
		if (q[i] == '\\' && sscanf(q + i, "\\x%2X", &hex) == 1) {
			nz_buf_addc(out, (char)hex);
			i += 3;
		} else {
			nz_buf_addc(out, q[i]);
		}
	}
	return cut;
}

/* nz_qn: valid UTF-8 with no control bytes, within its 40-byte budget, cut
 * only before a character start; what it quotes is a prefix of the value. */
static void
check_quoted(const char *s, size_t len, const char *q)
{
	nz_buf shown = {0};
	size_t i, cut;
	int dots;

	REQUIRE(strlen(q) <= 40 * 4 + 5);
	REQUIRE(nz_utf8_valid(q, strlen(q), NULL));
	for (i = 0; q[i]; i++)
		REQUIRE((unsigned char)q[i] >= 0x20 && q[i] != 0x7F);
	dots = unquote(q, &shown);
	REQUIRE(dots == (len > 40));
	if (!memchr(s, '\\', len)) { /* else a literal \x41 reads back wrong */
		cut = shown.len;
		REQUIRE(cut <= len && cut <= 40);
		REQUIRE(cut == 0 || memcmp(shown.s, s, cut) == 0);
		if (len <= 40)
			REQUIRE(cut == len);
		else
			for (i = cut + 1; i <= 40; i++)
				REQUIRE(((unsigned char)s[i] & 0xC0) == 0x80);
		REQUIRE(cut == len || cut == 0 ||
		    ((unsigned char)s[cut] & 0xC0) != 0x80);
	}
	nz_buf_free(&shown);
}

/* nz_qn rotates 8 buffers: quote the input, fill the other 7 with markers,
 * quote it again into the first, and check the markers are intact. */
static void
check_qn(const char *s, size_t len)
{
	const char *first, *other[7];
	char mark[8], quoted[8], *again;
	size_t i;

	first = nz_qn(s, len);
	check_quoted(s, len, first);
	again = nz_strdup(first);
	for (i = 0; i < 7; i++) {
		snprintf(mark, sizeof mark, "m%zu", i);
		other[i] = nz_qn(mark, strlen(mark));
	}
	REQUIRE(nz_qn(s, len) == first);
	REQUIRE(strcmp(first, again) == 0);
	for (i = 0; i < 7; i++) {
		snprintf(quoted, sizeof quoted, "'m%zu'", i);
		REQUIRE(other[i] != first && strcmp(other[i], quoted) == 0);
	}
	free(again);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	from_utf8 = iconv_open("UTF-32LE", "UTF-8");
	return from_utf8 == (iconv_t)-1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *raw = (const char *)data;
	char *str = nz_strndup(raw, size); /* as a string: cut at a NUL */

	check_utf8(raw, size);
	check_qn(raw, size);
	check_qn(str, strlen(str));
	REQUIRE(strcmp(nz_q(str), nz_qn(str, strlen(str))) == 0);
	check_trim(str);
	check_list(str);
	free(str);
	return 0;
}
