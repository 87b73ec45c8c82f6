import type { SequentialModel } from '@receptive/core';
import type { ModelCard } from './card.js';
import { ModelLoadError } from './errors.js';
import { type ByteProgress, fetchBytes } from './fetch-bytes.js';
import { cardUrl, type ModelName, modelUrl } from './names.js';

/**
 * The one owner of a shipped model's files in a page. Each file is fetched once, whoever asks
 * first, and every later caller (the comparison, the 3D network, `loadModel`) gets the same
 * promise: no figure refetches or reparses what another already has. A failed fetch is
 * forgotten, so asking again retries it.
 */

interface Download {
  bytes: Promise<Uint8Array>;
  listeners: Set<(p: ByteProgress) => void>;
  last: ByteProgress | null;
}

const downloads = new Map<ModelName, Download>();
const cards = new Map<ModelName, Promise<ModelCard>>();
/** Cards already in, so a download can give its total before the server does. */
const cardsIn = new Map<ModelName, ModelCard>();
const parsed = new Map<ModelName, Promise<SequentialModel>>();

function remember<T>(map: Map<ModelName, Promise<T>>, name: ModelName, load: () => Promise<T>) {
  let p = map.get(name);
  if (!p) {
    p = load();
    map.set(name, p);
    p.catch(() => map.delete(name));
  }
  return p;
}

/**
 * The model card of `name` (`models/<name>.card.json`), fetched once per page.
 * @throws {ModelLoadError} naming the URL when the card cannot be fetched or is not JSON.
 * @example const card = await modelCard('cnn'); card.heldOut.accuracy; // on the 10,000 test digits
 */
export function modelCard(name: ModelName): Promise<ModelCard> {
  return remember(cards, name, async () => {
    const url = cardUrl(name);
    let text: string;
    try {
      text = new TextDecoder().decode(await fetchBytes(url));
    } catch (err) {
      throw new ModelLoadError(`Could not download the model card: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let card: ModelCard;
    try {
      card = JSON.parse(text) as ModelCard;
    } catch (err) {
      throw new ModelLoadError(`${url} is not a model card: ${(err as Error).message}`, {
        cause: err,
      });
    }
    cardsIn.set(name, card);
    return card;
  });
}

/**
 * `bytes` if they are the file `name`'s card describes: its size and, where the page can hash
 * (`crypto.subtle`, on https and localhost), its SHA-256. A cut-off download or a file replaced
 * by something else (an error page the server answered with) is caught here, not by the parser.
 * Without the card there is nothing to check against, and the bytes go on as they are.
 */
async function checkAgainstCard(name: ModelName, bytes: Uint8Array): Promise<Uint8Array> {
  const card = await modelCard(name).catch(() => null);
  if (!card) return bytes;
  if (bytes.length !== card.file.bytes) {
    throw new Error(`the file is ${bytes.length} bytes, not the ${card.file.bytes} of the model`);
  }
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return bytes;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as BufferSource));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  if (hex !== card.file.sha256) throw new Error('the file is not the model its card describes');
  return bytes;
}

/**
 * The ONNX bytes of `name`, fetched once per page. `onProgress` hears the download whoever
 * started it (at once with the bytes so far, if it is under way); `total` is the server's length,
 * or the card's file size when the card is already in and the server gives none (a compressed
 * answer counts other bytes).
 * The bytes are checked against the card ({@link checkAgainstCard}).
 * @throws {ModelLoadError} naming the URL and the HTTP status or network error, a stall, or
 * bytes that are not the model's.
 */
export function modelBytes(
  name: ModelName,
  onProgress?: (p: ByteProgress) => void,
): Promise<Uint8Array> {
  let d = downloads.get(name);
  if (!d) {
    const started: Download = {
      bytes: Promise.resolve(new Uint8Array()),
      listeners: new Set(),
      last: null,
    };
    started.bytes = fetchBytes(modelUrl(name), (p) => {
      const total = p.total ?? cardsIn.get(name)?.file.bytes;
      const q = total ? { loaded: p.loaded, total } : { loaded: p.loaded };
      started.last = q;
      for (const l of started.listeners) l(q);
    })
      .then((bytes) => checkAgainstCard(name, bytes))
      .catch((err: unknown) => {
        downloads.delete(name);
        throw new ModelLoadError(`Could not download the model: ${(err as Error).message}`, {
          cause: err,
        });
      });
    downloads.set(name, started);
    d = started;
  }
  if (onProgress) {
    const own = d;
    own.listeners.add(onProgress);
    if (own.last) onProgress(own.last);
    own.bytes.then(
      () => own.listeners.delete(onProgress),
      () => own.listeners.delete(onProgress),
    );
  }
  return d.bytes;
}

/**
 * `name` read by `@receptive/onnx` into a core model (layer kinds, geometry and weights; what
 * `receptiveField` and the core's forward pass need), parsed once per page. `@receptive/onnx`
 * and `@receptive/core` load only when this is first called.
 * @throws {ModelLoadError} when the file cannot be fetched; `UnsupportedOnnxError` /
 * `OnnxFormatError` from `@receptive/onnx` when it cannot be read.
 */
export function coreModel(
  name: ModelName,
  onProgress?: (p: ByteProgress) => void,
): Promise<SequentialModel> {
  const bytes = modelBytes(name, onProgress);
  return remember(parsed, name, async () => {
    const [{ fromOnnx }, b] = await Promise.all([import('@receptive/onnx'), bytes]);
    return fromOnnx(b);
  });
}

/** Everything the figures need of one model: its card, its bytes and the core model. */
export interface ModelAssets {
  name: ModelName;
  card: ModelCard;
  bytes: Uint8Array;
  model: SequentialModel;
}

/**
 * `name`'s card, bytes and core model together, each fetched or parsed once per page and shared
 * with every other caller of `modelCard`, `modelBytes` and `coreModel`.
 * @example
 * const { card, model } = await modelAssets('cnn', { onProgress: (p) => bar.value = p.loaded });
 * model.forwardAll(input).activations.conv1; // the core's own run
 */
export async function modelAssets(
  name: ModelName,
  opts: { onProgress?: (p: ByteProgress) => void } = {},
): Promise<ModelAssets> {
  const card = modelCard(name);
  const [c, bytes, model] = await Promise.all([
    card,
    modelBytes(name, opts.onProgress),
    coreModel(name),
  ]);
  return { name, card: c, bytes, model };
}
