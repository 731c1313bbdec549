/**
 * Typed outputs (`outputSchema`) in both agent handlers, against the
 * stand-ins over real HTTP: Anthropic answers through the forced
 * `osop_output` tool, OpenAI and Gemini through a `json_schema` response
 * format. Invalid answers get one retry carrying the validation errors.
 */
import type { AgentTaskPayload } from '../../lib/contract/task-payload';
import { handler as anthropicHandler } from '../../lambdas/agent';
import { handler as openaiHandler } from '../../lambdas/agent-openai';
import { askWithOneCorrection, outputValidator } from '../../lambdas/agent/typed-output';
import { startLlmSandbox, type LlmSandbox } from '../../sandbox/llm/server';
import { startOpenAiSandbox, type OpenAiSandbox } from '../../sandbox/openai/server';
import { agentPayload, captureConsole, thrown } from './payloads';

const ANTHROPIC_KEY = 'sk-ant-typedtest-0123456789abcdef';
const OPENAI_KEY = 'sk-proj-typedtest-0123456789abcdef';
const GEMINI_KEY = 'AIza-typedtest-0123456789abcdef';

const SCHEMA = {
  type: 'object',
  properties: {
    subject: { type: 'string', minLength: 1 },
    amount_cents: { type: 'integer', minimum: 0 },
    urgent: { type: 'boolean' },
  },
  required: ['subject', 'amount_cents'],
  additionalProperties: false,
};
const VALID = { subject: 'Your payment receipt', amount_cents: 2000 };
const MISSING_AMOUNT = { subject: 'Your payment receipt' };
const WRONG_TYPE = { subject: 'Your payment receipt', amount_cents: '20.00' };

/** The stand-ins' token estimate (~4 characters a token), to check that usage is summed. */
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

let anthropic: LlmSandbox;
let openai: OpenAiSandbox;
const savedEnv = { ...process.env };

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startLlmSandbox({ apiKey: ANTHROPIC_KEY }), startOpenAiSandbox({ apiKey: [OPENAI_KEY, GEMINI_KEY] })]);
  for (const name of ['OSOP_SECRETS_SOURCE', 'AWS_LAMBDA_FUNCTION_NAME', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_ADMIN_KEY']) delete process.env[name];
  Object.assign(process.env, {
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: openai.url,
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_BASE_URL: openai.url,
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([anthropic.close(), openai.close()]);
});
let consoleCapture: ReturnType<typeof captureConsole>;
beforeEach(() => {
  anthropic.reset();
  openai.reset();
  consoleCapture = captureConsole();
});
afterEach(() => consoleCapture.restore());

describe('anthropic: a forced osop_output tool', () => {
  const payload = (overrides: Partial<AgentTaskPayload> = {}) => agentPayload({ outputSchema: SCHEMA, ...overrides });

  test('a valid answer the first time: one request with the tool forced; the answer fields at the top level', async () => {
    anthropic.queueToolAnswers([VALID]);
    const result = await anthropicHandler(payload());
    expect(result).toEqual({
      text: JSON.stringify(VALID),
      model: 'claude-sonnet-4-6',
      stop_reason: 'tool_use',
      usage: { input_tokens: expect.any(Number), output_tokens: tokens(JSON.stringify(VALID)) },
      subject: 'Your payment receipt',
      amount_cents: 2000,
    });
    expect(anthropic.requestCount()).toBe(1);
    const { body } = anthropic.requests()[0];
    expect(body.tools).toEqual([{ name: 'osop_output', description: expect.any(String), input_schema: SCHEMA }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'osop_output' });
    expect(body.messages).toHaveLength(1);
  });

  test('invalid, then valid: exactly two requests; the second carries the answer and the validation errors', async () => {
    anthropic.queueToolAnswers([MISSING_AMOUNT, VALID]);
    const result = await anthropicHandler(payload());
    expect(result).toMatchObject({ ...VALID, text: JSON.stringify(VALID), stop_reason: 'tool_use' });
    // Usage is summed over both calls.
    expect(result.usage.output_tokens).toBe(tokens(JSON.stringify(MISSING_AMOUNT)) + tokens(JSON.stringify(VALID)));

    expect(anthropic.requestCount()).toBe(2);
    const [first, second] = anthropic.requests().map((r) => r.body);
    const messages = second.messages as { role: string; content: { type: string; [k: string]: unknown }[] }[];
    expect(messages[0]).toEqual((first.messages as unknown[])[0]);
    expect(messages).toHaveLength(3);
    const [toolUse] = messages[1].content;
    expect(messages[1].role).toBe('assistant');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'osop_output', input: MISSING_AMOUNT });
    expect(messages[2].role).toBe('user');
    expect(messages[2].content[0]).toMatchObject({ type: 'tool_result', tool_use_id: toolUse.id, is_error: true });
    expect(JSON.stringify(messages[2].content[0])).toContain("answer must have required property 'amount_cents'");
    expect(messages[2].content[1]).toEqual({
      type: 'text',
      text: expect.stringContaining("does not match the required output schema: answer must have required property 'amount_cents'"),
    });
    // The retry still forces the tool.
    expect(second.tool_choice).toEqual({ type: 'tool', name: 'osop_output' });
  });

  test('no tool call, then valid: the retry says the tool call is missing', async () => {
    anthropic.queueToolAnswers(['Here is your receipt email.', VALID]);
    await expect(anthropicHandler(payload())).resolves.toMatchObject(VALID);
    const second = anthropic.requests()[1].body;
    const messages = second.messages as { role: string; content: { type: string; text?: string }[] }[];
    expect(messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Here is your receipt email.' }] });
    expect(messages[2].content).toEqual([{ type: 'text', text: expect.stringContaining('the answer has no osop_output tool call') }]);
  });

  test('invalid twice: OSOP.Llm.Output naming the node and the validation errors, after exactly two requests', async () => {
    anthropic.queueToolAnswers([MISSING_AMOUNT, WRONG_TYPE]);
    const err = await thrown(() => anthropicHandler(payload()));
    expect(err.name).toBe('OSOP.Llm.Output');
    expect(err.message).toContain('Agent node send_receipt');
    expect(err.message).toContain('answer/amount_cents must be integer');
    expect(anthropic.requestCount()).toBe(2);
  });

  test('validation errors are bounded in the error message', async () => {
    const many = { type: 'object', properties: {}, required: Array.from({ length: 200 }, (_, i) => `field_number_${i}`) };
    anthropic.queueToolAnswers([{}, {}]);
    const err = await thrown(() => anthropicHandler(payload({ outputSchema: many })));
    expect(err.name).toBe('OSOP.Llm.Output');
    expect(err.message).toContain("answer must have required property 'field_number_0'");
    // Cut well before HandlerError's own 1024-character bound.
    expect(err.message).toMatch(/…$/);
    expect(err.message.length).toBeLessThan(800);
  });

  test('the API key is redacted from typed answers', async () => {
    anthropic.queueToolAnswers([{ subject: `key ${ANTHROPIC_KEY}`, amount_cents: 1 }]);
    const result = await anthropicHandler(payload());
    expect(result.subject).toBe('key [REDACTED]');
    expect(JSON.stringify(result)).not.toContain(ANTHROPIC_KEY);
  });

  test('without outputSchema no tool is sent and the text is returned as before', async () => {
    const result = await anthropicHandler(agentPayload());
    expect(Object.keys(result).sort()).toEqual(['model', 'stop_reason', 'text', 'usage']);
    expect(anthropic.requests()[0].body).not.toHaveProperty('tools');
    expect(anthropic.requests()[0].body).not.toHaveProperty('tool_choice');
  });

  test('an output schema that is not an object schema, or that ajv rejects, is OSOP.Config; nothing is sent', async () => {
    const notObject = await thrown(() => anthropicHandler(payload({ outputSchema: { type: 'string' } })));
    expect(notObject.name).toBe('OSOP.Config');
    expect(notObject.message).toContain('outputSchema must be a JSON Schema object');
    const invalid = await thrown(() => anthropicHandler(payload({ outputSchema: { type: 'object', properties: { a: { type: 'no-such-type' } } } })));
    expect(invalid.name).toBe('OSOP.Config');
    expect(invalid.message).toContain('outputSchema is not a valid JSON Schema');
    expect(anthropic.requestCount()).toBe(0);
  });
});

describe.each([
  ['openai', 'gpt-4.1-mini'],
  ['google', 'gemini-2.5-flash'],
] as const)('%s: a json_schema response format', (provider, model) => {
  const payload = (overrides: Partial<AgentTaskPayload> = {}) =>
    agentPayload({ provider, model, apiKeySecret: undefined, outputSchema: SCHEMA, ...overrides });

  test('a valid answer the first time: one request asking for the schema; the answer fields at the top level', async () => {
    openai.queueAnswers([VALID]);
    const result = await openaiHandler(payload());
    expect(result).toEqual({
      text: JSON.stringify(VALID),
      model,
      stop_reason: 'end_turn',
      usage: { input_tokens: expect.any(Number), output_tokens: tokens(JSON.stringify(VALID)) },
      subject: 'Your payment receipt',
      amount_cents: 2000,
    });
    expect(openai.requestCount()).toBe(1);
    expect(openai.requests()[0].responseFormat).toEqual({ type: 'json_schema', json_schema: { name: 'osop_output', schema: SCHEMA, strict: false } });
  });

  test('invalid, then valid: exactly two requests; the second carries the answer and the validation errors', async () => {
    openai.queueAnswers([WRONG_TYPE, VALID]);
    const result = await openaiHandler(payload());
    expect(result).toMatchObject({ ...VALID, text: JSON.stringify(VALID) });
    expect(result.usage.output_tokens).toBe(tokens(JSON.stringify(WRONG_TYPE)) + tokens(JSON.stringify(VALID)));

    expect(openai.requestCount()).toBe(2);
    const [first, second] = openai.requests();
    const messages = second.body.messages as { role: string; content: string }[];
    expect(messages.slice(0, 2)).toEqual(first.body.messages);
    expect(messages.slice(2)).toEqual([
      { role: 'assistant', content: JSON.stringify(WRONG_TYPE) },
      { role: 'user', content: expect.stringContaining('does not match the required output schema: answer/amount_cents must be integer') },
    ]);
    expect(second.responseFormat?.type).toBe('json_schema');
  });

  test('an answer that is not JSON counts as invalid', async () => {
    openai.queueAnswers(['Sure! The subject is "Your payment receipt".', VALID]);
    await expect(openaiHandler(payload())).resolves.toMatchObject(VALID);
    const messages = openai.requests()[1].body.messages as { role: string; content: string }[];
    expect(messages[3].content).toContain('the answer is not JSON');
  });

  test('invalid twice: OSOP.Llm.Output naming the node and the validation errors, after exactly two requests', async () => {
    openai.queueAnswers([MISSING_AMOUNT, 'not json at all']);
    const err = await thrown(() => openaiHandler(payload({ nodeId: 'classify_ticket' })));
    expect(err.name).toBe('OSOP.Llm.Output');
    expect(err.message).toContain('Agent node classify_ticket');
    expect(err.message).toContain('the answer is not JSON');
    expect(openai.requestCount()).toBe(2);
  });

  test('the API key is redacted from typed answers', async () => {
    const key = provider === 'openai' ? OPENAI_KEY : GEMINI_KEY;
    openai.queueAnswers([{ subject: `key ${key}`, amount_cents: 1 }]);
    const result = await openaiHandler(payload());
    expect(result.subject).toBe('key [REDACTED]');
    expect(JSON.stringify([result, consoleCapture.lines])).not.toContain(key);
  });
});

test('an invalid answer cut off at maxTokens says so', async () => {
  let calls = 0;
  const err = await thrown(() =>
    askWithOneCorrection({
      nodeId: 'n1',
      validate: outputValidator(SCHEMA),
      first: async () => ++calls,
      retry: async () => ++calls,
      extract: () => ({ answer: { subject: 'Your pay' }, truncated: true }),
    }),
  );
  expect(err.name).toBe('OSOP.Llm.Output');
  expect(err.message).toContain("answer must have required property 'amount_cents' (the answer was cut off: maxTokens reached)");
  expect(calls).toBe(2);
});
