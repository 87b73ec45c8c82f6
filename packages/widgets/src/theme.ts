/**
 * Every visual constant of the widgets: colours, sizes, timings. Elements read from here and
 * nowhere else, so a site restyles them in one place (or through the CSS custom properties of
 * `THEME_PROPERTIES`, set on any ancestor). The colour scales of values are not here: 2D and
 * 3D figures share them from `@receptive/render3d/colormap` (ink on paper for intensities, one
 * diverging scale for signed values).
 */
import { cssGradient, inkRgb, type Rgb, signedRgb } from '@receptive/render3d/colormap';

export { inkRgb, type Rgb, signedRgb };

export const THEME = {
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  mono: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace',
  /** Text. */
  ink: '#1d1d1f',
  /** Captions, legends, status lines. */
  muted: '#55555c',
  /** Buttons and other controls (a pressed button swaps it with `ink`). */
  paper: '#ffffff',
  /** A quiet surface: bar tracks, the stage behind a 3D view. */
  panel: '#f7f6f2',
  line: '#c9c6bd',
  /** Outline of the cells a hovered or focused unit depends on. */
  highlight: '#c2410c',
  focus: '#1a5fb4',
  /** Text and outline of an input error (6.5:1 on paper). */
  error: '#b3261e',
  /** Kernel lab and small grids: cell edge in CSS pixels. */
  labCell: 34,
  /** ... and on screens shorter than `labCompactBelow` CSS pixels. */
  labCellCompact: 27,
  labCompactBelow: 880,
  /** Pooling figure: cell edge of the 28 x 28 digit and of the feature map. */
  mapCell: 8,
  poolCell: 16,
  /** Digit pad: drawing surface (canvas pixels), pen diameter, preview magnification. */
  padSize: 280,
  penWidth: 20,
  previewScale: 4,
  /** Feature-map figure: edge of one channel's image in CSS pixels. */
  featureMapCss: 56,
  /** How far ahead of the viewport figures wake up (two screens, as Distill's d-figure does). */
  wakeMargin: '200% 0px',
  /** Quiet time before a live region speaks, so a moving pen does not chatter. */
  announceDelayMs: 500,
  barTransitionMs: 120,
} as const;

const channel = (v: number): number => {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const luminance = ([r, g, b]: Rgb): number =>
  0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);

/** Black or white text, whichever contrasts more with `bg` (always at least 4.5:1). */
export function textOn(bg: Rgb): string {
  const l = luminance(bg);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#000000';
}

const css = ([r, g, b]: Rgb): string => `rgb(${r} ${g} ${b})`;

/** Ink on paper for a grey level in [0, 1] (0 = paper), as CSS with a readable text colour. */
export function inkColor(v: number): { bg: string; fg: string } {
  const c = inkRgb(v);
  return { bg: css(c), fg: textOn(c) };
}

/** Diverging colour for a signed value scaled by `max` (white at zero), as CSS. */
export function signedColor(v: number, max: number): { bg: string; fg: string } {
  const c = signedRgb(v, max);
  return { bg: css(c), fg: textOn(c) };
}

/**
 * A colour key for a figure: a caption, the scale's bar and the values at its ends (and 0 in
 * the middle of a diverging one), as HTML, so it reads at the page's text size. `low` and
 * `high` are the words or numbers written under the ends.
 *
 * @example
 * root.append(colorKey('ink', 'activation', '0', 'strongest'));
 */
export function colorKey(
  map: 'ink' | 'diverging',
  caption: string,
  low: string,
  high: string,
): HTMLElement {
  const key = document.createElement('div');
  key.className = 'color-key';
  key.dataset['map'] = map;
  const name = document.createElement('span');
  name.className = 'color-key-caption';
  name.textContent = caption;
  const bar = document.createElement('span');
  bar.className = 'color-key-bar';
  bar.setAttribute('aria-hidden', 'true');
  bar.style.background = cssGradient(map);
  const ends = document.createElement('span');
  ends.className = 'color-key-ends';
  for (const text of map === 'diverging' ? [low, '0', high] : [low, high]) {
    const s = document.createElement('span');
    s.textContent = text;
    ends.append(s);
  }
  key.append(name, bar, ends);
  return key;
}

/**
 * The colours a page may set as CSS custom properties, on `:root` or any ancestor of an element
 * (a dark theme maps them from its own palette), and the value each takes where none is set.
 * They are registered (`CSS.registerProperty`, inherited), so they flow into every shadow root
 * and need no fallback where they are read. Colours of data (the ink and diverging scales, the
 * white paper of a digit) are not among them: a figure draws data the same on any page.
 *
 * @example
 * :root { --rf-ink: #e9e7e2; --rf-muted: #a9afb9; --rf-paper: #1d2026; }
 */
export const THEME_PROPERTIES = {
  '--rf-ink': THEME.ink,
  '--rf-muted': THEME.muted,
  '--rf-paper': THEME.paper,
  '--rf-panel': THEME.panel,
  '--rf-line': THEME.line,
  '--rf-highlight': THEME.highlight,
  '--rf-focus': THEME.focus,
  '--rf-error': THEME.error,
} as const;

/**
 * The value of one of {@link THEME_PROPERTIES} where `el` sits, for drawing on a canvas (which
 * cannot read CSS): the page's value, or the default where it sets none.
 * @example ctx.strokeStyle = themeColor(this, '--rf-line');
 */
export function themeColor(el: Element, name: keyof typeof THEME_PROPERTIES): string {
  const value = getComputedStyle(el).getPropertyValue(name).trim();
  return value || THEME_PROPERTIES[name];
}

let registered = false;

/**
 * Registers {@link THEME_PROPERTIES} once per document. An element's own declaration on its host
 * would hide the page's value from it; a registered property's initial value does not. A name
 * that is already registered (a second copy of this package) is left as it is.
 */
export function registerThemeProperties(): void {
  if (registered || typeof CSS === 'undefined' || !('registerProperty' in CSS)) return;
  registered = true;
  for (const [name, initialValue] of Object.entries(THEME_PROPERTIES)) {
    try {
      CSS.registerProperty({ name, syntax: '<color>', inherits: true, initialValue });
    } catch {
      // InvalidModificationError: registered already, by another copy of the widgets.
    }
  }
}

/** Styles every element shares; each element's own styles follow it in its shadow root. */
export const BASE_CSS = `
:host {
  display: block;
  font-family: var(--rf-font, ${THEME.font});
  color: var(--rf-ink);
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
button, input { font: inherit; }
button {
  border: 1px solid var(--rf-line); background: var(--rf-paper); color: inherit; border-radius: 4px;
  padding: 0.25em 0.7em; cursor: pointer; min-height: 2em;
}
button[aria-pressed="true"] { background: var(--rf-ink); color: var(--rf-paper); }
button:disabled { opacity: 0.6; cursor: default; }
:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: 2px; }
figure { margin: 0; }
figcaption, .caption { font-size: 0.85em; color: var(--rf-muted); margin-bottom: 0.3em; }
.mono { font-family: ${THEME.mono}; }
.share { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.6rem; margin-top: 0.6rem; font-size: 0.85em; }
.share-status { color: var(--rf-muted); }
.share-link { flex: 1 1 100%; min-width: 0; font-family: ${THEME.mono}; font-size: 0.85em; padding: 0.2em 0.4em; }
.color-key { display: inline-grid; grid-template-columns: auto minmax(6rem, 10rem); column-gap: 0.5rem; align-items: center; font-size: 0.8rem; color: var(--rf-muted); }
.color-key-bar { grid-column: 2; height: 0.7rem; border: 1px solid var(--rf-line); border-radius: 2px; }
.color-key-caption { grid-row: 1 / span 2; }
.color-key-ends { grid-column: 2; display: flex; justify-content: space-between; font-variant-numeric: tabular-nums; line-height: 1.2; }
@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; animation: none !important; }
}
`;
