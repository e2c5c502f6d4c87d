// Prints jest's own totals from its --json results as the plain line "N passed, N failed"
// (", N skipped" when any were), so that a run which executed no test is visible as such.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`no jest results in ${file}: ${error.message}`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
