/**
 * `pnpm new-lesson <slug>`: writes `content/lessons/<slug>.mdx` with valid frontmatter and a
 * starting scrolly. Imports only Node built-ins, so Node runs it straight from the source.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A refusal, in one sentence. */
export class ScaffoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScaffoldError';
  }
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** "max-pooling" -> "Max pooling". */
export const titleOf = (slug: string): string =>
  slug.charAt(0).toUpperCase() + slug.slice(1).replaceAll('-', ' ');

/** The next free `order`: one past the largest in the folder. */
function nextOrder(dir: string): number {
  if (!existsSync(dir)) return 1;
  let max = 0;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.mdx')) continue;
    const m = /^order:\s*(\d+)\s*$/m.exec(readFileSync(join(dir, f), 'utf8'));
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** The file's text. */
export function lessonTemplate(slug: string, order: number): string {
  const title = titleOf(slug);
  return `---
title: ${title}
summary: One sentence that says what the reader will see and learn.
order: ${order}
minutes: 5
draft: false
---

Start with what the reader already knows. Inline math like $3 \\times 3$ is typeset at build time.

<Scrolly label="${title}" initial="first">
  <KernelLab
    slot="figure"
    kernel="identity"
    steps={{ first: { kernel: 'identity' }, second: { kernel: 'box-blur' } }}
  />

  <Step state="first" label="First step">
    ### First step

    The figure shows the state of the step crossing the middle of the screen.
  </Step>

  <Step state="second" label="Second step">
    ### Second step

    Each step sets the figure's kernel; see the "Write a lesson" page for every component.
  </Step>
</Scrolly>
`;
}

/**
 * Writes `<dir>/<slug>.mdx`. Returns its path.
 * @throws {ScaffoldError} for an invalid slug or an existing file, in one sentence.
 * @example newLesson('max-pooling', 'content/lessons') // 'content/lessons/max-pooling.mdx'
 */
export function newLesson(slug: string | undefined, dir: string): string {
  if (slug === undefined || slug === '') {
    throw new ScaffoldError('Give the new lesson a slug, e.g. `pnpm new-lesson max-pooling`.');
  }
  if (!SLUG.test(slug)) {
    throw new ScaffoldError(
      `"${slug}" is not a valid slug: use lowercase letters, digits and single dashes, e.g. max-pooling.`,
    );
  }
  const file = join(dir, `${slug}.mdx`);
  if (existsSync(file)) {
    throw new ScaffoldError(`${file} already exists: pick another slug or edit that lesson.`);
  }
  const order = nextOrder(dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, lessonTemplate(slug, order), { flag: 'wx' });
  return file;
}
