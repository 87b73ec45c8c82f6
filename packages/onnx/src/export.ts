import {
  binomialFilter,
  type Layer,
  type LayerOf,
  type SequentialModel,
  type Tensor,
} from '@receptive/core';
import {
  type AttributeMsg,
  AttrType,
  DataType,
  encodeModel,
  type NodeMsg,
  type TensorMsg,
  type ValueInfoMsg,
} from './proto.js';

/** Options of {@link toOnnx}. */
export interface ToOnnxOptions {
  /** ONNX operator set; 13 or newer (Softmax over one axis). Default 17. */
  opset?: number;
  /** Name of the graph input. Default `"input"`. */
  inputName?: string;
  /** Free text stored as the model's doc_string. */
  docString?: string;
  /** Extra metadata_props entries (model card fields, provenance). */
  metadata?: Record<string, string>;
  /**
   * Expose every layer's activation as a graph output (default true). False leaves only the
   * last layer's output, for a runtime that should do no more than predict.
   */
  activations?: boolean;
}

/** Metadata key under which the layer list (kinds, names, hyperparameters) is stored. */
export const LAYERS_METADATA_KEY = 'receptive.layers';

const IR_VERSION = 8;

function floatTensor(name: string, t: Tensor): TensorMsg {
  // raw_data: little-endian float32, the compact form every runtime reads.
  const bytes = new Uint8Array(t.data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < t.data.length; i++) view.setFloat32(i * 4, t.data[i]!, true);
  return { name, dims: [...t.shape], dataType: DataType.FLOAT, rawData: bytes };
}

const ints = (name: string, values: readonly number[]): AttributeMsg => ({
  name,
  type: AttrType.INTS,
  ints: [...values],
});
const int = (name: string, i: number): AttributeMsg => ({ name, type: AttrType.INT, i });

function valueInfo(name: string, perExample: readonly number[]): ValueInfoMsg {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: [{ dimParam: 'N' }, ...perExample.map((d) => ({ dimValue: d }))] },
      },
    },
  };
}

/** The layer's hyperparameters without its tensors, for the metadata entry. */
function describe(layer: Layer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(layer)) {
    if (k !== 'weight' && k !== 'bias') out[k] = v;
  }
  return out;
}

/** Where a layer's ONNX nodes go: its input and output names, and the graph being written. */
interface OnnxWriter {
  /** Name of the value the layer reads. */
  prev: string;
  /** Name of the layer's output (the layer's name). */
  out: string;
  node(n: NodeMsg): void;
  /** Adds a constant tensor (weights) and returns its name. */
  initializer(name: string, t: Tensor): string;
}

/** How one layer kind is written as ONNX nodes, and which operators those are. */
export interface OnnxForm<K extends Layer['kind']> {
  /** The operators `write` emits; `fromOnnx` must read each of them back. */
  opTypes: readonly string[];
  write(layer: LayerOf<K>, w: OnnxWriter): void;
}

// The ONNX part of each layer kind's descriptor. It lives here, keyed by the same kinds as
// core's LAYER_KINDS, because @receptive/onnx depends on core and core depends on nothing; the
// mapped type makes a missing kind a type error, and a test checks the keys against LAYER_KINDS.
function pool<K extends 'maxPool2d' | 'avgPool2d'>(opType: 'MaxPool' | 'AveragePool'): OnnxForm<K> {
  const form: OnnxForm<'maxPool2d' | 'avgPool2d'> = {
    opTypes: [opType],
    write(layer, w) {
      const [ph, pw] = layer.padding;
      const attribute = [
        ints('kernel_shape', layer.kernel),
        ints('strides', layer.stride),
        ints('pads', [ph, pw, ph, pw]),
      ];
      // Core averages only the pixels a window really covers.
      if (opType === 'AveragePool') attribute.push(int('count_include_pad', 0));
      w.node({ name: w.out, opType, input: [w.prev], output: [w.out], attribute });
    },
  };
  return form as unknown as OnnxForm<K>;
}

function weightsOf(layer: { weight: Tensor; bias: Tensor | null }, w: OnnxWriter): string[] {
  const inputs = [w.prev, w.initializer(`${w.out}.weight`, layer.weight)];
  if (layer.bias) inputs.push(w.initializer(`${w.out}.bias`, layer.bias));
  return inputs;
}

// One node with no weights: the layer's input in, its output out.
function plain<K extends 'relu' | 'flatten' | 'softmax' | 'logSoftmax'>(
  opType: string,
  attribute?: AttributeMsg[],
): OnnxForm<K> {
  return {
    opTypes: [opType],
    write: (_layer, w) =>
      w.node({ name: w.out, opType, input: [w.prev], output: [w.out], attribute }),
  };
}

/** The ONNX form of every layer kind of core. */
export const ONNX_FORMS: { readonly [K in Layer['kind']]: OnnxForm<K> } = {
  conv2d: {
    opTypes: ['Conv'],
    write(layer, w) {
      const [ph, pw] = layer.padding;
      w.node({
        name: w.out,
        opType: 'Conv',
        input: weightsOf(layer, w),
        output: [w.out],
        attribute: [
          ints('kernel_shape', layer.kernel),
          ints('strides', layer.stride),
          ints('pads', [ph, pw, ph, pw]),
          ints('dilations', [1, 1]),
          int('group', 1),
        ],
      });
    },
  },
  relu: plain('Relu'),
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),
  // MaxPool with stride 1, then the fixed binomial blur as a depthwise Conv.
  blurPool2d: {
    opTypes: ['MaxPool', 'Conv'],
    write(layer, w) {
      const channels = layer.inputShape[0]!;
      const f = layer.filter;
      const pad = (f - 1) / 2;
      const blur = binomialFilter(f);
      const weight = new Float32Array(channels * f * f);
      for (let c = 0; c < channels; c++) weight.set(blur.data, c * f * f);
      const filter = w.initializer(`${w.out}.blur`, { shape: [channels, 1, f, f], data: weight });
      w.node({
        name: `${w.out}.max`,
        opType: 'MaxPool',
        input: [w.prev],
        output: [`${w.out}.max`],
        attribute: [ints('kernel_shape', [layer.kernel, layer.kernel]), ints('strides', [1, 1])],
      });
      w.node({
        name: w.out,
        opType: 'Conv',
        input: [`${w.out}.max`, filter],
        output: [w.out],
        attribute: [
          ints('kernel_shape', [f, f]),
          ints('strides', [layer.stride, layer.stride]),
          ints('pads', [pad, pad, pad, pad]),
          int('group', channels),
        ],
      });
    },
  },
  flatten: plain('Flatten', [int('axis', 1)]),
  linear: {
    opTypes: ['Gemm'],
    // Core keeps weight as [out, in]: Gemm's transB = 1 reads it as written.
    write: (layer, w) =>
      w.node({
        name: w.out,
        opType: 'Gemm',
        input: weightsOf(layer, w),
        output: [w.out],
        attribute: [int('transB', 1)],
      }),
  },
  softmax: plain('Softmax', [int('axis', -1)]),
  logSoftmax: plain('LogSoftmax', [int('axis', -1)]),
};

/**
 * Writes a core sequential model as an ONNX model. Each layer becomes one node (BlurPool two:
 * MaxPool with stride 1, then a fixed depthwise binomial Conv) whose output carries the layer's
 * name and is also a graph output, so one run returns every activation by layer name. The batch
 * dimension is symbolic (`N`).
 *
 * @example
 * const bytes = toOnnx(model);             // Uint8Array, ready for onnxruntime
 * const session = await ort.InferenceSession.create(bytes);
 * const out = await session.run({ input });  // out.conv1, out.pool1, ..., out.softmax
 */
export function toOnnx(model: SequentialModel, options: ToOnnxOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 13) {
    throw new RangeError(`toOnnx: opset must be an integer >= 13, received ${opset}`);
  }
  const inputName = options.inputName ?? 'input';
  const names = new Set([inputName]);
  const nodes: NodeMsg[] = [];
  const initializers: TensorMsg[] = [];
  let prev = inputName;

  for (const layer of model.layers) {
    if (names.has(layer.name)) {
      throw new RangeError(
        `toOnnx: layer name "${layer.name}" is used twice (or clashes with the input)`,
      );
    }
    names.add(layer.name);
    const out = layer.name;
    const form = ONNX_FORMS[layer.kind] as OnnxForm<Layer['kind']> | undefined;
    if (!form) throw new RangeError(`toOnnx: no ONNX form for layer ${JSON.stringify(layer)}`);
    form.write(layer, {
      prev,
      out,
      node: (n) => nodes.push(n),
      initializer(name, t) {
        initializers.push(floatTensor(name, t));
        return name;
      },
    });
    prev = out;
  }

  const metadata = {
    ...options.metadata,
    [LAYERS_METADATA_KEY]: JSON.stringify({
      inputShape: model.inputShape,
      layers: model.layers.map(describe),
    }),
  };
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: opset }],
    producerName: '@receptive/onnx',
    producerVersion: '0',
    docString: options.docString ?? '',
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'sequential',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(inputName, model.inputShape)],
      output: (options.activations === false ? model.layers.slice(-1) : model.layers).map((l) =>
        valueInfo(l.name, l.outputShape),
      ),
    },
  });
}
