// Jest loads modules through its own registry, so lib/local/engine-hash-fix.ts cannot replace the engine there:
// this transform applies the same correction to the engine's bundle as jest loads it
// (test/contract/idempotency-key.test.ts holds it equal to fixedEngineSource).
const fix = (source) =>
  source.replace(/getUint32\(i \+ t \* 4(,|\))/g, 'getUint32((i + t) * 4$1').replace(/getBigUint64\(i \+ t \* 8\)/g, 'getBigUint64((i + t) * 8)');
module.exports = { fix, process: (source) => ({ code: fix(source) }) };
