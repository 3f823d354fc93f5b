// `vite build` for the scripts that serve or drive the built client (npm
// start, cluster, lab, screenshot, bench:render, bench:fidelity). Each reads
// its flags first and builds only then, so `--help` or a typo answers at once
// instead of after a build.
import { build, type LogLevel } from 'vite';

/** Builds the browser client into dist/ (as `npm run build`). */
export async function buildClient(logLevel: LogLevel = 'info'): Promise<void> {
  await build({ configFile: 'vite.config.ts', logLevel });
}
