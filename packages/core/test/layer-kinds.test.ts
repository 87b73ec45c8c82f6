// The layer-kind table: one descriptor per kind, read by every switch over kinds.
import { describe, expect, it } from 'vitest';
import { ArgumentError, LAYER_KINDS, layerKind, layers, sequential } from '../src/index.js';

describe('LAYER_KINDS', () => {
  it('has one descriptor per kind, keyed by its own kind', () => {
    for (const [key, d] of Object.entries(LAYER_KINDS)) expect(d.kind).toBe(key);
    expect(Object.keys(LAYER_KINDS)).toMatchInlineSnapshot(`
      [
        "conv2d",
        "relu",
        "maxPool2d",
        "avgPool2d",
        "blurPool2d",
        "flatten",
        "linear",
        "softmax",
        "logSoftmax",
      ]
    `);
  });

  it('tells figures how to draw each layer of a model', () => {
    const net = sequential(
      [
        layers.conv2d({ filters: 2, kernel: 3 }),
        layers.relu(),
        layers.blurPool2d(),
        layers.flatten(),
        layers.linear({ units: 3 }),
        layers.softmax(),
      ],
      { inputShape: [1, 8, 8] },
    );
    expect(net.layers.map((l) => layerKind(l.kind).display)).toEqual([
      'conv',
      'activation',
      'pool',
      'activation',
      'dense',
      'softmax',
    ]);
  });

  it('refuses a kind it does not know, naming the ones it does', () => {
    expect(() => layerKind('dropout' as 'relu')).toThrow(ArgumentError);
    expect(() => layerKind('toString' as 'relu')).toThrow(/expected one of conv2d, relu/);
  });
});
