import type { ConvLayerShapes } from './shapes.ts';

const fmt = new Intl.NumberFormat('en-US');

/** The ConvLayer figure's text alternative. */
export function convLayerSentence(s: ConvLayerShapes): string {
  const [k, oh, ow] = s.output;
  const [d, h, w] = s.input;
  return `${k} filter${k === 1 ? '' : 's'} of ${d} × 3 × 3 on a ${d} × ${h} × ${w} input give a ${k} × ${oh} × ${ow} output, with ${fmt.format(s.weights)} weights and ${fmt.format(s.biases)} bias${s.biases === 1 ? '' : 'es'}: ${fmt.format(s.parameters)} parameters.`;
}
