import { CONTRACT_VERSION, type AgentTaskPayload, type McpTaskPayload, type RestTaskPayload } from '../../lib/contract/task-payload';

type RestOverrides = Omit<Partial<RestTaskPayload>, 'request'> & { request?: Partial<RestTaskPayload['request']> };

/** A payload as the compiler writes it for the workflow's create_customer node. */
export function restPayload(overrides: RestOverrides = {}): RestTaskPayload {
  const { request, ...rest } = overrides;
  return {
    contractVersion: CONTRACT_VERSION,
    kind: 'rest',
    workflowId: 'sop-stripe-payment',
    nodeId: 'create_customer',
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:sop-stripe-payment:run-1',
    attempt: '0',
    secretFields: { '/request/headers/Authorization': ['STRIPE_SECRET_KEY'] },
    allowedOrigin: 'https://api.stripe.com',
    expectedStatus: [],
    timeoutMs: 5000,
    idempotency: { enabled: true },
    outputs: [{ name: 'customer_id', path: '$.id', required: true }],
    ...rest,
    request: {
      method: 'POST',
      url: 'https://api.stripe.com/v1/customers',
      headers: { Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}' },
      query: {},
      body: { email: 'user@example.com', name: 'John Doe' },
      contentType: 'application/x-www-form-urlencoded',
      ...request,
    },
  };
}

export function agentPayload(overrides: Partial<AgentTaskPayload> = {}): AgentTaskPayload {
  return {
    contractVersion: CONTRACT_VERSION,
    kind: 'agent',
    workflowId: 'sop-stripe-payment',
    nodeId: 'send_receipt',
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:sop-stripe-payment:run-1',
    attempt: '0',
    secretFields: {},
    provider: 'anthropic',
    model: 'claude-sonnet-4-6',
    systemPrompt: 'Generate a payment receipt email. Be concise and professional.',
    instruction: 'AI generates a personalized receipt email based on payment details',
    maxTokens: 512,
    apiKeySecret: 'ANTHROPIC_API_KEY',
    context: { check_status: { status: 'succeeded' }, create_intent: { intent_id: 'pi_123' } },
    timeoutMs: 5000,
    ...overrides,
  };
}

/** A payload as the compiler writes it for an `mcp` node calling `search` with a bearer token from MCP_TOKEN. */
export function mcpPayload(serverUrl: string, overrides: Partial<McpTaskPayload> = {}): McpTaskPayload {
  return {
    contractVersion: CONTRACT_VERSION,
    kind: 'mcp',
    workflowId: 'sop-support',
    nodeId: 'search_docs',
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:sop-support:run-1',
    attempt: '0',
    secretFields: { '/headers/Authorization': ['MCP_TOKEN'] },
    serverUrl,
    tool: 'search',
    arguments: { query: 'payment' },
    headers: { Authorization: 'Bearer ${secrets.MCP_TOKEN}' },
    timeoutMs: 5000,
    ...overrides,
  };
}

/** Runs `fn` and returns what it threw (failing the test when it does not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to throw');
}

/** Collects console output (the handlers log JSON lines with console.log). */
export function captureConsole(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    }),
  );
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) };
}
