import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)));
const ModelProto = root.lookupType('onnx.ModelProto');

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer-list attributes (kernel_shape, strides, pads, transB, axis). */
  attrs?: Record<string, number | number[]>;
}

export interface OnnxInit {
  name: string;
  dims: number[];
  data: Float32Array;
}

const valueInfo = (name: string, dims: number[]) => ({
  name,
  type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

/** Encodes a float32 ONNX model (opset 17) from nodes and initializers. */
export function onnxModel(o: {
  nodes: OnnxNode[];
  input: { name: string; dims: number[] };
  output: { name: string; dims: number[] };
  initializers: OnnxInit[];
}): Uint8Array {
  return ModelProto.encode(
    ModelProto.fromObject({
      irVersion: 8,
      producerName: 'receptive-bench',
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'bench',
        node: o.nodes.map((n, i) => ({
          name: `n${i}`,
          opType: n.op,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs ?? {}).map(([name, v]) =>
            Array.isArray(v) ? { name, type: 7, ints: v } : { name, type: 2, i: v },
          ),
        })),
        input: [valueInfo(o.input.name, o.input.dims)],
        output: [valueInfo(o.output.name, o.output.dims)],
        initializer: o.initializers.map((t) => ({
          name: t.name,
          dims: t.dims,
          dataType: 1,
          floatData: Array.from(t.data),
        })),
      },
    }),
  ).finish();
}
