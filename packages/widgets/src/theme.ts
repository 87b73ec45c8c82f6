/**
 * Every visual constant of the widgets: colours, sizes, timings. Elements read from here and
 * nowhere else, so a site restyles them in one place (or through the CSS custom properties that
 * `BASE_CSS` declares on each element's host).
 */
export const THEME = {
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  mono: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace',
  ink: '#1d1d1f',
  muted: '#55555c',
  paper: '#ffffff',
  panel: '#f7f6f2',
  line: '#c9c6bd',
  /** Outline of the cells a hovered or focused unit depends on. */
  highlight: '#c2410c',
  focus: '#1a5fb4',
  /** Text and outline of an input error (6.5:1 on paper). */
  error: '#b3261e',
  /** Ends of the diverging scale for signed values (negative, positive). */
  negative: [33, 102, 172] as const,
  positive: [178, 24, 43] as const,
  /** Full strength of a non-negative activation (ink on paper). */
  inkRgb: [20, 20, 24] as const,
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

export type Rgb = readonly [number, number, number];

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
const mix = (a: Rgb, b: Rgb, t: number): Rgb =>
  [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as unknown as Rgb;

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = THEME.inkRgb;

/**
 * The two colour scales every figure uses, as [r, g, b]: ink on paper for a level in [0, 1]
 * (0 = paper), and a diverging scale for a signed value scaled by `max` (white at zero). Cells
 * take them as CSS through {@link inkColor} / {@link signedColor}; canvases write them as pixels.
 */
export function inkRgb(v: number): Rgb {
  return mix(WHITE, INK, Math.max(0, Math.min(1, v)));
}

/** See {@link inkRgb}. */
export function signedRgb(v: number, max: number): Rgb {
  const t = max > 0 ? Math.max(-1, Math.min(1, v / max)) : 0;
  return t >= 0 ? mix(WHITE, THEME.positive, t) : mix(WHITE, THEME.negative, -t);
}

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

/** Styles every element shares; each element's own styles follow it in its shadow root. */
export const BASE_CSS = `
:host {
  display: block;
  font-family: var(--rf-font, ${THEME.font});
  color: var(--rf-ink, ${THEME.ink});
  --rf-highlight: ${THEME.highlight};
  --rf-focus: ${THEME.focus};
  --rf-line: ${THEME.line};
  --rf-muted: ${THEME.muted};
  --rf-panel: ${THEME.panel};
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
button, input { font: inherit; }
button {
  border: 1px solid var(--rf-line); background: #fff; color: inherit; border-radius: 4px;
  padding: 0.25em 0.7em; cursor: pointer; min-height: 2em;
}
button[aria-pressed="true"] { background: var(--rf-ink, ${THEME.ink}); color: #fff; }
button:disabled { opacity: 0.6; cursor: default; }
:focus-visible { outline: 3px solid var(--rf-focus); outline-offset: 2px; }
figure { margin: 0; }
figcaption, .caption { font-size: 0.85em; color: var(--rf-muted); margin-bottom: 0.3em; }
.mono { font-family: ${THEME.mono}; }
@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; animation: none !important; }
}
`;
