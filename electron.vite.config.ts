import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // One bundle folder serves three entry points: the Electron shell, the
        // plain-Node CLI/hub, and the catalog worker thread they both spawn.
        input: {
          shell: resolve('main/shell/index.ts'),
          cli: resolve('main/cli.ts'),
          'apply-worker': resolve('main/library/apply-worker.ts'),
          'plan-worker': resolve('main/sync/plan-worker.ts'),
          'search-worker': resolve('main/library/search-worker.ts'),
        },
        // Flat: shared chunks sit beside the entries, so a chunk spawning
        // ./apply-worker.js finds it.
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages: bundle zod into it.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      // The same bundle is served by the hub to boards on the LAN: keep it small.
      minify: true,
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
