#!/usr/bin/env node
// Checks every published package under packages/ as it would reach npm: builds it (turbo, cached),
// packs it with `pnpm pack` (which rewrites `workspace:*` as publishing does) and runs two linters
// on the tarball: publint --strict (exports, files, fields; its warnings fail too) and
// @arethetypeswrong/cli (types resolved the way TypeScript resolves them). Exits non-zero when
// either reports a problem in any package, and prints their full report for that package.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const PACKAGES = join(ROOT, 'packages');

/** Runs a command, returning its status and its stdout and stderr together. */
function run(cmd, args, cwd = ROOT) {
  const { FORCE_COLOR, ...env } = process.env;
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  if (res.error) throw res.error;
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}`.trim() };
}

/** True when the package has no CommonJS side: `type: module` and no `require` condition. */
function isEsmOnly(pkg) {
  return pkg.type === 'module' && !JSON.stringify(pkg.exports ?? {}).includes('"require"');
}

const published = readdirSync(PACKAGES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(PACKAGES, entry.name))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

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
    const pack = run('pnpm', ['pack', '--json', '--pack-destination', out], dir);
    if (!pack.ok) {
      failed.push(pkg.name);
      console.error(`✗ ${pkg.name}: pnpm pack failed\n${pack.output}\n`);
      continue;
    }
    const tarball = JSON.parse(pack.output.slice(pack.output.indexOf('{'))).filename;

    const publint = run('publint', ['run', tarball, '--strict']);
    // Our packages ship ES modules only (`type: module`, no `require` condition), so a CommonJS
    // `require()` of them and TypeScript's node10 resolution, which ignores `exports`, fail by
    // design; the esm-only profile leaves those two out and checks node16 (from ESM) and bundler.
    // A package that grows a CommonJS side is held to the strict profile instead.
    const profile = isEsmOnly(pkg) ? 'esm-only' : 'strict';
    const attw = run('attw', [
      tarball,
      '--profile',
      profile,
      '--no-emoji',
      '--no-color',
      '--format',
      'ascii',
    ]);

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
