/**
 * The local sandbox: a Stripe stand-in, an Anthropic stand-in and an
 * OpenAI-compatible stand-in (serving both `openai` and `google` agent nodes)
 * on 127.0.0.1, with the environment and routes that point the handlers at them.
 */
import { randomBytes } from 'node:crypto';
import { startLlmSandbox, type LlmSandbox } from './llm/server';
import { startMcpSandbox, type McpSandbox } from './mcp/server';
import { startOpenAiSandbox, type OpenAiSandbox } from './openai/server';
import { startStripeSandbox, type StripeSandbox } from './stripe/server';

export { startLlmSandbox, type LlmSandbox, type LlmSandboxOptions, type LlmRequest } from './llm/server';
export { startMcpSandbox, type McpSandbox, type McpSandboxOptions, type McpCall } from './mcp/server';
export { startOpenAiSandbox, type OpenAiSandbox, type OpenAiSandboxOptions, type OpenAiRequest } from './openai/server';
export { startStripeSandbox, type StripeSandbox, type StripeSandboxOptions, type RecordedRequest, type FaultSpec } from './stripe/server';

export interface Sandbox {
  stripeUrl: string;
  llmUrl: string;
  /** Base URL of the OpenAI-compatible stand-in (with `/v1`), for both OpenAI and Gemini. */
  openaiUrl: string;
  /** Secrets and settings for the handlers (local secrets are environment variables). */
  env: {
    STRIPE_SECRET_KEY: string;
    ANTHROPIC_API_KEY: string;
    ANTHROPIC_BASE_URL: string;
    OPENAI_API_KEY: string;
    OPENAI_BASE_URL: string;
    GEMINI_API_KEY: string;
    GEMINI_BASE_URL: string;
    /** The MCP stand-in's Streamable HTTP endpoint and its bearer token, as the secrets `MCP_SERVER_URL` and `MCP_TOKEN`. */
    MCP_SERVER_URL: string;
    MCP_TOKEN: string;
  };
  /** For the REST handler's `setRoutes` / `OSOP_ROUTES`. */
  routes: Record<string, string>;
  stripe: StripeSandbox;
  llm: LlmSandbox;
  /** Answers `openai` and `google` agent nodes alike (each with its own key). */
  openai: OpenAiSandbox;
  mcp: McpSandbox;
  close(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  // Fresh keys each start, and the servers accept only these: a run that reaches
  // them proves the handlers read the secrets from where they should.
  const stripeKey = `sk_test_sandbox_${randomBytes(12).toString('hex')}`;
  const anthropicKey = `sk-ant-sandbox-${randomBytes(12).toString('hex')}`;
  const openaiKey = `sk-proj-sandbox-${randomBytes(12).toString('hex')}`;
  const geminiKey = `AIza-sandbox-${randomBytes(12).toString('hex')}`;
  const mcpToken = `mcp-sandbox-${randomBytes(12).toString('hex')}`;
  const [stripeStart, llmStart, openaiStart, mcpStart] = await Promise.allSettled([
    startStripeSandbox({ apiKey: stripeKey }),
    startLlmSandbox({ apiKey: anthropicKey }),
    startOpenAiSandbox({ apiKey: [openaiKey, geminiKey] }),
    startMcpSandbox({ token: mcpToken }),
  ]);
  if (stripeStart.status === 'rejected' || llmStart.status === 'rejected' || openaiStart.status === 'rejected' || mcpStart.status === 'rejected') {
    const starts = [stripeStart, llmStart, openaiStart, mcpStart];
    // Do not leave the ones that did start listening.
    await Promise.all(starts.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw (starts.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
  }
  const stripe = stripeStart.value;
  const llm = llmStart.value;
  const openai = openaiStart.value;
  const mcp = mcpStart.value;
  return {
    stripeUrl: stripe.url,
    llmUrl: llm.url,
    openaiUrl: openai.url,
    env: {
      STRIPE_SECRET_KEY: stripeKey,
      ANTHROPIC_API_KEY: anthropicKey,
      ANTHROPIC_BASE_URL: llm.url,
      OPENAI_API_KEY: openaiKey,
      OPENAI_BASE_URL: openai.url,
      GEMINI_API_KEY: geminiKey,
      GEMINI_BASE_URL: openai.url,
      MCP_SERVER_URL: mcp.url,
      MCP_TOKEN: mcpToken,
    },
    routes: { 'https://api.stripe.com': stripe.url },
    stripe,
    llm,
    openai,
    mcp,
    close: async () => {
      await Promise.all([stripe.close(), llm.close(), openai.close(), mcp.close()]);
    },
  };
}
