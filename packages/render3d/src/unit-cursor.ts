/**
 * One control for picking the units of a 3D figure by pointer and by keyboard, apart from the
 * renderer the way three.js keeps `OrbitControls` apart from its renderers: `connect(element)`,
 * `dispose()`, events out. The renderer only answers two questions (which units it draws, and
 * which unit lies under a point of the page); the cursor owns the keys, the focus and the
 * pointer, and an optional live region.
 */
import { THEME } from './theme.js';
import { visuallyHidden } from './visually-hidden.js';

/** A unit of a drawn layer: layer, channel, row and column, counted from 0. */
export interface CursorUnit {
  layer: string;
  channel: number;
  y: number;
  x: number;
}

/** A layer the cursor can walk: its name and how many channels, rows and columns it has. */
export interface CursorLayer {
  name: string;
  channels: number;
  rows: number;
  columns: number;
}

/** What a {@link UnitCursor} controls: `NetworkView` and `ConvLayerScene` are such targets. */
export interface UnitCursorTarget {
  /** The layers the keys walk, in order (Tab order is the page's, not these). */
  readonly cursorLayers: readonly CursorLayer[];
  /** The unit under a point of the page (client coordinates), or null. */
  pickAt(clientX: number, clientY: number): CursorUnit | null;
}

/** How the cursor moved: the pointer resting, a key, or focus arriving. */
export type CursorVia = 'pointer' | 'key' | 'focus';

/** `detail` of the cursor's `hover` and `pick` events. */
export interface CursorChange {
  /** The unit, or null: the pointer left every unit (hover), a click on nothing or Escape (pick). */
  unit: CursorUnit | null;
  via: CursorVia;
  /** True when a key moved the cursor to another layer (a figure may move its camera there). */
  layerChanged: boolean;
}

/** A `hover` or `pick` event of a {@link UnitCursor}. */
export type CursorEvent = CustomEvent<CursorChange>;

/** How to build a {@link UnitCursor}. */
export interface UnitCursorOptions {
  /** What a screen reader calls the figure (`aria-roledescription`), e.g. "network figure". */
  roleDescription?: string;
  /**
   * The id of an element that describes the keys (it joins `aria-describedby`). Without it the
   * cursor puts a visually hidden paragraph with {@link UNIT_CURSOR_HELP} beside the element.
   */
  describedBy?: string;
  /** Where focus starts when no unit is set (default: the first unit of the first layer). */
  start?: (layers: readonly CursorLayer[]) => CursorUnit;
  /**
   * Says each unit the cursor moves to or picks in a polite live region the cursor adds beside
   * the element; without it nothing is said (the figure speaks for itself).
   */
  announce?: (unit: CursorUnit, picked: boolean) => string;
  /** Waits this long for the keys or the pointer to rest before speaking (default 0). */
  announceDelayMs?: number;
  /**
   * The element's `touch-action` while connected, e.g. `pan-y` so a finger swiping up or down
   * still scrolls the page; left as it is when not given.
   */
  touchAction?: string;
}

/**
 * The one key map of every figure's units, for help texts and `aria-keyshortcuts`.
 * Tab is not in it: Tab leaves the figure as it leaves any control, so there is no keyboard trap.
 */
export const UNIT_CURSOR_KEYS = [
  { keys: ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'], does: 'move over a feature map' },
  { keys: ['Home', 'End'], does: 'first or last column' },
  { keys: ['PageUp', 'PageDown', '[', ']'], does: 'previous or next channel' },
  { keys: [',', '.'], does: 'previous or next layer, at the same place in the map' },
  { keys: ['Enter', ' '], does: 'pick the unit' },
  { keys: ['Escape'], does: 'clear' },
] as const;

/** {@link UNIT_CURSOR_KEYS} in one sentence. */
export const UNIT_CURSOR_HELP =
  'Arrow keys move over a feature map (Home and End: first and last column), Page Up and Page Down (or [ and ]) change channel, comma and period change layer, Enter picks the unit, Escape clears.';

/** What a key does to the cursor: move it, pick the unit, or clear. */
export type CursorAction =
  | { kind: 'move'; unit: CursorUnit; layerChanged: boolean }
  | { kind: 'pick'; unit: CursorUnit }
  | { kind: 'clear' };

/**
 * The key map, without a DOM: what `key` does to a cursor on `unit` (null: before the first
 * unit, which is taken as the first layer's first unit) over `layers`. Null for a key the map
 * does not use. A layer step keeps the place in the map, scaled to the new layer's size.
 *
 * @example
 * cursorKey('.', { layer: 'conv1', channel: 3, y: 2, x: 3 }, layers)
 * // { kind: 'move', unit: { layer: 'pool1', channel: 3, y: 1, x: 1 }, layerChanged: true }
 */
export function cursorKey(
  key: string,
  unit: CursorUnit | null,
  layers: readonly CursorLayer[],
): CursorAction | null {
  if (layers.length === 0) return null;
  let li = unit ? layers.findIndex((l) => l.name === unit.layer) : 0;
  if (li < 0) li = 0;
  const here = layers[li]!;
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  const u: CursorUnit = unit
    ? {
        layer: here.name,
        channel: clamp(unit.channel, here.channels),
        y: clamp(unit.y, here.rows),
        x: clamp(unit.x, here.columns),
      }
    : { layer: here.name, channel: 0, y: 0, x: 0 };
  let step = 0;
  switch (key) {
    case 'ArrowLeft':
      u.x = clamp(u.x - 1, here.columns);
      break;
    case 'ArrowRight':
      u.x = clamp(u.x + 1, here.columns);
      break;
    case 'ArrowUp':
      u.y = clamp(u.y - 1, here.rows);
      break;
    case 'ArrowDown':
      u.y = clamp(u.y + 1, here.rows);
      break;
    case 'Home':
      u.x = 0;
      break;
    case 'End':
      u.x = here.columns - 1;
      break;
    case 'PageUp':
    case '[':
      u.channel = clamp(u.channel - 1, here.channels);
      break;
    case 'PageDown':
    case ']':
      u.channel = clamp(u.channel + 1, here.channels);
      break;
    case ',':
    case '<':
      step = -1;
      break;
    case '.':
    case '>':
      step = 1;
      break;
    case 'Enter':
    case ' ':
      return { kind: 'pick', unit: u };
    case 'Escape':
      return { kind: 'clear' };
    default:
      return null;
  }
  const to = clamp(li + step, layers.length);
  if (to === li) return { kind: 'move', unit: u, layerChanged: false };
  const next = layers[to]!;
  return {
    kind: 'move',
    unit: {
      layer: next.name,
      channel: Math.min(next.channels - 1, u.channel),
      y: Math.min(next.rows - 1, Math.floor(((u.y + 0.5) * next.rows) / here.rows)),
      x: Math.min(next.columns - 1, Math.floor(((u.x + 0.5) * next.columns) / here.columns)),
    },
    layerChanged: true,
  };
}

const sameUnit = (a: CursorUnit | null, b: CursorUnit | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.layer === b.layer &&
    a.channel === b.channel &&
    a.y === b.y &&
    a.x === b.x);

let nextHelpId = 0;

/**
 * Picks units of a {@link UnitCursorTarget} by pointer and keyboard on one element (the
 * figure's canvas). While connected the element is one tab stop with the role "application"
 * (screen readers pass the arrow keys through) and the keys of {@link UNIT_CURSOR_KEYS}.
 *
 * Events: `hover` (a `CursorEvent`) when the pointer rests on another unit or leaves them all,
 * when a key moves the cursor, and when focus arrives with no unit set (the `start` unit);
 * `pick` on a click (a press and release within `THEME.clickSlopPx`, so a drag that turns the
 * camera picks nothing), on Enter or Space, and with a null unit on Escape.
 *
 * @example
 * const cursor = new UnitCursor(view, { roleDescription: 'network figure' }).connect(view.host.canvas);
 * cursor.addEventListener('hover', (e) => view.highlight((e as CursorEvent).detail.unit));
 * cursor.dispose();
 */
export class UnitCursor extends EventTarget {
  /** The element the cursor listens on, or null when disconnected. */
  element: HTMLElement | null = null;
  #unit: CursorUnit | null = null;
  /** The unit the pointer rests on (hover events fire when it changes). */
  #hovered: CursorUnit | null = null;
  #downAt: [number, number] | null = null;
  #help: HTMLElement | null = null;
  #live: HTMLElement | null = null;
  #timer = 0;
  #saved: Record<string, string | null> = {};
  #touch = '';

  constructor(
    readonly target: UnitCursorTarget,
    readonly options: UnitCursorOptions = {},
  ) {
    super();
  }

  /** The unit the cursor is on (the keys start from it), or null. */
  get unit(): CursorUnit | null {
    return this.#unit ? { ...this.#unit } : null;
  }
  /** Moves the cursor without an event (the figure's unit changed some other way). */
  set unit(u: CursorUnit | null) {
    this.#unit = u ? { layer: u.layer, channel: u.channel, y: u.y, x: u.x } : null;
  }

  /**
   * Listens on `element` (a figure's canvas), leaving any element it listened on before: a
   * figure whose host swapped its canvas connects the new one.
   */
  connect(element: HTMLElement): this {
    if (element === this.element) return this;
    this.disconnect();
    this.element = element;
    for (const name of ['tabindex', 'role', 'aria-roledescription', 'aria-keyshortcuts']) {
      this.#saved[name] = element.getAttribute(name);
    }
    this.#saved['aria-describedby'] = element.getAttribute('aria-describedby');
    element.tabIndex = 0;
    // Arrow keys belong to the figure while it has focus: an application, not a picture.
    element.setAttribute('role', 'application');
    if (this.options.roleDescription) {
      element.setAttribute('aria-roledescription', this.options.roleDescription);
    }
    element.setAttribute(
      'aria-keyshortcuts',
      'ArrowUp ArrowDown ArrowLeft ArrowRight Home End PageUp PageDown [ ] , . Enter Escape',
    );
    let describedBy = this.options.describedBy;
    if (!describedBy) {
      this.#help = visuallyHidden(document.createElement('p'));
      this.#help.id = `rf-unit-cursor-${nextHelpId++}`;
      this.#help.textContent = UNIT_CURSOR_HELP;
      place(element, this.#help);
      describedBy = this.#help.id;
    }
    const own = this.#saved['aria-describedby']?.split(' ')[0];
    element.setAttribute('aria-describedby', own ? `${own} ${describedBy}` : describedBy);
    if (this.options.announce) {
      this.#live = visuallyHidden(document.createElement('p'));
      this.#live.setAttribute('aria-live', 'polite');
      place(element, this.#live);
    }
    if (this.options.touchAction) {
      this.#touch = element.style.touchAction;
      element.style.touchAction = this.options.touchAction;
    }
    element.addEventListener('keydown', this.#onKeyDown);
    element.addEventListener('focus', this.#onFocus);
    element.addEventListener('pointermove', this.#onPointerMove);
    element.addEventListener('pointerdown', this.#onPointerDown);
    element.addEventListener('pointerup', this.#onPointerUp);
    element.addEventListener('pointerleave', this.#onPointerLeave);
    return this;
  }

  /** Stops listening and gives the element back its attributes; the cursor keeps its unit. */
  disconnect(): void {
    const element = this.element;
    if (!element) return;
    this.element = null;
    clearTimeout(this.#timer);
    element.removeEventListener('keydown', this.#onKeyDown);
    element.removeEventListener('focus', this.#onFocus);
    element.removeEventListener('pointermove', this.#onPointerMove);
    element.removeEventListener('pointerdown', this.#onPointerDown);
    element.removeEventListener('pointerup', this.#onPointerUp);
    element.removeEventListener('pointerleave', this.#onPointerLeave);
    for (const [name, value] of Object.entries(this.#saved)) {
      if (value === null) element.removeAttribute(name);
      else element.setAttribute(name, value);
    }
    this.#saved = {};
    if (this.options.touchAction) element.style.touchAction = this.#touch;
    this.#help?.remove();
    this.#live?.remove();
    this.#help = null;
    this.#live = null;
  }

  /** Disconnects for good. */
  dispose(): void {
    this.disconnect();
  }

  #emit(type: 'hover' | 'pick', unit: CursorUnit | null, via: CursorVia, layerChanged = false) {
    this.dispatchEvent(
      new CustomEvent<CursorChange>(type, {
        detail: { unit: unit ? { ...unit } : null, via, layerChanged },
      }),
    );
    if (unit && this.options.announce) this.#say(this.options.announce(unit, type === 'pick'));
  }

  #say(text: string): void {
    clearTimeout(this.#timer);
    const say = () => {
      if (this.#live) this.#live.textContent = text;
    };
    const delay = this.options.announceDelayMs ?? 0;
    if (delay > 0) this.#timer = window.setTimeout(say, delay);
    else say();
  }

  readonly #onFocus = (): void => {
    if (this.#unit) return;
    const layers = this.target.cursorLayers;
    if (layers.length === 0) return;
    const first = layers[0]!;
    this.#unit = this.options.start?.(layers) ?? {
      layer: first.name,
      channel: 0,
      y: 0,
      x: 0,
    };
    this.#emit('hover', this.#unit, 'focus');
  };

  readonly #onKeyDown = (e: KeyboardEvent): void => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const action = cursorKey(e.key, this.#unit, this.target.cursorLayers);
    if (!action) return;
    e.preventDefault();
    if (action.kind === 'clear') {
      this.#unit = null;
      this.#emit('pick', null, 'key');
    } else if (action.kind === 'pick') {
      this.#unit = action.unit;
      this.#emit('pick', action.unit, 'key');
    } else {
      this.#unit = action.unit;
      this.#emit('hover', action.unit, 'key', action.layerChanged);
    }
  };

  readonly #onPointerMove = (e: PointerEvent): void => {
    if (e.buttons !== 0) return;
    const unit = this.#pick(e);
    if (sameUnit(unit, this.#hovered)) return;
    this.#hovered = unit;
    if (unit) this.#unit = unit;
    this.#emit('hover', unit, 'pointer');
  };

  readonly #onPointerDown = (e: PointerEvent): void => {
    this.#downAt = [e.clientX, e.clientY];
  };

  readonly #onPointerUp = (e: PointerEvent): void => {
    const at = this.#downAt;
    this.#downAt = null;
    // A drag turned the camera; a click picks.
    if (!at || Math.hypot(e.clientX - at[0], e.clientY - at[1]) > THEME.clickSlopPx) return;
    const unit = this.#pick(e);
    if (unit) this.#unit = unit;
    this.#emit('pick', unit, 'pointer');
  };

  readonly #onPointerLeave = (): void => {
    this.#hovered = null;
    this.#emit('hover', null, 'pointer');
  };

  #pick(e: PointerEvent): CursorUnit | null {
    const u = this.target.pickAt(e.clientX, e.clientY);
    return u ? { layer: u.layer, channel: u.channel, y: u.y, x: u.x } : null;
  }
}

// At the end of the element's container (after any description the figure keeps next to it).
function place(element: HTMLElement, node: HTMLElement): void {
  if (element.parentElement) element.parentElement.append(node);
  else element.after(node);
}
