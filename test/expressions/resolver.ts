/**
 * A resolver for tests, standing in for the compiler's: references map onto
 * the data layout ($.input, $.outputs.<node>, bare names under $.outputs.prev),
 * with types and absence chosen by name prefix:
 *   num_* number, str_* string, flag_* boolean; maybe_* may be absent.
 * `unknown_*` names are rejected, as the compiler rejects undeclared names.
 */
import { describeReference, jsonPathOf, type Reference, type ResolvedRef, type Resolver } from '../../lib/expressions';

export function pathOf(ref: Reference): string {
  switch (ref.kind) {
    case 'input':
      return jsonPathOf(['input', ...ref.path]);
    case 'output':
      return ref.node === null ? jsonPathOf(['outputs', 'prev', ...ref.path]) : jsonPathOf(['outputs', ref.node, ...ref.path]);
    case 'metadata':
      return '$$.Execution.Name';
    case 'loop':
      return jsonPathOf(['loop', ...ref.path]);
    case 'env':
      return jsonPathOf(['env', ref.name]);
    case 'secret':
      throw new Error('a secret must never be resolved');
  }
}

export const testResolver: Resolver = (ref) => {
  const name = describeReference(ref).split('.').pop()!;
  if (name.startsWith('unknown_')) return { message: `'${describeReference(ref)}' is not declared.`, span: ref.span };
  const r: ResolvedRef = { path: pathOf(ref), mayBeAbsent: name.startsWith('maybe_') };
  const base = name.replace(/^maybe_/, '');
  if (base.startsWith('num_')) r.type = 'number';
  else if (base.startsWith('str_')) r.type = 'string';
  else if (base.startsWith('flag_')) r.type = 'boolean';
  return r;
};

/** Everything present, nothing typed: what the compiler gives for a declared output of a node that has run. */
export const plainResolver: Resolver = (ref) => ({ path: pathOf(ref), mayBeAbsent: false });
