import type { Camera, Vector3 } from 'three';
import { THEME } from './theme.js';

/** One HTML label: its element and the world point it hangs from. */
interface Label {
  element: HTMLElement;
  /** Writes the anchor's world position into the vector. */
  anchor: (target: Vector3) => Vector3;
  /**
   * `below`: centred under the anchor; `left`/`right`: beside it, vertically centred; `above`:
   * centred over it, wrapped to a few words a line (captions over a group of layers).
   */
  side: 'below' | 'left' | 'right' | 'above';
  /** Labels below share rows with the others of their group (a row of the scene). */
  group: () => number;
}

/**
 * HTML labels over a 3D view, kept next to the world points they name as the camera moves: text
 * at the page's own size and sharpness (never smaller than `THEME.labelMinPx` CSS pixels),
 * where text drawn into a texture shrinks with the scene. Labels under the scene that would
 * overlap drop to a lower row, so every one stays readable.
 *
 * @example
 * const labels = new LabelLayer(container);
 * labels.add(['conv1', '8 × 26 × 26'], (v) => stack.localToWorld(v.set(0, -1.3, 0)));
 * labels.place(camera, width, height); // after each frame
 */
export class LabelLayer {
  readonly element: HTMLDivElement;
  private readonly labels: Label[] = [];

  constructor(container: HTMLElement) {
    this.element = document.createElement('div');
    this.element.className = 'rf-labels';
    this.element.setAttribute('aria-hidden', 'true');
    Object.assign(this.element.style, {
      position: 'absolute',
      inset: '0',
      overflow: 'hidden',
      pointerEvents: 'none',
      font: `${THEME.labelFont}`,
      fontSize: `${THEME.labelMinPx}px`,
      lineHeight: '1.2',
      color: THEME.ink,
    });
    // The labels are placed from the container's corner: it must be their containing block.
    if (getComputedStyle(container).position === 'static') container.style.position = 'relative';
    container.append(this.element);
  }

  /** Adds a label of one or more lines (the first in bold) hung from `anchor`. */
  add(
    lines: readonly string[],
    anchor: (target: Vector3) => Vector3,
    side: Label['side'] = 'below',
    group: () => number = () => 0,
  ): HTMLElement {
    const element = document.createElement('span');
    element.className = 'rf-label';
    Object.assign(element.style, {
      position: 'absolute',
      left: '0',
      top: '0',
      whiteSpace: side === 'above' ? 'normal' : 'nowrap',
      maxWidth: side === 'above' ? '13em' : 'none',
      textAlign:
        side === 'below' || side === 'above' ? 'center' : side === 'left' ? 'right' : 'left',
      // Rows beside the scene (probabilities) are one line each: packed as tight as 12 px
      // digits allow, so ten of them fit beside ten bars.
      lineHeight: side === 'below' ? '1.2' : '1.05',
      fontVariantNumeric: 'tabular-nums',
      // A halo of the background keeps text readable where it crosses a plane.
      textShadow: `0 0 3px ${css(THEME.background)}, 0 0 3px ${css(THEME.background)}`,
    });
    this.set(element, lines);
    this.element.append(element);
    this.labels.push({ element, anchor, side, group });
    return element;
  }

  /** Replaces a label's lines. */
  set(element: HTMLElement, lines: readonly string[]): void {
    const text = lines.join('\n');
    if (element.dataset['text'] === text) return;
    element.dataset['text'] = text;
    element.replaceChildren(
      ...lines.map((line, i) => {
        const div = document.createElement('div');
        div.textContent = line;
        if (i === 0 && lines.length > 1) div.style.fontWeight = '600';
        return div;
      }),
    );
  }

  /**
   * Moves every label to its anchor as `camera` sees it on a `width` x `height` canvas (CSS
   * pixels). Labels under the scene go in rows: each takes the highest row where it clears the
   * one before it by `THEME.labelSpacePx`.
   */
  place(camera: Camera, width: number, height: number, scratch: Vector3): void {
    const below: { label: Label; x: number; y: number; w: number; h: number }[] = [];
    const beside: { label: Label; x: number; y: number; w: number; h: number }[] = [];
    const above: { label: Label; x: number; y: number; w: number; h: number }[] = [];
    const placed: { left: number; top: number; right: number; bottom: number }[] = [];
    for (const label of this.labels) {
      if (label.element.hidden) continue;
      label.anchor(scratch).project(camera);
      const x = ((scratch.x + 1) / 2) * width;
      const y = ((1 - scratch.y) / 2) * height;
      const w = label.element.offsetWidth;
      const h = label.element.offsetHeight;
      if (label.side === 'below') {
        below.push({ label, x, y, w, h });
        continue;
      }
      if (label.side === 'above') {
        above.push({ label, x: x - w / 2, y: y - h - 20, w, h });
        continue;
      }
      beside.push({ label, x: label.side === 'right' ? x + 4 : x - 4 - w, y: y - h / 2, w, h });
    }
    // Under-labels hang from the lowest anchor of their group, so their rows line up.
    const groups = new Map<number, typeof below>();
    for (const b of below) {
      const g = b.label.group();
      const list = groups.get(g);
      if (list) list.push(b);
      else groups.set(g, [b]);
    }
    for (const list of groups.values()) {
      let top = Number.NEGATIVE_INFINITY;
      let rowHeight = 0;
      for (const b of list) {
        top = Math.max(top, b.y);
        rowHeight = Math.max(rowHeight, b.h);
      }
      list.sort((a, b) => a.x - b.x);
      // Each label centred under its anchor, then pushed right past the one before it and,
      // where that runs off the canvas, back left: labels slide aside rather than overlap.
      const space = THEME.labelSpacePx;
      const lefts = list.map((b) => b.x - b.w / 2);
      for (let i = 0; i < list.length; i++) {
        const min = i === 0 ? 2 : lefts[i - 1]! + list[i - 1]!.w + space;
        lefts[i] = Math.max(lefts[i]!, min);
      }
      for (let i = list.length - 1; i >= 0; i--) {
        const max = i === list.length - 1 ? width - 2 : lefts[i + 1]! - space;
        lefts[i] = Math.max(2, Math.min(lefts[i]!, max - list[i]!.w));
      }
      // Where they still do not fit side by side (a narrow canvas), the rest go a row lower.
      const rowEnds: number[] = [];
      list.forEach((b, i) => {
        const left = lefts[i]!;
        let row = rowEnds.findIndex((end) => left >= end + space - 0.5);
        if (row < 0) row = rowEnds.push(Number.NEGATIVE_INFINITY) - 1;
        rowEnds[row] = left + b.w;
        const y = top + 4 + row * (rowHeight + 2);
        b.label.element.style.transform = `translate(${Math.round(left)}px, ${Math.round(y)}px)`;
        placed.push({ left, top: y, right: left + b.w, bottom: y + b.h });
      });
    }
    // Captions over the scene, left to right: each kept inside the canvas, and one that would
    // overlap the caption before it moves up above it.
    above.sort((a, b) => a.x - b.x);
    const overhead: { left: number; top: number; right: number; bottom: number }[] = [];
    for (const a of above) {
      const left = Math.min(Math.max(2, a.x), width - a.w - 2);
      let top = Math.max(2, a.y);
      for (const r of overhead) {
        if (
          left < r.right + 4 &&
          left + a.w > r.left - 4 &&
          top < r.bottom + 2 &&
          top + a.h > r.top
        ) {
          top = r.top - a.h - 2;
        }
      }
      top = Math.max(2, top);
      overhead.push({ left, top, right: left + a.w, bottom: top + a.h });
      a.label.element.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
    }
    // Labels beside the scene (the rows of the probabilities) keep at least their own height
    // apart: where the rows they name are closer than that, they open out into a column centred
    // on the rows, kept inside the canvas and clear of the labels under the scene.
    if (beside.length > 0) {
      beside.sort((a, b) => a.y - b.y);
      const centre = (beside[0]!.y + beside.at(-1)!.y) / 2;
      for (let i = 1; i < beside.length; i++) {
        const prev = beside[i - 1]!;
        beside[i]!.y = Math.max(beside[i]!.y, prev.y + prev.h);
      }
      let shift = centre - (beside[0]!.y + beside.at(-1)!.y) / 2;
      const lefts = beside.map((b) => Math.min(Math.max(2, b.x), width - b.w - 2));
      const colLeft = Math.min(...lefts);
      const colRight = Math.max(...beside.map((b, i) => lefts[i]! + b.w));
      const colTop = beside[0]!.y;
      const colBottom = beside.at(-1)!.y + beside.at(-1)!.h;
      // Below the labels above the column's middle, above the others.
      for (const r of placed) {
        if (r.right <= colLeft || r.left >= colRight) continue;
        if ((r.top + r.bottom) / 2 < (colTop + colBottom) / 2 + shift) {
          shift = Math.max(shift, r.bottom + 1 - colTop);
        } else {
          shift = Math.min(shift, r.top - 1 - colBottom);
        }
      }
      shift = Math.min(Math.max(shift, -colTop), height - colBottom);
      beside.forEach((b, i) => {
        const y = Math.round(b.y + shift);
        b.label.element.style.transform = `translate(${Math.round(lefts[i]!)}px, ${y}px)`;
      });
    }
  }

  /** Shows or hides every label (hidden on the 2D fallback, which draws its own captions). */
  set visible(v: boolean) {
    this.element.hidden = !v;
  }

  /** Removes one label. */
  remove(element: HTMLElement): void {
    const at = this.labels.findIndex((l) => l.element === element);
    if (at >= 0) this.labels.splice(at, 1);
    element.remove();
  }

  /** Removes every label (the layer stays, for new ones). */
  clear(): void {
    for (const l of this.labels) l.element.remove();
    this.labels.length = 0;
  }

  /** Removes the labels from the page. */
  dispose(): void {
    this.element.remove();
    this.labels.length = 0;
  }
}

const css = (c: number) => `#${c.toString(16).padStart(6, '0')}`;
