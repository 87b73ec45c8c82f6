import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { drawOnPad } from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';
import { assertFitsWidth } from '../lib/layout.ts';

// The home page: it opens with the digit pad and the three models (which download only once
// the reader uses the pad), then lists every lesson with a preview picture of its figure.

const h = useHarness();

const MODELS = ['logreg', 'mlp', 'cnn'];
const LESSON_COUNT = readdirSync(new URL('../../../content/lessons/', import.meta.url)).filter(
  (f) => f.endsWith('.mdx'),
).length;
/** A model, its card, digits for the pad or the model runtime: data the page needs only once used. */
const MODEL_DATA = /\.(onnx|wasm|bin|gz|json)$|\.rfd\b|\/ort[./]/;
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** A seven, in the pad's own 280 x 280 coordinates. */
const SEVEN: [number, number][][] = [
  [
    [80, 60],
    [200, 60],
    [130, 230],
  ],
];

/** Each model's answer, as its card shows it (null while it has none). */
const predictions = (page: Page) =>
  page.evaluate((models) => {
    const root = document.querySelector('rf-model-compare')?.shadowRoot;
    return models.map(
      (m) => root?.querySelector(`[data-model="${m}"]`)?.getAttribute('data-prediction') ?? null,
    );
  }, MODELS);

const waitForAnswers = (page: Page) =>
  page.waitForFunction(
    (models) => {
      const root = document.querySelector('rf-model-compare')?.shadowRoot;
      return models.every((m) =>
        /^\d$/.test(
          root?.querySelector(`[data-model="${m}"]`)?.getAttribute('data-prediction') ?? '',
        ),
      );
    },
    MODELS,
    { timeout: 60_000 },
  );

/** Presses Tab until the deepest focused element (through shadow roots) has text `label`. */
async function tabTo(page: Page, label: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => {
      let a: Element | null = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return a?.textContent?.trim() ?? '';
    });
    if (text === label) return;
  }
  throw new Error(`Tab never reached “${label}”`);
}

describe('the home page', () => {
  for (const viewport of [LAPTOP, PHONE]) {
    it(`at ${viewport.width}x${viewport.height}: fetches no model until the reader draws, then the three models answer`, async () => {
      const { page, problems } = await h.newPage({ viewport });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto('/');
      await page.waitForLoadState('networkidle');
      await assertFitsWidth(page);
      // The pad is in the first screen, under a sentence on who the site is for.
      const pad = await page.locator('rf-digit-pad canvas.draw').boundingBox();
      assert.ok(pad && pad.y < viewport.height, `the pad starts at y=${pad?.y}`);
      assert.match((await page.locator('.audience').textContent()) ?? '', /^For anyone who/);
      const early = requests.filter((u) => MODEL_DATA.test(u));
      assert.deepEqual(early, [], 'nothing heavy is fetched before the reader interacts');
      assert.deepEqual(await predictions(page), [null, null, null]);

      await drawOnPad(page, SEVEN);
      await waitForAnswers(page);
      assert.equal((await predictions(page))[2], '7', 'the CNN reads the drawn seven');
      for (const m of MODELS) {
        assert.ok(
          requests.some((u) => new RegExp(`/${m}\\.[\\w-]+\\.onnx$`).test(u)),
          `${m}'s file was fetched once the reader drew`,
        );
      }
      await assertFitsWidth(page);
      await assertNoSeriousViolations(page, `home at ${viewport.width}px, answered`);
      // Nothing left the local server (the guard blocks and lists any such request).
      assert.deepEqual(problems, noProblems());
    });
  }

  it('works by keyboard: a held-out digit picked with the pad’s button gets three answers', async () => {
    const { page, problems } = await h.open('/');
    await page.waitForLoadState('networkidle');
    await tabTo(page, 'Next held-out digit');
    await page.keyboard.press('Enter');
    await waitForAnswers(page);
    assert.ok((await predictions(page)).every((p) => p !== null));
    assert.deepEqual(problems, noProblems());
  });

  it('lists every lesson with a small preview of its figure that loads and has alt text', async () => {
    const { page, problems } = await h.open('/', { viewport: PHONE });
    const items = page.locator('.lessons li');
    assert.equal(await items.count(), LESSON_COUNT);
    const alts = new Set<string>();
    for (let i = 0; i < LESSON_COUNT; i++) {
      const img = items.nth(i).locator('img');
      await img.scrollIntoViewIfNeeded();
      await page.waitForFunction(
        (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
        await img.elementHandle(),
      );
      const alt = (await img.getAttribute('alt')) ?? '';
      assert.ok(alt.length > 20, `preview ${i + 1} has alt text: “${alt}”`);
      alts.add(alt);
      const bytes = await img.evaluate(
        async (el) => (await (await fetch((el as HTMLImageElement).src)).arrayBuffer()).byteLength,
      );
      assert.ok(bytes < 40_000, `preview ${i + 1} is small (${bytes} bytes)`);
    }
    assert.equal(alts.size, LESSON_COUNT, 'each preview says what it shows');
    await assertFitsWidth(page);
    assert.deepEqual(problems, noProblems());
  });

  it('reads without JavaScript: the models’ table, the lessons and their previews', async () => {
    const { page, problems } = await h.open('/', { javaScriptEnabled: false });
    assert.equal(await page.locator('rf-model-compare table tbody tr').count(), MODELS.length);
    assert.equal(await page.locator('.lessons li img[alt]').count(), LESSON_COUNT);
    assert.deepEqual(problems, noProblems());
  });
});
