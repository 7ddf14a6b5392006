// e2e-site.mjs: open the built dashboard in headless Chromium and check it.
//   node e2e-site.mjs SITE_DIR MERGED_CSV ARTEFACT_DIR
// Needs playwright-core (out/npm, NPM_DIR) and CHROMIUM (/usr/bin/chromium).
// Prints "ok ..." per check; exits 1 on the first failure.
import {readFileSync, mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import {resolve} from 'node:path';

const npmDir = resolve(process.env.NPM_DIR || 'out/npm');
const require = createRequire(`${npmDir}/package.json`);
const {chromium} = require('playwright-core');

const [siteDir, mergedPath, artefacts] = process.argv.slice(2);
mkdirSync(artefacts, {recursive: true});

// national and regional totals of merged.csv: period,region -> row
const lines = readFileSync(mergedPath, 'utf8').trim().split('\n');
const head = lines[0].split(',');
const totals = new Map();
for (const line of lines.slice(1)) {
  const f = line.split(',');
  if (f.slice(3, 11).every((v) => v === '*'))
    totals.set(`${f[0]},${f[2]}`, Object.fromEntries(head.map((h, i) => [h, f[i]])));
}
const latest = [...totals.keys()].map((k) => k.split(',')[0]).sort().pop();

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'not ok'} ${what}`);
  if (!ok) failures++;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
const errors = [];
const requests = [];
const page = await browser.newPage({viewport: {width: 1280, height: 900}});
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(String(e)));
page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });

await page.goto(`file://${resolve(siteDir)}/index.html`);

async function chartsDrawn() {
  await page.waitForFunction(() => [...document.querySelectorAll('div.chart')]
    .every((c) => c.querySelector('svg, canvas')), null, {timeout: 15000})
    .catch(() => {});
  return page.evaluate(() => {
    const charts = [...document.querySelectorAll('div.chart')];
    return {n: charts.length,
            empty: charts.filter((c) => !c.querySelector('svg, canvas')).map((c) => c.id)};
  });
}
async function headline() {
  return page.evaluate(() => ({
    value: document.getElementById('headline-value').getAttribute('data-value'),
    label: document.getElementById('headline-label').textContent,
  }));
}

let drawn = await chartsDrawn();
check(drawn.n >= 10 && drawn.empty.length === 0,
  `every chart drawn (${drawn.n} charts; empty: ${drawn.empty.join(' ') || 'none'})`);
const tables = await page.evaluate(() => document.querySelectorAll('table').length);
check(tables >= drawn.n, `a table behind every chart (${tables} tables, ${drawn.n} charts)`);

let h = await headline();
const national = totals.get(`${latest},*`);
check(h.value === national.clients,
  `headline ${h.value} = national clients ${national.clients} of ${latest} in merged.csv`);
await page.screenshot({path: `${artefacts}/site-desktop.png`, fullPage: true});

// measure by select
await page.selectOption('#measure-select', 'households');
h = await headline();
check(h.value === national.households && /Households/.test(h.label),
  `measure select: headline ${h.value} = national households ${national.households}`);

// region by keyboard: Tab to the region select, then ArrowDown
await page.focus('body');
let focused = '';
for (let i = 0; i < 6 && focused !== 'region-select'; i++) {
  await page.keyboard.press('Tab');
  focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
}
check(focused === 'region-select', 'the region select is reached with Tab');
await page.keyboard.press('ArrowDown');
const region = await page.evaluate(() => document.getElementById('region-select').value);
h = await headline();
const regional = totals.get(`${latest},${region}`);
check(region !== '*' && regional && h.value === regional.households,
  `region by keyboard (${region}): headline ${h.value} = ${regional && regional.households}`);
drawn = await chartsDrawn();
check(drawn.empty.length === 0, 'every chart drawn after switching');
const focusStyle = await page.evaluate(() =>
  getComputedStyle(document.activeElement).outlineStyle);
check(focusStyle !== 'none', `visible focus on the select (outline ${focusStyle})`);
await page.screenshot({path: `${artefacts}/site-region.png`, fullPage: true});

// a phone
const phone = await browser.newPage({viewport: {width: 390, height: 844},
                                     deviceScaleFactor: 1});
phone.on('pageerror', (e) => errors.push(String(e)));
await phone.goto(`file://${resolve(siteDir)}/index.html`);
await phone.waitForFunction(() => document.querySelector('#chart-trend svg'), null,
  {timeout: 15000}).catch(() => {});
const overflow = await phone.evaluate(() =>
  document.documentElement.scrollWidth - document.documentElement.clientWidth);
check(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`);
await phone.screenshot({path: `${artefacts}/site-phone.png`, fullPage: true});

check(errors.length === 0, `no console errors${errors.length ? ': ' + errors.join(' | ') : ''}`);
check(requests.length === 0, `no network requests${requests.length ? ': ' + requests.join(' ') : ''}`);
await browser.close();
process.exit(failures ? 1 : 0);
