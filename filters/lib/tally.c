/* tally.c: the row accounting of a filter that reads an export (normalise,
 * normalise-assessments): every row read is written or rejected with a
 * reason, the rejected ones go to the rejects file (line,reason,value),
 * and --stats says the counts, which add up.  The reasons are the
 * program's own (a key for the stats, a text for the rejects file); what
 * is done with the counts, and how a summary reads, stays the program's.
 */
#include <stdlib.h>
#include <string.h>

#include "nz.h"

void
nz_tally_init(nz_tally *t, const char *const *key, const char *const *text,
    size_t nreasons)
{
	memset(t, 0, sizeof *t);
	t->key = key;
	t->text = text;
	t->nreasons = nreasons;
	t->rejected = nz_calloc(nreasons, sizeof *t->rejected);
	t->first_line = nz_calloc(nreasons, sizeof *t->first_line);
	t->first_detail = nz_calloc(nreasons, sizeof *t->first_detail);
}

void
nz_tally_open_rejects(nz_tally *t, const char *path)
{
	t->rejects_path = path;
	t->rejects = nz_fopen_out(path);
	fputs("line,reason,value\n", t->rejects);
}

void
nz_tally_reject(nz_tally *t, long line, size_t why, const char *detail,
    const char *value)
{
	const char *reason = detail ? detail : t->text[why];
	size_t len = strlen(value);
	nz_buf shown = {0};

	t->rows_rejected++;
	if (t->rejected[why]++ == 0) {
		t->first_line[why] = line;
		if (detail)
			t->first_detail[why] = nz_strdup(detail);
	}
	if (!t->rejects)
		return;
	if (len > NZ_REJECT_VALUE_MAX) {
		len = NZ_REJECT_VALUE_MAX;
		while (len > 0 && ((unsigned char)value[len] & 0xC0) == 0x80)
			len--;
	}
	nz_buf_add(&shown, value, len);
	if (len < strlen(value))
		nz_buf_adds(&shown, "...");
	fprintf(t->rejects, "%ld,", line);
	nz_csv_field(t->rejects, reason, strlen(reason), 1);
	nz_csv_field(t->rejects, shown.s ? shown.s : "", shown.len, 0);
	putc('\n', t->rejects);
	nz_buf_free(&shown);
}

void
nz_counts_line(nz_buf *b, const char *const *keys, const long *counts,
    size_t n)
{
	size_t i;
	const char *sep = "";

	for (i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		nz_buf_printf(b, "%s%s %ld", sep, keys[i], counts[i]);
		sep = ", ";
	}
}

json_t *
nz_counts_object(const char *const *keys, const long *counts, size_t n)
{
	json_t *obj = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(obj, keys[i], json_integer(counts[i]));
	return obj;
}

json_t *
nz_tally_stats_new(const char *program, const char *input,
    const char *key_fingerprint)
{
	json_t *stats = json_object();

	json_object_set_new(stats, "program", json_string(program));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "input", json_string(input));
	json_object_set_new(stats, "key_fingerprint",
	    json_string(key_fingerprint));
	return stats;
}

void
nz_tally_stats(json_t *stats, const nz_tally *t)
{
	json_object_set_new(stats, "rows_read", json_integer(t->rows_read));
	json_object_set_new(stats, "rows_written",
	    json_integer(t->rows_written));
	json_object_set_new(stats, "rows_rejected",
	    json_integer(t->rows_rejected));
	json_object_set_new(stats, "rejected",
	    nz_counts_object(t->key, t->rejected, t->nreasons));
}

/* The data rows after the header, each counted as read and given to
 * PROCESS, which writes or rejects it; then the end of the input.  A read
 * error exits 1, and so does a failed write to standard output, before
 * any --stats could claim success. */
void
nz_tally_rows(nz_tally *t, nz_rows *rows, void (*process)(void *ctx,
    nz_row *row), void *ctx, int progress)
{
	nz_row *row;
	int r;

	while ((r = nz_rows_next(rows, &row)) > 0) {
		t->rows_read++;
		process(ctx, row);
		nz_progress(stdout, t->rows_read, progress);
	}
	nz_progress_end(t->rows_read, progress);
	if (r < 0)
		exit(NZ_EXIT_DATA);
	nz_rows_close(rows);
	if (fflush(stdout) != 0 || ferror(stdout))
		exit(nz_close_stdout());
}

void
nz_tally_close_rejects(nz_tally *t)
{
	if (t->rejects)
		nz_fclose_out(t->rejects, t->rejects_path);
	t->rejects = NULL;
}

void
nz_tally_free(nz_tally *t)
{
	size_t i;

	for (i = 0; i < t->nreasons; i++)
		free(t->first_detail[i]);
	free(t->first_detail);
	free(t->first_line);
	free(t->rejected);
	t->first_detail = NULL;
	t->first_line = t->rejected = NULL;
}
