// The rule for tests that need more of the machine than Node (test/needs.ts).
import { describe, expect, it } from 'vitest';
import type { Missing } from '../../scripts/prerequisites.ts';
import { verdict } from '../needs.ts';

const notRoot: Missing = { what: "root (nftables changes the kernel's packet filter)", kind: 'run' };
const noQueue: Missing = { what: "a kernel with netfilter's NFQUEUE target, which this one does not have", kind: 'machine' };
const COMMAND = 'sudo npx vitest run test/x.test.ts';

describe('a test file with prerequisites', () => {
  it('runs when nothing is missing, in CI or not', () => {
    expect(verdict('x', [], COMMAND, false)).toEqual({ run: true });
    expect(verdict('x', [], COMMAND, true)).toEqual({ run: true });
  });

  it('is reported as not run outside CI, by name, with why and the command that runs it', () => {
    expect(verdict('kernel loss', [notRoot], COMMAND, false)).toEqual({
      run: false,
      fail: false,
      line: `not run: kernel loss: needs ${notRoot.what}. Run it with: ${COMMAND}`,
    });
  });

  it('fails under CI=1 when the run lacks what it could have had (root, a package)', () => {
    const decided = verdict('kernel loss', [notRoot], COMMAND, true);
    expect(decided).toMatchObject({ run: false, fail: true });
    expect(decided.run === false && decided.line).toMatch(/^kernel loss: CI=1 and this run lacks root/);
  });

  it('is reported as not run under CI=1 too when the machine cannot have it, even if the run lacks more', () => {
    expect(verdict('kernel delay', [noQueue], COMMAND, true)).toMatchObject({ run: false, fail: false });
    expect(verdict('kernel delay', [notRoot, noQueue], COMMAND, true)).toMatchObject({ run: false, fail: false });
  });
});
