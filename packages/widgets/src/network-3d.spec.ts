import { srcProp } from './byo-model.js';
import { custom, defineSpec, WidgetValueError } from './props.js';
import { backendProp, forProp, readerModelProp, VIEW_3D_BACKENDS } from './shared-props.js';

/** A caption over consecutive layers of the network. */
export interface NetworkGroup {
  layers: string[];
  text: string;
}

/**
 * The `groups` attribute: captions over groups of layers, `layers: text` separated by `|`, e.g.
 * `conv1 relu1 pool1: low-level features | conv2 relu2 pool2: higher-level features`.
 * @throws {WidgetValueError} for a group without layers or without text.
 */
export function parseGroups(
  value: string,
  tag = 'rf-network-3d',
  attribute = 'groups',
): NetworkGroup[] {
  const expected = 'groups of "layer names: caption" separated by |';
  const groups = value
    .split('|')
    .map((g) => g.trim())
    .filter(Boolean)
    .map((g) => {
      const at = g.indexOf(':');
      const layers =
        at < 0
          ? []
          : g
              .slice(0, at)
              .split(/[\s,]+/)
              .filter(Boolean);
      const text = at < 0 ? '' : g.slice(at + 1).trim();
      if (layers.length === 0 || !text) throw new WidgetValueError(tag, attribute, value, expected);
      return { layers, text };
    });
  if (groups.length === 0) throw new WidgetValueError(tag, attribute, value, expected);
  return groups;
}

const formatGroups = (groups: NetworkGroup[]) =>
  groups.map((g) => `${g.layers.join(' ')}: ${g.text}`).join(' | ');

export const NETWORK_BACKENDS = VIEW_3D_BACKENDS;

export const NETWORK_3D_SPEC = defineSpec({
  tag: 'rf-network-3d',
  summary:
    "A model's whole network in 3D for the digit a digit pad holds: the input, every convolution, ReLU and pooling layer as a stack of feature maps, the dense layer and the softmax bars, from the run of the model comparison that follows the same pad. Turn it, pick a unit by hover, click or keyboard to read its value and see its receptive field on the input, traced by @receptive/core.",
  props: [
    forProp(
      'pad',
      'The id of the <rf-digit-pad>. The activations come from the <rf-model-compare> that follows that pad and runs `model`.',
    ),
    readerModelProp('Which model to draw'),
    srcProp(
      'every layer drawn (a model the core cannot read is refused with the reason: the 3D view traces receptive fields through the geometry of each layer, which only the core has)',
    ),
    {
      attribute: 'groups',
      property: 'groups',
      type: 'NetworkGroup[] | null: { layers: string[]; text: string }',
      default: null,
      parser: custom(parseGroups, formatGroups),
      example:
        'groups="conv1 relu1 pool1: low-level features | conv2 relu2 pool2: higher-level features"',
      description:
        'Captions over groups of layers, `layers: caption` separated by `|`, each placed over its layers in the 3D view and listed under it. Layers the view does not draw (flatten) are skipped.',
    },
    backendProp(
      NETWORK_BACKENDS,
      'auto',
      'What draws the 3D view; without WebGL2 (or WebGPU) it draws on a 2D canvas, where the keys still pick units.',
    ),
    {
      attribute: null,
      property: 'layers',
      type: 'NetworkLayer[] | null (read-only): { name; kind; dims }',
      default: null,
      example: 'figure.layers',
      description: 'The layers drawn now, with the dims of their activations; null before a digit.',
    },
    {
      attribute: null,
      property: 'unit',
      type: 'NetworkUnit { layer: string; channel: number; y: number; x: number } | null',
      default: null,
      example: "figure.unit = { layer: 'pool1', channel: 2, y: 6, x: 6 }",
      description: 'The picked unit, counted from 0 (dense and softmax units are rows: y).',
    },
    {
      attribute: null,
      property: 'picked',
      type: 'PickedUnit | null (read-only)',
      default: null,
      example: 'figure.picked.field.size',
      description:
        'The picked unit with its value and its receptive field (region, size, pixels) on the input.',
    },
  ],
  events: [
    {
      name: 'rf-pick',
      detail:
        'PickedUnit { layer; kind; channel; y; x; value; field: { region; size; pixels } } | null',
      description:
        'When the picked unit changes (hover, click, keys or the unit property), or its value does for a new digit.',
    },
    {
      name: 'rf-network',
      detail: 'NetworkDrawn { model: string; layers: NetworkLayer[] }',
      description: 'After the network of a new digit is drawn.',
    },
  ],
  fallback:
    "Put the layers' shapes in the element (the Astro wrapper writes them from the model card); they show until the script runs. three.js loads only when the figure comes on screen.",
  keyboard:
    'Buttons move the camera to the whole network or to one layer. Tab to the figure: arrow keys move over a feature map (up and down a dense or softmax column), Page Up and Page Down (or [ and ]) change channel, comma and period change layer, Escape clears; each unit, its value and its receptive field are announced once the keys rest for a moment.',
});
