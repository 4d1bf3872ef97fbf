import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('the client source', () => {
  it('imports the API as types only, so no server code can reach a frontend bundle', async () => {
    const dir = new URL('../src/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('index.ts');
    for (const file of files) {
      const source = await readFile(new URL(file, dir), 'utf8');
      const runtimeImports = [...source.matchAll(/^(?:import|export) (?!type\b)[^;]*? from '([^']+)'/gm)].map(
        (m) => m[1],
      );
      for (const specifier of runtimeImports) expect(specifier, file).toMatch(/^(@trpc\/client|\.\/[\w-]+\.js)$/);
    }
    const index = await readFile(new URL('index.ts', dir), 'utf8');
    expect(index).toMatch(/^import type \{ AppRouter \} from '@taskwire\/api';$/m);
  });
});
