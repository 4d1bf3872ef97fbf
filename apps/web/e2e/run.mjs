// Runs the browser suite in Debian's Chromium. Without it (a machine where `apt-get install
// chromium` has not run; .ci/run installs it), it says so and what to do, rather than fetching a browser.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const report = new URL('../test-results/playwright.json', import.meta.url);
rmSync(report, { force: true });

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.warn(
    `web end-to-end suite SKIPPED: no Chromium at ${chromium}. Install Debian's (apt-get install chromium) and run it again.`,
  );
  // Counted in the test total as skipped, with its reason.
  mkdirSync(new URL('.', report), { recursive: true });
  const stats = { expected: 0, unexpected: 0, flaky: 0, skipped: 1 };
  writeFileSync(report, JSON.stringify({ stats, skippedFor: 'CHROMIUM' }));
  process.exit(0);
}
const result = spawnSync('playwright', ['test'], { stdio: 'inherit', shell: false });
process.exit(result.status ?? 1);
