// `npm run lab -- --loss 20 [server flags]`: the game with real packet loss
// from the kernel on its own ports (nftables on loopback, both directions),
// so a player can watch Linux's real TCP and the model side by side in the
// same compare view. The HUD and the net graph say "real loss 20 % (kernel)"
// next to any simulated setting. Linux and root only; Ctrl-C ends it and
// removes the loss (so does any other way it ends).
//
// It listens on 127.0.0.1 and keeps WebRTC there (the rules match loopback
// only: a player from another machine would not see the loss), with its UDP
// ports in a range of its own unless --rtc-port-min/max say otherwise.
import { parseArgs } from 'node:util';
import { log } from '../game-server/ops/log.ts';
import { configOrExit, exitIfCannotListen } from '../game-server/preflight.ts';
import { startServer } from '../game-server/server.ts';
import { applyKernelLoss, ensureNftables, kernelLossUnavailable } from './kernel-loss.ts';

const DEFAULT_RTC_PORTS = { min: 29300, max: 29360 };

const { values, tokens } = parseArgs({ options: { loss: { type: 'string' } }, strict: false, tokens: true });
const lossPct = Number(values.loss);
if (!Number.isInteger(lossPct) || lossPct < 1 || lossPct > 90) {
  console.error('usage: npm run lab -- --loss <1–90> [--port 8080] [other server flags]');
  process.exit(2);
}
const unavailable = kernelLossUnavailable();
if (unavailable) {
  console.error(`npm run lab applies real kernel loss, and cannot here: ${unavailable}.`);
  process.exit(1);
}
ensureNftables();

// Everything but --loss goes to the server, after the lab's defaults (later flags win).
const lossToken = tokens.find((t) => t.kind === 'option' && t.name === 'loss');
const lossArgs = new Set(lossToken?.kind === 'option' ? [lossToken.index, ...(lossToken.inlineValue ? [] : [lossToken.index + 1])] : []);
const serverFlags = process.argv.slice(2).filter((_, i) => !lossArgs.has(i));
const config = configOrExit(
  [
    '--host', '127.0.0.1',
    '--public-ip', '127.0.0.1',
    '--rtc-port-min', String(DEFAULT_RTC_PORTS.min),
    '--rtc-port-max', String(DEFAULT_RTC_PORTS.max),
    ...serverFlags,
  ],
  process.env,
);
const server = await startServer(config, { kernelLossPct: lossPct }).catch((error: unknown) => exitIfCannotListen(error, config));
const loss = applyKernelLoss({
  tcpPort: server.port,
  udpPorts: { min: config.rtcPortMin!, max: config.rtcPortMax! },
  lossPct,
});
log.info({ ...config, url: server.url, opsUrl: server.opsUrl, kernelLossPct: lossPct, nftTable: loss.table }, 'lab listening');
console.log(
  `\nlab: real loss ${lossPct} % (kernel) on TCP ${server.port} and UDP ${config.rtcPortMin}–${config.rtcPortMax}, both directions.\n` +
    `open ${server.url}/?path=compare  (add &loss=${lossPct} to simulate the same on top)\nCtrl-C ends the lab and removes the loss.\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    loss.remove();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
