import { ArgumentError } from './errors.js';
import type { ConvExplanation, PoolExplanation, UnitIndex } from './explain.js';
import { kindOf } from './layer-kinds.js';
import type { SequentialModel } from './model.js';
import type { Tensor } from './tensor.js';

// Apart from explain.ts, which the layer-kind descriptors import for their explainers.
/**
 * Explains one output unit of a model's conv or pool layer on a given input, using the
 * layer's real input activation. For a blurPool2d layer it explains the blur stage: the window
 * is taken from the stride-1 max-pooled map, the kernel is the fixed binomial filter.
 *
 * @throws {ArgumentError} for layers that have no window (relu, flatten, linear, softmax).
 * @example
 * explainUnit(net, digit, 'conv1', { channel: 3, y: 10, x: 12 }).products;
 */
export function explainUnit(
  model: SequentialModel,
  input: Tensor,
  layerName: string,
  unit: UnitIndex,
): ConvExplanation | PoolExplanation {
  const i = model.indexOf(layerName);
  const layer = model.layers[i]!;
  const explain = kindOf(layer).explain;
  const { activations } = model.forwardAll(input, layerName);
  const prev = i === 0 ? 'input' : model.layers[i - 1]!.name;
  if (!explain) {
    throw new ArgumentError(
      'explainUnit',
      `layer "${layerName}" is ${layer.kind}; explain covers conv2d, maxPool2d, avgPool2d and blurPool2d layers`,
    );
  }
  return explain(activations[prev]!, layer, unit);
}
