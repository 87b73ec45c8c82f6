import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { THEME } from '@receptive/render3d';
import type { Page } from 'playwright-core';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';
import { type RGB, rgb } from '../lib/render3d/pixels.ts';

// How the whole CNN of the first lesson (<rf-network-3d>) sits in its canvas: the overview
// camera must frame the network tightly (most of the canvas's limiting dimension, centred, a
// margin all round, nothing cut off) on a desktop and on a phone, after the window changes
// shape, and again when "Whole network" brings an orbited camera back. Measured on the pixels
// the view draws, not on its camera. And it must be readable there: every layer named and every
// probability written in 12 px text or more, no map a sliver, and a layer's own view fans its
// channels out so each one shows.
const PATH = '/lessons/curve-fitting/';
const FIG = 'rf-network-3d';
const BACKGROUND = rgb(THEME.background);
/** The least share of the canvas's limiting dimension the drawn network spans (the fit aims at 90%). */
const LEAST_FILL = 0.85;
/** The least margin between the network and each edge, as a share of that dimension. */
const LEAST_MARGIN = 0.02;
/** How far apart opposite margins may be, as a share of the dimension (a centred network). */
const MOST_OFF_CENTRE = 0.04;
/** The narrowest a feature map may be drawn in the overview, in CSS pixels. */
const LEAST_MAP_PX = 32;

type Fig = HTMLElement & {
  view: {
    currentPreset: string | null;
    host: {
      canvas: HTMLCanvasElement;
      container: HTMLElement;
      width: number;
      frames: number;
      renderNow(): void;
    };
  } | null;
};

/** The drawn pixels' bounding box on the canvas, as margins from each edge, in canvas pixels. */
interface Drawn {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Picks the pad's first held-out digit and brings the figure on screen, drawn. */
async function showDigit(page: Page) {
  await page.locator('rf-digit-pad').scrollIntoViewIfNeeded();
  await page.waitForSelector('rf-model-compare[data-state="ready"]', { timeout: 30_000 });
  await page.locator('rf-digit-pad [data-action="next"]').click();
  await page.locator(FIG).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${FIG}[data-state="drawn"]`, { timeout: 30_000 });
  await page.waitForFunction(
    (tag) => ((document.querySelector(tag) as unknown as Fig).view?.host.frames ?? 0) > 0,
    FIG,
  );
}

/**
 * Draws a frame and reads it back in the same task (the WebGL drawing buffer is not kept once
 * composited), then bounds every pixel further than 24 per channel from the background.
 */
function drawnBox(page: Page): Promise<Drawn> {
  return page.evaluate(
    ([tag, bg]) => {
      const host = (document.querySelector(tag as string) as unknown as Fig).view!.host;
      host.renderNow();
      const gl = host.canvas;
      const copy = new OffscreenCanvas(gl.width, gl.height);
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(gl, 0, 0);
      const d = ctx.getImageData(0, 0, gl.width, gl.height).data;
      const [r, g, b] = bg as RGB;
      let x0 = gl.width;
      let y0 = gl.height;
      let x1 = -1;
      let y1 = -1;
      for (let y = 0; y < gl.height; y++) {
        for (let x = 0; x < gl.width; x++) {
          const i = (y * gl.width + x) * 4;
          const far = Math.max(
            Math.abs(d[i]! - r),
            Math.abs(d[i + 1]! - g),
            Math.abs(d[i + 2]! - b),
          );
          if (far > 24) {
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
          }
        }
      }
      return {
        width: gl.width,
        height: gl.height,
        left: x0,
        right: gl.width - 1 - x1,
        top: y0,
        bottom: gl.height - 1 - y1,
      };
    },
    [FIG, BACKGROUND] as const,
  );
}

/** The share of the width and of the height the drawn network spans. */
const fill = (b: Drawn) => ({
  x: (b.width - b.left - b.right) / b.width,
  y: (b.height - b.top - b.bottom) / b.height,
});

/** Asserts that the network is framed tightly, centred, with a margin; returns its fill. */
function assertFramed(b: Drawn, where: string): { x: number; y: number } {
  const f = fill(b);
  const said = `${where}: ${JSON.stringify(b)}, spans ${(f.x * 100).toFixed(1)}% × ${(f.y * 100).toFixed(1)}%`;
  assert.ok(b.right >= 0 && b.bottom >= 0, `${where}: nothing drawn`);
  assert.ok(
    Math.min(b.left, b.right) >= LEAST_MARGIN * b.width &&
      Math.min(b.top, b.bottom) >= LEAST_MARGIN * b.height,
    `too close to an edge (cut off?) ${said}`,
  );
  assert.ok(Math.max(f.x, f.y) >= LEAST_FILL, `too small in its canvas ${said}`);
  assert.ok(
    Math.abs(b.left - b.right) <= MOST_OFF_CENTRE * b.width &&
      Math.abs(b.top - b.bottom) <= MOST_OFF_CENTRE * b.height,
    `off centre ${said}`,
  );
  return f;
}

/** Resizes the window and waits until the view has taken its stage's new size. */
async function resize(page: Page, width: number, height: number) {
  await page.setViewportSize({ width, height });
  await page.locator(FIG).scrollIntoViewIfNeeded();
  await page.waitForFunction((tag) => {
    const host = (document.querySelector(tag) as unknown as Fig).view!.host;
    // The host follows its container's content box (the stage's border is outside it).
    return Math.abs(host.width - host.container.clientWidth) < 1;
  }, FIG);
}

/**
 * Asserts what makes the whole network readable, in CSS pixels: every layer is named under its
 * stack and every class's probability beside its bar in text of at least 12 px, inside the
 * figure and overlapping no other label; and every feature map is drawn at least
 * `LEAST_MAP_PX` wide, so no layer is a sliver. Returns the smallest map's width.
 */
async function assertLegible(page: Page, where: string): Promise<number> {
  const got = await page.evaluate((tag) => {
    const fig = document.querySelector(tag) as unknown as Fig & {
      view: {
        layers: string[];
        stack(n: string): { rows: number; columns: number } | undefined;
        clientPosition(l: string, c: number, y: number, x: number): { x: number; y: number };
      };
    };
    const stage = fig.view!.host.container.getBoundingClientRect();
    const labels = [...fig.shadowRoot!.querySelectorAll<HTMLElement>('.rf-label')]
      .filter((l) => !l.hidden)
      .map((l) => {
        const r = l.getBoundingClientRect();
        return {
          text: [...l.children].map((line) => line.textContent).join(' '),
          cls: l.dataset['class'] ?? null,
          size: Number.parseFloat(getComputedStyle(l).fontSize),
          left: r.left - stage.left,
          top: r.top - stage.top,
          right: r.right - stage.left,
          bottom: r.bottom - stage.top,
        };
      });
    const maps = fig.view.layers.flatMap((name) => {
      const s = fig.view.stack(name);
      if (!s || s.columns === 1) return [];
      const a = fig.view.clientPosition(name, 0, 0, 0);
      const b = fig.view.clientPosition(name, 0, 0, s.columns - 1);
      // Texel centres: the map is one texel wider than the distance between its end ones.
      return [{ name, px: (Math.hypot(b.x - a.x, b.y - a.y) * s.columns) / (s.columns - 1) }];
    });
    return { labels, maps, layers: fig.view.layers, width: stage.width, height: stage.height };
  }, FIG);
  const named = got.labels.filter((l) => l.cls === null);
  const classes = got.labels.filter((l) => l.cls !== null);
  assert.deepEqual(
    named.map((l) => l.text.split(' ')[0]),
    got.layers,
    `${where}: one label per layer, in order`,
  );
  assert.equal(classes.length, 10, `${where}: a probability per class`);
  for (const l of classes) assert.match(l.text, /^\d\s+\d{1,3}\.\d%$/, `${where}: ${l.text}`);
  for (const l of got.labels) {
    assert.ok(l.size >= 12, `${where}: "${l.text}" is ${l.size}px`);
    assert.ok(
      l.left >= 0 && l.top >= 0 && l.right <= got.width && l.bottom <= got.height,
      `${where}: "${l.text}" leaves the figure (${JSON.stringify(l)})`,
    );
  }
  for (let i = 0; i < got.labels.length; i++) {
    for (let j = i + 1; j < got.labels.length; j++) {
      const a = got.labels[i]!;
      const b = got.labels[j]!;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const hh = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      assert.ok(w <= 0.5 || hh <= 0.5, `${where}: "${a.text}" overlaps "${b.text}"`);
    }
  }
  const smallest = Math.min(...got.maps.map((m) => m.px));
  assert.ok(
    smallest >= LEAST_MAP_PX,
    `${where}: a map drawn ${smallest.toFixed(1)}px wide (${JSON.stringify(got.maps)})`,
  );
  return smallest;
}

/**
 * Sends the camera to one layer with the toolbar and checks its channels are fanned out: the
 * middle texel of every channel is what the pointer finds there, so no channel hides another.
 */
async function assertFannedOut(page: Page, layer: string): Promise<number> {
  await page.locator(`${FIG} .toolbar button[data-preset="${layer}"]`).click();
  const found = await page.evaluate(
    ([tag, name]) => {
      const view = (
        document.querySelector(tag!) as unknown as {
          view: {
            stack(n: string): { channels: number; rows: number; columns: number };
            clientPosition(l: string, c: number, y: number, x: number): { x: number; y: number };
            pickAt(x: number, y: number): { layer: string; channel: number } | null;
          };
        }
      ).view;
      const s = view.stack(name!);
      return Array.from({ length: s.channels }, (_, c) => {
        const p = view.clientPosition(name!, c, s.rows >> 1, s.columns >> 1);
        const hit = view.pickAt(p.x, p.y);
        return hit && `${hit.layer}/${hit.channel}`;
      });
    },
    [FIG, layer] as const,
  );
  assert.deepEqual(
    found,
    found.map((_, c) => `${layer}/${c}`),
    `${layer}: every channel in view, none behind another`,
  );
  return found.length;
}

const preset = (page: Page) =>
  page.evaluate((tag) => (document.querySelector(tag) as unknown as Fig).view!.currentPreset, FIG);

const h = useHarness();

describe('the framing of the whole network in 3D (<rf-network-3d>)', () => {
  it('fills a desktop canvas with the network, centred, and frames it again after "Whole network"', async (t) => {
    const { page, problems } = await h.open(PATH, { reducedMotion: 'reduce' });
    await showDigit(page);
    assert.equal(await preset(page), 'overview');
    const first = await drawnBox(page);
    const f = assertFramed(first, '1280x800');
    t.diagnostic(`1280x800: the network spans ${fill(first).x.toFixed(3)} × ${f.y.toFixed(3)}`);
    const least = await assertLegible(page, '1280x800');
    t.diagnostic(`1280x800: the smallest map is drawn ${least.toFixed(1)}px wide`);
    // Turn the network by dragging, then bring it back with the toolbar's "Whole network".
    const box = (await page.locator(`${FIG} canvas`).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 40, { steps: 8 });
    await page.mouse.up();
    assert.equal(await preset(page), null, 'the drag turned the camera away from the overview');
    assert.notDeepEqual(await drawnBox(page), first);
    await page.locator(`${FIG} .toolbar button[data-preset="overview"]`).click();
    assert.equal(await preset(page), 'overview');
    const back = await drawnBox(page);
    assertFramed(back, '1280x800, back at the overview');
    for (const layer of ['relu1', 'pool2']) {
      const n = await assertFannedOut(page, layer);
      t.diagnostic(`1280x800: ${layer} fans out its ${n} channels`);
    }
    await page.locator(`${FIG} .toolbar button[data-preset="overview"]`).click();
    const again = await drawnBox(page);
    for (const side of ['left', 'right', 'top', 'bottom'] as const) {
      assert.ok(Math.abs(again[side] - first[side]) <= 1, `${side} after a layer's view`);
    }
    for (const side of ['left', 'right', 'top', 'bottom'] as const) {
      assert.ok(
        Math.abs(back[side] - first[side]) <= 1,
        `${side}: ${back[side]} vs ${first[side]}`,
      );
    }
    assert.deepEqual(problems, noProblems());
  });

  it('fills a phone-sized canvas, and refits when the window turns to landscape and back', async (t) => {
    const { page, problems } = await h.open(PATH, {
      viewport: { width: 390, height: 844 },
      reducedMotion: 'reduce',
    });
    await showDigit(page);
    for (const [w, hh] of [
      [390, 844],
      [844, 390],
      [390, 844],
    ] as const) {
      if (page.viewportSize()?.width !== w) await resize(page, w, hh);
      const b = await drawnBox(page);
      const f = assertFramed(b, `${w}x${hh}`);
      const least = await assertLegible(page, `${w}x${hh}`);
      t.diagnostic(
        `${w}x${hh} (canvas ${b.width}x${b.height}): the network spans ${f.x.toFixed(3)} × ${f.y.toFixed(3)}, smallest map ${least.toFixed(1)}px`,
      );
    }
    const n = await assertFannedOut(page, 'conv2');
    t.diagnostic(`390x844: conv2 fans out its ${n} channels`);
    assert.deepEqual(problems, noProblems());
  });
});
