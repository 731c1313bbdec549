/**
 * Approval handler (`human` nodes, approval gates and manual steps), invoked
 * with `.waitForTaskToken`: publishes the request, with its task token, as an
 * EventBridge event and returns. A manual step (a node with nothing to run)
 * is published as `OSOP Manual Step Requested`, answered with `osop-sfn complete`. The execution waits until someone answers
 * with the token (`osop-sfn approve|reject`, i.e. SendTaskSuccess /
 * SendTaskFailure) or the state times out. Route the event (a rule on
 * `source: osop.sfn`, `detail-type: OSOP Approval Requested`) to whatever
 * reaches the approvers: chat, email, a ticket.
 */
import type { ApprovalTaskPayload, ManualStepPayload } from '../../lib/contract/task-payload';
import { HandlerError, redacting } from '../shared/handler-error';
import { logJson } from '../shared/log';

export const EVENT_SOURCE = 'osop.sfn';
export const EVENT_DETAIL_TYPE = 'OSOP Approval Requested';
export const MANUAL_STEP_DETAIL_TYPE = 'OSOP Manual Step Requested';
/** EventBridge's limit for one entry (Source + DetailType + Detail, in UTF-8 bytes). */
export const MAX_EVENT_BYTES = 256 * 1024;

/** The event's `detail`: everything an approver needs, and the commands that answer. */
export interface ApprovalRequestDetail {
  taskToken: string;
  workflowId: string;
  nodeId: string;
  executionId: string;
  prompt: string;
  approvers: string[];
  /** Outputs of the nodes that have run; the largest are replaced by a note when the event would be too large. */
  context: Record<string, unknown>;
  /** True when some node outputs were left out of `context` to fit the event. */
  contextTruncated: boolean;
  approveCommand: string;
  rejectCommand: string;
}

/** EventBridge's own transient errors (besides any 5xx, 429 or a request that got no response). */
const TRANSIENT_ERRORS = new Set(['ThrottlingException', 'TooManyRequestsException', 'InternalException', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException']);

let client: import('@aws-sdk/client-eventbridge').EventBridgeClient | undefined;

export async function handler(event: ApprovalTaskPayload | ManualStepPayload): Promise<void> {
  // The token is a bearer capability (whoever holds it can answer): it goes in the event and nowhere else.
  await redacting(async (redactor) => {
    if (typeof event?.taskToken === 'string' && event.taskToken) redactor.add(event.taskToken);
    if ((event as { kind?: unknown })?.kind === 'manual') await publish(asApprovalRequest(event as ManualStepPayload), MANUAL_STEP_DETAIL_TYPE);
    else await publish(event as ApprovalTaskPayload, EVENT_DETAIL_TYPE);
  });
}

/** A manual step as a request: what to do is the prompt; the commands complete it or report it not done. */
function asApprovalRequest(p: ManualStepPayload): ApprovalTaskPayload & { manual: true; outputs: string[] } {
  if (!p || typeof p.title !== 'string' || typeof p.instructions !== 'string' || !Array.isArray(p.outputs)) throw new HandlerError('OSOP.Config', 'Invalid manual step payload: title, instructions and outputs are required');
  return { ...p, kind: 'approval', prompt: `${p.title}: ${p.instructions}`, approvers: [], manual: true, outputs: p.outputs };
}

async function publish(event: ApprovalTaskPayload, detailType: string): Promise<void> {
  assertApprovalPayload(event);
  const bus = process.env.OSOP_APPROVAL_EVENT_BUS || 'default';
  const detail = approvalDetail(event, process.env.AWS_REGION);
  // Required here, not imported: the Lambda runtime provides the SDK and the bundle leaves it out.
  const eb = require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge');
  client ??= new eb.EventBridgeClient({});
  let out: import('@aws-sdk/client-eventbridge').PutEventsCommandOutput;
  try {
    out = await client.send(new eb.PutEventsCommand({ Entries: [{ Source: EVENT_SOURCE, DetailType: detailType, EventBusName: bus, Detail: JSON.stringify(detail) }] }));
  } catch (err) {
    throw sdkError(err, bus);
  }
  // PutEvents answers 200 even when the entry was refused: the refusal is in the entry.
  const entry = out.Entries?.[0];
  if ((out.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    const code = entry?.ErrorCode ?? 'UnknownError';
    throw new HandlerError(TRANSIENT_ERRORS.has(code) ? 'OSOP.Http.Transient' : 'OSOP.Config', `EventBridge refused the approval request for '${event.nodeId}' on bus '${bus}': ${code}: ${entry?.ErrorMessage ?? 'no message'}`);
  }
  logJson({ msg: detailType === EVENT_DETAIL_TYPE ? 'osop.approval.requested' : 'osop.manual.requested', workflowId: event.workflowId, nodeId: event.nodeId, executionId: event.executionId, eventBus: bus, eventId: entry.EventId, contextTruncated: detail.contextTruncated });
}

/** The event detail, with the context cut down to fit EventBridge's entry limit. */
export function approvalDetail(event: ApprovalTaskPayload, region?: string): ApprovalRequestDetail {
  const manual = (event as { manual?: boolean }).manual === true;
  const command = (verb: string) =>
    manual ? `osop-sfn complete${region ? ` --region ${region}` : ''} --token ${shellQuote(event.taskToken)}${verb === 'reject' ? ' --failed' : ''}` : `osop-sfn ${verb}${region ? ` --region ${region}` : ''} --token ${shellQuote(event.taskToken)}`;
  const detail: ApprovalRequestDetail = {
    taskToken: event.taskToken,
    workflowId: event.workflowId,
    nodeId: event.nodeId,
    executionId: event.executionId,
    prompt: event.prompt,
    approvers: event.approvers,
    context: { ...(event.context ?? {}) },
    contextTruncated: false,
    approveCommand: command('approve'),
    rejectCommand: command('reject'),
  };
  const budget = MAX_EVENT_BYTES - Buffer.byteLength(EVENT_SOURCE) - Buffer.byteLength(EVENT_DETAIL_TYPE);
  let size = Buffer.byteLength(JSON.stringify(detail));
  if (size <= budget) return detail;
  detail.contextTruncated = true;
  size += Buffer.byteLength('true') - Buffer.byteLength('false');
  // Largest outputs first: the fewest nodes are left out. Replacing one value changes the JSON by exactly the difference.
  const bySize = Object.entries(detail.context)
    .map(([node, value]) => ({ node, bytes: Buffer.byteLength(JSON.stringify(value) ?? 'null') }))
    .sort((a, b) => b.bytes - a.bytes);
  for (const { node, bytes } of bySize) {
    const note = `[left out: ${bytes} bytes]`;
    detail.context[node] = note;
    size += Buffer.byteLength(JSON.stringify(note)) - bytes;
    if (size <= budget) return detail;
  }
  throw new HandlerError('OSOP.Config', `The approval request for '${event.nodeId}' is larger than EventBridge's ${MAX_EVENT_BYTES} bytes even without its context: shorten the prompt or the list of approvers.`);
}

/** A token as one shell word: base64 text is safe as is; anything else is single-quoted. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9+/=_.:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Throttling, 5xx and requests without a response are transient (Step Functions may retry); the rest is configuration. */
function sdkError(err: unknown, bus: string): Error {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string; $retryable?: unknown };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  const transient = TRANSIENT_ERRORS.has(name) || e.$fault === 'server' || e.$retryable !== undefined || status === undefined || status === 429 || status >= 500;
  return new HandlerError(transient ? 'OSOP.Http.Transient' : 'OSOP.Config', `EventBridge PutEvents on bus '${bus}' failed${status ? ` (HTTP ${status})` : ''}: ${name}: ${e.message ?? String(err)}`);
}

function assertApprovalPayload(event: unknown): asserts event is ApprovalTaskPayload {
  const p = event as Partial<ApprovalTaskPayload> | null;
  const problem =
    !p || typeof p !== 'object' ? 'the payload is not an object'
    : p.kind !== 'approval' ? `kind is ${JSON.stringify(p.kind)}, expected "approval"`
    : typeof p.taskToken !== 'string' || p.taskToken === '' ? 'taskToken must be a non-empty string (the Task must use .waitForTaskToken)'
    : typeof p.workflowId !== 'string' || typeof p.nodeId !== 'string' ? 'workflowId and nodeId must be strings'
    : typeof p.prompt !== 'string' ? 'prompt must be a string'
    : !Array.isArray(p.approvers) || !p.approvers.every((a) => typeof a === 'string') ? 'approvers must be a list of strings'
    : p.context !== undefined && (p.context === null || typeof p.context !== 'object' || Array.isArray(p.context)) ? 'context must be an object'
    : undefined;
  if (problem) throw new HandlerError('OSOP.Config', `Invalid approval task payload: ${problem}`);
}
