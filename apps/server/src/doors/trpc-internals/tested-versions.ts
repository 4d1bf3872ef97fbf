/**
 * The @trpc/server releases (major.minor) whose internals this folder was checked against by
 * test/trpc-conformance.test.ts, which compares its answers byte for byte with tRPC's own adapter.
 * A test fails when the installed version is outside them.
 */
export const TESTED_TRPC_VERSIONS = ['11.25'] as const;
