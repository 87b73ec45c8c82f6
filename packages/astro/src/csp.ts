/**
 * The site's Content Security Policy. Astro's own CSP support (`security.csp`) writes it into
 * every page as a `<meta http-equiv="content-security-policy">`, with the hashes of the scripts
 * and styles Astro bundles; {@link finishCsp} then completes it from the built HTML.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What every page may load and run. Scripts, styles, workers, fonts and model downloads come
 * from the site itself; `'wasm-unsafe-eval'` lets onnxruntime-web and the core compile their
 * WebAssembly (it allows no JavaScript eval). Images may also be `data:` (KaTeX, canvases turned
 * to images) and `blob:` (a reader's own photo, shown from an object URL). Fonts may be `data:`
 * too: the bundler inlines KaTeX's smallest fonts into its stylesheet. No worker is made from a
 * `blob:` URL: every worker is a built file, so `worker-src` is `'self'` alone.
 */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
] as const;

/** The scripts' sources besides the hashes Astro adds. */
export const CSP_SCRIPT_SOURCES = ["'self'", "'wasm-unsafe-eval'"] as const;

/** Astro's `security.csp` for the policy above. */
export function cspConfig() {
  return {
    algorithm: 'SHA-256' as const,
    directives: [...CSP_DIRECTIVES],
    scriptDirective: { resources: [...CSP_SCRIPT_SOURCES] },
    styleDirective: { resources: ["'self'"] },
  };
}

/** What a meta tag cannot say: sent as a header by hosts that read a `_headers` file. */
export const CSP_HEADER = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

const META = /<meta http-equiv="content-security-policy" content="([^"]*)">/i;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const decode = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&amp;/g, '&');

const encode = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The hashes a page's inline scripts, `<style>` blocks and `style` attributes need. */
export function inlineHashes(html: string): {
  scripts: string[];
  styles: string[];
  attributes: string[];
} {
  const scripts = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attrs = m[1] ?? '';
    if (/\ssrc=/i.test(attrs) || /type="application\/(ld\+)?json"/i.test(attrs)) continue;
    scripts.add(sha256(m[2] ?? ''));
  }
  const styles = new Set<string>();
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi))
    styles.add(sha256(m[1] ?? ''));
  const attributes = new Set<string>();
  for (const m of html.matchAll(/<[a-z][^<>]*?\sstyle="([^"]*)"/gi))
    attributes.add(sha256(decode(m[1] ?? '')));
  return { scripts: [...scripts], styles: [...styles], attributes: [...attributes] };
}

/**
 * Completes the policy of one built page: moves the meta tag to the top of `<head>` (a meta
 * policy covers only what comes after it), adds the hashes of the inline scripts and `<style>`
 * blocks Astro did not hash (an `is:inline` script, a component's inlined CSS), and allows the
 * page's own `style="…"` attributes (KaTeX sizes its math with them) by hash through
 * `style-src-attr 'unsafe-hashes'`, or none. Styles set from scripts through the CSSOM
 * (`el.style.width = …`) are not attributes in the page and need nothing.
 * @throws {Error} naming the page when it has no policy.
 */
export function completePagePolicy(html: string, page: string): { html: string; added: number } {
  const meta = META.exec(html);
  if (!meta) throw new Error(`${page}: no content-security-policy meta tag (is security.csp set?)`);
  const directives = new Map<string, string[]>();
  for (const d of decode(meta[1] ?? '').split(';')) {
    const [name, ...sources] = d.trim().split(/\s+/);
    if (name) directives.set(name, sources);
  }
  const rest = html.replace(meta[0], '');
  const { scripts, styles, attributes } = inlineHashes(rest);
  let added = 0;
  const add = (name: string, hashes: string[]) => {
    const sources = directives.get(name) ?? ["'self'"];
    for (const h of hashes) {
      if (sources.includes(h)) continue;
      sources.push(h);
      added++;
    }
    directives.set(name, sources);
  };
  add('script-src', scripts);
  add('style-src', styles);
  directives.set(
    'style-src-attr',
    attributes.length ? ["'unsafe-hashes'", ...attributes] : ["'none'"],
  );
  const policy = [...directives]
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
  const tag = `<meta http-equiv="content-security-policy" content="${encode(policy)}">`;
  return { html: putInHead(rest, tag), added };
}

const CHARSET = /<meta charset="[^"]*"\s*\/?>/i;

/**
 * Puts `tag` first in the page's `<head>`, after its `<meta charset>`. A page with no `<head>`
 * tag (Astro writes an MDX page without a layout as `<!DOCTYPE html><link ...><meta charset>
 * <h1>...`) gets a start tag after its doctype and `<html>`, with the `<meta charset>` moved up
 * to it: a browser honours a meta policy only in the head, and looks for the charset only in the
 * first 1024 bytes. No end tag: the page's own `<link>`s and `<script>`s stay in the head, as
 * they were in the head the parser made up, and its first content closes it.
 */
function putInHead(html: string, tag: string): string {
  // `<head>` or `<head lang="…">`, never a `<header>`.
  const head = /<head(?:\s[^>]*)?>/i.exec(html);
  if (head) {
    let at = head.index + head[0].length;
    const charset = new RegExp(`^\\s*${CHARSET.source}`, 'i').exec(html.slice(at));
    if (charset) at += charset[0].length;
    return html.slice(0, at) + tag + html.slice(at);
  }
  const charset = CHARSET.exec(html);
  const rest = charset ? html.replace(charset[0], '') : html;
  const at = /^\s*(<!doctype[^>]*>)?\s*(<html(?:\s[^>]*)?>)?/i.exec(rest)?.[0].length ?? 0;
  return `${rest.slice(0, at)}<head>${charset?.[0] ?? ''}${tag}${rest.slice(at)}`;
}

/**
 * Completes every built page's policy ({@link completePagePolicy}) and writes `_headers` with
 * {@link CSP_HEADER} for every path, for hosts that read one (Netlify, Cloudflare Pages). The
 * files under `hashedAssets` (the build's `/_astro/`: scripts, styles, fonts, models, each named
 * by a hash of its content) may be cached for a year without asking again: a change gives a
 * new name.
 */
export function finishCsp(
  dir: string,
  hashedAssets = '/_astro/',
): { pages: number; added: number } {
  const done = { pages: 0, added: 0 };
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.html')) {
        const { html, added } = completePagePolicy(readFileSync(path, 'utf8'), path);
        writeFileSync(path, html);
        done.pages++;
        done.added += added;
      }
    }
  };
  walk(dir);
  writeFileSync(
    join(dir, '_headers'),
    `/*\n  Content-Security-Policy: ${CSP_HEADER}\n  X-Content-Type-Options: nosniff\n` +
      `${hashedAssets}*\n  Cache-Control: public, max-age=31536000, immutable\n`,
  );
  return done;
}
