/**
 * `osop-sfn approve|reject --token T`: answer an approval that an execution
 * waits for (the token comes from the approval request event). Approve sends
 * SendTaskSuccess with `{decision, comment, approver}`, which becomes the
 * node's outputs; reject sends SendTaskFailure with `OSOP.Approval.Rejected`
 * and the comment as its cause.
 * `osop-sfn complete --token T [--output k=v ...] [--failed REASON]`: the same
 * for a manual step: its outputs, or `OSOP.Manual.Failed` with the reason.
 */
import * as fs from 'node:fs';
import { ErrorNames, type ApprovalDecision } from '../contract/task-payload';
import { Redactor } from '../../lambdas/shared/redactor';
import { currentUser } from '../local/approvals';
import { ExitCode } from './output';

export interface AnswerOptions {
  /** The token, or '-' for standard input. */
  token?: string;
  tokenFile?: string;
  /** complete only: `k=v` outputs (a value that parses as JSON is that JSON) or JSON objects of outputs, repeatable. */
  outputs?: string[];
  /** complete only: the step was not done; the reason is the cause. */
  failed?: string | boolean;
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

export async function runAnswer(verb: 'approve' | 'reject' | 'complete', given: AnswerOptions): Promise<number> {
  let command: ReturnType<typeof buildCommand>;
  let opts: AnswerOptions & { token: string };
  try {
    opts = { ...given, token: await readToken(given) };
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
  process.stdout.write(
    verb === 'approve' ? 'Approved: the execution continues.\n'
    : verb === 'reject' ? 'Rejected: the execution takes its rejection path, or fails with OSOP.Approval.Rejected.\n'
    : command.kind === 'success' ? 'Completed: the execution continues with these outputs.\n'
    : 'Reported not done: the step fails with OSOP.Manual.Failed (its fallback edge, if any, is taken).\n',
  );
  return ExitCode.Ok;
}

type Command = { kind: 'success'; input: { taskToken: string; output: string } } | { kind: 'failure'; input: { taskToken: string; error: string; cause: string } };

/**
 * The token from `--token`, standard input (`--token -`) or a file
 * (`--token-file`): a token on the command line is visible in the process
 * list and the shell's history, and whoever holds it can answer.
 */
async function readToken(opts: AnswerOptions): Promise<string> {
  if ((opts.token === undefined) === (opts.tokenFile === undefined)) throw new UsageError('give the task token with --token T, --token - (standard input) or --token-file FILE.');
  if (opts.tokenFile !== undefined) {
    try {
      return fs.readFileSync(opts.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--token-file: cannot read '${opts.tokenFile}': ${(e as NodeJS.ErrnoException).code ?? 'read error'}.`);
    }
  }
  if (opts.token !== '-') return opts.token!;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function buildCommand(verb: 'approve' | 'reject' | 'complete', opts: AnswerOptions & { token: string }): Command {
  if (!opts.token.trim()) throw new UsageError('--token is empty: give the task token from the approval request.');
  if (verb === 'complete') return completeCommand(opts);
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

/** A manual step: `--output k=v` / `--output JSON` outputs, or `--failed [REASON]`. */
function completeCommand(opts: AnswerOptions & { token: string }): Command {
  if (opts.failed !== undefined && opts.failed !== false) {
    if (opts.outputs?.length) throw new UsageError('--failed reports the step as not done: it takes no outputs.');
    const cause = typeof opts.failed === 'string' ? opts.failed : 'reported as not done';
    if (cause.length > MAX_CAUSE_CHARS) throw new UsageError(`--failed's reason is ${cause.length} characters; a cause may have at most ${MAX_CAUSE_CHARS}.`);
    return { kind: 'failure', input: { taskToken: opts.token, error: ErrorNames.ManualStepFailed, cause } };
  }
  const outputs: Record<string, unknown> = {};
  for (const kv of opts.outputs ?? []) {
    if (kv.trimStart().startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(kv);
      } catch (e) {
        throw new UsageError(`--output '${kv.slice(0, 40)}' is not valid JSON (${(e as Error).message}).`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--output must be NAME=VALUE or a JSON object of outputs.');
      Object.assign(outputs, parsed);
      continue;
    }
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--output '${kv}' must be NAME=VALUE or a JSON object of outputs.`);
    const raw = kv.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: the text itself.
    }
    outputs[kv.slice(0, eq)] = value;
  }
  return { kind: 'success', input: { taskToken: opts.token, output: JSON.stringify(outputs) } };
}
