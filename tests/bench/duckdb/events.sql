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

-- One row per client and quarter: the modal value of each single-valued
-- field (mode(): a tie goes to whichever value DuckDB meets first, where
-- the chain takes the first in code-list order), the modal non-empty
-- household, and the distinct codes of each multi-valued field.
CREATE TEMP TABLE cq AS
SELECT client, period,
  mode(hh) AS hh,
  mode(region) AS region, mode(age_band) AS age_band, mode(gender) AS gender,
  mode(household) AS household, mode(housing) AS housing,
  list_distinct(flatten(list(ethnicity))) AS ethnicity,
  list_distinct(flatten(list(income))) AS income,
  list_distinct(flatten(list(need))) AS need,
  list_distinct(flatten(list(service))) AS service
FROM ev GROUP BY client, period;
