// <ModelFact>'s numbers: each the shipped card's, as a sentence writes it, and the props that
// cannot work refused before a page renders.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ModelCard } from '@receptive/models';
import { describe, expect, it } from 'vitest';
import { modelFact } from '../src/cards.ts';
import { checkProps } from '../src/docs.ts';

const modelsDir = dirname(createRequire(import.meta.url).resolve('@receptive/models/package.json'));
const card = (name: string) =>
  JSON.parse(readFileSync(join(modelsDir, 'models', `${name}.card.json`), 'utf8')) as ModelCard;

describe('modelFact', () => {
  it("says each of the card's numbers the way a sentence writes them", () => {
    for (const name of ['logreg', 'cnn', 'cnn-blurpool']) {
      const c = card(name);
      expect(modelFact(name, 'parameters')).toBe(c.parameters.toLocaleString('en-US'));
      expect(modelFact(name, 'correct')).toBe(c.heldOut.correct.toLocaleString('en-US'));
      expect(modelFact(name, 'accuracy')).toBe(`${(100 * c.heldOut.accuracy).toFixed(2)}%`);
      expect(modelFact(name, 'consistency')).toBe(`${(100 * c.shift.consistency).toFixed(2)}%`);
      expect(modelFact(name, 'epochs')).toBe(String(c.training.epochs));
      expect(modelFact(name, 'minutes')).toBe(String(Math.round(c.training.seconds / 60)));
    }
    expect(modelFact('logreg', 'parameters')).toBe('7,850');
  });

  it("counts a convolution layer's filters from the card's architecture", () => {
    const convs = card('cnn').architecture.filter((l) => l.kind === 'conv2d');
    expect(convs.map((l) => l.name)).toEqual(['conv1', 'conv2']);
    for (const l of convs)
      expect(modelFact('cnn', 'filters', l.name)).toBe(String(l.outputShape[0]));
  });

  it('names the convolutions a model has when asked for one it has not', () => {
    expect(() => modelFact('cnn', 'filters', 'pool1')).toThrow(
      '<ModelFact> layer: cnn has no convolution layer "pool1", expected one of conv1, conv2',
    );
    expect(() => modelFact('mlp', 'filters', 'conv1')).toThrow(
      '<ModelFact> layer: mlp has no convolution layer "conv1", expected one of (none)',
    );
  });

  it('refuses a model, fact or layer that cannot work before the page renders', () => {
    expect(() => checkProps('ModelFact', { model: 'lenet', fact: 'parameters' })).toThrow(
      '<ModelFact> model: received "lenet", expected one of logreg, mlp, cnn, cnn-blurpool, cnn-noshift, cnn-blurpool-noshift, cnn-shortcut',
    );
    expect(() => checkProps('ModelFact', { model: 'cnn', fact: 'filters' })).toThrow(
      '<ModelFact> layer: received nothing, expected the convolution layer whose filters to count',
    );
    expect(() =>
      checkProps('ModelFact', { model: 'cnn', fact: 'parameters', layer: 'conv1' }),
    ).toThrow('<ModelFact> layer: received "conv1", expected no layer unless fact="filters"');
    expect(() =>
      checkProps('ModelFact', { model: 'cnn', fact: 'filters', layer: 'conv1' }),
    ).not.toThrow();
  });
});
