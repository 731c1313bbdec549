/**
 * Workflow triggers → the EventBridge rules that start the state machine.
 * Pure: the plan prints these and the construct creates them from the same values.
 */
import type { TriggerSpec } from '../types';
import { cronToEventBridge, rateToEventBridge } from './cron';

/** An EventBridge event pattern as JSON: every leaf is a list of accepted values. */
export interface EventPatternJson {
  source: string[];
  'detail-type'?: string[];
  detail?: Record<string, unknown>;
}

export type RulePlan =
  /** `trigger` is the trigger's 1-based position in the workflow, for names and messages. */
  | { kind: 'schedule'; trigger: number; expression: string }
  | { kind: 'event'; trigger: number; pattern: EventPatternJson };

export const SUPPORTED_TRIGGERS =
  "cron or schedule (an EventBridge schedule rule), event (an EventBridge event-pattern rule) and manual (no rule: start executions from the console, the CLI or your code)";

const SCHEDULE_TYPES = new Set(['cron', 'schedule']);
const UTC_NAMES = new Set(['UTC', 'ETC/UTC', 'GMT', 'Z']);

/** The rules for a workflow's triggers, and a message for each trigger that cannot be deployed. */
export function rulesForTriggers(triggers: TriggerSpec[]): { rules: RulePlan[]; problems: string[] } {
  const rules: RulePlan[] = [];
  const problems: string[] = [];
  triggers.forEach((t, i) => {
    const n = i + 1;
    try {
      if (t.type === 'manual') return;
      if (SCHEDULE_TYPES.has(t.type)) rules.push({ kind: 'schedule', trigger: n, expression: scheduleExpression(t.config) });
      else if (t.type === 'event') rules.push({ kind: 'event', trigger: n, pattern: eventPattern(t.config) });
      else throw new Error(`'${t.type}' triggers cannot be deployed. Supported: ${SUPPORTED_TRIGGERS}.`);
    } catch (e) {
      problems.push(`trigger ${n} (${t.type}): ${(e as Error).message}`);
    }
  });
  return { rules, problems };
}

function scheduleExpression(config: Record<string, unknown>): string {
  const { cron, rate, timezone } = config;
  // EventBridge rules evaluate cron in UTC; a silently shifted schedule is worse than an error.
  if (timezone !== undefined && !(typeof timezone === 'string' && UTC_NAMES.has(timezone.toUpperCase()))) {
    throw new Error(`timezone '${String(timezone)}' is not supported: EventBridge rules run schedules in UTC. Write the cron in UTC and remove 'timezone'.`);
  }
  if (typeof cron === 'string' && rate === undefined) return cronToEventBridge(cron);
  if (typeof rate === 'string' && cron === undefined) return rateToEventBridge(rate);
  throw new Error("set exactly one of 'cron' (a 5-field cron such as '0 2 * * *') or 'rate' (such as '5 minutes').");
}

function eventPattern(config: Record<string, unknown>): EventPatternJson {
  const { source, filter } = config;
  const detailType = config['detail-type'] ?? config.event;
  if (!isStringOrList(source)) throw new Error("set 'source' to the event source (a string or a list of strings), e.g. 'com.example.orders'.");
  if (detailType !== undefined && !isStringOrList(detailType)) throw new Error("'event' (the detail-type) must be a string or a list of strings.");
  if (filter !== undefined && !isPlainObject(filter)) throw new Error("'filter' must be a mapping of event detail fields to the values to match.");
  return {
    source: asList(source),
    ...(detailType !== undefined && { 'detail-type': asList(detailType) }),
    ...(filter !== undefined && { detail: patternOf(filter) }),
  };
}

/** EventBridge matches a leaf against a list of values; a nested mapping matches nested fields. */
function patternOf(filter: Record<string, unknown>, at = 'filter'): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(filter).map(([k, v]) => {
      if (isPlainObject(v)) return [k, patternOf(v, `${at}.${k}`)];
      if (Array.isArray(v) && !v.length) throw new Error(`'${at}.${k}' is an empty list, which matches no event; list the values to match.`);
      return [k, Array.isArray(v) ? v : [v]];
    }),
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringOrList = (v: unknown): v is string | string[] =>
  (typeof v === 'string' && v !== '') || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== ''));
const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
