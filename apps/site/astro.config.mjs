import { fileURLToPath } from 'node:url';
import { unified } from '@astrojs/markdown-remark';
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';

// Lessons live at the repository root so course authors find them without digging into the app.
const contentDir = fileURLToPath(new URL('../../content/', import.meta.url));

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  trailingSlash: 'ignore',
  markdown: {
    // Math in lessons: remark-math parses $...$ and $$...$$, KaTeX typesets it at build time
    // (HTML for sight, MathML for screen readers), so readers download no math engine.
    processor: unified({
      remarkPlugins: [remarkMath],
      rehypePlugins: [[rehypeKatex, { output: 'htmlAndMathml', throwOnError: true }]],
    }),
  },
  integrations: [mdx()],
  vite: {
    server: { fs: { allow: [contentDir, fileURLToPath(new URL('.', import.meta.url))] } },
  },
  devToolbar: { enabled: false },
});
