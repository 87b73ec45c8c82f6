import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newLesson, ScaffoldError } from '../src/scaffold.ts';
import { lessonSchema } from '../src/schema.ts';

/** The YAML-ish frontmatter the scaffold writes, parsed the simple way it is written. */
function frontmatter(text: string): Record<string, unknown> {
  const block = /^---\n([\s\S]*?)\n---\n/.exec(text)![1]!;
  return Object.fromEntries(
    block.split('\n').map((line) => {
      const [key, ...rest] = line.split(':');
      const raw = rest.join(':').trim();
      const value = /^\d+$/.test(raw) ? Number(raw) : raw === 'false' ? false : raw;
      return [key!.trim(), value];
    }),
  );
}

describe('newLesson', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rf-lessons-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <slug>.mdx with frontmatter the lesson schema accepts, ordered after the others', () => {
    writeFileSync(join(dir, 'pooling.mdx'), '---\ntitle: Pooling\norder: 4\n---\n');
    const file = newLesson('shift-invariance', dir);
    expect(file).toBe(join(dir, 'shift-invariance.mdx'));
    const text = readFileSync(file, 'utf8');
    const data = lessonSchema.parse(frontmatter(text));
    expect(data).toMatchInlineSnapshot(`
      {
        "draft": false,
        "minutes": 5,
        "order": 5,
        "summary": "One sentence that says what the reader will see and learn.",
        "title": "Shift invariance",
      }
    `);
    expect(text).toContain('<Scrolly label="Shift invariance" initial="first">');
  });

  it('starts at order 1 in an empty or missing folder', () => {
    const file = newLesson('intro', join(dir, 'new'));
    expect(frontmatter(readFileSync(file, 'utf8'))['order']).toBe(1);
  });

  it('refuses an existing lesson in one sentence, and leaves it alone', () => {
    writeFileSync(join(dir, 'pooling.mdx'), 'mine');
    expect(() => newLesson('pooling', dir)).toThrow(
      new ScaffoldError(
        `${join(dir, 'pooling.mdx')} already exists: pick another slug or edit that lesson.`,
      ),
    );
    expect(readFileSync(join(dir, 'pooling.mdx'), 'utf8')).toBe('mine');
  });

  it.each(['Max Pooling', 'max_pooling', '-pool', 'pool--2', '../pool', 'pool.mdx'])(
    'refuses the invalid slug %j in one sentence',
    (slug) => {
      expect(() => newLesson(slug, dir)).toThrow(
        `"${slug}" is not a valid slug: use lowercase letters, digits and single dashes, e.g. max-pooling.`,
      );
    },
  );

  it('asks for a slug when none is given', () => {
    expect(() => newLesson(undefined, dir)).toThrow(/^Give the new lesson a slug/);
  });
});
