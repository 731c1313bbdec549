/**
 * Every Lambda function the deployment builds (the shared handlers and users'
 * custom handlers) alike: Node.js 22 on arm64, X-Ray tracing, and an own role
 * that may write only to an own log group. The shared handlers are deployed
 * from the bundles the package ships (dist/handlers, built by scripts/build.js);
 * a custom handler is bundled at synth time by local esbuild (no Docker).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** A folder with a bundled `index.js` that exports `handler` (a shared handler). */
export interface PrebuiltCode {
  readonly bundleDir: string;
}

/** A module of the user's project, bundled at synth time (a custom handler). */
export interface SourceCode {
  /** The module that exports `handler`. */
  readonly entry: string;
  /** The folder of the package-lock.json the bundle is built against; `entry` is under it. */
  readonly projectRoot: string;
}

export type OsopFunctionProps = (PrebuiltCode | SourceCode) & {
  /** The function's description; also its role's. */
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Record<string, string>;
};

export function osopFunction(scope: Construct, id: string, props: OsopFunctionProps): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
  // An own role instead of AWSLambdaBasicExecutionRole: it may write only to its own log group.
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Execution role: ${props.description}`.slice(0, 1000) });
  logGroup.grantWrite(role);
  const common = {
    description: props.description.slice(0, 256),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    role,
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
  };
  const fn =
    'bundleDir' in props
      ? new lambda.Function(scope, id, { ...common, code: lambda.Code.fromAsset(props.bundleDir), handler: 'index.handler' })
      : new NodejsFunction(scope, id, {
          ...common,
          entry: props.entry,
          handler: 'handler',
          projectRoot: props.projectRoot,
          depsLockFilePath: `${props.projectRoot}/package-lock.json`,
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
  return fn;
}
