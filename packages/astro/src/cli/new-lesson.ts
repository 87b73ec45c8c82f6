#!/usr/bin/env node
// `pnpm new-lesson <slug>` (from the repository root): scaffolds content/lessons/<slug>.mdx.
// LESSONS_DIR overrides the folder.
import { resolve } from 'node:path';
import { newLesson, ScaffoldError } from '../scaffold.ts';

const dir = resolve(process.env['LESSONS_DIR'] ?? 'content/lessons');
try {
  const file = newLesson(process.argv[2], dir);
  console.log(`Wrote ${file}: edit its frontmatter and text, then run pnpm dev to see it.`);
} catch (err) {
  if (!(err instanceof ScaffoldError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
