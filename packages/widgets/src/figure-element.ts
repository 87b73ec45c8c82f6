/**
 * The base of the figures: from an element's spec it derives `observedAttributes`, a property
 * per attribute (parsed, checked, reflected where the spec says so) and the attribute handling;
 * it follows the pad named by `for` (its digits and the comparison's runs, the run of the
 * element's `model` picked out), announces politely once things rest, and says when the element
 * comes near the viewport or leaves it. A figure writes only what it draws.
 *
 * @example
 * class Histogram extends figureElement(HISTOGRAM_SPEC) {
 *   protected connected() { this.#build(); }
 *   protected changed(property: string) { if (property === 'bins') this.#draw(); }
 *   protected modelRun(run: ModelRun | null) { this.#show(run); }
 * }
 */
import {
  type DigitChange,
  type DigitRun,
  followPad,
  latest,
  type ModelRun,
  type ReaderModel,
} from './digit-run.js';
import { el, watchViewport } from './dom.js';
import {
  applyAttribute,
  defaultValue,
  type PropSpec,
  type PropsOf,
  type WidgetSpec,
} from './props.js';
import { type CopyLinkControl, copyLinkControl, type SharedFigure, shareFigure } from './share.js';
import { THEME } from './theme.js';

const copy = <T>(v: T): T =>
  Array.isArray(v) ? ([...v] as T) : v && typeof v === 'object' ? ({ ...v } as T) : v;

/**
 * What every figure has, whatever its spec. Subclasses implement the hooks they need; they do
 * not override `connectedCallback`, `disconnectedCallback` or `attributeChangedCallback`.
 */
export abstract class FigureBase extends HTMLElement {
  #values = new Map<string, unknown>();
  #live: HTMLElement | null = null;
  #announceTimer = 0;
  #unwatch: (() => void) | null = null;
  #unfollow: (() => void) | null = null;
  /** Between `connectedCallback` and `disconnectedCallback`. */
  #wired = false;
  /** True while the element is within the wake margin of the viewport. */
  protected near = false;

  /** The spec of the element's class. */
  get spec(): WidgetSpec {
    return (this.constructor as unknown as { spec: WidgetSpec }).spec;
  }

  /** Builds the element's DOM when it is first connected (and again after a move, if needed). */
  protected connected(): void {}
  /** Frees what `connected` took (timers, observers, GPU objects). */
  protected disconnected(): void {}
  /** A property changed (from its attribute or its setter), with its previous value. */
  protected changed(_property: string, _old: unknown): void {}
  /**
   * Set for a figure that works only near the viewport: called as it comes within
   * `wakeMargin` (two screens by default) and as it leaves.
   */
  protected nearChanged?(near: boolean): void;
  protected wakeMargin: string = THEME.wakeMargin;
  /** Set to follow the pad's digit (the pad named by `for`), also its latest one on connect. */
  protected padDigit?(change: DigitChange): void;
  /**
   * Set to follow the comparison's runs on the pad: the run of the element's `model` (null
   * when the pad was cleared), with the whole run.
   */
  protected modelRun?(run: ModelRun | null, all: DigitRun | null): void;
  /** A run without the element's `model`, with the sentence that says so. */
  protected modelMissing?(message: string): void;
  /** Set to hear of the reader's own model for the pad (null when it is dropped). */
  protected readerModel?(model: ReaderModel | null): void;
  /**
   * Set, with {@link restoreState}, for a figure whose reader state a link can hold (see
   * `share.ts`): that state as a short string, or null while it shows what the page set.
   */
  protected saveState?(): string | null;
  /**
   * Shows a state {@link saveState} wrote (null: what the page set); false for a string it
   * cannot read, leaving the figure as it is.
   */
  protected restoreState?(state: string | null, cause: 'load' | 'history'): boolean;

  #share: SharedFigure | null = null;
  #shareUi: CopyLinkControl | null = null;

  /** Tells the address that the reader changed what {@link saveState} returns. */
  protected stateChanged(): void {
    this.#share?.changed();
  }

  /**
   * The "Copy link" button with its status line, for a figure that saves its state: append it
   * once where the figure's controls are (see {@link copyLinkControl}).
   */
  protected get shareControl(): HTMLElement {
    this.#shareUi ??= copyLinkControl(() => this.#share?.link() ?? null);
    return this.#shareUi.element;
  }

  /**
   * What the page set for `property`: its attribute read by the spec's parser, or the default
   * (also for an attribute the parser refuses).
   */
  protected authored(property: string): unknown {
    const prop = this.spec.props.find((p) => p.property === property);
    if (!prop) throw new RangeError(`<${this.spec.tag}> has no property ${property}`);
    const text = prop.attribute ? this.getAttribute(prop.attribute) : null;
    if (prop.parser?.presence) return text !== null;
    if (text === null) return defaultValue(this.spec, prop);
    try {
      return prop.parser ? prop.parser.parse(text, this.spec.tag, prop.attribute!) : text;
    } catch {
      return defaultValue(this.spec, prop);
    }
  }

  connectedCallback(): void {
    this.connected();
    if (this.saveState && this.restoreState && !this.#share) {
      this.#share = shareFigure({
        element: this,
        save: () => this.saveState!(),
        restore: (state, cause) => this.restoreState!(state, cause),
        note: (text) => {
          this.shareControl;
          this.#shareUi!.say(text);
        },
      });
    }
    this.#wired = true;
    this.#follow(true);
    if (this.nearChanged) {
      this.#unwatch = watchViewport(this, this.wakeMargin, (near) => {
        this.near = near;
        this.nearChanged?.(near);
      });
    }
  }

  disconnectedCallback(): void {
    this.#wired = false;
    this.#share?.dispose();
    this.#share = null;
    this.#unfollow?.();
    this.#unfollow = null;
    this.#unwatch?.();
    this.#unwatch = null;
    clearTimeout(this.#announceTimer);
    this.disconnected();
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    const prop = this.spec.props.find((p) => p.attribute === name);
    if (!prop) return;
    if (prop.reflect) {
      if (old === value) return;
      this.changed(prop.property, old);
      // Not while the element upgrades: its attributes arrive before `connected` builds it.
      if (name === 'for' && this.#wired) this.#follow(true);
      return;
    }
    // Through the property, so that a figure's own accessor for a prop (if it writes one) sees
    // the attribute too.
    const set = (v: unknown) => {
      (this as unknown as Record<string, unknown>)[prop.property] = v;
    };
    const parser = prop.parser;
    if (parser?.presence) set(value !== null);
    else if (value === null) set(defaultValue(this.spec, prop));
    else if (!parser) set(value);
    else applyAttribute(() => parser.parse(value, this.spec.tag, name), set);
  }

  /** The live region announcements go to: append it once to the shadow root. */
  protected get live(): HTMLElement {
    this.#live ??= el('p', { class: 'sr-only', 'aria-live': 'polite', 'data-live': '' });
    return this.#live;
  }

  /**
   * Says `text` in the live region once nothing new has come for `delay` ms (a moving pen or
   * pointer stays quiet); an empty text silences it at once. A function is read when the time
   * comes (null: say nothing), so what is said is what the figure shows then.
   */
  protected announce(
    text: string | (() => string | null),
    delay: number = THEME.announceDelayMs,
  ): void {
    clearTimeout(this.#announceTimer);
    if (!text) {
      this.live.textContent = '';
      return;
    }
    const say = () => {
      const t = typeof text === 'function' ? text() : text;
      if (t !== null) this.live.textContent = t;
    };
    if (delay <= 0) say();
    else this.#announceTimer = window.setTimeout(say, delay);
  }

  /** Hands the latest run again (after a change of model); a missing model is reported. */
  protected adoptRun(): void {
    const pad = this.getAttribute('for');
    if (!pad || !this.modelRun) return;
    const { run } = latest(pad);
    if (run) this.#takeRun(run, true);
  }

  #follow(adopt: boolean): void {
    this.#unfollow?.();
    this.#unfollow = null;
    const pad = this.getAttribute('for');
    if (!pad || !(this.padDigit || this.modelRun || this.readerModel)) return;
    this.#unfollow = followPad(pad, {
      digit: (d) => {
        this.padDigit?.(d);
        if (d.empty) this.modelRun?.(null, null);
      },
      run: (r) => this.#takeRun(r, false),
      model: (m) => this.readerModel?.(m),
    });
    if (!adopt) return;
    const { digit, run, model } = latest(pad);
    if (model && this.readerModel) this.readerModel(model);
    if (digit && this.padDigit) this.padDigit(digit);
    if (run) this.#takeRun(run, true);
  }

  #takeRun(run: DigitRun, reportMissing: boolean): void {
    const model = (this as unknown as { model?: string }).model;
    const mine = model === undefined ? run.results[0] : run.results.find((r) => r.model === model);
    if (mine) this.modelRun?.(mine, run);
    // A comparison that lists the model but has not answered with it yet is still downloading
    // it (each model answers as soon as its own file is in): nothing to report.
    else if (reportMissing || !run.models.includes(model ?? '')) {
      this.modelMissing?.(
        `The comparison for “${run.pad}” does not run the ${model} model: add it to its models.`,
      );
    }
  }

  /** @internal The generated accessors' store. */
  protected propValue(prop: PropSpec): unknown {
    if (prop.reflect) return this.getAttribute(prop.attribute!);
    return this.#values.has(prop.property)
      ? this.#values.get(prop.property)
      : defaultValue(this.spec, prop);
  }

  /** @internal Sets a property from its setter: checked, stored, then `changed`. */
  protected setProp(prop: PropSpec, v: unknown): void {
    if (prop.reflect) {
      if (v === null || v === undefined) this.removeAttribute(prop.attribute!);
      else this.setAttribute(prop.attribute!, String(v));
      return;
    }
    const parser = prop.parser;
    let value = v;
    if (parser?.presence) value = Boolean(v);
    else if (parser && v !== null) {
      const text = typeof v === 'string' ? v : parser.format(v);
      value = parser.parse(text, this.spec.tag, prop.attribute ?? prop.property);
    }
    this.#set(prop, value);
  }

  #set(prop: PropSpec, value: unknown): void {
    const old = this.propValue(prop);
    this.#values.set(prop.property, value);
    this.changed(prop.property, old);
    if (prop.property === 'model' && this.isConnected) this.adoptRun();
  }
}

/** The class a spec gives: its statics and its generated properties. */
export type FigureClass<S extends WidgetSpec> = (abstract new () => FigureBase & PropsOf<S>) & {
  readonly spec: S;
  readonly observedAttributes: string[];
};

/**
 * The base class of the element `spec` describes: `observedAttributes` and one accessor per
 * attribute, typed from the spec (`PropsOf`). Getters return copies of arrays and objects.
 */
export function figureElement<const S extends WidgetSpec>(spec: S): FigureClass<S> {
  abstract class Figure extends FigureBase {
    static readonly spec = spec;
    static readonly observedAttributes = spec.props.flatMap((p) =>
      p.attribute === null ? [] : [p.attribute],
    );
  }
  for (const prop of spec.props) {
    if (prop.attribute === null) continue;
    Object.defineProperty(Figure.prototype, prop.property, {
      configurable: true,
      enumerable: true,
      get(this: Figure) {
        return copy(this.propValue(prop));
      },
      set(this: Figure, v: unknown) {
        this.setProp(prop, v);
      },
    });
  }
  return Figure as unknown as FigureClass<S>;
}
