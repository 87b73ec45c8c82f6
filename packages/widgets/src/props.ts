/**
 * Each element describes its own attributes, properties and events in a `spec` object; the
 * authoring docs are generated from these, and the parsers below enforce them.
 */

export interface PropSpec {
  /** HTML attribute, or null for a property-only API. */
  attribute: string | null;
  /** JavaScript property. */
  property: string;
  /** TypeScript type as text. */
  type: string;
  /** Default value as authors would write it; null when there is none. */
  default: string | null;
  /** Allowed values, when the set is closed. */
  values?: readonly string[];
  example: string;
  description: string;
}

export interface EventSpec {
  name: string;
  /** TypeScript type of `event.detail`, as text. */
  detail: string;
  description: string;
}

export interface WidgetSpec {
  tag: string;
  summary: string;
  props: readonly PropSpec[];
  events: readonly EventSpec[];
  /** What readers without JavaScript see, and how to provide it. */
  fallback: string;
  /** How the element is used without a pointer. */
  keyboard: string;
}

/** A value an element cannot take, named with what it would accept. */
export class WidgetValueError extends RangeError {
  constructor(
    readonly tag: string,
    readonly attribute: string,
    readonly received: string,
    readonly expected: string,
  ) {
    super(`<${tag}> ${attribute}: received "${received}", expected ${expected}`);
    this.name = 'WidgetValueError';
  }
}

/** One of a closed set of strings. */
export function parseEnum<T extends string>(
  tag: string,
  attribute: string,
  value: string,
  values: readonly T[],
): T {
  const v = value.trim();
  if ((values as readonly string[]).includes(v)) return v as T;
  throw new WidgetValueError(tag, attribute, value, `one of ${values.join(', ')}`);
}

/** A whole number in [min, max]. */
export function parseInteger(
  tag: string,
  attribute: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = Number(value.trim());
  if (value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max) return n;
  throw new WidgetValueError(
    tag,
    attribute,
    value,
    max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `one of ${min} to ${max}`,
  );
}

/** A comma- or space-separated list whose items come from a closed set (no repeats). */
export function parseList<T extends string>(
  tag: string,
  attribute: string,
  value: string,
  values: readonly T[],
): T[] {
  const items = value.split(/[\s,]+/).filter(Boolean);
  const bad = items.find((i) => !(values as readonly string[]).includes(i));
  if (items.length === 0 || bad !== undefined || new Set(items).size !== items.length) {
    throw new WidgetValueError(
      tag,
      attribute,
      value,
      `a list of distinct names from ${values.join(', ')}`,
    );
  }
  return items as T[];
}

/**
 * Applies an attribute through its parser; a bad value is reported on the console and the
 * element keeps its previous value, so one typo never blanks a figure.
 */
export function applyAttribute<T>(parse: () => T, apply: (v: T) => void): void {
  try {
    apply(parse());
  } catch (err) {
    if (err instanceof WidgetValueError) console.error(err.message);
    else throw err;
  }
}
