import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkOutputs, output } from '../src/outputs.js';
import { appRouter } from '../src/router.js';

describe('output schemas', () => {
  const schema = output(z.object({ id: z.string() }));

  it('are checked exactly in tests: an undeclared field fails, as a wrong type does', () => {
    expect(schema.parse({ id: 'a' })).toEqual({ id: 'a' });
    expect(() => schema.parse({ id: 'a', email: 'leak@example.com' })).toThrow(/not exactly/);
    expect(() => schema.parse({ id: 1 })).toThrow();
  });

  it('are trusted when checking is off (production), passing the answer through unchanged', () => {
    checkOutputs(false);
    try {
      const answer = { id: 1 };
      expect(schema.parse(answer)).toBe(answer);
    } finally {
      checkOutputs(true);
    }
  });

  it('are declared by every procedure but the subscription, whose events the generator types', () => {
    type Definition = { _def: { output?: unknown; type: string } };
    const missing = Object.entries(appRouter._def.procedures)
      .filter(([, procedure]) => (procedure as unknown as Definition)._def.type !== 'subscription')
      .filter(([, procedure]) => !(procedure as unknown as Definition)._def.output)
      .map(([path]) => path);
    expect(missing).toEqual([]);
  });
});
