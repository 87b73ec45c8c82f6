import { el, hideKeepingFocus, shadow, watchViewport } from './dom.js';
import { figureElement } from './figure-element.js';
import { formatNumber } from './format.js';
import { KERNEL_EDITOR_CSS, KernelEditor } from './kernel-editor.js';
import type { KernelChange } from './kernel-lab.js';
import { KERNEL_PARSER, KERNEL_PRESETS, PRESET_LABELS, parseKernel, presetOf } from './lecture.js';
import {
  CHANNELS,
  PHOTO_CONV_SPEC,
  type PhotoBackend,
  type PhotoChannels,
} from './photo-conv.spec.js';
import { EngineDownloadError, PhotoConvolver, type PhotoRun } from './photo-conv-model.js';
import {
  type FloatImage,
  fitSize,
  PHOTO_NAMES,
  PHOTOS,
  type PhotoName,
  paint,
  paintMode,
  toFloatImage,
} from './photo-library.js';
import { CAMERA_INFO, ImageSource, type SourceInfo } from './photo-source.js';
import { parseEnum } from './props.js';
import { BASE_CSS, colorKey } from './theme.js';

// The CPU engine lives with the pixel code (no DOM), so build steps can run it too.
export { cpuConvolve } from './photo-library.js';

export type { PhotoBackend, PhotoChannels };

/** `event.detail` of `rf-convolve`. */
export interface PhotoConvolved {
  kernel: number[];
  channels: PhotoChannels;
  /** Where the image came from. */
  source: 'photo' | 'file' | 'camera';
  /** What ran the convolution: `webgpu`, `webgl` (tfjs) or `cpu` (@receptive/core). */
  engine: 'webgpu' | 'webgl' | 'cpu';
  /** Convolution plus read-back, in milliseconds. */
  ms: number;
  width: number;
  height: number;
}

export { PHOTO_CONV_SPEC };

const TAG = PHOTO_CONV_SPEC.tag;

const CSS = `${BASE_CSS}
.wrap { display: grid; gap: 0.8rem; }
.panels { display: flex; flex-wrap: wrap; gap: 1rem; }
.panels figure { flex: 1 1 16rem; min-width: 0; }
canvas { display: block; width: 100%; height: auto; background: var(--rf-panel); border-radius: 4px; }
.drop { position: relative; border: 2px dashed transparent; border-radius: 6px; }
.drop.over { border-color: var(--rf-focus); }
.credit, .legend, .status, .note { font-size: 0.85em; color: var(--rf-muted); margin: 0.3rem 0 0; }
.note:empty, .status:empty, .retry[hidden] { display: none; }
.note { color: var(--rf-ink); border-left: 3px solid var(--rf-highlight); padding-left: 0.5rem; }
.controls { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
fieldset { border: 1px solid var(--rf-line); border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0; }
legend { font-size: 0.85em; color: var(--rf-muted); }
${KERNEL_EDITOR_CSS}
.row { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 0.6rem; align-items: center; }
.file { position: relative; }
.file input { position: absolute; inset: 0; opacity: 0; width: 100%; cursor: pointer; }
.file:focus-within { outline: 3px solid var(--rf-focus); outline-offset: 2px; border-radius: 4px; }
.file span { display: inline-block; border: 1px solid var(--rf-line); background: var(--rf-paper); border-radius: 4px; padding: 0.25em 0.7em; }
select { font: inherit; min-height: 2em; }
.progress { display: flex; gap: 0.6rem; align-items: center; font-size: 0.85em; color: var(--rf-muted); }
.progress[hidden] { display: none; }
video { position: absolute; width: 1px; height: 1px; opacity: 0; pointer-events: none; }
@media (max-width: 30rem) { .kgrid { min-width: calc(3 * 4.2rem + 8px); } }
`;

const ENGINE_LABELS: Record<PhotoConvolved['engine'], string> = {
  webgpu: 'the GPU (tfjs, WebGPU)',
  webgl: 'the GPU (tfjs, WebGL)',
  cpu: 'the CPU (@receptive/core)',
};

/**
 * `<rf-photo-conv photo="coffee" kernel="laplacian">`: see {@link PHOTO_CONV_SPEC}.
 *
 * Loading: nothing is fetched until the element comes within two screens of the viewport. Then
 * the photo is decoded and convolved at once by @receptive/core on the CPU, while
 * TensorFlow.js loads (a progress line says so); each later frame runs on the GPU backend that
 * started. The camera never starts by itself, and its frames stop while the figure is offscreen.
 *
 * The element wires attributes, controls, painting and what is said; where the image comes from
 * is an {@link ImageSource} (photo-source.ts), and what convolves it a {@link PhotoConvolver}
 * (photo-conv-model.ts: the GPU engine's lifecycle and the queue).
 */
// Its own accessors for photo, kernel and channels (each redraws); the base reads the
// attributes through them.
export class PhotoConv extends figureElement(PHOTO_CONV_SPEC) {
  #photo: PhotoName = PHOTO_NAMES[0]!;
  #kernel: number[] = [...KERNEL_PRESETS['box-blur']];
  #channels: PhotoChannels = 'grey';
  #root: ShadowRoot | null = null;
  #editor: KernelEditor | null = null;
  #photoSelect: HTMLSelectElement | null = null;
  #channelSelect: HTMLSelectElement | null = null;
  #fileInput: HTMLInputElement | null = null;
  #cameraButton: HTMLButtonElement | null = null;
  #srcCanvas: HTMLCanvasElement | null = null;
  #outCanvas: HTMLCanvasElement | null = null;
  #srcCaption: HTMLElement | null = null;
  #outCaption: HTMLElement | null = null;
  #credit: HTMLElement | null = null;
  #legend: HTMLElement | null = null;
  /** The colour key of a signed output (the shared diverging scale), empty otherwise. */
  #key: HTMLElement | null = null;
  #keyText = '';
  #status: HTMLElement | null = null;
  #note: HTMLElement | null = null;
  #retry: HTMLButtonElement | null = null;
  #progress: HTMLElement | null = null;
  #progressText: HTMLElement | null = null;
  #video: HTMLVideoElement | null = null;
  #dropZone: HTMLElement | null = null;

  #source: ImageSource | null = null;
  #sourceLabel = '';
  #input: FloatImage | null = null;
  #shown: { input: FloatImage; output: FloatImage; kernel: number[] } | null = null;
  #engine: PhotoConvolved['engine'] = 'cpu';
  #started = false;
  #unwatch: (() => void)[] = [];
  #settling = false;
  #convolver = new PhotoConvolver({
    onRun: (run) => this.#paint(run),
    onGpuLost: (was, reason) => {
      this.#note!.textContent =
        `The GPU engine stopped (${was}: ${reason}), so @receptive/core now convolves on the CPU. Nothing was lost.`;
      this.#request();
    },
  });
  #onLab = (e: Event) => {
    const target = e.target as Element | null;
    if (!this.htmlFor || target?.id !== this.htmlFor) return;
    const k = (e as CustomEvent<KernelChange>).detail?.kernel;
    if (k?.length === 9) this.kernel = k;
  };

  get photo(): PhotoName {
    return this.#photo;
  }
  set photo(v: PhotoName) {
    const p = parseEnum(TAG, 'photo', String(v), PHOTO_NAMES);
    if (this.#photoSelect) this.#photoSelect.value = p;
    if (p === this.#photo && this.#sourceKind === 'photo' && this.#input) return;
    this.#photo = p;
    // A photo chosen from script replaces the camera, as choosing it in the menu does.
    this.#source?.stopCamera(false);
    if (this.#started) void this.#source?.loadPhoto(p);
  }

  // In a link: the kernel (a preset's name or nine numbers), the bundled photo and the channels,
  // e.g. `laplacian:<photo>:rgb`. The reader's own image or camera stays out: it never leaves
  // the page.
  protected override saveState(): string | null {
    const kernel = this.authored('kernel') as number[];
    const same =
      kernel.every((v, i) => Math.abs(v - this.#kernel[i]!) < 1e-12) &&
      this.#photo === this.authored('photo') &&
      this.#channels === this.authored('channels');
    if (same) return null;
    const k = presetOf(this.#kernel) ?? KERNEL_PARSER.format(this.#kernel);
    return `${k}:${this.#photo}:${this.#channels}`;
  }

  protected override restoreState(state: string | null): boolean {
    const parts = state?.split(':');
    try {
      if (!parts) {
        this.kernel = this.authored('kernel') as number[];
        this.photo = this.authored('photo') as PhotoName;
        this.channels = this.authored('channels') as PhotoChannels;
        return true;
      }
      if (parts.length !== 3) return false;
      const kernel = KERNEL_PARSER.parse(parts[0]!, TAG, 'kernel');
      if (kernel.some((v) => Math.abs(v) > 1e6)) return false;
      const photo = parseEnum(TAG, 'photo', parts[1]!, PHOTO_NAMES);
      const channels = parseEnum(TAG, 'channels', parts[2]!, CHANNELS);
      this.kernel = kernel;
      this.photo = photo;
      this.channels = channels;
    } catch {
      return false;
    }
    return true;
  }

  get kernel(): number[] {
    return [...this.#kernel];
  }
  set kernel(v: readonly number[] | string) {
    const k = typeof v === 'string' ? parseKernel(TAG, 'kernel', v) : [...v];
    if (k.length !== 9 || !k.every(Number.isFinite)) parseKernel(TAG, 'kernel', String(v));
    this.#kernel = k;
    this.#syncKernel();
    this.#request();
  }

  get channels(): PhotoChannels {
    return this.#channels;
  }
  set channels(v: PhotoChannels) {
    this.#channels = parseEnum(TAG, 'channels', String(v), CHANNELS);
    if (this.#channelSelect) this.#channelSelect.value = this.#channels;
    this.#refreshInput();
  }

  /** What ran the latest convolution. */
  get engine(): PhotoConvolved['engine'] {
    return this.#engine;
  }
  /** The float image behind the latest output (channel-last, values in [0, 1]). */
  get input(): FloatImage | null {
    return this.#shown?.input ?? null;
  }
  /** The latest convolved image (same layout and size as `input`) and the kernel that made it. */
  get output(): (FloatImage & { kernel: number[] }) | null {
    return this.#shown ? { ...this.#shown.output, kernel: [...this.#shown.kernel] } : null;
  }

  protected override connected(): void {
    document.addEventListener('rf-change', this.#onLab);
    if (!this.#root) {
      this.#root = shadow(this, CSS);
      this.#build();
    }
    const lab = this.htmlFor ? document.getElementById(this.htmlFor) : null;
    const labKernel = (lab as { kernel?: number[] } | null)?.kernel;
    if (Array.isArray(labKernel) && labKernel.length === 9) this.kernel = labKernel;
    this.#unwatch.push(
      // Camera frames only while some of the figure is on screen.
      watchViewport(this, '0px', (visible) => {
        if (this.#source) this.#source.visible = visible;
      }),
    );
  }

  protected override nearChanged(near: boolean): void {
    if (near && !this.#started) void this.#start();
  }

  protected override disconnected(): void {
    document.removeEventListener('rf-change', this.#onLab);
    for (const u of this.#unwatch) u();
    this.#unwatch = [];
    // A camera permission prompt still open resolves into a stopped stream.
    this.#source?.cancel();
  }

  #build(): void {
    const root = this.#root!;
    this.#editor = new KernelEditor({
      onCell: (i, v) => {
        this.#kernel[i] = v;
        this.#editor?.showPreset(this.#kernel);
        this.#request();
        this.stateChanged();
      },
      onPreset: (kernel) => {
        this.kernel = kernel;
        this.stateChanged();
      },
    });
    const kernelSet = el(
      'fieldset',
      {},
      el('legend', {}, 'Kernel (3 × 3)'),
      this.#editor.grid,
      this.#editor.presets,
      this.shareControl,
    );

    this.#photoSelect = el('select', { id: 'photo' });
    for (const name of PHOTO_NAMES) {
      this.#photoSelect.append(el('option', { value: name }, PHOTOS[name].title));
    }
    this.#photoSelect.value = this.#photo;
    this.#photoSelect.addEventListener('change', () => {
      this.#photo = this.#photoSelect!.value as PhotoName;
      void this.#source?.loadPhoto(this.#photo);
      this.stateChanged();
    });
    this.#channelSelect = el('select', { id: 'channels' });
    this.#channelSelect.append(
      el('option', { value: 'grey' }, 'Grey'),
      el('option', { value: 'rgb' }, 'Each colour channel'),
    );
    this.#channelSelect.value = this.#channels;
    this.#channelSelect.addEventListener('change', () => {
      this.channels = this.#channelSelect!.value as PhotoChannels;
      this.stateChanged();
    });
    this.#fileInput = el('input', { type: 'file', accept: 'image/*', id: 'file' });
    this.#fileInput.addEventListener('change', () => {
      const f = this.#fileInput!.files?.[0];
      if (f) void this.#source?.loadFile(f);
      this.#fileInput!.value = '';
    });
    this.#cameraButton = el(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-action': 'camera' },
      'Use camera',
    );
    this.#cameraButton.addEventListener('click', () => {
      if (this.#source?.streaming) this.#source.stopCamera(true);
      else void this.#source?.startCamera();
    });
    const sourceSet = el(
      'fieldset',
      {},
      el('legend', {}, 'Image'),
      el(
        'div',
        { class: 'row' },
        el('label', { for: 'photo' }, 'Photo'),
        this.#photoSelect,
        el('label', { for: 'channels' }, 'Convolve'),
        this.#channelSelect,
      ),
      el(
        'div',
        { class: 'row' },
        el('label', { class: 'file' }, el('span', {}, 'Use your own image'), this.#fileInput),
        this.#cameraButton,
      ),
      el(
        'p',
        { class: 'credit' },
        'Your image or camera stays in this page: it is never uploaded.',
      ),
    );

    this.#srcCanvas = el('canvas', { role: 'img', width: 1, height: 1 });
    this.#outCanvas = el('canvas', { role: 'img', width: 1, height: 1 });
    this.#srcCaption = el('figcaption', { id: 'src-cap' }, 'Image');
    this.#outCaption = el('figcaption', { id: 'out-cap' }, 'Output');
    this.#credit = el('p', { class: 'credit' });
    this.#legend = el('p', { class: 'legend' });
    this.#key = el('div', { class: 'key' });
    this.#video = el('video', { muted: true, playsinline: true, 'aria-hidden': 'true' });
    this.#video.muted = true;
    this.#dropZone = el(
      'figure',
      { class: 'drop' },
      this.#srcCaption,
      this.#srcCanvas,
      this.#credit,
      this.#video,
    );
    this.#dropZone.addEventListener('dragover', (e) => {
      e.preventDefault();
      this.#dropZone!.classList.add('over');
    });
    this.#dropZone.addEventListener('dragleave', () => this.#dropZone!.classList.remove('over'));
    this.#dropZone.addEventListener('drop', (e) => {
      e.preventDefault();
      this.#dropZone!.classList.remove('over');
      const f = e.dataTransfer?.files?.[0];
      if (f) void this.#source?.loadFile(f);
    });

    const progressBar = el('progress', { 'aria-label': 'Loading the GPU engine' });
    this.#progressText = el('span', {}, 'The figure starts when it comes into view.');
    this.#progress = el('div', { class: 'progress' }, progressBar, this.#progressText);
    this.#status = el('p', { class: 'status', 'data-status': '' });
    this.#note = el('p', { class: 'note', role: 'status', 'data-note': '' });
    this.#retry = el('button', { type: 'button', class: 'retry', hidden: true }, 'Retry');
    this.#retry.addEventListener('click', () => {
      // A keyboard reader on the Retry lands on the output it will redraw.
      hideKeepingFocus(this.#retry!, this.#outCanvas!);
      this.#note!.textContent = '';
      void this.#startGpu();
    });

    root.append(
      el(
        'div',
        { class: 'wrap' },
        el('div', { class: 'controls' }, kernelSet, sourceSet),
        this.#progress,
        el(
          'div',
          { class: 'panels' },
          this.#dropZone,
          el('figure', {}, this.#outCaption, this.#outCanvas, this.#legend, this.#key),
        ),
        this.#status,
        this.#note,
        this.#retry,
        this.live,
      ),
    );
    this.#source = new ImageSource({
      video: this.#video,
      onImage: (image, width, height, info) => this.#draw(image, width, height, info),
      onNote: (text) => {
        this.#note!.textContent = text;
      },
      onCamera: (state, announce) => this.#onCamera(state, announce),
      busy: () => this.#convolver.busy,
    });
    this.#syncKernel();
    this.dataset['state'] = 'idle';
  }

  // Where the latest image came from.
  get #sourceKind(): PhotoConvolved['source'] {
    return this.#source?.kind ?? 'photo';
  }

  #onCamera(state: 'on' | 'off' | 'error' | 'asking' | 'answered', announce = false): void {
    const button = this.#cameraButton!;
    if (state === 'asking') button.disabled = true;
    else if (state === 'answered') button.disabled = false;
    else if (state === 'error') this.dataset['camera'] = 'error';
    else if (state === 'on') {
      this.#showSource(CAMERA_INFO);
      button.textContent = 'Stop camera';
      button.setAttribute('aria-pressed', 'true');
      this.dataset['camera'] = 'on';
      this.#say(`Camera on: each frame is convolved on ${ENGINE_LABELS[this.#convolver.engine]}.`);
    } else {
      button.textContent = 'Use camera';
      button.setAttribute('aria-pressed', 'false');
      this.dataset['camera'] = 'off';
      if (announce) {
        this.#say('Camera off.');
        void this.#source?.loadPhoto(this.#photo);
      }
    }
  }

  #syncKernel(): void {
    this.#editor?.showValues(this.#kernel);
    this.#editor?.showPreset(this.#kernel);
  }

  #kernelName(): string {
    const p = presetOf(this.#kernel);
    return p ? PRESET_LABELS[p] : 'Your kernel';
  }

  async #start(): Promise<void> {
    this.#started = true;
    this.dataset['state'] = 'loading';
    this.#progressText!.textContent = 'Loading the photo…';
    await this.#source!.loadPhoto(this.#photo);
    if (this.backend === 'cpu') {
      this.#progress!.hidden = true;
      this.dataset['state'] = 'ready';
      return;
    }
    await this.#startGpu();
  }

  /** Starts the GPU engine; the CPU convolves until it runs, and for good if it cannot. */
  async #startGpu(): Promise<void> {
    this.#progress!.hidden = false;
    this.#progressText!.textContent =
      'Loading the GPU engine (TensorFlow.js); until then the CPU convolves.';
    const want = this.backend === 'auto' ? ['webgpu', 'webgl'] : [this.backend];
    try {
      await this.#convolver.startGpu(want);
      this.#progress!.hidden = true;
      // 'ready' once the first frame on the GPU is drawn (see #run).
      this.#settling = true;
      this.#request();
      if (!this.#input) this.dataset['state'] = 'ready';
    } catch (err) {
      this.#progress!.hidden = true;
      this.dataset['state'] = 'ready';
      const download = err instanceof EngineDownloadError;
      this.#note!.textContent = download
        ? `The GPU engine could not be loaded: ${(err as Error).message}. @receptive/core convolves on the CPU meanwhile.`
        : `No GPU engine could start here (${(err as Error).message}), so @receptive/core convolves on the CPU.`;
      // Only a failed download is worth asking again; a missing GPU stays missing.
      this.#retry!.hidden = !download;
    }
  }

  // The credit and text alternative of a new source.
  #showSource(info: SourceInfo): void {
    this.#sourceLabel = info.label;
    if (this.#credit!.textContent !== info.credit) this.#credit!.textContent = info.credit;
    if (this.#srcCanvas!.getAttribute('aria-label') !== info.alt) {
      this.#srcCanvas!.setAttribute('aria-label', info.alt);
    }
  }

  /** Draws a source into the source canvas (scaled to fit) and convolves it. */
  #draw(src: CanvasImageSource, width: number, height: number, info: SourceInfo): void {
    this.#showSource(info);
    const { w, h } = fitSize(width, height);
    const c = this.#srcCanvas!;
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(src, 0, 0, w, h);
    this.#srcCaption!.textContent = `${this.#sourceLabel} (${w} × ${h})`;
    this.#refreshInput();
  }

  #refreshInput(): void {
    const c = this.#srcCanvas;
    if (!c || c.width < 2) return;
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    const rgba = ctx.getImageData(0, 0, c.width, c.height).data;
    this.#input = toFloatImage(rgba, c.width, c.height, this.#channels);
    this.#request();
  }

  /** Asks for a run of the latest input and kernel; runs that pile up collapse into one. */
  #request(): void {
    if (!this.#input || !this.#root) return;
    this.#convolver.request(this.#input, this.#kernel);
  }

  /** Shows a finished run: the output, its key and captions, the timing, and what is said. */
  #paint({ input, output: out, kernel, engine, ms }: PhotoRun): void {
    this.#shown = { input, output: out, kernel };
    this.#engine = engine;
    this.dataset['engine'] = engine;
    const canvas = this.#outCanvas!;
    if (canvas.width !== out.w || canvas.height !== out.h) {
      canvas.width = out.w;
      canvas.height = out.h;
    }
    const ctx = canvas.getContext('2d')!;
    const image = ctx.createImageData(out.w, out.h);
    const mode = paintMode(kernel, out);
    paint(out, mode, image.data);
    ctx.putImageData(image, 0, 0);
    const name = this.#kernelName();
    this.#outCaption!.textContent = `${name} applied to ${this.#sourceLabel} (${out.w} × ${out.h})`;
    canvas.setAttribute(
      'aria-label',
      `${name} applied to ${this.#sourceKind === 'photo' ? `the photo: ${PHOTOS[this.#photo].alt}` : this.#sourceLabel}`,
    );
    this.#legend!.textContent = mode.legend;
    const top = mode.kind === 'diverging' ? formatNumber(mode.scale) : '';
    if (top !== this.#keyText) {
      this.#keyText = top;
      this.#key!.replaceChildren(...(top ? [colorKey('diverging', 'Value', `−${top}`, top)] : []));
    }
    this.#status!.textContent =
      `Convolved on ${ENGINE_LABELS[engine]} in ${ms.toFixed(1)} ms per frame.`;
    this.dataset['ms'] = ms.toFixed(2);
    if (this.#settling) {
      this.#settling = false;
      this.dataset['state'] = 'ready';
    }
    this.dispatchEvent(
      new CustomEvent<PhotoConvolved>('rf-convolve', {
        detail: {
          kernel,
          channels: this.#channels,
          source: this.#sourceKind,
          engine,
          ms,
          width: out.w,
          height: out.h,
        },
        bubbles: true,
      }),
    );
    // The camera speaks when it starts and stops, not every frame.
    if (this.#sourceKind !== 'camera') {
      this.#say(
        `${name} applied to ${this.#sourceLabel}, ${out.w} by ${out.h} pixels, on ${ENGINE_LABELS[engine]} in ${ms.toFixed(0)} milliseconds.`,
      );
    }
  }

  #say(text: string): void {
    this.announce(text);
  }
}
