/** `osop-sfn cost FILE`: transitions, Lambda invocations and a monthly estimate per path, Standard against Express. */
import { compile } from '../index';
import * as fs from 'node:fs';
import { BUILT_IN_PRICES, CostInputError, PriceError, costPaths, estimateCost, readPrices, WalkError, type CostReport, type PriceTable, type Scenario, type SkippedScenario } from '../cost';
import { loadTests } from '../local/load-tests';
import type { Verification } from '../cost/verify';
import { ExitCode, printDiagnostics } from './output';

export interface CostCliOptions {
  executions?: string;
  region?: string;
  prices?: string;
  durations?: string[];
  verify?: boolean;
  output?: 'text' | 'json';
  strict?: boolean;
}

const usage = (message: string) => {
  process.stderr.write(`osop-sfn cost: ${message}\n`);
  return ExitCode.Usage;
};

export async function runCost(file: string, opts: CostCliOptions): Promise<number> {
  let prices: PriceTable = BUILT_IN_PRICES;
  if (opts.prices) {
    try {
      prices = readPrices(opts.prices);
    } catch (e) {
      if (e instanceof PriceError) return usage(e.message);
      throw e;
    }
  }
  const executions = opts.executions === undefined ? 1_000_000 : Number(opts.executions.replace(/[_,]/g, ''));
  if (!Number.isInteger(executions) || executions < 0) return usage(`--executions takes a whole number of executions a month, not '${opts.executions}'.`);
  const durations: Record<string, number> = {};
  for (const item of (opts.durations ?? []).flatMap((d) => d.split(','))) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(item);
    if (!m) return usage(`--durations takes NODE=MS (e.g. create_customer=300), not '${item}'.`);
    durations[m[1]] = Number(m[2]) * (m[3] === 's' ? 1000 : 1);
  }
  const region = opts.region ?? 'us-east-1';

  const r = compile(file, { strict: opts.strict });
  if (!r.ok || !r.definition || !r.report) {
    printDiagnostics(r.diagnostics, 'pretty');
    return r.internalError ? ExitCode.Internal : ExitCode.Failed;
  }
  let report: CostReport;
  let paths;
  const skipped: SkippedScenario[] = [];
  try {
    paths = costPaths(r.definition, testScenarios(file), skipped);
    report = estimateCost(r.definition, r.report, paths, { prices, region, durations, executions });
  } catch (e) {
    if (e instanceof PriceError || e instanceof CostInputError) return usage(e.message);
    if (e instanceof WalkError) {
      process.stderr.write(`osop-sfn cost: cannot count the paths of '${file}': ${e.message}\n`);
      return ExitCode.Failed;
    }
    throw e;
  }
  let verified: Map<string, Verification> | undefined;
  if (opts.verify) {
    const { verifyPaths } = await import('../cost/verify');
    const v = await verifyPaths(r.definition, r.report, paths);
    verified = new Map(v.map((x) => [x.id, x]));
  }
  const disagreements = [...(verified?.values() ?? [])].filter((v) => !v.agrees);
  if (opts.output === 'json') {
    const json = { ...report, paths: report.paths.map((p) => ({ ...p, ...(verified ? { verified: verified.get(p.id) } : {}) })), ...(skipped.length ? { testsNotCosted: skipped } : {}) };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(formatCost(report, verified));
  }
  for (const sk of skipped) process.stderr.write(`osop-sfn cost: the test '${sk.id}' is not costed: ${sk.reason}.\n`);
  if (disagreements.length) {
    process.stderr.write(`osop-sfn cost: ${disagreements.length} path(s) counted differently than the local run: ${disagreements.map((d) => d.id).join(', ')}. This is a bug in osop-sfn cost; please report it.\n`);
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}

/** The cases of the workflow's \`tests:\` section, as paths: their mocks answer the Tasks, their input starts the run. */
export function testScenarios(file: string): Scenario[] {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  if (!/^tests\s*:/m.test(text)) return [];
  const t = loadTests(file);
  if (!t.ok) return [];
  return t.cases.map((c) => ({ id: c.id, label: `test ${c.id}`, spec: { answers: Object.fromEntries(c.mocks), input: c.input } }));
}

const usd = (x: number) => (x >= 100 ? `$${x.toFixed(0)}` : x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(3)}`);
const group = (n: number) => n.toLocaleString('en-US');

/** The one line `npm start` prints per workflow. */
export function costLine(r: CostReport): string {
  const happy = r.paths.find((p) => p.kind === 'happy')!;
  const exp = r.express.eligible ? 'eligible' : r.express.fitsWithTimeout ? 'fits once timeout_sec ≤ 300' : 'not eligible';
  const request = happy.expressRequest;
  const duration = r.durations === 'given' ? usd((happy.stepFunctions.express - request) * 1e6) : `≤ ${usd((happy.stepFunctions.express - request) * 1e6)} at the node timeouts`;
  return `${happy.transitions} transitions, ${happy.lambdaInvocations} Lambda calls on the happy path; Step Functions per million executions: Standard ${usd(happy.stepFunctions.standard * 1e6)}, Express ${usd(request * 1e6)} + duration (${duration}; ${exp})`;
}

export function formatCost(r: CostReport, verified?: Map<string, { ran: number; ranStatus: string; agrees: boolean; problem?: string }>): string {
  const lines: string[] = [];
  const ceiling = r.durations === 'given' ? '' : '≤ ';
  lines.push(`${r.workflowId}: prices for ${r.region}, taken ${r.prices.taken} (${r.prices.sources.map((s) => s.replace(/^https?:\/\//, '').replace(/\/$/, '')).join(', ')})`);
  lines.push(`durations: ${r.durations === 'timeouts' ? 'the node timeouts (ceilings: figures marked ≤); --durations NODE=MS for typical ones' : r.durations === 'given' ? 'as given (--durations)' : 'as given where --durations names the node, else the node timeout (a ceiling: ≤)'}`);
  lines.push('');
  const head = ['path', 'ends', 'transitions', 'Lambda calls', 'Lambda GB-s', 'Express s', 'Standard $/M', 'Express $/M', ...(verified ? ['local run'] : [])];
  const rows = r.paths.map((p) => [
    p.label,
    p.ends,
    `${p.transitions}${p.retries ? ` (${p.retries} retr${p.retries === 1 ? 'y' : 'ies'})` : ''}`,
    String(p.lambdaInvocations) + (Object.keys(p.requests).length ? ` + ${Object.entries(p.requests).map(([k, n]) => `${n} ${k}`).join(', ')}` : ''),
    `${ceiling}${p.lambdaGbSeconds.toFixed(1)}`,
    `${ceiling}${p.seconds.toFixed(1)}`,
    `${ceiling}${usd(p.standard * 1e6)}`,
    `${ceiling}${usd(p.express * 1e6)}`,
    ...(verified ? [verifiedCell(verified.get(p.id))] : []),
  ]);
  lines.push(...table(head, rows, [2, 3, 4, 5, 6, 7]));
  const happy = r.paths.find((p) => p.kind === 'happy')!;
  const deltas = r.paths.filter((p) => p.kind === 'error' || p.kind === 'loop' || p.kind === 'item');
  if (deltas.length) {
    lines.push('');
    for (const p of deltas) {
      const what = p.kind === 'item' ? 'each for-each item' : p.kind === 'loop' ? `each round of ${p.id.slice('loop:'.length)}` : `a failure round of ${p.id.split(':')[1]} (${p.id.split(':').slice(2).join(':')})`;
      const dt = p.transitions - happy.transitions;
      const dl = p.lambdaInvocations - happy.lambdaInvocations;
      lines.push(`${what}: ${signed(dt)} transition${Math.abs(dt) === 1 ? '' : 's'}, ${signed(dl)} Lambda call${Math.abs(dl) === 1 ? '' : 's'}`);
    }
  }
  lines.push('Each retry is one more transition (and one more Lambda call).');
  if (r.monthly) {
    const m = r.monthly;
    lines.push('');
    lines.push(`A month of ${group(m.executions)} executions of the happy path, free tiers applied (4,000 transitions; 1M Lambda requests and 400,000 GB-s):`);
    lines.push(`  Standard: ${usd(m.standard.stepFunctions)} Step Functions + ${ceiling}${usd(m.standard.lambda)} Lambda${m.standard.other ? ` + ${ceiling}${usd(m.standard.other)} CodeBuild and EventBridge` : ''} = ${ceiling}${usd(m.standard.total)}`);
    lines.push(`  Express:  ${ceiling}${usd(m.express.stepFunctions)} Step Functions (requests + duration) + ${ceiling}${usd(m.express.lambda)} Lambda${m.express.other ? ` + ${ceiling}${usd(m.express.other)} CodeBuild and EventBridge` : ''} = ${ceiling}${usd(m.express.total)}`);
  }
  lines.push('');
  const x = r.express;
  const cheaper = happy.express < happy.standard;
  const saving = cheaper ? `: ${usd((happy.standard - happy.express) * 1e6)} less per million executions` : r.durations === 'given' ? ', but not cheaper at these durations' : ', but not cheaper at these ceilings; pass --durations with typical ones to compare';
  if (x.eligible) lines.push(`Express: eligible${saving}${cheaper ? ', so recommended (deploy with type: EXPRESS; docs/cost.md)' : ''}. It gives up:`);
  else if (x.fitsWithTimeout) lines.push(`Express: fits once the workflow declares timeout_sec ≤ 300 (its happy path takes ${ceiling}${x.happySeconds.toFixed(0)} s)${saving}${cheaper ? '; then ask for it with x-sfn: { type: express } in the workflow (docs/cost.md)' : ''}. It gives up:`);
  else lines.push(`Express: not eligible:\n${x.problems.map((p) => `  - ${p}`).join('\n')}\nWhat Express would give up:`);
  lines.push(...x.givesUp.map((g) => `  - ${g}`));
  return `${lines.join('\n')}\n`;
}

function verifiedCell(v: { ran: number; ranStatus: string; agrees: boolean; problem?: string } | undefined): string {
  if (!v) return '';
  if (v.problem) return `could not run: ${v.problem}`;
  return v.agrees ? `${v.ran} ✓` : `${v.ran} ${v.ranStatus} ✗`;
}

const signed = (n: number) => (n >= 0 ? `+${n}` : String(n));

function table(head: string[], rows: string[][], right: number[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
}
