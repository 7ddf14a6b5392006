# national.mk: the NZCCSS side (DESIGN §2, §7): every agency's release
# to merged cells and like-for-like changes.
#   make national [RELEASES=dir] [POLICY_EVENTS=file] [MAX_RANGE_SHARE=pct]
# A release is a folder holding manifest.json and release.csv.  By default
# the sample agencies' out/agency/<code>/ (built first) and any other
# out/agency/*/ already built; with RELEASES=dir, the folders dir/*/ holding
# a manifest.json (the releases received from agencies).
#   out/national/merged.csv       merge: cells summed over agencies
#   out/national/changes.csv      diff-quarters: on the previous quarter
#   out/national/changes-yoy.csv  diff-quarters --yoy: on a year before
# Agencies are not additive in people: a client of two agencies counts
# twice in every merged sum.
# MAX_RANGE_SHARE: the widest range (percent of the estimate) that a
# figure may have and still be shown as a number (merged.csv's M_shown;
# publish applies the same rule to shares and changes).

NATIONAL      = out/national
POLICY_EVENTS ?= pipelines/policy-events.csv
MAX_RANGE_SHARE ?= 20

ifdef RELEASES
NATIONAL_DIRS = $(patsubst %/manifest.json,%,\
                  $(wildcard $(RELEASES:%/=%)/*/manifest.json))
else
NATIONAL_DIRS = $(sort $(addprefix out/agency/,$(SAMPLE_AGENCIES)) \
                  $(patsubst %/manifest.json,%,\
                    $(wildcard out/agency/*/manifest.json)))
endif
NATIONAL_INPUTS = $(addsuffix /manifest.json,$(NATIONAL_DIRS)) \
                  $(wildcard $(addsuffix /release.csv,$(NATIONAL_DIRS)))
no_releases = $(error no releases: no */manifest.json in \
                $(or $(RELEASES),out/agency))

.PHONY: national
national: $(NATIONAL)/merged.csv $(NATIONAL)/changes.csv \
          $(NATIONAL)/changes-yoy.csv

# The list of release folders, rewritten only when it changes, so that an
# agency joining or leaving rebuilds the national files.
$(NATIONAL)/releases.txt: national-list-check
	@mkdir -p $(@D)
	@printf '%s\n' $(NATIONAL_DIRS) > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
national-list-check:

# The settings, rewritten only when they change, so that a new
# MAX_RANGE_SHARE rebuilds what depends on it.
$(NATIONAL)/settings.txt: national-list-check
	@mkdir -p $(@D)
	@printf 'max-range-share %s\n' '$(MAX_RANGE_SHARE)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(NATIONAL)/merged.csv: $(NATIONAL)/releases.txt $(NATIONAL)/settings.txt \
		$(NATIONAL_INPUTS) bin/merge
	$(if $(NATIONAL_DIRS),,$(no_releases))
	bin/merge --max-range-share $(MAX_RANGE_SHARE) $(NATIONAL_DIRS) > $@.tmp
	mv $@.tmp $@

$(NATIONAL)/changes.csv: $(NATIONAL)/releases.txt $(NATIONAL_INPUTS) \
		$(POLICY_EVENTS) bin/diff-quarters
	$(if $(NATIONAL_DIRS),,$(no_releases))
	bin/diff-quarters --events $(POLICY_EVENTS) $(NATIONAL_DIRS) > $@.tmp
	mv $@.tmp $@

$(NATIONAL)/changes-yoy.csv: $(NATIONAL)/releases.txt $(NATIONAL_INPUTS) \
		$(POLICY_EVENTS) bin/diff-quarters
	$(if $(NATIONAL_DIRS),,$(no_releases))
	bin/diff-quarters --yoy --events $(POLICY_EVENTS) $(NATIONAL_DIRS) \
	  > $@.tmp
	mv $@.tmp $@
