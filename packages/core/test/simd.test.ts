// The SIMD kernel set: the committed wasm bytes against their .wat source, and the choice of
// kernels with its fallback.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { compileKernels } from '../scripts/build-wasm.js';
import { type KernelSet, kernels, setKernels, simdSupported } from '../src/index.js';
import { kernelsWasmBytes, loadSimdKernels, SimdKernels } from '../src/simd/kernels.js';

afterEach(() => {
  setKernels('scalar');
});

describe('the SIMD kernels module', () => {
  it('is the committed compile of kernels.wat by the pinned wat2wasm', async () => {
    const wat = readFileSync(new URL('../src/simd/kernels.wat', import.meta.url), 'utf8');
    const fresh = await compileKernels(wat);
    expect(fresh.length).toBeGreaterThan(1000);
    expect(Array.from(kernelsWasmBytes())).toEqual(Array.from(fresh));
  });

  it('is chosen by name, reports what runs, and refuses other names', () => {
    expect(simdSupported()).toBe(true); // Node 24's V8 runs wasm SIMD
    expect(kernels()).toEqual({ requested: 'scalar', active: 'scalar', reason: null });
    expect(setKernels('simd')).toEqual({ requested: 'simd', active: 'simd', reason: null });
    expect(setKernels('scalar').active).toBe('scalar');
    expect(() => setKernels('avx' as KernelSet)).toThrow(
      'setKernels: received "avx", expected one of simd, scalar',
    );
  });

  it('a module that does not compile gives a reason instead of kernels', () => {
    const broken = kernelsWasmBytes().slice(0, 100);
    const r = loadSimdKernels(broken);
    expect(typeof r).toBe('string');
    expect(r).toMatch(/^the SIMD kernels failed to compile: /);
    expect(loadSimdKernels(kernelsWasmBytes())).toBeInstanceOf(SimdKernels);
  });
});
