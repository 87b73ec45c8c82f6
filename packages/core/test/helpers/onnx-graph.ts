import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// The ONNX schema that @receptive/onnx writes with (a source file of that package, read by path:
// the core keeps no dependency on it). Field numbers are the specification's, so the bytes are
// real ONNX models.
const root = protobuf.loadSync(
  fileURLToPath(new URL('../../../onnx/schema/onnx.proto', import.meta.url)),
);
const ModelProto = root.lookupType('onnx.ModelProto');

/** An ONNX node attribute value: a number is an INT unless `float` is set. */
export type Attr = number | number[] | { float: number } | { floats: number[] } | string;

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
}

export interface OnnxInit {
  name: string;
  dims: number[];
  data: Float32Array | number[];
  /** 'float' (default) or 'int64'. */
  type?: 'float' | 'int64';
}

function attribute(name: string, v: Attr): Record<string, unknown> {
  if (typeof v === 'number') return { name, type: 2, i: v };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ('float' in v) return { name, type: 1, f: v.float };
  return { name, type: 6, floats: v.floats };
}

function valueInfo(name: string, dims: number[], elemType = 1): Record<string, unknown> {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  };
}

/**
 * Encodes a small ONNX model (opset 17) with the given nodes, graph inputs (float or int64),
 * initializers and outputs.
 */
export function onnxModel(o: {
  nodes: OnnxNode[];
  inputs: { name: string; dims: number[]; type?: 'float' | 'int64' }[];
  outputs: { name: string; dims: number[] }[];
  initializers?: OnnxInit[];
}): Uint8Array {
  const msg = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'receptive-core-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: o.nodes.map((n, i) => ({
        name: `n${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      input: o.inputs.map((i) => valueInfo(i.name, i.dims, i.type === 'int64' ? 7 : 1)),
      output: o.outputs.map((x) => valueInfo(x.name, x.dims)),
      initializer: (o.initializers ?? []).map((t) =>
        t.type === 'int64'
          ? { name: t.name, dims: t.dims, dataType: 7, int64Data: Array.from(t.data) }
          : { name: t.name, dims: t.dims, dataType: 1, floatData: Array.from(t.data) },
      ),
    },
  });
  return ModelProto.encode(msg).finish();
}
