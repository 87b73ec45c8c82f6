import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { conv2d, layers, relu, sequential, shift2d, tensor } from '@receptive/core';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { cnn, heldOut, heldOutDigit, modelCard, top } from '../lib/digits.ts';
import {
  drawOnPad,
  litCells,
  padToPage,
  showFigure,
  waitForAttribute,
  waitForModelCard,
} from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { type OpenedPage, useHarness } from '../lib/harness.ts';
import { cellsSeen, KERNELS, LECTURE, LECTURE_IMAGE, poolingNet } from '../lib/lecture.ts';

// The package's example page, built by its `build` script (turbo builds it before e2e).
const require = createRequire(import.meta.url);
const WIDGETS_DIR = dirname(require.resolve('@receptive/widgets/package.json'));
const EXAMPLE_DIST = `${WIDGETS_DIR}/example/dist/`;

const EDGE = KERNELS['horizontal-edge'];

/** The output grid as the page writes it, row by row. */
const outputGrid = (page: Page) =>
  page.$$eval('rf-kernel-lab table.out tr', (rows) =>
    rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')),
  );

/** What the core computes for `kernel`, written as the page writes it (minus as U+2212). */
function coreGrid(kernel: number[], padding = 0, scale = 1): string[][] {
  const out = conv2d(LECTURE_IMAGE, tensor(Float32Array.from(kernel), [1, 1, 3, 3]), null, {
    padding,
  });
  const [, , h, w] = out.shape as [number, number, number, number];
  return Array.from({ length: h }, (_, y) =>
    Array.from({ length: w }, (_, x) => {
      const v = Math.round(out.data[y * w + x]! * scale * 1000) / 1000;
      return v < 0 ? `\u2212${-v}` : String(v === 0 ? 0 : v);
    }),
  );
}

const h = useHarness({ dir: EXAMPLE_DIST });

/** Goes to the example page and waits until its elements are defined. */
async function open(page: Page) {
  await page.goto('/');
  await page.waitForFunction(() => customElements.get('rf-model-compare') !== undefined);
}

/** The example page, its elements defined, in a fresh guarded context. */
async function openExample(options?: BrowserContextOptions): Promise<OpenedPage> {
  const opened = await h.newPage(options);
  await open(opened.page);
  return opened;
}

describe('<rf-kernel-lab>', () => {
  it('computes the lecture box blur, explains a cell, and follows kernel edits', async () => {
    const { page, problems } = await openExample();
    const box = Array.from({ length: 9 }, () => 1 / 9);
    const grid = await outputGrid(page);
    assert.deepEqual(grid[0], ['3', '5', '6', '5', '3'], "the lecture's first row, over 9");
    assert.deepEqual(grid, coreGrid(box, 0, 9));
    assert.match(
      (await page.locator('rf-kernel-lab #out-cap').textContent()) ?? '',
      /Output \(5 × 5\), every value × 1\/9/,
    );

    // Hover: the window lights up and the sum is written out with the real numbers.
    await page.locator('rf-kernel-lab td[data-y="0"][data-x="0"]').hover();
    assert.equal(
      await page.locator('rf-kernel-lab .explain').textContent(),
      'Row 1, column 1: (0×1 + 0×1 + 0×1 + 0×1 + 0×1 + 1×1 + 0×1 + 1×1 + 1×1)/9 = 3/9',
    );
    assert.equal(await page.locator('rf-kernel-lab table.in td.win').count(), 9);

    // Keyboard: focus moves with the arrows and explains as it goes.
    await page.locator('rf-kernel-lab td[data-y="0"][data-x="0"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.mouse.move(0, 0);
    assert.match(
      (await page.locator('rf-kernel-lab .explain').textContent()) ?? '',
      /^Row 1, column 2: .*\/9 = 5\/9$/,
    );
    assert.equal(
      await page.locator('rf-kernel-lab td[data-y="0"][data-x="1"]').getAttribute('tabindex'),
      '0',
    );

    // A whole number typed into the blur: the kernel is no longer ninths, so the figure writes
    // plain products and plain outputs instead of 1×45 ... = 52/9.
    await page.locator('rf-kernel-lab').getByLabel('Kernel row 2, column 2').fill('5');
    const typed = [...box];
    typed[4] = 5;
    assert.deepEqual(await outputGrid(page), coreGrid(typed));
    assert.equal(await page.locator('rf-kernel-lab #out-cap').textContent(), 'Output (5 × 5)');
    await page.locator('rf-kernel-lab td[data-y="0"][data-x="0"]').hover();
    assert.equal(
      await page.locator('rf-kernel-lab .explain').textContent(),
      'Row 1, column 1: 0×0.111 + 0×0.111 + 0×0.111 + 0×0.111 + 0×5 + 1×0.111 + 0×0.111 + 1×0.111 + 1×0.111 = 0.333',
    );
    await page.mouse.move(0, 0);

    // A preset, then one edited cell: the output is the core's convolution with that kernel.
    await page.locator('rf-kernel-lab button[data-preset="horizontal-edge"]').click();
    assert.deepEqual(await outputGrid(page), coreGrid(EDGE));
    const edited = [...EDGE];
    edited[4] = 3.5;
    await page.locator('rf-kernel-lab').getByLabel('Kernel row 2, column 2').fill('3.5');
    assert.deepEqual(await outputGrid(page), coreGrid(edited));
    const detail = await page.evaluate(
      () => (document.querySelector('rf-kernel-lab') as unknown as { kernel: number[] }).kernel,
    );
    assert.deepEqual(detail, edited);

    // Zero padding keeps the size; the identity then gives the image back.
    await page.locator('rf-kernel-lab button[data-preset="identity"]').click();
    await page.locator('rf-kernel-lab').getByLabel('Zero padding').check();
    assert.deepEqual(
      await outputGrid(page),
      LECTURE.map((r) => r.split('')),
    );
    assert.deepEqual(problems, noProblems());
  });

  it('rejects a bad attribute value with what it expected, and keeps working', async () => {
    const { page, problems } = await openExample();
    await page.evaluate(() =>
      document.querySelector('rf-kernel-lab')!.setAttribute('kernel', 'sharpen'),
    );
    assert.deepEqual(
      problems.consoleErrors.map((e) => e.replace(/^.*?: /, '')),
      [
        '<rf-kernel-lab> kernel: received "sharpen", expected one of identity, box-blur, horizontal-edge, laplacian, or 9 comma-separated numbers',
      ],
    );
    assert.equal((await outputGrid(page))[0]!.join(' '), '3 5 6 5 3');
  });

  it('shows its computed tables without JavaScript', async () => {
    const { page, problems } = await h.open('/', { javaScriptEnabled: false });
    const rows = await page.$$eval('rf-kernel-lab table:last-of-type tr', (trs) =>
      trs.map((tr) => tr.textContent?.trim()),
    );
    assert.equal(rows[0], '35653');
    assert.deepEqual(problems, noProblems());
  });
});

describe('<rf-pooling>', () => {
  // The figure's network, built here from the core: what a unit sees depends on its geometry alone.
  const net = poolingNet();
  const expected = (layer: string, y: number, x: number, activation: string) =>
    cellsSeen(net, layer, { y, x }, activation);

  it('lights exactly the 16 feature-map values a second-level unit saw, by hover and by keyboard', async () => {
    const { page, problems } = await openExample();
    await page.locator('rf-pooling [data-layer="pool2"][data-y="2"][data-x="3"]').hover();
    const conv = await litCells(page, 'conv1');
    assert.equal(conv.length, 16);
    assert.deepEqual(conv, expected('pool2', 2, 3, 'conv1'));
    assert.deepEqual(await litCells(page, 'input'), expected('pool2', 2, 3, 'input'));
    assert.match(
      (await page.locator('rf-pooling .count').textContent()) ?? '',
      /saw 4 first-pooling values, 16 feature-map values, 36 digit pixels/,
    );

    // Keyboard: a first-level unit sees 4 feature-map values and the lecture's 16 pixels.
    await page.mouse.move(0, 0);
    await page.locator('rf-pooling [data-layer="pool1"][data-y="0"][data-x="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await litCells(page, 'conv1'), expected('pool1', 1, 1, 'conv1'));
    const input = await litCells(page, 'input');
    assert.equal(input.length, 16);
    assert.deepEqual(input, expected('pool1', 1, 1, 'input'));
    assert.deepEqual(problems, noProblems());
  });
});

const compare = 'rf-model-compare';
const prediction = (page: Page, model: string) =>
  page.locator(`${compare} [data-model="${model}"]`).getAttribute('data-prediction');

const modelsReady = (page: Page) => showFigure(page, compare, 'ready');

/** Waits up to 5 s for the CNN to predict `digit`; what it predicts then is asserted after. */
const cnnPredicts = (page: Page, digit: string) =>
  waitForModelCard(page, 'cnn', 'prediction', digit, { timeout: 5000 }).catch(() => {});

describe('<rf-digit-pad> and <rf-model-compare>', () => {
  it('answers drawn digits with the right CNN prediction, on onnxruntime-web', async () => {
    const { page, problems } = await openExample();
    await modelsReady(page);
    // The cards' numbers, read from the model cards the page fetched.
    const card = modelCard('cnn');
    assert.equal(
      await page.locator(`${compare} [data-model="cnn"] .facts`).textContent(),
      `${card.parameters.toLocaleString('en-US')} parameters · ${(card.heldOut.accuracy * 100).toFixed(1)}% accuracy on the test digits`,
    );
    const digits: [string, [number, number][][]][] = [
      [
        '7',
        [
          [
            [60, 50],
            [220, 50],
            [120, 240],
          ],
        ],
      ],
      [
        '1',
        [
          [
            [140, 40],
            [140, 240],
          ],
        ],
      ],
      [
        '0',
        [
          [
            [140, 40],
            [80, 80],
            [70, 160],
            [100, 230],
            [160, 240],
            [210, 180],
            [215, 100],
            [180, 50],
            [140, 40],
          ],
        ],
      ],
    ];
    for (const [digit, strokes] of digits) {
      await page.locator('rf-digit-pad button[data-action="clear"]').click();
      await drawOnPad(page, strokes);
      await cnnPredicts(page, digit);
      assert.equal(await prediction(page, 'cnn'), digit, `a drawn ${digit}`);
      assert.equal(
        await page.locator(`${compare} [data-model="cnn"]`).getAttribute('data-engine'),
        'onnxruntime-web/wasm',
      );
    }
    assert.deepEqual(problems, noProblems());
  });

  it("draws with touch and with a pen too, through the browser's own input pipeline", async () => {
    const { context, page, problems } = await openExample({ hasTouch: true });
    await modelsReady(page);
    const cdp = await context.newCDPSession(page);
    // Pointer types that reach the pad (retargeted to its host, type kept).
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { rfPointerTypes: Set<string> }).rfPointerTypes = seen;
      document
        .querySelector('rf-digit-pad')!
        .addEventListener('pointerdown', (e) => seen.add((e as PointerEvent).pointerType));
    });
    const at = await padToPage(page);
    /** Points along a polyline, about every 6 pad pixels, so moves arrive as a hand makes them. */
    const along = (line: [number, number][]) =>
      line.slice(1).flatMap((p, i) => {
        const q = line[i]!;
        const n = Math.max(1, Math.ceil(Math.hypot(p[0] - q[0], p[1] - q[1]) / 6));
        return Array.from({ length: n }, (_, k) => {
          const t = (k + 1) / n;
          return [q[0] + t * (p[0] - q[0]), q[1] + t * (p[1] - q[1])] as [number, number];
        });
      });
    const seven: [number, number][] = [
      [60, 50],
      [220, 50],
      [120, 240],
    ];
    const one: [number, number][] = [
      [140, 40],
      [140, 240],
    ];

    // A finger: touch events, which Chromium turns into pointer events of type "touch".
    await page.locator('rf-digit-pad button[data-action="clear"]').click();
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchStart',
      touchPoints: [at(seven[0]!)],
    });
    for (const p of along(seven)) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(p)] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await cnnPredicts(page, '7');
    assert.equal(await prediction(page, 'cnn'), '7', 'a 7 drawn with a finger');

    // A pen: mouse events marked as a pen, which arrive as pointer events of type "pen".
    await page.locator('rf-digit-pad button[data-action="clear"]').click();
    const pen = (
      type: 'mouseMoved' | 'mousePressed' | 'mouseReleased',
      p: [number, number],
      buttons: number,
    ) =>
      cdp.send('Input.dispatchMouseEvent', {
        type,
        ...at(p),
        button: 'left',
        buttons,
        clickCount: 1,
        pointerType: 'pen',
      });
    await pen('mouseMoved', one[0]!, 0);
    await pen('mousePressed', one[0]!, 1);
    for (const p of along(one)) await pen('mouseMoved', p, 1);
    await pen('mouseReleased', one.at(-1)!, 0);
    await cnnPredicts(page, '1');
    assert.equal(await prediction(page, 'cnn'), '1', 'a 1 drawn with a pen');
    const types = await page.evaluate(() =>
      [...(window as unknown as { rfPointerTypes: Set<string> }).rfPointerTypes].sort(),
    );
    // ('mouse' is there too, from the Clear button's clicks.)
    assert.ok(types.includes('touch') && types.includes('pen'), `pointer types seen: ${types}`);
    assert.deepEqual(problems, noProblems());
  });

  it('fetches no model or runtime until the comparison nears the viewport', async () => {
    const { page, problems } = await h.newPage({ viewport: { width: 1280, height: 300 } });
    const fetched: string[] = [];
    page.on('request', (r) => {
      if (/\.onnx$|\/ort\/|card.*\.json$/.test(r.url())) fetched.push(r.url());
    });
    await open(page);
    await page.waitForTimeout(300);
    assert.equal(fetched.length, 0, `fetched early: ${fetched.join(', ')}`);
    assert.equal(await page.locator(compare).getAttribute('data-state'), 'idle');
    await modelsReady(page);
    assert.ok(fetched.some((u) => u.endsWith('.wasm')));
    assert.deepEqual(problems, noProblems());
  });

  it('answers from the core on the CPU while onnxruntime-web is still loading', async () => {
    const { page, problems } = await h.newPage();
    // Hold the runtime's files until the CPU answer has been checked.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/ort/*', async (route) => {
      await held;
      await route.continue();
    });
    await open(page);
    await page.locator(compare).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${compare}[data-state="cpu"]`);
    assert.equal(await page.locator(`${compare} progress`).isVisible(), true);
    await drawOnPad(page, [
      [
        [140, 40],
        [140, 240],
      ],
    ]);
    await page.waitForSelector(`${compare} [data-model="cnn"][data-engine="core/cpu"]`);
    assert.equal(await prediction(page, 'cnn'), '1');
    release();
    await page.waitForSelector(`${compare}[data-state="ready"]`);
    await page.waitForSelector(`${compare} [data-model="cnn"][data-engine="onnxruntime-web/wasm"]`);
    assert.equal(await prediction(page, 'cnn'), '1');
    assert.equal(await page.locator(`${compare} progress`).isVisible(), false);
    assert.deepEqual(problems, noProblems());
  });

  it('works by keyboard alone: pick a held-out digit, nudge it, hear the predictions', async () => {
    const { page, problems } = await openExample();
    await modelsReady(page);
    await page.locator('rf-digit-pad button[data-action="next"]').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const status = page.locator('rf-digit-pad .status');
    await page.waitForFunction(() =>
      /Test digit 2 of/.test(
        document.querySelector('rf-digit-pad')?.shadowRoot?.querySelector('.status')?.textContent ??
          '',
      ),
    );
    const label = Number(/labelled (\d)/.exec((await status.textContent())!)![1]);
    assert.equal(label, heldOut.labels[1]);
    // Back to the pad, then two pixels right and one up.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowUp']) await page.keyboard.press(key);
    assert.equal(await status.textContent(), 'Moved 2 pixels right, 1 pixel up.');
    const shifted = shift2d(heldOutDigit(1), -1, 2);
    const want = top(cnn.forward(shifted).data);
    const live = page.locator(`${compare} [data-live]`);
    await page.waitForFunction(() =>
      /Convolutional network: prediction/.test(
        document.querySelector('rf-model-compare')?.shadowRoot?.querySelector('[data-live]')
          ?.textContent ?? '',
      ),
    );
    const said = (await live.textContent())!;
    assert.match(said, new RegExp(`Convolutional network: prediction ${want}, \\d+%\\.`));
    assert.match(
      said,
      /^Logistic regression: prediction \d, \d+%\. Multilayer perceptron: prediction \d, \d+%\./,
    );
    assert.deepEqual(problems, noProblems());
  });

  it('has no serious accessibility violations once everything is live', async () => {
    const { page, problems } = await openExample();
    await modelsReady(page);
    await drawOnPad(page, [
      [
        [140, 40],
        [140, 240],
      ],
    ]);
    await page.locator('rf-pooling [data-layer="pool2"][data-y="1"][data-x="1"]').hover();
    await page.locator('rf-kernel-lab td[data-y="2"][data-x="2"]').hover();
    await assertNoSeriousViolations(page);
    assert.deepEqual(problems, noProblems());
  });
});

describe('<rf-photo-conv>', () => {
  it("serves its photo from the example build and convolves it to the core's numbers", async () => {
    const { page, problems } = await openExample();
    const fig = await showFigure(page, 'rf-photo-conv', 'ready', 60_000);
    assert.equal(await fig.getAttribute('data-engine'), 'webgl');
    const photo = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .find((u) => /\/assets\/coffee-[\w-]+\.webp$/.test(u)),
    );
    assert.ok(photo, 'the coffee photo came from the build');
    // One pixel in the middle: its 3 x 3 window of the input, through the core.
    const s = await fig.evaluate((el) => {
      type Img = { w: number; h: number; c: number; data: Float32Array };
      const { input, output } = el as unknown as { input: Img; output: Img & { kernel: number[] } };
      const y = Math.floor(input.h / 2);
      const x = Math.floor(input.w / 3);
      const win = [-1, 0, 1].flatMap((dy) =>
        [-1, 0, 1].map((dx) => input.data[(y + dy) * input.w + x + dx]!),
      );
      return {
        w: input.w,
        c: input.c,
        kernel: output.kernel,
        win,
        out: output.data[y * input.w + x]!,
      };
    });
    assert.deepEqual([s.w, s.c], [512, 1]);
    assert.deepEqual(s.kernel, EDGE);
    const ref = conv2d(
      tensor(Float32Array.from(s.win), [1, 1, 3, 3]),
      tensor(Float32Array.from(EDGE), [1, 1, 3, 3]),
    ).data[0]!;
    assert.ok(Math.abs(s.out - ref) <= 1e-4, `${s.out} vs core ${ref}`);
    assert.deepEqual(problems, noProblems());
  });
});

describe('<rf-conv-layer-3d>', () => {
  it('computes its layer with the core and draws the shapes in 3D', async () => {
    const { page, problems } = await openExample();
    const fig = await showFigure(page, 'rf-conv-layer-3d', 'ready');
    // Three filters of 1 x 3 x 3 on the 1 x 7 x 7 image, then ReLU, as the core builds it.
    const net = sequential([layers.conv2d({ filters: 3, kernel: 3 }), layers.relu()], {
      inputShape: [1, 7, 7],
    });
    const shape = (net.outputShape as number[]).join(' × ');
    assert.equal(
      await fig.locator('[data-shape="output"]').textContent(),
      shape,
      'the output shape in the table',
    );
    assert.match(
      (await fig.locator('.sentence').textContent()) ?? '',
      new RegExp(`^Output ${shape}:.* ${net.parameterCount()} parameters`),
    );
    const drawn = await fig.evaluate(
      (el) =>
        (el as unknown as { drawn: Record<string, number | string> }).drawn as Record<
          string,
          number | string
        >,
    );
    const [k, oh, ow] = net.outputShape as number[];
    assert.deepEqual(
      [
        drawn['inputChannels'],
        drawn['filters'],
        drawn['outputSlices'],
        drawn['outputRows'],
        drawn['outputColumns'],
      ],
      [1, k, k, oh, ow],
    );
    // The drawn output is the core's: ReLU of each filter over the image, plus its bias.
    const data = await fig.evaluate((el) => {
      const d = (
        el as unknown as { data: { weights: number[]; biases: number[]; output: number[] } }
      ).data;
      return {
        weights: Array.from(d.weights),
        biases: Array.from(d.biases),
        output: Array.from(d.output),
      };
    });
    const want = relu(
      conv2d(
        LECTURE_IMAGE,
        tensor(Float32Array.from(data.weights), [k!, 1, 3, 3]),
        tensor(Float32Array.from(data.biases), [k!]),
      ),
    );
    data.output.forEach((v, i) => {
      assert.ok(Math.abs(v - want.data[i]!) <= 1e-5, `output ${i}: ${v} vs core ${want.data[i]}`);
    });
    assert.deepEqual(problems, noProblems());
  });
});

describe('<rf-feature-maps>', () => {
  it('draws the CNN feature maps once a held-out digit is picked', async () => {
    const { page, problems } = await openExample();
    await modelsReady(page);
    const maps = page.locator('rf-feature-maps');
    assert.equal(await maps.getAttribute('data-state'), 'idle', 'nothing drawn before a digit');
    await page.locator('rf-digit-pad button[data-action="next"]').click();
    await showFigure(page, 'rf-feature-maps', 'drawn');
    // One canvas per channel of each layer, in the layer's shape: as the core runs the model.
    const { activations } = cnn.forwardAll(heldOutDigit(0));
    const drawn = await page.evaluate(() =>
      Object.fromEntries(
        [
          ...document
            .querySelector('rf-feature-maps')!
            .shadowRoot!.querySelectorAll<HTMLElement>('[data-layer]'),
        ].map((s) => [
          s.dataset['layer']!,
          [...s.querySelectorAll('canvas')].map((c) => [c.width, c.height]),
        ]),
      ),
    );
    const names = ['relu1', 'pool1', 'relu2', 'pool2'];
    assert.deepEqual(Object.keys(drawn), names);
    for (const name of names) {
      const [, c, hh, w] = activations[name]!.shape as number[];
      assert.equal(drawn[name]!.length, c, `${name}: one canvas per channel`);
      assert.ok(
        drawn[name]!.every(([cw, ch]) => cw === w && ch === hh),
        `${name}: ${w} x ${hh}`,
      );
    }
    assert.deepEqual(problems, noProblems());
  });
});

describe('<rf-network-3d>', () => {
  it('draws the whole CNN for a held-out digit and reads a unit out by keyboard', async () => {
    const { page, problems } = await openExample();
    await modelsReady(page);
    await page.locator('rf-digit-pad button[data-action="next"]').click();
    const fig = await showFigure(page, 'rf-network-3d', 'drawn');
    // Every feature map of the core's forward pass, with its shape.
    const { activations } = cnn.forwardAll(heldOutDigit(0));
    const layers = await fig.evaluate(
      (el) => (el as unknown as { layers: { name: string; dims: number[] }[] }).layers,
    );
    assert.deepEqual(
      layers.filter((l) => l.dims.length === 4).map((l) => [l.name, l.dims]),
      Object.entries(activations)
        .filter(([, t]) => t.shape.length === 4)
        .map(([name, t]) => [name, [...t.shape]]),
    );
    // Focus the figure: it picks a unit, whose value is the core's.
    await fig.evaluate((el) =>
      (el as unknown as { view: { host: { canvas: HTMLCanvasElement } } }).view.host.canvas.focus(),
    );
    await page.keyboard.press('ArrowRight');
    const unit = await fig.evaluate(
      (el) =>
        (
          el as unknown as {
            picked: { layer: string; channel: number; y: number; x: number; value: number };
          }
        ).picked,
    );
    const t = activations[unit.layer]!;
    const [, , hh, w] = t.shape as number[];
    const want = t.data[(unit.channel * hh! + unit.y) * w! + unit.x]!;
    assert.ok(
      Math.abs(unit.value - want) < 1e-3 * Math.max(1, Math.abs(want)),
      `${unit.value} vs ${want}`,
    );
    assert.deepEqual(problems, noProblems());
  });
});

describe('<rf-scrolly>', () => {
  // The example's second page: three steps that set the kernel of the pinned kernel lab.
  const IDENTITY = [0, 0, 0, 0, 1, 0, 0, 0, 0];
  const STEPS = [
    { state: 'identity', label: 'Identity kernel', kernel: 'identity', grid: coreGrid(IDENTITY) },
    {
      state: 'blur',
      label: 'Box blur',
      kernel: 'box-blur',
      grid: coreGrid(
        Array.from({ length: 9 }, () => 1 / 9),
        0,
        9,
      ),
    },
    { state: 'edge', label: 'Horizontal edges', kernel: 'horizontal-edge', grid: coreGrid(EDGE) },
  ];
  type Change = { index: number; state: string; direction: string };

  /** The example's scrolly page in a fresh guarded context, recording every rf:step. */
  async function openScrolly(options?: BrowserContextOptions): Promise<OpenedPage> {
    const opened = await h.newPage(options);
    const { page } = opened;
    await page.addInitScript(() => {
      const w = window as unknown as { rfSteps: unknown[] };
      w.rfSteps = [];
      document.addEventListener('rf:step', (e) => w.rfSteps.push((e as CustomEvent).detail));
    });
    await page.goto('/scrolly.html');
    await page.waitForFunction(
      () => customElements.get('rf-scrolly') && customElements.get('rf-kernel-lab'),
    );
    return opened;
  }
  const changes = (page: Page) =>
    page.evaluate(() => (window as unknown as { rfSteps: Change[] }).rfSteps.slice());

  /** The scrolly and its figure as the reader finds them with step `i` active. */
  async function assertStep(page: Page, i: number) {
    const { state, label, kernel, grid } = STEPS[i]!;
    await waitForAttribute(page, 'rf-scrolly', 'data-state', state);
    assert.equal(await page.locator('rf-scrolly').getAttribute('data-active-step'), String(i));
    assert.equal(await page.locator('rf-kernel-lab').getAttribute('kernel'), kernel);
    assert.deepEqual(await outputGrid(page), grid, `${state}: the core's output`);
    assert.deepEqual(
      await page
        .locator('[data-step][aria-current="step"]')
        .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset['state'])),
      [state],
    );
    assert.equal(await page.locator('rf-scrolly [data-scrolly-live]').textContent(), label);
  }
  const centre = (page: Page, state: string) =>
    page
      .locator(`[data-step][data-state="${state}"]`)
      .evaluate((el) => el.scrollIntoView({ block: 'center' }));
  /** Scrolls step `i` to the middle and checks the scrolly and its figure there. */
  async function toStep(page: Page, i: number) {
    await centre(page, STEPS[i]!.state);
    await assertStep(page, i);
  }

  it('drives its figure from the step crossing the middle, with rf:step and data-state', async () => {
    const { page, problems } = await openScrolly();
    await assertStep(page, 0);
    assert.deepEqual(await changes(page), [{ index: 0, state: 'identity', direction: 'none' }]);
    assert.equal(
      await page.getByRole('region', { name: 'Three kernels on the lecture image' }).count(),
      1,
    );

    await toStep(page, 1);
    await toStep(page, 2);
    assert.deepEqual((await changes(page)).slice(1), [
      { index: 1, state: 'blur', direction: 'down' },
      { index: 2, state: 'edge', direction: 'down' },
    ]);
    // Back up: the steps replay in reverse, scrolling up.
    await toStep(page, 1);
    await toStep(page, 0);
    assert.deepEqual((await changes(page)).slice(3), [
      { index: 1, state: 'blur', direction: 'up' },
      { index: 0, state: 'identity', direction: 'up' },
    ]);
    // The layout is injected once, as the first stylesheet, so the page's own rules win.
    assert.equal(
      await page.evaluate(() => document.head.firstElementChild?.matches('style[data-rf-scrolly]')),
      true,
    );
    assert.equal(await page.locator('style[data-rf-scrolly]').count(), 1);
    await assertNoSeriousViolations(page);
    assert.deepEqual(problems, noProblems());
  });

  it("holds a step change while the reader's focus is in the figure, and applies it after", async () => {
    const { page, problems } = await openScrolly();
    await assertStep(page, 0);
    // The reader is editing the kernel (focus inside the lab) when the page scrolls to "blur".
    await page.locator('rf-kernel-lab input').first().focus();
    await centre(page, 'blur');
    await waitForAttribute(page, 'rf-scrolly', 'data-state', 'blur');
    await page.waitForTimeout(100);
    assert.equal(
      await page.locator('rf-kernel-lab').getAttribute('kernel'),
      'identity',
      "the reader's figure is left alone",
    );
    // Focus leaves the figure: the active step's kernel applies.
    await page.locator('[data-step][data-state="blur"] h2').click();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await assertStep(page, 1);
    assert.deepEqual(problems, noProblems());
  });

  it('activates the step that Tab reaches, and names it in the live region', async () => {
    const { page, problems } = await openScrolly();
    await assertStep(page, 0);
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'edge-link')) break;
    }
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'edge-link');
    await page.waitForTimeout(300);
    await assertStep(page, 2);
    // Focus moved the story, and scrolling it into view did not hand it back to another step.
    assert.deepEqual((await changes(page)).slice(1), [
      { index: 2, state: 'edge', direction: 'none' },
    ]);
    assert.deepEqual(problems, noProblems());
  });

  it('pins the figure above the text on a phone, and reads without JavaScript', async () => {
    const phone = await openScrolly({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = phone.page;
    await toStep(page, 1);
    const figure = (await page.locator('rf-scrolly > [slot="figure"]').boundingBox())!;
    const text = (await page.locator('[data-scrolly-steps]').boundingBox())!;
    assert.ok(Math.abs(figure.y) <= 1, `figure pinned to the top (y=${figure.y})`);
    // The compact panel takes at most half the screen (--rf-compact-height, 50vh by default).
    assert.ok(figure.height <= 844 * 0.5 + 1, `figure ${figure.height}px tall`);
    assert.ok(figure.width <= 390 && text.width <= 390);
    assert.equal(
      await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
      0,
    );
    assert.deepEqual(phone.problems, noProblems());

    const { page: still, problems } = await h.open('/scrolly.html', { javaScriptEnabled: false });
    assert.deepEqual(
      await still
        .locator('[data-step]')
        .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset['state'])),
      STEPS.map((s) => s.state),
    );
    const rows = await still.$$eval('rf-kernel-lab table:last-of-type tr', (trs) =>
      trs.map((tr) => tr.textContent?.trim()),
    );
    assert.equal(rows[0], LECTURE[1]!.slice(1, 6), 'the identity output, computed at build time');
    assert.deepEqual(problems, noProblems());
  });
});
