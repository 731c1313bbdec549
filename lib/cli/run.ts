/**
 * `osop-sfn run FILE`: compile, then execute the same ASL locally (each Task
 * bound in-process to the handler Lambda runs) or on a Step Functions API
 * (`--endpoint`, `--state-machine-arn`), with progress and an execution record.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '../index';
import { ApprovalUsageError, parseApprovalAnswers, type ApprovalAnswer } from '../local/approvals';
import { CompletionUsageError, completionProblem, parseCompletions, type Completion } from '../local/manual-steps';
import type { ExecutionOutcome, RunWatcher } from '../local/events';
import { transitionCount } from '../local/events';
import { readableCause } from '../local/events';
import type { LocalWorkflow } from '../local/local-workflow';
import { ProgressFormatter, oneLine, progressWatcher } from '../local/progress';
import { buildRecord, writeRecord } from '../local/record';
import { secretNames, secretRedactor } from '../local/secrets';
import type { UserHandler } from '../local/user-handlers';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';
import { ExitCode, printDiagnostics } from './output';

export interface RunOptions {
  input?: string;
  route?: string[];
  sandbox?: boolean;
  fast?: boolean;
  progress?: boolean;
  output: 'text' | 'json';
  log?: string;
  verbose?: boolean;
  endpoint?: string;
  stateMachineArn?: string;
  functionArn?: string[];
  roleArn?: string;
  region?: string;
  testCase?: string;
  approve?: string[];
  complete?: string[];
  allowCommands?: boolean;
  dbInit?: string;
  strict?: boolean;
}

/** A problem with the command line: printed as is, exit 2. */
class UsageError extends Error {}
/** The run cannot go on: the API refused a call (credentials, permissions), or a Task cannot run locally. Printed, exit 1. */
class RunFailure extends Error {}

/** What a local run needs besides the compiled workflow, all checked before it starts. */
interface LocalSetup {
  workflow: LocalWorkflow;
  /** It and the sub-workflows it starts. */
  workflows: LocalWorkflow[];
  answers: Map<string, ApprovalAnswer>;
  completions: Map<string, Completion>;
  /** Approvals without an answer are asked on the terminal. */
  interactive: boolean;
  userHandlers: Map<string, UserHandler>;
}

export async function runRun(file: string, opts: RunOptions): Promise<number> {
  try {
    return await run(file, opts);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RunFailure) {
      process.stderr.write(`osop-sfn: ${e.message}\n`);
      return e instanceof UsageError ? ExitCode.Usage : ExitCode.Failed;
    }
    throw e;
  }
}

async function run(file: string, opts: RunOptions): Promise<number> {
  const input = parseInput(opts.input);
  const routes = parseRoutes(opts.route ?? []);
  const onApi = opts.endpoint !== undefined || opts.stateMachineArn !== undefined;
  if (onApi && (opts.sandbox || opts.route?.length || opts.fast || opts.approve?.length || opts.complete?.length || opts.allowCommands || opts.dbInit)) {
    throw new UsageError('--sandbox, --route, --fast, --approve, --complete, --allow-commands and --db-init apply to local runs; with --endpoint or --state-machine-arn the Tasks run where they are deployed (answer approvals with `osop-sfn approve|reject`, manual steps with `osop-sfn complete`).');
  }
  if (!onApi && (opts.functionArn?.length || opts.roleArn || opts.testCase)) {
    throw new UsageError('--function-arn, --role-arn and --test-case apply to runs on a Step Functions API (--endpoint or --state-machine-arn).');
  }
  const functionArns = parseFunctionArns(opts.functionArn ?? []);
  const answers = approvalAnswers(opts.approve ?? []);
  const completions = completionAnswers(opts.complete ?? []);
  const dbInit = opts.dbInit === undefined ? undefined : readDbInit(opts.dbInit);
  if (opts.log) checkWritable(opts.log);

  const compiled = compile(file, { strict: Boolean(opts.strict) });
  if (!compiled.ok || !compiled.definition || !compiled.report) {
    printDiagnostics(compiled.diagnostics, 'pretty');
    return compiled.internalError ? ExitCode.Internal : ExitCode.Failed;
  }
  const { definition, report } = compiled;
  checkInput(input, report);
  const local = onApi ? undefined : await prepareLocal(file, { definition, report }, answers, completions, Boolean(opts.allowCommands));
  if (typeof local === 'number') return local;

  const sandbox = opts.sandbox ? await startSandbox() : undefined;
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, ...sandbox?.env };
    // A local run reads the secrets of its sub-workflows too.
    const names = [...new Set((local?.workflows ?? [{ report }]).flatMap((w) => secretNames(w.report)))].sort();
    const missing = onApi ? [] : names.filter((n) => !env[n]);
    if (missing.length) {
      throw new UsageError(`The workflow reads the secret(s) ${missing.join(', ')}; locally each is the environment variable of that name, and ${missing.length === 1 ? 'it is' : 'they are'} not set. Set ${missing.length === 1 ? 'it' : 'them'}, or run against the local stand-ins with --sandbox.`);
    }
    const redactor = secretRedactor(names, env);
    const redact = (t: string) => redactor.text(t);
    const showProgress = opts.progress ?? Boolean(process.stderr.isTTY);
    const watcher = showProgress ? progressWatcher(new ProgressFormatter({ definition, report, redact }), (line) => process.stderr.write(`${line}\n`)) : undefined;
    if (sandbox && showProgress) process.stderr.write(`Sandbox: Stripe stand-in at ${sandbox.stripeUrl}, Anthropic stand-in at ${sandbox.llmUrl}\n`);

    const outcome = local
      ? await runLocal(local, input, { ...sandbox?.routes, ...routes }, sandbox?.env, opts, watcher, redact, dbInit)
      : await runOnApi(definition, report, input, opts, functionArns, watcher);

    if (opts.log) {
      const record = buildRecord(outcome, { definition, report, engine: onApi ? 'aws-step-functions' : 'aws-local-stepfunctions', source: `osop-sfn run ${file}`, redactor });
      try {
        writeRecord(opts.log, record);
      } catch (e) {
        process.stderr.write(`osop-sfn: cannot write the execution record: ${(e as NodeJS.ErrnoException).message}\n`);
      }
    }
    printOutcome(outcome, opts.output, (v) => redactor.value(v), redact);
    return outcome.status === 'SUCCEEDED' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await sandbox?.close();
  }
}

function completionAnswers(specs: string[]): Map<string, Completion> {
  try {
    return parseCompletions(specs);
  } catch (e) {
    if (e instanceof CompletionUsageError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--db-init FILE`: SQL run on the embedded database before the first statement. */
function readDbInit(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--db-init: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? 'read error'}.`);
  }
}

function approvalAnswers(specs: string[]): Map<string, ApprovalAnswer> {
  try {
    return parseApprovalAnswers(specs);
  } catch (e) {
    if (e instanceof ApprovalUsageError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Everything a local run needs, checked before it starts (nothing half-done):
 * the sub-workflows compile, no Task needs AWS, every approval has an answer
 * or a terminal to ask on, every user handler module loads. A number is an
 * exit code (diagnostics printed).
 */
async function prepareLocal(
  file: string,
  compiled: { definition: AslDefinition; report: CompileReport },
  answers: Map<string, ApprovalAnswer>,
  completions: Map<string, Completion>,
  allowCommands: boolean,
): Promise<LocalSetup | number> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const lw = require('../local/local-workflow') as typeof import('../local/local-workflow');
  const { approvalAnswerProblem } = require('../local/approvals') as typeof import('../local/approvals');
  const uh = require('../local/user-handlers') as typeof import('../local/user-handlers');
  /* eslint-enable @typescript-eslint/no-require-imports */
  let workflow: LocalWorkflow;
  try {
    workflow = lw.loadLocalWorkflow(file, compiled);
  } catch (e) {
    if (!(e instanceof lw.LocalWorkflowError)) throw e;
    printDiagnostics(e.diagnostics, 'pretty');
    process.stderr.write(`osop-sfn: ${e.message}\n`);
    return ExitCode.Failed;
  }
  const workflows = lw.workflowsOf(workflow);
  const unrunnable = lw.unrunnableTasks(workflows);
  if (unrunnable.length) {
    throw new RunFailure(`The Task state(s) ${unrunnable.join(', ')} call AWS services, which cannot run locally. Test the workflow with \`osop-sfn test\` (mocks in its tests: section), or run it on Step Functions (--endpoint or --state-machine-arn).`);
  }
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const problem = approvalAnswerProblem(lw.approvalNodes(workflow), answers, interactive) ?? completionProblem(lw.manualSteps(workflow), completions, interactive);
  if (problem) throw new UsageError(problem);
  const commands = lw.commandNodes(workflow);
  if (commands.length && !allowCommands) {
    // Real files hold `terraform destroy` and `rm -rf`: nothing runs on this machine unless asked.
    throw new UsageError(`Node(s) ${commands.map((n) => `'${n}'`).join(', ')} run shell commands (CodeBuild on AWS). Locally they run in a child process in a temporary folder, only with --allow-commands; read them first.`);
  }
  try {
    return { workflow, workflows, answers, completions, interactive, userHandlers: await uh.loadUserHandlers(lw.userHandlerModules(workflows)) };
  } catch (e) {
    if (e instanceof uh.UserHandlerError) throw new RunFailure(e.message);
    throw e;
  }
}

async function runLocal(
  local: LocalSetup,
  input: unknown,
  routes: Record<string, string>,
  env: Record<string, string> | undefined,
  opts: RunOptions,
  watcher: RunWatcher | undefined,
  redact: (t: string) => string,
  dbInit: string | undefined,
): Promise<ExecutionOutcome> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { runLocally } = require('../local/run-local') as typeof import('../local/run-local');
  const { bindLocalHandlers } = require('../local/local-workflow') as typeof import('../local/local-workflow');
  const { localApprover, terminalApprover } = require('../local/approvals') as typeof import('../local/approvals');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const handlerLog = opts.verbose ? (line: string) => process.stderr.write(`  ${redact(line)}\n`) : undefined;
  // Stops the run (Ctrl-C at a question); once the run is over, withdraws open questions and stops sub-workflows still running.
  const stop = new AbortController();
  const ask = local.interactive ? terminalApprover({ input: process.stdin, output: process.stderr, redact, onInterrupt: () => stop.abort(), signal: stop.signal }) : undefined;
  const fast = Boolean(opts.fast);
  const { definition, report } = local.workflow;
  const { rdsDataRunner } = require('../local/services/rds-data') as typeof import('../local/services/rds-data');
  const database = local.workflows.some((w) => w.report.tasks.some((t) => t.local.kind === 'rds-data')) ? rdsDataRunner({ init: dbInit }) : undefined;
  const commandLog = (line: string) => process.stderr.write(`  ${redact(line)}\n`);
  const handlers = bindLocalHandlers(local.workflow, {
    approver: localApprover(local.answers, ask),
    ask,
    completions: local.completions,
    userHandlers: local.userHandlers,
    fast,
    watcher,
    signal: stop.signal,
    allowCommands: Boolean(opts.allowCommands),
    env: { ...process.env, ...env },
    log: opts.verbose || watcher ? commandLog : undefined,
    database,
  });
  try {
    return await runLocally({ definition, report, input, fast, routes, env, handlers, watcher, signal: stop.signal, handlerLog });
  } finally {
    stop.abort();
    await database?.close();
  }
}

async function runOnApi(
  definition: AslDefinition,
  report: CompileReport,
  input: unknown,
  opts: RunOptions,
  functionArns: Partial<Record<HandlerKind, string>>,
  watcher: RunWatcher | undefined,
): Promise<ExecutionOutcome> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require('../local/sfn-api') as typeof import('../local/sfn-api');
  for (const kind of ['rest', 'agent', 'approval'] as const) functionArns[kind] ??= process.env[api.functionArnEnv(kind)] || undefined;
  try {
    return await api.runOnStepFunctions({
      definition,
      report,
      input,
      endpoint: opts.endpoint,
      region: opts.region,
      stateMachineArn: opts.stateMachineArn,
      functionArns,
      roleArn: opts.roleArn,
      testCase: opts.testCase,
      pollIntervalMs: opts.endpoint ? 250 : 1000,
      onEvent: watcher && ((e) => watcher.event(e)),
    });
  } catch (e) {
    if (e instanceof api.ApiUsageError) throw new UsageError(e.message);
    const err = e as { name?: string; message?: string };
    throw new RunFailure(`${err.name ?? 'Error'}: ${err.message ?? String(e)}`);
  }
}


function printOutcome(o: ExecutionOutcome, format: 'text' | 'json', redactValue: <T>(v: T) => T, redact: (t: string) => string): void {
  const output = o.status === 'SUCCEEDED' ? `${JSON.stringify(redactValue(o.output ?? null), null, 2)}\n` : '';
  const seconds = ((o.endedAt - o.startedAt) / 1000).toFixed(2);
  if (format === 'json') {
    process.stdout.write(output);
  } else {
    process.stdout.write(`status:      ${o.status}\nduration:    ${seconds} s\ntransitions: ${transitionCount(o.events)}\n`);
    if (o.status !== 'SUCCEEDED') process.stdout.write(`error:       ${o.error}\ncause:       ${redact(oneLine(readableCause(o.cause ?? ''), 2000))}\n`);
    else process.stdout.write(`output:\n${output}${textsOf(redactValue(o.output))}`);
  }
  if (o.status !== 'SUCCEEDED') process.stderr.write(`osop-sfn: the execution ${o.status === 'FAILED' ? 'failed' : o.status.toLowerCase().replace('_', ' ')}: ${o.error}: ${redact(oneLine(readableCause(o.cause ?? ''), 2000))}\n`);
}

async function startSandbox(): Promise<import('../../sandbox').Sandbox> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return await (require('../../sandbox') as typeof import('../../sandbox')).startSandbox();
  } catch (e) {
    throw new RunFailure(`cannot start the local stand-ins (--sandbox): ${(e as Error).message}`);
  }
}

/** Agent nodes' texts (a receipt email) as they read, not as JSON strings. */
function textsOf(output: unknown): string {
  if (output === null || typeof output !== 'object') return '';
  return Object.entries(output as Record<string, unknown>)
    .filter(([, v]) => typeof (v as { text?: unknown } | null)?.text === 'string')
    .map(([node, v]) => `\n${node}.text:\n${(v as { text: string }).text.replace(/^(?=.)/gm, '  ')}\n`)
    .join('');
}

/** A record that cannot be written is found out before the execution, not after it. */
function checkWritable(file: string): void {
  try {
    fs.accessSync(path.dirname(path.resolve(file)), fs.constants.W_OK);
  } catch {
    throw new UsageError(`--log: cannot write to the folder of '${file}'.`);
  }
}

/** The input against the workflow's declared `inputs:` (JSON Schema, ajv), before anything runs. */
function checkInput(input: unknown, report: CompileReport): void {
  if (!report.inputSchema) return;
  // Loaded here, not imported: only `run` validates inputs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(report.inputSchema);
  if (validate(input)) return;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath ? `input${e.instancePath.replace(/\//g, '.')}` : 'the input'} ${e.message}${e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})` : ''}`);
  throw new UsageError(`--input does not match the workflow's inputs: ${problems.join('; ')}.`);
}

/** `--input JSON` or `--input @file.json`; `{}` when absent. */
function parseInput(raw: string | undefined): unknown {
  if (raw === undefined) return {};
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = fs.readFileSync(raw.slice(1), 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the input file '${raw.slice(1)}': ${(e as NodeJS.ErrnoException).code ?? 'read error'}.`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--input is not valid JSON (${(e as Error).message}). Give a JSON value, or @file.json.`);
  }
}

/** `--route https://api.stripe.com=http://127.0.0.1:12111`, repeatable. */
function parseRoutes(specs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const m = /^(https?:\/\/[^=]+)=(.+)$/.exec(spec);
    const origin = m && URL.canParse(m[1]) ? new URL(m[1]) : undefined;
    if (!m || !origin || !URL.canParse(m[2]) || origin.origin !== m[1].replace(/\/$/, '')) {
      throw new UsageError(`--route '${spec}' must be ORIGIN=URL, e.g. --route https://api.stripe.com=http://127.0.0.1:12111`);
    }
    out[origin.origin] = m[2];
  }
  return out;
}

/** `--function-arn rest=arn:aws:lambda:...`, repeatable. */
function parseFunctionArns(specs: string[]): Partial<Record<HandlerKind, string>> {
  const out: Partial<Record<HandlerKind, string>> = {};
  for (const spec of specs) {
    const m = /^(rest|agent|approval)=(arn:.+)$/.exec(spec);
    if (!m) throw new UsageError(`--function-arn '${spec}' must be rest=ARN, agent=ARN or approval=ARN.`);
    out[m[1] as HandlerKind] = m[2];
  }
  return out;
}
