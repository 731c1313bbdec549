/** Pure routing nodes (subtype `router`, `join`, `fork`, ...) → a Pass: they only connect edges. */
import type { Binding } from './types';

const ROUTING_SUBTYPES = new Set(['router', 'join', 'parallel', 'merge', 'gateway', 'fork']);

export const routingBinding: Binding<true> = {
  id: 'routing',
  canFail: false,
  matches: (node) => node.subtype !== undefined && ROUTING_SUBTYPES.has(node.subtype) && node.type !== 'agent' && node.type !== 'human',
  read: () => true,
  lower: (node) => ({ state: { Type: 'Pass', Comment: node.name ?? `${node.subtype} ${node.id}`, ResultPath: null } }),
};
