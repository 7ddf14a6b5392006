/* parallel.c: independent tasks run in worker processes, their results
 * taken by the parent in task order, so that what it writes and says is
 * byte for byte what one process running them one by one would.
 *
 * A worker is forked for a task once the task's data is in memory and
 * fewer than `jobs` workers run: a task may be added while the parent
 * still reads the input of later ones (nz_tasks_add), so a program can
 * start on its first groups before the last has arrived.  A worker runs
 * its task with its standard output on /dev/null and its standard error
 * into a temporary file, and sends its result and messages as one
 * record down its own pipe:
 *   task (uint64), message length (uint64), result length (uint64),
 *   the messages, the result.
 * The parent then gives it the next task not started, as a uint64 down a
 * socket of its own, if that task was added before the worker was forked
 * (its data is then in the worker's memory too); else the worker ends.
 * So a worker runs several tasks where it can, and a fork, with the copy
 * of every page it writes, is paid once for them.  A slow task holds up
 * no other: the next task takes the first free worker.  The parent only
 * reads while tasks run: it keeps each record until the task's turn
 * (nz_tasks_finish), then writes its messages to standard error and
 * takes the result.  A worker that dies (a task that
 * stopped the program, a signal, memory) leaves its task unsent, and the
 * parent runs that task itself at its turn, as it runs a task no worker
 * could be forked for: so a task that stops the program stops the
 * parent, with its own message and exit status, after every task before
 * it was taken, and after everything the parent did before it began
 * taking (a bad row read after the first tasks started stops it first),
 * as in a serial run.  Workers die with the parent (PR_SET_PDEATHSIG), so
 * a stopped run leaves no solver running. */
#define _GNU_SOURCE /* prctl, F_SETPIPE_SZ, MSG_NOSIGNAL (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nz.h"

#define PIPE_SIZE (1 << 20)
#define HEAD (3 * sizeof(uint64_t))

struct worker {
	pid_t pid;
	int fd;         /* the read end of its pipe; -1: a free slot */
	int cmd;        /* our end of its socket: its next task */
	size_t task;
	size_t horizon; /* the tasks added when it was forked: it has the
	                 * data of those, and may take any of them */
	nz_buf inbox;   /* bytes read, not yet its whole record */
};

struct done {
	nz_buf text, result;
	int have;       /* its record came */
	int lost;       /* it has no worker and never will: the parent
	                 * runs it at its turn */
};

struct nz_tasks {
	size_t jobs;    /* workers at once; 1: every task in the parent */
	nz_task_run run;
	nz_task_take take;
	void *arg;
	size_t n, cap;  /* tasks added */
	size_t next;    /* the next task to fork */
	struct done *done;
	struct worker wk[NZ_MAX_JOBS];
	pid_t parent;
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
		nz_usage_error("--jobs: expected a number of jobs from 1 "
		    "to %d, found %s", NZ_MAX_JOBS, nz_q(arg));
	return (int)n;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t put;

	while (n > 0) {
		put = write(fd, s, n);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		s += put;
		n -= (size_t)put;
	}
	return 0;
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
}

/* The next task the parent gives a worker, from its socket: 0, or -1
 * at the end (the parent closed it) or on any failure. */
static int
next_task(int cmd, size_t *i)
{
	uint64_t v;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof v) {
		n = read(cmd, (char *)&v + got, sizeof v - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	*i = (size_t)v;
	return 0;
}

/* The worker that starts with task i: its record, then the next task the
 * parent gives it, until there is none; then _exit (no atexit handler of
 * the parent's runs twice).  Any failure to send ends it, and the parent
 * runs the task. */
static _Noreturn void
work(const nz_tasks *t, size_t i, int fd, int cmd)
{
	FILE *err = nz_tmpfile();
	int null = open("/dev/null", O_WRONLY);
	nz_buf result = {0}, text = {0};
	uint64_t head[3];
	size_t w;

	for (w = 0; w < t->jobs; w++)   /* the other workers' pipes */
		if (t->wk[w].fd >= 0) {
			close(t->wk[w].fd);
			close(t->wk[w].cmd);
		}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
	    getppid() != t->parent || !err || null < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(fileno(err), STDERR_FILENO) < 0)
		_exit(NZ_EXIT_DATA);
	do {
		nz_buf_clear(&result);
		t->run(i, t->arg, &result);
		fflush(stdout);
		fflush(stderr);
		take_messages(STDERR_FILENO, &text);
		if (ftruncate(STDERR_FILENO, 0) != 0 ||
		    lseek(STDERR_FILENO, 0, SEEK_SET) != 0)
			_exit(NZ_EXIT_DATA);
		head[0] = i;
		head[1] = text.len;
		head[2] = result.len;
		if (write_all(fd, head, sizeof head) < 0 ||
		    write_all(fd, text.s, text.len) < 0 ||
		    write_all(fd, result.s, result.len) < 0)
			_exit(NZ_EXIT_DATA);
	} while (next_task(cmd, &i) == 0);
	_exit(NZ_EXIT_OK);
}

/* Free the slot: its worker is killed if it still runs, and waited for;
 * a task it leaves without its record is lost. */
static void
bury(nz_tasks *t, struct worker *wk)
{
	close(wk->fd);
	close(wk->cmd);
	wk->fd = wk->cmd = -1;
	kill(wk->pid, SIGKILL);
	while (waitpid(wk->pid, NULL, 0) < 0 && errno == EINTR)
		;
	wk->pid = 0;
	if (!t->done[wk->task].have)
		t->done[wk->task].lost = 1;
	nz_buf_free(&wk->inbox);
}

/* Fork workers for the tasks not yet started, while slots are free. */
static void
start(nz_tasks *t)
{
	size_t w;
	int fd[2], sv[2];

	for (w = 0; w < t->jobs && t->next < t->n; w++) {
		struct worker *wk = &t->wk[w];
		size_t i = t->next;

		if (wk->fd >= 0)
			continue;
		t->next++;
		if (pipe(fd) != 0) {
			t->done[i].lost = 1;
			continue;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
			close(fd[0]);
			close(fd[1]);
			t->done[i].lost = 1;
			continue;
		}
#ifdef F_SETPIPE_SZ
		(void)fcntl(fd[1], F_SETPIPE_SZ, PIPE_SIZE);
#endif
		fflush(NULL);   /* nothing buffered is written twice */
		wk->pid = fork();
		if (wk->pid == 0) {
			close(fd[0]);
			close(sv[0]);
			work(t, i, fd[1], sv[1]);
		}
		close(fd[1]);
		close(sv[1]);
		if (wk->pid < 0) {
			close(fd[0]);
			close(sv[0]);
			wk->pid = 0;
			t->done[i].lost = 1;
			continue;
		}
		wk->fd = fd[0];
		wk->cmd = sv[0];
		wk->task = i;
		wk->horizon = t->n;
	}
}

/* Give the worker the next task not started, if it has that task's data
 * (forked after it was added); else it is buried.  A worker that cannot
 * be told is buried too, and the task goes to the next. */
static void
next_or_bury(nz_tasks *t, struct worker *wk)
{
	uint64_t v = t->next;

	nz_buf_clear(&wk->inbox);
	if (t->next < wk->horizon && send(wk->cmd, &v, sizeof v,
	    MSG_NOSIGNAL) == (ssize_t)sizeof v) {
		wk->task = t->next++;
		return;
	}
	bury(t, wk);
}

/* The worker's record, once whole, into its task's done (the worker goes
 * on to the next task, or is buried); a record that is not its task's
 * buries it at once. */
static void
unpack(nz_tasks *t, struct worker *wk)
{
	struct done *d = &t->done[wk->task];
	uint64_t head[3];

	if (wk->inbox.len < HEAD)
		return;
	memcpy(head, wk->inbox.s, HEAD);
	if (head[0] != wk->task || head[1] > SIZE_MAX / 4 ||
	    head[2] > SIZE_MAX / 4) {
		bury(t, wk);
		return;
	}
	if (wk->inbox.len != HEAD + head[1] + head[2]) {
		if (wk->inbox.len > HEAD + head[1] + head[2])
			bury(t, wk);   /* more than its record */
		return;
	}
	nz_buf_add(&d->text, wk->inbox.s + HEAD, (size_t)head[1]);
	nz_buf_add(&d->result, wk->inbox.s + HEAD + head[1],
	    (size_t)head[2]);
	d->have = 1;
	next_or_bury(t, wk);
}

/* Read what the workers have sent, waiting for it if wait is set; a
 * worker whose pipe ends is buried. */
static void
gather(nz_tasks *t, int wait)
{
	struct pollfd pfd[NZ_MAX_JOBS];
	size_t w, k, live = 0;
	char buf[65536];
	ssize_t got;

	for (w = 0; w < t->jobs; w++)
		if (t->wk[w].fd >= 0) {
			pfd[live].fd = t->wk[w].fd;
			pfd[live].events = POLLIN;
			live++;
		}
	if (live == 0)
		return;
	while (poll(pfd, live, wait ? -1 : 0) < 0)
		if (errno != EINTR)
			nz_die(NZ_EXIT_DATA, "waiting for the workers: %s",
			    strerror(errno));
	for (w = 0, k = 0; w < t->jobs; w++) {
		struct worker *wk = &t->wk[w];

		if (wk->fd < 0)
			continue;
		if (pfd[k++].revents == 0)
			continue;
		got = read(wk->fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			bury(t, wk);
			continue;
		}
		nz_buf_add(&wk->inbox, buf, (size_t)got);
		unpack(t, wk);
	}
}

nz_tasks *
nz_tasks_new(int jobs, nz_task_run run, nz_task_take take, void *arg)
{
	nz_tasks *t = nz_calloc(1, sizeof *t);
	size_t w;

	t->jobs = jobs < 1 ? 1 : jobs > NZ_MAX_JOBS ? NZ_MAX_JOBS :
	    (size_t)jobs;
	t->run = run;
	t->take = take;
	t->arg = arg;
	t->parent = getpid();
	for (w = 0; w < NZ_MAX_JOBS; w++)
		t->wk[w].fd = t->wk[w].cmd = -1;
	return t;
}

/* One more task, not yet started. */
static void
add_task(nz_tasks *t)
{
	nz_grow(&t->done, &t->cap, t->n + 1, sizeof *t->done);
	memset(&t->done[t->n], 0, sizeof *t->done);
	t->n++;
}

void
nz_tasks_add(nz_tasks *t)
{
	add_task(t);
	if (t->jobs > 1) {
		gather(t, 0);
		start(t);
	}
}

static void
tasks_free(nz_tasks *t)
{
	size_t i, w;

	for (w = 0; w < t->jobs; w++)
		if (t->wk[w].fd >= 0)
			bury(t, &t->wk[w]);
	for (i = 0; i < t->n; i++) {
		nz_buf_free(&t->done[i].text);
		nz_buf_free(&t->done[i].result);
	}
	free(t->done);
	free(t);
}

void
nz_tasks_finish(nz_tasks *t)
{
	struct done *d;
	size_t i;

	for (i = 0; i < t->n; i++) {
		d = &t->done[i];
		while (t->jobs > 1 && !d->have && !d->lost) {
			start(t);
			gather(t, 1);
		}
		if (d->have) {
			if (d->text.len) {
				fwrite(d->text.s, 1, d->text.len, stderr);
				fflush(stderr);
			}
		} else
			t->run(i, t->arg, &d->result);
		t->take(i, t->arg, d->result.s ? d->result.s : "",
		    d->result.len);
		nz_buf_free(&d->text);
		nz_buf_free(&d->result);
	}
	tasks_free(t);
}

void
nz_tasks_abandon(nz_tasks *t)
{
	tasks_free(t);
}

void
nz_parallel(size_t n, int jobs, nz_task_run run, nz_task_take take,
    void *arg)
{
	nz_tasks *t = nz_tasks_new(n < (size_t)jobs ? (int)n : jobs, run,
	    take, arg);
	size_t i;

	/* every task's data is here: all added before any starts, each
	 * worker may take any of them */
	for (i = 0; i < n; i++)
		add_task(t);
	nz_tasks_finish(t);
}
