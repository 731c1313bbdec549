/**
 * `api` nodes → a Task invoking the REST handler with a `RestTaskPayload`.
 */
import { ErrorNames, RETRYABLE_HANDLER_ERRORS, type OutputMapping } from '../contract/task-payload';
import { Codes } from '../diagnostics';
import { dataKey } from '../data-layout';
import { jsonPathOf, type ParsedTemplate, type TemplatePart } from '../expressions';
import type { RestBinding, WorkflowNode } from '../model';
import { DEFAULT_REST_TIMEOUT_SECONDS, HANDLER_SUBSTITUTIONS, LAMBDA_INVOKE, TASK_TIMEOUT_MARGIN_SECONDS, outputsPath } from './layout';
import { assignLowered, lowerJson, lowerParsedTemplate, type PayloadContext } from './payload';
import { retryRules } from './retry';
import type { TaskState } from './states';

/** APIs that only accept form-encoded bodies, when a node does not say. */
const FORM_ENCODED_ORIGINS = new Set(['https://api.stripe.com']);

export interface RestLowering {
  state: TaskState;
  origin: string;
}

export interface TaskCommon {
  workflowId: string;
  /** `attempt` field: a literal or an intrinsic over the enclosing counters. */
  attempt: { literal: number } | { expression: string };
  /** Content types declared by other nodes for each origin (a workflow talks to one API one way). */
  siblingContentTypes: Map<string, string>;
}

export function lowerRestNode(node: WorkflowNode, b: RestBinding, ctx: PayloadContext, common: TaskCommon): RestLowering | undefined {
  const url = composeUrl(b, ctx);
  if (!url) {
    ctx.sink.error(Codes.MissingUrl, `The api node '${node.id}' has no URL, so there is nothing to call.`, b.range, "Set runtime.url (the base, e.g. https://api.example.com) and runtime.endpoint (the path).");
    return undefined;
  }
  const origin = literalOrigin(url.parsed);
  if (!origin) {
    ctx.sink.error(Codes.BadUrl, `The URL of api node '${node.id}' must start with a literal http(s) origin ('${url.parsed.text.slice(0, 60)}').`, url.range, 'The host may not come from data: the handler only calls the origin written in the workflow, so that a secret cannot be sent elsewhere.');
    return undefined;
  }
  const secretFields: Record<string, string[]> = {};
  const pctx: PayloadContext = { ...ctx, secretFields };
  const request: Record<string, unknown> = { method: b.method };
  const urlLowered = lowerParsedTemplate(url.parsed, '/request/url', pctx, url.range);
  if (urlLowered.dynamic) request['url.$'] = urlLowered.expression;
  else request.url = urlLowered.value;
  const contentType = b.declaredContentType ?? common.siblingContentTypes.get(origin) ?? (FORM_ENCODED_ORIGINS.has(origin) ? 'application/x-www-form-urlencoded' : 'application/json');
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

  const payload: Record<string, unknown> = {
    kind: 'rest',
    nodeId: node.id,
    'executionId.$': '$$.Execution.Id',
    ...('literal' in common.attempt ? { attempt: common.attempt.literal } : { 'attempt.$': common.attempt.expression }),
    ...(Object.keys(secretFields).length ? { secretFields } : {}),
    request,
    allowedOrigin: origin,
    ...(b.expectedStatus.length ? { expectedStatus: b.expectedStatus } : {}),
    timeoutMs: timeoutSeconds * 1000,
    ...(idempotency ? { idempotency } : {}),
    outputs,
  };
  const state: TaskState = {
    Type: 'Task',
    Comment: node.name ?? node.purpose ?? node.id,
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: `\${${HANDLER_SUBSTITUTIONS.rest}}`, Payload: payload },
    ...(outputs.length
      ? { ResultSelector: Object.fromEntries(outputs.map((o) => [`${o.name}.$`, jsonPathOf(['Payload', o.name])])), ResultPath: outputsPath(node.id) }
      : { ResultPath: null }),
    TimeoutSeconds: timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS,
    Retry: retryRules(RETRYABLE_HANDLER_ERRORS.filter((e) => e === ErrorNames.HttpTransient), node.retry),
  };
  return { state, origin };
}

/** Base URL + endpoint as one template (an absolute endpoint stands alone). */
function composeUrl(b: RestBinding, ctx: PayloadContext): { parsed: ParsedTemplate; range: RestBinding['range'] } | undefined {
  const base = b.url ? ctx.templates.get(b.url) : undefined;
  const path = b.endpoint ? ctx.templates.get(b.endpoint) : undefined;
  if (path && /^https?:\/\//i.test(b.endpoint!.text)) return { parsed: path, range: b.endpoint!.range };
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
