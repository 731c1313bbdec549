import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { McpResult, McpTaskPayload } from '../../lib/contract/task-payload';
import { bundleHandler, measureBundles } from '../../scripts/bundle-sizes';
import type { TypedAgentResult } from '../../lambdas/agent/typed-output';
import { startLlmSandbox } from '../../sandbox/llm/server';
import { startMcpSandbox } from '../../sandbox/mcp/server';
import { startOpenAiSandbox } from '../../sandbox/openai/server';
import { agentPayload, captureConsole, mcpPayload, thrown } from './payloads';

test('the REST and approval handler bundles stay under 50 KB (deployment build: minified, @aws-sdk external)', async () => {
  const sizes = await measureBundles();
  expect(sizes.rest).toBeLessThan(50 * 1024);
  // The approval handler uses the runtime's EventBridge client: only our code is bundled.
  expect(sizes.approval).toBeLessThan(50 * 1024);
  // The agent bundles carry the Anthropic / OpenAI SDK (and ajv), the MCP bundle the MCP SDK client; they must at least have been built.
  expect(sizes.agent).toBeGreaterThan(sizes.rest);
  expect(sizes['agent-openai']).toBeGreaterThan(sizes.rest);
  expect(sizes.mcp).toBeGreaterThan(sizes.rest);
});

test('importing the handlers loads neither the Anthropic SDK, the OpenAI SDK, ajv, the MCP SDK nor the AWS SDK', () => {
  const script = `
    require('./lambdas/agent');
    require('./lambdas/agent-openai');
    require('./lambdas/rest');
    require('./lambdas/approval');
    require('./lambdas/mcp');
    console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /@anthropic-ai|@aws-sdk|@modelcontextprotocol|node_modules[\\\\/](openai|ajv)[\\\\/]/.test(k))));
  `;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual([]);
});

test('the bundled MCP handler (its lazy require of the SDK included) calls a tool and maps its errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'osop-mcp-bundle-'));
  const mcp = await startMcpSandbox({ token: 'bundle-token' });
  const savedToken = process.env.MCP_TOKEN;
  process.env.MCP_TOKEN = 'bundle-token';
  const logs = captureConsole();
  try {
    const outfile = join(dir, 'index.js');
    await bundleHandler('mcp', outfile);
    const { handler } = require(outfile) as { handler: (e: McpTaskPayload) => Promise<McpResult> };
    const result = await handler(mcpPayload(mcp.url, { arguments: { query: 'refund' } }));
    expect(result).toMatchObject({ count: 1, structured: { count: 1 } });
    expect(result.text).toMatch(/^Refund policy/);
    expect((await thrown(() => handler(mcpPayload(mcp.url, { tool: 'fail', arguments: {} })))).name).toBe('OSOP.Mcp.ToolError');
    expect((await thrown(() => handler(mcpPayload(mcp.url, { tool: 'slow', arguments: { ms: 3000 }, timeoutMs: 200 })))).name).toBe('OSOP.Mcp.Transient');
    expect(logs.lines).toHaveLength(3);
  } finally {
    logs.restore();
    if (savedToken === undefined) delete process.env.MCP_TOKEN;
    else process.env.MCP_TOKEN = savedToken;
    await mcp.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the bundled agent handlers (their lazy requires of the SDK and ajv included) answer a typed output after one correction', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'osop-agent-bundle-'));
  const [anthropic, openai] = await Promise.all([startLlmSandbox({ apiKey: 'sk-ant-bundle' }), startOpenAiSandbox({ apiKey: 'sk-openai-bundle' })]);
  const saved = { ...process.env };
  Object.assign(process.env, { ANTHROPIC_API_KEY: 'sk-ant-bundle', ANTHROPIC_BASE_URL: anthropic.url, OPENAI_API_KEY: 'sk-openai-bundle', OPENAI_BASE_URL: openai.url });
  delete process.env.OSOP_SECRETS_SOURCE;
  try {
    const outputSchema = { type: 'object', properties: { amount_cents: { type: 'integer' } }, required: ['amount_cents'] };
    const run = async (name: 'agent' | 'agent-openai', provider: 'anthropic' | 'openai') => {
      const outfile = join(dir, name, 'index.js');
      await bundleHandler(name, outfile);
      const { handler } = require(outfile) as { handler: (e: ReturnType<typeof agentPayload>) => Promise<TypedAgentResult> };
      return handler(agentPayload({ provider, apiKeySecret: undefined, outputSchema }));
    };
    anthropic.queueToolAnswers([{ amount_cents: '20.00' }, { amount_cents: 2000 }]);
    await expect(run('agent', 'anthropic')).resolves.toMatchObject({ amount_cents: 2000, stop_reason: 'tool_use' });
    expect(anthropic.requestCount()).toBe(2);
    openai.queueAnswers([{ amount_cents: '20.00' }, { amount_cents: 2000 }]);
    await expect(run('agent-openai', 'openai')).resolves.toMatchObject({ amount_cents: 2000, stop_reason: 'end_turn' });
    expect(openai.requestCount()).toBe(2);
  } finally {
    process.env = saved;
    await Promise.all([anthropic.close(), openai.close()]);
    await rm(dir, { recursive: true, force: true });
  }
});
