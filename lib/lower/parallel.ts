/**
 * Forks → a Parallel state whose branches run up to the join.
 *
 * wait_all: every branch ends with its whole state data; the Parallel merges
 * the branches' `outputs` (and `errors`) so that the join sees every
 * branch's outputs under `$.outputs.<node>`, as if they had run in sequence.
 *
 * wait_any: each branch is wrapped in a one-branch Parallel. A branch that
 * finishes ends the whole Parallel through the named error OSOP.Join.Won,
 * carrying its outputs as the cause; a Catch turns that into the
 * continuation (the other branches are cancelled). A branch that fails
 * ends quietly; when all fail, OSOP.Join.NoBranchSucceeded.
 */
import { ErrorNames } from '../contract/task-payload';
import type { ForkRegion } from '../analyse';
import type { WorkflowNode } from '../model';
import type { Region, RegionLowering } from './region';
import { parallelState } from './layout';
import type { ParallelState, PassState, State, SubMachine } from './states';

const JOIN_SCRATCH = '$.osop_join';

export function lowerFork(L: RegionLowering, node: WorkflowNode, fork: ForkRegion, region: Region): string {
  const name = parallelState(node.id);
  const branches = fork.branches.map((members, i) => lowerBranch(L, node, fork, i, members.length > 0, region));
  const mergeOf = (field: string) => fork.branches.slice(1).reduce((acc, _b, i) => `States.JsonMerge(${acc}, $[${i + 1}].${field}, false)`, `$[0].${field}`);
  const carried: Record<string, string> = { 'input.$': '$[0].input', 'outputs.$': mergeOf('outputs'), 'errors.$': mergeOf('errors'), 'counters.$': '$[0].counters', ...(region.loopVars.length ? { 'loop.$': '$[0].loop' } : {}) };

  if (fork.joinMode === 'wait_all') {
    const state: ParallelState = {
      Type: 'Parallel',
      Comment: `Branches after ${node.id}${fork.join ? `, joined at ${fork.join}` : ''} (wait for all).`,
      Branches: branches,
      ResultSelector: fork.branches.length > 1 ? carried : { 'input.$': '$[0].input', 'outputs.$': '$[0].outputs', 'errors.$': '$[0].errors', 'counters.$': '$[0].counters', ...(region.loopVars.length ? { 'loop.$': '$[0].loop' } : {}) },
      // ResultPath defaults to '$': the merged result replaces the state data.
    };
    L.setNext(state, fork.join, region);
    L.claim(name, state, region, node);
    return name;
  }

  // wait_any
  const wrapped: SubMachine[] = branches.map((inner, i) => {
    const tryName = `${node.id}:try-${i + 1}`;
    const won = `${node.id}:won-${i + 1}`;
    const lost = `${node.id}:lost-${i + 1}`;
    L.claimName(tryName);
    L.claimName(won);
    L.claimName(lost);
    const states: Record<string, State> = {
      [tryName]: {
        Type: 'Parallel',
        Comment: `Branch ${i + 1}: if it finishes, it wins the join.`,
        Branches: [inner],
        ResultSelector: { 'cause.$': 'States.JsonToString($[0].outputs)' },
        ResultPath: JOIN_SCRATCH,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: JOIN_SCRATCH, Next: lost }],
        Next: won,
      },
      [won]: { Type: 'Fail', Comment: 'This branch finished first: end the fork with its outputs.', Error: ErrorNames.JoinWon, CausePath: `${JOIN_SCRATCH}.cause` },
      [lost]: { Type: 'Succeed', Comment: 'This branch failed; the others may still win.' },
    };
    return { StartAt: tryName, States: states };
  });
  const joinName = `${node.id}:join`;
  const noWinner = `${node.id}:no-branch-succeeded`;
  const state: ParallelState = {
    Type: 'Parallel',
    Comment: `Branches after ${node.id}: continue with the first that finishes (wait_any).`,
    Branches: wrapped,
    ResultPath: null,
    Catch: [{ ErrorEquals: [ErrorNames.JoinWon], ResultPath: JOIN_SCRATCH, Next: joinName }],
    Next: noWinner,
  };
  L.claim(name, state, region, node);
  L.claim(noWinner, { Type: 'Fail', Comment: `Every branch after ${node.id} failed.`, Error: ErrorNames.NoBranchSucceeded, Cause: `Every parallel branch after '${node.id}' failed (join mode wait_any).` }, region, node);
  const join: PassState = {
    Type: 'Pass',
    Comment: `Take the outputs of the winning branch after ${node.id}.`,
    Parameters: {
      'input.$': '$.input',
      'outputs.$': `States.JsonMerge($.outputs, States.StringToJson(${JOIN_SCRATCH}.Cause), false)`,
      'errors.$': '$.errors',
      'counters.$': '$.counters',
      ...(region.loopVars.length ? { 'loop.$': '$.loop' } : {}),
    },
    // ResultPath defaults to '$': these fields replace the state data.
  };
  L.setNext(join, fork.join, region);
  L.claim(joinName, join, region, node);
  return name;
}

function lowerBranch(L: RegionLowering, node: WorkflowNode, fork: ForkRegion, i: number, hasMembers: boolean, outer: Region): SubMachine {
  const stem = `${node.id}:branch-${i + 1}`;
  if (!hasMembers) {
    // A fork edge straight to the join: an empty branch.
    L.claimName(stem);
    return { StartAt: stem, States: { [stem]: { Type: 'Pass', Comment: 'Nothing to do in this branch.', End: true } } };
  }
  const sub: Region = { states: new Map(), exit: fork.join, stem, loopVars: outer.loopVars, nested: true };
  L.lowerRegion(L.a.scopeOf.get(fork.edges[i].to), sub);
  return { StartAt: L.entryState(fork.edges[i].to), States: Object.fromEntries(sub.states) };
}
