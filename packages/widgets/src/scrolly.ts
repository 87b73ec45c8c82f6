import scrollama from 'scrollama';
import { SCROLLY_SPEC } from './scrolly.spec.js';
import { SCROLLY_CSS } from './scrolly-css.js';
import { followStepsAttribute, STEP_EVENT, type StepChange } from './scrolly-steps.js';
import { type SharedFigure, shareFigure } from './share.js';
import { registerThemeProperties } from './theme.js';

export {
  followStepAttributes,
  followSteps,
  followStepsAttribute,
  STEP_EVENT,
  type StepAttributes,
  type StepChange,
} from './scrolly-steps.js';

export { SCROLLY_CSS, SCROLLY_SPEC };

/** Below this width the figure sits above the text as a compact panel (the layout's breakpoint). */
export const COMPACT_QUERY = '(max-width: 760px)';

/**
 * The elements of `figure` that match `selector`, looked for in its light DOM and inside the
 * open shadow roots of every element in it (a figure's parts usually live in its shadow root).
 * @example focusTargets(figure, '.grid.out') // the kernel lab's output table
 */
export function focusTargets(figure: Element, selector: string): Element[] {
  const found: Element[] = [];
  const visit = (root: Element | ShadowRoot) => {
    found.push(...root.querySelectorAll(selector));
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
  };
  visit(figure);
  return found;
}

/**
 * The box around every rendered element of `figure` that `selector` matches, in viewport
 * coordinates; null when nothing rendered matches.
 */
export function focusBox(figure: Element, selector: string): DOMRect | null {
  let top = Infinity;
  let left = Infinity;
  let bottom = -Infinity;
  let right = -Infinity;
  for (const el of focusTargets(figure, selector)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    top = Math.min(top, r.top);
    left = Math.min(left, r.left);
    bottom = Math.max(bottom, r.bottom);
    right = Math.max(right, r.right);
  }
  return top === Infinity ? null : new DOMRect(left, top, right - left, bottom - top);
}

/** Adds {@link SCROLLY_CSS} to `doc` unless a `style[data-rf-scrolly]` is there already. */
export function adoptScrollyStyles(doc: Document = document): void {
  registerThemeProperties();
  if (doc.querySelector('style[data-rf-scrolly]')) return;
  const style = doc.createElement('style');
  style.dataset['rfScrolly'] = '';
  style.textContent = SCROLLY_CSS;
  doc.head.prepend(style);
}

/**
 * `<rf-scrolly label="…" initial="…">`: see {@link SCROLLY_SPEC}. Its children stay where the
 * page put them: a figure marked `slot="figure"` and steps marked `data-step` (with
 * `data-state` and `data-label`). On connecting it puts the steps in one
 * `<div data-scrolly-steps>` column (unless the page wrote that column) and adds a polite
 * `[data-scrolly-live]` caption; a page that renders both moves nothing. A step's `data-focus`
 * names the part of the figure it talks about, which is kept in view while the step is active.
 * @example
 * <rf-scrolly label="Two kernels" initial="identity">
 *   <div slot="figure"><rf-kernel-lab data-rf-steps='{"blur":{"kernel":"box-blur"}}'></rf-kernel-lab></div>
 *   <div data-step data-state="identity" data-label="Identity">…</div>
 *   <div data-step data-state="blur" data-label="Box blur" data-focus=".grid.out">…</div>
 * </rf-scrolly>
 */
export class Scrolly extends HTMLElement {
  static readonly spec = SCROLLY_SPEC;
  static readonly observedAttributes = ['label'];

  #steps: HTMLElement[] = [];
  #live: HTMLElement | null = null;
  #active = -1;
  #cleanup: (() => void) | null = null;
  #figure: HTMLElement | null = null;
  #scroller: ReturnType<typeof scrollama> | null = null;
  #trigger = '';
  #leadFor = 0;
  #share: SharedFigure | null = null;
  #onScreen = false;

  /** The active step's state (its `data-state`). */
  get state(): string {
    return this.dataset['state'] ?? '';
  }
  /** Zero-based index of the active step; -1 before the element connects. */
  get index(): number {
    return this.#active;
  }
  get label(): string {
    return this.getAttribute('label') ?? '';
  }
  set label(v: string) {
    this.setAttribute('label', v);
  }
  get initial(): string {
    return this.getAttribute('initial') ?? '';
  }
  set initial(v: string) {
    this.setAttribute('initial', v);
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'label') {
      if (value === null) this.removeAttribute('aria-label');
      else this.setAttribute('aria-label', value);
    }
  }

  connectedCallback(): void {
    if (this.#cleanup) return;
    adoptScrollyStyles(this.ownerDocument);
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    const figure = this.querySelector<HTMLElement>(':scope > [slot="figure"]');
    this.#figure = figure;
    this.#steps = this.#arrange(figure);
    this.#live = this.#liveRegion();
    if (!this.hasAttribute('data-state')) {
      const first = this.#steps[0]?.dataset['state'];
      const initial = this.getAttribute('initial') ?? first;
      if (initial !== undefined) this.dataset['state'] = initial;
    }
    for (const el of this.querySelectorAll<HTMLElement>('[data-rf-steps]')) {
      followStepsAttribute(el);
    }

    const steps = this.#steps;
    const scroller = scrollama();
    this.#scroller = scroller;
    scroller
      .setup({ step: steps, offset: 0.5 })
      .onStepEnter(({ index, direction }) => this.#activate(index, direction));

    // Tabbing to a link or control inside a step makes that step the active one, so keyboard
    // readers who never scroll still drive the figure.
    const onFocus = (event: FocusEvent) => {
      const step = (event.target as Element | null)?.closest<HTMLElement>('[data-step]');
      if (step) this.#activate(steps.indexOf(step), 'none');
    };
    this.addEventListener('focusin', onFocus);

    // A resize reflows the text (on phones the figure moves above it), which would slide a
    // different step under the trigger line and jump the story. Keep the reader's step in place
    // instead; this runs before the next intersection check, so no step change fires.
    const onResize = () => {
      const step = steps[this.#active];
      if (!step) return;
      const { top, bottom } = step.getBoundingClientRect();
      const trigger = this.#triggerY();
      if (top > trigger || bottom < trigger) step.scrollIntoView({ block: 'center' });
    };
    window.addEventListener('resize', onResize);

    let observer: ResizeObserver | null = null;
    const refit = () => this.#fit();
    if (figure) {
      if (typeof ResizeObserver !== 'undefined') {
        // The figure itself, and what is inside it: on phones the panel keeps its height while
        // a live figure renders below its edge, and the part a step names must be found again.
        observer = new ResizeObserver(refit);
        observer.observe(figure);
        for (const el of figure.querySelectorAll(':scope > *, :scope > * > *'))
          observer.observe(el);
      }
      window.addEventListener('resize', refit);
      refit();
    }

    // The step the reader is at goes in the page's address while the sequence is on screen, so a
    // link opens the lesson there (see share.ts).
    const seen =
      typeof IntersectionObserver === 'undefined'
        ? null
        : new IntersectionObserver(([entry]) => {
            this.#onScreen = Boolean(entry?.isIntersecting);
            this.#share?.changed();
          });
    seen?.observe(this);

    this.#cleanup = () => {
      this.#scroller = null;
      seen?.disconnect();
      this.#share?.dispose();
      this.#share = null;
      this.removeEventListener('focusin', onFocus);
      window.removeEventListener('resize', onResize);
      window.removeEventListener('resize', refit);
      observer?.disconnect();
      scroller.destroy();
    };
    this.dataset['ready'] = 'true';
    if (this.#active === -1) this.#activate(0, 'none');
    this.#share = shareFigure({
      element: this,
      scroller: true,
      save: () => (this.#onScreen && this.#active >= 0 ? this.state : null),
      restore: (state, cause) => this.#restoreStep(state, cause),
    });
  }

  /**
   * A link's step: made active, then scrolled to the line steps cross (again once the page has
   * loaded and the figures above have their heights, unless the reader has moved meanwhile).
   * Back and Forward leave the scrolling to the browser, which restores the entry's position.
   */
  #restoreStep(state: string | null, cause: 'load' | 'history'): boolean {
    if (state === null || cause === 'history') return true;
    const index = this.#steps.findIndex((s) => (s.dataset['state'] ?? '') === state);
    if (index < 0) return false;
    this.#activate(index, 'none');
    const step = this.#steps[index]!;
    let moved = false;
    const stop = () => {
      moved = true;
    };
    for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const) {
      window.addEventListener(type, stop, { once: true, passive: true });
    }
    const go = () => {
      if (moved || this.#active !== index) return;
      const box = step.getBoundingClientRect();
      const top = window.scrollY + box.top + Math.min(box.height / 2, 40) - this.#triggerY();
      window.scrollTo({ top: Math.max(0, Math.round(top)), behavior: 'instant' });
    };
    go();
    requestAnimationFrame(go);
    if (document.readyState !== 'complete') window.addEventListener('load', go, { once: true });
    return true;
  }

  disconnectedCallback(): void {
    this.#cleanup?.();
    this.#cleanup = null;
  }

  /** The steps, in one `[data-scrolly-steps]` column: the page's own, or one made here. */
  #arrange(figure: HTMLElement | null): HTMLElement[] {
    let column = this.querySelector<HTMLElement>(':scope > [data-scrolly-steps]');
    if (!column) {
      column = this.ownerDocument.createElement('div');
      column.dataset['scrollySteps'] = '';
      const rest = Array.from(this.childNodes).filter(
        (n) =>
          n !== figure &&
          !(n instanceof Element && (n.matches('[data-scrolly-live]') || n.localName === 'style')),
      );
      column.append(...rest);
      this.append(column);
    }
    return Array.from(column.querySelectorAll<HTMLElement>('[data-step]')).filter(
      (s) => s.closest('rf-scrolly') === this,
    );
  }

  /**
   * Places the figure for the active step. Wide screens: the pinned figure sits in the middle of
   * the window when it fits; a taller one (a 3D view with its table) is pinned so that the part
   * the step talks about is inside the window. Phones: the figure is a panel above the text, at
   * most half the screen; it scrolls to the step's part, and the step that becomes active is the
   * one crossing the middle of the space left below the panel.
   */
  #fit(): void {
    const figure = this.#figure;
    if (!figure) return;
    const step = this.#steps[this.#active];
    const selector = step?.dataset['focus'];
    const box = selector ? focusBox(figure, selector) : null;
    const vh = window.innerHeight;
    const compact = window.matchMedia(COMPACT_QUERY).matches;
    const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    if (compact) {
      figure.style.removeProperty('--rf-pin-top');
      // A panel that scrolls must be reachable by keyboard when nothing inside it is.
      if (figure.scrollHeight > figure.clientHeight) figure.tabIndex = 0;
      else figure.removeAttribute('tabindex');
      if (box) {
        const panel = figure.getBoundingClientRect();
        const view = figure.clientHeight;
        const top = box.top - panel.top + figure.scrollTop;
        // Centre the part in the panel when it fits, else show its top.
        const target = box.height <= view ? top - (view - box.height) / 2 : top;
        const max = figure.scrollHeight - view;
        figure.scrollTo({
          top: Math.max(0, Math.min(max, Math.round(target))),
          behavior: smooth ? 'smooth' : 'auto',
        });
      }
      const below = Math.min(figure.offsetHeight, vh * 0.6);
      this.#setTrigger(`${Math.round(below + (vh - below) * 0.33)}px`);
      return;
    }
    this.#setTrigger('0.5');
    figure.removeAttribute('tabindex');
    const height = figure.offsetHeight;
    let top = (vh - height) / 2;
    if (top < 16) {
      top = 16;
      if (box) {
        // The part's offsets inside the figure, whatever the figure's current pin.
        const frame = figure.getBoundingClientRect();
        const from = box.top - frame.top;
        const to = box.bottom - frame.top;
        if (16 + to > vh - 16) top = Math.max(16 - from, vh - 16 - to);
      }
    }
    figure.style.setProperty('--rf-pin-top', `${Math.round(top)}px`);
    // The first step reaches the middle of the window only once the figure is pinned, so the
    // figure is whole beside it. It follows the figure only while the first step is active (or
    // the window changes): moving the text later, when a step changes the figure's height, would
    // slide another step under the trigger line and jump the story.
    if (this.#active <= 0 || vh !== this.#leadFor) {
      // While the first step is active, the pin is that step's: a tall figure raised (a negative
      // pin) so the step's part is inside the window is pinned only after the page scrolls that
      // much further, so the first step reaches the middle that much later.
      const pinned = this.#active <= 0 ? top : Math.max(16, (vh - height) / 2);
      this.#leadFor = vh;
      this.style.setProperty('--rf-lead', `${Math.max(0, Math.round(vh / 2 - pinned))}px`);
    }
  }

  /** Moves the line a step must cross to become active (a fraction of the window, or "Npx"). */
  #setTrigger(offset: string): void {
    if (offset === this.#trigger || !this.#scroller) return;
    this.#trigger = offset;
    // scrollama 3.2 has offset() at run time, but its index.d.ts does not declare it.
    (this.#scroller as unknown as { offset(value: string | number): unknown }).offset(
      offset.endsWith('px') ? offset : Number(offset),
    );
  }

  /** Where the trigger line is now, in pixels from the top of the window. */
  #triggerY(): number {
    return this.#trigger.endsWith('px')
      ? Number.parseFloat(this.#trigger)
      : window.innerHeight * (Number(this.#trigger) || 0.5);
  }

  #liveRegion(): HTMLElement {
    const found = this.querySelector<HTMLElement>('[data-scrolly-live]');
    if (found) return found;
    const live = this.ownerDocument.createElement('p');
    live.dataset['scrollyLive'] = '';
    live.setAttribute('aria-live', 'polite');
    this.append(live);
    return live;
  }

  #activate(index: number, direction: StepChange['direction']): void {
    if (index === this.#active || index < 0 || index >= this.#steps.length) return;
    this.#active = index;
    const step = this.#steps[index]!;
    const state = step.dataset['state'] ?? String(index);
    this.#steps.forEach((s, i) => {
      if (i === index) s.setAttribute('aria-current', 'step');
      else s.removeAttribute('aria-current');
    });
    this.dataset['state'] = state;
    this.dataset['activeStep'] = String(index);
    this.#share?.changed();
    if (this.#live) this.#live.textContent = step.dataset['label'] ?? '';
    this.#fit();
    this.dispatchEvent(
      new CustomEvent<StepChange>(STEP_EVENT, {
        detail: { index, state, direction },
        bubbles: true,
      }),
    );
  }
}

/** Registers `<rf-scrolly>` unless it is registered already (safe to call twice). */
export function defineScrolly(registry: CustomElementRegistry = customElements): void {
  if (!registry.get(SCROLLY_SPEC.tag)) registry.define(SCROLLY_SPEC.tag, Scrolly);
}
