/**
 * for-each loop edges → a Map state over the list. Each item runs the loop
 * body (see the analysis for what the body is) with the item at
 * `$.loop.<iterator_var>` and its position at `$.loop.index`; the body's
 * outputs are per item and are not kept after the loop.
 *
 * - Each item ends with a small result (`-1`, or its index when it failed and
 *   failures are tolerated): Step Functions collects every item's result into
 *   one array that counts against the 256 KiB data limit even when ResultPath
 *   is null, so an item must not hand back the whole state data.
 * - Inline (in the execution's own history) or distributed (one child
 *   execution per item, each with its own history), from `x-sfn: { map }` or
 *   from how many items fit the 25,000-event history (`max_items`).
 * - Tolerated failures (`tolerated_failure_percentage`, `tolerated_failure_count`,
 *   `on_item_error: continue`) work alike on both kinds and in local runs: each
 *   item's failure is caught inside the item, and the loop counts them after.
 */
import type { ForEachRegion } from '../analyse';
import { ErrorNames } from '../contract/task-payload';
import { HISTORY_EVENT_LIMIT } from '../contract/aws-quotas';
import { dataKey, errorPath, itemIndexKey, loopPath } from '../data-layout';
import { Codes } from '../diagnostics';
import { jsonPathOf } from '../expressions';
import type { WorkflowNode } from '../model';
import type { Region, RegionLowering } from './region';
import { DEFAULT_MAX_CONCURRENCY, forEachState } from './layout';
import type { ChoiceRule, MapState, State } from './states';

/** What a successful item hands back (`$.loop.osop_ok`): one constant, so that failed items (their index) are told apart by ArrayUnique. */
const ITEM_OK = -1;
const ITEM_OK_KEY = 'osop_ok';

export function lowerForEach(L: RegionLowering, node: WorkflowNode, loop: ForEachRegion, region: Region): string {
  const name = forEachState(node.id);
  const opts = loop.edge.sfn;
  const tolerance = toleranceOf(opts.toleratedFailurePercentage, opts.toleratedFailureCount);
  const body: Region = {
    states: new Map(),
    exit: loop.after,
    stem: `${node.id}:item`,
    loopVars: [...region.loopVars, loop.iteratorVar],
    nested: true,
    // Without a wrapper (below), the body's own end states hand back the item's small result.
    ...(tolerance ? {} : { endOutputPath: loopPath([ITEM_OK_KEY]) }),
  };
  L.lowerRegion(L.a.scopeOf.get(loop.body[0]), body);
  const loopItem: Record<string, unknown> = {};
  for (const v of region.loopVars) {
    loopItem[`${dataKey(v)}.$`] = loopPath([v]);
    loopItem[`${itemIndexKey(v)}.$`] = loopPath([itemIndexKey(v)]);
  }
  loopItem[`${dataKey(loop.iteratorVar)}.$`] = '$$.Map.Item.Value';
  loopItem['index.$'] = '$$.Map.Item.Index';
  // Each loop's own index, kept in nested loops too: the idempotency keys of the body differ per item.
  loopItem[`${itemIndexKey(loop.iteratorVar)}.$`] = '$$.Map.Item.Index';
  loopItem[ITEM_OK_KEY] = ITEM_OK;

  const entry = L.entryState(loop.body[0]);
  const item = tolerance ? tolerantItem(L, node, entry, body) : { StartAt: entry, States: Object.fromEntries(body.states) };
  const perItem = historyEventsPerItem(item.States);
  const distributed = chooseKind(L, loop, perItem);
  const state: MapState = {
    Type: 'Map',
    Comment: `For each item of ${loop.edge.forEach}: ${loop.body.join(' → ')}${distributed ? ' (distributed: one child execution per item)' : ''}.`,
    ItemsPath: L.a.forEachItems.get(loop) ?? '$.input',
    ItemSelector: { 'input.$': '$.input', 'outputs.$': '$.outputs', errors: {}, 'counters.$': '$.counters', loop: loopItem },
    ItemProcessor: {
      // A Distributed Map runs each item as a child execution of this state machine (Developer Guide, "Distributed
      // mode"): its own 25,000-event history, so the list's length is not bounded by the parent's.
      ProcessorConfig: distributed ? { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } : { Mode: 'INLINE' },
      ...item,
    },
    MaxConcurrency: opts.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    ResultPath: null,
  };
  if (distributed) L.noteDistributedMap(name);
  L.claim(name, state, region, node);
  if (tolerance?.percentage === undefined && tolerance?.count === undefined) {
    // No tolerance, or every failure tolerated (on_item_error: continue): nothing to count after the loop.
    L.setNext(state, loop.after, region);
    return name;
  }
  state.Next = failureCheck(L, node, state, tolerance, loop, region);
  return name;
}

interface Tolerance {
  percentage?: number;
  count?: number;
}

/** Only what can fail a loop: 100 % tolerates everything, 0 % is the same as a count of 0. */
function toleranceOf(percentage: number | undefined, count: number | undefined): Tolerance | undefined {
  if (percentage === undefined && count === undefined) return undefined;
  const t: Tolerance = {};
  if (percentage !== undefined && percentage < 100) {
    if (percentage === 0) t.count = 0;
    else t.percentage = percentage;
  }
  if (count !== undefined) t.count = t.count === undefined ? count : Math.min(t.count, count);
  return t;
}

/**
 * The body inside a one-branch Parallel whose Catch takes any failure of the item (a Fail state in the body
 * included, which no Catch inside the body could take): a successful item hands back -1, a failed one its index.
 */
function tolerantItem(L: RegionLowering, node: WorkflowNode, entry: string, body: Region): { StartAt: string; States: Record<string, State> } {
  const wrapper = `${node.id}:each`;
  const failed = `${node.id}:item-failed`;
  L.claimName(wrapper);
  L.claimName(failed);
  return {
    StartAt: wrapper,
    States: {
      [wrapper]: {
        Type: 'Parallel',
        Branches: [{ StartAt: entry, States: Object.fromEntries(body.states) }],
        ResultPath: null,
        OutputPath: loopPath([ITEM_OK_KEY]),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: errorPath(`${node.id}_item`), Next: failed }],
        End: true,
      },
      [failed]: { Type: 'Pass', OutputPath: loopPath(['index']), End: true },
    },
  };
}

/**
 * After a tolerant loop: the Map's result is one entry per item (-1, or the failed item's index), so
 * failures = distinct entries, less one when some item succeeded. Step Functions has no multiplication: the
 * percentage test `100·failed > P·items` is built of States.MathAdd doublings (within 10 nested intrinsics).
 */
function failureCheck(L: RegionLowering, node: WorkflowNode, map: MapState, t: Tolerance, loop: ForEachRegion, region: Region): string {
  const key = dataKey(node.id);
  const at = (field: string) => jsonPathOf(['foreach', key, field]);
  map.ResultSelector = { 'items.$': 'States.ArrayLength($)', 'distinct.$': 'States.ArrayLength(States.ArrayUnique($))', 'anyOk.$': `States.ArrayContains($, ${ITEM_OK})` };
  map.ResultPath = jsonPathOf(['foreach', key]);
  const tooMany = `${node.id}:for-each-failed`;
  const check = `${node.id}:for-each-check`;
  const ok = loop.after === null ? L.regionEnd(region) : L.jumpTarget(loop.after, region);
  const rules: ChoiceRule[] = [];
  const someOk = { Variable: at('anyOk'), BooleanEquals: true };
  const noneOk = { Variable: at('anyOk'), BooleanEquals: false };
  if (t.count !== undefined) {
    rules.push({ Or: [{ And: [someOk, { Variable: at('distinct'), NumericGreaterThan: t.count + 1 }] }, { And: [noneOk, { Variable: at('distinct'), NumericGreaterThan: t.count }] }], Next: tooMany });
  }
  let first = check;
  if (t.percentage !== undefined) {
    const g = gcd(100, t.percentage);
    const share = `${node.id}:for-each-share`;
    L.claim(share, {
      Type: 'Pass',
      Parameters: { 'failed.$': times(at('distinct'), 100 / g), 'allowed.$': `States.MathAdd(${times(at('items'), t.percentage / g)}, ${100 / g})` },
      ResultPath: at('share'),
      Next: check,
    }, region, node);
    first = share;
    rules.push({ Or: [{ And: [someOk, { Variable: jsonPathOf(['foreach', key, 'share', 'failed']), NumericGreaterThanPath: jsonPathOf(['foreach', key, 'share', 'allowed']) }] }, { And: [noneOk, { Variable: at('items'), NumericGreaterThan: 0 }] }], Next: tooMany });
  }
  const limit = [t.percentage !== undefined ? `${t.percentage} %` : '', t.count !== undefined ? `${t.count} item${t.count === 1 ? '' : 's'}` : ''].filter(Boolean).join(' or ');
  L.claim(tooMany, { Type: 'Fail', Error: ErrorNames.ForEachTooManyFailures, Cause: `More items of the for-each over ${loop.edge.forEach} failed than it tolerates (${limit}).` }, region, node);
  L.claim(check, { Type: 'Choice', Choices: rules, Default: ok }, region, node);
  return first;
}

/** `x · k` for a constant k ≥ 1 as nested States.MathAdd: one doubling per bit, the set bits summed as a balanced tree. */
export function times(x: string, k: number): string {
  const powers: string[] = [];
  let d = x;
  for (let bit = 1; bit <= k; bit *= 2) {
    if (k & bit) powers.push(d);
    d = `States.MathAdd(${d}, ${d})`;
  }
  let terms = powers;
  while (terms.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < terms.length; i += 2) next.push(i + 1 < terms.length ? `States.MathAdd(${terms[i]}, ${terms[i + 1]})` : terms[i]);
    terms = next;
  }
  return terms[0];
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * History events of one item of an inline Map, as AWS counts them: a Task about 5 (entered, scheduled,
 * started, succeeded, exited), a Parallel or Map 4 plus its states, any other state 2, and the iteration's
 * own started/succeeded events. (Developer Guide, "Step Functions service quotas": 25,000 events per execution.)
 */
function historyEventsPerItem(states: Record<string, State>): number {
  let n = 2;
  for (const s of Object.values(states)) {
    if (s.Type === 'Task') n += 5;
    else if (s.Type === 'Parallel') n += 4 + s.Branches.reduce((m, b) => m + historyEventsPerItem(b.States as Record<string, State>) - 2, 0);
    else if (s.Type === 'Map') n += 4;
    else n += 2;
  }
  return n;
}

/**
 * Distributed when asked, or when `max_items` items would not fit the execution's history inline; an
 * inline loop of unknown length is told how many items fit.
 */
function chooseKind(L: RegionLowering, loop: ForEachRegion, perItem: number): boolean {
  const opts = loop.edge.sfn;
  const fits = Math.max(1, Math.floor((HISTORY_EVENT_LIMIT - 100) / perItem));
  if (opts.map === 'distributed') return true;
  if (opts.maxItems !== undefined && opts.maxItems > fits) {
    if (opts.map !== 'inline') return true;
    L.sink.report(Codes.HistoryLimit, { form: 'inlineMap', forEach: loop.edge.forEach, maxItems: opts.maxItems, perItem, limit: HISTORY_EVENT_LIMIT, fits }, loop.edge.range);
    return false;
  }
  if (opts.maxItems === undefined && opts.map === undefined) {
    L.sink.report(Codes.HistoryLimit, { form: 'inlineMapUnbounded', forEach: loop.edge.forEach, perItem, fits, limit: HISTORY_EVENT_LIMIT }, loop.edge.range);
  }
  return false;
}
