/**
 * The approval handler against a mocked EventBridge API (aws-sdk-client-mock:
 * AWS is the one thing mocked; the handler module is the one Lambda runs).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { CONTRACT_VERSION, type ApprovalTaskPayload } from '../../lib/contract/task-payload';
import { approvalDetail, handler, MAX_EVENT_BYTES, type ApprovalRequestDetail } from '../../lambdas/approval';
import { captureConsole, thrown } from './payloads';

const eb = mockClient(EventBridgeClient);
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAV0rBgTsm+secret+token/part==';
const savedEnv = { ...process.env };
let console_: ReturnType<typeof captureConsole>;

function payload(overrides: Partial<ApprovalTaskPayload> = {}): ApprovalTaskPayload {
  return {
    contractVersion: CONTRACT_VERSION,
    kind: 'approval',
    workflowId: 'approval',
    nodeId: 'approve',
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:approval:run-1',
    attempt: '0',
    secretFields: {},
    taskToken: TOKEN,
    prompt: 'Deploy 1.2.3 to production?',
    approvers: ['release-manager'],
    context: { build: { version: '1.2.3' } },
    ...overrides,
  };
}

const sentEntry = () => eb.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
const sentDetail = () => JSON.parse(sentEntry().Detail!) as ApprovalRequestDetail;

beforeEach(() => {
  eb.reset();
  process.env = { ...savedEnv, AWS_REGION: 'eu-west-1' };
  delete process.env.OSOP_APPROVAL_EVENT_BUS;
  console_ = captureConsole();
});
afterEach(() => {
  console_.restore();
  process.env = savedEnv;
});

test('publishes one event on the default bus with the token, the request and the commands that answer it', async () => {
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
  await expect(handler(payload())).resolves.toBeUndefined();
  expect(eb.commandCalls(PutEventsCommand)).toHaveLength(1);
  expect(sentEntry()).toMatchObject({ Source: 'osop.sfn', DetailType: 'OSOP Approval Requested', EventBusName: 'default' });
  expect(sentDetail()).toEqual({
    taskToken: TOKEN,
    workflowId: 'approval',
    nodeId: 'approve',
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:approval:run-1',
    prompt: 'Deploy 1.2.3 to production?',
    approvers: ['release-manager'],
    context: { build: { version: '1.2.3' } },
    contextTruncated: false,
    approveCommand: `osop-sfn approve --region eu-west-1 --token ${TOKEN}`,
    rejectCommand: `osop-sfn reject --region eu-west-1 --token ${TOKEN}`,
  });
  // One structured log line, without the token.
  expect(console_.lines).toHaveLength(1);
  expect(JSON.parse(console_.lines[0])).toMatchObject({ msg: 'osop.approval.requested', nodeId: 'approve', eventBus: 'default', eventId: 'ev-1' });
  expect(console_.lines.join('\n')).not.toContain(TOKEN);
});

test('OSOP_APPROVAL_EVENT_BUS names the bus', async () => {
  process.env.OSOP_APPROVAL_EVENT_BUS = 'approvals';
  eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
  await handler(payload());
  expect(sentEntry().EventBusName).toBe('approvals');
});

test('a token with characters a shell would read is single-quoted in the commands', () => {
  const d = approvalDetail(payload({ taskToken: "a b'c" }));
  expect(d.approveCommand).toBe(`osop-sfn approve --token 'a b'\\''c'`);
});

describe('the event stays under EventBridge’s 256 KB limit', () => {
  test('the largest outputs are left out first, with a note of their size', () => {
    const big = 'x'.repeat(200 * 1024);
    const medium = 'y'.repeat(80 * 1024);
    const d = approvalDetail(payload({ context: { small: { ok: true }, big: { text: big }, medium: { text: medium } } }));
    expect(d.contextTruncated).toBe(true);
    expect(d.context).toEqual({ small: { ok: true }, big: `[left out: ${JSON.stringify({ text: big }).length} bytes]`, medium: { text: medium } });
    const entryBytes = Buffer.byteLength(JSON.stringify(d)) + 'osop.sfn'.length + 'OSOP Approval Requested'.length;
    expect(entryBytes).toBeLessThanOrEqual(MAX_EVENT_BYTES);
  });

  test('multi-byte text is counted in bytes, not characters', () => {
    const d = approvalDetail(payload({ context: { a: { text: 'é'.repeat(100 * 1024) }, b: { text: 'é'.repeat(100 * 1024) } } }));
    expect(d.contextTruncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(d))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(Object.values(d.context).filter((v) => typeof v === 'string')).toHaveLength(1);
  });

  test('a request too large without any context is a configuration error', async () => {
    const e = await thrown(() => handler(payload({ prompt: 'p'.repeat(MAX_EVENT_BYTES) })));
    expect(e.name).toBe('OSOP.Config');
    expect(e.message).toMatch(/larger than EventBridge's 262144 bytes even without its context/);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe('errors, named per the contract, never carrying the token', () => {
  const awsError = (name: string, status: number | undefined, extra: object = {}) =>
    Object.assign(new Error(`${name} happened for ${TOKEN}`), { name, ...(status !== undefined && { $metadata: { httpStatusCode: status } }), ...extra });

  test.each([
    ['throttling', 'ThrottlingException', 400, {}, 'OSOP.Http.Transient'],
    ['a 500', 'InternalException', 500, { $fault: 'server' }, 'OSOP.Http.Transient'],
    ['a 503 of another name', 'SomethingUnavailable', 503, {}, 'OSOP.Http.Transient'],
    ['no response (network)', 'TimeoutError', undefined, {}, 'OSOP.Http.Transient'],
    ['access denied', 'AccessDeniedException', 400, {}, 'OSOP.Config'],
    ['a missing bus', 'ResourceNotFoundException', 400, {}, 'OSOP.Config'],
  ])('%s (%s)', async (_what, errorName, status, extra, name) => {
    const error = awsError(errorName as string, status as number | undefined, extra as object);
    eb.on(PutEventsCommand).rejects(error);
    const e = await thrown(() => handler(payload()));
    expect(e.name).toBe(name);
    expect(e.message).toMatch(/^EventBridge PutEvents on bus 'default' failed/);
    expect(e.message).not.toContain(TOKEN);
    expect(e.stack).not.toContain(TOKEN);
  });

  test.each([
    ['ThrottlingException', 'OSOP.Http.Transient'],
    ['InternalFailure', 'OSOP.Http.Transient'],
    ['NotAuthorizedForSourceException', 'OSOP.Config'],
    ['MalformedDetail', 'OSOP.Config'],
  ])('a refused entry (FailedEntryCount) with %s → %s', async (code, name) => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code, ErrorMessage: 'refused' }] });
    const e = await thrown(() => handler(payload()));
    expect(e.name).toBe(name);
    expect(e.message).toBe(`EventBridge refused the approval request for 'approve' on bus 'default': ${code}: refused`);
  });

  test.each([
    ['another kind', { kind: 'rest' }, /kind is "rest", expected "approval"/],
    ['no token', { taskToken: '' }, /taskToken must be a non-empty string/],
    ['approvers not a list', { approvers: 'sre' }, /approvers must be a list of strings/],
    ['context not an object', { context: [] }, /context must be an object/],
  ])('a malformed payload (%s) is OSOP.Config, and nothing is sent', async (_what, overrides, message) => {
    const e = await thrown(() => handler(payload(overrides as Partial<ApprovalTaskPayload>)));
    expect(e.name).toBe('OSOP.Config');
    expect(e.message).toMatch(message);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
