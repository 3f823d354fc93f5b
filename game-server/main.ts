// Entry point: read the config, start the server, print what it listens on,
// shut down cleanly on SIGINT / SIGTERM.
import { loadConfig, USAGE } from './config.ts';
import { log } from './log.ts';
import { startServer } from './server.ts';

let config;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

const server = await startServer(config);
log.info({ ...config, url: server.url }, `netcode arena listening on ${server.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
