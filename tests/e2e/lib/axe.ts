import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource: string = require('axe-core').source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core in the page and returns the violations of `serious` or `critical` impact. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol rather than added as an inline <script>, which the
  // site's Content Security Policy refuses (as it should).
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is evaluated into the page above.
    const axe = (window as any).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    // biome-ignore lint/suspicious/noExplicitAny: axe's result objects are plain JSON.
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      targets: v.nodes.map((n: any) => String(n.target)),
    }));
  });
  return (results as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

/**
 * Asserts that axe-core finds no serious or critical violations in the page; a failure lists
 * them, after `where` when given.
 */
export async function assertNoSeriousViolations(page: Page, where?: string): Promise<void> {
  const violations = await seriousViolations(page);
  const listed = JSON.stringify(violations, null, 2);
  assert.deepEqual(violations, [], where === undefined ? listed : `${where}: ${listed}`);
}
