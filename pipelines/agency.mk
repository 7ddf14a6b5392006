# agency.mk: the at-source chain, one agency at a time (DESIGN §2, §7).
#   make agency AGENCY=code [AGENCY_DIR=dir] [KEY=file] [EXPORT=file]
#               [EXPORT_DATE=date] [FROM=YYYYQn] [THROUGH=YYYYQn]
#               [LAG_DAYS=n] [STATE=dir]
#   make onboard AGENCY=code EXPORT=file AGENCY_DIR=dir
# AGENCY_DIR/<code>/ holds export.* (one: .csv, .txt, .xlsx, .xls...),
# profile.json and map.json; EXPORT= names another export file.

AGENCY_DIR ?= sample-data
KEY_DIR    ?= $(HOME)/.nzccss/keys
# a sample agency whose folder holds a PENDING file needs a normalise
# feature not there yet (the file says which): left out of the build
SAMPLE_AGENCIES = $(filter-out $(patsubst sample-data/%/PENDING,%,$(wildcard sample-data/*/PENDING)),$(patsubst sample-data/%/profile.json,%,$(wildcard sample-data/*/profile.json)))

# What a build releases: complete quarters only (README, "Which quarters
# a build releases").  EXPORT_DATE is the date the export was taken
# (YYYY-MM-DD), unless the profile reads it from the export's title lines;
# with neither, the build stops.  THROUGH, the last quarter released,
# defaults to the last that ended before EXPORT_DATE less LAG_DAYS.  FROM
# is the first quarter of an agency's first release; the quarters before
# it are history the counting looks back on, never released.
EXPORT_DATE ?=
FROM        ?=
THROUGH     ?=
LAG_DAYS    ?= 0
# The sample exports were taken on 2026-07-16 (sample-data/README.md)
# and release from 2024Q3; the year before is their lookback.
SAMPLE_EXPORT_DATE = 2026-07-16
SAMPLE_FROM        = 2024Q3

# Where released quarters stay final (README, "The state folder"): one
# folder per agency, STATE_DIR/<code>, or STATE= for the agency built.
# The sample agencies keep none (each build is a first release) unless
# SAMPLE_STATE_DIR is given.  Never inside out/: make clean removes it.
STATE_DIR        ?= $(HOME)/.nzccss/state
SAMPLE_STATE_DIR ?=

agencies: $(foreach a,$(SAMPLE_AGENCIES),out/agency/$(a)/manifest.json)
# every stage named, so none is an intermediate make would not remake
# when it is missing
agency_files = $(foreach f,canonical mapped bucketed new-events cells \
	new-release release,out/agency/$(1)/$(f).csv)
agencies: $(foreach a,$(SAMPLE_AGENCIES),$(call agency_files,$(a)))

ifdef AGENCY
agency: out/agency/$(AGENCY)/manifest.json
agency: $(call agency_files,$(AGENCY))
else
agency:
	@echo "usage: make agency AGENCY=code [AGENCY_DIR=dir] [KEY=file]" \
	  "[EXPORT_DATE=YYYY-MM-DD] [FROM=YYYYQn] [THROUGH=YYYYQn]" \
	  "[LAG_DAYS=n] [STATE=dir]" >&2; exit 2
endif

# A real key: random, mode 0600, outside the repository.
key:
	@test -n "$(AGENCY)" || { echo "usage: make key AGENCY=code" >&2; exit 2; }
	@mkdir -p -m 700 $(KEY_DIR)
	bin/keygen $(KEY_DIR)/$(AGENCY).key
	@echo "key written to $(KEY_DIR)/$(AGENCY).key; back it up safely" >&2
key: bin/keygen

# ---- onboarding: a starter profile and map from a first export ----
# make onboard copies EXPORT into AGENCY_DIR/code/ as export.<its
# extension>, writes profile.json (bin/onboard sniffs it from the export)
# and map.json (bin/map-categories --suggest on the export read with that
# profile, using the national reference tables), and lists what is left
# to fill in.  It never writes over a profile or map (FORCE=1 does), and
# never into sample-data/: an agency's data stays outside the repository.
# make onboard-map makes only the map, from the profile as it now is.
ONBOARD_USE = {"gender": ["gender"], "ethnicity": ["ethnicity"], \
	"region": ["regional-councils", "territorial-authorities", "towns"]}
onboard_dir = $(AGENCY_DIR:%/=%)/$(AGENCY)

onboard-check:
	@test -n "$(AGENCY)" || { echo "usage: make onboard AGENCY=code" \
	  "EXPORT=file AGENCY_DIR=dir" >&2; exit 2; }
	@case "$(AGENCY_DIR:%/=%)" in sample-data|*/sample-data) \
	  echo "make: give AGENCY_DIR=dir, a folder outside the repository" \
	    "for the agency's exports and configuration (not sample-data)" >&2; \
	  exit 2 ;; esac

onboard: onboard-check bin/onboard
	@test -n "$(EXPORT)" || { echo "usage: make onboard AGENCY=code" \
	  "EXPORT=file AGENCY_DIR=dir" >&2; exit 2; }
	@test -f "$(EXPORT)" || { echo "make: EXPORT=$(EXPORT): no such file" >&2; \
	  exit 1; }
	@test -n "$(FORCE)" || test ! -e "$(onboard_dir)/profile.json" || { \
	  echo "make: $(onboard_dir)/profile.json exists; FORCE=1 writes" \
	    "over it" >&2; exit 1; }
	@mkdir -p "$(onboard_dir)"
	@ext=$$(basename "$(EXPORT)" | sed -n 's/.*\.\([A-Za-z0-9]*\)$$/\1/p' | \
	  tr A-Z a-z); dest="$(onboard_dir)/export.$${ext:-csv}"; \
	for old in "$(onboard_dir)"/export.*; do \
	  if [ -e "$$old" ] && [ "$$old" != "$$dest" ]; then \
	    echo "make: $$old is there too: make agency reads one export;" \
	      "remove it first" >&2; exit 1; fi; \
	done; \
	cp "$(EXPORT)" "$$dest" && \
	echo "onboard: the export is now $$dest" >&2 && \
	bin/onboard --agency $(AGENCY) --output "$(onboard_dir)/profile.json" \
	  "$$dest" || { \
	  echo "onboard: finish $(onboard_dir)/profile.json, then" \
	    "'make onboard-map AGENCY=$(AGENCY) AGENCY_DIR=$(AGENCY_DIR)'" >&2; \
	  exit 1; }
	@$(MAKE) --no-print-directory onboard-map

onboard-map: onboard-check bin/normalise bin/map-categories bin/keygen
	@test -n "$(FORCE)" || test ! -e "$(onboard_dir)/map.json" || { \
	  echo "make: $(onboard_dir)/map.json exists; FORCE=1 writes over" \
	    "it" >&2; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	set -- "$(onboard_dir)"/export.*; \
	if [ $$# -ne 1 ] || [ ! -e "$$1" ]; then echo "make: onboard-map needs" \
	  "one export.* in $(onboard_dir), not: $$*" >&2; exit 1; fi; \
	export=$$1; \
	printf '{"agency": "%s", "use": %s, "fields": {}}\n' '$(AGENCY)' \
	  '$(ONBOARD_USE)' > "$$tmp/use.json"; \
	bin/keygen "$$tmp/throwaway.key" 2>/dev/null; \
	bin/normalise --profile "$(onboard_dir)/profile.json" \
	  --key "$$tmp/throwaway.key" --max-reject 100 "$$export" \
	  > "$$tmp/canonical.csv"; \
	bin/map-categories --suggest --map "$$tmp/use.json" \
	  "$$tmp/canonical.csv" > "$$tmp/map.json"; \
	mv "$$tmp/map.json" "$(onboard_dir)/map.json"; \
	m="$(onboard_dir)/map.json"; \
	echo "onboard: $$m: $$(grep -c '"_guess"' "$$m" || true) codes" \
	  "guessed (marked _guess: check them), $$(grep -c '"code": ""' \
	  "$$m" || true) left to fill in (an empty code; the national codes" \
	  "are listed under _codes):" >&2; \
	grep '"code": ""' "$$m" | sed 's/: {"code".*"_count": \([0-9]*\)}.*/, in \1 rows/; s/^ */  /' >&2 || true; \
	echo "onboard: then 'make key AGENCY=$(AGENCY)' (once) and 'make" \
	  "agency AGENCY=$(AGENCY) AGENCY_DIR=$(AGENCY_DIR)'" >&2

# The sample agencies' keys come from their DEMO-KEY.hex files: public,
# for the sample data only (normalise refuses them for anything else).
out/keys/%.key: sample-data/%/DEMO-KEY.hex bin/keygen
	@mkdir -p -m 700 $(@D)
	rm -f $@ $@.tmp
	bin/keygen --from-hex $< $@.tmp
	mv $@.tmp $@

# The key: KEY= if given; a sample agency read from sample-data/ has its
# demo key; any other agency its own, made by 'make key', in KEY_DIR.
is_sample = $(and $(filter sample-data,$(AGENCY_DIR:%/=%)),\
	$(wildcard sample-data/$(1)/DEMO-KEY.hex))
agency_key = $(if $(KEY),$(KEY),$(if $(call is_sample,$(1)),\
	out/keys/$(1).key,$(KEY_DIR)/$(1).key))

$(KEY_DIR)/%.key:
	@echo "make: no key for agency '$*': $@ does not exist." >&2; \
	 echo "  Make one with 'make key AGENCY=$*' (and back it up), or" \
	   "give KEY=FILE." >&2; exit 1

# The export: EXPORT= for the agency named by AGENCY=, else the one
# export.* in its folder.  None, or more than one, is a target that
# stops the build saying what to do (a missing export would otherwise
# be standard input, and "<stdin>: empty input").
exports_of = $(wildcard $(AGENCY_DIR)/$(1)/export.*)
agency_export = $(if $(and $(EXPORT),$(filter $(1),$(AGENCY))),$(EXPORT),\
	$(if $(word 2,$(call exports_of,$(1))),no-export/several/$(1),\
	$(or $(call exports_of,$(1)),no-export/none/$(1))))

no-export/none/%:
	@echo "make: no export for agency '$*': put the CMS export in" \
	  "$(AGENCY_DIR)/$*/ as export.csv, export.xlsx or export.xls (any" \
	  "export.*), or give EXPORT=FILE" >&2; exit 1
no-export/several/%:
	@echo "make: several exports for agency '$*':" \
	  "$(call exports_of,$*); keep one, or give EXPORT=FILE" >&2; exit 1

# Without these, a missing profile or map is make's "No rule to make
# target" about a file further down the chain.
$(AGENCY_DIR)/%/profile.json:
	@echo "make: no profile for agency '$*': $@ does not exist." >&2; \
	 echo "  'make onboard AGENCY=$* EXPORT=FILE AGENCY_DIR=$(AGENCY_DIR)'" \
	   "writes a starter profile and map from the export." >&2; exit 1
$(AGENCY_DIR)/%/map.json:
	@echo "make: no map for agency '$*': $@ does not exist." >&2; \
	 echo "  'make onboard-map AGENCY=$* AGENCY_DIR=$(AGENCY_DIR)'" \
	   "writes a starter map from the export and the profile." >&2; exit 1
# The settings of an agency's build, as the programs take them.  A sample
# agency falls back on the sample's export date and FROM.
agency_export_date = $(if $(EXPORT_DATE),--export-date $(EXPORT_DATE),\
	$(if $(call is_sample,$(1)),--fallback-export-date $(SAMPLE_EXPORT_DATE)))
agency_from = $(strip $(or $(FROM),$(if $(call is_sample,$(1)),$(SAMPLE_FROM))))
agency_state = $(strip $(if $(and $(STATE),$(filter $(1),$(AGENCY))),$(STATE),\
	$(if $(call is_sample,$(1)),$(if $(SAMPLE_STATE_DIR),\
	$(SAMPLE_STATE_DIR)/$(1)),$(STATE_DIR)/$(1))))
agency_settings = $(call agency_export_date,$(1)) \
	$(if $(THROUGH),--through $(THROUGH)) --lag-days $(LAG_DAYS) \
	$(if $(call agency_from,$(1)),--from $(call agency_from,$(1))) \
	$(if $(call agency_state,$(1)),--state $(call agency_state,$(1))) \
	--rules $(RULES) --key $(call agency_key,$(1))

# the settings file changes only when the settings do, so that a new
# THROUGH=, KEY= or STATE= rebuilds the agency's build; it is written on
# every make, so its temporary file is the shell's own (two builds at
# once, as the test suite's queues run, raced on one name;
# pipelines/write-if-changed.sh)
out/agency/%/settings: FORCE
	@mkdir -p $(@D)
	@case '$(abspath $(call agency_state,$*))/' in \
	  '$(abspath out)'/*) echo "make: STATE $(call agency_state,$*)" \
	    "is inside out/, which 'make clean' removes: keep it elsewhere" \
	    >&2; exit 2 ;; esac
	@echo '$(strip $(call agency_settings,$*))' | \
	  sh pipelines/write-if-changed.sh $@
.PHONY: FORCE
FORCE:

.SECONDEXPANSION:

# every stage's output stays for inspection (make would delete the middle
# of a chain of pattern rules); .tmp files and mv keep them atomic
.PRECIOUS: out/keys/%.key out/agency/%/settings out/agency/%/canonical.csv \
	out/agency/%/mapped.csv out/agency/%/bucketed.csv \
	out/agency/%/new-events.csv out/agency/%/cells.csv \
	out/agency/%/new-release.csv out/agency/%/release.csv \
	out/agency/%/assessments.csv out/agency/%/outcomes.csv

# normalise: raw export to canonical events, rejects and row accounting;
# and, where the profile maps a worker column, the internal side file
# worker.csv (the agency's own view, below: worker_opt, worker_keep)
out/agency/%/canonical.csv: $$(call agency_export,$$*) \
		$(AGENCY_DIR)/%/profile.json $$(call agency_key,$$*) \
		out/agency/%/settings bin/normalise
	@mkdir -p $(@D)
	@echo "agency $*: reading the export $<" >&2
	bin/normalise --profile $(AGENCY_DIR)/$*/profile.json \
	  --key $(call agency_key,$*) --rejects $(@D)/rejects.csv.tmp \
	  --stats $(@D)/normalise-stats.json.tmp $(call worker_opt,$*) $< > $@.tmp
	$(call worker_keep,$*)
	mv $(@D)/rejects.csv.tmp $(@D)/rejects.csv
	mv $(@D)/normalise-stats.json.tmp $(@D)/normalise-stats.json
	mv $@.tmp $@

# map-categories: local values to national codes; unmapped values counted
out/agency/%/mapped.csv: out/agency/%/canonical.csv $(AGENCY_DIR)/%/map.json \
		$(wildcard pipelines/codes/*.json) bin/map-categories
	bin/map-categories --map $(AGENCY_DIR)/$*/map.json --codes pipelines/codes \
	  --unmapped $(@D)/unmapped.csv.tmp --stats $(@D)/map-stats.json.tmp \
	  $< > $@.tmp
	mv $(@D)/unmapped.csv.tmp $(@D)/unmapped.csv
	mv $(@D)/map-stats.json.tmp $(@D)/map-stats.json
	mv $@.tmp $@

# bucket: age to age band, event date to quarter; exact values dropped.
# Complete quarters only: events after the export date are rejected as
# future, the quarters after THROUGH held back (counted, never written).
out/agency/%/bucketed.csv: out/agency/%/mapped.csv pipelines/age-bands.json \
		out/agency/%/settings bin/bucket
	bin/bucket --bands pipelines/age-bands.json \
	  $(call agency_export_date,$*) --export-stats $(@D)/normalise-stats.json \
	  $(if $(THROUGH),--through $(THROUGH)) --lag-days $(LAG_DAYS) \
	  --rejects $(@D)/bucket-rejects.csv.tmp \
	  --stats $(@D)/bucket-stats.json.tmp $< > $@.tmp
	mv $(@D)/bucket-rejects.csv.tmp $(@D)/bucket-rejects.csv
	mv $(@D)/bucket-stats.json.tmp $(@D)/bucket-stats.json
	mv $@.tmp $@

# the configuration every cell depends on, and the disclosure rules
CELL_CONFIG = pipelines/tables.json pipelines/age-bands.json pipelines/flow-bands.json \
	$(wildcard pipelines/codes/*.json)
RULES ?= pipelines/rules/statsnz.json
# SDC_TIME_LIMIT: seconds suppress and audit may take to prove every S
# safe (--time-limit; empty: their default, 30 minutes; 0: none): three-way
# tables can take longer (README, Speed); past it nothing is written
SDC_TIME_LIMIT ?=
SDC_LIMIT = $(if $(SDC_TIME_LIMIT),--time-limit $(SDC_TIME_LIMIT))

# freeze --split: the quarters new in this build go on; released quarters'
# events come from the state folder (frozen) and, with those before FROM,
# go to history.csv for the counting to look back on; an export event of
# a released quarter not among its frozen events is late: counted in
# freeze-stats.json (also the plan of the steps below), nowhere else.
# The state must have been released under the same key, rules, code
# lists, age bands, flow spec, table spec and regions.
out/agency/%/new-events.csv: out/agency/%/bucketed.csv out/agency/%/settings \
		$(AGENCY_DIR)/%/profile.json $(CELL_CONFIG) $(RULES) bin/freeze
	bin/freeze --split $(if $(call agency_state,$*),--state $(call agency_state,$*)) \
	  --window $(@D)/bucket-stats.json \
	  $(if $(call agency_from,$*),--from $(call agency_from,$*)) \
	  --key-stats $(@D)/normalise-stats.json \
	  --profile $(AGENCY_DIR)/$*/profile.json --rules $(RULES) \
	  --codes pipelines/codes --bands pipelines/age-bands.json \
	  --tables pipelines/tables.json --flow pipelines/flow-bands.json \
	  --history $(@D)/history.csv.tmp --stats $(@D)/freeze-stats.json.tmp \
	  $< > $@.tmp
	mv $(@D)/history.csv.tmp $(@D)/history.csv
	mv $(@D)/freeze-stats.json.tmp $(@D)/freeze-stats.json
	mv $@.tmp $@

# aggregate: the new quarters' events to internal cells (they hold ckey:
# never sent); the history is read, never counted into a cell, but tells
# the flow measures who was seen before (flow-bands.json; how far back the
# export reaches comes from normalise's stats)
out/agency/%/cells.csv: out/agency/%/new-events.csv $(AGENCY_DIR)/%/profile.json \
		$(CELL_CONFIG) bin/aggregate $$(call outcomes_dep,$$*)
	bin/aggregate --tables pipelines/tables.json --codes pipelines/codes \
	  --bands pipelines/age-bands.json --profile $(AGENCY_DIR)/$*/profile.json \
	  --history $(@D)/history.csv --flow pipelines/flow-bands.json \
	  --export-stats $(@D)/normalise-stats.json $(call outcomes_opt,$*) \
	  --stats $(@D)/aggregate-stats.json.tmp $< > $@.tmp
	mv $(@D)/aggregate-stats.json.tmp $(@D)/aggregate-stats.json
	mv $@.tmp $@

# ---- outcomes (issue 23): only for an agency whose profile has
# "assessments".  normalise-assessments keys them as normalise keys the
# export and maps each area to a national domain (map.json,
# fields.outcome_domain); pair-outcomes makes each client's bands per
# quarter from them and the mapped events; aggregate counts the dimension
# outcome from those (--outcomes).  No scores or dates go further.
has_assessments = $(shell tr -d ' \t\r\n' < $(AGENCY_DIR)/$(1)/profile.json \
	2>/dev/null | grep -q '"assessments":{' && echo yes)
outcomes_dep = $(if $(call has_assessments,$(1)),out/agency/$(1)/outcomes.csv)
outcomes_opt = $(if $(call has_assessments,$(1)),\
	--outcomes out/agency/$(1)/outcomes.csv)
OUTCOME_CONFIG = pipelines/outcomes.json pipelines/codes/outcome.json \
	pipelines/codes/outcome-domain.json
out/agency/%/assessments.csv: $(AGENCY_DIR)/%/profile.json \
		$(AGENCY_DIR)/%/map.json $$(call agency_key,$$*) \
		$$(wildcard $(AGENCY_DIR)/$$*/assessments.*) $(OUTCOME_CONFIG) \
		bin/normalise-assessments
	@echo "agency $*: reading the assessments" >&2
	bin/normalise-assessments --profile $(AGENCY_DIR)/$*/profile.json \
	  --key $(call agency_key,$*) --map $(AGENCY_DIR)/$*/map.json \
	  --codes pipelines/codes --rejects $(@D)/assessment-rejects.csv.tmp \
	  --stats $(@D)/assessments-stats.json.tmp > $@.tmp
	mv $(@D)/assessment-rejects.csv.tmp $(@D)/assessment-rejects.csv
	mv $(@D)/assessments-stats.json.tmp $(@D)/assessments-stats.json
	mv $@.tmp $@
out/agency/%/outcomes.csv: out/agency/%/assessments.csv \
		out/agency/%/mapped.csv $(OUTCOME_CONFIG) bin/pair-outcomes
	bin/pair-outcomes --events $(@D)/mapped.csv --spec pipelines/outcomes.json \
	  --codes pipelines/codes --rejects $(@D)/pair-rejects.csv.tmp \
	  --stats $(@D)/pair-stats.json.tmp $< > $@.tmp
	mv $(@D)/pair-rejects.csv.tmp $(@D)/pair-rejects.csv
	mv $(@D)/pair-stats.json.tmp $(@D)/pair-stats.json
	mv $@.tmp $@

# suppress: internal cells to the new quarters' release cells: primary
# suppression, keyed RR3, secondary suppression until every S is protected
out/agency/%/new-release.csv: out/agency/%/cells.csv $(RULES) bin/suppress
	bin/suppress $(SDC_LIMIT) --rules $(RULES) \
	  --stats $(@D)/suppress-stats.json.tmp \
	  --secondary-cells $(@D)/new-secondary-cells.csv.tmp $< > $@.tmp
	mv $(@D)/suppress-stats.json.tmp $(@D)/suppress-stats.json
	mv $(@D)/new-secondary-cells.csv.tmp $(@D)/new-secondary-cells.csv
	mv $@.tmp $@

# freeze --assemble: the release is every quarter released before, byte
# for byte from the state, then the new ones; the same for the cells
# secondary suppression hid
out/agency/%/release.csv: out/agency/%/new-release.csv bin/freeze
	bin/freeze --assemble --plan $(@D)/freeze-stats.json \
	  --suppress-stats $(@D)/suppress-stats.json \
	  --secondary-in $(@D)/new-secondary-cells.csv \
	  --secondary-cells $(@D)/secondary-cells.csv.tmp \
	  --stats $(@D)/assemble-stats.json.tmp $< > $@.tmp
	mv $(@D)/secondary-cells.csv.tmp $(@D)/secondary-cells.csv
	mv $(@D)/assemble-stats.json.tmp $(@D)/assemble-stats.json
	mv $@.tmp $@

# manifest: what the release holds and how it was made.  built_at is
# SOURCE_DATE_EPOCH, by default the last commit of the inputs (sample data)
# or else their newest mtime, so a rebuild is byte-identical.  Then audit:
# the manifest (which is what makes a release) is only put in place when
# the audit proves every S keeps at least 3 possible values; audit.csv
# lists each S's interval, audit-statement.txt says in words what a
# reader can and cannot learn under the rules.  secondary-cells.csv (internal, never sent)
# tells the audit which S may hide any value; every other S is primary.
# Then freeze --commit keeps the release, its manifest and the new
# quarters' events in the state folder, before the manifest is in place:
# a release is never made without being kept (with no state folder, as
# in the sample build, nothing is kept).
MANIFEST_STAGES = normalise map bucket freeze aggregate suppress assemble
manifest_inputs = $(filter-out no-export/%,$(call agency_export,$(1))) \
	$(AGENCY_DIR)/$(1)/profile.json $(AGENCY_DIR)/$(1)/map.json \
	$(CELL_CONFIG) $(RULES)
out/agency/%/manifest.json: out/agency/%/release.csv $(AGENCY_DIR)/%/profile.json \
		$(CELL_CONFIG) $(RULES) bin/manifest bin/audit bin/freeze
	rm -f $@ $(@D)/audit.csv $(@D)/audit-statement.txt
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$( \
	  git log -1 --format=%ct -- $(call manifest_inputs,$*) 2>/dev/null | grep . || \
	  stat -c %Y $(call manifest_inputs,$*) | sort -n | tail -n 1)} \
	bin/manifest --agency $* --profile $(AGENCY_DIR)/$*/profile.json \
	  --rules $(RULES) --codes pipelines/codes --bands pipelines/age-bands.json \
	  --tables pipelines/tables.json \
	  $(foreach s,$(MANIFEST_STAGES),--stage $(@D)/$(s)-stats.json) \
	  --release $< > $(@D)/manifest.tmp.json
	bin/audit $(SDC_LIMIT) --manifest $(@D)/manifest.tmp.json \
	  --statement $(@D)/audit-statement.txt.tmp \
	  --secondary-cells $(@D)/secondary-cells.csv > $(@D)/audit.csv.tmp
	bin/freeze --commit --plan $(@D)/freeze-stats.json \
	  --events $(@D)/new-events.csv --release $< \
	  --secondary-cells $(@D)/secondary-cells.csv \
	  --manifest $(@D)/manifest.tmp.json
	mv $(@D)/audit-statement.txt.tmp $(@D)/audit-statement.txt
	mv $(@D)/audit.csv.tmp $(@D)/audit.csv
	mv $(@D)/manifest.tmp.json $@

# ==== the agency's own view (issue 17) ====================================
# out/agency/<code>/internal/: index.html, the report only the agency
# sees ("INTERNAL: not for publication"), with data.js (agency-view:
# exact counts from the internal files), the dashboard's scripts and
# charting (pipelines/site, vendor/ from npm as for the site) and its own
# (pipelines/agency).  Written after the release (its manifest), by
# 'make agency' and, for every sample agency, by 'make run' after the
# national build ('make agency-views').  Nothing in internal/ is read by
# manifest, merge or publish, or copied under out/national or out/site;
# worker.csv, beside the events, is read only by agency-view.
#   AGENCY_VIEW_NATIONAL=FILE  the national figures to compare with
#                              (default out/national/merged.csv, when it
#                              exists; the data annex's merged.csv will do)
AGENCY_VIEW_SRC      = pipelines/agency
AGENCY_VIEW_OWN      = index.html agency.js agency.css
AGENCY_VIEW_SHARED   = figures.js words.js specs.js charts.js style.css
AGENCY_VIEW_VENDOR   = vendor/vega.min.js vendor/vega-lite.min.js \
	vendor/vega-embed.min.js
AGENCY_VIEW_EVENTS  ?= pipelines/policy-events.csv
AGENCY_VIEW_NATIONAL ?= out/national/merged.csv
agency_view_files = $(addprefix out/agency/$(1)/internal/,$(AGENCY_VIEW_OWN) \
	$(AGENCY_VIEW_SHARED) $(AGENCY_VIEW_VENDOR) national.txt data.js)

# The profile maps a worker column (columns.worker: a column name, or
# {"first_of": [...]}); agency-view checks the same from the profile, so
# the two cannot silently disagree.  normalise writes the side file.
has_worker = $(shell tr -d ' \t\r\n' < $(AGENCY_DIR)/$(1)/profile.json \
	2>/dev/null | grep -q '"worker":["{]' && echo yes)
worker_opt = $(if $(call has_worker,$(1)),--worker out/agency/$(1)/worker.csv.tmp)
worker_keep = $(if $(call has_worker,$(1)),\
	mv out/agency/$(1)/worker.csv.tmp out/agency/$(1)/worker.csv,\
	rm -f out/agency/$(1)/worker.csv)

.PHONY: agency-views
ifdef AGENCY
agency: $(call agency_view_files,$(AGENCY))
endif
agency-views: $(foreach a,$(SAMPLE_AGENCIES),$(call agency_view_files,$(a)))
run: agency-views

# In 'make run' and 'make agency-views' the national build comes first,
# so that every sample agency's view compares; elsewhere the national
# figures are used when they are there, never built: national.txt names
# them and their checksum, rewritten only when they change, so that new
# national figures rebuild the view.
agency_view_national = $(if $(filter run agency-views,$(MAKECMDGOALS)),\
	$(AGENCY_VIEW_NATIONAL))
.PHONY: agency-view-national-check
agency-view-national-check:
out/agency/%/internal/national.txt: agency-view-national-check \
		$$(agency_view_national)
	@mkdir -p $(@D)
	@f='$(AGENCY_VIEW_NATIONAL)'; if [ -f "$$f" ]; then \
	  echo "$$f $$(cksum < "$$f")"; else echo "none"; fi | \
	  sh pipelines/write-if-changed.sh $@

out/agency/%/internal/data.js: out/agency/%/manifest.json \
		out/agency/%/mapped.csv out/agency/%/cells.csv \
		$(AGENCY_DIR)/%/profile.json $(CELL_CONFIG) $(AGENCY_VIEW_EVENTS) \
		out/agency/%/internal/national.txt bin/agency-view
	@mkdir -p $(@D)
	bin/agency-view --js --mapped out/agency/$*/mapped.csv \
	  --profile $(AGENCY_DIR)/$*/profile.json \
	  $(if $(call has_worker,$*),--worker out/agency/$*/worker.csv) \
	  $(foreach s,$(MANIFEST_STAGES),--stage out/agency/$*/$(s)-stats.json) \
	  --unmapped out/agency/$*/unmapped.csv \
	  --rejects out/agency/$*/rejects.csv \
	  --rejects out/agency/$*/bucket-rejects.csv \
	  $$(test -f '$(AGENCY_VIEW_NATIONAL)' && \
	    echo --national '$(AGENCY_VIEW_NATIONAL)') \
	  --events $(AGENCY_VIEW_EVENTS) --codes pipelines/codes \
	  --bands pipelines/age-bands.json out/agency/$*/cells.csv > $@.tmp
	mv $@.tmp $@

define agency_view_copy
out/agency/%/internal/$(1): $(2)/$(1)
	@mkdir -p $$(@D)
	cp $$< $$@.tmp
	mv $$@.tmp $$@
endef
$(foreach f,$(AGENCY_VIEW_OWN),$(eval $(call agency_view_copy,$(f),$(AGENCY_VIEW_SRC))))
$(foreach f,$(AGENCY_VIEW_SHARED),$(eval $(call agency_view_copy,$(f),pipelines/site)))
