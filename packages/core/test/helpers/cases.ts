import fc from 'fast-check';

const int = (min: number, max: number) => fc.integer({ min, max });

type Bounds = { n: number; c: number; k: number; kernel: number; size: number; seed: number };
type Drawn<R> = { [K in keyof R]: R[K] extends fc.Arbitrary<infer V> ? V : never };

/** Input [n, c, h, w] and kernels [k, c, kh, kw], strides 1 to 3 and paddings 0 to 2. */
const geometry = (max: Bounds) => ({
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
});

/**
 * Random conv2d cases: the geometry with sizes from 1 up to `max` (`kernel` bounds kh and kw,
 * `size` bounds h and w), then the fields of `extra`, then a seed from 0 to `max.seed`; only the
 * cases whose padded input holds the window.
 */
export function convCase<E extends Record<string, fc.Arbitrary<unknown>>>(
  max: Bounds,
  extra: E = {} as E,
) {
  const model: Record<string, fc.Arbitrary<unknown>> = {
    ...geometry(max),
    ...extra,
    seed: int(0, max.seed),
  };
  const cases = fc.record(model) as fc.Arbitrary<
    Drawn<ReturnType<typeof geometry>> & Drawn<E> & { seed: number }
  >;
  return cases.filter((o) => o.h + 2 * o.ph >= o.kh && o.w + 2 * o.pw >= o.kw);
}
