import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { noProblems } from '../lib/guard.ts';
import { type OpenedPage, useHarness } from '../lib/harness.ts';

// The API reference TypeDoc writes under /api/ when the site builds
// (apps/site/src/integrations/api-docs.ts): each package's page is where its README points, runs
// TypeDoc's scripts under the site's policy (the harness fails a test on any violation), names
// its package, and leads to a real export's page, through the navigation and through the search.

/** One export of each package, documented on a page of its own. */
const EXPORTS: Record<string, string> = {
  core: 'conv2d',
  onnx: 'toOnnx',
  models: 'loadModel',
  render3d: 'NetworkView',
  widgets: 'KernelLab',
  astro: 'checkProps',
};

/** The path a README's first example ends on: "API reference: `/api/x/` on the lesson site". */
const readmeLink = (slug: string) =>
  /API reference: `(\/api\/[\w-]+\/)`/.exec(
    readFileSync(new URL(`../../../packages/${slug}/README.md`, import.meta.url), 'utf8'),
  )?.[1];

const h = useHarness();

describe('the API reference', () => {
  // One page for every test: a fresh context costs more than the pages it would open.
  let opened: OpenedPage;
  before(async () => {
    opened = await h.open('/api/');
  });

  it('is linked from the footer, lists every package, and so does the authoring page', async () => {
    const { page, problems } = opened;
    assert.equal(
      await page.locator('.site-footer a', { hasText: 'API reference' }).getAttribute('href'),
      '/api/',
    );
    const links = await page
      .locator('.packages a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(
      links,
      ['core', 'onnx', 'models', 'render3d', 'widgets', 'astro'].map((s) => `/api/${s}/`),
    );
    // "Write a lesson" links each package's reference too.
    const authoring = await (await page.request.get('/authoring/')).text();
    for (const href of links)
      assert.ok(authoring.includes(`href="${href}"`), `/authoring/: ${href}`);
    assert.deepEqual(problems, noProblems());
  });

  for (const [slug, name] of Object.entries(EXPORTS)) {
    it(`@receptive/${slug}: its README's link opens a page that leads to ${name}`, async () => {
      const path = readmeLink(slug);
      assert.equal(path, `/api/${slug}/`);
      const { page, problems } = opened;
      await page.goto(path);
      assert.match(
        (await page.locator('h1').textContent()) ?? '',
        new RegExp(`^@receptive/${slug} `),
      );
      // The navigation is built in the page from TypeDoc's compressed data. An export that a
      // second entry point re-exports is listed twice; the link to its own page is the one here.
      const page$ = new RegExp(`[./]${name}\\.html$`);
      const nav = page.locator('#tsd-nav-container a', { hasText: new RegExp(`^${name}$`) });
      await nav.first().waitFor({ state: 'attached' });
      const hrefs = await nav.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      const href = hrefs.find((h) => page$.test(h));
      assert.ok(href, `${name} has a page of its own (${hrefs.join(', ')})`);
      // So is the search index, from its own compressed data.
      await page.locator('#tsd-search-trigger').click();
      await page.locator('#tsd-search-input').fill(name);
      const found = page.locator('#tsd-search-results a').filter({
        has: page.locator('mark', { hasText: new RegExp(`^${name}$`) }),
      });
      await found.first().waitFor();
      assert.ok(
        (await found.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))).includes(
          href,
        ),
      );
      await page.goto(href);
      assert.match((await page.locator('h1').textContent()) ?? '', new RegExp(`\\b${name}\\b`));
      assert.match(await page.title(), new RegExp(`@receptive/${slug}`));
      assert.deepEqual(problems, noProblems());
    });
  }
});
