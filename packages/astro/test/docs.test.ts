import { layers, sequential } from '@receptive/core';
import { describe, expect, it } from 'vitest';
import { remarkAutoImport } from '../src/auto-import.ts';
import { COMPONENTS, checkProps } from '../src/docs.ts';
import { convLayerShapes, poolingChain } from '../src/shapes.ts';

describe('checkProps', () => {
  it('rejects bad values with what it received and what it expected', () => {
    expect(() => checkProps('KernelLab', { kernel: 'sharpen' })).toThrow(
      '<KernelLab> kernel: received "sharpen", expected one of identity, box-blur, horizontal-edge, laplacian, or 9 comma-separated numbers',
    );
    expect(() => checkProps('ModelCompare', { backend: 'cuda' })).toThrow(
      '<ModelCompare> backend: received "cuda", expected one of auto, wasm, webgpu, webgl',
    );
    expect(() => checkProps('Pooling', { digit: 10000 })).toThrow(
      '<Pooling> digit: received 10000, expected a whole number from 0 to 9999',
    );
    expect(() => checkProps('Pooling', { digit: '3' })).toThrow(
      '<Pooling> digit: received "3", expected a number',
    );
    expect(() => checkProps('ShiftBlock', { one: '5,1' })).toThrow(
      '<ShiftBlock> one: received "5,1", expected "row,column" with each from 1 to 4 (counted from 1)',
    );
    expect(() => checkProps('Scrolly', { label: 'x' })).toThrow(
      '<Scrolly> initial: received nothing, expected a value',
    );
    expect(() => checkProps('KernelLab', { kernal: 'identity' })).toThrow(
      '<KernelLab> kernal: received an unknown prop, expected one of kernel, padding, steps, caption',
    );
    expect(() =>
      checkProps('KernelLab', { steps: { blur: { kernel: 'box-blur', pading: true } } }),
    ).toThrow('<KernelLab> steps: received "pading", expected kernel or padding');
  });

  it('rejects a wrong value for every prop of every component, naming both', () => {
    // Values no prop takes: an object where a string, number or boolean is wanted, and the
    // wrong one of those where an object is. Each must fail with the component and the prop.
    const unchecked: string[] = [];
    // The required props (all strings), from their examples: name="value".
    const required = (c: (typeof COMPONENTS)[number]) =>
      Object.fromEntries(
        c.props.filter((p) => p.required).map((p) => [p.name, /^\w+="(.+)"$/.exec(p.example)![1]]),
      );
    for (const c of COMPONENTS) {
      expect(() => checkProps(c.name, required(c))).not.toThrow();
      for (const p of c.props) {
        const bad = [{ bogus: [] }, 'not a value ✗', -0.5, true].filter(
          (v) => typeof v !== typeof p.default || p.default === null,
        );
        const messages = bad.flatMap((v) => {
          try {
            checkProps(c.name, { ...required(c), [p.name]: v });
            return [];
          } catch (err) {
            return [(err as Error).message];
          }
        });
        if (messages.length === 0) {
          unchecked.push(`${c.name}.${p.name}`);
          continue;
        }
        for (const m of messages) {
          expect(m.startsWith(`<${c.name}> ${p.name}: received `), m).toBe(true);
          expect(m).toMatch(/, expected ./);
        }
      }
    }
    expect(unchecked, 'props that take any value').toEqual([]);
  });

  it('accepts good values, slots and the attributes Astro adds', () => {
    expect(() =>
      checkProps('KernelLab', {
        kernel: '0,-1,0,-1,4,-1,0,-1,0',
        padding: true,
        steps: { blur: { kernel: 'box-blur' }, pad: { padding: true } },
        slot: 'figure',
        'data-astro-cid-abc': true,
      }),
    ).not.toThrow();
    expect(() => checkProps('ModelCompare', { for: 'pad', models: 'mlp cnn' })).not.toThrow();
  });

  it('describes each component once', () => {
    const names = COMPONENTS.map((c) => c.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('describes every prop with a type, an example and a description', () => {
    for (const c of COMPONENTS) {
      for (const p of c.props) {
        expect(p.type, `${c.name}.${p.name}`).not.toBe('');
        expect(p.example, `${c.name}.${p.name}`).toContain(p.name);
        expect(p.description, `${c.name}.${p.name}`).not.toBe('');
      }
    }
    // The widget wrappers take their props from the widgets' specs.
    const pooling = COMPONENTS.find((c) => c.name === 'Pooling')!;
    expect(pooling.props.map((p) => p.name)).toEqual([
      'digit',
      'kernel',
      'digitsSrc',
      'trace',
      'steps',
      'caption',
    ]);
  });
});

describe('shapes', () => {
  it('counts a conv layer as core does: k x d x 3 x 3 weights and k biases', () => {
    const s = convLayerShapes(8, 3, 28, 20);
    const net = sequential([layers.conv2d({ filters: 8, kernel: 3 })], { inputShape: [3, 28, 20] });
    expect(s.output).toEqual([8, 26, 18]);
    expect(s.parameters).toBe(net.parameterCount());
    expect([s.weights, s.biases]).toEqual([8 * 3 * 9, 8]);
  });

  it("traces the lecture's 16 pixels, and one unit that sees a whole 6 x 6 image", () => {
    expect(poolingChain(6).map((l) => [l.name, l.pixels, l.whole])).toEqual([
      ['input', 1, false],
      ['conv1', 9, false],
      ['pool1', 16, false],
      ['pool2', 36, true],
    ]);
    expect(poolingChain(28, 2).map((l) => l.size[0])).toEqual([28, 26, 13, 6]);
  });
});

describe('remarkAutoImport', () => {
  it('imports the components a file uses and not the ones it imports itself', () => {
    const tree = {
      type: 'root',
      children: [
        {
          type: 'mdxjsEsm',
          data: {
            estree: {
              body: [{ type: 'ImportDeclaration', specifiers: [{ local: { name: 'Step' } }] }],
            },
          },
        },
        {
          type: 'mdxJsxFlowElement',
          name: 'Scrolly',
          children: [{ type: 'mdxJsxFlowElement', name: 'Step' }],
        },
      ],
    };
    remarkAutoImport({
      Scrolly: '/c/Scrolly.astro',
      Step: '/c/Step.astro',
      KernelLab: '/c/K.astro',
    })(tree);
    const added = tree.children
      .filter((n) => 'value' in n)
      .map((n) => (n as { value: string }).value);
    expect(added).toEqual(['import Scrolly from "/c/Scrolly.astro";']);
  });
});
