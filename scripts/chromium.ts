// Finds the system's Chromium for browser tests and screenshots, and starts
// it headless through playwright-core (which never downloads a browser).
//
// Order: $CHROME_PATH, then chromium / chromium-browser / google-chrome on
// PATH, then the usual install paths.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const USUAL_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/**
 * Flags that keep Chromium quiet and on loopback: tests, benchmarks and load
 * runs send traffic only to 127.0.0.1, WebRTC included. With these and
 * DISABLED_FEATURES, tcpdump and an nftables log of a test run's own sockets
 * saw zero packets leave lo; before them, DNS queries, mDNS and IGMP did.
 */
const LOOPBACK_ONLY_FLAGS = [
  '--no-sandbox',
  // Stops background fetches (variations, promos, safe-browsing lists).
  '--disable-background-networking',
  // Stops component updater requests (update.googleapis.com).
  '--disable-component-update',
  // Stops sync requests to Google.
  '--disable-sync',
  // Stops first-run work (default-browser check, welcome pages).
  '--no-first-run',
  // Stops every DNS query (autofill, accounts.google.com, update servers went
  // to the machine's resolver): any name but localhost fails at once. IP
  // literals (http://127.0.0.1:port) need their own EXCLUDE, or MAP * catches them too.
  // Not covered: a page that fails to load a *name* makes the error page probe
  // google.com via the system resolver and 8.8.8.8 — open only IPs or localhost.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
  // Stops WebRTC host candidates: the page never learns the machine's own
  // addresses (eth0's), so it can never pass one to a server that would send checks there.
  // ICE still reaches a loopback server: the browser's checks go to the server's
  // 127.0.0.1 candidate (the server sees them as peer-reflexive).
  '--webrtc-ip-handling-policy=default_public_interface_only',
];

/**
 * Features to disable, merged with playwright's own list into one
 * `--disable-features` (Chromium keeps only the last one; a second switch
 * would silently re-enable everything playwright disables).
 */
const DISABLED_FEATURES = [
  // Stops mDNS on the machine's interfaces: without it every peer connection
  // opens a 5353 socket joined to 224.0.0.251 (IGMP reports on eth0) and
  // announces .local names for host candidates (224.0.0.251:5353).
  'WebRtcHideLocalIpsWithMdns',
];

/**
 * playwright-core 1.65.1's own disabled features (chromiumSwitches.ts), kept
 * because ours replace its switch. After upgrading playwright-core, copy them
 * again: `grep -A40 'disabledFeatures = \[' node_modules/playwright-core/lib/coreBundle.js`.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

const DISABLE_FEATURES = '--disable-features';

/** `--name=value` → `--name`, so a caller's flag can replace one of ours. */
function switchName(flag: string): string {
  const equals = flag.indexOf('=');
  return equals === -1 ? flag : flag.slice(0, equals);
}

/**
 * Our flags, except those `extraArgs` sets again (Chromium keeps only the last
 * value of a switch), then `extraArgs`, then one `--disable-features` holding
 * playwright's features, ours and any the caller names.
 */
export function chromiumArgs(extraArgs: readonly string[] = []): string[] {
  const callerFeatures = extraArgs
    .filter((flag) => switchName(flag) === DISABLE_FEATURES)
    .flatMap((flag) => flag.slice(DISABLE_FEATURES.length + 1).split(','))
    .filter(Boolean);
  const extra = extraArgs.filter((flag) => switchName(flag) !== DISABLE_FEATURES);
  const replaced = new Set(extra.map(switchName));
  const features = [...new Set([...PLAYWRIGHT_DISABLED_FEATURES, ...DISABLED_FEATURES, ...callerFeatures])];
  return [...LOOPBACK_ONLY_FLAGS.filter((flag) => !replaced.has(switchName(flag))), ...extra, `${DISABLE_FEATURES}=${features.join(',')}`];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The Chromium executable to use, or null when there is none. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  for (const command of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = onPath(command);
    if (found) return found;
  }
  return USUAL_PATHS.find(isExecutable) ?? null;
}

export const HOW_TO_SET_CHROME_PATH =
  'No Chromium found. Install one (Debian: `apt-get install chromium`) or point CHROME_PATH at a Chrome/Chromium executable, e.g. CHROME_PATH=/usr/bin/chromium npm test';

export interface LaunchOptions {
  /**
   * More Chromium flags; one naming a switch we already set replaces ours
   * (e.g. `--webrtc-ip-handling-policy=disable_non_proxied_udp`); features
   * in a `--disable-features` are added to ours and playwright's.
   */
  extraArgs?: readonly string[];
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(HOW_TO_SET_CHROME_PATH);
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs(options.extraArgs) });
}
