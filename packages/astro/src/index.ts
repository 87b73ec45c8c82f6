/**
 * @receptive/astro: `integrations: [receptive()]` sets up MDX with math (KaTeX at build time)
 * and makes the lesson components available in every MDX file without imports.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { unified } from '@astrojs/markdown-remark';
import mdx from '@astrojs/mdx';
import type { AstroIntegration } from 'astro';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';
import { remarkAutoImport } from './auto-import.ts';
import { remarkCheckProps } from './check-mdx-props.ts';
import { cspConfig, finishCsp } from './csp.ts';
import { COMPONENTS } from './docs.ts';
import { copyOrtFiles, ortDevServer } from './ort.ts';
import { precompress } from './precompress.ts';

export { remarkAutoImport } from './auto-import.ts';
export { remarkCheckProps } from './check-mdx-props.ts';
export {
  COMPONENTS,
  type ComponentDoc,
  type ComponentProp,
  checkProps,
  componentDoc,
  PropError,
} from './docs.ts';
export { ORT_PATH } from './ort.ts';

const componentsDir = fileURLToPath(new URL('../src/components/', import.meta.url));

/** Tag -> absolute path of the `.astro` wrapper, for the auto-import plugin. */
export const COMPONENT_FILES: Record<string, string> = Object.fromEntries(
  COMPONENTS.map((c) => [c.name, `${componentsDir}${c.name}.astro`]),
);

// Vite's default client conditions, plus the one that makes onnxruntime-web load its wasm from
// `wasmPaths` instead of having the bundler copy every variant (about 70 MB) into the build.
const CLIENT_CONDITIONS = [
  'onnxruntime-web-use-extern-wasm',
  'module',
  'browser',
  'development|production',
];

const mathPlugins = {
  remarkPlugins: [remarkMath],
  // KaTeX typesets at build time (HTML for sight, MathML for screen readers), so readers
  // download no math engine.
  rehypePlugins: [[rehypeKatex, { output: 'htmlAndMathml', throwOnError: true }]] as [
    typeof rehypeKatex,
    object,
  ][],
};

/**
 * The Receptive Field integration.
 * @example
 * // astro.config.mjs
 * import receptive from '@receptive/astro';
 * export default defineConfig({ integrations: [receptive()] });
 */
export default function receptive(): AstroIntegration {
  // Where the build puts its content-hashed files (`/_astro/` unless the site says otherwise).
  let hashedAssets = '/_astro/';
  return {
    name: '@receptive/astro',
    hooks: {
      'astro:config:done': ({ config }) => {
        hashedAssets = `${config.base.replace(/\/?$/, '/')}${config.build.assets}/`;
      },
      'astro:config:setup': ({ config, updateConfig, injectScript }) => {
        const hasMdx = config.integrations.some((i) => i.name === '@astrojs/mdx');
        const mdxProcessor = unified({
          // Props are checked before the imports are added, which bind our components' names.
          remarkPlugins: [
            ...mathPlugins.remarkPlugins,
            remarkCheckProps,
            [remarkAutoImport, COMPONENT_FILES],
          ],
          rehypePlugins: mathPlugins.rehypePlugins,
        });
        updateConfig({
          markdown: { processor: unified(mathPlugins) },
          integrations: hasMdx ? [] : [mdx({ processor: mdxProcessor })],
          security: { csp: cspConfig() },
          vite: {
            plugins: [ortDevServer()],
            resolve: { conditions: CLIENT_CONDITIONS },
            server: { fs: { allow: [componentsDir] } },
          },
        });
        const katexCss = createRequire(import.meta.url).resolve('katex/dist/katex.min.css');
        injectScript('page-ssr', `import ${JSON.stringify(katexCss)};`);
      },
      'astro:build:done': async ({ dir, logger }) => {
        const out = fileURLToPath(dir);
        copyOrtFiles(out);
        const csp = finishCsp(out, hashedAssets);
        logger.info(
          `completed the content-security-policy of ${csp.pages} pages (${csp.added} hashes Astro did not add)`,
        );
        const c = await precompress(out);
        const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
        logger.info(
          `wrote .br and .gz next to ${c.files} files (${mb(c.bytes)}, ${mb(c.brotli)} with brotli)`,
        );
      },
    },
  };
}
