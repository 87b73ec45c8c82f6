// Every op against an independent runtime: onnxruntime-node on single-op ONNX graphs.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  avgPool2d,
  binomialFilter,
  blurPool2d,
  conv2d,
  createRng,
  crossEntropy,
  flatten,
  linear,
  logSoftmax,
  maxPool2d,
  relu,
  softmax,
  type Tensor,
} from '../src/index.js';
import { digitCnn } from './helpers/models.js';
import { type OnnxInit, type OnnxNode, onnxModel } from './helpers/onnx-graph.js';
import { maxAbsDiff, randomTensor } from './helpers/random-data.js';

const TOL = 1e-5;

async function runOnnx(
  nodes: OnnxNode[],
  inputs: Record<string, Tensor>,
  outDims: number[],
  initializers: OnnxInit[] = [],
  int64Inputs: Record<string, { dims: number[]; data: number[] }> = {},
): Promise<Float32Array> {
  const bytes = onnxModel({
    nodes,
    inputs: [
      ...Object.entries(inputs).map(([name, t]) => ({ name, dims: [...t.shape] })),
      ...Object.entries(int64Inputs).map(([name, t]) => ({
        name,
        dims: t.dims,
        type: 'int64' as const,
      })),
    ],
    outputs: [{ name: 'y', dims: outDims }],
    initializers,
  });
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs))
    feeds[name] = new ort.Tensor('float32', t.data, [...t.shape]);
  for (const [name, t] of Object.entries(int64Inputs)) {
    feeds[name] = new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.dims);
  }
  const out = await session.run(feeds);
  await session.release();
  return out.y!.data as Float32Array;
}

const rng = createRng(2024);
const pick = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

describe('ops agree with onnxruntime-node (max abs diff <= 1e-5)', () => {
  it('conv2d (Conv) on random shapes, strides and paddings', async () => {
    for (let t = 0; t < 12; t++) {
      const [kh, kw] = [pick(1, 4), pick(1, 4)];
      const [sh, sw] = t % 4 === 1 ? [1, 1] : [pick(1, 3), pick(1, 3)];
      const [ph, pw] = [pick(0, 2), pick(0, 2)];
      const x = randomTensor([pick(1, 3), pick(1, 4), pick(kh, 12), pick(kw, 12)], 100 + t);
      // Half the cases mostly zeros, like a digit's background: that takes the sparse path.
      if (t % 2) for (let i = 0; i < x.data.length; i++) if (i % 4) x.data[i] = 0;
      const w = randomTensor([pick(1, 6), x.shape[1]!, kh, kw], 200 + t);
      const b = randomTensor([w.shape[0]!], 300 + t);
      const y = conv2d(x, w, b, { stride: [sh, sw], padding: [ph, pw] });
      const ref = await runOnnx(
        [
          {
            op: 'Conv',
            inputs: ['x', 'w', 'b'],
            outputs: ['y'],
            attrs: { kernel_shape: [kh, kw], strides: [sh, sw], pads: [ph, pw, ph, pw] },
          },
        ],
        { x, w, b },
        [...y.shape],
      );
      expect(maxAbsDiff(y.data, ref)).toBeLessThanOrEqual(TOL);
    }
  });

  it('maxPool2d (MaxPool) and avgPool2d (AveragePool, count_include_pad 0)', async () => {
    for (let t = 0; t < 6; t++) {
      const k = pick(1, 3);
      const s = pick(1, 3);
      const p = pick(0, k - 1);
      const x = randomTensor([pick(1, 2), pick(1, 3), pick(k, 11), pick(k, 11)], 400 + t);
      const attrs = { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p] };
      const ym = maxPool2d(x, { kernel: k, stride: s, padding: p });
      const refM = await runOnnx([{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs }], { x }, [
        ...ym.shape,
      ]);
      expect(maxAbsDiff(ym.data, refM)).toBeLessThanOrEqual(TOL);
      const ya = avgPool2d(x, { kernel: k, stride: s, padding: p });
      const refA = await runOnnx(
        [
          {
            op: 'AveragePool',
            inputs: ['x'],
            outputs: ['y'],
            attrs: { ...attrs, count_include_pad: 0 },
          },
        ],
        { x },
        [...ya.shape],
      );
      expect(maxAbsDiff(ya.data, refA)).toBeLessThanOrEqual(TOL);
    }
  });

  it('blurPool2d as MaxPool stride 1 + depthwise Conv with the binomial filter', async () => {
    for (const [filter, stride, t] of [
      [3, 2, 0],
      [5, 2, 1],
      [1, 2, 2],
      [3, 1, 3],
    ] as const) {
      const x = randomTensor([2, 3, 9 + t, 10], 500 + t);
      const c = x.shape[1]!;
      const y = blurPool2d(x, { kernel: 2, filter, stride });
      const f = binomialFilter(filter).data;
      const w = new Float32Array(c * filter * filter);
      for (let i = 0; i < c; i++) w.set(f, i * f.length);
      const p = (filter - 1) / 2;
      const ref = await runOnnx(
        [
          {
            op: 'MaxPool',
            inputs: ['x'],
            outputs: ['m'],
            attrs: { kernel_shape: [2, 2], strides: [1, 1] },
          },
          {
            op: 'Conv',
            inputs: ['m', 'blur'],
            outputs: ['y'],
            attrs: {
              group: c,
              kernel_shape: [filter, filter],
              strides: [stride, stride],
              pads: [p, p, p, p],
            },
          },
        ],
        { x },
        [...y.shape],
        [{ name: 'blur', dims: [c, 1, filter, filter], data: w }],
      );
      expect(maxAbsDiff(y.data, ref)).toBeLessThanOrEqual(TOL);
    }
  });

  it('relu (Relu) and flatten (Flatten axis 1)', async () => {
    const x = randomTensor([2, 3, 4, 5], 600);
    expect(
      maxAbsDiff(
        relu(x).data,
        await runOnnx([{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], { x }, [2, 3, 4, 5]),
      ),
    ).toBeLessThanOrEqual(TOL);
    const ref = await runOnnx(
      [{ op: 'Flatten', inputs: ['x'], outputs: ['y'], attrs: { axis: 1 } }],
      { x },
      [2, 60],
    );
    expect(maxAbsDiff(flatten(x).data, ref)).toBe(0);
  });

  it('linear (Gemm transB = 1), dense and sparse inputs', async () => {
    for (let t = 0; t < 4; t++) {
      const x = randomTensor([pick(1, 4), pick(1, 40)], 700 + t);
      if (t % 2) for (let i = 0; i < x.data.length; i++) if (i % 5) x.data[i] = 0;
      const w = randomTensor([pick(1, 20), x.shape[1]!], 800 + t);
      const b = randomTensor([w.shape[0]!], 900 + t);
      const y = linear(x, w, b);
      const ref = await runOnnx(
        [{ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { transB: 1 } }],
        { x, w, b },
        [...y.shape],
      );
      expect(maxAbsDiff(y.data, ref)).toBeLessThanOrEqual(TOL);
    }
  });

  it('softmax (Softmax), logSoftmax (LogSoftmax), crossEntropy (SoftmaxCrossEntropyLoss mean)', async () => {
    const x = randomTensor([5, 10], 1000, 4);
    const sm = await runOnnx(
      [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attrs: { axis: -1 } }],
      { x },
      [5, 10],
    );
    expect(maxAbsDiff(softmax(x).data, sm)).toBeLessThanOrEqual(TOL);
    const lsm = await runOnnx(
      [{ op: 'LogSoftmax', inputs: ['x'], outputs: ['y'], attrs: { axis: -1 } }],
      { x },
      [5, 10],
    );
    expect(maxAbsDiff(logSoftmax(x).data, lsm)).toBeLessThanOrEqual(TOL);
    const labels = [3, 0, 9, 9, 1];
    const ce = await runOnnx(
      [
        {
          op: 'SoftmaxCrossEntropyLoss',
          inputs: ['x', 'labels'],
          outputs: ['y'],
          attrs: { reduction: 'mean' },
        },
      ],
      { x },
      [],
      [],
      { labels: { dims: [5], data: labels } },
    );
    expect(maxAbsDiff(crossEntropy(x, labels).data, ce)).toBeLessThanOrEqual(TOL);
  });

  it("the lecture's digit CNN end to end (Conv, Relu, MaxPool, Flatten, Gemm, Softmax)", async () => {
    const net = digitCnn(5);
    const x = randomTensor([2, 1, 28, 28], 1100);
    const init = net
      .parameters()
      .map((p) => ({ name: `${p.layer}.${p.name}`, dims: [...p.value.shape], data: p.value.data }));
    // conv{i}, relu and a 2x2 max pool, reading `input` and writing p{i}.
    const block = (i: number, input: string): OnnxNode[] => [
      {
        op: 'Conv',
        inputs: [input, `conv${i}.weight`, `conv${i}.bias`],
        outputs: [`c${i}`],
        attrs: { kernel_shape: [3, 3] },
      },
      { op: 'Relu', inputs: [`c${i}`], outputs: [`r${i}`] },
      {
        op: 'MaxPool',
        inputs: [`r${i}`],
        outputs: [`p${i}`],
        attrs: { kernel_shape: [2, 2], strides: [2, 2] },
      },
    ];
    const ref = await runOnnx(
      [
        ...block(1, 'x'),
        ...block(2, 'p1'),
        { op: 'Flatten', inputs: ['p2'], outputs: ['f'], attrs: { axis: 1 } },
        {
          op: 'Gemm',
          inputs: ['f', 'linear1.weight', 'linear1.bias'],
          outputs: ['g'],
          attrs: { transB: 1 },
        },
        { op: 'Softmax', inputs: ['g'], outputs: ['y'], attrs: { axis: -1 } },
      ],
      { x },
      [2, 10],
      init,
    );
    expect(maxAbsDiff(net.forward(x).data, ref)).toBeLessThanOrEqual(TOL);
  });
});
