// Real delay on loopback, from the kernel: tc's netem qdisc on `lo`, reached
// only by packets to or from one game server's TCP port and WebRTC UDP ports
// (u32 filters into an htb class of their own; everything else takes the
// default class and is not delayed). Used by test/e2e/timeline-kernel-delay.test.ts.
// Linux, root, and a kernel with sch_netem; `kernelDelayUnavailable()` says
// which is missing. Always removed: by the caller's finally, and on exit.
import { execFileSync } from 'node:child_process';
import type { KernelLossTarget } from './kernel-loss.ts';
import { missingSentence, needLinux, needRoot, type Missing } from './prerequisites.ts';

export type KernelDelayTarget = Omit<KernelLossTarget, 'lossPct'> & { delayMs: number };

/**
 * What this machine or run lacks to delay packets on loopback: all of it, so
 * that a kernel without netem is reported even to a run that is not root
 * (root would not help there).
 */
export function kernelDelayMissing(): Missing[] {
  const linux = needLinux("kernel delay uses Linux's tc and netem");
  if (linux.length > 0) return linux;
  const missing = needRoot('tc changes the loopback queue');
  try {
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
  } catch {
    missing.push({ what: 'tc (Debian package iproute2)', kind: 'run' });
  }
  // Creating a throwaway netem qdisc would touch lo (and needs root); ask the kernel about the module instead:
  // loaded (/proc/modules, /sys/module), or loadable or built in (modprobe -n).
  try {
    execFileSync('sh', ['-c', 'grep -qw sch_netem /proc/modules 2>/dev/null || test -d /sys/module/sch_netem || modprobe -n sch_netem 2>/dev/null'], {
      stdio: 'ignore',
    });
  } catch {
    missing.push({ what: 'a kernel with the netem qdisc (sch_netem), which this one does not have', kind: 'machine' });
  }
  return missing;
}

/** Why this machine cannot delay packets on loopback, or null when it can. */
export function kernelDelayUnavailable(): string | null {
  const why = missingSentence(kernelDelayMissing());
  return why && `kernel delay ${why}`;
}

/** The tc commands that delay `target`'s packets (each direction passes lo once: the delay is added to each, so a round trip gains 2 × delayMs). */
export function delayCommands(target: KernelDelayTarget): string[][] {
  const { tcpPort, udpPorts, delayMs } = target;
  const filter = (match: string[]) => ['filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', ...match, 'flowid', '1:20'];
  const commands = [
    ['qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10'],
    ['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '100gbit'],
    ['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '100gbit'],
    ['qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'netem', 'delay', `${delayMs}ms`],
    filter(['match', 'ip', 'protocol', '6', '0xff', 'match', 'ip', 'dport', String(tcpPort), '0xffff']),
    filter(['match', 'ip', 'protocol', '6', '0xff', 'match', 'ip', 'sport', String(tcpPort), '0xffff']),
  ];
  // One filter per UDP port each way: the range is small (RTC_PORT_MIN..MAX), and u32 matches masks, not ranges.
  for (let port = udpPorts.min; port <= udpPorts.max; port++) {
    commands.push(filter(['match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', 'dport', String(port), '0xffff']));
    commands.push(filter(['match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', 'sport', String(port), '0xffff']));
  }
  return commands;
}

/** Runs `work` with the delay applied; removes lo's root qdisc afterwards, also when `work` fails (and on exit). */
export async function withKernelDelay<T>(target: KernelDelayTarget, work: () => Promise<T>): Promise<T> {
  const remove = () => {
    try {
      execFileSync('tc', ['qdisc', 'del', 'dev', 'lo', 'root'], { stdio: 'ignore' });
    } catch {
      // Nothing there: nothing to undo.
    }
  };
  process.once('exit', remove);
  try {
    for (const args of delayCommands(target)) execFileSync('tc', args, { stdio: 'ignore' });
    return await work();
  } finally {
    remove();
    process.off('exit', remove);
  }
}
