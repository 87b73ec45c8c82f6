import receptive from '@receptive/astro';
import { defineConfig } from 'astro/config';

// The whole setup an author needs, as @receptive/astro's README gives it.
export default defineConfig({
  integrations: [receptive()],
  devToolbar: { enabled: false },
});
