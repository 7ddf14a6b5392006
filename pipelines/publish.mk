# publish.mk: the NZCCSS outputs (DESIGN §2, §7): the dashboard and the
# six-monthly report, from the national files of national.mk.
#   make site                 out/site/: index.html, data.js, app.js,
#                             specs.js, style.css, vendor/ (Vega, Vega-Lite,
#                             vega-embed); opens from file://, no network
#   make report HALF=2026H1   out/report/2026H1.html and .pdf; narrative
#                             from NARRATIVE (sample-data/narrative/HALF)
# The charting libraries come from npm at the versions pinned in
# pipelines/site/package-lock.json (npm ci into out/npm, the only step that
# needs the network).  The PDF is printed by headless Chromium.

SITE       = out/site
SITE_SRC   = pipelines/site
NPM_DIR    = out/npm
NPM_STAMP  = $(NPM_DIR)/node_modules/.installed
REPORT_DIR = out/report
NARRATIVE ?= sample-data/narrative/$(HALF)
CHROMIUM  ?= chromium
SITE_FILES = index.html app.js specs.js style.css
VENDOR     = vega vega-lite vega-embed

# publish links CommonMark for the report's narrative
bin/publish bin/san/publish: LDLIBS += -lcmark
# node and npm: Debian's, unless some node and npm are already installed
BUILD_PKGS += libcmark-dev $(if $(shell command -v npm 2>/dev/null),,nodejs npm)
TEST_PKGS  += chromium poppler-utils

PUBLISH_INPUTS = $(NATIONAL)/merged.csv $(NATIONAL)/changes.csv \
                 $(NATIONAL)/changes-yoy.csv $(POLICY_EVENTS)
PUBLISH_ARGS   = --changes $(NATIONAL)/changes.csv \
                 --yoy $(NATIONAL)/changes-yoy.csv --events $(POLICY_EVENTS) \
                 $(addprefix -m ,$(filter %/manifest.json,$(NATIONAL_INPUTS)))

.PHONY: site report

site: $(addprefix $(SITE)/,$(SITE_FILES) data.js) \
      $(patsubst %,$(SITE)/vendor/%.min.js,$(VENDOR))

$(NPM_STAMP): $(SITE_SRC)/package.json $(SITE_SRC)/package-lock.json
	@mkdir -p $(NPM_DIR)
	cp $^ $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(SITE)/data.js: $(PUBLISH_INPUTS) $(filter %/manifest.json,$(NATIONAL_INPUTS)) \
		bin/publish
	@mkdir -p $(@D)
	bin/publish --js $(PUBLISH_ARGS) $(NATIONAL)/merged.csv > $@.tmp
	mv $@.tmp $@

$(addprefix $(SITE)/,$(SITE_FILES)): $(SITE)/%: $(SITE_SRC)/%
	@mkdir -p $(@D)
	cp $< $@

$(SITE)/vendor/%.min.js: $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(NPM_DIR)/node_modules/$*/build/$*.min.js $@

# ---- the six-monthly report ----
report: $(if $(HALF),$(REPORT_DIR)/$(HALF).html $(REPORT_DIR)/$(HALF).pdf,\
          report-needs-half)
report-needs-half:
	@echo 'make report needs HALF, e.g. make report HALF=2026H1' >&2
	@exit 2
.PRECIOUS: $(REPORT_DIR)/%-charts/.done

$(NPM_DIR)/render-charts.mjs: $(SITE_SRC)/render-charts.mjs $(NPM_STAMP)
	cp $< $@
$(NPM_DIR)/specs.cjs: $(SITE_SRC)/specs.js $(NPM_STAMP)
	cp $< $@

$(REPORT_DIR)/%-charts/.done: $(SITE)/data.js $(NPM_DIR)/render-charts.mjs \
		$(NPM_DIR)/specs.cjs
	@mkdir -p $(@D)
	cd $(NPM_DIR) && node render-charts.mjs $(abspath $(SITE)/data.js) $* \
	  $(abspath $(@D))
	touch $@

$(REPORT_DIR)/%.html: $(PUBLISH_INPUTS) bin/publish \
		$(REPORT_DIR)/%-charts/.done $(wildcard $(NARRATIVE)/*.md)
	bin/publish --report $* --narrative $(NARRATIVE) \
	  --charts $(REPORT_DIR)/$*-charts $(PUBLISH_ARGS) \
	  $(NATIONAL)/merged.csv > $@.tmp
	mv $@.tmp $@

$(REPORT_DIR)/%.pdf: $(REPORT_DIR)/%.html
	rm -rf $@.profile
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-quic \
	  --no-first-run --disable-background-networking \
	  --disable-component-update --disable-sync \
	  --user-data-dir=$(abspath $@.profile) --no-pdf-header-footer \
	  --print-to-pdf=$(abspath $@.tmp) file://$(abspath $<) 2>$@.log \
	  || { cat $@.log >&2; rm -rf $@.profile; exit 1; }
	rm -rf $@.profile $@.log
	mv $@.tmp $@
