/**
 * Hostile workflow files against the compiler, as CI and `cdk synth` meet
 * them: the built CLI checks each in a process of its own with a 1 GB heap;
 * it must end with exit 0 or 1 (never 3, a bug, or a signal) and, when it
 * refuses the file, say why with a code and a position. Times and peak memory
 * are measured by the benchmark (`npm run bench`), not asserted here.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ensureBuilt } from '../cli/helpers';
import { HOSTILE_CASES } from './cases';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-hostile-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const f = c.write(dir);
  const r = spawnSync(process.execPath, ['--max-old-space-size=1024', BIN, 'check', f, '--diagnostics', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  expect({ signal: r.signal, status: r.status }).toEqual({ signal: null, status: c.code ? 1 : 0 });
  const diagnostics = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { code: string; line: number; severity: string; message: string });
  expect(diagnostics.length).toBeGreaterThan(0);
  // Summaries aside, every diagnostic is one line of JSON; no stack trace.
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (c.code) {
    const refusal = diagnostics.find((d) => d.code === c.code && d.severity === 'error');
    expect(refusal).toBeDefined();
    if (c.code !== 'OSOP1009') expect(refusal!.line).toBeGreaterThan(0);
  } else {
    expect(diagnostics.length).toBeLessThan(60);
  }
}, 180_000);
