/** `npm start`: compile every workflow in workflows/, print what each becomes, then run the payment workflow locally. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeDeployment } from '../cdk/plan';
import { BUILT_IN_PRICES, costPaths, estimateCost } from '../cost';
import { costLine } from './cost';
import { compile } from '../index';
import { hasWorkflowExtension } from '../load';
import { ExitCode, countBySeverity, plural, printDiagnostics } from './output';
import { runRun } from './run';

export async function runStart(opts: { dir: string }): Promise<number> {
  let entries: string[];
  try {
    entries = fs.readdirSync(opts.dir).filter(hasWorkflowExtension).sort();
  } catch {
    process.stderr.write(`osop-sfn: cannot read the folder '${opts.dir}'.\n`);
    return ExitCode.Usage;
  }
  if (entries.length === 0) {
    process.stderr.write(`osop-sfn: no workflow files in '${opts.dir}'.\n`);
    return ExitCode.Failed;
  }
  let failed = 0;
  process.stdout.write(`Compiling ${plural(entries.length, 'workflow')} in ${opts.dir}/\n\n`);
  for (const name of entries) {
    const file = path.join(opts.dir, name);
    const r = compile(file);
    const { errors, warnings } = countBySeverity(r.diagnostics);
    if (!r.ok || !r.report || !r.definition) {
      failed++;
      printDiagnostics(r.diagnostics, 'pretty');
      process.stdout.write(`✗ ${file}: ${plural(errors, 'error')}\n\n`);
      continue;
    }
    const rep = r.report;
    process.stdout.write(`✓ ${file} → workflow '${rep.workflowId}' (${plural(rep.states.length, 'state')}, ${plural(warnings, 'warning')})\n`);
    process.stdout.write(`    states:   ${rep.states.join(', ')}\n`);
    process.stdout.write(`    handlers: ${rep.handlers.join(', ') || 'none'}${rep.origins.length ? `  (calls ${rep.origins.join(', ')})` : ''}\n`);
    process.stdout.write(`    secrets:  ${[...new Set([...rep.secrets.map((s) => s.name), ...rep.agentSecrets])].join(', ') || 'none'}\n`);
    if (rep.models.length) process.stdout.write(`    models:   ${rep.models.map((m) => `${m.node}: ${m.provider}/${m.model}`).join(', ')}\n`);
    process.stdout.write(`    deploys:\n${describeDeployment(rep).map((l) => `      ${l}\n`).join('')}`);
    process.stdout.write(`    cost:     ${costSummary(r.definition, rep)}  (osop-sfn cost ${file})\n`);
    process.stdout.write('\n');
  }
  process.stdout.write(`${entries.length - failed} of ${entries.length} compiled.\n`);
  const ran = entries.includes(SEED) ? await runSeed(path.join(opts.dir, SEED)) : ExitCode.Ok;
  return failed || ran !== ExitCode.Ok ? ExitCode.Failed : ExitCode.Ok;
}

function costSummary(definition: Parameters<typeof costPaths>[0], report: Parameters<typeof estimateCost>[1]): string {
  try {
    return costLine(estimateCost(definition, report, costPaths(definition), { prices: BUILT_IN_PRICES, region: 'us-east-1' }));
  } catch (e) {
    return `not estimated (${(e as Error).message})`;
  }
}

/** The payment workflow that the project starts from: run end to end against the local stand-ins. */
const SEED = 'stripe-payment.osop.yaml';

async function runSeed(file: string): Promise<number> {
  process.stdout.write(`\nRunning ${file} end to end: the compiled state machine on the local engine, the handlers in-process, Stripe and Anthropic stand-ins on 127.0.0.1.\n`);
  process.stdout.write(`(\`osop-sfn run ${file}\` with STRIPE_SECRET_KEY and ANTHROPIC_API_KEY set runs it against the real services.)\n\n`);
  return runRun(file, { sandbox: true, fast: true, progress: true, output: 'text' });
}
