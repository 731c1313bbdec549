/**
 * Cost of the generated state machine against the hand-written CDK baseline
 * (bench/baseline/): states, definition bytes (minified JSON) and where they
 * go, and state transitions on three paths, both machines on the local
 * engine with the same stub handlers.
 */
import { compile } from '../lib';
import type { AslDefinition } from '../lib/types';
import { baselineDefinition } from './baseline/stripe-payment';
import { fails, runWithStubs, type Stub, type StubRun } from './engine';
import { SEED } from './paths';
import { jsonBytes } from './stats';

export const PATHS = ['happy', 'oneFallback', 'exhaustedFallback'] as const;
export type PathName = (typeof PATHS)[number];

export const PATH_LABELS: Record<PathName, string> = {
  happy: 'happy path',
  oneFallback: 'one fallback round',
  exhaustedFallback: 'exhausted fallback',
};

const RECEIPT = { text: 'Subject: Your payment receipt', model: 'claude-sonnet-4-6', stop_reason: 'end_turn', usage: { input_tokens: 120, output_tokens: 55 } };

/** The same stubs for both machines: only `confirm_payment` differs between paths. */
export function stubsFor(path: PathName): Record<string, Stub> {
  const declined = fails('OSOP.Http.Rejected', 'POST https://api.stripe.com/v1/payment_intents/pi_bench_1/confirm returned 402 (expected 2xx): Your card was declined. (code card_declined)');
  const confirm: Stub = path === 'happy' ? () => ({}) : path === 'oneFallback' ? (p, call) => (call === 1 ? declined(p, call) : {}) : declined;
  return {
    create_customer: () => ({ customer_id: 'cus_bench_1' }),
    create_intent: (_p, call) => ({ intent_id: `pi_bench_${call}`, client_secret: `pi_bench_${call}_secret_x` }),
    confirm_payment: confirm,
    check_status: () => ({ status: 'succeeded' }),
    send_receipt: () => RECEIPT,
  };
}

export function seedDefinition(): AslDefinition {
  const r = compile(SEED);
  if (!r.ok || !r.definition) throw new Error(`the seed does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.definition;
}

export interface MachineFigures {
  states: { osop: number; baseline: number };
  definitionBytes: { osop: number; baseline: number; osopOverBaseline: number };
  /** Minified bytes per kind of field, summed over states (see `fieldBytes`), both machines, largest difference first. */
  bytesByField: { field: string; osop: number; baseline: number; difference: number }[];
  transitions: Record<PathName, { osop: number; baseline: number; osopStatus: string; baselineStatus: string; taskCalls: string[]; osopPath: string[]; baselinePath: string[] }>;
  /** Largest state data (input/output) during each stubbed run, bytes. */
  maxStateBytes: Record<PathName, { osop: number; baseline: number }>;
}

type States = Record<string, Record<string, unknown>>;

/**
 * Where a definition's bytes go. Each state field counts as `"key":value,`;
 * a Lambda Task's `Parameters.Payload` is split into its fields
 * (`Payload.request`, ...); the state names count as `state names`; the
 * remaining JSON punctuation and top-level fields as `structure`.
 */
export function fieldBytes(definition: { States: States } & Record<string, unknown>): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string, n: number) => out.set(k, (out.get(k) ?? 0) + n);
  const pair = (k: string, v: unknown) => jsonBytes(k) + 1 + jsonBytes(v) + 1;
  const walk = (states: States) => {
    for (const [name, st] of Object.entries(states)) {
      add('state names', jsonBytes(name) + 1);
      for (const [k, v] of Object.entries(st)) {
        if (k === 'Parameters' && st.Resource === 'arn:aws:states:::lambda:invoke' && v && typeof v === 'object') {
          for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
            if (pk === 'Payload' && pv && typeof pv === 'object') for (const [fk, fv] of Object.entries(pv as Record<string, unknown>)) add(`Payload.${fk.replace(/\.\$$/, '')}`, pair(fk, fv));
            else add(`Parameters.${pk}`, pair(pk, pv));
          }
        } else if (k === 'Branches' || k === 'ItemProcessor' || k === 'Iterator') {
          const subs = (k === 'Branches' ? v : [v]) as { States: States }[];
          for (const s of subs) walk(s.States);
        } else {
          add(k, pair(k, v));
        }
      }
    }
  };
  walk(definition.States);
  const counted = [...out.values()].reduce((a, b) => a + b, 0);
  out.set('structure', jsonBytes(definition) - counted);
  return out;
}

function countStates(states: States): number {
  let n = 0;
  for (const st of Object.values(states)) {
    n++;
    for (const b of (st.Branches as { States: States }[] | undefined) ?? []) n += countStates(b.States);
    const inner = (st.ItemProcessor ?? st.Iterator) as { States: States } | undefined;
    if (inner) n += countStates(inner.States);
  }
  return n;
}

export async function benchMachines(): Promise<MachineFigures> {
  const osop = seedDefinition() as unknown as { States: States } & Record<string, unknown>;
  const baseline = baselineDefinition() as { States: States } & Record<string, unknown>;
  const osopBytes = jsonBytes(osop);
  const baseBytes = jsonBytes(baseline);
  const fo = fieldBytes(osop);
  const fb = fieldBytes(baseline);
  const fields = [...new Set([...fo.keys(), ...fb.keys()])]
    .map((field) => ({ field, osop: fo.get(field) ?? 0, baseline: fb.get(field) ?? 0, difference: (fo.get(field) ?? 0) - (fb.get(field) ?? 0) }))
    .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.field.localeCompare(b.field));

  const transitions = {} as MachineFigures['transitions'];
  const maxStateBytes = {} as MachineFigures['maxStateBytes'];
  for (const path of PATHS) {
    const a: StubRun = await runWithStubs(osop, stubsFor(path));
    const b: StubRun = await runWithStubs(baseline, stubsFor(path));
    // Same flow: the same Task calls in the same order, and the same ending.
    if (a.taskCalls.join() !== b.taskCalls.join() || a.status !== b.status || a.error !== b.error) {
      throw new Error(`the baseline does not follow the seed on the ${path} path: osop ${a.status} ${a.error ?? ''} [${a.taskCalls}] vs baseline ${b.status} ${b.error ?? ''} [${b.taskCalls}]`);
    }
    const expected = { happy: 'SUCCEEDED', oneFallback: 'SUCCEEDED', exhaustedFallback: 'FAILED' }[path];
    if (a.status !== expected) throw new Error(`the seed ended ${a.status} (${a.error ?? ''}) on the ${path} path, expected ${expected}`);
    transitions[path] = { osop: a.transitions, baseline: b.transitions, osopStatus: a.error ?? a.status, baselineStatus: b.error ?? b.status, taskCalls: a.taskCalls, osopPath: a.entered, baselinePath: b.entered };
    maxStateBytes[path] = { osop: a.maxStateBytes, baseline: b.maxStateBytes };
  }
  return {
    states: { osop: countStates(osop.States), baseline: countStates(baseline.States) },
    definitionBytes: { osop: osopBytes, baseline: baseBytes, osopOverBaseline: Number((osopBytes / baseBytes).toFixed(3)) },
    bytesByField: fields,
    transitions,
    maxStateBytes,
  };
}
