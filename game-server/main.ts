// Entry point: read the config, start the server, say where to open the game,
// shut down cleanly on SIGINT / SIGTERM. A bad config or a port it cannot
// listen on ends it with one line, not a stack trace (preflight.ts).
import { guardGeckosHandshakeRace } from './transport/geckos/rejection-guard.ts';
import { stopNodeDataChannel } from './transport/geckos/native-channel-holds.ts';
import { log } from './ops/log.ts';
import { ANY_ORIGIN } from './transport/origin-policy.ts';
import { configOrExit, exitIfCannotListen } from './preflight.ts';
import { redactedUrl } from './cluster/room-directory.ts';
import { startServer } from './server.ts';

guardGeckosHandshakeRace();
const config = configOrExit(process.argv.slice(2), process.env);
const server = await startServer(config).catch((error: unknown) => exitIfCannotListen(error, config));
// Signals are handled before the start line is printed: whoever reads that line may stop the server at once
// (the tests do), and a SIGTERM before the handler existed ended the process without a shutdown.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        stopNodeDataChannel();
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

// The first line says where to open the game (tests and tools find it by "listening"); on a terminal the config follows it, indented.
const everyInterface = config.host === '0.0.0.0' || config.host === '::';
log.info(
  { ...config, ...(config.redisUrl ? { redisUrl: redactedUrl(config.redisUrl) } : {}), url: server.url, opsUrl: server.opsUrl },
  `netcode arena listening: open ${server.url} in a browser to play` +
    (everyInterface ? ` (from another machine, this machine's address instead of 127.0.0.1)` : '') +
    `; metrics and health on ${server.opsUrl}`,
);
if (config.allowedOrigins.includes(ANY_ORIGIN)) {
  log.warn("ALLOWED_ORIGINS has *: any web page may open the stream from its visitors' browsers and spend their join and socket limits");
}
