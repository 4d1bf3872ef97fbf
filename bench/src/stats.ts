/** The q-th quantile (0–1) of the samples, by nearest rank. */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Milliseconds with two decimals, for tables. */
export const ms = (value: number) => value.toFixed(2);

/** Times `run` `samples` times after `warmup` untimed runs; returns each duration in ms. */
export async function sample(run: () => Promise<unknown>, samples: number, warmup = 20): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const durations: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await run();
    durations.push(performance.now() - start);
  }
  return durations;
}
