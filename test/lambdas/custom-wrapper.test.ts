/**
 * The wrapper around user handlers (lambdas/custom): it resolves the secrets
 * the compiler lists, only under /runtime and only those names, before the
 * user's code runs; it keeps the secret out of results and errors.
 */
import type { CustomTaskPayload } from '../../lib/contract/task-payload';
import { CUSTOM_SECRET_FIELDS, customHandlerEntry, wrapCustomHandler } from '../../lambdas/custom';
import type { SecretSource } from '../../lambdas/shared/secrets';

const source = (values: Record<string, string>, reads: string[] = []): (() => SecretSource) => () => ({
  get: async (name) => {
    reads.push(name);
    return values[name];
  },
  describe: (name) => `test secret ${name}`,
});

const payload = (extra: Partial<CustomTaskPayload> = {}): CustomTaskPayload => ({
  kind: 'custom', nodeId: 'n', executionId: 'arn:x', attempt: 0, nodeType: 'cli',
  runtime: { auth: 'Bearer ${secrets.TOKEN}', other: '${secrets.OTHER}' },
  input: { note: '${secrets.TOKEN}' },
  context: {},
  secretFields: { '/runtime/auth': ['TOKEN'] },
  ...extra,
});

test("the listed field's placeholder is resolved; unlisted ones, and data, stay as written; secretFields is not shown", async () => {
  const seen: unknown[] = [];
  const reads: string[] = [];
  const fn = wrapCustomHandler((e) => {
    seen.push(e);
    return { ok: true };
  }, source({ TOKEN: 'sekret-1', OTHER: 'other-2' }, reads));
  await expect(fn(payload())).resolves.toEqual({ ok: true });
  expect(seen[0]).toEqual({ ...payload(), secretFields: undefined, runtime: { auth: 'Bearer sekret-1', other: '${secrets.OTHER}' } });
  expect(seen[0]).not.toHaveProperty('secretFields');
  expect(reads).toEqual(['TOKEN']);
});

test('a result or an error that carries the secret has it replaced; the error keeps its name', async () => {
  const echo = wrapCustomHandler((e) => ({ header: e.runtime.auth }), source({ TOKEN: 'sekret-1' }));
  await expect(echo(payload())).resolves.toEqual({ header: 'Bearer [REDACTED]' });
  const thrower = wrapCustomHandler((e) => {
    throw Object.assign(new Error(`rejected ${String(e.runtime.auth)}`), { name: 'Deploy.Rejected' });
  }, source({ TOKEN: 'sekret-1' }));
  await expect(thrower(payload())).rejects.toMatchObject({ name: 'Deploy.Rejected', message: 'rejected Bearer [REDACTED]' });
});

test('without secrets the payload and the error pass as they are', async () => {
  class Custom extends Error {
    code = 42;
  }
  const p = payload({ secretFields: undefined, runtime: { a: 1 } });
  delete p.secretFields;
  const seen: unknown[] = [];
  await wrapCustomHandler((e) => seen.push(e), source({}))(p);
  expect(seen[0]).toBe(p);
  const err = new Custom('x');
  await expect(wrapCustomHandler(() => Promise.reject(err), source({}))(p)).rejects.toBe(err);
});

test('a missing secret is OSOP.Config naming it; a pointer outside /runtime is refused', async () => {
  const fn = wrapCustomHandler(() => 'ran', source({}));
  await expect(fn(payload())).rejects.toMatchObject({ name: 'OSOP.Config', message: 'Secret TOKEN is not set (test secret TOKEN)' });
  await expect(wrapCustomHandler(() => 'ran', source({ TOKEN: 't' }))(payload({ secretFields: { '/input/note': ['TOKEN'] } }))).rejects.toMatchObject({ name: 'OSOP.Config', message: expect.stringContaining('must point into /runtime') });
  expect(CUSTOM_SECRET_FIELDS.allows(['runtime'], '/runtime')).toBe(false);
});

test('the deployed entry imports the user module and exports its handler wrapped', () => {
  const src = customHandlerEntry('/p/handlers/h.ts', '/osop/lambdas/custom/index.ts');
  expect(src).toContain('import * as user from "/p/handlers/h.ts";');
  expect(src).toContain('import { wrapCustomHandler } from "/osop/lambdas/custom/index.ts";');
  expect(src).toContain('export const handler = wrapCustomHandler(');
});
