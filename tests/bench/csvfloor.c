/* csvfloor.c: the floor of the benchmark: libcsv's bare parse of a file.
 *
 * Reads the file in 64 KiB chunks and runs csv_parse over them with
 * no-op callbacks, in the options every program uses (strict, every space
 * kept), so nothing of ours is measured: no field copies, no line
 * tracking, no output.  Prints the records seen.
 * usage: csvfloor FILE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#define CHUNK 65536

static void
on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	(void)data;
}

static void
on_record(int term, void *data)
{
	(void)term;
	++*(unsigned long *)data;
}

static int
keep_space(unsigned char c)
{
	(void)c;
	return 0;
}

int
main(int argc, char **argv)
{
	static char buf[CHUNK];
	struct csv_parser parser;
	unsigned long records = 0;
	size_t n;
	FILE *fp;

	if (argc != 2) {
		fprintf(stderr, "usage: csvfloor FILE\n");
		return 2;
	}
	fp = fopen(argv[1], "rb");
	if (!fp) {
		fprintf(stderr, "csvfloor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return 1;
	csv_set_space_func(&parser, keep_space);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (csv_parse(&parser, buf, n, on_field, on_record,
		    &records) != n) {
			fprintf(stderr, "csvfloor: %s: %s\n", argv[1],
			    csv_strerror(csv_error(&parser)));
			return 1;
		}
	csv_fini(&parser, on_field, on_record, &records);
	csv_free(&parser);
	fclose(fp);
	printf("%lu records\n", records);
	return 0;
}
