/**
 * How a figure shows a model's run without running it: `<rf-feature-maps>` and `<rf-network-3d>`
 * follow the `<rf-model-compare>` of their pad, whose `rf-predict` carries every layer's output,
 * so the figures and the probability bars always show the same run.
 */
import type { Predictions } from './model-compare.js';

/** One model's answer in an `rf-predict`. */
export type ModelResult = Predictions['results'][number];

/** How to build a {@link CompareFollower}. */
export interface CompareFollowerOptions {
  /** The model the figure shows (read at each run). */
  model: () => string;
  /** A run of that model: each `rf-predict` of the comparison, or its latest on `adopt()`. */
  onResult: (result: ModelResult) => void;
  /** A run without that model, with the sentence that says so. */
  onMissing: (message: string) => void;
  /** The pad was cleared. */
  onEmpty: () => void;
}

/**
 * Follows the comparison whose `for` is the element's `htmlFor` (the pad's id): its runs, and
 * the pad's clearing.
 *
 * @example
 * const follow = new CompareFollower(this, { model: () => this.model, onResult, onMissing, onEmpty });
 * connectedCallback() { follow.connect(); follow.adopt(); }
 * disconnectedCallback() { follow.disconnect(); }
 */
export class CompareFollower {
  readonly #onPredict = (e: Event) => {
    const source = e.composedPath()[0] as Element | undefined;
    const pad = this.element.htmlFor;
    if (!pad || source?.localName !== 'rf-model-compare') return;
    if (source.getAttribute('for') !== pad) return;
    // A comparison that lists the model but has not answered with it yet is still downloading
    // it (each model answers as soon as its own file is in): nothing to report.
    const listed = (source as Element & { models?: string[] }).models?.includes(
      this.options.model(),
    );
    this.#take((e as CustomEvent<Predictions>).detail.results, !listed);
  };
  readonly #onDigit = (e: Event) => {
    const target = e.composedPath()[0] as Element | undefined;
    const pad = this.element.htmlFor;
    if (!pad || target?.id !== pad) return;
    if ((e as CustomEvent<{ empty: boolean }>).detail.empty) this.options.onEmpty();
  };

  constructor(
    readonly element: Element & { readonly htmlFor: string | null },
    private readonly options: CompareFollowerOptions,
  ) {}

  /** Starts listening (call from connectedCallback). */
  connect(): void {
    document.addEventListener('rf-predict', this.#onPredict);
    document.addEventListener('rf-digit', this.#onDigit);
  }

  /** Stops listening (call from disconnectedCallback). */
  disconnect(): void {
    document.removeEventListener('rf-predict', this.#onPredict);
    document.removeEventListener('rf-digit', this.#onDigit);
  }

  /**
   * Takes the comparison's latest run: one that answered before the element was upgraded, or
   * before it changed model or pad. A run without the model is passed over unless
   * `reportMissing` (the next `rf-predict` says so either way).
   */
  adopt({ reportMissing = false }: { reportMissing?: boolean } = {}): void {
    const pad = this.element.htmlFor;
    if (!pad) return;
    const compare = document.querySelector(`rf-model-compare[for="${CSS.escape(pad)}"]`) as
      | (Element & { results?: Predictions['results'] })
      | null;
    if (compare?.results?.length) this.#take(compare.results, reportMissing);
  }

  #take(results: Predictions['results'], reportMissing: boolean): void {
    const model = this.options.model();
    const mine = results.find((r) => r.model === model);
    if (mine) this.options.onResult(mine);
    else if (reportMissing) {
      this.options.onMissing(
        `The comparison for “${this.element.htmlFor}” does not run the ${model} model: add it to its models.`,
      );
    }
  }
}
