// `pnpm soak`: long runs of the built site in Debian's Chromium that look for leaks, and write
// what they measured to tests/bench/SOAK.md.
//   1. Strokes on the digit pad of the first lesson, with the comparison, the feature maps and
//      the 3D network all live: JS heap (after a forced garbage collection) and DOM nodes after
//      the first 500 strokes and at the end, WebGL/WebGPU contexts created, workers.
//   2. Every lesson and back to the home page, again and again: the same figures on the home
//      page after the first round and after the last.
//   3. The photo figure on the fake camera's frames: heap at the start and at the end.
// Budgets from the reliability issue: heap within 10% of its value after the first 500 strokes
// (or the first round), no growth in DOM nodes, contexts or workers. SOAK_STROKES (10000),
// SOAK_ROUNDS (20) and SOAK_CAMERA_S (300) set the lengths.
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '@receptive/e2e/lib/browser';
import { SITE_DIST, serveSite } from '@receptive/e2e/lib/server';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { machine } from './harness.ts';

const STROKES = Number(process.env['SOAK_STROKES'] ?? 10_000);
const ROUNDS = Number(process.env['SOAK_ROUNDS'] ?? 20);
const CAMERA_S = Number(process.env['SOAK_CAMERA_S'] ?? 300);
const WARM_STROKES = Math.min(500, Math.floor(STROKES / 4));
const HEAP_SLACK = 0.1;

interface Sample {
  heapMB: number;
  nodes: number;
  contexts: number;
  workers: number;
}

/** Counts every WebGL, WebGL2 and WebGPU context a page creates (each canvas's first ask). */
function countContexts(): void {
  const w = window as unknown as { __contexts: number };
  w.__contexts = 0;
  const seen = new WeakSet<object>();
  for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype]) {
    const original = proto.getContext as (this: unknown, ...a: unknown[]) => object | null;
    (proto as unknown as { getContext: typeof original }).getContext = function (
      this: unknown,
      ...args: unknown[]
    ) {
      const ctx = original.apply(this, args);
      if (ctx && /^(webgl|webgl2|webgpu)$/.test(String(args[0])) && !seen.has(ctx)) {
        seen.add(ctx);
        w.__contexts++;
      }
      return ctx;
    };
  }
}

async function sample(page: Page, cdp: CDPSession): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(200);
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? 0;
  return {
    heapMB: m('JSHeapUsedSize') / 1e6,
    nodes: m('Nodes'),
    contexts: await page.evaluate(() => (window as unknown as { __contexts: number }).__contexts),
    workers: page.workers().length,
  };
}

async function open(browser: Browser, path: string, camera = false, height = 800) {
  const server = await serveSite(SITE_DIST);
  const context = await browser.newContext({
    viewport: { width: 1280, height },
    baseURL: server.origin,
    ...(camera ? { permissions: ['camera'] } : {}),
  });
  await context.addInitScript(countContexts);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(path);
  return { page, cdp, close: () => Promise.all([context.close(), server.close()]) };
}

const show = (s: Sample) =>
  `heap ${s.heapMB.toFixed(1)} MB, ${s.nodes} DOM nodes, ${s.contexts} GPU contexts created, ${s.workers} workers`;

/** The verdicts of a before/after pair, as lines. */
function verdict(before: Sample, after: Sample): { lines: string[]; ok: boolean } {
  const growth = after.heapMB / before.heapMB - 1;
  const checks = [
    [`heap ${(growth * 100).toFixed(1)}% (budget +${HEAP_SLACK * 100}%)`, growth <= HEAP_SLACK],
    [
      `DOM nodes ${after.nodes - before.nodes >= 0 ? '+' : ''}${after.nodes - before.nodes}`,
      after.nodes <= before.nodes,
    ],
    [`GPU contexts +${after.contexts - before.contexts}`, after.contexts <= before.contexts],
    [
      `workers ${after.workers - before.workers >= 0 ? '+' : ''}${after.workers - before.workers}`,
      after.workers <= before.workers,
    ],
  ] as const;
  return {
    lines: checks.map(([t, ok]) => `${t}: ${ok ? 'held' : '**grew**'}`),
    ok: checks.every(([, ok]) => ok),
  };
}

async function strokes(browser: Browser, log: (l: string) => void): Promise<boolean> {
  // A window tall enough to hold the pad and, further down, the 3D network, which draws only
  // while it is on screen.
  const { page, cdp, close } = await open(browser, '/lessons/curve-fitting/');
  try {
    const pad = page.locator('rf-digit-pad canvas').first();
    await page.locator('rf-digit-pad').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    let box = (await pad.boundingBox())!;
    let n = 0;
    const stroke = async () => {
      // A short stroke somewhere on the pad; before every 25th the pad is cleared.
      if (n > 0 && n % 25 === 0) await page.locator('rf-digit-pad [data-action="clear"]').click();
      const a = (n * 0.6180339) % 1;
      const b = (n * 0.4142135) % 1;
      await page.mouse.move(box.x + box.width * (0.2 + 0.6 * a), box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * (0.2 + 0.6 * b), box.y + box.height * 0.8, {
        steps: 3,
      });
      await page.mouse.up();
      n++;
    };
    while (n < WARM_STROKES) await stroke();
    // The window grows until it holds the pad and the 3D network (which draws only on screen).
    const span = await page.evaluate(() => {
      const pad = document.querySelector('rf-digit-pad')!.getBoundingClientRect();
      const net = document.querySelector('rf-network-3d')!.getBoundingClientRect();
      return net.bottom - pad.top;
    });
    await page.setViewportSize({ width: 1280, height: Math.ceil(span + 40) });
    await page.locator('rf-digit-pad').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    box = (await pad.boundingBox())!;
    for (let i = 0; i < 5; i++) await stroke();
    // Every figure has drawn: the 3D network lies below the pad, within its wake margin.
    await page.waitForSelector('rf-network-3d[data-state="drawn"]', { timeout: 60_000 });
    const before = await sample(page, cdp);
    log(`strokes: after ${n}: ${show(before)}`);
    const t0 = Date.now();
    while (n < STROKES) {
      await stroke();
      if (n % 2000 === 0) log(`strokes: after ${n}: ${show(await sample(page, cdp))}`);
    }
    const after = await sample(page, cdp);
    log(`strokes: after ${n} (${((Date.now() - t0) / 1000).toFixed(0)} s): ${show(after)}`);
    const v = verdict(before, after);
    log(`strokes ${WARM_STROKES} -> ${STROKES}: ${v.lines.join('; ')}`);
    return v.ok;
  } finally {
    await close();
  }
}

async function rounds(browser: Browser, log: (l: string) => void): Promise<boolean> {
  const lessons = readdirSync(`${SITE_DIST}lessons/`).sort();
  const { page, cdp, close } = await open(browser, '/');
  try {
    const round = async () => {
      for (const l of lessons) {
        await page.goto(`/lessons/${l}/`);
        // Down the whole page, so every figure wakes, then back to the top.
        await page.evaluate(async () => {
          for (let y = 0; y < document.body.scrollHeight; y += innerHeight) {
            scrollTo(0, y);
            await new Promise((r) => setTimeout(r, 150));
          }
        });
        await page.goBack();
      }
    };
    await round();
    const before = await sample(page, cdp);
    log(`lessons: home after round 1: ${show(before)}`);
    for (let r = 2; r <= ROUNDS; r++) await round();
    const after = await sample(page, cdp);
    log(`lessons: home after round ${ROUNDS}: ${show(after)}`);
    const v = verdict(before, after);
    log(`lessons 1 -> ${ROUNDS} rounds of ${lessons.length}: ${v.lines.join('; ')}`);
    return v.ok;
  } finally {
    await close();
  }
}

async function camera(log: (l: string) => void): Promise<boolean> {
  const browser = await launchBrowser({ fakeCamera: true });
  const { page, cdp, close } = await open(browser, '/lessons/convolution/', true);
  try {
    const fig = page.locator('rf-photo-conv').first();
    await fig.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('rf-photo-conv')?.shadowRoot);
    await fig.getByRole('button', { name: 'Use camera' }).click();
    await page.waitForSelector('rf-photo-conv[data-camera="on"]', { timeout: 30_000 });
    await page.evaluate(() => {
      const w = window as unknown as { __frames: number };
      w.__frames = 0;
      document.querySelector('rf-photo-conv')!.addEventListener('rf-convolve', () => w.__frames++);
    });
    await page.waitForTimeout(Math.min(10_000, CAMERA_S * 100));
    const before = await sample(page, cdp);
    log(`camera: after warming up: ${show(before)}`);
    await page.waitForTimeout(CAMERA_S * 1000);
    const after = await sample(page, cdp);
    const frames = await page.evaluate(() => (window as unknown as { __frames: number }).__frames);
    log(`camera: after ${CAMERA_S} s more, ${frames} frames convolved: ${show(after)}`);
    const v = verdict(before, after);
    log(`camera ${CAMERA_S} s: ${v.lines.join('; ')}`);
    return v.ok && frames > 0;
  } finally {
    await close();
    await browser.close();
  }
}

const lines: string[] = [];
const log = (l: string) => {
  lines.push(l);
  console.log(l);
};
const browser = await launchBrowser();
const results: [string, boolean][] = [];
try {
  results.push(['strokes', await strokes(browser, log)]);
  results.push(['lessons', await rounds(browser, log)]);
} finally {
  await browser.close();
}
results.push(['camera', await camera(log)]);
const md = [
  '# Soak results',
  '',
  'Written by `pnpm soak` (tests/bench/src/soak.ts) from its last run; do not edit by hand.',
  '',
  `- date: ${new Date().toISOString().slice(0, 10)}`,
  `- machine: ${machine()}`,
  `- strokes ${STROKES}, rounds ${ROUNDS}, camera ${CAMERA_S} s`,
  '',
  ...lines.map((l) => `- ${l}`),
  '',
  ...results.map(([name, ok]) => `- ${name}: ${ok ? 'held' : '**grew**'}`),
  '',
];
writeFileSync(fileURLToPath(new URL('../SOAK.md', import.meta.url)), md.join('\n'));
console.log('wrote tests/bench/SOAK.md');
process.exitCode = results.every(([, ok]) => ok) ? 0 : 1;
