/**
 * The seed against the alternatives, side by side in one run: ours (the
 * compiled machine, Lambda handlers), ours with native HTTP Tasks (when the
 * compiler writes them), the hand-written peer with our payload contract
 * (bench/baseline/stripe-payment.ts) and the idiomatic CDK peer
 * (bench/baseline/idiomatic.ts). For each: states, definition bytes,
 * transitions per path (counted on the definition by `lib/cost` and run on
 * the local engine with the same stubs; the two must agree), Lambda
 * invocations, and the estimated cost per million executions on Standard
 * (us-east-1 prices of lib/cost/prices.json, no free tier) with the same
 * call durations for every machine (BENCH_DURATIONS_MS) and each machine's
 * own function memory.
 *
 * Also: `osop-sfn cost`'s count equals the local run on every path of the
 * seed and of the graph fixtures (lib/cost/verify).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '../lib';
import { BUILT_IN_PRICES, costPaths, pricesFor, type CostPath } from '../lib/cost';
import { verifyPaths } from '../lib/cost/verify';
import type { AslDefinition } from '../lib/types';
import { baselineDefinition } from './baseline/stripe-payment';
import { IDIOMATIC_MEMORY_MIB, idiomaticDefinition } from './baseline/idiomatic';
import { runWithStubs } from './engine';
import { PATHS, stubsFor, type PathName } from './machines';
import { ROOT, SEED } from './paths';
import { jsonBytes } from './stats';

/** How long one call takes, the same for every machine: a Stripe call and a model's answer. */
export const BENCH_DURATIONS_MS: Record<string, number> = { create_customer: 300, create_intent: 300, confirm_payment: 600, check_status: 200, send_receipt: 3000 };

export const PEERS = ['ours', 'oursHttp', 'handWritten', 'idiomatic'] as const;
export type PeerName = (typeof PEERS)[number];
export const PEER_LABELS: Record<PeerName, string> = { ours: 'ours (Lambda handlers)', oursHttp: 'ours (native HTTP)', handWritten: 'hand-written (our contract)', idiomatic: 'idiomatic CDK' };

export interface PathFigure {
  /** Transitions counted on the definition (states entered + retries); null when the path has no end (no bound). */
  counted: number | null;
  /** Transitions of the stubbed local run; null when not run (no bound). */
  ran: number | null;
  lambdaInvocations: number | null;
  ends: string;
}

export interface PeerFigures {
  built: boolean;
  /** Why not, when not built. */
  note?: string;
  states?: number;
  definitionBytes?: number;
  functions?: string;
  paths?: Record<PathName, PathFigure>;
  /** Estimated USD per million happy-path executions on Standard: Step Functions, Lambda, and both. */
  perMillion?: { stepFunctions: number; lambda: number; total: number };
}

export interface PeerResults {
  peers: Record<PeerName, PeerFigures>;
  durationsMs: Record<string, number>;
  pricesTaken: string;
  /** `osop-sfn cost` against local runs: every path of the seed and the graph fixtures. */
  costVerification: { files: number; paths: number; disagreements: string[] };
}

type Def = { StartAt: string; States: Record<string, Record<string, unknown>> };

function countStates(states: Def['States']): number {
  let n = 0;
  for (const st of Object.values(states)) {
    n++;
    for (const b of (st.Branches as Def[] | undefined) ?? []) n += countStates(b.States);
    const inner = (st.ItemProcessor ?? st.Iterator) as Def | undefined;
    if (inner) n += countStates(inner.States);
  }
  return n;
}

/** The cost path that is the bench path: happy, one failure round of confirm_payment, failing it every time. */
function costPathFor(paths: CostPath[], p: PathName): CostPath | undefined {
  if (p === 'happy') return paths.find((x) => x.kind === 'happy');
  if (p === 'oneFallback') return paths.find((x) => x.kind === 'error' && x.id.startsWith('error:confirm_payment:'));
  return paths.find((x) => (x.kind === 'exhausted' || x.kind === 'unbounded') && x.id.includes(':confirm_payment:'));
}

async function peer(definition: Def, memoryMiBOf: (state: string) => number, functions: string): Promise<PeerFigures> {
  const prices = pricesFor(BUILT_IN_PRICES, 'us-east-1');
  // Measured first: the engine adds fields to the definition object it runs.
  const definitionBytes = jsonBytes(definition);
  const states = countStates(definition.States);
  const paths = costPaths(definition as unknown as AslDefinition);
  const figures = {} as Record<PathName, PathFigure>;
  for (const p of PATHS) {
    const cp = costPathFor(paths, p);
    if (!cp) throw new Error(`no cost path for ${p}`);
    if (cp.kind === 'unbounded') {
      figures[p] = { counted: null, ran: null, lambdaInvocations: null, ends: 'never: no bound' };
      continue;
    }
    const run = await runWithStubs(structuredClone(definition), stubsFor(p));
    const lambdaInvocations = cp.walk.calls.length;
    figures[p] = { counted: cp.walk.transitions, ran: run.transitions, lambdaInvocations, ends: run.error ?? run.status };
  }
  const happy = costPathFor(paths, 'happy')!.walk;
  let gbSeconds = 0;
  for (const c of happy.calls) gbSeconds += (memoryMiBOf(c.state) / 1024) * ((BENCH_DURATIONS_MS[c.state] ?? 0) / 1000);
  const stepFunctions = happy.transitions * prices.standardPerTransition * 1e6;
  const lambda = (happy.calls.length * prices.lambdaPerRequest + gbSeconds * prices.lambdaPerGbSecond) * 1e6;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    built: true,
    states,
    definitionBytes,
    functions,
    paths: figures,
    perMillion: { stepFunctions: r2(stepFunctions), lambda: r2(lambda), total: r2(stepFunctions + lambda) },
  };
}

function nativeHttpBuilt(): boolean {
  const dir = path.join(ROOT, 'lib');
  const grep = (d: string): boolean =>
    fs.readdirSync(d, { withFileTypes: true }).some((e) => (e.isDirectory() ? grep(path.join(d, e.name)) : e.name.endsWith('.ts') && fs.readFileSync(path.join(d, e.name), 'utf8').includes('http:invoke')));
  return grep(dir);
}

/**
 * The seed with \`x-sfn: { http: native }\`: its REST calls as native HTTP Tasks. Those Tasks cannot be stubbed
 * as Lambda functions, so its paths run through lib/local with the walk's answers as mocks (\`osop-sfn cost --verify\`).
 */
async function nativePeer(): Promise<PeerFigures> {
  const source = fs.readFileSync(SEED, 'utf8').replace(/^nodes:/m, 'x-sfn: { http: native }\nnodes:');
  const r = compile(SEED, { source });
  if (!r.ok || !r.definition || !r.report) return { built: false, note: `the seed does not compile with x-sfn: { http: native }: ${r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}` };
  const http = r.report.tasks.filter((t) => t.resource.includes('http:invoke'));
  if (http.length === 0) return { built: false, note: 'the seed compiles with x-sfn: { http: native }, but no node becomes an http:invoke Task' };
  const prices = pricesFor(BUILT_IN_PRICES, 'us-east-1');
  const definitionBytes = jsonBytes(r.definition);
  const paths = costPaths(r.definition);
  const runs = new Map((await verifyPaths(r.definition, r.report, paths)).map((v) => [v.id, v]));
  const tasks = new Map(r.report.tasks.map((t) => [t.state, t]));
  const isLambda = (state: string) => (tasks.get(state)?.resource ?? '').startsWith('arn:aws:states:::lambda:invoke');
  const figures = {} as Record<PathName, PathFigure>;
  for (const p of PATHS) {
    const cp = costPathFor(paths, p);
    if (!cp) throw new Error(`no cost path for ${p} (native HTTP)`);
    const v = runs.get(cp.id)!;
    figures[p] = { counted: cp.walk.transitions, ran: v.problem ? null : v.ran, lambdaInvocations: cp.walk.calls.filter((c) => isLambda(c.state)).length, ends: v.ranStatus };
  }
  const happy = costPathFor(paths, 'happy')!.walk;
  let gbSeconds = 0;
  let invocations = 0;
  for (const c of happy.calls) {
    if (!isLambda(c.state)) continue;
    invocations++;
    const t = tasks.get(c.state);
    gbSeconds += ((t?.function?.kind === 'shared' ? t.function.memoryMiB : 256) / 1024) * ((BENCH_DURATIONS_MS[c.state] ?? 0) / 1000);
  }
  const stepFunctions = happy.transitions * prices.standardPerTransition * 1e6;
  const lambda = (invocations * prices.lambdaPerRequest + gbSeconds * prices.lambdaPerGbSecond) * 1e6;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    built: true,
    states: countStates(r.definition.States as Def['States']),
    definitionBytes,
    functions: `${r.report.handlers.length} shared (${r.report.handlers.join(', ') || 'none'}); ${http.length} HTTP Tasks`,
    paths: figures,
    perMillion: { stepFunctions: r2(stepFunctions), lambda: r2(lambda), total: r2(stepFunctions + lambda) },
  };
}

export async function benchPeers(): Promise<PeerResults> {
  const seed = compile(SEED);
  if (!seed.ok || !seed.definition || !seed.report) throw new Error('the seed does not compile');
  const memory = new Map(seed.report.tasks.map((t) => [t.state, t.function?.kind === 'shared' ? t.function.memoryMiB : 256]));
  const ourFunctions = `${seed.report.handlers.length} shared (${seed.report.handlers.join(', ')})`;
  const peers = {} as Record<PeerName, PeerFigures>;
  peers.ours = await peer(seed.definition as unknown as Def, (s) => memory.get(s) ?? 256, ourFunctions);
  peers.oursHttp = nativeHttpBuilt() ? await nativePeer() : { built: false, note: 'not built yet (no http:invoke Task in lib/)' };
  peers.handWritten = await peer(baselineDefinition(), (s) => memory.get(s) ?? 256, ourFunctions);
  peers.idiomatic = await peer(idiomaticDefinition(), () => IDIOMATIC_MEMORY_MIB, `5, one per endpoint (${IDIOMATIC_MEMORY_MIB} MB)`);

  // osop-sfn cost against local runs, every path of the seed and the graph fixtures.
  const files = [SEED, ...fs.readdirSync(path.join(ROOT, 'test', 'fixtures', 'graph')).filter((f) => f.endsWith('.osop.yaml')).map((f) => path.join(ROOT, 'test', 'fixtures', 'graph', f))];
  const disagreements: string[] = [];
  let n = 0;
  for (const f of files) {
    const r = compile(f);
    if (!r.ok || !r.definition || !r.report) throw new Error(`${f} does not compile`);
    const v = await verifyPaths(r.definition, r.report, costPaths(r.definition));
    n += v.length;
    for (const x of v.filter((y) => !y.agrees)) disagreements.push(`${path.basename(f)} ${x.id}: counted ${x.counted}, ran ${x.ran}`);
  }
  return { peers, durationsMs: BENCH_DURATIONS_MS, pricesTaken: BUILT_IN_PRICES.taken, costVerification: { files: files.length, paths: n, disagreements } };
}
