import { defineConfig } from 'vite';

/**
 * The console is served by the gateway under `<API_PREFIX>/console/`, so every asset URL is relative
 * (`base: './'`). Everything is bundled: the page loads nothing from another origin.
 */
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
  },
});
