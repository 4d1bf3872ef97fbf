// One total for the whole monorepo, from the JSON reports vitest writes into each package's
// test-results/, and why tests were skipped: a test that needs a service says so in its title,
// as "[needs TEST_DATABASE_URL]", and is counted under that variable.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const NEEDS = /\[needs ([A-Z_]+(?: and [A-Z_]+)*)\]/;

/** Prints the totals and the reasons for skips; true when nothing failed and something passed. */
export function printTestSummary(root) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const skippedFor = new Map();
  for (const base of ['apps', 'packages']) {
    for (const name of readdirSync(join(root, base))) {
      // The browser suite (apps/web) reports through Playwright.
      const browserReport = join(root, base, name, 'test-results/playwright.json');
      if (existsSync(browserReport)) {
        const { stats, skippedFor: reason } = JSON.parse(readFileSync(browserReport, 'utf8'));
        passed += stats.expected + stats.flaky;
        failed += stats.unexpected;
        skipped += stats.skipped;
        if (stats.skipped)
          skippedFor.set(
            reason ?? 'no reason given',
            (skippedFor.get(reason ?? 'no reason given') ?? 0) + stats.skipped,
          );
      }
      const report = join(root, base, name, 'test-results/vitest.json');
      if (!existsSync(report)) continue;
      const json = JSON.parse(readFileSync(report, 'utf8'));
      passed += json.numPassedTests;
      failed += json.numFailedTests;
      skipped += json.numPendingTests + json.numTodoTests;
      for (const file of json.testResults) {
        for (const test of file.assertionResults) {
          if (test.status !== 'skipped' && test.status !== 'pending' && test.status !== 'todo') continue;
          const reason = NEEDS.exec(test.fullName)?.[1] ?? 'no reason given';
          skippedFor.set(reason, (skippedFor.get(reason) ?? 0) + 1);
        }
      }
    }
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  for (const [reason, count] of [...skippedFor].sort()) {
    const why = reason === 'no reason given' ? reason : `they need ${reason}`;
    console.log(`  ${count} skipped: ${why}`);
  }
  return failed === 0 && passed > 0;
}
