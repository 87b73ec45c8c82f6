/**
 * Static HTML for readers without JavaScript: put it inside the element (a build step or a
 * server can call these) and it shows until the element upgrades. The numbers are computed
 * here with @receptive/core, as the live figure does.
 */
import { conv2d, tensor } from '@receptive/core';
import { formatScaled, fractionDenominator } from './format.js';
import { LECTURE_IMAGE, LECTURE_SIZE, parseKernel } from './lecture.js';

const table = (caption: string, rows: string[][]): string =>
  `<table><caption>${caption}</caption><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

/**
 * The lecture's image and its convolution with `kernel` as two HTML tables.
 * @example renderKernelLabFallback({ kernel: 'box-blur' }) // "...<td>3</td><td>5</td><td>6</td>..."
 */
export function renderKernelLabFallback(
  opts: { kernel?: string | readonly number[]; padding?: boolean } = {},
): string {
  const k =
    typeof opts.kernel === 'string' || opts.kernel === undefined
      ? parseKernel('rf-kernel-lab', 'kernel', opts.kernel ?? 'identity')
      : [...opts.kernel];
  const pad = opts.padding ? 1 : 0;
  const out = conv2d(
    tensor(LECTURE_IMAGE, [1, 1, LECTURE_SIZE, LECTURE_SIZE]),
    tensor(Float32Array.from(k), [1, 1, 3, 3]),
    null,
    { padding: pad },
  );
  const [, , h, w] = out.shape as [number, number, number, number];
  const d = fractionDenominator(k);
  const input = Array.from({ length: LECTURE_SIZE }, (_, y) =>
    Array.from({ length: LECTURE_SIZE }, (_, x) => String(LECTURE_IMAGE[y * LECTURE_SIZE + x])),
  );
  const output = Array.from({ length: h }, (_, y) =>
    Array.from({ length: w }, (_, x) => formatScaled(out.data[y * w + x]!, d)),
  );
  const scale = d !== null && d > 1 ? `, every value × 1/${d}` : '';
  const kernel = [0, 1, 2].map((r) => k.slice(r * 3, r * 3 + 3).map((v) => formatScaled(v, d)));
  return [
    table(`Input image (${LECTURE_SIZE} × ${LECTURE_SIZE})`, input),
    table(`Kernel${scale}`, kernel),
    table(`Output (${h} × ${w})${scale}`, output),
  ].join('\n');
}
