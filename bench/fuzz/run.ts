// `npm run fuzz`: drives every decoder with random and mutated inputs (see
// targets.ts) and prints, per target, inputs, inputs per second, accepted and
// rejected counts, exceptions and violations. Exits non-zero if any decoder
// threw or answered out of shape, and prints each such input (hex for bytes).
//
//   npm run fuzz                                   1 000 000 inputs in all, seed 1
//   npm run fuzz -- --inputs 9000000 --seed 7      10^6 per target, another stream of inputs
//   npm run fuzz -- --target decodeDeltaSnapshot   one target (repeatable); --list names them
//
// `--inputs` is the total, shared evenly by the targets that run (the first
// ones take the remainder): the default 10^6 finishes in well under a minute
// on one core, while the stream parsers (zod, and JSON.parse errors) cost
// ~20-60 µs an input. Inputs per second include making each input.
import { performance } from 'node:perf_hooks';
import { fuzzTarget, type FuzzReport } from './fuzz-loop.ts';
import { TARGETS } from './targets.ts';
import { defineCommand, flagsOrExit, UsageError } from '../../game-server/cli/flags.ts';

const DEFAULT_INPUTS = 1_000_000;
const DEFAULT_SEED = 1;
const MS_PER_S = 1000;

const FUZZ_COMMAND = defineCommand({
  name: 'npm run fuzz',
  about: 'Drives every decoder with random and mutated inputs; exits 1 if any threw or answered out of shape.',
  flags: {
    inputs: { type: 'string', value: 'N', default: String(DEFAULT_INPUTS), help: 'inputs in all, shared evenly by the targets that run' },
    seed: { type: 'string', value: 'N', default: String(DEFAULT_SEED), help: 'seed of the stream of inputs' },
    target: { type: 'string', value: 'NAME', multiple: true, defaultText: 'every one', help: 'run only this target (repeatable)' },
    list: { type: 'boolean', help: 'name the targets and exit' },
  },
});

function parseCount(text: string, flag: string): number {
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`${flag} takes a whole number, not ${JSON.stringify(text)}`);
  return value;
}

function options() {
  return flagsOrExit(FUZZ_COMMAND, (values) => {
    const names = values.target ?? TARGETS.map((t) => t.name);
    const unknown = names.filter((name) => !TARGETS.some((t) => t.name === name));
    if (unknown.length > 0) throw new UsageError(`unknown target ${unknown.join(', ')}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
    return {
      inputs: parseCount(values.inputs, '--inputs'),
      seed: parseCount(values.seed, '--seed'),
      targets: TARGETS.filter((t) => names.includes(t.name)),
      list: values.list,
    };
  });
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

function printTable(reports: FuzzReport[], totalMs: number) {
  const header = ['target', 'inputs', 'inputs/s', 'accepted', 'rejected', 'exceptions', 'violations', 'seconds'];
  const total: FuzzReport = { target: 'total', inputs: 0, accepted: 0, rejected: 0, exceptions: 0, violations: 0, elapsedMs: totalMs, failures: [] };
  for (const r of reports) {
    total.inputs += r.inputs;
    total.accepted += r.accepted;
    total.rejected += r.rejected;
    total.exceptions += r.exceptions;
    total.violations += r.violations;
  }
  const rows = [...reports, total].map((r) => [
    r.target,
    thousands(r.inputs),
    thousands(r.elapsedMs > 0 ? (r.inputs * MS_PER_S) / r.elapsedMs : 0),
    thousands(r.accepted),
    thousands(r.rejected),
    thousands(r.exceptions),
    thousands(r.violations),
    (r.elapsedMs / MS_PER_S).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

function main() {
  const parsed = options();
  const { inputs, seed, targets, list } = parsed;
  if (list) {
    for (const t of TARGETS) console.log(`${t.name.padEnd(24)} ${t.description}`);
    return;
  }
  console.log(`fuzz: ${thousands(inputs)} inputs over ${targets.length} targets, seed ${seed}`);
  const started = performance.now();
  const reports: FuzzReport[] = [];
  for (const [i, target] of targets.entries()) {
    const share = Math.floor(inputs / targets.length) + (i < inputs % targets.length ? 1 : 0);
    const report = fuzzTarget(target, share, seed);
    reports.push(report);
    console.error(`  ${target.name}: ${(report.elapsedMs / MS_PER_S).toFixed(1)} s`);
  }
  console.log();
  printTable(reports, performance.now() - started);
  const failures = reports.flatMap((r) => r.failures.map((f) => ({ target: r.target, ...f })));
  for (const f of failures) {
    console.log(`\n${f.target} input #${f.index} (seed ${seed}): ${f.kind}: ${f.message}\n  input: ${f.input}`);
  }
  const failed = reports.some((r) => r.exceptions + r.violations > 0);
  console.log(failed ? '\nFAIL: a decoder threw or answered out of shape (inputs above).' : '\nOK: no exceptions, no violations.');
  process.exitCode = failed ? 1 : 0;
}

main();
