import type { Tape, Var } from './autograd.js';
import { ArgumentError, ShapeError } from './errors.js';
import { allFinite, type ForwardPlan, forwardPlan } from './forward-plan.js';
import { kindOf, LAYER_KINDS, type LayerKind, layerKind } from './layer-kinds.js';
import type { Layer, LayerSpec } from './layers.js';
import { reluInPlace } from './ops/relu.js';
import { createRng } from './random.js';
import type { Tensor } from './tensor.js';

/** One trainable tensor of a model, named `layer.weight` or `layer.bias`. */
export interface Parameter {
  layer: string;
  name: 'weight' | 'bias';
  value: Tensor;
}

/** Cost of one example through one layer. A multiply-add counts as 2 FLOPs. */
export interface LayerCost {
  name: string;
  kind: Layer['kind'];
  params: number;
  macs: number;
  flops: number;
}

/** JSON form of a model: hyperparameters as they are, parameter tensors as number arrays. */
export interface ModelJSON {
  format: 'receptive-sequential';
  version: 1;
  inputShape: number[];
  layers: Record<string, unknown>[];
}

/** What {@link SequentialModel.forwardAll} returns. */
export interface ForwardResult {
  output: Tensor;
  /** `input` and then every layer's output, keyed by layer name, in layer order. */
  activations: Record<string, Tensor>;
}

/** Resolves specs into layers with shapes and parameters. */
function build(specs: readonly LayerSpec[], inputShape: number[], seed: number): Layer[] {
  const rng = createRng(seed);
  const counts: Partial<Record<Layer['kind'], number>> = {};
  const names = new Set<string>();
  let shape = [...inputShape];
  return specs.map((spec) => {
    const kind = layerKind(spec.kind);
    const n = (counts[spec.kind] ?? 0) + 1;
    counts[spec.kind] = n;
    const name = spec.name ?? `${kind.prefix}${n}`;
    if (names.has(name) || name === 'input') {
      throw new ArgumentError('sequential', `layer name "${name}" is used twice (or is "input")`);
    }
    names.add(name);
    const inputShapeHere = [...shape];
    const op = `sequential: layer "${name}" (${spec.kind})`;
    const layer = (kind as unknown as LayerKind<Layer['kind']>).build(spec as never, {
      op,
      name,
      inputShape: inputShapeHere,
      spatial() {
        if (shape.length !== 3) throw new ShapeError(op, '[C, H, W] per example', shape);
        return shape as [number, number, number];
      },
      rng,
    });
    shape = layer.outputShape;
    return layer;
  });
}

/** Runs one layer on plain tensors. */
export function applyLayer(layer: Layer, x: Tensor): Tensor {
  return kindOf(layer).forward(layer, x);
}

/** Runs one layer on a tape; `params` maps a parameter tensor to its variable. */
export function applyLayerOnTape(tape: Tape, layer: Layer, x: Var, params: Map<Tensor, Var>): Var {
  const p = (t: Tensor | null): Var | null => (t ? (params.get(t) ?? tape.variable(t)) : null);
  return kindOf(layer).forwardOnTape(tape, layer, x, p);
}

function layerCost(l: Layer): LayerCost {
  const { macs, other } = kindOf(l).cost(l);
  const params = 'weight' in l ? l.weight.data.length + (l.bias?.data.length ?? 0) : 0;
  return { name: l.name, kind: l.kind, params, macs, flops: 2 * macs + other };
}

/**
 * A stack of layers applied in order. Build one with {@link sequential}.
 */
export class SequentialModel {
  /** Shape of one example, e.g. [1, 28, 28]; inputs to `forward` are [N, ...inputShape]. */
  readonly inputShape: readonly number[];
  readonly layers: readonly Layer[];

  constructor(inputShape: readonly number[], layerList: readonly Layer[]) {
    this.inputShape = [...inputShape];
    this.layers = layerList;
  }

  /** Shape of one example's output. */
  get outputShape(): readonly number[] {
    return this.layers.at(-1)?.outputShape ?? this.inputShape;
  }

  /** The layer called `name`. @throws {ArgumentError} when there is none. */
  layer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) {
      throw new ArgumentError(
        'model.layer',
        `no layer "${name}"; layers are ${this.layers.map((x) => x.name).join(', ')}`,
      );
    }
    return l;
  }

  /** Index of layer `name` in `layers`. */
  indexOf(name: string): number {
    return this.layers.indexOf(this.layer(name));
  }

  private checkInput(x: Tensor): void {
    const want = this.inputShape;
    if (x.shape.length !== want.length + 1 || want.some((d, i) => x.shape[i + 1] !== d)) {
      throw new ShapeError('model.forward', `[N, ${want.join(', ')}]`, x.shape);
    }
  }

  // forward's compiled steps and their buffers, by batch size (the last few sizes used).
  private readonly plans = new Map<number, ForwardPlan>();

  /**
   * The model's output for a batch x [N, ...inputShape], as a new tensor the caller owns (the
   * activations in between live in buffers the model reuses on its next call).
   */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const n = x.shape[0]!;
    if (n > 0 && this.layers.length > 0 && allFinite(x.data)) {
      let plan = this.plans.get(n);
      if (!plan) {
        if (this.plans.size >= 4) this.plans.delete(this.plans.keys().next().value!);
        plan = forwardPlan(this.layers, n, applyLayer);
        this.plans.set(n, plan);
      }
      const y = plan.run(x.data);
      // Anything not finite (which the fast steps do not stop at) is reported by the checked
      // path below, with the error the op that meets it has always thrown.
      if (y && allFinite(y)) return { shape: [n, ...this.outputShape], data: y.slice() };
    }
    return this.forwardChecked(x);
  }

  // Layer by layer through the ops, each checking its input: the reference that forward's
  // compiled plan must match bit for bit, and what reports bad values.
  private forwardChecked(x: Tensor): Tensor {
    let y = x;
    const ls = this.layers;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i]!;
      y = applyLayer(l, y);
      // A ReLU right after a conv or linear layer rectifies that layer's fresh output in
      // place: nobody else holds it here (forwardAll keeps both and does not do this).
      if ((l.kind === 'conv2d' || l.kind === 'linear') && ls[i + 1]?.kind === 'relu') {
        const pool = ls[i + 2];
        if (pool?.kind === 'maxPool2d') {
          // relu(max(window)) = max(relu(window)) since relu is monotone: pooling first
          // rectifies a map a quarter the size (for 2x2), with the same bits.
          y = applyLayer(pool, y);
          i++;
        }
        reluInPlace(y.data);
        i++;
      }
    }
    return y;
  }

  /**
   * The output and every intermediate activation, by layer name (plus `input`); one run feeds
   * every figure. `until` stops after the named layer.
   */
  forwardAll(x: Tensor, until?: string): ForwardResult {
    this.checkInput(x);
    const last = until === undefined ? this.layers.length - 1 : this.indexOf(until);
    const activations: Record<string, Tensor> = { input: x };
    let y = x;
    for (let i = 0; i <= last; i++) {
      const l = this.layers[i]!;
      y = applyLayer(l, y);
      activations[l.name] = y;
    }
    return { output: y, activations };
  }

  /** Every trainable tensor in layer order (weight before bias). */
  parameters(): Parameter[] {
    const out: Parameter[] = [];
    for (const l of this.layers) {
      if (kindOf(l).trainable && 'weight' in l) {
        out.push({ layer: l.name, name: 'weight', value: l.weight });
        if (l.bias) out.push({ layer: l.name, name: 'bias', value: l.bias });
      }
    }
    return out;
  }

  /** Number of trainable numbers. */
  parameterCount(): number {
    return this.parameters().reduce((s, p) => s + p.value.data.length, 0);
  }

  /** Per-layer and total cost of one example. */
  flops(): { total: number; macs: number; layers: LayerCost[] } {
    const per = this.layers.map(layerCost);
    return {
      total: per.reduce((s, c) => s + c.flops, 0),
      macs: per.reduce((s, c) => s + c.macs, 0),
      layers: per,
    };
  }

  /** Runs the model on a tape with the given parameter variables (used by training and saliency). */
  forwardOnTape(tape: Tape, x: Var, params: Map<Tensor, Var>, until?: number): Var {
    this.checkInput(x.value);
    const last = until ?? this.layers.length - 1;
    let y = x;
    for (let i = 0; i <= last; i++) y = applyLayerOnTape(tape, this.layers[i]!, y, params);
    return y;
  }

  /** Plain JSON (hyperparameters and parameters as number arrays); see {@link modelFromJSON}. */
  toJSON(): ModelJSON {
    return {
      format: 'receptive-sequential',
      version: 1,
      inputShape: [...this.inputShape],
      layers: this.layers.map((l) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(l)) {
          o[k] =
            v && typeof v === 'object' && 'data' in v
              ? { shape: [...(v as Tensor).shape], data: Array.from((v as Tensor).data) }
              : v;
        }
        return o;
      }),
    };
  }
}

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /** Shape of one example, e.g. [1, 28, 28] for a grey 28x28 digit. */
  inputShape: readonly number[];
  /** Seed of the weight init; the same seed gives the same weights everywhere. Default 0. */
  seed?: number;
}

/**
 * Builds a model from layers. Names default to conv1, relu1, pool1, conv2, ...; shapes are
 * checked layer by layer now, not at the first forward pass.
 *
 * @throws {ShapeError} when a layer cannot take the previous layer's output.
 * @example
 * const net = sequential([
 *   layers.conv2d({ filters: 8, kernel: 3 }), layers.relu(), layers.maxPool2d({ kernel: 2 }),
 *   layers.conv2d({ filters: 16, kernel: 3 }), layers.relu(), layers.maxPool2d({ kernel: 2 }),
 *   layers.flatten(), layers.linear({ units: 10 }), layers.softmax(),
 * ], { inputShape: [1, 28, 28], seed: 1 });
 * net.parameterCount(); // 5258
 */
export function sequential(specs: readonly LayerSpec[], opts: SequentialOptions): SequentialModel {
  if (!opts?.inputShape || opts.inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ArgumentError(
      'sequential',
      `inputShape must be positive integers, received ${JSON.stringify(opts?.inputShape)}`,
    );
  }
  return new SequentialModel(opts.inputShape, build(specs, [...opts.inputShape], opts.seed ?? 0));
}

/** Rebuilds a model saved with {@link SequentialModel.toJSON}. */
export function modelFromJSON(json: ModelJSON): SequentialModel {
  if (json?.format !== 'receptive-sequential') {
    throw new ArgumentError(
      'modelFromJSON',
      `expected format "receptive-sequential", received ${JSON.stringify(json?.format)}`,
    );
  }
  const t = (v: unknown): Tensor | null =>
    v && typeof v === 'object'
      ? {
          shape: [...(v as { shape: number[] }).shape],
          data: Float32Array.from((v as { data: number[] }).data),
        }
      : null;
  const specs = json.layers.map((l) => {
    const s = { ...l } as Record<string, unknown>;
    if (LAYER_KINDS[l.kind as Layer['kind']]?.trainable) {
      s.weight = t(l.weight);
      s.bias = t(l.bias);
      s.useBias = l.bias !== null;
    }
    return s as unknown as LayerSpec;
  });
  return sequential(specs, { inputShape: json.inputShape });
}
