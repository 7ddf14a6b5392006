/* tap.h: the unit tests' TAP result lines. */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>

static int failures;

/* "ok - what[: detail]" or "not ok - ..."; counts failures for main */
static inline void
check_detail(int ok, const char *what, const char *detail)
{
	printf("%s - %s%s%s\n", ok ? "ok" : "not ok", what,
	    detail ? ": " : "", detail ? detail : "");
	if (!ok)
		failures++;
}

static inline void
check(int ok, const char *what)
{
	check_detail(ok, what, NULL);
}

#endif
