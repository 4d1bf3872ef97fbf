import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `vite build` once bundled React's development build when the shell said NODE_ENV=development
// (as a .env copied from .env.example does), and turbo's cache then served that dist to every
// later start and test. The build must be the production one whatever NODE_ENV says.

const webDir = new URL('..', import.meta.url).pathname;
const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the app's `vite build` with this NODE_ENV into a new directory; the bundle's JavaScript. */
function buildUnder(nodeEnv: string): string {
  const outDir = mkdtempSync(join(tmpdir(), 'taskwire-web-build-'));
  outDirs.push(outDir);
  const result = spawnSync(
    join(webDir, 'node_modules/.bin/vite'),
    ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'],
    { cwd: webDir, env: { ...process.env, NODE_ENV: nodeEnv }, encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  const assets = join(outDir, 'assets');
  const scripts = readdirSync(assets).filter((file) => file.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  return scripts.map((file) => readFileSync(join(assets, file), 'utf8')).join('\n');
}

describe('the web app build', () => {
  it.each(['development', 'test'])('is the production bundle under NODE_ENV=%s', (nodeEnv) => {
    const bundle = buildUnder(nodeEnv);
    // React's development JSX runtime, and one of react-dom's development-only warnings.
    const developmentMarkers = ['jsxDEV', 'unique "key" prop'].filter((marker) => bundle.includes(marker));
    expect(developmentMarkers).toEqual([]);
  });
});
