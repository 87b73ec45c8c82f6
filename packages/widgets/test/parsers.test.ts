/**
 * The attribute parsers and checks the figures share, in Node: the 3D convolution layer's
 * `unit` ("filter,row,column" counted from 1) and its k and d, and the kernel attribute (a preset
 * name or nine numbers). Each rejects a bad value with "received X, expected Y".
 */
import { describe, expect, it } from 'vitest';
import {
  CONV3D_LIMITS,
  checkCount,
  checkUnit,
  convLayer3d,
  parseUnit,
} from '../src/conv-layer-3d-model.ts';
import { KERNEL_PRESETS, parseKernel } from '../src/lecture.ts';
import { WidgetValueError } from '../src/props.ts';

describe('parseUnit and checkUnit (rf-conv-layer-3d unit)', () => {
  it('reads "filter,row,column" counted from 1 into a unit counted from 0', () => {
    expect(parseUnit('2,3,4')).toEqual({ filter: 1, y: 2, x: 3 });
    expect(parseUnit(' 1 1 1 ')).toEqual({ filter: 0, y: 0, x: 0 });
    for (const none of [null, '', 'none', '  ']) expect(parseUnit(none)).toBeNull();
  });

  it('rejects anything else, naming what it received and what it expected', () => {
    for (const bad of ['0,1,1', '1,2', '1,2,3,4', 'a,b,c', '1.5,1,1']) {
      expect(() => parseUnit(bad), bad).toThrow(WidgetValueError);
    }
    expect(() => parseUnit('0,1,1')).toThrow(
      /received "0,1,1".*expected "filter,row,column": three whole numbers counted from 1, or none/,
    );
  });

  it('checks a unit against the output it must lie in', () => {
    const shape = convLayer3d(3, 1).outputShape;
    expect(shape).toEqual([3, 5, 5]);
    expect(() => checkUnit({ filter: 2, y: 4, x: 4 }, shape)).not.toThrow();
    expect(() => checkUnit({ filter: 3, y: 0, x: 0 }, shape)).toThrow(
      /received "4,1,1".*a filter from 1 to 3, a row from 1 to 5 and a column from 1 to 5/,
    );
  });
});

describe('checkCount (rf-conv-layer-3d filters and channels)', () => {
  it(`takes whole numbers from ${CONV3D_LIMITS.filters[0]} to ${CONV3D_LIMITS.filters[1]}`, () => {
    expect(checkCount('rf-conv-layer-3d', 'filters', 8)).toBe(8);
    for (const bad of [0, 9, 2.5, Number.NaN]) {
      expect(() => checkCount('rf-conv-layer-3d', 'channels', bad), String(bad)).toThrow(
        WidgetValueError,
      );
    }
  });
});

describe('parseKernel (the kernel attribute)', () => {
  it('takes a preset name or nine numbers, fractions allowed', () => {
    expect(parseKernel('rf-kernel-lab', 'kernel', 'laplacian')).toEqual([
      ...KERNEL_PRESETS.laplacian,
    ]);
    expect(parseKernel('rf-kernel-lab', 'kernel', '1/9,1/9,1/9,1/9,1/9,1/9,1/9,1/9,1/9')).toEqual(
      Array(9).fill(1 / 9),
    );
    expect(() => parseKernel('rf-kernel-lab', 'kernel', '1,2,3')).toThrow(
      /rf-kernel-lab.*received "1,2,3".*expected one of .*box-blur.*or 9 comma-separated numbers/,
    );
  });
});
