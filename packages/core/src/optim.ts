import { ArgumentError } from './errors.js';
import type { Tensor } from './tensor.js';

/** Hyperparameters of SGD with momentum (PyTorch's form, dampening 0). */
export interface SgdConfig {
  kind: 'sgd';
  lr: number;
  momentum: number;
  /** L2 penalty: weightDecay * p is added to each gradient. */
  weightDecay: number;
}

/** Hyperparameters of Adam (Kingma & Ba 2015, PyTorch's form). */
export interface AdamConfig {
  kind: 'adam';
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty: weightDecay * p is added to each gradient (PyTorch Adam, not AdamW). */
  weightDecay: number;
}

/**
 * Updates parameters in place from their gradients. `config` is plain data, so another backend
 * (the tfjs one) applies the very same rule.
 */
export interface Optimizer {
  readonly config: SgdConfig | AdamConfig;
  /** Number of steps taken. */
  readonly steps: number;
  step(params: readonly Tensor[], grads: readonly Tensor[]): void;
}

/**
 * An optimizer with `config` that counts its steps; each step runs `update` on every parameter's
 * values with its gradient, its index (which keys any state kept per parameter) and the step
 * number (from 1).
 */
function perParameter(
  config: SgdConfig | AdamConfig,
  update: (d: Float32Array, g: Float32Array, i: number, step: number) => void,
): Optimizer {
  let steps = 0;
  return {
    config,
    get steps() {
      return steps;
    },
    step(params, grads) {
      steps++;
      params.forEach((p, i) => {
        update(p.data, grads[i]!.data, i, steps);
      });
    },
  };
}

function positive(op: string, name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ArgumentError(
      op,
      `${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, received ${v}`,
    );
  }
  return v;
}

/**
 * Stochastic gradient descent with momentum:
 *   g = grad + weightDecay * p;  v = momentum * v + g;  p = p - lr * v
 *
 * @example
 * const opt = sgd({ lr: 0.05, momentum: 0.9 });
 */
export function sgd(o: { lr: number; momentum?: number; weightDecay?: number }): Optimizer {
  const config: SgdConfig = {
    kind: 'sgd',
    lr: positive('sgd', 'lr', o.lr),
    momentum: positive('sgd', 'momentum', o.momentum ?? 0, true),
    weightDecay: positive('sgd', 'weightDecay', o.weightDecay ?? 0, true),
  };
  const velocity: Float32Array[] = [];
  return perParameter(config, (d, g, i) => {
    const { lr, momentum, weightDecay } = config;
    velocity[i] ??= new Float32Array(d.length);
    const v = velocity[i];
    for (let j = 0; j < d.length; j++) {
      const gj = g[j]! + weightDecay * d[j]!;
      const vj = momentum * v[j]! + gj;
      v[j] = vj;
      d[j] = d[j]! - lr * vj;
    }
  });
}

/**
 * Adam:
 *   g = grad + weightDecay * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *
 * @example
 * const opt = adam({ lr: 1e-3 });
 */
export function adam(
  o: { lr?: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number } = {},
): Optimizer {
  const config: AdamConfig = {
    kind: 'adam',
    lr: positive('adam', 'lr', o.lr ?? 1e-3),
    beta1: positive('adam', 'beta1', o.beta1 ?? 0.9, true),
    beta2: positive('adam', 'beta2', o.beta2 ?? 0.999, true),
    eps: positive('adam', 'eps', o.eps ?? 1e-8),
    weightDecay: positive('adam', 'weightDecay', o.weightDecay ?? 0, true),
  };
  if (config.beta1 >= 1 || config.beta2 >= 1) {
    throw new ArgumentError(
      'adam',
      `beta1 and beta2 must be < 1, received ${config.beta1} and ${config.beta2}`,
    );
  }
  const m: Float32Array[] = [];
  const v: Float32Array[] = [];
  return perParameter(config, (d, g, i, step) => {
    const { lr, beta1, beta2, eps, weightDecay } = config;
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    m[i] ??= new Float32Array(d.length);
    v[i] ??= new Float32Array(d.length);
    const mi = m[i];
    const vi = v[i];
    for (let j = 0; j < d.length; j++) {
      const gj = g[j]! + weightDecay * d[j]!;
      const mj = beta1 * mi[j]! + (1 - beta1) * gj;
      const vj = beta2 * vi[j]! + (1 - beta2) * gj * gj;
      mi[j] = mj;
      vi[j] = vj;
      d[j] = d[j]! - (lr * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
    }
  });
}
