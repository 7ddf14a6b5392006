# NZCCSS aggregate-at-source pipeline.
#   make          build every program into bin/
#   make run      build, then the whole quarterly build on the sample data
#   make check    build and run every test (also under ASan and UBSan)
#   make bench    the benchmark (never part of check)
#   make fuzz     every fuzzer, FUZZ_SECONDS (60) each: libFuzzer on the
#                 shared layer, AFL++ on the programs (clang and afl++ are
#                 installed on demand; never part of check)
#   make valgrind memcheck over the chain on one sample agency,
#                 VALGRIND_AGENCY (kaishare); slow, never part of check

# ---- variables ----
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Werror=implicit-function-declaration
# libgsf (with glib) reads the OLE2 container of .xls files: pkg-config is
# asked when a recipe runs, after deps.sh has installed it
GSF       = libgsf-1
CPPFLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -Ifilters/lib -Ifilters/sdc \
            $(shell pkg-config --cflags $(GSF) 2>/dev/null)
# --as-needed: a program loads only the libraries it calls (only normalise
# reads workbooks: the others skip glib, libgsf and libxml2, and start in
# a quarter less time under the sanitizers, which the tests do thousands
# of times)
LDLIBS    = -Wl,--as-needed -lcsv -ljansson -lsodium -lzip -lexpat -lfreexl \
            $(shell pkg-config --libs $(GSF) 2>/dev/null) -lm -pthread
SDC_LDLIBS = -lglpk
SANFLAGS  = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
FUZZ_CC   = clang
FUZZFLAGS = -O1 -g -fsanitize=fuzzer,address,undefined \
            -fno-sanitize-recover=undefined
FUZZLIBFLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
            -fno-sanitize-recover=undefined
FUZZ_SECONDS ?= 60
# AFL++ on the programs' own mains (tests/fuzz/prog), under ASan and UBSan
AFL_CC    = afl-clang-fast
AFLFLAGS  = -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined \
            -fno-omit-frame-pointer
FUZZ_PKGS = clang afl++
AFL_MAINS = normalise map-categories bucket aggregate suppress merge audit

BUILD_PKGS = gcc make pkg-config libcsv-dev libjansson-dev libsodium-dev \
             libglpk-dev libzip-dev libexpat1-dev libfreexl-dev libgsf-1-dev \
             libxlsxwriter-dev
# the tests write their own workbooks (.xlsx and .xls) with Perl
TEST_PKGS  = python3 libexcel-writer-xlsx-perl libspreadsheet-writeexcel-perl \
             help2man man-db
BENCH_PKGS = time miller python3

LIB_SRC  = $(wildcard filters/lib/*.c)
LIB_HDR  = $(wildcard filters/lib/*.h)
# the disclosure-control engine (GLPK): its own library, for the
# programs that suppress and audit (and the unit tests)
SDC_SRC  = $(wildcard filters/sdc/*.c)
SDC_HDR  = filters/sdc/sdc.h filters/sdc/engine.h filters/sdc/lp.h
SDC_PROGS = suppress audit
PROGS    = $(patsubst filters/%.c,%,$(wildcard filters/*.c))
BINS     = $(addprefix bin/,$(PROGS)) $(if $(wildcard sample-data/generate.c),bin/gen-sample)
SAN_BINS = $(addprefix bin/san/,$(PROGS))
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BINS = $(patsubst tests/unit/%.c,bin/test/%,$(UNIT_SRC))
FUZZ_NAMES = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c))
FUZZ_PROGS = normalise normalise-xlsx normalise-xls map-categories bucket \
             aggregate suppress merge configs reference

.DELETE_ON_ERROR:
.PHONY: all run check deps clean bench key agency agencies fuzz valgrind \
	onboard onboard-map onboard-check install

all: $(BINS)

# ---- set-up: Debian packages (installed as root, else the apt-get line) ----
DEPS = bin/.deps-ok
deps: $(DEPS)
$(DEPS): pipelines/deps.sh Makefile pipelines/publish.mk
	@sh pipelines/deps.sh $@ $(BUILD_PKGS) $(TEST_PKGS)

# ---- the programs ----
# The shared layer is one archive per build kind: plain (bin/libnz.a),
# sanitizers (bin/san/libnz.a) and libFuzzer (bin/fuzz/libnz.a); each
# program is its one file linked against it.  The SDC engine likewise
# (bin/libsdc.a, bin/san/libsdc.a; AFL++ below), linked by SDC_PROGS.
LIB_OBJS = $(patsubst filters/lib/%.c,bin/$(1)obj/%.o,$(LIB_SRC))
SDC_OBJS = $(patsubst filters/sdc/%.c,bin/$(1)obj/sdc/%.o,$(SDC_SRC))

bin/obj/%.o: filters/lib/%.c $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

bin/san/obj/%.o: filters/lib/%.c $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARN) -c -o $@ $<

bin/obj/sdc/%.o: filters/sdc/%.c $(SDC_HDR) $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

bin/san/obj/sdc/%.o: filters/sdc/%.c $(SDC_HDR) $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARN) -c -o $@ $<

bin/libnz.a: $(call LIB_OBJS,)
bin/san/libnz.a: $(call LIB_OBJS,san/)
bin/libsdc.a: $(call SDC_OBJS,)
bin/san/libsdc.a: $(call SDC_OBJS,san/)
bin/libnz.a bin/san/libnz.a bin/libsdc.a bin/san/libsdc.a:
	rm -f $@
	ar rcs $@ $^

bin/%: filters/%.c bin/libnz.a $(LIB_HDR) | $(DEPS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< bin/libnz.a $(LDLIBS)

$(addprefix bin/,$(SDC_PROGS)): bin/%: filters/%.c bin/libsdc.a bin/libnz.a \
		$(SDC_HDR) $(LIB_HDR) | $(DEPS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< bin/libsdc.a bin/libnz.a \
	  $(SDC_LDLIBS) $(LDLIBS)

# the sample-data generator: generate.c and its modules in sample-data/gen
GEN_SRC = sample-data/generate.c $(wildcard sample-data/gen/*.c)
bin/gen-sample: $(GEN_SRC) sample-data/gen/gen.h | $(DEPS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $(GEN_SRC) -lxlsxwriter

# the same programs under AddressSanitizer and UndefinedBehaviorSanitizer
bin/san/%: filters/%.c bin/san/libnz.a $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARN) -o $@ $< bin/san/libnz.a $(LDLIBS)

$(addprefix bin/san/,$(SDC_PROGS)): bin/san/%: filters/%.c bin/san/libsdc.a \
		bin/san/libnz.a $(SDC_HDR) $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARN) -o $@ $< bin/san/libsdc.a \
	  bin/san/libnz.a $(SDC_LDLIBS) $(LDLIBS)

bin/test/%: tests/unit/%.c tests/unit/tap.h tests/unit/mem.h bin/libsdc.a bin/libnz.a $(SDC_HDR) $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< bin/libsdc.a bin/libnz.a $(SDC_LDLIBS) $(LDLIBS)

bin/test/san-%: tests/unit/%.c tests/unit/tap.h tests/unit/mem.h bin/san/libsdc.a bin/san/libnz.a $(SDC_HDR) $(LIB_HDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SANFLAGS) $(WARN) -o $@ $< bin/san/libsdc.a bin/san/libnz.a $(SDC_LDLIBS) $(LDLIBS)

# ---- the pipelines ----
include pipelines/agency.mk
include pipelines/secure.mk
include pipelines/national.mk
include pipelines/publish.mk
include pipelines/compare.mk

run: all agencies national site

# ---- the tests ----
# The programs and tests are built one per processor, as the suite runs,
# whether or not make was given -j (a plain 'make check' otherwise builds
# them one at a time: 80 s of the suite's ten minutes on 2 cores).
CHECK_BINS = all $(SAN_BINS) $(UNIT_BINS) \
             $(patsubst bin/test/%,bin/test/san-%,$(UNIT_BINS))
.PHONY: check-build
check-build: $(CHECK_BINS)
check:
	@$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$$(nproc 2>/dev/null || \
	  echo 1)) --no-print-directory check-build
	@sh tests/run.sh

# libFuzzer harnesses of the shared layer; corpora and crashes in out/fuzz
bin/fuzz/obj/%.o: filters/lib/%.c $(LIB_HDR) bin/.deps-fuzz-ok | $(DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZLIBFLAGS) $(WARN) -c -o $@ $<

bin/fuzz/libnz.a: $(call LIB_OBJS,fuzz/)
	rm -f $@
	ar rcs $@ $^

bin/fuzz/%: tests/fuzz/%.c tests/unit/mem.h bin/fuzz/libnz.a $(LIB_HDR) | $(DEPS) bin/.deps-fuzz-ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZFLAGS) $(WARN) -o $@ $< bin/fuzz/libnz.a $(LDLIBS)

bin/.deps-fuzz-ok: pipelines/deps.sh
	@sh pipelines/deps.sh $@ $(FUZZ_PKGS)

# AFL++: tests/fuzz/prog/driver.c calling each program's main (renamed
# nzmain_<prog>).  afl-fuzz drives bin/afl/fuzz-progs (UBSan, AFL_HARDEN:
# 4x the speed of ASan, whose forks are slow); then every input it kept,
# crashes and hangs are replayed under ASan+UBSan (bin/afl/fuzz-progs-asan).
# Corpora and findings in out/fuzz/prog-NAME.
AFL_OBJS = $(patsubst %,bin/afl/$(1)/%.o,$(AFL_MAINS)) \
           $(patsubst filters/lib/%.c,bin/afl/$(1)/lib-%.o,$(LIB_SRC)) \
           $(patsubst filters/sdc/%.c,bin/afl/$(1)/sdc-%.o,$(SDC_SRC))
AFL_ENV_fast = AFL_HARDEN=1 AFL_QUIET=1
AFL_ENV_asan = AFL_USE_ASAN=1 AFL_QUIET=1
AFL_ASAN_fast =
AFL_ASAN_asan = -asan
define afl_build
bin/afl/$(1)/lib-%.o: filters/lib/%.c $$(LIB_HDR) bin/.deps-fuzz-ok | $$(DEPS)
	@mkdir -p $$(@D)
	$$(AFL_ENV_$(1)) $$(AFL_CC) $$(CPPFLAGS) $$(AFLFLAGS) $$(WARN) -c -o $$@ $$<
bin/afl/$(1)/sdc-%.o: filters/sdc/%.c $$(SDC_HDR) $$(LIB_HDR) bin/.deps-fuzz-ok | $$(DEPS)
	@mkdir -p $$(@D)
	$$(AFL_ENV_$(1)) $$(AFL_CC) $$(CPPFLAGS) $$(AFLFLAGS) $$(WARN) -c -o $$@ $$<
bin/afl/$(1)/%.o: filters/%.c $$(LIB_HDR) bin/.deps-fuzz-ok | $$(DEPS)
	@mkdir -p $$(@D)
	$$(AFL_ENV_$(1)) $$(AFL_CC) $$(CPPFLAGS) $$(AFLFLAGS) $$(WARN) \
	  -Dmain=nzmain_$$(subst -,_,$$*) -c -o $$@ $$<
bin/afl/fuzz-progs$(AFL_ASAN_$(1)): tests/fuzz/prog/driver.c \
		$(call AFL_OBJS,$(1)) | $$(DEPS)
	$$(AFL_ENV_$(1)) $$(AFL_CC) $$(CPPFLAGS) $$(AFLFLAGS) $$(WARN) \
	  -o $$@ $$^ $$(SDC_LDLIBS) $$(LDLIBS)
endef
$(eval $(call afl_build,fast))
$(eval $(call afl_build,asan))

# FUZZ_NAMES (libFuzzer) and FUZZ_PROGS (AFL++) may be narrowed, e.g.
#   make fuzz FUZZ_NAMES= FUZZ_PROGS=merge FUZZ_SECONDS=600
fuzz: bin/.deps-fuzz-ok $(addprefix bin/fuzz/,$(FUZZ_NAMES)) \
      bin/afl/fuzz-progs bin/afl/fuzz-progs-asan bin/keygen
	@failed=0; \
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES) || failed=1; \
	sh tests/fuzz/prog/run.sh $(FUZZ_SECONDS) $(FUZZ_PROGS) || failed=1; \
	exit $$failed

# valgrind memcheck: every program of the chain on one sample agency
VALGRIND_AGENCY ?= kaishare
bin/.deps-valgrind-ok: pipelines/deps.sh
	@sh pipelines/deps.sh $@ valgrind

valgrind: all bin/.deps-valgrind-ok
	@sh tests/valgrind.sh $(VALGRIND_AGENCY)

# ---- make install: the programs, their data and man pages ----
#   make install [PREFIX=/usr/local] [DESTDIR=staging]
# Programs in PREFIX/bin, the data they read (code lists, rules, table
# spec, age bands, reference tables, demo keys, policy events) in
# PREFIX/share/nzccss, a man page per program (help2man, from --help) in
# PREFIX/share/man/man1.  An installed program finds its data beside its
# own bin/ folder, else in the DATADIR it was built for.
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/nzccss
MANDIR   = $(PREFIX)/share/man/man1
INSTALL_PROGS = $(filter-out gen-sample,$(PROGS))
INSTALL_DATA  = age-bands.json flow-bands.json tables.json demo-keys.csv policy-events.csv \
	$(patsubst pipelines/%,%,$(wildcard pipelines/codes/*.json \
	pipelines/rules/*.json pipelines/reference/*.json))

# the data directory built into codes.c: rebuilt when PREFIX changes
bin/.prefix: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
bin/obj/codes.o: bin/.prefix
bin/obj/codes.o: CPPFLAGS += -DNZ_DATADIR='"$(DATADIR)"'
FORCE:

bin/.deps-install-ok: pipelines/deps.sh
	@sh pipelines/deps.sh $@ help2man

# one line of the NAME section of each man page
MAN_agency-view    = the data of an agency internal report, never sent
MAN_aggregate      = count bucketed events into the cells of every table
MAN_audit          = prove that no suppressed cell of a release can be narrowed
MAN_bucket         = put mapped events into age bands and quarters
MAN_freeze         = keep released quarters final in the agency state folder
MAN_diff-quarters  = like-for-like changes between quarters of many releases
MAN_keygen         = make an agency key, or tell its fingerprint
MAN_manifest       = write the manifest that goes with a release
MAN_map-categories = map local category values to national codes
MAN_merge          = sum the releases of many agencies, with bounds
MAN_normalise      = turn a raw CMS export into canonical events
MAN_normalise-assessments = key and check the outcome assessments of an agency
MAN_onboard        = sniff a starter agency profile from a CMS export
MAN_pair-outcomes  = outcome bands per client and quarter from assessments
MAN_publish        = the dashboard data and the six-monthly report
MAN_suppress       = protect internal cells into a release
MAN_seccells       = secure mode: NZCCSS internal cells from the secure sums
MAN_seckey         = secure mode: a party key file and its pinned-keys line
MAN_secround       = secure mode: open a round, or sum its masked vectors
MAN_secvector      = secure mode: acknowledge a round, send a masked vector

bin/man/%.1: bin/% bin/.deps-install-ok
	@test -n '$(MAN_$*)' || { echo "make: no MAN_$* line (the man page's" \
	  "one-line description) in the Makefile" >&2; exit 1; }
	@mkdir -p $(@D)
	help2man --no-info --no-discard-stderr --version-string=$(NZ_VERSION) \
	  --name='$(MAN_$*)' --output=$@.tmp ./bin/$*
	mv $@.tmp $@

NZ_VERSION = $(shell sed -n 's/^\#define NZ_VERSION "\(.*\)"/\1/p' filters/lib/nz.h)

install: $(addprefix bin/,$(INSTALL_PROGS)) \
		$(patsubst %,bin/man/%.1,$(INSTALL_PROGS))
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) \
	  $(addprefix $(DESTDIR)$(DATADIR)/,codes rules reference)
	for p in $(INSTALL_PROGS); do \
	  cp bin/$$p $(DESTDIR)$(BINDIR)/$$p.tmp && \
	  chmod 755 $(DESTDIR)$(BINDIR)/$$p.tmp && \
	  mv $(DESTDIR)$(BINDIR)/$$p.tmp $(DESTDIR)$(BINDIR)/$$p || exit 1; \
	  cp bin/man/$$p.1 $(DESTDIR)$(MANDIR)/$$p.1 || exit 1; \
	done
	for f in $(INSTALL_DATA); do \
	  cp pipelines/$$f $(DESTDIR)$(DATADIR)/$$f || exit 1; \
	done
	chmod 644 $(DESTDIR)$(MANDIR)/*.1 $(addprefix \
	  $(DESTDIR)$(DATADIR)/,$(INSTALL_DATA))

# ---- the benchmark: tests/bench/run.sh; results in out/bench ----
bin/.deps-bench-ok: pipelines/deps.sh
	@sh pipelines/deps.sh $@ $(BENCH_PKGS)

bin/bench/csvfloor: tests/bench/csvfloor.c | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< -lcsv

# the DuckDB peer (tests/bench/duckdb): npm ci into out/bench/npm, for
# the benchmark only, at the version pinned in its package-lock.json
BENCH_NPM = out/bench/npm/node_modules/.installed
$(BENCH_NPM): tests/bench/duckdb/package.json tests/bench/duckdb/package-lock.json
	@mkdir -p out/bench/npm
	cp $^ out/bench/npm/
	cd out/bench/npm && npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: all bin/bench/csvfloor bin/.deps-bench-ok $(BENCH_NPM)
	@sh tests/bench/run.sh

clean:
	rm -rf bin/* out
