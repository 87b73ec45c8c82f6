import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useHarness } from '../lib/harness.ts';

// The site's Content Security Policy: in every page as a meta tag (with the hashes of what the
// page itself inlines) and, for what a meta tag cannot say, in the `_headers` file the test
// server sends as a host would. Every test of every spec fails on a violation (the harness
// listens for `securitypolicyviolation`); these check that the policy is there, strict, and that
// the listening works.

const PAGES = [
  '/',
  '/authoring/',
  '/lessons/curve-fitting/',
  '/lessons/convolution/',
  '/lessons/convolution-layers/',
  '/lessons/pooling/',
  '/lessons/shift-invariance/',
  '/lessons/visualization/',
  '/lessons/digit-recognition/',
  // The API reference: a site page, and one TypeDoc writes (apps/site/src/integrations/api-docs.ts).
  '/api/',
  '/api/widgets/',
];

const h = useHarness();

const directives = (policy: string) =>
  new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );

describe('the Content Security Policy', () => {
  it('is the first thing in every page, and strict', async () => {
    const { page, context } = await h.open('/');
    for (const path of PAGES) {
      const res = await page.goto(path);
      assert.ok(res?.ok(), path);
      const first = await page.evaluate(
        () => document.head.querySelector('script, style, link, meta[http-equiv]')?.outerHTML,
      );
      assert.match(first ?? '', /^<meta http-equiv="content-security-policy"/, path);
      const policy = directives(
        (await page
          .locator('meta[http-equiv="content-security-policy"]')
          .getAttribute('content')) ?? '',
      );
      const scripts = policy.get('script-src') ?? [];
      assert.deepEqual(scripts.slice(0, 2), ["'self'", "'wasm-unsafe-eval'"], path);
      assert.ok(
        scripts.slice(2).every((s) => /^'sha256-[A-Za-z0-9+/=]+'$/.test(s)),
        `${path}: scripts only from the site or by hash (${scripts.join(' ')})`,
      );
      assert.ok(
        (policy.get('style-src') ?? []).every((s) => s === "'self'" || s.startsWith("'sha256-")),
        path,
      );
      assert.deepEqual(policy.get('default-src'), ["'self'"], path);
      assert.deepEqual(policy.get('connect-src'), ["'self'"], path);
      assert.deepEqual(policy.get('worker-src'), ["'self'"], path);
      assert.deepEqual(policy.get('img-src'), ["'self'", 'data:', 'blob:'], path);
      assert.deepEqual(policy.get('object-src'), ["'none'"], path);
      assert.deepEqual(policy.get('base-uri'), ["'none'"], path);
      // What a meta tag cannot carry comes as a header, as the build's _headers says.
      const header = directives(res!.headers()['content-security-policy'] ?? '');
      assert.deepEqual(header.get('frame-ancestors'), ["'none'"], path);
      assert.equal(res!.headers()['x-content-type-options'], 'nosniff', path);
    }
    await context.close();
  });

  it('lets a browser keep the content-hashed files for a year, and never the pages', async () => {
    const { page, context } = await h.open('/lessons/convolution/');
    const html = await page.request.get('/lessons/convolution/');
    assert.equal(html.headers()['cache-control'], undefined, 'a page is asked for again');
    const scripts = await page.evaluate(() =>
      [...document.querySelectorAll('script[src]')].map((s) => (s as HTMLScriptElement).src),
    );
    const hashed = scripts.filter((src) => new URL(src).pathname.startsWith('/_astro/'));
    assert.ok(hashed.length > 0, 'the page loads scripts from /_astro/');
    for (const src of hashed) {
      const res = await page.request.get(src);
      assert.equal(res.headers()['cache-control'], 'public, max-age=31536000, immutable', src);
      // Each is named by its content's hash, so a new build never reuses a name for new content.
      assert.match(new URL(src).pathname, /[.-][\w-]{8}\.js$/, src);
    }
    await context.close();
  });

  it('refuses a script injected into the page, and the harness hears it', async () => {
    const { page, context, problems } = await h.open('/lessons/curve-fitting/');
    const ran = await page.evaluate(async () => {
      const w = window as unknown as Record<string, boolean | undefined>;
      const s = document.createElement('script');
      s.textContent = 'window.script = true';
      document.body.append(s);
      // An inline handler, and a string evaluated as code (a string timer: an eval() called from
      // the test's own evaluate would come from the DevTools protocol, which the policy reports
      // but lets run).
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.handler = true');
      img.src = 'data:,';
      document.body.append(img);
      (setTimeout as unknown as (code: string, ms: number) => void)('window.timer = true', 0);
      await new Promise((r) => setTimeout(r, 300));
      return ['script', 'handler', 'timer'].filter((k) => w[k]);
    });
    assert.deepEqual(ran, [], 'nothing injected ran');
    const heard = h.takeCspViolations();
    assert.ok(
      heard.some((v) => /script-src-elem refused inline/.test(v)) &&
        heard.some((v) => /script-src-attr refused inline/.test(v)) &&
        heard.some((v) => /script-src refused eval/.test(v)),
      `violations heard: ${heard.join('\n')}`,
    );
    assert.equal(problems.cspViolations.length, heard.length);
    await context.close();
  });

  it('refuses to be framed, even by its own pages', async () => {
    const { page, context } = await h.open('/');
    const refused = new Promise<string>((resolve) =>
      page.on('console', (m) => {
        if (/frame-ancestors/.test(m.text())) resolve(m.text());
      }),
    );
    await page.evaluate(() => {
      const frame = document.createElement('iframe');
      frame.src = '/lessons/pooling/';
      document.body.append(frame);
    });
    assert.match(await refused, /Framing '.*' violates .*frame-ancestors 'none'/);
    // Whatever the framed page reported is the refusal itself.
    for (const v of h.takeCspViolations()) assert.match(v, /frame-ancestors/);
    await context.close();
  });
});
