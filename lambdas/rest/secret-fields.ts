import type { RestTaskPayload } from '../../lib/contract/task-payload';
import { HandlerError } from '../shared/handler-error';
import type { Redactor } from '../shared/redactor';
import { readSecret, type SecretSource } from '../shared/secrets';

const PLACEHOLDER = /\$\{secrets\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${secrets.NAME}` placeholders, but only in the fields that
 * `secretFields` lists and only for the names listed with each field: a
 * placeholder that arrives in upstream data stays literal. Returns a copy;
 * every secret read is registered with the redactor.
 */
export async function substituteSecrets(
  payload: RestTaskPayload,
  source: SecretSource,
  redactor: Redactor,
): Promise<RestTaskPayload> {
  const copy = structuredClone(payload);
  const fields = Object.entries(payload.secretFields ?? {}).flatMap(([pointer, allowed]) => {
    const ref = resolvePointer(copy, pointer);
    return ref ? [{ ...ref, pointer, allowed: new Set(allowed) }] : [];
  });

  const needed = new Set<string>();
  for (const f of fields) {
    for (const [, name] of f.value.matchAll(PLACEHOLDER)) if (f.allowed.has(name)) needed.add(name);
  }
  const values = new Map<string, string>();
  await Promise.all(
    [...needed].map(async (name) => {
      const value = await readSecret(source, name, 'OSOP.Http.Transient');
      redactor.add(value);
      values.set(name, value);
    }),
  );

  for (const f of fields) {
    f.parent[f.key] = f.value.replace(PLACEHOLDER, (whole, name: string) =>
      f.allowed.has(name) ? (values.get(name) as string) : whole,
    );
  }
  return copy;
}

/**
 * The string field an RFC 6901 pointer names. A pointer to a field that is
 * absent is skipped (nothing to substitute); anything else that is not a
 * string field of the request is a compiler bug, reported as `OSOP.Config`.
 */
function resolvePointer(
  root: RestTaskPayload,
  pointer: string,
): { parent: Record<string, unknown>; key: string; value: string } | undefined {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  // Only what is sent may hold a secret: never allowedOrigin or other control fields.
  const sent = (tokens[0] === 'request' && tokens.length >= 2) || pointer === '/idempotency/key';
  if (!pointer.startsWith('/') || !sent) {
    throw new HandlerError('OSOP.Config', `secretFields pointer "${pointer}" must point into /request or at /idempotency/key`);
  }
  let parent: unknown = root;
  for (const token of tokens.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object' || !Object.prototype.hasOwnProperty.call(parent, token)) {
      return undefined;
    }
    parent = (parent as Record<string, unknown>)[token];
  }
  const key = tokens[tokens.length - 1];
  if (parent === null || typeof parent !== 'object' || !Object.prototype.hasOwnProperty.call(parent, key)) {
    return undefined;
  }
  const value = (parent as Record<string, unknown>)[key];
  if (typeof value !== 'string') {
    throw new HandlerError('OSOP.Config', `secretFields pointer "${pointer}" does not name a string field`);
  }
  return { parent: parent as Record<string, unknown>, key, value };
}
