# publish.mk: the NZCCSS outputs (DESIGN §2, §7): the dashboard and the
# six-monthly report, from the national files of national.mk.  publish
# writes data only; the pages are templates that read it.
#   make site                 out/site/: index.html and its scripts, data.js,
#                             vendor/ (Vega, Vega-Lite, vega-embed) and the
#                             data annex data/*.csv; opens from file://
#   make report HALF=2026H1   out/report/2026H1/report.html (the report page
#                             and its data, narrative from NARRATIVE, by
#                             default sample-data/narrative/HALF) printed to
#                             out/report/2026H1.pdf (A4) by headless Chromium
# The charting libraries come from npm at the versions pinned in
# pipelines/site/package-lock.json (npm ci into out/npm, the only step that
# needs the network).

SITE       = out/site
SITE_SRC   = pipelines/site
REPORT_SRC = pipelines/report
NPM_DIR    = out/npm
NPM_STAMP  = $(NPM_DIR)/node_modules/.installed
REPORT_DIR = out/report
NARRATIVE ?= sample-data/narrative/$(HALF)
CHROMIUM  ?= chromium
SHARED_JS  = figures.js words.js specs.js charts.js
SITE_FILES = index.html app.js style.css $(SHARED_JS)
REPORT_FILES = report.html report.js report.css
VENDOR     = vega vega-lite vega-embed
ANNEX      = merged.csv changes.csv changes-yoy.csv policy-events.csv README.txt

# publish links CommonMark for the report's narrative, and so do the AFL++
# drivers, which link every program
bin/publish bin/san/publish bin/afl/fuzz-progs bin/afl/fuzz-progs-asan: \
  LDLIBS += -lcmark
# node and npm: Debian's, unless some node and npm are already installed
BUILD_PKGS += libcmark-dev $(if $(shell command -v npm 2>/dev/null),,nodejs npm)
TEST_PKGS  += chromium poppler-utils

PUBLISH_INPUTS = $(NATIONAL)/merged.csv $(NATIONAL)/changes.csv \
                 $(NATIONAL)/changes-yoy.csv $(POLICY_EVENTS) \
                 $(filter %/manifest.json,$(NATIONAL_INPUTS)) bin/publish
PUBLISH_ARGS   = --changes $(NATIONAL)/changes.csv \
                 --yoy $(NATIONAL)/changes-yoy.csv --events $(POLICY_EVENTS) \
                 --max-range-share $(MAX_RANGE_SHARE) \
                 $(addprefix -m ,$(filter %/manifest.json,$(NATIONAL_INPUTS)))
VENDOR_JS      = $(patsubst %,vendor/%.min.js,$(VENDOR))

.PHONY: site report

site: $(addprefix $(SITE)/,$(SITE_FILES) data.js $(VENDOR_JS)) \
      $(addprefix $(SITE)/data/,$(ANNEX))

$(NPM_STAMP): $(SITE_SRC)/package.json $(SITE_SRC)/package-lock.json
	@mkdir -p $(NPM_DIR)
	cp $^ $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(SITE)/data.js: $(PUBLISH_INPUTS) $(NATIONAL)/settings.txt
	@mkdir -p $(@D)
	bin/publish --js $(PUBLISH_ARGS) $(NATIONAL)/merged.csv > $@.tmp
	mv $@.tmp $@

$(addprefix $(SITE)/,$(SITE_FILES)): $(SITE)/%: $(SITE_SRC)/%
	@mkdir -p $(@D)
	cp $< $@

# the data annex: every published table, as the national build wrote it
$(SITE)/data/%.csv: $(NATIONAL)/%.csv
	@mkdir -p $(@D)
	cp $< $@
$(SITE)/data/policy-events.csv: $(POLICY_EVENTS)
	@mkdir -p $(@D)
	cp $< $@
$(SITE)/data/README.txt: $(SITE_SRC)/annex-README.txt
	@mkdir -p $(@D)
	cp $< $@

%/vendor/vega.min.js %/vendor/vega-lite.min.js %/vendor/vega-embed.min.js: \
		$(NPM_STAMP)
	@mkdir -p $*/vendor
	for v in $(VENDOR); do \
	  cp $(NPM_DIR)/node_modules/$$v/build/$$v.min.js $*/vendor/; done

# ---- the six-monthly report ----
ifdef HALF
REPORT_PAGE = $(REPORT_DIR)/$(HALF)
REPORT_PAGE_FILES = $(addprefix $(REPORT_PAGE)/,$(REPORT_FILES) $(SHARED_JS) \
                      data.js $(VENDOR_JS))
report: $(REPORT_DIR)/$(HALF).pdf

$(addprefix $(REPORT_PAGE)/,$(REPORT_FILES)): $(REPORT_PAGE)/%: $(REPORT_SRC)/%
	@mkdir -p $(@D)
	cp $< $@
$(addprefix $(REPORT_PAGE)/,$(SHARED_JS)): $(REPORT_PAGE)/%: $(SITE_SRC)/%
	@mkdir -p $(@D)
	cp $< $@

# the data of the report's half with its narrative (narrative.txt: the
# folder and its files, rewritten when they change); a section of the
# template (data-narrative="NAME") without NARRATIVE/NAME.md is a warning,
# and the page says so where the section would be
$(REPORT_PAGE)/narrative.txt: national-list-check
	@mkdir -p $(@D)
	@printf '%s\n' '$(NARRATIVE)' $(wildcard $(NARRATIVE)/*.md) > $@.tmp.$$$$; \
	if cmp -s $@.tmp.$$$$ $@; then rm -f $@.tmp.$$$$; \
	else mv $@.tmp.$$$$ $@; fi
$(REPORT_PAGE)/data.js: $(PUBLISH_INPUTS) $(NATIONAL)/settings.txt \
		$(REPORT_PAGE)/narrative.txt $(REPORT_SRC)/report.html \
		$(wildcard $(NARRATIVE)/*.md)
	@mkdir -p $(@D)
	@for s in $$(sed -n 's/.*data-narrative="\([a-z0-9-]*\)".*/\1/p' \
	    $(REPORT_SRC)/report.html); do [ -f $(NARRATIVE)/$$s.md ] || \
	  echo "warning: no narrative $(NARRATIVE)/$$s.md for the report" >&2; done
	bin/publish --js --report $(HALF) \
	  $(if $(wildcard $(NARRATIVE)/.),--narrative $(NARRATIVE)) \
	  $(PUBLISH_ARGS) $(NATIONAL)/merged.csv > $@.tmp
	mv $@.tmp $@

# Chromium runs the page's scripts (virtual time lets the charts finish)
# and prints it on A4 with the page numbers of its @page rules.
$(REPORT_DIR)/$(HALF).pdf: $(REPORT_PAGE_FILES)
	rm -rf $@.profile
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-quic \
	  --no-first-run --disable-background-networking \
	  --disable-component-update --disable-sync \
	  --user-data-dir=$(abspath $@.profile) --no-pdf-header-footer \
	  --virtual-time-budget=30000 --run-all-compositor-stages-before-draw \
	  --print-to-pdf=$(abspath $@.tmp) file://$(abspath $(REPORT_PAGE))/report.html \
	  2>$@.log || { cat $@.log >&2; rm -rf $@.profile; exit 1; }
	rm -rf $@.profile $@.log
	mv $@.tmp $@
else
report:
	@echo 'make report needs HALF, e.g. make report HALF=2026H1' >&2
	@exit 2
endif
