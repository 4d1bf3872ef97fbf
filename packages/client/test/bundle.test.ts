import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('the client source', () => {
  it('imports the API as types only, so no server code can reach a frontend bundle', async () => {
    const source = await readFile(new URL('../src/index.ts', import.meta.url), 'utf8');
    const runtimeImports = [...source.matchAll(/^(?:import|export) (?!type\b)[^;]*? from '([^']+)'/gm)].map(
      (m) => m[1],
    );
    expect(runtimeImports).toEqual(['@trpc/client', '@trpc/client']);
    expect(source).toMatch(/^import type \{ AppRouter \} from '@taskwire\/api';$/m);
  });
});
