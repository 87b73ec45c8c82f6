/**
 * Makes a 3D figure's canvas operable the same way in every element: one tab stop, the arrow
 * keys owned by the figure while it has focus (role "application"), hover picking without a
 * pressed button, and `touch-action: pan-y` so a finger swiping up or down still scrolls the page.
 */
export interface PickCanvasOptions {
  /** What a screen reader calls the figure, e.g. "network figure". */
  roleDescription: string;
  /** `aria-keyshortcuts`, e.g. "ArrowUp ArrowDown Escape". */
  keyShortcuts: string;
  onKey(e: KeyboardEvent): void;
  /** Focus arrived (e.g. pick a first unit so the keys have somewhere to start). */
  onFocus(): void;
  /** The pointer rests over (client x, y) with no button pressed. */
  onHover(x: number, y: number): void;
}

const wired = new WeakSet<HTMLCanvasElement>();

/** Wires `canvas` once (a canvas the scene host swaps in gets wired when it arrives); returns false if it already was. */
export function makePickable(canvas: HTMLCanvasElement, o: PickCanvasOptions): boolean {
  if (wired.has(canvas)) return false;
  wired.add(canvas);
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'application');
  canvas.setAttribute('aria-roledescription', o.roleDescription);
  canvas.setAttribute('aria-keyshortcuts', o.keyShortcuts);
  canvas.style.touchAction = 'pan-y';
  canvas.addEventListener('keydown', o.onKey);
  canvas.addEventListener('focus', o.onFocus);
  canvas.addEventListener('pointermove', (e) => {
    if (e.buttons === 0) o.onHover(e.clientX, e.clientY);
  });
  return true;
}
