// Every test file runs in a process of its own (vitest.config.ts). A file
// that used WebRTC — an in-process server, Node clients — stops
// node-datachannel's native threads once, after its last test, as the server
// and the bots do at exit; a server's close never does, because other
// servers and clients in the process may still use them
// (game-server/transport/geckos/native-channel-holds.ts says why).
import { createRequire } from 'node:module';
import { afterAll } from 'vitest';

/** Whether this process loaded node-datachannel's native library (it loads it with require). */
function nodeDataChannelLoaded(): boolean {
  return Object.keys(createRequire(import.meta.url).cache).some((path) => path.endsWith('node_datachannel.node'));
}

afterAll(async () => {
  if (!nodeDataChannelLoaded()) return;
  const { stopNodeDataChannel } = await import('../../game-server/transport/geckos/native-channel-holds.ts');
  stopNodeDataChannel();
});
