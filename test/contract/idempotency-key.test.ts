/**
 * The idempotency key the REST handler derives and the one a native HTTP Task computes with intrinsics
 * are the same key, for the same execution, node and attempt: evaluated here on the local engine.
 */
// The engine as lib/local runs it: States.Hash over inputs longer than one block corrected (lib/local/engine-hash-fix.ts).
import '../../lib/local/polyfills';
import { StateMachine } from 'aws-local-stepfunctions';
import { deriveIdempotencyKey, idempotencyKeyExpression } from '../../lib/contract/task-payload';

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:OsopWorkflows-sop-stripe-payment:run-1';

async function evaluate(expression: string, input: Record<string, unknown>): Promise<string> {
  const sm = new StateMachine({ StartAt: 'K', States: { K: { Type: 'Pass', Parameters: { 'key.$': expression }, End: true } } } as never, { validationOptions: { checkArn: false } as never });
  const out = (await sm.run(input as never, { context: { Execution: { Id: EXECUTION, Name: 'run-1' } } as never }).result) as { key: string };
  return out.key;
}

test.each([
  ['a literal attempt', "'0'", {}, '0'],
  ['a counter (a number)', '$.counters.c', { counters: { c: 2 } }, '2'],
  ['for-each item and round', "States.Format('{}.{}', $.loop.i, $.counters.c)", { loop: { i: 3 }, counters: { c: 1 } }, '3.1'],
])('handler and ASL agree: %s', async (_what, attempt, input, text) => {
  for (const node of ['confirm_payment', 'confirm-payment.v2']) {
    const asl = await evaluate(idempotencyKeyExpression(node, attempt), input);
    expect(asl).toBe(deriveIdempotencyKey(EXECUTION, node, text));
    expect(asl).toMatch(/^osop-[0-9a-f]{64}$/);
  }
});

test('the key differs per attempt and per node', () => {
  const k = deriveIdempotencyKey(EXECUTION, 'n', '0');
  expect(deriveIdempotencyKey(EXECUTION, 'n', '1')).not.toBe(k);
  expect(deriveIdempotencyKey(EXECUTION, 'm', '0')).not.toBe(k);
});

test('the local engine hashes long inputs as Step Functions does (the engine fix is in place)', async () => {
  const long = `${'x'.repeat(200)}/node/7`;
  const out = await evaluate("States.Hash($.s, 'SHA-256')", { s: long });
  expect(out).toBe(require('node:crypto').createHash('sha256').update(long).digest('hex'));
});

test('the jest transform applies the same correction as the runtime fix', () => {
  const fs = require('node:fs');
  const source = fs.readFileSync(require.resolve('aws-local-stepfunctions'), 'utf8');
  const { fixedEngineSource } = require('../../lib/local/engine-hash-fix');
  expect(require('../engine-hash-transform').fix(source)).toBe(fixedEngineSource(source));
});
