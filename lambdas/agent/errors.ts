import type { APIError } from '@anthropic-ai/sdk';
import { HandlerError } from '../shared/handler-error';

/**
 * Maps an Anthropic SDK failure to the contract: overloaded (529), rate
 * limited (429), server errors and connection failures or timeouts are
 * transient; any other 4xx is rejected. The message carries the API's own
 * text and type, never request headers.
 */
export function toHandlerError(err: unknown, model: string, timeoutMs: number): Error {
  const sdk = require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');
  if (err instanceof sdk.APIConnectionTimeoutError) {
    return new HandlerError('OSOP.Llm.Transient', `Anthropic request (model ${model}) timed out after ${timeoutMs} ms`);
  }
  if (err instanceof sdk.APIConnectionError) {
    return new HandlerError('OSOP.Llm.Transient', `Anthropic request (model ${model}) failed without a response: ${err.message}`);
  }
  if (err instanceof sdk.APIError && typeof err.status === 'number') {
    const status = err.status;
    const transient = status === 429 || status === 529 || status >= 500;
    return new HandlerError(
      transient ? 'OSOP.Llm.Transient' : 'OSOP.Llm.Rejected',
      `Anthropic API returned ${status} (model ${model})${describe(err)}`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

function describe(err: APIError): string {
  const parts = [err.type, err.apiMessage].filter(Boolean).join(': ');
  const request = err.requestID ? ` [request ${err.requestID}]` : '';
  return parts || request ? `: ${parts}${request}` : '';
}
