import type { RestTaskPayload } from '../../lib/contract/task-payload';
import { HandlerError } from '../shared/handler-error';
import type { Redactor } from '../shared/redactor';
import { substituteSecretFields, type SecretFieldRule } from '../shared/secret-fields';
import type { SecretSource } from '../shared/secrets';

/**
 * Only what is sent may hold a secret: the request, or the idempotency key.
 * The one control field is allowedOrigin, for a URL that is a secret as a
 * whole (a webhook URL): the compiler then writes the same placeholder there,
 * so the origin is the secret's, set by whoever deploys, never by data.
 */
export const REST_SECRET_FIELDS: SecretFieldRule = {
  allows: (tokens, pointer) => (tokens[0] === 'request' && tokens.length >= 2) || pointer === '/idempotency/key' || pointer === '/allowedOrigin',
  description: 'into /request, at /idempotency/key, or at /allowedOrigin (a URL that is a secret as a whole)',
};

/**
 * Replaces `${secrets.NAME}` placeholders in the fields `secretFields` lists
 * (see `substituteSecretFields`); a secret store that cannot be reached is
 * `OSOP.Http.Transient`.
 */
export function substituteSecrets(payload: RestTaskPayload, source: SecretSource, redactor: Redactor): Promise<RestTaskPayload> {
  const origin = payload.secretFields?.['/allowedOrigin'];
  if (origin) {
    // Only a URL that is one secret as a whole may take its origin from it: then both fields are that same placeholder.
    const whole = /^\$\{secrets\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(payload.allowedOrigin);
    const sameUrl = whole && payload.request?.url === payload.allowedOrigin && origin.length === 1 && origin[0] === whole[1] && payload.secretFields?.['/request/url']?.includes(whole[1]);
    if (!sameUrl) {
      return Promise.reject(new HandlerError('OSOP.Config', 'secretFields pointer "/allowedOrigin" is allowed only when the URL is one secret as a whole (request.url and allowedOrigin the same ${secrets.NAME})'));
    }
  }
  return substituteSecretFields(payload, { source, redactor, transientName: 'OSOP.Http.Transient', rule: REST_SECRET_FIELDS });
}
