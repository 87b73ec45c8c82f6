import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { noProblems } from '../lib/guard.ts';
import { SCREENSHOT_DIR, useHarness } from '../lib/harness.ts';
import { assertFitsWidth } from '../lib/layout.ts';

// Every step of every scrolly of every lesson, on a phone and on a laptop: once the step is active, the part of
// the figure it names in data-focus is inside the window, inside the figure's panel and not
// covered by any text, and the step's own heading shows too. A screenshot of each step is kept in
// screenshots/steps/ for a person to look at.

/** Every lesson that is built (not a draft), in course order, read from its frontmatter. */
const LESSON_DIR = new URL('../../../content/lessons/', import.meta.url);
const LESSONS = readdirSync(LESSON_DIR)
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => {
    const head = readFileSync(new URL(f, LESSON_DIR), 'utf8').split('---')[1] ?? '';
    return {
      slug: f.replace(/\.mdx$/, ''),
      order: Number(/^order:\s*(\d+)/m.exec(head)?.[1] ?? Number.NaN),
      draft: /^draft:\s*true/m.test(head),
    };
  })
  .filter((l) => !l.draft)
  .sort((a, b) => a.order - b.order)
  .map((l) => l.slug);
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
];
const SHOTS = new URL('steps/', SCREENSHOT_DIR);

const h = useHarness();

/**
 * Scrolls down in small turns, from where step `index` of scrolly `s` enters the lower part of
 * the window, until that step is the active one and its top has come up to `reach` (a fraction
 * of the window's height: the text a reader is reading); returns the step's state.
 */
async function activate(page: Page, s: number, index: number, reach: number): Promise<string> {
  return page.evaluate(
    async ({ s, index, reach }) => {
      const scrolly = document.querySelectorAll('rf-scrolly')[s]!;
      const step = scrolly.querySelectorAll<HTMLElement>('[data-step]')[index]!;
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      window.scrollBy(0, step.getBoundingClientRect().top - window.innerHeight * 0.85);
      const trail: string[] = [];
      for (let i = 0; i < 200; i++) {
        await frame();
        trail.push(
          `${Math.round(step.getBoundingClientRect().top)}:${scrolly.getAttribute('data-active-step')}`,
        );
        const active = scrolly.getAttribute('data-active-step') === String(index);
        if (active && step.getBoundingClientRect().top <= window.innerHeight * reach) break;
        window.scrollBy(0, 24);
      }
      if (scrolly.getAttribute('data-active-step') !== String(index)) {
        const top = Math.round(step.getBoundingClientRect().top);
        const now = scrolly.getAttribute('data-active-step');
        throw new Error(
          `step ${index} never became active (top ${top}px; step ${now} is) ${trail.slice(-20).join(' ')}`,
        );
      }
      return step.dataset['state'] ?? '';
    },
    { s, index, reach },
  );
}

/** What the spec checks for the active step, measured in the page once the figure is still. */
interface Placement {
  focus: string;
  box: { top: number; left: number; bottom: number; right: number } | null;
  panel: { top: number; bottom: number };
  covered: string[];
  heading: { top: number; bottom: number } | null;
}

async function placement(page: Page, s: number, index: number): Promise<Placement> {
  // Wait for the figure to come to rest: its panel scroll and pin move smoothly, and live
  // figures finish loading. Two equal readings 150 ms apart count as still.
  let last = '';
  for (let i = 0; i < 60; i++) {
    const now = await page.evaluate(
      ({ s, index }) => {
        const scrolly = document.querySelectorAll('rf-scrolly')[s]!;
        const figure = scrolly.querySelector<HTMLElement>(':scope > [slot="figure"]')!;
        const step = scrolly.querySelectorAll<HTMLElement>('[data-step]')[index]!;
        const focus = step.dataset['focus'] ?? '';
        const found: Element[] = [];
        const visit = (root: Element | ShadowRoot) => {
          found.push(...root.querySelectorAll(focus));
          for (const el of root.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
        };
        if (focus) visit(figure);
        const rects = found
          .map((el) => el.getBoundingClientRect())
          .filter((r) => r.width > 0 || r.height > 0);
        const box = rects.length
          ? {
              top: Math.min(...rects.map((r) => r.top)),
              left: Math.min(...rects.map((r) => r.left)),
              bottom: Math.max(...rects.map((r) => r.bottom)),
              right: Math.max(...rects.map((r) => r.right)),
            }
          : null;
        const frame = figure.getBoundingClientRect();
        const panel = { top: frame.top, bottom: frame.top + figure.clientHeight };
        // Sample a grid of points inside the part: each must hit the figure, not the text.
        const covered: string[] = [];
        if (box) {
          for (const fy of [0.02, 0.5, 0.98]) {
            for (const fx of [0.02, 0.5, 0.98]) {
              const x = box.left + (box.right - box.left) * fx;
              const y = box.top + (box.bottom - box.top) * fy;
              const hit = document.elementFromPoint(x, y);
              if (!hit || !figure.contains(hit)) {
                covered.push(
                  `(${Math.round(x)}, ${Math.round(y)}): ${hit?.outerHTML.slice(0, 80)}`,
                );
              }
            }
          }
        }
        const h = step.querySelector('h2, h3')?.getBoundingClientRect();
        return {
          focus,
          box,
          panel,
          covered,
          heading: h ? { top: h.top, bottom: h.bottom } : null,
          scroll: figure.scrollTop,
        };
      },
      { s, index },
    );
    const key = JSON.stringify(now);
    if (key === last && now.box) return now;
    last = key;
    await page.waitForTimeout(150);
  }
  throw new Error(`the figure of step ${index} never came to rest`);
}

for (const viewport of VIEWPORTS) {
  describe(`every step at ${viewport.width}x${viewport.height}`, () => {
    for (const lesson of LESSONS) {
      it(`${lesson}: shows the part of the figure each step talks about, uncovered`, async () => {
        const phone = viewport.width <= 760;
        const { page, problems } = await h.open(`/lessons/${lesson}/`, { viewport });
        await page.waitForLoadState('networkidle');
        mkdirSync(SHOTS, { recursive: true });
        // A lesson whose figures stand in the text (no scrolly) is checked for width and axe.
        const scrollies = await page.locator('rf-scrolly').count();
        for (let s = 0; s < scrollies; s++) {
          const count = await page.locator('rf-scrolly').nth(s).locator('[data-step]').count();
          assert.ok(count > 0, `scrolly ${s + 1} has steps`);
          for (let i = 0; i < count; i++) {
            const state = await activate(page, s, i, phone ? 0.6 : 0.5);
            const p = await placement(page, s, i);
            const where = `${lesson} scrolly ${s + 1} step ${i + 1} (${state}) at ${viewport.width}px`;
            await page.screenshot({
              path: fileURLToPath(
                new URL(`${lesson}-${s + 1}-${i + 1}-${viewport.width}.png`, SHOTS),
              ),
            });
            assert.ok(p.focus, `${where} names the part of the figure it talks about`);
            assert.ok(p.box, `${where}: "${p.focus}" is drawn`);
            const { top, left, bottom, right } = p.box;
            assert.ok(
              top >= -1 &&
                left >= -1 &&
                bottom <= viewport.height + 1 &&
                right <= viewport.width + 1,
              `${where}: "${p.focus}" is inside the window (${JSON.stringify(p.box)})`,
            );
            assert.ok(
              top >= p.panel.top - 1 && bottom <= p.panel.bottom + 1,
              `${where}: "${p.focus}" is inside the figure's panel (${JSON.stringify(p.box)} in ${JSON.stringify(p.panel)})`,
            );
            assert.deepEqual(p.covered, [], `${where}: nothing covers "${p.focus}"`);
            assert.ok(p.heading, `${where} has a heading`);
            const textTop = phone ? p.panel.bottom : 0;
            assert.ok(
              p.heading.top >= textTop - 1 && p.heading.bottom <= viewport.height,
              `${where}: the step's heading shows beside or below the figure (${JSON.stringify(p.heading)})`,
            );
          }
        }
        await assertFitsWidth(page, lesson);
        await assertNoSeriousViolations(page, `${lesson} at ${viewport.width}px`);
        assert.deepEqual(problems, noProblems());
      });
    }

    it('the home page and the authoring page fit the width', async () => {
      for (const path of ['/', '/authoring/']) {
        const { page, problems } = await h.open(path, { viewport });
        await page.waitForLoadState('networkidle');
        await assertFitsWidth(page, path);
        await assertNoSeriousViolations(page, `${path} at ${viewport.width}px`);
        assert.deepEqual(problems, noProblems());
      }
    });
  });
}
