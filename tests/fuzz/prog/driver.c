/* driver.c: AFL++ harnesses of the programs (issue #9).
 *
 * Each program's own main, compiled with -Dmain=nzmain_<prog> and linked
 * here, runs on one fuzzed file with fixed, valid configuration, exactly
 * as the binary would: AFL++'s fork server starts a fresh process for each
 * input, so nz_die's exit(), static state and getopt need no care.  An exit
 * with status 1 or 2 is a normal rejection; only a signal (a sanitizer
 * abort, a segfault) or a hang is a finding.
 *
 * usage: fuzz-progs HARNESS FILE     run from the repository root, with
 *   NZ_FUZZ_WORK  a scratch folder for the files made from FILE
 *   NZ_FUZZ_KEYS  a folder holding <agency>.key for the sample agencies
 *
 * The first byte of FILE chooses the configuration (so one harness covers
 * every sample agency or rule set); the rest is the fuzzed file itself.
 *   normalise       an export, with agency sel%4's profile and key
 *   map-categories  canonical events, with agency sel%4's map (plain,
 *                   --strict or --suggest by sel/4%3)
 *   bucket          mapped events, with the national age bands (and
 *                   --from/--to when sel is odd)
 *   aggregate       bucketed events, with the table spec and agency sel%4's
 *                   profile (its regions)
 *   suppress        internal cells, with rules file sel%3
 *   merge           release folder b (release.csv, manifest.json when sel
 *                   is odd, intervals.csv when sel & 2) merged with the
 *                   fixed release a
 *   normalise-xlsx  an .xlsx export (normalise-xls: .xls), with the
 *                   workbook profile of fixtures/ (sel%2: its sheet by
 *                   name and title rows, or the first sheet) and a key
 *                   of its own (fuzz.key)
 *   reference       a reference table (pipelines/reference/NAME.json) for
 *                   field sel%8, used by a map over agency sel/8%4's
 *                   canonical events (sel/32%2: --suggest)
 *   configs         one JSON configuration, kind sel%8, on a small valid
 *                   input of agency sel/8%4: profile (normalise), map,
 *                   code list (field sel/32%8), table spec, age bands
 *                   (bucket), rules (suppress), profile (aggregate's
 *                   regions), rules (audit)
 * Fixtures, the fixed inputs, are in tests/fuzz/prog/fixtures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int nzmain_normalise(int argc, char **argv);
int nzmain_map_categories(int argc, char **argv);
int nzmain_bucket(int argc, char **argv);
int nzmain_aggregate(int argc, char **argv);
int nzmain_suppress(int argc, char **argv);
int nzmain_merge(int argc, char **argv);
int nzmain_audit(int argc, char **argv);

#define FIX "tests/fuzz/prog/fixtures"
#define NARGS 24

static const char *agencies[] = {"northern", "capital", "eastern", "kaishare"};
static const char *rules[] = {"statsnz", "strict", "threshold-only"};
static const char *fields[] = {"region", "gender", "ethnicity", "household",
	"income", "housing", "need", "service"};

static const char *work, *keys;
static char *argv_[NARGS];
static int argc_;

static void
fail(const char *what, const char *path)
{
	/* a harness set-up error, not a finding: exit, never abort */
	fprintf(stderr, "fuzz-progs: %s %s: %s\n", what, path, strerror(errno));
	exit(3);
}

/* a string that lives until exit (kept reachable: no leak reports) */
static char *
fmt(const char *f, const char *a, const char *b)
{
	static char *kept[64];
	static size_t nkept;
	char *s;
	size_t n = strlen(f) + strlen(a) + strlen(b) + 1;

	s = malloc(n);
	if (!s || nkept == sizeof kept / sizeof *kept)
		abort();
	kept[nkept++] = s;
	snprintf(s, n, f, a, b);
	return s;
}

static void
arg(const char *s)
{
	if (argc_ == NARGS - 1)
		abort();
	argv_[argc_++] = (char *)s;
	argv_[argc_] = NULL;
}

static void
write_file(const char *path, const unsigned char *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fail("cannot write", path);
}

static void
copy_file(const char *from, const char *to)
{
	static unsigned char buf[1 << 16];
	FILE *in = fopen(from, "rb");
	size_t n;

	if (!in)
		fail("cannot read", from);
	n = fread(buf, 1, sizeof buf, in);
	fclose(in);
	if (n == sizeof buf)
		fail("fixture too large", from);
	write_file(to, buf, n);
}

/* the fuzzed file, written to WORK/name; returns its path */
static char *
fuzzed(const char *name, const unsigned char *data, size_t size)
{
	char *path = fmt("%s/%s", work, name);

	write_file(path, data, size);
	return path;
}

/* folder WORK/name with every national code list, field `which` fuzzed */
static char *
codes_dir(const char *name, int which, const unsigned char *data, size_t size)
{
	char *dir = fmt("%s/%s", work, name), *path;
	size_t i;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		fail("cannot make", dir);
	for (i = 0; i < sizeof fields / sizeof *fields; i++) {
		path = fmt("%s/%s.json", dir, fields[i]);
		if ((int)i == which)
			write_file(path, data, size);
		else
			copy_file(fmt("pipelines/codes/%s.json", fields[i], ""),
			    path);
	}
	return dir;
}

static const char *
key(const char *agency)
{
	return fmt("%s/%s.key", keys, agency);
}

static int
configs(int sel, const unsigned char *data, size_t size)
{
	const char *a = agencies[(sel / 8) % 4], *path;

	switch (sel % 8) {
	case 0:         /* the agency profile, as normalise reads it */
		path = fuzzed("profile.json", data, size);
		arg("normalise"); arg("--profile"); arg(path);
		arg("--key"); arg(key(a));
		arg("--rejects"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
		arg(fmt(FIX "/export-%s%s", a, strcmp(a, "capital") == 0 ?
		    ".txt" : ".csv"));
		return nzmain_normalise(argc_, argv_);
	case 1:         /* the agency map */
		path = fuzzed("map.json", data, size);
		arg("map-categories"); arg("--map"); arg(path);
		arg("--codes"); arg("pipelines/codes");
		arg("--unmapped"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
		arg(fmt(FIX "/canonical-%s.csv", a, ""));
		return nzmain_map_categories(argc_, argv_);
	case 2:         /* one national code list */
		path = codes_dir("codes", (sel / 32) % 8, data, size);
		arg("map-categories"); arg("--map");
		arg(fmt("sample-data/%s/map.json", a, ""));
		arg("--codes"); arg(path);
		arg("--unmapped"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
		arg(fmt(FIX "/canonical-%s.csv", a, ""));
		return nzmain_map_categories(argc_, argv_);
	case 3:         /* the table spec */
		path = fuzzed("tables.json", data, size);
		arg("aggregate"); arg("--tables"); arg(path);
		arg("--codes"); arg("pipelines/codes");
		arg("--bands"); arg("pipelines/age-bands.json");
		arg("--profile"); arg(fmt("sample-data/%s/profile.json", a, ""));
		arg("--stats"); arg("/dev/null");
		arg(fmt(FIX "/bucketed-%s.csv", a, ""));
		return nzmain_aggregate(argc_, argv_);
	case 4:         /* the age bands */
		path = fuzzed("age-bands.json", data, size);
		arg("bucket"); arg("--bands"); arg(path);
		arg("--stats"); arg("/dev/null");
		arg(fmt(FIX "/mapped-%s.csv", a, ""));
		return nzmain_bucket(argc_, argv_);
	case 5:         /* the disclosure rules, as suppress reads them */
		path = fuzzed("rules.json", data, size);
		arg("suppress"); arg("--rules"); arg(path);
		arg("--stats"); arg("/dev/null");
		arg(fmt(FIX "/cells-%s.csv", a, ""));
		return nzmain_suppress(argc_, argv_);
	case 6:         /* the profile's regions, as aggregate reads them */
		path = fuzzed("profile.json", data, size);
		arg("aggregate"); arg("--tables"); arg("pipelines/tables.json");
		arg("--codes"); arg("pipelines/codes");
		arg("--bands"); arg("pipelines/age-bands.json");
		arg("--profile"); arg(path); arg("--stats"); arg("/dev/null");
		arg(fmt(FIX "/bucketed-%s.csv", a, ""));
		return nzmain_aggregate(argc_, argv_);
	default:        /* the disclosure rules, as audit reads them */
		path = fuzzed("rules.json", data, size);
		arg("audit"); arg("--rules"); arg(path);
		arg(FIX "/audit-release.csv");
		return nzmain_audit(argc_, argv_);
	}
}

/* A fuzzed reference table, used by a map over canonical events. */
static int
reference(int sel, const unsigned char *data, size_t size)
{
	const char *field = fields[sel % 8], *a = agencies[(sel / 8) % 4];
	char *dir = fmt("%s/%s", work, "ref"), *map = fmt("%s/%s", work,
	    "map.json");
	FILE *f;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		fail("cannot make", dir);
	fuzzed("ref/fuzz.json", data, size);
	if (!(f = fopen(map, "w")) || fprintf(f, "{\"agency\": \"%s\", "
	    "\"use\": {\"%s\": [\"fuzz\"]}, \"fields\": {}}\n", a, field) <
	    0 || fclose(f) != 0)
		fail("cannot write", map);
	arg("map-categories"); arg("--map"); arg(map);
	arg("--codes"); arg("pipelines/codes"); arg("--reference"); arg(dir);
	arg("--unmapped"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
	if ((sel / 32) % 2)
		arg("--suggest");
	arg(fmt(FIX "/canonical-%s.csv", a, ""));
	return nzmain_map_categories(argc_, argv_);
}

int
main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	const char *h, *a;
	char *dir, *path;
	size_t size;
	FILE *f;
	int sel;

	if (argc != 3) {
		fprintf(stderr, "usage: fuzz-progs HARNESS FILE\n");
		return 3;
	}
	h = argv[1];
	work = getenv("NZ_FUZZ_WORK");
	keys = getenv("NZ_FUZZ_KEYS");
	if (!work || !keys) {
		fprintf(stderr, "fuzz-progs: set NZ_FUZZ_WORK and NZ_FUZZ_KEYS\n");
		return 3;
	}
	if (!(f = fopen(argv[2], "rb")))
		fail("cannot read", argv[2]);
	size = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (size == 0)
		return 0;
	sel = buf[0];
	a = agencies[sel % 4];
	if (strcmp(h, "normalise") == 0) {
		path = fuzzed("export", buf + 1, size - 1);
		arg("normalise");
		arg("--profile"); arg(fmt("sample-data/%s/profile.json", a, ""));
		arg("--key"); arg(key(a));
		arg("--rejects"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
		arg(path);
		return nzmain_normalise(argc_, argv_);
	}
	if (strcmp(h, "map-categories") == 0) {
		path = fuzzed("canonical.csv", buf + 1, size - 1);
		arg("map-categories");
		arg("--map"); arg(fmt("sample-data/%s/map.json", a, ""));
		arg("--codes"); arg("pipelines/codes");
		arg("--unmapped"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
		if ((sel / 4) % 3 == 1)
			arg("--strict");
		else if ((sel / 4) % 3 == 2)
			arg("--suggest");
		arg(path);
		return nzmain_map_categories(argc_, argv_);
	}
	if (strcmp(h, "bucket") == 0) {
		path = fuzzed("mapped.csv", buf + 1, size - 1);
		arg("bucket"); arg("--bands"); arg("pipelines/age-bands.json");
		arg("--rejects"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
		if (sel % 2) {
			arg("--from"); arg("2024Q4"); arg("--to"); arg("2025Q2");
		}
		arg(path);
		return nzmain_bucket(argc_, argv_);
	}
	if (strcmp(h, "aggregate") == 0) {
		path = fuzzed("bucketed.csv", buf + 1, size - 1);
		arg("aggregate"); arg("--tables"); arg("pipelines/tables.json");
		arg("--codes"); arg("pipelines/codes");
		arg("--bands"); arg("pipelines/age-bands.json");
		arg("--profile"); arg(fmt("sample-data/%s/profile.json", a, ""));
		arg("--stats"); arg("/dev/null");
		arg(path);
		return nzmain_aggregate(argc_, argv_);
	}
	if (strcmp(h, "suppress") == 0) {
		path = fuzzed("cells.csv", buf + 1, size - 1);
		arg("suppress");
		arg("--rules"); arg(fmt("pipelines/rules/%s.json",
		    rules[sel % 3], ""));
		arg("--stats"); arg("/dev/null");
		arg(path);
		return nzmain_suppress(argc_, argv_);
	}
	if (strcmp(h, "merge") == 0) {
		/* release-bb with one file fuzzed: the manifest when sel is
		 * odd, else intervals.csv when sel & 2, else release.csv */
		static const char *const files[] = {"release.csv",
		    "manifest.json", "intervals.csv"};
		int which = sel % 2 ? 1 : sel & 2 ? 2 : 0, f;

		dir = fmt("%s/%s", work, "bb");
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			fail("cannot make", dir);
		for (f = 0; f < 3; f++) {
			if (f == which)
				fuzzed(fmt("bb/%s", files[f], ""), buf + 1,
				    size - 1);
			else
				copy_file(fmt(FIX "/release-bb/%s", files[f], ""),
				    fmt("%s/%s", dir, files[f]));
		}
		arg("merge"); arg(FIX "/release-aa"); arg(dir);
		return nzmain_merge(argc_, argv_);
	}
	if (strcmp(h, "normalise-xlsx") == 0 ||
	    strcmp(h, "normalise-xls") == 0) {
		const char *ext = h + strlen("normalise-");
		path = fuzzed(fmt("export.%s", ext, ""), buf + 1, size - 1);
		arg("normalise");
		arg("--profile"); arg(fmt(FIX "/profile-%s%s.json", ext,
		    sel % 2 ? "-first" : ""));
		arg("--key"); arg(fmt("%s/%s.key", keys, "fuzz"));
		arg("--max-reject"); arg("100");
		arg("--rejects"); arg("/dev/null"); arg("--stats"); arg("/dev/null");
		if (sel % 2 == 0) {
			arg("--worker"); arg("/dev/null");
		}
		arg(path);
		return nzmain_normalise(argc_, argv_);
	}
	if (strcmp(h, "reference") == 0)
		return reference(sel, buf + 1, size - 1);
	if (strcmp(h, "configs") == 0)
		return configs(sel, buf + 1, size - 1);
	fprintf(stderr, "fuzz-progs: no harness %s\n", h);
	return 3;
}
