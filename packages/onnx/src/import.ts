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
  'Cast',
  'Transpose',
  'Sub',
  'Mul',
  'Div',
  // Shape arithmetic, worked out on reading: what a flatten to [batch, -1] is written with.
  'Shape',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
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

/** An entry of a shape worked out on reading: a size, the batch axis (`N`), or not known. */
type Dim = number | 'N' | null;
/** A shape value: the shape of a tensor in the chain (only its batch axis is known), or dims. */
type ShapeValue = { of: string } | { dims: Dim[]; scalar: boolean };

const FLOAT = 1;

/**
 * The graph with what needs no layer taken out: Casts to float and Identities (read through),
 * and the shape arithmetic (Shape, Gather, Unsqueeze, Squeeze, Concat, and Casts of shapes)
 * worked out into constant Reshape targets. What PyTorch writes for `x.view(x.size(0), -1)`,
 * and Keras for every Flatten, is this arithmetic on the batch size.
 */
function simplify(
  nodes: NodeMsg[],
  constant: (name: string | undefined) => Tensor | undefined,
  where: (n: NodeMsg) => string,
): { nodes: NodeMsg[]; origin: Map<NodeMsg, NodeMsg>; targets: Map<string, Dim[]> } {
  const alias = new Map<string, string>();
  const resolve = (name: string): string => {
    let n = name;
    while (alias.has(n)) n = alias.get(n)!;
    return n;
  };
  const shapes = new Map<string, ShapeValue>();
  const out: NodeMsg[] = [];
  const origin = new Map<NodeMsg, NodeMsg>();
  const targets = new Map<string, Dim[]>();
  /** A shape value, or a constant read as one. */
  const shapeOf = (name: string | undefined): ShapeValue | undefined => {
    if (!name) return undefined;
    const v = shapes.get(resolve(name));
    if (v) return v;
    const c = constant(name);
    return c ? { dims: Array.from(c.data), scalar: c.shape.length === 0 } : undefined;
  };
  const isShape = (name: string | undefined) => !!name && shapes.has(resolve(name));
  for (const node of nodes) {
    const op = node.opType ?? '';
    const ins = (node.input ?? []).map(resolve);
    const o = node.output?.[0] ?? '';
    const a = attrs(node);
    const at = where(node);
    if (op === 'Identity' || (op === 'Cast' && !isShape(ins[0]))) {
      if (op === 'Cast' && intAttr(a, 'to', FLOAT) !== FLOAT) {
        throw new UnsupportedOnnxError(
          [],
          `Cast at ${at} turns the values into data type ${intAttr(a, 'to', 0)}; only float values are supported`,
        );
      }
      alias.set(o, ins[0] ?? '');
      continue;
    }
    if (op === 'Shape') {
      shapes.set(o, { of: ins[0] ?? '' });
      continue;
    }
    if (
      op === 'Cast' ||
      (['Gather', 'Unsqueeze', 'Squeeze', 'Concat'].includes(op) && ins.some(isShape))
    ) {
      shapes.set(o, evalShape(op, ins, a, shapeOf, at));
      continue;
    }
    if (op === 'Reshape' && ins[1] && isShape(ins[1])) {
      const v = shapes.get(ins[1])!;
      if (!('dims' in v) || v.scalar) {
        throw new UnsupportedOnnxError(
          [],
          `Reshape at ${at} reshapes to a shape this reader cannot work out`,
        );
      }
      targets.set(ins[1], v.dims);
    }
    const copy: NodeMsg = { ...node, input: ins };
    origin.set(copy, node);
    out.push(copy);
  }
  return { nodes: out, origin, targets };
}

/** One step of shape arithmetic on values that hold the batch size. */
function evalShape(
  op: string,
  ins: string[],
  a: Map<string, AttributeMsg>,
  shapeOf: (name: string | undefined) => ShapeValue | undefined,
  at: string,
): ShapeValue {
  const cannot = (): never => {
    throw new UnsupportedOnnxError(
      [],
      `${op} at ${at} computes a shape this reader cannot work out; only a flatten to [batch, -1] is supported`,
    );
  };
  const dimsOf = (name: string | undefined): { dims: Dim[]; scalar: boolean } => {
    const v = shapeOf(name);
    if (!v) return cannot();
    // Of a tensor's shape only the batch axis is known here (its other sizes are not needed).
    return 'of' in v ? { dims: ['N'], scalar: false } : v;
  };
  switch (op) {
    case 'Cast':
      return shapeOf(ins[0]) ?? cannot();
    case 'Gather': {
      if (intAttr(a, 'axis', 0) !== 0) cannot();
      const data = shapeOf(ins[0]);
      const idx = dimsOf(ins[1]);
      if (!data) return cannot();
      const pick = (i: Dim): Dim => {
        if (typeof i !== 'number') return cannot();
        if ('of' in data) return i === 0 ? 'N' : null;
        return data.dims.at(i) ?? cannot();
      };
      return { dims: idx.dims.map(pick), scalar: idx.scalar };
    }
    case 'Unsqueeze': {
      const v = dimsOf(ins[0]);
      const axes = ins[1] ? dimsOf(ins[1]).dims : intsAttr(a, 'axes');
      if (!v.scalar || axes?.length !== 1 || axes[0] !== 0) cannot();
      return { dims: v.dims, scalar: false };
    }
    case 'Squeeze': {
      const v = dimsOf(ins[0]);
      if (v.scalar || v.dims.length !== 1) cannot();
      return { dims: v.dims, scalar: true };
    }
    case 'Concat': {
      if (intAttr(a, 'axis', 0) !== 0) cannot();
      return { dims: ins.flatMap((n) => dimsOf(n).dims), scalar: false };
    }
    default:
      return cannot();
  }
}

/** Decodes a file's ModelProto, or says (as an {@link OnnxFormatError}) why it is no model. */
export function readModel(bytes: Uint8Array): ModelMsg {
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
 * Flatten (or Reshape to [N, -1], its shape arithmetic worked out), Gemm or MatMul (+ Add),
 * Softmax and LogSoftmax nodes, with Constant, Identity and Cast-to-float nodes read through,
 * per-channel constants after a Conv or MatMul folded into it, channels-last images followed
 * through their Transposes, and BlurPool recognised as MaxPool(stride 1) + depthwise binomial
 * Conv: what `torch.onnx.export` and Keras write for a sequential image classifier, opset 13 or
 * later, batch axis symbolic or 1. Layer names come from the node outputs (or names); weights
 * from the initializers and Constant nodes.
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
  return importOnnx(bytes).model;
}

/**
 * How a tensor of the file is laid out, for one example: channels first (`chw`), channels last
 * (`hwc`, as Keras and TensorFlow keep images), or flat features (`flat`), or flat features in
 * channels-last order (`flat-hwc`, a channels-last map flattened).
 */
export type OnnxLayout = 'chw' | 'hwc' | 'flat' | 'flat-hwc';

/** Where in the file a layer of the core model ends, and how that value is laid out there. */
export interface OnnxLayerSource {
  /** The core layer's name. */
  layer: string;
  /** The ONNX value that holds the same numbers (in `layout`). */
  value: string;
  layout: OnnxLayout;
}

/** What {@link importOnnx} reads: the model, and how the file's values map onto its layers. */
export interface ImportedOnnx {
  model: SequentialModel;
  /**
   * The layout of the file's input. The core model always reads channels first: a channels-last
   * (`hwc`) file is read as if its first Transpose had been done, so feed the model C x H x W.
   */
  inputLayout: 'chw' | 'hwc' | 'flat';
  /** For every layer of `model`, in order, the file's value with the same numbers. */
  sources: OnnxLayerSource[];
}

/**
 * {@link fromOnnx}, also saying where each layer's numbers are in the file (to compare them with
 * another runtime's) and whether the file reads its images channels last.
 * @example
 * const { model, inputLayout, sources } = importOnnx(bytes); // a Keras file: inputLayout 'hwc'
 */
export function importOnnx(bytes: Uint8Array): ImportedOnnx {
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

  const simple = simplify(nodes, constant, where);
  const chain = simple.nodes;
  const at0 = (n: NodeMsg) => where(simple.origin.get(n) ?? n);
  // A channels-last image input (Keras, TensorFlow) comes with a Transpose to channels first
  // before anything else reads it: the core model reads channels first from the start.
  let inputLayout: ImportedOnnx['inputLayout'] = inputShape.length === 3 ? 'chw' : 'flat';
  const firstNode = chain[0];
  if (
    inputShape.length === 3 &&
    firstNode?.opType === 'Transpose' &&
    firstNode.input?.[0] === input.name &&
    sameInts(intsAttr(attrs(firstNode), 'perm'), TO_CHW)
  ) {
    inputLayout = 'hwc';
    const [h, w, c] = inputShape as [number, number, number];
    inputShape.splice(0, 3, c, h, w);
  }
  let layout: OnnxLayout = inputLayout;
  const specs: LayerSpec[] = [];
  const sources: OnnxLayerSource[] = [];
  const taken = new Set<string>();
  let prev = input.name ?? '';
  let channels = inputShape[0]!;
  /** The C x H x W map a channels-last flatten flattened, until a Gemm/MatMul reorders for it. */
  let flattenedHwc: readonly number[] | null = null;
  /** The shape of the last layer's output (without the batch axis). */
  const shapeNow = (): readonly number[] =>
    specs.length === 0
      ? inputShape
      : sequential([...specs], { inputShape }).layers.at(-1)!.outputShape;
  /** A flatten layer: channels-last maps are flattened in H, W, C order, noted for the next. */
  const flatten = (name: string) => {
    if (layout === 'hwc') {
      flattenedHwc = shapeNow();
      layout = 'flat-hwc';
    } else layout = 'flat';
    specs.push(layers.flatten({ name }));
  };
  for (let i = 0; i < chain.length; i++) {
    const node = chain[i]!;
    const op = node.opType!;
    const at = at0(node);
    const pushed = specs.length;
    const weight = (name: string | undefined): Tensor => {
      const t = constant(name);
      if (!t)
        throw new UnsupportedOnnxError(
          [],
          `${op} at ${at} reads "${name}", which is not an initializer; weights must be constants`,
        );
      return t;
    };
    const elementwise = ELEMENTWISE.has(op);
    if (elementwise ? !node.input?.includes(prev) : node.input?.[0] !== prev) {
      throw new UnsupportedOnnxError(
        [],
        `${op} at ${at} reads "${node.input?.[0]}" rather than "${prev}": only a single chain of layers (a sequential model) can be read`,
      );
    }
    if (CHANNELS_FIRST.has(op) && layout !== 'chw') {
      throw new UnsupportedOnnxError(
        [],
        `${op} at ${at} reads ${layout === 'hwc' ? 'channels-last' : 'flat'} values; it is supported on channels-first images (N x C x H x W) only`,
      );
    }
    const name = layerName(node, i, taken);
    const a = attrs(node);
    let out = node.output?.[0] ?? name;
    switch (op) {
      case 'Transpose': {
        // Between channels first and channels last (Keras wraps every convolution and pooling
        // in this pair): the core keeps channels first, so only the layout is noted.
        const perm = intsAttr(a, 'perm');
        if (layout === 'hwc' && sameInts(perm, TO_CHW)) layout = 'chw';
        else if (layout === 'chw' && sameInts(perm, TO_HWC)) layout = 'hwc';
        else {
          throw new UnsupportedOnnxError(
            [],
            `Transpose at ${at} permutes [${perm?.join(', ') ?? 'reversed'}] a ${layout === 'chw' ? 'channels-first' : layout === 'hwc' ? 'channels-last' : 'flat'} value; only the switch between channels first and channels last of an image is supported`,
          );
        }
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        // A constant per channel (or unit) after a Conv or Gemm/MatMul: its bias, or a
        // BatchNormalization written out (Keras: Sub the mean, Mul the scale, Add the shift).
        const other = node.input!.find((v) => v !== prev);
        const last = specs.at(-1) as FoldTarget | undefined;
        const c = constant(other);
        const count =
          last?.kind === 'conv2d' ? last.filters : last?.kind === 'linear' ? last.units : 0;
        const values = c && count > 0 ? perChannel(c, layout, count) : null;
        if (!values || (op !== 'Add' && op !== 'Mul' && node.input![0] !== prev)) {
          throw new UnsupportedOnnxError(
            [],
            `${op} at ${at} ${c ? 'does not follow a Conv or Gemm/MatMul with one value per channel' : `combines with "${other}", which is not a constant`}; only a Conv's or a fully connected layer's bias or scale is supported`,
          );
        }
        foldAffine(last!, op, values);
        sources[sources.length - 1] = { layer: sources.at(-1)!.layer, value: out, layout };
        break;
      }
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
            sources.pop();
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
        const next = chain[i + 1];
        if (next?.opType === 'BatchNormalization' && next.input?.[0] === out) {
          ({ weight: kernelWeight, bias } = foldBatchNorm(
            w,
            bias,
            next,
            (n) => weight(n),
            at0(next),
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
        flatten(name);
        break;
      case 'Reshape': {
        const worked = simple.targets.get(node.input?.[1] ?? '');
        const target = worked
          ? worked.map((d, k) => {
              // The batch size, read from the input: the same as 0 (keep that axis) in front.
              if (d === 'N' && k === 0) return 0;
              if (typeof d !== 'number') {
                throw new UnsupportedOnnxError(
                  [],
                  `Reshape at ${at} reshapes to a shape this reader cannot work out; only a flatten to [batch, -1] is supported`,
                );
              }
              return d;
            })
          : Array.from(weight(node.input?.[1]).data);
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
        flatten(name);
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
        // After a channels-last flatten the inputs come in H, W, C order; the core's in C, H, W.
        if (flattenedHwc) {
          w = hwcColumnsToChw(w, flattenedHwc);
          flattenedHwc = null;
        }
        layout = 'flat';
        let bias: Tensor | null = op === 'Gemm' && node.input?.[2] ? weight(node.input[2]) : null;
        // MatMul's bias comes as the Add after it (Keras writes a Dense layer this way).
        const next = chain[i + 1];
        if (op === 'MatMul' && next?.opType === 'Add' && next.input?.includes(out)) {
          const other = next.input.find((v) => v !== out);
          const b = constant(other);
          if (!b || b.data.length !== w.shape[0]) {
            throw new UnsupportedOnnxError(
              [],
              `Add at ${at0(next)} after a MatMul adds "${other}", which is not a constant bias of ${w.shape[0]} values`,
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
      default:
        // Shape, Gather, Unsqueeze, Squeeze and Concat are read only as shape arithmetic.
        throw new UnsupportedOnnxError(
          [op],
          `${op} at ${at} works on the values themselves, not on a shape; it is supported only in the arithmetic of a flatten to [batch, -1]`,
        );
    }
    for (let k = Math.max(sources.length, pushed); k < specs.length; k++) {
      sources.push({ layer: name, value: out, layout });
    }
    prev = out;
  }
  if (specs.length === 0) throw new UnsupportedOnnxError([], 'the graph has no layers');
  return { model: sequential(specs, { inputShape }), inputLayout, sources };
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

/** The permutation from channels last to channels first (N, H, W, C to N, C, H, W), and back. */
const TO_CHW = [0, 3, 1, 2];
const TO_HWC = [0, 2, 3, 1];
const sameInts = (a: readonly number[] | undefined, b: readonly number[]) =>
  !!a && a.length === b.length && a.every((v, i) => v === b[i]);

/** Operators of two inputs whose chain value may come second (`Add(bias, x)`). */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div']);
/** Operators that read images channels first. */
const CHANNELS_FIRST = new Set(['Conv', 'MaxPool', 'AveragePool', 'BatchNormalization']);

/** The fields of a conv2d or linear spec a per-channel constant is folded into. */
type FoldTarget = {
  kind: 'conv2d' | 'linear' | string;
  filters: number;
  units: number;
  weight?: Tensor;
  bias?: Tensor | null;
  useBias: boolean;
};

/**
 * The `count` values of a constant that has one value per channel of a `layout` value (or one
 * for all), else null: [C] or [1, 1, 1, C] channels last, [C, 1, 1] or [1, C, 1, 1] channels
 * first, [F] or [1, F] flat.
 */
function perChannel(c: Tensor, layout: OnnxLayout, count: number): Float32Array | null {
  if (c.data.length === 1) return new Float32Array(count).fill(c.data[0]!);
  if (c.data.length !== count) return null;
  const shape = c.shape;
  const ones = (dims: readonly number[]) => dims.every((d) => d === 1);
  const ok =
    layout === 'chw'
      ? shape.length >= 3 &&
        shape.at(-3) === count &&
        ones(shape.slice(-2)) &&
        ones(shape.slice(0, -3))
      : shape.at(-1) === count && ones(shape.slice(0, -1));
  return ok ? Float32Array.from(c.data) : null;
}

/** Folds `x op values` (per output channel or unit) into the weights and bias before it. */
function foldAffine(spec: FoldTarget, op: string, values: Float32Array): void {
  const k = values.length;
  const w = spec.weight!;
  const bias = spec.bias?.data ? Float32Array.from(spec.bias.data) : new Float32Array(k);
  if (op === 'Add' || op === 'Sub') {
    const sign = op === 'Add' ? 1 : -1;
    for (let j = 0; j < k; j++) bias[j] = bias[j]! + sign * values[j]!;
  } else {
    const per = w.data.length / k;
    const data = Float32Array.from(w.data);
    for (let j = 0; j < k; j++) {
      const f = op === 'Mul' ? values[j]! : 1 / values[j]!;
      for (let q = 0; q < per; q++) data[j * per + q] = data[j * per + q]! * f;
      bias[j] = bias[j]! * f;
    }
    spec.weight = { shape: [...w.shape], data };
  }
  spec.bias = { shape: [k], data: bias };
  spec.useBias = true;
}

/**
 * A [units, C*H*W] weight whose inputs come flattened channels last (H, W, C), reordered for
 * inputs flattened channels first (C, H, W), as the core flattens.
 */
function hwcColumnsToChw(w: Tensor, [c, h, wd]: readonly number[]): Tensor {
  const [units, inputs] = w.shape as [number, number];
  const C = c!;
  const H = h!;
  const W = wd!;
  if (C * H * W !== inputs) return w;
  const data = new Float32Array(w.data.length);
  for (let u = 0; u < units; u++) {
    for (let ch = 0; ch < C; ch++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          data[u * inputs + ch * H * W + y * W + x] = w.data[u * inputs + y * W * C + x * C + ch]!;
        }
      }
    }
  }
  return { shape: [units, inputs], data };
}
