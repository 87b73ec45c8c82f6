/**
 * Float32 buffers for the tensors of one training step, handed back for the next step.
 *
 * A training step makes the same intermediate tensors every time (activations, gradients,
 * scratch), a few megabytes of them, and drops them all when it ends. Fresh large typed arrays
 * are not free: in Chromium each one comes from the allocator as fresh pages that fault in on
 * the first write, which made the lesson CNN's step about four times slower in a browser tab than
 * in Node. Inside {@link withStepBuffers}, the ops take their outputs from the previous step's
 * buffers of the same length, zeroed, exactly as `new Float32Array(n)` would give them; outside
 * it, {@link stepBuffer} is `new Float32Array(n)`.
 *
 * Only what the step owns may come from here: its ops' outputs and scratch. The optimiser's state
 * and the model's parameters are allocated as usual and outlive the step.
 */

/** Buffers handed out during the step that runs now; null outside a step. */
let taken: Float32Array[] | null = null;
/** Buffers of the last finished step, by length, for the next one to take. */
let spare = new Map<number, Float32Array[]>();

/** A zeroed Float32Array of `n` values: the previous step's, inside a step; else a new one. */
export function stepBuffer(n: number): Float32Array {
  if (!taken) return new Float32Array(n);
  const reused = spare.get(n)?.pop();
  const out = reused ? reused.fill(0) : new Float32Array(n);
  taken.push(out);
  return out;
}

/**
 * Runs `step` with {@link stepBuffer} recycling: every buffer it takes is dead when it returns
 * (the caller must not let one escape), and becomes the next step's. The spare pool keeps only
 * what the latest step used, so a change of batch size does not pile up buffers. Nested calls
 * run inside the outer one's step.
 */
export function withStepBuffers<T>(step: () => T): T {
  if (taken) return step();
  taken = [];
  try {
    return step();
  } finally {
    const next = new Map<number, Float32Array[]>();
    for (const b of taken) {
      const list = next.get(b.length);
      if (list) list.push(b);
      else next.set(b.length, [b]);
    }
    spare = next;
    taken = null;
  }
}
