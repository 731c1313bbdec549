/**
 * The REST, agent and approval handler functions, built once per stack and
 * shared by every OSOP state machine in it. Each function is created the first
 * time a workflow needs it; secret grants and timeouts grow with the workflows
 * that use it, so a function can read exactly the secrets its workflows name.
 * The approval handler publishes approval requests on one event bus: the
 * stack's `osop-approvals` bus, created with it, or the bus it is given.
 */
import * as path from 'node:path';
import { Duration, Lazy, Stack, ArnFormat } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import type { HandlerKind } from '../types';
import { OsopDeployError } from './errors';
import { osopFunction } from './function';
import { APPROVAL_EVENTS, DEPLOY_DEFAULTS, HANDLER_DEFAULTS, LAMBDA_MAX_TIMEOUT_SECONDS } from './plan';
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
  /** Where the approval handler publishes approval requests. @default a new event bus named 'osop-approvals' */
  readonly approvalEventBus?: events.IEventBus;
}

const PROP_CHECKS = {
  secretPrefix: optional('string'),
  logRetention: optional('number'),
  memorySize: optional('number'),
  approvalEventBus: optional('object'),
};

const SHARED_ID = 'OsopHandlers';
const FUNCTION_IDS: Record<HandlerKind, string> = { rest: 'RestHandler', agent: 'AgentHandler', approval: 'ApprovalHandler' };

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
  private readonly functions = new Map<HandlerKind, NodejsFunction>();
  private readonly secretGrants = new Map<HandlerKind, { statement: iam.PolicyStatement; names: Set<string> }>();
  private readonly timeouts = new Map<HandlerKind, number>();
  private bus?: events.IEventBus;

  constructor(scope: Construct, id: string, props: OsopHandlersProps = {}) {
    super(scope, id);
    checkProps('OsopHandlers', props, PROP_CHECKS);
    this.props = props;
    this.secretPrefix = props.secretPrefix ?? DEPLOY_DEFAULTS.secretPrefix;
  }

  /** The function for `kind`, created on first use. */
  function(kind: HandlerKind): lambda.IFunction {
    return this.functions.get(kind) ?? this.create(kind);
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
      this.function(kind).addToRolePolicy(grant.statement);
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

  private create(kind: HandlerKind): NodejsFunction {
    const d = HANDLER_DEFAULTS[kind];
    const bus = kind === 'approval' ? (this.bus = this.props.approvalEventBus ?? this.newApprovalBus()) : undefined;
    const fn = osopFunction(this, FUNCTION_IDS[kind], {
      entry: path.join(PROJECT_ROOT, d.entry),
      projectRoot: PROJECT_ROOT,
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
      eventBusName: DEPLOY_DEFAULTS.approvalEventBusName,
      description: `OSOP approval requests ('${APPROVAL_EVENTS.detailType}' from ${APPROVAL_EVENTS.source}), each with the task token that answers it`,
    });
  }

  private timeoutOf(kind: HandlerKind): number {
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
