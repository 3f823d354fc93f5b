// `npm run dev`: the game server (restarted by tsx on server changes) plus
// Vite's dev server with hot reload in front of it, in one command. Open the
// URL Vite prints; it forwards /ws, /.wrtc, /healthz and /metrics to the game.
import { spawn } from 'node:child_process';
import { createServer } from 'vite';

const gamePort = process.env.GAME_SERVER_PORT ?? '8080';
const game = spawn(process.execPath, ['--import', 'tsx', '--watch', 'game-server/main.ts'], {
  stdio: 'inherit',
  env: { ...process.env, PORT: gamePort },
});

const vite = await createServer({ configFile: 'vite.config.ts', server: { port: Number(process.env.DEV_PORT ?? 5173) } });
await vite.listen();
vite.printUrls();
console.log(`game server on http://127.0.0.1:${gamePort} (proxied)`);

const stop = async () => {
  game.kill('SIGTERM');
  await vite.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
game.on('exit', (code) => {
  if (code !== null && code !== 0) console.error(`game server exited with ${code}`);
});
