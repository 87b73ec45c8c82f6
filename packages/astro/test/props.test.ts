import { readdirSync, readFileSync } from 'node:fs';
import type { PropSpec, WidgetSpec } from '@receptive/widgets';
import * as specs from '@receptive/widgets/specs';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../src/docs.ts';

const dir = new URL('../src/components/', import.meta.url);

/** The props an `.astro` component declares in its `interface Props { ... }`, with their types. */
function declaredTypes(file: string): Map<string, string> | null {
  const source = readFileSync(new URL(file, dir), 'utf8');
  const body = /interface Props\s*{([\s\S]*?)\n}/.exec(source)?.[1];
  if (body === undefined) return null;
  const types = new Map<string, string>();
  // Top-level members only: `name?: type;` at the start of a line of the interface's body.
  for (const m of body.matchAll(/^ {2}(?:'([^']+)'|([A-Za-z_$][\w$]*))\??:\s*([^;]*);?/gm)) {
    types.set(m[1] ?? m[2]!, m[3]!.trim());
  }
  return types;
}

function declaredProps(file: string): string[] | null {
  const types = declaredTypes(file);
  return types ? [...types.keys()] : null;
}

describe('component Props', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.astro'));

  it('declares in each wrapper exactly the props its description lists', () => {
    for (const doc of COMPONENTS) {
      const file = `${doc.name}.astro`;
      expect(files, `${file} exists`).toContain(file);
      const declared = declaredProps(file);
      expect(declared, `${file} has an interface Props`).not.toBeNull();
      expect([...declared!].sort(), file).toEqual(doc.props.map((p) => p.name).sort());
    }
  });

  it("declares a widget prop with the type its element's parser reads", () => {
    const byTag = new Map(
      Object.entries(specs)
        .filter(([name]) => name.endsWith('_SPEC'))
        .map(([, spec]) => [(spec as WidgetSpec).tag, spec as WidgetSpec]),
    );
    for (const doc of COMPONENTS) {
      const spec = doc.element ? byTag.get(doc.element) : undefined;
      if (!spec) continue;
      const types = declaredTypes(`${doc.name}.astro`)!;
      for (const p of spec.props as readonly PropSpec[]) {
        if (!p.parser || p.attribute === null) continue;
        const name = p.attribute.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        const declared = types.get(name);
        if (declared === undefined) continue;
        const where = `${doc.name}.${name}`;
        if (p.parser.astro === 'number') expect(declared, where).toBe('number');
        if (p.parser.astro === 'boolean') expect(declared, where).toBe('boolean');
        // A union of string literals names exactly the values the parser takes.
        const literals = declared.split('|').map((t) => t.trim());
        if (p.values && literals.every((t) => /^'[^']*'$/.test(t))) {
          expect(literals.map((t) => t.slice(1, -1)).sort(), where).toEqual([...p.values].sort());
        }
      }
    }
  });
});

/** Every `*_SPEC` the DOM-free entry exports. */
const allSpecs = Object.entries(specs)
  .filter(([name]) => name.endsWith('_SPEC'))
  .map(([, spec]) => spec as WidgetSpec);

describe('widget specs', () => {
  it('give every parsed prop a default and an example its own parser reads', () => {
    for (const spec of allSpecs) {
      for (const p of spec.props as readonly PropSpec[]) {
        if (!p.parser || p.attribute === null) continue;
        const where = `${spec.tag} ${p.attribute}`;
        expect(() => specs.defaultValue(spec, p), where).not.toThrow();
        // `example` is written as an attribute: name="value".
        const value = new RegExp(`${p.attribute}="([^"]*)"`).exec(p.example)?.[1];
        if (value !== undefined) {
          expect(() => p.parser!.parse(value, spec.tag, p.attribute!), where).not.toThrow();
        }
      }
    }
  });
});

describe('@receptive/widgets/specs', () => {
  it('loads without a DOM and holds the very specs the elements use', async () => {
    // A fresh Node process: nothing else has loaded the widgets' element modules.
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@receptive/widgets/specs'); console.log(typeof globalThis.HTMLElement, Object.keys(m).filter((k) => k.endsWith('_SPEC')).length);",
      ],
      { cwd: new URL('..', import.meta.url), encoding: 'utf8' },
    );
    const [dom, count] = out.trim().split(' ');
    expect(dom).toBe('undefined');
    expect(Number(count)).toBeGreaterThan(10);
    // The element classes extend HTMLElement: loading them here needs one, defined as nothing.
    globalThis.HTMLElement ??= class {} as unknown as typeof HTMLElement;
    const { WIDGETS } = await import('@receptive/widgets');
    const byTag = new Map(Object.values(WIDGETS).map((c) => [c.spec.tag, c.spec]));
    for (const [name, spec] of Object.entries(specs)) {
      if (!name.endsWith('_SPEC')) continue;
      const tag = (spec as { tag: string }).tag;
      expect(byTag.get(tag), `${name} is the spec of <${tag}>`).toBe(spec);
    }
  });
});
