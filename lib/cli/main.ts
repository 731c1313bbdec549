/**
 * `osop-sfn`: a thin shell over `compile()` and the runners. Exit codes:
 * 0 success (warnings allowed), 1 errors in the input or a failed execution,
 * 2 usage errors, 3 an internal error (a bug).
 */
import { Command, CommanderError, Option } from 'commander';
import { runCheck, runCompile, runGraph } from './commands';
import { runStart } from './start';
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
    .addOption(diagnosticsOption())
    .action((files: string[], opts: { diagnostics: 'pretty' | 'json' }) => setExit(runCheck(files, opts)));

  program
    .command('compile')
    .description('compile a workflow to Amazon States Language (JSON)')
    .argument('<file>', 'workflow file')
    .option('-o, --out <file>', 'write the ASL to this file instead of stdout')
    .option('--report <file>', 'also write the compile report (handlers, secrets, states) as JSON')
    .addOption(diagnosticsOption())
    .action((file: string, opts: { out?: string; report?: string; diagnostics: 'pretty' | 'json' }) => setExit(runCompile(file, opts)));

  program
    .command('graph')
    .description('print the workflow as a diagram')
    .argument('<file>', 'workflow file')
    .addOption(new Option('--format <format>', 'diagram language').choices(['mermaid', 'dot']).default('mermaid'))
    .addOption(diagnosticsOption())
    .action((file: string, opts: { format: 'mermaid' | 'dot'; diagnostics: 'pretty' | 'json' }) => setExit(runGraph(file, opts)));

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
