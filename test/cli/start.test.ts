/**
 * `npm start` (`node bin/osop-sfn.js start`) on this checkout: compiles the
 * workflows, then runs the payment workflow end to end against the local
 * stand-ins, with no connection beyond 127.0.0.1 and no secret set.
 */
import * as path from 'node:path';
import { DEFAULT_RECEIPT_EMAIL } from '../../sandbox/llm/server';
import { cli, ensureBuilt } from './helpers';

beforeAll(() => ensureBuilt());

test('start compiles, then runs customer → intent → confirm → status → receipt, with progress', async () => {
  const r = await cli(['start'], {}, { nodeOptions: `--require ${path.join(__dirname, 'loopback-only.js')}` });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/✓ workflows\/stripe-payment\.osop\.yaml → workflow 'sop-stripe-payment'/);
  expect(r.stdout).toContain('Running workflows/stripe-payment.osop.yaml end to end');
  // Its cost line: the happy path's transitions and calls, Step Functions per million on Standard and Express (osop-sfn cost).
  expect(r.stdout).toMatch(/ {4}cost: {5}\d+ transitions, 5 Lambda calls on the happy path; Step Functions per million executions: Standard \$\d+, Express \$1\.00 \+ duration/);
  const entered = r.stderr.split('\n').filter((l) => / → [a-z_]+$/.test(l)).map((l) => l.split(' → ')[1]);
  expect(entered).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']);
  expect(r.stdout).toMatch(/"customer_id": "cus_\w+"/);
  expect(r.stdout).toMatch(/"intent_id": "pi_\w+"/);
  expect(r.stdout).toContain('"status": "succeeded"');
  expect(r.stdout).toContain(`send_receipt.text:\n${DEFAULT_RECEIPT_EMAIL.replace(/^(?=.)/gm, '  ')}\n`);
});
