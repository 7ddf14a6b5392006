# national.mk: the NZCCSS side (DESIGN §2, §7): every agency's release
# to merged cells and like-for-like changes.
#   make national [RELEASES=dir] [POLICY_EVENTS=file] [NATIONAL_STATE=dir]
#                 [MAX_RANGE_SHARE=pct] [COMPLETE_PANEL=previous|expected]
# A release is a folder holding manifest.json and release.csv.  By default
# the sample agencies' out/agency/<code>/ (built first) and any other
# out/agency/*/ already built; with RELEASES=dir, the folders dir/*/ holding
# a manifest.json (the releases received from agencies).
#   <release>/intervals.csv       audit, public mode: what each release
#                                 proves of its S (rebuilt when it changes)
#   out/national/intervals-cache/ what audit proved of each agency's
#                                 quarter, read again while it is the same
#   out/national/merged.csv       merge: cells summed over agencies
#   out/national/coverage.csv     merge: who reported each quarter
#   out/national/utility.csv      merge: how many figures show as numbers
#   out/national/changes.csv      diff-quarters: on the previous quarter
#   out/national/changes-yoy.csv  diff-quarters --yoy-to: on a year before
#   NATIONAL_STATE/received.csv   every agency's quarter taken in, with its
#                                 digest: a second, different release of
#                                 one is refused
# Agencies are not additive in people: a client of two agencies counts
# twice in every merged sum.

NATIONAL      = out/national
POLICY_EVENTS ?= pipelines/policy-events.csv
# MAX_RANGE_SHARE: the widest range (percent of the estimate) that a
# figure may have and still be shown as a number (merged.csv's M_shown;
# publish applies the same rule to shares and changes).
MAX_RANGE_SHARE ?= 20
# who must report a quarter for it to be complete (merge --complete)
COMPLETE_PANEL ?= previous

# make site and make report build on the releases make national merged
# last: without RELEASES= of their own they take the folder it used
# (out/national/releases-dir; empty for the agencies built here), so the
# dashboard is never quietly rebuilt from the sample agencies.
RELEASES_DIR_FILE = $(NATIONAL)/releases-dir
ifeq ($(origin RELEASES),undefined)
ifneq ($(filter site report,$(MAKECMDGOALS)),)
ifeq ($(filter national run agencies agency,$(MAKECMDGOALS)),)
RELEASES := $(shell cat $(RELEASES_DIR_FILE) 2>/dev/null)
$(if $(RELEASES),$(info make: the releases in $(RELEASES), as make national \
  merged them last (RELEASES= for the agencies built here)))
endif
endif
endif

ifneq ($(RELEASES),)
NATIONAL_DIRS = $(patsubst %/manifest.json,%,\
                  $(wildcard $(RELEASES:%/=%)/*/manifest.json))
# what NZCCSS has received: kept outside out/ and the repository
NATIONAL_STATE ?= $(HOME)/.nzccss/national
NATIONAL_FLAGS =
else
NATIONAL_DIRS = $(sort $(addprefix out/agency/,$(SAMPLE_AGENCIES)) \
                  $(patsubst %/manifest.json,%,\
                    $(wildcard out/agency/*/manifest.json)))
# the sample build: the sample agencies' demo keys; no state unless
# NATIONAL_STATE is given, as its releases change with the code
NATIONAL_STATE ?=
NATIONAL_FLAGS = --allow-demo-keys
endif
# MODE=secure (pipelines/secure.mk): the one release is NZCCSS's, the
# secure sum of the sample agencies' internal cells protected once
MODE ?= default
ifeq ($(MODE),secure)
ifneq ($(RELEASES),)
$(error MODE=secure sums agencies' internal cells, RELEASES= takes \
  their protected releases: a quarter is published from one mode only)
endif
NATIONAL_DIRS = $(SECURE_REL)
else ifneq ($(MODE),default)
$(error MODE=$(MODE): expected default or secure)
endif
NATIONAL_INPUTS = $(addsuffix /manifest.json,$(NATIONAL_DIRS)) \
                  $(wildcard $(addsuffix /release.csv,$(NATIONAL_DIRS))) \
                  $(addsuffix /intervals.csv,$(NATIONAL_DIRS))
NATIONAL_ARGS = $(NATIONAL_FLAGS) $(if $(NATIONAL_STATE),--state \
                  $(NATIONAL_STATE)) $(NATIONAL_DIRS)
no_releases = $(error no releases: no */manifest.json in \
                $(or $(RELEASES),out/agency))

.PHONY: national
national: $(NATIONAL)/merged.csv $(NATIONAL)/coverage.csv \
          $(NATIONAL)/utility.csv $(NATIONAL)/changes.csv \
          $(NATIONAL)/changes-yoy.csv

# What a release proves of each of its S: the audit in public mode, from
# the release and its manifest alone (CONTRACTS.md).  Made once per
# release, beside it, and remade only when the release or its manifest
# changes (the manifest holds the release's sha256, whatever the file's
# name).  An S the release leaves fewer than 3 values, or a release no
# true values fit, stops the build here, named by the audit.
# INTERVALS_CACHE (audit --cache): each agency's and period's bounds,
# kept by the sha256 of its cells, the rules and bin/audit; a released
# quarter is final, so a build audits only the quarters new since the
# last one (empty: audit every quarter of every changed release).
INTERVALS_CACHE ?= $(NATIONAL)/intervals-cache
INTERVALS_AUDIT = bin/audit $(SDC_LIMIT) $(if $(INTERVALS_CACHE),--cache \
                  $(INTERVALS_CACHE)) --manifest
.PRECIOUS: %/intervals.csv
%/intervals.csv: %/manifest.json $$(wildcard $$*/release.csv) bin/audit
	$(INTERVALS_AUDIT) $(@D) > $@.tmp
	mv $@.tmp $@

# The list of release folders, rewritten only when it changes, so that an
# agency joining or leaving rebuilds the national files; the settings too.
$(NATIONAL)/releases.txt: national-list-check
	@mkdir -p $(@D)
	@printf '%s\n' $(NATIONAL_DIRS) | sh pipelines/write-if-changed.sh $@
	@printf '%s' '$(RELEASES)' > $(RELEASES_DIR_FILE)
$(NATIONAL)/settings.txt: national-list-check
	@mkdir -p $(@D)
	@printf '%s\n' 'max-range-share $(MAX_RANGE_SHARE)' \
	  'complete $(COMPLETE_PANEL)' 'state $(NATIONAL_STATE)' \
	  'mode $(MODE)' | sh pipelines/write-if-changed.sh $@
national-list-check:

ifneq ($(NATIONAL_STATE),)
$(NATIONAL_STATE):
	mkdir -p $@
endif

# merge writes the three at once
$(NATIONAL)/merged.csv $(NATIONAL)/coverage.csv $(NATIONAL)/utility.csv &: \
		$(NATIONAL)/releases.txt $(NATIONAL)/settings.txt \
		$(NATIONAL_INPUTS) bin/merge | $(NATIONAL_STATE)
	$(if $(NATIONAL_DIRS),,$(no_releases))
	bin/merge --coverage $(NATIONAL)/coverage.csv.tmp \
	  --complete $(COMPLETE_PANEL) --utility $(NATIONAL)/utility.csv.tmp \
	  --max-range-share $(MAX_RANGE_SHARE) $(NATIONAL_ARGS) \
	  > $(NATIONAL)/merged.csv.tmp
	mv $(NATIONAL)/coverage.csv.tmp $(NATIONAL)/coverage.csv
	mv $(NATIONAL)/utility.csv.tmp $(NATIONAL)/utility.csv
	mv $(NATIONAL)/merged.csv.tmp $(NATIONAL)/merged.csv

# diff-quarters writes both at once: on the previous quarter and, from the
# same reading of the releases, on a year before (--yoy-to)
$(NATIONAL)/changes.csv $(NATIONAL)/changes-yoy.csv &: \
		$(NATIONAL)/releases.txt $(NATIONAL)/settings.txt \
		$(NATIONAL_INPUTS) $(POLICY_EVENTS) bin/diff-quarters \
		| $(NATIONAL_STATE)
	$(if $(NATIONAL_DIRS),,$(no_releases))
	bin/diff-quarters --events $(POLICY_EVENTS) \
	  --yoy-to $(NATIONAL)/changes-yoy.csv.tmp $(NATIONAL_ARGS) \
	  > $(NATIONAL)/changes.csv.tmp
	mv $(NATIONAL)/changes-yoy.csv.tmp $(NATIONAL)/changes-yoy.csv
	mv $(NATIONAL)/changes.csv.tmp $(NATIONAL)/changes.csv
