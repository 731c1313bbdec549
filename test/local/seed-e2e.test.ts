/**
 * The seed workflow end to end on the local engine: the compiled ASL, the
 * real handlers, real HTTP to the Stripe and Anthropic stand-ins on 127.0.0.1.
 */
import type { ExecutionOutcome } from '../../lib/local/events';
import { statesEntered } from '../../lib/local/events';
import { runLocally } from '../../lib/local/run-local';
import { useSandbox } from '../helpers/sandbox';
import { DEFAULT_RECEIPT_EMAIL } from '../../sandbox/llm/server';
import { compileSeed } from './helpers';

const seed = compileSeed();
const sandbox = useSandbox();
/** Runs the seed against the sandbox; `cards` are the test cards the customer pays with, confirmation by confirmation. */
async function runSeed(cards?: string[]): Promise<ExecutionOutcome> {
  if (cards) sandbox().stripe.payWith(cards);
  const routes = { 'https://api.stripe.com': sandbox().stripeUrl };
  return runLocally({ ...seed, input: {}, fast: true, routes, env: sandbox().env });
}

const nodeStates = new Set(compileSeed().report.nodes.map((n) => n.id));
const nodesOf = (o: ExecutionOutcome) => statesEntered(o.events).filter((s) => nodeStates.has(s));
const calls = (method: string, pattern: RegExp) => sandbox().stripe.requests.filter((r) => r.method === method && pattern.test(r.path));
const intents = () => [...sandbox().stripe.state.paymentIntents.values()];

test('happy path: customer → intent for that customer → confirm → status succeeded → receipt text', async () => {
  const o = await runSeed();
  expect(o.status).toBe('SUCCEEDED');
  expect(nodesOf(o)).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']);

  const [customer] = [...sandbox().stripe.state.customers.values()];
  expect(customer).toMatchObject({ email: 'user@example.com', name: 'John Doe' });
  const [intent] = intents();
  expect(intents()).toHaveLength(1);
  expect(intent).toMatchObject({ customer: customer.id, amount: 2000, currency: 'usd', status: 'succeeded', payment_method: 'pm_card_visa' });
  expect(calls('POST', /^\/v1\/payment_intents$/)[0].form.customer).toBe(customer.id);
  expect(calls('POST', /\/confirm$/).map((r) => r.path)).toEqual([`/v1/payment_intents/${intent.id}/confirm`]);
  expect(calls('GET', /^\/v1\/payment_intents\//).map((r) => r.path)).toEqual([`/v1/payment_intents/${intent.id}`]);

  const output = o.output as Record<string, Record<string, unknown>>;
  expect(output.create_customer).toEqual({ customer_id: customer.id });
  expect(output.create_intent).toEqual({ intent_id: intent.id, client_secret: intent.client_secret });
  expect(output.check_status).toEqual({ status: 'succeeded' });
  expect(output.send_receipt).toMatchObject({ text: DEFAULT_RECEIPT_EMAIL, model: 'claude-sonnet-4-6' });
  // The model was given the earlier nodes' outputs as data.
  const [llmRequest] = sandbox().llm.requests();
  expect(llmRequest.userText).toContain(intent.id);
  expect(llmRequest.system).toBe('Generate a payment receipt email. Be concise and professional.');
});

test('a declined first confirmation takes the fallback edge, creates a second intent and succeeds', async () => {
  const o = await runSeed(['pm_card_chargeDeclined']);
  expect(o.status).toBe('SUCCEEDED');
  expect(nodesOf(o)).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']);
  const caught = o.events.find((e) => e.kind === 'caught');
  expect(caught).toMatchObject({ state: 'confirm_payment', error: 'OSOP.Http.Rejected', next: 'confirm_payment:fallback' });
  expect(caught && 'cause' in caught && caught.cause).toContain('card_declined');

  const [first, second] = intents();
  expect(intents()).toHaveLength(2);
  expect(first).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } });
  expect(second).toMatchObject({ status: 'succeeded', customer: first.customer });
  // The second round is a new request: a new idempotency key, so Stripe does not replay the first intent.
  const creates = calls('POST', /^\/v1\/payment_intents$/);
  expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(2);
  expect((o.output as Record<string, Record<string, unknown>>).create_intent.intent_id).toBe(second.id);
});

test('declines on every round exhaust the fallback edge: failed with OSOP.FallbackExhausted', async () => {
  const o = await runSeed(Array(4).fill('pm_card_chargeDeclined'));
  expect(o.status).toBe('FAILED');
  expect(o.error).toBe('OSOP.FallbackExhausted');
  expect(o.cause).toContain('card_declined');
  expect(intents()).toHaveLength(4);
  expect(statesEntered(o.events).at(-1)).toBe('confirm_payment:fallback-exhausted');
  expect(sandbox().llm.requestCount()).toBe(0);
});

test('a 500 on confirm is retried with the same Idempotency-Key and the confirmation is applied once', async () => {
  // The fault comes after Stripe applied the confirmation: only idempotency keeps the retry from confirming twice.
  sandbox().stripe.injectFault({ method: 'POST', path: /\/confirm$/, kind: 'status500', afterEffect: true });
  const o = await runSeed();
  expect(o.status).toBe('SUCCEEDED');
  const retried = o.events.filter((e) => e.kind === 'retried');
  expect(retried).toEqual([expect.objectContaining({ state: 'confirm_payment', error: 'OSOP.Http.Transient', attempt: 2 })]);
  const confirms = calls('POST', /\/confirm$/);
  expect(confirms.map((r) => [r.status, r.replayed])).toEqual([
    [500, false],
    [200, true],
  ]);
  expect(confirms[0].idempotencyKey).toBeTruthy();
  expect(confirms[1].idempotencyKey).toBe(confirms[0].idempotencyKey);
  expect(intents()).toHaveLength(1);
  expect(intents()[0].status).toBe('succeeded');
});

test('status requires_action ends the workflow successfully without a receipt', async () => {
  const o = await runSeed(['pm_card_authenticationRequired']);
  expect(o.status).toBe('SUCCEEDED');
  expect(statesEntered(o.events).slice(-3)).toEqual(['check_status', 'check_status:route', 'osop:done']);
  const output = o.output as Record<string, unknown>;
  expect(output.check_status).toEqual({ status: 'requires_action' });
  expect(output).not.toHaveProperty('send_receipt');
  expect(sandbox().llm.requestCount()).toBe(0);
});

test('an LLM 529 (overloaded) is retried and the receipt is written', async () => {
  sandbox().llm.injectOverloaded(1);
  const o = await runSeed();
  expect(o.status).toBe('SUCCEEDED');
  expect(o.events.filter((e) => e.kind === 'retried')).toEqual([expect.objectContaining({ state: 'send_receipt', error: 'OSOP.Llm.Transient' })]);
  expect(sandbox().llm.requests().map((r) => r.status)).toEqual([529, 200]);
  expect((o.output as Record<string, Record<string, unknown>>).send_receipt.text).toBe(DEFAULT_RECEIPT_EMAIL);
});
