// e2e-agency-view.mjs: open agencies' internal reports in headless
// Chromium (playwright-core) and check them against the agency's own
// files, read here on their own: cells.csv, mapped.csv, worker.csv, the
// stats files, unmapped.csv, rejects.csv, and the national merged.csv.
//   node e2e-agency-view.mjs ARTEFACTS AGENCY_OUT_DIR...
// Each AGENCY_OUT_DIR is out/agency/<code> (the report in internal/).
// NATIONAL: the merged.csv the reports compare with (checked when the
// report has a comparison); CANARY: a worker value to find in the
// workloads.  Prints "ok ..." or "not ok ..." per check; exits 1 if any
// failed.  Screenshots go to ARTEFACTS.
import {readFileSync, existsSync, mkdirSync} from 'node:fs';
import {resolve, join, basename} from 'node:path';
import {launchChromium, check, failures, parseCsv, readCsv} from './browser-check.mjs';

const [art, ...agencyDirs] = process.argv.slice(2);
mkdirSync(art, {recursive: true});
const MARK = 'INTERNAL: not for publication';
const MEASURES = ['clients', 'households', 'events', 'units'];

const pct = (n, d) => (d ? Math.round(1000 * n / d) / 10 : null);

// ---- the agency's own files ----

function ownFiles(dir) {
  const cells = readCsv(join(dir, 'cells.csv'));
  const DIMS = Object.keys(cells[0]).slice(2, Object.keys(cells[0]).indexOf('clients'));
  const set = (r) => DIMS.filter((d) => r[d] !== '*');
  const index = new Map();
  for (const r of cells) {
    const s = set(r).filter((d) => d !== 'region');
    if (s.length > 1) continue;
    index.set([r.period, r.region, s[0] || '', s[0] ? r[s[0]] : ''].join('|'), r);
  }
  const cell = (p, region, dim, code) => index.get([p, region, dim || '', code || ''].join('|'));
  // a group's cell: regions are cells of the geography
  const group = (p, dim, code) => (dim === 'region' ? cell(p, code) : cell(p, '*', dim, code));
  const periods = [...new Set(cells.map((r) => r.period))].sort();
  return {cells, DIMS, cell, group, periods};
}

// clients and visits per quarter, needs per client, and with worker.csv
// the workloads per worker, computed here from the events
function fromEvents(dir, periods, notStated) {
  const mapped = readCsv(join(dir, 'mapped.csv'));
  const quarter = (d) => `${d.slice(0, 4)}Q${Math.floor((+d.slice(5, 7) - 1) / 3) + 1}`;
  const needs = new Map(), visits = new Map();
  for (const e of mapped) {
    const q = quarter(e.event_date);
    if (!periods.includes(q)) continue;
    for (const k of [`${q}|${e.client_key}`, `*|${e.client_key}`]) {
      if (!needs.has(k)) needs.set(k, new Set());
      for (const n of e.need.split('|')) if (n && n !== notStated) needs.get(k).add(n);
      visits.set(k.split('|')[0], (visits.get(k.split('|')[0]) || 0) + 1);
    }
  }
  const complexity = {};
  for (const [k, s] of needs) {
    const q = k.split('|')[0];
    const c = complexity[q] = complexity[q] || {clients: 0, plus3: 0, events: visits.get(q)};
    c.clients++;
    if (s.size >= 3) c.plus3++;
  }
  let workers = null;
  const wf = join(dir, 'worker.csv');
  if (existsSync(wf)) {
    workers = {};
    const seen = new Set();
    for (const w of readCsv(wf)) {
      const q = quarter(w.event_date);
      if (!periods.includes(q)) continue;
      for (const p of [q, '*']) {
        const k = `${p}|${w.worker}`;
        const o = workers[k] = workers[k] || {clients: 0, events: 0, plus3: 0};
        o.events++;
        if (seen.has(`${k}|${w.client_key}`)) continue;
        seen.add(`${k}|${w.client_key}`);
        o.clients++;
        if (needs.get(`${p}|${w.client_key}`).size >= 3) o.plus3++;
      }
    }
  }
  return {complexity, workers};
}

// the share rule of FORMATS.md, in tenths of a percent
function shareOf(num, den, maxShare) {
  const lo = den.high !== null && den.high > 0 ? Math.floor(1000 * num.low / den.high) : 0;
  const hi = num.high !== null && den.low > 0 ? Math.min(1000, Math.ceil(1000 * num.high / den.low)) : 1000;
  const est = den.est > 0 ? Math.min(hi, Math.max(lo, Math.round(1000 * num.est / den.est))) : null;
  const shown = num.high !== null && num.high <= 5 ? 'S' : num.low >= 6 && num.high !== null &&
    (hi - lo) * 100 <= maxShare * est ? 'number' : 'range';
  return {est: est === null ? '' : String(est / 10), low: String(lo / 10), high: String(hi / 10),
          shown};
}
const mfig = (r) => ({est: Number(r.clients), low: Number(r.clients_low),
                      high: r.clients_high === '' ? null : Number(r.clients_high)});

// ---- the browser ----

const browser = await launchChromium();

async function open(url, errors, requests) {
  const page = await browser.newPage({viewport: {width: 1366, height: 768}, deviceScaleFactor: 1,
                                      acceptDownloads: true});
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!/^(file|blob|data):/.test(r.url())) requests.push(r.url()); });
  await page.goto(url);
  await page.waitForFunction(() => window.NZ_READY, null, {timeout: 30000});
  await page.evaluate(() => window.NZ_READY.then(() => true));
  return page;
}
async function download(page, fig, what = 'csv') {
  const button = `#fig-${fig} button[data-download=${what}]`;
  // the click first: a click that cannot happen (the button hidden,
  // moving, covered) says so, where Promise.all said only that the
  // download, started first, timed out
  const downloaded = page.waitForEvent('download', {timeout: 10000});
  downloaded.catch(() => {});
  try {
    await page.click(button);
    let got = await downloaded.catch(() => null);
    if (!got) {
      // Chromium 156.0.8078.129 sometimes lets a click on the button pass
      // without a download (no page error, the button in view): once more
      const again = page.waitForEvent('download');
      again.catch(() => {});
      await page.click(button);
      got = await again;
    }
    return readFileSync(await got.path(), 'utf8');
  } catch (e) {
    // a first run once timed out here (the rerun in e2e-agency-view.sh):
    // keep what the page showed, for the next time
    const seen = await page.evaluate((sel) => {
      const b = document.querySelector(sel), r = b && b.getBoundingClientRect();
      return {button: r ? [r.x, r.y, r.width, r.height].map(Math.round) : 'none',
              drawn: [...document.querySelectorAll('div.chart')].filter((c) =>
                !c.getAttribute('data-drawn')).map((c) => c.id),
              selects: [...document.querySelectorAll('select')].map((x) => `${x.id}=${x.value}`),
              scrollY: window.scrollY};
    }, button).catch((err) => String(err));
    const shot = `${art}/agency-download-failed-${fig}.png`;
    await page.screenshot({path: shot}).catch(() => {});
    // the error's call log says what the click waited for
    console.log(`# download of ${fig} ${what} failed; page: ${JSON.stringify(seen)}; ` +
      `screenshot ${shot}\n` + String(e).split('\n').slice(0, 12).map((l) => `#   ${l}`).join('\n'));
    throw e;
  }
}
// a CSV export: its marking line, then the rows
async function csvOf(page, fig) {
  const text = await download(page, fig);
  const [first, ...rest] = text.split('\n');
  return {marked: first.includes(MARK), rows: parseCsv(rest.join('\n'))};
}
async function drawnAll(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('div.chart')]
    .every((c) => c.getAttribute('data-drawn')), null, {timeout: 30000}).catch(() => {});
  return page.evaluate(() => [...document.querySelectorAll('div.chart')]
    .filter((c) => !c.querySelector('svg') || !c.getAttribute('data-drawn')).map((c) => c.id));
}
const eq = (a, b) => String(a) === String(b);

async function checkAgency(dir) {
  const code = basename(dir), own = ownFiles(dir), D = own;
  const errors = [], requests = [];
  const page = await open(`file://${resolve(dir)}/internal/index.html`, errors, requests);
  const data = await page.evaluate(() => window.NZ_AGENCY);
  const notStated = Object.fromEntries(data.dimensions.map((d) => [d.name, d.not_stated]));
  const ev = fromEvents(dir, own.periods, notStated.need);
  const tag = `${code}:`;

  // the page, its sections and charts
  const sections = await page.evaluate(() => ['who', 'why', 'workloads', 'comparison', 'quality']
    .map((s) => [s, !!document.getElementById(s) &&
      document.getElementById(s).querySelectorAll('.fig, table, p, li').length > 1]));
  check(sections.every((s) => s[1]), `${tag} every section present and filled ` +
    `(${sections.map((s) => s[0] + (s[1] ? '' : ' EMPTY')).join(', ')})`);
  const empty = await drawnAll(page);
  const nCharts = await page.evaluate(() => document.querySelectorAll('div.chart').length);
  check(nCharts >= 8 && empty.length === 0, `${tag} every chart drawn (${nCharts}; not drawn: ` +
    `${empty.join(' ') || 'none'})`);
  const marking = await page.evaluate((mark) => ({
    top: document.querySelector('.marking').textContent.includes(mark) &&
      document.querySelector('.marking').getBoundingClientRect().top <= 1,
    svgs: [...document.querySelectorAll('div.chart svg')].filter((s) =>
      !s.textContent.includes(mark)).length,
    captions: [...document.querySelectorAll('table caption')].filter((c) =>
      !c.textContent.toLowerCase().includes(mark.toLowerCase())).length}), MARK);
  check(marking.top && marking.svgs === 0 && marking.captions === 0,
    `${tag} "${MARK}" at the top, in every chart and every table caption ` +
    JSON.stringify(marking));
  await page.screenshot({path: `${art}/agency-${code}-1366x768.png`});

  // our outcomes (issue 23): exact, from cells.csv, ours alone; an
  // agency without assessments has none and says why; outcome stays out
  // of the comparison with other agencies
  {
    const latestQ = own.periods[own.periods.length - 1];
    const od = data.dimensions.find((d) => d.name === 'outcome');
    const domOf = od ? Object.fromEntries(od.codes.map((c) => [c[1].split(':')[0],
      c[0].split(':')[0]])) : {};
    const seen = await page.$$eval('#outcomes tbody tr', (trs) => trs.map((tr) =>
      [...tr.children].map((c) => (c.dataset.value !== undefined ? c.dataset.value :
        c.textContent.trim()))));
    const note = await page.textContent('#outcomes-note');
    const assesses = own.cells.some((r) => r.outcome && r.outcome !== '*');
    const bad = [];
    for (const t of seen) {
      const dom = domOf[t[0]];
      const n = ['improved', 'same', 'worse', 'unpaired', 'not_assessed'].map((b) => {
        const c = dom && own.cell(latestQ, '*', 'outcome', `${dom}:${b}`);
        return c ? Number(c.clients) : null;
      });
      const pairs = n[0] + n[1] + n[2], all = pairs + n[3] + n[4];
      const pc = (a, b) => (b ? String(Math.round(1000 * a / b) / 10) : '');
      const want = n.map(String).concat([pc(n[0], pairs), pc(all - n[4], all)]);
      if (n.includes(null) || t.slice(1).join() !== want.join())
        bad.push(`${t[0]}: ${t.slice(1).join(' ')}, cells.csv ${want.join(' ')}`);
    }
    const comparison = await page.$eval('#comparison', (e) => e.textContent);
    check(assesses ? seen.length === 5 && bad.length === 0 && /ours alone/.test(note) :
      seen.length === 0 && /no assessments/.test(note),
      `${tag} outcomes of ${latestQ}: ${assesses ? seen.length + ' domains exact, as cells.csv ' +
        'counts them' : 'none (no assessments), and the page says so'}` +
      `${bad.length ? ': ' + bad.slice(0, 2).join('; ') : ''}`);
    check(!od || !comparison.includes(od.title), `${tag} outcome is not in the comparison`);
  }

  // who: the quarter's totals, the trend and every breakdown
  const latest = own.periods[own.periods.length - 1];
  const summary = await page.$$eval('#who-summary li[data-period] data', (ds) => ds.map((d) =>
    [d.closest('li').dataset.period, d.dataset.measure, d.value]));
  const t = own.cell(latest, '*');
  check(summary.filter((s) => s[0] === latest).every((s) => eq(s[2], t[s[1]])) &&
        summary.filter((s) => s[0] === latest).length === 4,
    `${tag} the summary of ${latest} equals cells.csv (${summary.map((s) => s.join('=')).join(' ')})`);
  const all = summary.filter((s) => s[0] === '*');
  check(all.length === 2 && eq(all[0][2], ev.complexity['*'].clients) &&
        eq(all[1][2], ev.complexity['*'].events),
    `${tag} over all quarters: ${all.map((s) => s[2]).join(' clients, ')} visits, from the events`);
  // new and returning, visits and needs bands (issue 16), exact from cells.csv
  const flowsText = await page.$eval('#who-flows', (e) => e.textContent).catch(() => '');
  const stNew = own.cell(latest, '*', 'client_status', 'new');
  const stRet = own.cell(latest, '*', 'client_status', 'returning');
  const v4 = own.cell(latest, '*', 'visits_band', '4+');
  const nf = (x) => Number(x).toLocaleString('en-NZ');
  const known = stNew && stRet ? Number(stNew.clients) + Number(stRet.clients) : 0;
  check(stNew && stRet && v4 && flowsText.includes(known ? `${nf(stNew.clients)} new and ` +
    `${nf(stRet.clients)} returning` : 'new or returning not known') &&
    flowsText.includes(`${nf(v4.clients)} with 4 or more`),
    `${tag} new, returning and visits bands of ${latest} equal cells.csv: ${flowsText.slice(0, 90)}`);
  let c = await csvOf(page, 'who-trend');
  check(c.marked && c.rows.length === own.periods.length && c.rows.every((r) =>
    MEASURES.every((m) => eq(r[m], own.cell(r.period, '*')[m]))),
    `${tag} who-trend CSV: marked, ${c.rows.length} quarters equal cells.csv`);
  const bad = [];
  let nRows = 0;
  for (const [fig, select, q] of [['who-bars', '#who-dim-select', latest],
                                  ['why-bars', '#why-dim-select', latest],
                                  ['who-bars', '#who-dim-select', own.periods[0]]]) {
    await page.selectOption('#period-select', q);
    for (const dim of await page.$$eval(`${select} option`, (o) => o.map((x) => x.value))) {
      await page.selectOption(select, dim);
      c = await csvOf(page, fig);
      nRows += c.rows.length;
      if (!c.marked || !c.rows.length) bad.push(`${fig} ${dim}: ${c.rows.length} rows`);
      if (c.rows.some((r) => r.period !== q)) bad.push(`${fig} ${dim}: not ${q}`);
      for (const r of c.rows) {
        const x = own.group(r.period, dim, r.code), tot = own.cell(r.period, '*');
        if (!x || !MEASURES.every((m) => eq(r[m], x[m])) ||
            !eq(r.share, pct(Number(x.clients), Number(tot.clients))))
          bad.push(`${fig} ${dim}=${r.code}`);
      }
    }
  }
  await page.selectOption('#period-select', latest);
  check(bad.length === 0 && nRows > 0, `${tag} every breakdown's CSV (${nRows} rows, who and ` +
    `why, ${latest} and ${own.periods[0]}) equals cells.csv` +
    (bad.length ? ': ' + bad.slice(0, 4).join('; ') : ''));
  c = await csvOf(page, 'why-trend');
  check(c.rows.length > 0 && c.rows.every((r) => {
    const x = own.cell(r.period, '*', r.dimension, r.code);
    return eq(r.clients, x.clients) && eq(r.clients_total, own.cell(r.period, '*').clients);
  }), `${tag} why-trend CSV: ${c.rows.length} quarters equal cells.csv`);
  const events = await page.$$eval('#fig-who-trend .event-label', (b) => b.length);
  check(events === data.events.length, `${tag} ${events} policy events labelled on the trend`);

  // workloads and complexity, from the events
  c = await csvOf(page, 'complexity-trend');
  check(c.rows.length === own.periods.length && c.rows.every((r) => {
    const x = own.cell(r.period, '*'), e = ev.complexity[r.period];
    return eq(r.clients, x.clients) && eq(r.events, x.events) && eq(r.needs_3_plus, e.plus3);
  }), `${tag} complexity CSV: clients and visits equal cells.csv, clients with 3+ needs ` +
    `equal the mapped events (${c.rows.map((r) => r.needs_3_plus).join(' ')})`);
  if (ev.workers) {
    const periods = await page.$$eval('#workers-period-select option', (o) => o.map((x) => x.value));
    const wbad = [];
    let n = 0, canary = false, notStatedRows = 0;
    for (const p of periods) {
      await page.selectOption('#workers-period-select', p);
      c = await csvOf(page, 'workers');
      for (const r of c.rows) {
        const x = ev.workers[`${p}|${r.worker}`];
        n++;
        if (!c.marked || !x || !eq(r.clients, x.clients) || !eq(r.events, x.events) ||
            !eq(r.clients_3_plus_needs, x.plus3)) wbad.push(`${p} ${r.worker}`);
        if (r.worker === process.env.CANARY) canary = true;
      }
      const keys = Object.keys(ev.workers).filter((k) => k.startsWith(p + '|'));
      if (keys.length !== c.rows.length) wbad.push(`${p}: ${c.rows.length} of ${keys.length}`);
      notStatedRows += await page.$$eval('#workers-box tbody th', (ths) =>
        ths.filter((th) => th.textContent === 'Not stated').length);
    }
    check(wbad.length === 0 && n > 0, `${tag} workloads: ${n} rows of ${periods.length} ` +
      `quarters equal worker.csv joined with mapped.csv${wbad.length ? ': ' + wbad.slice(0, 4)
        .join('; ') : ''}`);
    const emptyWorker = Object.keys(ev.workers).some((k) => k.endsWith('|'));
    check(!emptyWorker || notStatedRows > 0, `${tag} visits with no worker shown as "Not stated"`);
    if (process.env.CANARY)
      check(canary, `${tag} the canary worker is in the internal report's workloads`);
    await page.selectOption('#workers-period-select', latest);
    await page.$eval('#workloads', (e) => e.scrollIntoView());
    await (await page.$('#workloads')).screenshot({path: `${art}/agency-${code}-workloads.png`});
  } else {
    const txt = await page.textContent('#workers-note');
    check(/maps no worker/.test(txt), `${tag} no worker column: the page says so`);
  }

  // comparison: own shares exact, national ones by the share rule
  if (process.env.NATIONAL && data.national) {
    const merged = readCsv(process.env.NATIONAL);
    const mcell = (p, region, dim, code) => merged.find((r) => r.period === p &&
      r.region === region && D.DIMS.every((d) => d === 'region' ||
        r[d] === (d === dim ? code : '*')));
    c = await csvOf(page, 'comparison');
    const cbad = [];
    for (const r of c.rows) {
      const o = own.cell(r.period, '*', r.dimension, r.code);
      const s = shareOf(mfig(mcell(r.period, '*', r.dimension, r.code)),
                        mfig(mcell(r.period, '*')), data.national.max_range_share);
      if (!eq(r.share_own, pct(Number(o.clients), Number(own.cell(r.period, '*').clients))) ||
          r.share_nz !== s.est || r.share_nz_low !== s.low || r.share_nz_high !== s.high ||
          r.share_nz_shown !== s.shown) cbad.push(`${r.dimension}=${r.code}`);
    }
    check(c.marked && c.rows.length > 0 && cbad.length === 0, `${tag} comparison CSV: ` +
      `${c.rows.length} own shares equal cells.csv, national shares merged.csv by the rule` +
      (cbad.length ? ': ' + cbad.slice(0, 4).join('; ') : ''));
    const region = data.national.regions[0];
    await page.selectOption('#cmp-region-select', region);
    c = await csvOf(page, 'comparison');
    check(c.rows.length > 0 && c.rows.every((r) => {
      const s = shareOf(mfig(mcell(r.period, region, r.dimension, r.code)),
                        mfig(mcell(r.period, region)), data.national.max_range_share);
      return r.share_region === s.est && r.share_region_shown === s.shown;
    }), `${tag} comparison in region ${region}: the regional shares equal merged.csv by the rule`);
    const counts = await page.$$eval('#comparison-box td', (tds) =>
      tds.filter((td) => /^\d[\d,]*$/.test(td.textContent.trim())).length);
    check(counts === 0, `${tag} the comparison shows shares only, no count (${counts})`);
  } else {
    const txt = await page.textContent('#comparison-note');
    check(/No national build/.test(txt), `${tag} no national build: the page says so`);
  }

  // data quality against the stats files and side files
  const acc = await page.$$eval('#accounting-box tbody tr', (trs) => trs.map((tr) =>
    [...tr.children].map((td) => td.dataset.value ?? td.textContent)));
  const stageFiles = data.quality.stages.map((s) => s.file);
  const abad = [];
  stageFiles.forEach((f, i) => {
    const st = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const row = acc[i] || [];
    const written = st.rows_written ?? st.rows_counted;
    if (row[1] !== f || !eq(row[2], st.rows_read) || !eq(row[3], written) ||
        !eq(row[4], st.rows_rejected)) abad.push(f);
  });
  check(acc.length === stageFiles.length && stageFiles.length >= 5 && abad.length === 0,
    `${tag} row accounting equals the ${stageFiles.length} stats files` +
    (abad.length ? ': ' + abad.join(' ') : ''));
  const rej = await page.$$eval('#rejected-box tbody tr', (trs) => trs.map((tr) =>
    [...tr.children].map((td) => td.dataset.value ?? td.textContent.trim())));
  let want = [];
  for (const f of stageFiles) {
    const st = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const [k, n] of Object.entries(st.rejected || {})) if (n > 0) want.push(n);
  }
  // each reason's five first lines of rejects.csv are on the page
  const byReason = {};
  // a reason may say more after a colon: it counts under the stage's reason
  for (const r of readCsv(join(dir, 'rejects.csv'))) {
    const k = r.reason.split(':')[0];
    (byReason[k] = byReason[k] || []).push(Number(r.line));
  }
  const shownLines = rej.map((r) => r[3]);
  const linesOk = Object.values(byReason).every((ls) => {
    const first = ls.sort((a, b) => a - b).slice(0, 5).join(', ');
    return shownLines.some((t) => t.replace(/, \.\.\.$/, '') === first);
  });
  check(rej.length === want.length && eq(rej.map((r) => r[2]).sort(), want.sort()) && linesOk,
    `${tag} rows rejected by reason equal the stats (${want.join(' ')}), their first lines ` +
    `rejects.csv's`);
  const norm = JSON.parse(readFileSync(join(dir, 'normalise-stats.json'), 'utf8'));
  const birth = await page.$$eval('#birth-dates data', (ds) =>
    Object.fromEntries(ds.map((d) => [d.dataset.measure, d.value])));
  check(eq(birth.placeholder_birth_date, norm.warnings.placeholder_birth_date) &&
        eq(birth.birth_date_in_future, norm.warnings.birth_date_in_future),
    `${tag} birth dates: ${birth.placeholder_birth_date} placeholder, ` +
    `${birth.birth_date_in_future} in the future, as normalise-stats.json`);
  const warn = await page.$$eval('#warnings-box tbody tr td[data-value]', (tds) =>
    tds.map((td) => Number(td.dataset.value)));
  want = [];
  for (const f of stageFiles) {
    const st = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const n of Object.values(st.warnings || {})) if (n > 0) want.push(n);
  }
  check(eq(warn.sort(), want.sort()), `${tag} warnings equal the stats files (${want.length})`);
  const unmapped = readCsv(join(dir, 'unmapped.csv'));
  const um = await page.$$eval('#unmapped-box tbody tr', (trs) => trs.map((tr) =>
    [...tr.children].map((td) => td.dataset.value ?? td.textContent.trim())));
  check(um.length === unmapped.length && unmapped.every((u, i) =>
    um[i][1] === (u.value === '' ? '(empty)' : u.value) && eq(um[i][2], u.count)),
    `${tag} unmapped values equal unmapped.csv (${unmapped.length})`);
  c = await csvOf(page, 'not-stated');
  check(c.rows.length > 0 && c.rows.every((r) => {
    const x = own.group(r.period, r.dimension, notStated[r.dimension]);
    const tot = Number(own.cell(r.period, '*').clients);
    const n = x ? Number(x.clients) : tot - data.dimensions.find((d) => d.name === r.dimension)
      .codes.reduce((s, k) => s + Number((own.group(r.period, r.dimension, k[0]) || {clients: 0})
        .clients), 0);
    return eq(r.clients_not_stated, n) && eq(r.share, pct(n, tot));
  }), `${tag} not-stated CSV: ${c.rows.length} shares of fields and quarters equal cells.csv`);
  const late = await page.textContent('#late-box');
  const freeze = stageFiles.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
    .find((s) => s.late && typeof s.late === 'object');
  check(freeze && freeze.plan && freeze.plan.released ? /Late/.test(late) :
    /No released quarter yet/.test(late), `${tag} late entries: ${late.slice(0, 70)}`);
  const fixes = await page.$$eval('#fix-list li', (lis) => lis.map((li) => li.dataset.kind));
  const wantKinds = [];
  if (rej.some((r) => !/footer/.test(r[1]))) wantKinds.push('rejected');
  if (unmapped.some((u) => u.value !== '')) wantKinds.push('map');
  if (unmapped.some((u) => u.value === '')) wantKinds.push('empty');
  if (norm.warnings.placeholder_birth_date || norm.warnings.birth_date_in_future)
    wantKinds.push('birth');
  check(fixes.length > 0 && wantKinds.every((k) => fixes.includes(k)),
    `${tag} what to fix names ${[...new Set(fixes)].join(', ')} (expected at least ` +
    `${wantKinds.join(', ') || 'none'})`);

  // the SVG export carries the marking
  const svg = await download(page, 'who-bars', 'svg');
  check(svg.includes(MARK), `${tag} the SVG export carries the marking`);
  check(errors.length === 0, `${tag} no console error${errors.length ? ': ' + errors[0] : ''}`);
  check(requests.length === 0, `${tag} no network request${requests.length ? ': ' + requests[0] : ''}`);
  if (agencyDirs.indexOf(dir) === 0) {
    await page.screenshot({path: `${art}/agency-${code}-full.png`, fullPage: true});
    await (await page.$('#quality')).screenshot({path: `${art}/agency-${code}-quality.png`});
    await (await page.$('#comparison')).screenshot({path: `${art}/agency-${code}-comparison.png`});
  }
  await page.close();
}

for (const dir of agencyDirs) await checkAgency(dir);
await browser.close();
process.exit(failures() ? 1 : 0);
