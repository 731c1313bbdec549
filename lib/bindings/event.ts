/**
 * `event` nodes. The entry node of a workflow is its trigger: an EventBridge
 * rule from its runtime (`source`, `detail_type`, `filter`, or `cron`/`rate`)
 * starts the state machine with the event's detail as input, and the node
 * itself is a Pass. Anywhere else, an `event` node publishes an event with
 * `arn:aws:states:::events:putEvents` (a failed entry is `EventBridge.FailedEntry`).
 */
import { z } from 'zod';
import { Codes } from '../diagnostics';
import type { JsonTemplate } from '../model';
import { outputsPath } from '../lower/layout';
import { lowerJson, walkTemplates, type PayloadContext } from '../lower/payload';
import { retryRules } from '../lower/retry';
import type { TriggerSpec } from '../types';
import { taskComment } from './common';
import type { Binding } from './types';

export const PUT_EVENTS = 'arn:aws:states:::events:putEvents';

export interface EventConfig {
  source?: string;
  detailType?: string;
  bus: string;
  detail?: JsonTemplate;
  /** As a trigger: the rule's pattern or schedule. */
  trigger: TriggerSpec;
  /** The runtime said what starts the workflow. */
  described: boolean;
}

const Runtime = z.looseObject({
  source: z.string().min(1).optional(),
  detail_type: z.string().min(1).optional(),
  'detail-type': z.string().min(1).optional(),
  event: z.string().min(1).optional(),
  bus: z.string().min(1).optional(),
  event_bus: z.string().min(1).optional(),
  cron: z.string().optional(),
  rate: z.string().optional(),
  schedule: z.string().optional(),
  filter: z.record(z.string(), z.unknown()).optional(),
});

export const eventBinding: Binding<EventConfig> = {
  id: 'event',
  canFail: true,
  matches: (node) => node.type === 'event',

  read(ctx) {
    const { node, runtime } = ctx;
    const parsed = Runtime.safeParse(runtime);
    if (!parsed.success) {
      ctx.reportZod(parsed.error, runtime, `the runtime of event node '${node.id}'`);
      return undefined;
    }
    const d = parsed.data;
    const detailType = d.detail_type ?? d['detail-type'] ?? d.event;
    const schedule = d.cron ?? d.schedule;
    const trigger: TriggerSpec = schedule || d.rate
      ? { type: 'cron', config: { ...(schedule ? { cron: schedule } : {}), ...(d.rate ? { rate: d.rate } : {}) } }
      : d.source
        ? { type: 'event', config: { source: d.source, ...(detailType ? { event: detailType } : {}), ...(d.filter ? { filter: d.filter } : {}) } }
        : { type: 'manual', config: {} };
    return {
      source: d.source,
      detailType,
      bus: d.bus ?? d.event_bus ?? 'default',
      detail: runtime.detail !== undefined ? ctx.jsonTemplate(runtime.detail, runtime, 'detail') : undefined,
      trigger,
      described: trigger.type !== 'manual',
    };
  },

  templates: (c, visit) => {
    if (c.detail !== undefined) walkTemplates(c.detail, (t) => visit(t, false));
  },

  lower(node, c, ctx) {
    if (ctx.isEntry) {
      if (!c.described) {
        ctx.sink.report(Codes.DefaultBehaviour, { form: 'eventWithoutSource', node: node.id }, node.typeRange);
      }
      // The event's detail is the execution input (the rule's target input); the node itself does nothing.
      return { state: { Type: 'Pass', Comment: `Started by ${c.trigger.type === 'manual' ? 'hand' : `the ${c.trigger.type} trigger`}: ${taskComment(node)}`, ResultPath: null }, trigger: c.described ? c.trigger : undefined };
    }
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const entry: Record<string, unknown> = {
      Source: c.source ?? `osop.${ctx.workflowId}`,
      DetailType: c.detailType ?? node.name ?? node.id,
      EventBusName: c.bus,
    };
    // The optimised integration takes Detail as JSON and serialises it; by default the outputs so far.
    if (c.detail === undefined) entry['Detail.$'] = '$.outputs';
    else {
      const detail = lowerJson(c.detail, '/Detail', pctx);
      if (detail.dynamic) entry['Detail.$'] = detail.expression;
      else entry.Detail = detail.value;
    }
    const busArn = c.bus.startsWith('arn:') ? c.bus : `arn:\${Partition}:events:\${Region}:\${Account}:event-bus/${c.bus}`;
    return {
      state: {
        Type: 'Task',
        Comment: taskComment(node),
        Resource: PUT_EVENTS,
        Parameters: { Entries: [entry] },
        ResultSelector: { 'event_id.$': '$.Entries[0].EventId' },
        ResultPath: outputsPath(node.id),
        TimeoutSeconds: node.timeoutSeconds ?? 30,
        Retry: retryRules(['EventBridge.EventBridgeException', 'EventBridge.InternalException'], node.retry).slice(0, 1),
      },
      task: {
        resource: PUT_EVENTS,
        substitutions: [],
        timeoutSeconds: node.timeoutSeconds ?? 30,
        waitsForCallback: false,
        waitsForJob: false,
        secrets: [],
        iam: [{ actions: ['events:PutEvents'], resources: [busArn] }],
        local: { kind: 'eventbridge' },
      },
    };
  },

  outputs: () => ['event_id'],
};
