/** Timing helpers: medians, interleaved measurement, whole-process timing, a full GC between series. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * A full garbage collection (no-op if unavailable). Use it between series,
 * not before each sample: V8's forced GC also discards compiled code, so the
 * sample after it runs partly cold (measured: 2-3x slower).
 */
export const fullGc: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc === 'function') return gc;
  } catch {
    // fall through
  }
  return () => undefined;
})();

/** Milliseconds `fn` takes, once. */
export function timeOnce(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export async function timeOnceAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * Times several functions in the same rounds (a, b, c, a, b, c, ...) so that
 * a slow patch of the machine affects all of them alike; medians per name.
 */
export function interleaved(fns: Record<string, () => void>, rounds: number): Record<string, { median: number; samples: number[] }> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns)) samples[name].push(timeOnce(fn));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, { median: median(xs), samples: xs }]));
}

/** Wall time of one whole process, in ms; throws when it fails (the bench could not measure). */
export function timeProcess(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { ms: number; stdout: string; stderr: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  const ms = performance.now() - t;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  return { ms, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Interleaved whole-process timings: median ms per name. */
export function interleavedProcesses(cmds: Record<string, { cmd: string; args: string[]; opts?: SpawnSyncOptions }>, rounds: number): Record<string, { median: number; samples: number[] }> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, c] of Object.entries(cmds)) samples[name].push(timeProcess(c.cmd, c.args, c.opts).ms);
  }
  return Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, { median: median(xs), samples: xs }]));
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** UTF-8 byte length of a value's minified JSON. */
export function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');
}
