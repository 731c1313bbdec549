import { DEFAULT_OPENAI_REPLY, startOpenAiSandbox, type OpenAiSandbox } from '../../sandbox/openai/server';

let llm: OpenAiSandbox;
beforeAll(async () => {
  llm = await startOpenAiSandbox({ apiKey: ['sk-openai-sandbox', 'AIza-gemini-sandbox'], answers: [{ category: 'billing' }] });
});
afterAll(() => llm.close());
beforeEach(() => llm.reset());

const SCHEMA = {
  type: 'object',
  properties: { category: { type: 'string', enum: ['billing', 'bug'] }, score: { type: 'integer', minimum: 3 }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['category', 'score'],
};

async function chat(body: Record<string, unknown> = {}, key = 'sk-openai-sandbox'): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${llm.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Write the receipt.' }], ...body }),
  });
  return { status: res.status, body: await res.json() };
}
const jsonSchema = { response_format: { type: 'json_schema', json_schema: { name: 'osop_output', schema: SCHEMA, strict: false } } };

test('listens on 127.0.0.1 and answers Chat Completions with the reply and plausible usage', async () => {
  expect(llm.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const { status, body } = await chat();
  expect(status).toBe(200);
  expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-4.1-mini' });
  expect(body.choices[0]).toMatchObject({ message: { role: 'assistant', content: DEFAULT_OPENAI_REPLY }, finish_reason: 'stop' });
  expect(body.usage.prompt_tokens).toBeGreaterThan(0);
  expect(body.usage.completion_tokens).toBe(Math.ceil(DEFAULT_OPENAI_REPLY.length / 4));
  expect(llm.requests()[0]).toMatchObject({ model: 'gpt-4.1-mini', system: 'Be brief.', userText: 'Write the receipt.', status: 200 });
});

test('every configured key is accepted; any other is 401 with an OpenAI error body', async () => {
  expect((await chat({}, 'AIza-gemini-sandbox')).status).toBe(200);
  const { status, body } = await chat({}, 'sk-other');
  expect(status).toBe(401);
  expect(body).toEqual({ error: { message: 'Invalid API key', type: 'authentication_error', code: 'invalid_api_key' } });
});

test('json_schema requests get the queued answers in order, then an answer generated from the schema', async () => {
  llm.queueAnswers([{ category: 'bug' }, 'not json']);
  const contents = [];
  for (let i = 0; i < 4; i++) contents.push((await chat(jsonSchema)).body.choices[0].message.content);
  // The `answers` option comes first, then the queued ones; a string is sent as it is.
  expect(contents.slice(0, 3)).toEqual(['{"category":"billing"}', '{"category":"bug"}', 'not json']);
  expect(JSON.parse(contents[3])).toEqual({ category: 'billing', score: 3, tags: ['sample tags'] });
  expect(llm.requests()[0].responseFormat).toEqual(jsonSchema.response_format);
  // Plain requests still get the text reply.
  expect((await chat()).body.choices[0].message.content).toBe(DEFAULT_OPENAI_REPLY);
});

test('injectError: the next request gets the status with an OpenAI error body, then it recovers', async () => {
  llm.injectError(429, 'Rate limit reached');
  llm.injectError(503, 'Overloaded', 'service_unavailable');
  const results = [await chat(), await chat(), await chat()];
  expect(results.map((r) => r.status)).toEqual([429, 503, 200]);
  expect(results[0].body.error).toMatchObject({ message: 'Rate limit reached', type: 'rate_limit_exceeded' });
  expect(results[1].body.error).toMatchObject({ message: 'Overloaded', type: 'service_unavailable' });
  expect(llm.requests().map((r) => r.status)).toEqual([429, 503, 200]);
});

test('reset forgets requests, injected errors and queued answers, and queues the initial answers again', async () => {
  await chat(jsonSchema);
  llm.queueAnswers([{ category: 'bug' }]);
  llm.injectError(500, 'boom');
  llm.reset();
  expect(llm.requestCount()).toBe(0);
  const { status, body } = await chat(jsonSchema);
  expect(status).toBe(200);
  expect(JSON.parse(body.choices[0].message.content)).toEqual({ category: 'billing' });
});
