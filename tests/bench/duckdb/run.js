// run.js: the DuckDB peer of the chain for make bench (tests/bench/run.sh).
//   node run.js EXPORT PROFILE MAP TABLES AGE_BANDS CODES_DIR FLOW OUT.csv
// The same work as normalise | map-categories | bucket | aggregate, the
// way one writes it in SQL: events.sql (one row per event, then one per
// client and quarter with modal values and flow measures), then every
// dimension set of the tables (each table and its margins, as aggregate
// does) as one GROUP BY each, UNION ALL, written to OUT.csv in the cells'
// column order.  Without outcomes (aggregate --outcomes), as the bench
// runs the chain, the sets with outcome have no cells.
// Differences from the chain are stated in README's speed section.
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require('@duckdb/node-api');

const DIMS = ['region', 'age_band', 'gender', 'ethnicity', 'household',
	'income', 'housing', 'need', 'service', 'referral', 'client_status',
	'visits_band', 'needs_band', 'tenure_band', 'outcome'];
const MULTI = new Set(['ethnicity', 'income', 'need', 'service']);

const q = (s) => "'" + String(s).replace(/'/g, "''") + "'";
const ident = (s) => '"' + String(s).replace(/"/g, '""') + '"';

// CASE col WHEN raw THEN code ... ELSE not_stated END, from map.json
function mapCase(col, field, map, codesDir) {
	const codes = JSON.parse(fs.readFileSync(
		path.join(codesDir, field + '.json'), 'utf8'));
	const m = map.fields[field] || {};
	const arms = Object.keys(m).map((raw) =>
		`WHEN ${q(raw)} THEN ${q(m[raw])}`).join(' ');
	return `CASE ${col} ${arms} ELSE ${q(codes.not_stated)} END`;
}

// the distinct codes of a multi-valued field's columns, empty values left
// out, and its not_stated code when none is left
function mapMulti(cols, field, map, codesDir) {
	const codes = JSON.parse(fs.readFileSync(
		path.join(codesDir, field + '.json'), 'utf8'));
	const each = cols.map((c) => `CASE WHEN coalesce(${c}, '') = '' ` +
		`THEN NULL ELSE ${mapCase(c, field, map, codesDir)} END`);
	const l = `list_distinct(list_filter([${each.join(', ')}], ` +
		`y -> y IS NOT NULL))`;
	return `CASE WHEN len(${l}) = 0 THEN [${q(codes.not_stated)}] ` +
		`ELSE ${l} END`;
}

function ageBand(bands) {
	// a band without max is open-ended (65+)
	const arms = bands.bands.map((b) => b.max === undefined ?
		`WHEN age >= ${b.min} THEN ${q(b.code)}` :
		`WHEN age BETWEEN ${b.min} AND ${b.max} THEN ${q(b.code)}`);
	return `CASE ${arms.join(' ')} ELSE ${q(bands.not_stated)} END`;
}

// CASE WHEN expr in a band THEN its code ..., from a flow spec's bands
function flowBand(expr, bands) {
	const arms = bands.map((b) => b.max === undefined ?
		`WHEN ${expr} >= ${b.min} THEN ${q(b.code)}` :
		`WHEN ${expr} BETWEEN ${b.min} AND ${b.max} THEN ${q(b.code)}`);
	return `CASE ${arms.join(' ')} END`;
}

const codeList = (codesDir, d) => JSON.parse(fs.readFileSync(
	path.join(codesDir, d + '.json'), 'utf8'));

function eventsSql(argv) {
	const [exp, profileF, mapF, , bandsF, codesDir, flowF] = argv;
	const flow = JSON.parse(fs.readFileSync(flowF, 'utf8'));
	const profile = JSON.parse(fs.readFileSync(profileF, 'utf8'));
	const map = JSON.parse(fs.readFileSync(mapF, 'utf8'));
	const bands = JSON.parse(fs.readFileSync(bandsF, 'utf8'));
	const c = profile.columns;
	const sub = {
		EXPORT: exp.replace(/'/g, "''"),
		REGIONS: profile.regions.map(q).join(', '),
		AGE_BAND: ageBand(bands),
		MAP_region: mapCase(ident(c.region), 'region', map, codesDir),
		MAP_gender: mapCase(ident(c.gender), 'gender', map, codesDir),
		MULTI_ethnicity: mapMulti(c.ethnicity.map(ident), 'ethnicity', map,
			codesDir),
		MAP_household: mapCase(ident(c.household), 'household', map, codesDir),
		MULTI_income: mapMulti([ident(c.income)], 'income', map, codesDir),
		MAP_housing: mapCase(ident(c.housing), 'housing', map, codesDir),
		MAP_need_x: mapCase('x', 'need', map, codesDir),
		MULTI_service: mapMulti([ident(c.service)], 'service', map, codesDir),
		MAP_referral: c.referral ?
			mapCase(ident(c.referral), 'referral', map, codesDir) :
			q(codeList(codesDir, 'referral').not_stated),
		NEED_NOT_STATED: q(codeList(codesDir, 'need').not_stated),
		WQ: String(flow.window_months / 3),
		TQ: String(Math.max(...flow.tenure.map((b) => b.min)) / 3),
		STATUS_UNKNOWN: q(codeList(codesDir, 'client_status').not_stated),
		TENURE_UNKNOWN: q(codeList(codesDir, 'tenure_band').not_stated),
		VISITS_BAND: flowBand('visits', flow.visits),
		NEEDS_BAND: flowBand('needs', flow.needs),
		TENURE_BAND: flowBand('3 * (qi - first)', flow.tenure),
	};
	const order = [];
	for (const d of ['region', 'gender', 'household', 'housing',
		'referral']) {
		const codes = JSON.parse(fs.readFileSync(
			path.join(codesDir, d + '.json'), 'utf8'));
		codes.codes.forEach((c, i) =>
			order.push(`(${q(d)}, ${q(c.code)}, ${i})`));
	}
	bands.bands.forEach((b, i) =>
		order.push(`('age_band', ${q(b.code)}, ${i})`));
	order.push(`('age_band', ${q(bands.not_stated)}, ${bands.bands.length})`);
	sub.CODE_ORDER = order.join(', ');
	const sql = fs.readFileSync(path.join(__dirname, 'events.sql'), 'utf8');
	return sql.replace(/@([A-Za-z_0-9]+)@/g, (all, k) => {
		if (!(k in sub))
			throw new Error(`events.sql: no value for @${k}@`);
		return sub[k];
	});
}

// every dimension set: each table's dims and all their subsets (none with
// outcome: no --outcomes)
function dimSets(tables) {
	const seen = new Map();
	for (const t of tables.tables) {
		if (t.dims.includes('outcome'))
			continue;
		const n = t.dims.length;
		for (let mask = 0; mask < (1 << n); mask++) {
			const set = t.dims.filter((d, i) => mask & (1 << i));
			set.sort((a, b) => DIMS.indexOf(a) - DIMS.indexOf(b));
			seen.set(set.join(','), set);
		}
	}
	return [...seen.values()];
}

// one dimension set: clients and households from cq, events and units
// from ev, each unnesting the multi-valued dims of the set
function setSql(set) {
	const from = (tab) => {
		const un = set.filter((d) => MULTI.has(d)).map((d) =>
			`, unnest(${tab}.${d}) AS u_${d}(v)`).join('');
		return `${tab}${un}`;
	};
	const col = (d) => MULTI.has(d) ? `u_${d}.v` : d;
	const keys = ['period', ...set.map(col)];
	const sel = DIMS.map((d) => set.includes(d) ?
		`${col(d)} AS ${d}` : `'*' AS ${d}`);
	const c = `SELECT period, ${sel.join(', ')}, count(*) AS clients,
	  count(DISTINCT hh) AS households FROM ${from('cq')}
	  GROUP BY ${keys.join(', ')}`;
	const e = `SELECT period, ${sel.join(', ')}, count(*) AS events,
	  sum(units) AS units FROM ${from('evf')} GROUP BY ${keys.join(', ')}`;
	const on = ['period', ...DIMS].map((d) => `c.${d} = e.${d}`).join(' AND ');
	return `SELECT c.*, coalesce(e.events, 0) AS events,
	  coalesce(e.units, 0) AS units FROM (${c}) c LEFT JOIN (${e}) e ON ${on}`;
}

async function main() {
	const argv = process.argv.slice(2);
	if (argv.length !== 8) {
		process.stderr.write('usage: node run.js EXPORT PROFILE MAP TABLES ' +
			'AGE_BANDS CODES_DIR FLOW OUT.csv\n');
		process.exit(2);
	}
	const tables = JSON.parse(fs.readFileSync(argv[3], 'utf8'));
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
	const t0 = process.hrtime.bigint();
	const secs = () => Number(process.hrtime.bigint() - t0) / 1e9;
	await con.run(eventsSql(argv));
	const tEvents = secs();
	const union = dimSets(tables).map(setSql).join('\nUNION ALL\n');
	await con.run(`COPY (${union} ORDER BY ALL) TO ${q(argv[7])}
	  (HEADER, DELIMITER ',')`);
	const n = await con.runAndReadAll('SELECT count(*) FROM ev');
	process.stderr.write(`duckdb: ${n.getRows()[0][0]} events; ` +
		`events and clients ${tEvents.toFixed(2)} s, ` +
		`cells ${(secs() - tEvents).toFixed(2)} s\n`);
}

main().catch((e) => {
	process.stderr.write(`duckdb: ${e.message}\n`);
	process.exit(1);
});
