/* generate.c: gen-sample, the deterministic sample-data generator.
 *
 * Writes the raw client-management-system (CMS) export of one of six
 * fictional New Zealand social-service agencies, byte-identical on every
 * run, so the sample build and its tests have realistic, messy input that
 * describes no real person.  Each agency imitates a different CMS: its own
 * file format, encoding, dialect, date format, column names and local
 * spellings.  Two also keep assessments (outcome scores) in a second file.
 *
 *   gen-sample AGENCY                one agency's export on stdout
 *   gen-sample --assessments AGENCY  its assessments file on stdout
 *   gen-sample --bench ROWS          a large export in the first layout
 *
 * Its own PRNG seeded from the agency code, its own calendar and
 * encoders (gen/), and libxlsxwriter for the one workbook: the output
 * depends on nothing but the sources.  This file is the command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"

static _Noreturn void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s%s\n", PROG, msg, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "");
	fprintf(stderr, "Try '%s --help'.\n", PROG);
	exit(EXIT_USAGE);
}

static void print_help(void)
{
	printf("Usage: %s AGENCY\n"
		"  or:  %s --assessments AGENCY\n"
		"  or:  %s --bench ROWS\n"
		"  or:  %s --list\n"
		"Write the raw client-management-system export of a fictional "
		"agency to\nstandard output, byte-identical on every run: a PRNG "
		"seeded from the\nagency code, no clock, no rand().  The people "
		"are made up; the dirty\nrows are planted on purpose (see "
		"sample-data/README.md).\n\nAgencies:\n", PROG, PROG, PROG, PROG);
	for (size_t i = 0; i < n_agencies; i++)
		printf("  %-9s %s\n", agencies[i].code, agencies[i].cms);
	printf("\nOptions:\n"
		"  -a, --assessments AGENCY  write the agency's assessments "
		"file (outcome\n"
		"                    scores) instead, where --list names one\n"
		"  -b, --bench ROWS  write ROWS data rows (0 to 1000000000) in "
		"the layout of\n"
		"                    '%s' (UTF-8 with BOM, comma, CRLF), "
		"for benchmarks\n"
		"  -l, --list        print each agency's code, export file and "
		"assessments\n"
		"                    file (if any), one agency a line\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n\n"
		"Exit status: 0 success, 1 write error, 2 usage error.\n\n"
		"Example:\n  %s northern > sample-data/northern/export.csv\n",
		agencies[0].code, PROG);
}

/* ROWS: decimal digits only, at most 10^9. */
static unsigned long long parse_rows(const char *arg)
{
	unsigned long long rows = 0;
	if (!*arg)
		usage_error("--bench needs a number of rows, got", arg);
	for (const char *p = arg; *p; p++) {
		if (*p < '0' || *p > '9')
			usage_error("--bench needs a number of rows, got", arg);
		rows = rows * 10 + (unsigned long long)(*p - '0');
		if (rows > 1000000000ull)
			usage_error("--bench rows must be at most 1000000000, got",
				arg);
	}
	return rows;
}

/* A write error (full disk, closed pipe) must not pass as success. */
static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "%s: write error on standard output: %s\n",
			PROG, strerror(errno));
		return EXIT_DATA;
	}
	return status;
}

static void list_agencies(void)
{
	for (size_t i = 0; i < n_agencies; i++) {
		const struct agency *ag = &agencies[i];
		printf("%s %s%s%s\n", ag->code, ag->file,
			ag->assess_file ? " " : "",
			ag->assess_file ? ag->assess_file : "");
	}
}

static int run_agency(const char *code, int assessments)
{
	const struct agency *ag = find_agency(code);
	struct sample s;
	int status = EXIT_OK;
	if (!ag)
		usage_error("unknown agency (try --list):", code);
	if (assessments && !ag->assess_file)
		usage_error("this agency keeps no assessments:", code);
	generate(ag, &s);
	if (assessments)
		write_assessments(&s, stdout);
	else if (ag->xlsx)
		status = write_workbook(&s, stdout);
	else
		write_export(&s, stdout);
	free_sample(&s);
	return finish(status);
}

/* The option as typed: "-x" (a short one may sit in a cluster) or "--xyz". */
static const char *bad_option(int opt, char **argv)
{
	static char short_opt[3] = "-?";
	if (opt > 0) {
		short_opt[1] = (char)opt;
		return short_opt;
	}
	return argv[optind - 1];
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"assessments", required_argument, NULL, 'a'},
		{"bench", required_argument, NULL, 'b'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	const char *bench = NULL, *assess = NULL;
	int list = 0, opt;
	opterr = 0; /* our own messages, in our own format */
	while ((opt = getopt_long(argc, argv, ":a:b:lhV", options, NULL)) != -1) {
		switch (opt) {
		case 'a': assess = optarg; break;
		case 'b': bench = optarg; break;
		case 'l': list = 1; break;
		case 'h': print_help(); return finish(EXIT_OK);
		case 'V': printf("%s %s\n", PROG, VERSION);
			return finish(EXIT_OK);
		case ':': usage_error("option needs an argument:",
				argv[optind - 1]);
		default: usage_error("unknown option:", bad_option(optopt, argv));
		}
	}
	int operands = argc - optind;
	if (!!bench + !!list + !!assess > 1)
		usage_error("--assessments, --bench and --list do not go "
			"together", NULL);
	if ((bench || list || assess) && operands > 0)
		usage_error("unexpected argument:", argv[optind]);
	if (list) {
		list_agencies();
		return finish(EXIT_OK);
	}
	if (bench) {
		unsigned long long rows = parse_rows(bench);
		static char buf[1 << 20]; /* big writes: bench speed */
		setvbuf(stdout, buf, _IOFBF, sizeof buf);
		write_bench(rows, stdout);
		return finish(EXIT_OK);
	}
	if (assess)
		return run_agency(assess, 1);
	if (operands != 1)
		usage_error(operands ? "one agency at a time" : "missing AGENCY",
			NULL);
	return run_agency(argv[optind], 0);
}
