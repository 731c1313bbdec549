/**
 * What a dotted name means: the one classification shared by conditions and
 * templates. The compiler decides whether a node or an output exists; this
 * only splits the name into namespace, node and path.
 */
import type { ExprError, Reference, ResolvedRef, Resolver, Span } from './types';

export const NAMESPACES = ['inputs', 'outputs', 'secrets', 'metadata', 'env', 'loop'] as const;

function err(message: string, span: Span, hint?: string): ExprError {
  return hint === undefined ? { message, span } : { message, span, hint };
}

/**
 * `names[0]` is the first identifier; the rest are path steps as written.
 * `first` is the span of the first identifier (for errors about a lone namespace).
 */
export function classifyReference(names: string[], span: Span, first: Span): Reference | ExprError {
  const [head, ...rest] = names;
  switch (head) {
    case 'inputs':
      if (rest.length === 0) return err("'inputs' needs the name of an input: inputs.NAME", first);
      return { kind: 'input', path: rest, span };
    case 'outputs':
      if (rest.length === 0) return err("'outputs' needs a node and an output: outputs.NODE.NAME", first);
      return { kind: 'output', node: rest[0], path: rest.slice(1), span };
    case 'secrets':
      if (rest.length !== 1) return err(rest.length === 0 ? "'secrets' needs the name of a secret: secrets.NAME" : 'A secret is a single name: secrets.NAME (it has no fields).', span);
      return { kind: 'secret', name: rest[0], span };
    case 'metadata':
      if (rest.length !== 1) return err(rest.length === 0 ? "'metadata' needs a field: metadata.run_id" : 'Metadata values have no fields: metadata.NAME.', span);
      return { kind: 'metadata', name: rest[0], span };
    case 'env':
      if (rest.length !== 1) return err(rest.length === 0 ? "'env' needs a variable name: env.NAME" : 'An environment variable has no fields: env.NAME.', span);
      return { kind: 'env', name: rest[0], span };
    case 'loop':
      if (rest.length === 0) return err("'loop' needs a loop variable: loop.NAME", first);
      return { kind: 'loop', path: rest, span };
    default:
      // `a.b` may be node `a`'s output `b`, or the bare output `a` and its field `b`: the compiler decides.
      if (rest.length === 0) return { kind: 'output', node: null, path: [head], span };
      return { kind: 'output', node: head, path: rest, span };
  }
}

/** How a reference reads in OSOP (for messages). */
export function describeReference(ref: Reference): string {
  switch (ref.kind) {
    case 'input':
      return `inputs.${ref.path.join('.')}`;
    case 'output':
      return ref.node === null ? ref.path.join('.') : [ref.node, ...ref.path].join('.');
    case 'secret':
      return `secrets.${ref.name}`;
    case 'metadata':
      return `metadata.${ref.name}`;
    case 'env':
      return `env.${ref.name}`;
    case 'loop':
      return `loop.${ref.path.join('.')}`;
  }
}

/**
 * The resolver that later stages lower expressions with: a look-up of what
 * the analysis resolved. A reference it did not resolve has been reported.
 */
export function resolverOf(resolved: Map<Reference, ResolvedRef>): Resolver {
  return (ref) => resolved.get(ref) ?? { message: `'${describeReference(ref)}' was not resolved`, span: ref.span };
}

