/**
 * `agent` nodes → a Task invoking an agent handler: `lambdas/agent`
 * (Anthropic) or `lambdas/agent-openai` (OpenAI, and Gemini through its
 * OpenAI-compatible endpoint). The outputs are the handler's result (text,
 * model, stop_reason, usage). An agent that declares other outputs, or whose
 * other fields the workflow reads, asks the model for a structured answer: a
 * JSON Schema built from the declarations and from how the outputs are used,
 * which the handler enforces (tool use / json_schema, validated with ajv).
 */
import { z } from 'zod';
import { ErrorNames } from '../contract/task-payload';
import { Codes, type SourceRange } from '../diagnostics';
import { dataKey } from '../data-layout';
import { jsonPathOf } from '../expressions';
import { TemplateText, type WorkflowNode } from '../model';
import { DEFAULT_AGENT_TIMEOUT_SECONDS } from '../lower/layout';
import { assignLowered, type PayloadContext } from '../lower/payload';
import type { FunctionSpec } from '../types';
import { invokeHandler, payloadHeader } from './common';
import type { Binding, LowerContext, OutputUse } from './types';

/** Outputs every agent node has, whatever it declares (the agent handler's result). */
export const AGENT_OUTPUTS = ['text', 'model', 'stop_reason', 'usage'] as const;
const DEFAULT_AGENT_MAX_TOKENS = 1024;
const DEFAULT_AGENT_MODEL = 'claude-sonnet-4-6';
/** `x-sfn: { context: [...] }` on agent nodes. */
const ContextOption = z.array(z.string()).optional();

export const ANTHROPIC_FUNCTION: FunctionSpec = {
  kind: 'shared', name: 'agent', label: 'agent handler', entry: 'lambdas/agent/index.ts', substitution: 'AgentHandlerArn', minTimeoutSeconds: 180, memoryMiB: 128, needs: 'secrets',
};
export const OPENAI_FUNCTION: FunctionSpec = {
  kind: 'shared', name: 'agent-openai', label: 'OpenAI-compatible agent handler', entry: 'lambdas/agent-openai/index.ts', substitution: 'OpenAiAgentHandlerArn', minTimeoutSeconds: 180, memoryMiB: 128, needs: 'secrets',
};

/** Each provider's handler and default API key secret. */
const PROVIDERS: Record<string, { fn: FunctionSpec; keySecret: string }> = {
  anthropic: { fn: ANTHROPIC_FUNCTION, keySecret: 'ANTHROPIC_API_KEY' },
  openai: { fn: OPENAI_FUNCTION, keySecret: 'OPENAI_API_KEY' },
  google: { fn: OPENAI_FUNCTION, keySecret: 'GEMINI_API_KEY' },
};

/** What an agent is given of the earlier outputs, besides what its prompt references: nodes (whole) and outputs (`node.output`). */
export interface AgentContext {
  nodes: { id: string; range: SourceRange }[];
  outputs: TemplateText[];
}

export interface AgentConfig {
  provider: string;
  providerRange: SourceRange;
  model: string;
  systemPrompt?: TemplateText;
  instruction: TemplateText | string;
  maxTokens: number;
  temperature?: number;
  apiKeySecret: string;
  context: AgentContext;
  range: SourceRange;
}

export const agentBinding: Binding<AgentConfig> = {
  id: 'agent',
  canFail: true,
  sfnOptions: { context: ContextOption },
  matches: (node) => node.type === 'agent',

  read(ctx) {
    const { runtime, node } = ctx;
    // Without a provider, the model's name says it: claude-* is Anthropic; gpt-*/o1-* OpenAI; gemini-* Google.
    const modelName = typeof runtime.model === 'string' ? runtime.model.toLowerCase() : '';
    const implied = modelName.startsWith('claude') || modelName === '' ? 'anthropic' : /^(gpt|o\d|text-|davinci|chatgpt)/.test(modelName) ? 'openai' : modelName.startsWith('gemini') ? 'google' : undefined;
    const provider = typeof runtime.provider === 'string' ? runtime.provider.toLowerCase() : (implied ?? 'anthropic');
    if (runtime.provider === undefined && modelName !== '' && !modelName.startsWith('claude')) {
      ctx.sink.report(Codes.ProviderChosen, { node: node.id, provider, fromModel: implied !== undefined }, ctx.runtimeRange);
    }
    const model = typeof runtime.model === 'string' ? runtime.model : DEFAULT_AGENT_MODEL;
    if (runtime.model === undefined) ctx.sink.report(Codes.DefaultAssumed, { form: 'agentModel', node: node.id, model: DEFAULT_AGENT_MODEL }, ctx.runtimeRange);
    const promptKey = ['prompt', 'user_prompt', 'instruction', 'instructions'].find((k) => typeof runtime[k] === 'string');
    const instruction = promptKey ? ctx.template(runtime[promptKey] as string, runtime, promptKey) : (node.purpose ?? node.name ?? node.id);
    const maxTokens = typeof runtime.max_tokens === 'number' && runtime.max_tokens > 0 ? Math.floor(runtime.max_tokens) : DEFAULT_AGENT_MAX_TOKENS;
    const keyRef = typeof runtime.api_key === 'string' ? /^\$\{secrets\.([A-Za-z0-9_.-]+)\}$/.exec(runtime.api_key)?.[1] : undefined;
    const providerRange = runtime.provider !== undefined ? ctx.valueRange(runtime, 'provider') : ctx.runtimeRange;
    if (!PROVIDERS[provider]) {
      ctx.sink.report(Codes.UnsupportedProvider, { node: node.id, provider, supported: Object.keys(PROVIDERS).join(', ') }, providerRange);
      return undefined;
    }
    // context: [node, node.output, ...] in runtime or x-sfn: what the model may see besides what its prompt references.
    const context: AgentContext = { nodes: [], outputs: [] };
    const sfnContext = node.sfn.options?.context;
    const holder = Array.isArray(sfnContext) ? sfnContext : Array.isArray(runtime.context) ? runtime.context : undefined;
    for (const [i, entry] of (holder ?? []).entries()) {
      if (typeof entry !== 'string' || !/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w]*)?$/.test(entry)) {
        ctx.sink.report(Codes.BadRuntime, { form: 'contextEntry', position: i + 1, node: node.id }, ctx.valueRange(holder, i));
        continue;
      }
      if (entry.includes('.')) context.outputs.push(new TemplateText(`\${${entry}}`, ctx.valueRange(holder, i), undefined));
      else context.nodes.push({ id: entry, range: ctx.valueRange(holder, i) });
    }
    return {
      context,
      provider,
      providerRange,
      model,
      systemPrompt: typeof runtime.system_prompt === 'string' ? ctx.template(runtime.system_prompt, runtime, 'system_prompt') : undefined,
      instruction,
      maxTokens,
      temperature: typeof runtime.temperature === 'number' ? runtime.temperature : undefined,
      apiKeySecret: keyRef ?? PROVIDERS[provider].keySecret,
      range: ctx.runtimeRange,
    };
  },

  templates(b, visit) {
    // Secrets never reach the model: the prompt and instruction are no place for them.
    if (b.systemPrompt) visit(b.systemPrompt, false);
    if (b.instruction instanceof TemplateText) visit(b.instruction, false);
    for (const t of b.context.outputs) visit(t, false);
  },

  nodeRefs: (b) => b.context.nodes,

  outputs: () => AGENT_OUTPUTS,
  outputType: (node, _b, name) => (name === 'text' || name === 'model' || name === 'stop_reason' ? 'string' : name === 'usage' ? 'json' : node.outputs.find((o) => o.name === name)?.type),

  lower(node, b, ctx) {
    const { fn, keySecret } = PROVIDERS[b.provider];
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const timeoutSeconds = node.timeoutSeconds ?? DEFAULT_AGENT_TIMEOUT_SECONDS;
    const payload: Record<string, unknown> = { kind: 'agent', ...payloadHeader(node, ctx), provider: b.provider, model: b.model };
    if (b.systemPrompt) assignLowered(payload, 'systemPrompt', b.systemPrompt, '/systemPrompt', pctx, b.systemPrompt);
    if (b.instruction instanceof TemplateText) assignLowered(payload, 'instruction', b.instruction, '/instruction', pctx, b.instruction);
    else payload.instruction = b.instruction;
    payload.maxTokens = b.maxTokens;
    if (b.temperature !== undefined) payload.temperature = b.temperature;
    if (b.apiKeySecret !== keySecret || b.provider !== 'anthropic') payload.apiKeySecret = b.apiKeySecret;
    // The model sees only what its prompt references and what `context:` names, never a sensitive output.
    const context = modelContext(node, b, ctx);
    if (Object.keys(context).length) payload.context = context;
    payload.timeoutMs = timeoutSeconds * 1000;
    const schema = structuredOutputSchema(node, ctx.usedOutputs);
    if (schema) payload.outputSchema = schema;

    const selector: Record<string, string> = {};
    for (const name of AGENT_OUTPUTS) selector[`${name}.$`] = jsonPathOf(['Payload', name]);
    for (const o of node.outputs) if (!(AGENT_OUTPUTS as readonly string[]).includes(o.name)) selector[`${dataKey(o.name)}.$`] = jsonPathOf(['Payload', o.name]);
    for (const name of ctx.usedOutputs.keys()) if (!(AGENT_OUTPUTS as readonly string[]).includes(name)) selector[`${dataKey(name)}.$`] = jsonPathOf(['Payload', name]);
    const invocation = invokeHandler(node, fn, payload, {
      selector,
      timeoutSeconds,
      retryOn: [ErrorNames.LlmTransient],
      secrets: [b.apiKeySecret],
      handler: fn.kind === 'shared' ? fn.name : 'agent',
    });
    return { state: invocation.state, task: { ...invocation.task, model: { provider: b.provider, model: b.model } } };
  },
};

/**
 * The earlier outputs the model is given: those the prompt and system prompt
 * reference, the outputs and nodes `context:` names; an output marked
 * sensitive (or named like a secret, `client_secret`) never. As Parameters:
 * `{ node: { 'output.$': '$.outputs.node.output' } }`.
 */
function modelContext(node: WorkflowNode, b: AgentConfig, ctx: LowerContext): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const add = (nodeId: string, output: string) => {
    const n = dataKey(nodeId);
    if (ctx.outputsOf(nodeId).some((o) => o.name === output && o.sensitive)) return;
    (out[n] ??= {})[`${dataKey(output)}.$`] = jsonPathOf(['outputs', n, dataKey(output)]);
  };
  const texts = [b.systemPrompt, b.instruction instanceof TemplateText ? b.instruction : undefined, ...b.context.outputs].filter((t): t is TemplateText => t !== undefined);
  for (const t of texts) {
    for (const ref of ctx.templates.get(t)?.references ?? []) {
      if (ref.kind !== 'output') continue;
      const r = ctx.resolved.get(ref);
      const m = r && /^\$\.outputs\.([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)/.exec(r.path);
      if (!m) continue;
      const owner = ctx.nodeOfKey(m[1]);
      if (owner && owner !== node.id) add(owner, ctx.outputsOf(owner).find((o) => dataKey(o.name) === m[2])?.name ?? m[2]);
    }
  }
  for (const whole of b.context.nodes) for (const o of ctx.outputsOf(whole.id)) add(whole.id, o.name);
  return out;
}

/**
 * The JSON Schema of the structured answer, or undefined when the node only
 * needs text: every declared output besides the handler's own, and every
 * other field the workflow reads, typed from its declaration or its use.
 */
export function structuredOutputSchema(node: WorkflowNode, used: Map<string, OutputUse>): Record<string, unknown> | undefined {
  const fixed = AGENT_OUTPUTS as readonly string[];
  const names = [...new Set([...node.outputs.map((o) => o.name), ...used.keys()])].filter((n) => !fixed.includes(n));
  if (!names.length) return undefined;
  const properties: Record<string, unknown> = {};
  for (const name of names) {
    const decl = node.outputs.find((o) => o.name === name);
    const use = used.get(name);
    const type = decl?.type ?? use?.type ?? 'string';
    const values = use?.values?.filter((v) => v !== null && typeof v === type);
    properties[name] = values?.length ? { type, enum: [...new Set(values)] } : { type };
  }
  return { type: 'object', properties, required: names, additionalProperties: false };
}
