/* map-categories: an agency's local category values to national codes. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nz.h"

/* canonical events (schema.c): the columns, the most there can be, and
 * where the categorical fields start (they follow in field order) */
#define MAX_COLUMNS (6 + NZ_MAX_FIELDS)
static const char *const *columns;
static size_t NCOLUMNS;
static int FIRST_FIELD_COLUMN;
static int NFIELDS;     /* nz_nfields(), counted once: map_row asks per column */

/* one map.json entry, or a reference table's: a folded local value and
 * its code */
struct entry {
	char *key;          /* folded */
	size_t len;
	char *raw;          /* as written in the map, for messages */
	int code;           /* index in the field's code list */
	int table;          /* 0: the map's own; else 1 + the table's index */
};

/* a value as it came and the code it mapped to: the same few spellings
 * come on every row, so most rows skip folding and the map's hash.  Two
 * ways a slot: a field's dozen values would often share a slot, and take
 * it from each other on every row. */
#define MEMO_SLOTS 64
#define MEMO_WAYS 2
#define MEMO_MAX 47
struct memo {
	unsigned char len;     /* 0: empty slot */
	char raw[MEMO_MAX];
	int code;
};

/* per field (static: the same for the whole run) */
static struct memo memos[NZ_MAX_FIELDS][MEMO_SLOTS][MEMO_WAYS];

struct field_map {
	nz_codes *codes;
	size_t *code_len;      /* code index -> its length */
	struct entry *entry;
	size_t n, cap;
	nz_strset *keys;       /* folded key -> entry, in map order */
	int *rank;             /* code index -> bytewise order of its code */
	int *by_rank;          /* bytewise order -> code index */
	unsigned char *seen;   /* one row's codes, by rank */
	int *hits;             /* the ranks set in seen, in order met */
	long unmapped, empty;
};

/* an unmapped (field, folded value) and how often it came */
struct miss {
	int field;
	char *key;
	size_t len;
	char *shown;   /* the bytewise smallest spelling seen */
	long count;
};

struct tally {
	struct miss *miss;
	size_t n, cap;
	nz_strset *keys;   /* field number byte, then folded key -> miss */
};

struct run {
	const char *map_path;   /* NULL: --suggest from scratch */
	const char *ref_dir;    /* the reference tables */
	char *use;              /* the map's "use", as JSON, for --suggest */
	nz_reftable **tables;   /* the tables the map uses, in its order */
	size_t ntables;
	char *agency;           /* the map's, or the first row's */
	struct field_map field[NZ_MAX_FIELDS];
	struct tally tally;
	nz_buf folded, joined[NZ_MAX_FIELDS]; /* a row's mapped lists */
	nz_buf tally_key;       /* a field and a folded value */
	long rows_read, rows_written;
	int progress, header_done;
};

static void
usage(void)
{
	printf("Usage: %s --map MAP.json [OPTION]... [FILE]...\n"
"Map the categorical fields of canonical events from the agency's local\n"
"values to the national codes, and write mapped events (CSV, the same\n"
"columns) on standard output:\n"
"  agency,client_key,household_key,event_date,age,gender,ethnicity,region,\n"
"  household,income,housing,need,service,units\n"
"The fields mapped are gender, ethnicity, region, household, income,\n"
"housing, need and service; the others pass unchanged.  With no FILE, or\n"
"when FILE is -, read standard input.\n\n"
"  -m, --map FILE       the agency map (JSON), required except with\n"
"                       --suggest\n"
"  -c, --codes DIR      the national code lists DIR/FIELD.json (default:\n"
"                       $NZ_PIPELINES/codes if set, else the pipelines/codes\n"
"                       directory of the repository this program was built\n"
"                       in, found from its own path)\n"
"  -u, --unmapped FILE  write field,value,count of every value that was\n"
"                       unmapped or empty, sorted by field then value\n"
"  -r, --reference DIR  the reference tables DIR/NAME.json a map may use\n"
"                       (default: as --codes, the pipelines/reference\n"
"                       directory)\n"
"      --strict         list unmapped values on standard error and exit 1\n"
"                       if there are any (empty values do not count)\n"
"      --suggest        write, instead of events, a starter map (JSON) of\n"
"                       every distinct unmapped value with its \"_count\",\n"
"                       for staff to fill in the codes; a value that is a\n"
"                       national label of its field, or a name in a\n"
"                       reference table for it, has its code filled in and\n"
"                       a \"_guess\" saying where it came from, to check\n"
"  -s, --stats FILE     write row accounting as JSON; the warnings are the\n"
"                       unmapped and the empty values by field\n"
"  -h, --help           show this help and exit\n"
"  -V, --version        show the version and exit\n\n"
"Map:\n"
"  {\"agency\": \"akcm\",\n"
"   \"fields\": {\"gender\": {\"M\": \"1\", \"Female\": \"2\"},\n"
"              \"region\": {\"Hawke's Bay\": \"06\"},\n"
"              \"need\": {\"Food\": \"food\", \"Rent\": {\"code\": \"housing\"}}}}\n"
"  A local value maps to a code of the field's national list, written as a\n"
"  string or as {\"code\": ...}.  Keys starting with '_' (notes, \"_count\")\n"
"  are ignored.  A national code maps to itself only if the map says so.\n"
"  The map's agency must be the agency of every row.\n"
"  \"use\": {\"ethnicity\": [\"ethnicity\"], \"region\":\n"
"  [\"territorial-authorities\", \"towns\"]} adds the names of those\n"
"  reference tables (Stats NZ ethnic groups at every level; territorial\n"
"  authorities and main towns to regional councils) to the field: the\n"
"  map's own entries win over them, and an earlier table over a later.\n\n"
"Matching:\n"
"  Ignores case, surrounding and repeated white space (also no-break\n"
"  spaces), macrons (a e i o u with a macron, or a combining macron, match\n"
"  the plain vowel) and curly quotes (‘ ’ “ ” match ' \"): Māori = Maori =\n"
"  ' MAORI ', Hawke’s Bay = Hawke's Bay.  Two map keys that match each\n"
"  other but map to different codes are an error.\n\n"
"Values:\n"
"  ethnicity, income, need and service hold several values joined by '|':\n"
"  each is mapped, and the codes are written sorted bytewise, without\n"
"  repeats, joined by '|'.  An unmapped or empty value becomes the field's\n"
"  not-stated code and is counted; in a list, the not-stated code is kept\n"
"  only when no other code is left (as Stats NZ total response does).\n"
"  A summary of unmapped values goes to standard error.\n\n"
"Exit status:\n"
"  0 success (values may have been unmapped), 1 data or input error (bad\n"
"  map or code list, wrong header, agency mismatch, malformed CSV, write\n"
"  error, unmapped values with --strict), 2 usage error.\n",
	    nz_prog);
	exit(NZ_EXIT_OK);
}

/* ==== folding: the form in which values are compared ==== */

static int
is_space_cp(unsigned long cp)
{
	return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
	    cp == 0x205F || cp == 0x3000;
}

/* The folded form of one code point: 0 drops it, ' ' is white space. */
static unsigned long
fold_cp(unsigned long cp)
{
	switch (cp) {
	case 0x100: case 0x101: return 'a';
	case 0x112: case 0x113: return 'e';
	case 0x12A: case 0x12B: return 'i';
	case 0x14C: case 0x14D: return 'o';
	case 0x16A: case 0x16B: return 'u';
	case 0x304: return 0;               /* combining macron */
	case 0x2018: case 0x2019: return '\'';
	case 0x201C: case 0x201D: return '"';
	}
	if (is_space_cp(cp))
		return ' ';
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 0x20;           /* Latin-1 capitals */
	return cp;
}

/* decode one UTF-8 sequence at p (valid: the reader checked); 0 if bad */
static size_t
utf8_decode(const unsigned char *p, const unsigned char *end,
    unsigned long *cp)
{
	size_t n, i;

	if (*p >= 0xF0)
		n = 4, *cp = *p & 0x07;
	else if (*p >= 0xE0)
		n = 3, *cp = *p & 0x0F;
	else if (*p >= 0xC0)
		n = 2, *cp = *p & 0x1F;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3F);
	}
	return n;
}

static char *
utf8_encode(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* Fold s[0..len) into out: lower case, macrons and curly quotes off, white
 * space runs to one space, none at the ends.  Never longer than s. */
static void
fold(const char *s, size_t len, nz_buf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *o, *start;
	int space = 0;
	unsigned long cp;
	size_t n;

	nz_grow(&out->s, &out->cap, len + 1, 1);
	start = o = out->s;
	while (p < end) {
		if (*p < 0x80) {
			cp = *p++;
			if (cp == ' ' || (cp >= '\t' && cp <= '\r'))
				cp = ' ';
			else if (cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
		} else if ((n = utf8_decode(p, end, &cp)) > 0) {
			p += n;
			cp = fold_cp(cp);
			if (cp == 0)
				continue;
		} else {
			cp = 0;
			*o++ = (char)*p++;   /* not UTF-8: compare as is */
			continue;
		}
		if (cp == ' ') {
			space = 1;
			continue;
		}
		if (space && o > start)
			*o++ = ' ';
		space = 0;
		o = utf8_encode(o, cp);
	}
	*o = '\0';
	out->len = (size_t)(o - start);
}

/* ==== the map ==== */

static const struct entry *
lookup(const struct field_map *fm, const char *key, size_t len)
{
	long at = fm->keys ? nz_strset_findn(fm->keys, key, len) : -1;

	return at < 0 ? NULL : &fm->entry[at];
}

/* line of a local value in the map: searched from its field's line */
static long
value_line(const char *path, const char *field, const char *value)
{
	long fields = nz_json_key_line(path, "fields", 1);
	long at = nz_json_key_line(path, field, fields ? fields : 1);

	return nz_json_key_line(path, value, at ? at : 1);
}

/* the code a map value names: "code" or {"code": "code", "_...": ...} */
static const char *
target_code(const char *path, const char *field, const char *value,
    json_t *target)
{
	const char *key;
	json_t *v;

	if (json_is_object(target)) {
		json_object_foreach(target, key, v)
			if (key[0] != '_' && strcmp(key, "code") != 0)
				nz_dieat(NZ_EXIT_DATA, path, value_line(path,
				    field, value), "%s %s: unknown key %s "
				    "(expected \"code\")", field, nz_q(value),
				    nz_q(key));
		target = json_object_get(target, "code");
	}
	if (!json_is_string(target))
		nz_dieat(NZ_EXIT_DATA, path, value_line(path, field, value),
		    "%s %s must map to a code (a string)", field, nz_q(value));
	return json_string_value(target);
}

/* A new entry: the folded value (not yet in the map) and its code; table
 * 0 for the map's own, else 1 + the reference table's index. */
static void
append_entry(struct field_map *fm, const nz_buf *folded, const char *value,
    int ci, int table)
{
	struct entry *e;

	if (!fm->keys)
		fm->keys = nz_strset_new();
	nz_strset_addn(fm->keys, folded->s, folded->len, NULL);
	nz_grow(&fm->entry, &fm->cap, fm->n + 1, sizeof *fm->entry);
	e = &fm->entry[fm->n++];
	e->key = nz_strndup(folded->s, folded->len);
	e->len = folded->len;
	e->raw = nz_strdup(value);
	e->code = ci;
	e->table = table;
}

static void
add_entry(struct run *run, int f, const char *value, json_t *target)
{
	struct field_map *fm = &run->field[f];
	const char *field = nz_field_name(f), *path = run->map_path;
	const char *code = target_code(path, field, value, target);
	int ci = nz_codes_find(fm->codes, code, strlen(code));
	const struct entry *old;

	if (!*code)
		nz_dieat(NZ_EXIT_DATA, path, value_line(path, field, value),
		    "%s %s has no code yet: fill one in from %s, or remove "
		    "it", field, nz_q(value), fm->codes->path);
	if (ci < 0)
		nz_dieat(NZ_EXIT_DATA, path, value_line(path, field, value),
		    "%s %s maps to %s, not in %s", field, nz_q(value),
		    nz_q(code), fm->codes->path);
	fold(value, strlen(value), &run->folded);
	if (run->folded.len == 0)
		nz_dieat(NZ_EXIT_DATA, path, value_line(path, field, value),
		    "%s: an empty value cannot be mapped (empty is always "
		    "not stated)", field);
	if (fm->codes->multi && strchr(value, '|'))
		nz_dieat(NZ_EXIT_DATA, path, value_line(path, field, value),
		    "%s %s: '|' separates the values of %s, so no value "
		    "holds one", field, nz_q(value), field);
	if ((old = lookup(fm, run->folded.s, run->folded.len)) != NULL) {
		if (old->code != ci)
			nz_dieat(NZ_EXIT_DATA, path, value_line(path, field,
			    value), "%s %s and %s (line %ld) match each other "
			    "but map to %s and %s", field, nz_q(value),
			    nz_q(old->raw), value_line(path, field, old->raw),
			    nz_q(code), nz_q(fm->codes->code[old->code]));
		return;
	}
	append_entry(fm, &run->folded, value, ci, 0);
}

/* One name of reference table number ti (1-based): below the map's own
 * entries and the tables listed before it; two names of one table that
 * match each other must have one code. */
static void
add_table_entry(struct run *run, int f, int ti, const char *value, int ci)
{
	struct field_map *fm = &run->field[f];
	const nz_reftable *t = run->tables[ti - 1];
	const struct entry *old;

	fold(value, strlen(value), &run->folded);
	if (run->folded.len == 0 || strchr(value, '|'))
		nz_dieat(NZ_EXIT_DATA, t->path, nz_json_key_line(t->path, value,
		    1), "name %s cannot be mapped (empty, or holds '|')",
		    nz_q(value));
	if ((old = lookup(fm, run->folded.s, run->folded.len)) != NULL) {
		if (old->table == ti && old->code != ci)
			nz_dieat(NZ_EXIT_DATA, t->path, nz_json_key_line(t->path,
			    value, 1), "names %s and %s match each other but "
			    "have codes %s and %s", nz_q(value), nz_q(old->raw),
			    nz_q(fm->codes->code[ci]),
			    nz_q(fm->codes->code[old->code]));
		return;   /* the map's own entry, or an earlier table's, wins */
	}
	append_entry(fm, &run->folded, value, ci, ti);
}

/* "use": {"region": ["territorial-authorities", "towns"], ...}: each
 * table's names join the field's map, after the map's own entries. */
static void
load_use(struct run *run, json_t *use)
{
	const char *path = run->map_path, *field;
	json_t *names, *name;
	nz_reftable *t;
	size_t i, k;
	int f;

	if (!json_is_object(use))
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "use", 1),
		    "\"use\" must be an object of field: [reference tables]");
	json_object_foreach(use, field, names) {
		f = nz_field_index(field);
		if (f < 0 || !json_is_array(names))
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, field,
			    1), "\"use\": %s must be a field with an array of "
			    "reference table names", nz_q(field));
		json_array_foreach(names, i, name) {
			if (!json_is_string(name))
				nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(
				    path, field, 1), "\"use\": the tables of %s "
				    "must be names", field);
			t = nz_reftable_load(run->ref_dir,
			    json_string_value(name), run->field[f].codes, 0);
			run->tables = nz_realloc(run->tables,
			    (run->ntables + 1) * sizeof *run->tables);
			run->tables[run->ntables++] = t;
			for (k = 0; k < t->n; k++)
				add_table_entry(run, f, (int)run->ntables,
				    t->value[k], t->code[k]);
		}
	}
}

static void
load_fields(struct run *run, json_t *fields)
{
	const char *name, *value;
	json_t *values, *target;
	int f;

	json_object_foreach(fields, name, values) {
		/* the assessment areas are normalise-assessments' (issue 23) */
		if (name[0] == '_' || strcmp(name, "outcome_domain") == 0)
			continue;
		f = nz_field_index(name);
		if (f < 0)
			nz_dieat(NZ_EXIT_DATA, run->map_path, nz_json_key_line(
			    run->map_path, name, 1), "unknown field %s "
			    "(the fields are gender, ethnicity, region, "
			    "household, income, housing, need, service)",
			    nz_q(name));
		if (!json_is_object(values))
			nz_dieat(NZ_EXIT_DATA, run->map_path, nz_json_key_line(
			    run->map_path, name, 1), "%s must be an object of "
			    "local value: code", name);
		json_object_foreach(values, value, target)
			add_entry(run, f, value, target);
	}
}

static void
load_map(struct run *run)
{
	const char *path = run->map_path, *key;
	json_t *root = nz_json_load(path), *v, *fields;

	json_object_foreach(root, key, v)
		if (key[0] != '_' && strcmp(key, "agency") != 0 &&
		    strcmp(key, "fields") != 0 && strcmp(key, "use") != 0)
			nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, key,
			    1), "unknown key %s (expected \"agency\", \"fields\" "
			    "and \"use\")", nz_q(key));
	run->agency = nz_strdup(nz_json_str(path, root, "agency", NULL));
	if (!run->agency[0])
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "agency",
		    1), "\"agency\" is empty");
	fields = json_object_get(root, "fields");
	if (!json_is_object(fields))
		nz_dieat(NZ_EXIT_DATA, path, nz_json_key_line(path, "fields",
		    1), "\"fields\" must be an object of field: {local value: "
		    "code}");
	load_fields(run, fields);
	if (json_object_get(root, "use")) {
		load_use(run, json_object_get(root, "use"));
		run->use = json_dumps(json_object_get(root, "use"),
		    JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	nz_json_free(root);
}

static const nz_codes *sort_codes; /* for cmp_rank */

static int
cmp_rank(const void *a, const void *b)
{
	return strcmp(sort_codes->code[*(const int *)a],
	    sort_codes->code[*(const int *)b]);
}

static void
load_codes(struct run *run, const char *dir)
{
	struct field_map *fm;
	size_t i;
	int f;

	for (f = 0; f < nz_nfields(); f++) {
		fm = &run->field[f];
		fm->codes = nz_codes_load(dir, nz_dims[nz_field_dim(f)].codes);
		if (fm->codes->not_stated_index < 0)
			nz_dieat(NZ_EXIT_DATA, fm->codes->path, 1, "no "
			    "\"not_stated\": a mapped field's list needs one "
			    "(an empty or unmapped value goes there)");
		fm->code_len = nz_calloc(fm->codes->n, sizeof *fm->code_len);
		for (i = 0; i < fm->codes->n; i++)
			fm->code_len[i] = strlen(fm->codes->code[i]);
		fm->rank = nz_calloc(fm->codes->n, sizeof *fm->rank);
		fm->by_rank = nz_calloc(fm->codes->n, sizeof *fm->by_rank);
		fm->seen = nz_calloc(fm->codes->n, 1);
		fm->hits = nz_calloc(fm->codes->n, sizeof *fm->hits);
		for (i = 0; i < fm->codes->n; i++)
			fm->by_rank[i] = (int)i;
		sort_codes = fm->codes;
		qsort(fm->by_rank, fm->codes->n, sizeof *fm->by_rank,
		    cmp_rank);
		for (i = 0; i < fm->codes->n; i++)
			fm->rank[fm->by_rank[i]] = (int)i;
	}
}

static void
free_run(struct run *run)
{
	size_t i;
	int f;

	for (f = 0; f < nz_nfields(); f++) {
		struct field_map *fm = &run->field[f];
		for (i = 0; i < fm->n; i++) {
			free(fm->entry[i].key);
			free(fm->entry[i].raw);
		}
		free(fm->entry);
		nz_strset_free(fm->keys);
		free(fm->code_len);
		free(fm->rank);
		free(fm->by_rank);
		free(fm->seen);
		free(fm->hits);
		nz_codes_free(fm->codes);
	}
	for (i = 0; i < run->tally.n; i++) {
		free(run->tally.miss[i].key);
		free(run->tally.miss[i].shown);
	}
	free(run->tally.miss);
	nz_strset_free(run->tally.keys);
	for (i = 0; i < run->ntables; i++)
		nz_reftable_free(run->tables[i]);
	free(run->tables);
	free(run->use);
	free(run->agency);
	nz_buf_free(&run->folded);
	nz_buf_free(&run->tally_key);
	for (f = 0; f < nz_nfields(); f++)
		nz_buf_free(&run->joined[f]);
}

/* ==== unmapped values ==== */

/* bytewise s[0..len) < t */
static int
before(const char *s, size_t len, const char *t)
{
	size_t tlen = strlen(t);
	int c = memcmp(s, t, len < tlen ? len : tlen);

	return c < 0 || (c == 0 && len < tlen);
}

/* count one unmapped value: key is folded, shown[0..slen) as written */
static void
count_miss(struct run *run, int f, const char *shown, size_t slen)
{
	struct tally *t = &run->tally;
	const nz_buf *key = &run->folded;
	struct miss *m;
	nz_buf *tkey = &run->tally_key;
	size_t at;
	int added;

	while (slen && (*shown == ' ' || *shown == '\t'))
		shown++, slen--;
	while (slen && (shown[slen - 1] == ' ' || shown[slen - 1] == '\t'))
		slen--;
	if (!t->keys)
		t->keys = nz_strset_new();
	nz_buf_clear(tkey);
	nz_buf_addc(tkey, (char)f);
	nz_buf_add(tkey, key->s, key->len);
	at = nz_strset_addn(t->keys, tkey->s, tkey->len, &added);
	if (!added) {
		m = &t->miss[at];
		m->count++;
		if (before(shown, slen, m->shown)) {
			free(m->shown);
			m->shown = nz_strndup(shown, slen);
		}
		return;
	}
	nz_grow(&t->miss, &t->cap, t->n + 1, sizeof *t->miss);
	m = &t->miss[t->n++];
	m->field = f;
	m->key = nz_strndup(key->s, key->len);
	m->len = key->len;
	m->shown = nz_strndup(shown, slen);
	m->count = 1;
}

/* ==== mapping one row ==== */

/* code index of a value already folded into run->folded, or -1 (and
 * counted) when it is unmapped or empty */
static int
map_folded(struct run *run, int f, const char *s, size_t len)
{
	struct field_map *fm = &run->field[f];
	const struct entry *e;

	if (run->folded.len == 0) {
		fm->empty++;
		count_miss(run, f, "", 0);
		return -1;
	}
	e = lookup(fm, run->folded.s, run->folded.len);
	if (e)
		return e->code;
	fm->unmapped++;
	count_miss(run, f, s, len);
	return -1;
}

/* the ways of a value's slot */
static struct memo *
memo_slot(int f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	return memos[f][(len * 7 + u[0] * 3 + u[len / 2] * 5 + u[len - 1]) %
	    MEMO_SLOTS];
}

/* s[0..len) = t[0..len), for 1 to MEMO_MAX bytes: a word at a time, as a
 * call of memcmp costs more than these few bytes */
static int
same_bytes(const char *s, const char *t, size_t len)
{
	uint64_t a, b;
	size_t i;

	if (len < 8) {
		for (i = 0; i < len; i++)
			if (s[i] != t[i])
				return 0;
		return 1;
	}
	for (i = 0; i + 8 < len; i += 8) {
		memcpy(&a, s + i, 8);
		memcpy(&b, t + i, 8);
		if (a != b)
			return 0;
	}
	memcpy(&a, s + len - 8, 8);   /* the last 8, overlapping */
	memcpy(&b, t + len - 8, 8);
	return a == b;
}

/* the code of a mapped value seen before, else -1 */
static int
memo_get(int f, const char *s, size_t len)
{
	struct memo *m;
	int w;

	if (len == 0 || len > MEMO_MAX)
		return -1;
	m = memo_slot(f, s, len);
	for (w = 0; w < MEMO_WAYS; w++)
		if (m[w].len == len && same_bytes(m[w].raw, s, len))
			return m[w].code;
	return -1;
}

/* into the first way while it is empty, else the last: the values first
 * seen, mostly the common ones, keep their place */
static void
memo_put(int f, const char *s, size_t len, int code)
{
	struct memo *m;

	if (len == 0 || len > MEMO_MAX || code < 0)
		return;
	m = memo_slot(f, s, len);
	if (m->len)
		m += MEMO_WAYS - 1;
	m->len = (unsigned char)len;
	memcpy(m->raw, s, len);
	m->code = code;
}

static int
map_value(struct run *run, int f, const char *s, size_t len)
{
	int code = memo_get(f, s, len);

	if (code >= 0)
		return code;
	fold(s, len, &run->folded);
	code = map_folded(run, f, s, len);
	memo_put(f, s, len, code);
	return code;
}

/* Map a '|' list: each value, codes sorted bytewise without repeats; the
 * not-stated code only when nothing else is left.  Only the ranks met are
 * touched: a list holds a few of a code list's values. */
static void
map_list(struct run *run, int f, const char *s, size_t len, nz_buf *out)
{
	struct field_map *fm = &run->field[f];
	const char *end = s + len, *bar;
	size_t i, j, k = 0;
	int ns = fm->codes->not_stated_index, nsr = fm->rank[ns], any = 0;
	int others = 0, code, rk;

	for (; s <= end; s = bar + 1) {
		bar = memchr(s, '|', (size_t)(end - s));
		if (!bar)
			bar = end;
		/* a remembered value folds to something: it is a value */
		code = memo_get(f, s, (size_t)(bar - s));
		if (code < 0) {
			fold(s, (size_t)(bar - s), &run->folded);
			if (run->folded.len == 0)
				continue;   /* an empty list item is no value */
			code = map_folded(run, f, s, (size_t)(bar - s));
			memo_put(f, s, (size_t)(bar - s), code);
		}
		any = 1;
		rk = fm->rank[code < 0 ? ns : code];
		if (!fm->seen[rk]) {
			fm->seen[rk] = 1;
			fm->hits[k++] = rk;
			others |= rk != nsr;
		}
	}
	if (!any)
		map_value(run, f, "", 0);   /* counted as empty */
	for (i = 0; i < k; i++)
		fm->seen[fm->hits[i]] = 0;
	if (!others) {
		fm->hits[0] = nsr;
		k = 1;
	} else { /* not stated goes when anything else is there */
		for (i = j = 0; i < k; i++)
			if (fm->hits[i] != nsr)
				fm->hits[j++] = fm->hits[i];
		k = j;
	}
	for (i = 1; i < k; i++) { /* insertion sort: by rank is bytewise */
		rk = fm->hits[i];
		for (j = i; j > 0 && fm->hits[j - 1] > rk; j--)
			fm->hits[j] = fm->hits[j - 1];
		fm->hits[j] = rk;
	}
	nz_buf_clear(out);
	for (i = 0; i < k; i++) {
		code = fm->by_rank[fm->hits[i]];
		if (out->len)
			nz_buf_addc(out, '|');
		nz_buf_add(out, fm->codes->code[code], fm->code_len[code]);
	}
}

static void
check_agency(struct run *run, const char *input, const nz_row *row)
{
	if (!run->agency) {   /* --suggest without a map: the first row's */
		run->agency = nz_strdup(row->field[0]);
		return;
	}
	if (strcmp(row->field[0], run->agency) != 0)
		nz_dieat(NZ_EXIT_DATA, input, row->line, "agency %s does not "
		    "match %s, the agency of %s", nz_q(row->field[0]),
		    nz_q(run->agency), run->map_path ? run->map_path :
		    "the first row");
}

/* map one row, writing it to out (NULL: only count, for --suggest) */
static void
map_row(struct run *run, const nz_row *row, FILE *out)
{
	const struct field_map *fm;
	const char *val[MAX_COLUMNS];
	size_t len[MAX_COLUMNS];
	int col, f, code;

	for (col = 0; col < (int)NCOLUMNS; col++) {
		val[col] = row->field[col];
		len[col] = row->len[col];
		f = col - FIRST_FIELD_COLUMN;
		if (f < 0 || f >= NFIELDS)
			continue;
		fm = &run->field[f];
		/* a list of one value maps, and is counted, as a single value
		 * is: most rows' lists are one value */
		if (fm->codes->multi && memchr(val[col], '|', len[col])) {
			map_list(run, f, val[col], len[col], &run->joined[f]);
			val[col] = run->joined[f].s;
			len[col] = run->joined[f].len;
			continue;
		}
		code = map_value(run, f, val[col], len[col]);
		if (code < 0)
			code = fm->codes->not_stated_index;
		val[col] = fm->codes->code[code];
		len[col] = fm->code_len[code];
	}
	if (out)
		nz_csv_record(out, val, len, NCOLUMNS);
}

static void
map_file(struct run *run, const char *path, FILE *out)
{
	nz_csv *csv = nz_csv_open(path, NZ_CSV_CANONICAL);
	const char *input = nz_csv_name(csv);
	nz_row *row;

	nz_csv_expect_header(csv, columns, NCOLUMNS);
	if (out && !run->header_done) {
		nz_csv_header(out, columns, NCOLUMNS);
		run->header_done = 1;
	}
	while (nz_csv_next_n(csv, &row, NCOLUMNS) > 0) {
		run->rows_read++;
		check_agency(run, input, row);
		map_row(run, row, out);
		run->rows_written++;
		nz_progress(out, run->rows_read, run->progress);
	}
	nz_progress_end(run->rows_read, run->progress);
	nz_csv_close(csv);
}

/* ==== reports ==== */

static int
cmp_miss(const void *a, const void *b)
{
	const struct miss *x = *(struct miss *const *)a;
	const struct miss *y = *(struct miss *const *)b;
	int c = strcmp(nz_field_name(x->field), nz_field_name(y->field));

	return c ? c : strcmp(x->shown, y->shown);
}

/* the unmapped values sorted by field name then value; free() the array */
static struct miss **
sorted_misses(const struct tally *t)
{
	struct miss **v = nz_calloc(t->n, sizeof *v);
	size_t i;

	for (i = 0; i < t->n; i++)
		v[i] = &t->miss[i];
	qsort(v, t->n, sizeof *v, cmp_miss);
	return v;
}

static void
write_unmapped(const struct run *run, const char *path)
{
	struct miss **v = sorted_misses(&run->tally);
	FILE *f = nz_fopen_out(path);
	size_t i;

	fputs("field,value,count\n", f);
	for (i = 0; i < run->tally.n; i++) {
		const char *field = nz_field_name(v[i]->field);
		nz_csv_field(f, field, strlen(field), 1);
		nz_csv_field(f, v[i]->shown, strlen(v[i]->shown), 0);
		fprintf(f, ",%ld\n", v[i]->count);
	}
	nz_fclose_out(f, path);
	free(v);
}

/* "gender 2, need 3" of the non-zero counts; the total */
static long
counts_line(const struct run *run, nz_buf *b)
{
	const char *sep = "";
	long total = 0;
	int f;

	for (f = 0; f < nz_nfields(); f++) {
		if (!run->field[f].unmapped)
			continue;
		nz_buf_printf(b, "%s%s %ld", sep, nz_field_name(f),
		    run->field[f].unmapped);
		total += run->field[f].unmapped;
		sep = ", ";
	}
	return total;
}

/* One line on standard error, so no unmapped value passes unseen; with
 * --strict every value first.  Returns 1 when --strict fails. */
static int
summarise(const struct run *run, int strict)
{
	struct miss **v;
	nz_buf b = {0};
	long total = counts_line(run, &b);
	size_t i;

	if (total && strict) {
		v = sorted_misses(&run->tally);
		for (i = 0; i < run->tally.n; i++)
			if (v[i]->len)
				nz_warn("%s %s is not in the map (%ld time%s)",
				    nz_field_name(v[i]->field), nz_q(v[i]->shown),
				    v[i]->count, v[i]->count == 1 ? "" : "s");
		free(v);
	}
	if (total)
		nz_warn("%ld value%s not in the map became not stated: %s%s",
		    total, total == 1 ? "" : "s", b.s, strict ? " (--strict: add them to the map; "
		    "--suggest lists them)" : "");
	nz_buf_free(&b);
	return total && strict;
}

static void
write_stats(const struct run *run, const char *path)
{
	json_t *stats = json_object(), *warnings = json_object();
	nz_buf key = {0};
	int f_i;

	json_object_set_new(stats, "program", json_string(nz_prog));
	json_object_set_new(stats, "version", json_string(NZ_VERSION));
	json_object_set_new(stats, "rows_read", json_integer(run->rows_read));
	json_object_set_new(stats, "rows_written",
	    json_integer(run->rows_written));
	json_object_set_new(stats, "rows_rejected", json_integer(0));
	json_object_set_new(stats, "rejected", json_object());
	for (f_i = 0; f_i < nz_nfields(); f_i++) {
		nz_buf_clear(&key);
		nz_buf_printf(&key, "unmapped_%s", nz_field_name(f_i));
		json_object_set_new(warnings, key.s,
		    json_integer(run->field[f_i].unmapped));
	}
	for (f_i = 0; f_i < nz_nfields(); f_i++) {
		nz_buf_clear(&key);
		nz_buf_printf(&key, "empty_%s", nz_field_name(f_i));
		json_object_set_new(warnings, key.s,
		    json_integer(run->field[f_i].empty));
	}
	json_object_set_new(stats, "warnings", warnings);
	nz_json_write(path, stats);
	nz_buf_free(&key);
}

static void
put_json_string(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

/* the national codes of the fields in the suggestion, for reference */
static void
suggest_codes(const struct run *run, const int *fields, int nfields)
{
	const nz_codes *codes;
	size_t i;
	int k;

	fputs(",\n  \"_codes\": {", stdout);
	for (k = 0; k < nfields; k++) {
		codes = run->field[fields[k]].codes;
		printf("%s\n    \"%s\": {", k ? "," : "", nz_field_name(fields[k]));
		for (i = 0; i < codes->n; i++) {
			fputs(i ? ",\n      " : "\n      ", stdout);
			put_json_string(stdout, codes->code[i]);
			fputs(": ", stdout);
			put_json_string(stdout, codes->label[i]);
		}
		fputs("\n    }", stdout);
	}
	fputs("\n  }", stdout);
}

/* ---- guesses for --suggest ---- */

struct guesser {
	nz_reftable **tables;   /* every table in the reference folder */
	int *field;             /* each one's field */
	size_t n;
	nz_buf folded;
};

static void
load_guesser(const struct run *run, struct guesser *g)
{
	size_t n, i;
	char **names = nz_reftable_names(run->ref_dir, &n);
	nz_reftable *t;
	int f;

	nz_hold(names);
	for (i = 0; i < n; i++) {
		for (f = 0; f < nz_nfields(); f++) {
			t = nz_reftable_load(run->ref_dir, names[i],
			    run->field[f].codes, 1);
			if (!t)
				continue;
			g->tables = nz_realloc(g->tables,
			    (g->n + 1) * sizeof *g->tables);
			g->field = nz_realloc(g->field,
			    (g->n + 1) * sizeof *g->field);
			g->tables[g->n] = t;
			g->field[g->n++] = f;
		}
		free(names[i]);
	}
	nz_drop(names);
	free(names);
}

static void
free_guesser(struct guesser *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		nz_reftable_free(g->tables[i]);
	free(g->tables);
	free(g->field);
	nz_buf_free(&g->folded);
}

/* 1 if the folded value is the label, or one of its " / " parts (the
 * gender list's "Female / Wahine" names two) */
static int
label_matches(struct guesser *g, const char *label, const struct miss *m)
{
	const char *part = label, *slash;
	size_t len;

	for (;;) {
		slash = strstr(part, " / ");
		len = slash ? (size_t)(slash - part) : strlen(part);
		fold(part, len, &g->folded);
		if (g->folded.len == m->len && memcmp(g->folded.s, m->key,
		    m->len) == 0)
			return 1;
		if (!slash)
			return 0;
		part = slash + 3;
	}
}

/* The code of an unmapped value whose folded form is a national label of
 * its field, or a name in a reference table for it; -1 if none.  *how
 * says which. */
static int
guess(const struct run *run, struct guesser *g, const struct miss *m,
    nz_buf *how)
{
	const nz_codes *codes = run->field[m->field].codes;
	size_t i, k;

	for (i = 0; i < codes->n; i++)
		if (label_matches(g, codes->label[i], m)) {
			nz_buf_printf(how, "the national label of %s",
			    codes->code[i]);
			return (int)i;
		}
	for (k = 0; k < g->n; k++) {
		const nz_reftable *t = g->tables[k];
		if (g->field[k] != m->field)
			continue;
		for (i = 0; i < t->n; i++) {
			fold(t->value[i], strlen(t->value[i]), &g->folded);
			if (g->folded.len != m->len || memcmp(g->folded.s,
			    m->key, m->len) != 0)
				continue;
			nz_buf_printf(how, "%s in reference table %s (%s)",
			    t->value[i], t->name, t->version);
			return t->code[i];
		}
	}
	return -1;
}

/* One value of the starter map: its code guessed, or "" to fill in. */
static void
suggest_value(const struct run *run, struct guesser *g, const struct miss *m)
{
	nz_buf how = {0};
	int code = guess(run, g, m, &how);

	put_json_string(stdout, m->shown);
	fputs(": {\"code\": ", stdout);
	put_json_string(stdout, code < 0 ? "" :
	    run->field[m->field].codes->code[code]);
	printf(", \"_count\": %ld", m->count);
	if (code >= 0) {
		fputs(", \"_guess\": ", stdout);
		put_json_string(stdout, how.s);
	}
	putc('}', stdout);
	nz_buf_free(&how);
}

/* A starter map of the unmapped values (not the empty ones). */
static void
suggest(const struct run *run)
{
	struct miss **v = sorted_misses(&run->tally);
	int fields[NZ_MAX_FIELDS], nfields = 0, last = -1;
	struct guesser g = {0};
	size_t i;

	nz_hold(v);
	load_guesser(run, &g);
	fputs("{\n  \"agency\": ", stdout);
	put_json_string(stdout, run->agency ? run->agency : "");
	if (run->use)   /* the tables the map uses: the new map's too */
		printf(",\n  \"use\": %s", run->use);
	fputs(",\n  \"fields\": {", stdout);
	for (i = 0; i < run->tally.n; i++) {
		if (!v[i]->len)
			continue;
		if (v[i]->field != last) {
			printf("%s\n    \"%s\": {\n      ", last < 0 ? "" :
			    "\n    },", nz_field_name(v[i]->field));
			last = v[i]->field;
			fields[nfields++] = last;
		} else {
			fputs(",\n      ", stdout);
		}
		suggest_value(run, &g, v[i]);
	}
	fputs(nfields ? "\n    }\n  }" : "}", stdout);
	if (nfields)
		suggest_codes(run, fields, nfields);
	fputs("\n}\n", stdout);
	nz_drop(v);
	free_guesser(&g);
	free(v);
}

/* ==== main ==== */

enum { OPT_STRICT = 256, OPT_SUGGEST };

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"map", required_argument, NULL, 'm'},
		{"codes", required_argument, NULL, 'c'},
		{"unmapped", required_argument, NULL, 'u'},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"suggest", no_argument, NULL, OPT_SUGGEST},
		{"reference", required_argument, NULL, 'r'},
		{"stats", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *codes_dir = NULL, *unmapped_path = NULL;
	const char *stats_path = NULL;
	char *default_codes = NULL, *default_ref = NULL;
	struct run run = {0};
	int c, strict = 0, want_suggest = 0, failed, i;

	nz_setprog(argv[0]);
	columns = nz_cols(NZ_COLS_CANONICAL, &NCOLUMNS);
	FIRST_FIELD_COLUMN = nz_col_index(NZ_COLS_CANONICAL, nz_field_name(0));
	NFIELDS = nz_nfields();
	while ((c = getopt_long(argc, argv, "m:c:u:r:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'm': run.map_path = optarg; break;
		case 'c': codes_dir = optarg; break;
		case 'u': unmapped_path = nz_side_path("--unmapped", optarg);
			break;
		case OPT_STRICT: strict = 1; break;
		case OPT_SUGGEST: want_suggest = 1; break;
		case 'r': run.ref_dir = optarg; break;
		case 's': stats_path = nz_side_path("--stats", optarg); break;
		case 'h': usage(); break;
		case 'V': printf("%s %s\n", nz_prog, NZ_VERSION); return 0;
		default: /* getopt has said what is wrong */
			fprintf(stderr, "Try '%s --help' for more "
			    "information.\n", nz_prog);
			return NZ_EXIT_USAGE;
		}
	}
	if (!run.map_path && !want_suggest)
		nz_usage_error("missing --map FILE");
	if (strict && want_suggest)
		nz_usage_error("--strict and --suggest do not go together");
	if (!codes_dir)
		codes_dir = default_codes = nz_pipelines_path("codes");
	if (!run.ref_dir)
		run.ref_dir = default_ref = nz_pipelines_path("reference");

	if (!want_suggest)
		nz_stream_setup();
	load_codes(&run, codes_dir);
	if (run.map_path)
		load_map(&run);
	run.progress = nz_progress_wanted();
	if (optind == argc)
		map_file(&run, NULL, want_suggest ? NULL : stdout);
	for (i = optind; i < argc; i++)
		map_file(&run, argv[i], want_suggest ? NULL : stdout);

	if (unmapped_path)
		write_unmapped(&run, unmapped_path);
	if (stats_path)
		write_stats(&run, stats_path);
	failed = 0;
	if (want_suggest)
		suggest(&run);
	else
		failed = summarise(&run, strict);
	free_run(&run);
	free(default_codes);
	free(default_ref);
	c = nz_close_stdout();
	return failed ? NZ_EXIT_DATA : c;
}
