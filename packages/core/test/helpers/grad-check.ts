import { createRng, type Tensor } from '../../src/index.js';

/**
 * Central-difference gradient check of f at `inputs`, for the scalar L = sum(f(inputs) * r)
 * with a fixed random r. L is summed in float64; each perturbation is measured after float32
 * rounding, so the difference quotient uses the step that was really taken.
 * Returns the worst |numeric - analytic| / (atol + rtol * |numeric|) ratio (pass: <= 1).
 */
export function gradCheck(
  f: (inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  analytic: (inputs: Tensor[], dy: Tensor) => (Tensor | null)[],
  o: { eps?: number; atol?: number; rtol?: number; samples?: number; seed?: number } = {},
): number {
  const eps = o.eps ?? 1e-2;
  const atol = o.atol ?? 2e-3;
  const rtol = o.rtol ?? 1e-2;
  const rng = createRng(o.seed ?? 7);
  const y0 = f(inputs);
  const r = new Float32Array(y0.data.length).map(() => rng.uniform() * 2 - 1);
  const loss = (): number => {
    const y = f(inputs);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i]! * r[i]!;
    return s;
  };
  const grads = analytic(inputs, { shape: y0.shape, data: r });
  let worst = 0;
  inputs.forEach((t, k) => {
    const g = grads[k];
    if (!g) return;
    const n = t.data.length;
    const picks =
      o.samples && o.samples < n
        ? Array.from({ length: o.samples }, () => rng.int(n))
        : Array.from({ length: n }, (_, i) => i);
    for (const i of picks) {
      const old = t.data[i]!;
      t.data[i] = old + eps;
      const up = t.data[i]!;
      const lp = loss();
      t.data[i] = old - eps;
      const down = t.data[i]!;
      const lm = loss();
      t.data[i] = old;
      const numeric = (lp - lm) / (up - down);
      const ratio = Math.abs(numeric - g.data[i]!) / (atol + rtol * Math.abs(numeric));
      worst = Math.max(worst, ratio);
    }
  });
  return worst;
}
