/**
 * for-each loop edges → a Map state over the list. Each item runs the loop
 * body (see the analysis for what the body is) with the item at
 * `$.loop.<iterator_var>` and its position at `$.loop.index`; the body's
 * outputs are per item and are not kept after the loop (state data stays
 * small whatever the list's length).
 */
import type { ForEachRegion } from '../analyse';
import { dataKey, itemIndexKey, loopPath } from '../data-layout';
import type { WorkflowNode } from '../model';
import type { Region, RegionLowering } from './region';
import { DEFAULT_MAX_CONCURRENCY, forEachState } from './layout';
import type { MapState } from './states';

export function lowerForEach(L: RegionLowering, node: WorkflowNode, loop: ForEachRegion, region: Region): string {
  const name = forEachState(node.id);
  const body: Region = { states: new Map(), exit: loop.after, stem: `${node.id}:item`, loopVars: [...region.loopVars, loop.iteratorVar], nested: true };
  L.lowerRegion(L.a.scopeOf.get(loop.body[0]), body);
  const loopItem: Record<string, string> = {};
  for (const v of region.loopVars) {
    loopItem[`${dataKey(v)}.$`] = loopPath([v]);
    loopItem[`${itemIndexKey(v)}.$`] = loopPath([itemIndexKey(v)]);
  }
  loopItem[`${dataKey(loop.iteratorVar)}.$`] = '$$.Map.Item.Value';
  loopItem['index.$'] = '$$.Map.Item.Index';
  // Each loop's own index, kept in nested loops too: the idempotency keys of the body differ per item.
  loopItem[`${itemIndexKey(loop.iteratorVar)}.$`] = '$$.Map.Item.Index';
  const state: MapState = {
    Type: 'Map',
    Comment: `For each item of ${loop.edge.forEach}: ${loop.body.join(' → ')}.`,
    ItemsPath: L.a.forEachItems.get(loop) ?? '$.input',
    ItemSelector: { 'input.$': '$.input', 'outputs.$': '$.outputs', errors: {}, 'counters.$': '$.counters', loop: loopItem },
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: L.entryState(loop.body[0]), States: Object.fromEntries(body.states) },
    MaxConcurrency: loop.edge.sfn.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    ResultPath: null,
  };
  L.setNext(state, loop.after, region);
  L.claim(name, state, region, node);
  return name;
}
