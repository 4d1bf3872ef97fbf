import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { TESTED_TRPC_VERSIONS } from '../src/doors/trpc-internals/tested-versions.js';

// src/doors/trpc-internals reads tRPC's internals (`unstable-core-do-not-import`, router `_def`),
// which may change in any release. This fails on an upgrade until someone has run the
// conformance suite against the new version.

describe('the installed tRPC', () => {
  it('is a version the fast handlers were tested with', () => {
    const { version } = createRequire(import.meta.url)('@trpc/server/package.json') as { version: string };
    const minor = version.split('.').slice(0, 2).join('.');
    expect(
      TESTED_TRPC_VERSIONS as readonly string[],
      `@trpc/server ${version} is not among the versions src/doors/trpc-internals was tested with (${TESTED_TRPC_VERSIONS.join(', ')}): ` +
        'run `pnpm exec vitest run test/trpc-conformance.test.ts` in apps/server, and when it passes add the version to tested-versions.ts',
    ).toContain(minor);
  });
});
