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
import { defineCommand, flagsOrExit, UsageError } from '../game-server/cli/flags.ts';
import { SERVER_FLAGS } from '../game-server/config.ts';
import { log } from '../game-server/ops/log.ts';
import { configOrExit, exitIfCannotListen } from '../game-server/preflight.ts';
import { startServer } from '../game-server/server.ts';
import { buildClient } from './cli/build-client.ts';
import { applyKernelLoss, ensureNftables, kernelLossUnavailable } from './kernel-loss.ts';

const DEFAULT_RTC_PORTS = { min: 29300, max: 29360 };
const MAX_LOSS_PCT = 90;

const LAB_COMMAND = defineCommand({
  name: 'npm run lab',
  about: 'The game under real packet loss from the kernel on its own ports (nftables on loopback; Linux and root only).',
  flags: {
    loss: {
      type: 'string',
      value: 'PCT',
      defaultText: 'required',
      help: `real loss in % on the server's TCP and UDP ports, both directions (1 to ${MAX_LOSS_PCT})`,
    },
    ...SERVER_FLAGS,
  },
  notes: `The server flags work as for npm start; the lab's own defaults: --host 127.0.0.1 --public-ip 127.0.0.1 --rtc-port-min ${DEFAULT_RTC_PORTS.min} --rtc-port-max ${DEFAULT_RTC_PORTS.max}.`,
});

const { lossPct, serverFlags } = flagsOrExit(LAB_COMMAND, (values) => {
  const loss = Number(values.loss);
  if (values.loss === undefined || !Number.isInteger(loss) || loss < 1 || loss > MAX_LOSS_PCT) {
    throw new UsageError(`--loss must be a whole percentage from 1 to ${MAX_LOSS_PCT}, got ${JSON.stringify(values.loss ?? '')}`);
  }
  // Every flag but --loss goes to the server, after the lab's defaults (later flags win).
  const flags = Object.keys(SERVER_FLAGS).flatMap((flag) => {
    const value = values[flag as keyof typeof SERVER_FLAGS];
    return value === undefined ? [] : [`--${flag}`, value];
  });
  return { lossPct: loss, serverFlags: flags };
});
const unavailable = kernelLossUnavailable();
if (unavailable) {
  console.error(`npm run lab applies real kernel loss, and cannot here: ${unavailable}.`);
  process.exit(1);
}
ensureNftables();

const config = configOrExit(
  [
    '--host',
    '127.0.0.1',
    '--public-ip',
    '127.0.0.1',
    '--rtc-port-min',
    String(DEFAULT_RTC_PORTS.min),
    '--rtc-port-max',
    String(DEFAULT_RTC_PORTS.max),
    ...serverFlags,
  ],
  process.env,
  LAB_COMMAND,
);
await buildClient();
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
