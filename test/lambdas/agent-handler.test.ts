import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handler } from '../../lambdas/agent';
import { DEFAULT_RECEIPT_EMAIL, startLlmSandbox, type LlmSandbox } from '../../sandbox/llm/server';
import { agentPayload, captureConsole, thrown } from './payloads';

const KEY = 'sk-ant-agenttest-0123456789abcdef';
let llm: LlmSandbox;
const savedEnv = { ...process.env };

beforeAll(async () => {
  llm = await startLlmSandbox({ apiKey: KEY });
  process.env.ANTHROPIC_API_KEY = KEY;
  process.env.ANTHROPIC_BASE_URL = llm.url;
  delete process.env.OSOP_SECRETS_SOURCE;
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
});
afterAll(async () => {
  process.env = savedEnv;
  await llm.close();
});
let consoleCapture: ReturnType<typeof captureConsole>;
beforeEach(() => {
  llm.reset();
  consoleCapture = captureConsole();
});
afterEach(() => consoleCapture.restore());

test('returns the text, model, stop reason and usage; sends system prompt, instruction and context', async () => {
  const result = await handler(agentPayload({ temperature: 0.2 }));
  expect(result).toEqual({
    text: DEFAULT_RECEIPT_EMAIL,
    model: 'claude-sonnet-4-6',
    stop_reason: 'end_turn',
    usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
  });
  expect(result.usage.input_tokens).toBeGreaterThan(0);
  expect(result.usage.output_tokens).toBeGreaterThan(0);

  const [req] = llm.requests();
  expect(req).toMatchObject({
    model: 'claude-sonnet-4-6',
    system: 'Generate a payment receipt email. Be concise and professional.',
    maxTokens: 512,
    temperature: 0.2,
    status: 200,
  });
  expect(req.userText).toBe(
    'Task: AI generates a personalized receipt email based on payment details\n\n' +
      'Data from earlier steps (JSON): {"check_status":{"status":"succeeded"},"create_intent":{"intent_id":"pi_123"}}',
  );
  expect(JSON.stringify([result, consoleCapture.lines])).not.toContain(KEY);
});

test('529 overloaded is OSOP.Llm.Transient, without SDK retries (Step Functions retries)', async () => {
  llm.injectOverloaded(1);
  const err = await thrown(() => handler(agentPayload()));
  expect(err.name).toBe('OSOP.Llm.Transient');
  expect(err.message).toContain('Anthropic API returned 529 (model claude-sonnet-4-6): overloaded_error: Overloaded');
  expect(llm.requestCount()).toBe(1);
  // The next call goes through.
  await expect(handler(agentPayload())).resolves.toMatchObject({ text: DEFAULT_RECEIPT_EMAIL });
});

test('429 and 500 are transient; 400 is OSOP.Llm.Rejected with the API message', async () => {
  llm.injectError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit');
  expect((await thrown(() => handler(agentPayload()))).name).toBe('OSOP.Llm.Transient');
  llm.injectError(500, 'api_error', 'Internal server error');
  expect((await thrown(() => handler(agentPayload()))).name).toBe('OSOP.Llm.Transient');

  llm.injectError(400, 'invalid_request_error', 'max_tokens: 512 > 100, which is the maximum allowed');
  const err = await thrown(() => handler(agentPayload()));
  expect(err.name).toBe('OSOP.Llm.Rejected');
  expect(err.message).toContain('returned 400');
  expect(err.message).toContain('invalid_request_error: max_tokens: 512 > 100');
});

test('a wrong key is rejected (401) and the key appears nowhere', async () => {
  process.env.WRONG_KEY = 'sk-ant-wrong-key-value-0000';
  try {
    const err = await thrown(() => handler(agentPayload({ apiKeySecret: 'WRONG_KEY' })));
    expect(err.name).toBe('OSOP.Llm.Rejected');
    expect(err.message).toContain('returned 401');
    expect(JSON.stringify([err.message, err.stack, consoleCapture.lines])).not.toContain('sk-ant-wrong-key-value-0000');
  } finally {
    delete process.env.WRONG_KEY;
  }
});

test('a missing key secret and an unknown provider are OSOP.Config; nothing is sent', async () => {
  const missing = await thrown(() => handler(agentPayload({ apiKeySecret: 'ANTHROPIC_KEY_TEAM_B' })));
  expect(missing.name).toBe('OSOP.Config');
  expect(missing.message).toContain('ANTHROPIC_KEY_TEAM_B');

  const provider = await thrown(() => handler(agentPayload({ provider: 'openai' as 'anthropic' })));
  expect(provider.name).toBe('OSOP.Config');
  expect(provider.message).toContain('provider "openai" is not supported');
  expect(llm.requestCount()).toBe(0);
});

describe('without a usable provider endpoint', () => {
  let hanging: Server;
  beforeAll(async () => {
    hanging = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((r) => hanging.close(r));
  });

  test('no answer within timeoutMs is OSOP.Llm.Transient "timed out"', async () => {
    process.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const err = await thrown(() => handler(agentPayload({ timeoutMs: 200 })));
      expect(err.name).toBe('OSOP.Llm.Transient');
      expect(err.message).toContain('timed out after 200 ms');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      process.env.ANTHROPIC_BASE_URL = llm.url;
    }
  });

  test('a refused connection is OSOP.Llm.Transient', async () => {
    const gone = await startLlmSandbox();
    await gone.close();
    process.env.ANTHROPIC_BASE_URL = gone.url;
    try {
      const err = await thrown(() => handler(agentPayload()));
      expect(err.name).toBe('OSOP.Llm.Transient');
      expect(err.message).toContain('failed without a response');
    } finally {
      process.env.ANTHROPIC_BASE_URL = llm.url;
    }
  });

  test('the remaining Lambda time caps the timeout', async () => {
    process.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      const err = await thrown(() => handler(agentPayload({ timeoutMs: 60000 }), { getRemainingTimeInMillis: () => 800 }));
      expect(err.message).toContain('timed out after 300 ms');
    } finally {
      process.env.ANTHROPIC_BASE_URL = llm.url;
    }
  });
});
