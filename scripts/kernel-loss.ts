// Real packet loss on loopback, from the kernel: an nftables table that drops
// a random share of the packets on one game server's TCP port (the stream)
// and its WebRTC UDP port range (the datagrams), in both directions. Used by
// `npm run bench:fidelity`, `npm run lab` and their tests. Linux and root only.
//
// Why the input hook: on loopback every packet passes output and then input.
// A drop in output is reported to the sending program as an error (TCP resends
// at once, UDP sees a failed send), which is not what loss on a wire looks
// like. A drop in input is silent, as a lost packet is.
import { execFileSync } from 'node:child_process';
import { ensureCommand, missingSentence, needLinux, needRoot, type Missing } from './prerequisites.ts';

export interface KernelLossTarget {
  /** The server's HTTP / WebSocket port. */
  tcpPort: number;
  /** The server's WebRTC UDP port range. */
  udpPorts: { min: number; max: number };
  /** Share of packets dropped in each direction, 0–100. */
  lossPct: number;
}

export interface KernelLoss {
  readonly table: string;
  /** Deletes the table; safe to call more than once. */
  remove(): void;
}

/** What this machine or run lacks to apply kernel loss (nftables itself is installed on demand, by ensureNftables). */
export function kernelLossMissing(): Missing[] {
  const linux = needLinux("real loss uses Linux's nftables");
  return linux.length > 0 ? linux : needRoot("nftables changes the kernel's packet filter");
}

/** Why this machine cannot apply kernel loss, or null when it can. */
export function kernelLossUnavailable(): string | null {
  const why = missingSentence(kernelLossMissing());
  return why && `real loss ${why}`;
}

/** Makes sure `nft` exists: as root with apt-get it installs Debian's `nftables`, as the browser tests install Chromium. */
export function ensureNftables(): void {
  const why = kernelLossUnavailable();
  if (why) throw new Error(why);
  ensureCommand('nft', 'nftables');
}

/** The nftables ruleset for `target` in a table of its own. */
export function lossRuleset(table: string, target: KernelLossTarget): string {
  const { tcpPort, udpPorts, lossPct } = target;
  if (!Number.isInteger(lossPct) || lossPct < 0 || lossPct > 100) throw new Error(`loss must be an integer 0–100, not ${lossPct}`);
  const drop = `numgen random mod 100 < ${lossPct} drop`;
  const udp = `${udpPorts.min}-${udpPorts.max}`;
  return [
    `table inet ${table} {`,
    '  chain input {',
    '    type filter hook input priority -10; policy accept;',
    `    iif "lo" tcp dport ${tcpPort} ${drop}`,
    `    iif "lo" tcp sport ${tcpPort} ${drop}`,
    `    iif "lo" udp dport ${udp} ${drop}`,
    `    iif "lo" udp sport ${udp} ${drop}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Tables this process created and has not removed yet: removed on exit and on Ctrl-C, whatever happens. */
const live = new Set<KernelLoss>();
let exitHooksInstalled = false;

function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const loss of live) loss.remove();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      for (const loss of live) loss.remove();
      // Alone, we end the process as the signal would have; a program with its own handler ends itself.
      if (process.listenerCount(signal) === 1) process.exit(130);
    });
  }
}

/** Starts dropping packets as `target` says; the returned handle removes the table. */
export function applyKernelLoss(target: KernelLossTarget): KernelLoss {
  ensureNftables();
  installExitHooks();
  const table = `netcode_arena_loss_${process.pid}_${target.tcpPort}`;
  execFileSync('nft', ['-f', '-'], { input: lossRuleset(table, target) });
  let removed = false;
  const loss: KernelLoss = {
    table,
    remove() {
      if (removed) return;
      removed = true;
      live.delete(loss);
      try {
        execFileSync('nft', ['delete', 'table', 'inet', table], { stdio: 'ignore' });
      } catch {
        // Already gone (deleted by hand, or never created): nothing to undo.
      }
    },
  };
  live.add(loss);
  return loss;
}

/** Runs `work` with kernel loss applied, and removes the table afterwards, also when `work` fails. */
export async function withKernelLoss<T>(target: KernelLossTarget, work: (loss: KernelLoss) => Promise<T>): Promise<T> {
  const loss = applyKernelLoss(target);
  try {
    return await work(loss);
  } finally {
    loss.remove();
  }
}

/** The nftables tables that exist now (names only). */
export function nftTables(): string[] {
  const out = execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/).at(-1) ?? '')
    .filter(Boolean);
}
