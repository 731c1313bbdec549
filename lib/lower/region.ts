/**
 * What the region constructs (forks in parallel.ts, for-each loops in map.ts)
 * need from the lowering: a small interface, so that they do not depend on
 * the lowering's class (and lower/index.ts on them in a cycle).
 */
import type { AnalysedWorkflow, Scope } from '../analyse';
import type { DiagnosticSink } from '../diagnostics';
import type { WorkflowNode } from '../model';
import type { State } from './states';

/** A list of states with an exit: edges to `exit` end the region. */
export interface Region {
  states: Map<string, State>;
  exit: string | null;
  /** Name stem for the Succeed state that ends the region from a Choice or a Catch. */
  stem: string;
  /** Iterator variables of the loops around this region (their items are copied into nested loops). */
  loopVars: string[];
  /** True inside branches and loop bodies: their end state must keep the whole state data. */
  nested: boolean;
  /** What the region's end states hand back instead (a for-each item: a small result, not the whole state data). */
  endOutputPath?: string;
}

export interface RegionLowering {
  readonly a: AnalysedWorkflow;
  readonly sink: DiagnosticSink;
  /** Lower every node whose innermost region is `scope` into `region`. */
  lowerRegion(scope: Scope | undefined, region: Region): void;
  /** The state a node starts with (its approval gate, if it has one). */
  entryState(id: string): string;
  /** Set `Next` to node `id`, or end the region when `id` is its exit (or there is nothing). */
  setNext(state: { Next?: string; End?: true; OutputPath?: string }, id: string | null, region: Region): void;
  /** A state name to jump to for node `id` from inside `region` (its end state when `id` is the exit). */
  jumpTarget(id: string, region: Region): string;
  /** The Succeed state that ends `region`, added on first use. */
  regionEnd(region: Region): string;
  /** A Map state that runs its items as child executions (the state machine then starts executions of itself). */
  noteDistributedMap(state: string): void;
  /** Add a state to `region` under a name no other state has. */
  claim(name: string, state: State, region: Region, node?: WorkflowNode): string;
  /** Reserve a state name that a construct places itself. */
  claimName(name: string): void;
}
