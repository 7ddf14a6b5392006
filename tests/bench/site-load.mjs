// site-load.mjs: the dashboard's load-to-interactive time in headless
// Chromium (playwright-core from out/npm, tests/lib/browser-check.mjs).
//   node site-load.mjs SITE_DIR RUNS
// Each run opens index.html in a fresh page and waits until every chart
// is drawn (data-drawn on each div.chart) and the page answers a click on
// its first select; prints the median of the runs in seconds, and fails
// on any page error or a chart never drawn.
import {resolve} from 'node:path';
import {launchChromium} from '../lib/browser-check.mjs';

const [siteDir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const url = `file://${resolve(siteDir)}/index.html`;

const browser = await launchChromium();
const times = [];
let charts = 0;
for (let i = 0; i < runs; i++) {
  const page = await browser.newPage({viewport: {width: 1366, height: 768}});
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => {
    const c = [...document.querySelectorAll('div.chart')];
    return c.length > 0 && c.every((d) => d.getAttribute('data-drawn'));
  }, null, {timeout: 60000});
  // interactive: the main thread is free to run a task posted now
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  times.push((Date.now() - t0) / 1000);
  charts = await page.evaluate(() => document.querySelectorAll('div.chart').length);
  if (errors.length) {
    console.error(`site-load: page error: ${errors[0]}`);
    process.exit(1);
  }
  await page.close();
}
await browser.close();
times.sort((a, b) => a - b);
console.log(`${times[Math.floor((times.length - 1) / 2)].toFixed(2)} ${charts}`);
