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
  /** bench:live: users share this many projects (each change reaches its project's members); 0: everyone alone. */
  BENCH_LIVE_PROJECTS: z.coerce.number().int().min(0).max(200).default(20),
  BENCH_ACCESS_DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/taskwire_bench_access'),
  /** `bench:timing` on this Postgres (recreated); unset: embedded PGlite in memory, as the tests run. */
  BENCH_TIMING_DATABASE_URL: z.url().optional(),
  /** Alternating A/B rounds of `pnpm bench` (medians are reported). */
  BENCH_ROUNDS: z.coerce.number().int().min(1).max(50).default(5),
  BENCH_SECONDS: z.coerce.number().int().min(2).max(120).default(8),
  /** bench:profile: seconds of task.list load profiled with --cpu-prof. */
  BENCH_PROFILE_SECONDS: z.coerce.number().int().min(2).max(120).default(15),
  /**
   * bench:profile: which server's task.list is profiled: row A's tRPC, row A''s REST route, or row
   * C's hand-tuned ceiling (to compare where the two spend their CPU).
   */
  BENCH_PROFILE_DOOR: z.enum(['trpc', 'rest', 'ceiling']).default('trpc'),
  BENCH_HOOKS_DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/taskwire_bench_hooks'),
  /** bench:hooks: seconds of load at 1 000 changes a second. */
  BENCH_HOOKS_SECONDS: z.coerce.number().int().min(2).max(300).default(30),
});

export const benchEnv = schema.parse(process.env);
