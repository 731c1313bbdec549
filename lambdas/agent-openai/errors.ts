import type { APIError } from 'openai';
import { HandlerError } from '../shared/handler-error';

/**
 * Maps an OpenAI SDK failure (OpenAI, or Gemini through its OpenAI-compatible
 * endpoint) to the contract: rate limited (429), server errors, connection
 * failures and timeouts are transient; any other 4xx is rejected. The message
 * carries the API's own error text and type, never request headers.
 */
export function toHandlerError(err: unknown, api: string, model: string, timeoutMs: number): Error {
  const sdk = require('openai') as typeof import('openai');
  if (err instanceof sdk.APIConnectionTimeoutError) {
    return new HandlerError('OSOP.Llm.Transient', `${api} request (model ${model}) timed out after ${timeoutMs} ms`);
  }
  if (err instanceof sdk.APIConnectionError) {
    // undici's "fetch failed" and its cause's code (ECONNREFUSED, ENOTFOUND, ...) say what went wrong.
    const cause = (err as { cause?: { message?: string; cause?: { code?: string } } }).cause;
    const reason = [cause?.message, cause?.cause?.code].filter(Boolean).join(': ');
    return new HandlerError('OSOP.Llm.Transient', `${api} request (model ${model}) failed without a response: ${err.message}${reason ? ` (${reason})` : ''}`);
  }
  if (err instanceof sdk.APIError && typeof err.status === 'number') {
    const status = err.status;
    const transient = status === 429 || status >= 500;
    return new HandlerError(transient ? 'OSOP.Llm.Transient' : 'OSOP.Llm.Rejected', `${api} API returned ${status} (model ${model})${describe(err)}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function describe(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : undefined;
  const parts = [err.type ?? (typeof err.code === 'string' ? err.code : undefined), message].filter(Boolean).join(': ');
  const request = err.requestID ? ` [request ${err.requestID}]` : '';
  return parts || request ? `: ${parts}${request}` : '';
}
