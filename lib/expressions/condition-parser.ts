/**
 * Edge conditions: CEL, plus the dialect found in real OSOP files.
 *
 * The syntax tree comes from @bufbuild/cel's parser (a maintained CEL parser;
 * the tree is CEL's protobuf AST). Our own lexer (lexer.ts) does only what
 * that parser cannot:
 *  - the dialect step (dialect.ts): `AND`, `OR`, `NOT`, infix `contains` and
 *    hyphenated node ids are rewritten into CEL before parsing, each noted as a
 *    DialectNote, every token mapped back to the original text (`otherwise`,
 *    the whole condition, is the default branch and is not parsed);
 *  - spans: the library records one offset per node (the operator of a binary
 *    operator, the dot of a selection, nothing for parentheses), so extents
 *    come from the tokens;
 *  - error messages: the library reports most syntax errors as "found X but
 *    expecting end of input" after the longest valid prefix (`a == 'x` at the
 *    `=`), so errors are worded from the tokens (an unterminated string at its
 *    quote, "the condition ends after '=='" at the end).
 * The tree is then converted into `CondExpr`, which `lowerCondition` reads.
 */
import { parse as parseCel } from '@bufbuild/cel';
import { type CelToken, describe, LEADING_DOT, MAX_TOKENS, MESSAGE, rewrite, type Rewritten } from './dialect';
import { LexError, tokenize } from './lexer';
import { classifyReference } from './references';
import { unparse } from './unparse';
import type { ArithOp, CompareOp, CondExpr, DialectNote, ExprError, ParseResult, ParsedCondition, PathSegment, Reference, Span } from './types';

type ParsedExpr = ReturnType<typeof parseCel>;
type CelExpr = ParsedExpr['expr'];
type CelCall = Extract<CelExpr['exprKind'], { case: 'callExpr' }>['value'];
type CelConstant = Extract<CelExpr['exprKind'], { case: 'constExpr' }>['value'];
type SourceInfo = NonNullable<ParsedExpr['sourceInfo']>;

class ParseFailure extends Error {
  constructor(public readonly error: ExprError) {
    super(error.message);
  }
}

const COMPARE: Record<string, CompareOp> = { '_==_': '==', '_!=_': '!=', '_<_': '<', '_<=_': '<=', '_>_': '>', '_>=_': '>=' };
const ARITH: Record<string, ArithOp> = { '_+_': '+', '_-_': '-', '_*_': '*', '_/_': '/', '_%_': '%' };
const INT64_MAX = 0x7fffffffffffffffn;
const SIZE_ERROR_WORDS = new Set(['length', 'count']);
/** Namespaces whose direct fields are plain names (`inputs.count` is an input named count). */
const FIELD_NAMESPACES = new Set(['inputs', 'loop', 'metadata', 'env']);

const span = (offset: number, end: number): Span => ({ offset, length: end - offset });
const join = (a: Span, b: Span): Span => span(a.offset, b.offset + b.length);

/** A reference being read: its first name and the steps after it. */
interface Chain {
  root: string;
  rootSpan: Span;
  /** Where the reference's text starts: the root, or a parenthesis before it (`(a).b`). */
  start: Span;
  segments: PathSegment[];
}

/** A converted sub-expression and the tokens it covers, parentheses included. */
type Part = ({ chain: Chain; expr?: undefined } | { chain?: undefined; expr: CondExpr }) & {
  first: number;
  last: number;
  /** The operands of an `&&` or `||` chain written without parentheses (the library balances the tree). */
  terms?: { kind: 'and' | 'or'; parts: ExprPart[] };
};
type ExprPart = Part & { expr: CondExpr };

/** Converts the library's tree into CondExpr, with spans from the dialect step's tokens. */
class Converter {
  readonly references: Reference[] = [];
  readonly notes: DialectNote[] = [];
  private readonly tokens: CelToken[];
  /** Prefix operators already owned by a node (the library drops `!!` and the inner `!` of `!(!a)`). */
  private readonly claimed: Uint8Array;

  constructor(
    private readonly text: string,
    private readonly d: Rewritten,
    private readonly info: SourceInfo,
  ) {
    this.tokens = d.tokens;
    this.claimed = new Uint8Array(d.tokens.length);
  }

  private fail(message: string, at: Span, hint?: string): never {
    throw new ParseFailure(hint === undefined ? { message, span: at } : { message, span: at, hint });
  }

  private spanOf(first: number, last: number): Span {
    const a = this.tokens[first].span;
    const b = this.tokens[last].span;
    return span(a.offset, b.offset + b.length);
  }

  /** The token where the library places a node. */
  private tokenOf(id: bigint): number {
    const at = this.info.positions[id.toString()];
    if (at === undefined) throw new Error(`@bufbuild/cel gave no position for expression ${id}`);
    return this.d.tokenAt[Math.min(at, this.d.tokenAt.length - 1)];
  }

  /** The token after `i`, checked: a mismatch means the tree and the tokens disagree (a bug). */
  private expectToken(i: number, text: string): number {
    if (this.tokens[i]?.text !== text) throw new Error(`expected '${text}' at token ${i} of ${JSON.stringify(this.d.cel)}`);
    return i;
  }

  /** A sub-expression that is a value: references finished, prefix operators applied. */
  value(e: CelExpr): ExprPart {
    return this.finish(this.extend(this.natural(e), false));
  }

  /** The operand of a selection, index or method call: it may continue a reference. */
  private operand(e: CelExpr): Part {
    return this.extend(this.natural(e), true);
  }

  /**
   * Widen a part over the parentheses around it and the prefix operators the
   * library folded away (`!!a` is `a` in its tree; CondExpr keeps both `!`).
   * The operand of a selection takes only the operators inside its parentheses:
   * `!a.b` negates `a.b`.
   */
  private extend(p: Part, operand: boolean): Part {
    const t = this.tokens;
    for (;;) {
      let k = 0;
      while (p.first - 1 - k >= 0 && t[p.first - 1 - k].unary && !this.claimed[p.first - 1 - k]) k++;
      const open = p.first - 1 - k;
      const grouped = open >= 0 && this.d.group[open] === p.last + 1;
      if (!grouped && (operand || k === 0)) return p;
      if (k > 0) p = this.prefix(this.finish(p), k);
      if (!grouped) return p;
      const widened = span(t[open].span.offset, t[p.last + 1].span.offset + t[p.last + 1].span.length);
      p = p.chain ? { chain: p.chain, first: open, last: p.last + 1 } : { expr: { ...p.expr, span: widened }, first: open, last: p.last + 1 };
    }
  }

  /** Apply the `k` prefix operators before a part, innermost first. */
  private prefix(p: ExprPart, k: number): ExprPart {
    let expr = p.expr;
    let first = p.first;
    for (let n = 0; n < k; n++) {
      first--;
      this.claimed[first] = 1;
      const s = join(this.tokens[first].span, expr.span);
      expr = this.tokens[first].text === '!' ? { kind: 'not', operand: expr, span: s } : negate(expr, s);
    }
    return { expr, first, last: p.last };
  }

  private finish(p: Part): ExprPart {
    if (!p.chain) return p as ExprPart;
    const expr = this.finishChain(p.chain);
    return { expr: { ...expr, span: this.spanOf(p.first, p.last) }, first: p.first, last: p.last };
  }

  private finishChain(chain: Chain): CondExpr {
    const segs = chain.segments;
    const last = segs[segs.length - 1];
    const direct = (FIELD_NAMESPACES.has(chain.root) && segs.length === 1) || (chain.root === 'outputs' && segs.length === 2);
    if (last && last.form === 'dot' && SIZE_ERROR_WORDS.has(last.name) && !direct) {
      // `.length` / `.count`: the size of a list in other languages (`x['count']` reads a field).
      const operand = this.finishChain({ ...chain, segments: segs.slice(0, -1) });
      return { kind: 'size', operand, spelling: last.name === 'length' ? '.length' : '.count', span: join(operand.span, last.span) };
    }
    const full = last ? join(chain.start, last.span) : chain.rootSpan;
    const ref = classifyReference([chain.root, ...segs.map((x) => x.name)], full, chain.rootSpan);
    if ('message' in ref) throw new ParseFailure(ref);
    if (ref.kind === 'secret') throw new ParseFailure(secretInCondition(full));
    this.references.push(ref);
    return { kind: 'ref', ref, span: full, root: chain.root, segments: segs };
  }

  /** A node without the parentheses around it. */
  private natural(e: CelExpr): Part {
    // Macros (has(), exists(), ...) are expanded in the tree; the call as written is kept aside.
    const macro = this.info.macroCalls[e.id.toString()];
    if (macro?.exprKind.case === 'callExpr') return this.call(macro.exprKind.value, e.id);
    const k = e.exprKind;
    switch (k.case) {
      case 'identExpr': {
        const i = this.tokenOf(e.id);
        const t = this.tokens[i];
        if (t.text === '.') this.fail(LEADING_DOT, t.span);
        return { chain: { root: t.src.text, rootSpan: t.span, start: t.span, segments: [] }, first: i, last: i };
      }
      case 'constExpr':
        return this.constant(e.id, k.value);
      case 'selectExpr': {
        const target = this.operand(k.value.operand!);
        const dot = this.expectToken(target.last + 1, '.');
        const name = this.tokens[dot + 1];
        return this.step(target, { name: name.src.text, form: 'dot', span: name.span }, dot + 1);
      }
      case 'callExpr':
        return this.call(k.value, e.id);
      case 'listExpr': {
        const open = this.tokenOf(e.id);
        const items = k.value.elements.map((x) => this.value(x).expr);
        return part({ kind: 'list', items, span: this.spanOf(open, this.d.partner[open]) }, open, this.d.partner[open]);
      }
      case 'structExpr': {
        let open = this.tokenOf(e.id);
        while (this.tokens[open].text !== '{') open++;
        if (k.value.messageName !== '') this.fail(MESSAGE, this.tokens[open].span);
        // The entries are read for their references (a secret in a map is refused like anywhere else).
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.value(entry.keyKind.value);
          if (entry.value) this.value(entry.value);
        }
        return part({ kind: 'map', span: this.spanOf(open, this.d.partner[open]) }, open, this.d.partner[open]);
      }
      default:
        throw new Error(`unexpected expression '${k.case}' from @bufbuild/cel`);
    }
  }

  private constant(id: bigint, c: CelConstant): ExprPart {
    const first = this.tokenOf(id);
    let last = first;
    if (this.tokens[first].text === '-') {
      // A negative number literal, one node in the library's tree.
      this.claimed[first] = 1;
      last = first + 1;
    }
    const tok = this.tokens[last];
    const s = this.spanOf(first, last);
    const k = c.constantKind;
    switch (k.case) {
      case 'boolValue':
        return part({ kind: 'literal', type: 'bool', value: k.value, span: s }, first, last);
      case 'nullValue':
        return part({ kind: 'literal', type: 'null', value: null, span: s }, first, last);
      case 'stringValue':
        return part({ kind: 'literal', type: 'string', value: k.value, span: s }, first, last);
      case 'bytesValue':
        // The characters as written (decoded by the lexer), for messages and the canonical spelling.
        return part({ kind: 'literal', type: 'bytes', value: tok.src.value as string, span: s }, first, last);
      case 'int64Value': {
        // -9223372036854775808 is valid, written with the minus in or before the literal.
        const before = this.tokens[first - 1];
        const negated = first !== last || (before?.unary === true && before.text === '-');
        if (k.value > INT64_MAX + (negated ? 1n : 0n) || k.value < -INT64_MAX - 1n) this.fail('This integer is too large (CEL integers are 64-bit).', tok.span);
        return part({ kind: 'literal', type: 'int', value: Number(k.value), span: s }, first, last);
      }
      case 'uint64Value':
        return part({ kind: 'literal', type: 'uint', value: Number(k.value), span: s }, first, last);
      case 'doubleValue':
        if (!Number.isFinite(k.value)) this.fail('This number is too large.', tok.span);
        return part({ kind: 'literal', type: 'double', value: k.value, span: s }, first, last);
      default:
        throw new Error(`unexpected constant '${k.case}' from @bufbuild/cel`);
    }
  }

  /** A field or index step after `target`, ending at token `last`. */
  private step(target: Part, seg: PathSegment, last: number): Part {
    if (target.chain) {
      // The reference's text starts with the target's, parentheses included: `(a).b`.
      const chain = target.chain;
      chain.start = this.tokens[target.first].span;
      chain.segments.push(seg);
      return { chain, first: target.first, last };
    }
    return part({ kind: 'select', operand: target.expr, field: seg.name, span: this.spanOf(target.first, last) }, target.first, last);
  }

  private call(c: CelCall, id: bigint): Part {
    const f = c.function;
    if (f === '_&&_' || f === '_||_') return this.logic(f === '_&&_' ? 'and' : 'or', c.args);
    if (f === '_[_]') return this.index(c.args[0], c.args[1]);
    if (f === '!_' || f === '-_') {
      const op = this.tokenOf(id);
      this.claimed[op] = 1;
      const operand = this.value(c.args[0]);
      const s = join(this.tokens[op].span, operand.expr.span);
      return part(f === '!_' ? { kind: 'not', operand: operand.expr, span: s } : negate(operand.expr, s), op, operand.last);
    }
    if (f === '_?_:_') {
      const [test, then, otherwise] = c.args.map((x) => this.value(x));
      return part({ kind: 'ternary', test: test.expr, then: then.expr, else: otherwise.expr, span: this.spanOf(test.first, otherwise.last) }, test.first, otherwise.last);
    }
    if (f in COMPARE || f in ARITH || f === '@in') {
      const left = this.value(c.args[0]);
      const right = this.value(c.args[1]);
      const op = this.tokens[this.expectToken(left.last + 1, COMPARE[f] ?? ARITH[f] ?? 'in')];
      const s = this.spanOf(left.first, right.last);
      if (f === '@in') {
        if (!op.contains) return part({ kind: 'in', left: left.expr, right: right.expr, span: s }, left.first, right.last);
        const node: CondExpr = { kind: 'call', name: 'contains', target: left.expr, args: [right.expr], span: s, nameSpan: op.span };
        this.notes.push({ span: s, message: "Infix 'contains' is not CEL; it is read as the method call.", celSpelling: unparse(node, this.text) });
        return part(node, left.first, right.last);
      }
      const node: CondExpr =
        f in COMPARE
          ? { kind: 'compare', op: COMPARE[f], left: left.expr, right: right.expr, span: s, opSpan: op.span }
          : { kind: 'arith', op: ARITH[f], left: left.expr, right: right.expr, span: s, opSpan: op.span };
      return part(node, left.first, right.last);
    }
    return this.functionCall(c, id);
  }

  /** `&&` / `||`: the library balances a chain `a && b && c`; CondExpr nests it to the left, as written. */
  private logic(kind: 'and' | 'or', args: CelExpr[]): Part {
    const parts: ExprPart[] = [];
    for (const arg of args) {
      const p = this.value(arg);
      if (p.terms?.kind === kind) parts.push(...p.terms.parts);
      else parts.push(p);
    }
    let expr = parts[0].expr;
    for (const p of parts.slice(1)) expr = { kind, left: expr, right: p.expr, span: join(expr.span, p.expr.span) };
    return { expr, first: parts[0].first, last: parts[parts.length - 1].last, terms: { kind, parts } };
  }

  private index(operandExpr: CelExpr, indexExpr: CelExpr): Part {
    if (operandExpr.exprKind.case === 'identExpr') {
      // A hyphenated first name, given to the library as outputs['a-b'].
      const i = this.tokenOf(operandExpr.id);
      const g = this.tokens[i].glued;
      if (g?.kind === 'root') {
        const s = g.nameSpan;
        return { chain: { root: g.name, rootSpan: s, start: s, segments: [] }, first: i, last: i + 3 };
      }
    }
    const target = this.operand(operandExpr);
    const open = this.expectToken(target.last + 1, '[');
    const g = this.tokens[open].glued;
    if (g) return this.step(target, { name: g.name, form: 'dot', span: g.nameSpan }, open + 2);
    const close = this.d.partner[open];
    const index = this.value(indexExpr).expr;
    const s = this.spanOf(open, close);
    if (target.chain && index.kind === 'literal' && index.type === 'string') return this.step(target, { name: index.value as string, form: 'key', span: s }, close);
    if (target.chain && index.kind === 'literal' && (index.type === 'int' || index.type === 'uint') && (index.value as number) >= 0) {
      return this.step(target, { name: String(index.value), form: 'index', span: s }, close);
    }
    const operand = this.finish(target);
    return part({ kind: 'index', operand: operand.expr, index, span: this.spanOf(operand.first, close) }, operand.first, close);
  }

  private functionCall(c: CelCall, id: bigint): Part {
    let first: number;
    let nameTok: number;
    let target: CondExpr | null = null;
    if (c.target) {
      const t = this.finish(this.operand(c.target));
      target = t.expr;
      first = t.first;
      nameTok = this.expectToken(t.last + 1, '.') + 1;
    } else {
      first = nameTok = this.tokenOf(id);
      if (this.tokens[nameTok].text === '.') this.fail(LEADING_DOT, this.tokens[nameTok].span);
    }
    const open = this.expectToken(nameTok + 1, '(');
    const close = this.d.partner[open];
    const name = this.tokens[nameTok].src.text;
    const nameSpan = this.tokens[nameTok].span;
    const args = c.args.map((x) => this.value(x).expr);
    const s = this.spanOf(first, close);
    if (name === 'size' && ((target && args.length === 0) || (!target && args.length === 1))) {
      return part({ kind: 'size', operand: target ?? args[0], spelling: 'size()', span: s }, first, close);
    }
    if (name === 'has' && !target) {
      const arg = args[0];
      if (args.length !== 1 || arg.kind !== 'ref' || arg.segments.length === 0 || arg.segments[arg.segments.length - 1].form !== 'dot') {
        this.fail('has() takes one field selection, such as has(node.field).', args.length === 1 ? arg.span : s);
      }
      return part({ kind: 'has', target: arg, span: s }, first, close);
    }
    return part({ kind: 'call', name, target, args, span: s, nameSpan }, first, close);
  }
}

function part(expr: CondExpr, first: number, last: number): ExprPart {
  return { expr, first, last };
}

/** `-x`; on a number literal, the negative literal (as CEL's lexer reads `-3`). */
function negate(operand: CondExpr, s: Span): CondExpr {
  if (operand.kind === 'literal' && (operand.type === 'int' || operand.type === 'double') && typeof operand.value === 'number') {
    return { kind: 'literal', type: operand.type, value: -operand.value, span: s };
  }
  return { kind: 'negate', operand, span: s };
}

/** The error for a condition the library refused: ours from the tokens, else the library's, placed on a token. */
function syntaxError(text: string, d: Rewritten, e: unknown): ExprError {
  if (d.issue) return d.issue;
  const location = (e as { location?: { start?: { offset?: number } } }).location;
  const at = location?.start?.offset;
  if (at === undefined) return { message: `The condition is not valid CEL: ${e instanceof Error ? e.message : String(e)}`, span: span(0, text.length) };
  const tokAt = d.tokenAt[Math.min(at, d.tokenAt.length - 1)];
  // The token that holds the offset, or the next one.
  const i = tokAt > 0 && d.tokens[tokAt - 1].at + d.tokens[tokAt - 1].text.length > at ? tokAt - 1 : tokAt;
  const t = d.tokens[i];
  const raw = (e as { rawMessage?: string }).rawMessage;
  if (raw === 'reserved identifier' || raw === 'reserved keyword') return { message: `'${t.src.text}' is a reserved word in CEL.`, span: t.span };
  return { message: `This is not valid CEL: ${describe(t.src)} is not expected here.`, span: t.span };
}

const SECRET_PLACEHOLDER = /\$\{\s*secrets\.[^}]*\}/;

/** A secret in a condition: a Choice rule would compare its value inside the state data, written into the execution history. */
function secretInCondition(at: Span): ExprError {
  return { message: 'Secrets cannot be used in conditions: their values would enter the execution history.', span: at, hint: 'Compare an output of the step that used the secret instead.', secret: true };
}

export function parseCondition(text: string): ParseResult<ParsedCondition> {
  const trimmed = text.trim();
  if (/^otherwise$/i.test(trimmed)) {
    const s = span(text.indexOf(trimmed), text.indexOf(trimmed) + trimmed.length);
    const expr: CondExpr = { kind: 'literal', type: 'bool', value: true, span: s };
    return {
      ok: true,
      value: { text, expr, references: [], isOtherwise: true, cel: 'true' },
      notes: [{ span: s, message: "'otherwise' is not CEL; it is read as the default branch, taken when no other condition holds.", celSpelling: 'true' }],
    };
  }
  // `${secrets.X}` (a template, not CEL) or that text inside a string literal: a secret all the same, never compared as text.
  const placeholder = SECRET_PLACEHOLDER.exec(text);
  if (placeholder) return { ok: false, error: secretInCondition(span(placeholder.index, placeholder.index + placeholder[0].length)) };
  let d: Rewritten | ExprError;
  try {
    const tokens = tokenize(text);
    if (tokens.length > MAX_TOKENS) return { ok: false, error: { message: `The condition is too long (more than ${MAX_TOKENS} tokens).`, span: span(0, text.length) } };
    d = rewrite(text, tokens);
  } catch (e) {
    if (e instanceof LexError) return { ok: false, error: e.error };
    throw e;
  }
  if ('message' in d) return { ok: false, error: d };
  let parsed: ParsedExpr;
  try {
    parsed = parseCel(d.cel);
  } catch (e) {
    return { ok: false, error: syntaxError(text, d, e) };
  }
  const converter = new Converter(text, d, parsed.sourceInfo!);
  try {
    const expr = converter.value(parsed.expr).expr;
    // In text order (the tree is walked left to right; the sort makes it a guarantee).
    const references = converter.references.sort((a, b) => a.span.offset - b.span.offset);
    const notes = [...d.notes, ...converter.notes].sort((a, b) => a.span.offset - b.span.offset);
    return { ok: true, value: { text, expr, references, isOtherwise: false, cel: unparse(expr, text) }, notes };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    throw e;
  }
}
