/* parallel.c: independent tasks run in worker processes, their results
 * taken by the parent in task order, so that what it writes and says is
 * byte for byte what one process running them one by one would.
 *
 * Task i goes to worker i % jobs; worker 0 is the parent itself, which
 * runs its own tasks when their turn comes and between them reads the
 * others' results from their pipes.  A worker runs its tasks with its
 * standard output on /dev/null and its standard error into a temporary
 * file, and sends each task's result and messages as one record:
 *   task (uint64), message length (uint64), result length (uint64),
 *   the messages, the result.
 * The parent writes each task's messages to its own standard error just
 * before it takes the result.  A worker that dies (a task that stopped
 * the program, a signal, memory) leaves its tasks from there unsent: the
 * parent runs them itself at their turn, so a task that stops the
 * program stops the parent, with its own message, after every task
 * before it was taken, as in a serial run.  Workers die with the parent
 * (PR_SET_PDEATHSIG), so a stopped run leaves no solver running. */
#define _GNU_SOURCE /* prctl, F_SETPIPE_SZ (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nz.h"

#define PIPE_SIZE (1 << 20)

struct worker {
	pid_t pid;
	FILE *from;     /* NULL: dead or never started; the parent runs */
};

int
nz_jobs_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > NZ_MAX_JOBS ? NZ_MAX_JOBS : (int)n;
}

int
nz_jobs_arg(const char *arg)
{
	long n;

	if (nz_parse_long(arg, 1, NZ_MAX_JOBS, &n) < 0)
		nz_usage_error("--jobs: expected a number of processes from 1 "
		    "to %d, found %s", NZ_MAX_JOBS, nz_q(arg));
	return (int)n;
}

static int
write_all(FILE *f, const void *p, size_t n)
{
	return n == 0 || fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* Read back what the task wrote to the temporary standard error. */
static void
take_messages(int fd, nz_buf *text)
{
	char buf[8192];
	ssize_t got;

	nz_buf_clear(text);
	if (lseek(fd, 0, SEEK_SET) != 0)
		_exit(NZ_EXIT_DATA);
	while ((got = read(fd, buf, sizeof buf)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			_exit(NZ_EXIT_DATA);
		nz_buf_add(text, buf, (size_t)got);
	}
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		_exit(NZ_EXIT_DATA);
}

/* A worker: its tasks, one record each, then _exit (no atexit handler
 * of the parent's runs twice).  Any failure to send ends it, and the
 * parent runs what is missing. */
static _Noreturn void
work(size_t w, size_t jobs, size_t n, nz_task_run run, void *arg, int fd,
    pid_t parent)
{
	FILE *out = fdopen(fd, "wb");
	FILE *err = tmpfile();
	int null = open("/dev/null", O_WRONLY);
	nz_buf result = {0}, text = {0};
	uint64_t head[3];
	size_t i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent ||
	    !out || !err || null < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(fileno(err), STDERR_FILENO) < 0)
		_exit(NZ_EXIT_DATA);
	for (i = w; i < n; i += jobs) {
		nz_buf_clear(&result);
		run(i, arg, &result);
		fflush(stdout);
		fflush(stderr);
		take_messages(STDERR_FILENO, &text);
		head[0] = i;
		head[1] = text.len;
		head[2] = result.len;
		if (write_all(out, head, sizeof head) < 0 ||
		    write_all(out, text.s, text.len) < 0 ||
		    write_all(out, result.s, result.len) < 0 ||
		    fflush(out) != 0)
			_exit(NZ_EXIT_DATA);
	}
	_exit(NZ_EXIT_OK);
}

/* Task i's record from its worker, or -1 (the worker is gone). */
static int
receive(struct worker *wk, size_t i, nz_buf *text, nz_buf *result)
{
	uint64_t head[3];

	if (!wk->from || fread(head, sizeof head, 1, wk->from) != 1 ||
	    head[0] != i || head[1] > SIZE_MAX / 2 || head[2] > SIZE_MAX / 2)
		return -1;
	nz_buf_clear(text);
	nz_buf_clear(result);
	nz_grow(&text->s, &text->cap, (size_t)head[1] + 1, 1);
	nz_grow(&result->s, &result->cap, (size_t)head[2] + 1, 1);
	if ((head[1] && fread(text->s, 1, head[1], wk->from) != head[1]) ||
	    (head[2] && fread(result->s, 1, head[2], wk->from) != head[2]))
		return -1;
	text->len = (size_t)head[1];
	result->len = (size_t)head[2];
	text->s[text->len] = result->s[result->len] = '\0';
	return 0;
}

static void
bury(struct worker *wk)
{
	if (wk->from)
		fclose(wk->from);
	wk->from = NULL;
	if (wk->pid > 0) {
		kill(wk->pid, SIGKILL);
		while (waitpid(wk->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	wk->pid = 0;
}

void
nz_parallel(size_t n, int jobs, nz_task_run run, nz_task_take take,
    void *arg)
{
	struct worker *wk;
	pid_t parent = getpid();
	nz_buf text = {0}, result = {0};
	size_t i, w, nw = jobs < 1 ? 1 : (size_t)jobs;
	int fd[2];

	if (nw > n)
		nw = n ? n : 1;
	wk = nz_calloc(nw, sizeof *wk);
	fflush(NULL); /* nothing buffered is written twice */
	for (w = 1; w < nw; w++) {
		if (pipe(fd) != 0)
			break;
#ifdef F_SETPIPE_SZ
		(void)fcntl(fd[1], F_SETPIPE_SZ, PIPE_SIZE);
#endif
		wk[w].pid = fork();
		if (wk[w].pid == 0) {
			size_t o;
			for (o = 1; o < w; o++)
				if (wk[o].from)
					close(fileno(wk[o].from));
			close(fd[0]);
			work(w, nw, n, run, arg, fd[1], parent);
		}
		close(fd[1]);
		if (wk[w].pid < 0 || !(wk[w].from = fdopen(fd[0], "rb"))) {
			close(fd[0]);
			bury(&wk[w]);
		}
	}
	for (i = 0; i < n; i++) {
		w = i % nw;
		if (w != 0 && receive(&wk[w], i, &text, &result) == 0) {
			if (text.len) {
				fwrite(text.s, 1, text.len, stderr);
				fflush(stderr);
			}
		} else {
			if (w != 0)
				bury(&wk[w]);
			nz_buf_clear(&result);
			run(i, arg, &result);
		}
		take(i, arg, result.s ? result.s : "", result.len);
	}
	for (w = 1; w < nw; w++) {
		int status;
		if (wk[w].from)
			fclose(wk[w].from);
		if (wk[w].pid > 0)
			while (waitpid(wk[w].pid, &status, 0) < 0 &&
			    errno == EINTR)
				;
	}
	nz_buf_free(&text);
	nz_buf_free(&result);
	free(wk);
}
