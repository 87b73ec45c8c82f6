/**
 * The one key map every figure's units share (`cursorKey`), checked without a browser on the
 * lesson CNN's layers. The DOM half of `UnitCursor` (focus, pointer, events) is checked in
 * Chromium by tests/e2e/specs/render3d.test.ts and the widgets' specs.
 */
import { describe, expect, it } from 'vitest';
import { type CursorLayer, cursorKey, UNIT_CURSOR_KEYS } from '../src/unit-cursor.ts';

const LAYERS: CursorLayer[] = [
  { name: 'input', channels: 1, rows: 28, columns: 28 },
  { name: 'conv1', channels: 8, rows: 26, columns: 26 },
  { name: 'pool1', channels: 8, rows: 13, columns: 13 },
  { name: 'softmax', channels: 1, rows: 10, columns: 1 },
];

/** Presses `keys` in turn from `start`, following each move. */
function walk(keys: string[], start: Parameters<typeof cursorKey>[1] = null) {
  let unit = start;
  let last = null as ReturnType<typeof cursorKey>;
  for (const key of keys) {
    last = cursorKey(key, unit, LAYERS);
    if (last?.kind === 'move' || last?.kind === 'pick') unit = last.unit;
    if (last?.kind === 'clear') unit = null;
  }
  return { unit, last };
}

describe('cursorKey', () => {
  it('moves over a map and stops at its edges', () => {
    expect(walk(['ArrowRight', 'ArrowRight', 'ArrowDown']).unit).toEqual({
      layer: 'input',
      channel: 0,
      y: 1,
      x: 2,
    });
    expect(walk(['ArrowLeft', 'ArrowUp']).unit).toEqual({ layer: 'input', channel: 0, y: 0, x: 0 });
    expect(walk(['End']).unit?.x).toBe(27);
    expect(walk(['End', 'ArrowRight']).unit?.x).toBe(27);
    expect(walk(['End', 'Home']).unit?.x).toBe(0);
  });

  it('changes channel with Page Up / Page Down and [ / ], within the layer', () => {
    const conv1 = { layer: 'conv1', channel: 0, y: 2, x: 3 };
    expect(walk([']', ']', 'PageDown', 'PageUp', ']'], conv1).unit?.channel).toBe(3);
    expect(walk(['[', 'PageUp'], conv1).unit?.channel).toBe(0);
    expect(walk(Array(20).fill(']'), conv1).unit?.channel).toBe(7);
  });

  it('changes layer with , and . at the same place in the map, scaled', () => {
    const { last } = walk(['.'], { layer: 'conv1', channel: 3, y: 2, x: 3 });
    expect(last).toEqual({
      kind: 'move',
      unit: { layer: 'pool1', channel: 3, y: 1, x: 1 },
      layerChanged: true,
    });
    // Into a column (the softmax): one channel, column 0.
    expect(walk(['.'], { layer: 'pool1', channel: 5, y: 12, x: 6 }).unit).toEqual({
      layer: 'softmax',
      channel: 0,
      y: 9,
      x: 0,
    });
    // Past either end it stays in the layer, and says the layer did not change.
    expect(walk(['.'], { layer: 'softmax', channel: 0, y: 4, x: 0 }).last).toEqual({
      kind: 'move',
      unit: { layer: 'softmax', channel: 0, y: 4, x: 0 },
      layerChanged: false,
    });
    expect(walk([','], null).unit?.layer).toBe('input');
    expect(cursorKey('<', { layer: 'pool1', channel: 0, y: 0, x: 0 }, LAYERS)).toMatchObject({
      unit: { layer: 'conv1' },
    });
  });

  it('picks with Enter and Space, clears with Escape, and leaves Tab and other keys alone', () => {
    const at = { layer: 'conv1', channel: 1, y: 4, x: 4 };
    expect(cursorKey('Enter', at, LAYERS)).toEqual({ kind: 'pick', unit: at });
    expect(cursorKey(' ', at, LAYERS)).toEqual({ kind: 'pick', unit: at });
    expect(cursorKey('Escape', at, LAYERS)).toEqual({ kind: 'clear' });
    for (const key of ['Tab', 'a', 'Shift', 'F5']) expect(cursorKey(key, at, LAYERS)).toBeNull();
    expect(cursorKey('ArrowUp', at, [])).toBeNull();
  });

  it('clamps a unit the layers no longer hold, and starts from the first layer without one', () => {
    expect(cursorKey('ArrowLeft', { layer: 'conv1', channel: 12, y: 40, x: 40 }, LAYERS)).toEqual({
      kind: 'move',
      unit: { layer: 'conv1', channel: 7, y: 25, x: 24 },
      layerChanged: false,
    });
    expect(cursorKey('ArrowDown', { layer: 'gone', channel: 0, y: 0, x: 0 }, LAYERS)).toMatchObject(
      { unit: { layer: 'input', y: 1 } },
    );
  });

  it('lists every key it answers in UNIT_CURSOR_KEYS', () => {
    const at = { layer: 'conv1', channel: 1, y: 4, x: 4 };
    for (const row of UNIT_CURSOR_KEYS) {
      for (const key of row.keys) expect(cursorKey(key, at, LAYERS), key).not.toBeNull();
    }
  });
});
