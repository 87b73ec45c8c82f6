import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

// Page helpers for the lesson's figures (the <rf-*> custom elements) and their scroll steps.

/** Scrolls the scroll step whose `data-state` is `state` into view. */
export const scrollToStep = (page: Page, state: string) =>
  page.locator(`[data-step][data-state="${state}"]`).scrollIntoViewIfNeeded();

/**
 * Scrolls figure `tag` into view and waits, up to `timeout` ms, until it is visible with
 * `data-state` = `state` (`ready`, `drawn`...). Returns the figure's locator.
 */
export async function showFigure(
  page: Page,
  tag: string,
  state: string,
  timeout = 30_000,
): Promise<Locator> {
  const figure = page.locator(tag);
  await figure.scrollIntoViewIfNeeded();
  await page.waitForSelector(`${tag}[data-state="${state}"]`, { timeout });
  return figure;
}

/**
 * Waits until the first element that matches `selector` has attribute `name` = `value`, e.g. a
 * figure's or a scrolly's `data-state`. It need not be visible.
 */
export const waitForAttribute = (
  page: Page,
  selector: string,
  name: string,
  value: string,
  options?: { timeout?: number },
) =>
  page.waitForFunction(
    ([selector, name, value]) => document.querySelector(selector)?.getAttribute(name) === value,
    [selector, name, value] as const,
    options,
  );

/**
 * Property `name` of the first element that matches `selector`, as the page serialises it: a
 * figure's public state (`drawn`, `unit`, `picked`...), typed as the caller says it is.
 */
export const propertyOf = <T>(page: Page, selector: string, name: string): Promise<T> =>
  page.evaluate(
    ([selector, name]) =>
      (document.querySelector(selector) as unknown as Record<string, unknown>)[name],
    [selector, name] as const,
  ) as Promise<T>;

/** The local name of the element focused inside `tag`'s shadow root (undefined if none is). */
export const focusedIn = (page: Page, tag: string) =>
  page.evaluate((tag) => document.querySelector(tag)!.shadowRoot!.activeElement?.localName, tag);

/**
 * Where figure `tag` (`<rf-conv-layer-3d>`, `<rf-network-3d>`) draws `unit` now, in page
 * coordinates, by its own `unitPosition`; null if it does not draw it.
 */
export const unitPosition = (page: Page, tag: string, unit: object) =>
  page.evaluate(
    ([tag, unit]) =>
      (
        document.querySelector(tag as string) as unknown as {
          unitPosition(u: unknown): { x: number; y: number } | null;
        }
      ).unitPosition(unit),
    [tag, unit] as const,
  );

/** Moves the mouse onto `unit` where figure `tag` draws it, asserting that it draws it. */
export async function hoverUnit(page: Page, tag: string, unit: object): Promise<void> {
  const pos = await unitPosition(page, tag, unit);
  assert.ok(pos, `${tag} draws ${JSON.stringify(unit)}`);
  await page.mouse.move(pos.x, pos.y);
}

/** A point in `<rf-digit-pad>`'s own 280 x 280 drawing coordinates. */
export type PadPoint = [number, number];

/**
 * Scrolls `<rf-digit-pad>`'s canvas into view and returns where a point in the pad's own
 * 280 x 280 coordinates is on the page now.
 */
export async function padToPage(page: Page): Promise<(p: PadPoint) => { x: number; y: number }> {
  const canvas = page.locator('rf-digit-pad canvas.draw');
  await canvas.scrollIntoViewIfNeeded();
  const b = (await canvas.boundingBox())!;
  return ([x, y]) => ({ x: b.x + (x / 280) * b.width, y: b.y + (y / 280) * b.height });
}

/** Draws polylines given in the pad's own 280 x 280 coordinates with the mouse. */
export async function drawOnPad(page: Page, strokes: PadPoint[][]): Promise<void> {
  const at = await padToPage(page);
  for (const stroke of strokes) {
    const start = at(stroke[0]!);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (const p of stroke.slice(1)) {
      const to = at(p);
      await page.mouse.move(to.x, to.y, { steps: 8 });
    }
    await page.mouse.up();
  }
}

/**
 * Waits until `<rf-model-compare>`'s card for `model` has attribute `data-<name>` = `value`,
 * e.g. `engine` = `onnxruntime-web/wasm` or `prediction` = `7`.
 */
export const waitForModelCard = (
  page: Page,
  model: string,
  name: string,
  value: string,
  options?: { timeout?: number },
) =>
  page.waitForFunction(
    ([model, name, value]) =>
      document
        .querySelector('rf-model-compare')
        ?.shadowRoot?.querySelector(`[data-model="${model}"]`)
        ?.getAttribute(`data-${name}`) === value,
    [model, name, value] as const,
    options,
  );

/** The lit cells of `<rf-pooling>`'s `layer` grid, as sorted "y,x". */
export const litCells = (page: Page, layer: string) =>
  page.$$eval(`rf-pooling [data-layer="${layer}"].lit`, (cells) =>
    cells
      .map((c) => `${(c as HTMLElement).dataset['y']},${(c as HTMLElement).dataset['x']}`)
      .sort(),
  );

/**
 * The rows of figure `tag`'s table of layer shapes (what it shows without JavaScript): each row's
 * header and its second cell.
 */
export const shapeTableRows = (page: Page, tag: string) =>
  page
    .locator(`${tag} tbody tr`)
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.querySelector('th')!.textContent,
        tr.querySelectorAll('td')[1]!.textContent,
      ]),
    );
