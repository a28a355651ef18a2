import { defineConfig } from 'vite';

/**
 * Static build served by codika-server at `/` and `/dashboard`. No inline script or style
 * (the pages are served with `script-src 'self'; style-src 'self'`), hashed asset names,
 * nothing loaded from another host.
 */
export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    // Inlined assets would become data: URLs; keep every asset a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
});
