/**
 * aws-local-stepfunctions 3 computes States.Hash wrongly for any input of more than one hash block (56 bytes
 * and more for SHA-256): its block loop counts words but reads bytes at that count (`getUint32(i + t * 4)`
 * where block i starts at byte 4i), so the second block re-reads bytes 16-79 and the rest of a long input is
 * ignored. An idempotency key hashes `<execution ARN>/<node>/<attempt>`, where that rest is the node and the
 * attempt: every key of an execution would be the same. Step Functions hashes the whole input (Developer
 * Guide, "Intrinsic functions": States.Hash). Until the engine is fixed, its module is loaded with the read
 * offsets corrected; an engine without the bug is left as it is. Loaded before the engine (polyfills.ts).
 */
import * as fs from 'node:fs';
import Module from 'node:module';

const BUGGY = [
  { wrong: /getUint32\(i \+ t \* 4(,|\))/g, right: 'getUint32((i + t) * 4$1' },
  { wrong: /getBigUint64\(i \+ t \* 8\)/g, right: 'getBigUint64((i + t) * 8)' },
];

/** The engine's source with the hash read offsets corrected (also applied by test/engine-hash-transform.js, as jest loads modules itself). */
export function fixedEngineSource(source: string): string {
  return BUGGY.reduce((text, b) => text.replace(b.wrong, b.right), source);
}

function fixEngineHash(): void {
  let file: string;
  try {
    file = require.resolve('aws-local-stepfunctions');
  } catch {
    return;
  }
  if (require.cache[file]) return;
  const source = fs.readFileSync(file, 'utf8');
  if (!BUGGY.some((b) => new RegExp(b.wrong.source).test(source))) return;
  const fixed = fixedEngineSource(source);
  const m = new Module(file, module) as Module & { _compile(code: string, filename: string): void };
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(require('node:path').dirname(file));
  m._compile(fixed, file);
  m.loaded = true;
  require.cache[file] = m;
}

fixEngineHash();
export {};
