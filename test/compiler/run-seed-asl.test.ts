/**
 * The seed's ASL executed by the local engine (aws-local-stepfunctions) with
 * stub task handlers: proves the routing, the counter-bounded fallback and
 * the retry of transient errors as Step Functions semantics, not as JSON shapes.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { compile } from '../../lib';
import { SEED } from '../helpers/paths';

type Stub = (payload: any, call: number) => unknown;

async function runSeed(stubs: Record<string, Stub>, options: { defaultFallbackBound?: number } = {}) {
  const def = compile(SEED, options).definition!;
  const calls: Record<string, any[]> = {};
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  for (const state of ['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']) {
    calls[state] = [];
    handlers[state] = async (input: any) => {
      calls[state].push(input.Payload);
      return { Payload: stubs[state](input.Payload, calls[state].length) };
    };
  }
  const retryIntervalOverrides = Object.fromEntries(Object.keys(handlers).map((s) => [s, 0]));
  const sm = new StateMachine(def as any, { validationOptions: { checkArn: false } as any });
  const run = sm.run({ email: 'a@b.c' }, { overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides }, context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:seed:run-1', Name: 'run-1' } } as any });
  const entered: string[] = [];
  const logs = (async () => {
    for await (const ev of run.eventLogs as AsyncIterable<any>) if (ev.type === 'StateEntered') entered.push(ev.state.name);
  })();
  let output: any;
  let error: any;
  try {
    output = await run.result;
  } catch (e: any) {
    error = e.cause ?? e;
  }
  await logs;
  return { output, error, calls, entered };
}

const fail = (name: string, message: string) => () => {
  const e = new Error(message);
  e.name = name;
  throw e;
};

const happy: Record<string, Stub> = {
  create_customer: () => ({ customer_id: 'cus_1' }),
  create_intent: (_p, n) => ({ intent_id: `pi_${n}`, client_secret: `pi_${n}_secret` }),
  confirm_payment: () => ({}),
  check_status: () => ({ status: 'succeeded' }),
  send_receipt: () => ({ text: 'Thank you', model: 'claude', stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 5 } }),
};

describe('the seed ASL on the local engine', () => {
  it('happy path: one state per node, the Choice, and the receipt', async () => {
    const r = await runSeed(happy);
    expect(r.error).toBeUndefined();
    expect(r.entered).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'check_status:route', 'send_receipt']);
    expect(r.output.send_receipt.text).toBe('Thank you');
    expect(r.calls.create_intent[0].request.body).toEqual({ amount: 2000, currency: 'usd', customer: 'cus_1' });
    // The intent id is a value the handler encodes into its path segment.
    expect(r.calls.confirm_payment[0].request).toMatchObject({ url: 'https://api.stripe.com/v1/payment_intents/{}/confirm', urlValues: ['pi_1'] });
    expect(r.calls.create_customer[0].executionId).toBe('arn:aws:states:us-east-1:123456789012:execution:seed:run-1');
  });

  it('a status other than succeeded ends the workflow without a receipt', async () => {
    const r = await runSeed({ ...happy, check_status: () => ({ status: 'requires_action' }) });
    expect(r.error).toBeUndefined();
    expect(r.entered.slice(-2)).toEqual(['check_status:route', 'osop:done']);
    expect(r.calls.send_receipt).toHaveLength(0);
    expect(r.output.check_status.status).toBe('requires_action');
  });

  it('a failed confirm takes the fallback edge once, with a new attempt number, then succeeds', async () => {
    const r = await runSeed({ ...happy, confirm_payment: (_p, n) => (n === 1 ? fail('OSOP.Http.Rejected', 'card_declined')() : {}) });
    expect(r.error).toBeUndefined();
    expect(r.calls.create_intent.map((p) => p.attempt)).toEqual([0, 1]);
    expect(r.calls.confirm_payment.map((p) => p.attempt)).toEqual([0, 1]);
    expect(r.calls.confirm_payment[1].request.urlValues).toEqual(['pi_2']);
    expect(r.entered).toContain('confirm_payment:fallback-count');
    expect(r.output.send_receipt.text).toBe('Thank you');
  });

  it('the fallback is bounded: after 3 rounds the execution fails with OSOP.FallbackExhausted and the last cause', async () => {
    const r = await runSeed({ ...happy, confirm_payment: fail('OSOP.Http.Rejected', 'card_declined') });
    expect(r.error?.name).toBe('OSOP.FallbackExhausted');
    expect(r.error?.message).toContain('card_declined');
    expect(r.calls.create_intent).toHaveLength(4);
    expect(r.calls.confirm_payment.map((p) => p.attempt)).toEqual([0, 1, 2, 3]);
    expect(r.calls.send_receipt).toHaveLength(0);
    expect(r.entered[r.entered.length - 1]).toBe('confirm_payment:fallback-exhausted');
  });

  it('the bound is a compile option (and x-sfn max_fallbacks per node)', async () => {
    const r = await runSeed({ ...happy, confirm_payment: fail('OSOP.Http.Rejected', 'card_declined') }, { defaultFallbackBound: 1 });
    expect(r.error?.name).toBe('OSOP.FallbackExhausted');
    expect(r.calls.create_intent).toHaveLength(2);
  });

  it('a transient error is retried with the same payload (same attempt), not sent down the fallback edge', async () => {
    const r = await runSeed({ ...happy, confirm_payment: (_p, n) => (n === 1 ? fail('OSOP.Http.Transient', 'socket hang up')() : {}) });
    expect(r.error).toBeUndefined();
    expect(r.calls.confirm_payment).toHaveLength(2);
    expect(r.calls.confirm_payment[0]).toEqual(r.calls.confirm_payment[1]);
    expect(r.calls.create_intent).toHaveLength(1);
  });
});
