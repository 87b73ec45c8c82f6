/**
 * Where a figure's own model comes from: the author's `src` URL, or an `.onnx` file the reader
 * opens (the "Open an .onnx model…" button, or a file dropped on the figure). It reads the file
 * in the page (nothing is uploaded), shows what went wrong in an alert with a Retry for a
 * download, and hands each model read to the figure; a bad one leaves the figure's model as it
 * was. The reading itself is byo-model.ts.
 */
import {
  type AnyOwnModel,
  fetchOwnModel,
  fileNameOf,
  OwnModelError,
  openOwnModel,
  ownNote,
} from './byo-model.js';
import { el, hideKeepingFocus } from './dom.js';

/** The styles of {@link OwnModelSource.element}: add them to the figure's. */
export const OWN_MODEL_CSS = `
.own { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.6rem; margin: 0 0 0.4rem; font-size: 0.85em; }
.own-hint { color: var(--rf-muted); }
.own-error { flex: 1 1 100%; margin: 0; color: var(--rf-error); }
.own-error:empty { display: none; }
.own-note { margin: 0.3rem 0 0; font-size: 0.85em; color: var(--rf-muted); }
.own-note:empty { display: none; }
:host([data-drop-over]) { outline: 2px dashed var(--rf-focus); outline-offset: 4px; }
`;

export interface OwnModelSourceOptions {
  /** A model was read: the figure shows it from now on. */
  model(own: AnyOwnModel): void;
  /**
   * `any`: a model the core cannot read is run by onnxruntime-web instead (the figure draws its
   * maps from the values it returns). Default `core`: such a model is refused with the reason.
   */
  runtime?: 'core' | 'any';
  /** Where the page serves onnxruntime-web's wasm files, for `runtime: 'any'`. */
  wasmPaths?(): string | undefined;
  /** Something to say while reading (empty when done). */
  status?(text: string): void;
}

/**
 * The controls and the drop target for a figure's own model.
 * @example
 * const source = new OwnModelSource(this, { model: (own) => this.#show(own) });
 * root.append(source.element); // …and source.note under the figure
 * source.load('/models/my-cnn.onnx');
 */
export class OwnModelSource {
  /** The button, the hidden file input, the alert and the Retry: put it above the figure. */
  readonly element: HTMLElement;
  /** One line on how the digit is fitted to the model: put it under the figure. */
  readonly note: HTMLElement;
  #host: HTMLElement;
  #options: OwnModelSourceOptions;
  #input: HTMLInputElement;
  #button: HTMLButtonElement;
  #error: HTMLElement;
  #retry: HTMLButtonElement;
  #hint: HTMLElement;
  #lastSrc: string | null = null;
  /** Bumped by every new load: an older one that finishes late is dropped. */
  #generation = 0;
  #abort: AbortController | null = null;

  constructor(host: HTMLElement, options: OwnModelSourceOptions) {
    this.#host = host;
    this.#options = options;
    this.#input = el('input', {
      type: 'file',
      accept: '.onnx,application/octet-stream',
      hidden: true,
      'data-own-file': '',
    });
    this.#input.addEventListener('change', () => {
      const f = this.#input.files?.[0];
      if (f) void this.openFile(f);
      this.#input.value = '';
    });
    this.#button = el(
      'button',
      { type: 'button', 'data-action': 'open-model', 'aria-describedby': 'own-hint' },
      'Open an .onnx model…',
    );
    this.#button.addEventListener('click', () => this.#input.click());
    this.#hint = el(
      'span',
      { class: 'own-hint', id: 'own-hint' },
      'or drop one on the figure; it stays in this page.',
    );
    this.#error = el('p', { class: 'own-error', role: 'alert', 'data-own-error': '' });
    this.#retry = el(
      'button',
      { type: 'button', class: 'retry', hidden: true, 'data-action': 'retry-model' },
      'Retry',
    );
    this.#retry.addEventListener('click', () => {
      hideKeepingFocus(this.#retry, this.#button);
      if (this.#lastSrc) void this.load(this.#lastSrc);
    });
    this.element = el(
      'div',
      { class: 'own', role: 'group', 'aria-label': 'A model of your own' },
      this.#button,
      this.#hint,
      this.#input,
      this.#error,
      this.#retry,
    );
    this.note = el('p', { class: 'own-note', 'data-own-note': '' });
    host.addEventListener('dragover', this.#onDragOver);
    host.addEventListener('dragleave', this.#onDragLeave);
    host.addEventListener('drop', this.#onDrop);
  }

  /** Stops listening for drops on the figure. */
  dispose(): void {
    this.#abort?.abort();
    this.#host.removeEventListener('dragover', this.#onDragOver);
    this.#host.removeEventListener('dragleave', this.#onDragLeave);
    this.#host.removeEventListener('drop', this.#onDrop);
  }

  /** Downloads and reads the model at `src` (from the page's own site). */
  async load(src: string): Promise<void> {
    this.#lastSrc = src;
    const name = fileNameOf(src);
    await this.#read(name, async (signal) => fetchOwnModel(src, document.baseURI, signal));
  }

  /** Reads an `.onnx` file the reader opened or dropped. */
  async openFile(file: File): Promise<void> {
    await this.#read(file.name, async () => new Uint8Array(await file.arrayBuffer()));
  }

  /** Shows the note for the model drawn now (null: none). */
  showNote(own: AnyOwnModel | null): void {
    this.note.textContent = own ? ownNote(own) : '';
  }

  async #read(name: string, bytes: (signal: AbortSignal) => Promise<Uint8Array>): Promise<void> {
    const generation = ++this.#generation;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.#options.status?.(`Reading ${name}…`);
    this.#host.setAttribute('aria-busy', 'true');
    try {
      const wasmPaths = this.#options.wasmPaths?.();
      const own = await openOwnModel(await bytes(abort.signal), name, {
        runtime: this.#options.runtime ?? 'core',
        ...(wasmPaths ? { wasmPaths } : {}),
      });
      if (generation !== this.#generation) {
        if (own.runtime !== 'core') void own.session.dispose();
        return;
      }
      this.#error.textContent = '';
      this.#retry.hidden = true;
      this.#options.status?.('');
      this.#options.model(own);
    } catch (err) {
      if (generation !== this.#generation) return;
      this.#options.status?.('');
      const e = err as Error;
      this.#error.textContent =
        e instanceof OwnModelError ? e.message : `${name} could not be read: ${e.message}`;
      this.#retry.hidden = !(e instanceof OwnModelError && e.retry);
    } finally {
      if (generation === this.#generation) {
        this.#host.removeAttribute('aria-busy');
        // Done: a later load must not abort this answer (its unread body would count as failed).
        this.#abort = null;
      }
    }
  }

  #onDragOver = (e: DragEvent): void => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.#host.dataset['dropOver'] = '';
  };

  #onDragLeave = (): void => {
    delete this.#host.dataset['dropOver'];
  };

  #onDrop = (e: DragEvent): void => {
    const f = e.dataTransfer?.files?.[0];
    delete this.#host.dataset['dropOver'];
    if (!f) return;
    e.preventDefault();
    void this.openFile(f);
  };
}
