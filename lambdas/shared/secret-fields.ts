import type { TaskPayloadBase } from '../../lib/contract/task-payload';
import { HandlerError, type HandlerErrorName } from './handler-error';
import type { Redactor } from './redactor';
import { readSecret, type SecretSource } from './secrets';

const PLACEHOLDER = /\$\{secrets\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Which fields of a handler's payload may hold a secret: only what the handler sends, never control fields. */
export interface SecretFieldRule {
  /** Whether the pointer, split into its unescaped tokens, names a field the handler sends. */
  allows(tokens: string[], pointer: string): boolean;
  /** Where pointers must point, for the error message ("into /request or at /idempotency/key"). */
  description: string;
}

export interface SubstituteOptions {
  source: SecretSource;
  /** Every secret read is registered here, so results, errors and logs never show it. */
  redactor: Redactor;
  /** The error name when the secret store cannot be reached (the handler's retryable error). */
  transientName: HandlerErrorName;
  rule: SecretFieldRule;
}

/**
 * Replaces `${secrets.NAME}` placeholders, but only in the fields that
 * `secretFields` lists and only for the names listed with each field: a
 * placeholder that arrives in upstream data stays literal. Returns a copy;
 * every secret read is registered with the redactor.
 */
export async function substituteSecretFields<P extends TaskPayloadBase>(payload: P, opts: SubstituteOptions): Promise<P> {
  const copy = structuredClone(payload);
  const fields = Object.entries(payload.secretFields ?? {}).flatMap(([pointer, allowed]) => {
    const ref = resolvePointer(copy, pointer, opts.rule);
    return ref ? [{ ...ref, pointer, allowed: new Set(allowed) }] : [];
  });

  const needed = new Set<string>();
  for (const f of fields) {
    for (const [, name] of f.value.matchAll(PLACEHOLDER)) if (f.allowed.has(name)) needed.add(name);
  }
  const values = new Map<string, string>();
  await Promise.all(
    [...needed].map(async (name) => {
      const value = await readSecret(opts.source, name, opts.transientName);
      opts.redactor.add(value);
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
 * string field the rule allows is a compiler bug, reported as `OSOP.Config`.
 */
function resolvePointer(
  root: unknown,
  pointer: string,
  rule: SecretFieldRule,
): { parent: Record<string, unknown>; key: string; value: string } | undefined {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (!pointer.startsWith('/') || !rule.allows(tokens, pointer)) {
    throw new HandlerError('OSOP.Config', `secretFields pointer "${pointer}" must point ${rule.description}`);
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
