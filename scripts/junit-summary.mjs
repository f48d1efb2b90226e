// Prints one plain closing line from a JUnit XML report ("Tests: N passed, N failed, N skipped"),
// the form CI logs are read for; vitest's own summary line is not one of them.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/junit.xml';
let xml;
try {
  xml = readFileSync(file, 'utf8');
} catch {
  console.log(`Tests: no JUnit report at ${file}`);
  process.exit(0);
}
const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
let failed = 0;
let skipped = 0;
for (const c of cases) {
  if (/<(failure|error)\b/.test(c)) failed += 1;
  else if (/<skipped\b/.test(c)) skipped += 1;
}
console.log(`Tests: ${cases.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
