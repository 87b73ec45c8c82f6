import { ArgumentError, ShapeError } from '../errors.js';
import { stepBuffer } from '../step-buffers.js';
import { pair, type Tensor } from '../tensor.js';
import { maxPool2d, maxPool2dBackward } from './max-pool2d.js';
import { poolGeometry } from './pool-geometry.js';
import { slidingOutputSize } from './shape-rule.js';

/** Options of {@link blurPool2d}. */
export interface BlurPool2dOptions {
  /** Max-pooling window (applied with stride 1). Default 2. */
  kernel?: number;
  /** Size of the binomial blur filter: 1, 3 or 5. Default 3 ([1, 2, 1] / 4 in each direction). */
  filter?: number;
  /** Downsampling step of the blur. Default 2. */
  stride?: number;
}

const BINOMIAL: Record<number, number[]> = { 1: [1], 3: [1, 2, 1], 5: [1, 4, 6, 4, 1] };

/**
 * The fixed blur kernel: the outer product of a binomial row with itself, normalised to sum 1.
 * Returned as [size, size]. Odd sizes only, so the zero padding (size - 1) / 2 is symmetric.
 *
 * @example
 * binomialFilter(3).data; // [1, 2, 1, 2, 4, 2, 1, 2, 1] / 16
 */
export function binomialFilter(size: number): Tensor {
  const row = BINOMIAL[size];
  if (!row) throw new ArgumentError('blurPool2d', `filter must be 1, 3 or 5, received ${size}`);
  const s = row.reduce((a, b) => a + b, 0);
  const data = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) data[i * size + j] = (row[i]! * row[j]!) / (s * s);
  }
  return { shape: [size, size], data };
}

interface BlurGeometry {
  kernel: number;
  filter: number;
  stride: number;
  pad: number;
}

function blurGeometry(opts: BlurPool2dOptions): BlurGeometry {
  const [kernel] = pair('blurPool2d', 'kernel', opts.kernel, 2);
  const [stride] = pair('blurPool2d', 'stride', opts.stride, 2);
  const filter = opts.filter ?? 3;
  binomialFilter(filter);
  return { kernel, filter, stride, pad: (filter - 1) / 2 };
}

/** Depthwise blur of every channel with the binomial filter, zero padding, given stride. */
function blur(m: Tensor, bg: BlurGeometry): Tensor {
  const [n, c, h, w] = m.shape as [number, number, number, number];
  const { filter: f, stride: s, pad: p } = bg;
  const expected = `[N, C, H, W] with H + 2*${p} >= ${f}`;
  const oh = slidingOutputSize('blurPool2d', 'height', h, f, s, p, m.shape, expected);
  const ow = slidingOutputSize('blurPool2d', 'width', w, f, s, p, m.shape, expected);
  const k = binomialFilter(f).data;
  const out = stepBuffer(n * c * oh * ow);
  let o = 0;
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        let acc = 0;
        for (let i = 0; i < f; i++) {
          const iy = oy * s + i - p;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < f; j++) {
            const ix = ox * s + j - p;
            if (ix >= 0 && ix < w) acc += k[i * f + j]! * m.data[base + iy * w + ix]!;
          }
        }
        out[o] = acc;
      }
    }
  }
  return { shape: [n, c, oh, ow], data: out };
}

function blurBackward(m: Tensor, dy: Tensor, bg: BlurGeometry): Tensor {
  const [n, c, h, w] = m.shape as [number, number, number, number];
  const { filter: f, stride: s, pad: p } = bg;
  const oh = Math.floor((h + 2 * p - f) / s) + 1;
  const ow = Math.floor((w + 2 * p - f) / s) + 1;
  if (dy.data.length !== n * c * oh * ow) {
    throw new ShapeError('blurPool2dBackward', `[${n}, ${c}, ${oh}, ${ow}] for dy`, dy.shape);
  }
  const k = binomialFilter(f).data;
  const dm = stepBuffer(m.data.length);
  let o = 0;
  for (let nc = 0; nc < n * c; nc++) {
    const base = nc * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        const g = dy.data[o]!;
        for (let i = 0; i < f; i++) {
          const iy = oy * s + i - p;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < f; j++) {
            const ix = ox * s + j - p;
            if (ix >= 0 && ix < w) dm[base + iy * w + ix]! += k[i * f + j]! * g;
          }
        }
      }
    }
  }
  return { shape: [...m.shape], data: dm };
}

/**
 * Anti-aliased downsampling (Zhang 2019, "Making convolutional networks shift-invariant
 * again"): max pooling with stride 1 keeps the max's nonlinearity without skipping pixels,
 * then a fixed binomial blur with stride 2 downsamples without aliasing. A shifted input then
 * gives a smoothly shifted output instead of a jumpy one.
 *
 * As ONNX: MaxPool(kernel, strides 1) followed by a depthwise Conv (group = C) with the
 * binomial filter, strides `stride`, pads (filter - 1) / 2.
 *
 * @example
 * blurPool2d(x, {}); // x [1, 8, 28, 28] -> max 2x2 stride 1 -> [1, 8, 27, 27] -> blur -> [1, 8, 14, 14]
 */
export function blurPool2d(x: Tensor, opts: BlurPool2dOptions = {}): Tensor {
  const bg = blurGeometry(opts);
  // Checked here so that a bad input is reported as blurPool2d's, not as its inner max pool's.
  poolGeometry('blurPool2d', x, { kernel: bg.kernel, stride: 1 });
  const m = maxPool2d(x, { kernel: bg.kernel, stride: 1 });
  return blur(m, bg);
}

/** Backward of {@link blurPool2d}: through the blur (its transpose), then through the max. */
export function blurPool2dBackward(x: Tensor, dy: Tensor, opts: BlurPool2dOptions = {}): Tensor {
  const bg = blurGeometry(opts);
  const m = maxPool2d(x, { kernel: bg.kernel, stride: 1 });
  const dm = blurBackward(m, dy, bg);
  return maxPool2dBackward(x, dm, { kernel: bg.kernel, stride: 1 });
}
