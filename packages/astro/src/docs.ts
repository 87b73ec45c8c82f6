/**
 * Every component the integration gives lesson authors, described once: its props (type,
 * default, example, description) and how they are checked. The wrappers validate with
 * {@link checkProps}; the "Write a lesson" page is generated from {@link COMPONENTS}.
 * Props of the widget wrappers come from the widgets' own `spec` objects.
 */
import { MODEL_NAMES } from '@receptive/models';
// Elements whose spec is still in their element module (Node needs dom.ts's stand-in for them).
import {
  BLUR_POOL_SPEC,
  CONV_LAYER_3D_SPEC,
  channelsOf,
  checkUnit,
  convLayer3d,
  DIGIT_LOSS_SPEC,
  DIGIT_PAD_SPEC,
  DIGIT_TRAINER_SPEC,
  FEATURE_MAPS_SPEC,
  KERNEL_LAB_SPEC,
  MAX_THREADS,
  MODEL_COMPARE_SPEC,
  NETWORK_3D_SPEC,
  PHOTO_CONV_SPEC,
  POOLING_SPEC,
  type PropSpec,
  parseKernel,
  parseUnit,
  SHIFT_BLOCK_SPEC,
  SHIFT_EDGE_SPEC,
  SHIFT_MEASURE_SPEC,
  SHIFT_NETWORK_SPEC,
  VIS_KERNELS_SPEC,
  VIS_SALIENCY_SPEC,
  VIS_SHORTCUT_SPEC,
  VIS_TOP_SPEC,
  type WidgetSpec,
  WidgetValueError,
} from '@receptive/widgets/specs';
import { MODEL_FACTS } from './cards.ts';

/** One prop of a component, as authors write it in MDX. */
export interface ComponentProp {
  name: string;
  /** TypeScript type as text. */
  type: string;
  /** Default as authors would write it; null when there is none. */
  default: string | null;
  required: boolean;
  /** Allowed values, when the set is closed (or the named presets, for kernels). */
  values?: readonly string[];
  example: string;
  description: string;
  /** Throws `received X, expected ...` (without the component name) for a bad value. */
  check?: (value: unknown) => void;
  /** The attribute of the component's element this prop sets (props taken from a widget spec). */
  attribute?: string;
}

export interface ComponentDoc {
  /** The tag authors write, e.g. `KernelLab`. */
  name: string;
  summary: string;
  /** The custom element it renders, if any. */
  element?: string;
  props: readonly ComponentProp[];
  /** A complete MDX example. */
  example: string;
  /** What readers without JavaScript see. */
  fallback: string;
  keyboard?: string;
  /** Checks props against each other, after each alone; throws a {@link PropError}. */
  checkTogether?: (props: Record<string, unknown>) => void;
}

/** A prop value a component cannot take: `<KernelLab> kernel: received "x", expected ...`. */
/**
 * The prop the MDX check adds to a component whose props a lesson computes: where in the lesson
 * it is (`src/content/lessons/x.mdx:12:1`), so an error when the page renders can say so.
 */
export const SOURCE_PROP = 'data-rf-source';

export class PropError extends TypeError {
  /** The component, e.g. `KernelLab`. */
  readonly component: string;
  /** The prop that is wrong. */
  readonly prop: string;
  constructor(component: string, prop: string, detail: string) {
    super(`<${component}> ${prop}: ${detail}`);
    this.name = 'PropError';
    this.component = component;
    this.prop = prop;
  }
}

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

const fail = (value: unknown, expected: string): never => {
  throw new Error(`received ${show(value)}, expected ${expected}`);
};

const isString = (v: unknown) => {
  if (typeof v !== 'string' || v.trim() === '') fail(v, 'a non-empty string');
};
const isBoolean = (v: unknown) => {
  if (typeof v !== 'boolean') fail(v, 'true or false');
};
const oneOf = (values: readonly string[]) => (v: unknown) => {
  if (typeof v !== 'string' || !values.includes(v)) fail(v, `one of ${values.join(', ')}`);
};
const integer = (min: number, max: number) => (v: unknown) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(v, `a whole number from ${min} to ${max}`);
  }
};
const stateName = (v: unknown) => {
  if (typeof v !== 'string' || !/^[a-z0-9-]+$/i.test(v)) fail(v, 'letters, digits and dashes');
};
const kernel = (tag: string) => (v: unknown) => {
  try {
    parseKernel(tag, 'kernel', Array.isArray(v) ? v.join(',') : String(v));
  } catch (err) {
    if (err instanceof WidgetValueError) fail(v, err.expected);
    throw err;
  }
};
const modelList = (values: readonly string[]) => (v: unknown) => {
  const items = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : [];
  if (
    items.length === 0 ||
    items.some((i) => !values.includes(i)) ||
    new Set(items).size < items.length
  ) {
    fail(v, `a list of distinct names from ${values.join(', ')}`);
  }
};

/** The kernel lab's scroll states: `{ state: { kernel?, padding? } }`. */
const kernelSteps = (v: unknown) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    fail(v, 'an object such as { blur: { kernel: "box-blur", padding: false } }');
  }
  for (const [state, s] of Object.entries(v as Record<string, unknown>)) {
    stateName(state);
    if (typeof s !== 'object' || s === null) fail(s, 'an object with kernel and/or padding');
    const { kernel: k, padding, ...rest } = s as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) fail(extra[0], 'kernel or padding');
    if (k !== undefined) kernel('rf-kernel-lab')(k);
    if (padding !== undefined) isBoolean(padding);
  }
};

const specDefault = (spec: WidgetSpec, attribute: string): number =>
  Number(spec.props.find((p) => p.attribute === attribute)?.default);

/**
 * A traced unit of `<ConvLayer3D>` must be in the layer it is shown with: the filters and
 * channels of its step, else of the component (the element would log an error and drop it).
 */
const convLayer3dUnits = (props: Record<string, unknown>) => {
  const k = (props['filters'] as number | undefined) ?? specDefault(CONV_LAYER_3D_SPEC, 'filters');
  const d =
    (props['channels'] as number | undefined) ?? specDefault(CONV_LAYER_3D_SPEC, 'channels');
  const check = (prop: string, where: string, unit: unknown, filters: number, channels: number) => {
    const u = typeof unit === 'string' ? parseUnit(unit) : null;
    if (!u) return;
    try {
      checkUnit(u, convLayer3d(filters, channels).outputShape);
    } catch (err) {
      if (!(err instanceof WidgetValueError)) throw err;
      throw new PropError(
        'ConvLayer3D',
        prop,
        `received ${show(unit)}${where}, expected ${err.expected} for ${filters} filter${filters === 1 ? '' : 's'}`,
      );
    }
  };
  check('unit', '', props['unit'], k, d);
  const steps = (props['steps'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [state, s] of Object.entries(steps)) {
    check(
      'steps',
      ` in step "${state}"`,
      s['unit'],
      (s['filters'] as number | undefined) ?? k,
      (s['channels'] as number | undefined) ?? d,
    );
  }
};

/**
 * A figure's `steps` prop: inside a `<Scrolly>`, what each step state sets (`what`, in words),
 * checked by `check`; a state not listed leaves `rest` as it was.
 */
function stepsProp(
  type: string,
  example: string,
  what: string,
  check: (v: unknown) => void,
  rest = 'the figure as it is',
): ComponentProp {
  return {
    name: 'steps',
    type,
    default: null,
    required: false,
    example,
    description: `Inside a <Scrolly>: ${what}. A state not listed leaves ${rest}.`,
    check,
  };
}

/** Scroll states of a figure: `{ state: { prop: value } }`, each prop checked by `checks`. */
const stepsOf =
  (checks: Record<string, (v: unknown) => void>, nullable: readonly string[] = []) =>
  (v: unknown) => {
    const names = Object.keys(checks).join(', ');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      fail(v, `an object of step states, each setting ${names}`);
    }
    for (const [state, s] of Object.entries(v as Record<string, unknown>)) {
      stateName(state);
      if (typeof s !== 'object' || s === null) fail(s, `an object with ${names}`);
      for (const [key, value] of Object.entries(s as Record<string, unknown>)) {
        const check = checks[key];
        if (!check) fail(key, `one of ${names}`);
        if (!(value === null && nullable.includes(key))) check!(value);
      }
    }
  };

/**
 * The build-time check of a widget prop, from its spec: the value must have the type an MDX
 * author writes (`digit={3}`, `padding={true}`, `model="cnn"`), then pass the element's own
 * parser, whose "expected ..." it repeats.
 */
function specCheck(spec: WidgetSpec, p: PropSpec): (v: unknown) => void {
  const parser = p.parser;
  if (!parser) return isString;
  return (v) => {
    if (parser.astro === 'number' && typeof v !== 'number') fail(v, 'a number');
    if (parser.astro === 'boolean') return isBoolean(v);
    if (parser.astro === 'string' && typeof v !== 'string') fail(v, 'a string');
    try {
      parser.parse(String(v), spec.tag, p.attribute ?? p.property);
    } catch (err) {
      if (err instanceof WidgetValueError) fail(v, err.expected);
      throw err;
    }
  };
}

/** The check of one attribute of a spec, for a component's `steps`. */
const specCheckOf = (spec: WidgetSpec, attribute: string) =>
  specCheck(spec, spec.props.find((p: PropSpec) => p.attribute === attribute)!);

/**
 * Turns an element's attribute into the prop authors write (`digits-src` -> `digitsSrc`), with
 * its type, default, example, description and check taken from the element's spec.
 */
function fromSpec(
  spec: WidgetSpec,
  attribute: string,
  extra: Partial<ComponentProp> = {},
): ComponentProp {
  const p = spec.props.find((x: PropSpec) => x.attribute === attribute);
  if (!p) throw new Error(`${spec.tag} has no attribute ${attribute}`);
  const name = attribute.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return {
    name,
    type: p.type,
    default: p.default,
    required: false,
    ...(p.values ? { values: p.values } : {}),
    example: p.example.replace(`${attribute}=`, `${name}=`),
    description: p.description,
    check: specCheck(spec, p),
    attribute,
    ...extra,
  };
}

const caption: ComponentProp = {
  name: 'caption',
  type: 'string',
  default: null,
  required: false,
  example: 'caption="The box blur of the lecture\'s image"',
  description: "A caption under the figure (it becomes the figure's accessible name).",
  check: isString,
};

const specValues = (spec: WidgetSpec, attribute: string): readonly string[] =>
  spec.props.find((p) => p.attribute === attribute)?.values ?? [];
const kernelValues = KERNEL_LAB_SPEC.props.find((p) => p.attribute === 'kernel')!.values ?? [];

export const COMPONENTS: readonly ComponentDoc[] = [
  {
    name: 'Scrolly',
    summary:
      "A scrollytelling sequence: a sticky figure beside (on phones: above) a column of text steps. The step crossing the middle of the viewport, or holding keyboard focus, is active: its state becomes the container's data-state and an rf:step event ({ index, state, direction }) bubbles to the figure.",
    element: 'rf-scrolly',
    props: [
      {
        name: 'label',
        type: 'string',
        default: null,
        required: true,
        example: 'label="Three digit classifiers"',
        description: 'Accessible name of the whole sequence, read before the figure.',
        check: isString,
      },
      {
        name: 'initial',
        type: 'string',
        default: null,
        required: true,
        example: 'initial="logreg"',
        description:
          'State the figure shows before any script runs (and without JavaScript); the state of the first step.',
        check: stateName,
      },
    ],
    example: `<Scrolly label="Two kernels" initial="identity">
  <KernelLab slot="figure" kernel="identity"
    steps={{ identity: { kernel: 'identity' }, blur: { kernel: 'box-blur' } }} />
  <Step state="identity" label="Identity">The identity kernel copies the image.</Step>
  <Step state="blur" label="Box blur">The box blur averages each 3 × 3 window.</Step>
</Scrolly>`,
    fallback: 'The figure shows the initial state; every step stays readable.',
    keyboard: 'Tabbing into a step (to a link or control) makes it the active one.',
  },
  {
    name: 'Step',
    summary: 'One text step of a <Scrolly>; when active, its state is handed to the figure.',
    props: [
      {
        name: 'state',
        type: 'string',
        default: null,
        required: true,
        example: 'state="mlp"',
        description: 'Figure state this step shows. Letters, digits and dashes.',
        check: stateName,
      },
      {
        name: 'label',
        type: 'string',
        default: null,
        required: true,
        example: 'label="Multilayer perceptron"',
        description: 'Short name announced to screen readers when the step becomes active.',
        check: isString,
      },
      {
        name: 'focus',
        type: 'string (a CSS selector)',
        default: 'the whole figure',
        required: false,
        example: 'focus=".grid.out"',
        description:
          "The part of the figure the step talks about, looked for in the figure and inside its elements' shadow roots (several matches: the box around them all). While the step is active it stays on screen: on phones the compact figure panel above the text scrolls to it; on wide screens a figure taller than the window is pinned so that it shows.",
        check: isString,
      },
    ],
    example: '<Step state="blur" label="The box blur" focus=".grid.out">Text of the step.</Step>',
    fallback: 'Plain text.',
  },
  {
    name: 'KernelLab',
    element: KERNEL_LAB_SPEC.tag,
    summary: KERNEL_LAB_SPEC.summary,
    props: [
      fromSpec(KERNEL_LAB_SPEC, 'kernel', { check: kernel('rf-kernel-lab') }),
      fromSpec(KERNEL_LAB_SPEC, 'padding', {
        example: 'padding={true}',
        check: isBoolean,
      }),
      stepsProp(
        'Record<string, { kernel?: string; padding?: boolean }>',
        "steps={{ blur: { kernel: 'box-blur' }, padded: { padding: true } }}",
        'what each step state sets on the lab',
        kernelSteps,
        'the lab as it is',
      ),
      caption,
    ],
    example: '<KernelLab kernel="box-blur" caption="The lecture\'s box blur" />',
    fallback:
      'The input, kernel and output as tables, computed at build time by @receptive/core (renderKernelLabFallback).',
    keyboard: KERNEL_LAB_SPEC.keyboard,
  },
  {
    name: 'Pooling',
    element: POOLING_SPEC.tag,
    summary: POOLING_SPEC.summary,
    props: [
      fromSpec(POOLING_SPEC, 'digit', { example: 'digit={3}' }),
      fromSpec(POOLING_SPEC, 'kernel', { check: kernel('rf-pooling') }),
      fromSpec(POOLING_SPEC, 'digits-src', { check: isString }),
      fromSpec(POOLING_SPEC, 'trace'),
      stepsProp(
        'Record<string, { trace?: string | null }>',
        "steps={{ block: { trace: 'pool1,6,7' }, again: { trace: 'pool2,3,3' } }}",
        'the unit each step state traces (null clears it)',
        stepsOf({ trace: specCheckOf(POOLING_SPEC, 'trace') }, ['trace']),
      ),
      caption,
    ],
    example: '<Pooling digit={0} kernel="horizontal-edge" />',
    fallback:
      'A table of the map sizes and of how many values one pooled unit saw at each level, traced at build time by @receptive/core.',
    keyboard: POOLING_SPEC.keyboard,
  },
  {
    name: 'DigitPad',
    element: DIGIT_PAD_SPEC.tag,
    summary: DIGIT_PAD_SPEC.summary,
    props: [
      {
        name: 'id',
        type: 'string',
        default: 'pad',
        required: false,
        example: 'id="pad"',
        description: 'The id a <ModelCompare for="..."> refers to.',
        check: stateName,
      },
      fromSpec(DIGIT_PAD_SPEC, 'digits-src', { check: isString }),
    ],
    example: '<DigitPad id="pad" />\n<ModelCompare for="pad" />',
    fallback: 'A sentence saying that drawing needs JavaScript.',
    keyboard: DIGIT_PAD_SPEC.keyboard,
  },
  {
    name: 'ModelCompare',
    element: MODEL_COMPARE_SPEC.tag,
    summary: MODEL_COMPARE_SPEC.summary,
    props: [
      fromSpec(MODEL_COMPARE_SPEC, 'for', { default: 'pad', check: stateName }),
      fromSpec(MODEL_COMPARE_SPEC, 'models'),
      fromSpec(MODEL_COMPARE_SPEC, 'src'),
      fromSpec(MODEL_COMPARE_SPEC, 'backend'),
      {
        name: 'wake',
        type: "'near' | 'draw'",
        default: 'near',
        required: false,
        values: ['near', 'draw'],
        example: 'wake="draw"',
        description:
          'When the models download: near, as the figure comes within two screens of the viewport; draw, only once the reader draws on or picks a digit in the pad (for a page that opens with the pad, so it fetches no model before the reader asks). Until then the table of the model cards shows.',
        check: oneOf(['near', 'draw']),
      },
    ],
    example: '<ModelCompare for="pad" models="logreg mlp cnn" />',
    fallback:
      "A table of each model's parameter count and held-out accuracy, read from the model cards at build time.",
    keyboard: MODEL_COMPARE_SPEC.keyboard,
  },
  {
    name: 'FeatureMaps',
    element: FEATURE_MAPS_SPEC.tag,
    summary: FEATURE_MAPS_SPEC.summary,
    props: [
      fromSpec(FEATURE_MAPS_SPEC, 'for', { default: 'pad', check: stateName }),
      fromSpec(FEATURE_MAPS_SPEC, 'model'),
      fromSpec(FEATURE_MAPS_SPEC, 'src'),
      fromSpec(FEATURE_MAPS_SPEC, 'layers'),
      caption,
    ],
    example:
      '<DigitPad id="pad" />\n<ModelCompare for="pad" models="logreg mlp cnn" />\n<FeatureMaps for="pad" model="cnn" layers="relu1 pool1 relu2 pool2" />',
    fallback:
      "A table of the chosen layers' shapes, read from the model card at build time (the build fails on a layer the model lacks); with `src`, a sentence naming the model's file.",
    keyboard: FEATURE_MAPS_SPEC.keyboard,
  },
  {
    name: 'Network3D',
    element: NETWORK_3D_SPEC.tag,
    summary: NETWORK_3D_SPEC.summary,
    props: [
      {
        name: 'id',
        type: 'string',
        default: null,
        required: false,
        example: 'id="vis-net"',
        description:
          'An id for the element, for a figure that follows the units picked in it (<VisTop network="...">).',
        check: stateName,
      },
      fromSpec(NETWORK_3D_SPEC, 'for', { default: 'pad', check: stateName }),
      fromSpec(NETWORK_3D_SPEC, 'model'),
      fromSpec(NETWORK_3D_SPEC, 'src'),
      fromSpec(NETWORK_3D_SPEC, 'backend'),
      fromSpec(NETWORK_3D_SPEC, 'groups'),
      caption,
    ],
    example:
      '<DigitPad id="pad" />\n<ModelCompare for="pad" models="logreg mlp cnn" />\n<Network3D for="pad" model="cnn" />',
    fallback:
      "A table of every layer's name, kind and output shape, read from the model card at build time; with `src`, a sentence naming the model's file.",
    keyboard: NETWORK_3D_SPEC.keyboard,
  },
  {
    name: 'ShiftMeasure',
    element: SHIFT_MEASURE_SPEC.tag,
    summary: SHIFT_MEASURE_SPEC.summary,
    props: [
      fromSpec(SHIFT_MEASURE_SPEC, 'models'),
      fromSpec(SHIFT_MEASURE_SPEC, 'digits', { example: 'digits={1000}' }),
      fromSpec(SHIFT_MEASURE_SPEC, 'backend'),
      caption,
    ],
    example: '<ShiftMeasure models="cnn cnn-blurpool" digits={1000} />',
    fallback:
      "A table of each model's shift consistency and accuracy against horizontal shift, read from the model cards at build time.",
    keyboard: SHIFT_MEASURE_SPEC.keyboard,
  },
  {
    name: 'PhotoConv',
    element: PHOTO_CONV_SPEC.tag,
    summary: PHOTO_CONV_SPEC.summary,
    props: [
      fromSpec(PHOTO_CONV_SPEC, 'photo'),
      fromSpec(PHOTO_CONV_SPEC, 'kernel', { check: kernel('rf-photo-conv') }),
      fromSpec(PHOTO_CONV_SPEC, 'channels'),
      fromSpec(PHOTO_CONV_SPEC, 'backend'),
      fromSpec(PHOTO_CONV_SPEC, 'for', { check: stateName }),
      caption,
    ],
    example: '<PhotoConv photo="coffee" kernel="laplacian" />',
    fallback:
      'The photo with its credit line beside its output for the initial kernel, computed at build time by the live figure’s own CPU path (@receptive/core’s conv2d) and served as an image; tfjs loads only when the figure nears the viewport.',
    keyboard: PHOTO_CONV_SPEC.keyboard,
  },
  {
    name: 'ConvLayer',
    summary:
      'A convolution layer by its shapes: k filters of size d × 3 × 3 (one bias each) on a d × h × w input, then ReLU. Readers change k, d, h and w; the output shape and parameter count are computed live by @receptive/core.',
    props: [
      {
        name: 'filters',
        type: 'number',
        default: '3',
        required: false,
        example: 'filters={3}',
        description: 'k, the number of filters (1 to 512).',
        check: integer(1, 512),
      },
      {
        name: 'channels',
        type: 'number',
        default: '1',
        required: false,
        example: 'channels={1}',
        description: 'd, the channels of the input (1 to 512).',
        check: integer(1, 512),
      },
      {
        name: 'height',
        type: 'number',
        default: '7',
        required: false,
        example: 'height={28}',
        description: 'h, the input height in pixels (3 to 1024).',
        check: integer(3, 1024),
      },
      {
        name: 'width',
        type: 'number',
        default: '7',
        required: false,
        example: 'width={28}',
        description: 'w, the input width in pixels (3 to 1024).',
        check: integer(3, 1024),
      },
    ],
    example: '<ConvLayer filters={3} channels={1} height={28} width={28} />',
    fallback: 'The same table for the initial values, computed at build time.',
    keyboard: 'Four labelled number inputs; the table below them is announced when it changes.',
  },
  {
    name: 'ConvLayer3D',
    element: CONV_LAYER_3D_SPEC.tag,
    summary: CONV_LAYER_3D_SPEC.summary,
    props: [
      fromSpec(CONV_LAYER_3D_SPEC, 'filters', { example: 'filters={3}' }),
      fromSpec(CONV_LAYER_3D_SPEC, 'channels', { example: 'channels={2}' }),
      fromSpec(CONV_LAYER_3D_SPEC, 'unit'),
      stepsProp(
        'Record<string, { filters?: number; channels?: number; unit?: string | null }>',
        "steps={{ one: { filters: 1, channels: 1 }, three: { filters: 3, unit: '2,1,1' } }}",
        'what each step state sets on the figure (unit null clears the traced unit)',
        stepsOf(
          {
            filters: specCheckOf(CONV_LAYER_3D_SPEC, 'filters'),
            channels: specCheckOf(CONV_LAYER_3D_SPEC, 'channels'),
            unit: specCheckOf(CONV_LAYER_3D_SPEC, 'unit'),
          },
          ['unit'],
        ),
        'the figure as the reader left it',
      ),
      caption,
    ],
    example: '<ConvLayer3D filters={3} channels={1} />',
    fallback:
      'A table of the input, filter and output shapes and the parameter count, computed at build time by @receptive/core.',
    keyboard: CONV_LAYER_3D_SPEC.keyboard,
    checkTogether: convLayer3dUnits,
  },
  {
    name: 'PoolingChain',
    summary:
      "A table: a 3 × 3 convolution, then 2 × 2 max pooling again and again, with the size of each map and how many input pixels one unit sees (traced by @receptive/core's receptiveField). Static: it needs no JavaScript.",
    props: [
      {
        name: 'size',
        type: 'number',
        default: '6',
        required: false,
        example: 'size={28}',
        description: 'Height and width of the square input image (4 to 512).',
        check: integer(4, 512),
      },
      caption,
    ],
    example: '<PoolingChain size={6} />',
    fallback: 'It is static HTML.',
  },
  {
    name: 'ShiftBlock',
    element: SHIFT_BLOCK_SPEC.tag,
    summary: SHIFT_BLOCK_SPEC.summary,
    props: [
      fromSpec(SHIFT_BLOCK_SPEC, 'one'),
      stepsProp(
        'Record<string, { one?: string }>',
        "steps={{ small: { one: '1,1' }, bigger: { one: '1,3' } }}",
        'where each step state puts the 1',
        stepsOf({ one: specCheckOf(SHIFT_BLOCK_SPEC, 'one') }),
      ),
      caption,
    ],
    example: '<ShiftBlock one="1,1" />',
    fallback:
      'A table of the example (the 1 at each place of the first block, then two columns on) with the pooled grid, computed at build time by @receptive/core.',
    keyboard: SHIFT_BLOCK_SPEC.keyboard,
  },
  {
    name: 'ShiftEdge',
    element: SHIFT_EDGE_SPEC.tag,
    summary: SHIFT_EDGE_SPEC.summary,
    props: [
      fromSpec(SHIFT_EDGE_SPEC, 'digit', { example: 'digit={3}' }),
      fromSpec(SHIFT_EDGE_SPEC, 'kernel', { check: kernel('rf-shift-edge') }),
      fromSpec(SHIFT_EDGE_SPEC, 'shift'),
      stepsProp(
        'Record<string, { shift?: string }>',
        "steps={{ one: { shift: '0,1' }, two: { shift: '0,2' } }}",
        'the shift each step state sets',
        stepsOf({ shift: specCheckOf(SHIFT_EDGE_SPEC, 'shift') }),
      ),
      caption,
    ],
    example: '<ShiftEdge digit={0} shift="0,1" />',
    fallback: 'A sentence saying what the live figure shows.',
    keyboard: SHIFT_EDGE_SPEC.keyboard,
  },
  {
    name: 'ShiftNetwork',
    element: SHIFT_NETWORK_SPEC.tag,
    summary: SHIFT_NETWORK_SPEC.summary,
    props: [
      fromSpec(SHIFT_NETWORK_SPEC, 'for', { default: 'pad', check: stateName }),
      fromSpec(SHIFT_NETWORK_SPEC, 'digit', { example: 'digit={0}' }),
      caption,
    ],
    example: '<DigitPad id="shift-pad" />\n<ShiftNetwork for="shift-pad" />',
    fallback:
      "A table of both CNNs' accuracy on shifted test digits and their shift consistency, read from the model cards at build time.",
    keyboard: SHIFT_NETWORK_SPEC.keyboard,
  },
  {
    name: 'BlurPool',
    element: BLUR_POOL_SPEC.tag,
    summary: BLUR_POOL_SPEC.summary,
    props: [
      fromSpec(BLUR_POOL_SPEC, 'digit', { example: 'digit={0}' }),
      fromSpec(BLUR_POOL_SPEC, 'stage'),
      stepsProp(
        "Record<string, { stage?: 'max' | 'blur' | 'keep' }>",
        "steps={{ max: { stage: 'max' }, blur: { stage: 'blur' } }}",
        'the stage each step state points at',
        stepsOf({ stage: specCheckOf(BLUR_POOL_SPEC, 'stage') }),
      ),
      caption,
    ],
    example: '<BlurPool digit={0} stage="keep" />',
    fallback:
      "The one-dimensional aliasing example and both CNNs' parameters, operations, accuracy and shift consistency, computed at build time (@receptive/core, the model cards).",
    keyboard: BLUR_POOL_SPEC.keyboard,
  },
  {
    name: 'DigitTrainer',
    element: DIGIT_TRAINER_SPEC.tag,
    summary: DIGIT_TRAINER_SPEC.summary,
    props: [
      fromSpec(DIGIT_TRAINER_SPEC, 'for', { check: stateName }),
      fromSpec(DIGIT_TRAINER_SPEC, 'seed', { example: 'seed={1}', check: integer(0, 2 ** 20) }),
      fromSpec(DIGIT_TRAINER_SPEC, 'lr', {
        example: 'lr={0.003}',
        check: (v) => {
          const ok = specValues(DIGIT_TRAINER_SPEC, 'lr');
          if (typeof v !== 'number' || !ok.includes(String(v))) fail(v, `one of ${ok.join(', ')}`);
        },
      }),
      fromSpec(DIGIT_TRAINER_SPEC, 'batch-size', {
        example: 'batchSize={32}',
        check: (v) => {
          const ok = specValues(DIGIT_TRAINER_SPEC, 'batch-size');
          if (typeof v !== 'number' || !ok.includes(String(v))) fail(v, `one of ${ok.join(', ')}`);
        },
      }),
      fromSpec(DIGIT_TRAINER_SPEC, 'backend', {
        check: oneOf(specValues(DIGIT_TRAINER_SPEC, 'backend')),
      }),
      fromSpec(DIGIT_TRAINER_SPEC, 'threads', {
        example: 'threads={1}',
        check: (v) => {
          if (v !== 'auto') integer(1, MAX_THREADS)(v);
        },
      }),
      caption,
    ],
    example: '<DigitPad id="pad" />\n<DigitTrainer for="pad" />',
    fallback:
      "The shipped CNN's training curve and a table of its training log (loss, accuracy and learning rate by pass), read from models/cnn.train.json at build time.",
    keyboard: DIGIT_TRAINER_SPEC.keyboard,
  },
  {
    name: 'DigitLoss',
    element: DIGIT_LOSS_SPEC.tag,
    summary: DIGIT_LOSS_SPEC.summary,
    props: [
      fromSpec(DIGIT_LOSS_SPEC, 'digit', { example: 'digit={11}', check: integer(0, 9999) }),
      fromSpec(DIGIT_LOSS_SPEC, 'label', { example: 'label={6}', check: integer(0, 9) }),
      caption,
    ],
    example: '<DigitLoss digit={11} />',
    fallback:
      "The same softmax outputs, one-hot row, loss and loss after one gradient step, computed at build time with the live figure's code.",
    keyboard: DIGIT_LOSS_SPEC.keyboard,
  },
  {
    name: 'LectureNetworks',
    summary:
      "The lecture's digit classifiers (mlp, one-block, two-block CNN) as tables of layers with each layer's output shape and parameter count, computed by @receptive/core at build time, with the slide's three captions over the two-block CNN's blocks.",
    props: [
      {
        name: 'networks',
        type: 'string',
        default: 'one-block two-block',
        required: false,
        values: ['mlp', 'one-block', 'two-block'],
        example: 'networks="one-block two-block"',
        description: 'Which networks, in order (space- or comma-separated).',
        check: modelList(['mlp', 'one-block', 'two-block']),
      },
      caption,
    ],
    example: '<LectureNetworks networks="mlp one-block two-block" />',
    fallback: 'Static: the tables are the figure.',
  },
  {
    name: 'ModelFact',
    summary:
      "One number about a shipped model, inline in a sentence, read from its model card at build time: its parameters, its test accuracy, how many test digits it reads, how many filters one of its convolution layers has, or how long it trained. A lesson's prose then stays true when the model is retrained.",
    props: [
      {
        name: 'model',
        type: 'string',
        default: null,
        required: true,
        values: MODEL_NAMES,
        example: 'model="cnn"',
        description: 'The shipped model whose card is read.',
        check: oneOf(MODEL_NAMES),
      },
      {
        name: 'fact',
        type: MODEL_FACTS.map((f) => `'${f}'`).join(' | '),
        default: null,
        required: true,
        values: MODEL_FACTS,
        example: 'fact="parameters"',
        description:
          'parameters (e.g. 7,310), accuracy on the 10,000 official test digits (e.g. 99.27%), correct (test digits read right, e.g. 9,927), consistency (how often two random shifts of up to 3 px of a test digit get the same answer, e.g. 97.16%), filters of the convolution layer named by layer (e.g. 12), minutes its training took on the machine its card names (rounded), or epochs (passes over the training digits).',
        check: oneOf(MODEL_FACTS),
      },
      {
        name: 'layer',
        type: 'string',
        default: null,
        required: false,
        example: 'layer="conv1"',
        description:
          'The convolution layer whose filters to count (fact="filters" only); the build fails if the model has no convolution of that name.',
        check: stateName,
      },
    ],
    checkTogether: (props) => {
      const withLayer = props['fact'] === 'filters';
      if (withLayer !== (props['layer'] !== undefined)) {
        throw new PropError(
          'ModelFact',
          'layer',
          withLayer
            ? 'received nothing, expected the convolution layer whose filters to count'
            : `received ${show(props['layer'])}, expected no layer unless fact="filters"`,
        );
      }
    },
    example:
      'The CNN has <ModelFact model="cnn" fact="parameters" /> parameters, and its first layer <ModelFact model="cnn" fact="filters" layer="conv1" /> kernels.',
    fallback: 'Static: the number is text in the page.',
  },
  {
    name: 'VisKernels',
    element: VIS_KERNELS_SPEC.tag,
    summary: VIS_KERNELS_SPEC.summary,
    props: [
      fromSpec(VIS_KERNELS_SPEC, 'for', { default: 'pad', check: stateName }),
      fromSpec(VIS_KERNELS_SPEC, 'layer'),
      fromSpec(VIS_KERNELS_SPEC, 'digit', { example: 'digit={0}' }),
      stepsProp(
        "Record<string, { layer?: 'conv1' | 'conv2' }>",
        "steps={{ first: { layer: 'conv1' }, second: { layer: 'conv2' } }}",
        'the layer each step state shows',
        stepsOf({ layer: specCheckOf(VIS_KERNELS_SPEC, 'layer') }),
      ),
      caption,
    ],
    example: '<DigitPad id="vis-pad" />\n<VisKernels for="vis-pad" layer="conv1" />',
    fallback:
      'The same pictures for the test digit: each kernel of the layer beside its feature map, computed at build time by @receptive/core and encoded as PNG.',
    keyboard: VIS_KERNELS_SPEC.keyboard,
  },
  {
    name: 'VisTop',
    element: VIS_TOP_SPEC.tag,
    summary: VIS_TOP_SPEC.summary,
    props: [
      fromSpec(VIS_TOP_SPEC, 'layer'),
      fromSpec(VIS_TOP_SPEC, 'channel', { example: 'channel={3}' }),
      fromSpec(VIS_TOP_SPEC, 'network', { check: stateName }),
      fromSpec(VIS_TOP_SPEC, 'backend'),
      caption,
    ],
    example:
      '<Network3D id="vis-net" for="vis-pad" />\n<VisTop layer="conv1" channel={0} network="vis-net" />',
    fallback:
      'The 16 test digits a few channels fire most on, with the pixels their strongest unit sees, ranked at build time by @receptive/core as the live figure ranks them.',
    keyboard: VIS_TOP_SPEC.keyboard,
    checkTogether: (props) => {
      const layer = (props['layer'] as string | undefined) ?? 'conv1';
      const channel = props['channel'];
      const max = channelsOf(layer as 'conv1' | 'conv2') - 1;
      if (typeof channel === 'number' && channel > max) {
        throw new PropError(
          'VisTop',
          'channel',
          `received ${channel}, expected 0 to ${max} for ${layer}`,
        );
      }
    },
  },
  {
    name: 'VisSaliency',
    element: VIS_SALIENCY_SPEC.tag,
    summary: VIS_SALIENCY_SPEC.summary,
    props: [
      fromSpec(VIS_SALIENCY_SPEC, 'for', { default: 'pad', check: stateName }),
      fromSpec(VIS_SALIENCY_SPEC, 'digit', { example: 'digit={0}' }),
      caption,
    ],
    example: '<DigitPad id="vis-pad" />\n<VisSaliency for="vis-pad" />',
    fallback:
      'The same maps for the test digit, for both models, with each answer and where hiding a patch hurt it most, computed at build time by @receptive/core and encoded as PNG.',
    keyboard: VIS_SALIENCY_SPEC.keyboard,
  },
  {
    name: 'VisShortcut',
    element: VIS_SHORTCUT_SPEC.tag,
    summary: VIS_SHORTCUT_SPEC.summary,
    props: [
      fromSpec(VIS_SHORTCUT_SPEC, 'digit', { example: 'digit={0}' }),
      fromSpec(VIS_SHORTCUT_SPEC, 'mark'),
      fromSpec(VIS_SHORTCUT_SPEC, 'backend'),
      stepsProp(
        "Record<string, { mark?: 'own' | 'none' | '0' … '9' }>",
        "steps={{ own: { mark: 'own' }, gone: { mark: 'none' }, swapped: { mark: '3' } }}",
        'where each step state puts the mark',
        stepsOf({ mark: specCheckOf(VIS_SHORTCUT_SPEC, 'mark') }),
      ),
      caption,
    ],
    example: '<VisShortcut digit={0} />',
    fallback:
      "The model card's table of the shortcut model's three accuracies, read at build time.",
    keyboard: VIS_SHORTCUT_SPEC.keyboard,
  },
];

/** The documentation of one component. */
export function componentDoc(name: string): ComponentDoc {
  const doc = COMPONENTS.find((c) => c.name === name);
  if (!doc) throw new Error(`No component named ${name}`);
  return doc;
}

/** An attribute value as Astro writes it: `true` as a bare attribute, undefined not at all. */
export type AttributeValue = string | number | boolean | undefined;

/**
 * The attributes a wrapper gives its element, from the props an author wrote: each prop taken
 * from the element's spec under its attribute's name, or its documented default when left out
 * (a list joined by commas), and `steps` as the `data-rf-steps` its scrolly reads.
 * @example <rf-shift-edge {...elementAttributes('ShiftEdge', Astro.props)}>
 */
export function elementAttributes(
  name: string,
  props: Record<string, unknown>,
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const p of componentDoc(name).props) {
    const value = props[p.name] ?? (p.type === 'boolean' ? undefined : (p.default ?? undefined));
    if (p.name === 'steps') {
      if (value !== undefined) out['data-rf-steps'] = JSON.stringify(value);
    } else if (p.attribute) {
      out[p.attribute] = Array.isArray(value) ? value.join(',') : (value as AttributeValue);
    }
  }
  return out;
}

// Props Astro or authors may pass to any component without it declaring them (Astro adds
// `data-astro-cid-*` to components placed in a page with scoped styles).
const ALWAYS = new Set(['slot', 'class']);
const always = (key: string) => ALWAYS.has(key) || key.startsWith('data-');

/**
 * Checks props against the component's description: unknown props, missing required ones and
 * bad values throw a {@link PropError} naming what was received and what was expected. With
 * `partial`, `props` holds only some of what the component will receive (the rest is computed
 * later), so neither a missing prop nor how the props fit together is judged.
 * @example checkProps('KernelLab', { kernel: 'sharpen' })
 * // PropError: <KernelLab> kernel: received "sharpen", expected one of identity, box-blur, ...
 */
export function checkProps(
  name: string,
  props: Record<string, unknown>,
  { partial = false }: { partial?: boolean } = {},
): void {
  const source = props[SOURCE_PROP];
  try {
    checkAll(name, props, partial);
  } catch (err) {
    // Rendered from a lesson whose values the MDX check could not read: name the place.
    if (err instanceof PropError && typeof source === 'string') {
      err.message = `${source}: ${err.message}`;
    }
    throw err;
  }
}

function checkAll(name: string, props: Record<string, unknown>, partial: boolean): void {
  const doc = componentDoc(name);
  const known = doc.props.map((p) => p.name);
  for (const key of Object.keys(props)) {
    if (!known.includes(key) && !always(key)) {
      throw new PropError(
        name,
        key,
        `received an unknown prop, expected one of ${known.join(', ')}`,
      );
    }
  }
  for (const p of doc.props) {
    const v = props[p.name];
    if (v === undefined) {
      if (p.required && !partial) {
        throw new PropError(name, p.name, 'received nothing, expected a value');
      }
      continue;
    }
    try {
      p.check?.(v);
    } catch (err) {
      throw new PropError(name, p.name, (err as Error).message);
    }
  }
  if (!partial) doc.checkTogether?.(props);
}

/** The kernel values a prop names (preset or numbers), for build-time computations. */
export const KERNEL_PRESET_VALUES = kernelValues;
