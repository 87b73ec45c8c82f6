/**
 * Each element describes its own attributes, properties and events in a `spec` object (its
 * DOM-free `<element>.spec.ts`). A prop is written there once: the element base
 * (`figure-element.ts`) derives `observedAttributes`, the accessors and the attribute parsing
 * from it, `@receptive/astro` its build-time checks, and the authoring docs its table.
 */

/** How one attribute's text becomes the property's value, and back. */
export interface Parser<T> {
  /** Reads attribute text; throws a {@link WidgetValueError} naming what it expected. */
  parse(text: string, tag: string, attribute: string): T;
  /** A property value as attribute text (the setters check a value by reading it back). */
  format(value: T): string;
  /** How an MDX author writes the prop: `digit={3}`, `padding={true}` or `model="cnn"`. */
  astro: 'string' | 'number' | 'boolean';
  /** For a boolean attribute: its value is its presence. */
  presence?: true;
}

export interface PropSpec<T = unknown> {
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
  /**
   * Reads the attribute. With one, the element base generates the property (a setter that
   * throws on a bad value, an attribute that logs and keeps the old one); without one, an
   * attribute's property is its text (or null) and a property-only entry is only documented.
   */
  parser?: Parser<T>;
  /** The property mirrors the attribute (get reads it, set writes it), as `htmlFor` does `for`. */
  reflect?: boolean;
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
  // biome-ignore lint/suspicious/noExplicitAny: each prop has its own value type
  props: readonly PropSpec<any>[];
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
    max === Number.MAX_SAFE_INTEGER
      ? `a whole number >= ${min}`
      : `a whole number from ${min} to ${max}`,
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

/**
 * Describes an element: returns `spec` as given, with the literal types of its props kept, so
 * the element base can type the properties it generates ({@link PropsOf}).
 */
export function defineSpec<const S extends WidgetSpec>(spec: S): S {
  return spec;
}

/** The value type of one prop: its parser's, else the attribute's text. */
type ValueOf<P> = P extends { parser: Parser<infer T> } ? T : string | null;

/** The properties an element base generates from a spec: every prop with an attribute. */
export type PropsOf<S extends WidgetSpec> = {
  -readonly [P in S['props'][number] as P['attribute'] extends string
    ? P['property']
    : never]: ValueOf<P>;
};

const joined = (v: unknown) => (Array.isArray(v) ? v.join(' ') : String(v));

/** Any text (an id, a URL). */
export const text: Parser<string> = {
  parse: (v) => v,
  format: String,
  astro: 'string',
};

/** A boolean attribute: present or absent. */
export const presence: Parser<boolean> = {
  parse: () => true,
  format: (v) => (v ? '' : ''),
  astro: 'boolean',
  presence: true,
};

/** One of a closed set of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return {
    parse: (v, tag, attribute) => parseEnum(tag, attribute, v, values),
    format: String,
    astro: 'string',
  };
}

/** A whole number in [min, max]. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return {
    parse: (v, tag, attribute) => parseInteger(tag, attribute, v, min, max),
    format: String,
    astro: 'number',
  };
}

/** Distinct names from a closed set, space- or comma-separated. */
export function listOf<const T extends string>(values: readonly T[]): Parser<T[]> {
  return {
    parse: (v, tag, attribute) => parseList(tag, attribute, v, values),
    format: joined,
    astro: 'string',
  };
}

/**
 * A parser of the element's own: `parse` throws a {@link WidgetValueError}; `format` writes a
 * value back as attribute text (default: arrays joined by spaces, else `String`).
 */
export function custom<T>(
  parse: (text: string, tag: string, attribute: string) => T,
  format: (value: T) => string = joined,
  astro: Parser<T>['astro'] = 'string',
): Parser<T> {
  return { parse, format, astro };
}

/** A prop's value when its attribute is absent: its default read by its parser. */
export function defaultValue(spec: WidgetSpec, prop: PropSpec): unknown {
  if (prop.parser?.presence) return false;
  if (prop.default === null) return null;
  return prop.parser
    ? prop.parser.parse(prop.default, spec.tag, prop.attribute ?? prop.property)
    : prop.default;
}
