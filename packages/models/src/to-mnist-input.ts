/**
 * Turning a reader's drawing into the kind of 28x28 image the models were trained on, the way
 * MNIST itself was made: crop to the ink, scale the longer side to 20 px keeping the aspect
 * ratio (anti-aliased by area averaging), then place it in a 28x28 field so that its centre of
 * mass sits at the centre.
 */

/** A grey image: `data[y * width + x]` is ink in [0, 1] (0 = paper). */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** RGBA pixels as a canvas's `getImageData` returns them. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Pen strokes in drawing-surface pixels; each stroke is a polyline. */
export interface Strokes {
  width: number;
  height: number;
  /** Pen diameter in the same pixels. */
  lineWidth: number;
  strokes: { x: number; y: number }[][];
}

export interface MnistInput {
  /** 784 values in [0, 1], row by row: the image the models see. */
  pixels: Float32Array;
  /** True when there was no ink; `pixels` is then all zeros. */
  empty: boolean;
  /** Ink bounding box in the source, [x0, y0, x1, y1) (null when empty). */
  box: [number, number, number, number] | null;
}

const FIELD = 28;
const BOX = 20;
// Ink fainter than this share of the darkest stroke is treated as paper when cropping.
const CROP_THRESHOLD = 0.1;

function isRgba(img: GreyImage | RgbaImage): img is RgbaImage {
  return img.data.length === img.width * img.height * 4 && !(img.data instanceof Float32Array);
}

/** Ink from RGBA: alpha where the drawing is transparent, else darkness on light paper (or the reverse). */
export function inkFromRgba(img: RgbaImage): GreyImage {
  const { width, height, data } = img;
  const n = width * height;
  const out = new Float32Array(n);
  let alphaVaries = false;
  for (let i = 0; i < n; i++) if (data[i * 4 + 3] !== 255) alphaVaries = true;
  const lum = (i: number): number =>
    (0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!) / 255;
  if (alphaVaries) {
    // A transparent canvas with one pen colour: alpha alone carries the ink.
    for (let i = 0; i < n; i++) out[i] = data[i * 4 + 3]! / 255;
    return { width, height, data: out };
  }
  // Opaque: the border's brightness says which side is paper.
  let border = 0;
  let count = 0;
  for (let x = 0; x < width; x++) {
    border += lum(x) + lum((height - 1) * width + x);
    count += 2;
  }
  const lightPaper = border / count > 0.5;
  for (let i = 0; i < n; i++) out[i] = lightPaper ? 1 - lum(i) : lum(i);
  return { width, height, data: out };
}

/**
 * Rasterises strokes with a round pen, anti-aliased: each pixel's ink is its coverage by the
 * pen (distance from the pixel centre to the nearest segment, with a one-pixel soft edge).
 */
export function rasterizeStrokes(s: Strokes): GreyImage {
  const { width, height } = s;
  const data = new Float32Array(width * height);
  const r = s.lineWidth / 2;
  for (const stroke of s.strokes) {
    const pts = stroke.length === 1 ? [stroke[0]!, stroke[0]!] : stroke;
    for (let k = 1; k < pts.length; k++) {
      const a = pts[k - 1]!;
      const b = pts[k]!;
      const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r - 1));
      const x1 = Math.min(width - 1, Math.ceil(Math.max(a.x, b.x) + r + 1));
      const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r - 1));
      const y1 = Math.min(height - 1, Math.ceil(Math.max(a.y, b.y) + r + 1));
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len2 = dx * dx + dy * dy;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const px = x + 0.5;
          const py = y + 0.5;
          const t =
            len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / len2));
          const d = Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
          const cover = Math.max(0, Math.min(1, r + 0.5 - d));
          const i = y * width + x;
          if (cover > data[i]!) data[i] = cover;
        }
      }
    }
  }
  return { width, height, data };
}

/** Area-averaging resample of a crop to `ow` x `oh` (each output pixel averages what it covers). */
function resampleArea(
  src: GreyImage,
  sx: number,
  sy: number,
  sw: number,
  sh: number,
  ow: number,
  oh: number,
): Float32Array {
  const out = new Float32Array(ow * oh);
  const fx = sw / ow;
  const fy = sh / oh;
  for (let oy = 0; oy < oh; oy++) {
    const ya = sy + oy * fy;
    const yb = ya + fy;
    for (let ox = 0; ox < ow; ox++) {
      const xa = sx + ox * fx;
      const xb = xa + fx;
      let sum = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        if (wy <= 0 || y < 0 || y >= src.height) continue;
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          if (wx <= 0 || x < 0 || x >= src.width) continue;
          sum += src.data[y * src.width + x]! * wx * wy;
        }
      }
      out[oy * ow + ox] = sum / (fx * fy);
    }
  }
  return out;
}

/**
 * An MNIST-like 28x28 input from a drawing: canvas pixels (`getImageData`), a grey image, or
 * pen strokes.
 *
 * @throws {RangeError} when the image's size and data length disagree.
 * @example
 * const { pixels, empty } = toMnistInput(ctx.getImageData(0, 0, 280, 280));
 * if (!empty) await model.run(pixels);
 */
export function toMnistInput(drawing: GreyImage | RgbaImage | Strokes): MnistInput {
  const grey: GreyImage =
    'strokes' in drawing
      ? rasterizeStrokes(drawing)
      : isRgba(drawing)
        ? inkFromRgba(drawing)
        : (drawing as GreyImage);
  const { width, height, data } = grey;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    data.length !== width * height
  ) {
    throw new RangeError(
      `toMnistInput: a ${width}x${height} image needs ${width * height} grey values or ${width * height * 4} RGBA bytes, received ${data.length}`,
    );
  }
  let peak = 0;
  for (const v of data) if (v > peak) peak = v;
  const pixels = new Float32Array(FIELD * FIELD);
  if (peak <= 0) return { pixels, empty: true, box: null };

  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! > CROP_THRESHOLD * peak) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  // The longer side becomes 20 px; the shorter keeps the aspect ratio (at least 1 px).
  const scale = BOX / Math.max(bw, bh);
  const ow = Math.max(1, Math.round(bw * scale));
  const oh = Math.max(1, Math.round(bh * scale));
  const small = resampleArea(grey, x0, y0, bw, bh, ow, oh);

  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const v = small[y * ow + x]!;
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  cx /= mass;
  cy /= mass;
  // Whole-pixel placement, as MNIST did, clamped so the digit stays inside the field.
  const left = Math.min(FIELD - ow, Math.max(0, Math.round(FIELD / 2 - cx)));
  const top = Math.min(FIELD - oh, Math.max(0, Math.round(FIELD / 2 - cy)));
  let max = 0;
  for (const v of small) if (v > max) max = v;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) pixels[(top + y) * FIELD + left + x] = small[y * ow + x]! / max;
  }
  return { pixels, empty: false, box: [x0, y0, x1 + 1, y1 + 1] };
}
