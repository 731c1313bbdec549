/**
 * The REST and agent handler functions, built once per stack and shared by
 * every OSOP state machine in it. Each function is created the first time a
 * workflow needs it; secret grants and timeouts grow with the workflows that
 * use it, so a function can read exactly the secrets its workflows name.
 */
import * as path from 'node:path';
import { Duration, Lazy, Stack, ArnFormat, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { OsopDeployError } from './errors';
import { DEPLOY_DEFAULTS, HANDLER_DEFAULTS, LAMBDA_MAX_TIMEOUT_SECONDS, type DeployableHandler } from './plan';
import { checkProps, optional } from './props';

/** The repository root: handler entries and the lock file live there, whatever the app's working directory. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface OsopHandlersProps {
  /** Secrets Manager name prefix the handlers read secrets under (`osop/` → `osop/STRIPE_SECRET_KEY`). @default 'osop/' */
  readonly secretPrefix?: string;
  /** Retention of the functions' log groups. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Memory of each function in MiB. @default 256 */
  readonly memorySize?: number;
}

const PROP_CHECKS = {
  secretPrefix: optional('string'),
  logRetention: optional('number'),
  memorySize: optional('number'),
};

const SHARED_ID = 'OsopHandlers';

export class OsopHandlers extends Construct {
  /** The stack's shared handlers, created (with `props`) on first use. */
  static of(scope: IConstruct, props: OsopHandlersProps = {}): OsopHandlers {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(SHARED_ID);
    if (existing instanceof OsopHandlers) {
      existing.assertSecretPrefix(props.secretPrefix ?? DEPLOY_DEFAULTS.secretPrefix, scope);
      return existing;
    }
    return new OsopHandlers(stack, SHARED_ID, props);
  }

  readonly secretPrefix: string;
  private readonly props: OsopHandlersProps;
  private readonly functions = new Map<DeployableHandler, NodejsFunction>();
  private readonly secretGrants = new Map<DeployableHandler, { statement: iam.PolicyStatement; names: Set<string> }>();
  private readonly timeouts = new Map<DeployableHandler, number>();

  constructor(scope: Construct, id: string, props: OsopHandlersProps = {}) {
    super(scope, id);
    checkProps('OsopHandlers', props, PROP_CHECKS);
    this.props = props;
    this.secretPrefix = props.secretPrefix ?? DEPLOY_DEFAULTS.secretPrefix;
  }

  /** The function for `kind`, created on first use. */
  function(kind: DeployableHandler): lambda.IFunction {
    return this.functions.get(kind) ?? this.create(kind);
  }

  /** Let `kind` read these secrets (names without the prefix); each name is granted once, however many workflows use it. */
  grantSecretRead(kind: DeployableHandler, names: string[]): void {
    if (!names.length) return;
    let grant = this.secretGrants.get(kind);
    if (!grant) {
      grant = { statement: new iam.PolicyStatement({ sid: 'ReadWorkflowSecrets', actions: ['secretsmanager:GetSecretValue'] }), names: new Set() };
      this.secretGrants.set(kind, grant);
      this.function(kind).addToRolePolicy(grant.statement);
    }
    for (const name of names) {
      if (grant.names.has(name)) continue;
      grant.names.add(name);
      grant.statement.addResources(this.secretArn(name));
    }
  }

  /** Make `kind` run at least `seconds` (the longest a Task waits for it). */
  requireTimeout(kind: DeployableHandler, seconds: number): void {
    this.timeouts.set(kind, Math.max(this.timeouts.get(kind) ?? 0, seconds));
  }

  /** Exactly the secret, whatever 6-character suffix Secrets Manager gave its ARN. */
  private secretArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${this.secretPrefix}${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private create(kind: DeployableHandler): NodejsFunction {
    const d = HANDLER_DEFAULTS[kind];
    const id = kind === 'rest' ? 'RestHandler' : 'AgentHandler';
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: this.props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    // An own role instead of AWSLambdaBasicExecutionRole: it may write only to its own log group.
    const role = new iam.Role(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Runs the OSOP ${d.label}` });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, id, {
      entry: path.join(PROJECT_ROOT, d.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: `OSOP ${d.label}: runs the ${kind} Task states of the stack's workflows`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: this.props.memorySize ?? d.memoryMiB,
      // Sized at synth time from the workflows that use this function (see requireTimeout).
      timeout: Duration.seconds(Lazy.number({ produce: () => this.timeoutOf(kind) })),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        OSOP_SECRETS_SOURCE: 'aws',
        OSOP_SECRET_PREFIX: this.secretPrefix,
        NODE_OPTIONS: '--enable-source-maps',
      },
      // Local esbuild, no Docker; the Lambda runtime provides the AWS SDK v3.
      bundling: { forceDockerBundling: false, minify: true, sourceMap: true, externalModules: ['@aws-sdk/*'], logLevel: LogLevel.WARNING },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is a supported Lambda runtime and the one the handlers are built and tested for (the project targets Node 20+). Moving to Node.js 24 is a deliberate upgrade, not a synth-time default.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only xray:PutTraceSegments and xray:PutTelemetryRecords, which CDK adds for active tracing: X-Ray trace upload has no resource-level permissions, so AWS requires Resource "*" for them (test/cdk checks no other action has it).',
    });
    this.functions.set(kind, fn);
    return fn;
  }

  private timeoutOf(kind: DeployableHandler): number {
    return Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, Math.max(HANDLER_DEFAULTS[kind].timeoutSeconds, this.timeouts.get(kind) ?? 0));
  }

  private assertSecretPrefix(wanted: string, scope: IConstruct): void {
    if (wanted !== this.secretPrefix) {
      throw new OsopDeployError(
        `${scope.node.path}: the stack's shared OSOP handlers read secrets under '${this.secretPrefix}', but this workflow asks for '${wanted}'. ` +
          'The handlers are shared per stack, so use one secretPrefix per stack, or pass your own `handlers: new OsopHandlers(...)`.',
      );
    }
  }
}
