import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { listenOnLoopback, notFound, type StaticServer } from './server.ts';

/**
 * Serves several directories under URL prefixes on a free loopback port, e.g.
 * `{ '/': fixture, '/ort': ortDist }`. The longest matching prefix wins.
 */
export async function serveMounts(mounts: Record<string, string>): Promise<StaticServer> {
  const handlers = Object.entries(mounts)
    .map(([prefix, dir]) => {
      if (!existsSync(dir)) throw new Error(`Nothing to serve at ${dir} (mounted on ${prefix}).`);
      return { prefix: prefix.replace(/\/$/, ''), handler: sirv(dir, { dev: false, etag: true }) };
    })
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const match = handlers.find(
      (h) => h.prefix === '' || url === h.prefix || url.startsWith(`${h.prefix}/`),
    );
    if (!match) return notFound(res);
    req.url = url.slice(match.prefix.length) || '/';
    match.handler(req, res, () => notFound(res));
  });
  return listenOnLoopback(server);
}

/**
 * The models fixture page (`fixtures/models/`) and what it imports: @receptive/models as built
 * (dist/, models/, data/), @receptive/core as built (the models import its seeded generator for
 * the shortcut mark), and onnxruntime-web's runtime files (it exports them, not its package.json).
 * What another course site does without a bundler.
 */
export function modelsFixtureMounts(modelsDir: string): Record<string, string> {
  const require = createRequire(`${modelsDir}/`);
  return {
    '/': fileURLToPath(new URL('../fixtures/models/', import.meta.url)),
    '/pkg': modelsDir,
    '/ort': dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')),
    '/core': dirname(require.resolve('@receptive/core/package.json')),
  };
}
