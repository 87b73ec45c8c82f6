import { fileURLToPath } from 'node:url';
import receptive from '@receptive/astro';
import { defineConfig } from 'astro/config';
import apiDocs from './src/integrations/api-docs.ts';

// Lessons live at the repository root so course authors find them without digging into the app.
const contentDir = fileURLToPath(new URL('../../content/', import.meta.url));

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  trailingSlash: 'ignore',
  // The packages' API reference under /api/, then MDX, math (KaTeX at build time), the lesson
  // components and onnxruntime-web's files. apiDocs comes first so that receptive()'s build step
  // (the pages' Content Security Policy, the precompressed copies) covers its pages too.
  integrations: [apiDocs(), receptive()],
  vite: {
    server: { fs: { allow: [contentDir, fileURLToPath(new URL('.', import.meta.url))] } },
  },
  devToolbar: { enabled: false },
});
