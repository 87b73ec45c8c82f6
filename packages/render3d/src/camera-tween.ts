import type { PerspectiveCamera, Vector3 } from 'three';
import { Vector3 as V3 } from 'three';

/** Whether the reader asked for less motion: camera moves then jump instead of gliding. */
export function prefersReducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

const ease = (t: number) => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

/**
 * Moves a camera and its orbit target from where they are to a new pose over `ms`, one
 * {@link step} per frame. Holds its own vectors: starting and stepping allocate nothing.
 */
export class CameraTween {
  private readonly fromPos = new V3();
  private readonly fromTarget = new V3();
  private readonly toPos = new V3();
  private readonly toTarget = new V3();
  private start = -1;
  private ms = 0;
  running = false;

  constructor(
    private readonly camera: PerspectiveCamera,
    private readonly target: Vector3,
  ) {}

  /** Begins a move; `ms = 0` jumps at once. */
  begin(position: Vector3, target: Vector3, ms: number): void {
    this.fromPos.copy(this.camera.position);
    this.fromTarget.copy(this.target);
    this.toPos.copy(position);
    this.toTarget.copy(target);
    this.ms = ms;
    this.start = -1;
    this.running = true;
    if (ms <= 0) this.step(0);
  }

  /** Advances to frame time `now`; returns false once the camera has arrived. */
  step(now: number): boolean {
    if (!this.running) return false;
    if (this.start < 0) this.start = now;
    const t = this.ms <= 0 ? 1 : Math.min(1, (now - this.start) / this.ms);
    const k = ease(t);
    this.camera.position.lerpVectors(this.fromPos, this.toPos, k);
    this.target.lerpVectors(this.fromTarget, this.toTarget, k);
    this.camera.lookAt(this.target);
    if (t >= 1) this.running = false;
    return this.running;
  }
}
