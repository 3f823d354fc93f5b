// Vite builds the browser client from game-client/ into dist/, which the game
// server serves. In `npm run dev` it serves with hot reload and forwards the
// game's endpoints to the game server.
import { defineConfig } from 'vite';

const GAME_SERVER = `http://127.0.0.1:${process.env.GAME_SERVER_PORT ?? 8080}`;

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
  server: {
    proxy: {
      '/ws': { target: GAME_SERVER, ws: true },
      '/.wrtc': GAME_SERVER,
      '/healthz': GAME_SERVER,
      '/metrics': GAME_SERVER,
    },
  },
});
