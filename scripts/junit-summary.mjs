// Prints one plain closing line from a JUnit XML report ("Tests: N passed, N failed, N skipped"),
// the form CI logs are read for; vitest's own summary line is not one of them. Failed tests
// are listed just before it, with the first lines of their message, so that the end of a
// long CI log says what broke without scrolling back; the slowest test files before them say
// where the suite's minutes go.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/junit.xml';
// Each integration file's start and end (test/lab-env.ts): read when there is no report,
// as when CI stopped the suite before vitest wrote one.
const progress = process.argv[3];
let xml;
try {
  xml = readFileSync(file, 'utf8');
} catch {
  console.log(`Tests: no JUnit report at ${file}`);
  if (progress) fromProgress(progress);
  process.exit(0);
}

function fromProgress(path) {
  let lines;
  try {
    lines = readFileSync(path, 'utf8').trim().split('\n');
  } catch {
    return;
  }
  const ended = new Map();
  const started = new Map();
  for (const l of lines) {
    const [at, what, name, secs] = l.split(' ');
    if (what === 'start') started.set(name, Date.parse(at));
    if (what === 'end') ended.set(name, Number(secs));
  }
  console.log(`Integration files finished before it stopped (${path}), slowest first:`);
  for (const [name, secs] of [...ended].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${String(secs).padStart(6)} s  ${name}`);
  for (const [name, at] of started) {
    if (!ended.has(name)) console.log(`Still running when stopped: ${name}, since ${Math.round((Date.now() - at) / 1000)} s`);
  }
}
const suites = [...xml.matchAll(/<testsuite\b[^>]*\bname="([^"]*)"[^>]*\btime="([\d.]+)"/g)].map((m) => ({ name: m[1], seconds: Number(m[2]) }));
if (suites.length > 0) {
  console.log('Slowest test files:');
  for (const s of suites.sort((a, b) => b.seconds - a.seconds).slice(0, 8)) console.log(`  ${s.seconds.toFixed(0).padStart(6)} s  ${s.name}`);
}
const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
const unescape = (t) => t.replace(/&#10;/g, '\n').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
let failed = 0;
let skipped = 0;
for (const c of cases) {
  const failure = /<(?:failure|error)\b([^>]*)>?/.exec(c);
  if (failure) {
    failed += 1;
    const attr = (name) => unescape(new RegExp(`\\b${name}="([^"]*)"`).exec(c)?.[1] ?? '');
    const message = unescape(/\bmessage="([^"]*)"/.exec(failure[1])?.[1] ?? '').split('\n').slice(0, 4).join(' | ');
    console.log(`FAILED ${attr('classname')} > ${attr('name')}\n    ${message.slice(0, 600)}`);
  } else if (/<skipped\b/.test(c)) skipped += 1;
}
console.log(`Tests: ${cases.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
