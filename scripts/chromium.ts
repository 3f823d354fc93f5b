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

/** Flags that keep Chromium quiet on a machine without internet. */
const OFFLINE_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

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

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(HOW_TO_SET_CHROME_PATH);
  return chromium.launch({ executablePath, headless: true, args: OFFLINE_FLAGS });
}
