import { fileURLToPath } from 'node:url';
import receptive from '@receptive/astro';
import { defineConfig } from 'astro/config';

// Lessons live at the repository root so course authors find them without digging into the app.
const contentDir = fileURLToPath(new URL('../../content/', import.meta.url));

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  trailingSlash: 'ignore',
  // MDX, math (KaTeX at build time), the lesson components and onnxruntime-web's files.
  integrations: [receptive()],
  vite: {
    server: { fs: { allow: [contentDir, fileURLToPath(new URL('.', import.meta.url))] } },
  },
  devToolbar: { enabled: false },
});
