/**
 * `osop-sfn approve|reject --token T`: answer an approval that an execution
 * waits for (the token comes from the approval request event). Approve sends
 * SendTaskSuccess with `{decision, comment, approver}`, which becomes the
 * node's outputs; reject sends SendTaskFailure with `OSOP.Approval.Rejected`
 * and the comment as its cause.
 */
import { ErrorNames, type ApprovalDecision } from '../contract/task-payload';
import { Redactor } from '../../lambdas/shared/redactor';
import { currentUser } from '../local/approvals';
import { ExitCode } from './output';

export interface AnswerOptions {
  token: string;
  comment?: string;
  /** approve only (the CLI offers it on approve alone): a rejection carries only its comment. */
  approver?: string;
  /** approve only. */
  output?: string;
  region?: string;
  endpoint?: string;
}

/** Step Functions' limit on a SendTaskFailure cause. */
const MAX_CAUSE_CHARS = 32768;

class UsageError extends Error {}

/** What each refusal of the API means for the person answering. */
const API_ERRORS: Record<string, string> = {
  TaskTimedOut: 'This approval is no longer waiting: its state timed out (TaskTimedOut), and the execution went on without the answer.',
  InvalidToken: 'The token is not a valid task token (InvalidToken): copy it whole from the approval request, and check the region (--region).',
  TaskDoesNotExist: 'No approval waits for this token (TaskDoesNotExist): it has been answered already or its execution has ended; tokens also belong to one region (--region).',
  AccessDeniedException: 'AWS refused the answer (AccessDeniedException): your credentials need states:SendTaskSuccess and states:SendTaskFailure.',
};

export async function runAnswer(verb: 'approve' | 'reject', opts: AnswerOptions): Promise<number> {
  let command: ReturnType<typeof buildCommand>;
  try {
    command = buildCommand(verb, opts);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`osop-sfn: ${e.message}\n`);
    return ExitCode.Usage;
  }
  // Loaded here, not imported: only approve/reject and --endpoint runs need the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn');
  const region = opts.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || (opts.endpoint ? 'us-east-1' : undefined);
  try {
    const client = new sdk.SFNClient({ ...(region && { region }), ...(opts.endpoint && { endpoint: opts.endpoint }) });
    if (command.kind === 'success') await client.send(new sdk.SendTaskSuccessCommand(command.input));
    else await client.send(new sdk.SendTaskFailureCommand(command.input));
  } catch (e) {
    const err = e as { name?: string; message?: string };
    const name = err.name ?? 'Error';
    // The token lets anyone holding it answer: never print it, should the API echo it.
    const redactor = new Redactor();
    redactor.add(opts.token);
    const message =
      API_ERRORS[name] ??
      (/region is missing|region not accepted/i.test(err.message ?? '') ? 'No AWS region: give --region, or set AWS_REGION (the region of the execution that waits).'
      : name === 'CredentialsProviderError' ? `No AWS credentials: ${err.message ?? ''}`
      : `${name}: ${err.message ?? String(e)}`);
    process.stderr.write(`osop-sfn: ${redactor.text(message)}\n`);
    return ExitCode.Failed;
  }
  process.stdout.write(verb === 'approve' ? 'Approved: the execution continues.\n' : 'Rejected: the execution takes its rejection path, or fails with OSOP.Approval.Rejected.\n');
  return ExitCode.Ok;
}

type Command = { kind: 'success'; input: { taskToken: string; output: string } } | { kind: 'failure'; input: { taskToken: string; error: string; cause: string } };

function buildCommand(verb: 'approve' | 'reject', opts: AnswerOptions): Command {
  if (!opts.token.trim()) throw new UsageError('--token is empty: give the task token from the approval request.');
  const comment = opts.comment ?? '';
  if (verb === 'reject') {
    if (comment.length > MAX_CAUSE_CHARS) throw new UsageError(`--comment is ${comment.length} characters; a rejection's comment may have at most ${MAX_CAUSE_CHARS}.`);
    return { kind: 'failure', input: { taskToken: opts.token, error: ErrorNames.ApprovalRejected, cause: comment } };
  }
  if (opts.output === undefined) {
    const decision: ApprovalDecision = { decision: 'approved', comment, approver: opts.approver ?? currentUser() };
    return { kind: 'success', input: { taskToken: opts.token, output: JSON.stringify(decision) } };
  }
  if (opts.comment !== undefined || opts.approver !== undefined) throw new UsageError('--output is the whole answer: put the comment and the approver in it instead of --comment and --approver.');
  let custom: unknown;
  try {
    custom = JSON.parse(opts.output);
  } catch (e) {
    throw new UsageError(`--output is not valid JSON (${(e as Error).message}).`);
  }
  if (custom === null || typeof custom !== 'object' || Array.isArray(custom)) throw new UsageError('--output must be a JSON object, e.g. {"decision": "approved", "comment": "...", "approver": "..."}.');
  const decision = (custom as { decision?: unknown }).decision;
  if (typeof decision !== 'string' || decision === '') throw new UsageError('--output must include "decision" (a text, e.g. "approved"): the workflow routes on it.');
  return { kind: 'success', input: { taskToken: opts.token, output: JSON.stringify(custom) } };
}
