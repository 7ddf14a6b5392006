/* decode.c: raw exports in UTF-8, Windows-1252 or UTF-16 (with BOM) to
 * UTF-8, through iconv.  Every good byte comes out before an error. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nz.h"

#define IN_SIZE 65536

struct nz_decoder {
	FILE *fp;
	int own_fp;
	iconv_t cd;            /* (iconv_t)-1 for UTF-8 pass-through */
	const char *encoding;
	char in[IN_SIZE];
	size_t in_len, in_pos;
	int eof, started;
	char message[128];
	int failed;
	char pend[16];         /* output held back for reads under 16 bytes */
	size_t pend_len, pend_pos;
};

nz_decoder *
nz_decoder_new(FILE *fp, const char *encoding)
{
	nz_decoder *d = nz_calloc(1, sizeof *d);

	if (strcasecmp(encoding, "utf-8") != 0 &&
	    strcasecmp(encoding, "windows-1252") != 0 &&
	    strcasecmp(encoding, "utf-16") != 0)
		nz_die(NZ_EXIT_DATA, "unsupported encoding %s (use utf-8, "
		    "windows-1252 or utf-16)", nz_q(encoding));
	d->fp = fp;
	d->encoding = encoding;
	d->cd = (iconv_t)-1;
	return d;
}

nz_decoder *
nz_decoder_open(const char *path, const char *encoding)
{
	nz_decoder *d = nz_decoder_new(stdin, encoding);

	if (path && strcmp(path, "-") != 0) {
		d->fp = fopen(path, "rb");
		if (!d->fp) {
			int saved = errno;
			free(d);   /* an exit with no reference to it: a leak */
			nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(saved));
		}
		d->own_fp = 1;
	}
	return d;
}

void
nz_decoder_close(nz_decoder *d)
{
	if (!d)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	if (d->own_fp)
		fclose(d->fp);
	free(d);
}

static int
refill(nz_decoder *d)
{
	size_t got;

	memmove(d->in, d->in + d->in_pos, d->in_len - d->in_pos);
	d->in_len -= d->in_pos;
	d->in_pos = 0;
	got = fread(d->in + d->in_len, 1, IN_SIZE - d->in_len, d->fp);
	if (got == 0 && ferror(d->fp)) {
		snprintf(d->message, sizeof d->message, "%s", strerror(errno));
		return -1;
	}
	if (got == 0)
		d->eof = 1;
	d->in_len += got;
	return 0;
}

/* Choose the converter from the first bytes (the BOM for UTF-16).  A
 * UTF-8 BOM is dropped here too, so that no reader of the text (a title
 * line, the export date in it) sees it as part of the first line. */
static int
start(nz_decoder *d)
{
	const unsigned char *u = (const unsigned char *)d->in;
	const char *from = NULL;

	d->started = 1;
	while (d->in_len < 3 && !d->eof)
		if (refill(d) < 0)
			return -1;
	if (strcasecmp(d->encoding, "utf-8") == 0) {
		if (d->in_len >= 3 && u[0] == 0xEF && u[1] == 0xBB &&
		    u[2] == 0xBF)
			d->in_pos = 3;
	} else if (strcasecmp(d->encoding, "windows-1252") == 0) {
		from = "WINDOWS-1252";
	} else if (strcasecmp(d->encoding, "utf-16") == 0) {
		if (d->in_len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
			from = "UTF-16LE";
		else if (d->in_len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
			from = "UTF-16BE";
		else {
			snprintf(d->message, sizeof d->message, "utf-16 input "
			    "must start with a byte-order mark (FF FE or FE FF)");
			return -1;
		}
		d->in_pos = 2;
	}
	if (from && (d->cd = iconv_open("UTF-8", from)) == (iconv_t)-1) {
		snprintf(d->message, sizeof d->message, "iconv cannot convert "
		    "from %s", from);
		return -1;
	}
	return 0;
}

static size_t
fail(nz_decoder *d, const char **errmsg)
{
	d->failed = 1;
	*errmsg = d->message;
	return 0;
}

static size_t convert(nz_decoder *d, char *buf, size_t n,
    const char **errmsg);

/* A character may need 4 output bytes; small reads go through pend. */
size_t
nz_decoder_read(void *ctx, char *buf, size_t n, const char **errmsg)
{
	nz_decoder *d = ctx;
	size_t take;

	if (n >= sizeof d->pend && d->pend_pos == d->pend_len)
		return convert(d, buf, n, errmsg);
	if (d->pend_pos == d->pend_len) {
		d->pend_pos = 0;
		d->pend_len = convert(d, d->pend, sizeof d->pend, errmsg);
	}
	take = d->pend_len - d->pend_pos;
	if (take > n)
		take = n;
	memcpy(buf, d->pend + d->pend_pos, take);
	d->pend_pos += take;
	return take;
}

static size_t
convert(nz_decoder *d, char *buf, size_t n, const char **errmsg)
{
	char *out = buf, *inp;
	size_t inleft, outleft = n;
	int saved;

	if (d->failed)
		return fail(d, errmsg);
	if (!d->started && start(d) < 0)
		return fail(d, errmsg);
	if (d->in_pos >= d->in_len && !d->eof && refill(d) < 0)
		return fail(d, errmsg);
	if (d->cd == (iconv_t)-1) {
		size_t take = d->in_len - d->in_pos;
		if (take > n)
			take = n;
		memcpy(buf, d->in + d->in_pos, take);
		d->in_pos += take;
		return take;
	}
	for (;;) {
		inp = d->in + d->in_pos;
		inleft = d->in_len - d->in_pos;
		if (iconv(d->cd, &inp, &inleft, &out, &outleft) != (size_t)-1) {
			d->in_pos = d->in_len;
			if (out > buf || d->eof)
				return (size_t)(out - buf);
			if (refill(d) < 0)
				return fail(d, errmsg);
			continue;
		}
		saved = errno;
		d->in_pos = d->in_len - inleft;
		if (saved == E2BIG && out > buf)
			return (size_t)(out - buf);
		if (saved == EINVAL && !d->eof) {
			/* a character cut by the buffer end: read on */
			if (refill(d) < 0)
				return fail(d, errmsg);
			if (!d->eof)
				continue;
		}
		if (saved == EILSEQ)
			snprintf(d->message, sizeof d->message,
			    "invalid %s byte sequence starting 0x%02X",
			    d->encoding, (unsigned char)*inp);
		else
			snprintf(d->message, sizeof d->message,
			    "%s input ends in the middle of a character",
			    d->encoding);
		d->failed = 1;
		if (out > buf)
			return (size_t)(out - buf); /* error on next call */
		return fail(d, errmsg);
	}
}
