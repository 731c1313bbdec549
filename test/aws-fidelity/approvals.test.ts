/**
 * An approval answered by hand (`aws stepfunctions send-task-success` / `send-task-failure`) may carry
 * less than `osop-sfn approve|reject` sends. Each shape AWS lets through must route, not stop the
 * execution with States.Runtime in a selector.
 */
import { compile } from '../../lib';
import { statesEntered } from '../../lib/local/events';
import { taskError } from '../../lib/local/handlers';
import { runLocally } from '../../lib/local/run-local';
import { validateAsl } from '../helpers/asl';

const source = `osop_version: "1.0"
id: refund
name: Refund approval
nodes:
  - { id: approve, type: human, description: "Approve the refund?" }
  - { id: refund, type: system, subtype: router }
  - { id: tell_customer, type: system, subtype: router }
edges:
  - { from: approve, to: refund, mode: conditional, when: "approve.decision == 'approved'" }
  - { from: approve, to: tell_customer, mode: conditional, when: "approve.decision == 'rejected'" }
`;

const compiled = compile('refund.osop.yaml', { source });

test('the definition is valid ASL', () => {
  expect(compiled.ok).toBe(true);
  const p = validateAsl(compiled.definition);
  expect([...p.aslValidator, ...p.statelint]).toEqual([]);
});

async function answered(answer: () => Promise<unknown>) {
  const o = await runLocally({ definition: compiled.definition!, report: compiled.report!, input: {}, fast: true, handlers: { approve: answer } });
  return { o, entered: statesEntered(o.events) };
}

test.each([
  ['decision only', { decision: 'approved' }, { decision: 'approved', comment: '', approver: '' }],
  ['nothing at all', {}, { decision: 'approved', comment: '', approver: '' }],
  ['every field', { decision: 'approved', comment: 'ok', approver: 'ana' }, { decision: 'approved', comment: 'ok', approver: 'ana' }],
])('SendTaskSuccess with %s routes as approved, the missing fields empty', async (_what, answer, outputs) => {
  const { o, entered } = await answered(async () => answer);
  expect(o.status).toBe('SUCCEEDED');
  expect(entered).toContain('refund');
  expect(o.output).toMatchObject({ approve: outputs });
});

test('SendTaskSuccess with decision rejected routes as rejected', async () => {
  const { entered } = await answered(async () => ({ decision: 'rejected' }));
  expect(entered).toContain('tell_customer');
});

test.each([
  ['with a cause', 'not this month', 'not this month'],
  ['without a cause', undefined, ''],
])('SendTaskFailure %s routes as rejected', async (_what, cause, comment) => {
  const { o, entered } = await answered(async () => {
    const e = taskError('OSOP.Approval.Rejected', cause ?? '');
    // The engine reports `cause` over the message when set: none, as SendTaskFailure without --cause.
    if (cause === undefined) Object.defineProperty(e, 'cause', { value: undefined });
    throw e;
  });
  expect(o.status).toBe('SUCCEEDED');
  expect(entered).toContain('tell_customer');
  expect(o.output).toMatchObject({ approve: { decision: 'rejected', comment } });
});
