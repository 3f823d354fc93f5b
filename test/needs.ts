// Test files that need more of the machine than Node (Linux, root, a kernel
// feature) run wherever they can. Elsewhere they are reported by name as not
// run, with why and the command that runs them, and the rest of `npm test`
// goes on. The rule under CI=1 (scripts/prerequisites.ts has the kinds):
// - something the run could have had (root, a package) fails the run: CI is
//   expected to run as root, as it installs Chromium, Redis and nftables;
// - something this machine cannot have (another OS, a kernel without the
//   module) is reported as not run, in CI too: no run could give it.
import { describe, it } from 'vitest';
import type { Missing } from '../scripts/prerequisites.ts';

/** CI=1 (or any value but 0 / false), as CI services set it. */
export const IN_CI = ['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase()) === false;

/** What `describeNeeding` decided, for the tests of this rule. */
export type Verdict = { run: true } | { run: false; fail: boolean; line: string };

/** Whether a file needing `missing` runs, is skipped, or fails (CI=1 and only the run's own things missing). */
export function verdict(name: string, missing: Missing[], command: string, inCi = IN_CI): Verdict {
  if (missing.length === 0) return { run: true };
  const why = missing.map((m) => m.what).join('; and ');
  const machineLacks = missing.some((m) => m.kind === 'machine');
  if (inCi && !machineLacks) {
    return { run: false, fail: true, line: `${name}: CI=1 and this run lacks ${why}. CI is expected to have it; run as: ${command}` };
  }
  const how = machineLacks ? `On a machine that has it: ${command}` : `Run it with: ${command}`;
  return { run: false, fail: false, line: `not run: ${name}: needs ${why}. ${how}` };
}

/**
 * `describe(name, body)` when nothing is missing. Otherwise a skipped suite
 * whose name says why and how to run it, and the same line on stderr; or,
 * under CI=1 when only the run's own things are missing, one failing test
 * saying so.
 */
export function describeNeeding(name: string, missing: Missing[], command: string, body: () => void): void {
  const decided = verdict(name, missing, command);
  if (decided.run) {
    describe(name, body);
    return;
  }
  console.warn(decided.line);
  if (decided.fail) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(decided.line);
      });
    });
    return;
  }
  describe.skip(`${name} (${decided.line})`, body);
}
