import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AgentTaskPayload } from '../../lib/contract/task-payload';
import { handler } from '../../lambdas/agent-openai';
import { DEFAULT_OPENAI_REPLY, startOpenAiSandbox, type OpenAiSandbox } from '../../sandbox/openai/server';
import { agentPayload, captureConsole, thrown } from './payloads';

const OPENAI_KEY = 'sk-proj-openaitest-0123456789abcdef';
const GEMINI_KEY = 'AIza-geminitest-0123456789abcdef';
let llm: OpenAiSandbox;
const savedEnv = { ...process.env };

/** An agent payload for `provider` with that provider's default key secret. */
function payload(provider: 'openai' | 'google', overrides: Partial<AgentTaskPayload> = {}): AgentTaskPayload {
  return agentPayload({ provider, model: provider === 'openai' ? 'gpt-4.1-mini' : 'gemini-2.5-flash', apiKeySecret: undefined, ...overrides });
}

beforeAll(async () => {
  llm = await startOpenAiSandbox({ apiKey: [OPENAI_KEY, GEMINI_KEY] });
  for (const name of ['OSOP_SECRETS_SOURCE', 'AWS_LAMBDA_FUNCTION_NAME', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_ADMIN_KEY', 'OPENAI_LOG']) delete process.env[name];
  Object.assign(process.env, { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: llm.url, GEMINI_API_KEY: GEMINI_KEY, GEMINI_BASE_URL: llm.url });
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

test('openai: returns text, model, stop reason and usage; sends system prompt, instruction and context', async () => {
  const result = await handler(payload('openai', { temperature: 0.2 }));
  expect(result).toEqual({
    text: DEFAULT_OPENAI_REPLY,
    model: 'gpt-4.1-mini',
    stop_reason: 'end_turn',
    usage: { input_tokens: expect.any(Number), output_tokens: Math.ceil(DEFAULT_OPENAI_REPLY.length / 4) },
  });
  expect(result.usage.input_tokens).toBeGreaterThan(0);

  const [req] = llm.requests();
  expect(req).toMatchObject({ model: 'gpt-4.1-mini', system: 'Generate a payment receipt email. Be concise and professional.', status: 200 });
  expect(req.userText).toBe(
    'Task: AI generates a personalized receipt email based on payment details\n\n' +
      'Data from earlier steps (JSON): {"check_status":{"status":"succeeded"},"create_intent":{"intent_id":"pi_123"}}',
  );
  // OpenAI's reasoning models refuse max_tokens; no response_format without an output schema.
  expect(req.body).toMatchObject({ max_completion_tokens: 512, temperature: 0.2 });
  expect(req.body).not.toHaveProperty('max_tokens');
  expect(req.responseFormat).toBeUndefined();
  expect(JSON.stringify([result, consoleCapture.lines])).not.toContain(OPENAI_KEY);
});

test('google: Gemini through the OpenAI-compatible endpoint', async () => {
  const result = await handler(payload('google'));
  expect(result).toMatchObject({ text: DEFAULT_OPENAI_REPLY, model: 'gemini-2.5-flash', stop_reason: 'end_turn' });
  expect(result.usage.input_tokens).toBeGreaterThan(0);
  expect(result.usage.output_tokens).toBeGreaterThan(0);
  const [req] = llm.requests();
  expect(req.body).toMatchObject({ model: 'gemini-2.5-flash', max_tokens: 512 });
  expect(req.body).not.toHaveProperty('temperature');
  expect(JSON.stringify([result, consoleCapture.lines])).not.toContain(GEMINI_KEY);
});

// aimock's journal redacts the Authorization header; which key was sent shows in which calls pass its check.
test.each([
  ['openai', 'OPENAI_API_KEY', 'google'],
  ['google', 'GEMINI_API_KEY', 'openai'],
] as const)('%s reads its own default key secret, %s, and sends it as a Bearer key', async (provider, secret, other) => {
  const saved = process.env[secret];
  process.env[secret] = 'not-the-right-key';
  try {
    expect((await thrown(() => handler(payload(provider)))).message).toContain('returned 401');
    await expect(handler(payload(other))).resolves.toMatchObject({ text: DEFAULT_OPENAI_REPLY });
  } finally {
    process.env[secret] = saved;
  }
  await expect(handler(payload(provider))).resolves.toMatchObject({ text: DEFAULT_OPENAI_REPLY });
});

test('apiKeySecret names another secret', async () => {
  process.env.TEAM_B_OPENAI_KEY = OPENAI_KEY;
  try {
    await expect(handler(payload('openai', { apiKeySecret: 'TEAM_B_OPENAI_KEY' }))).resolves.toMatchObject({ text: DEFAULT_OPENAI_REPLY });
  } finally {
    delete process.env.TEAM_B_OPENAI_KEY;
  }
});

test.each([
  ['openai', 'OpenAI'],
  ['google', 'Gemini'],
] as const)('%s: a wrong key is OSOP.Llm.Rejected (401) and the key appears nowhere', async (provider, api) => {
  process.env.WRONG_KEY = 'sk-wrong-key-value-0000';
  try {
    const err = await thrown(() => handler(payload(provider, { apiKeySecret: 'WRONG_KEY' })));
    expect(err.name).toBe('OSOP.Llm.Rejected');
    expect(err.message).toContain(`${api} API returned 401`);
    expect(err.message).toContain('authentication_error: Invalid API key');
    expect(JSON.stringify([err.message, err.stack, consoleCapture.lines])).not.toContain('sk-wrong-key-value-0000');
  } finally {
    delete process.env.WRONG_KEY;
  }
});

test.each(['openai', 'google'] as const)('%s: 429 and 500 are OSOP.Llm.Transient without SDK retries; 400 is OSOP.Llm.Rejected', async (provider) => {
  llm.injectError(429, 'Rate limit reached for requests');
  const limited = await thrown(() => handler(payload(provider)));
  expect(limited.name).toBe('OSOP.Llm.Transient');
  expect(limited.message).toContain('returned 429');
  expect(limited.message).toContain('Rate limit reached for requests');
  expect(llm.requestCount()).toBe(1);

  llm.injectError(500, 'The server had an error');
  expect((await thrown(() => handler(payload(provider)))).name).toBe('OSOP.Llm.Transient');
  expect(llm.requestCount()).toBe(2);

  llm.injectError(400, "Invalid value for 'model'");
  const rejected = await thrown(() => handler(payload(provider)));
  expect(rejected.name).toBe('OSOP.Llm.Rejected');
  expect(rejected.message).toContain("returned 400 (model ");
  expect(rejected.message).toContain("invalid_request_error: Invalid value for 'model'");
  expect(llm.requestCount()).toBe(3);
  // The next call goes through.
  await expect(handler(payload(provider))).resolves.toMatchObject({ text: DEFAULT_OPENAI_REPLY });
});

test('a key the API echoes back is redacted from the error', async () => {
  llm.injectError(400, `Incorrect API key provided: ${OPENAI_KEY}`);
  const err = await thrown(() => handler(payload('openai')));
  expect(err.message).toContain('Incorrect API key provided: [REDACTED]');
  expect(JSON.stringify([err.message, err.stack])).not.toContain(OPENAI_KEY);
});

test('a missing key secret, an unsupported provider and a malformed payload are OSOP.Config; nothing is sent', async () => {
  const saved = process.env.GEMINI_API_KEY;
  delete process.env.GEMINI_API_KEY;
  try {
    const missing = await thrown(() => handler(payload('google')));
    expect(missing.name).toBe('OSOP.Config');
    expect(missing.message).toContain('GEMINI_API_KEY');
  } finally {
    process.env.GEMINI_API_KEY = saved;
  }

  const anthropic = await thrown(() => handler(agentPayload()));
  expect(anthropic.name).toBe('OSOP.Config');
  expect(anthropic.message).toContain('provider "anthropic" is not supported (supported: "openai", "google")');

  const tokens = await thrown(() => handler(payload('openai', { maxTokens: 0 })));
  expect(tokens.name).toBe('OSOP.Config');
  expect(tokens.message).toContain('maxTokens must be a positive integer');
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

  // Under jest the OpenAI SDK cannot tell its own abort from a connection failure: undici's
  // AbortError comes from another realm than jest's `Error` (the Anthropic SDK handles this;
  // openai 7.59 does not). In jest the timeout is therefore checked for its effect (a
  // Transient error within the time), and the message in a plain Node process, as Lambda runs it.
  test('no answer within timeoutMs is OSOP.Llm.Transient, within the time', async () => {
    process.env.OPENAI_BASE_URL = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/v1`;
    try {
      const started = Date.now();
      const err = await thrown(() => handler(payload('openai', { timeoutMs: 200 })));
      expect(err.name).toBe('OSOP.Llm.Transient');
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      process.env.OPENAI_BASE_URL = llm.url;
    }
  });

  test('in a plain Node process the timeout says "timed out", and the remaining Lambda time caps it', async () => {
    const base = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/v1`;
    const script = `
      const { handler } = require('./lambdas/agent-openai');
      const run = (event, context) => handler(event, context).then(() => 'no error', (e) => e.name + ' ' + e.message);
      (async () => {
        const event = JSON.parse(process.argv[1]);
        const a = await run(event);
        const b = await run({ ...event, provider: 'google', model: 'gemini-2.5-flash', timeoutMs: 60000 }, { getRemainingTimeInMillis: () => 800 });
        console.log(JSON.stringify([a, b]));
      })();
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'tsx/cjs', '-e', script, JSON.stringify(payload('openai', { timeoutMs: 200 }))], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, OPENAI_BASE_URL: base, GEMINI_BASE_URL: base },
      encoding: 'utf8',
    });
    expect(JSON.parse(stdout)).toEqual([
      'OSOP.Llm.Transient OpenAI request (model gpt-4.1-mini) timed out after 200 ms',
      'OSOP.Llm.Transient Gemini request (model gemini-2.5-flash) timed out after 300 ms',
    ]);
  });

  test('a refused connection is OSOP.Llm.Transient', async () => {
    const gone = await startOpenAiSandbox();
    await gone.close();
    process.env.GEMINI_BASE_URL = gone.url;
    try {
      const err = await thrown(() => handler(payload('google')));
      expect(err.name).toBe('OSOP.Llm.Transient');
      expect(err.message).toContain('failed without a response');
    } finally {
      process.env.GEMINI_BASE_URL = llm.url;
    }
  });
});
