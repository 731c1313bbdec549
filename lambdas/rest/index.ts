/**
 * REST handler: executes one `api` node's HTTP request as the compiler's
 * payload describes it and returns the node's declared outputs.
 */
import { workflowOfExecution, type OutputMapping, type RestTaskPayload } from '../../lib/contract/task-payload';
import { HandlerError, redacting } from '../shared/handler-error';
import { effectiveTimeoutMs, type LambdaContextLike } from '../shared/lambda-context';
import { logJson, redactHeaders } from '../shared/log';
import type { Redactor } from '../shared/redactor';
import { defaultSecretSource } from '../shared/secrets';
import { buildRequest, type OutgoingRequest } from './request';
import { checkSize, isExpectedStatus, mapOutputs, parseJsonBody, statusError, type ReceivedResponse } from './response';
import { substituteSecrets } from './secret-fields';
import { describeUrl, fillUrl, resolveTarget } from './target';
import { assertRestPayload } from './validate';

export { setRoutes, type Routes } from './target';

export async function handler(event: RestTaskPayload, context?: LambdaContextLike): Promise<unknown> {
  return redacting((redactor) => run(event, redactor, context));
}

async function run(event: RestTaskPayload, redactor: Redactor, context?: LambdaContextLike): Promise<unknown> {
  assertRestPayload(event);
  const payload = await substituteSecrets(event, defaultSecretSource(), redactor);
  const { declared, sendTo } = resolveTarget(fillUrl(payload.request.url, payload.request.urlValues), payload.request.query ?? {}, payload.allowedOrigin);
  const request = buildRequest(payload);
  const label = `${request.method} ${describeUrl(declared)}`;

  const started = Date.now();
  let response: ReceivedResponse | undefined;
  let failure: string | undefined;
  try {
    response = await send(label, sendTo, request, effectiveTimeoutMs(payload.timeoutMs, context));
  } catch (err) {
    failure = err instanceof RequestFailure ? err.kind : 'error';
    throw err;
  } finally {
    logJson(
      redactor.value({
        msg: 'osop.rest.request',
        workflowId: payload.workflowId ?? workflowOfExecution(payload.executionId),
        executionId: payload.executionId,
        nodeId: payload.nodeId,
        attempt: payload.attempt,
        method: request.method,
        url: describeUrl(declared),
        ...(sendTo !== declared && { routedTo: sendTo.origin }),
        status: response?.status ?? null,
        ...(failure && { failure }),
        durationMs: Date.now() - started,
        idempotencyKey: request.idempotencyKey ? 'yes' : 'no',
        headers: redactHeaders(request.headers),
      }),
    );
  }

  if (!isExpectedStatus(response.status, payload.expectedStatus)) throw statusError(label, response, payload.expectedStatus);
  const body = parseJsonBody(response.text);
  // The compiler always sends a list; without one the whole body is the result.
  const outputs = payload.outputs as OutputMapping[] | undefined;
  if (outputs === undefined) return checkSize(label, body ?? response.text, 'the response body');
  return mapOutputs(label, body, outputs);
}

/** No complete response: transient, since with the idempotency key a retry cannot apply the effect twice. */
export class RequestFailure extends HandlerError {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    // The node's own deadline is a timeout, retried like a transient error and then taken by the node's timeout edge.
    super(kind === 'timeout' ? 'OSOP.Http.Timeout' : 'OSOP.Http.Transient', message);
  }
}

/** The largest (decompressed) response body read: `OSOP_MAX_RESPONSE_BYTES`, default 4 MiB, far under the function's memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
function maxResponseBytes(): number {
  const v = Number(process.env.OSOP_MAX_RESPONSE_BYTES);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_RESPONSE_BYTES;
}

/**
 * The body, read as it streams in (fetch has already decompressed it), and
 * cut off past `max` bytes: a huge or a gzip-bomb response is refused without
 * being held in memory.
 */
async function readCapped(res: Response, label: string, max: number, controller: AbortController): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  const tooLarge = () => new HandlerError('OSOP.Output', `${label}: the response is larger than ${max} bytes (OSOP_MAX_RESPONSE_BYTES); response too large, refused`);
  if (!res.headers.get('content-encoding') && Number.isFinite(declared) && declared > max) {
    controller.abort();
    throw tooLarge();
  }
  if (!res.body) return '';
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) {
      controller.abort();
      throw tooLarge();
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * One request with a deadline covering the whole exchange, body included.
 * Redirects are not followed: the allowed-origin check covers one hop only.
 */
export async function send(label: string, target: URL, req: OutgoingRequest, timeoutMs: number): Promise<ReceivedResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(target, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: controller.signal,
    });
    const text = req.method === 'HEAD' ? '' : await readCapped(res, label, maxResponseBytes(), controller);
    return { status: res.status, statusText: res.statusText, headers: res.headers, text };
  } catch (err) {
    if (err instanceof HandlerError) throw err;
    if (controller.signal.aborted) throw new RequestFailure('timeout', `${label} timed out after ${timeoutMs} ms`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = [cause?.code, cause?.message ?? (err as Error).message].filter(Boolean).join(': ');
    throw new RequestFailure('network', `${label} failed without a response (${reason})`);
  } finally {
    clearTimeout(timer);
  }
}
