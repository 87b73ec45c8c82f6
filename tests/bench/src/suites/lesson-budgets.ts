// The lesson's performance budgets (DESIGN.md, "Performance budgets"), measured on the built site
// served on loopback, in Debian's Chromium:
// 1. JavaScript before first interaction, gzipped (node:zlib on the response bodies, so it does
//    not depend on the static server compressing): <= 150 KB per lesson page, and what loads
//    later, when the reader scrolls to the live figures.
// 2. Stroke to all three predictions on /lessons/curve-fitting/, once every model answers (from
//    @receptive/core: the lesson's comparison needs no runtime download): p95 <= 16 ms.
// 3. Lighthouse 13 (its CLI, on Debian's Chromium): performance >= 95, accessibility 100, best
//    practices >= 95, in its default (mobile, simulated throttling) and desktop configurations.
// Every row's peer is the budget: `speedup` is budget / measured (score / budget for Lighthouse),
// so >= 1 means the budget is met.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  BASE_ARGS,
  CHROME_PATH,
  launchBrowser,
  launchDiskProfile,
} from '@receptive/e2e/lib/browser';
import { SITE_DIST, serveSite } from '@receptive/e2e/lib/server';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { Row, Suite } from '../harness.ts';
import { median } from '../harness.ts';

const LESSONS = [
  '/lessons/curve-fitting/',
  '/lessons/convolution/',
  '/lessons/convolution-layers/',
  '/lessons/pooling/',
  '/lessons/shift-invariance/',
  '/lessons/digit-recognition/',
  '/lessons/visualization/',
];
const LIGHTHOUSE_PAGES = ['/lessons/curve-fitting/', '/lessons/convolution/'];
const JS_BUDGET_KB = 150;
const STROKE_BUDGET_MS = 16;
const STROKES = Number(process.env['LESSON_STROKES'] ?? 60);
const WARMUP_STROKES = 5;
const VIEWPORT = { width: 1280, height: 800 };
// @receptive/e2e's launch flags (Chromium's own background traffic stays off), headless.
const CHROME_FLAGS = [
  '--headless=new',
  ...BASE_ARGS,
  // Anything not on loopback would go to a proxy that is not there: Lighthouse's Chromium cannot
  // reach the network even if something asked it to (loopback bypasses proxies by default).
  '--proxy-server=http://127.0.0.1:9',
];
const LH_BUDGETS = { performance: 95, accessibility: 100, 'best-practices': 95 } as const;

const KB = 1024;
const gz = (b: Buffer) => gzipSync(b).length;
const kb = (n: number) => `${(n / KB).toFixed(1)} KB`;
const nameOf = (url: string) => new URL(url).pathname.split('/').pop() || new URL(url).pathname;

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)]!;
}

interface Loaded {
  url: string;
  kind: 'js' | 'wasm' | 'other';
  raw: number;
  gzip: number;
  /** Served from the HTTP cache (no body came over the network): a second worker's copy. */
  cached: boolean;
}

/**
 * Watches a context's responses: every body is kept with its gzipped size, and `idle()` waits
 * until no request has been in flight for `quietMs`.
 */
function recordResponses(context: BrowserContext) {
  const loaded: Loaded[] = [];
  const reading: Promise<void>[] = [];
  let inFlight = 0;
  let lastActivity = performance.now();
  context.on('request', () => {
    inFlight++;
    lastActivity = performance.now();
  });
  const settle = () => {
    inFlight = Math.max(0, inFlight - 1);
    lastActivity = performance.now();
  };
  context.on('requestfailed', settle);
  context.on('requestfinished', settle);
  context.on('response', (res: Response) => {
    reading.push(
      (async () => {
        const url = res.url();
        if (!url.startsWith('http')) return;
        const type = (await res.allHeaders())['content-type'] ?? '';
        const path = new URL(url).pathname;
        const kind =
          res.request().resourceType() === 'script' ||
          /javascript/.test(type) ||
          /\.m?js$/.test(path)
            ? 'js'
            : /\.wasm$/.test(path) || /wasm/.test(type)
              ? 'wasm'
              : 'other';
        const body = await res.body().catch(() => null);
        if (!body) return;
        // A response the HTTP cache served brought no body over the network: Chromium reports
        // its body size as negative (minus its headers' size). Zero is not a sign of it: a
        // worker's script fetched over the network reads 0 too.
        const sizes = await res
          .request()
          .sizes()
          .catch(() => null);
        const cached = res.fromServiceWorker() || (sizes !== null && sizes.responseBodySize < 0);
        loaded.push({ url, kind, raw: body.length, gzip: gz(body), cached });
      })(),
    );
  });
  return {
    loaded,
    async idle(quietMs = 750, timeoutMs = 60_000): Promise<void> {
      const t0 = performance.now();
      while (performance.now() - t0 < timeoutMs) {
        if (inFlight === 0 && performance.now() - lastActivity >= quietMs) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(reading.splice(0));
    },
  };
}

/** Inline scripts in the page (not JSON data): each gzipped on its own. */
async function inlineScripts(page: Page): Promise<{ count: number; raw: number; gzip: number }> {
  const texts = await page.evaluate(() =>
    [...document.querySelectorAll('script:not([src])')]
      .filter((s) => {
        const t = (s as HTMLScriptElement).type;
        return t === '' || t === 'module' || /javascript/.test(t);
      })
      .map((s) => s.textContent ?? ''),
  );
  return {
    count: texts.length,
    raw: texts.reduce((a, t) => a + Buffer.byteLength(t), 0),
    gzip: texts.reduce((a, t) => a + gz(Buffer.from(t)), 0),
  };
}

async function measureJs(origin: string, log: (line: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const path of LESSONS) {
    // A fresh profile on disk per page, as a reader's browser has (launchDiskProfile says why).
    const profile = await launchDiskProfile({ webgpu: true, viewport: VIEWPORT, baseURL: origin });
    const { context, page } = profile;
    const rec = recordResponses(context);
    await page.goto(path, { waitUntil: 'networkidle' });
    await rec.idle();
    const first = rec.loaded.splice(0);
    const inline = await inlineScripts(page);
    const js = first.filter((l) => l.kind === 'js');
    const total = js.reduce((a, l) => a + l.gzip, 0) + inline.gzip;
    const raw = js.reduce((a, l) => a + l.raw, 0) + inline.raw;
    const others = first.filter((l) => l.kind !== 'js');
    log(
      `${path} before first interaction (1280x800, no scroll): ${kb(total)} JavaScript gzipped (${kb(raw)} raw) in ${js.length} files + ${inline.count} inline (${kb(inline.gzip)}); budget <= ${JS_BUDGET_KB} KB: ${total <= JS_BUDGET_KB * KB ? 'met' : 'MISSED'}. Largest: ${[
        ...js,
      ]
        .sort((a, b) => b.gzip - a.gzip)
        .slice(0, 3)
        .map((l) => `${nameOf(l.url)} ${kb(l.gzip)}`)
        .join(
          ', ',
        )}${others.some((l) => l.kind === 'wasm') ? `; WebAssembly already: ${others.filter((l) => l.kind === 'wasm').map((l) => `${nameOf(l.url)} ${kb(l.gzip)}`)}` : ''}`,
    );
    // Now read the whole lesson, a screen at a time, and see what the live figures fetch.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = VIEWPORT.height / 2; y < height; y += VIEWPORT.height / 2) {
      await page.mouse.wheel(0, VIEWPORT.height / 2);
      await page.waitForTimeout(150);
    }
    await rec.idle(1500);
    const loadedLater = rec.loaded
      .splice(0)
      .filter((l) => l.kind !== 'other' || !/\.css$/.test(l.url));
    const later = loadedLater.filter((l) => !l.cached);
    const again = loadedLater.filter((l) => l.cached && l.kind !== 'other');
    const laterJs = later.filter((l) => l.kind !== 'other');
    const laterData = later.filter((l) => l.kind === 'other');
    log(
      `${path} loaded later, on scrolling to the live figures: ${
        laterJs.length
          ? `${kb(laterJs.reduce((a, l) => a + l.gzip, 0))} gzipped JavaScript + WebAssembly (${laterJs
              .sort((a, b) => b.gzip - a.gzip)
              .map((l) => `${nameOf(l.url)} ${kb(l.gzip)}`)
              .join(', ')})`
          : 'no JavaScript'
      }${laterData.length ? `; data: ${laterData.length} files, ${kb(laterData.reduce((a, l) => a + l.raw, 0))} raw` : ''}${again.length ? `; served again from the HTTP cache, not downloaded: ${again.map((l) => nameOf(l.url)).join(', ')}` : ''}`,
    );
    await profile.close();
    rows.push({
      workload: `JavaScript before first interaction, gzipped: ${path}`,
      peer: `budget ${JS_BUDGET_KB} KB`,
      unit: 'KB',
      ours: total / KB,
      theirs: JS_BUDGET_KB,
      speedup: (JS_BUDGET_KB * KB) / total,
      goal: 1,
      runs: 1,
      stat: 'page load',
    });
  }
  return rows;
}

interface StrokeTiming {
  /** pointerup (its event timestamp) to the last rf-predict that followed it. */
  fromUp: number;
  /** The rf-digit of the finished stroke to that rf-predict. */
  fromDigit: number;
  /** pointerup to the first animation frame after that rf-predict (the redraw starts). */
  toFrame: number;
  engines: string[];
  models: number;
  predictsAfterUp: number;
  /** pointerup to the rf-draw of the CNN's feature maps that followed that rf-predict (null without maps). */
  toMaps: number | null;
}

async function measureStrokes(
  browser: Browser,
  origin: string,
  log: (line: string) => void,
): Promise<Row[]> {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL: origin });
  const page = await context.newPage();
  const path = '/lessons/curve-fitting/';
  await page.goto(path, { waitUntil: 'networkidle' });
  const hasFeatureMaps = await page.evaluate(
    () => !!document.querySelector('rf-feature-maps, rf-network-3d, [data-feature-maps]'),
  );
  await page.locator('#pad').scrollIntoViewIfNeeded();
  await page.evaluate(() =>
    document.querySelector('rf-model-compare')!.scrollIntoView({ block: 'end' }),
  );
  await page.locator('#pad').scrollIntoViewIfNeeded();
  await page.waitForFunction(
    () => (document.querySelector('rf-model-compare') as HTMLElement).dataset['state'] === 'ready',
    null,
    { timeout: 90_000 },
  );
  await page.evaluate(() => {
    // biome-ignore lint/suspicious/noExplicitAny: the marks live on window for this benchmark.
    const w = window as any;
    w.__marks = { up: [], digit: [], predict: [], draw: [] };
    window.addEventListener('rf-draw', () => w.__marks.draw.push(performance.now()), true);
    document.addEventListener(
      'pointerup',
      (e) => w.__marks.up.push(e.timeStamp || performance.now()),
      true,
    );
    document.addEventListener('rf-digit', (e) => {
      const d = (e as CustomEvent).detail;
      if (!d.drawing && !d.empty) w.__marks.digit.push(performance.now());
    });
    // Capture on window: this runs before any figure's own rf-predict listener (the feature maps
    // draw inside theirs), so each answer's mark comes before the draw it causes.
    window.addEventListener(
      'rf-predict',
      (e) => {
        const mark = {
          t: performance.now(),
          frame: 0,
          results: (e as CustomEvent).detail.results.map(
            (r: { model: string; engine: string }) => ({
              model: r.model,
              engine: r.engine,
            }),
          ),
        };
        w.__marks.predict.push(mark);
        requestAnimationFrame((t) => {
          mark.frame = t;
        });
      },
      true,
    );
  });
  const canvas = page.locator('#pad canvas.draw');
  // A fixed pseudo-random sequence of strokes, so every run draws the same digits.
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let box = { x: 0, y: 0, width: 0, height: 0 };
  const at = (u: number, v: number) => ({
    x: box.x + box.width * (0.15 + 0.7 * u),
    y: box.y + box.height * (0.15 + 0.7 * v),
  });
  const timings: StrokeTiming[] = [];
  for (let i = 0; i < WARMUP_STROKES + STROKES; i++) {
    if (i % 4 === 0) {
      await page.evaluate(() =>
        (document.getElementById('pad') as unknown as { clear(): void }).clear(),
      );
      await page.waitForTimeout(50);
    }
    await page.evaluate(() => {
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      const m = (window as any).__marks;
      m.up.length = 0;
      m.digit.length = 0;
      m.predict.length = 0;
      m.draw.length = 0;
    });
    // The page may have moved under the pad (figures waking up above it): aim afresh each time.
    await canvas.scrollIntoViewIfNeeded();
    box = (await canvas.boundingBox())!;
    const a = at(rnd(), rnd());
    const b = at(rnd(), rnd());
    const c = at(rnd(), rnd());
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 6 });
    await page.mouse.move(c.x, c.y, { steps: 6 });
    await page.mouse.up();
    // Wait until the predictions that follow the pen's lift have come in and gone quiet.
    const t = (await page.evaluate(async (maps) => {
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      const m = (window as any).__marks;
      const t0 = performance.now();
      for (;;) {
        await new Promise((r) => setTimeout(r, 20));
        const up = m.up.at(-1);
        const after = up === undefined ? [] : m.predict.filter((p: { t: number }) => p.t >= up);
        const last = after.at(-1);
        // The maps draw in their own rf-predict listener: the first draw after the last answer.
        const drawn = last ? m.draw.find((d: number) => d >= last.t) : undefined;
        if (last?.frame && performance.now() - last.t > 120 && (!maps || drawn !== undefined)) {
          const digit = m.digit.at(-1) ?? up;
          const end = maps ? Math.max(last.t, drawn) : last.t;
          return {
            toMaps: maps ? drawn - up : null,
            fromUp: end - up,
            fromDigit: last.t - digit,
            toFrame: last.frame - up,
            engines: last.results.map((r: { engine: string }) => r.engine),
            models: last.results.length,
            predictsAfterUp: after.length,
          };
        }
        if (performance.now() - t0 > 5000)
          return {
            failed: JSON.stringify({
              up: m.up,
              digit: m.digit,
              predict: m.predict,
              draw: m.draw,
              now: performance.now(),
            }),
          };
      }
    }, hasFeatureMaps)) as StrokeTiming | { failed: string } | null;
    if (!t || 'failed' in t)
      throw new Error(
        `stroke ${i}: no rf-predict within 5 s of the pen's lift ${JSON.stringify(t)}`,
      );
    if (i >= WARMUP_STROKES) timings.push(t);
  }
  const engines = [...new Set(timings.flatMap((t) => t.engines))];
  const allThree = timings.every((t) => t.models === 3);
  await context.close();
  const fromUp = timings.map((t) => t.fromUp);
  const p95 = percentile(fromUp, 0.95);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  log(
    `${path}: ${timings.length} mouse strokes (after ${WARMUP_STROKES} warm-up), pen lift (pointerup) to the rf-predict carrying all three models${hasFeatureMaps ? " and the CNN's feature maps drawn from it (rf-draw)" : ''}: p50 ${ms(median(fromUp))}, p95 ${ms(p95)}, max ${ms(Math.max(...fromUp))} (budget p95 <= ${STROKE_BUDGET_MS} ms: ${p95 <= STROKE_BUDGET_MS ? 'met' : 'MISSED'}); engines: ${engines.join(', ')}; ${allThree ? 'three models in every answer' : 'some answers lacked a model'}`,
  );
  log(
    `  same strokes, the final rf-digit to that rf-predict: p50 ${ms(median(timings.map((t) => t.fromDigit)))}, p95 ${ms(
      percentile(
        timings.map((t) => t.fromDigit),
        0.95,
      ),
    )}; pen lift to the next animation frame after it (redraw starts): p50 ${ms(median(timings.map((t) => t.toFrame)))}, p95 ${ms(
      percentile(
        timings.map((t) => t.toFrame),
        0.95,
      ),
    )}`,
  );
  if (hasFeatureMaps) {
    const toMaps = timings.map((t) => t.toMaps ?? Number.NaN);
    log(
      `  pen lift to the feature maps' rf-draw: p50 ${ms(median(toMaps))}, p95 ${ms(percentile(toMaps, 0.95))}`,
    );
  } else {
    log(
      `  the curve-fitting lesson has no CNN 2D feature-map view yet: the figure measures the three predictions (probability bars) only, not "feature maps redrawn"`,
    );
  }
  return [
    {
      workload: `stroke to all three predictions${hasFeatureMaps ? ' + CNN feature maps' : ' (no feature-map view yet)'}, p95`,
      peer: `budget ${STROKE_BUDGET_MS} ms`,
      unit: 'ms',
      ours: p95,
      theirs: STROKE_BUDGET_MS,
      speedup: STROKE_BUDGET_MS / p95,
      goal: 1,
      runs: timings.length,
      stat: 'strokes, p95',
    },
  ];
}

interface LighthouseReport {
  lighthouseVersion: string;
  runtimeError?: { code: string; message: string };
  runWarnings: string[];
  configSettings: { formFactor: string; throttlingMethod: string };
  categories: Record<string, { score: number | null }>;
  audits: Record<
    string,
    {
      score: number | null;
      scoreDisplayMode: string;
      displayValue?: string;
      details?: { items?: { url?: string; node?: { selector?: string } }[] };
    }
  >;
}

async function measureLighthouse(origin: string, log: (line: string) => void): Promise<Row[]> {
  const require = createRequire(import.meta.url);
  let cli: string;
  try {
    cli = join(dirname(require.resolve('lighthouse/package.json')), 'cli', 'index.js');
  } catch {
    log('Lighthouse: not run: the npm package `lighthouse` is not installed in @receptive/bench');
    return [];
  }
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 19)) {
    log(
      `Lighthouse: not run: it needs Node >= 22.19 and this is Node ${process.version} (run through \`pnpm bench\`, whose scripts run on Node 24)`,
    );
    return [];
  }
  const version = (
    JSON.parse(readFileSync(join(dirname(cli), '..', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'rf-lighthouse-'));
  const rows: Row[] = [];
  try {
    for (const preset of ['mobile', 'desktop'] as const) {
      for (const path of LIGHTHOUSE_PAGES) {
        const out = join(dir, `${preset}-${path.replace(/\W+/g, '_')}.json`);
        try {
          await run(
            process.execPath,
            [
              cli,
              `${origin}${path}`,
              `--chrome-path=${CHROME_PATH}`,
              `--chrome-flags=${CHROME_FLAGS.join(' ')}`,
              '--only-categories=performance,accessibility,best-practices',
              ...(preset === 'desktop' ? ['--preset=desktop'] : []),
              '--disable-full-page-screenshot',
              '--no-enable-error-reporting',
              '--output=json',
              `--output-path=${out}`,
              '--quiet',
            ],
            { timeout: 120_000, maxBuffer: 16 * 2 ** 20 },
          );
        } catch (err) {
          const e = err as { message: string; stderr?: string };
          log(
            `Lighthouse ${preset} ${path}: failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`,
          );
          continue;
        }
        const r = JSON.parse(readFileSync(out, 'utf8')) as LighthouseReport;
        if (r.runtimeError) {
          log(
            `Lighthouse ${preset} ${path}: runtime error ${r.runtimeError.code}: ${r.runtimeError.message}`,
          );
          continue;
        }
        const requests = r.audits['network-requests']?.details?.items?.map((i) => i.url ?? '');
        const offsite = (requests ?? []).filter(
          (u) => !u.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(u),
        );
        const score = (c: string) => Math.round((r.categories[c]?.score ?? 0) * 100);
        const failing = Object.entries(r.audits)
          .filter(
            ([id, a]) =>
              !id.endsWith('-insight') &&
              a.score !== null &&
              a.score < 1 &&
              (a.scoreDisplayMode === 'binary' || a.scoreDisplayMode === 'numeric'),
          )
          .map(
            ([id, a]) =>
              `${id}${a.displayValue ? ` ${a.displayValue}` : ''}${
                a.scoreDisplayMode === 'binary' && a.details?.items?.[0]?.node?.selector
                  ? ` (${a.details.items[0].node.selector})`
                  : ` ${a.score!.toFixed(2)}`
              }`,
          );
        log(
          `Lighthouse ${version} ${preset} (${r.configSettings.formFactor}, ${r.configSettings.throttlingMethod} throttling) ${path}: performance ${score('performance')}, accessibility ${score('accessibility')}, best practices ${score('best-practices')}; ${requests ? `${requests.length} requests, ${offsite.length ? `OFF loopback: ${offsite.join(' ')}` : 'all to 127.0.0.1'}` : 'no request list'}${failing.length ? `; below full marks: ${failing.join('; ')}` : ''}${r.runWarnings.length ? `; warnings: ${r.runWarnings.join(' ')}` : ''}`,
        );
        for (const [category, budget] of Object.entries(LH_BUDGETS)) {
          const s = score(category);
          rows.push({
            workload: `Lighthouse ${category} (${preset}): ${path}`,
            peer: `budget ${budget === 100 ? '100' : `>= ${budget}`}`,
            unit: 'score',
            ours: s,
            theirs: budget,
            speedup: s / budget,
            goal: 1,
            runs: 1,
            stat: 'Lighthouse run',
          });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const suite: Suite = {
  name: 'lesson performance budgets in Chromium (built site on loopback)',
  async run(log) {
    const server = await serveSite(SITE_DIST);
    const browser = await launchBrowser({ webgpu: true });
    const t0 = performance.now();
    try {
      log(
        `Chromium ${browser.version()} (WebGPU on SwiftShader exposed), viewport 1280x800; the site from apps/site/dist; gzip sizes from node:zlib at its default level; each page in a fresh browser profile on disk, counting what comes over the network`,
      );
      const rows = [...(await measureJs(server.origin, log))];
      rows.push(...(await measureStrokes(browser, server.origin, log)));
      await browser.close();
      rows.push(...(await measureLighthouse(server.origin, log)));
      log(`suite time: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      return rows;
    } finally {
      await browser.close().catch(() => {});
      await server.close();
    }
  },
};

export default suite;
