/**
 * Regions of the graph that become nested state machines: parallel forks
 * (a Parallel state whose branches run up to the join) and for-each loop
 * bodies (a Map state). Also the scope of every node, used to decide which
 * outputs a reference may read.
 */
import type { WorkflowEdge } from '../model';

export type JoinMode = 'wait_all' | 'wait_any' | 'wait_n';

export interface ForkRegion {
  kind: 'fork';
  /** The node after which the branches start. */
  node: string;
  /** The out-edges that start the branches, in file order. */
  edges: WorkflowEdge[];
  /** Where the branches meet (the fork's immediate post-dominator); null when they run to the end. */
  join: string | null;
  joinMode: JoinMode;
  /** wait_n: how many branches must succeed. */
  joinCount?: number;
  /** Node ids of each branch, in order of `edges`. */
  branches: string[][];
}

export interface ForEachRegion {
  kind: 'for-each';
  edge: WorkflowEdge;
  /** The node whose output list is iterated. */
  source: string;
  /** The loop body: the target and the chain after it up to the next join, in order. */
  body: string[];
  /** The node that runs after the loop, if any. */
  after: string | null;
  iteratorVar: string;
}

/** Where a node lives: top level (null), a branch of a fork, or a for-each body. */
export interface Scope {
  region: ForkRegion | ForEachRegion;
  /** Branch index for forks; 0 for a body. */
  index: number;
  parent: Scope | null;
}

export function scopeChain(s: Scope | null): Scope[] {
  const out: Scope[] = [];
  for (let c = s; c; c = c.parent) out.push(c);
  return out;
}

/** Edge modes that continue normally to the next node (fork edges when there are several). */
export const FLOW_MODES = new Set(['sequential', 'parallel', 'spawn', 'dataflow']);
