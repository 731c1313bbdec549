/**
 * How a handler's thrown error surfaces in the engine: its name is the ASL
 * error that Retry and Catch match, its message the cause. A small
 * hand-written machine, one Task bound to the real REST handler, calling the
 * Stripe sandbox over HTTP.
 */
import { startLocalExecution } from '../../lib/local/engine';
import type { RunEvent } from '../../lib/local/events';
import { lambdaInvoker } from '../../lib/local/handlers';
import { setRoutes } from '../../lambdas/rest';
import { startStripeSandbox, type StripeSandbox } from '../../sandbox/stripe/server';
import type { AslDefinition } from '../../lib/types';

const KEY = 'sk_test_engineerrors_0123456789abcdef';
let stripe: StripeSandbox;
const saved = { ...process.env };
const savedLog = console.log;

beforeAll(async () => {
  stripe = await startStripeSandbox({ apiKey: KEY });
  setRoutes({ 'https://api.stripe.com': stripe.url });
  process.env.STRIPE_SECRET_KEY = KEY;
  console.log = () => undefined; // the handler's request log lines
});
afterAll(async () => {
  setRoutes(null);
  process.env = saved;
  console.log = savedLog;
  await stripe.close();
});
beforeEach(() => stripe.reset());

/** One Task creating a customer, retried on OSOP.Http.Transient only, every other error caught into $.error. */
const machine: AslDefinition = {
  StartAt: 'call',
  States: {
    call: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: 'arn:aws:lambda:local:000000000000:function:rest',
        Payload: {
          contractVersion: 1, kind: 'rest', workflowId: 'w', nodeId: 'call', 'executionId.$': '$$.Execution.Id', attempt: '0',
          secretFields: { '/request/headers/Authorization': ['STRIPE_SECRET_KEY'] },
          request: { method: 'POST', 'url.$': '$.url', headers: { Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}' }, query: {}, body: { email: 'a@example.com' }, contentType: 'application/x-www-form-urlencoded' },
          allowedOrigin: 'https://api.stripe.com', expectedStatus: [], timeoutMs: 5000, idempotency: { enabled: true },
          outputs: [{ name: 'customer_id', path: '$.id', required: true }],
        },
      },
      ResultSelector: { 'customer_id.$': '$.Payload.customer_id' },
      ResultPath: '$.result',
      Retry: [{ ErrorEquals: ['OSOP.Http.Transient'], IntervalSeconds: 1, MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'caught' }],
      End: true,
    },
    caught: { Type: 'Pass', End: true },
  },
};

async function run(url: string): Promise<{ output: unknown; events: RunEvent[] }> {
  const x = startLocalExecution(machine, { url }, { handlers: { call: lambdaInvoker('rest') }, fast: true, executionArn: 'arn:aws:states:local:0:execution:m:e1', executionName: 'e1' });
  const o = await x.outcome;
  expect(o.status).toBe('SUCCEEDED');
  return { output: o.output, events: o.events };
}

test('a transient failure (HTTP 500) is retried by the rule on OSOP.Http.Transient, with the message as cause', async () => {
  stripe.injectFault({ method: 'POST', path: '/v1/customers', kind: 'status500' });
  const { output, events } = await run('https://api.stripe.com/v1/customers');
  expect(events.find((e) => e.kind === 'retried')).toMatchObject({ error: 'OSOP.Http.Transient', cause: expect.stringContaining('returned 500') });
  expect(output).toMatchObject({ result: { customer_id: expect.stringMatching(/^cus_/) } });
});

test('a rejection (HTTP 404) is not retried and the Catch sees the handler error name and message', async () => {
  const { output, events } = await run('https://api.stripe.com/v1/nowhere');
  expect(events.some((e) => e.kind === 'retried')).toBe(false);
  const error = (output as { error: { Error: string; Cause: string } }).error;
  expect(error.Error).toBe('OSOP.Http.Rejected');
  // Lambda delivers a function error's Cause as the runtime's JSON envelope (errorType, errorMessage, trace).
  expect(JSON.parse(error.Cause)).toMatchObject({ errorType: 'OSOP.Http.Rejected', errorMessage: expect.stringMatching(/^POST https:\/\/api\.stripe\.com\/v1\/nowhere returned 404/) });
  expect(events.find((e) => e.kind === 'caught')).toMatchObject({ error: 'OSOP.Http.Rejected', next: 'caught' });
});

test('retries run out: the last transient error goes to the Catch', async () => {
  stripe.injectFault({ method: 'POST', path: '/v1/customers', kind: 'status503', nth: 1 });
  stripe.injectFault({ method: 'POST', path: '/v1/customers', kind: 'drop', nth: 2 });
  const { output } = await run('https://api.stripe.com/v1/customers');
  expect((output as { error: { Error: string } }).error.Error).toBe('OSOP.Http.Transient');
  expect(stripe.requests).toHaveLength(2);
});

test('a Task with no local handler is refused before anything runs', () => {
  expect(() => startLocalExecution(machine, {}, { handlers: {}, fast: true, executionArn: 'a', executionName: 'e' })).toThrow("The Task state(s) 'call' (arn:aws:states:::lambda:invoke) cannot run locally");
});
