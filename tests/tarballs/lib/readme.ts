/**
 * Reads the top of a package README the way a newcomer does: the `## Install` section's
 * `pnpm add` line, then the next section, the first example, whose code blocks are taken as
 * written. Each published README starts this way:
 *
 * ```text
 * # @receptive/x
 * One paragraph.
 * ## Install
 * (a sh block: pnpm add @receptive/x three)
 * ## First example
 * (code blocks; a block that is a file of a project names it in a comment on its first line,
 *  or on the line after an opening ---)
 * API reference: `/api/x/` on the lesson site ...
 * ```
 */
import { readFileSync } from 'node:fs';

export interface CodeBlock {
  /** The fence's language: `js`, `ts`, `html`, `astro`, `mdx`, ... */
  lang: string;
  code: string;
  /** The project file the block is, when its first comment names one (`// astro.config.mjs`). */
  file?: string;
}

export interface ReadmeExample {
  /** The README's path, for messages. */
  readme: string;
  /** The package specs the `pnpm add` line names, as written (`three`, `onnxruntime-web@1.30.0`). */
  install: string[];
  /** The first example's code blocks, in order. */
  blocks: CodeBlock[];
  /** The API reference path the example section links, e.g. `/api/core/`. */
  apiReference: string;
}

/** A README that does not start as {@link readmeExample} expects. */
export class ReadmeShapeError extends Error {
  override name = 'ReadmeShapeError';
}

const FENCE = /^```(\w*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
// `// path`, `# path`, `{/* path */}` or `<!-- path -->`, where path ends in an extension.
const FILE_COMMENT = /^\s*(?:\/\/|#|\{\/\*|<!--)\s*([\w@./-]+\.[a-z]+)\s*(?:\*\/\}|-->)?\s*$/;

function blocksOf(section: string): CodeBlock[] {
  return [...section.matchAll(FENCE)].map(([, lang = '', code = '']) => {
    const lines = code.split('\n');
    const first = lines[0]?.trim() === '---' ? lines[1] : lines[0];
    const file = FILE_COMMENT.exec(first ?? '')?.[1];
    return file ? { lang, code, file } : { lang, code };
  });
}

/**
 * The install line and first example of the README at `path`.
 * @throws {ReadmeShapeError} naming the README and what is missing when its top is not
 * `## Install` with a `pnpm add` line, then a section with code blocks and the API reference.
 */
export function readmeExample(path: string, readme = path): ReadmeExample {
  const text = readFileSync(path, 'utf8');
  // Split at second-level headings that are not inside a code block.
  const sections: { title: string; body: string }[] = [];
  let inFence = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (!inFence && line.startsWith('## '))
      sections.push({ title: line.slice(3).trim(), body: '' });
    else if (sections.length) sections.at(-1)!.body += `${line}\n`;
  }
  const [install, example] = sections;
  const add = install && /^pnpm add (.+)$/m.exec(install.body);
  if (install?.title !== 'Install' || !add?.[1]) {
    throw new ReadmeShapeError(
      `${readme}: its first section should be "## Install" with a \`pnpm add ...\` line in a sh block`,
    );
  }
  const blocks = example ? blocksOf(example.body) : [];
  if (!example || blocks.length === 0) {
    throw new ReadmeShapeError(
      `${readme}: the section after "## Install" should be the first example, with its code blocks`,
    );
  }
  const api = /API reference: `(\/api\/[\w-]+\/)`/.exec(example.body);
  if (!api?.[1]) {
    throw new ReadmeShapeError(
      `${readme}: the first example should end with "API reference: \`/api/<package>/\`"`,
    );
  }
  return {
    readme,
    install: add[1].trim().split(/\s+/),
    blocks,
    apiReference: api[1],
  };
}

/** `name` of a spec as `pnpm add` reads it: `three`, `onnxruntime-web@1.30.0`, `@scope/x@^1`. */
export function specName(spec: string): { name: string; version?: string } {
  const at = spec.indexOf('@', 1);
  return at === -1 ? { name: spec } : { name: spec.slice(0, at), version: spec.slice(at + 1) };
}
