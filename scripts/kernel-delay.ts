// Real delay on loopback, in the kernel: every packet to or from one game
// server's TCP port and WebRTC UDP ports is held for a fixed time before it
// is delivered. Used by test/e2e/timeline-kernel-delay.test.ts.
//
// How: an iptables rule (in a chain of its own, hooked into INPUT on lo, as
// the loss lab's nftables rules are: every loopback packet passes input once)
// sends those packets to a netfilter queue, and scripts/kernel-delay-queue.py
// answers "accept" for each one `delayMs` after it arrived. The packets stay
// in the kernel meanwhile; the sockets see a slower wire, as with tc netem.
// Why not netem: kernels built without sch_netem (this project's own machine,
// a Firecracker VM) have it nowhere, while the NFQUEUE target is common.
// `--queue-bypass`: if the delaying process is gone, packets pass undelayed
// rather than being dropped, so a crash shows as a failed timing, not a hang.
//
// Linux, root and a kernel with NFQUEUE; `kernelDelayMissing()` says which is
// missing. iptables and python3 are installed on demand (root, apt-get).
// Always removed: by the caller's finally, and on exit.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KernelLossTarget } from './kernel-loss.ts';
import { ensureCommand, missingSentence, needLinux, needRoot, type Missing } from './prerequisites.ts';

export type KernelDelayTarget = Omit<KernelLossTarget, 'lossPct'> & { delayMs: number };

const DELAYER = fileURLToPath(new URL('./kernel-delay-queue.py', import.meta.url));
/** The delaying process stops by itself after this long, whatever its parent does. */
const DELAYER_MAX_SECONDS = 600;
/** How long it may take to bind its queue (it starts in well under a second). */
const DELAYER_READY_MS = 10_000;

/**
 * What this machine or run lacks to delay packets on loopback: all of it, so
 * that a kernel without NFQUEUE is reported even to a run that is not root
 * (root would not help there).
 */
export function kernelDelayMissing(): Missing[] {
  const linux = needLinux("kernel delay uses Linux's netfilter queue");
  if (linux.length > 0) return linux;
  const missing = needRoot('iptables changes the packet filter');
  if (!kernelHasQueue())
    missing.push({ what: "a kernel with netfilter's NFQUEUE target (xt_NFQUEUE, nfnetlink_queue), which this one does not have", kind: 'machine' });
  return missing;
}

/** Why this machine cannot delay packets on loopback, or null when it can. */
export function kernelDelayUnavailable(): string | null {
  const why = missingSentence(kernelDelayMissing());
  return why && `kernel delay ${why}`;
}

/** The iptables rules, in chain `chain`, that queue `target`'s packets to queue `queue`. */
export function delayRules(chain: string, queue: number, target: KernelDelayTarget): string[][] {
  const toQueue = ['-j', 'NFQUEUE', '--queue-num', String(queue), '--queue-bypass'];
  const udp = `${target.udpPorts.min}:${target.udpPorts.max}`;
  return [
    ['-A', chain, '-p', 'tcp', '--dport', String(target.tcpPort), ...toQueue],
    ['-A', chain, '-p', 'tcp', '--sport', String(target.tcpPort), ...toQueue],
    ['-A', chain, '-p', 'udp', '--dport', udp, ...toQueue],
    ['-A', chain, '-p', 'udp', '--sport', udp, ...toQueue],
  ];
}

/** Runs `work` with the delay applied; removes the rules and stops the delaying process afterwards, also when `work` fails (and on exit). */
export async function withKernelDelay<T>(target: KernelDelayTarget, work: () => Promise<T>): Promise<T> {
  const why = kernelDelayUnavailable();
  if (why) throw new Error(why);
  ensureCommand('iptables', 'iptables');
  ensureCommand('python3', 'python3');
  const chain = `ARENA_DELAY_${process.pid}`;
  const queue = 10_000 + (process.pid % 50_000);
  const jump = ['INPUT', '-i', 'lo', '-j', chain];
  let delayer: ChildProcessWithoutNullStreams | undefined;
  const remove = () => {
    iptables(['-D', ...jump], true);
    iptables(['-F', chain], true);
    iptables(['-X', chain], true);
    delayer?.kill();
  };
  process.once('exit', remove);
  try {
    // The delaying process first: with the rules in place and nobody reading the queue, packets would pass undelayed.
    delayer = await startDelayer(queue, target.delayMs);
    iptables(['-N', chain]);
    for (const rule of delayRules(chain, queue, target)) iptables(rule);
    iptables(['-I', ...jump]);
    return await work();
  } finally {
    remove();
    process.off('exit', remove);
  }
}

/** Starts scripts/kernel-delay-queue.py on `queue` and resolves once it has bound the queue (within DELAYER_READY_MS, or it is stopped). */
function startDelayer(queue: number, delayMs: number): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn('python3', [DELAYER, String(queue), String(delayMs), String(DELAYER_MAX_SECONDS)]);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`kernel-delay-queue.py ${why} before binding queue ${queue}: ${stderr.trim()}`));
    };
    const timer = setTimeout(() => fail(`said nothing for ${DELAYER_READY_MS} ms`), DELAYER_READY_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.on('exit', (code) => fail(`exited (${code})`));
    child.on('error', (error) => fail(`could not start (${error.message})`));
  });
}

function iptables(args: string[], quiet = false): void {
  try {
    execFileSync('iptables', ['-w', ...args], { stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if (!quiet) throw error;
    // Removing what is not there: nothing to undo.
  }
}

/** The NFQUEUE target and the queue's netlink side, loaded or built in. */
function kernelHasQueue(): boolean {
  const loaded = (file: string, word: string) => existsSync(file) && readFileSync(file, 'utf8').split('\n').includes(word);
  if (loaded('/proc/net/ip_tables_targets', 'NFQUEUE') && existsSync('/proc/net/netfilter/nfnetlink_queue')) return true;
  // Not loaded yet: loadable as modules?
  try {
    execFileSync('sh', ['-c', 'modprobe -n xt_NFQUEUE && modprobe -n nfnetlink_queue'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
