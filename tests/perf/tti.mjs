// Time to interactive of the built app (dist/) in headless Chromium on localhost.
//
// Interactive means: src/main.rs has mounted the app (its first view is built, with its event
// handlers) and set `performance.mark("kmslab-interactive")`, and the scenario editor is on the
// page. The figure is that mark's `startTime`, i.e. milliseconds from navigation start. Each
// load is cold: a new browser context (empty HTTP cache, empty storage) with the cache also
// disabled through the DevTools protocol. The pages are served by a small static server in
// this process (no compression, like `python3 -m http.server` in scripts/serve.sh).
//
// Usage: node tests/perf/tti.mjs [--dir dist] [--runs 10]
// Prints one line per load, then `TTI_MS <median>`, `TTI_MIN_MS <fastest>`, `TTI_START_MS <median>` (the
// "kmslab-start" mark, set when main() begins: the wasm is loaded and instantiated, mounting
// has not started) and `TTI_RUNS <the figures, comma-separated>`.
// Exits non-zero if a load fails, never marks, or reports a console error.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const dir = resolve(opt('--dir', 'dist'));
const runs = Number(opt('--runs', '10'));

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', // streaming compilation needs this type
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(dir)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

let failed = false;
const figures = [];
const starts = []; // the `kmslab-start` mark: main() begins, before mounting
try {
  // One load first, not counted: Chromium's own first-use costs are not the app's.
  for (let i = -1; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url, { waitUntil: 'commit' });
    // The mark and the editor, read together in the page.
    const handle = await page.waitForFunction(() => {
      const mark = performance.getEntriesByName('kmslab-interactive', 'mark')[0];
      const editor = document.querySelector('[data-testid="editor"]');
      return mark && editor ? mark.startTime : null;
    }, null, { timeout: 30_000 });
    const ms = await handle.jsonValue();
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
      const start = performance.getEntriesByName('kmslab-start', 'mark')[0];
      return {
        dcl: n.domContentLoadedEventEnd,
        wasmEnd: wasm ? wasm.responseEnd : NaN,
        start: start ? start.startTime : NaN,
      };
    });
    if (errors.length) {
      console.error(`load ${i + 1 || 'warm-up'}: console errors: ${errors.join(' | ')}`);
      failed = true;
    }
    await context.close();
    if (i < 0) continue;
    figures.push(ms);
    starts.push(nav.start);
    console.log(`load ${i + 1}: interactive at ${ms.toFixed(1)} ms (DOMContentLoaded `
      + `${nav.dcl.toFixed(1)} ms, wasm received ${nav.wasmEnd.toFixed(1)} ms, `
      + `wasm instantiated and main() started ${nav.start.toFixed(1)} ms)`);
  }
} catch (e) {
  console.error(`tti.mjs: ${e}`);
  failed = true;
} finally {
  await browser.close();
  server.close();
}
if (failed || figures.length !== runs) process.exit(1);
console.log(`TTI_MS ${median(figures).toFixed(1)}`);
console.log(`TTI_MIN_MS ${Math.min(...figures).toFixed(1)}`);
console.log(`TTI_START_MS ${median(starts).toFixed(1)}`);
console.log(`TTI_RUNS ${figures.map((x) => x.toFixed(1)).join(',')}`);
