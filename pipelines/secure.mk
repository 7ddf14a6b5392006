# secure.mk: the secure mode of the national build (issue 22 item 3;
# README, "Secure mode").
#   make national MODE=secure [SECURE_COLLUDERS=n] [SECURE_STATE=dir]
#                 [SECURE_FROM=YYYYQn]
# The agencies' internal cells are summed under pairwise masks (seckey,
# secround, secvector): NZCCSS learns, per quarter, how many agencies
# contribute to each cell and the exact sum of the cells K or more
# contribute to, and nothing of any one agency's cells.  The sum is
# protected once (seccells, suppress --forced, manifest, audit), as an
# agency's cells are, into the release out/secure/nzccss/, which merge
# takes as the only release of its quarters.
#   out/secure/keys/      the sample's demo key files (made here, never
#                         committed) and pinned.csv, their public halves
#   out/secure/rounds/Q/  each quarter's statements, acks, vectors, sums
#   out/secure/contributors.csv, sums.csv   internal to NZCCSS
#   out/secure/nzccss/    cells.csv, excluded.csv (internal), release.csv,
#                         manifest.json, audit.csv, intervals.csv
# K, the contributors a cell needs to be summed, is 3 plus the colluders
# assumed (SECURE_COLLUDERS, default 1): K-1 agencies who pool their own
# cells learn nothing of another's from a sum of K.

SECURE           = out/secure
SECURE_COLLUDERS ?= 1
SECURE_K         = $(shell echo $$((3 + $(SECURE_COLLUDERS))))
SECURE_AGENCIES  = $(SAMPLE_AGENCIES)
# the first quarter published in secure mode (default: every quarter of
# the agencies' cells); the quarters before it are not in the release
SECURE_FROM     ?=
# the state of secure rounds (secure.csv) is NATIONAL_STATE's; the sample
# build keeps a fresh one under out/ (its rounds are re-run each build)
SECURE_STATE    ?= $(or $(NATIONAL_STATE),$(SECURE)/state)
SECURE_PROGRAMME_KEY ?= out/keys/nzccss.key
SECURE_KEYS      = $(SECURE)/keys
SECURE_REL       = $(SECURE)/nzccss

# the sample's demo keys: random, made once per out/ (they change nothing
# in what is published: the masks cancel)
$(SECURE_KEYS)/pinned.csv: bin/seckey
	@mkdir -p -m 700 $(@D)
	@for p in nzccss $(SECURE_AGENCIES); do \
	  test -e $(@D)/$$p.key || bin/seckey --party $$p $(@D)/$$p.key \
	    > /dev/null || exit 1; done
	@{ echo party,kx_public,sign_public; for p in nzccss $(SECURE_AGENCIES); \
	  do bin/seckey --public --party $$p $(@D)/$$p.key || exit 1; done; } \
	  > $@.tmp
	mv $@.tmp $@

$(SECURE)/settings.txt: national-list-check
	@mkdir -p $(@D)
	@printf '%s\n' 'k $(SECURE_K)' 'agencies $(SECURE_AGENCIES)' \
	  'state $(SECURE_STATE)' 'from $(SECURE_FROM)' > $@.tmp.$$$$; \
	if cmp -s $@.tmp.$$$$ $@; then rm -f $@.tmp.$$$$; \
	else mv $@.tmp.$$$$ $@; fi

$(SECURE)/sums.csv $(SECURE)/contributors.csv &: $(SECURE)/settings.txt \
		$(SECURE_KEYS)/pinned.csv pipelines/secure-rounds.sh \
		$(foreach a,$(SECURE_AGENCIES),out/agency/$(a)/cells.csv) \
		$(CELL_CONFIG) bin/secround bin/secvector
	$(if $(filter $(SECURE)/%,$(SECURE_STATE)),rm -rf $(SECURE_STATE))
	mkdir -p $(SECURE_STATE)
	sh pipelines/secure-rounds.sh $(SECURE) $(SECURE_K) \
	  $(SECURE_KEYS)/pinned.csv $(SECURE_STATE) '$(SECURE_FROM)' \
	  $(SECURE_AGENCIES)

$(SECURE_REL)/cells.csv: $(SECURE)/sums.csv $(SECURE)/contributors.csv \
		$(SECURE_PROGRAMME_KEY) bin/seccells
	@mkdir -p $(@D)
	bin/seccells --contributors $(SECURE)/contributors.csv \
	  --sums $(SECURE)/sums.csv --key $(SECURE_PROGRAMME_KEY) \
	  --k $(SECURE_K) $(if $(filter out/keys/nzccss.key,\
	  $(SECURE_PROGRAMME_KEY)),--allow-demo-key) \
	  --excluded $(@D)/excluded.csv.tmp --stats $(@D)/secure-stats.json.tmp \
	  --coverage $(@D)/regions.txt.tmp > $@.tmp
	mv $(@D)/excluded.csv.tmp $(@D)/excluded.csv
	mv $(@D)/secure-stats.json.tmp $(@D)/secure-stats.json
	mv $(@D)/regions.txt.tmp $(@D)/regions.txt
	mv $@.tmp $@

# protected once: primary suppression and keyed rounding of the exact
# sums, the excluded cells hidden whole, secondary suppression until no S
# can be narrowed, as for an agency's release
$(SECURE_REL)/release.csv: $(SECURE_REL)/cells.csv $(RULES) bin/suppress
	bin/suppress --rules $(RULES) --forced $(@D)/excluded.csv \
	  --stats $(@D)/suppress-stats.json.tmp \
	  --secondary-cells $(@D)/secondary-cells.csv.tmp $< > $@.tmp
	mv $(@D)/suppress-stats.json.tmp $(@D)/suppress-stats.json
	mv $(@D)/secondary-cells.csv.tmp $(@D)/secondary-cells.csv
	mv $@.tmp $@

# the manifest is put in place only when the audit proves every S
# (the excluded cells among them) keeps at least 3 values: the audit of a
# reader, from the release and manifest alone, as an excluded cell's S
# may hide any value
$(SECURE_REL)/manifest.json: $(SECURE_REL)/release.csv $(CELL_CONFIG) \
		$(RULES) bin/manifest bin/audit
	rm -f $@
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct \
	  -- sample-data 2>/dev/null | grep . || echo 0)} \
	bin/manifest --agency nzccss --regions $$(cat $(@D)/regions.txt) \
	  --rules $(RULES) --codes pipelines/codes --bands pipelines/age-bands.json \
	  --tables pipelines/tables.json --stage $(@D)/secure-stats.json \
	  --stage $(@D)/suppress-stats.json --release $< > $(@D)/manifest.tmp.json
	bin/audit --manifest $(@D)/manifest.tmp.json \
	  --statement $(@D)/audit-statement.txt.tmp > $(@D)/audit.csv.tmp
	mv $(@D)/audit-statement.txt.tmp $(@D)/audit-statement.txt
	mv $(@D)/audit.csv.tmp $(@D)/audit.csv
	mv $(@D)/manifest.tmp.json $@

# the intervals are that audit's output (national.mk runs 'audit
# --manifest DIR' on an agency's release, the same reader's audit of the
# same files): taken, not computed a second time
$(SECURE_REL)/intervals.csv: $(SECURE_REL)/manifest.json
	cp $(@D)/audit.csv $@.tmp
	mv $@.tmp $@
