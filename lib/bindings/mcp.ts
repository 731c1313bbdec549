/**
 * `mcp` nodes that name a server and a tool → a Task invoking the MCP handler
 * (`lambdas/mcp`), which calls the tool with the official MCP SDK client over
 * Streamable HTTP. The server URL comes from `runtime.server` (or `x-sfn:
 * { mcp_server }`), auth from a secret (`auth: { secret_ref: NAME }` or a
 * header with `${secrets.NAME}`). A tool result with `isError` is the error
 * `OSOP.Mcp.ToolError`; text and structured content become the outputs.
 */
import { z } from 'zod';
import { ErrorNames } from '../contract/task-payload';
import { Codes } from '../diagnostics';
import { dataKey } from '../data-layout';
import { jsonPathOf } from '../expressions';
import { TemplateText, type JsonTemplate } from '../model';
import { assignLowered, lowerJson, walkTemplates, type PayloadContext } from '../lower/payload';
import type { FunctionSpec } from '../types';
import { invokeHandler, payloadHeader } from './common';
import type { Binding } from './types';

export const MCP_FUNCTION: FunctionSpec = {
  kind: 'shared', name: 'mcp', label: 'MCP handler', entry: 'lambdas/mcp/index.ts', substitution: 'McpHandlerArn', minTimeoutSeconds: 60, memoryMiB: 256, needs: 'secrets',
};
export const MCP_OUTPUTS = ['text', 'structured'] as const;
const DEFAULT_MCP_TIMEOUT_SECONDS = 60;

export interface McpConfig {
  server: TemplateText;
  tool: string;
  arguments: Record<string, JsonTemplate>;
  headers: Record<string, TemplateText>;
}

const serverOf = (o: Record<string, unknown>) => ['server_url', 'server', 'url', 'endpoint'].find((k) => typeof o[k] === 'string');
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const mcpBinding: Binding<McpConfig> = {
  id: 'mcp',
  canFail: true,
  sfnOptions: { mcp_server: z.string().regex(/^https?:\/\//, 'an http(s) URL').optional(), mcp_tool: z.string().min(1).optional() },
  matches: (node) => node.type === 'mcp' && (serverOf(node.runtime) !== undefined || typeof node.sfn.options?.mcp_server === 'string'),

  read(ctx) {
    const { node, runtime } = ctx;
    const sfn = node.sfn.options ?? {};
    const key = serverOf(runtime);
    const server = typeof sfn.mcp_server === 'string' ? new TemplateText(sfn.mcp_server, node.range, undefined) : ctx.template(runtime[key!] as string, runtime, key!);
    const tool = (sfn.mcp_tool as string | undefined) ?? (typeof runtime.tool === 'string' ? runtime.tool : typeof runtime.tool_name === 'string' ? runtime.tool_name : undefined);
    if (!tool) {
      ctx.sink.report(Codes.BadRuntime, { form: 'mcpWithoutTool', node: node.id }, ctx.runtimeRange);
      return undefined;
    }
    const argsKey = ['arguments', 'args', 'input', 'params'].find((k) => runtime[k] !== undefined);
    const argsRaw = argsKey ? runtime[argsKey] : {};
    if (!isObj(argsRaw)) {
      ctx.sink.report(Codes.BadRuntime, { form: 'mcpArguments', node: node.id }, ctx.valueRange(runtime, argsKey!));
      return undefined;
    }
    const args: Record<string, JsonTemplate> = {};
    for (const [k, v] of Object.entries(argsRaw)) args[k] = ctx.jsonTemplate(v, argsRaw, k);
    const headers: Record<string, TemplateText> = {};
    if (isObj(runtime.headers)) for (const [k, v] of Object.entries(runtime.headers)) headers[k] = ctx.template(String(v), runtime.headers, k);
    if (isObj(runtime.auth) && typeof runtime.auth.secret_ref === 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      const ref = runtime.auth.secret_ref.replace(/^\$\{secrets\.(.*)\}$/, '$1').replace(/^secrets\./, '');
      headers.Authorization = new TemplateText(`Bearer \${secrets.${ref}}`, ctx.valueRange(runtime.auth, 'secret_ref'), undefined);
    }
    return { server, tool, arguments: args, headers };
  },

  templates(c, visit) {
    visit(c.server, true);
    for (const h of Object.values(c.headers)) visit(h, true);
    // Tool arguments are the tool's data: a secret there would be in the history and sent to the server as data.
    walkTemplates(c.arguments, (t) => visit(t, false));
  },

  outputs: () => MCP_OUTPUTS,
  outputType: (_n, _c, name) => (name === 'text' ? 'string' : name === 'structured' ? 'json' : undefined),

  lower(node, c, ctx) {
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const timeoutSeconds = node.timeoutSeconds ?? DEFAULT_MCP_TIMEOUT_SECONDS;
    const payload: Record<string, unknown> = { kind: 'mcp', ...payloadHeader(node, ctx) };
    assignLowered(payload, 'serverUrl', c.server, '/serverUrl', pctx, c.server);
    payload.tool = c.tool;
    const args = lowerJson(c.arguments, '/arguments', pctx);
    if (args.dynamic) payload['arguments.$'] = args.expression;
    else payload.arguments = args.value;
    if (Object.keys(c.headers).length) {
      const headers: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.headers)) assignLowered(headers, k, v, `/headers/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, pctx, v);
      payload.headers = headers;
    }
    payload.timeoutMs = timeoutSeconds * 1000;
    if (Object.keys(pctx.secretFields).length) payload.secretFields = pctx.secretFields;
    const selector: Record<string, string> = { 'text.$': '$.Payload.text', 'structured.$': '$.Payload.structured' };
    for (const o of node.outputs) if (!(MCP_OUTPUTS as readonly string[]).includes(o.name)) selector[`${dataKey(o.name)}.$`] = jsonPathOf(['Payload', o.name]);
    return invokeHandler(node, MCP_FUNCTION, payload, {
      selector,
      timeoutSeconds,
      retryOn: [ErrorNames.McpTransient],
      secrets: [...new Set(Object.values(pctx.secretFields).flat())].sort(),
      handler: 'mcp',
    });
  },
};
