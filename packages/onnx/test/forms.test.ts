// Every layer kind of core has an ONNX form, and fromOnnx reads back every operator it writes.
import { LAYER_KINDS } from '@receptive/core';
import { describe, expect, it } from 'vitest';
import { ONNX_FORMS } from '../src/export.js';
import { SUPPORTED_OPS } from '../src/index.js';

describe('ONNX_FORMS', () => {
  it('covers every layer kind of core (add the form when you add a kind)', () => {
    expect(Object.keys(ONNX_FORMS).sort()).toEqual(Object.keys(LAYER_KINDS).sort());
  });

  it('writes only operators that fromOnnx reads', () => {
    for (const form of Object.values(ONNX_FORMS)) {
      for (const op of form.opTypes) expect(SUPPORTED_OPS).toContain(op);
    }
  });
});
