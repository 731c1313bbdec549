import { MAX_RETURNED_BODY_BYTES, type OutputMapping } from '../../lib/contract/task-payload';
import { HandlerError } from '../shared/handler-error';
import { evaluateJsonPath, JsonPathSyntaxError } from './json-path';

export interface ReceivedResponse {
  status: number;
  statusText?: string;
  headers: Headers;
  text: string;
}

/** The body as JSON, or undefined when it is empty or not JSON. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isExpectedStatus(status: number, expected: number[] | undefined): boolean {
  return expected && expected.length > 0 ? expected.includes(status) : status >= 200 && status < 300;
}

/**
 * The error for an unexpected status. 429 and 5xx are transient (retry with
 * the same idempotency key is safe), as is any status Stripe marks with
 * `Stripe-Should-Retry: true` (e.g. 409 while a request with the same key is
 * still in flight); anything else is rejected.
 */
export function statusError(request: string, res: ReceivedResponse, expected: number[] | undefined): HandlerError {
  const transient = res.status === 429 || res.status >= 500 || res.headers.get('stripe-should-retry') === 'true';
  const wanted = expected && expected.length > 0 ? expected.join('/') : '2xx';
  const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
  const detail = describeApiError(res.text);
  return new HandlerError(
    transient ? 'OSOP.Http.Transient' : 'OSOP.Http.Rejected',
    `${request} returned ${res.status} (expected ${wanted})${redirect}${detail ? `: ${detail}` : ''}`,
  );
}

/** The API's own explanation: Stripe's `error.message` and codes, a top-level `message`, or the start of the text. */
function describeApiError(text: string): string {
  const body = parseJsonBody(text) as Record<string, unknown> | undefined;
  if (body && typeof body === 'object') {
    const err = (typeof body.error === 'object' && body.error !== null ? body.error : body) as Record<string, unknown>;
    const message = typeof err.message === 'string' ? err.message : typeof body.error === 'string' ? body.error : '';
    const codes = ['type', 'code', 'decline_code', 'param']
      .filter((k) => typeof err[k] === 'string' && err[k] !== '')
      .map((k) => `${k} ${String(err[k])}`);
    return [message, codes.length ? `(${codes.join(', ')})` : ''].filter(Boolean).join(' ');
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * The node's declared outputs taken from the body: always every declared
 * name; a required one that is missing (or null) is `OSOP.Output`, an
 * optional one becomes null.
 */
export function mapOutputs(request: string, body: unknown, outputs: OutputMapping[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const out of outputs) {
    let value: unknown;
    try {
      value = evaluateJsonPath(body, out.path);
    } catch (err) {
      if (!(err instanceof JsonPathSyntaxError)) throw err;
      throw new HandlerError('OSOP.Config', `output "${out.name}": path "${out.path}" is not supported: ${err.message}`);
    }
    if ((value === undefined || value === null) && out.required) {
      const why = body === undefined ? 'the response body is not JSON' : `${value === null ? 'it is null' : 'it is missing'} in the response`;
      throw new HandlerError('OSOP.Output', `required output "${out.name}" (path ${out.path}) of ${request}: ${why}`);
    }
    result[out.name] = value ?? null;
  }
  return checkSize(request, result, 'outputs');
}

/** Step Functions caps a state's output at 256 KiB; fail clearly before it does. */
export function checkSize<T>(request: string, value: T, what: string): T {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes > MAX_RETURNED_BODY_BYTES) {
    throw new HandlerError(
      'OSOP.Output',
      `${what} of ${request} is ${bytes} bytes, over the ${MAX_RETURNED_BODY_BYTES}-byte limit; declare outputs to return only what the workflow needs`,
    );
  }
  return value;
}
