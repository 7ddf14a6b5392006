/* parallel.c: independent tasks run in worker processes, their results
 * taken by the parent in task order, so that what it writes and says is
 * byte for byte what one process running them one by one would.
 *
 * N workers are forked; each claims the next task nobody has claimed (a
 * compare-and-swap on the task's slot in a shared page, so a task is
 * claimed once and by whom is known), runs it with its standard output
 * on /dev/null and its standard error into a temporary file, and sends
 * its result and messages as one record down its own pipe:
 *   task (uint64), message length (uint64), result length (uint64),
 *   the messages, the result.
 * A slow task holds up no other: the free worker claims the next.  The
 * parent only reads: it keeps each record until the task's turn, then
 * writes its messages to standard error and takes the result.  A worker
 * that dies (a task that stopped the program, a signal, memory) leaves
 * the task it claimed unsent, and the parent runs that task itself at its
 * turn, as it runs every task left when no worker is: so a task that
 * stops the program stops the parent, with its own message and exit
 * status, after every task before it was taken, as in a serial run.
 * Workers die with the parent (PR_SET_PDEATHSIG), so a stopped run
 * leaves no solver running. */
#define _GNU_SOURCE /* prctl, F_SETPIPE_SZ (Linux) */
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
#include <sys/wait.h>
#include <unistd.h>

#include "nz.h"

#define PIPE_SIZE (1 << 20)
#define HEAD (3 * sizeof(uint64_t))
#define PARENT (NZ_MAX_JOBS + 1)   /* a claim by the parent itself */

struct worker {
	pid_t pid;
	int fd;         /* the read end of its pipe; -1: gone */
	nz_buf inbox;   /* bytes read, not yet a whole record */
};

struct done {
	nz_buf text, result;
	int have;
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

/* Claim task i for who (1..N workers, PARENT); 1 if it was free. */
static int
claim(int *slots, size_t i, int who)
{
	int free_slot = 0;

	return __atomic_compare_exchange_n(&slots[i], &free_slot, who, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
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
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		_exit(NZ_EXIT_DATA);
}

/* Worker w (1..N): the tasks it claims, one record each, then _exit (no
 * atexit handler of the parent's runs twice).  Any failure to send ends
 * it, and the parent runs what it had claimed. */
static _Noreturn void
work(int w, int *slots, size_t n, nz_task_run run, void *arg, int fd,
    pid_t parent)
{
	FILE *err = tmpfile();
	int null = open("/dev/null", O_WRONLY);
	nz_buf result = {0}, text = {0};
	uint64_t head[3];
	size_t i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent ||
	    !err || null < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    dup2(fileno(err), STDERR_FILENO) < 0)
		_exit(NZ_EXIT_DATA);
	for (i = 0; i < n; i++) {
		if (!claim(slots, i, w))
			continue;
		nz_buf_clear(&result);
		run(i, arg, &result);
		fflush(stdout);
		fflush(stderr);
		take_messages(STDERR_FILENO, &text);
		head[0] = i;
		head[1] = text.len;
		head[2] = result.len;
		if (write_all(fd, head, sizeof head) < 0 ||
		    write_all(fd, text.s, text.len) < 0 ||
		    write_all(fd, result.s, result.len) < 0)
			_exit(NZ_EXIT_DATA);
	}
	_exit(NZ_EXIT_OK);
}

static void
bury(struct worker *wk)
{
	if (wk->fd >= 0)
		close(wk->fd);
	wk->fd = -1;
	if (wk->pid > 0) {
		kill(wk->pid, SIGKILL);
		while (waitpid(wk->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	wk->pid = 0;
	nz_buf_free(&wk->inbox);
}

/* Whole records in the worker's inbox into done[], consumed; -1 if one
 * is not a record of a task the worker claimed (the worker is buried). */
static int
unpack(struct worker *wk, int w, const int *slots, size_t n,
    struct done *done)
{
	size_t at = 0;
	uint64_t head[3];

	while (wk->inbox.len - at >= HEAD) {
		memcpy(head, wk->inbox.s + at, HEAD);
		if (head[0] >= n || head[1] > SIZE_MAX / 4 ||
		    head[2] > SIZE_MAX / 4 || done[head[0]].have ||
		    __atomic_load_n(&slots[head[0]], __ATOMIC_ACQUIRE) != w)
			return -1;
		if (wk->inbox.len - at - HEAD < head[1] + head[2])
			break;
		at += HEAD;
		nz_buf_add(&done[head[0]].text, wk->inbox.s + at,
		    (size_t)head[1]);
		at += (size_t)head[1];
		nz_buf_add(&done[head[0]].result, wk->inbox.s + at,
		    (size_t)head[2]);
		at += (size_t)head[2];
		done[head[0]].have = 1;
	}
	memmove(wk->inbox.s, wk->inbox.s + at, wk->inbox.len - at);
	wk->inbox.len -= at;
	return 0;
}

/* Wait for any worker's bytes and unpack them; a worker whose pipe ends
 * is buried.  0 when no worker is left. */
static int
gather(struct worker *wk, size_t nw, const int *slots, size_t n,
    struct done *done)
{
	struct pollfd pfd[NZ_MAX_JOBS];
	size_t w, k, live = 0;
	char buf[65536];
	ssize_t got;

	for (w = 0; w < nw; w++)
		if (wk[w].fd >= 0) {
			pfd[live].fd = wk[w].fd;
			pfd[live].events = POLLIN;
			live++;
		}
	if (live == 0)
		return 0;
	while (poll(pfd, live, -1) < 0)
		if (errno != EINTR)
			nz_die(NZ_EXIT_DATA, "waiting for the workers: %s",
			    strerror(errno));
	for (w = 0, k = 0; w < nw; w++) {
		if (wk[w].fd < 0)
			continue;
		if (pfd[k++].revents == 0)
			continue;
		got = read(wk[w].fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			bury(&wk[w]);
			continue;
		}
		nz_buf_add(&wk[w].inbox, buf, (size_t)got);
		if (unpack(&wk[w], (int)w + 1, slots, n, done) < 0)
			bury(&wk[w]);
	}
	return 1;
}

/* Is task i claimed by a worker that is gone, or by nobody with no
 * worker left to claim it? */
static int
orphaned(const struct worker *wk, size_t nw, const int *slots, size_t i)
{
	int who = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);
	size_t w;

	if (who > 0 && who != PARENT)
		return wk[who - 1].fd < 0;
	for (w = 0; w < nw; w++)
		if (wk[w].fd >= 0)
			return 0;
	return 1;
}

static void
serial(size_t n, nz_task_run run, nz_task_take take, void *arg)
{
	nz_buf result = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		nz_buf_clear(&result);
		run(i, arg, &result);
		take(i, arg, result.s ? result.s : "", result.len);
	}
	nz_buf_free(&result);
}

void
nz_parallel(size_t n, int jobs, nz_task_run run, nz_task_take take,
    void *arg)
{
	size_t i, w, nw = jobs < 1 ? 1 : (size_t)jobs, mapped;
	pid_t parent = getpid();
	struct worker *wk;
	struct done *done;
	int *slots, fd[2];

	if (nw > n)
		nw = n;
	if (nw > NZ_MAX_JOBS)
		nw = NZ_MAX_JOBS;
	if (nw <= 1) {
		serial(n, run, take, arg);
		return;
	}
	mapped = n * sizeof *slots;
	slots = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		serial(n, run, take, arg);
		return;
	}
	wk = nz_calloc(nw, sizeof *wk);
	done = nz_calloc(n, sizeof *done);
	fflush(NULL); /* nothing buffered is written twice */
	for (w = 0; w < nw; w++) {
		wk[w].fd = -1;
		if (pipe(fd) != 0)
			continue;
#ifdef F_SETPIPE_SZ
		(void)fcntl(fd[1], F_SETPIPE_SZ, PIPE_SIZE);
#endif
		wk[w].pid = fork();
		if (wk[w].pid == 0) {
			size_t o;
			for (o = 0; o < w; o++)
				if (wk[o].fd >= 0)
					close(wk[o].fd);
			close(fd[0]);
			work((int)w + 1, slots, n, run, arg, fd[1], parent);
		}
		close(fd[1]);
		if (wk[w].pid < 0) {
			close(fd[0]);
			wk[w].pid = 0;
		} else
			wk[w].fd = fd[0];
	}
	for (i = 0; i < n; i++) {
		while (!done[i].have && !orphaned(wk, nw, slots, i))
			(void)gather(wk, nw, slots, n, done);
		if (done[i].have) {
			if (done[i].text.len) {
				fwrite(done[i].text.s, 1, done[i].text.len,
				    stderr);
				fflush(stderr);
			}
		} else {
			(void)claim(slots, i, PARENT);
			run(i, arg, &done[i].result);
		}
		take(i, arg, done[i].result.s ? done[i].result.s : "",
		    done[i].result.len);
		nz_buf_free(&done[i].text);
		nz_buf_free(&done[i].result);
	}
	for (w = 0; w < nw; w++) {
		if (wk[w].fd >= 0)
			close(wk[w].fd);
		if (wk[w].pid > 0)
			while (waitpid(wk[w].pid, NULL, 0) < 0 &&
			    errno == EINTR)
				;
		nz_buf_free(&wk[w].inbox);
	}
	munmap(slots, mapped);
	free(done);
	free(wk);
}
