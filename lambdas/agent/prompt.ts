import type { AgentTaskPayload } from '../../lib/contract/task-payload';

/** The user turn: the node's instruction, then the earlier nodes' outputs as compact JSON. */
export function userMessage(payload: Pick<AgentTaskPayload, 'instruction' | 'context'>): string {
  const context = payload.context ?? {};
  const task = `Task: ${payload.instruction}`;
  if (Object.keys(context).length === 0) return task;
  return `${task}\n\nData from earlier steps (JSON): ${JSON.stringify(context)}`;
}
