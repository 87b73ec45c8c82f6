import { binomialFilter, type Layer, type SequentialModel, type Tensor } from '@receptive/core';
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
    switch (layer.kind) {
      case 'conv2d': {
        const inputs = [prev, `${out}.weight`];
        initializers.push(floatTensor(`${out}.weight`, layer.weight));
        if (layer.bias) {
          inputs.push(`${out}.bias`);
          initializers.push(floatTensor(`${out}.bias`, layer.bias));
        }
        const [ph, pw] = layer.padding;
        nodes.push({
          name: out,
          opType: 'Conv',
          input: inputs,
          output: [out],
          attribute: [
            ints('kernel_shape', layer.kernel),
            ints('strides', layer.stride),
            ints('pads', [ph, pw, ph, pw]),
            ints('dilations', [1, 1]),
            int('group', 1),
          ],
        });
        break;
      }
      case 'maxPool2d':
      case 'avgPool2d': {
        const [ph, pw] = layer.padding;
        const attribute = [
          ints('kernel_shape', layer.kernel),
          ints('strides', layer.stride),
          ints('pads', [ph, pw, ph, pw]),
        ];
        // Core averages only the pixels a window really covers.
        if (layer.kind === 'avgPool2d') attribute.push(int('count_include_pad', 0));
        nodes.push({
          name: out,
          opType: layer.kind === 'maxPool2d' ? 'MaxPool' : 'AveragePool',
          input: [prev],
          output: [out],
          attribute,
        });
        break;
      }
      case 'blurPool2d': {
        const channels = layer.inputShape[0]!;
        const f = layer.filter;
        const pad = (f - 1) / 2;
        const blur = binomialFilter(f);
        const weight = new Float32Array(channels * f * f);
        for (let c = 0; c < channels; c++) weight.set(blur.data, c * f * f);
        initializers.push(floatTensor(`${out}.blur`, { shape: [channels, 1, f, f], data: weight }));
        nodes.push({
          name: `${out}.max`,
          opType: 'MaxPool',
          input: [prev],
          output: [`${out}.max`],
          attribute: [ints('kernel_shape', [layer.kernel, layer.kernel]), ints('strides', [1, 1])],
        });
        nodes.push({
          name: out,
          opType: 'Conv',
          input: [`${out}.max`, `${out}.blur`],
          output: [out],
          attribute: [
            ints('kernel_shape', [f, f]),
            ints('strides', [layer.stride, layer.stride]),
            ints('pads', [pad, pad, pad, pad]),
            int('group', channels),
          ],
        });
        break;
      }
      case 'relu':
        nodes.push({ name: out, opType: 'Relu', input: [prev], output: [out] });
        break;
      case 'flatten':
        nodes.push({
          name: out,
          opType: 'Flatten',
          input: [prev],
          output: [out],
          attribute: [int('axis', 1)],
        });
        break;
      case 'linear': {
        const inputs = [prev, `${out}.weight`];
        initializers.push(floatTensor(`${out}.weight`, layer.weight));
        if (layer.bias) {
          inputs.push(`${out}.bias`);
          initializers.push(floatTensor(`${out}.bias`, layer.bias));
        }
        // Core keeps weight as [out, in]: Gemm's transB = 1 reads it as written.
        nodes.push({
          name: out,
          opType: 'Gemm',
          input: inputs,
          output: [out],
          attribute: [int('transB', 1)],
        });
        break;
      }
      case 'softmax':
      case 'logSoftmax':
        nodes.push({
          name: out,
          opType: layer.kind === 'softmax' ? 'Softmax' : 'LogSoftmax',
          input: [prev],
          output: [out],
          attribute: [int('axis', -1)],
        });
        break;
      default: {
        const never: never = layer;
        throw new RangeError(`toOnnx: no ONNX form for layer ${JSON.stringify(never)}`);
      }
    }
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
