// Every element's attributes and properties with random values, in Chromium: seeded fast-check
// cases (a few hundred per element) on the widgets' example page, where every tag is defined.
// A bad attribute may only be named in the console by the element (`<rf-x> attr: received ...,
// expected ...`), a bad property may only throw a typed error, nothing may throw uncaught, and
// every element takes its documented example values afterwards as its own parser reads them.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import * as specs from '@receptive/widgets/specs';
import fc from 'fast-check';
import { useHarness } from '../lib/harness.ts';

const require = createRequire(import.meta.url);
const EXAMPLE_DIST = `${dirname(require.resolve('@receptive/widgets/package.json'))}/example/dist/`;
const SEED = 20261206;
const CASES = 240;

type Spec = specs.WidgetSpec;
const SPECS = Object.entries(specs)
  .filter(([name]) => name.endsWith('_SPEC'))
  .map(([, s]) => s as Spec);

/** Strings a careless author or a tampered page might write into an attribute. */
const NASTY = [
  '',
  ' ',
  '-1',
  '-0',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[object Object]',
  '<img src=x onerror=alert(1)>',
  '9'.repeat(400),
  ',,,',
  '1,2,3,4,5,6,7,8,9,10',
  'a: | : b',
  '\u0000',
  '🙂',
];

const attributeValue = (spec: Spec, p: specs.PropSpec) =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(...NASTY),
    fc.integer({ min: -1e6, max: 1e6 }).map(String),
    fc.double().map(String),
    // Near-misses of good values: a good one with a character changed, or two joined.
    fc.constantFrom(...goodValues(spec, p), 'x').chain((v) =>
      fc.oneof(
        fc.constant(v),
        fc.nat({ max: Math.max(0, v.length - 1) }).map((i) => `${v.slice(0, i)}~${v.slice(i + 1)}`),
        fc.constant(`${v} ${v}`),
      ),
    ),
  );

const propertyValue = fc.oneof(
  fc.anything({ maxDepth: 1, maxKeys: 3 }),
  fc.constantFrom(...NASTY),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 1e9, 0.5),
);

/** The values a prop's docs give as good: its example's value, its default, its listed values. */
function goodValues(spec: Spec, p: specs.PropSpec): string[] {
  const out = new Set<string>();
  const example = new RegExp(`${p.attribute}="([^"]*)"`).exec(p.example)?.[1];
  if (example !== undefined) out.add(example);
  if (p.default !== null) out.add(p.default);
  for (const v of p.values ?? []) out.add(String(v));
  if (p.parser) {
    for (const v of [...out]) {
      try {
        p.parser.parse(v, spec.tag, p.attribute!);
      } catch {
        out.delete(v);
      }
    }
  }
  return [...out];
}

/**
 * What the browser itself logs when an element fetches a fuzzed address (a 404, a scheme fetch
 * refuses): the element's own handling of it is its message in the figure, not this line.
 */
const browserNetwork = (text: string) => /Failed to load resource|Fetch API cannot load/.test(text);

const h = useHarness({ dir: EXAMPLE_DIST });

describe('every element, fuzzed', () => {
  it(`takes ${CASES} random attribute values and ${CASES} random property values per element without an uncaught error, and recovers`, async (t) => {
    const { page, problems } = await h.open('/');
    await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined);
    // Far below the page: the figures do not wake (no downloads, no workers) while fuzzed.
    await page.evaluate(() => {
      const box = document.createElement('div');
      box.id = 'fuzz';
      box.style.cssText = 'position:absolute; top:200000px; left:0; width:600px';
      document.body.append(box);
    });
    let named = 0;
    let typed = 0;
    for (const spec of SPECS) {
      const props = (spec.props as readonly specs.PropSpec[]).filter((p) => p.attribute);
      if (props.length === 0) continue;
      await page.evaluate((tag) => {
        const el = document.createElement(tag);
        el.id = 'fuzzed';
        document.getElementById('fuzz')!.replaceChildren(el);
      }, spec.tag);
      const consoleBefore = problems.consoleErrors.length;
      // Attributes: batches of cases, each one prop set to one value.
      const attrCases = fc.sample(
        fc
          .constantFrom(...props)
          .chain((p) => attributeValue(spec, p).map((value) => [p.attribute!, value] as const)),
        { numRuns: CASES, seed: SEED },
      );
      for (let i = 0; i < attrCases.length; i += 60) {
        await page.evaluate(
          async (cases) => {
            const el = document.getElementById('fuzzed')!;
            for (const [name, value] of cases) {
              el.setAttribute(name, value);
              await null;
            }
            await new Promise((r) => setTimeout(r, 0));
          },
          attrCases.slice(i, i + 60),
        );
      }
      // Properties: each set either takes the value or throws an Error of a named type.
      const propCases = fc.sample(
        fc
          .constantFrom(...props.map((p) => p.property))
          .chain((name) => propertyValue.map((value) => [name, value] as const)),
        { numRuns: CASES, seed: SEED + 1 },
      );
      const thrown = await page.evaluate(async (cases) => {
        const el = document.getElementById('fuzzed') as unknown as Record<string, unknown>;
        const names: string[] = [];
        for (const [name, value] of cases) {
          try {
            el[name] = value;
          } catch (err) {
            names.push(err instanceof Error ? err.name : `not an Error: ${String(err)}`);
          }
          await null;
        }
        await new Promise((r) => setTimeout(r, 0));
        return names;
      }, propCases);
      for (const name of thrown) {
        assert.match(name, /^(WidgetValueError|TypeError|RangeError|ArgumentError)$/, spec.tag);
      }
      typed += thrown.length;
      // What the element said in the console names it and the attribute it refused.
      for (const text of problems.consoleErrors.slice(consoleBefore)) {
        if (browserNetwork(text)) continue;
        assert.match(text, new RegExp(`<${spec.tag}> [a-z-]+: received `), `${spec.tag}: ${text}`);
        named++;
      }
      problems.consoleErrors.length = consoleBefore;
      // Recovery: every attribute set to its documented example (in the spec's order, so a prop
      // that depends on another, such as a unit on the filter count, comes after it) reads back
      // as its own parser reads the example.
      const good = props.flatMap((p) => {
        const v = goodValues(spec, p)[0];
        return v === undefined ? [] : [[p, v] as const];
      });
      const got = await page.evaluate(
        async (pairs) => {
          const el = document.getElementById('fuzzed') as unknown as HTMLElement &
            Record<string, unknown>;
          for (const [name, value] of pairs) el.setAttribute(name, value);
          // Some elements apply a prop once the others of the same task are in (a microtask).
          await new Promise((r) => setTimeout(r, 0));
          return pairs.map(([, , property]) => JSON.stringify(el[property] ?? null));
        },
        good.map(([p, v]) => [p.attribute!, v, p.property] as const),
      );
      for (const [i, [p, v]] of good.entries()) {
        if (!p.parser) continue;
        const want = JSON.stringify(p.parser.parse(v, spec.tag, p.attribute!) ?? null);
        assert.equal(got[i], want, `${spec.tag} ${p.attribute}="${v}"`);
      }
      assert.deepEqual(
        problems.consoleErrors.slice(consoleBefore).filter((t) => !browserNetwork(t)),
        [],
        `${spec.tag} recovered`,
      );
      problems.consoleErrors.length = consoleBefore;
      assert.deepEqual(problems.pageErrors, [], `${spec.tag}: nothing thrown uncaught`);
    }
    t.diagnostic(
      `${SPECS.length} elements: ${named} bad attribute values named in the console, ${typed} property values refused with a typed error`,
    );
    assert.deepEqual(problems.offsiteRequests, []);
  });
});
