// Each page is its own entry so a page downloads only its own code plus the small chunks it
// shares with the others (preact, signals, the API wrapper): /ops must stay under 60 KB gzipped
// and /dashboard under 40 KB.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));
const page = (name: string): string => fileURLToPath(new URL(`./${name}.html`, import.meta.url));

export default defineConfig({
  root: uiRoot,
  // Pages are served at nested paths (/ops/calls/...), so asset URLs must be absolute.
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2023',
    // Browsers that run es2023 support <link rel="modulepreload"> (Safari since 17; before it the
    // links are ignored and pages still load, a little later): no polyfill on every page.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        login: page('login'),
        ops: page('ops'),
        dashboard: page('dashboard'),
      },
      output: {
        // The runtime every page needs gets a stable name, so it stays cached across pages.
        codeSplitting: { groups: [{ name: 'preact', test: /node_modules[\\/](preact|@preact)[\\/]/ }] },
      },
    },
  },
});
