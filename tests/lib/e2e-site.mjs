// e2e-site.mjs: open the built dashboard and report in headless Chromium
// (playwright-core) and check them against the national files, never
// against numbers written here.
//   node e2e-site.mjs SITE_DIR REPORT_DIR NATIONAL_DIR AGENCY_DIR ARTEFACTS
// Needs playwright-core (NPM_DIR, default out/npm) and CHROMIUM
// (/usr/bin/chromium).  Prints "ok ..." or "not ok ..." per check; exits
// 1 if any failed.  Screenshots go to ARTEFACTS.
import {readFileSync, readdirSync, existsSync, mkdirSync} from 'node:fs';
import {resolve, join} from 'node:path';
import {launchChromium, check, failures, parseCsv, readCsv} from './browser-check.mjs';

const [siteDir, reportDir, nationalDir, agencyDir, art] = process.argv.slice(2);
mkdirSync(art, {recursive: true});

// ---- the files, read here on their own ----

const csv = (name) => readCsv(join(nationalDir, name));
const merged = csv('merged.csv');
const changes = {qoq: csv('changes.csv'), yoy: csv('changes-yoy.csv')};
const events = readCsv('pipelines/policy-events.csv')
  .sort((a, b) => (a.date + a.title < b.date + b.title ? -1 : 1));
const MEASURES = ['clients', 'households', 'events', 'units'];
const DIMS = Object.keys(merged[0]).slice(2, Object.keys(merged[0]).indexOf('clients'));
const setDims = (r) => DIMS.filter((d) => r[d] !== '*');
const key = (r) => DIMS.map((d) => r[d]).join(',');
const total = (p, region = '*') => merged.find((r) => r.period === p && r.region === region &&
                                              setDims(r).every((d) => d === 'region'));
const changeRow = (kind, p, region, dim, code) => changes[kind].find((r) =>
  r.period === p && r.region === region &&
  DIMS.every((d) => d === 'region' || r[d] === (d === dim ? code : '*')));
const MAX_SHARE = 20;

// the agencies of each quarter, from the manifests
const released = {};
for (const a of readdirSync(agencyDir)) {
  const f = join(agencyDir, a, 'manifest.json');
  if (!existsSync(f)) continue;
  const man = JSON.parse(readFileSync(f, 'utf8'));
  for (const p of man.periods) (released[p] = released[p] || []).push(man.agency);
}
const periods = [...new Set(merged.map((r) => r.period))].sort();
let latest = periods[0];
for (let i = 1; i < periods.length; i++) {
  const before = released[periods[i - 1]] || [], now = released[periods[i]] || [];
  if (before.every((a) => now.includes(a)) && total(periods[i])) latest = periods[i];
}

// ---- the rule and the words, written out again to check the pages ----

const num = (n) => (n < 0 ? '\u2212' : '') + Math.abs(n).toLocaleString('en-NZ');
const shownOf = (lo, hi, est) => (hi !== null && hi <= 5 ? 'S' : lo >= 6 && hi !== null &&
  (hi - lo) * 100 <= MAX_SHARE * est ? 'number' : 'range');
const int = (s) => (s === '' ? null : Number(s));
function phraseOf(lo, hi, est, shown) {
  if (shown === 'S') return 'fewer than 6';
  if (shown === 'range') return hi === null ? `${num(lo)} or more` : `between ${num(lo)} and ${num(hi)}`;
  return `${num(est)} (${num(lo)}\u2013${num(hi)})`;
}
function changeOf(row, m) {
  if (!row) return null;
  const now = [int(row[m + '_low']), int(row[m + '_high'])];
  const base = [int(row[m + '_base_low']), int(row[m + '_base_high']), int(row[m + '_base'])];
  const d = [int(row[m + '_change']), int(row[m + '_change_low']), int(row[m + '_change_high'])];
  const baseNumber = shownOf(base[0], base[1], base[2]) === 'number';
  const pct = baseNumber && row[m + '_pct'] !== '' ? {
    est: Number(row[m + '_pct']),
    low: Math.floor(1000 * (now[0] - base[1]) / base[1]) / 10,
    high: now[1] === null ? null : Math.ceil(1000 * (now[1] - base[0]) / base[0]) / 10} : null;
  return {d, pct, beyond: (d[1] !== null && d[1] > 0) || (d[2] !== null && d[2] < 0),
          matched: Number(row.agencies_matched), row};
}
const whole = (v) => (v > 0 ? '+' : v < 0 ? '\u2212' : '') + Math.abs(v) + '%';
function changeWords(c, on, as, quiet) {
  if (!c) return `no comparison with ${as} yet`;
  const who = quiet ? '' : ` across the same ${c.matched} agencies`;
  if (!c.beyond) {
    if (!c.pct) return null; // counts only: not on the national headline
    return `about the same as ${as} (${whole(Math.floor(c.pct.low + 1e-9))} to ` +
      `${c.pct.high === null ? 'no limit' : whole(Math.ceil(c.pct.high - 1e-9))})${who}`;
  }
  if (!c.pct) return null;
  const a = Math.abs(c.pct.low), b = Math.abs(c.pct.high);
  return `${c.d[0] > 0 ? 'up' : 'down'} ${Math.abs(Math.round(c.pct.est))}% ` +
    `(${Math.floor(Math.min(a, b) + 1e-9)}% to ${Math.ceil(Math.max(a, b) - 1e-9)}%) on ${on}${who}`;
}
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
                'September', 'October', 'November', 'December'];
const longQuarter = (p) => `${MONTHS[+p[5] * 3 - 1]} ${p.slice(0, 4)} quarter`;
const longDate = (iso) => `${+iso.slice(8)} ${MONTHS[+iso.slice(5, 7) - 1]} ${iso.slice(0, 4)}`;
const TITLES = {clients: 'Clients', households: 'Households', events: 'Visits',
                units: 'Units given (e.g. food parcels)'};
function expectedHeadline(m, p, region = '*') {
  const t = total(p, region), yoy = changeOf(changeRow('yoy', p, region), m);
  const qoq = changeOf(changeRow('qoq', p, region), m);
  const same = yoy && qoq && yoy.matched === qoq.matched;
  const y = changeWords(yoy, 'a year ago', 'a year ago', same);
  const q = changeWords(qoq, 'the quarter before', 'the quarter before', same);
  if (y === null || q === null) return null;
  return `${TITLES[m]}: ${phraseOf(int(t[m + '_low']), int(t[m + '_high']), int(t[m]),
    t[m + '_shown'])} in the ${longQuarter(p)}, ${y}${same ? ' and ' : '; '}${q}` +
    `${same ? `, across the same ${yoy.matched} agencies` : ''}.`;
}
// a share in tenths of a percent, as FORMATS.md says
// (lo0, hi0: a range already known, as partShareOf gives it)
function shareOf(num, den, lo0, hi0) {
  const lo = lo0 !== undefined ? lo0 : den.high !== null && den.high > 0 ?
    Math.floor(1000 * num.low / den.high) : 0;
  const hi = hi0 !== undefined ? hi0 : num.high !== null && den.low > 0 ?
    Math.min(1000, Math.ceil(1000 * num.high / den.low)) : 1000;
  const est = den.est > 0 ? Math.min(hi, Math.max(lo, Math.round(1000 * num.est / den.est))) : null;
  const shown = num.high !== null && num.high <= 5 ? 'S' : num.low >= 6 && num.high !== null &&
    (hi - lo) * 100 <= MAX_SHARE * est ? 'number' : 'range';
  const pc = (v) => (v / 10).toFixed(1) + '%';
  return {lo, hi, est, shown, text: shown === 'S' ? 'S' : shown === 'range' ?
    `${pc(lo)} to ${pc(hi)}` : `${pc(est)} (${pc(lo)} to ${pc(hi)})`};
}
const fig = (r, p) => ({est: int(r[p]), low: int(r[p + '_low']), high: int(r[p + '_high'])});

// WCAG relative luminance and contrast
function contrast(a, b) {
  const lum = (hex) => {
    const c = hex.match(/\w\w/g).map((h) => parseInt(h, 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}
const rgbHex = (rgb) => '#' + rgb.match(/\d+/g).slice(0, 3)
  .map((v) => (+v).toString(16).padStart(2, '0')).join('');

// ---- the browser ----

const browser = await launchChromium();
const errors = [], requests = [];
async function open(url, viewport, media) {
  const page = await browser.newPage({viewport, deviceScaleFactor: 1, acceptDownloads: true});
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!/^(file|blob|data):/.test(r.url())) requests.push(r.url()); });
  if (media) await page.emulateMedia({media});
  await page.goto(url);
  await page.waitForFunction(() => [...document.querySelectorAll('div.chart')]
    .every((c) => c.getAttribute('data-drawn')), null, {timeout: 30000}).catch(() => {});
  return page;
}
const siteUrl = `file://${resolve(siteDir)}/index.html`;

// ---- the dashboard at 1366 x 768 ----

let page = await open(siteUrl, {width: 1366, height: 768});
const drawn = await page.evaluate(() => ({
  n: document.querySelectorAll('div.chart').length,
  empty: [...document.querySelectorAll('div.chart')].filter((c) => !c.querySelector('svg'))
    .map((c) => c.id)}));
check(drawn.n >= 6 && drawn.empty.length === 0,
  `every chart drawn (${drawn.n}; empty: ${drawn.empty.join(' ') || 'none'})`);
await page.screenshot({path: `${art}/site-1366x768.png`});
await page.screenshot({path: `${art}/site-1366-full.png`, fullPage: true});

check(await page.evaluate(() => NZFigures.model(window.NZ_DATA).latest) === latest,
  `the latest quarter is ${latest}, the last that every agency of the quarter before released`);
for (const m of MEASURES) {
  const want = expectedHeadline(m, latest);
  const got = await page.textContent(`#headline li[data-measure=${m}]`);
  if (want === null)
    check(got.includes(TITLES[m]), `headline ${m}: ${got}`);
  else
    check(got === want, `headline ${m} equals merged.csv and the changes: ${got}` +
      (got === want ? '' : `\n    expected: ${want}`));
}

// what changed, and the policy events around it, without scrolling
const above = await page.evaluate(() => {
  const b = (s) => document.querySelector(s).getBoundingClientRect();
  return {headline: b('#headline').bottom, chart: b('#chart-trend').bottom,
          strip: b('#fig-trend .event-strip').bottom};
});
check(Math.max(above.headline, above.chart, above.strip) <= 768,
  `headline, trend and its event labels within 1366x768 (bottoms ${JSON.stringify(above)})`);

// every policy event in the chart's quarters: a label, none overlapping
const first = periods[0], lastP = periods[periods.length - 1];
const inRange = events.filter((e) => {
  const q = `${e.date.slice(0, 4)}Q${Math.floor((+e.date.slice(5, 7) - 1) / 3) + 1}`;
  return q >= first && q <= lastP;
});
const labels = await page.$$eval('#fig-trend .event', (nodes) => nodes.map((n) => {
  const b = n.querySelector('.event-label').getBoundingClientRect();
  return {date: n.querySelector('.event-label').dataset.date, hidden: n.hidden,
          text: n.querySelector('.event-label').textContent.trim(),
          box: {l: b.left, r: b.right, t: b.top, b: b.bottom}};
}));
const visible = labels.filter((l) => !l.hidden && l.box.r > l.box.l);
check(inRange.every((e) => visible.some((l) => l.date === e.date)) &&
      visible.length === inRange.length,
  `each of the ${inRange.length} policy events in ${first}..${lastP} has a visible label ` +
  `(${visible.map((l) => l.text).join(' | ')})`);
const overlaps = [];
for (let i = 0; i < visible.length; i++)
  for (let j = i + 1; j < visible.length; j++) {
    const a = visible[i].box, b = visible[j].box;
    if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) overlaps.push(`${visible[i].text}/${visible[j].text}`);
  }
check(overlaps.length === 0, `no two event labels overlap${overlaps.length ? ': ' + overlaps.join(' ') : ''}`);

// by keyboard: Tab reaches each label, whose description shows its date,
// title and link
await page.focus('body');
const reached = new Map();
for (let i = 0; i < 120 && reached.size < visible.length; i++) {
  await page.keyboard.press('Tab');
  const f = await page.evaluate(() => {
    const a = document.activeElement;
    if (!a || !a.matches('#fig-trend .event-label')) return null;
    const pop = document.getElementById(a.getAttribute('aria-describedby'));
    return {n: a.querySelector('.event-num').textContent, shown: pop.checkVisibility(),
            text: pop.textContent, href: (pop.querySelector('a') || {}).href || ''};
  });
  if (f) reached.set(Number(f.n), f);
}
// events are numbered by date (then title) on the charts, as in the list
const described = inRange.filter((e) => {
  const f = reached.get(events.indexOf(e) + 1);
  return f && f.shown && f.text.includes(longDate(e.date)) && f.text.includes(e.title) &&
    (!e.url || f.href === e.url);
});
for (const e of inRange.filter((x) => !described.includes(x)))
  console.log(`# not described: ${e.date} ${JSON.stringify(reached.get(events.indexOf(e) + 1))}`);
check(described.length === inRange.length,
  `each event label reached by Tab shows its formatted date, title and link ` +
  `(${described.length} of ${inRange.length}; e.g. ${[...reached.values()][0] &&
    [...reached.values()][0].text.slice(0, 60)})`);
const listed = await page.$$eval('#event-list li', (lis) => lis.map((li) => li.textContent));
check(events.every((e) => listed.some((t) => t.includes(longDate(e.date)) && t.includes(e.title))),
  `every policy event is in the list with its formatted date (${listed.length})`);

// ---- each chart's CSV is the published rows ----

async function download(figId) {
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.click(`#fig-${figId} button[data-download=csv]`)]);
  return parseCsv(readFileSync(await dl.path(), 'utf8'));
}
const sameFig = (row, m, ref, pre = m) => ['', '_low', '_high', '_shown']
  .every((s) => (row[m + s] ?? '') === (ref[pre + s] ?? ''));
let rows = await download('trend');
check(rows.length === periods.filter((p) => total(p)).length &&
      rows.every((r) => sameFig(r, 'clients', total(r.period)) &&
                        r.agencies === total(r.period).agencies),
  `trend CSV: ${rows.length} rows equal merged.csv's national clients`);
rows = await download('regions');
check(rows.length > 0 && rows.every((r) => {
  const t = total(latest, r.region);
  return t && sameFig(r, 'clients', t);
}), `regions CSV: ${rows.length} rows equal merged.csv's regional totals of ${latest}`);
const firstDim = await page.inputValue('#dim-select');
rows = await download('bars');
check(rows.length > 0 && rows.every((r) => {
  const t = merged.find((x) => x.period === r.period && x.region === '*' &&
    setDims(x).join() === firstDim && x[firstDim] === r[firstDim]);
  const share = shareOf(fig(t, 'clients'), fig(total(r.period), 'clients'));
  return t && MEASURES.every((m) => sameFig(r, m, t)) && r.share === String(share.est / 10) &&
    r.share_low === String(share.lo / 10) && r.share_high === String(share.hi / 10) &&
    r.share_shown === share.shown;
}), `breakdown CSV (${firstDim}): ${rows.length} rows equal merged.csv, shares by the rule`);
rows = await download('over-time');
check(rows.length > 0 && rows.every((r) => MEASURES.every((m) => sameFig(r, m,
  merged.find((x) => x.period === r.period && x.region === '*' && setDims(x).join() === firstDim &&
    x[firstDim] === r[firstDim])))), `breakdown over time CSV: ${rows.length} rows equal merged.csv`);
rows = await download('agencies');
check(rows.length === periods.length && rows.every((r) =>
  r.released.split('|').sort().join() === (released[r.period] || []).sort().join()),
  `agencies CSV: the manifests' agencies of each of ${rows.length} quarters`);

// ---- outcomes (issue 23): share improved and share assessed per domain ----

const bandCell = (p, dom, band, reg = '*') => merged.find((x) => x.period === p && x.region === reg &&
  setDims(x).filter((d) => d !== 'region').join() === 'outcome' && x.outcome === `${dom}:${band}`);
const sumFig = (fs) => fs.reduce((a, f) => ({est: a.est + f.est, low: a.low + f.low,
  high: a.high === null || f.high === null ? null : a.high + f.high}), {est: 0, low: 0, high: 0});
const sameShare = (r, p, sh) => r[p] === String(sh.est / 10) && r[p + '_low'] === String(sh.lo / 10) &&
  r[p + '_high'] === String(sh.hi / 10) && r[p + '_shown'] === sh.shown;
// part's share of part + rest (disjoint: improved, and same + worse):
// part_low / (part_low + rest_high) to part_high / (part_high + rest_low)
function partShareOf(part, rest) {
  const lo = rest.high !== null && part.low + rest.high > 0 ?
    Math.floor(1000 * part.low / (part.low + rest.high)) : 0;
  const hi = part.high !== null && part.high + rest.low > 0 ?
    Math.min(1000, Math.ceil(1000 * part.high / (part.high + rest.low))) : 1000;
  return shareOf(part, {est: part.est + rest.est, low: 0, high: 0}, lo, hi);
}
const BANDS = ['improved', 'same', 'worse', 'unpaired', 'not_assessed'];
// a domain's figures from merged.csv: share improved, pairs, share
// assessed, clients seen, agencies
function outcomeOf(p, dom, reg = '*') {
  const f = (b) => fig(bandCell(p, dom, b, reg), 'clients');
  return {improved: partShareOf(f('improved'), sumFig([f('same'), f('worse')])),
          pairs: sumFig(['improved', 'same', 'worse'].map(f)),
          assessed: partShareOf(sumFig(['improved', 'same', 'worse', 'unpaired'].map(f)),
            f('not_assessed')),
          seen: sumFig(BANDS.map(f)), agencies: bandCell(p, dom, 'improved', reg).agencies};
}
rows = await download('outcomes');
check(rows.length === 5 && rows.every((r) => {
  const o = outcomeOf(latest, r.domain);
  return sameShare(r, 'improved_pct', o.improved) && sameShare(r, 'assessed_pct', o.assessed) &&
    int(r.pairs) === o.pairs.est && int(r.pairs_low) === o.pairs.low && r.agencies === o.agencies;
}), `outcomes CSV: ${rows.length} domains, the share improved and assessed as merged.csv gives them`);
// what a reader sees: each domain's row, the share improved and assessed
// as the bounds allow (a number only when the range is narrow, else the
// range), and no share improved narrower than the bands' bounds give
const domCode = await page.evaluate(() => Object.fromEntries(window.NZ_DATA.dimensions
  .find((x) => x.name === 'outcome').codes.map((c) => [c[1].split(':')[0], c[0].split(':')[0]])));
const seenRows = await page.$$eval('#outcomes tbody tr', (trs) => trs.map((tr) =>
  [...tr.children].map((c) => c.textContent.trim())));
const outBad = [];
for (const t of seenRows) {
  const o = domCode[t[0]] && outcomeOf(latest, domCode[t[0]]);
  if (!o) { outBad.push(`${t[0]}: no domain`); continue; }
  if (t[1] !== o.improved.text || t[3] !== o.assessed.text)
    outBad.push(`${t[0]} shows ${t[1]} / ${t[3]}, data ${o.improved.text} / ${o.assessed.text}`);
  if (o.improved.shown === 'number' && (o.improved.hi - o.improved.lo) * 100 > MAX_SHARE * o.improved.est)
    outBad.push(`${t[0]}: a number on a wide range`);
}
check(seenRows.length === 5 && outBad.length === 0, `outcomes table: ${seenRows.length} domains ` +
  `as a reader sees them, equal to merged.csv by the rule${outBad.length ? ': ' + outBad.join('; ') : ''}`);
const outcomeText = await page.$eval('#outcomes', (e) => e.textContent);
const agencyCodes = Object.values(released).flat();
check(/improved/i.test(outcomeText) && !agencyCodes.some((a) => outcomeText.includes(a)) &&
      /never compared/.test(outcomeText),
  'outcomes section: share improved by domain, no agency named or compared');
// a region whose outcome figures are one agency's: no figures, a note
const oneAgency = merged.find((x) => x.period === latest && x.region !== '*' &&
  setDims(x).join() === 'region,outcome' && x.agencies === '1');
check(!!oneAgency, `the sample has a region served by one agency that assesses (${latest})`);
if (oneAgency) {
  await page.selectOption('#region-select', oneAgency.region);
  const note = await page.textContent('#outcomes-note');
  const n = await page.$$eval('#outcomes tbody tr', (t) => t.length);
  check(n === 0 && /Only one agency/.test(note) && /never compared/.test(note),
    `region ${oneAgency.region}, one agency that assesses: no outcome figures (${note.slice(0, 60)})`);
  await page.selectOption('#region-select', '*');
}

// ---- before and after the 2025-04-01 event: the shares the data gives ----

const ev = events.find((e) => e.date === '2025-04-01');
check(!!ev, 'the policy events hold 2025-04-01');
await page.selectOption('#event-select', '2025-04-01');
const dims = await page.$$eval('#ba-dim-select option', (o) => o.map((x) => x.value));
// every dimension but region, and outcome (a section of its own)
check(dims.length === DIMS.length - 2 && !dims.includes('outcome'),
  `every breakdown is offered before and after (${dims.join(' ')})`);
let baBad = [], baRows = 0;
for (const dim of dims) {
  await page.selectOption('#ba-dim-select', dim);
  await page.waitForFunction(() => document.querySelector('#chart-before-after[data-drawn]'));
  const got = await page.$$eval('#fig-before-after tbody tr', (trs) => trs.map((tr) =>
    [...tr.children].map((c) => c.textContent.trim())));
  const tot = changeRow('qoq', '2025Q2', '*');
  for (const t of got) {
    const code = Object.entries(JSON.parse(JSON.stringify(await page.evaluate((d) =>
      Object.fromEntries(window.NZ_DATA.dimensions.find((x) => x.name === d).codes.map((c) =>
        [c[1], c[0]])), dim)))).find(([label]) => label === t[0]);
    const r = code && changeRow('qoq', '2025Q2', '*', dim, code[1]);
    if (!r || r.base_period !== '2025Q1') { baBad.push(`${dim}:${t[0]} has no row`); continue; }
    const before = shareOf(fig(r, 'clients_base'), fig(tot, 'clients_base'));
    const after = shareOf(fig(r, 'clients'), fig(tot, 'clients'));
    baRows++;
    if (t[1] !== before.text || t[2] !== after.text)
      baBad.push(`${dim}:${t[0]} shows ${t[1]} / ${t[2]}, data ${before.text} / ${after.text}`);
  }
}
check(baBad.length === 0 && baRows > 0, `before/after 2025-04-01: ${baRows} shares of 2025Q1 and ` +
  `2025Q2 equal changes.csv by the share rule${baBad.length ? ': ' + baBad.slice(0, 3).join('; ') : ''}`);
rows = await download('before-after');
check(rows.length > 0 && rows.every((r) => r.event_date === '2025-04-01' &&
  r.before_period === '2025Q1' && r.after_period === '2025Q2'),
  `before/after CSV: ${rows.length} rows of 2025Q1 and 2025Q2`);

// ---- the ebb and flow (issue 16): the share of new clients from merged.csv ----

const flowCell = (p, dim, code) => merged.find((r) => r.period === p && r.region === '*' &&
  setDims(r).join() === dim && r[dim] === code);
rows = await download('flows-new');
const flowBad = [], newShare = {};
for (const r of rows) {
  const n = flowCell(r.period, 'client_status', 'new');
  const k = flowCell(r.period, 'client_status', 'returning');
  if (!n || !k) { flowBad.push(`${r.period}: no status cells`); continue; }
  const nf = fig(n, 'clients'), kf = fig(k, 'clients');
  const s = shareOf(nf, {est: nf.est + kf.est, low: nf.low + kf.low,
    high: nf.high === null || kf.high === null ? null : nf.high + kf.high});
  newShare[r.period] = s;
  if (Number(r.new_share) !== s.est / 10 || Number(r.new_share_low) !== s.lo / 10 ||
      Number(r.new_share_high) !== s.hi / 10 || r.new_share_shown !== s.shown)
    flowBad.push(`${r.period}: ${r.new_share} (${r.new_share_low}-${r.new_share_high}) ` +
      `${r.new_share_shown}, data ${s.est / 10} (${s.lo / 10}-${s.hi / 10}) ${s.shown}`);
}
check(rows.length >= 4 && flowBad.length === 0, `new clients' share: ${rows.length} quarters ` +
  `equal merged.csv by the share rule${flowBad.length ? ': ' + flowBad.slice(0, 3).join('; ') : ''}`);
// the 2025-04-01 change on the chart: its marker, and the share after it
// above the share before it by more than both ranges (the sample's story)
const flowMarks = await page.$$eval('#fig-flows-new .event-label', (b) => b.map((x) => x.dataset.date));
check(flowMarks.includes('2025-04-01'), `new clients' chart marks 2025-04-01 (${flowMarks.length} events)`);
const nb = newShare['2025Q1'], na = newShare['2025Q3'];
check(nb && na && na.lo > nb.hi, `new clients' share rises after 2025-04-01: 2025Q1 ` +
  `${nb && nb.text}, 2025Q3 ${na && na.text}`);
const flowText = await page.$eval('#flows-headline', (e) => e.textContent);
const yoyNew = changeRow('yoy', latest, '*', 'client_status', 'new');
check(flowText.includes(latest.slice(0, 4)) && (!yoyNew || flowText.includes('points')),
  `flows sentence: ${flowText.slice(0, 120)}`);
const visitRows = await page.$$eval('#flows-visits tbody tr', (t) => t.length);
const refRows = await page.$$eval('#flows-referral tbody tr', (t) => t.length);
check(visitRows === periods.length && refRows > 0,
  `clients by visits band (${visitRows} quarters) and referral sources (${refRows} codes)`);

// ---- every figure shown follows M_shown: no bare number can hide < 6 ----

// (the data leaves M_shown out for the pages to derive: compared with
// merged.csv's own, each cell the pages have)
const pageShown = await page.evaluate(() => {
  const F = NZFigures.model(window.NZ_DATA), out = {};
  F.cells.forEach((c) => window.NZ_DATA.measures.forEach((m) => {
    const f = F.fig(c, m.name);
    out[[c.period, c.region, c.dimension || '', c.code || '', m.name].join(' ')] =
      [f.shown, F.shown(f.low, f.high, f.low, f.high, f.est)];
  }));
  return out;
});
const shownCheck = {n: 0, bad: []};
merged.forEach((r) => {
  const set = setDims(r).filter((d) => d !== 'region');
  if (set.length > 1) return;
  shownCheck.n++;
  MEASURES.forEach((m) => {
    const k = [r.period, r.region, set[0] || '', set.length ? r[set[0]] : '', m].join(' ');
    if (!pageShown[k] || pageShown[k][0] !== r[m + '_shown'] || pageShown[k][1] !== r[m + '_shown'])
      shownCheck.bad.push(k);
  });
});
check(shownCheck.n === Object.keys(pageShown).length / MEASURES.length,
  `the pages have every cell of merged.csv with at most one dimension besides region (${shownCheck.n})`);
check(shownCheck.bad.length === 0, `the pages' rule gives merged.csv's M_shown on all ` +
  `${shownCheck.n} cells${shownCheck.bad.length ? ': ' + shownCheck.bad.slice(0, 3).join('; ') : ''}`);
async function bareNumbers(p) {
  return p.$$eval('td[data-shown=number]', (tds) => tds.filter((td) => {
    const m = td.textContent.match(/\(([\d,.]+)%?[\u2013 to]+/);
    return !m || (!td.textContent.includes('%') && Number(m[1].replace(/,/g, '')) < 6);
  }).map((td) => td.textContent));
}
const bare = await bareNumbers(page);
check(bare.length === 0, `no number shown whose range reaches under 6${bare.length ? ': ' + bare.slice(0, 3).join(' | ') : ''}`);
const kinds = await page.$$eval('td[data-shown]', (tds) => [...new Set(tds.map((t) => t.dataset.shown))]);
check(kinds.includes('number') && kinds.includes('range'), `numbers and ranges both shown (${kinds.join(' ')})`);

// ---- region and measure, by keyboard too ----

await page.selectOption('#measure-select', 'households');
check(await page.evaluate(() => document.querySelector('#cap-trend').textContent.startsWith('Households')),
  'the measure select redraws the trend');
await page.focus('#region-select');
await page.keyboard.press('ArrowDown');
const region = await page.inputValue('#region-select');
const want = expectedHeadline('clients', latest, region);
const got = await page.textContent('#headline li[data-measure=clients]');
check(region !== '*' && (want === null ? got.startsWith('Clients: ') : got === want),
  `region by keyboard (${region}): ${got}`);
const focusStyle = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
check(focusStyle !== 'none', `visible focus on the select (outline ${focusStyle})`);

// ---- colours: WCAG AA ----

const palette = await page.evaluate(() => ({P: NZSpecs.PALETTE, B: NZSpecs.BACKGROUNDS}));
const weak = [];
for (const [name, colour] of Object.entries(palette.P))
  for (const bg of palette.B) {
    const need = ['ink', 'muted', 'main', 'head', 'event'].includes(name) ? 4.5 : 3;
    if (contrast(colour, bg) < need) weak.push(`${name} ${colour} on ${bg}: ${contrast(colour, bg).toFixed(2)}`);
  }
const texts = await page.evaluate(() => {
  const out = [];
  const bg = (e) => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  for (const s of ['body', '.note', 'a', '.event-label', 'td .range', 'thead th', 'figcaption',
                   '.controls label', 'h2'])
    document.querySelectorAll(s).forEach((e, i) => {
      if (i < 3) out.push([s, getComputedStyle(e).color, bg(e)]);
    });
  return out;
});
for (const [s, fg, bg] of texts)
  if (contrast(rgbHex(fg), rgbHex(bg)) < 4.5)
    weak.push(`${s} ${fg} on ${bg}: ${contrast(rgbHex(fg), rgbHex(bg)).toFixed(2)}`);
check(weak.length === 0, `palette and page text meet WCAG AA (${Object.keys(palette.P).length} ` +
  `colours, ${texts.length} text samples)${weak.length ? ': ' + weak.join('; ') : ''}`);

// ---- print ----

const print = await open(siteUrl, {width: 1000, height: 1400}, 'print');
const pr = await print.evaluate(() => ({
  controls: document.querySelector('.controls').checkVisibility(),
  tables: [...document.querySelectorAll('.fig-table')].every((t) => t.checkVisibility())}));
check(!pr.controls && pr.tables, `print: the controls hidden, every chart's table shown ${JSON.stringify(pr)}`);
await print.screenshot({path: `${art}/site-print.png`, fullPage: true});

// ---- a phone, 390 px ----

const phone = await open(siteUrl, {width: 390, height: 844});
const ph = await phone.evaluate(() => {
  const over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  const cells = [...document.querySelectorAll('table.stack td')].filter((td) =>
    /quarter before|year before|Change|%/.test(td.dataset.label || '') && td.textContent.trim());
  const cut = cells.filter((td) => {
    const b = td.getBoundingClientRect();
    return td.checkVisibility() && (b.right > window.innerWidth + 1 || b.left < -1 || b.width < 40);
  });
  return {over, cells: cells.length, cut: cut.length};
});
check(ph.over <= 0, `no sideways scrolling on a 390 px phone (overflow ${ph.over}px)`);
check(ph.cells > 0 && ph.cut === 0, `on a phone the ${ph.cells} change cells stay on screen, readable (${ph.cut} cut)`);
await phone.screenshot({path: `${art}/site-390-full.png`, fullPage: true});

// ---- the report, as it will be printed (A4: 210 mm at 96 px/in) ----

const D = await page.evaluate(() => window.NZ_DATA);
const report = await open(`file://${resolve(reportDir)}/report.html`, {width: 794, height: 1123}, 'print');
await report.waitForFunction(() => document.body.dataset.ready === 'true', null, {timeout: 30000})
  .catch(() => {});
const R = await report.evaluate(() => window.NZ_DATA.report);
const headings = await report.$$eval('h1, h2', (h) => h.map((x) => x.textContent.trim()));
const sections = ['Key findings', 'Headline figures', 'Clients over time', 'Changes, like for like',
  'Regions', 'New and returning clients', 'What difference services made',
  ...D.dimensions.slice(1).filter((d) => d.name !== 'outcome').map((d) => d.title),
  'Policy events', 'Lived experience',
  'Services', 'Policy', 'About these figures'];
check(sections.every((s) => headings.includes(s)),
  `report: every section (${sections.filter((s) => !headings.includes(s)).join(', ') || 'all ' + sections.length})`);
const subtitle = await report.textContent('#subtitle');
check(headings[0] === 'Community services report' && subtitle === R.title,
  `report title: ${headings[0]}, ${subtitle}`);
const finding = await report.textContent('#findings li[data-measure=clients]');
const wantFinding = expectedHeadline('clients', R.quarters[1]);
check(wantFinding === null || finding === wantFinding, `report key finding equals the data: ${finding}`);
// the half's new clients from merged.csv, by the share rule, as the
// dashboard's chart has them (newShare above)
const nq = R.quarters[1], ns = newShare[nq];
const fnew = await report.$eval('#finding-new', (e) => e.textContent).catch(() => null);
const nums = !ns ? [] : ns.shown === 'number' ? [ns.est] : ns.shown === 'range' ? [ns.lo, ns.hi] : [];
check(ns && fnew && nums.every((v) => fnew.includes((v / 10).toFixed(1) + '%')) &&
  (ns.shown !== 'S' || fnew.includes('S')),
  `report: new clients' share in ${nq} is the data's ${ns && ns.text}: ${fnew && fnew.slice(0, 110)}`);
const reportFlows = await report.$$eval('#report-flows tbody tr', (t) => t.length);
check(reportFlows === R.quarters.length, `report: new clients, visits and needs for the ` +
  `half's ${reportFlows} quarters`);
// the report's outcomes: per domain the share improved in both quarters
// and the share assessed, as merged.csv gives them, no agency named
const rOut = await report.$$eval('#outcomes tbody tr', (trs) => trs.map((tr) =>
  [...tr.children].map((c) => c.textContent.trim())));
const rOutBad = rOut.filter((t) => {
  const o = domCode[t[0]] && outcomeOf(R.quarters[1], domCode[t[0]]);
  const b = domCode[t[0]] && bandCell(R.quarters[0], domCode[t[0]], 'improved') &&
    outcomeOf(R.quarters[0], domCode[t[0]]);
  return !o || t[2] !== o.improved.text || t[3] !== o.assessed.text ||
    (b && b.agencies >= 2 && t[1] !== b.improved.text);
});
const rOutText = await report.$eval('#outcomes', (e) => e.textContent);
check(rOut.length === 5 && rOutBad.length === 0 && /never compared/.test(rOutText) &&
  !agencyCodes.some((a) => rOutText.includes(a)), `report outcomes: ${rOut.length} domains, ` +
  `improved and assessed as merged.csv gives them, no agency named` +
  `${rOutBad.length ? ': ' + rOutBad.slice(0, 2).map((t) => t.join(' ')).join('; ') : ''}`);
const layout = await report.evaluate(() => {
  const body = document.body.getBoundingClientRect(), bad = [];
  const say = (e, why) => bad.push(`${why}: ${(e.textContent || '').trim().slice(0, 50)}`);
  document.querySelectorAll('main *, header *').forEach((e) => {
    if (!e.checkVisibility() || e.closest('svg') || e.closest('.popover')) return;
    const b = e.getBoundingClientRect();
    if (b.width && (b.right > body.right + 1 || b.left < body.left - 1)) say(e, 'outside the page');
    if (/^(TD|TH|LI|P|DD|DT|H1|H2|H3|FIGCAPTION|BUTTON)$/.test(e.tagName) &&
        e.scrollWidth > e.clientWidth + 1) say(e, 'cut');
  });
  document.querySelectorAll('svg').forEach((svg) => {
    const s = svg.getBoundingClientRect();
    const t = [...svg.querySelectorAll('text')].filter((x) => x.textContent.trim())
      .map((x) => ({x, b: x.getBoundingClientRect()}));
    t.forEach(({x, b}) => {
      if (/\u2026$/.test(x.textContent)) say(x, 'cut with an ellipsis');
      if (b.left < s.left - 1 || b.right > s.right + 1 || b.top < s.top - 1 || b.bottom > s.bottom + 1)
        say(x, 'outside its chart');
    });
    for (let i = 0; i < t.length; i++)
      for (let j = i + 1; j < t.length; j++) {
        const a = t[i].b, b = t[j].b;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
          say(t[i].x, `overlaps "${t[j].x.textContent}"`);
      }
  });
  const ev = [...document.querySelectorAll('.event:not([hidden]) .event-label')]
    .map((e) => e.getBoundingClientRect());
  ev.forEach((a, i) => ev.slice(i + 1).forEach((b) => {
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
      bad.push('event labels overlap');
  }));
  return bad;
});
check(layout.length === 0, `report: no text cut, outside the page or overlapping before printing` +
  `${layout.length ? ': ' + layout.slice(0, 5).join(' | ') : ''}`);
// the longest label of every code list, whole, in its section
// (outcome has no breakdown section: its domains are in "What difference
// services made")
const longest = D.dimensions.slice(1).filter((d) => d.name !== 'outcome').map((d) => [d, d.codes.map((c) => c[1])
  .sort((a, b) => b.length - a.length)[0]]);
const missing = [];
for (const [d, label] of longest) {
  const ok = await report.evaluate(([name, l]) => {
    const sec = document.getElementById('breakdown-' + name);
    return !!sec && [...sec.querySelectorAll('th')].some((th) => th.textContent.trim() === l);
  }, [d.name, label]);
  if (!ok) missing.push(`${d.name}: ${label}`);
}
check(missing.length === 0, `report: every code list's longest label in full ` +
  `(${longest.map((l) => l[1]).join('; ')})${missing.length ? ' missing: ' + missing.join('; ') : ''}`);
const bareR = await bareNumbers(report);
check(bareR.length === 0, `report: no number shown whose range reaches under 6`);
const miss = await report.$$eval('.missing', (m) => m.map((x) => x.textContent));
const narr = Object.keys(R.narrative).filter((k) => R.narrative[k].trim());
check(['lived-experience', 'services', 'policy'].every((s) => narr.includes(s) ||
  miss.some((m) => m.includes(`${s}.md`))), `report: each narrative section written or marked missing`);
await report.screenshot({path: `${art}/report-print.png`, fullPage: true});

check(errors.length === 0, `no console errors${errors.length ? ': ' + errors.slice(0, 3).join(' | ') : ''}`);
check(requests.length === 0, `no network requests${requests.length ? ': ' + requests.join(' ') : ''}`);
await browser.close();
process.exit(failures() ? 1 : 0);
