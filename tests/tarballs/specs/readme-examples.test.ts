/**
 * Every published package, installed from its tarball into a project outside the workspace, runs
 * its README's first example as written: a plain Vite page per package (core, onnx, models,
 * render3d, widgets) and a fresh Astro site for @receptive/astro, built, served and opened in
 * Chromium. Each example must show that it ran (what it logs, what it draws), with no page
 * error, console error, failed request or request leaving the test server.
 *
 * Measured at 52 to 54 s on two cores: pack 1 s, install 2 s, the two builds side by side 25 s,
 * the browser and pages the rest (the `before` hook logs each step's time). RF_KEEP_PROJECT=1
 * keeps the project (its path is logged) to look into a failure.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noProblems, type PageProblems } from '@receptive/e2e/lib/guard';
import { type Harness, useHarness } from '@receptive/e2e/lib/harness';
import { assertGridClose, KERNELS, lectureConv } from '@receptive/e2e/lib/lecture';
import { colorsAt, imageStats } from '@receptive/e2e/lib/render3d/pixels';
import type { Page } from 'playwright-core';
import { type Example, type FreshProject, makeFreshProject } from '../lib/fresh-project.ts';

const root = mkdtempSync(join(tmpdir(), 'receptive-tarballs-'));
let project: FreshProject | undefined;

before(
  async () => {
    project = await makeFreshProject(root);
    console.log(`fresh project in ${root}; seconds per step:`, project.timings);
  },
  { timeout: 300_000 },
);
after(() => {
  if (process.env.RF_KEEP_PROJECT) console.log(`kept the fresh project in ${root}`);
  else rmSync(root, { recursive: true, force: true });
});

/** What one example's page did: each console message's arguments, and every request's path. */
interface ExampleRun {
  page: Page;
  logs: unknown[][];
  requests: string[];
  problems: PageProblems;
}

/** The numbers of a logged array or typed array (Playwright gives a typed array as an object). */
function numbers(value: unknown): number[] | null {
  if (value === null || typeof value !== 'object') return null;
  const values = Object.values(value);
  return values.every((v) => typeof v === 'number') ? values : null;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Waits for a console message whose arguments pass `test`; fails naming what was logged, or at
 * once with the page's first error.
 */
async function logged(
  run: ExampleRun,
  what: string,
  test: (args: unknown[]) => boolean,
  timeout = 20_000,
): Promise<unknown[]> {
  const end = Date.now() + timeout;
  for (;;) {
    const error = [...run.problems.pageErrors, ...run.problems.consoleErrors][0];
    if (error) throw new Error(`before it logged ${what}, the page failed: ${error}`);
    const found = run.logs.find((args) => {
      try {
        return test(args);
      } catch {
        return false;
      }
    });
    if (found) return found;
    if (Date.now() > end) {
      throw new Error(
        `it never logged ${what}; it logged:\n${run.logs.map((a) => JSON.stringify(a).slice(0, 300)).join('\n') || '(nothing)'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ten probabilities: non-negative, summing to 1. */
function assertProbabilities(values: number[] | null, what: string): number[] {
  assert.ok(values, `${what}: not an array of numbers`);
  assert.equal(values.length, 10, `${what}: ten classes`);
  assert.ok(
    values.every((p) => p >= 0),
    `${what}: negative probability`,
  );
  assert.ok(Math.abs(sum(values) - 1) < 1e-4, `${what}: sums to ${sum(values)}, not 1`);
  return values;
}

/** What each example must be seen doing, by package. A new published package needs an entry. */
const CHECKS: Record<string, (run: ExampleRun) => Promise<void>> = {
  async '@receptive/core'(run) {
    const [probs] = await logged(run, 'ten probabilities', (a) => numbers(a[0])?.length === 10);
    assertProbabilities(numbers(probs), 'the network output');
    await logged(
      run,
      "the 16 pixels a pooled unit sees (receptiveField's count)",
      (a) => a[0] === 16,
    );
  },

  async '@receptive/onnx'(run) {
    const [size] = await logged(
      run,
      "the file's size and its metadata",
      (a) => a[1] === 'see cnn.md',
    );
    assert.ok(typeof size === 'number' && size > 1000, `an ONNX file of ${size} bytes`);
    await logged(run, '`true`: the model read back computes the same', (a) => a[0] === true);
  },

  async '@receptive/models'(run) {
    const [text, probs] = await logged(run, 'a digit and its probabilities', (a) =>
      /^a \d, read as:$/.test(String(a[0])),
    );
    const values = assertProbabilities(numbers(probs), 'the model output');
    const label = Number(/\d/.exec(String(text))?.[0]);
    assert.equal(values.indexOf(Math.max(...values)), label, 'the CNN reads the test digit right');
    // The example's runtime came from where its comment says to copy it.
    assert.ok(
      run.requests.includes('/ort/ort-wasm-simd-threaded.wasm'),
      `onnxruntime-web's wasm was not fetched from /ort/: ${run.requests.filter((r) => r.includes('wasm')).join(', ') || 'none'}`,
    );
  },

  async '@receptive/render3d'(run) {
    const [backend] = await logged(run, "the backend that draws ('webgl' or '2d')", (a) =>
      ['webgl', '2d'].includes(a[0] as string),
    );
    // The view draws on its next frame: look until something is on the canvas.
    const figure = run.page.locator('#figure');
    let stats = { drawn: 0, colors: 0 };
    for (let i = 0; i < 50 && stats.drawn < 0.02; i++) {
      const png = await figure.screenshot();
      const [background] = await colorsAt(run.page, png, [[2, 2]]);
      stats = await imageStats(run.page, png, background!);
      if (stats.drawn < 0.02) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(stats.drawn >= 0.02, `the ${backend} canvas is blank (${stats.drawn} drawn)`);
    assert.ok(stats.colors >= 8, `the ${backend} canvas holds ${stats.colors} colours`);
  },

  async '@receptive/widgets'(run) {
    const [kernel, output] = await logged(run, "the kernel lab's rf-change", (a) =>
      Array.isArray(a[1]),
    );
    assert.deepEqual(kernel, KERNELS.laplacian, 'the kernel the example set');
    assertGridClose(output as number[][], lectureConv(KERNELS.laplacian), 'the lab output');
    // The pooling figure fetched its test digit from the package's data and drew its maps.
    await run.page
      .locator('rf-pooling .caption', { hasText: 'Test digit 1 of 10,000' })
      .waitFor({ timeout: 30_000 });
    assert.ok((await run.page.locator('rf-pooling [data-layer="pool1"]').count()) > 0, 'pool1');
  },
};

/** Opens `path` with the console and requests recorded from before the first script runs. */
async function openExample(h: Harness, path: string) {
  const { context, problems } = await h.context();
  const page = await context.newPage();
  const run: ExampleRun = { page, logs: [], requests: [], problems };
  page.on('console', async (msg) => {
    if (msg.type() !== 'log') return;
    run.logs.push(await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => null))));
  });
  page.on('request', (req) => run.requests.push(new URL(req.url()).pathname));
  await page.goto(path);
  return { run, problems };
}

/** Runs `check`, rethrowing its failure as one message naming the package and its README. */
async function asExample(example: Example, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (err) {
    throw new Error(
      `${example.name}: the first example of ${example.readme} does not run as written: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

const examples = () => {
  if (!project) throw new Error('the fresh project was not made (see the before hook)');
  return project;
};

describe('a plain Vite page, one page per README', () => {
  const h = useHarness({ dir: join(root, 'vite-page', 'dist') });

  for (const name of Object.keys(CHECKS)) {
    it(`${name}'s first example runs`, { timeout: 90_000 }, async () => {
      const example = examples().pageExamples.find((e) => e.name === name);
      assert.ok(example, `${name} is not published, or its example is not on the Vite page`);
      const { run, problems } = await openExample(h, `/${example.short}.html`);
      await asExample(example, async () => {
        await CHECKS[name]!(run);
        assert.deepEqual(problems, noProblems(), 'no page errors or failed or offsite requests');
      });
    });
  }

  it('checks every published package but the Astro integration', () => {
    const unchecked = examples()
      .pageExamples.map((e) => e.name)
      .filter((n) => !(n in CHECKS));
    assert.deepEqual(unchecked, [], 'add what their examples must be seen doing to CHECKS');
  });
});

describe('a fresh Astro site', () => {
  const h = useHarness({ dir: join(root, 'astro-site', 'dist') });

  it("@receptive/astro's first example builds a lesson whose component runs", {
    timeout: 90_000,
  }, async () => {
    const example = examples().siteExample;
    const { run, problems } = await openExample(h, '/');
    await asExample(example, async () => {
      const { page } = run;
      assert.equal(await page.locator('h1').textContent(), 'Finding edges');
      // The integration's math, auto-imported component and Content Security Policy.
      assert.ok((await page.locator('.katex math').count()) >= 1, 'math typeset by KaTeX');
      assert.equal(
        await page.locator('meta[http-equiv="content-security-policy"]').count(),
        1,
        'the integration completes a Content Security Policy',
      );
      const lab = page.locator('rf-kernel-lab');
      assert.equal(await lab.getAttribute('kernel'), 'horizontal-edge');
      await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined);
      await page.waitForFunction(
        () => (document.querySelector('rf-kernel-lab') as { output?: unknown[] }).output?.length,
      );
      const output = await lab.evaluate((el) => (el as unknown as { output: number[][] }).output);
      assertGridClose(output, lectureConv(KERNELS['horizontal-edge']), 'the lab output');
      assert.deepEqual(problems, noProblems(), 'no page errors or failed or offsite requests');
    });
  });
});
