import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import type { StaticServer } from './server.ts';

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
    if (!match) {
      res.statusCode = 404;
      res.end('Not found');
      return;
    }
    req.url = url.slice(match.prefix.length) || '/';
    match.handler(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
