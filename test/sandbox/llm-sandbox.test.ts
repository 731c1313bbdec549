import { DEFAULT_RECEIPT_EMAIL, startLlmSandbox, type LlmSandbox } from '../../sandbox/llm/server';

let llm: LlmSandbox;
beforeAll(async () => {
  llm = await startLlmSandbox({ apiKey: 'sk-ant-llmsandbox' });
});
afterAll(() => llm.close());
beforeEach(() => llm.reset());

async function messages(key = 'sk-ant-llmsandbox'): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${llm.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 300, messages: [{ role: 'user', content: 'Write the receipt.' }] }),
  });
  return { status: res.status, body: await res.json() };
}

test('answers the Messages API with a receipt email and plausible usage', async () => {
  const { status, body } = await messages();
  expect(status).toBe(200);
  expect(body).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', stop_reason: 'end_turn' });
  expect(body.content).toEqual([{ type: 'text', text: DEFAULT_RECEIPT_EMAIL }]);
  expect(DEFAULT_RECEIPT_EMAIL).toMatch(/receipt/i);
  expect(body.usage.input_tokens).toBeGreaterThan(0);
  expect(body.usage.output_tokens).toBe(Math.ceil(DEFAULT_RECEIPT_EMAIL.length / 4));
});

test('injectOverloaded(n): the next n requests get 529 overloaded_error, then it recovers; requests are counted', async () => {
  llm.injectOverloaded(2);
  const results = [await messages(), await messages(), await messages()];
  expect(results.map((r) => r.status)).toEqual([529, 529, 200]);
  expect(results[0].body).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  expect(llm.requestCount()).toBe(3);
  expect(llm.requests().map((r) => r.status)).toEqual([529, 529, 200]);
});

test('only the configured key is accepted', async () => {
  expect((await messages('sk-ant-other')).status).toBe(401);
});

test('a configured reply replaces the receipt', async () => {
  const custom = await startLlmSandbox({ reply: 'Hello there.' });
  try {
    const res = await fetch(`${custom.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'any', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(((await res.json()) as { content: { text: string }[] }).content[0].text).toBe('Hello there.');
  } finally {
    await custom.close();
  }
});

describe('forced tool use (typed outputs)', () => {
  const SCHEMA = { type: 'object', properties: { subject: { type: 'string' }, amount_cents: { type: 'integer' } }, required: ['subject'] };
  async function toolRequest(toolChoice: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(`${llm.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-llmsandbox', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 300,
        messages: [{ role: 'user', content: 'Write the receipt.' }],
        tools: [{ name: 'osop_output', input_schema: SCHEMA }],
        ...(toolChoice !== undefined && { tool_choice: toolChoice }),
      }),
    });
    expect(res.status).toBe(200);
    return res.json();
  }

  test('a forced tool gets a tool_use block with the queued input, then one generated from the input schema', async () => {
    llm.queueToolAnswers([{ subject: 'Receipt', amount_cents: 2000 }]);
    const queued = await toolRequest({ type: 'tool', name: 'osop_output' });
    expect(queued).toMatchObject({ type: 'message', stop_reason: 'tool_use' });
    expect(queued.content).toEqual([{ type: 'tool_use', id: expect.any(String), name: 'osop_output', input: { subject: 'Receipt', amount_cents: 2000 } }]);
    expect(queued.usage.output_tokens).toBe(Math.ceil(JSON.stringify({ subject: 'Receipt', amount_cents: 2000 }).length / 4));

    const generated = await toolRequest({ type: 'any' });
    expect(generated.content[0]).toMatchObject({ type: 'tool_use', name: 'osop_output', input: { subject: 'sample subject', amount_cents: 1 } });
  });

  test('a queued string is answered as text; without a forced tool_choice the reply is the usual text', async () => {
    llm.queueToolAnswers(['I will not call the tool.']);
    expect((await toolRequest({ type: 'tool', name: 'osop_output' })).content).toEqual([{ type: 'text', text: 'I will not call the tool.' }]);
    expect((await toolRequest(undefined)).content).toEqual([{ type: 'text', text: DEFAULT_RECEIPT_EMAIL }]);
    expect((await toolRequest({ type: 'auto' })).content).toEqual([{ type: 'text', text: DEFAULT_RECEIPT_EMAIL }]);
  });

  test('requests() keeps each body exactly as sent, tool_choice included; reset clears the tool answer queue', async () => {
    llm.queueToolAnswers([{ subject: 'never used' }]);
    llm.reset();
    const answer = await toolRequest({ type: 'tool', name: 'osop_output' });
    expect(answer.content[0].input.subject).toBe('sample subject');
    const [req] = llm.requests();
    expect(req.body).toMatchObject({ tools: [{ name: 'osop_output', input_schema: SCHEMA }], tool_choice: { type: 'tool', name: 'osop_output' } });
    expect(req.headers).not.toHaveProperty('x-aimock-context');
  });
});
