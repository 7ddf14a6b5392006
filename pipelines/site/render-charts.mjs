// render-charts.mjs: the report's charts as SVG, with vega's Node API.
//   node render-charts.mjs DATA.js HALF OUTDIR
// DATA.js is out/site/data.js (window.NZ_DATA = {...};), HALF e.g. 2026H1.
// Writes OUTDIR/clients.svg, OUTDIR/regions.svg, OUTDIR/need.svg.
// Run from the npm folder (out/npm) that holds vega, vega-lite and specs.cjs.
import {readFileSync, writeFileSync, mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const require = createRequire(import.meta.url);
const specs = require('./specs.cjs');

function fail(msg) {
  process.stderr.write(`render-charts: ${msg}\n`);
  process.exit(1);
}

const [dataPath, half, outDir] = process.argv.slice(2);
if (!dataPath || !/^\d{4}H[12]$/.test(half || '') || !outDir)
  fail('usage: render-charts.mjs DATA.js HALF OUTDIR');

const text = readFileSync(dataPath, 'utf8');
const start = text.indexOf('{');
const end = text.lastIndexOf('}');
if (start < 0 || end < start) fail(`${dataPath}: no data object`);
const D = JSON.parse(text.slice(start, end + 1));

const year = half.slice(0, 4);
const quarters = half[5] === '1' ? [`${year}Q1`, `${year}Q2`] : [`${year}Q3`, `${year}Q4`];
if (!D.periods.includes(quarters[1])) fail(`${dataPath}: no ${quarters[1]}`);

function objects(columns, rows) {
  return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
}
function labels(dim) {
  return Object.fromEntries(D.labels[dim].codes);
}
const totals = objects(D.totals.columns, D.totals.rows);
const regionLabel = labels('region');

async function svg(name, spec) {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), {renderer: 'none'});
  const out = await view.toSVG();
  view.finalize();
  writeFileSync(`${outDir}/${name}.svg`, out);
}

mkdirSync(outDir, {recursive: true});

// the trend up to the end of the half, nationally
const upto = D.periods.filter((p) => p <= quarters[1]);
const national = totals.filter((r) => r.region === '*' && upto.includes(r.period))
  .map((r) => ({period: r.period, value: r.clients, low: r.clients_low, high: r.clients_high}));
const lastDay = quarters[1].endsWith('Q2') ? `${year}-06-30` : `${year}-12-31`;
await svg('clients', specs.trend(national, D.events.filter((e) => e.date <= lastDay),
  {width: 640, height: 260, measureTitle: 'Clients', labelOverlap: false}));

const byRegion = totals.filter((r) => r.region !== '*' && r.period === quarters[1])
  .map((r) => ({label: regionLabel[r.region], value: r.clients, low: r.clients_low,
                high: r.clients_high}));
await svg('regions', specs.bars(byRegion, {width: 560, measureTitle: `Clients, ${quarters[1]}`,
  dimTitle: 'Region'}));

const needLabel = labels('need');
const need = objects(D.breakdowns.columns, D.breakdowns.need)
  .filter((r) => r.region === '*' && r.period === quarters[1])
  .map((r) => ({label: needLabel[r.code], value: r.clients, low: r.clients_low,
                high: r.clients_high}));
await svg('need', specs.bars(need, {width: 560, measureTitle: `Clients, ${quarters[1]}`,
  dimTitle: 'Need'}));
