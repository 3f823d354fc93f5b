// tcpdump on loopback, limited to one TCP port: started before a window,
// stopped after it, its text kept for tcp-capture.ts to read. On loopback it
// sees each packet as it is sent, before nftables' input hook may drop it, so
// every transmission is in the capture, dropped or not. Linux and root only.
import { execFileSync, spawn } from 'node:child_process';

export interface RunningCapture {
  /** Stops tcpdump and returns what it printed (`-n -tt -S`: numeric, epoch seconds, absolute sequence numbers). */
  stop(): Promise<string>;
}

/** Starts capturing `tcp port PORT` on lo; resolves once tcpdump is listening. */
export async function startCapture(port: number): Promise<RunningCapture> {
  const capture = spawn('tcpdump', ['-i', 'lo', '-n', '-tt', '-S', '-l', `tcp port ${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  capture.stdout.on('data', (chunk) => (text += chunk));
  // tcpdump says "listening on lo" on stderr when it is; a second is the fallback.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    capture.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    async stop() {
      capture.kill('SIGINT');
      if (capture.exitCode === null) await new Promise((resolve) => capture.once('close', resolve));
      return text;
    },
  };
}

export function ensureTcpdump(): void {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
  } catch {
    console.log('tcpdump: not found; installing Debian package `tcpdump` (root, apt-get)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'tcpdump'], { stdio: 'inherit', env });
  }
}
