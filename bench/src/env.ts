import { z } from 'zod';

// The benchmarks' only reader of process.env.
const schema = z.object({
  BENCH_DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/taskwire_bench'),
  /** Skip loading when the data set is already there (rerunning only the queries). */
  BENCH_REUSE_DATA: z.enum(['true', 'false']).default('true'),
  BENCH_SAMPLES: z.coerce.number().int().min(20).max(100_000).default(200),
  BENCH_HTTP_DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/taskwire_bench_http'),
  BENCH_LIVE_DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/taskwire_bench_live'),
  BENCH_REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  BENCH_ACCESS_DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/taskwire_bench_access'),
  /** Alternating A/B rounds of `pnpm bench` (medians are reported). */
  BENCH_ROUNDS: z.coerce.number().int().min(1).max(50).default(5),
  BENCH_SECONDS: z.coerce.number().int().min(2).max(120).default(8),
});

export const benchEnv = schema.parse(process.env);
