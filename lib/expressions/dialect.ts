/**
 * The dialect step: the tokens of a condition as written, rewritten into CEL
 * for @bufbuild/cel's parser. It reads tokens, not syntax: whether a word is
 * an operand or an operator follows from the token before it (one state,
 * "a value is expected" or "an operator is expected", plus a bracket stack).
 *
 *   AND / and -> &&      OR / or -> ||      NOT / not -> !   (each noted)
 *   a contains 'x' -> a in 'x', marked: the conversion makes it a.contains('x')
 *   create-intent.x -> outputs['create-intent'].x      a.error-code -> a['error-code']
 *
 * Names the library's parser misreads are renamed (their tree positions map
 * back to the name as written): CEL's reserved words (`loop` is an OSOP
 * namespace), and names that begin with a keyword (`true_count` is read as
 * `true _count`, `x in_stock` as `x in _stock`). Spaces it does not read
 * (`! !a`, `f( )`) and comments (it needs a line break after one) are left out.
 *
 * Every CEL token keeps the span it came from, so offsets in the library's
 * tree map back to the original text. The same pass notes the first place
 * where the token sequence cannot be CEL: when the library rejects the
 * condition, that is the error shown (the library reports most errors as
 * "expecting end of input" after the longest valid prefix).
 */
import { type Token, type TokenType } from './lexer';
import { quoteCelString } from './unparse';
import type { DialectNote, ExprError, Span } from './types';

export interface CelToken {
  /** The token as given to the CEL parser, at offset `at` of the rewritten text. */
  text: string;
  type: TokenType;
  at: number;
  /** The token as written (the first one of a hyphenated name), and the text it came from. */
  src: Token;
  span: Span;
  /** A prefix `!` or `-` (also `NOT`). */
  unary?: boolean;
  /** An infix `contains`, given to the parser as `in`. */
  contains?: boolean;
  /** A hyphenated name: the tokens of `outputs['a-b']` (a first name) or `['a-b']` (a field). */
  glued?: { kind: 'root' | 'field'; name: string; nameSpan: Span };
}

export interface Rewritten {
  /** The condition in CEL, for the parser. */
  cel: string;
  /** Its tokens, then an end token. */
  tokens: CelToken[];
  notes: DialectNote[];
  /** The closing bracket of each opening one, by token index (-1 elsewhere). */
  partner: Int32Array;
  /** Grouping parentheses: the index of the `)` for a `(` that is not a call's (-1 elsewhere). */
  group: Int32Array;
  /** The index of the first token at or after each offset of `cel`. */
  tokenAt: Int32Array;
  /** The first place where the tokens cannot be CEL, to explain a parse error. */
  issue: ExprError | null;
}

/** Limits that keep the library's recursive parser, the conversion, lowering and unparsing far from the stack's limit. */
const MAX_DEPTH = 64;
export const MAX_TOKENS = 2000;

const KEYWORDS = new Set(['true', 'false', 'null', 'in']);
/** CEL's reserved words, refused as names by @bufbuild/cel. */
const RESERVED = new Set(['as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const BINARY = new Set(['==', '!=', '<', '<=', '>', '>=', '&&', '||', '+', '-', '*', '/', '%']);
const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
export const LEADING_DOT = "A leading '.' (a root-scoped name) is not supported in conditions.";
export const MESSAGE = 'Message construction (Name{field: value}) is not supported in conditions.';
const DIALECT_OPERATORS: Record<string, string> = { AND: '&&', and: '&&', OR: '||', or: '||' };

type OpenKind = 'paren' | 'call' | 'list' | 'index' | 'map' | 'ternary';
interface Open {
  kind: OpenKind;
  /** The token as written, and the index of its CEL token. */
  tok: Token;
  index: number;
  /** For a call: the function's name. */
  name?: string;
  /** Nesting it adds: itself and the prefix operators before it. */
  cost: number;
}

const spanOf = (t: Token): Span => ({ offset: t.offset, length: t.end - t.offset });
const err = (message: string, span: Span, hint?: string): ExprError => (hint === undefined ? { message, span } : { message, span, hint });

export function describe(t: Token): string {
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

function closingWhat(o: Open): string {
  switch (o.kind) {
    case 'call':
      return `to end the arguments of '${o.name}'`;
    case 'list':
      return 'to close the list';
    case 'index':
      return 'after the index';
    case 'map':
      return 'to close the map';
    default:
      return 'to close the parenthesis';
  }
}

/** Whether `t` can begin an operand (for `NOT`, which is a name when it cannot). */
function startsOperand(t: Token): boolean {
  if (t.type === 'eof') return false;
  if (t.type === 'op') return ['(', '[', '{', '!', '-', '.'].includes(t.text);
  if (t.type === 'ident') return !['in', 'AND', 'and', 'OR', 'or', 'contains'].includes(t.text);
  return true;
}

/** A name the library would misread: a reserved word, or a word that begins with a keyword. */
function needsRename(name: string): boolean {
  return RESERVED.has(name) || (/^(?:true|false|null|in)/.test(name) && !KEYWORDS.has(name));
}

/**
 * `tokens` are the lexer's tokens of `text` (ending with its end token).
 * Returns the rewritten condition, or an error when it is nested too deeply.
 */
export function rewrite(text: string, tokens: Token[]): Rewritten | ExprError {
  const out: CelToken[] = [];
  const notes: DialectNote[] = [];
  const stack: Open[] = [];
  const pairs: [number, number, boolean][] = [];
  let cel = '';
  let written = 0;
  let issue: ExprError | null = null;
  let expectValue = true;
  let nesting = 0;
  let prefixRun = 0;
  let tooDeep: ExprError | null = null;

  /** The text between tokens; comments are left out (the library needs a line break after one). */
  const between = (from: number, to: number) => {
    const gap = text.slice(from, to);
    return gap.includes('/') ? gap.replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length)) : gap;
  };
  const note = (span: Span, message: string, celSpelling: string) => notes.push({ span, message, celSpelling });
  const problem = (message: string, span: Span, hint?: string) => {
    if (!issue) issue = err(message, span, hint);
  };
  /**
   * Emit CEL tokens for the written tokens `from`..`to`, after the text between
   * tokens (spaces, comments) unless `tight`: the library reads a repeated prefix
   * operator (`! !a`) and an empty argument list (`f( )`) only without spaces.
   */
  const emit = (from: Token, to: Token, pieces: [string, TokenType][], extra: Partial<CelToken> = {}, tight = false) => {
    if (!tight && !(extra.unary && out[out.length - 1]?.unary)) cel += between(written, from.offset);
    written = to.end;
    const span = { offset: from.offset, length: to.end - from.offset };
    for (const [piece, type] of pieces) {
      out.push({ text: piece, type, at: cel.length, src: from, span, ...extra });
      cel += piece;
    }
  };
  const same = (t: Token, extra: Partial<CelToken> = {}) => emit(t, t, [[t.type === 'ident' && needsRename(t.text) ? `_${t.text}` : t.text, t.type]], extra);
  /** Nesting: the open brackets, each with the prefix operators before it, and the current prefix operators. */
  const checkDepth = (t: Token) => {
    if (nesting + prefixRun > MAX_DEPTH && !tooDeep) tooDeep = issue ?? err(`The condition is nested more than ${MAX_DEPTH} levels deep.`, spanOf(t));
  };
  const open = (t: Token, kind: OpenKind, name?: string) => {
    const cost = 1 + prefixRun;
    stack.push({ kind, tok: t, index: out.length - 1, name, cost });
    nesting += cost;
    prefixRun = 0;
    checkDepth(t);
  };
  const close = (t: Token) => {
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) return problem(`Unexpected '${t.text}': there is no '${Object.keys(CLOSER).find((k) => CLOSER[k] === t.text)}' to close.`, spanOf(t));
      stack.pop();
      nesting -= top.cost;
      if (top.kind === 'ternary') {
        problem(`Expected ':' between the branches of '? :', found '${t.text}'.`, spanOf(t));
        continue;
      }
      if (CLOSER[top.tok.text] !== t.text) return problem(`'${top.tok.text}' is not closed: expected '${CLOSER[top.tok.text]}' ${closingWhat(top)}, found '${t.text}'.`, spanOf(t));
      pairs.push([top.index, out.length - 1, top.kind === 'paren']);
      return;
    }
  };
  /** The end (exclusive) of a name glued with `-name` parts written without spaces, from token i. */
  const gluedEnd = (i: number): number => {
    let j = i + 1;
    while (tokens[j].type === 'op' && tokens[j].text === '-' && tokens[j].offset === tokens[j - 1].end && tokens[j + 1].type === 'ident' && tokens[j + 1].offset === tokens[j].end) j += 2;
    return j;
  };
  const nameOf = (i: number, j: number) => text.slice(tokens[i].offset, tokens[j - 1].end);

  let prev: Token | null = null;
  for (let i = 0; i < tokens.length - 1 && !tooDeep; ) {
    const t = tokens[i];
    const next = tokens[i + 1];
    let step = 1;
    if (expectValue) {
      if (t.type === 'ident') {
        if ((t.text === 'NOT' || t.text === 'not') && startsOperand(next)) {
          if (prev && out[out.length - 1]?.text === '-' && out[out.length - 1].unary) problem(`Expected a value after '-', found '${t.text}'.`, spanOf(t));
          note(spanOf(t), `'${t.text}' is not CEL; it is read as '!'.`, '!');
          emit(t, t, [['!', 'op']], { unary: true });
          prefixRun++;
          checkDepth(t);
          prev = t;
          i++;
          continue;
        }
        if (t.text === 'in') problem("'in' is an operator, not a name: it needs a value on its left (x in ['a', 'b']).", spanOf(t));
        const j = t.text === 'in' || KEYWORDS.has(t.text) ? i + 1 : gluedEnd(i);
        const after = tokens[j];
        if (j > i + 1 && after.type === 'op' && (after.text === '.' || after.text === '[')) {
          // A hyphenated first name with a path after it: a node id.
          const name = nameOf(i, j);
          const nameSpan = { offset: t.offset, length: tokens[j - 1].end - t.offset };
          note(nameSpan, `'${name}' is read as one name (a node id); CEL would read '${name.replace(/-/g, ' - ')}', a subtraction.`, `outputs[${quoteCelString(name)}]`);
          emit(t, tokens[j - 1], [['outputs', 'ident'], ['[', 'op'], [quoteCelString(name), 'string'], [']', 'op']], { glued: { kind: 'root', name, nameSpan } });
          step = j - i;
        } else {
          same(t);
        }
        expectValue = false;
      } else if (t.type === 'op') {
        if (t.text === '(' || t.text === '[' || t.text === '{') {
          same(t);
          open(t, t.text === '(' ? 'paren' : t.text === '[' ? 'list' : 'map');
        } else if (t.text === '!' || t.text === '-') {
          // CEL repeats a prefix operator (`!!x`, `--x`) but does not mix them (`!-x`).
          const before = out[out.length - 1];
          if (prev && before?.unary && before.text !== t.text) problem(`Expected a value after '${prev.text}', found '${t.text}'.`, spanOf(t));
          same(t, { unary: true });
          prefixRun++;
          checkDepth(t);
        } else if (t.text === '.' && next.type === 'ident') {
          // A leading dot (a root-scoped name): CEL, but not supported (also refused when the tree is converted).
          problem(LEADING_DOT, spanOf(t));
          same(t);
        } else {
          const top = stack[stack.length - 1];
          const empty = top && out.length - 1 === top.index;
          const afterComma = prev?.type === 'op' && prev.text === ',';
          const closesEmpty =
            top &&
            CLOSER[top.tok.text] === t.text &&
            ((top.kind === 'call' && empty) || ((top.kind === 'list' || top.kind === 'map') && (empty || afterComma)));
          if (closesEmpty) {
            if (top.kind === 'call') emit(t, t, [[')', 'op']], {}, true);
            else same(t);
            close(t);
            expectValue = false;
          } else {
            problem(prev ? `Expected a value after '${prev.text}', found ${describe(t)}.` : `Expected a value, found ${describe(t)}.`, spanOf(t));
            same(t);
            if (t.text === ')' || t.text === ']' || t.text === '}') close(t);
          }
        }
      } else {
        same(t);
        expectValue = false;
      }
      if (!expectValue) prefixRun = 0;
    } else if (t.type === 'ident') {
      if (t.text in DIALECT_OPERATORS) {
        const op = DIALECT_OPERATORS[t.text];
        note(spanOf(t), `'${t.text}' is not CEL; it is read as '${op}'.`, op);
        emit(t, t, [[op, 'op']]);
      } else if (t.text === 'contains') {
        // Infix `a contains 'x'`: an identifier can never follow a complete operand in CEL.
        emit(t, t, [['in', 'ident']], { contains: true });
      } else if (t.text === 'in') {
        same(t);
      } else {
        problem(`Found ${describe(t)} after a complete expression: an operator such as ==, && or || is missing before it.`, spanOf(t), "Compare with '==' and combine with '&&' or '||'; quote text values: status == 'success'.");
        same(t);
        prev = t;
        i++;
        continue;
      }
      expectValue = true;
    } else if (t.type === 'op') {
      const top = stack[stack.length - 1];
      expectValue = true;
      if (BINARY.has(t.text)) {
        same(t);
      } else if (t.text === '.') {
        if (next.type !== 'ident') {
          problem(`Expected a field name after '.', found ${describe(next)}.`, spanOf(next));
          same(t);
        } else {
          if (KEYWORDS.has(next.text)) problem(`'${next.text}' is a reserved word and cannot be a field name.`, spanOf(next), `Write ['${next.text}'] instead.`);
          const callee = tokens[i + 2].type === 'op' && tokens[i + 2].text === '(';
          const j = callee ? i + 2 : gluedEnd(i + 1);
          if (j > i + 2) {
            const name = nameOf(i + 1, j);
            const nameSpan = { offset: next.offset, length: tokens[j - 1].end - next.offset };
            note({ offset: t.offset, length: tokens[j - 1].end - t.offset }, `'${name}' is read as one name; CEL would read '${name.replace(/-/g, ' - ')}', a subtraction.`, `[${quoteCelString(name)}]`);
            emit(t, tokens[j - 1], [['[', 'op'], [quoteCelString(name), 'string'], [']', 'op']], { glued: { kind: 'field', name, nameSpan } });
          } else {
            same(t);
            // A field name is never renamed: the library reads keywords' prefixes correctly there.
            emit(next, next, [[next.text, 'ident']]);
          }
          step = j - i;
          expectValue = false;
        }
      } else if (t.text === '?') {
        if (top?.kind === 'ternary') problem("Expected ':' between the branches of '? :', found '?'.", spanOf(t));
        same(t);
        open(t, 'ternary');
      } else if (t.text === ':') {
        if (top?.kind === 'ternary') {
          stack.pop();
          nesting -= top.cost;
        } else if (top?.kind !== 'map') {
          problem("Unexpected ':'.", spanOf(t));
        }
        same(t);
      } else if (t.text === ',') {
        if (top?.kind === 'ternary') problem("Expected ':' between the branches of '? :', found ','.", spanOf(t));
        else if (!top || top.kind === 'paren' || top.kind === 'index') problem("Unexpected ','.", spanOf(t));
        same(t);
      } else if (t.text === '(') {
        const callee = prev?.type === 'ident' && !KEYWORDS.has(prev.text) && out[out.length - 1]?.type === 'ident';
        if (!callee) problem("Unexpected '('.", spanOf(t));
        same(t);
        open(t, callee ? 'call' : 'paren', prev?.text);
      } else if (t.text === '[' || t.text === '{') {
        if (t.text === '{') problem(prev?.type === 'ident' ? MESSAGE : "Unexpected '{'.", spanOf(t));
        same(t);
        open(t, t.text === '[' ? 'index' : 'map');
      } else if (t.text === ')' || t.text === ']' || t.text === '}') {
        same(t);
        close(t);
        expectValue = false;
      } else {
        problem(`Unexpected '${t.text}'.`, spanOf(t));
        same(t);
      }
    } else {
      problem(`Found ${describe(t)} after a complete expression: an operator such as ==, && or || is missing before it.`, spanOf(t));
      same(t);
    }
    prev = tokens[i + step - 1];
    i += step;
  }
  if (tooDeep) return tooDeep;

  const eof = tokens[tokens.length - 1];
  if (expectValue) {
    if (!prev) problem('The condition is empty.', { offset: 0, length: text.length });
    else problem(`The condition ends after '${prev.text}': a value is missing.`, spanOf(prev));
  } else if (stack.length) {
    const top = stack[stack.length - 1];
    if (top.kind === 'ternary') problem("Expected ':' between the branches of '? :', found the end of the condition.", spanOf(eof));
    else problem(`'${top.tok.text}' is not closed: expected '${CLOSER[top.tok.text]}' ${closingWhat(top)}, found the end of the condition.`, spanOf(top.tok));
  }
  cel += between(written, text.length);
  out.push({ text: '', type: 'eof', at: cel.length, src: eof, span: spanOf(eof) });

  const partner = new Int32Array(out.length).fill(-1);
  const group = new Int32Array(out.length).fill(-1);
  for (const [a, b, grouping] of pairs) {
    partner[a] = b;
    partner[b] = a;
    if (grouping) group[a] = b;
  }
  const tokenAt = new Int32Array(cel.length + 1);
  for (let o = cel.length, k = out.length - 1; o >= 0; o--) {
    while (k > 0 && out[k - 1].at >= o) k--;
    tokenAt[o] = k;
  }
  return { cel, tokens: out, notes, partner, group, tokenAt, issue };
}
