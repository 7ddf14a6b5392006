// browser-check.mjs: what the browser halves of the e2e scripts
// (e2e-site.mjs, e2e-agency-view.mjs) and tests/bench/site-load.mjs
// share, so that each reads a CSV, reports a check and starts Chromium
// the same way.
//   launchChromium()  headless Chromium through playwright-core from
//                     NPM_DIR (default out/npm); CHROMIUM names the
//                     browser (default /usr/bin/chromium)
//   check(ok, what)   prints "ok WHAT" or "not ok WHAT", counts a failure
//   failures()        how many checks failed so far
//   parseCsv(text)    CSV text (quoted fields, LF line ends) to objects
//                     keyed by the header
//   readCsv(file)     the same from a file
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {resolve} from 'node:path';

export async function launchChromium() {
  const npmDir = resolve(process.env.NPM_DIR || 'out/npm');
  const require = createRequire(`${npmDir}/package.json`);
  const {chromium} = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

let failed = 0;
export function check(ok, what) {
  console.log(`${ok ? 'ok' : 'not ok'} ${what}`);
  if (!ok) failed++;
  return ok;
}
export const failures = () => failed;

// written here, not taken from the pages' own code, so that the checks
// read the files independently of what they check
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}
export const readCsv = (file) => parseCsv(readFileSync(file, 'utf8'));
