/**
 * The workspace's published packages and their tarballs, as npm would receive them. Shared by
 * `scripts/check-packages.mjs` (publint and attw on each tarball) and this package's test (each
 * README's first example, installed from the tarballs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A workspace package that is not private: what `pnpm publish` would send to the registry. */
export interface PublishedPackage {
  name: string;
  /** The package's folder. */
  dir: string;
  /** Its package.json. */
  pkg: PackageJson;
}

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Runs a command to its end, returning whether it succeeded and its stdout and stderr together,
 * without colours.
 */
export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): { ok: boolean; output: string } {
  const { FORCE_COLOR: _, ...rest } = env;
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...rest, NO_COLOR: '1' } });
  if (res.error) throw res.error;
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}`.trim() };
}

/**
 * Every published package of the workspace that `cwd` is in, in pnpm's order. pnpm lists the
 * workspace's projects itself, so a new package under any of its globs is found.
 */
export function publishedPackages(cwd: string): PublishedPackage[] {
  const ls = run('pnpm', ['-r', 'ls', '--depth', '-1', '--json'], cwd);
  if (!ls.ok) throw new Error(`pnpm could not list the workspace's packages:\n${ls.output}`);
  const projects = JSON.parse(ls.output) as { name: string; path: string; private: boolean }[];
  return projects
    .filter((p) => !p.private)
    .map((p) => ({
      name: p.name,
      dir: p.path,
      pkg: JSON.parse(readFileSync(join(p.path, 'package.json'), 'utf8')) as PackageJson,
    }));
}

/**
 * Packs a package with `pnpm pack` (which rewrites `workspace:*` as publishing does) into
 * `dest` and returns the tarball's path.
 * @throws {Error} with pnpm's output when packing fails.
 */
export function packTarball(dir: string, dest: string): string {
  const pack = run('pnpm', ['pack', '--json', '--pack-destination', dest], dir);
  if (!pack.ok) throw new Error(`pnpm pack failed in ${dir}:\n${pack.output}`);
  // pnpm prints its lifecycle output, if any, before the JSON.
  return (JSON.parse(pack.output.slice(pack.output.indexOf('{'))) as { filename: string }).filename;
}

/**
 * The version of `name` installed where `from` would import it: the nearest
 * `node_modules/<name>/package.json` at or above `from` (a package need not export its
 * package.json for this to find it).
 * @throws {Error} when `name` is not installed there.
 */
export function installedVersion(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as PackageJson).version;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed at or above ${from}`);
  }
}
