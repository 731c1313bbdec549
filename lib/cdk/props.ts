/**
 * Prop validation at the construct boundary: plain JavaScript callers (and
 * `as any`) get a clear error for an unknown or mistyped prop instead of a
 * silently ignored setting.
 */
import { didYouMean } from '../util/suggest';
import { OsopDeployError } from './errors';

/** Describes the expected value and returns true when `v` is one. */
export interface PropCheck {
  expected: string;
  test(v: unknown): boolean;
}

export const optional = (type: 'string' | 'number' | 'boolean' | 'object'): PropCheck => ({
  expected: type,
  test: (v) => v === undefined || (type === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === type),
});

/** A string `pattern` accepts; `expected` says what that is. */
export const matches = (pattern: RegExp, expected: string): PropCheck => ({
  expected,
  test: (v) => v === undefined || (typeof v === 'string' && pattern.test(v)),
});

export const oneOf = (values: readonly string[]): PropCheck => ({
  expected: `one of ${values.map((v) => `'${v}'`).join(', ')}`,
  test: (v) => v === undefined || values.includes(v as string),
});

export const instanceOf = (ctor: abstract new (...args: never[]) => unknown): PropCheck => ({
  expected: `an instance of ${ctor.name}`,
  test: (v) => v === undefined || v instanceof ctor,
});

export function checkProps(what: string, props: object, checks: Record<string, PropCheck>, required: string[] = []): void {
  if (typeof props !== 'object' || props === null) throw new OsopDeployError(`${what}: props must be an object.`);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    const check = checks[key];
    if (!check) problems.push(`unknown prop '${key}'. ${didYouMean(key, Object.keys(checks)) ?? `Known props: ${Object.keys(checks).join(', ')}.`}`);
    else if (!check.test(value)) problems.push(`'${key}' must be ${check.expected}, not ${describe(value)}.`);
  }
  for (const key of required) if ((props as Record<string, unknown>)[key] === undefined) problems.push(`'${key}' is required.`);
  if (problems.length) throw new OsopDeployError(`${what}: ${problems.join(' ')}`);
}

function describe(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? `'${v}'` : String(v);
  return Array.isArray(v) ? 'an array' : `an object (${v.constructor?.name ?? 'Object'})`;
}
