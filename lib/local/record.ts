/**
 * The OSOP execution record (`.osoplog.yaml`, schema osoplog.schema.json) of
 * one execution, built from its events: one node record per entry of a node
 * state, and a SKIPPED record for each node the execution never reached.
 */
import { outputsPath } from '../data-layout';
import * as fs from 'node:fs';
import { stringify } from 'yaml';
import { NODE_TYPES as SCHEMA_NODE_TYPES } from '../normalise/schema';
import type { AslDefinition, CompileReport } from '../types';
import { nodeStatesOf, stateNamed } from './definition';
import { readableCause, transitionCount, type ExecutionOutcome, type ExecutionStatus } from './events';
import type { Redactor } from './secrets';

export const OSOPLOG_VERSION = '1.0';

const RUN_STATUS: Record<ExecutionStatus, string> = { SUCCEEDED: 'COMPLETED', FAILED: 'FAILED', TIMED_OUT: 'TIMEOUT', ABORTED: 'FAILED' };

export interface RecordContext {
  definition: AslDefinition;
  report: CompileReport;
  /** Who ran it: `aws-local-stepfunctions` or `aws-step-functions`. */
  engine: string;
  /** The command line that started it, for `trigger.source`. */
  source: string;
  redactor: Redactor;
}

interface NodeRecord {
  node_id: string;
  node_type?: string;
  status: string;
  attempt?: number;
  started_at?: string;
  ended_at?: string;
  duration_ms?: number;
  outputs?: Record<string, unknown>;
  ai_metadata?: { provider: string; model: string; prompt_tokens?: number; completion_tokens?: number };
  error?: string;
  retries?: { error: string; cause: string }[];
  reason?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildRecord(outcome: ExecutionOutcome, ctx: RecordContext): Record<string, unknown> {
  const nodeTypes = new Map(ctx.report.nodes.map((n) => [n.id, n.type]));
  const isNodeState = (state: string) => nodeTypes.has(state);
  const typeOf = (state: string) => osoplogNodeType(nodeTypes.get(state));
  const models = new Map(ctx.report.models.map((m) => [m.node, m]));

  const records: NodeRecord[] = [];
  const open = new Map<string, NodeRecord & { startMs: number }>();
  const close = (state: string, time: number, status: string, fields: Partial<NodeRecord> = {}) => {
    const r = open.get(state);
    if (!r) return;
    open.delete(state);
    const { startMs, retries, ...head } = r;
    records.push({ ...head, status, ended_at: iso(time), duration_ms: Math.max(0, time - startMs), ...fields, ...(retries && { retries }) });
  };
  for (const e of outcome.events) {
    if (!isNodeState(e.state)) continue;
    if (e.kind === 'entered') {
      open.set(e.state, { node_id: e.state, node_type: typeOf(e.state), status: 'RUNNING', attempt: 1, started_at: iso(e.time), startMs: e.time });
    } else if (e.kind === 'retried') {
      const r = open.get(e.state);
      if (r) {
        r.attempt = e.attempt;
        r.retries = [...(r.retries ?? []), { error: e.error, cause: readableCause(e.cause) }];
      }
    } else if (e.kind === 'succeeded') {
      const outputs = nodeOutputs(ctx.definition, e.state, e.output);
      const isObject = outputs !== null && typeof outputs === 'object' && !Array.isArray(outputs);
      close(e.state, e.time, 'COMPLETED', {
        ...(isObject && { outputs: outputs as Record<string, unknown> }),
        ...agentMetadata(models.get(e.state), isObject ? (outputs as Record<string, unknown>) : undefined),
      });
    } else {
      close(e.state, e.time, 'FAILED', { error: `${e.error}: ${readableCause(e.cause)}` });
    }
  }
  // A state still open when the execution ended was cut short (timeout or abort).
  for (const state of [...open.keys()]) close(state, outcome.endedAt, outcome.status === 'TIMED_OUT' ? 'TIMEOUT' : 'FAILED', { reason: `the execution ended (${outcome.status})` });
  const reached = new Set(records.map((r) => r.node_id));
  for (const state of nodeStatesOf(ctx.report)) {
    if (!reached.has(state)) records.push({ node_id: state, node_type: typeOf(state), status: 'SKIPPED', reason: 'not reached on this execution path' });
  }

  const singleModel = new Set(ctx.report.models.map((m) => m.model));
  const record = {
    osoplog_version: OSOPLOG_VERSION,
    run_id: outcome.executionArn.split(':').pop() || outcome.executionArn,
    workflow_id: ctx.report.workflowId,
    mode: 'live',
    status: RUN_STATUS[outcome.status],
    trigger: { type: 'manual', actor: 'osop-sfn', timestamp: iso(outcome.startedAt), source: ctx.source },
    started_at: iso(outcome.startedAt),
    ended_at: iso(outcome.endedAt),
    duration_ms: Math.max(0, outcome.endedAt - outcome.startedAt),
    runtime: { agent: 'osop-sfn', source: 'executor', engine: ctx.engine, ...(singleModel.size === 1 && { model: [...singleModel][0] }) },
    execution_arn: outcome.executionArn,
    transitions: transitionCount(outcome.events),
    node_records: records,
    ...(outcome.status === 'SUCCEEDED' ? { output: outcome.output } : { error: { error: outcome.error, cause: readableCause(outcome.cause) } }),
    result_summary: summary(outcome, records),
  };
  return ctx.redactor.value(record);
}

/** The osoplog schema's node types (`node_type`): the OSOP schema's own. */
const NODE_TYPES: ReadonlySet<string> = new Set(SCHEMA_NODE_TYPES);

/** The node's OSOP type as the osoplog schema allows it (types outside the schema are `system`). */
function osoplogNodeType(type: string | undefined): string {
  return type !== undefined && NODE_TYPES.has(type) ? type : 'system';
}

/**
 * The node's outputs in its state's output: at its ResultPath
 * (`$.outputs.<node>`), seen through its OutputPath (`$.outputs` on an end state).
 */
function nodeOutputs(definition: AslDefinition, state: string, output: unknown): unknown {
  const s = stateNamed(definition, state) ?? {};
  // A workflow's first Task may set up the whole state data (no ResultPath): its outputs are where the layout keeps them.
  const resultPath = typeof s.ResultPath === 'string' ? s.ResultPath : s.Type === 'Task' && !('ResultPath' in s) ? outputsPath(state) : undefined;
  const outputPath = typeof s.OutputPath === 'string' ? s.OutputPath : '$';
  if (!resultPath?.startsWith(outputPath)) return undefined;
  const rest = resultPath.slice(outputPath.length).split('.').filter(Boolean);
  return rest.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), output);
}

function agentMetadata(model: CompileReport['models'][number] | undefined, outputs: Record<string, unknown> | undefined): Partial<NodeRecord> {
  if (!model) return {};
  const usage = (outputs?.usage ?? {}) as { input_tokens?: unknown; output_tokens?: unknown };
  const count = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined);
  return {
    ai_metadata: {
      provider: model.provider,
      model: typeof outputs?.model === 'string' ? outputs.model : model.model,
      ...(count(usage.input_tokens) !== undefined && { prompt_tokens: count(usage.input_tokens) }),
      ...(count(usage.output_tokens) !== undefined && { completion_tokens: count(usage.output_tokens) }),
    },
  };
}

function summary(outcome: ExecutionOutcome, records: NodeRecord[]): string {
  const done = records.filter((r) => r.status === 'COMPLETED').length;
  const what = outcome.status === 'SUCCEEDED' ? 'Succeeded' : `${outcome.status}: ${outcome.error}`;
  return `${what}; ${done} node run(s) completed, ${transitionCount(outcome.events)} state transitions.`;
}

export function writeRecord(file: string, record: Record<string, unknown>): void {
  fs.writeFileSync(file, stringify(record, { lineWidth: 0 }));
}
