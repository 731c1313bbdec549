/**
 * Every node binding, in the order they are asked: the first whose `matches`
 * says yes binds the node. Explicit bindings (`workflow_ref`, `x-sfn`) come
 * first; the manual step, which binds anything, comes last.
 * Adding a binding: one file in this folder and one line here.
 */
import type { WorkflowNode } from '../model';
import { agentBinding } from './agent';
import { approvalBinding } from './approval';
import { commandBinding } from './command';
import { customBinding } from './custom';
import { databaseBinding } from './database';
import { eventBinding } from './event';
import { manualBinding } from './manual';
import { mcpBinding } from './mcp';
import { resourceBinding } from './resource';
import { restBinding } from './rest';
import { routingBinding } from './routing';
import { subWorkflowBinding } from './subworkflow';
import type { Binding } from './types';

export const BINDINGS: readonly Binding<never>[] = [
  subWorkflowBinding,
  customBinding,
  resourceBinding,
  approvalBinding,
  routingBinding,
  eventBinding,
  restBinding,
  agentBinding,
  commandBinding,
  databaseBinding,
  mcpBinding,
  manualBinding,
] as readonly Binding<unknown>[] as readonly Binding<never>[];

const byId = new Map<string, Binding<unknown>>(BINDINGS.map((b) => [b.id, b as Binding<unknown>]));

/** The binding that runs `node`. */
export function bindingFor(node: WorkflowNode, raw: Record<string, unknown>): Binding<unknown> {
  return (BINDINGS.find((b) => b.matches(node, raw)) ?? manualBinding) as Binding<unknown>;
}

/** The binding a normalised node was bound with. */
export function bindingOf(node: WorkflowNode): Binding<unknown> | undefined {
  return node.binding ? byId.get(node.binding.id) : undefined;
}

/** The `x-sfn` keys every binding adds, for the normaliser's schema of the extension. */
export function bindingSfnOptions(): Record<string, import('zod').ZodType> {
  return Object.assign({}, ...BINDINGS.map((b) => b.sfnOptions ?? {}));
}
