// Runs one target for N inputs and counts what happened. An exception or a
// violation is recorded with the input's index and its exact text (hex for
// bytes), so `--seed` and `--target` replay it.
import { performance } from 'node:perf_hooks';
import { seededRandom } from '../../protocol/sim/random.ts';
import type { AnyFuzzTarget } from './fuzz-target.ts';

/** Failures kept per target with their input; beyond this they are only counted. */
const MAX_RECORDED_FAILURES = 10;
/** Longest input text printed with a failure; a longer one is cut, with its length given. */
const MAX_SHOWN_INPUT_CHARS = 4096;
/** FNV-1a, 32 bits: mixes the target's name into the seed. */
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export interface FuzzFailure {
  /** 0-based index of the input in this target's stream for the seed. */
  index: number;
  kind: 'exception' | 'violation';
  message: string;
  input: string;
}

export interface FuzzReport {
  target: string;
  inputs: number;
  accepted: number;
  rejected: number;
  exceptions: number;
  violations: number;
  elapsedMs: number;
  failures: FuzzFailure[];
}

/**
 * Each target draws from its own PRNG, seeded by the run's seed and the
 * target's name: its inputs are the same whichever other targets run.
 */
export function targetSeed(seed: number, name: string): number {
  let hash = (FNV_OFFSET_BASIS ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), FNV_PRIME) >>> 0;
  return hash;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error)}`;
  const frames = error.stack
    ?.split('\n')
    .slice(1, 4)
    .map((line) => line.trim())
    .join(' / ');
  return `${error.name}: ${error.message}${frames ? ` (${frames})` : ''}`;
}

const clip = (text: string) => (text.length <= MAX_SHOWN_INPUT_CHARS ? text : `${text.slice(0, MAX_SHOWN_INPUT_CHARS)}… (${text.length} characters in all)`);

/** Feeds `inputs` generated inputs to `target`; never throws, whatever the decoder does. */
export function fuzzTarget(target: AnyFuzzTarget, inputs: number, seed: number): FuzzReport {
  const random = seededRandom(targetSeed(seed, target.name));
  const report: FuzzReport = { target: target.name, inputs, accepted: 0, rejected: 0, exceptions: 0, violations: 0, elapsedMs: 0, failures: [] };
  const record = (failure: FuzzFailure) => {
    if (report.failures.length < MAX_RECORDED_FAILURES) report.failures.push(failure);
  };
  const started = performance.now();
  for (let index = 0; index < inputs; index++) {
    const input = target.generate(random);
    try {
      const outcome = target.run(input);
      if (outcome === 'accepted') report.accepted++;
      else if (outcome === 'rejected') report.rejected++;
      else {
        report.violations++;
        record({ index, kind: 'violation', message: outcome.violation, input: clip(target.show(input)) });
      }
    } catch (error) {
      report.exceptions++;
      record({ index, kind: 'exception', message: describeError(error), input: clip(target.show(input)) });
    }
  }
  report.elapsedMs = performance.now() - started;
  return report;
}
