# compare.mk: how much each way of protecting the national figures shows
# (issue 22, item 4).
#   make compare
# The sample agencies' releases under the default rules (make national:
# out/national/utility.csv, hard bounds and statistical ranges) and the
# same agencies' internal cells protected under cell-key perturbation
# (pipelines/rules/cellkey.json, out/compare/cellkey/<code>/, made
# from out/agency/<code>/cells.csv as suppress, freeze --assemble,
# manifest and audit make a release), merged into out/compare/cellkey/.
#   out/compare/utility.csv  period,measure,level,approach,cells,number,
#                            range,S,median_range_width,median_range_span
# And the secure mode's one release, the agencies' internal cells summed
# under masks and protected once (pipelines/secure.mk, out/secure/nzccss/),
# merged into out/compare/secure/.
# approach: default (hard bounds), statistical (the default releases'
# statistical ranges), cellkey (hard bounds under the perturbation),
# cellkey-statistical, secure (hard bounds of the one release),
# secure-statistical.  The rest as utility.csv (FORMATS.md).

COMPARE       = out/compare
COMPARE_RULES = pipelines/rules/cellkey.json
COMPARE_AGENCIES = $(SAMPLE_AGENCIES)
COMPARE_STAGES = normalise map bucket freeze aggregate

.PHONY: compare
compare: $(COMPARE)/utility.csv

.PRECIOUS: $(COMPARE)/cellkey/%/manifest.json
$(COMPARE)/cellkey/%/manifest.json: out/agency/%/manifest.json \
		$(COMPARE_RULES) bin/suppress bin/freeze bin/manifest bin/audit
	@mkdir -p $(@D)
	bin/suppress --rules $(COMPARE_RULES) --stats $(@D)/suppress-stats.json \
	  --secondary-cells $(@D)/new-secondary-cells.csv \
	  out/agency/$*/cells.csv > $(@D)/new-release.csv
	bin/freeze --assemble --plan out/agency/$*/freeze-stats.json \
	  --suppress-stats $(@D)/suppress-stats.json \
	  --secondary-in $(@D)/new-secondary-cells.csv \
	  --secondary-cells $(@D)/secondary-cells.csv \
	  --stats $(@D)/assemble-stats.json $(@D)/new-release.csv \
	  > $(@D)/release.csv
	SOURCE_DATE_EPOCH=$$(date -u -d "$$(sed -n \
	  's/.*"built_at": "\([^"]*\)".*/\1/p' $<)" +%s) \
	bin/manifest --agency $* --profile $(AGENCY_DIR)/$*/profile.json \
	  --rules $(COMPARE_RULES) \
	  $(foreach s,$(COMPARE_STAGES),--stage out/agency/$*/$(s)-stats.json) \
	  --stage $(@D)/suppress-stats.json --stage $(@D)/assemble-stats.json \
	  --release $(@D)/release.csv > $(@D)/manifest.tmp.json
	bin/audit --manifest $(@D)/manifest.tmp.json \
	  --statement $(@D)/audit-statement.txt > $(@D)/intervals.csv
	mv $(@D)/manifest.tmp.json $@

$(COMPARE)/cellkey/utility.csv: \
		$(foreach a,$(COMPARE_AGENCIES),$(COMPARE)/cellkey/$(a)/manifest.json) \
		bin/merge
	bin/merge --allow-demo-keys --utility $@.tmp \
	  --max-range-share $(MAX_RANGE_SHARE) \
	  $(addprefix $(COMPARE)/cellkey/,$(COMPARE_AGENCIES)) > $(@D)/merged.csv
	mv $@.tmp $@

$(COMPARE)/secure/utility.csv: $(SECURE_REL)/manifest.json \
		$(SECURE_REL)/intervals.csv bin/merge
	@mkdir -p $(@D)
	bin/merge --allow-demo-keys --utility $@.tmp \
	  --max-range-share $(MAX_RANGE_SHARE) $(SECURE_REL) > $(@D)/merged.csv
	mv $@.tmp $@

# one table: each utility.csv's rows after the approach they measure
$(COMPARE)/utility.csv: $(NATIONAL)/utility.csv $(COMPARE)/cellkey/utility.csv \
		$(COMPARE)/secure/utility.csv
	awk -F, 'BEGIN { OFS = "," } \
	  FNR == 1 { if (NR == 1) { $$4 = "approach"; print } next } \
	  { a = FILENAME ~ /cellkey/ ? "cellkey" : \
	      FILENAME ~ /secure/ ? "secure" : "default"; \
	    if ($$4 == "statistical") a = a == "default" ? "statistical" : \
	      a "-statistical"; \
	    $$4 = a; print }' $^ > $@.tmp
	mv $@.tmp $@
