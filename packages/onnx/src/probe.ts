/**
 * Every value a model computes, made an output of the graph, so a runtime (onnxruntime) returns
 * each one: what a figure needs to draw every layer of a model it runs elsewhere than in the
 * core. The file is not rewritten: a second `graph` field holding only the new outputs is
 * appended, which protobuf merges into the first (repeated fields concatenate), so everything
 * else in the file stays byte for byte as it was, whatever it holds.
 */
import { readModel } from './import.js';
import { encodeModel, type ModelMsg } from './proto.js';

/** A value of the graph: the node that computes it and its operator. */
export interface OnnxValue {
  /** The value's name, as the runtime returns it. */
  name: string;
  /** The operator that computes it, e.g. `Conv`. */
  op: string;
  /** The node's name (or its first output, when it has no name). */
  node: string;
}

/** What {@link withEveryValue} gives. */
export interface ProbedOnnx {
  /** The model, with every value also an output. */
  bytes: Uint8Array;
  /** The graph's own outputs, in order. */
  outputs: string[];
  /** Every value the nodes compute, in the order of the nodes (outputs included). */
  values: OnnxValue[];
  /** The graph's data input: its name and dims (a symbolic dim is null). */
  input: { name: string; dims: (number | null)[] } | null;
}

/**
 * @throws {OnnxFormatError} when the bytes are not a readable ONNX model.
 * @example
 * const { bytes: probed, values } = withEveryValue(bytes);
 * const session = await ort.InferenceSession.create(probed); // run() returns every value
 */
export function withEveryValue(bytes: Uint8Array): ProbedOnnx {
  const graph = readModel(bytes).graph!;
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const values: OnnxValue[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType === 'Constant') continue;
    for (const name of node.output ?? []) {
      if (name) values.push({ name, op: node.opType ?? '', node: node.name || name });
    }
  }
  const added = values.filter((v) => !outputs.includes(v.name));
  // An output named and nothing more: onnxruntime works out its type and shape itself.
  const extra = encodeModel({
    graph: { output: added.map((v) => ({ name: v.name })) },
  } as ModelMsg);
  const probed = new Uint8Array(bytes.length + extra.length);
  probed.set(bytes);
  probed.set(extra, bytes.length);
  const data = (graph.input ?? []).find((i) => !initializers.has(i.name ?? ''));
  const dims = data?.type?.tensorType?.shape?.dim ?? [];
  return {
    bytes: probed,
    outputs,
    values,
    input: data
      ? {
          name: data.name ?? '',
          dims: dims.map((d) =>
            d.dimValue !== undefined && d.dimValue > 0 ? Number(d.dimValue) : null,
          ),
        }
      : null,
  };
}
