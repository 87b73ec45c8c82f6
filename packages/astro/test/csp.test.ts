import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CSP_DIRECTIVES, completePagePolicy, inlineHashes } from '../src/csp.ts';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const META = `<meta http-equiv="content-security-policy" content="${CSP_DIRECTIVES.join(';')}; script-src 'self' 'wasm-unsafe-eval' ${hash('a()')}; style-src 'self';">`;

const page = (head: string, body = '') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>t</title>${head}</head><body>${body}</body></html>`;

const policyOf = (html: string) => {
  const content = /<meta http-equiv="content-security-policy" content="([^"]*)">/.exec(html)![1]!;
  return new Map(
    content
      .replace(/&amp;/g, '&')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
};

describe('completePagePolicy', () => {
  it('moves the policy to the top of the head, before the first script', () => {
    const { html } = completePagePolicy(page(`<script>b()</script>${META}`), 'p.html');
    expect(html.indexOf('content-security-policy')).toBeLessThan(html.indexOf('<script>'));
    expect(html.match(/content-security-policy/g)).toHaveLength(1);
    expect(html).toMatch(/^<!doctype html><html><head><meta charset="utf-8"><meta http-equiv/);
  });

  it('adds the hashes of inline scripts and style blocks Astro did not add, once', () => {
    const { html, added } = completePagePolicy(
      page(`${META}<script>a()</script><script>b()</script><style>p{}</style>`),
      'p.html',
    );
    const policy = policyOf(html);
    expect(policy.get('script-src')).toEqual([
      "'self'",
      "'wasm-unsafe-eval'",
      hash('a()'),
      hash('b()'),
    ]);
    expect(policy.get('style-src')).toEqual(["'self'", hash('p{}')]);
    expect(added).toBe(2);
    // Never anything that lets any inline script or eval run.
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('script-src')).not.toContain("'unsafe-eval'");
  });

  it("allows the page's own style attributes by hash, decoded as the browser reads them", () => {
    const { html } = completePagePolicy(
      page(META, '<span style="height:1em;">x</span><i style="font-family:&quot;A&quot;">y</i>'),
      'p.html',
    );
    expect(policyOf(html).get('style-src-attr')).toEqual([
      "'unsafe-hashes'",
      hash('height:1em;'),
      hash('font-family:"A"'),
    ]);
  });

  it('refuses every style attribute on a page that has none', () => {
    const { html } = completePagePolicy(page(META), 'p.html');
    expect(policyOf(html).get('style-src-attr')).toEqual(["'none'"]);
  });

  it('leaves scripts with a src and JSON data blocks out of the hashes', () => {
    const hashes = inlineHashes(
      page(
        '<script type="module" src="/a.js"></script><script type="application/ld+json">{}</script>',
      ),
    );
    expect(hashes.scripts).toEqual([]);
  });

  it('gives a page without a <head> one, as Astro writes an MDX page that has no layout', () => {
    const mdxPage = `<!DOCTYPE html>${META}<link rel="stylesheet" href="/_astro/plain.css"><meta charset="utf-8"/><h1 id="hello">Hello</h1>`;
    const { html } = completePagePolicy(mdxPage, 'dist/plain/index.html');
    // The charset first (read from the first 1024 bytes only), then the policy, then the page.
    expect(html).toMatch(
      /^<!DOCTYPE html><head><meta charset="utf-8"\/><meta http-equiv="content-security-policy" content="[^"]+"><link rel="stylesheet" href="\/_astro\/plain.css"><h1 id="hello">Hello<\/h1>$/,
    );
    expect(policyOf(html).get('script-src')).toContain(hash('a()'));
  });

  it('puts the policy in the head, not in a <header>', () => {
    const { html } = completePagePolicy(
      `<!doctype html><html lang="en">${META}<body><header>h</header></body></html>`,
      'p.html',
    );
    expect(html).toMatch(
      /^<!doctype html><html lang="en"><head><meta http-equiv="content-security-policy" [^>]*><body><header>h<\/header>/,
    );
  });

  it('names the page that has no policy', () => {
    expect(() => completePagePolicy(page(''), 'dist/x/index.html')).toThrow(
      /dist\/x\/index.html: no content-security-policy meta tag/,
    );
  });
});
