/**
 * Base class of every error the core throws on bad input. `op` names the function or layer
 * that refused the input, so a message read in a console points at the right call.
 */
export class ReceptiveError extends Error {
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'ReceptiveError';
    this.op = op;
  }
}

/**
 * A tensor had the wrong rank or size for the op.
 *
 * @example
 * try { conv2d(x, w) } catch (e) { if (e instanceof ShapeError) console.log(e.expected, e.received) }
 */
export class ShapeError extends ReceptiveError {
  readonly expected: string;
  readonly received: readonly number[];
  constructor(op: string, expected: string, received: readonly number[], detail?: string) {
    super(
      op,
      `expected shape ${expected}, received [${received.join(', ')}]${detail ? ` (${detail})` : ''}`,
    );
    this.name = 'ShapeError';
    this.expected = expected;
    this.received = received;
  }
}

/** An input held NaN or ±Infinity; `index` is the flat index of the first such value. */
export class NonFiniteError extends ReceptiveError {
  readonly index: number;
  readonly value: number;
  constructor(op: string, what: string, index: number, value: number) {
    super(op, `${what} holds ${value} at flat index ${index}; inputs must be finite numbers`);
    this.name = 'NonFiniteError';
    this.index = index;
    this.value = value;
  }
}

/** A batch had no examples (N = 0). */
export class EmptyBatchError extends ReceptiveError {
  constructor(op: string, received: readonly number[]) {
    super(op, `received an empty batch, shape [${received.join(', ')}]; expected N >= 1`);
    this.name = 'EmptyBatchError';
  }
}

/** A hyperparameter (stride, padding, kernel size, learning rate, ...) was out of range. */
export class ArgumentError extends ReceptiveError {
  constructor(op: string, message: string) {
    super(op, message);
    this.name = 'ArgumentError';
  }
}
