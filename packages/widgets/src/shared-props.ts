/**
 * The props several elements share, written once for their specs: each factory returns one
 * `PropSpec` with its attribute, property and parser types kept, so that `defineSpec` and the
 * element base type the generated property as they would a prop written out. No DOM, as the
 * specs (Node imports them through `@receptive/widgets/specs`).
 */
// The names alone, not the models' runtime: every figure's spec reads this module.
import { MODEL_NAMES, type ModelName } from '@receptive/models/names';
import { READER_MODEL } from './digit-run.js';
import { KERNEL_PARSER, KERNEL_PRESET_NAMES } from './lecture.js';
import { listOf, oneOf, wholeNumber } from './props.js';

/** The backends of a figure that runs onnxruntime-web in a worker. */
export const ORT_BACKENDS = ['auto', 'wasm', 'webgpu'] as const;

/** The backends of a 3D view (three.js on WebGL2 or WebGPU). */
export const VIEW_3D_BACKENDS = ['webgl', 'webgpu', 'auto'] as const;

/** The models a figure that follows the comparison draws: the shipped ones, and the reader's own. */
export const READER_MODELS = [...MODEL_NAMES, READER_MODEL] as const;

/** A closed set of strings as a TypeScript union, the way a spec's `type` writes it: `'a' | 'b'`. */
const unionOf = (values: readonly string[]): string => `'${values.join("' | '")}'`;

/**
 * A prop whose attribute and property are `name`, one of `values`: `fallback` by default,
 * `example` in the docs' example.
 */
export const choiceProp = <const A extends string, const T extends string>(
  name: A,
  values: readonly T[],
  fallback: T,
  example: T,
  description: string,
) =>
  ({
    attribute: name,
    property: name,
    type: unionOf(values),
    default: fallback,
    values,
    parser: oneOf(values),
    example: `${name}="${example}"`,
    description,
  }) as const;

/** The `backend` prop: one of `values`, the first by default. */
export const backendProp = <const T extends string>(
  values: readonly [T, ...T[]],
  example: T,
  description: string,
) => choiceProp('backend', values, values[0], example, description);

/** The CNN's convolution layers, whose kernels and channels the visualisation figures show. */
export const CONV_LAYERS = ['conv1', 'conv2'] as const;
export type ConvLayer = (typeof CONV_LAYERS)[number];

/** The `layer` prop: one of the CNN's convolution layers, conv1 by default. */
export const convLayerProp = (description: string) =>
  choiceProp('layer', CONV_LAYERS, 'conv1', 'conv2', description);

/** The `for` prop: the id of the element this one follows (`htmlFor`, reflected as `for`). */
export const forProp = (id: string, description: string) =>
  ({
    attribute: 'for',
    property: 'htmlFor',
    type: 'string',
    default: null,
    reflect: true,
    example: `for="${id}"`,
    description,
  }) as const;

/** What the `digit` of a figure that follows a digit pad is. */
export const SHOWN_BEFORE_DRAWING =
  'The MNIST test digit shown before the reader draws (0 to 9999).';

/** The `digit` prop: an MNIST test digit's number, 0 by default. */
export const digitProp = (example: number, description = SHOWN_BEFORE_DRAWING) =>
  ({
    attribute: 'digit',
    property: 'digit',
    type: 'number',
    default: '0',
    parser: wholeNumber(0, 9999),
    example: `digit="${example}"`,
    description,
  }) as const;

/**
 * The `model` prop of a figure that shows one model of the comparison that follows its pad,
 * `what` saying what it draws of it.
 */
export const readerModelProp = (what: string) =>
  ({
    attribute: 'model',
    property: 'model',
    type: 'string',
    default: 'cnn',
    values: READER_MODELS,
    parser: oneOf(READER_MODELS),
    example: 'model="cnn-blurpool"',
    description: `${what} (it must be one of the comparison’s models). \`yours\` is the reader’s own model: the figure switches to it by itself when the page’s <rf-digit-trainer> hands one over with “Use my model”.`,
  }) as const;

/** The `models` prop: shipped models in order, `defaults` by default; what the figure does to them. */
export const modelsProp = (defaults: readonly ModelName[], example: string, verb: string) =>
  ({
    attribute: 'models',
    property: 'models',
    type: 'string[]',
    default: defaults.join(' '),
    values: MODEL_NAMES,
    parser: listOf(MODEL_NAMES),
    example: `models="${example}"`,
    description: `Which shipped models to ${verb}, in order (space- or comma-separated).`,
  }) as const;

/** The `kernel` prop: nine numbers, or a preset's name. */
export const kernelProp = (fallback: string, example: string, description: string) =>
  ({
    attribute: 'kernel',
    property: 'kernel',
    type: 'number[] (9 values); the attribute also takes a preset name',
    default: fallback,
    values: KERNEL_PRESET_NAMES,
    parser: KERNEL_PARSER,
    example,
    description,
  }) as const;

/** The `digits-src` prop: a digits file of the author's own; `more` ends its description. */
export const digitsSrcProp = (more = '') =>
  ({
    attribute: 'digits-src',
    property: 'digitsSrc',
    type: 'string',
    default: null,
    example: 'digits-src="/data/my-digits.rfd.gz"',
    description: `A digits file of your own (the RFD2 layout of @receptive/models, gzip'd or not); default: the official MNIST test digits shipped in @receptive/models${more}.`,
  }) as const;

/** What the `wasm-paths` of a figure whose Astro component sets it says. */
export const ORT_FILES_SERVED =
  'Where onnxruntime-web’s files are served (the Astro component sets it).';

/**
 * The `wasm-paths` prop of a figure that may run onnxruntime-web: the folder where the page
 * serves its `.wasm` and `.mjs` files (the Astro components set it), described as `description`.
 */
export const wasmPathsProp = (description = ORT_FILES_SERVED) =>
  ({
    attribute: 'wasm-paths',
    property: 'wasmPaths',
    type: 'string',
    default: null,
    example: 'wasm-paths="/ort/"',
    description,
  }) as const;
