// The kernel sets of @receptive/core: the scalar JavaScript loops (the reference, always there)
// and the WebAssembly SIMD kernels of kernels.wat, which take over conv2d, linear and their
// gradients when chosen with setKernels('simd') and the platform can run them.
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

// The few WebAssembly names used here (the package compiles without the DOM's types).
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
  Memory: unknown;
};

/** Which loops compute conv2d, linear and their gradients (see {@link setKernels}). */
export type KernelSet = 'simd' | 'scalar';

/** The kernel sets {@link setKernels} accepts. */
export const KERNEL_SETS: readonly KernelSet[] = ['simd', 'scalar'];

/** What {@link kernels} reports: the set asked for, the set that runs, and why they differ. */
export interface KernelsInfo {
  requested: KernelSet;
  active: KernelSet;
  /** Why 'simd' was asked for and 'scalar' runs; null when they agree. */
  reason: string | null;
}

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  gemm_acc(
    m: number,
    n: number,
    k: number,
    a: number,
    sam: number,
    sak: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
  ): void;
  gemm_dot(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
  ): void;
  dot_chunks(
    nq: number,
    xs: number,
    idx: number,
    n: number,
    b: number,
    ldb: number,
    out: number,
  ): void;
  /** im2col (last argument 0) or col2im (1), see kernels.wat. */
  im2col(...args: number[]): void;
  conv_s1(...args: number[]): void;
  pool2x2(...args: number[]): void;
  pool2x2_back(...args: number[]): void;
  relu(x: number, y: number, n: number): number;
  relu_back(x: number, dy: number, dx: number, n: number): void;
  copy_rows(
    src: number,
    sstride: number,
    dst: number,
    dstride: number,
    rows: number,
    cols: number,
  ): void;
}

// (module (func (result v128) (v128.const i32x4 0 0 0 0))): valid only where SIMD is.
const SIMD_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  22,
  1,
  20,
  0,
  253,
  12,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  11,
);

/** Whether this platform runs WebAssembly with 128-bit SIMD (a tiny SIMD module validates). */
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function decodeBase64(s: string): Uint8Array {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const val = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) val[abc.charCodeAt(i)] = i;
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = val[clean.charCodeAt(i)] ?? -1;
    if (v < 0) throw new Error(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The bytes of kernels.wat as compiled by scripts/build-wasm.ts. */
export function kernelsWasmBytes(): Uint8Array {
  return decodeBase64(KERNELS_WASM_BASE64);
}

/**
 * One instance of the SIMD kernels and its memory. Each op call lays its operands out from
 * byte 0 up (a bump allocator reset per call), copies the inputs in, runs, and copies the
 * results out; the memory grows when an op needs more and is reused by the next.
 */
export class SimdKernels {
  readonly x: Exports;
  private top = 0;
  private f32view = new Float32Array(0);
  private i32view = new Int32Array(0);

  constructor(bytes: Uint8Array) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    this.x = instance.exports as unknown as Exports;
  }

  /** Forgets every earlier allocation. */
  reset(): void {
    this.top = 0;
  }

  /** Byte offset of `floats` 4-byte slots, 16-byte aligned, growing the memory if needed. */
  alloc(floats: number): number {
    const at = this.top;
    this.top = at + ((floats * 4 + 15) & ~15);
    const mem = this.x.memory;
    const have = mem.buffer.byteLength;
    if (this.top > have) mem.grow(Math.ceil((this.top - have) / 65536));
    return at;
  }

  /** The memory as floats (a fresh view after the memory grew). */
  get f32(): Float32Array {
    const buf = this.x.memory.buffer;
    if (this.f32view.buffer !== buf) this.f32view = new Float32Array(buf);
    return this.f32view;
  }

  /** The memory as 32-bit integers. */
  get i32(): Int32Array {
    const buf = this.x.memory.buffer;
    if (this.i32view.buffer !== buf) this.i32view = new Int32Array(buf);
    return this.i32view;
  }
}

/**
 * The kernels instantiated from `bytes`, or the reason they cannot run here: no SIMD in this
 * WebAssembly engine, or a module that fails to compile or instantiate.
 */
export function loadSimdKernels(bytes: Uint8Array): SimdKernels | string {
  if (!simdSupported()) return 'this WebAssembly engine does not validate a 128-bit SIMD module';
  try {
    return new SimdKernels(bytes);
  } catch (e) {
    return `the SIMD kernels failed to compile: ${e instanceof Error ? e.message : String(e)}`;
  }
}

let requested: KernelSet = 'scalar';
let instance: SimdKernels | null = null;
let reason: string | null = null;

/**
 * Chooses the loops behind conv2d, linear and their gradients, for every model and op from
 * here on (training, `model.forward`, the ops called directly):
 *
 * - `'scalar'` (the default): the JavaScript loops, the reference every other set is tested
 *   against.
 * - `'simd'`: WebAssembly kernels with 128-bit SIMD (f32x4), compiled once on first choice.
 *   Where WebAssembly SIMD is not available, or the module fails to compile, the scalar loops
 *   run instead and {@link kernels} says why; nothing throws.
 *
 * Both give the same sums up to float rounding (the order of the additions differs).
 *
 * @throws {Error} for a name that is not a kernel set.
 * @example
 * setKernels('simd');
 * kernels(); // { requested: 'simd', active: 'simd', reason: null } where SIMD runs
 */
export function setKernels(set: KernelSet): KernelsInfo {
  if (!KERNEL_SETS.includes(set)) {
    throw new Error(
      `setKernels: received ${JSON.stringify(set)}, expected one of ${KERNEL_SETS.join(', ')}`,
    );
  }
  requested = set;
  if (set === 'simd' && !instance) {
    const loaded = loadSimdKernels(kernelsWasmBytes());
    if (typeof loaded === 'string') reason = loaded;
    else {
      instance = loaded;
      reason = null;
    }
  }
  return kernels();
}

/** The kernel set asked for, the one that runs, and why they differ (see {@link setKernels}). */
export function kernels(): KernelsInfo {
  const active = requested === 'simd' && instance ? 'simd' : 'scalar';
  return { requested, active, reason: requested === 'simd' && !instance ? reason : null };
}

/** The SIMD kernels when they are chosen and running, else null (the scalar loops run). */
export function activeSimd(): SimdKernels | null {
  return requested === 'simd' ? instance : null;
}
