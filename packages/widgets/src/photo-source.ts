/**
 * Where `<rf-photo-conv>`'s image comes from: a bundled photo, the reader's own file, or their
 * camera. One source at a time, and the newest choice wins: a photo or file chosen while the
 * camera's permission prompt is open (or the figure removed meanwhile) stops the stream that
 * arrives after it, and a slow decode that a newer choice overtook is dropped. Camera frames
 * flow only while the figure is visible and the convolution is free; nothing here paints or
 * convolves.
 */
import { PHOTO_MAX_SIDE, PHOTOS, type PhotoName } from './photo-library.js';

/** The kinds of source. */
export type SourceKind = 'photo' | 'file' | 'camera';

/** What the figure says about the image it shows. */
export interface SourceInfo {
  kind: SourceKind;
  /** Short name for captions: the photo's title, the file's name, or "Camera". */
  label: string;
  /** The credit line under the image. */
  credit: string;
  /** The text alternative of the source image. */
  alt: string;
}

/** How an {@link ImageSource} reports. */
export interface ImageSourceOptions {
  /** The (hidden) video element the camera plays into. */
  video: HTMLVideoElement;
  /** An image or camera frame to show and convolve, with what it is. */
  onImage: (image: CanvasImageSource, width: number, height: number, info: SourceInfo) => void;
  /** A note for the reader (a failure, a scaled-down file), or '' to clear it. */
  onNote: (text: string) => void;
  /** The camera turned on or off (`announce`: the reader pressed Stop), or could not start. */
  onCamera: (state: 'on' | 'off' | 'error' | 'asking' | 'answered', announce?: boolean) => void;
  /** Whether the convolution is still busy with a frame: camera frames are dropped meanwhile. */
  busy: () => boolean;
}

/** What the figure says about the camera's image. */
export const CAMERA_INFO: SourceInfo = {
  kind: 'camera',
  label: 'Camera',
  credit: 'Your camera, processed in this page and never sent anywhere.',
  alt: 'Live camera image',
};

/** Why a camera could not start, in words a reader can act on. */
export function cameraMessage(err: unknown): string {
  const name = (err as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'The camera was not allowed. To use it, allow camera access for this page in your browser, then press "Use camera" again. The photos and your own images work without it.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera was found on this device. The photos and your own images still work.';
  if (name === 'NotReadableError')
    return 'The camera is busy or could not be read (another app may be using it).';
  return `The camera could not start (${(err as Error)?.message ?? String(err)}).`;
}

/**
 * The figure's one image source.
 *
 * @example
 * const source = new ImageSource({ video, onImage: draw, onNote: note, onCamera: show, busy: () => runner.busy });
 * await source.loadPhoto('coffee');
 * await source.startCamera(); // frames arrive through onImage while `visible`
 * source.cancel();            // the element was removed: a pending camera stream is stopped on arrival
 */
export class ImageSource {
  #kind: SourceKind = 'photo';
  #stream: MediaStream | null = null;
  #token = 0;
  #frame = 0;
  #visible = false;

  constructor(private readonly options: ImageSourceOptions) {}

  /** What the latest image came from. */
  get kind(): SourceKind {
    return this.#kind;
  }

  /** Whether the camera is streaming. */
  get streaming(): boolean {
    return this.#stream !== null;
  }

  /** Whether some of the figure is on screen: camera frames flow only then. */
  get visible(): boolean {
    return this.#visible;
  }
  set visible(v: boolean) {
    this.#visible = v;
    const video = this.options.video;
    if (v && this.#stream) {
      void video.play().catch(() => {});
      this.#loop();
    } else if (!v && this.#stream) {
      video.pause();
    }
  }

  /** Loads a bundled photo (stopping the camera); a newer choice made meanwhile wins. */
  async loadPhoto(name: PhotoName): Promise<void> {
    this.stopCamera(false);
    const token = ++this.#token;
    const p = PHOTOS[name];
    try {
      const img = new Image();
      img.decoding = 'async';
      img.src = p.url().href;
      await img.decode();
      if (token !== this.#token) return;
      this.#kind = 'photo';
      this.options.onImage(img, img.naturalWidth, img.naturalHeight, {
        kind: 'photo',
        label: p.title,
        credit: p.credit,
        alt: p.alt,
      });
      this.options.onNote('');
    } catch (err) {
      if (token === this.#token) {
        this.options.onNote(`The photo could not be loaded (${(err as Error).message}).`);
      }
    }
  }

  /** Decodes the reader's file in the page (it is never sent anywhere) and shows it. */
  async loadFile(file: File): Promise<void> {
    const token = ++this.#token;
    this.stopCamera(false);
    if (file.type && !file.type.startsWith('image/')) {
      this.options.onNote(
        `"${file.name}" is not an image (${file.type}). Choose a PNG, JPEG, WebP or GIF file.`,
      );
      return;
    }
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (err) {
      this.options.onNote(
        `"${file.name}" could not be read as an image (${(err as Error).message}). Choose a PNG, JPEG, WebP or GIF file.`,
      );
      return;
    }
    if (token !== this.#token) {
      bitmap.close();
      return;
    }
    const { width, height } = bitmap;
    this.#kind = 'file';
    this.options.onImage(bitmap, width, height, {
      kind: 'file',
      label: file.name,
      credit: 'Your image, decoded in this page.',
      alt: `Your image, ${file.name}`,
    });
    bitmap.close();
    this.options.onNote(
      Math.max(width, height) > PHOTO_MAX_SIDE
        ? `Your image (${width} × ${height}) was scaled down to fit ${PHOTO_MAX_SIDE} pixels.`
        : '',
    );
  }

  /**
   * Asks for the camera and streams its frames. A photo or file chosen, or {@link cancel}
   * called, while the permission prompt is open wins: the stream that arrives after is stopped
   * at once, never left running unseen.
   */
  async startCamera(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.options.onNote(
        'This browser offers no camera here (the camera needs a secure page: https or localhost).',
      );
      return;
    }
    this.options.onCamera('asking');
    const token = ++this.#token;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (err) {
      this.options.onCamera('answered');
      if (token !== this.#token) return;
      this.options.onNote(cameraMessage(err));
      this.options.onCamera('error');
      return;
    }
    this.options.onCamera('answered');
    if (token !== this.#token) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    this.#stream = stream;
    const video = this.options.video;
    video.srcObject = stream;
    try {
      await video.play();
    } catch {
      // play() rejects when the figure scrolled away meanwhile; frames resume when visible.
    }
    this.#kind = 'camera';
    this.options.onNote('');
    this.options.onCamera('on');
    this.#loop();
  }

  /** Stops the camera, if it runs; `announce` when the reader asked (the photo comes back). */
  stopCamera(announce: boolean): void {
    cancelAnimationFrame(this.#frame);
    if (!this.#stream) return;
    for (const t of this.#stream.getTracks()) t.stop();
    this.#stream = null;
    this.options.video.srcObject = null;
    this.options.onCamera('off', announce);
  }

  /** The figure was removed: stop the camera, and any stream still being asked for on arrival. */
  cancel(): void {
    this.stopCamera(false);
    this.#token++;
    this.#visible = false;
  }

  // One frame at a time: a frame that arrives while the previous one is still being convolved
  // is dropped, so a slow engine never queues stale work.
  #loop(): void {
    cancelAnimationFrame(this.#frame);
    const tick = () => {
      if (!this.#stream || !this.#visible) return;
      const v = this.options.video;
      if (!this.options.busy() && v.readyState >= 2 && v.videoWidth > 0) {
        this.options.onImage(v, v.videoWidth, v.videoHeight, CAMERA_INFO);
      }
      this.#frame = requestAnimationFrame(tick);
    };
    this.#frame = requestAnimationFrame(tick);
  }
}
