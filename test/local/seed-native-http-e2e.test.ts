/**
 * The seed with every api node as a native HTTP Task (x-sfn: { http: native }), end to end on the local engine
 * against the Stripe stand-in: the same Stripe judge as the Lambda path (test/local/seed-e2e.test.ts). Form
 * encoding, one Idempotency-Key per attempt (retries repeat it), a new key per fallback round, no double charge
 * when a response is lost; and no Lambda invocation for REST nodes.
 */
import * as path from 'node:path';
import { compile } from '../../lib';
import { deriveIdempotencyKey } from '../../lib/contract/task-payload';
import type { ExecutionOutcome } from '../../lib/local/events';
import { statesEntered } from '../../lib/local/events';
import { runLocally } from '../../lib/local/run-local';
import { useSandbox } from '../helpers/sandbox';

const FILE = path.join(__dirname, '../fixtures/native-http/stripe-payment-native.osop.yaml');
const compiled = compile(FILE);
const seed = { definition: compiled.definition!, report: compiled.report! };
const sandbox = useSandbox();
async function runSeed(cards?: string[]): Promise<ExecutionOutcome> {
  if (cards) sandbox().stripe.payWith(cards);
  return runLocally({ ...seed, input: {}, fast: true, routes: { 'https://api.stripe.com': sandbox().stripeUrl }, env: sandbox().env });
}
const nodeStates = new Set(seed.report.nodes.map((n) => n.id));
const nodesOf = (o: ExecutionOutcome) => statesEntered(o.events).filter((s) => nodeStates.has(s));
const calls = (method: string, pattern: RegExp) => sandbox().stripe.requests.filter((r) => r.method === method && pattern.test(r.path));
const intents = () => [...sandbox().stripe.state.paymentIntents.values()];

test('compiles to HTTP Tasks: no Lambda function for the REST nodes, one connection for the Stripe key', () => {
  expect(compiled.ok).toBe(true);
  const rest = seed.report.tasks.filter((t) => t.binding === 'rest');
  expect(rest.map((t) => [t.resource, t.local.kind, t.function])).toEqual(rest.map(() => ['arn:aws:states:::http:invoke', 'http', undefined]));
  expect(seed.report.handlers).toEqual(['agent']);
  expect(new Set(rest.map((t) => t.connection?.substitution))).toEqual(new Set(['Connection_STRIPE_SECRET_KEY']));
  expect(JSON.stringify(seed.definition)).not.toContain('secrets.STRIPE_SECRET_KEY');
});

test('happy path: form-encoded requests with the key from the connection, outputs from ResponseBody', async () => {
  const o = await runSeed();
  expect(o.status).toBe('SUCCEEDED');
  expect(nodesOf(o)).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']);
  const [customer] = [...sandbox().stripe.state.customers.values()];
  expect(customer).toMatchObject({ email: 'user@example.com', name: 'John Doe' });
  const [intent] = intents();
  expect(intents()).toHaveLength(1);
  expect(intent).toMatchObject({ customer: customer.id, amount: 2000, currency: 'usd', status: 'succeeded' });
  expect(calls('POST', /^\/v1\/payment_intents$/)[0].form.customer).toBe(customer.id);
  const output = o.output as Record<string, Record<string, unknown>>;
  expect(output.create_customer).toEqual({ customer_id: customer.id });
  expect(output.create_intent).toEqual({ intent_id: intent.id, client_secret: intent.client_secret });
  expect(output.check_status).toEqual({ status: 'succeeded' });
  // Every POST carried the handler's key for its execution, node and attempt; the GET none.
  for (const r of sandbox().stripe.requests) {
    if (r.method === 'GET') expect(r.idempotencyKey).toBeNull();
    else expect(r.idempotencyKey).toBe(deriveIdempotencyKey(o.executionArn, r.path.endsWith('/confirm') ? 'confirm_payment' : r.path === '/v1/customers' ? 'create_customer' : 'create_intent', '0'));
  }
});

test('a declined first confirmation (States.Http.StatusCode.402) takes the fallback edge; the new round has a new key', async () => {
  const o = await runSeed(['pm_card_chargeDeclined']);
  expect(o.status).toBe('SUCCEEDED');
  expect(nodesOf(o)).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']);
  const caught = o.events.find((e) => e.kind === 'caught');
  expect(caught).toMatchObject({ state: 'confirm_payment', error: 'States.Http.StatusCode.402', next: 'confirm_payment:fallback' });
  expect(caught && 'cause' in caught && caught.cause).toContain('card_declined');
  expect(intents()).toHaveLength(2);
  expect(new Set(calls('POST', /^\/v1\/payment_intents$/).map((r) => r.idempotencyKey)).size).toBe(2);
  expect(new Set(calls('POST', /\/confirm$/).map((r) => r.idempotencyKey)).size).toBe(2);
});

test('declines on every round exhaust the fallback edge', async () => {
  const o = await runSeed(Array(4).fill('pm_card_chargeDeclined'));
  expect(o.status).toBe('FAILED');
  expect(o.error).toBe('OSOP.FallbackExhausted');
  expect(intents()).toHaveLength(4);
});

test('a 500 after the confirmation applied is retried with the same key: confirmed once', async () => {
  sandbox().stripe.injectFault({ method: 'POST', path: /\/confirm$/, kind: 'status500', afterEffect: true });
  const o = await runSeed();
  expect(o.status).toBe('SUCCEEDED');
  expect(o.events.filter((e) => e.kind === 'retried')).toEqual([expect.objectContaining({ state: 'confirm_payment', error: 'States.Http.StatusCode.500' })]);
  const confirms = calls('POST', /\/confirm$/);
  expect(confirms.map((r) => [r.status, r.replayed])).toEqual([
    [500, false],
    [200, true],
  ]);
  expect(confirms[1].idempotencyKey).toBe(confirms[0].idempotencyKey);
  expect(intents()[0].status).toBe('succeeded');
});

test('a lost response (connection dropped after the charge) is retried with the same key: no double charge', async () => {
  sandbox().stripe.injectFault({ method: 'POST', path: /\/confirm$/, kind: 'drop', afterEffect: true });
  const o = await runSeed();
  expect(o.status).toBe('SUCCEEDED');
  expect(o.events.filter((e) => e.kind === 'retried')).toEqual([expect.objectContaining({ state: 'confirm_payment', error: 'States.Http.Socket' })]);
  const confirms = calls('POST', /\/confirm$/);
  expect(confirms).toHaveLength(2);
  expect(confirms[1].idempotencyKey).toBe(confirms[0].idempotencyKey);
  expect(confirms[1].replayed).toBe(true);
  expect(intents()).toHaveLength(1);
  expect(intents()[0].status).toBe('succeeded');
});

test("osop-sfn test: the seed's own cases, written in the handler's terms, pass on the native HTTP Tasks (mocked responses in ResponseBody)", async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { testWorkflow } = require('../../lib/local') as typeof import('../../lib/local');
  const run = await testWorkflow(FILE);
  expect(run.results.map((r) => [r.id, r.result.passed])).toEqual(run.results.map((r) => [r.id, true]));
  expect(run.ok).toBe(true);
});
