/**
 * Forks → a Parallel state whose branches run up to the join.
 *
 * wait_all: every branch ends with its whole state data; the Parallel merges
 * the branches' `outputs` (and `errors`) so that the join sees every
 * branch's outputs under `$.outputs.<node>`, as if they had run in sequence.
 *
 * wait_n (join_count N): every branch runs to its end; a branch that fails is
 * caught inside its branch and marked, so the Parallel itself never fails.
 * The Parallel's ResultSelector counts the branches that succeeded
 * (States.ArrayLength over a filter); a Choice goes on when at least N did,
 * else fails with OSOP.Join.NotEnoughBranches. After the join, only outputs
 * from before the fork are readable (a branch may have failed), as after wait_any.
 *
 * wait_any: each branch is wrapped in a one-branch Parallel. A branch that
 * finishes ends the whole Parallel through the named error OSOP.Join.Won,
 * carrying its outputs as the cause; a Catch turns that into the
 * continuation (the other branches are cancelled). A branch that fails
 * ends quietly; when all fail, OSOP.Join.NoBranchSucceeded.
 */
import { ErrorNames } from '../contract/task-payload';
import { MAX_FAIL_CAUSE_CHARS } from '../contract/aws-quotas';
import type { ForkRegion } from '../analyse';
import type { WorkflowNode } from '../model';
import type { Region, RegionLowering } from './region';
import { Codes } from '../diagnostics';
import { parallelState } from './layout';
import type { ParallelState, PassState, State, SubMachine } from './states';

const JOIN_SCRATCH = '$.osop_join';
/** Step Functions evaluates at most 10 nested intrinsic functions in one field (Developer Guide, "Intrinsic functions"). */
const MAX_NESTED_INTRINSICS = 10;

export function lowerFork(L: RegionLowering, node: WorkflowNode, fork: ForkRegion, region: Region): string {
  const name = parallelState(node.id);
  const branches = fork.branches.map((members, i) => lowerBranch(L, node, fork, i, members.length > 0, region));
  // A balanced tree of merges: its nesting grows with log2 of the branches, within the 10 nested intrinsics
  // Step Functions allows ("Intrinsic functions"), where a chain would pass it at 12 branches.
  const mergeOf = (field: string) => balancedMerge(fork.branches.map((_b, i) => `$[${i}].${field}`));
  if (Math.ceil(Math.log2(Math.max(1, fork.branches.length))) > MAX_NESTED_INTRINSICS) {
    L.sink.report(Codes.NotSupportedYet, { form: 'forkTooWide', node: node.id, branchesCount: fork.branches.length, limit: MAX_NESTED_INTRINSICS }, node.idRange);
  }
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

  if (fork.joinMode === 'wait_n') return lowerWaitN(L, node, fork, branches, region, name);

  // wait_any
  L.sink.report(Codes.WaitAnyCause, { node: node.id, limit: MAX_FAIL_CAUSE_CHARS }, node.idRange);
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

/** `States.JsonMerge` of the paths, pairwise: the later one wins a key, as a left-to-right chain would. */
function balancedMerge(paths: string[]): string {
  if (paths.length === 1) return paths[0];
  const mid = Math.ceil(paths.length / 2);
  return `States.JsonMerge(${balancedMerge(paths.slice(0, mid))}, ${balancedMerge(paths.slice(mid))}, false)`;
}

/** wait_n: each branch's failure is caught and marked; the join counts the successes. */
function lowerWaitN(L: RegionLowering, node: WorkflowNode, fork: ForkRegion, branches: SubMachine[], region: Region, name: string): string {
  const n = fork.joinCount!;
  if (branches.length > MAX_NESTED_INTRINSICS + 1) {
    L.sink.report(Codes.NotSupportedYet, { form: 'waitNTooWide', node: node.id, branchesCount: branches.length, max: MAX_NESTED_INTRINSICS + 1, limit: MAX_NESTED_INTRINSICS }, node.idRange);
    return name;
  }
  const wrapped: SubMachine[] = branches.map((inner, i) => {
    const tryName = `${node.id}:try-${i + 1}`;
    const failed = `${node.id}:failed-${i + 1}`;
    L.claimName(tryName);
    L.claimName(failed);
    return {
      StartAt: tryName,
      States: {
        // The branch's own result is not needed after the join: only whether it succeeded.
        [tryName]: { Type: 'Parallel', Comment: `Branch ${i + 1}; its failure is counted, not raised.`, Branches: [inner], ResultSelector: { ok: 1 }, ResultPath: JOIN_SCRATCH, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: JOIN_SCRATCH, Next: failed }], End: true },
        [failed]: { Type: 'Pass', Comment: 'This branch failed.', Parameters: { ok: 0 }, ResultPath: JOIN_SCRATCH, End: true },
      },
    };
  });
  const check = `${node.id}:join-count`;
  const notEnough = `${node.id}:not-enough-branches`;
  const state: ParallelState = {
    Type: 'Parallel',
    Comment: `Branches after ${node.id}: continue when at least ${n} of ${branches.length} succeed (wait_n).`,
    Branches: wrapped,
    ResultSelector: {
      'input.$': '$[0].input',
      'outputs.$': '$[0].outputs',
      'errors.$': '$[0].errors',
      'counters.$': '$[0].counters',
      ...(region.loopVars.length ? { 'loop.$': '$[0].loop' } : {}),
      // Each branch ends with ok 1 or 0; their sum is a chain of MathAdd (at most 10 nested intrinsics, so 11 branches).
      'osop_succeeded.$': branches.slice(1).reduce((sum, _b, i) => `States.MathAdd(${sum}, $[${i + 1}].${JOIN_SCRATCH.slice(2)}.ok)`, `$[0].${JOIN_SCRATCH.slice(2)}.ok`),
    },
    Next: check,
  };
  L.claim(name, state, region, node);
  const go: PassState = { Type: 'Pass', Comment: 'Enough branches succeeded.', Parameters: { 'input.$': '$.input', 'outputs.$': '$.outputs', 'errors.$': '$.errors', 'counters.$': '$.counters', ...(region.loopVars.length ? { 'loop.$': '$.loop' } : {}) } };
  const goName = `${node.id}:joined`;
  L.setNext(go, fork.join, region);
  L.claim(check, { Type: 'Choice', Choices: [{ Variable: '$.osop_succeeded', NumericGreaterThanEquals: n, Next: goName }], Default: notEnough }, region, node);
  L.claim(goName, go, region, node);
  L.claim(notEnough, { Type: 'Fail', Error: ErrorNames.NotEnoughBranches, Cause: `Fewer than ${n} of the ${branches.length} parallel branches after '${node.id}' succeeded (join mode wait_n).` }, region, node);
  return name;
}
