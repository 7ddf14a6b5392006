/* seckey: a party's key file for secure mode (X25519 + Ed25519 seeds),
 * and the line of its public halves for the pinned-keys file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "secure.h"

static void
usage(void)
{
	printf("Usage: %s --party CODE [--public] KEYFILE\n"
	    "Write a new secure-mode key file for the party CODE (an agency,\n"
	    "or %s for NZCCSS): %d random bytes from libsodium, the seeds of\n"
	    "an X25519 key (crypto_kx: the pairwise masks) and an Ed25519 key\n"
	    "(crypto_sign: signatures), mode 0600, never over an existing\n"
	    "file.  Then print its public halves as a line of the pinned-keys\n"
	    "file: party,kx_public,sign_public.  Give that line to the other\n"
	    "parties out of band (in person, by a call that checks it): each\n"
	    "keeps its own pinned-keys file and takes no key from a round.\n\n"
	    "  -p, --party CODE  the party the key is for\n"
	    "  --public          print the line of an existing key file\n"
	    "  -h, --help        show this help and exit\n"
	    "  -V, --version     show the version and exit\n\n"
	    "Exit status: 0 success, 1 error, 2 usage error.\n",
	    nz_prog, NZ_SEC_AGGREGATOR, NZ_SEC_SEED_BYTES);
	exit(NZ_EXIT_OK);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"party", required_argument, NULL, 'p'},
		{"public", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *party = NULL;
	int c, public_only = 0;
	nz_secret s;

	nz_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "p:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': party = optarg; break;
		case 'P': public_only = 1; break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: nz_usage_error("unknown option");
		}
	}
	if (argc - optind != 1)
		nz_usage_error("expected one KEYFILE");
	if (!party)
		nz_usage_error("--party CODE is required");
	if (!nz_agency_valid(party))
		nz_usage_error("--party: invalid code");
	if (strcmp(argv[optind], "-") == 0)
		nz_usage_error("KEYFILE must be a file: a key is never written "
		    "to standard output");
	if (!public_only)
		nz_secret_create(argv[optind]);
	nz_secret_load(argv[optind], party, &s);
	nz_party_line(stdout, &s.pub);
	nz_secret_wipe(&s);
	return nz_close_stdout();
}
