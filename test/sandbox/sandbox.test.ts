import { handler as agentHandler } from '../../lambdas/agent';
import { handler as openaiAgentHandler } from '../../lambdas/agent-openai';
import { handler as restHandler, setRoutes } from '../../lambdas/rest';
import { startSandbox, type Sandbox } from '../../sandbox';
import { agentPayload, captureConsole, restPayload } from '../lambdas/payloads';

let sandbox: Sandbox;
let startMs: number;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const t0 = Date.now();
  sandbox = await startSandbox();
  startMs = Date.now() - t0;
  Object.assign(process.env, sandbox.env);
  delete process.env.OSOP_SECRETS_SOURCE;
  setRoutes(sandbox.routes);
});
afterAll(async () => {
  setRoutes(null);
  process.env = savedEnv;
  await sandbox.close();
});

test('starts both servers quickly, with fresh sandbox keys and the Stripe route', () => {
  expect(startMs).toBeLessThan(2000);
  expect(sandbox.env.STRIPE_SECRET_KEY).toMatch(/^sk_test_sandbox/);
  expect(sandbox.env.ANTHROPIC_API_KEY).toMatch(/^sk-ant-sandbox/);
  expect(sandbox.env.ANTHROPIC_BASE_URL).toBe(sandbox.llmUrl);
  expect(sandbox.routes).toEqual({ 'https://api.stripe.com': sandbox.stripeUrl });
  expect(sandbox.stripeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('the payment workflow runs through both handlers against the sandbox', async () => {
  const logs = captureConsole();
  try {
    const stripe = (nodeId: string, method: string, path: string, body: unknown, outputs: { name: string; path: string }[]) =>
      restHandler(
        restPayload({
          nodeId,
          request: { method, url: `https://api.stripe.com${path}`, body },
          outputs: outputs.map((o) => ({ ...o, required: true })),
        }),
      ) as Promise<Record<string, string>>;

    const { customer_id } = await stripe('create_customer', 'POST', '/v1/customers', { email: 'user@example.com', name: 'John Doe' }, [
      { name: 'customer_id', path: '$.id' },
    ]);
    const { intent_id } = await stripe('create_intent', 'POST', '/v1/payment_intents', { amount: 2000, currency: 'usd', customer: customer_id }, [
      { name: 'intent_id', path: '$.id' },
    ]);
    await stripe('confirm_payment', 'POST', `/v1/payment_intents/${intent_id}/confirm`, { payment_method: 'pm_card_visa' }, []);
    const { status } = await stripe('check_status', 'GET', `/v1/payment_intents/${intent_id}`, undefined, [{ name: 'status', path: '$.status' }]);
    expect(status).toBe('succeeded');

    const receipt = await agentHandler(agentPayload({ context: { check_status: { status }, create_intent: { intent_id } } }));
    expect(receipt.text).toMatch(/receipt/i);
    expect(sandbox.llm.requests()[0].userText).toContain(intent_id);
    expect(sandbox.stripe.state.paymentIntents.get(intent_id)).toMatchObject({ customer: customer_id, status: 'succeeded' });
  } finally {
    logs.restore();
  }
});

test('the OpenAI-compatible stand-in serves openai and google agent nodes, each with its own fresh key', async () => {
  expect(sandbox.env).toMatchObject({ OPENAI_BASE_URL: sandbox.openaiUrl, GEMINI_BASE_URL: sandbox.openaiUrl });
  expect(sandbox.openaiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  expect(sandbox.env.OPENAI_API_KEY).toMatch(/^sk-proj-sandbox-/);
  expect(sandbox.env.GEMINI_API_KEY).toMatch(/^AIza-sandbox-/);
  expect(new Set(Object.values(sandbox.env)).size).toBe(Object.keys(sandbox.env).length - 1); // only the two LLM base URLs coincide

  const logs = captureConsole();
  try {
    for (const provider of ['openai', 'google'] as const) {
      const result = await openaiAgentHandler(agentPayload({ provider, model: `${provider}-model`, apiKeySecret: undefined }));
      expect(result).toMatchObject({ model: `${provider}-model`, stop_reason: 'end_turn' });
      expect(result.text).toMatch(/receipt/i);
    }
    expect(sandbox.openai.requests().map((r) => r.status)).toEqual([200, 200]);
  } finally {
    logs.restore();
  }
});
