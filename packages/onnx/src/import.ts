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
  'Softmax',
  'LogSoftmax',
  'Identity',
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
      `${op} "${node}" pads [${pads.join(', ')}] unevenly; only the same padding on opposite sides is supported`,
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
      `${op} "${node}" ${what} [${v.join(', ')}]: only 2-D operators are supported`,
    );
  return [v[0]!, v[1]!];
}

function rejectAutoPad(op: string, node: string, a: Map<string, AttributeMsg>) {
  const autoPad = a.get('auto_pad')?.s;
  const mode = autoPad ? String.fromCharCode(...autoPad) : 'NOTSET';
  if (mode !== 'NOTSET' && mode !== 'VALID') {
    throw new UnsupportedOnnxError(
      [],
      `${op} "${node}" uses auto_pad=${mode}; give explicit pads instead`,
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

/**
 * Reads an ONNX model back into a core sequential model: a chain of Conv, Relu, MaxPool,
 * AveragePool (count_include_pad = 0), Flatten (or Reshape to [N, -1]), Gemm, Softmax and
 * LogSoftmax nodes, with BlurPool recognised as MaxPool(stride 1) + depthwise binomial Conv.
 * Layer names come from the node outputs. Weights come from the initializers.
 *
 * @throws {OnnxFormatError} when the bytes are not a readable ONNX model.
 * @throws {UnsupportedOnnxError} listing every unsupported operator by name, or the setting
 *   (grouped conv, dilation, uneven pads, ...) that a sequential core model cannot express.
 * @example
 * const model = fromOnnx(readFileSync('cnn.onnx'));
 * model.forwardAll(x).activations.conv1;
 */
export function fromOnnx(bytes: Uint8Array): SequentialModel {
  const model = readModel(bytes);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const unsupported = [
    ...new Set(nodes.map((n) => n.opType ?? '').filter((op) => !SUPPORTED.has(op))),
  ];
  if (unsupported.length > 0) {
    throw new UnsupportedOnnxError(
      unsupported,
      `unsupported ONNX operator${unsupported.length > 1 ? 's' : ''}: ${unsupported.join(', ')} (supported: ${SUPPORTED_OPS.join(', ')})`,
    );
  }
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
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
  if (dims.length < 2 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new OnnxFormatError(
      `input "${input.name}" needs a known size after the batch axis, received ${JSON.stringify(dims)}`,
    );
  }
  const weight = (name: string | undefined, node: string): Tensor => {
    const t = name ? inits.get(name) : undefined;
    if (!t)
      throw new UnsupportedOnnxError(
        [],
        `node "${node}" reads "${name}", which is not an initializer; weights must be constants`,
      );
    return toTensor(t);
  };

  const specs: LayerSpec[] = [];
  let prev = input.name ?? '';
  let channels = inputShape[0]!;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const op = node.opType!;
    const name = node.output?.[0] ?? `${op.toLowerCase()}${i}`;
    if (node.input?.[0] !== prev) {
      throw new UnsupportedOnnxError(
        [],
        `node "${name}" reads "${node.input?.[0]}" rather than "${prev}": only a single chain of layers (a sequential model) can be read`,
      );
    }
    const a = attrs(node);
    switch (op) {
      case 'Conv': {
        rejectAutoPad(op, name, a);
        const w = weight(node.input?.[1], name);
        const group = intAttr(a, 'group', 1);
        const dil = intsAttr(a, 'dilations');
        if (dil?.some((d) => d !== 1))
          throw new UnsupportedOnnxError(
            [],
            `Conv "${name}" uses dilations [${dil.join(', ')}]; only 1 is supported`,
          );
        if (w.shape.length !== 4)
          throw new OnnxFormatError(
            `Conv "${name}" weight has shape [${w.shape.join(', ')}], expected 4 dimensions`,
          );
        const stride = pairOf(op, name, 'strides', intsAttr(a, 'strides'), [1, 1]);
        const padding = symmetricPads(op, name, intsAttr(a, 'pads'));
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
            `Conv "${name}" is grouped (group=${group}); only plain convolutions and BlurPool's fixed blur are supported`,
          );
        }
        const biasName = node.input?.[2];
        const kernel = pairOf(op, name, 'kernel_shape', intsAttr(a, 'kernel_shape'), [
          w.shape[2]!,
          w.shape[3]!,
        ]);
        specs.push(
          layers.conv2d({
            name,
            filters: w.shape[0]!,
            kernel,
            stride,
            padding,
            weight: w,
            bias: Boolean(biasName),
            biasValues: biasName ? weight(biasName, name) : null,
          }),
        );
        channels = w.shape[0]!;
        break;
      }
      case 'MaxPool':
      case 'AveragePool': {
        rejectAutoPad(op, name, a);
        if (intAttr(a, 'ceil_mode', 0) !== 0)
          throw new UnsupportedOnnxError(
            [],
            `${op} "${name}" uses ceil_mode=1; only floor is supported`,
          );
        const dil = intsAttr(a, 'dilations');
        if (dil?.some((d) => d !== 1))
          throw new UnsupportedOnnxError([], `${op} "${name}" uses dilations; only 1 is supported`);
        if ((node.output?.length ?? 1) > 1)
          throw new UnsupportedOnnxError(
            [],
            `${op} "${name}" also outputs indices, which are not supported`,
          );
        if (op === 'AveragePool' && intAttr(a, 'count_include_pad', 0) !== 0) {
          throw new UnsupportedOnnxError(
            [],
            `AveragePool "${name}" counts padding (count_include_pad=1); core averages covered pixels only`,
          );
        }
        const kernel = pairOf(op, name, 'kernel_shape', intsAttr(a, 'kernel_shape'), [0, 0]);
        const stride = pairOf(op, name, 'strides', intsAttr(a, 'strides'), [1, 1]);
        const padding = symmetricPads(op, name, intsAttr(a, 'pads'));
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
      case 'Flatten':
        if (intAttr(a, 'axis', 1) !== 1)
          throw new UnsupportedOnnxError(
            [],
            `Flatten "${name}" has axis ${intAttr(a, 'axis', 1)}; only axis 1 (keep the batch) is supported`,
          );
        specs.push(layers.flatten({ name }));
        break;
      case 'Reshape': {
        const shape = weight(node.input?.[1], name);
        const target = Array.from(shape.data);
        if (target.length !== 2 || (target[0] !== 0 && target[0] !== -1) || target[1] !== -1) {
          throw new UnsupportedOnnxError(
            [],
            `Reshape "${name}" to [${target.join(', ')}]; only flattening to [N, -1] is supported`,
          );
        }
        specs.push(layers.flatten({ name }));
        break;
      }
      case 'Gemm': {
        if (intAttr(a, 'transA', 0) !== 0)
          throw new UnsupportedOnnxError([], `Gemm "${name}" uses transA=1`);
        const alpha = a.get('alpha')?.f ?? 1;
        const beta = a.get('beta')?.f ?? 1;
        if (alpha !== 1 || beta !== 1)
          throw new UnsupportedOnnxError(
            [],
            `Gemm "${name}" scales by alpha=${alpha}, beta=${beta}; only 1 is supported`,
          );
        let w = weight(node.input?.[1], name);
        if (w.shape.length !== 2)
          throw new OnnxFormatError(
            `Gemm "${name}" weight has shape [${w.shape.join(', ')}], expected 2 dimensions`,
          );
        if (intAttr(a, 'transB', 0) === 0) w = transpose(w);
        const biasName = node.input?.[2];
        let bias: Tensor | null = biasName ? weight(biasName, name) : null;
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
            `${op} "${name}" over axis ${axis}; only the last axis of [N, classes] is supported`,
          );
        specs.push(op === 'Softmax' ? layers.softmax({ name }) : layers.logSoftmax({ name }));
        break;
      }
    }
    prev = name;
  }
  if (specs.length === 0) throw new UnsupportedOnnxError([], 'the graph has no layers');
  return sequential(specs, { inputShape });
}

function transpose(w: Tensor): Tensor {
  const [r, c] = w.shape as [number, number];
  const data = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = w.data[i * c + j]!;
  return { shape: [c, r], data };
}
