/**
 * `npm run bench`: compile speed and scaling, the cold command line, the cost
 * of the generated state machine against a hand-written CDK one, payload
 * discipline, the Lambda bundles, local execution and `cdk synth`.
 *
 *   npm run bench                       # table on stdout, figures in bench-results.json
 *   npm run bench -- --json out.json    # the same figures also written to out.json
 *   npm run bench -- --quick            # fewer rounds (a smoke run; figures are noisier)
 *
 * Progress goes to stderr. The exit code is non-zero only when something
 * could not be measured; a missed target is reported in the table.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchScaling, benchSeedCompile } from './compile';
import { benchHostile } from './hostile';
import { benchLocal } from './local';
import { benchMachines } from './machines';
import { benchPeers } from './peers';
import { ROOT, RESULTS_FILE } from './paths';
import { benchBundles, benchCli, benchSynth, buildCli } from './processes';
import { evaluateTargets, formatTable, type BenchResults } from './report';

function parseArgs(argv: string[]): { json?: string; quick: boolean } {
  const out: { json?: string; quick: boolean } = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') out.quick = true;
    else if (a === '--json') {
      const next = argv[i + 1];
      if (next && !next.startsWith('--')) {
        out.json = next;
        i++;
      } else out.json = RESULTS_FILE;
    } else if (a.startsWith('--json=')) out.json = a.slice('--json='.length);
    else {
      process.stderr.write(`bench: unknown argument '${a}'. Usage: npm run bench -- [--json FILE] [--quick]\n`);
      process.exit(2);
    }
  }
  return out;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const results: BenchResults = {
    meta: { startedAt: new Date(started).toISOString(), durationS: 0, node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, loadAverageStart: os.loadavg(), loadAverageEnd: [], gitCommit: gitCommit(), quick: args.quick },
    targets: [],
    errors: [],
  };

  async function section<T>(name: string, fn: () => T | Promise<T>): Promise<T | undefined> {
    log(`bench: ${name} ...`);
    const t = Date.now();
    try {
      const v = await fn();
      log(`bench: ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return v;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(`bench: ${name} FAILED: ${e instanceof Error && e.stack ? e.stack : message}`);
      results.errors.push({ section: name, message });
      return undefined;
    }
  }

  // The command line is built first: the cold-CLI and whole-process run figures use it.
  const buildMs = await section('build (npm run build)', buildCli);
  const seed = await section('compile: seed', () => benchSeedCompile(args.quick));
  const scaling = await section('compile: generated workflows', () => benchScaling(args.quick, log));
  if (seed && scaling) results.compile = { seed, scaling };
  results.machines = await section('state machines vs hand-written (stubs)', benchMachines);
  results.peers = await section('the seed against its alternatives, and osop-sfn cost against local runs', benchPeers);
  if (buildMs !== undefined) {
    results.local = await section('local runs (sandbox)', () => benchLocal(args.quick, log));
    const cli = await section('cold command line', () => benchCli(args.quick));
    if (cli) results.cli = { ...cli, buildMs: Math.round(buildMs) };
  } else {
    results.errors.push({ section: 'cold command line / local runs', message: 'the command line could not be built' });
  }
  if (buildMs !== undefined) results.hostile = await section('hostile inputs', () => benchHostile(log));
  results.bundles = await section('Lambda bundles', () => benchBundles(args.quick));
  results.cdk = await section('cdk synth', () => benchSynth(args.quick));

  results.meta.loadAverageEnd = os.loadavg();
  results.meta.durationS = Math.round((Date.now() - started) / 100) / 10;
  results.targets = evaluateTargets(results);

  const json = `${JSON.stringify(results, null, 2)}\n`;
  fs.writeFileSync(RESULTS_FILE, json);
  if (args.json && path.resolve(args.json) !== RESULTS_FILE) fs.writeFileSync(args.json, json);
  process.stdout.write(`${formatTable(results)}\n`);
  log(`bench: figures written to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}${args.json && path.resolve(args.json) !== RESULTS_FILE ? ` and ${args.json}` : ''}`);
  return results.errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
