/**
 * How a digit travels between figures: a `<rf-digit-pad>` publishes each change of its digit,
 * the `<rf-model-compare>` that follows it runs the models once and publishes one
 * {@link DigitRun} (the input pixels and, per model, every activation, the geometry, the engine
 * and the time), and every other figure that follows the same pad takes what it shows from
 * those. No figure fetches a model again or reaches back to the pad by id.
 *
 * The channels are keyed by the pad's id (the `for` of the figures) and remember their latest
 * digit and run, so a figure that wakes up late shows what the others already show.
 */
import type { SequentialModel } from '@receptive/core';

/** `event.detail` of `rf-digit`. */
export interface DigitChange {
  /** 784 values in [0, 1], row by row: the 28x28 image the models see. */
  pixels: Float32Array;
  /** True when there is no ink (after Clear). */
  empty: boolean;
  source: 'drawing' | 'held-out';
  /** For a held-out digit: its index and true label. */
  index?: number;
  label?: number;
  /** The nudge applied with the arrow keys, in pixels. */
  offset: { x: number; y: number };
  /** True while the pen is still down (more events follow). */
  drawing: boolean;
}

/** One layer's output for the digit: `dims` is [1, channels, height, width] for a feature map. */
export interface LayerActivation {
  dims: readonly number[];
  data: Float32Array;
}

/** One model's answer to a digit, with everything a figure may draw of it. */
export interface ModelRun {
  model: string;
  /** Ten probabilities. */
  probs: number[];
  prediction: number;
  /**
   * Who answered: `core/cpu` (@receptive/core, as soon as the model's file is in), or
   * `onnxruntime-web/<backend>` where an author asked for a backend or the core cannot run it.
   */
  engine: string;
  /** Every layer's output of this run, by layer name (shared: copy what you keep). */
  activations: Record<string, LayerActivation>;
  /**
   * The model as @receptive/core read it from the same file (layer kinds and shapes, for
   * receptive fields), or null when the core cannot read it.
   */
  geometry: SequentialModel | null;
  /** Milliseconds this model took for this digit. */
  ms: number;
}

/** `event.detail` of `rf-predict`: one run of a comparison's models on one digit of a pad. */
export interface DigitRun {
  /** The id of the pad the digit came from. */
  pad: string;
  /** The 784 input values the models read. */
  pixels: Float32Array;
  /** Every model the comparison runs, in order (one still downloading has no result yet). */
  models: readonly string[];
  /** The models that answered. */
  results: ModelRun[];
  /** Milliseconds for all of them. */
  ms: number;
}

/** The name the figures know the reader's own model by (see {@link ReaderModel}). */
export const READER_MODEL = 'yours';

/**
 * A model the reader made on this page (trained by `<rf-digit-trainer>`, taken with "Use my
 * model"): the comparison that follows the pad answers with it beside the shipped models, under
 * the name {@link READER_MODEL}, and the feature maps switch to it.
 */
export interface ReaderModel {
  model: SequentialModel;
  /** How the figures label it, e.g. "Your model". */
  title: string;
  /** One line about it, e.g. "Trained in this page for 1,200 steps". */
  facts: string;
}

/** What a figure hears from the pad it follows. */
export interface PadListener {
  /** Each change of the pad's digit (an empty one after Clear). */
  digit?(change: DigitChange): void;
  /** Each run of the comparison that follows the pad. */
  run?(run: DigitRun): void;
  /** The reader's model, when one is taken for the pad (null when it is dropped). */
  model?(model: ReaderModel | null): void;
}

interface Channel {
  digit: DigitChange | null;
  run: DigitRun | null;
  model: ReaderModel | null;
  listeners: Set<PadListener>;
}

const channels = new Map<string, Channel>();

function channel(pad: string): Channel {
  let c = channels.get(pad);
  if (!c) {
    c = { digit: null, run: null, model: null, listeners: new Set() };
    channels.set(pad, c);
  }
  return c;
}

/** Called by a pad for each change of its digit; an empty digit also forgets the last run. */
export function publishDigit(pad: string, change: DigitChange): void {
  const c = channel(pad);
  c.digit = change;
  if (change.empty) c.run = null;
  for (const l of [...c.listeners]) l.digit?.(change);
}

/** Called by a comparison once per run of its models on a pad's digit. */
export function publishRun(run: DigitRun): void {
  const c = channel(run.pad);
  c.run = run;
  for (const l of [...c.listeners]) l.run?.(run);
}

/** Called by a trainer when the reader takes (or drops, with null) their model for a pad. */
export function publishModel(pad: string, model: ReaderModel | null): void {
  const c = channel(pad);
  c.model = model;
  for (const l of [...c.listeners]) l.model?.(model);
}

/** The pad's latest digit, the latest run on it and the reader's model (null when none). */
export function latest(pad: string): {
  digit: DigitChange | null;
  run: DigitRun | null;
  model: ReaderModel | null;
} {
  const c = channels.get(pad);
  return { digit: c?.digit ?? null, run: c?.run ?? null, model: c?.model ?? null };
}

/**
 * Listens to a pad's channel until the returned function is called.
 * @example const stop = followPad('pad', { run: (r) => draw(r.results[0]) });
 */
export function followPad(pad: string, listener: PadListener): () => void {
  const c = channel(pad);
  c.listeners.add(listener);
  return () => c.listeners.delete(listener);
}
