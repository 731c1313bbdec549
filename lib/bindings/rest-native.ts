/**
 * `api` nodes as native HTTP Tasks (`arn:aws:states:::http:invoke`), asked for with `x-sfn: { http: native }`
 * on the node or the workflow: Step Functions sends the request itself, no Lambda function runs. The credential
 * comes from an EventBridge connection the stack creates from the secret (never in the definition); the
 * Idempotency-Key is the handler's (`idempotencyKeyExpression`); 429/5xx and no response are retried; outputs are
 * selected from `ResponseBody`. `nativeObstacle` says why a node must stay on the REST handler instead.
 * Behaviour cited from the Developer Guide, "Call HTTPS APIs in Step Functions workflows".
 */
import { createHash } from 'node:crypto';
import { HTTP_TASK_TRANSIENT_ERRORS, idempotencyKeyExpression } from '../contract/task-payload';
import { escapeIntrinsicString, resolverOf, type ParsedTemplate } from '../expressions';
import type { TemplateText, WorkflowNode } from '../model';
import { dataKey } from '../data-layout';
import { outputsPath, DEFAULT_REST_TIMEOUT_SECONDS } from '../lower/layout';
import { assignLowered, lowerJson, walkTemplates, type PayloadContext } from '../lower/payload';
import { retryRules } from '../lower/retry';
import type { ConnectionSpec } from '../types';
import { taskComment } from './common';
import type { Lowering, LowerContext } from './types';

export const HTTP_INVOKE = 'arn:aws:states:::http:invoke';
/** "HTTP task requests will timeout after 60 seconds." */
export const HTTP_TASK_MAX_SECONDS = 60;

/** Headers an HTTP Task definition may not set (it fails with States.Runtime); Authorization comes from the connection. */
const REFUSED_HEADERS = new Set(
  ['a-im', 'accept-charset', 'accept-datetime', 'accept-encoding', 'authorization', 'cache-control', 'connection', 'content-encoding', 'content-md5', 'date', 'expect', 'forwarded', 'from', 'host', 'http2-settings', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'max-forwards', 'origin', 'pragma', 'proxy-authorization', 'referer', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via', 'warning'],
);
const refusedHeader = (name: string) => REFUSED_HEADERS.has(name.toLowerCase()) || /^(x-forwarded-|x-amz-|x-amzn-)/i.test(name);

/** What the native lowering reads of an api node (`RestConfig` of rest.ts, which imports this module). */
export interface RestConfig {
  method: string;
  headers: Record<string, TemplateText>;
  query: Record<string, import('../model').JsonTemplate>;
  body?: import('../model').JsonTemplate;
  expectedStatus: number[];
  idempotency?: { enabled: boolean; key?: TemplateText };
}

const secretsIn = (parsed: ParsedTemplate | undefined) => (parsed?.references ?? []).filter((r) => r.kind === 'secret').map((r) => (r as { name: string }).name);

/** The one header that carries the node's secret, and the secret: what its connection holds. */
function credentialOf(b: RestConfig, ctx: PayloadContext): { header: string; secret: string; value: string } | string | undefined {
  const withSecret = Object.entries(b.headers).filter(([, t]) => secretsIn(ctx.templates.get(t)).length);
  if (!withSecret.length) return undefined;
  if (withSecret.length > 1) return `secrets in ${withSecret.length} headers (${withSecret.map(([h]) => h).join(', ')}), and a connection holds one credential header`;
  const [header, t] = withSecret[0];
  const parsed = ctx.templates.get(t)!;
  const names = [...new Set(secretsIn(parsed))];
  if (names.length > 1 || parsed.references.length !== secretsIn(parsed).length) return `header ${header} mixes ${names.length > 1 ? 'several secrets' : 'a secret with data'}, and a connection holds one fixed value`;
  return { header, secret: names[0], value: t.text };
}

/** Why `node` cannot be a native HTTP Task with the same behaviour; undefined when it can. */
export function nativeObstacle(node: WorkflowNode, b: RestConfig, url: ParsedTemplate, secretUrl: string | undefined, ctx: PayloadContext): string | undefined {
  if (secretUrl || secretsIn(url).length) return 'its URL holds a secret, which a connection cannot put there';
  let inData = false;
  for (const q of Object.values(b.query)) walkTemplates(q, (t) => (inData ||= secretsIn(ctx.templates.get(t)).length > 0));
  if (b.body !== undefined) walkTemplates(b.body, (t) => (inData ||= secretsIn(ctx.templates.get(t)).length > 0));
  if (b.idempotency?.key && secretsIn(ctx.templates.get(b.idempotency.key)).length) inData = true;
  if (inData) return 'it puts a secret in its query, body or idempotency key, where only the handler fills secrets in';
  const credential = credentialOf(b, ctx);
  if (typeof credential === 'string') return credential;
  if (!credential) return 'it sends no secret, and an HTTP Task needs an EventBridge connection, which always adds a credential';
  const refused = Object.keys(b.headers).filter((h) => h !== credential.header && refusedHeader(h));
  if (refused.length) return `Step Functions refuses the header${refused.length > 1 ? 's' : ''} ${refused.join(', ')} in an HTTP Task`;
  const optional = node.outputs.filter((o) => !o.required).map((o) => o.name);
  if (optional.length) return `its optional output${optional.length > 1 ? 's' : ''} ${optional.join(', ')} (an HTTP Task cannot default a missing field to null)`;
  if (b.expectedStatus.length) return `it accepts the statuses ${b.expectedStatus.join(', ')} (an HTTP Task accepts any 2xx and fails on the rest)`;
  if ((node.timeoutSeconds ?? DEFAULT_REST_TIMEOUT_SECONDS) > HTTP_TASK_MAX_SECONDS) return `its timeout (${node.timeoutSeconds} s) is over the ${HTTP_TASK_MAX_SECONDS} seconds an HTTP Task waits`;
  return undefined;
}

/** The definition substitution of a connection: by its secret, with a digest of the header shape unless it is `Authorization: Bearer <secret>`. */
export function connectionSubstitution(secret: string, header: string, value: string): string {
  const safe = secret.replace(/[^A-Za-z0-9]/g, '_');
  if (header.toLowerCase() === 'authorization' && value === `Bearer \${secrets.${secret}}`) return `Connection_${safe}`;
  return `Connection_${safe}_${createHash('sha256').update(`${header}\n${value}`).digest('hex').slice(0, 8)}`;
}

/** The URL as ApiEndpoint: literal, or States.Format over the values in it; and the IAM pattern of the endpoints it can be. */
function endpointOf(url: ParsedTemplate, ctx: PayloadContext): { field: Record<string, string>; pattern: string } {
  const resolve = resolverOf(ctx.resolved);
  let format = '';
  let literal = '';
  const args: string[] = [];
  for (const part of url.parts) {
    if (part.kind === 'text') {
      format += escapeIntrinsicString(part.text);
      if (!args.length) literal += part.text;
    } else {
      const r = resolve(part.ref);
      if ('message' in r) continue;
      format += '{}';
      args.push(r.path);
    }
  }
  if (!args.length) return { field: { ApiEndpoint: url.text }, pattern: url.text };
  // Step Functions puts a value into the URL as it is (no percent-encoding): IAM holds the call under the literal path before it.
  return { field: { 'ApiEndpoint.$': `States.Format('${format}', ${args.join(', ')})` }, pattern: `${literal}*` };
}

export function lowerNative(node: WorkflowNode, b: RestConfig, url: ParsedTemplate, origin: string, contentType: string, ctx: LowerContext): Lowering {
  const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
  const credential = credentialOf(b, pctx) as { header: string; secret: string; value: string };
  const connection: ConnectionSpec = { substitution: connectionSubstitution(credential.secret, credential.header, credential.value), ...credential };
  const endpoint = endpointOf(url, pctx);
  const form = contentType === 'application/x-www-form-urlencoded';
  const hasBody = b.body !== undefined && b.method !== 'GET' && b.method !== 'HEAD';

  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(b.headers)) {
    if (name === credential.header || name.toLowerCase() === 'content-type') continue;
    assignLowered(headers, name, value as TemplateText, `/Headers/${name}`, pctx, value as TemplateText);
  }
  // With URL_ENCODED the content-type header must be given too ("Applying URL-encoding on request body").
  if (hasBody) headers['Content-Type'] = form ? contentType : 'application/json';
  const givenKey = Object.keys(b.headers).some((h) => h.toLowerCase() === 'idempotency-key');
  if (b.method !== 'GET' && b.method !== 'HEAD' && b.idempotency?.enabled !== false && !givenKey) {
    if (b.idempotency?.key) assignLowered(headers, 'Idempotency-Key', b.idempotency.key, '/Headers/Idempotency-Key', pctx, b.idempotency.key);
    else headers['Idempotency-Key.$'] = idempotencyKeyExpression(node.id, 'literal' in ctx.attempt ? `'${ctx.attempt.literal}'` : ctx.attempt.expression);
  }

  const parameters: Record<string, unknown> = { ...endpoint.field, Method: b.method, Authentication: { ConnectionArn: `\${${connection.substitution}}` } };
  if (Object.keys(headers).length) parameters.Headers = headers;
  if (Object.keys(b.query).length) {
    // Step Functions URL-encodes query parameters itself.
    const q = lowerJson(b.query, '/QueryParameters', pctx);
    if (q.dynamic) parameters['QueryParameters.$'] = q.expression;
    else parameters.QueryParameters = q.value;
  }
  if (hasBody) assignLowered(parameters, 'RequestBody', b.body!, '/RequestBody', pctx, null);
  // INDICES is the bracket notation Stripe reads (items[0][price]=..., metadata[k]=...), as lambdas/rest/form-encoding.ts writes it.
  if (hasBody && form) parameters.Transform = { RequestBodyEncoding: 'URL_ENCODED', RequestEncodingOptions: { ArrayFormat: 'INDICES' } };

  const timeoutSeconds = node.timeoutSeconds ?? DEFAULT_REST_TIMEOUT_SECONDS;
  const outputs = node.outputs;
  const selector = Object.fromEntries(outputs.map((o) => [`${dataKey(o.name)}.$`, `$.ResponseBody${o.path.slice(1)}`]));
  return {
    state: {
      Type: 'Task',
      Comment: taskComment(node),
      Resource: HTTP_INVOKE,
      Parameters: parameters,
      ...(outputs.length ? { ResultSelector: selector, ResultPath: outputsPath(node.id) } : { ResultPath: null }),
      TimeoutSeconds: timeoutSeconds,
      Retry: retryRules(HTTP_TASK_TRANSIENT_ERRORS, node.retry, []),
    },
    task: {
      resource: HTTP_INVOKE,
      substitutions: [connection.substitution],
      timeoutSeconds,
      waitsForCallback: false,
      waitsForJob: false,
      secrets: [connection.secret],
      iam: [
        {
          actions: ['states:InvokeHTTPEndpoint'],
          resources: ['arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}'],
          conditions: { StringEquals: { 'states:HTTPMethod': b.method }, StringLike: { 'states:HTTPEndpoint': endpoint.pattern } },
        },
        { actions: ['events:RetrieveConnectionCredentials'], resources: [`\${${connection.substitution}}`] },
        // The connection's own secret, which EventBridge creates (events!connection/...), by its ARN.
        { actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], resources: [`\${${connection.substitution}Secret}`] },
      ],
      connection,
      ...(outputs.length ? { responsePaths: Object.fromEntries(outputs.map((o) => [dataKey(o.name), o.path])) } : {}),
      origin,
      local: { kind: 'http' },
    },
  };
}
