#!/usr/bin/env node
// Sums the Jest JSON reports of every test run (each project's unit tests, the integration
// suite) into the one closing line CI reads: "tests: N passed, N failed".
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const reports = ['.test-results.json'];
for (const group of ['libs', 'services', 'tools']) {
  for (const project of readdirSync(group)) reports.push(join(group, project, '.test-results.json'));
}
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports.filter((f) => existsSync(f))) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
