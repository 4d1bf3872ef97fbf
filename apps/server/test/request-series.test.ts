import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRequestSeries } from '../src/ops/request-series.js';

// The request series must print exactly what prom-client's own Counter and Histogram print for the
// same observations: dashboards and alerts read these lines.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const NAMES = {
  counterName: 'taskwire_requests_total',
  counterHelp: 'Procedure calls by HTTP status',
  histogramName: 'taskwire_request_duration_seconds',
  histogramHelp: 'Request latency by procedure and HTTP status',
};

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function bothWays(observations: [procedure: string, status: string, seconds: number][]) {
  const own = new Registry();
  const series = createRequestSeries({ ...NAMES, buckets: BUCKETS });
  own.registerMetric(series.counter);
  own.registerMetric(series.histogram);

  const reference = new Registry();
  const labelNames = ['procedure', 'status'] as const;
  const counter = new Counter({ name: NAMES.counterName, help: NAMES.counterHelp, labelNames, registers: [reference] });
  const histogram = new Histogram({
    name: NAMES.histogramName,
    help: NAMES.histogramHelp,
    labelNames,
    buckets: BUCKETS,
    registers: [reference],
  });
  for (const [procedure, status, seconds] of observations) {
    series.record(procedure, status, seconds);
    counter.inc({ procedure, status });
    histogram.observe({ procedure, status }, seconds);
  }
  return { own, reference, series };
}

describe('request series', () => {
  it('prints what prom-client prints for the same requests, bucket edges included', async () => {
    const random = seeded(11);
    const procedures = ['task.list', 'auth.me', 'unknown', 'mcp:add_task'];
    const statuses = ['200', '401', '499', '503'];
    const observations: [string, string, number][] = [];
    for (let i = 0; i < 2_000; i++) {
      const edge = random() < 0.1;
      const seconds = edge ? (BUCKETS[Math.floor(random() * BUCKETS.length)] as number) : random() ** 4 * 8;
      observations.push([
        procedures[Math.floor(random() * procedures.length)] as string,
        statuses[Math.floor(random() * statuses.length)] as string,
        seconds,
      ]);
    }
    const { own, reference } = bothWays(observations);
    const printed = await own.metrics();
    expect(printed).toBe(await reference.metrics());
    expect(printed).toMatch(
      /taskwire_request_duration_seconds_bucket\{le="\+Inf",procedure="task\.list",status="200"\} \d+/,
    );
    expect(await own.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
  });

  it('starts empty and forgets everything on reset, as prom-client does', async () => {
    const { own, reference, series } = bothWays([['task.list', '200', 0.003]]);
    expect(await own.metrics()).toBe(await reference.metrics());
    own.resetMetrics();
    reference.resetMetrics();
    expect(await own.metrics()).toBe(await reference.metrics());
    expect(await own.metrics()).not.toContain('task.list');
    series.record('auth.me', '401', 0.0001);
    expect(await own.metrics()).toMatch(/taskwire_requests_total\{procedure="auth\.me",status="401"\} 1/);
  });
});
