import type { RestTaskPayload } from '../../lib/contract/task-payload';
import { HandlerError } from '../shared/handler-error';

const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/** Fails with `OSOP.Config` naming the first malformed field: a compiler bug or a hand-made payload. */
export function assertRestPayload(event: unknown): asserts event is RestTaskPayload {
  const p = event as Partial<RestTaskPayload> | null;
  const problem =
    !p || typeof p !== 'object' ? 'the payload is not an object'
    : p.kind !== 'rest' ? `kind is ${JSON.stringify(p.kind)}, expected "rest"`
    : !p.request || typeof p.request !== 'object' ? 'request is missing'
    : typeof p.request.method !== 'string' || !/^[A-Za-z]+$/.test(p.request.method) ? 'request.method must be an HTTP method'
    : typeof p.request.url !== 'string' ? 'request.url must be a string'
    : p.request.urlValues !== undefined && !Array.isArray(p.request.urlValues) ? 'request.urlValues must be a list'
    : !isRecord(p.request.headers ?? {}) ? 'request.headers must be an object'
    : !isRecord(p.request.query ?? {}) ? 'request.query must be an object'
    : !CONTENT_TYPES.includes(p.request.contentType) ? `request.contentType must be one of ${CONTENT_TYPES.join(', ')}`
    : typeof p.allowedOrigin !== 'string' ? 'allowedOrigin must be a string'
    : typeof p.timeoutMs !== 'number' || !(p.timeoutMs > 0) ? 'timeoutMs must be a positive number'
    : p.outputs !== undefined && !Array.isArray(p.outputs) ? 'outputs must be a list'
    : p.expectedStatus !== undefined && !Array.isArray(p.expectedStatus) ? 'expectedStatus must be a list'
    : !isRecord(p.secretFields ?? {}) ? 'secretFields must be an object'
    : typeof p.executionId !== 'string' || typeof p.nodeId !== 'string' || (typeof p.attempt !== 'string' && typeof p.attempt !== 'number')
      ? 'executionId and nodeId must be strings, attempt a string or a number'
    : undefined;
  if (problem) throw new HandlerError('OSOP.Config', `Invalid REST task payload: ${problem}`);
}

function isRecord(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
