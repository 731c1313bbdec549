import type { GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_SECRET_PREFIX } from '../../lib/contract/task-payload';
import { HandlerError, type HandlerErrorName } from './handler-error';

/** Where the handlers read secrets from. `undefined` means "no such secret". */
export interface SecretSource {
  get(name: string): Promise<string | undefined>;
  /** Where `name` is looked up, for error messages ("environment variable X"). */
  describe(name: string): string;
}

/** Local runs: the secret NAME is the environment variable NAME. */
export class EnvSecretSource implements SecretSource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(name: string): Promise<string | undefined> {
    return this.env[name];
  }

  describe(name: string): string {
    return `environment variable ${name}`;
  }
}

/** Errors that retrying will not fix: the secret exists but this function may not read it. */
const PERMANENT_SECRETS_MANAGER_ERRORS = new Set([
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
]);

/**
 * AWS: Secrets Manager, secret id `${prefix}NAME`. Values are cached per
 * container for `ttlMs` so a warm Lambda does not call Secrets Manager on every
 * invocation, yet picks up a rotated secret within minutes.
 */
export class SecretsManagerSecretSource implements SecretSource {
  private readonly cache = new Map<string, { value: Promise<string | undefined>; expires: number }>();
  private client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(opts: { prefix?: string; ttlMs?: number } = {}) {
    this.prefix = opts.prefix ?? process.env.OSOP_SECRET_PREFIX ?? DEFAULT_SECRET_PREFIX;
    this.ttlMs = opts.ttlMs ?? 5 * 60 * 1000;
  }

  get(name: string): Promise<string | undefined> {
    const hit = this.cache.get(name);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = this.fetch(name);
    this.cache.set(name, { value, expires: Date.now() + this.ttlMs });
    // Only a value is worth keeping: a missing secret may be created any moment.
    const forget = () => {
      if (this.cache.get(name)?.value === value) this.cache.delete(name);
    };
    value.then((v) => v === undefined && forget(), forget);
    return value;
  }

  describe(name: string): string {
    return `Secrets Manager secret id ${this.secretId(name)}`;
  }

  private secretId(name: string): string {
    return `${this.prefix}${name}`;
  }

  private async fetch(name: string): Promise<string | undefined> {
    // Required here, not imported: local runs and the bundle never load the AWS SDK
    // (the Lambda runtime provides it; the bundle marks @aws-sdk/* external).
    const sm = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    this.client ??= new sm.SecretsManagerClient({});
    let out: GetSecretValueCommandOutput;
    try {
      out = await this.client.send(new sm.GetSecretValueCommand({ SecretId: this.secretId(name) }));
    } catch (err) {
      const errName = (err as { name?: string }).name ?? 'Error';
      if (errName === 'ResourceNotFoundException') return undefined;
      if (PERMANENT_SECRETS_MANAGER_ERRORS.has(errName)) {
        throw new HandlerError('OSOP.Config', `Secret ${name} cannot be read (${this.describe(name)}): ${errName}`);
      }
      throw err;
    }
    return out.SecretString;
  }
}

let awsSource: SecretsManagerSecretSource | undefined;

/**
 * Secrets Manager when `OSOP_SECRETS_SOURCE=aws`, the environment when
 * `OSOP_SECRETS_SOURCE=env`; otherwise Secrets Manager inside Lambda
 * (`AWS_LAMBDA_FUNCTION_NAME` set) and the environment everywhere else.
 * The AWS source is kept per container so its cache survives invocations.
 */
export function defaultSecretSource(env: NodeJS.ProcessEnv = process.env): SecretSource {
  const choice = env.OSOP_SECRETS_SOURCE;
  const useAws = choice === 'aws' || (choice !== 'env' && !!env.AWS_LAMBDA_FUNCTION_NAME);
  if (!useAws) return new EnvSecretSource(env);
  awsSource ??= new SecretsManagerSecretSource();
  return awsSource;
}

/**
 * Reads a secret that must exist. Missing or empty is `OSOP.Config` naming the
 * secret; a failure to reach the store is `transientName` so the Task retries.
 */
export async function readSecret(source: SecretSource, name: string, transientName: HandlerErrorName): Promise<string> {
  let value: string | undefined;
  try {
    value = await source.get(name);
  } catch (err) {
    if (err instanceof HandlerError) throw err;
    const e = err as { name?: string; message?: string };
    throw new HandlerError(transientName, `Secret ${name} could not be read (${source.describe(name)}): ${e.name ?? 'Error'}: ${e.message ?? ''}`);
  }
  if (value === undefined || value === '') {
    throw new HandlerError('OSOP.Config', `Secret ${name} is not set (${source.describe(name)})`);
  }
  return value;
}
