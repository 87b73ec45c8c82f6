import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/**
 * The built site. `RF_SITE_DIST` points the tests at another build (e.g. one made with
 * `astro build --outDir /tmp/site-a`), so two builds can be tested side by side.
 */
export const SITE_DIST = process.env.RF_SITE_DIST
  ? `${process.env.RF_SITE_DIST.replace(/\/+$/, '')}/`
  : fileURLToPath(new URL('../../../apps/site/dist/', import.meta.url));

export interface StaticServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * Answer with the build's precompressed `.br`/`.gz` copy of a file when the browser accepts it,
   * as a production host would (@receptive/astro writes them). Off by default.
   */
  precompressed?: boolean;
}

/**
 * Serves the built site on a free loopback port (the OS picks it, so a busy port never clashes).
 */
export async function serveSite(
  dir: string = SITE_DIST,
  { precompressed = false }: ServeOptions = {},
): Promise<StaticServer> {
  if (!existsSync(`${dir}/index.html`)) {
    throw new Error(
      dir === SITE_DIST
        ? `The site is not built (no ${dir}index.html): run \`pnpm --filter @receptive/site build\` first.`
        : `Nothing is built at ${dir} (no index.html): build its package first.`,
    );
  }
  const handler = sirv(dir, {
    dev: false,
    etag: true,
    extensions: ['html'],
    brotli: precompressed,
    gzip: precompressed,
  });
  const headers = hostHeaders(dir);
  const server = createServer((req, res) => {
    for (const [name, value] of headers(req.url ?? '/')) res.setHeader(name, value);
    handler(req, res, () => notFound(res));
  });
  return listenOnLoopback(server);
}

/**
 * The headers a host that reads the build's `_headers` file (Netlify, Cloudflare Pages) sends
 * with a path: each rule is a path (`*` matching anything) followed by indented `Name: value`
 * lines. A build without the file gets none.
 */
export function hostHeaders(dir: string): (url: string) => [string, string][] {
  const file = `${dir.replace(/\/$/, '')}/_headers`;
  if (!existsSync(file)) return () => [];
  const rules: { path: RegExp; headers: [string, string][] }[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const pattern = line
        .trim()
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*');
      rules.push({ path: new RegExp(`^${pattern}$`), headers: [] });
      continue;
    }
    const at = line.indexOf(':');
    rules.at(-1)?.headers.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
  }
  return (url) => {
    const path = url.split('?')[0] ?? '/';
    return rules.filter((r) => r.path.test(path)).flatMap((r) => r.headers);
  };
}

/** Answers 404 with a plain `Not found`: what every test server says for a path it does not hold. */
export function notFound(res: ServerResponse): void {
  res.statusCode = 404;
  res.end('Not found');
}

/**
 * Starts `server` on a free loopback port (the OS picks it, so a busy port never clashes) and
 * returns its origin; `close` drops open keep-alive connections first, so it never waits on them.
 */
export async function listenOnLoopback(server: Server): Promise<StaticServer> {
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
