/** Small DOM helpers shared by the elements (no framework). */
import { registerThemeProperties } from './theme.js';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | null | undefined> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = String(v);
    // Through the CSSOM: a `style` attribute set from a script is an inline style that a strict
    // Content Security Policy refuses, while the element's `style` object is not.
    else if (k === 'style') node.style.cssText = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children);
  return node;
}

const sheets = new Map<string, CSSStyleSheet>();

/**
 * A constructed stylesheet of `css`, one per distinct text (the elements of a kind share it).
 * Constructed sheets are not inline `<style>` blocks, so a strict Content Security Policy
 * (`style-src` without `'unsafe-inline'`) lets them apply.
 */
export function constructedSheet(css: string): CSSStyleSheet {
  let sheet = sheets.get(css);
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    sheets.set(css, sheet);
  }
  return sheet;
}

/**
 * Opens a shadow root with the given styles, adopted as a {@link constructedSheet} (and registers
 * the theme's colour properties, which they read). Light-DOM children (the no-JS fallback) are
 * not slotted, so they stop rendering once the element upgrades.
 */
export function shadow(host: HTMLElement, css: string): ShadowRoot {
  registerThemeProperties();
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [constructedSheet(css)];
  root.replaceChildren();
  return root;
}

/**
 * Roving tabindex over the cells of a grid (`[data-y][data-x]`): one cell is in the tab order,
 * arrow keys, Home and End move focus. Returns a function that moves to a given cell.
 */
export function rovingGrid(
  grid: HTMLElement,
  rows: number,
  cols: number,
): (y: number, x: number, focus?: boolean) => void {
  const cell = (y: number, x: number) =>
    grid.querySelector<HTMLElement>(`[data-y="${y}"][data-x="${x}"]`);
  let cy = 0;
  let cx = 0;
  const move = (y: number, x: number, focus = true) => {
    y = Math.max(0, Math.min(rows - 1, y));
    x = Math.max(0, Math.min(cols - 1, x));
    cell(cy, cx)?.setAttribute('tabindex', '-1');
    cy = y;
    cx = x;
    const c = cell(y, x);
    c?.setAttribute('tabindex', '0');
    if (focus) c?.focus();
  };
  grid.addEventListener('keydown', (e) => {
    const step: Record<string, [number, number]> = {
      ArrowUp: [cy - 1, cx],
      ArrowDown: [cy + 1, cx],
      ArrowLeft: [cy, cx - 1],
      ArrowRight: [cy, cx + 1],
      Home: [e.ctrlKey ? 0 : cy, 0],
      End: [e.ctrlKey ? rows - 1 : cy, cols - 1],
    };
    const to = step[e.key];
    if (!to) return;
    e.preventDefault();
    move(to[0], to[1]);
  });
  grid.addEventListener('focusin', (e) => {
    const t = (e.target as HTMLElement).closest<HTMLElement>('[data-y]');
    if (t) move(Number(t.dataset['y']), Number(t.dataset['x']), false);
  });
  move(0, 0, false);
  return move;
}

/**
 * Hides `control` (say a Retry whose work is done). If the keyboard focus was in it, the focus
 * first moves to `next` (made focusable by script where it is not), so that a keyboard or
 * screen-reader user is not dropped back to the top of the page.
 */
export function hideKeepingFocus(control: HTMLElement, next: HTMLElement): void {
  if (control.hidden) return;
  const root = control.getRootNode() as Document | ShadowRoot;
  const active = root.activeElement;
  if (active && control.contains(active)) {
    if (!next.hasAttribute('tabindex') && next.tabIndex < 0) next.setAttribute('tabindex', '-1');
    next.focus();
  }
  control.hidden = true;
}

/**
 * A path an attribute gives (such as `wasm-paths`) as an absolute URL, resolved against the
 * page; undefined for none.
 */
export function pageUrl(path: string | null): string | undefined {
  return path ? new URL(path, document.baseURI).href : undefined;
}

/** Calls `onChange(near)` each time `target` comes within `margin` of the viewport or leaves it. */
export function watchViewport(
  target: Element,
  margin: string,
  onChange: (near: boolean) => void,
): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onChange(true);
    return () => {};
  }
  const io = new IntersectionObserver((entries) => onChange(entries.at(-1)!.isIntersecting), {
    rootMargin: margin,
  });
  io.observe(target);
  return () => io.disconnect();
}
