import { execFileSync } from 'node:child_process';

// What a command or a test needs of the machine beyond Node (Linux, root, a
// kernel feature, a system package), and whether the one missing is the
// machine's or the run's. The difference decides what `CI=1 npm test` does
// (test/needs.ts): a run can be given root or a package, so CI fails without
// them; a machine cannot be given another OS or a kernel module from inside
// a test run, so there the test is reported as not run, in CI too.

/** Something missing for a command or a test to run. */
export interface Missing {
  /** What is missing and why it is needed, as one clause: "root (nftables changes the kernel's packet filter)". */
  what: string;
  /**
   * 'machine': this machine cannot have it (another OS; a kernel without the
   * module, e.g. a container's host kernel); 'run': the run could have had it
   * (run as root; install a package).
   */
  kind: 'machine' | 'run';
}

/** Linux, or what is missing. */
export function needLinux(feature: string): Missing[] {
  return process.platform === 'linux' ? [] : [{ what: `Linux (${feature}); this is ${process.platform}`, kind: 'machine' }];
}

/** Root, or what is missing. */
export function needRoot(why: string): Missing[] {
  return process.getuid?.() === 0 ? [] : [{ what: `root (${why})`, kind: 'run' }];
}

/** One sentence for everything missing, or null when nothing is. */
export function missingSentence(missing: Missing[]): string | null {
  return missing.length === 0 ? null : `needs ${missing.map((m) => m.what).join('; and ')}`;
}

/** Whether `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `command` exists: as root with apt-get it installs Debian's
 * `debianPackage`, as the browser tests install Chromium; otherwise it fails
 * saying what to install.
 */
export function ensureCommand(command: string, debianPackage: string): void {
  if (hasCommand(command)) return;
  if (!hasCommand('apt-get')) throw new Error(`${command} is not installed and there is no apt-get to install it: install ${debianPackage}`);
  console.log(`${command}: not found; installing Debian package \`${debianPackage}\` (root, apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], { stdio: 'inherit', env });
  if (!hasCommand(command)) throw new Error(`apt-get installed ${debianPackage}, but ${command} was not found afterwards`);
}
