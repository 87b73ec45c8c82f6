#!/usr/bin/env node
// Checks every published (non-private) package of the workspace as it would reach npm: builds it
// (turbo, cached), packs it with `pnpm pack` (which rewrites `workspace:*` as publishing does) and
// runs two linters on the tarball: publint --strict (exports, files, fields; its warnings fail
// too) and @arethetypeswrong/cli (types resolved the way TypeScript resolves them). Exits non-zero
// when either reports a problem in any package, and prints their full report for that package.
// Listing and packing are shared with tests/tarballs, which installs the same tarballs outside
// the workspace and runs each README's first example.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTarball, publishedPackages, run } from '@receptive/tarballs/lib/packages';

const ROOT = join(import.meta.dirname, '..');

/** True when the package has no CommonJS side: `type: module` and no `require` condition. */
function isEsmOnly(pkg) {
  return pkg.type === 'module' && !JSON.stringify(pkg.exports ?? {}).includes('"require"');
}

const published = publishedPackages(ROOT);

const build = spawnSync(
  'turbo',
  [
    'run',
    'build',
    '--output-logs=errors-only',
    ...published.map(({ pkg }) => `--filter=${pkg.name}`),
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const out = mkdtempSync(join(tmpdir(), 'receptive-pack-'));
const failed = [];
try {
  for (const { dir, pkg } of published) {
    let tarball;
    try {
      tarball = packTarball(dir, out);
    } catch (err) {
      failed.push(pkg.name);
      console.error(`✗ ${pkg.name}: ${err.message}\n`);
      continue;
    }

    const publint = run('publint', ['run', tarball, '--strict'], ROOT);
    // Our packages ship ES modules only (`type: module`, no `require` condition), so a CommonJS
    // `require()` of them and TypeScript's node10 resolution, which ignores `exports`, fail by
    // design; the esm-only profile leaves those two out and checks node16 (from ESM) and bundler.
    // A package that grows a CommonJS side is held to the strict profile instead.
    const profile = isEsmOnly(pkg) ? 'esm-only' : 'strict';
    const attw = run(
      'attw',
      [tarball, '--profile', profile, '--no-emoji', '--no-color', '--format', 'ascii'],
      ROOT,
    );

    const clean = publint.output.endsWith('All good!');
    if (publint.ok && attw.ok) {
      console.log(`✓ ${pkg.name}: publint --strict, attw --profile ${profile}`);
      if (!clean) console.log(publint.output);
    } else {
      failed.push(pkg.name);
      console.error(`✗ ${pkg.name}`);
      if (!publint.ok || !clean) console.error(`${publint.output}\n`);
      if (!attw.ok) console.error(`${attw.output}\n`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

if (failed.length > 0) {
  console.error(
    `publint or attw found problems in ${failed.join(', ')}: fix the package.json fields or the built files they name above.`,
  );
  process.exit(1);
}
