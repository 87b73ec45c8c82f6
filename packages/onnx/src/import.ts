import {
  binomialFilter,
  type LayerSpec,
  layers,
  type SequentialModel,
  sequential,
  type Tensor,
} from '@receptive/core';
import { OnnxFormatError, UnsupportedOnnxError } from './errors.js';
import {
  type AttributeMsg,
  DataType,
  decodeModel,
  type ModelMsg,
  type NodeMsg,
  type TensorMsg,
} from './proto.js';

/** Operator types {@link fromOnnx} understands. */
export const SUPPORTED_OPS = [
  'Conv',
  'Relu',
  'MaxPool',
  'AveragePool',
  'Flatten',
  'Reshape',
  'Gemm',
  'MatMul',
  'Add',
  'BatchNormalization',
  'Softmax',
  'LogSoftmax',
  'Identity',
  'Constant',
  'Pad',
] as const;

const SUPPORTED = new Set<string>(SUPPORTED_OPS);

function attrs(node: NodeMsg): Map<string, AttributeMsg> {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
}
const intAttr = (a: Map<string, AttributeMsg>, name: string, fallback: number) =>
  a.get(name)?.i ?? fallback;
const intsAttr = (a: Map<string, AttributeMsg>, name: string): number[] | undefined =>
  a.get(name)?.ints;

/** Decodes an initializer into a float tensor (raw_data little-endian, or the typed lists). */
function toTensor(t: TensorMsg): Tensor {
  const shape = (t.dims ?? []).map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const what = `initializer "${t.name ?? '?'}"`;
  if (t.dataLocation === 1)
    throw new OnnxFormatError(`${what} keeps its data in an external file, which is not supported`);
  let data: Float32Array;
  if (t.rawData && t.rawData.length > 0) {
    const width = t.dataType === DataType.DOUBLE || t.dataType === DataType.INT64 ? 8 : 4;
    if (t.rawData.length !== size * width) {
      throw new OnnxFormatError(
        `${what} holds ${t.rawData.length} bytes, expected ${size * width} for shape [${shape.join(', ')}]`,
      );
    }
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      data[i] =
        t.dataType === DataType.FLOAT
          ? view.getFloat32(i * 4, true)
          : t.dataType === DataType.DOUBLE
            ? view.getFloat64(i * 8, true)
            : t.dataType === DataType.INT32
              ? view.getInt32(i * 4, true)
              : Number(view.getBigInt64(i * 8, true));
    }
  } else {
    const list = t.floatData ?? t.doubleData ?? t.int64Data ?? t.int32Data ?? [];
    if (list.length !== size) {
      throw new OnnxFormatError(
        `${what} holds ${list.length} values, expected ${size} for shape [${shape.join(', ')}]`,
      );
    }
    data = Float32Array.from(list);
  }
  if (
    ![DataType.FLOAT, DataType.DOUBLE, DataType.INT32, DataType.INT64].includes(t.dataType as 1)
  ) {
    throw new OnnxFormatError(
      `${what} has data type ${t.dataType}; only float, double and integer tensors are read`,
    );
  }
  return { shape, data };
}

function symmetricPads(op: string, node: string, pads: number[] | undefined): [number, number] {
  if (!pads) return [0, 0];
  const [t = 0, l = 0, b = 0, r = 0] = pads;
  if (pads.length !== 4 || t !== b || l !== r) {
    throw new UnsupportedOnnxError(
      [],
      `${op} at ${node} pads [${pads.join(', ')}] unevenly; only the same padding on opposite sides is supported`,
    );
  }
  return [t, l];
}

function pairOf(
  op: string,
  node: string,
  what: string,
  v: number[] | undefined,
  fallback: [number, number],
): [number, number] {
  if (!v) return fallback;
  if (v.length !== 2)
    throw new UnsupportedOnnxError(
      [],
      `${op} at ${node} has ${what} [${v.join(', ')}]: only 2-D operators are supported`,
    );
  return [v[0]!, v[1]!];
}

function rejectAutoPad(op: string, node: string, a: Map<string, AttributeMsg>) {
  const autoPad = a.get('auto_pad')?.s;
  const mode = autoPad ? String.fromCharCode(...autoPad) : 'NOTSET';
  if (mode !== 'NOTSET' && mode !== 'VALID') {
    throw new UnsupportedOnnxError(
      [],
      `${op} at ${node} uses auto_pad=${mode}; give explicit pads instead`,
    );
  }
}

function isBinomialDepthwise(w: Tensor, channels: number): number | null {
  const [c, one, f, f2] = w.shape;
  if (c !== channels || one !== 1 || f !== f2 || f === undefined) return null;
  let blur: Tensor;
  try {
    blur = binomialFilter(f);
  } catch {
    return null;
  }
  for (let i = 0; i < w.data.length; i++) {
    if (Math.abs(w.data[i]! - blur.data[i % blur.data.length]!) > 1e-6) return null;
  }
  return f;
}

function readModel(bytes: Uint8Array): ModelMsg {
  if (!(bytes instanceof Uint8Array)) {
    throw new OnnxFormatError(
      `expected the file's bytes as a Uint8Array, received ${Object.prototype.toString.call(bytes)}`,
    );
  }
  if (bytes.length === 0) throw new OnnxFormatError('the file is empty');
  let model: ModelMsg;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new OnnxFormatError(
      `not a readable ONNX file (${(err as Error).message}); it may be truncated or corrupt`,
    );
  }
  if (!model.graph || !model.irVersion || !(model.opsetImport?.length ?? 0)) {
    throw new OnnxFormatError('not an ONNX model: no graph, IR version or operator set');
  }
  return model;
}

/** The oldest operator set {@link fromOnnx} reads (the semantics it assumes, e.g. Softmax's axis). */
export const MIN_OPSET = 13;

/** Where a node is, for messages: its name (or output) and its place in the graph. */
function nodeAt(node: NodeMsg, i: number, count: number): string {
  return `node "${node.name || node.output?.[0] || '?'}" (${i + 1} of ${count})`;
}

/** A layer name the figures and links can use: the node's output, else its name, else op + index. */
function layerName(node: NodeMsg, i: number, taken: Set<string>): string {
  const ok = (v: string | undefined): v is string => !!v && /^[A-Za-z_][\w.-]*$/.test(v);
  const out = node.output?.[0];
  let base = ok(out)
    ? out
    : ok(node.name)
      ? node.name
      : `${(node.opType ?? 'layer').toLowerCase()}${i}`;
  for (let n = 2; taken.has(base); n++) base = `${base.replace(/_\d+$/, '')}_${n}`;
  taken.add(base);
  return base;
}

/** A Constant node's value as a float tensor (`value` or one of the `value_*` lists). */
function constantTensor(node: NodeMsg, at: string): Tensor {
  const a = attrs(node);
  const t = a.get('value')?.t;
  if (t) return toTensor(t);
  const ints = a.get('value_ints')?.ints;
  if (ints) return { shape: [ints.length], data: Float32Array.from(ints) };
  const floats = a.get('value_floats')?.floats;
  if (floats) return { shape: [floats.length], data: Float32Array.from(floats) };
  const one = a.get('value_int')?.i ?? a.get('value_float')?.f;
  if (one !== undefined) return { shape: [], data: Float32Array.of(one) };
  throw new UnsupportedOnnxError(
    ['Constant'],
    `Constant at ${at} holds no tensor this reader knows`,
  );
}

/**
 * Reads an ONNX model into a core sequential model: a chain of Conv (with a
 * BatchNormalization after it folded in), Relu, MaxPool, AveragePool (count_include_pad = 0),
 * Flatten (or Reshape to [N, -1]), Gemm or MatMul (+ Add), Softmax and LogSoftmax nodes, with
 * Constant and Identity nodes read through and BlurPool recognised as MaxPool(stride 1) +
 * depthwise binomial Conv: what `torch.onnx.export` and tf2onnx write for a sequential image
 * classifier, opset 13 or later, batch axis symbolic or 1. Layer names come from the node
 * outputs (or names); weights from the initializers and Constant nodes.
 *
 * @throws {OnnxFormatError} when the bytes are not a readable ONNX model.
 * @throws {UnsupportedOnnxError} naming every unsupported operator with its node and place, or
 *   the setting a sequential core model cannot express ("Conv at node "features.3" (4 of 9) is
 *   grouped (group=2)…").
 * @example
 * const model = fromOnnx(readFileSync('cnn.onnx'));
 * model.forwardAll(x).activations.conv1;
 */
export function fromOnnx(bytes: Uint8Array): SequentialModel {
  const model = readModel(bytes);
  const opset = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < MIN_OPSET) {
    throw new UnsupportedOnnxError(
      [],
      `the model uses ONNX operator set ${opset}; export it again with opset ${MIN_OPSET} or later (torch.onnx.export(..., opset_version=${MIN_OPSET}), or tf2onnx --opset ${MIN_OPSET})`,
    );
  }
  const graph = model.graph!;
  const inits = new Map<string, TensorMsg | Tensor>(
    (graph.initializer ?? []).map((t) => [t.name ?? '', t]),
  );
  // Constant nodes hold weights and shapes too (PyTorch writes a Reshape's target this way).
  const nodes: NodeMsg[] = [];
  const all = graph.node ?? [];
  for (const [i, n] of all.entries()) {
    if (n.opType === 'Constant') {
      inits.set(n.output?.[0] ?? '', constantTensor(n, nodeAt(n, i, all.length)));
    } else nodes.push(n);
  }
  // Places in messages count every node of the file, as a model viewer shows them.
  const place = new Map(all.map((n, i) => [n, i]));
  const where = (n: NodeMsg) => nodeAt(n, place.get(n) ?? 0, all.length);
  const firstOf = new Map<string, NodeMsg>();
  for (const n of nodes) {
    const op = n.opType ?? '';
    if (!SUPPORTED.has(op) && !firstOf.has(op)) firstOf.set(op, n);
  }
  if (firstOf.size > 0) {
    const unsupported = [...firstOf.keys()];
    throw new UnsupportedOnnxError(
      unsupported,
      `unsupported ONNX operator${unsupported.length > 1 ? 's' : ''}: ${unsupported
        .map((op) => `${op} at ${where(firstOf.get(op)!)}`)
        .join(', ')} (supported: ${SUPPORTED_OPS.join(', ')})`,
    );
  }
  const dataInputs = (graph.input ?? []).filter((v) => !inits.has(v.name ?? ''));
  if (dataInputs.length !== 1) {
    throw new UnsupportedOnnxError(
      [],
      `a sequential model has one data input; this graph has ${dataInputs.length}`,
    );
  }
  const input = dataInputs[0]!;
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const inputShape = dims.slice(1).map((d) => Number(d.dimValue ?? 0));
  const batch = dims[0];
  if (batch?.dimValue !== undefined && batch.dimValue !== 1 && batch.dimValue !== 0) {
    throw new UnsupportedOnnxError(
      [],
      `input "${input.name}" has a fixed batch of ${batch.dimValue}; export it with a batch of 1 or a symbolic batch axis`,
    );
  }
  if (dims.length < 2 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new OnnxFormatError(
      `input "${input.name}" needs a known size after the batch axis, received ${JSON.stringify(dims)}`,
    );
  }
  const constant = (name: string | undefined): Tensor | undefined => {
    const t = name ? inits.get(name) : undefined;
    if (!t) return undefined;
    return 'data' in t ? (t as Tensor) : toTensor(t as TensorMsg);
  };

  const specs: LayerSpec[] = [];
  const taken = new Set<string>();
  let prev = input.name ?? '';
  let channels = inputShape[0]!;
  /** The shape of the last layer's output (without the batch axis). */
  const shapeNow = (): readonly number[] =>
    specs.length === 0
      ? inputShape
      : sequential([...specs], { inputShape }).layers.at(-1)!.outputShape;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const op = node.opType!;
    const at = where(node);
    const weight = (name: string | undefined): Tensor => {
      const t = constant(name);
      if (!t)
        throw new UnsupportedOnnxError(
          [],
          `${op} at ${at} reads "${name}", which is not an initializer; weights must be constants`,
        );
      return t;
    };
    if (node.input?.[0] !== prev) {
      throw new UnsupportedOnnxError(
        [],
        `${op} at ${at} reads "${node.input?.[0]}" rather than "${prev}": only a single chain of layers (a sequential model) can be read`,
      );
    }
    const name = layerName(node, i, taken);
    const a = attrs(node);
    let out = node.output?.[0] ?? name;
    switch (op) {
      case 'Conv': {
        rejectAutoPad(op, at, a);
        const w = weight(node.input?.[1]);
        const group = intAttr(a, 'group', 1);
        const dil = intsAttr(a, 'dilations');
        if (dil?.some((d) => d !== 1))
          throw new UnsupportedOnnxError(
            [],
            `Conv at ${at} uses dilations [${dil.join(', ')}]; only 1 is supported`,
          );
        if (w.shape.length !== 4)
          throw new OnnxFormatError(
            `Conv at ${at} has a weight of shape [${w.shape.join(', ')}], expected 4 dimensions`,
          );
        const stride = pairOf(op, at, 'strides', intsAttr(a, 'strides'), [1, 1]);
        const padding = symmetricPads(op, at, intsAttr(a, 'pads'));
        if (group !== 1) {
          // BlurPool is written as MaxPool(stride 1) followed by this fixed depthwise blur.
          const f = isBinomialDepthwise(w, channels);
          const max = specs.at(-1);
          const isBlur =
            f !== null &&
            group === channels &&
            node.input?.length === 2 &&
            max?.kind === 'maxPool2d' &&
            max.stride[0] === 1 &&
            max.stride[1] === 1 &&
            max.kernel[0] === max.kernel[1] &&
            max.padding[0] === 0 &&
            max.padding[1] === 0 &&
            stride[0] === stride[1] &&
            padding[0] === (f - 1) / 2 &&
            padding[1] === (f - 1) / 2;
          if (isBlur) {
            specs.pop();
            specs.push(
              layers.blurPool2d({ name, kernel: max.kernel[0], filter: f, stride: stride[0] }),
            );
            break;
          }
          throw new UnsupportedOnnxError(
            [],
            `Conv at ${at} is grouped (group=${group}), which is not supported: only plain convolutions and BlurPool's fixed blur are`,
          );
        }
        const biasName = node.input?.[2];
        const kernel = pairOf(op, at, 'kernel_shape', intsAttr(a, 'kernel_shape'), [
          w.shape[2]!,
          w.shape[3]!,
        ]);
        let bias = biasName ? weight(biasName) : null;
        let kernelWeight = w;
        // A BatchNormalization right after (PyTorch keeps one when constant folding is off):
        // folded into this convolution's weights and bias, as inference computes it.
        const next = nodes[i + 1];
        if (next?.opType === 'BatchNormalization' && next.input?.[0] === out) {
          ({ weight: kernelWeight, bias } = foldBatchNorm(
            w,
            bias,
            next,
            (n) => weight(n),
            where(next),
          ));
          out = next.output?.[0] ?? out;
          i++;
        }
        specs.push(
          layers.conv2d({
            name,
            filters: w.shape[0]!,
            kernel,
            stride,
            padding,
            weight: kernelWeight,
            bias: Boolean(bias),
            biasValues: bias,
          }),
        );
        channels = w.shape[0]!;
        break;
      }
      case 'BatchNormalization':
        throw new UnsupportedOnnxError(
          [],
          `BatchNormalization at ${at} does not follow a Conv, so it cannot be folded into one; only a BatchNormalization right after a Conv is supported`,
        );
      case 'MaxPool':
      case 'AveragePool': {
        rejectAutoPad(op, at, a);
        if (intAttr(a, 'ceil_mode', 0) !== 0)
          throw new UnsupportedOnnxError(
            [],
            `${op} at ${at} uses ceil_mode=1; only floor is supported`,
          );
        const dil = intsAttr(a, 'dilations');
        if (dil?.some((d) => d !== 1))
          throw new UnsupportedOnnxError([], `${op} at ${at} uses dilations; only 1 is supported`);
        if ((node.output?.length ?? 1) > 1)
          throw new UnsupportedOnnxError(
            [],
            `${op} at ${at} also outputs indices, which are not supported`,
          );
        if (op === 'AveragePool' && intAttr(a, 'count_include_pad', 0) !== 0) {
          const pads = intsAttr(a, 'pads');
          if (pads?.some((p) => p !== 0)) {
            throw new UnsupportedOnnxError(
              [],
              `AveragePool at ${at} counts padding (count_include_pad=1); core averages covered pixels only`,
            );
          }
        }
        const kernel = pairOf(op, at, 'kernel_shape', intsAttr(a, 'kernel_shape'), [0, 0]);
        const stride = pairOf(op, at, 'strides', intsAttr(a, 'strides'), [1, 1]);
        const padding = symmetricPads(op, at, intsAttr(a, 'pads'));
        specs.push(
          op === 'MaxPool'
            ? layers.maxPool2d({ name, kernel, stride, padding })
            : layers.avgPool2d({ name, kernel, stride, padding }),
        );
        break;
      }
      case 'Relu':
        specs.push(layers.relu({ name }));
        break;
      case 'Identity':
        // Nothing to compute; the next node reads this output.
        break;
      case 'Pad': {
        // PyTorch writes an AvgPool2d as a Pad of zero width and an AveragePool: nothing to do.
        const pads = Array.from(weight(node.input?.[1]).data);
        if (pads.some((p) => p !== 0)) {
          throw new UnsupportedOnnxError(
            [],
            `Pad at ${at} pads by [${pads.join(', ')}]; only a Pad of zero width (or a Conv's or pool's own padding) is supported`,
          );
        }
        break;
      }
      case 'Flatten':
        if (intAttr(a, 'axis', 1) !== 1)
          throw new UnsupportedOnnxError(
            [],
            `Flatten at ${at} has axis ${intAttr(a, 'axis', 1)}; only axis 1 (keep the batch) is supported`,
          );
        specs.push(layers.flatten({ name }));
        break;
      case 'Reshape': {
        const target = Array.from(weight(node.input?.[1]).data);
        const size = shapeNow().reduce((p, d) => p * d, 1);
        const [t0, t1] = target as [number, number];
        const flat =
          target.length === 2 &&
          ((t1 === -1 && (t0 === 0 || t0 === -1 || t0 === 1)) ||
            (t1 === size && (t0 === -1 || t0 === 0 || t0 === 1)));
        if (!flat) {
          throw new UnsupportedOnnxError(
            [],
            `Reshape at ${at} to [${target.join(', ')}]; only flattening to [N, -1] (or [-1, ${size}]) is supported`,
          );
        }
        specs.push(layers.flatten({ name }));
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        if (op === 'Gemm') {
          if (intAttr(a, 'transA', 0) !== 0)
            throw new UnsupportedOnnxError(
              [],
              `Gemm at ${at} uses transA=1, which is not supported`,
            );
          const alpha = a.get('alpha')?.f ?? 1;
          const beta = a.get('beta')?.f ?? 1;
          if (alpha !== 1 || beta !== 1)
            throw new UnsupportedOnnxError(
              [],
              `Gemm at ${at} scales by alpha=${alpha}, beta=${beta}; only 1 is supported`,
            );
        }
        let w = weight(node.input?.[1]);
        if (w.shape.length !== 2)
          throw new OnnxFormatError(
            `${op} at ${at} has a weight of shape [${w.shape.join(', ')}], expected 2 dimensions`,
          );
        // Gemm with transB=1 keeps [out, in], as core does; MatMul and Gemm without it [in, out].
        if (op === 'MatMul' || intAttr(a, 'transB', 0) === 0) w = transpose(w);
        let bias: Tensor | null = op === 'Gemm' && node.input?.[2] ? weight(node.input[2]) : null;
        // MatMul's bias comes as the Add after it (tf2onnx writes a Dense layer this way).
        const next = nodes[i + 1];
        if (op === 'MatMul' && next?.opType === 'Add' && next.input?.includes(out)) {
          const other = next.input.find((v) => v !== out);
          const b = constant(other);
          if (!b || b.data.length !== w.shape[0]) {
            throw new UnsupportedOnnxError(
              [],
              `Add at ${where(next)} after a MatMul adds "${other}", which is not a constant bias of ${w.shape[0]} values`,
            );
          }
          bias = b;
          out = next.output?.[0] ?? out;
          i++;
        }
        if (bias && bias.data.length === w.shape[0])
          bias = { shape: [w.shape[0]!], data: bias.data };
        specs.push(
          layers.linear({
            name,
            units: w.shape[0]!,
            weight: w,
            bias: Boolean(bias),
            biasValues: bias,
          }),
        );
        break;
      }
      case 'Add':
        throw new UnsupportedOnnxError(
          [],
          `Add at ${at} does not follow a MatMul; only the bias of a fully connected layer is supported`,
        );
      case 'Softmax':
      case 'LogSoftmax': {
        const axis = intAttr(a, 'axis', -1);
        if (axis !== -1 && axis !== 1)
          throw new UnsupportedOnnxError(
            [],
            `${op} at ${at} over axis ${axis}; only the last axis of [N, classes] is supported`,
          );
        specs.push(op === 'Softmax' ? layers.softmax({ name }) : layers.logSoftmax({ name }));
        break;
      }
    }
    prev = out;
  }
  if (specs.length === 0) throw new UnsupportedOnnxError([], 'the graph has no layers');
  return sequential(specs, { inputShape });
}

/** A convolution's weight and bias with a BatchNormalization after it folded in. */
function foldBatchNorm(
  w: Tensor,
  bias: Tensor | null,
  bn: NodeMsg,
  weight: (name: string | undefined) => Tensor,
  at: string,
): { weight: Tensor; bias: Tensor } {
  if ((bn.output?.length ?? 1) > 1 || intAttr(attrs(bn), 'training_mode', 0) !== 0) {
    throw new UnsupportedOnnxError(
      [],
      `BatchNormalization at ${at} is in training mode; export the model in eval mode`,
    );
  }
  const eps = attrs(bn).get('epsilon')?.f ?? 1e-5;
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => weight(bn.input?.[k]).data);
  const k = w.shape[0]!;
  if ([gamma, beta, mean, variance].some((v) => v!.length !== k)) {
    throw new OnnxFormatError(
      `BatchNormalization at ${at} has statistics for another number of channels than the ${k} of the Conv before it`,
    );
  }
  const per = w.data.length / k;
  const folded = new Float32Array(w.data.length);
  const b = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    const scale = gamma![c]! / Math.sqrt(variance![c]! + eps);
    for (let j = 0; j < per; j++) folded[c * per + j] = w.data[c * per + j]! * scale;
    b[c] = ((bias?.data[c] ?? 0) - mean![c]!) * scale + beta![c]!;
  }
  return { weight: { shape: [...w.shape], data: folded }, bias: { shape: [k], data: b } };
}

function transpose(w: Tensor): Tensor {
  const [r, c] = w.shape as [number, number];
  const data = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = w.data[i * c + j]!;
  return { shape: [c, r], data };
}
