#!/usr/bin/env node
// Runs web-test-runner (package.json test:browser) and, when the only failures are test files the
// browser could not import, runs those files once more and says so. Why: on a cold dev server a
// file now and then fails with "Failed to fetch dynamically imported module" although it imports
// fine (seen in full runs, never reproduced alone). A file that fails to import twice, or any
// failed test, fails the run as before. Exit code: web-test-runner's, or the second run's.
import { spawn } from 'node:child_process';

const IMPORT_FAILURE = /Failed to fetch dynamically imported module: https?:\/\/[^/]+\/([^?\s]+)/g;

/** Runs web-test-runner with `env`, echoing its output. Resolves with { code, output }. */
function runWtr(env) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['web-test-runner'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const echo = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The files that could not be imported, and whether any test failed (wtr's "N failed" summary). */
function failures(output) {
  const files = new Set([...output.matchAll(IMPORT_FAILURE)].map((m) => decodeURIComponent(m[1])));
  const summaries = [...output.matchAll(/(\d+) passed, (\d+) failed/g)];
  const lastFailed = summaries.length ? Number(summaries[summaries.length - 1][2]) : NaN;
  return { files: [...files], testsFailed: !(lastFailed === 0) };
}

const first = await runWtr({});
if (first.code === 0) process.exit(0);
const { files, testsFailed } = failures(first.output);
if (testsFailed || files.length === 0) process.exit(first.code);
console.log(`\nweb-tests: ${files.length} file(s) could not be imported; running them once more: ${files.join(', ')}\n`);
const second = await runWtr({ TEST_FILES: files.join(',') });
process.exit(second.code);
