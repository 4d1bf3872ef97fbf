import { defineConfig } from 'vitest/config';

const source = (path: string) => new URL(path, import.meta.url).pathname;

// Never test on an unsupported Node by accident: `npm test` runs under Node 24 even where the
// machine's own Node is older (scripts/node-runtime.mjs).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  throw new Error(`Taskwire's tests need Node 22.12 or newer, not ${process.version}: run them with npm test`);
}

/**
 * The vitest settings every package shares: workspace packages resolve to their TypeScript
 * sources (no build needed to test), and one template database is migrated per run.
 * Aliases rather than resolve conditions: vitest hands conditions on to Node for dependencies,
 * which makes CommonJS packages such as pg load their ESM wrappers.
 */
export const sharedTestConfig = defineConfig({
  resolve: {
    alias: [
      { find: /^@taskwire\/db\/testing$/, replacement: source('./packages/db/src/testing/index.ts') },
      { find: /^@taskwire\/db$/, replacement: source('./packages/db/src/index.ts') },
      { find: /^@taskwire\/api$/, replacement: source('./packages/api/src/index.ts') },
      { find: /^@taskwire\/client$/, replacement: source('./packages/client/src/index.ts') },
      { find: /^@taskwire\/server$/, replacement: source('./apps/server/src/index.ts') },
    ],
  },
  test: {
    globalSetup: [source('./packages/db/src/testing/global-setup.ts')],
    testTimeout: 45_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report lets `npm test` print one total for the whole monorepo.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
