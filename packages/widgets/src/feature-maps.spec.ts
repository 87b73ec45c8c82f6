import { srcProp } from './byo-model.js';
import { custom, defineSpec, WidgetValueError } from './props.js';
import { forProp, readerModelProp, wasmPathsProp } from './shared-props.js';

export const DEFAULT_LAYERS = ['relu1', 'pool1', 'relu2', 'pool2'];

/** The `layers` attribute: distinct layer names (the model's own check runs when it answers). */
export function parseLayers(
  value: string,
  tag = 'rf-feature-maps',
  attribute = 'layers',
): string[] {
  const items = value.split(/[\s,]+/).filter(Boolean);
  if (items.length === 0 || new Set(items).size !== items.length) {
    throw new WidgetValueError(tag, attribute, value, 'a list of distinct layer names');
  }
  return items;
}

export const FEATURE_MAPS_SPEC = defineSpec({
  tag: 'rf-feature-maps',
  summary:
    "Draws a model's feature maps, one small image per channel of each chosen layer, for the digit a digit pad holds. It reuses the run of the model comparison that follows the same pad, so one run feeds both figures.",
  props: [
    forProp(
      'pad',
      'The id of the <rf-digit-pad>. The maps come from the <rf-model-compare> that follows that pad and runs `model`.',
    ),
    readerModelProp('Which model’s feature maps to draw'),
    srcProp(
      'every layer with feature maps drawn (or those of `layers` when the model has them all); a model the core cannot read (an operator or setting it lacks) is run by onnxruntime-web instead, and the maps are the values its image operators compute',
    ),
    {
      attribute: 'layers',
      property: 'layers',
      type: 'string[]',
      default: DEFAULT_LAYERS.join(' '),
      parser: custom(parseLayers),
      example: 'layers="conv1 relu1 pool1"',
      description:
        'The layers to draw, in order (space- or comma-separated). Each must give a channels × height × width output; signed layers use a diverging scale, the others ink on paper.',
    },
    wasmPathsProp(
      "The folder where the page serves onnxruntime-web's ort-wasm-simd-threaded.wasm and .mjs (resolved against the page), for a model of one's own that @receptive/core cannot read and onnxruntime-web runs instead. Default: next to onnxruntime-web's own code.",
    ),
  ],
  events: [
    {
      name: 'rf-draw',
      detail:
        'FeatureMapsDrawn { model: string; layers: { name: string; dims: number[] }[]; ms: number }',
      description: 'After the maps of a new digit are drawn.',
    },
  ],
  fallback:
    'Put the layer shapes (or a static picture) in the element; they show until the script runs.',
  keyboard:
    'Nothing to operate: it follows the digit pad. Each channel is an image whose text alternative gives its strongest response and where it is; each layer says which channel responds most, and a polite live region names those channels once the digit has been still for half a second.',
});
