/**
 * The handler functions the compile reports name (REST, agent, approval, MCP,
 * ...) and the CodeBuild project of command nodes, built once per stack and
 * shared by every OSOP state machine in it. Each is created the first time a
 * workflow needs it; secret grants and timeouts grow with the workflows that
 * use it, so a function can read exactly the secrets its workflows name.
 * A function that publishes approval requests (and manual steps) does so on
 * one event bus: the stack's `<stack name>-osop-approvals` bus, created with
 * it, or the bus it is given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, CfnElement, Duration, Lazy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { packageRoot } from '../package-root';
import type { HandlerKind } from '../types';
import { OsopDeployError } from './errors';
import { osopFunction } from './function';
import { stackNameOf } from './names';
import { APPROVAL_EVENTS, DEPLOY_DEFAULTS, LAMBDA_MAX_TIMEOUT_SECONDS, NAME_RULES, approvalEventBusNameFor, type SharedFunctionSpec } from './plan';
import { checkProps, matches, optional } from './props';

/** The folder of the pre-bundled handler (`lambdas/rest/index.ts` → dist/handlers/rest), or why it cannot be deployed. */
export function handlerBundleDir(spec: SharedFunctionSpec): string {
  const dir = path.join(packageRoot(), 'dist', 'handlers', path.basename(path.dirname(spec.entry)));
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new OsopDeployError(`The ${spec.label} bundle is missing: ${path.join(dir, 'index.js')} does not exist. In the osop-sfn repository run \`npm run build\`; an installed osop-sfn package ships it (reinstall it).`);
  }
  return dir;
}

export interface OsopHandlersProps {
  /** Secrets Manager name prefix the handlers read secrets under (`osop/` → `osop/STRIPE_SECRET_KEY`). @default 'osop/' */
  readonly secretPrefix?: string;
  /** Retention of the functions' log groups. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Memory of each function in MiB. @default 256 */
  readonly memorySize?: number;
  /** Where the approval handler publishes approval requests. @default a new event bus (approvalEventBusName) */
  readonly approvalEventBus?: events.IEventBus;
  /**
   * The name of the event bus the stack creates for approval requests, used as given: another stack in the account and
   * region must not use it. 1-256 letters, digits, '.', '-' or '_', not 'default'.
   * @default `<stack name>-osop-approvals`
   */
  readonly approvalEventBusName?: string;
}

const PROP_CHECKS = {
  secretPrefix: optional('string'),
  logRetention: optional('number'),
  memorySize: optional('number'),
  approvalEventBus: optional('object'),
  approvalEventBusName: matches(NAME_RULES.approvalEventBusName.pattern, `a string of ${NAME_RULES.approvalEventBusName.text}`),
};

const SHARED_ID = 'OsopHandlers';
/** `rest` → `RestHandler`, `agent-openai` → `AgentOpenaiHandler`: stable logical ids. */
const functionId = (name: HandlerKind) => `${name.split(/[^A-Za-z0-9]+/).map((w) => w[0].toUpperCase() + w.slice(1)).join('')}Handler`;

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
  private readonly functions = new Map<HandlerKind, lambda.Function>();
  private readonly specs = new Map<HandlerKind, SharedFunctionSpec>();
  private commandProject?: codebuild.Project;
  private projectSecrets?: { statement: iam.PolicyStatement; names: Set<string> };
  private readonly secretGrants = new Map<HandlerKind, { statement: iam.PolicyStatement; names: Set<string> }>();
  private readonly timeouts = new Map<HandlerKind, number>();
  private bus?: events.IEventBus;
  private readonly connections = new Map<string, events.Connection>();

  constructor(scope: Construct, id: string, props: OsopHandlersProps = {}) {
    super(scope, id);
    checkProps('OsopHandlers', props, PROP_CHECKS);
    if (props.approvalEventBus && props.approvalEventBusName !== undefined) {
      throw new OsopDeployError("OsopHandlers: give 'approvalEventBus' (a bus to publish on) or 'approvalEventBusName' (the name of the bus the stack creates), not both.");
    }
    this.props = props;
    this.secretPrefix = props.secretPrefix ?? DEPLOY_DEFAULTS.secretPrefix;
  }

  /** The function a compile report describes, created on first use. */
  function(spec: SharedFunctionSpec): lambda.IFunction {
    return this.functions.get(spec.name) ?? this.create(spec);
  }

  /**
   * The CodeBuild project command nodes run on, created on first use: one per
   * stack; each build's commands, image, compute type and timeout come from
   * its Task (overrides). Its role may write its logs and read the secrets
   * the builds name (grantProjectSecrets), nothing else.
   */
  project(): codebuild.Project {
    if (this.commandProject) return this.commandProject;
    const logGroup = new logs.LogGroup(this, 'CommandBuildLogs', { retention: this.props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    const project = new codebuild.Project(this, 'CommandProject', {
      description: 'OSOP command nodes (cli, cicd, infra, git, docker): each build runs the commands its Step Functions Task passes as a buildspec override',
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['echo "OSOP: the Task gives the commands"'] } } }),
      logging: { cloudWatch: { logGroup } },
      // Encryption at rest with the AWS managed key of S3/CodeBuild; no artifacts are kept.
    });
    Validations.of(project).acknowledge({
      id: 'AwsSolutions-CB4',
      reason: 'The project keeps no artifacts and no cache; its logs go to CloudWatch Logs. A customer managed KMS key adds cost and key management without protecting anything the project stores.',
    });
    // CDK's own statements for a project: each build writes a log stream and may create report groups, named per build.
    const id = Stack.of(this).getLogicalId(project.node.defaultChild as CfnElement);
    for (const resource of [`arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<${id}>:*`, `arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<${id}>-*`]) {
      Validations.of(project.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: 'Statements CDK adds to every CodeBuild project role: each build writes its own log stream and report groups, whose names are chosen per build; the wildcard is scoped to this one project.',
      });
    }
    this.commandProject = project;
    return project;
  }

  /**
   * The EventBridge connection of native HTTP Tasks with this credential shape, created on first use: one per
   * stack, shared by its workflows. API key authorization: `header`, with `value`'s `${secrets.<secret>}` filled in
   * from `<prefix><secret>` by a CloudFormation dynamic reference, so the template never holds the credential;
   * EventBridge keeps it in a secret of its own (events!connection/...).
   */
  connection(c: { substitution: string; secret: string; header: string; value: string }): events.Connection {
    const known = this.connections.get(c.substitution);
    if (known) return known;
    const reference = SecretValue.secretsManager(`${this.secretPrefix}${c.secret}`).unsafeUnwrap();
    const connection = new events.Connection(this, c.substitution, {
      description: `osop-sfn native HTTP Tasks: header ${c.header} from secret ${this.secretPrefix}${c.secret}`.slice(0, 512),
      authorization: events.Authorization.apiKey(c.header, SecretValue.unsafePlainText(c.value.split(`\${secrets.${c.secret}}`).join(reference))),
    });
    this.connections.set(c.substitution, connection);
    return connection;
  }

  /** Let the command builds read these secrets (names without the prefix) as Secrets Manager environment variables. */
  grantProjectSecrets(names: string[]): void {
    if (!names.length) return;
    if (!this.projectSecrets) {
      this.projectSecrets = { statement: new iam.PolicyStatement({ sid: 'ReadBuildSecrets', actions: ['secretsmanager:GetSecretValue'] }), names: new Set() };
      this.project().addToRolePolicy(this.projectSecrets.statement);
    }
    for (const name of names) {
      if (this.projectSecrets.names.has(name)) continue;
      this.projectSecrets.names.add(name);
      this.projectSecrets.statement.addResources(this.secretArn(name));
    }
  }

  /** The bus approval requests go to; undefined until a workflow waits for an approval. */
  get approvalEventBus(): events.IEventBus | undefined {
    return this.bus;
  }

  /** Let `kind` read these secrets (names without the prefix); each name is granted once, however many workflows use it. */
  grantSecretRead(kind: HandlerKind, names: string[]): void {
    if (!names.length) return;
    let grant = this.secretGrants.get(kind);
    if (!grant) {
      grant = { statement: new iam.PolicyStatement({ sid: 'ReadWorkflowSecrets', actions: ['secretsmanager:GetSecretValue'] }), names: new Set() };
      this.secretGrants.set(kind, grant);
      this.function(this.specs.get(kind)!).addToRolePolicy(grant.statement);
    }
    for (const name of names) {
      if (grant.names.has(name)) continue;
      grant.names.add(name);
      grant.statement.addResources(this.secretArn(name));
    }
  }

  /** Make `kind` run at least `seconds` (the longest a Task waits for it). */
  requireTimeout(kind: HandlerKind, seconds: number): void {
    this.timeouts.set(kind, Math.max(this.timeouts.get(kind) ?? 0, seconds));
  }

  /** Exactly the secret, whatever 6-character suffix Secrets Manager gave its ARN. */
  private secretArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${this.secretPrefix}${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private create(d: SharedFunctionSpec): lambda.Function {
    const kind = d.name;
    this.specs.set(kind, d);
    const bus = d.needs === 'approvals' ? (this.bus ??= this.props.approvalEventBus ?? this.newApprovalBus()) : undefined;
    const fn = osopFunction(this, functionId(kind), {
      bundleDir: handlerBundleDir(d),
      description: `OSOP ${d.label}: runs the ${kind} Task states of the stack's workflows`,
      memorySize: this.props.memorySize ?? d.memoryMiB,
      // Sized at synth time from the workflows that use this function (see requireTimeout).
      timeout: Duration.seconds(Lazy.number({ produce: () => this.timeoutOf(kind) })),
      logRetention: this.props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // The approval handler reads no secret; the others read theirs from Secrets Manager.
      environment: bus ? { OSOP_APPROVAL_EVENT_BUS: bus.eventBusName } : { OSOP_SECRETS_SOURCE: 'aws', OSOP_SECRET_PREFIX: this.secretPrefix },
    });
    if (bus) {
      // Exactly this bus, and only the approval requests' source: it cannot pose as another event source.
      fn.addToRolePolicy(
        new iam.PolicyStatement({ sid: 'PublishApprovalRequests', actions: ['events:PutEvents'], resources: [bus.eventBusArn], conditions: { StringEquals: { 'events:source': APPROVAL_EVENTS.source } } }),
      );
    }
    this.functions.set(kind, fn);
    return fn;
  }

  private newApprovalBus(): events.EventBus {
    return new events.EventBus(this, 'ApprovalEvents', {
      eventBusName: this.props.approvalEventBusName ?? approvalEventBusNameFor(stackNameOf(this)),
      description: `OSOP approval requests ('${APPROVAL_EVENTS.detailType}' from ${APPROVAL_EVENTS.source}), each with the task token that answers it`,
    });
  }

  private timeoutOf(kind: HandlerKind): number {
    return Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, Math.max(this.specs.get(kind)!.minTimeoutSeconds, this.timeouts.get(kind) ?? 0));
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
