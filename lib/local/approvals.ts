/**
 * Approvals in local runs. On AWS the approval handler publishes a request
 * and the execution waits for `osop-sfn approve|reject`; locally the Task is
 * answered in-process: by `--approve NODE=approved|rejected[:comment]`, else
 * by asking on the terminal. An approval answers as Step Functions' callback
 * does: approved, the task result `{decision, comment, approver}`; rejected,
 * the error `OSOP.Approval.Rejected` with the comment as its cause, which the
 * compiled Catch routes (or which fails the execution).
 */
import * as os from 'node:os';
import * as readline from 'node:readline';
import { ErrorNames, type ApprovalDecision, type ApprovalTaskPayload } from '../contract/task-payload';
import { didYouMean } from '../util/suggest';
import type { RunWatcher } from './events';
import { taskError, type LocalTaskHandler } from './handlers';

export interface ApprovalAnswer {
  decision: 'approved' | 'rejected';
  comment: string;
}

/** What the person answering sees. */
export interface ApprovalRequest {
  /** The state waiting: the node id, or `<node>:approval` for a gate. */
  state: string;
  node: string;
  workflowId: string;
  prompt: string;
  approvers: string[];
  context: Record<string, unknown>;
  /** The state's TimeoutSeconds: a question still open then is withdrawn. */
  timeoutSeconds?: number;
}

export interface GivenAnswer extends ApprovalAnswer {
  approver: string;
  /** How it was given, for the progress line: `--approve` or `terminal`. */
  via: string;
}

export type Approver = (req: ApprovalRequest) => Promise<GivenAnswer>;

/** A `--approve` that cannot be used: printed as is, exit 2. */
export class ApprovalUsageError extends Error {}

/** `$USER`, else the account name: who answers from this terminal. */
export function currentUser(): string {
  if (process.env.USER) return process.env.USER;
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers).
    return 'unknown';
  }
}

/** `--approve NODE=approved|rejected[:comment]`, repeatable; a gate's state name (`deploy:approval`) means its node. */
export function parseApprovalAnswers(specs: string[]): Map<string, ApprovalAnswer> {
  const out = new Map<string, ApprovalAnswer>();
  for (const spec of specs) {
    const m = /^([^=]+?)(?::approval)?=(approved|rejected)(?::([\s\S]*))?$/.exec(spec);
    if (!m) throw new ApprovalUsageError(`--approve '${spec}' must be NODE=approved or NODE=rejected, optionally with :COMMENT (e.g. --approve deploy=rejected:not during the freeze).`);
    if (out.has(m[1])) throw new ApprovalUsageError(`--approve answers '${m[1]}' twice.`);
    out.set(m[1], { decision: m[2] as ApprovalAnswer['decision'], comment: m[3] ?? '' });
  }
  return out;
}

/** An approval node of a workflow run locally, the sub-workflows' included. */
export interface ApprovalNode {
  node: string;
  workflowId: string;
  /** True for a sub-workflow's node. */
  nested: boolean;
}

/**
 * Why the answers cannot serve the run, if they cannot: an answer for no
 * approval node, or (with no terminal to ask on) nodes without an answer.
 * Checked before the run starts, so that it never stops half-way.
 */
export function approvalAnswerProblem(nodes: ApprovalNode[], answers: Map<string, ApprovalAnswer>, interactive: boolean): string | undefined {
  const ids = [...new Set(nodes.map((n) => n.node))];
  for (const node of answers.keys()) {
    if (ids.includes(node)) continue;
    const others = ids.length ? didYouMean(node, ids) ?? `Nodes that wait for an approval: ${ids.join(', ')}.` : 'The workflow has no approvals.';
    return `--approve ${node}=...: no node '${node}' waits for an approval. ${others}`;
  }
  const missing = nodes.filter((n) => !answers.has(n.node));
  if (missing.length === 0 || interactive) return undefined;
  const names = [...new Set(missing.map((n) => (n.nested ? `${n.node} (in ${n.workflowId})` : n.node)))];
  return `The workflow waits for approval at ${names.join(', ')}, and there is no terminal to ask on (stdin and stderr are not both terminals). Answer each with --approve NODE=approved|rejected[:comment], e.g. --approve ${missing[0].node}=approved.`;
}

/** Answers from `--approve` first; otherwise `ask` (the terminal). */
export function localApprover(answers: Map<string, ApprovalAnswer>, ask: Approver | undefined): Approver {
  return async (req) => {
    const given = answers.get(req.node);
    if (given) return { ...given, approver: currentUser(), via: '--approve' };
    if (!ask) throw new Error(`No answer for the approval at '${req.node}' and no terminal to ask on.`);
    return ask(req);
  };
}

/** The Task of an approval state: waits for the answer, as `.waitForTaskToken` waits for the callback. */
export function approvalInvoker(state: string, timeoutSeconds: number | undefined, approver: Approver, watcher?: RunWatcher): LocalTaskHandler {
  return async (input) => {
    const p = (input as { Payload: ApprovalTaskPayload }).Payload;
    // The engine reports the state's entry asynchronously: let it reach the progress display first.
    await new Promise((resolve) => setImmediate(resolve));
    watcher?.note(`⏸ ${state} waits for approval${p.approvers.length ? ` by ${p.approvers.join(', ')}` : ''}: ${p.prompt}`);
    const a = await approver({ state, node: p.nodeId, workflowId: p.workflowId, prompt: p.prompt, approvers: p.approvers, context: p.context ?? {}, timeoutSeconds });
    watcher?.note(`▶ ${state} ${a.decision} by ${a.approver} (${a.via})${a.comment ? `: ${a.comment}` : ''}`);
    if (a.decision === 'rejected') throw taskError(ErrorNames.ApprovalRejected, a.comment);
    const decision: ApprovalDecision = { decision: 'approved', comment: a.comment, approver: a.approver };
    return decision;
  };
}

export interface TerminalOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Applied to what is shown (the context may hold secret values). */
  redact: (text: string) => string;
  /** Ctrl-C or the end of input at a question: the run is to stop. */
  onInterrupt: () => void;
  /** Aborted when the run ends: a question still open is withdrawn. */
  signal: AbortSignal;
}

const CONTEXT_PREVIEW_CHARS = 600;

const withdrawn = () => taskError('OSOP.Local.Withdrawn', 'the run ended before the approval was answered');

/** Asks on the terminal, one question at a time (approvals in parallel branches wait their turn). */
export function terminalApprover(opts: TerminalOptions): Approver {
  let turn: Promise<unknown> = Promise.resolve();
  return (req) => {
    const asked = turn.then(() => ask(req, opts));
    turn = asked.catch(() => undefined);
    return asked;
  };
}

function ask(req: ApprovalRequest, opts: TerminalOptions): Promise<GivenAnswer> {
  // A question queued behind another may come up after the run ended.
  if (opts.signal.aborted) return Promise.reject(withdrawn());
  const out = (text: string) => opts.output.write(opts.redact(text));
  const context = JSON.stringify(req.context);
  out(
    `\nApproval needed at '${req.node}'${req.state !== req.node ? ' (before the node runs)' : ''} in workflow ${req.workflowId}\n` +
      `  ${req.prompt}\n` +
      (req.approvers.length ? `  approvers: ${req.approvers.join(', ')}\n` : '') +
      (context !== '{}' ? `  context:   ${context.length > CONTEXT_PREVIEW_CHARS ? `${context.slice(0, CONTEXT_PREVIEW_CHARS - 1)}…` : context}\n` : ''),
  );
  const rl = readline.createInterface({ input: opts.input, output: opts.output, terminal: Boolean((opts.output as NodeJS.WriteStream).isTTY) });
  return new Promise<GivenAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', withdraw);
      rl.close();
      fn();
    };
    const withdraw = () => finish(() => reject(withdrawn()));
    const interrupt = () => {
      finish(() => reject(taskError('OSOP.Local.Interrupted', 'interrupted at the approval question')));
      out('\n(interrupted: stopping the run)\n');
      opts.onInterrupt();
    };
    // The state times out on its own (TimeoutSeconds); the question goes with it.
    const timer = req.timeoutSeconds === undefined ? undefined : setTimeout(() => {
      out(`\n(no answer within ${req.timeoutSeconds} s: the approval timed out)\n`);
      finish(() => reject(taskError('States.Timeout', 'the approval timed out')));
    }, req.timeoutSeconds * 1000);
    rl.on('SIGINT', interrupt);
    rl.on('close', () => !settled && interrupt());
    opts.signal.addEventListener('abort', withdraw, { once: true });
    const decide = () =>
      rl.question('Approve or reject? [a/r] ', (raw) => {
        const word = raw.trim().toLowerCase();
        const decision = ['a', 'approve', 'approved', 'y', 'yes'].includes(word) ? 'approved' : ['r', 'reject', 'rejected', 'n', 'no'].includes(word) ? 'rejected' : undefined;
        if (!decision) return decide();
        rl.question(decision === 'rejected' ? 'Why (the cause, optional): ' : 'Comment (optional): ', (comment) =>
          finish(() => resolve({ decision, comment: comment.trim(), approver: currentUser(), via: 'terminal' })),
        );
      });
    decide();
  });
}
