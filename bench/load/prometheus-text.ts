// Reads the Prometheus text format (what the server's GET /metrics serves)
// into plain samples: a name, its labels and a value. Only what the load bench
// needs: comment lines (# HELP, # TYPE) and a trailing timestamp are skipped,
// and a line it cannot read is skipped rather than thrown on, so one odd
// metric cannot end a run.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  /** NaN for a summary with no observations yet; ±Infinity for +Inf / -Inf. */
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;

/** Every sample in `text`, in order. */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) continue;
    const labels = match[2] === undefined ? {} : parseLabels(match[2]);
    if (labels === null) continue;
    samples.push({ name: match[1]!, labels, value: parseValue(match[3]!) });
  }
  return samples;
}

/** The value of the first sample named `name` whose labels include all of `labels`; undefined if none. */
export function sampleValue(samples: readonly PromSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** `a="x",b="y \"quoted\""` into an object; null if it does not read as label pairs. */
function parseLabels(text: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const name = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(text.slice(i));
    if (!name) return null;
    i += name[0].length;
    let value = '';
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\' && i + 1 < text.length) {
        i++;
        value += text[i] === 'n' ? '\n' : text[i];
      } else {
        value += text[i];
      }
    }
    if (text[i] !== '"') return null; // an unterminated value
    labels[name[1]!] = value;
    i++;
    const rest = /^\s*,?\s*/.exec(text.slice(i))!;
    i += rest[0].length;
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text); // "NaN" and anything unreadable are NaN
}
