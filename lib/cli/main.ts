/**
 * `osop-sfn`: a thin shell over `compile()` and the runners. Exit codes:
 * 0 success (warnings allowed), 1 errors in the input or a failed execution,
 * 2 usage errors, 3 an internal error (a bug).
 */
import { Command, CommanderError, Option } from 'commander';
import { runCheck, runCompile, runGraph, type CheckFormat } from './commands';
import { runInit } from './init';
import { runSchema } from './schema';
import { runStart } from './start';
import { runCost, type CostCliOptions } from './cost';
import { runRun, type RunOptions } from './run';
import { runTest, type TestOptions } from './test-command';
import { runMocks } from './mocks';
import { runAnswer, type AnswerOptions } from './approve';
import { ExitCode } from './output';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command()
    .name('osop-sfn')
    .description('Compile OSOP workflows to AWS Step Functions, deploy them with CDK, and run them locally.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .showHelpAfterError('(run osop-sfn --help for usage)');

  const diagnosticsOption = () => new Option('--diagnostics <format>', 'how to print diagnostics').choices(['pretty', 'json']).default('pretty');

  program
    .command('check')
    .description('check workflow files and report every problem')
    .argument('<files...>', 'workflow files (.osop, .osop.yaml, .osop.yml, .osop.json)')
    .addOption(new Option('--format <format>', 'pretty or json (stderr); github: GitHub Actions annotations, sarif: SARIF 2.1.0 (stdout)').choices(['pretty', 'json', 'github', 'sarif']))
    .addOption(new Option('--diagnostics <format>', 'the same as --format pretty|json').choices(['pretty', 'json']))
    .option('--strict', 'refuse loose forms (read one documented way) and manual steps instead of warning')
    .action((files: string[], opts: { format?: CheckFormat; diagnostics?: 'pretty' | 'json'; strict?: boolean }) => {
      if (opts.format && opts.diagnostics && opts.format !== opts.diagnostics) {
        process.stderr.write(`osop-sfn: --format ${opts.format} and --diagnostics ${opts.diagnostics} disagree; give one.\n`);
        return setExit(ExitCode.Usage);
      }
      setExit(runCheck(files, { format: opts.format ?? opts.diagnostics ?? 'pretty', strict: opts.strict, version: VERSION }));
    });

  program
    .command('schema')
    .description('print the JSON Schema of workflow files (with x-sfn), for editors: the YAML language server validates and completes with it')
    .option('-o, --out <file>', 'write it to this file instead of stdout')
    .action((opts: { out?: string }) => setExit(runSchema(opts)));

  program
    .command('init')
    .description('scaffold a project: an example workflow, a CDK app that deploys it, a CI workflow and how to run them; never overwrites a file')
    .argument('[dir]', 'the folder to write into', '.')
    .action((dir: string) => setExit(runInit(dir)));

  program
    .command('compile')
    .description('compile a workflow to Amazon States Language (JSON)')
    .argument('<file>', 'workflow file')
    .option('-o, --out <file>', 'write the ASL to this file instead of stdout')
    .option('--report <file>', 'also write the compile report (handlers, secrets, states) as JSON')
    .addOption(diagnosticsOption())
    .option('--strict', 'refuse loose forms (read one documented way) and manual steps instead of warning')
    .action((file: string, opts: { out?: string; report?: string; diagnostics: 'pretty' | 'json'; strict?: boolean }) => setExit(runCompile(file, opts)));

  program
    .command('graph')
    .description('print the workflow as a diagram')
    .argument('<file>', 'workflow file')
    .addOption(new Option('--format <format>', 'diagram language').choices(['mermaid', 'dot']).default('mermaid'))
    .addOption(diagnosticsOption())
    .action((file: string, opts: { format: 'mermaid' | 'dot'; diagnostics: 'pretty' | 'json' }) => setExit(runGraph(file, opts)));

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('run')
    .description('execute a workflow: locally (the same ASL, the handlers in-process) or on a Step Functions API')
    .argument('<file>', 'workflow file')
    .option('--input <json>', "the execution input: JSON, or @file.json (default {})")
    .option('--route <origin=url>', 'send calls for an API origin to another base URL (repeatable)', collect)
    .option('--sandbox', 'start the local Stripe and Anthropic stand-ins and route the calls to them')
    .option('--fast', 'no waiting: retry intervals and Wait states shortened to nothing')
    .option('--progress', 'print each state as it runs even when stderr is not a terminal')
    .addOption(new Option('--output <format>', 'what to print on stdout').choices(['text', 'json']).default('text'))
    .option('--log <file>', 'write an OSOP execution record (.osoplog.yaml)')
    .option('--verbose', "also print the handlers' log lines (stderr)")
    .option('--endpoint <url>', 'run on this Step Functions API (e.g. Step Functions Local) instead of locally')
    .option('--state-machine-arn <arn>', 'run this existing state machine (with no --endpoint: on AWS)')
    .option('--function-arn <kind=arn>', 'Lambda ARN of a handler for a state machine this creates: rest=ARN, agent=ARN, approval=ARN (repeatable)', collect)
    .option('--role-arn <arn>', 'execution role of a state machine this creates on AWS')
    .option('--region <region>', 'AWS region (default: AWS_REGION)')
    .option('--test-case <name>', 'Step Functions Local mock test case to run (see `osop-sfn mocks`)')
    .option('--approve <node=decision>', 'answer the approval at NODE: approved or rejected, optionally :COMMENT (repeatable; otherwise asked on the terminal)', collect)
    .option('--complete <node[=json]>', 'complete the manual step NODE, with its outputs as a JSON object, or NODE=failed[:reason] (repeatable; otherwise asked on the terminal)', collect)
    .option('--allow-commands', 'run the shell commands of cli/cicd/infra/git/docker nodes in a child process (they run on CodeBuild on AWS)')
    .option('--db-init <file.sql>', 'SQL to run on the embedded database of db nodes before the first statement')
    .option('--strict', 'refuse loose forms and manual steps instead of warning')
    .action(async (file: string, opts: RunOptions) => setExit(await runRun(file, opts)));

  program
    .command('test')
    .description("run the workflow's tests: section on the local engine, with mocked nodes and no network")
    .argument('<file>', 'workflow file')
    .option('--case <id>', 'run only this test (repeatable)', collect)
    .action(async (file: string, opts: TestOptions) => setExit(await runTest(file, opts)));

  program
    .command('mocks')
    .description("write a Step Functions Local mock configuration (MockConfigFile.json) from the workflow's tests")
    .argument('<file>', 'workflow file')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action((file: string, opts: { out?: string }) => setExit(runMocks(file, opts)));

  for (const verb of ['approve', 'reject'] as const) {
    const command = program
      .command(verb)
      .description(verb === 'approve' ? 'approve what an execution waits for (SendTaskSuccess with {decision, comment, approver})' : 'reject what an execution waits for (SendTaskFailure with OSOP.Approval.Rejected)')
      .option('--token <token>', "the task token from the approval request; '-' reads it from standard input (out of the process list and shell history)")
      .option('--token-file <file>', 'read the task token from this file')
      .option('--comment <text>', verb === 'approve' ? 'a comment, kept in the node outputs' : 'why: the cause of OSOP.Approval.Rejected');
    if (verb === 'approve') {
      command
        .option('--approver <name>', 'who approves (default: $USER)')
        .option('--output <json>', 'the whole answer as a JSON object, which must include "decision"');
    }
    command
      .option('--region <region>', 'AWS region of the execution (default: AWS_REGION)')
      .option('--endpoint <url>', 'a Step Functions API other than AWS (e.g. Step Functions Local)')
      .action(async (opts: AnswerOptions) => setExit(await runAnswer(verb, opts)));
  }

  program
    .command('complete')
    .description('complete a manual step an execution waits for (SendTaskSuccess with its outputs), or report it not done (--failed)')
    .option('--token <token>', "the task token from the manual step request; '-' reads it from standard input")
    .option('--token-file <file>', 'read the task token from this file')
    .option('--output <name=value|json>', 'an output of the step, NAME=VALUE (a value that parses as JSON is that JSON), or a JSON object of outputs (repeatable)', collect)
    .option('--failed [reason]', 'the step was not done: fail it with OSOP.Manual.Failed and this reason')
    .option('--region <region>', 'AWS region of the execution (default: AWS_REGION)')
    .option('--endpoint <url>', 'a Step Functions API other than AWS (e.g. Step Functions Local)')
    .action(async (opts: AnswerOptions & { output?: string[] }) => setExit(await runAnswer('complete', { ...opts, output: undefined, outputs: opts.output ?? [] })));

  program
    .command('cost')
    .description('what the workflow costs on Step Functions: transitions, Lambda calls and a monthly estimate per path, Standard against Express')
    .argument('<file>', 'workflow file')
    .option('--executions <n>', 'executions a month for the monthly estimate', '1000000')
    .option('--region <region>', 'AWS region of the prices', 'us-east-1')
    .option('--prices <file>', 'a price table to use instead of the built-in one (the shape of lib/cost/prices.json)')
    .option('--durations <node=ms>', 'how long one call of NODE takes, in ms (repeatable, or comma-separated); default: the node timeout, a ceiling', collect)
    .option('--verify', 'run every path on the local engine (mocked answers, no network) and check the counts')
    .addOption(new Option('--output <format>', 'what to print on stdout').choices(['text', 'json']).default('text'))
    .option('--strict', 'refuse loose forms and manual steps instead of warning')
    .action(async (file: string, opts: CostCliOptions) => setExit(await runCost(file, opts)));

  program
    .command('start')
    .description('compile every workflow in a folder and print a summary (what `npm start` runs)')
    .option('--dir <dir>', 'folder of workflows', 'workflows')
    .action(async (opts: { dir: string }) => setExit(await runStart(opts)));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    throw e;
  }
  return exitCode;
}

declare const OSOP_SFN_VERSION: string | undefined;
const VERSION = typeof OSOP_SFN_VERSION === 'string' ? OSOP_SFN_VERSION : '0.1.0';

/** Run the command line with the process's arguments and set its exit code. */
export function runCli(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`osop-sfn: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in osop-sfn; please report it.\n`);
      process.exitCode = ExitCode.Internal;
    },
  );
}
