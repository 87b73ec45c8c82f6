import fc from 'fast-check';

const int = (min: number, max: number) => fc.integer({ min, max });

/** Largest values a {@link convCase} draws; the least is 1 for each (0 for the seed). */
export interface ConvCaseBounds {
  n: number;
  c: number;
  k: number;
  /** Window height and width, each. */
  kernel: number;
  /** Input height and width, each. */
  size: number;
  seed: number;
}

/** One drawn conv2d case: input [n, c, h, w], kernels [k, c, kh, kw], stride, padding, seed. */
export interface ConvCase {
  n: number;
  c: number;
  k: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  h: number;
  w: number;
  seed: number;
}

/**
 * Random conv2d geometries (strides 1 to 3, paddings 0 to 2, the rest up to `max`), with the
 * fields of `extra` drawn before the seed; only those whose padded input holds the window.
 */
export function convCase<E extends Record<string, unknown>>(
  max: ConvCaseBounds,
  extra?: { [K in keyof E]: fc.Arbitrary<E[K]> },
): fc.Arbitrary<ConvCase & E> {
  return fc
    .record({
      n: int(1, max.n),
      c: int(1, max.c),
      k: int(1, max.k),
      kh: int(1, max.kernel),
      kw: int(1, max.kernel),
      sh: int(1, 3),
      sw: int(1, 3),
      ph: int(0, 2),
      pw: int(0, 2),
      h: int(1, max.size),
      w: int(1, max.size),
      ...extra,
      seed: int(0, max.seed),
    } as { [K in keyof (ConvCase & E)]: fc.Arbitrary<(ConvCase & E)[K]> })
    .filter((o) => o.h + 2 * o.ph >= o.kh && o.w + 2 * o.pw >= o.kw);
}
