/**
 * A project outside the workspace that installs the published packages from their tarballs, as
 * a newcomer would from npm: a plain Vite page per package README (one page each, its first
 * example pasted in unchanged) and a fresh Astro site made of the files @receptive/astro's
 * README lists. Nothing in it resolves to the workspace: the tarballs are installed by `file:`
 * path and every @receptive/* dependency between them is overridden to its tarball too.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  installedVersion,
  type PublishedPackage,
  packTarball,
  publishedPackages,
} from './packages.ts';
import { type ReadmeExample, readmeExample, specName } from './readme.ts';

/** One published package's README example, and what it needs installed. */
export interface Example extends ReadmeExample {
  name: string;
  /** The name without its scope: the Vite page's file names (`core.html`, `core.js`). */
  short: string;
  /** The dependencies its `pnpm add` line asks for, as package.json would list them. */
  dependencies: Record<string, string>;
}

export interface FreshProject {
  root: string;
  /** The examples on the Vite page, one page each (`/<short>.html`). */
  pageExamples: Example[];
  /** The example that is the Astro site. */
  siteExample: Example;
  vitePage: string;
  astroSite: string;
  /** Seconds each step took. */
  timings: Record<string, number>;
}

const HERE = fileURLToPath(new URL('..', import.meta.url));

// The install scripts a fresh project may run, decided as the workspace decides them
// (pnpm-workspace.yaml's allowBuilds); pnpm refuses any script not listed.
const ALLOW_BUILDS = { esbuild: true, sharp: false, protobufjs: false, 'core-js': false };

/** An Astro integration is checked on an Astro site; every other package on the Vite page. */
const isForAstro = (p: PublishedPackage) => 'astro' in (p.pkg.peerDependencies ?? {});

/**
 * The environment of the commands run in the fresh project: the workspace's own pnpm and npm
 * settings (what `pnpm run` exports to its scripts) are left behind, so pnpm sees only the fresh
 * project's workspace; Astro sends no telemetry from a test.
 */
function freshEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', ASTRO_TELEMETRY_DISABLED: '1' };
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|INIT_CWD$|FORCE_COLOR$)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** Runs a command to its end, resolving with its output; rejects with `what` and the output. */
function exec(what: string, cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: freshEnv() });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${what} failed (exit ${code}):\n${output.slice(-6000)}`));
    });
  });
}

const write = (file: string, text: string) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The dependencies an example's `pnpm add` line asks for: tarballs, or the workspace's versions. */
function dependenciesOf(
  example: ReadmeExample,
  pkg: PublishedPackage,
  tarballs: Map<string, string>,
): Record<string, string> {
  const deps: Record<string, string> = {};
  for (const spec of example.install) {
    const { name, version } = specName(spec);
    if (name.startsWith('@receptive/')) {
      const tarball = tarballs.get(name);
      if (!tarball) {
        throw new Error(`${example.readme}: \`pnpm add\` names ${name}, which is not published`);
      }
      deps[name] = `file:${tarball}`;
    } else {
      // A name without a version gets the one the package is developed against.
      deps[name] = version ?? installedVersion(name, pkg.dir);
    }
  }
  if (!(pkg.name in deps)) {
    throw new Error(`${example.readme}: \`pnpm add\` should name ${pkg.name} itself`);
  }
  return deps;
}

/** Merges dependency lists, refusing two versions of one package. */
function mergeDependencies(examples: Example[]): Record<string, string> {
  const all: Record<string, string> = {};
  for (const e of examples) {
    for (const [name, version] of Object.entries(e.dependencies)) {
      if (all[name] && all[name] !== version) {
        throw new Error(`${e.readme} asks for ${name}@${version}; another README for ${all[name]}`);
      }
      all[name] = version;
    }
  }
  return all;
}

/**
 * The step a README example asks of the reader before it runs, written in its comments as
 * "from node_modules/<pkg>/dist/, copy <file> and <file> into public/<dir>/": done here exactly
 * as written, in the Vite page.
 */
function copySteps(example: Example, page: string): void {
  const comments = example.blocks
    .flatMap((b) => b.code.split('\n'))
    .filter((l) => l.trim().startsWith('//'))
    .map((l) => l.trim().replace(/^\/\/\s*/, ''))
    .join(' ');
  for (const m of comments.matchAll(
    /from (node_modules\/[\w@./-]+\/),? copy ([\w.-]+(?: and [\w.-]+)*) into (public\/[\w./-]*)/g,
  )) {
    const [, from = '', files = '', into = ''] = m;
    for (const file of files.split(' and ')) {
      const source = join(page, from, file);
      if (!existsSync(source)) {
        throw new Error(`${example.readme}: says to copy ${from}${file}, which is not installed`);
      }
      mkdirSync(join(page, into), { recursive: true });
      copyFileSync(source, join(page, into, file));
    }
  }
}

/** The Vite page of one example: its HTML blocks in the body, its script blocks as one module. */
function writePage(example: Example, page: string): void {
  const html = example.blocks.filter((b) => b.lang === 'html').map((b) => b.code);
  const scripts = example.blocks.filter((b) => b.lang === 'js' || b.lang === 'ts');
  const other = example.blocks.find((b) => !['html', 'js', 'ts'].includes(b.lang));
  if (other) {
    throw new Error(`${example.readme}: a \`${other.lang}\` block has no place on a Vite page`);
  }
  const ext = scripts.some((b) => b.lang === 'ts') ? 'ts' : 'js';
  if (scripts.length) {
    write(join(page, `${example.short}.${ext}`), scripts.map((b) => b.code).join('\n'));
  }
  write(
    join(page, `${example.short}.html`),
    `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="data:," />
    <title>${example.name}: the README's first example</title>
  </head>
  <body>
    <!-- The first example of ${example.readme}, as written. -->
${html.join('\n')}
${scripts.length ? `    <script type="module" src="./${example.short}.${ext}"></script>\n` : ''}  </body>
</html>
`,
  );
}

/** The Astro site: every block of the example is a file it names. */
function writeSite(example: Example, site: string): void {
  for (const block of example.blocks) {
    if (!block.file) {
      throw new Error(
        `${example.readme}: a \`${block.lang}\` block of the first example names no file; start it with a comment such as "// astro.config.mjs"`,
      );
    }
    write(join(site, block.file), block.code);
  }
}

/**
 * Packs every published package of the workspace into `root`, writes the fresh project there
 * (`vite-page/`, `astro-site/`), installs it from the tarballs and builds both.
 * @throws {Error} naming the README or the step that failed, with the tool's output.
 */
export async function makeFreshProject(root: string): Promise<FreshProject> {
  const timings: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    timings[step] = Math.round((performance.now() - start) / 100) / 10;
    return result;
  };

  const published = publishedPackages(HERE);
  const tarballDir = join(root, 'tarballs');
  mkdirSync(tarballDir, { recursive: true });
  const tarballs = await timed(
    'pnpm pack',
    () => new Map(published.map((p) => [p.name, packTarball(p.dir, tarballDir)])),
  );

  const examples = published.map((p) => {
    const readme = readmeExample(join(p.dir, 'README.md'));
    const example: Example = {
      ...readme,
      name: p.name,
      short: p.name.replace(/^@[^/]+\//, ''),
      dependencies: {},
    };
    example.dependencies = dependenciesOf(readme, p, tarballs);
    if (readme.apiReference !== `/api/${example.short}/`) {
      throw new Error(
        `${readme.readme}: links the API reference at ${readme.apiReference}, not /api/${example.short}/`,
      );
    }
    return { example, forAstro: isForAstro(p) };
  });
  const pageExamples = examples.filter((e) => !e.forAstro).map((e) => e.example);
  const siteExamples = examples.filter((e) => e.forAstro).map((e) => e.example);
  const [siteExample] = siteExamples;
  if (!siteExample || siteExamples.length > 1) {
    throw new Error(
      `expected one published Astro integration, found ${siteExamples.map((e) => e.name).join(', ') || 'none'}`,
    );
  }

  const vitePage = join(root, 'vite-page');
  const astroSite = join(root, 'astro-site');
  write(join(root, 'package.json'), json({ name: 'fresh-project', private: true }));
  write(
    join(root, 'pnpm-workspace.yaml'),
    [
      'packages:',
      '  - vite-page',
      '  - astro-site',
      '# Every @receptive/* package resolves to its tarball, also where another one depends on it.',
      'overrides:',
      ...[...tarballs].map(([name, file]) => `  "${name}": "file:${file}"`),
      'allowBuilds:',
      ...Object.entries(ALLOW_BUILDS).map(([name, allow]) => `  ${name}: ${allow}`),
      '',
    ].join('\n'),
  );

  write(
    join(vitePage, 'package.json'),
    json({
      name: 'vite-page',
      private: true,
      type: 'module',
      dependencies: {
        ...mergeDependencies(pageExamples),
        vite: installedVersion('vite', HERE),
      },
    }),
  );
  for (const e of pageExamples) writePage(e, vitePage);
  write(
    join(vitePage, 'index.html'),
    `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>README examples</title></head>
  <body>
    <ul>
${pageExamples.map((e) => `      <li><a href="./${e.short}.html">${e.name}</a></li>`).join('\n')}
    </ul>
  </body>
</html>
`,
  );
  const input = Object.fromEntries([
    ['index', join(vitePage, 'index.html')],
    ...pageExamples.map((e) => [e.short, join(vitePage, `${e.short}.html`)]),
  ]);
  write(
    join(vitePage, 'vite.config.js'),
    `// Vite's defaults, with one page per README example.
export default {
  build: { rolldownOptions: { input: ${JSON.stringify(input)} }, chunkSizeWarningLimit: 2000 },
};
`,
  );

  write(
    join(astroSite, 'package.json'),
    json({
      name: 'astro-site',
      private: true,
      type: 'module',
      dependencies: {
        ...siteExample.dependencies,
        astro: siteExample.dependencies.astro ?? installedVersion('astro', HERE),
      },
    }),
  );
  writeSite(siteExample, astroSite);

  // The store is warm from the workspace's own install, so this rarely fetches anything. No
  // lockfile is written before, so a CI environment's default --frozen-lockfile is turned off.
  await timed('pnpm install', () =>
    exec(
      'pnpm install of the tarballs',
      'pnpm',
      ['install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=append-only'],
      root,
    ),
  );

  for (const e of pageExamples) copySteps(e, vitePage);
  const bin = (dir: string, cmd: string) => join(dir, 'node_modules', '.bin', cmd);
  // Both at once: on two cores this takes about as long as the Vite build alone.
  await Promise.all([
    timed('vite build', () =>
      exec(
        `vite build of the README examples (${pageExamples.map((e) => e.readme).join(', ')})`,
        bin(vitePage, 'vite'),
        ['build'],
        vitePage,
      ),
    ),
    timed('astro build', () =>
      exec(
        `astro build of the example in ${siteExample.readme}`,
        bin(astroSite, 'astro'),
        ['build'],
        astroSite,
      ),
    ),
  ]);
  return { root, pageExamples, siteExample, vitePage, astroSite, timings };
}
