-- events.sql: the DuckDB peer's first step (tests/bench/duckdb/run.js
-- fills in the export, the mapping CASE expressions from the
-- agency's map.json, and the regions from its profile).  One row per valid
-- event: md5 of the ids (the chain keys them with BLAKE2b), the quarter,
-- the age band at the event date, and every categorical value mapped to
-- its code; multi-valued fields as lists of distinct codes.
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
                        housing FROM ev)
        ON region, age_band, gender, household, housing
        INTO NAME dim VALUE value)
  GROUP BY ALL
) JOIN code_order USING (dim, value)
GROUP BY client, period, dim;

CREATE TEMP TABLE cq AS
SELECT m.*, h.hh, l.ethnicity, l.income, l.need, l.service
FROM (SELECT client, period,
        any_value(value) FILTER (dim = 'region') AS region,
        any_value(value) FILTER (dim = 'age_band') AS age_band,
        any_value(value) FILTER (dim = 'gender') AS gender,
        any_value(value) FILTER (dim = 'household') AS household,
        any_value(value) FILTER (dim = 'housing') AS housing
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
           GROUP BY client, period) h USING (client, period);
