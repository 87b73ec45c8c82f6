// The machine's peak for 128-bit WebAssembly SIMD, measured rather than looked up: a loop of
// independent f32x4 multiply-adds compiled here with wabt (the version core pins) and timed in
// this Node's V8, the engine the core's kernels run on in these benchmarks.
import wabtInit from 'wabt';

/** Floats per f32x4 times two operations (mul, add) times the chains of the loop below. */
const CHAINS = 12;
export const FLOPS_PER_STEP = 4 * 2 * CHAINS;

const WAT = `;; The most f32x4 arithmetic one core does per second: 12 independent chains of
;; a = a * m + d (one f32x4.mul and one f32x4.add per chain and step, no FMA in wasm SIMD), enough
;; chains to hide the latency of each, so the loop runs at the throughput of the vector units.
(module
  (func (export "peak") (param $steps i32) (result f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128) (local $a8 v128) (local $a9 v128) (local $a10 v128) (local $a11 v128) (local $m v128) (local $d v128) (local $s v128)
    (local.set $m (f32x4.splat (f32.const 0.9999999)))
    (local.set $d (f32x4.splat (f32.const 0.0000001)))
    (local.set $a0 (f32x4.splat (f32.const 1)))
    (local.set $a1 (f32x4.splat (f32.const 1)))
    (local.set $a2 (f32x4.splat (f32.const 1)))
    (local.set $a3 (f32x4.splat (f32.const 1)))
    (local.set $a4 (f32x4.splat (f32.const 1)))
    (local.set $a5 (f32x4.splat (f32.const 1)))
    (local.set $a6 (f32x4.splat (f32.const 1)))
    (local.set $a7 (f32x4.splat (f32.const 1)))
    (local.set $a8 (f32x4.splat (f32.const 1)))
    (local.set $a9 (f32x4.splat (f32.const 1)))
    (local.set $a10 (f32x4.splat (f32.const 1)))
    (local.set $a11 (f32x4.splat (f32.const 1)))
    (loop $l
        (local.set $a0 (f32x4.add (f32x4.mul (local.get $a0) (local.get $m)) (local.get $d)))
        (local.set $a1 (f32x4.add (f32x4.mul (local.get $a1) (local.get $m)) (local.get $d)))
        (local.set $a2 (f32x4.add (f32x4.mul (local.get $a2) (local.get $m)) (local.get $d)))
        (local.set $a3 (f32x4.add (f32x4.mul (local.get $a3) (local.get $m)) (local.get $d)))
        (local.set $a4 (f32x4.add (f32x4.mul (local.get $a4) (local.get $m)) (local.get $d)))
        (local.set $a5 (f32x4.add (f32x4.mul (local.get $a5) (local.get $m)) (local.get $d)))
        (local.set $a6 (f32x4.add (f32x4.mul (local.get $a6) (local.get $m)) (local.get $d)))
        (local.set $a7 (f32x4.add (f32x4.mul (local.get $a7) (local.get $m)) (local.get $d)))
        (local.set $a8 (f32x4.add (f32x4.mul (local.get $a8) (local.get $m)) (local.get $d)))
        (local.set $a9 (f32x4.add (f32x4.mul (local.get $a9) (local.get $m)) (local.get $d)))
        (local.set $a10 (f32x4.add (f32x4.mul (local.get $a10) (local.get $m)) (local.get $d)))
        (local.set $a11 (f32x4.add (f32x4.mul (local.get $a11) (local.get $m)) (local.get $d)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br_if $l (i32.gt_s (local.get $steps) (i32.const 0))))
    (local.set $s (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (local.get $a2)) (local.get $a3)) (local.get $a4)) (local.get $a5)) (local.get $a6)) (local.get $a7)) (local.get $a8)) (local.get $a9)) (local.get $a10)) (local.get $a11)))
    (f32x4.extract_lane 0 (local.get $s))))
`;

/**
 * The best of `tries` timed runs of `steps` loop steps, in GFLOP/s (one f32x4.mul or f32x4.add
 * counts 4 floating-point operations).
 */
export async function simdPeakGflops(steps = 20_000_000, tries = 5): Promise<number> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('peak.wat', WAT, { simd: true });
  const bytes = Uint8Array.from(mod.toBinary({}).buffer);
  mod.destroy();
  const { instance } = await WebAssembly.instantiate(bytes);
  const peak = instance.exports['peak'] as (steps: number) => number;
  peak(steps / 10);
  let best = 0;
  for (let t = 0; t < tries; t++) {
    const t0 = performance.now();
    const v = peak(steps);
    const s = (performance.now() - t0) / 1000;
    if (!Number.isFinite(v)) throw new Error('peak loop: result is not finite');
    best = Math.max(best, (steps * FLOPS_PER_STEP) / s / 1e9);
  }
  return best;
}
