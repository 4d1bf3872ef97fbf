import { defineConfig } from 'vitest/config';

// Component-level logic (URL state, dates): plain functions, no browser needed. The JSON report
// feeds the monorepo's test total (scripts/test-summary.mjs).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
