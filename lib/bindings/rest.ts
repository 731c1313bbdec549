/**
 * `api` nodes with a URL → a Task invoking the REST handler (`lambdas/rest`)
 * with a `RestTaskPayload`. Secrets may appear in the URL, headers, query and
 * body, where only the handler resolves them.
 */
import { z } from 'zod';
import { ErrorNames, RETRYABLE_HANDLER_ERRORS, type OutputMapping } from '../contract/task-payload';
import { Codes, type SourceRange } from '../diagnostics';
import { dataKey } from '../data-layout';
import { jsonPathOf, resolverOf, type ParsedTemplate, type TemplatePart } from '../expressions';
import { TemplateText, type JsonTemplate } from '../model';
import { DEFAULT_REST_TIMEOUT_SECONDS } from '../lower/layout';
import { assignLowered, lowerJson, walkTemplates, type PayloadContext } from '../lower/payload';
import type { FunctionSpec } from '../types';
import { invokeHandler, payloadHeader } from './common';
import type { Binding } from './types';
import { lowerNative, nativeObstacle } from './rest-native';

/** 128 MB, like the agent and approval handlers: they wait on the network, where the CPU share of more memory buys nothing (OsopHandlers' memorySize raises it). */
export const REST_FUNCTION: FunctionSpec = {
  kind: 'shared', name: 'rest', label: 'REST handler', entry: 'lambdas/rest/index.ts', substitution: 'RestHandlerArn', minTimeoutSeconds: 60, memoryMiB: 128, needs: 'secrets',
};

/** APIs that only accept form-encoded bodies, when a node does not say. */
const FORM_ENCODED_ORIGINS = new Set(['https://api.stripe.com']);

export interface RestConfig {
  method: string;
  /** Base URL (`runtime.url`) and path (`runtime.endpoint`), joined at lowering. */
  url?: TemplateText;
  endpoint?: TemplateText;
  headers: Record<string, TemplateText>;
  query: Record<string, JsonTemplate>;
  body?: JsonTemplate;
  /** Content type named by the node itself (header or runtime field). */
  declaredContentType?: string;
  expectedStatus: number[];
  idempotency?: { enabled: boolean; key?: TemplateText };
  /** `x-sfn: { http: native }` on the node, or else on the workflow: a native HTTP Task where the node fits one (rest-native.ts). */
  http?: 'native' | 'lambda';
  range: SourceRange;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const Runtime = z.looseObject({
  method: z.string().optional(),
  url: z.string().optional(),
  endpoint: z.string().optional(),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  content_type: z.string().optional(),
});

export const restBinding: Binding<RestConfig> = {
  id: 'rest',
  canFail: true,
  sfnOptions: { http: z.enum(['native', 'lambda']).optional() },
  // An api node with nothing to call is a manual step (bindings/manual.ts).
  matches: (node) => node.type === 'api' && (typeof node.runtime.url === 'string' || (typeof node.runtime.endpoint === 'string' && /^(https?:\/\/|\$\{)/i.test(node.runtime.endpoint))),

  read(ctx) {
    const { runtime, node } = ctx;
    const parsed = Runtime.safeParse(runtime);
    if (!parsed.success) {
      ctx.reportZod(parsed.error, runtime, `the runtime of api node '${node.id}'`);
      return undefined;
    }
    const hasBody = runtime.body !== undefined || runtime.body_template !== undefined;
    const method = typeof runtime.method === 'string' ? runtime.method.toUpperCase() : hasBody ? 'POST' : 'GET';
    if (!/^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(method)) {
      ctx.sink.report(Codes.WrongType, { form: 'httpMethod', node: node.id, method: String(runtime.method) }, ctx.valueRange(runtime, 'method'));
    }
    const headers: Record<string, TemplateText> = {};
    let declaredContentType: string | undefined;
    if (isObj(runtime.headers)) {
      for (const [name, v] of Object.entries(runtime.headers)) {
        headers[name] = ctx.template(String(v), runtime.headers, name);
        if (name.toLowerCase() === 'content-type') declaredContentType = String(v).split(';')[0].trim().toLowerCase();
      }
    }
    // auth: {type: bearer, secret_ref: NAME} is the schema's way to say Authorization: Bearer ${secrets.NAME}.
    if (isObj(runtime.auth) && typeof runtime.auth.secret_ref === 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      const type = typeof runtime.auth.type === 'string' ? runtime.auth.type.toLowerCase() : 'bearer';
      const scheme = type === 'basic' ? 'Basic' : 'Bearer';
      const ref = runtime.auth.secret_ref.replace(/^\$\{secrets\.(.*)\}$/, '$1').replace(/^secrets\./, '');
      headers.Authorization = new TemplateText(`${scheme} \${secrets.${ref}}`, ctx.valueRange(runtime.auth, 'secret_ref'), undefined);
    }
    if (typeof runtime.content_type === 'string') declaredContentType = runtime.content_type.toLowerCase();
    const queryRaw = runtime.query ?? runtime.params ?? runtime.query_params;
    const query: Record<string, JsonTemplate> = {};
    if (isObj(queryRaw)) for (const [k, v] of Object.entries(queryRaw)) query[k] = ctx.jsonTemplate(v, queryRaw, k);
    const bodyKey = runtime.body !== undefined ? 'body' : runtime.body_template !== undefined ? 'body_template' : undefined;
    const body = bodyKey ? ctx.jsonTemplate(runtime[bodyKey], runtime, bodyKey) : undefined;
    const expected = runtime.expected_status ?? runtime.success_codes ?? runtime.expected_status_codes;
    const expectedStatus = typeof expected === 'number' ? [expected] : Array.isArray(expected) ? expected.filter((x): x is number => typeof x === 'number') : [];
    let idempotency: RestConfig['idempotency'];
    if (isObj(ctx.raw.idempotency)) {
      const key = ctx.raw.idempotency.key;
      idempotency = { enabled: ctx.raw.idempotency.enabled !== false, key: typeof key === 'string' ? ctx.template(key, ctx.raw.idempotency, 'key') : undefined };
    }
    return {
      method,
      url: typeof runtime.url === 'string' ? ctx.template(runtime.url, runtime, 'url') : undefined,
      endpoint: typeof runtime.endpoint === 'string' ? ctx.template(runtime.endpoint, runtime, 'endpoint') : undefined,
      headers,
      query,
      body,
      declaredContentType,
      expectedStatus,
      idempotency,
      http: httpOption(node.sfn.options?.http) ?? httpOption(ctx.workflowSfn.http),
      range: ctx.runtimeRange,
    };
  },

  templates(b, visit) {
    if (b.url) visit(b.url, true);
    if (b.endpoint) visit(b.endpoint, true);
    for (const h of Object.values(b.headers)) visit(h, true);
    for (const q of Object.values(b.query)) walkTemplates(q, (t) => visit(t, true));
    if (b.body !== undefined) walkTemplates(b.body, (t) => visit(t, true));
    if (b.idempotency?.key) visit(b.idempotency.key, false);
  },

  lower(node, b, ctx) {
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const url = composeUrl(b, pctx);
    if (!url) {
      ctx.sink.report(Codes.MissingUrl, { node: node.id }, b.range);
      return undefined;
    }
    const secretUrl = wholeSecret(url.parsed);
    const origin = secretUrl ? `\${secrets.${secretUrl}}` : literalOrigin(url.parsed);
    if (!origin) {
      ctx.sink.report(Codes.BadUrl, { node: node.id, url: url.parsed.text.slice(0, 60) }, url.range);
      return undefined;
    }
    if (b.http === 'native') {
      const why = nativeObstacle(node, b, url.parsed, secretUrl, pctx);
      const contentType = b.declaredContentType ?? ctx.siblingContentTypes.get(origin) ?? (FORM_ENCODED_ORIGINS.has(origin) ? 'application/x-www-form-urlencoded' : 'application/json');
      if (!why) return lowerNative(node, b, url.parsed, origin, contentType, ctx);
      ctx.sink.report(Codes.HttpStaysOnHandler, { node: node.id, why }, b.range);
    }
    const request: Record<string, unknown> = { method: b.method };
    Object.assign(request, urlWithValues(url.parsed, pctx, url.range));
    // A URL that is one secret (a webhook URL) may be called only at its own origin: the same placeholder, resolved by the handler.
    if (secretUrl) pctx.secretFields['/allowedOrigin'] = [secretUrl];
    const contentType = b.declaredContentType ?? ctx.siblingContentTypes.get(origin) ?? (FORM_ENCODED_ORIGINS.has(origin) ? 'application/x-www-form-urlencoded' : 'application/json');
    const headers: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(b.headers)) {
      // The handler sets Content-Type from `contentType`; repeating it here only makes the definition longer.
      if (name.toLowerCase() === 'content-type' && value.text.split(';')[0].trim().toLowerCase() === contentType) continue;
      assignLowered(headers, name, value, `/request/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, pctx, value);
    }
    request.headers = headers;
    if (Object.keys(b.query).length) {
      const query = lowerJson(b.query, '/request/query', pctx);
      if (query.dynamic) request['query.$'] = query.expression;
      else request.query = query.value;
    }
    if (b.body !== undefined && b.method !== 'GET' && b.method !== 'HEAD') assignLowered(request, 'body', b.body, '/request/body', pctx, null);
    request.contentType = contentType === 'application/x-www-form-urlencoded' ? contentType : 'application/json';

    const timeoutSeconds = node.timeoutSeconds ?? DEFAULT_REST_TIMEOUT_SECONDS;
    // Output names become keys of the state data (see lib/data-layout.ts).
    const outputs: OutputMapping[] = node.outputs.map((o) => ({ name: dataKey(o.name), path: o.path, required: o.required }));
    // Only what differs from the handler's default (a derived key on every non-GET request) is written.
    let idempotency: Record<string, unknown> | undefined;
    if (b.idempotency && (!b.idempotency.enabled || b.idempotency.key)) {
      idempotency = { enabled: b.idempotency.enabled };
      if (b.idempotency.key) assignLowered(idempotency, 'key', b.idempotency.key, '/idempotency/key', pctx, b.idempotency.key);
    }
    const secretFields = pctx.secretFields;
    if (Object.keys(secretFields).length && /^http:\/\//i.test(origin) && !/^http:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(origin)) {
      ctx.sink.report(Codes.SecretOverHttp, { node: node.id, origin }, url.range);
    }
    const payload: Record<string, unknown> = {
      kind: 'rest',
      ...payloadHeader(node, ctx),
      ...(Object.keys(secretFields).length ? { secretFields } : {}),
      request,
      allowedOrigin: origin,
      ...(b.expectedStatus.length ? { expectedStatus: b.expectedStatus } : {}),
      timeoutMs: timeoutSeconds * 1000,
      ...(idempotency ? { idempotency } : {}),
      outputs,
    };
    const invocation = invokeHandler(node, REST_FUNCTION, payload, {
      ...(outputs.length ? { selector: Object.fromEntries(outputs.map((o) => [`${o.name}.$`, jsonPathOf(['Payload', o.name])])) } : {}),
      timeoutSeconds,
      retryOn: RETRYABLE_HANDLER_ERRORS.filter((e) => e === ErrorNames.HttpTransient || e === ErrorNames.HttpTimeout),
      secrets: [...new Set(Object.values(secretFields).flat())].sort(),
      handler: 'rest',
    });
    return { state: invocation.state, task: { ...invocation.task, ...(secretUrl ? {} : { origin }) } };
  },
};

const httpOption = (v: unknown): RestConfig['http'] => (v === 'native' || v === 'lambda' ? v : undefined);

/** The origin a literal URL starts with; undefined for anything the URL parser refuses (reported elsewhere). */
export function originOf(url: string): string | undefined {
  const m = /^(https?:\/\/[^/?#@\s$]+)/i.exec(url);
  if (!m) return undefined;
  try {
    return new URL(m[1]).origin;
  } catch {
    return undefined;
  }
}

/** Base URL + endpoint as one template (an absolute endpoint stands alone). */
function composeUrl(b: RestConfig, ctx: PayloadContext): { parsed: ParsedTemplate; range: SourceRange } | undefined {
  const base = b.url ? ctx.templates.get(b.url) : undefined;
  const path = b.endpoint ? ctx.templates.get(b.endpoint) : undefined;
  // An absolute endpoint stands alone, and so does one with no base (a webhook URL from a secret).
  if (path && (/^https?:\/\//i.test(b.endpoint!.text) || !base)) return { parsed: path, range: b.endpoint!.range };
  if (!base) return undefined;
  if (!path) return { parsed: base, range: b.url!.range };
  const parts: TemplatePart[] = [...base.parts];
  const last = parts[parts.length - 1];
  const first = path.parts[0];
  const joinSlash = (a: string, c: string) => (a.endsWith('/') && c.startsWith('/') ? a + c.slice(1) : !a.endsWith('/') && !c.startsWith('/') && c !== '' ? `${a}/${c}` : a + c);
  if (last?.kind === 'text' && first?.kind === 'text') {
    parts[parts.length - 1] = { kind: 'text', text: joinSlash(last.text, first.text) };
    parts.push(...path.parts.slice(1));
  } else if (last?.kind === 'text') {
    parts[parts.length - 1] = { kind: 'text', text: last.text.endsWith('/') ? last.text : `${last.text}/` };
    parts.push(...path.parts);
  } else {
    parts.push(...path.parts);
  }
  return { parsed: { text: base.text + path.text, parts, references: [...base.references, ...path.references] }, range: b.url!.range };
}

/**
 * The URL as the handler fills it: the text with `{}` where data goes and the
 * values beside it (`urlValues`, built with States.Array). The handler encodes
 * each value as one path segment or query component, so input cannot rewrite
 * the path or the query of a call that carries a secret. Secret placeholders
 * stay in the text (the handler substitutes them there only).
 */
function urlWithValues(parsed: ParsedTemplate, ctx: PayloadContext, range: SourceRange): Record<string, unknown> {
  const secrets = parsed.references.filter((r) => r.kind === 'secret').map((r) => (r as { name: string }).name);
  if (secrets.length) ctx.secretFields['/request/url'] = [...new Set(secrets)];
  const resolve = resolverOf(ctx.resolved);
  let text = '';
  const values: string[] = [];
  for (const part of parsed.parts) {
    if (part.kind === 'text') text += part.text.replace(/\{\}/g, '%7B%7D');
    else if (part.ref.kind === 'secret') text += `\${secrets.${part.ref.name}}`;
    else {
      const r = resolve(part.ref);
      if ('message' in r) {
        ctx.sink.report(Codes.TemplateSyntax, { message: r.message, hint: r.hint }, range);
        continue;
      }
      text += '{}';
      values.push(r.path);
    }
  }
  return values.length ? { url: text, 'urlValues.$': `States.Array(${values.join(', ')})` } : { url: text };
}

/** The secret a URL is made of as a whole (`${secrets.SLACK_WEBHOOK_URL}`), if it is. */
function wholeSecret(parsed: ParsedTemplate): string | undefined {
  const [only, ...rest] = parsed.parts;
  return !rest.length && only?.kind === 'ref' && only.ref.kind === 'secret' ? only.ref.name : undefined;
}

/** The origin the URL's literal beginning fixes, or undefined when data could change it. */
function literalOrigin(parsed: ParsedTemplate): string | undefined {
  const first = parsed.parts[0];
  if (!first || first.kind !== 'text') return undefined;
  const m = /^(https?):\/\/([^/?#@\s]+)([/?#]|$)/i.exec(first.text);
  if (!m) return undefined;
  // The host must be followed by a separator or end the whole URL: `https://api.x.com${path}` could be redirected.
  if (m[3] === '' && parsed.parts.length > 1) return undefined;
  try {
    return new URL(`${m[1]}://${m[2]}`).origin;
  } catch {
    return undefined;
  }
}
