import { readFileSync } from 'node:fs';
import { appRouter } from '@taskwire/api';
import { describe, expect, it } from 'vitest';

// The API reference is prose, but its list of procedures is checked against the router: a new
// procedure without documentation fails here, and so does documentation of one that is gone.

const reference = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
const procedures = Object.keys(appRouter._def.procedures).sort();
const routers = [...new Set(procedures.map((path) => path.split('.')[0]))];
/** Every `router.procedure` the reference names in code spans. */
const named = new Set(
  [...reference.matchAll(/`([a-z]+)\.([a-zA-Z]+)`/g)]
    .filter(([, router]) => routers.includes(router ?? ''))
    .map(([, router, name]) => `${router}.${name}`),
);

describe('docs/api.md', () => {
  it('documents every procedure of the router', () => {
    expect(procedures.filter((path) => !named.has(path))).toEqual([]);
  });

  it('names no procedure the router does not have', () => {
    expect([...named].filter((path) => !procedures.includes(path)).sort()).toEqual([]);
  });

  it('stays out of the README, which links to it', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('docs/api.md');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
  });
});
