import { ArgumentError } from './errors.js';
import { assertNCHW, type Tensor } from './tensor.js';

/**
 * The strongest response of every channel of a layer for every example: what "how much does this
 * digit make the channel fire" is taken to mean (the largest value anywhere in its map), and
 * where in the map it is. Kept for every channel, so ranking another channel of the same layer
 * needs no second run of the model.
 */
export interface ChannelMaxima {
  count: number;
  channels: number;
  height: number;
  width: number;
  /** value[i * channels + ch]: the largest value of channel ch's map for example i. */
  value: Float32Array;
  /** at[i * channels + ch]: where it is, y * width + x (the first of equals in reading order). */
  at: Int32Array;
}

/**
 * Each channel's largest value and its place, for a batch of activations [N, C, H, W]. Pass
 * `into` (and the index of the batch's first example in it) to fill part of a larger set.
 *
 * @example
 * const m = channelMaxima(net.forwardAll(digits).activations.conv1);
 * m.value[5 * m.channels + 3]; // how strongly channel 3 fires on digit 5
 */
export function channelMaxima(act: Tensor, into?: ChannelMaxima, first = 0): ChannelMaxima {
  const [n, c, h, w] = assertNCHW('channelMaxima', act, 'activations');
  const out = into ?? {
    count: n,
    channels: c,
    height: h,
    width: w,
    value: new Float32Array(n * c),
    at: new Int32Array(n * c),
  };
  if (out.channels !== c || out.height !== h || out.width !== w || first + n > out.count) {
    throw new ArgumentError(
      'channelMaxima',
      `received activations [${act.shape.join(', ')}] at ${first}, expected [<= ${out.count - first}, ${out.channels}, ${out.height}, ${out.width}]`,
    );
  }
  const hw = h * w;
  const d = act.data;
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * hw;
      let best = 0;
      for (let p = 1; p < hw; p++) if (d[base + p]! > d[base + best]!) best = p;
      out.value[(first + i) * c + ch] = d[base + best]!;
      out.at[(first + i) * c + ch] = best;
    }
  }
  return out;
}

/** A ranked example: its index in the set, its score and where in the map the score is. */
export interface RankedUnit {
  index: number;
  value: number;
  y: number;
  x: number;
}

/**
 * The `k` examples that make channel `channel` fire most (`top`) or least (`bottom`), by
 * {@link ChannelMaxima}; equal scores keep the lower index first, so the ranking is the same
 * wherever it is computed. Only the first `upTo` examples are ranked (a run still going).
 *
 * @example
 * rankChannel(m, 3, 16, 'top').map((r) => r.index); // the 16 test digits channel 3 likes best
 */
export function rankChannel(
  m: ChannelMaxima,
  channel: number,
  k: number,
  order: 'top' | 'bottom',
  upTo = m.count,
): RankedUnit[] {
  if (!Number.isInteger(channel) || channel < 0 || channel >= m.channels) {
    throw new ArgumentError(
      'rankChannel',
      `received channel ${channel}, expected 0 to ${m.channels - 1}`,
    );
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new ArgumentError('rankChannel', `received k ${k}, expected a whole number >= 1`);
  }
  const sign = order === 'top' ? 1 : -1;
  // A bounded list kept sorted by insertion: k is small and the set is 10,000.
  const best: number[] = [];
  const score = (i: number) => sign * m.value[i * m.channels + channel]!;
  for (let i = 0; i < Math.min(upTo, m.count); i++) {
    const s = score(i);
    if (best.length === k && s <= score(best[k - 1]!)) continue;
    let j = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(i);
    while (j > 0 && score(best[j - 1]!) < s) {
      best[j] = best[j - 1]!;
      j--;
    }
    best[j] = i;
  }
  return best.map((index) => {
    const at = m.at[index * m.channels + channel]!;
    return {
      index,
      value: m.value[index * m.channels + channel]!,
      y: Math.floor(at / m.width),
      x: at % m.width,
    };
  });
}
