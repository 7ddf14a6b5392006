/* io.c: output files and the checked close that catches a full disk. */
#define _GNU_SOURCE /* F_SETPIPE_SZ (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nz.h"

static int stdout_closed;

int
nz_close_stdout(void)
{
	int ret = NZ_EXIT_OK;

	stdout_closed = 1;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		nz_warn("write error on standard output: %s",
		    strerror(errno ? errno : EIO));
		ret = NZ_EXIT_DATA;
	}
	if (fclose(stdout) != 0 && ret == NZ_EXIT_OK) {
		nz_warn("write error on standard output: %s", strerror(errno));
		ret = NZ_EXIT_DATA;
	}
	return ret;
}

void
nz_stdout_atexit(void)
{
	if (stdout_closed)
		return;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		nz_warn("write error on standard output: %s",
		    strerror(errno ? errno : EIO));
		_exit(NZ_EXIT_DATA); /* exit() from an atexit handler is undefined */
	}
}

const char *
nz_tmpdir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

/* glibc's tmpfile() always uses /tmp, whatever $TMPDIR says */
FILE *
nz_tmpfile(void)
{
	nz_buf path = {0};
	FILE *f;
	int fd, saved;

	nz_buf_printf(&path, "%s/nzccss-XXXXXX", nz_tmpdir());
	fd = mkstemp(path.s);
	if (fd < 0) {
		saved = errno;
		nz_buf_free(&path);
		errno = saved;
		return NULL;
	}
	(void)unlink(path.s);   /* gone when closed, as tmpfile's */
	nz_buf_free(&path);
	if (!(f = fdopen(fd, "w+b"))) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return f;
}

char *
nz_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	nz_buf text = {0};
	char buf[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		nz_buf_add(&text, buf, n);
	if (ferror(f))
		nz_die(NZ_EXIT_DATA, "%s: read error: %s", path,
		    strerror(errno ? errno : EIO));
	fclose(f);
	nz_buf_adds(&text, "");
	*len = text.len;
	return text.s;
}

FILE *
nz_fopen_out(const char *path)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdout;
	f = fopen(path, "w");
	if (!f)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	return f;
}

void
nz_fclose_out(FILE *f, const char *path)
{
	int bad;

	if (f == stdout) {
		if (fflush(f) != 0 || ferror(f))
			nz_die(NZ_EXIT_DATA, "write error on standard output: %s",
			    strerror(errno ? errno : EIO));
		return;
	}
	bad = fflush(f) != 0 || ferror(f);
	if (fclose(f) != 0 || bad)
		nz_die(NZ_EXIT_DATA, "%s: write error: %s", path,
		    strerror(errno ? errno : EIO));
}

void
nz_memout_open(nz_memout *m)
{
	m->s = NULL;
	m->len = 0;
	if (!(m->f = open_memstream(&m->s, &m->len)))
		nz_die(NZ_EXIT_DATA, "out of memory");
}

void
nz_memout_write(nz_memout *m, FILE *to)
{
	if (fclose(m->f) != 0)
		nz_die(NZ_EXIT_DATA, "out of memory");
	fwrite(m->s, 1, m->len, to);   /* a failed write: at the close */
	free(m->s);
	*m = (nz_memout){0};
}

#define STREAM_BUF (256 * 1024)  /* stdout buffer of a streaming filter */
#define PIPE_SIZE (1024 * 1024)  /* Linux's limit for unprivileged users */

static void
grow_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
		return;
#ifdef F_SETPIPE_SZ
	/* best effort: the default 64 KiB pipe still works, only slower */
	if (fcntl(fd, F_GETPIPE_SZ) < PIPE_SIZE)
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
#endif
}

void
nz_stream_setup(void)
{
	static char buf[STREAM_BUF];
	int saved = errno; /* a later write error's message must not see ours */

	if (!isatty(STDOUT_FILENO)) {
		setvbuf(stdout, buf, _IOFBF, sizeof buf);
		grow_pipe(STDOUT_FILENO);
	}
	grow_pipe(STDIN_FILENO);
	errno = saved;
}

int
nz_progress_wanted(void)
{
	return isatty(STDERR_FILENO);
}

void
nz_progress_step(FILE *out, long rows, int progress)
{
	if (out && ferror(out))
		exit(nz_close_stdout());
	if (progress)
		fprintf(stderr, "\r%s: %ld rows", nz_prog, rows);
}

void
nz_progress_end(long rows, int progress)
{
	if (progress && rows >= NZ_PROGRESS_EVERY)
		fprintf(stderr, "\r%*s\r", 40, "");
}

const char *
nz_side_path(const char *opt, const char *path)
{
	if (strcmp(path, "-") == 0)
		nz_usage_error("%s needs a file: standard output carries the "
		    "main output", opt);
	return path;
}

int
nz_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
