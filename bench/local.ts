/**
 * The seed on the local engine with the real handlers over real HTTP to the
 * sandbox (Stripe and Anthropic stand-ins on 127.0.0.1):
 * - transitions on the happy path, one fallback round and an exhausted
 *   fallback (a declined card, as test/local/seed-e2e.test.ts makes one),
 *   for the compiled machine and for the hand-written baseline;
 * - payload discipline: the largest state data against the HTTP responses
 *   the handlers received (measured by a pass-through proxy in front of
 *   each stand-in);
 * - wall time of a run, in-process and as a whole `osop-sfn run` process.
 */
import { compile } from '../lib';
import { transitionCount } from '../lib/local/events';
import { lambdaInvoker, type LocalTaskHandler } from '../lib/local/handlers';
import { runLocally } from '../lib/local/run-local';
import type { AslDefinition, CompileReport } from '../lib/types';
import { startSandbox, type Sandbox } from '../sandbox';
import { baselineDefinition } from './baseline/stripe-payment';
import { PATHS, type PathName } from './machines';
import { CLI, ROOT, SEED } from './paths';
import { startMeasuringProxy, type MeasuringProxy, type RelayedResponse } from './proxy';
import { interleavedProcesses, jsonBytes, median, round, timeOnceAsync } from './stats';

const CARDS: Record<PathName, string[]> = {
  happy: [],
  oneFallback: ['pm_card_chargeDeclined'],
  exhaustedFallback: Array(4).fill('pm_card_chargeDeclined'),
};
const EXPECTED: Record<PathName, string> = { happy: 'SUCCEEDED', oneFallback: 'SUCCEEDED', exhaustedFallback: 'FAILED' };

export interface RealRun {
  status: string;
  error?: string;
  transitions: number;
  /** Largest state input/output during the run (execution input and every state's output), bytes of minified JSON. */
  maxStateBytes: number;
  /** Largest Lambda payload a Task sent, and largest result a handler returned. */
  maxTaskPayloadBytes: number;
  maxHandlerResultBytes: number;
  /** HTTP responses the handlers received: count, total and largest body bytes, and total including status line and headers. */
  responses: number;
  responseBodyBytes: number;
  largestResponseBodyBytes: number;
  responseBytesWithHeaders: number;
  /** maxStateBytes / responseBodyBytes. */
  stateOverResponses: number;
  /** A state carried an object with every top-level field of some response (a whole response). */
  carriesWholeResponse: boolean;
}

export interface LocalFigures {
  osop: Record<PathName, RealRun>;
  baseline: Record<PathName, RealRun>;
  inProcess: { runMs: number; transitions: number; msPerTransition: number; runs: number };
  wholeProcess: { runMs: number; floorMs: number; msPerTransition: number; runs: number };
}

type Machine = { definition: AslDefinition; report: CompileReport };

function seedMachine(): Machine {
  const r = compile(SEED);
  if (!r.ok || !r.definition || !r.report) throw new Error('the seed does not compile');
  return { definition: r.definition, report: r.report };
}

/** The baseline runs with the seed's report: the same handler substitutions (`${RestHandlerArn}`, `${AgentHandlerArn}`). */
function baselineMachine(seed: Machine): Machine {
  const definition = baselineDefinition() as unknown as AslDefinition;
  return { definition, report: { ...seed.report, workflowId: 'stripe-payment-hand-written', states: Object.keys(definition.States) } };
}

/** Each Lambda Task bound to the real handler its FunctionName substitution names, through `wrap`. */
function realHandlers(m: Machine, wrap: (h: LocalTaskHandler) => LocalTaskHandler): Record<string, LocalTaskHandler> {
  const kindOf = new Map(Object.entries(m.report.substitutions).map(([kind, key]) => [`\${${key}}`, kind]));
  const out: Record<string, LocalTaskHandler> = {};
  for (const [name, st] of Object.entries(m.definition.States)) {
    if (st.Type !== 'Task') continue;
    const kind = kindOf.get(String((st.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName));
    if (st.Resource !== 'arn:aws:states:::lambda:invoke' || (kind !== 'rest' && kind !== 'agent')) throw new Error(`Task state '${name}' is not a REST or agent handler call`);
    out[name] = wrap(lambdaInvoker(kind));
  }
  return out;
}

/** Every object (at any depth) inside a value. */
function* objectsIn(v: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(v)) for (const x of v) yield* objectsIn(x);
  else if (v !== null && typeof v === 'object') {
    yield v as Record<string, unknown>;
    for (const x of Object.values(v)) yield* objectsIn(x);
  }
}

/** True when some object in the state data has every top-level key of some JSON response with at least 4 keys. */
export function carriesWholeResponse(stateData: unknown[], responses: Pick<RelayedResponse, 'body'>[]): boolean {
  const shapes: string[][] = [];
  for (const r of responses) {
    try {
      const body = JSON.parse(r.body) as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length >= 4) shapes.push(Object.keys(body));
    } catch {
      // not JSON: cannot be carried as an object
    }
  }
  for (const data of stateData) for (const o of objectsIn(data)) for (const keys of shapes) if (keys.every((k) => k in o)) return true;
  return false;
}

async function realRun(m: Machine, path: PathName, sandbox: Sandbox, stripe: MeasuringProxy, llm: MeasuringProxy): Promise<RealRun> {
  sandbox.stripe.reset();
  sandbox.llm.reset();
  stripe.reset();
  llm.reset();
  sandbox.stripe.payWith(CARDS[path]);
  let maxTaskPayloadBytes = 0;
  let maxHandlerResultBytes = 0;
  const wrap = (h: LocalTaskHandler): LocalTaskHandler => async (input) => {
    maxTaskPayloadBytes = Math.max(maxTaskPayloadBytes, jsonBytes((input as { Payload?: unknown }).Payload));
    const result = await h(input);
    maxHandlerResultBytes = Math.max(maxHandlerResultBytes, jsonBytes((result as { Payload?: unknown }).Payload));
    return result;
  };
  const input = {};
  const o = await runLocally({
    definition: m.definition,
    report: m.report,
    input,
    fast: true,
    routes: { 'https://api.stripe.com': stripe.url },
    env: { ...sandbox.env, ANTHROPIC_BASE_URL: llm.url },
    handlers: realHandlers(m, wrap),
  });
  // State data: the execution input and every state's output (a state's input is its predecessor's output).
  const stateData: unknown[] = [input, ...o.events.flatMap((e) => (e.kind === 'succeeded' ? [e.output] : []))];
  if (o.status !== EXPECTED[path]) throw new Error(`${m.report.workflowId} on the sandbox, ${path} path: ${o.status} ${o.error ?? ''} ${o.cause ?? ''}`);
  const responses = [...stripe.responses, ...llm.responses];
  const responseBodyBytes = responses.reduce((a, r) => a + r.bodyBytes, 0);
  const maxStateBytes = Math.max(...stateData.map(jsonBytes));
  return {
    status: o.status,
    error: o.error,
    transitions: transitionCount(o.events),
    maxStateBytes,
    maxTaskPayloadBytes,
    maxHandlerResultBytes,
    responses: responses.length,
    responseBodyBytes,
    largestResponseBodyBytes: Math.max(0, ...responses.map((r) => r.bodyBytes)),
    responseBytesWithHeaders: responses.reduce((a, r) => a + r.bodyBytes + r.headerBytes, 0),
    stateOverResponses: round(maxStateBytes / Math.max(1, responseBodyBytes), 3),
    carriesWholeResponse: carriesWholeResponse(stateData, responses),
  };
}

export async function benchLocal(quick: boolean, log: (line: string) => void): Promise<LocalFigures> {
  const sandbox = await startSandbox();
  const stripe = await startMeasuringProxy(sandbox.stripeUrl);
  const llm = await startMeasuringProxy(sandbox.llmUrl);
  try {
    const seed = seedMachine();
    const baseline = baselineMachine(seed);
    const osopRuns = {} as Record<PathName, RealRun>;
    const baseRuns = {} as Record<PathName, RealRun>;
    for (const path of PATHS) {
      osopRuns[path] = await realRun(seed, path, sandbox, stripe, llm);
      baseRuns[path] = await realRun(baseline, path, sandbox, stripe, llm);
    }
    log('  sandbox runs of both machines done');

    // In-process wall time of the happy path, straight to the stand-ins (no proxy, no wrappers).
    const runs = quick ? 5 : 15;
    const once = async () => {
      sandbox.stripe.reset();
      sandbox.llm.reset();
      let transitions = 0;
      const ms = await timeOnceAsync(async () => {
        const o = await runLocally({ definition: seed.definition, report: seed.report, input: {}, fast: true, routes: sandbox.routes, env: sandbox.env });
        if (o.status !== 'SUCCEEDED') throw new Error(`in-process seed run: ${o.status} ${o.error ?? ''}`);
        transitions = transitionCount(o.events);
      });
      return { ms, transitions };
    };
    for (let i = 0; i < 3; i++) await once();
    const samples: number[] = [];
    let transitions = 0;
    for (let i = 0; i < runs; i++) {
      const r = await once();
      samples.push(r.ms);
      transitions = r.transitions;
    }
    const runMs = median(samples);

    // The whole command line, against `node -e ""` in the same rounds.
    const procRuns = quick ? 2 : 5;
    const args = [CLI, 'run', SEED, '--sandbox', '--fast', '--output', 'json'];
    const t = interleavedProcesses({ run: { cmd: process.execPath, args, opts: { cwd: ROOT } }, floor: { cmd: process.execPath, args: ['-e', ''] } }, procRuns);
    return {
      osop: osopRuns,
      baseline: baseRuns,
      inProcess: { runMs: round(runMs, 2), transitions, msPerTransition: round(runMs / transitions, 3), runs },
      wholeProcess: { runMs: round(t.run.median, 1), floorMs: round(t.floor.median, 1), msPerTransition: round(t.run.median / transitions, 2), runs: procRuns },
    };
  } finally {
    await Promise.all([stripe.close(), llm.close()]);
    await sandbox.close();
  }
}
