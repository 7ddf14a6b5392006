/* events.c: the policy events that changes are lined up with
 * (pipelines/policy-events.csv: date,title,url). */
#include <stdlib.h>
#include <string.h>

#include "nz.h"

static int
cmp_event(const void *a, const void *b)
{
	const nz_event *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	if (!c)
		c = strcmp(x->title, y->title);
	return c ? c : strcmp(x->url, y->url);
}

nz_event *
nz_events_load(const char *path, size_t *count)
{
	static const char *const cols[] = {"date", "title", "url"};
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *file = nz_csv_name(csv);
	nz_event *events = NULL;
	size_t n = 0, cap = 0, i;
	nz_row *row;
	int y, m, d;

	nz_csv_expect_header(csv, cols, 3);
	while (nz_csv_next_n(csv, &row, 3) == 1) {
		if (nz_parse_iso_date(row->field[0], &y, &m, &d) != 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "invalid date %s: "
			    "expected a calendar date as YYYY-MM-DD",
			    nz_q(row->field[0]));
		if (row->len[1] == 0)
			nz_dieat(NZ_EXIT_DATA, file, row->line, "empty title");
		nz_grow(&events, &cap, n + 1, sizeof *events);
		events[n].date = nz_strdup(row->field[0]);
		events[n].title = nz_strdup(row->field[1]);
		events[n].url = nz_strdup(row->field[2]);
		events[n].year = y;
		events[n].month = m;
		events[n].day = nz_days_from_civil(y, m, d);
		events[n].line = row->line;
		n++;
	}
	if (n)
		qsort(events, n, sizeof *events, cmp_event);
	for (i = 1; i < n; i++)
		if (cmp_event(&events[i - 1], &events[i]) == 0) {
			long a = events[i - 1].line, b = events[i].line;
			nz_dieat(NZ_EXIT_DATA, file, a > b ? a : b,
			    "the event of line %ld again", a < b ? a : b);
		}
	nz_csv_close(csv);
	*count = n;
	return events;
}

void
nz_events_free(nz_event *events, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(events[i].date);
		free(events[i].title);
		free(events[i].url);
	}
	free(events);
}
