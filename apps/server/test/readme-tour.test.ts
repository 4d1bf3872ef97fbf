import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';

// The README's 60-second tour, run as a reader pastes it into a shell (bash, failing on the first
// error), twice in a row against one server: the second run must work too, on the same account.

const run = promisify(execFile);
const running = useTestServer();

async function tour(): Promise<string> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## A 60-second tour'));
  const script = /```sh\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!script) throw new Error('the README has no tour');
  return script;
}

describe("the README's curl tour", () => {
  it('runs twice in a row on one server: signs up, then logs in, and lists every task it created', async () => {
    const script = (await tour()).replaceAll('http://127.0.0.1:3000', running.server.url);
    expect(script).toContain(running.server.url);
    const runs: string[] = [];
    for (let round = 1; round <= 2; round++) {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { timeout: 60_000 });
      runs.push(stdout);
    }
    for (const [index, stdout] of runs.entries()) {
      // The create's answer, then the list (a JSON array) with every task created so far.
      const [created, listed] = stdout.trim().split('\n');
      expect(JSON.parse(created ?? '')).toMatchObject({ title: 'Send the report', priority: 'high', tags: ['work'] });
      const tasks = JSON.parse(listed ?? '') as { title: string }[];
      expect(tasks.map((task) => task.title)).toEqual(Array(index + 1).fill('Send the report'));
    }
  }, 120_000);
});
