// Vite builds the browser client from game-client/ into dist/, which the game
// server serves. `npm run dev` (scripts/dev.ts) serves it with hot reload and
// adds the proxy to the game server it started itself: no default target
// here, so a dev server can never quietly forward to some other server.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'game-client',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    // Phaser alone is ~1.4 MB minified; it gets a chunk of its own.
    chunkSizeWarningLimit: 1600,
    rollupOptions: { output: { manualChunks: (id) => (id.includes('node_modules/phaser/') ? 'phaser' : undefined) } },
  },
});
