/* decode.c: libFuzzer harness for the decoder (filters/lib/decode.c).
 *
 * Input: byte 0 picks the encoding (utf-8, windows-1252, utf-16) and a small
 * read size, byte 1 a large one; reads alternate between the two.  If byte
 * 2 has its top bit set, plain text is inserted after the first two bytes
 * of the file so that what follows lands just before the decoder's 64 KiB
 * buffer ends (a character cut by a refill); then one read in 16 is small.
 * The rest is the raw file, read from a memory stream.  The decoded bytes
 * must equal one iconv call over the whole file (the file itself for
 * utf-8), up to the same error; converted output must be valid UTF-8;
 * errors are sticky.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

#define REQUIRE(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "decode fuzz: invariant failed: %s\n", #cond); \
		abort(); \
	} \
} while (0)

/* What the decoder should produce: *failed set if the file has an error. */
static void
expected(const char *enc, const char *in, size_t len, nz_buf *out,
    int *failed)
{
	const unsigned char *u = (const unsigned char *)in;
	const char *from = "WINDOWS-1252";
	char *inp = (char *)in, *outp;
	size_t inleft = len, outleft;
	iconv_t cd;

	*failed = 0;
	nz_buf_clear(out);
	if (strcmp(enc, "utf-8") == 0) {
		nz_buf_add(out, in, len);
		return;
	}
	if (strcmp(enc, "utf-16") == 0) {
		if (len < 2 || !((u[0] == 0xFF && u[1] == 0xFE) ||
		    (u[0] == 0xFE && u[1] == 0xFF))) {
			*failed = 1; /* a BOM is required */
			return;
		}
		from = u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
		inp += 2;
		inleft -= 2;
	}
	cd = iconv_open("UTF-8", from);
	REQUIRE(cd != (iconv_t)-1);
	nz_grow(&out->s, &out->cap, 4 * len + 16, 1);
	outp = out->s;
	outleft = out->cap;
	if (iconv(cd, &inp, &inleft, &outp, &outleft) == (size_t)-1)
		*failed = 1;
	out->len = (size_t)(outp - out->s);
	iconv_close(cd);
}

/* The file: data, with padding after its first two bytes (a BOM's place)
 * when asked for, so that data[2..] starts up to 31 bytes before offset
 * 65536.  Padding is "a" in the file's encoding as its BOM says. */
static void
build_file(const uint8_t *data, size_t len, int pad_code, nz_buf *file)
{
	/* filled once: instrumented byte loops would dominate the run */
	static char pad_a[65536], pad_le[65536], pad_be[65536];
	size_t pad, head = len < 2 ? len : 2, i;
	const char *fill = pad_a;

	if (!pad_a[0]) {
		memset(pad_a, 'a', sizeof pad_a);
		for (i = 0; i < sizeof pad_le; i += 2) {
			pad_le[i] = 'a', pad_le[i + 1] = '\0';
			pad_be[i] = '\0', pad_be[i + 1] = 'a';
		}
	}
	nz_buf_clear(file);
	nz_buf_add(file, (const char *)data, head);
	if (pad_code & 0x80) {
		pad = 65536 - 2 - (size_t)(pad_code & 0x1F);
		if (head == 2 && data[0] == 0xFF && data[1] == 0xFE)
			fill = pad_le, pad &= ~(size_t)1;
		else if (head == 2 && data[0] == 0xFE && data[1] == 0xFF)
			fill = pad_be, pad &= ~(size_t)1;
		nz_buf_add(file, fill, pad);
	}
	nz_buf_add(file, (const char *)data + head, len - head);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *encodings[] = {"utf-8", "windows-1252", "utf-16"};
	static nz_buf file, want, got;
	const char *enc, *errmsg = NULL;
	size_t sizes[2], n, calls = 0, period = 2;
	char buf[16384];        /* the largest read size */
	nz_decoder *d;
	int want_failed;
	FILE *fp;

	if (size < 3)
		return 0;
	enc = encodings[data[0] % 3];
	sizes[0] = 1 + data[0] / 3 % 20;           /* 1-20: under 16 via pend */
	sizes[1] = 1 + (size_t)data[1] * 32;        /* 1-8161 */
	/* iconv is slow for tiny outputs from a long input: few over 64 KiB */
	if (data[2] & 0x80) {
		sizes[1] += 4096;
		period = 16;
	}
	build_file(data + 3, size - 3, data[2], &file);
	expected(enc, file.len ? file.s : "", file.len, &want, &want_failed);

	fp = fmemopen(file.len ? file.s : (void *)"", file.len, "rb");
	REQUIRE(fp != NULL);
	d = nz_decoder_new(fp, enc);
	nz_buf_clear(&got);
	for (;;) {
		n = sizes[calls++ % period == 0 ? 0 : 1];
		size_t r = nz_decoder_read(d, buf, n, &errmsg);
		REQUIRE(r <= n);
		if (r == 0)
			break;
		REQUIRE(errmsg == NULL);
		nz_buf_add(&got, buf, r);
	}
	REQUIRE(!errmsg == !want_failed);
	REQUIRE(got.len == want.len &&
	    (got.len == 0 || memcmp(got.s, want.s, got.len) == 0));
	if (strcmp(enc, "utf-8") != 0)
		REQUIRE(nz_utf8_valid(got.s, got.len, NULL));
	/* an error or the end stays so */
	{
		const char *again = NULL;
		REQUIRE(nz_decoder_read(d, buf, sizes[0], &again) == 0);
		REQUIRE(!again == !errmsg);
	}
	nz_decoder_close(d);
	fclose(fp);
	return 0;
}
