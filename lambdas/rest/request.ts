import { deriveIdempotencyKey, type RestTaskPayload } from '../../lib/contract/task-payload';
import { HandlerError } from '../shared/handler-error';
import { encodeForm } from './form-encoding';

export interface OutgoingRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Whether an `Idempotency-Key` header is sent (logged as yes/no, never its value). */
  idempotencyKey: boolean;
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Printable ASCII and Latin-1 plus tab; no CR/LF, so no header injection.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers, idempotency key and encoded body of the request the payload describes. */
export function buildRequest(payload: RestTaskPayload): OutgoingRequest {
  const { request, idempotency } = payload;
  const method = request.method.toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    // Our own check: the Headers class would echo the (possibly secret) value in its error.
    if (!TOKEN.test(name)) throw new HandlerError('OSOP.Config', `request header name "${name}" is not valid`);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw new HandlerError('OSOP.Config', `request header ${name} has an invalid value (a string without line breaks is required)`);
    }
    headers[name] = value;
  }

  let body: string | undefined;
  if (!NO_BODY_METHODS.has(method) && request.body !== undefined) {
    setHeader(headers, 'Content-Type', request.contentType);
    if (request.contentType === 'application/x-www-form-urlencoded') {
      try {
        body = encodeForm(request.body);
      } catch (err) {
        throw new HandlerError('OSOP.Config', `request.body: ${(err as Error).message}`);
      }
    } else {
      body = JSON.stringify(request.body);
    }
  }

  let idempotencyKey = hasHeader(headers, 'Idempotency-Key');
  if (!NO_BODY_METHODS.has(method) && idempotency?.enabled !== false && !idempotencyKey) {
    // Derived from execution, node and attempt only, so a Step Functions retry repeats it.
    const key = idempotency?.key || deriveIdempotencyKey(payload.executionId, payload.nodeId, String(payload.attempt));
    if (!HEADER_VALUE.test(key)) throw new HandlerError('OSOP.Config', 'idempotency.key contains a line break or a non-Latin-1 character');
    headers['Idempotency-Key'] = key;
    idempotencyKey = true;
  }
  return { method, headers, body, idempotencyKey };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase());
}

/** Sets a header, replacing any spelling of it: the body is encoded as `contentType` says. */
function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  headers[name] = value;
}
