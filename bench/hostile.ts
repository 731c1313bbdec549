/**
 * Hostile inputs (test/hostile/cases.ts): each checked by the built CLI in a
 * process of its own, timed, with its peak memory (the child's maximum
 * resident set, from the kernel via /usr/bin/time or getrusage).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOSTILE_CASES } from '../test/hostile/cases';
import { ROOT } from './paths';

export interface HostileFigure {
  name: string;
  what: string;
  exit: number | null;
  signal: string | null;
  seconds: number;
  peakMiB: number;
}

export function benchHostile(log: (line: string) => void): HostileFigure[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-bench-hostile-'));
  try {
    return HOSTILE_CASES.map((c) => {
      const file = c.write(dir);
      const started = process.hrtime.bigint();
      // `time -f %M` reports the child's peak resident set in KiB.
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(ROOT, 'bin', 'osop-sfn.js'), 'check', file, '--diagnostics', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const kib = Number(/(\d+)\s*$/.exec(r.stderr.trim())?.[1] ?? NaN);
      const figure = { name: c.name, what: c.what, exit: r.status, signal: r.signal, seconds: Math.round(seconds * 100) / 100, peakMiB: Math.round(kib / 1024) };
      log(`bench:   ${c.name}: exit ${figure.exit}, ${figure.seconds} s, ${figure.peakMiB} MiB`);
      return figure;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
