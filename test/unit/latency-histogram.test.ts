// The transport floor's latency histogram: buckets, differences, percentiles.
import { describe, expect, it } from 'vitest';
import { bucketUpperMs, histogramBetween, histogramPercentileMs, LATENCY_BUCKETS, latencyBucket } from '../../bench/transport/latency-histogram.ts';

describe('latency buckets', () => {
  it('are 50 µs wide up to 5 ms, 1 ms to 200 ms, 10 ms to 2 s, then one for the rest', () => {
    expect(latencyBucket(0.01)).toBe(0);
    expect(bucketUpperMs(latencyBucket(0.12))).toBeCloseTo(0.15, 9);
    expect(bucketUpperMs(latencyBucket(4.99))).toBeCloseTo(5, 9);
    expect(bucketUpperMs(latencyBucket(5))).toBe(6);
    expect(bucketUpperMs(latencyBucket(199.5))).toBe(200);
    expect(bucketUpperMs(latencyBucket(205))).toBe(210);
    expect(latencyBucket(5_000)).toBe(LATENCY_BUCKETS - 1);
    expect(bucketUpperMs(LATENCY_BUCKETS - 1)).toBe(Infinity);
  });

  it('put a negative latency (clocks of two processes a hair apart) in the first', () => {
    expect(latencyBucket(-0.02)).toBe(0);
  });
});

describe('histogram percentiles over a window', () => {
  it('take the difference of two running counts, then the bucket the rank falls in', () => {
    const start = new Array<number>(LATENCY_BUCKETS).fill(0);
    const end = [...start];
    for (const ms of [0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.4, 0.5, 1.0, 150]) end[latencyBucket(ms)]! += 1;
    start[latencyBucket(0.2)] = 1; // one of the 0.2 ms arrived before the window
    const window = histogramBetween(start, end);
    expect(window.reduce((n, c) => n + c, 0)).toBe(9);
    expect(histogramPercentileMs(window, 50)).toBeCloseTo(0.45, 9); // the 5th of 9: a 0.4 ms, in the bucket up to 0.45
    expect(histogramPercentileMs(window, 99)).toBe(151); // the 9th: the 150 ms one
  });

  it('is null for an empty window', () => {
    expect(histogramPercentileMs(new Array<number>(LATENCY_BUCKETS).fill(0), 50)).toBeNull();
  });
});
