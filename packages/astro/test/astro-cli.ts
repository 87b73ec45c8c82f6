import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Astro's command line, run with Node as a site's build script runs it. */
export const ASTRO_CLI = join(
  dirname(createRequire(import.meta.url).resolve('astro/package.json')),
  'bin/astro.mjs',
);

// The variables Vitest sets for this run (NODE_ENV=test, DEV=1, ...), under which Vite would
// build in dev mode.
const VITEST_VARS = /^(VITEST.*|TEST|NODE_ENV|MODE|DEV|PROD|SSR|BASE_URL|FORCE_TTY)$/;

/** The environment of a build run as a site's scripts run it: without Vitest's variables. */
export const siteEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !VITEST_VARS.test(k)));
