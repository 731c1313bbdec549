/**
 * Parser of edge conditions: CEL's grammar (langdef.md), by recursive descent,
 * plus the dialect found in real OSOP files, each accepted spelling recorded
 * as a DialectNote:
 *   AND / and -> &&      OR / or -> ||      NOT / not -> !
 *   a contains 'x' -> a.contains('x')      otherwise (the whole text) -> default branch
 *   create-intent.status -> outputs['create-intent'].status (CEL would read a subtraction)
 * Our own parser rather than @bufbuild/cel's: that one reports most syntax errors
 * at the first operator ("found = but expecting end of input" at offset 2 for
 * `a == 'x`) and gives no extents, and the dialect needs spans into the original text.
 */
import { LexError, tokenize, type Token } from './lexer';
import { classifyReference } from './references';
import { quoteCelString as quoteCel, unparse } from './unparse';
import type { CompareOp, CondExpr, DialectNote, ExprError, ParseResult, ParsedCondition, PathSegment, Reference, Span } from './types';

class ParseFailure extends Error {
  constructor(public readonly error: ExprError) {
    super(error.message);
  }
}

const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const INT64_MAX = 0x7fffffffffffffffn;
/** Limits that keep the recursive parser, lowering and unparser far from the stack's limit. */
const MAX_DEPTH = 64;
const MAX_TOKENS = 2000;
const SIZE_ERROR_WORDS = new Set(['length', 'count']);
/** Namespaces whose direct fields are plain names (`inputs.count` is an input named count). */
const FIELD_NAMESPACES = new Set(['inputs', 'loop', 'metadata', 'env']);

const span = (offset: number, end: number): Span => ({ offset, length: end - offset });
const join = (a: Span, b: Span): Span => span(a.offset, b.offset + b.length);
const endOf = (s: Span) => s.offset + s.length;

interface Chain {
  root: string;
  rootSpan: Span;
  segments: PathSegment[];
}

class Parser {
  private pos = 0;
  private depth = 0;
  readonly notes: DialectNote[] = [];
  readonly references: Reference[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }
  private next(): Token {
    return this.tokens[this.pos++];
  }
  private isOp(t: Token, ...ops: string[]): boolean {
    return t.type === 'op' && ops.includes(t.text);
  }
  private isWord(t: Token, ...words: string[]): boolean {
    return t.type === 'ident' && words.includes(t.text);
  }
  private fail(message: string, at: Span, hint?: string): never {
    throw new ParseFailure(hint === undefined ? { message, span: at } : { message, span: at, hint });
  }
  private tokSpan(t: Token): Span {
    return span(t.offset, t.end);
  }
  private expectOp(op: string, what: string, opened?: Token): Token {
    const t = this.peek();
    if (this.isOp(t, op)) return this.next();
    if (opened) this.fail(`'${opened.text}' is not closed: expected '${op}' ${what}, found ${describe(t)}.`, t.type === 'eof' ? this.tokSpan(opened) : this.tokSpan(t));
    this.fail(`Expected '${op}' ${what}, found ${describe(t)}.`, this.tokSpan(t));
  }

  parse(): CondExpr {
    const expr = this.parseExpr();
    const t = this.peek();
    if (t.type !== 'eof') {
      if (this.isOp(t, ')')) this.fail("Unexpected ')': there is no '(' to close.", this.tokSpan(t));
      if (t.type === 'ident' || t.type === 'string' || t.type === 'int' || t.type === 'double') {
        this.fail(`Found ${describe(t)} after a complete expression: an operator such as ==, && or || is missing before it.`, this.tokSpan(t), t.type === 'ident' ? "Compare with '==' and combine with '&&' or '||'; quote text values: status == 'success'." : undefined);
      }
      this.fail(`Unexpected ${describe(t)}.`, this.tokSpan(t));
    }
    return expr;
  }

  private parseExpr(): CondExpr {
    const test = this.parseOr();
    if (!this.isOp(this.peek(), '?')) return test;
    this.next();
    const then = this.parseOr();
    this.expectOp(':', "between the branches of '? :'");
    const otherwise = this.parseExpr();
    return { kind: 'ternary', test, then, else: otherwise, span: join(test.span, otherwise.span) };
  }

  private parseOr(): CondExpr {
    let left = this.parseAnd();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '||')) this.next();
      else if (this.isWord(t, 'OR', 'or')) this.dialectWord(this.next(), '||');
      else return left;
      const right = this.parseAnd();
      left = { kind: 'or', left, right, span: join(left.span, right.span) };
    }
  }

  private parseAnd(): CondExpr {
    let left = this.parseRelation();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '&&')) this.next();
      else if (this.isWord(t, 'AND', 'and')) this.dialectWord(this.next(), '&&');
      else return left;
      const right = this.parseRelation();
      left = { kind: 'and', left, right, span: join(left.span, right.span) };
    }
  }

  private dialectWord(t: Token, cel: string): void {
    this.notes.push({ span: this.tokSpan(t), message: `'${t.text}' is not CEL; it is read as '${cel}'.`, celSpelling: cel });
  }

  private parseRelation(): CondExpr {
    let left = this.parseAddition();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && COMPARE_OPS.has(t.text)) {
        this.next();
        const right = this.parseAddition();
        left = { kind: 'compare', op: t.text as CompareOp, left, right, span: join(left.span, right.span), opSpan: this.tokSpan(t) };
      } else if (this.isWord(t, 'in')) {
        this.next();
        const right = this.parseAddition();
        left = { kind: 'in', left, right, span: join(left.span, right.span) };
      } else if (this.isWord(t, 'contains')) {
        // Infix `a contains 'x'`: an identifier can never follow a complete operand in CEL.
        this.next();
        const right = this.parseAddition();
        const node: CondExpr = { kind: 'call', name: 'contains', target: left, args: [right], span: join(left.span, right.span), nameSpan: this.tokSpan(t) };
        this.notes.push({ span: node.span, message: "Infix 'contains' is not CEL; it is read as the method call.", celSpelling: unparse(node, this.text) });
        left = node;
      } else {
        return left;
      }
    }
  }

  private parseAddition(): CondExpr {
    let left = this.parseMultiplication();
    while (this.isOp(this.peek(), '+', '-')) {
      const t = this.next();
      const right = this.parseMultiplication();
      left = { kind: 'arith', op: t.text as '+' | '-', left, right, span: join(left.span, right.span), opSpan: this.tokSpan(t) };
    }
    return left;
  }

  private parseMultiplication(): CondExpr {
    let left = this.parseUnary();
    while (this.isOp(this.peek(), '*', '/', '%')) {
      const t = this.next();
      const right = this.parseUnary();
      left = { kind: 'arith', op: t.text as '*' | '/' | '%', left, right, span: join(left.span, right.span), opSpan: this.tokSpan(t) };
    }
    return left;
  }

  private parseUnary(): CondExpr {
    // Every nesting (parentheses, lists, calls, unary operators) passes here: bound the recursion.
    if (++this.depth > MAX_DEPTH) this.fail(`The condition is nested more than ${MAX_DEPTH} levels deep.`, this.tokSpan(this.peek()));
    try {
      return this.parseUnaryInner();
    } finally {
      this.depth--;
    }
  }

  private parseUnaryInner(): CondExpr {
    const t = this.peek();
    // CEL does not mix unary operators: `!!x` and `--x`, but not `!-x`.
    if (this.isOp(t, '!')) {
      this.next();
      const operand = this.isOp(this.peek(), '!') ? this.parseUnary() : this.parseMember();
      return { kind: 'not', operand, span: join(this.tokSpan(t), operand.span) };
    }
    if (this.isOp(t, '-')) {
      this.next();
      const operand = this.isOp(this.peek(), '-') ? this.parseUnary() : this.parseMember();
      const s = join(this.tokSpan(t), operand.span);
      // A negative number literal, as CEL's lexer would read it.
      if (operand.kind === 'literal' && (operand.type === 'int' || operand.type === 'double') && typeof operand.value === 'number') {
        return { kind: 'literal', type: operand.type, value: -operand.value, span: s };
      }
      return { kind: 'negate', operand, span: s };
    }
    if (this.isWord(t, 'NOT', 'not') && startsOperand(this.peek(1))) {
      this.dialectWord(this.next(), '!');
      const operand = this.parseUnary();
      return { kind: 'not', operand, span: join(this.tokSpan(t), operand.span) };
    }
    return this.parseMember();
  }

  private parseMember(): CondExpr {
    let chain: Chain | null = null;
    let expr: CondExpr | null = null;
    const t = this.peek();
    if (t.type === 'ident' && !['true', 'false', 'null', 'in'].includes(t.text) && !this.isOp(this.peek(1), '(')) {
      chain = this.startChain();
    } else {
      expr = this.parsePrimary();
    }
    const current = (): CondExpr => (chain ? this.finishChain(chain) : expr!);
    for (;;) {
      const p = this.peek();
      if (this.isOp(p, '.')) {
        this.next();
        const nameTok = this.peek();
        if (nameTok.type !== 'ident') this.fail(`Expected a field name after '.', found ${describe(nameTok)}.`, this.tokSpan(nameTok));
        if (['true', 'false', 'null', 'in'].includes(nameTok.text)) this.fail(`'${nameTok.text}' is a reserved word and cannot be a field name.`, this.tokSpan(nameTok), `Write ['${nameTok.text}'] instead.`);
        if (this.isOp(this.peek(1), '(')) {
          this.next();
          const target = current();
          chain = null;
          expr = this.parseCall(nameTok.text, this.tokSpan(nameTok), target);
          continue;
        }
        const [name, nameSpan, glued] = this.gluedName();
        const seg: PathSegment = { name, form: 'dot', span: nameSpan };
        if (glued) this.notes.push({ span: span(p.offset, endOf(nameSpan)), message: `'${name}' is read as one name; CEL would read '${name.replace(/-/g, ' - ')}', a subtraction.`, celSpelling: `[${quoteCel(name)}]` });
        if (chain) chain.segments.push(seg);
        else expr = { kind: 'select', operand: expr!, field: name, span: join(expr!.span, nameSpan) };
      } else if (this.isOp(p, '[')) {
        this.next();
        const index = this.parseExpr();
        const close = this.expectOp(']', 'after the index', p);
        const s = span(p.offset, close.end);
        if (chain && index.kind === 'literal' && index.type === 'string') {
          chain.segments.push({ name: index.value as string, form: 'key', span: s });
        } else if (chain && index.kind === 'literal' && (index.type === 'int' || index.type === 'uint') && (index.value as number) >= 0) {
          chain.segments.push({ name: String(index.value), form: 'index', span: s });
        } else {
          const operand = current();
          chain = null;
          expr = { kind: 'index', operand, index, span: span(operand.span.offset, close.end) };
        }
      } else if (this.isOp(p, '{') && chain) {
        this.fail('Message construction (Name{field: value}) is not supported in conditions.', this.tokSpan(p));
      } else {
        return current();
      }
    }
  }

  /** An identifier, glued with `-name` parts written without spaces (hyphenated node ids and output names). */
  private gluedName(): [string, Span, boolean] {
    const first = this.next();
    let name = first.text;
    let end = first.end;
    while (this.isOp(this.peek(), '-') && this.peek().offset === end && this.peek(1).type === 'ident' && this.peek(1).offset === end + 1) {
      this.next();
      const part = this.next();
      name += `-${part.text}`;
      end = part.end;
    }
    return [name, span(first.offset, end), name !== first.text];
  }

  private startChain(): Chain {
    const first = this.peek();
    const save = this.pos;
    const [name, nameSpan, glued] = this.gluedName();
    // A hyphenated first name is a node id only when a path follows; otherwise it stays a subtraction.
    if (glued && !this.isOp(this.peek(), '.', '[')) {
      this.pos = save + 1;
      return { root: first.text, rootSpan: this.tokSpan(first), segments: [] };
    }
    if (glued) this.notes.push({ span: nameSpan, message: `'${name}' is read as one name (a node id); CEL would read '${name.replace(/-/g, ' - ')}', a subtraction.`, celSpelling: `outputs[${quoteCel(name)}]` });
    return { root: name, rootSpan: nameSpan, segments: [] };
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
    const full = segs.length ? join(chain.rootSpan, last.span) : chain.rootSpan;
    const ref = classifyReference([chain.root, ...segs.map((x) => x.name)], full, chain.rootSpan);
    if ('message' in ref) throw new ParseFailure(ref);
    if (ref.kind === 'secret') {
      this.fail('Secrets cannot be used in conditions: their values would enter the execution history.', full, 'Compare an output of the step that used the secret instead.');
    }
    this.references.push(ref);
    return { kind: 'ref', ref, span: full, root: chain.root, segments: segs };
  }

  private parseCall(name: string, nameSpan: Span, target: CondExpr | null): CondExpr {
    const open = this.expectOp('(', `after '${name}'`);
    const args: CondExpr[] = [];
    if (!this.isOp(this.peek(), ')')) {
      for (;;) {
        args.push(this.parseExpr());
        if (!this.isOp(this.peek(), ',')) break;
        this.next();
      }
    }
    const close = this.expectOp(')', `to end the arguments of '${name}'`, open);
    const s = span(target ? target.span.offset : nameSpan.offset, close.end);
    if (name === 'size' && ((target && args.length === 0) || (!target && args.length === 1))) {
      return { kind: 'size', operand: target ?? args[0], spelling: 'size()', span: s };
    }
    if (name === 'has' && !target) {
      const arg = args[0];
      if (args.length !== 1 || arg.kind !== 'ref' || arg.segments.length === 0 || arg.segments[arg.segments.length - 1].form !== 'dot') {
        this.fail('has() takes one field selection, such as has(node.field).', args.length === 1 ? arg.span : s);
      }
      return { kind: 'has', target: arg, span: s };
    }
    return { kind: 'call', name, target, args, span: s, nameSpan };
  }

  private parsePrimary(): CondExpr {
    const t = this.peek();
    switch (t.type) {
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'literal', type: 'bool', value: t.text === 'true', span: this.tokSpan(t) };
        }
        if (t.text === 'null') {
          this.next();
          return { kind: 'literal', type: 'null', value: null, span: this.tokSpan(t) };
        }
        if (t.text === 'in') this.fail("'in' is an operator, not a name: it needs a value on its left (x in ['a', 'b']).", this.tokSpan(t));
        this.next();
        return this.parseCall(t.text, this.tokSpan(t), null);
      }
      case 'int': {
        this.next();
        const v = t.value as bigint;
        const negated = this.pos >= 2 && this.isOp(this.tokens[this.pos - 2], '-');
        if (v > INT64_MAX + (negated ? 1n : 0n)) this.fail('This integer is too large (CEL integers are 64-bit).', this.tokSpan(t));
        return { kind: 'literal', type: 'int', value: Number(v), span: this.tokSpan(t) };
      }
      case 'uint':
        this.next();
        return { kind: 'literal', type: 'uint', value: Number(t.value as bigint), span: this.tokSpan(t) };
      case 'double':
        this.next();
        if (!Number.isFinite(t.value as number)) this.fail('This number is too large.', this.tokSpan(t));
        return { kind: 'literal', type: 'double', value: t.value as number, span: this.tokSpan(t) };
      case 'string':
        this.next();
        return { kind: 'literal', type: 'string', value: t.value as string, span: this.tokSpan(t) };
      case 'bytes':
        this.next();
        return { kind: 'literal', type: 'bytes', value: t.value as string, span: this.tokSpan(t) };
      case 'eof': {
        const prev = this.pos > 0 ? this.tokens[this.pos - 1] : null;
        if (!prev) this.fail('The condition is empty.', span(0, this.text.length));
        this.fail(`The condition ends after '${prev.text}': a value is missing.`, this.tokSpan(prev));
      }
      // eslint-disable-next-line no-fallthrough
      case 'op':
        break;
    }
    if (this.isOp(t, '(')) {
      this.next();
      const inner = this.parseExpr();
      const close = this.expectOp(')', 'to close the parenthesis', t);
      // The span covers the parentheses, so that errors about `(a || b).c` show all of it.
      return { ...inner, span: span(t.offset, close.end) };
    }
    if (this.isOp(t, '[')) {
      this.next();
      const items: CondExpr[] = [];
      while (!this.isOp(this.peek(), ']')) {
        items.push(this.parseExpr());
        if (!this.isOp(this.peek(), ',')) break;
        this.next();
      }
      const close = this.expectOp(']', 'to close the list', t);
      return { kind: 'list', items, span: span(t.offset, close.end) };
    }
    if (this.isOp(t, '{')) {
      this.next();
      while (!this.isOp(this.peek(), '}')) {
        this.parseExpr();
        this.expectOp(':', 'between a key and its value');
        this.parseExpr();
        if (!this.isOp(this.peek(), ',')) break;
        this.next();
      }
      const close = this.expectOp('}', 'to close the map', t);
      return { kind: 'map', span: span(t.offset, close.end) };
    }
    if (this.isOp(t, '.') && this.peek(1).type === 'ident') {
      this.fail("A leading '.' (a root-scoped name) is not supported in conditions.", this.tokSpan(t));
    }
    const prev = this.pos > 0 ? this.tokens[this.pos - 1] : null;
    this.fail(prev ? `Expected a value after '${prev.text}', found ${describe(t)}.` : `Expected a value, found ${describe(t)}.`, this.tokSpan(t));
  }
}

function startsOperand(t: Token): boolean {
  if (t.type === 'eof') return false;
  if (t.type === 'op') return ['(', '[', '{', '!', '-', '.'].includes(t.text);
  if (t.type === 'ident') return !['in', 'AND', 'and', 'OR', 'or', 'contains'].includes(t.text);
  return true;
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'the end of the condition';
    case 'ident':
      return `the name '${t.text}'`;
    case 'string':
    case 'bytes':
      return `the text ${t.text}`;
    case 'op':
      return `'${t.text}'`;
    default:
      return `the number ${t.text}`;
  }
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
  try {
    const tokens = tokenize(text);
    if (tokens.length > MAX_TOKENS) return { ok: false, error: { message: `The condition is too long (more than ${MAX_TOKENS} tokens).`, span: span(0, text.length) } };
    const parser = new Parser(text, tokens);
    const expr = parser.parse();
    return { ok: true, value: { text, expr, references: parser.references, isOtherwise: false, cel: unparse(expr, text) }, notes: parser.notes };
  } catch (e) {
    if (e instanceof ParseFailure || e instanceof LexError) return { ok: false, error: e.error };
    throw e;
  }
}
