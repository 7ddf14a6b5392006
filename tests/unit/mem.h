/* mem.h: an in-memory byte source for nz_csv_new, for the unit tests
 * and the fuzz harnesses: it hands out at most `step` bytes a call, and
 * at the end reports a read error if fail_at_end is set. */
#ifndef MEM_H
#define MEM_H

#include <string.h>

struct mem {
	const char *data;
	size_t len, pos, step;
	int fail_at_end;
};

static inline size_t
mem_read(void *ctx, char *buf, size_t n, const char **errmsg)
{
	struct mem *m = ctx;
	size_t take = m->len - m->pos;

	if (take == 0 && m->fail_at_end)
		*errmsg = "Input/output error";
	if (take > n)
		take = n;
	if (take > m->step)
		take = m->step;
	memcpy(buf, m->data + m->pos, take);
	m->pos += take;
	return take;
}

#endif
