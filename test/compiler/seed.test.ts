import * as path from 'node:path';
import { compile } from '../../lib';
import { expectValidAsl } from '../helpers/asl';
import { SEED, SHARED } from '../helpers/paths';

describe('the seed workflow (Stripe payment)', () => {
  const result = compile(SEED);
  const def = result.definition!;
  const states = def.States as Record<string, Record<string, any>>;

  it('compiles without errors', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('passes asl-validator and statelint', () => {
    expectValidAsl(def);
  });

  it('has one state per node and one Choice on the happy path: the first Task sets up the state data', () => {
    expect(def.StartAt).toBe('create_customer');
    expect(states['osop:init']).toBeUndefined();
    // It reads the input from the context object and writes the whole layout in place of the raw input.
    expect(states.create_customer.ResultSelector).toEqual({ 'input.$': '$$.Execution.Input', outputs: { create_customer: { 'customer_id.$': '$.Payload.customer_id' } }, counters: { fallback_confirm_payment: { count: 0 } } });
    expect(states.create_customer.ResultPath).toBeUndefined();
    expect(states.create_customer.Next).toBe('create_intent');
    expect(states.create_intent.Next).toBe('confirm_payment');
    expect(states.confirm_payment.Next).toBe('check_status');
    expect(states.check_status.Next).toBe('check_status:route');
    expect(states.send_receipt.End).toBe(true);
    for (const id of ['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']) {
      expect(states[id].Type).toBe('Task');
      expect(states[id].Resource).toBe('arn:aws:states:::lambda:invoke');
    }
  });

  it('lowers the conditional edge to a Choice whose default ends the workflow', () => {
    const route = states['check_status:route'];
    expect(route.Type).toBe('Choice');
    expect(route.Choices).toEqual([{ Variable: '$.outputs.check_status.status', StringEquals: 'succeeded', Next: 'send_receipt' }]);
    expect(route.Default).toBe('osop:done');
    expect(states['osop:done'].Type).toBe('Succeed');
    expect(result.diagnostics.some((d) => d.code === 'OSOP3012' && d.line === 98)).toBe(true);
  });

  it('lowers the fallback edge to a Catch that loops back through a bounded counter', () => {
    expect(states.confirm_payment.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.errors.confirm_payment', Next: 'confirm_payment:fallback' }]);
    const guard = states['confirm_payment:fallback'];
    expect(guard.Type).toBe('Choice');
    expect(guard.Choices[0]).toMatchObject({ Variable: '$.counters.fallback_confirm_payment.count', NumericLessThan: 3, Next: 'confirm_payment:fallback-count' });
    // Exhausted: the last error's cause when it has one (a Catch result may lack Cause), checked on the same Choice.
    expect(guard.Choices[1]).toEqual({ Variable: '$.errors.confirm_payment.Cause', IsPresent: true, Next: 'confirm_payment:fallback-exhausted' });
    expect(guard.Default).toBe('confirm_payment:fallback-exhausted-no-cause');
    expect(states['confirm_payment:fallback-count'].Next).toBe('create_intent');
    expect(states['confirm_payment:fallback-exhausted']).toMatchObject({ Type: 'Fail', Error: 'OSOP.FallbackExhausted', CausePath: '$.errors.confirm_payment.Cause' });
    expect(states['confirm_payment:fallback-exhausted-no-cause']).toEqual({ Type: 'Fail', Error: 'OSOP.FallbackExhausted' });
  });

  it('keeps secrets as placeholders for the handler and never fetches one', () => {
    const text = JSON.stringify(def);
    expect(text).not.toMatch(/secretsmanager|GetSecretValue/i);
    const payload = states.create_customer.Parameters.Payload;
    expect(payload.request.headers.Authorization).toBe('Bearer ${secrets.STRIPE_SECRET_KEY}');
    expect(payload.secretFields).toEqual({ '/request/headers/Authorization': ['STRIPE_SECRET_KEY'] });
    expect(result.report!.secrets).toEqual([{ name: 'STRIPE_SECRET_KEY', nodes: ['check_status', 'confirm_payment', 'create_customer', 'create_intent'] }]);
  });

  it('passes references as JSONPath and only keeps declared outputs', () => {
    const intent = states.create_intent;
    expect(intent.Parameters.Payload.request.body).toEqual({ amount: 2000, currency: 'usd', 'customer.$': '$.outputs.create_customer.customer_id' });
    expect(intent.ResultSelector).toEqual({ 'intent_id.$': '$.Payload.intent_id', 'client_secret.$': '$.Payload.client_secret' });
    expect(intent.ResultPath).toBe('$.outputs.create_intent');
    expect(intent.Parameters.Payload.outputs).toEqual([
      { name: 'intent_id', path: '$.id', required: true },
      { name: 'client_secret', path: '$.client_secret', required: true },
    ]);
    expect(states.confirm_payment.ResultPath).toBeNull();
    // Data in a URL travels beside it: the handler encodes each value as one path segment.
    expect(states.confirm_payment.Parameters.Payload.request.url).toBe('https://api.stripe.com/v1/payment_intents/{}/confirm');
    expect(states.confirm_payment.Parameters.Payload.request['urlValues.$']).toBe('States.Array($.outputs.create_intent.intent_id)');
  });

  it('gives nodes inside the fallback cycle an attempt number from the counter, others "0"', () => {
    expect(states.create_customer.Parameters.Payload.attempt).toBe(0);
    expect(states.create_intent.Parameters.Payload['attempt.$']).toBe('$.counters.fallback_confirm_payment.count');
    expect(states.confirm_payment.Parameters.Payload['attempt.$']).toBe('$.counters.fallback_confirm_payment.count');
    expect(states.check_status.Parameters.Payload.attempt).toBe(0);
  });

  it('retries transient handler errors and Lambda service errors on every task', () => {
    const lambda = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'Lambda.ClientExecutionTimeoutException'];
    for (const id of ['create_customer', 'confirm_payment', 'check_status']) {
      expect(states[id].Retry).toEqual([{ ErrorEquals: ['OSOP.Http.Transient', 'OSOP.Http.Timeout', 'States.Timeout', ...lambda], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }]);
    }
    expect(states.send_receipt.Retry[0].ErrorEquals).toEqual(['OSOP.Llm.Transient', 'States.Timeout', ...lambda]);
  });

  it('sends Stripe bodies form-encoded and marks POSTs idempotent', () => {
    for (const id of ['create_customer', 'create_intent', 'confirm_payment']) {
      const p = states[id].Parameters.Payload;
      expect(p.request.contentType).toBe('application/x-www-form-urlencoded');
      // The handler's default: a derived Idempotency-Key on every request that is not GET.
      expect(p.idempotency).toBeUndefined();
      expect(p.request.method).toBe('POST');
      expect(p.allowedOrigin).toBe('https://api.stripe.com');
    }
    expect(states.check_status.Parameters.Payload.request.method).toBe('GET');
  });

  it('reports handlers, substitutions and models for deployment', () => {
    expect(result.report).toMatchObject({
      workflowId: 'sop-stripe-payment',
      handlers: ['agent', 'rest'],
      substitutions: { rest: 'RestHandlerArn', agent: 'AgentHandlerArn' },
      origins: ['https://api.stripe.com'],
      models: [{ node: 'send_receipt', provider: 'anthropic', model: 'claude-sonnet-4-6' }],
      waitsForCallback: false,
    });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(compile(SEED).definition)).toBe(JSON.stringify(def));
  });

  it('compiles the shared seed file to the same definition, but for what the receipt model sees (the repository copy adds context: and tests)', () => {
    const shared = compile(path.join(SHARED, 'seed', 'ex-sop-stripe-payment.osop.yaml'));
    expect(shared.ok).toBe(true);
    const withoutContext = (d: typeof def) => JSON.parse(JSON.stringify(d, (k, v) => (k === 'context' ? undefined : v)));
    expect(withoutContext(shared.definition!)).toEqual(withoutContext(def));
    // Without context:, the model sees nothing its prompt does not reference: never client_secret.
    expect((shared.definition!.States.send_receipt as { Parameters: { Payload: Record<string, unknown> } }).Parameters.Payload.context).toBeUndefined();
    expect(JSON.stringify((def.States.send_receipt as { Parameters: unknown }).Parameters)).not.toContain('client_secret');
  });
});
