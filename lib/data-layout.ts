/**
 * The one data layout of every generated state machine, shared by the
 * analysis (which resolves references to paths) and the lowering:
 *
 *   $.input                   the execution's input
 *   $.outputs.<node>.<name>   the declared outputs of each node that has run
 *   $.errors.<node>           the error a fallback/error edge caught ({Error, Cause})
 *   $.counters.<key>.count    rounds taken of each bounded back-edge
 *   $.loop.<var>, $.loop.index  the item of the enclosing for-each loops
 *
 * Node ids and output names are keys of the state data. Keys are identifiers
 * (`[A-Za-z][A-Za-z0-9_]*`), because statelint rejects any other key in a
 * path, so other characters become `_` (`create-intent` → `create_intent`)
 * and a key that does not start with a letter gets an `n` in front. Two ids
 * with the same key are refused by the analysis.
 */
import { jsonPathOf } from './expressions';

export function dataKey(name: string): string {
  const k = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z]/.test(k) ? k : `n${k}`;
}

/** `$.outputs.<node>` */
export const outputsPath = (node: string) => jsonPathOf(['outputs', dataKey(node)]);
/** `$.outputs.<node>.<output>.<rest...>`: the rest are keys inside the value, kept as they are. */
export const outputPath = (node: string, output: string, rest: string[] = []) => jsonPathOf(['outputs', dataKey(node), dataKey(output), ...rest]);
export const errorPath = (node: string) => jsonPathOf(['errors', dataKey(node)]);
export const counterKey = (kind: 'fallback' | 'error' | 'timeout' | 'loop', from: string, to: string) =>
  kind === 'fallback' ? `fallback_${dataKey(from)}` : kind === 'timeout' ? `timeout_${dataKey(from)}` : `${kind}_${dataKey(from)}_${dataKey(to)}`;
export const counterPath = (key: string) => jsonPathOf(['counters', key]);
export const counterValuePath = (key: string) => jsonPathOf(['counters', key, 'count']);
export const loopPath = (segments: string[]) => jsonPathOf(['loop', dataKey(segments[0]), ...segments.slice(1)]);
/** `$.loop.index_<var>`: the index of the item of the loop over `var`, kept inside nested loops. */
export const itemIndexKey = (iteratorVar: string) => `index_${dataKey(iteratorVar)}`;
