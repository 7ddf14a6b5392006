/* secstate.c: the national state of secure mode (DIR/secure.csv, beside
 * received.csv).  Each round opened and each value round summed is a
 * line: period,round,kind,list_sha256,participants,event.  It is what
 * closes the attacks that span rounds:
 *   - one list per quarter: the sums over two lists that differ by one
 *     agency give that agency's cells by subtraction, so a quarter's
 *     rounds all have the list of its first;
 *   - fresh masks: a round number is used once per quarter (the masks
 *     are bound to it), so a re-run over the identical list has new ones;
 *   - one mode per quarter: an agency whose release of the quarter NZCCSS
 *     holds (received.csv) is not in a secure list, a quarter with any
 *     release held is not opened in secure mode, and once a value round
 *     is summed no release of the quarter is taken in (an exact sum
 *     beside agency releases narrows their S). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secure.h"

#define SECURE_FILE "secure.csv"
#define SECURE_LOCK "secure.lock"
#define RECEIVED_FILE "received.csv"

static const char *const cols[] = {"period", "round", "kind",
	"list_sha256", "participants", "event"};
enum { NCOLS = 6 };

static int
lock_dir(const char *dir)
{
	struct flock lock = {0};
	nz_buf b = {0};
	int fd;

	nz_buf_printf(&b, "%s/%s", dir, SECURE_LOCK);
	fd = open(b.s, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s (the national state folder must "
		    "exist)", b.s, strerror(errno));
	lock.l_type = F_WRLCK;
	lock.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &lock) < 0)
		if (errno != EINTR)
			nz_die(NZ_EXIT_DATA, "%s: cannot lock: %s", b.s,
			    strerror(errno));
	nz_buf_free(&b);
	return fd;
}

static char *
participants(const nz_round *r)
{
	nz_buf b = {0};
	size_t i;

	for (i = 0; i < r->nparties; i++)
		nz_buf_printf(&b, "%s%s", i ? " " : "", r->party[i].name);
	return b.s;
}

/* received.csv: no release of the quarter held */
static void
check_received(const char *dir, const nz_round *r)
{
	nz_buf path = {0};
	nz_csv *csv;
	nz_row *row;

	nz_buf_printf(&path, "%s/%s", dir, RECEIVED_FILE);
	if (access(path.s, F_OK) != 0) {
		nz_buf_free(&path);
		return;
	}
	csv = nz_csv_open(path.s, NZ_CSV_CANONICAL);
	while (nz_csv_next(csv, &row) > 0) {
		if (row->line == 1 || row->nfields < 2 ||
		    strcmp(row->field[1], r->quarter) != 0)
			continue;
		if (strcmp(row->field[0], NZ_SEC_AGGREGATOR) == 0)
			nz_die(NZ_EXIT_DATA, "%s: refused: %s is published in "
			    "secure mode already (%s:%ld)", r->path, r->quarter,
			    path.s, row->line);
		if (nz_round_party(r, row->field[0]) >= 0)
			nz_die(NZ_EXIT_DATA, "%s: %s sent a protected release of "
			    "%s (%s:%ld): an agency sends either a masked "
			    "vector or a protected release for a quarter, "
			    "never both; refused", r->path, row->field[0],
			    r->quarter, path.s, row->line);
		nz_die(NZ_EXIT_DATA, "%s: %s is taken in in the default mode "
		    "(%s's release, %s:%ld): a quarter is published from one "
		    "mode only; refused", r->path, r->quarter, row->field[0],
		    path.s, row->line);
	}
	nz_csv_close(csv);
	nz_buf_free(&path);
}

/* the lines of secure.csv for the round's quarter: the checks, and the
 * file's text to write back with the new line */
static void
check_secure(const char *path, const nz_round *r, const char *names,
    int summing, nz_buf *keep)
{
	nz_csv *csv;
	nz_row *row;
	long round;

	if (access(path, F_OK) != 0)
		return;
	csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	nz_csv_expect_header(csv, cols, NCOLS);
	while (nz_csv_next_n(csv, &row, NCOLS) > 0) {
		nz_buf_printf(keep, "%s,%s,%s,%s,%s,%s\n", row->field[0],
		    row->field[1], row->field[2], row->field[3], row->field[4],
		    row->field[5]);
		if (strcmp(row->field[0], r->quarter) != 0)
			continue;
		if (nz_parse_long(row->field[1], 1, 1000000, &round) != 0)
			nz_dieat(NZ_EXIT_DATA, path, row->line, "round: %s",
			    nz_q(row->field[1]));
		if (strcmp(row->field[3], r->list_hash) != 0)
			nz_die(NZ_EXIT_DATA, "%s: refused: %s's secure rounds "
			    "are over another participant list (%s:%ld: %s; "
			    "this one: %s).  A round is never re-run over a "
			    "different list (the difference of two sums "
			    "gives away the agencies in one and not the "
			    "other): re-run it with the identical list and a "
			    "new round number, or publish %s in the default "
			    "mode", r->path, r->quarter, path, row->line,
			    row->field[4], names, r->quarter);
		if (strcmp(row->field[5], "summed") == 0 && !summing)
			nz_die(NZ_EXIT_DATA, "%s: refused: %s is published in "
			    "secure mode already (%s:%ld)", r->path,
			    r->quarter, path, row->line);
		if (!summing && round >= r->round)
			nz_die(NZ_EXIT_DATA, "%s: refused: round %ld of %s was "
			    "opened before (%s:%ld): its masks would be used "
			    "twice; open round %ld or later", r->path,
			    r->round, r->quarter, path, row->line, round + 1);
	}
	nz_csv_close(csv);
}

static void
record(const char *dir, const nz_round *r, const char *event)
{
	nz_buf path = {0}, tmp = {0}, keep = {0};
	const char *field[NCOLS];
	char round[32], *names = participants(r);
	int fd = lock_dir(dir);
	FILE *f;

	nz_buf_printf(&path, "%s/%s", dir, SECURE_FILE);
	nz_buf_printf(&tmp, "%s.tmp", path.s);
	if (strcmp(event, "open") == 0)
		check_received(dir, r);
	nz_hold(names);
	check_secure(path.s, r, names, strcmp(event, "summed") == 0, &keep);
	snprintf(round, sizeof round, "%ld", r->round);
	field[0] = r->quarter;
	field[1] = round;
	field[2] = nz_round_kind_name(r->kind);
	field[3] = r->list_hash;
	field[4] = names;
	field[5] = event;
	f = nz_fopen_out(tmp.s);
	nz_csv_header(f, cols, NCOLS);
	if (keep.len)
		fwrite(keep.s, 1, keep.len, f);
	nz_csv_fields(f, field, NCOLS);
	nz_fclose_out(f, tmp.s);
	nz_state_sync(tmp.s);
	if (rename(tmp.s, path.s) != 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", path.s, strerror(errno));
	close(fd);
	nz_drop(names);
	free(names);
	nz_buf_free(&path);
	nz_buf_free(&tmp);
	nz_buf_free(&keep);
}

void
nz_secstate_open(const char *dir, const nz_round *r)
{
	record(dir, r, "open");
}

void
nz_secstate_summed(const char *dir, const nz_round *r)
{
	record(dir, r, "summed");
}

void
nz_secstate_check_release(const char *dir, const char *path,
    const char *agency, const char *period)
{
	nz_buf sec = {0};
	nz_csv *csv;
	nz_row *row;

	if (strcmp(agency, NZ_SEC_AGGREGATOR) == 0)
		return;
	nz_buf_printf(&sec, "%s/%s", dir, SECURE_FILE);
	if (access(sec.s, F_OK) != 0) {
		nz_buf_free(&sec);
		return;
	}
	csv = nz_csv_open(sec.s, NZ_CSV_CANONICAL);
	nz_csv_expect_header(csv, cols, NCOLS);
	while (nz_csv_next_n(csv, &row, NCOLS) > 0)
		if (strcmp(row->field[0], period) == 0 &&
		    strcmp(row->field[5], "summed") == 0)
			nz_dieat(NZ_EXIT_DATA, path, 0, "%s %s: the quarter is "
			    "published in secure mode (%s:%ld): a quarter is "
			    "published from one mode only; refused", agency,
			    period, sec.s, row->line);
	nz_csv_close(csv);
	nz_buf_free(&sec);
}
