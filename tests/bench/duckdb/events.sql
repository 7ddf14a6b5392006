-- events.sql: the DuckDB peer's first step (tests/bench/duckdb/run.js
-- fills in the export, the mapping CASE expressions from the
-- agency's map.json, and the regions from its profile).  One row per valid
-- event: md5 of the ids (the chain keys them with BLAKE2b), the quarter,
-- the age band at the event date, and every categorical value mapped to
-- its code; multi-valued fields as lists of distinct codes; the quarter's
-- index (year * 4 + quarter - 1) for the flow measures.
CREATE TEMP TABLE ev AS
WITH raw AS (
  SELECT *,
    try_strptime("Visit Date", '%d/%m/%Y')::DATE AS ev_date,
    try_strptime("DOB", '%d/%m/%Y')::DATE AS birth
  FROM read_csv('@EXPORT@', header = true, all_varchar = true,
                delim = ',', quote = '"')
)
SELECT
  md5("Client ID") AS client,
  CASE WHEN coalesce("Household ID", '') = '' THEN NULL
       ELSE md5("Household ID") END AS hh,
  year(ev_date) || 'Q' || quarter(ev_date) AS period,
  year(ev_date) * 4 + quarter(ev_date) - 1 AS qi,
  CASE WHEN r IN (@REGIONS@) THEN r ELSE '99' END AS region,
  @AGE_BAND@ AS age_band,
  @MAP_gender@ AS gender,
  @MULTI_ethnicity@ AS ethnicity,
  @MAP_household@ AS household,
  @MULTI_income@ AS income,
  @MAP_housing@ AS housing,
  list_distinct(list_transform(string_split(coalesce("Needs", ''), '; '),
                               x -> @MAP_need_x@)) AS need,
  @MULTI_service@ AS service,
  @MAP_referral@ AS referral,
  coalesce(try_cast("Food Parcels" AS BIGINT), 0) AS units
FROM (SELECT *, @MAP_region@ AS r,
        year(ev_date) - year(birth) -
          CASE WHEN month(ev_date) < month(birth) OR (month(ev_date) = month(birth)
                    AND day(ev_date) < day(birth)) THEN 1 ELSE 0 END AS age
      FROM raw WHERE ev_date IS NOT NULL AND coalesce("Client ID", '') <> '');

-- The code lists' order (run.js fills it in from pipelines/codes and the
-- age bands): a modal tie goes to the first code in it, as in the chain.
CREATE TEMP TABLE code_order (dim VARCHAR, value VARCHAR, ord INTEGER);
INSERT INTO code_order VALUES @CODE_ORDER@;

-- One row per client and quarter: the modal value of each single-valued
-- field (counted per client, quarter and value, the most frequent taken,
-- a tie to the first in code-list order), the modal non-empty household
-- (a tie to the smallest md5), and the distinct codes of each
-- multi-valued field.
CREATE TEMP TABLE modal AS
SELECT client, period, dim, arg_max(value, n * 1000000 - ord) AS value
FROM (
  SELECT client, period, dim, value, count(*) AS n
  FROM (UNPIVOT (SELECT client, period, region, age_band, gender, household,
                        housing, referral FROM ev)
        ON region, age_band, gender, household, housing, referral
        INTO NAME dim VALUE value)
  GROUP BY ALL
) JOIN code_order USING (dim, value)
GROUP BY client, period, dim;

-- The flow measures of each client and quarter (aggregate's, DESIGN.md
-- "Flow measures", without history or the export's start date, as the
-- bench runs aggregate): the first quarter of any event may be partial,
-- so a quarter is known from the one after it on; status is unknown
-- while its window (@WQ@ quarters before) reaches before that, else
-- returning when the client's latest earlier quarter is inside the
-- window, else new; tenure is unknown while @TQ@ quarters back reach
-- before it, else banded on 3 months per quarter since the client's
-- first; visits are its events, needs its distinct stated needs.
CREATE TEMP TABLE fl AS
WITH q AS (
  SELECT client, period, qi, count(*) AS visits,
    len(list_filter(list_distinct(flatten(list(need))),
                    x -> x <> @NEED_NOT_STATED@)) AS needs
  FROM ev GROUP BY client, period, qi),
w AS (
  SELECT *, min(qi) OVER (PARTITION BY client) AS first,
    lag(qi) OVER (PARTITION BY client ORDER BY qi) AS prev,
    (SELECT min(qi) FROM ev) + 1 AS full_from
  FROM q)
SELECT client, period,
  CASE WHEN qi - @WQ@ < full_from THEN @STATUS_UNKNOWN@
       WHEN prev >= qi - @WQ@ THEN 'returning' ELSE 'new' END
    AS client_status,
  @VISITS_BAND@ AS visits_band,
  @NEEDS_BAND@ AS needs_band,
  CASE WHEN qi - @TQ@ < full_from THEN @TENURE_UNKNOWN@
       ELSE @TENURE_BAND@ END AS tenure_band
FROM w;

-- every event with its client's flow measures
CREATE TEMP TABLE evf AS SELECT * FROM ev JOIN fl USING (client, period);

CREATE TEMP TABLE cq AS
SELECT m.*, h.hh, l.ethnicity, l.income, l.need, l.service,
  fl.client_status, fl.visits_band, fl.needs_band, fl.tenure_band
FROM (SELECT client, period,
        any_value(value) FILTER (dim = 'region') AS region,
        any_value(value) FILTER (dim = 'age_band') AS age_band,
        any_value(value) FILTER (dim = 'gender') AS gender,
        any_value(value) FILTER (dim = 'household') AS household,
        any_value(value) FILTER (dim = 'housing') AS housing,
        any_value(value) FILTER (dim = 'referral') AS referral
      FROM modal GROUP BY client, period) m
JOIN (SELECT client, period,
        list_distinct(flatten(list(ethnicity))) AS ethnicity,
        list_distinct(flatten(list(income))) AS income,
        list_distinct(flatten(list(need))) AS need,
        list_distinct(flatten(list(service))) AS service
      FROM ev GROUP BY client, period) l USING (client, period)
LEFT JOIN (SELECT client, period, arg_max(hh, (n, -rank)) AS hh
           FROM (SELECT client, period, hh, count(*) AS n,
                   row_number() OVER (PARTITION BY client, period
                                      ORDER BY hh) AS rank
                 FROM ev WHERE hh IS NOT NULL GROUP BY client, period, hh)
           GROUP BY client, period) h USING (client, period)
JOIN fl USING (client, period);
