import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { tensor } from '@receptive/core';
import { fromOnnx, withEveryValue } from '@receptive/onnx';
import { adaptDigit } from '@receptive/widgets/specs';
import type { Page } from 'playwright-core';
import { MODELS_DIR } from '../lib/digits.ts';
import { waitForAttribute } from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';

// A model of one's own on the authoring page's live example: the served colour CNN (3 x 32 x 32,
// written by apps/site/scripts/make-colour-cnn.ts) through `src`, a file opened with the button's
// file input and one dropped on the figure, bad files and a failed download. The figures' numbers
// are checked against @receptive/core's run of the same file in Node.

const COLOUR = new Uint8Array(
  readFileSync(new URL('../../../apps/site/public/models/colour-cnn.onnx', import.meta.url)),
);
const CNN = new Uint8Array(readFileSync(`${MODELS_DIR}/models/cnn.onnx`));
/** Files PyTorch's exporter and Keras wrote (packages/onnx/test/fixtures, with the scripts that made them). */
const torchFile = (name: string) =>
  new Uint8Array(
    readFileSync(new URL(`../../../packages/onnx/test/fixtures/${name}`, import.meta.url)),
  );

/** Drops `bytes` as a file called `name` on the figure `selector`, as a reader's drag does. */
const dropFile = (page: Page, selector: string, name: string, bytes: Uint8Array) =>
  page.evaluate(
    ([sel, name, bytes]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes as number[])], name as string));
      const fig = document.querySelector(sel as string)!;
      fig.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
      fig.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    },
    [selector, name, Array.from(bytes)] as const,
  );
const EX = '[data-own-example]';
const MAPS = `${EX} rf-feature-maps`;
const NET = `${EX} rf-network-3d`;

/** onnxruntime-node, as the models package has it: the reference for a model the core cannot read. */
const ortNode = createRequire(`${MODELS_DIR}/`)('onnxruntime-node') as {
  InferenceSession: {
    create(bytes: Uint8Array): Promise<{
      inputNames: string[];
      run(
        feeds: Record<string, unknown>,
      ): Promise<Record<string, { dims: number[]; data: Float32Array }>>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
};

/**
 * Checks each channel the feature maps of the example draw: its text alternative's strongest
 * response is the peak of the reference's values for that layer (`reference(name)`, batch of one,
 * channels first). Resolves to the names of the layers drawn.
 */
async function assertMapPeaks(
  page: Page,
  reference: (name: string) => { dims: readonly number[]; data: Float32Array },
): Promise<string[]> {
  const maps = await page.evaluate((sel) => {
    const root = document.querySelector(sel)!.shadowRoot!;
    return [...root.querySelectorAll<HTMLElement>('[data-layer]')].map((s) => ({
      name: s.dataset['layer']!,
      labels: [...s.querySelectorAll('canvas')].map((c) => c.getAttribute('aria-label') ?? ''),
    }));
  }, MAPS);
  for (const m of maps) {
    const t = reference(m.name);
    const [, c, hh, w] = t.dims;
    assert.equal(m.labels.length, c, m.name);
    m.labels.forEach((label, ch) => {
      const peak = Math.max(...t.data.subarray(ch * hh! * w!, (ch + 1) * hh! * w!));
      const got = Number(/strongest response (\S+) at/.exec(label)![1]!.replace('−', '-'));
      assert.ok(Math.abs(got - peak) <= 5e-4, `${m.name} ${ch}: ${got} vs ${peak}`);
    });
  }
  return maps.map((m) => m.name);
}

const h = useHarness();

/** Waits until figure `selector` shows the model named `name`. */
const waitForModel = (page: Page, selector: string, name: string) =>
  waitForAttribute(page, selector, 'data-own-model', name, { timeout: 15_000 });

/** The figure's alert text (empty when none). */
const alertOf = (page: Page, selector: string) =>
  page.locator(`${selector} [data-own-error]`).textContent();

describe('a model of your own', () => {
  it('draws every layer of a src model, matching the core, and opens and drops files', async () => {
    const { page, problems } = await h.open('/authoring/');
    await page.locator(EX).scrollIntoViewIfNeeded();
    await waitForModel(page, MAPS, 'colour-cnn.onnx');
    await waitForModel(page, NET, 'colour-cnn.onnx');
    assert.equal(
      await page.locator(`${MAPS} [data-own-note]`).textContent(),
      "This model reads 3 × 32 × 32: the pad's digit is resampled from 28 × 28 to 32 × 32, and its grey repeated in 3 colour channels.",
    );
    // Keyboard and screen readers: a named native button in each figure.
    assert.equal(
      await page.locator(EX).getByRole('button', { name: 'Open an .onnx model…' }).count(),
      2,
    );

    await page.locator(`${EX} rf-digit-pad [data-action="next"]`).click();
    await waitForAttribute(page, MAPS, 'data-state', 'drawn', { timeout: 15_000 });
    await page.locator(NET).scrollIntoViewIfNeeded();
    await waitForAttribute(page, NET, 'data-state', 'drawn', { timeout: 30_000 });

    // The core's run in Node of the same file on the pad's digit.
    const pixels = new Float32Array(
      await page.evaluate(
        (sel) =>
          Array.from((document.querySelector(sel) as unknown as { pixels: Float32Array }).pixels),
        `${EX} rf-digit-pad`,
      ),
    );
    const model = fromOnnx(COLOUR);
    const x = adaptDigit(pixels, [3, 32, 32]);
    const { activations } = model.forwardAll(tensor(x.data, [1, 3, 32, 32]));

    const layers = await page.evaluate(
      (sel) =>
        (document.querySelector(sel) as unknown as { layers: { name: string; dims: number[] }[] })
          .layers,
      NET,
    );
    assert.deepEqual(
      layers.map((l) => [l.name, l.dims]),
      ['input', 'conv1', 'relu1', 'pool1', 'fc', 'softmax'].map((n) => [n, activations[n]!.shape]),
      'every layer but flatten',
    );
    // Each layer's strongest unit, read back through the figure's own pick.
    for (const { name, dims } of layers) {
      const t = activations[name]!;
      let at = 0;
      for (let i = 1; i < t.data.length; i++) if (t.data[i]! > t.data[at]!) at = i;
      const vector = dims.length === 2;
      const [, , hh = 1, w = 1] = dims;
      const unit = vector
        ? { layer: name, channel: 0, y: at, x: 0 }
        : {
            layer: name,
            channel: Math.floor(at / (hh * w)),
            y: Math.floor((at % (hh * w)) / w),
            x: at % w,
          };
      const value = await page.evaluate(
        ([sel, unit]) => {
          const fig = document.querySelector(sel as string) as unknown as {
            unit: unknown;
            picked: { value: number } | null;
          };
          fig.unit = unit;
          return fig.picked?.value ?? Number.NaN;
        },
        [NET, unit] as const,
      );
      assert.ok(Math.abs(value - t.data[at]!) <= 1e-5, `${name}: ${value} vs ${t.data[at]}`);
    }
    // The feature maps: every layer with maps, each channel's peak as the core has it.
    const drawn = await assertMapPeaks(page, (name) => {
      const t = activations[name]!;
      return { dims: t.shape as number[], data: t.data };
    });
    assert.deepEqual(drawn, ['conv1', 'relu1', 'pool1']);

    // A file opened with the button's input: the shipped CNN (1 x 28 x 28, no note).
    await page.locator(`${MAPS} input[data-own-file]`).setInputFiles({
      name: 'cnn.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(CNN),
    });
    await waitForModel(page, MAPS, 'cnn.onnx');
    await waitForAttribute(page, MAPS, 'data-state', 'drawn');
    assert.equal(await page.locator(`${MAPS} [data-own-note]`).textContent(), '');
    assert.deepEqual(
      await page.evaluate(
        (sel) =>
          (document.querySelector(sel) as unknown as { drawn: { name: string }[] }).drawn.map(
            (l) => l.name,
          ),
        MAPS,
      ),
      ['conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2'],
    );

    // A file dropped on the 3D network.
    await dropFile(page, NET, 'dropped.onnx', CNN);
    await waitForModel(page, NET, 'dropped.onnx');
    await page.waitForFunction(
      (sel) =>
        (
          document.querySelector(sel) as unknown as { layers: { name: string }[] | null }
        ).layers?.some((l) => l.name === 'conv2'),
      NET,
    );

    // Bad files: the importer's sentence in an alert, the previous model kept.
    const bad = [
      { name: 'cut.onnx', buffer: Buffer.from(CNN.subarray(0, CNN.length >> 1)) },
      { name: 'notes.onnx', buffer: Buffer.from('These are my notes, not a model.') },
    ];
    for (const file of bad) {
      await page
        .locator(`${MAPS} input[data-own-file]`)
        .setInputFiles({ ...file, mimeType: 'application/octet-stream' });
      await page.waitForFunction(
        ([sel, name]) =>
          document
            .querySelector(sel as string)!
            .shadowRoot!.querySelector('[data-own-error]')!
            .textContent!.startsWith(`${name} could not be read: `),
        [MAPS, file.name] as const,
      );
      assert.match((await alertOf(page, MAPS))!, /could not be read: fromOnnx: ./, file.name);
      assert.equal(await page.locator(`${MAPS} [data-own-error]`).getAttribute('role'), 'alert');
      assert.equal(await page.locator(MAPS).getAttribute('data-own-model'), 'cnn.onnx');
      assert.equal(await page.locator(MAPS).getAttribute('data-state'), 'drawn');
    }
    assert.deepEqual(problems, noProblems());
  });

  it('draws the maps of a model the core cannot read from onnxruntime-web, as onnxruntime-node computes them', async () => {
    const { page, problems } = await h.open('/authoring/');
    await page.locator(EX).scrollIntoViewIfNeeded();
    await waitForModel(page, MAPS, 'colour-cnn.onnx');
    await page.locator(`${EX} rf-digit-pad [data-action="next"]`).click();
    await waitForAttribute(page, MAPS, 'data-state', 'drawn', { timeout: 15_000 });
    // A grouped convolution: @receptive/core cannot express it, onnxruntime-web runs it.
    const grouped = torchFile('torch-grouped.onnx');
    await dropFile(page, MAPS, 'grouped.onnx', grouped);
    await waitForModel(page, MAPS, 'grouped.onnx');
    // Drawn once onnxruntime-web has answered: the maps are then the grouped model's.
    await page.waitForFunction(
      (sel) =>
        (
          document.querySelector(sel) as unknown as { drawn: { name: string }[] | null }
        ).drawn?.[0]?.name.startsWith('/'),
      MAPS,
      { timeout: 30_000 },
    );
    assert.match(
      (await page.locator(`${MAPS} [data-own-note]`).textContent()) ?? '',
      /^onnxruntime-web runs grouped\.onnx, since @receptive\/core cannot read it \(.*is grouped \(group=2\).*\); the maps are the values its image operators compute\.$/,
    );
    assert.equal(await alertOf(page, MAPS), '');
    // Each map's strongest response is the one onnxruntime-node computes for the same value.
    const pixels = new Float32Array(
      await page.evaluate(() =>
        Array.from(
          (
            document.querySelector('[data-own-example] rf-digit-pad') as unknown as {
              pixels: Float32Array;
            }
          ).pixels,
        ),
      ),
    );
    const probed = withEveryValue(grouped);
    const session = await ortNode.InferenceSession.create(probed.bytes);
    const x = adaptDigit(pixels, [1, 28, 28]);
    const out = await session.run({
      [session.inputNames[0]!]: new ortNode.Tensor('float32', x.data, [1, 1, 28, 28]),
    });
    const drawn = await assertMapPeaks(page, (name) => out[name]!);
    assert.ok(drawn.length >= 2, `${drawn.length} layers of maps`);
    await session.release();
    assert.deepEqual(problems, noProblems());
  });

  it('says why a src cannot be downloaded, with a Retry, and refuses another site', async () => {
    const { page, problems } = await h.open('/authoring/');
    await page.locator(EX).scrollIntoViewIfNeeded();
    await waitForModel(page, NET, 'colour-cnn.onnx');

    await page.evaluate(
      (sel) => document.querySelector(sel)!.setAttribute('src', '/models/missing.onnx'),
      NET,
    );
    const retry = page.locator(`${NET} [data-action="retry-model"]`);
    await retry.waitFor({ state: 'visible' });
    assert.equal(
      await alertOf(page, NET),
      'The model at /models/missing.onnx could not be downloaded: the server answered 404 Not Found.',
    );
    assert.equal(await page.locator(NET).getAttribute('data-own-model'), 'colour-cnn.onnx');
    await retry.click();
    await retry.waitFor({ state: 'visible' });
    assert.match((await alertOf(page, NET))!, /404/);

    // A web page where the model should be.
    await page.evaluate(
      (sel) => document.querySelector(sel)!.setAttribute('src', '/authoring/'),
      NET,
    );
    await page.waitForFunction(
      (sel) =>
        /sent a web page/.test(
          document.querySelector(sel)!.shadowRoot!.querySelector('[data-own-error]')!.textContent!,
        ),
      NET,
    );

    await page.evaluate(
      (sel) => document.querySelector(sel)!.setAttribute('src', 'https://example.com/my-cnn.onnx'),
      NET,
    );
    await page.waitForFunction(
      (sel) =>
        /another site/.test(
          document.querySelector(sel)!.shadowRoot!.querySelector('[data-own-error]')!.textContent!,
        ),
      NET,
    );
    assert.equal(await retry.isVisible(), false, 'no Retry for another site');
    assert.equal(await page.locator(NET).getAttribute('data-own-model'), 'colour-cnn.onnx');

    // Only the two 404s asked for, and nothing went offsite.
    const missing = (line: string) => /missing\.onnx|404/.test(line);
    assert.equal(
      problems.failedRequests.filter(missing).length,
      2,
      problems.failedRequests.join('\n'),
    );
    assert.deepEqual(
      {
        ...problems,
        failedRequests: problems.failedRequests.filter((l) => !missing(l)),
        consoleErrors: problems.consoleErrors.filter((l) => !missing(l)),
      },
      noProblems(),
    );
  });

  it('shows a PyTorch-exported CNN dropped on the lesson’s 3D network, layer by layer, and names what it cannot read', async () => {
    const { page, problems } = await h.open('/lessons/curve-fitting/?pad=t1');
    // The feature maps above draw the digit first and push the 3D view down the page.
    await page.locator('rf-feature-maps').scrollIntoViewIfNeeded();
    await waitForAttribute(page, 'rf-feature-maps', 'data-state', 'drawn', { timeout: 30_000 });
    await page.locator('rf-network-3d').scrollIntoViewIfNeeded();
    await waitForAttribute(page, 'rf-network-3d', 'data-state', 'drawn', { timeout: 30_000 });
    const file = torchFile('torch-cnn-opset13.onnx');
    await dropFile(page, 'rf-network-3d', 'lenet-from-pytorch.onnx', file);
    await waitForModel(page, 'rf-network-3d', 'lenet-from-pytorch.onnx');
    await page.waitForFunction(() =>
      (
        document.querySelector('rf-network-3d') as unknown as { layers: { name: string }[] | null }
      ).layers?.some((l) => l.name === 'conv3'),
    );
    const pixels = new Float32Array(
      await page.evaluate(() =>
        Array.from(
          (document.querySelector('rf-digit-pad') as unknown as { pixels: Float32Array }).pixels,
        ),
      ),
    );
    const model = fromOnnx(file);
    const { activations } = model.forwardAll(tensor(pixels, [1, 1, 28, 28]));
    const layers = await page.evaluate(
      () =>
        (
          document.querySelector('rf-network-3d') as unknown as {
            layers: { name: string; dims: number[] }[];
          }
        ).layers,
    );
    assert.deepEqual(
      layers.map((l) => l.name),
      ['input', 'conv0', 'relu1', 'maxpool2', 'conv3', 'relu4', 'maxpool5', 'gemm7', 'output'],
    );
    // The answer it shows is the core's, the PyTorch model's own softmax.
    const probs = activations['output']!.data;
    const top = probs.indexOf(Math.max(...probs));
    const shown = await page.evaluate((top) => {
      const fig = document.querySelector('rf-network-3d') as unknown as {
        unit: unknown;
        picked: { value: number } | null;
      };
      fig.unit = { layer: 'output', channel: 0, y: top, x: 0 };
      return fig.picked?.value ?? Number.NaN;
    }, top);
    assert.ok(Math.abs(shown - probs[top]!) <= 1e-5, `${shown} vs ${probs[top]}`);

    // A grouped convolution: the node and its place, and the PyTorch model stays.
    await dropFile(page, 'rf-network-3d', 'grouped.onnx', torchFile('torch-grouped.onnx'));
    await page.waitForFunction(() =>
      /^grouped\.onnx could not be read: /.test(
        document.querySelector('rf-network-3d')?.shadowRoot?.querySelector('[data-own-error]')
          ?.textContent ?? '',
      ),
    );
    assert.match(
      (await alertOf(page, 'rf-network-3d')) ?? '',
      /Conv at node "\/0\/0\.3\/Conv" \(4 of 7\) is grouped \(group=2\), which is not supported/,
    );
    assert.equal(
      await page.locator('rf-network-3d').getAttribute('data-own-model'),
      'lenet-from-pytorch.onnx',
    );

    // A Keras file (channels last, Transposes, Casts, a bias Add after each Conv): read as
    // channels first, it answers as the core computes it.
    const keras = torchFile('keras-cnn.onnx');
    await dropFile(page, 'rf-network-3d', 'cnn-from-keras.onnx', keras);
    await waitForModel(page, 'rf-network-3d', 'cnn-from-keras.onnx');
    const kerasModel = fromOnnx(keras);
    const kerasOut = kerasModel.forwardAll(tensor(pixels, [1, 1, 28, 28])).output.data;
    const kerasTop = kerasOut.indexOf(Math.max(...kerasOut));
    const kerasShown = await page.evaluate((top) => {
      const fig = document.querySelector('rf-network-3d') as unknown as {
        layers: { name: string }[];
        unit: unknown;
        picked: { value: number } | null;
      };
      fig.unit = { layer: fig.layers.at(-1)!.name, channel: 0, y: top, x: 0 };
      return { value: fig.picked?.value ?? Number.NaN, names: fig.layers.map((l) => l.name) };
    }, kerasTop);
    assert.deepEqual(kerasShown.names, [
      'input',
      ...kerasModel.layers.filter((l) => l.kind !== 'flatten').map((l) => l.name),
    ]);
    assert.ok(
      Math.abs(kerasShown.value - kerasOut[kerasTop]!) <= 1e-5,
      `${kerasShown.value} vs ${kerasOut[kerasTop]}`,
    );
    assert.deepEqual(problems, noProblems());
  });

  it('answers with a src model in one more card of the comparison, as the core does', async () => {
    const { page, problems } = await h.open('/authoring/');
    const compare = page.locator(`${EX} rf-model-compare`);
    await compare.scrollIntoViewIfNeeded();
    await page.locator(`${EX} rf-digit-pad [data-action="next"]`).click();
    const card = compare.locator('[data-model="colour-cnn.onnx"]');
    await card.and(page.locator('[data-prediction]')).waitFor({ timeout: 30_000 });
    assert.match(
      (await card.locator('.facts').textContent()) ?? '',
      /^[\d,]+ parameters · a model of this page’s own \(reads 3 × 32 × 32/,
    );
    assert.equal(
      await card.locator('.engine').textContent(),
      'Answers in this page, on your processor.',
    );
    const pixels = new Float32Array(
      await page.evaluate(
        (sel) =>
          Array.from((document.querySelector(sel) as unknown as { pixels: Float32Array }).pixels),
        `${EX} rf-digit-pad`,
      ),
    );
    const { output } = fromOnnx(COLOUR).forwardAll(adaptDigit(pixels, [3, 32, 32]));
    const run = await compare.evaluate((c) =>
      (
        c as unknown as { results: { model: string; probs: number[]; prediction: number }[] }
      ).results.find((r) => r.model === 'colour-cnn.onnx'),
    );
    assert.ok(run, 'the run has the model');
    for (const [i, p] of run.probs.entries()) {
      assert.ok(Math.abs(p - output.data[i]!) <= 1e-6, `class ${i}: ${p} vs ${output.data[i]}`);
    }
    assert.equal(await card.getAttribute('data-prediction'), String(run.prediction));
    // The shipped CNN answers beside it.
    await compare.locator('[data-model="cnn"][data-prediction]').waitFor();
    assert.deepEqual(problems, noProblems());
  });
});
