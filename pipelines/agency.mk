# agency.mk: the at-source chain, one agency at a time (DESIGN §2, §7).
#   make agency AGENCY=code [AGENCY_DIR=dir] [KEY=file]
# AGENCY_DIR/<code>/ holds export.*, profile.json and map.json.

AGENCY_DIR ?= sample-data
KEY_DIR    ?= $(HOME)/.nzccss/keys
# a sample agency whose folder holds a PENDING file needs a normalise
# feature not there yet (the file says which): left out of the build
SAMPLE_AGENCIES = $(filter-out $(patsubst sample-data/%/PENDING,%,$(wildcard sample-data/*/PENDING)),$(patsubst sample-data/%/profile.json,%,$(wildcard sample-data/*/profile.json)))

agencies: $(foreach a,$(SAMPLE_AGENCIES),out/agency/$(a)/manifest.json)
# every stage named, so none is an intermediate make would not remake
# when it is missing
agency_files = $(foreach f,canonical mapped bucketed cells release,\
	out/agency/$(1)/$(f).csv)
agencies: $(foreach a,$(SAMPLE_AGENCIES),$(call agency_files,$(a)))

ifdef AGENCY
agency: out/agency/$(AGENCY)/manifest.json
agency: $(call agency_files,$(AGENCY))
else
agency:
	@echo "usage: make agency AGENCY=code [AGENCY_DIR=dir] [KEY=file]" >&2; exit 2
endif

# A real key: random, mode 0600, outside the repository.
key:
	@test -n "$(AGENCY)" || { echo "usage: make key AGENCY=code" >&2; exit 2; }
	@mkdir -p -m 700 $(KEY_DIR)
	bin/keygen $(KEY_DIR)/$(AGENCY).key
	@echo "key written to $(KEY_DIR)/$(AGENCY).key; back it up safely" >&2
key: bin/keygen

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

.SECONDEXPANSION:

# every stage's output stays for inspection (make would delete the middle
# of a chain of pattern rules); .tmp files and mv keep them atomic
.PRECIOUS: out/keys/%.key out/agency/%/canonical.csv out/agency/%/mapped.csv \
	out/agency/%/bucketed.csv out/agency/%/cells.csv out/agency/%/release.csv

# normalise: raw export to canonical events, rejects and row accounting;
# and, where the profile maps a worker column, the internal side file
# worker.csv (the agency's own view, below: worker_opt, worker_keep)
out/agency/%/canonical.csv: $$(wildcard $(AGENCY_DIR)/%/export.*) \
		$(AGENCY_DIR)/%/profile.json $$(call agency_key,$$*) bin/normalise
	@mkdir -p $(@D)
	bin/normalise --profile $(AGENCY_DIR)/$*/profile.json \
	  --key $(call agency_key,$*) --rejects $(@D)/rejects.csv.tmp \
	  --stats $(@D)/normalise-stats.json.tmp $(call worker_opt,$*) \
	  $(wildcard $(AGENCY_DIR)/$*/export.*) > $@.tmp
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

# bucket: age to age band, event date to quarter; exact values dropped
out/agency/%/bucketed.csv: out/agency/%/mapped.csv pipelines/age-bands.json \
		bin/bucket
	bin/bucket --bands pipelines/age-bands.json \
	  --stats $(@D)/bucket-stats.json.tmp $< > $@.tmp
	mv $(@D)/bucket-stats.json.tmp $(@D)/bucket-stats.json
	mv $@.tmp $@

# the configuration every cell depends on, and the disclosure rules
CELL_CONFIG = pipelines/tables.json pipelines/age-bands.json \
	$(wildcard pipelines/codes/*.json)
RULES ?= pipelines/rules/statsnz.json

# aggregate: bucketed events to internal cells (they hold ckey: never sent)
out/agency/%/cells.csv: out/agency/%/bucketed.csv $(AGENCY_DIR)/%/profile.json \
		$(CELL_CONFIG) bin/aggregate
	bin/aggregate --tables pipelines/tables.json --codes pipelines/codes \
	  --bands pipelines/age-bands.json --profile $(AGENCY_DIR)/$*/profile.json \
	  --stats $(@D)/aggregate-stats.json.tmp $< > $@.tmp
	mv $(@D)/aggregate-stats.json.tmp $(@D)/aggregate-stats.json
	mv $@.tmp $@

# suppress: internal cells to the release: primary suppression, keyed RR3,
# secondary suppression until every S is protected
out/agency/%/release.csv: out/agency/%/cells.csv $(RULES) bin/suppress
	bin/suppress --rules $(RULES) --stats $(@D)/suppress-stats.json.tmp \
	  --secondary-cells $(@D)/secondary-cells.csv.tmp $< > $@.tmp
	mv $(@D)/suppress-stats.json.tmp $(@D)/suppress-stats.json
	mv $(@D)/secondary-cells.csv.tmp $(@D)/secondary-cells.csv
	mv $@.tmp $@

# manifest: what the release holds and how it was made.  built_at is
# SOURCE_DATE_EPOCH, by default the last commit of the inputs (sample data)
# or else their newest mtime, so a rebuild is byte-identical.  Then audit:
# the manifest (which is what makes a release) is only put in place when
# the audit proves every S keeps at least 3 possible values; audit.csv
# lists each S's interval.  secondary-cells.csv (internal, never sent)
# tells the audit which S may hide any value; every other S is primary.
MANIFEST_STAGES = normalise map bucket aggregate suppress
manifest_inputs = $(wildcard $(AGENCY_DIR)/$(1)/export.*) \
	$(AGENCY_DIR)/$(1)/profile.json $(AGENCY_DIR)/$(1)/map.json \
	$(CELL_CONFIG) $(RULES)
out/agency/%/manifest.json: out/agency/%/release.csv $(AGENCY_DIR)/%/profile.json \
		$(CELL_CONFIG) $(RULES) bin/manifest bin/audit
	rm -f $@ $(@D)/audit.csv
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$( \
	  git log -1 --format=%ct -- $(call manifest_inputs,$*) 2>/dev/null | grep . || \
	  stat -c %Y $(call manifest_inputs,$*) | sort -n | tail -n 1)} \
	bin/manifest --agency $* --profile $(AGENCY_DIR)/$*/profile.json \
	  --rules $(RULES) --codes pipelines/codes --bands pipelines/age-bands.json \
	  --tables pipelines/tables.json \
	  $(foreach s,$(MANIFEST_STAGES),--stage $(@D)/$(s)-stats.json) \
	  --release $< > $(@D)/manifest.tmp.json
	bin/audit --manifest $(@D)/manifest.tmp.json \
	  --secondary-cells $(@D)/secondary-cells.csv > $(@D)/audit.csv.tmp
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
	  echo "$$f $$(cksum < "$$f")"; else echo "none"; fi > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

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
	  $(addprefix --rejects ,$(sort $(wildcard out/agency/$*/*rejects.csv))) \
	  $(addprefix --national ,$(wildcard $(AGENCY_VIEW_NATIONAL))) \
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
