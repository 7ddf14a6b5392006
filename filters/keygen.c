/* keygen: make an agency key file: 32 random bytes, mode 0600. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "nz.h"

static void
usage(void)
{
	printf("Usage: %s [--from-hex FILE] KEYFILE\n"
	    "  or:  %s --fingerprint KEYFILE\n"
	    "Write a new agency key: %d random bytes from libsodium, mode 0600.\n"
	    "The key turns client ids into pseudonymous client keys; keep it\n"
	    "outside the repository and never send it anywhere.\n\n"
	    "  --from-hex FILE  write the key held as 64 hex characters in FILE\n"
	    "                   (the sample agencies' DEMO keys; - for\n"
	    "                   standard input) instead\n"
	    "  --fingerprint    print the fingerprint of an existing key: the\n"
	    "                   manifest names the key a release was made with\n"
	    "                   by it; it tells nothing about the key itself\n"
	    "  -h, --help       show this help and exit\n"
	    "  -V, --version    show the version and exit\n\n"
	    "KEYFILE must not exist yet: a key is never overwritten.\n"
	    "Exit status: 0 success, 1 error, 2 usage error.\n",
	    nz_prog, nz_prog, NZ_KEY_BYTES);
	exit(NZ_EXIT_OK);
}

static void
read_hex(const char *path, unsigned char key[NZ_KEY_BYTES])
{
	char text[256];
	size_t n, bin_len;
	int from_stdin = strcmp(path, "-") == 0;
	FILE *f = from_stdin ? stdin : fopen(path, "r");

	if (from_stdin)
		path = "<stdin>";
	if (!f)
		nz_die(NZ_EXIT_DATA, "%s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof text - 1, f);
	if (n == sizeof text - 1 && fgetc(f) != EOF)
		n = 0;   /* far too long to be a key: refused below */
	if (ferror(f))
		nz_die(NZ_EXIT_DATA, "%s: read error: %s", path, strerror(errno));
	if (!from_stdin)
		fclose(f);
	text[n] = '\0';
	nz_trim(text);
	if (sodium_hex2bin(key, NZ_KEY_BYTES, text, strlen(text), NULL,
	    &bin_len, NULL) != 0 || bin_len != NZ_KEY_BYTES ||
	    strlen(text) != 2 * NZ_KEY_BYTES)
		nz_die(NZ_EXIT_DATA, "%s: expected %d hex characters", path,
		    2 * NZ_KEY_BYTES);
	sodium_memzero(text, sizeof text);
}

static int
print_fingerprint(const char *path)
{
	unsigned char key[NZ_KEY_BYTES];
	char fp[NZ_FINGERPRINT_HEX + 1];

	nz_key_load(path, key);
	nz_key_fingerprint(key, fp);
	sodium_memzero(key, sizeof key);
	printf("%s\n", fp);
	return nz_close_stdout();
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"from-hex", required_argument, NULL, 'x'},
		{"fingerprint", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	unsigned char key[NZ_KEY_BYTES];
	const char *hex = NULL;
	int c, fd, fingerprint = 0;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'x': hex = optarg; break;
		case 'f': fingerprint = 1; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (argc - optind != 1)
		nz_usage_error("expected one KEYFILE");
	if (fingerprint && hex)
		nz_usage_error("--fingerprint reads a key; --from-hex writes one");
	if (fingerprint)
		return print_fingerprint(argv[optind]);
	if (strcmp(argv[optind], "-") == 0)
		nz_usage_error("KEYFILE must be a file: a key is never written "
		    "to standard output");
	if (sodium_init() < 0)
		nz_die(NZ_EXIT_DATA, "libsodium failed to initialise");
	if (hex)
		read_hex(hex, key);
	else
		randombytes_buf(key, sizeof key);
	fd = open(argv[optind], O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		nz_die(NZ_EXIT_DATA, "%s: %s", argv[optind], strerror(errno));
	if (write(fd, key, sizeof key) != (ssize_t)sizeof key || close(fd) != 0) {
		unlink(argv[optind]);
		nz_die(NZ_EXIT_DATA, "%s: write error", argv[optind]);
	}
	sodium_memzero(key, sizeof key);
	return NZ_EXIT_OK;
}
