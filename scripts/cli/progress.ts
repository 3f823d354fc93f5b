// Progress for the long runs (bench:fidelity, bench:load, soak): which step
// of how many, the time so far and an estimate of the time left. On a
// terminal it is one line on stderr, redrawn every second and kept below the
// run's own output; anywhere else (a pipe, a CI log) it is one plain line per
// step, so a log shows where a run was when it stopped.
//
// The estimate: the steps still to come times the mean step so far, or, before
// a step has finished, the caller's own plan; a run whose end is fixed in time
// (the soak) gives its deadline instead.

/** How often the terminal line is redrawn, so the clock moves between steps. */
const REDRAW_INTERVAL_MS = 1_000;
/** Narrower than this, the terminal's width is taken as unknown. */
const MIN_COLUMNS = 20;
const MS_PER_S = 1_000;
const S_PER_MIN = 60;

export interface ProgressOptions {
  /** Steps in the whole run. */
  total: number;
  /** What one step is expected to take, for the estimate before the first one finishes. */
  plannedStepMs?: number;
  /** The time left, when the run knows it better than by counting steps (a run that ends at a fixed time). */
  leftMs?: () => number;
  /** Where the progress goes; stderr keeps stdout for the run's results. */
  out?: NodeJS.WriteStream;
  now?: () => number;
}

export interface Progress {
  /** Step `label` begins (the next one in order). */
  step(label: string): void;
  /** A line of the run's own output (on stdout), printed above the progress line. */
  log(line: string): void;
  /** The run is over (or failed): the terminal line is cleared and its timer stopped. */
  end(): void;
}

/** Starts a progress reporter for a run of `total` steps. */
export function startProgress({ total, plannedStepMs, leftMs, out = process.stderr, now = () => performance.now() }: ProgressOptions): Progress {
  const startedAt = now();
  let started = 0;
  let currentAt = startedAt;
  let label = '';
  const finishedMs: number[] = [];
  const onTerminal = out.isTTY === true;
  let drawn = false;
  let timer: ReturnType<typeof setInterval> | null = null;

  const estimateLeftMs = (): number | null => {
    if (leftMs) return Math.max(0, leftMs());
    const perStep = finishedMs.length > 0 ? finishedMs.reduce((a, b) => a + b, 0) / finishedMs.length : plannedStepMs;
    if (perStep === undefined) return null;
    // The current step counts with whatever part of it is still to come.
    const current = started > 0 ? Math.max(0, perStep - (now() - currentAt)) : 0;
    return current + (total - started) * perStep;
  };
  const line = () => {
    const left = estimateLeftMs();
    return `[${started}/${total}] ${label} · ${duration(now() - startedAt)} so far${left === null ? '' : `, about ${duration(left)} left`}`;
  };
  const clear = () => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = () => {
    clear();
    // Cut to the terminal's width, so it stays one line that \r can go back over (a width of 0: unknown, not cut).
    const columns = out.columns ?? 0;
    out.write(columns > MIN_COLUMNS ? line().slice(0, columns - 1) : line());
    drawn = true;
  };

  return {
    step(next) {
      const at = now();
      if (started > 0) finishedMs.push(at - currentAt);
      started++;
      currentAt = at;
      label = next;
      if (!onTerminal) return void out.write(`${line()}\n`);
      draw();
      if (timer === null) {
        timer = setInterval(draw, REDRAW_INTERVAL_MS);
        timer.unref();
      }
    },
    log(text) {
      clear();
      console.log(text);
      if (onTerminal && started > 0 && timer !== null) draw();
    },
    end() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      clear();
    },
  };
}

/** 42 s, 3 min 05 s, 1 h 02 min. */
export function duration(ms: number): string {
  const s = Math.round(ms / MS_PER_S);
  if (s < S_PER_MIN) return `${s} s`;
  const min = Math.floor(s / S_PER_MIN);
  if (min < S_PER_MIN) return `${min} min ${String(s % S_PER_MIN).padStart(2, '0')} s`;
  return `${Math.floor(min / S_PER_MIN)} h ${String(min % S_PER_MIN).padStart(2, '0')} min`;
}
