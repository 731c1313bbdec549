/**
 * Public types of the expressions module: OSOP edge conditions (CEL and the
 * dialect real files use) and `${...}` interpolation templates.
 */

/** 0-based offset and length into the original expression text (the compiler maps it to file:line:col). */
export interface Span {
  offset: number;
  length: number;
}

export type Reference =
  | { kind: 'input'; path: string[]; span: Span } // inputs.x.y  -> path ['x','y']
  | { kind: 'output'; node: string | null; path: string[]; span: Span } // node.field / outputs.node.field (node set) or a bare name (node null)
  | { kind: 'secret'; name: string; span: Span } // secrets.NAME (templates only)
  | { kind: 'metadata'; name: string; span: Span } // metadata.run_id
  | { kind: 'env'; name: string; span: Span } // env.X
  | { kind: 'loop'; path: string[]; span: Span }; // loop.var.x

/** A non-CEL spelling that was accepted, and how CEL writes it (e.g. 'AND' -> '&&'). */
export interface DialectNote {
  span: Span;
  message: string;
  celSpelling: string;
}

export interface ExprError {
  message: string;
  span: Span;
  hint?: string;
  /** The error is a secret where its value would reach the execution's data (OSOP4005), not a syntax error. */
  secret?: true;
}

export type ParseResult<T> = { ok: true; value: T; notes: DialectNote[] } | { ok: false; error: ExprError };

/** A JSON literal of a condition; `numberKind` keeps CEL's int/uint/double distinction. */
export type LiteralValue = string | number | boolean | null;
export type LiteralType = 'string' | 'int' | 'uint' | 'double' | 'bool' | 'null' | 'bytes';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

/**
 * The condition AST. It represents everything CEL (plus the dialect) can
 * spell; `lowerCondition` decides what Choice rules can express.
 */
export type CondExpr =
  /** A reference as written: its first name (`root`) and the steps after it. */
  | { kind: 'ref'; ref: Reference; span: Span; root: string; segments: PathSegment[] }
  | { kind: 'literal'; type: LiteralType; value: LiteralValue; span: Span }
  | { kind: 'list'; items: CondExpr[]; span: Span }
  | { kind: 'map'; span: Span }
  | { kind: 'not'; operand: CondExpr; span: Span }
  | { kind: 'and' | 'or'; left: CondExpr; right: CondExpr; span: Span }
  | { kind: 'compare'; op: CompareOp; left: CondExpr; right: CondExpr; span: Span; opSpan: Span }
  | { kind: 'in'; left: CondExpr; right: CondExpr; span: Span }
  | { kind: 'arith'; op: ArithOp; left: CondExpr; right: CondExpr; span: Span; opSpan: Span }
  | { kind: 'negate'; operand: CondExpr; span: Span }
  | { kind: 'ternary'; test: CondExpr; then: CondExpr; else: CondExpr; span: Span }
  /** `has(a.b)`: the reference is the selected field. */
  | { kind: 'has'; target: CondExpr & { kind: 'ref' }; span: Span }
  /** `size(x)`, `x.size()`, and the dialect `x.length` / `x.count`. */
  | { kind: 'size'; operand: CondExpr; spelling: 'size()' | '.length' | '.count'; span: Span }
  /** Any other call: `x.startsWith('a')`, `x.matches('re')`, `int(x)`, macros such as `x.exists(...)`. */
  | { kind: 'call'; name: string; target: CondExpr | null; args: CondExpr[]; span: Span; nameSpan: Span }
  /** A field or index of something that is not a reference, such as `(a || b).c` or `f(x)[0]`. */
  | { kind: 'select'; operand: CondExpr; field: string; span: Span }
  | { kind: 'index'; operand: CondExpr; index: CondExpr; span: Span };

/** One step of a reference as written: `.name`, `['key']` or `[0]`. */
export interface PathSegment {
  name: string;
  /** How it was written: a dotted name, a quoted key or an integer index. */
  form: 'dot' | 'key' | 'index';
  /** The name, or the whole `[...]`. */
  span: Span;
}

export interface ParsedCondition {
  text: string;
  /** The AST; for `otherwise` a `true` literal. */
  expr: CondExpr;
  /** Every reference in the condition, in text order. */
  references: Reference[];
  /** The condition is the dialect word `otherwise`: the compiler uses it as the Choice's Default. */
  isOtherwise: boolean;
  /** The condition in canonical CEL (dialect spellings replaced), for messages. */
  cel: string;
}

/** What the compiler knows of a reference: its JSONPath, and whether it may be absent at run time. */
export interface ResolvedRef {
  path: string;
  mayBeAbsent: boolean;
  type?: 'string' | 'number' | 'boolean';
  /** Read as a condition, the reference holds when the string at `path` equals this (an approval's `approved` is `decision == 'approved'`). */
  truthy?: string;
  /** The value is an object or a list: inside text it is written as JSON (States.JsonToString). */
  json?: boolean;
}
export type Resolver = (ref: Reference) => ResolvedRef | ExprError;

/** An ASL Choice rule, e.g. { Variable, StringEquals } or { And: [...] } (without Next). */
export type ChoiceRule = Record<string, unknown>;
export type LoweredCondition = { kind: 'rule'; rule: ChoiceRule } | { kind: 'constant'; value: boolean };

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'ref'; ref: Reference; raw: string };
export interface ParsedTemplate {
  text: string;
  parts: TemplatePart[];
  references: Reference[];
}
export type LoweredTemplate = { kind: 'literal'; value: string } | { kind: 'path'; path: string } | { kind: 'intrinsic'; expression: string };

export function isExprError(x: unknown): x is ExprError {
  return typeof x === 'object' && x !== null && 'message' in x && 'span' in x;
}
