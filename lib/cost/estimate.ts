/**
 * What a workflow costs: per path (transitions, Lambda invocations and
 * GB-seconds, other integration requests, the Express duration), per
 * execution on Standard and on Express, and a month of executions with the
 * free tiers. Lambda memory comes from the compile report (what the stack
 * deploys, `lib/cdk/plan.ts`); durations from `--durations node=ms`, else the
 * node's own timeout (a ceiling, so those figures read "at most").
 */
import { CUSTOM_HANDLER_DEFAULTS, EXPRESS_MAX_SECONDS, expressProblems } from '../cdk/plan';
import type { AslDefinition, CompileReport, TaskReport } from '../types';
import type { CostPath } from './paths';
import { pricesFor, type PriceTable, type RegionPrices } from './prices';
import type { TaskCall } from './walk';

export interface CostOptions {
  prices: PriceTable;
  region: string;
  /** Node id → milliseconds one call takes. */
  durations?: Record<string, number>;
  /** Executions a month, for the monthly estimate (of the happy path). */
  executions?: number;
}

export interface PathCost {
  id: string;
  kind: CostPath['kind'];
  label: string;
  /** `SUCCEEDED`, or the error the execution fails with. */
  ends: string;
  /** Billed state transitions: states entered + retries. */
  transitions: number;
  retries: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  /** Other integration requests by service action (`codebuild:startBuild`, `events:putEvents`, ...). */
  requests: Record<string, number>;
  codebuildMinutes: number;
  /** Seconds an Express execution of this path lasts (calls one after another, Wait states included). */
  seconds: number;
  /** USD per execution, no free tier: everything, on each type. */
  standard: number;
  express: number;
  /** USD per execution, Step Functions' own share (transitions; requests and duration). */
  stepFunctions: { standard: number; express: number };
  /** USD per execution: Express's request price alone (the rest of `stepFunctions.express` is duration). */
  expressRequest: number;
}

export interface ExpressVerdict {
  /** The workflow may be deployed as EXPRESS as it is. */
  eligible: boolean;
  /** Why not (empty when eligible). */
  problems: string[];
  /** The only problem is the missing or too long `timeout_sec`, and the happy path's ceiling fits in 5 minutes. */
  fitsWithTimeout: boolean;
  /** Seconds of the happy path (a ceiling when durations come from timeouts). */
  happySeconds: number;
  /** What Express gives up against Standard. */
  givesUp: string[];
}

export interface Monthly {
  executions: number;
  standard: { stepFunctions: number; lambda: number; other: number; total: number };
  express: { stepFunctions: number; lambda: number; other: number; total: number };
}

export interface CostReport {
  workflowId: string;
  region: string;
  prices: { taken: string; sources: string[]; currency: string };
  /** `timeouts`: every duration is a node timeout (a ceiling); `given`: from --durations; `mixed`. */
  durations: 'timeouts' | 'given' | 'mixed';
  paths: PathCost[];
  express: ExpressVerdict;
  monthly?: Monthly;
}

export class CostInputError extends Error {}

const LAMBDA = 'arn:aws:states:::lambda:invoke';
const EXPRESS_CHUNK_GB = 64 / 1024;

export function estimateCost(definition: AslDefinition, report: CompileReport, paths: CostPath[], opts: CostOptions): CostReport {
  const prices = pricesFor(opts.prices, opts.region);
  const tasks = new Map(report.tasks.map((t) => [t.state, t]));
  const nodes = new Set(report.tasks.map((t) => t.node));
  for (const node of Object.keys(opts.durations ?? {})) {
    if (!nodes.has(node)) throw new CostInputError(`--durations names '${node}', which is not a node of '${report.workflowId}' that runs a Task (${[...nodes].join(', ') || 'none'}).`);
  }
  const states = flatStates(definition);
  const durationOf = (t: TaskReport | undefined, state: string): { ms: number; given: boolean } => {
    if (t && opts.durations?.[t.node] !== undefined) return { ms: opts.durations[t.node], given: true };
    const payload = ((states.get(state)?.Parameters as Record<string, unknown> | undefined)?.Payload ?? {}) as Record<string, unknown>;
    if (typeof payload.timeoutMs === 'number') return { ms: payload.timeoutMs, given: false };
    if (t?.waitsForCallback && t.function?.kind === 'shared') return { ms: t.function.minTimeoutSeconds * 1000, given: false };
    if (t?.timeoutSeconds !== undefined) return { ms: t.timeoutSeconds * 1000, given: false };
    return { ms: 60_000, given: false };
  };
  let given = 0;
  let fromTimeouts = 0;
  const costs = paths.map((p) => {
    const c = pathCost(p, tasks, prices, (t, s) => {
      const d = durationOf(t, s);
      if (d.given) given++;
      else fromTimeouts++;
      return d.ms;
    });
    return c;
  });
  const happy = costs.find((c) => c.kind === 'happy')!;
  const problems = expressProblems(report);
  const atLeastOnce = atLeastOnceProblems(report, states);
  const timeoutOnly = problems.length > 0 && problems.every((x) => x.includes('timeout'));
  const express: ExpressVerdict = {
    eligible: problems.length === 0 && atLeastOnce.length === 0 && happy.seconds <= EXPRESS_MAX_SECONDS,
    problems: [...problems, ...atLeastOnce],
    fitsWithTimeout: timeoutOnly && atLeastOnce.length === 0 && happy.seconds <= EXPRESS_MAX_SECONDS,
    happySeconds: happy.seconds,
    givesUp: [
      'exactly-once: an Express execution runs at least once, so a call may be repeated (the Idempotency-Key on every non-GET call makes a repeated call harmless)',
      'execution history: Express keeps none in the console or the API; only CloudWatch Logs, which the construct keeps at level ALL for Express state machines',
      `duration: ${EXPRESS_MAX_SECONDS / 60} minutes at most, and no approvals, manual steps or .sync Tasks`,
    ],
  };
  const out: CostReport = {
    workflowId: report.workflowId,
    region: opts.region,
    prices: { taken: opts.prices.taken, sources: opts.prices.sources, currency: opts.prices.currency },
    durations: given === 0 ? 'timeouts' : fromTimeouts === 0 ? 'given' : 'mixed',
    paths: costs,
    express,
  };
  if (opts.executions !== undefined) out.monthly = monthly(happy, opts.executions, prices, opts.prices);
  return out;
}

function pathCost(p: CostPath, tasks: Map<string, TaskReport>, prices: RegionPrices, durationMs: (t: TaskReport | undefined, state: string) => number): PathCost {
  let lambdaInvocations = 0;
  let lambdaGbSeconds = 0;
  let codebuildMinutes = 0;
  let ms = p.walk.waitSeconds * 1000;
  const requests: Record<string, number> = {};
  for (const call of p.walk.calls as TaskCall[]) {
    const t = tasks.get(call.state);
    const resource = t?.resource ?? '';
    const d = durationMs(t, call.state);
    ms += d;
    if (resource.startsWith(LAMBDA)) {
      lambdaInvocations++;
      const mib = t?.function?.kind === 'shared' ? t.function.memoryMiB : CUSTOM_HANDLER_DEFAULTS.memoryMiB;
      lambdaGbSeconds += (mib / 1024) * (d / 1000);
    } else {
      const m = /^arn:aws:states:::(?:aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)/.exec(resource);
      const key = m ? `${m[1]}:${m[2]}` : resource || 'unknown';
      requests[key] = (requests[key] ?? 0) + 1;
      if (key === 'codebuild:startBuild') codebuildMinutes += Math.ceil(d / 60_000);
    }
  }
  const seconds = Math.ceil(ms / 100) / 10;
  const sfnStandard = p.walk.transitions * prices.standardPerTransition;
  const sfnExpress = prices.expressPerRequest + seconds * EXPRESS_CHUNK_GB * prices.expressPerGbSecond;
  const lambda = lambdaInvocations * prices.lambdaPerRequest + lambdaGbSeconds * prices.lambdaPerGbSecond;
  const other = codebuildMinutes * (prices.codebuildPerMinute ?? 0) + (requests['events:putEvents'] ?? 0) * (prices.eventBridgePerEvent ?? 0);
  return {
    id: p.id,
    kind: p.kind,
    label: p.label,
    ends: p.kind === 'unbounded' ? 'never (no bound)' : p.walk.status === 'SUCCEEDED' ? 'SUCCEEDED' : (p.walk.error ?? 'FAILED'),
    transitions: p.walk.transitions,
    retries: p.walk.retries,
    lambdaInvocations,
    lambdaGbSeconds: round(lambdaGbSeconds, 4),
    requests,
    codebuildMinutes,
    seconds,
    standard: sfnStandard + lambda + other,
    express: sfnExpress + lambda + other,
    stepFunctions: { standard: sfnStandard, express: sfnExpress },
    expressRequest: prices.expressPerRequest,
  };
}

function monthly(happy: PathCost, n: number, prices: RegionPrices, table: PriceTable): Monthly {
  const free = table.freeTier;
  const lambda = Math.max(0, n * happy.lambdaInvocations - free.lambdaRequests) * prices.lambdaPerRequest + Math.max(0, n * happy.lambdaGbSeconds - free.lambdaGbSeconds) * prices.lambdaPerGbSecond;
  const other = n * (happy.codebuildMinutes * (prices.codebuildPerMinute ?? 0) + (happy.requests['events:putEvents'] ?? 0) * (prices.eventBridgePerEvent ?? 0));
  const sfnStandard = Math.max(0, n * happy.transitions - free.standardTransitions) * prices.standardPerTransition;
  const sfnExpress = n * (prices.expressPerRequest + happy.seconds * EXPRESS_CHUNK_GB * prices.expressPerGbSecond);
  const money = (x: number) => round(x, 2);
  return {
    executions: n,
    standard: { stepFunctions: money(sfnStandard), lambda: money(lambda), other: money(other), total: money(sfnStandard + lambda + other) },
    express: { stepFunctions: money(sfnExpress), lambda: money(lambda), other: money(other), total: money(sfnExpress + lambda + other) },
  };
}

/** Tasks that may do their work twice when an Express execution runs at least once, and carry no idempotency key. */
function atLeastOnceProblems(report: CompileReport, states: Map<string, Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const t of report.tasks) {
    const params = (states.get(t.state)?.Parameters ?? {}) as Record<string, unknown>;
    const why = (() => {
      switch (t.binding) {
        case 'rest':
        case 'agent':
        case 'routing':
          return undefined; // non-GET calls carry an Idempotency-Key; GETs and model calls only read
        case 'database':
          return /^\s*select\b/i.test(String(params.Sql ?? '')) ? undefined : 'runs SQL that may write, with no idempotency key';
        case 'mcp':
          return 'calls an MCP tool, which may act twice (no idempotency key)';
        case 'custom':
          return 'runs your handler, which osop-sfn cannot tell is idempotent';
        case 'event':
          return 'publishes an event, which may be delivered twice';
        case 'resource':
          return `calls ${t.resource}, which may act twice`;
        default:
          return undefined; // callbacks, .sync: expressProblems says why
      }
    })();
    if (why) out.push(`it cannot run at least once safely: node '${t.node}' ${why}.`);
  }
  return out;
}

function flatStates(definition: AslDefinition): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const walk = (states: Record<string, Record<string, unknown>>) => {
    for (const [n, s] of Object.entries(states)) {
      out.set(n, s);
      for (const b of (s.Branches ?? []) as { States: Record<string, Record<string, unknown>> }[]) walk(b.States);
      const inner = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
      if (inner) walk(inner.States);
    }
  };
  walk(definition.States);
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
