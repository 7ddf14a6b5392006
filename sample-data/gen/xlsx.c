/* xlsx.c: southern's export, an Excel workbook written with
 * libxlsxwriter.  Dates are date cells (serial numbers with a date
 * format), visits with their time of day; each need is a Yes/No column;
 * a title row with the run date sits above a blank row and the header
 * (row 3).  A second sheet holds the CMS's picklists.
 *
 * Byte-identical output: the document's created date is fixed (the run
 * date), and libxlsxwriter stamps every zip entry 1980-01-01 as Excel
 * does; the zip is written to a temporary file (minizip seeks) and then
 * copied to the output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "gen.h"

#define TITLE_ROWS 2		/* the title, a blank row, then the header */
#define RUN_MINUTE (15 * 60 + 5) /* the report ran at 3:05 pm */

/* Columns before the need columns, and after them. */
static const char *const head_cols[] = {"Client Ref", "Whānau Ref", "Name",
	"Date of Birth", "Gender", "Ethnicity", "Phone", "Address", "Region",
	"Whānau Type", "Main Income", "Living Situation", "Visit Date", NULL};
static const char *const tail_cols[] = {"Support Given", "Kai Parcels",
	"Case Worker", NULL};

/* The temporary zip, removed on every way out. */
static char tmp_path[4096];

struct book {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date, *date_time;
};

static _Noreturn void give_up(const char *msg)
{
	unlink(tmp_path);
	die(msg);
}

static void check(lxw_error err, const char *what)
{
	if (err != LXW_NO_ERROR) {
		fprintf(stderr, "%s: workbook: %s: %s\n", PROG, what,
			lxw_strerror(err));
		unlink(tmp_path);
		exit(EXIT_DATA);
	}
}

/* Text in a cell; an empty value is no cell at all, as in Excel. */
static void put_text(struct book *b, lxw_row_t row, lxw_col_t col,
	const char *text, lxw_format *format)
{
	if (*text)
		check(worksheet_write_string(b->ws, row, col, text, format),
			"text cell");
}

static void put_date(struct book *b, lxw_row_t row, lxw_col_t col,
	struct ymd t, int minute, lxw_format *format)
{
	lxw_datetime dt = {t.y, t.m, t.d, minute / 60, minute % 60, 0};
	check(worksheet_write_datetime(b->ws, row, col, &dt, format),
		"date cell");
}

static lxw_col_t put_list(struct book *b, lxw_row_t row, lxw_col_t col,
	const char *const *names, lxw_format *format)
{
	for (; *names; names++)
		put_text(b, row, col++, *names, format);
	return col;
}

static void put_header(struct book *b, const struct agency *ag)
{
	lxw_col_t col = put_list(b, TITLE_ROWS, 0, head_cols, b->bold);
	for (const struct spelling *p = (*ag->vocab)[F_NEED]; p->code; p++)
		put_text(b, TITLE_ROWS, col++, p->local, b->bold);
	put_list(b, TITLE_ROWS, col, tail_cols, b->bold);
}

/* The visit date: a date-time cell, or the planted blank and the text
 * of an impossible date (Excel keeps what it cannot read as a date). */
static void put_visit_date(struct book *b, lxw_row_t row, lxw_col_t col,
	const struct row_ctx *rc)
{
	char text[24];
	if (rc->ev->dirty & DIRTY_NO_DATE)
		return;
	if (rc->ev->dirty & DIRTY_BAD_DATE) {
		rc->ag->fmt_date(text, sizeof text, (struct ymd){2025, 2, 31},
			rc->fmt);
		put_text(b, row, col, text, NULL);
		return;
	}
	put_date(b, row, col, civil_from_days(rc->ev->day), rc->ev->minute,
		b->date_time);
}

static lxw_col_t put_needs(struct book *b, lxw_row_t row, lxw_col_t col,
	const struct row_ctx *rc)
{
	const struct event *e = rc->ev;
	for (const struct spelling *p = (*rc->ag->vocab)[F_NEED]; p->code;
		p++) {
		int named = 0;
		for (int i = 0; i < e->n_need; i++)
			named |= same(e->need[i].code, p->code);
		put_text(b, row, col++, named ? "Yes" : "No", NULL);
	}
	return col;
}

static void put_visit(struct book *b, lxw_row_t row, const struct row_ctx *rc)
{
	const struct client *c = rc->cl;
	const struct event *e = rc->ev;
	char id[24], hh[24], name[96], phone[24], addr[128], region[64];
	struct text s = text_on(name, sizeof name);
	text_str(&s, c->first);
	text_str(&s, " ");
	text_str(&s, c->last);
	fmt_client_id(rc, id, sizeof id);
	fmt_household_id(rc, hh, sizeof hh);
	fmt_phone(rc, phone, sizeof phone);
	fmt_address(rc, 1, addr, sizeof addr);
	fmt_region(rc, region, sizeof region);
	const char *const text[] = {id, hh, name};
	for (lxw_col_t col = 0; col < 3; col++)
		put_text(b, row, col, text[col], NULL);
	if (c->has_birth)
		put_date(b, row, 3, c->birth, 0, b->date);
	const char *const more[] = {e->gender.local,
		nth_local(c->eth, c->n_eth, 0), phone, addr, region,
		e->household.local, e->income.local, e->housing.local};
	for (lxw_col_t i = 0; i < 8; i++)
		put_text(b, row, 4 + i, more[i], NULL);
	put_visit_date(b, row, 12, rc);
	lxw_col_t col = put_needs(b, row, 13, rc);
	put_text(b, row, col++, nth_local(e->service, e->n_service, 0), NULL);
	if (e->units >= 0)
		check(worksheet_write_number(b->ws, row, col, e->units, NULL),
			"number cell");
	put_text(b, row, col + 1, e->worker, NULL);
}

/* The picklists the CMS offers, on a sheet of their own. */
static void put_lists(struct book *b, const struct agency *ag)
{
	static const enum field fields[] = {F_REGION, F_HOUSING, F_SERVICE};
	static const char *const titles[] = {"Region", "Living Situation",
		"Support Given", "Case Worker"};
	b->ws = workbook_add_worksheet(b->wb, "Lists");
	if (!b->ws)
		give_up("workbook: cannot add the Lists sheet");
	for (lxw_col_t col = 0; col < 4; col++)
		put_text(b, 0, col, titles[col], b->bold);
	for (lxw_col_t col = 0; col < 3; col++) {
		lxw_row_t row = 1;
		for (const struct spelling *p = (*ag->vocab)[fields[col]];
			p->code; p++)
			put_text(b, row++, col, p->local, NULL);
	}
	lxw_row_t row = 1;
	for (const struct weight *w = ag->workers; w && w->code; w++)
		put_text(b, row++, 3, w->code, NULL);
}

static void put_title(struct book *b, const struct agency *ag)
{
	char title[96], date[24], clock[16];
	struct text s = text_on(title, sizeof title);
	struct text t = text_on(clock, sizeof clock);
	ag->fmt_date(date, sizeof date, ag->last, NULL);
	text_num(&t, RUN_MINUTE / 60, 2, 10);
	text_str(&t, ":");
	text_num(&t, RUN_MINUTE % 60, 2, 10);
	text_str(&s, "Visits report run ");
	text_str(&s, date);
	text_str(&s, " ");
	text_str(&s, clock);
	put_text(b, 0, 0, title, b->bold);
}

static void fill_book(struct book *b, const struct sample *s)
{
	const struct agency *ag = s->ag;
	struct rng fmt;
	rng_seed(&fmt, hash_name(ag->code) ^ 0x5851f42d4c957f2du);
	b->bold = workbook_add_format(b->wb);
	b->date = workbook_add_format(b->wb);
	b->date_time = workbook_add_format(b->wb);
	format_set_bold(b->bold);
	format_set_num_format(b->date, "d/mm/yyyy");
	format_set_num_format(b->date_time, "d/mm/yyyy h:mm");
	b->ws = workbook_add_worksheet(b->wb, "Visits");
	if (!b->ws)
		give_up("workbook: cannot add the Visits sheet");
	put_title(b, ag);
	put_header(b, ag);
	for (size_t i = 0; i < s->n_ev; i++) {
		const struct event *e = &s->ev[i];
		const struct client *c = &s->cl[e->client];
		struct row_ctx rc = {ag, s, &s->hh[c->household], c, e, NULL,
			&fmt};
		put_visit(b, (lxw_row_t)(TITLE_ROWS + 1 + i), &rc);
	}
	put_lists(b, ag);
}

/* Seconds since the epoch of the run time, New Zealand standard time
 * (UTC+12) in April. */
static time_t run_time(const struct agency *ag)
{
	return (time_t)day_of(ag->last) * 86400 + (RUN_MINUTE - 12 * 60) * 60;
}

static int copy_file(const char *path, FILE *out)
{
	FILE *in = fopen(path, "rb");
	char buf[1 << 16];
	size_t n;
	if (!in)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	int bad = ferror(in) || ferror(out);
	fclose(in);
	return bad ? -1 : 0;
}

int write_workbook(const struct sample *s, FILE *f)
{
	const char *dir = getenv("TMPDIR");
	char *path = tmp_path;
	snprintf(path, sizeof tmp_path, "%s/gen-sample-XXXXXX",
		dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		return EXIT_DATA;
	}
	close(fd);
	lxw_doc_properties props = {.title = "Visits report",
		.company = "Southern Whānau Support (fictional)",
		.created = run_time(s->ag)};
	struct book b = {.wb = workbook_new(path)};
	if (!b.wb)
		give_up("workbook: cannot create one");
	check(workbook_set_properties(b.wb, &props), "properties");
	fill_book(&b, s);
	lxw_error err = workbook_close(b.wb);
	int bad = err != LXW_NO_ERROR || copy_file(path, f) != 0;
	if (err != LXW_NO_ERROR)
		fprintf(stderr, "%s: workbook: %s\n", PROG, lxw_strerror(err));
	unlink(path);
	return bad ? EXIT_DATA : EXIT_OK;
}
