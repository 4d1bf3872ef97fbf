import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

// `pnpm test:faults`: fault tests that disturb the machine (they stop and start its Postgres), so
// they run on demand, not in `pnpm test`.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({ test: { include: ['test-faults/**/*.test.ts'], fileParallelism: false, reporters: ['default'] } }),
);
