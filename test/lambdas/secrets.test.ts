import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handler, setRoutes } from '../../lambdas/rest';
import { EnvSecretSource, SecretsManagerSecretSource, defaultSecretSource, readSecret } from '../../lambdas/shared/secrets';
import { startStripeSandbox, type StripeSandbox } from '../../sandbox/stripe/server';
import { captureConsole, restPayload, thrown } from './payloads';

/**
 * A stand-in for Secrets Manager's JSON API on 127.0.0.1; the real SDK client
 * reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
const secrets: Record<string, string> = {
  'osop/STRIPE_SECRET_KEY': 'sk_test_from_secrets_manager_42',
  'team-a/STRIPE_SECRET_KEY': 'sk_test_team_a',
};
const calls: string[] = [];
let sm: Server;
const savedEnv = { ...process.env };

beforeAll(async () => {
  sm = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const { SecretId } = JSON.parse(raw) as { SecretId: string };
      calls.push(`${String(req.headers['x-amz-target'])} ${SecretId}`);
      const reply = (status: number, body: object) => {
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (SecretId === 'osop/DENIED') return reply(400, { __type: 'AccessDeniedException', Message: 'not allowed' });
      if (SecretId === 'osop/BROKEN') return reply(500, { __type: 'InternalServiceError', Message: 'try later' });
      if (!(SecretId in secrets)) return reply(400, { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." });
      reply(200, { ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SecretId}`, Name: SecretId, SecretString: secrets[SecretId] });
    });
  });
  await new Promise<void>((r) => sm.listen(0, '127.0.0.1', r));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(sm.address() as AddressInfo).port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-only',
  });
  delete process.env.OSOP_SECRET_PREFIX;
});
afterAll(async () => {
  process.env = savedEnv;
  sm.closeAllConnections();
  await new Promise((r) => sm.close(r));
});
beforeEach(() => {
  calls.length = 0;
});

describe('choosing the source', () => {
  test.each([
    [{}, EnvSecretSource],
    [{ OSOP_SECRETS_SOURCE: 'env' }, EnvSecretSource],
    [{ OSOP_SECRETS_SOURCE: 'aws' }, SecretsManagerSecretSource],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'osop-rest' }, SecretsManagerSecretSource],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'osop-rest', OSOP_SECRETS_SOURCE: 'env' }, EnvSecretSource],
  ])('%j', (env, kind) => {
    expect(defaultSecretSource(env)).toBeInstanceOf(kind);
  });

  test('the Secrets Manager source is one per container, so its cache survives invocations', () => {
    expect(defaultSecretSource({ OSOP_SECRETS_SOURCE: 'aws' })).toBe(defaultSecretSource({ AWS_LAMBDA_FUNCTION_NAME: 'f' }));
  });
});

describe('Secrets Manager', () => {
  test('reads `osop/NAME` (or the configured prefix) and caches the value for the TTL', async () => {
    const source = new SecretsManagerSecretSource();
    expect(await source.get('STRIPE_SECRET_KEY')).toBe('sk_test_from_secrets_manager_42');
    expect(await source.get('STRIPE_SECRET_KEY')).toBe('sk_test_from_secrets_manager_42');
    expect(calls).toEqual(['secretsmanager.GetSecretValue osop/STRIPE_SECRET_KEY']);

    const uncached = new SecretsManagerSecretSource({ prefix: 'team-a/', ttlMs: 0 });
    await uncached.get('STRIPE_SECRET_KEY');
    expect(await uncached.get('STRIPE_SECRET_KEY')).toBe('sk_test_team_a');
    expect(calls.slice(1)).toEqual(['secretsmanager.GetSecretValue team-a/STRIPE_SECRET_KEY', 'secretsmanager.GetSecretValue team-a/STRIPE_SECRET_KEY']);
  });

  test('a missing secret is OSOP.Config naming it and its id, and is not cached', async () => {
    const source = new SecretsManagerSecretSource();
    for (let i = 0; i < 2; i++) {
      const err = await thrown(() => readSecret(source, 'NOPE', 'OSOP.Http.Transient'));
      expect(err.name).toBe('OSOP.Config');
      expect(err.message).toBe('Secret NOPE is not set (Secrets Manager secret id osop/NOPE)');
    }
    expect(calls).toHaveLength(2);
  });

  test('access denied is OSOP.Config; a service failure is the caller’s transient error', async () => {
    const source = new SecretsManagerSecretSource();
    const denied = await thrown(() => readSecret(source, 'DENIED', 'OSOP.Llm.Transient'));
    expect(denied.name).toBe('OSOP.Config');
    expect(denied.message).toContain('AccessDeniedException');
    const broken = await thrown(() => readSecret(source, 'BROKEN', 'OSOP.Llm.Transient'));
    expect(broken.name).toBe('OSOP.Llm.Transient');
    expect(broken.message).toContain('Secret BROKEN could not be read');
  });

  test('an empty environment variable counts as missing', async () => {
    const err = await thrown(() => readSecret(new EnvSecretSource({ KEY: '' }), 'KEY', 'OSOP.Http.Transient'));
    expect(err.name).toBe('OSOP.Config');
    expect(err.message).toBe('Secret KEY is not set (environment variable KEY)');
  });
});

describe('the REST handler on AWS settings', () => {
  let stripe: StripeSandbox;
  beforeAll(async () => {
    stripe = await startStripeSandbox({ apiKey: 'sk_test_from_secrets_manager_42' });
    setRoutes({ 'https://api.stripe.com': stripe.url });
  });
  afterAll(async () => {
    setRoutes(null);
    await stripe.close();
  });

  test('takes the key from Secrets Manager, not from the environment', async () => {
    process.env.OSOP_SECRETS_SOURCE = 'aws';
    process.env.STRIPE_SECRET_KEY = 'sk_test_env_value_must_not_be_used';
    const logs = captureConsole();
    try {
      const result = (await handler(restPayload())) as { customer_id: string };
      expect(result.customer_id).toMatch(/^cus_/);
    } finally {
      logs.restore();
      delete process.env.OSOP_SECRETS_SOURCE;
      delete process.env.STRIPE_SECRET_KEY;
    }
    expect(stripe.requests[0].headers.authorization).toBe('Bearer sk_test_from_secrets_manager_42');
    expect(calls).toEqual(['secretsmanager.GetSecretValue osop/STRIPE_SECRET_KEY']);
  });
});
