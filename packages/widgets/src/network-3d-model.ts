/**
 * What `<rf-network-3d>` shows, as data: which layers of a run it draws and how (the layer-kind
 * mapping), the geometry @receptive/core traces receptive fields in, a picked unit with its
 * value and field, and the sentence that reads it out. No DOM and no three.js: importable in
 * Node, where packages/widgets/test checks it.
 */
import { layerKind, type Region, receptiveField, type SequentialModel } from '@receptive/core';
import { coreModel, type ModelName } from '@receptive/models';
import type { LayerActivation, LayerKind } from '@receptive/render3d';
import { formatNumber } from './format.js';
import { WidgetValueError } from './props.js';

/** One layer the figure draws: its name, how it is drawn and the activation's dims. */
export interface NetworkLayer {
  name: string;
  kind: LayerKind;
  /** As the model returns it, batch first: `[1, C, H, W]` for a feature map, `[1, N]` after. */
  dims: number[];
}

/**
 * A unit of the network: layer, channel, row and column counted from 0. A dense or softmax unit
 * i is `{ channel: 0, y: i, x: 0 }`, as render3d draws it (a column).
 */
export interface NetworkUnit {
  layer: string;
  channel: number;
  y: number;
  x: number;
}

/** `event.detail` of `rf-pick` (or null when the unit is cleared). */
export interface PickedUnit extends NetworkUnit {
  kind: LayerKind;
  /** The unit's activation for the digit on the pad. */
  value: number;
  /** Its receptive field on the input, traced by @receptive/core's `receptiveField`. */
  field: {
    /** The input pixels it depends on (clipped at the border), inclusive. */
    region: Region;
    /** Height and width of the unclipped field. */
    size: [number, number];
    /** Input pixels in `region`. */
    pixels: number;
  };
}

/** What one digit gives the figure: the pad's pixels and the model's activations (copied). */
export interface NetworkRun {
  pixels: Float32Array;
  activations: Record<string, { dims: readonly number[]; data: Float32Array }>;
}

/** A drawn layer with its values (kept to read units out, whatever the renderer holds). */
export interface DrawnLayer {
  name: string;
  kind: LayerKind;
  dims: number[];
  channels: number;
  rows: number;
  columns: number;
  data: Float32Array;
}

// The layer kinds and the geometry receptiveField traces: the page's one parsed copy of each
// model (@receptive/models' assets, shared with the comparison, which parses it to answer).
// Kept here once read, because a pick needs them synchronously.
const geometryCache = new Map<string, SequentialModel>();

/** The model's geometry (its core model), read once per page; kept for {@link geometryNow}. */
export async function geometry(name: ModelName): Promise<SequentialModel> {
  const model = await coreModel(name);
  geometryCache.set(name, model);
  return model;
}

/** The geometry of `name` if {@link geometry} has read it, else null. */
export function geometryNow(name: string): SequentialModel | null {
  return geometryCache.get(name) ?? null;
}

/**
 * The layers to draw for one run: the input, every layer with a channels × height × width
 * output (convolution, ReLU, pooling), then the vectors (dense layers, the softmax as bars);
 * flatten is skipped (it is the last map, reshaped). A message instead when the run lacks one.
 */
export function viewLayers(
  model: SequentialModel,
  run: NetworkRun,
): { view: LayerActivation; drawn: DrawnLayer }[] | string {
  const out: { view: LayerActivation; drawn: DrawnLayer }[] = [];
  const spatial = model.inputShape.length === 3 ? [...model.inputShape] : [1, 28, 28];
  const [ic, ih, iw] = spatial as [number, number, number];
  if (run.pixels.length !== ic * ih * iw) {
    return `The digit has ${run.pixels.length} values, expected ${spatial.join(' × ')}.`;
  }
  const add = (name: string, kind: LayerKind, dims: number[], data: Float32Array) => {
    const vector = dims.length === 2;
    const [c, h, w] = vector ? [1, dims[1]!, 1] : (dims.slice(1) as [number, number, number]);
    out.push({
      view: { name, kind, shape: vector ? [dims[1]!] : [c, h, w], data },
      drawn: { name, kind, dims, channels: c, rows: h, columns: w, data },
    });
  };
  add('input', 'input', [1, ic, ih, iw], run.pixels);
  const missing: string[] = [];
  for (const layer of model.layers) {
    if (layer.kind === 'flatten') continue;
    const a = run.activations[layer.name];
    if (!a) {
      missing.push(layer.name);
      continue;
    }
    const dims = [...a.dims];
    if (dims.length === 4) {
      // The core's descriptor of the kind says how it is drawn (a pool stack or a conv stack).
      add(layer.name, layerKind(layer.kind).display === 'pool' ? 'pool' : 'conv', dims, a.data);
    } else if (dims.length === 2) {
      add(layer.name, layer.kind === 'softmax' ? 'softmax' : 'dense', dims, a.data);
    }
  }
  if (missing.length > 0) {
    return `The comparison's run has no output named ${missing.map((n) => `“${n}”`).join(', ')}.`;
  }
  return out;
}

/**
 * Throws a {@link WidgetValueError} (for element `tag`'s `unit`) unless `unit` is a unit of one
 * of `layers`.
 * @example checkNetworkUnit('rf-network-3d', { layer: 'pool9', channel: 0, y: 0, x: 0 }, layers) // throws
 */
export function checkNetworkUnit(
  tag: string,
  unit: NetworkUnit,
  layers: readonly DrawnLayer[],
): void {
  const layer = layers.find((l) => l.name === unit.layer);
  if (!layer) {
    throw new WidgetValueError(
      tag,
      'unit',
      JSON.stringify(unit),
      `a unit of one of ${layers.map((l) => l.name).join(', ')}`,
    );
  }
  const within = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  if (
    !within(unit.channel, layer.channels) ||
    !within(unit.y, layer.rows) ||
    !within(unit.x, layer.columns)
  ) {
    throw new WidgetValueError(
      tag,
      'unit',
      JSON.stringify(unit),
      `a channel below ${layer.channels}, a row below ${layer.rows} and a column below ${layer.columns} in ${layer.name} (counted from 0)`,
    );
  }
}

/** Whether `unit` is a unit of one of `layers`. */
export function fitsNetwork(unit: NetworkUnit, layers: readonly DrawnLayer[]): boolean {
  try {
    checkNetworkUnit('', unit, layers);
    return true;
  } catch {
    return false;
  }
}

/**
 * A unit of a drawn layer with its value and its receptive field on the input, traced by
 * @receptive/core in `model`, and the trace's path (unit first, input last) for the 3D beam.
 */
export function pickUnit(
  model: SequentialModel,
  layer: DrawnLayer,
  unit: NetworkUnit,
): { picked: PickedUnit; path: { activation: string; region: Region }[] } {
  let field: { region: Region; size: [number, number]; pixels: number };
  let path: { activation: string; region: Region }[];
  if (layer.name === 'input') {
    const region = { y0: unit.y, y1: unit.y, x0: unit.x, x1: unit.x };
    field = { region, size: [1, 1], pixels: 1 };
    path = [{ activation: 'input', region }];
  } else {
    const vector = layer.kind === 'dense' || layer.kind === 'softmax';
    const f = receptiveField(
      model,
      layer.name,
      vector ? { index: unit.y } : { y: unit.y, x: unit.x },
    );
    field = { region: f.region, size: f.size, pixels: f.pixels };
    path = f.path;
  }
  const vector = layer.kind === 'dense' || layer.kind === 'softmax';
  const i = vector ? unit.y : (unit.channel * layer.rows + unit.y) * layer.columns + unit.x;
  return {
    picked: {
      layer: unit.layer,
      channel: unit.channel,
      y: unit.y,
      x: unit.x,
      kind: layer.kind,
      value: layer.data[i]!,
      field,
    },
    path,
  };
}

/** Whether two picks differ in their unit or its value. */
export function pickChanged(before: PickedUnit | null, after: PickedUnit | null): boolean {
  if (before === null || after === null) return before !== after;
  return (
    before.layer !== after.layer ||
    before.channel !== after.channel ||
    before.y !== after.y ||
    before.x !== after.x ||
    before.value !== after.value
  );
}

/** The sentence the figure shows and announces for a picked unit (counted from 1), or a prompt. */
export function pickedText(p: PickedUnit | null): string {
  if (!p) {
    return 'Pick a unit (hover, click or the keys) to read its value and see the part of the digit it looks at.';
  }
  const r = p.field.region;
  const seen =
    p.field.pixels === 1
      ? `it is pixel row ${r.y0 + 1}, column ${r.x0 + 1} of the digit`
      : `its receptive field is ${p.field.size[0]} × ${p.field.size[1]} pixels: rows ${r.y0 + 1}–${r.y1 + 1} and columns ${r.x0 + 1}–${r.x1 + 1} of the digit (${p.field.pixels} pixels)`;
  let where: string;
  if (p.kind === 'softmax')
    where = `${p.layer}, class ${p.y}: probability ${formatNumber(p.value)}`;
  else if (p.kind === 'dense') where = `${p.layer}, unit ${p.y + 1}: ${formatNumber(p.value)}`;
  else
    where = `${p.layer}, channel ${p.channel + 1}, row ${p.y + 1}, column ${p.x + 1}: ${formatNumber(p.value)}`;
  return `${where}; ${seen}.`;
}
