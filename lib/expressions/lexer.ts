/**
 * Tokens of CEL (https://github.com/google/cel-spec/blob/master/doc/langdef.md#syntax),
 * with exact offsets into the original text. Not a parser (@bufbuild/cel gives the
 * syntax tree): the tokens feed the dialect rewrite (dialect.ts), where dialect words
 * (AND, NOT, contains) get their meaning by position, and give extents and clear
 * messages (an unterminated string at its quote, a bad escape at the backslash).
 */
import type { ExprError } from './types';

export type TokenType = 'ident' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  /** The source text of the token. */
  text: string;
  offset: number;
  end: number;
  /** Decoded value: the string's characters, or the number. */
  value?: string | number | bigint;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '{', '}', ',', '.', '?', ':', '+', '-', '*', '/', '%'];

const isDigit = (c: string) => c >= '0' && c <= '9';
const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c);
const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);

export class LexError extends Error {
  constructor(public readonly error: ExprError) {
    super(error.message);
  }
}

function fail(message: string, offset: number, length: number, hint?: string): never {
  throw new LexError(hint === undefined ? { message, span: { offset, length } } : { message, span: { offset, length }, hint });
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    // String and bytes literals, with their r/b prefixes.
    const prefix = /^(?:[rR][bB]?|[bB][rR]?)?(?='|")/.exec(text.slice(i, i + 3));
    if (prefix && (prefix[0].length > 0 || c === '"' || c === "'")) {
      const p = prefix[0].toLowerCase();
      i += p.length;
      const raw = p.includes('r');
      const bytes = p.includes('b');
      const q = text[i];
      const triple = text.startsWith(q.repeat(3), i);
      const delim = triple ? q.repeat(3) : q;
      i += delim.length;
      let value = '';
      for (;;) {
        if (i >= n) fail('This string has no closing quote.', start, n - start, `Add the closing ${delim}.`);
        if (text.startsWith(delim, i)) {
          i += delim.length;
          break;
        }
        const ch = text[i];
        if (!triple && (ch === '\n' || ch === '\r')) fail('This string has no closing quote on its line.', start, i - start, `Add the closing ${delim}, or use ${q.repeat(3)} for text over several lines.`);
        if (ch === '\\' && !raw) {
          const [decoded, next] = decodeEscape(text, i);
          value += decoded;
          i = next;
          continue;
        }
        value += ch;
        i++;
      }
      tokens.push({ type: bytes ? 'bytes' : 'string', text: text.slice(start, i), offset: start, end: i, value });
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text[i])) i++;
      tokens.push({ type: 'ident', text: text.slice(start, i), offset: start, end: i });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      tokens.push(lexNumber(text, i));
      i = tokens[tokens.length - 1].end;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', text: op, offset: start, end: i + op.length });
      i += op.length;
      continue;
    }
    if (c === '=') fail("'=' is not a comparison.", i, 1, "Use '==' to compare.");
    if (c === '&') fail("'&' is not an operator.", i, 1, "Use '&&' for 'and'.");
    if (c === '|') fail("'|' is not an operator.", i, 1, "Use '||' for 'or'.");
    const cp = text.codePointAt(i)!;
    fail(`Unexpected character '${String.fromCodePoint(cp)}'.`, i, cp > 0xffff ? 2 : 1);
  }
  tokens.push({ type: 'eof', text: '', offset: n, end: n });
  return tokens;
}

function lexNumber(text: string, start: number): Token {
  let i = start;
  const n = text.length;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    const digits = i;
    while (i < n && isHex(text[i])) i++;
    if (i === digits) fail('A hexadecimal number needs digits after 0x.', start, i - start);
    const value = BigInt(text.slice(start, i));
    return suffix(text, start, i, value);
  }
  while (i < n && isDigit(text[i])) i++;
  let isDouble = false;
  if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
    isDouble = true;
    i++;
    while (i < n && isDigit(text[i])) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    let j = i + 1;
    if (text[j] === '+' || text[j] === '-') j++;
    if (isDigit(text[j] ?? '')) {
      isDouble = true;
      i = j;
      while (i < n && isDigit(text[i])) i++;
    } else {
      fail('A number cannot end with an exponent marker.', start, j - start, 'Write e.g. 1e3.');
    }
  }
  if (isDouble) {
    if (isIdentStart(text[i] ?? '')) fail(`'${text.slice(start, i + 1)}' is not a number.`, start, i + 1 - start);
    return { type: 'double', text: text.slice(start, i), offset: start, end: i, value: Number(text.slice(start, i)) };
  }
  return suffix(text, start, i, BigInt(text.slice(start, i)));
}

function suffix(text: string, start: number, i: number, value: bigint): Token {
  if (text[i] === 'u' || text[i] === 'U') {
    if (value > 0xffffffffffffffffn) fail('This unsigned integer is too large.', start, i + 1 - start);
    return { type: 'uint', text: text.slice(start, i + 1), offset: start, end: i + 1, value };
  }
  if (isIdentStart(text[i] ?? '')) {
    let j = i;
    while (j < text.length && isIdentPart(text[j])) j++;
    fail(`'${text.slice(start, j)}' is not a number or a name.`, start, j - start, 'Names start with a letter or _.');
  }
  // The range check is made on the tree: -9223372036854775808 is valid.
  return { type: 'int', text: text.slice(start, i), offset: start, end: i, value };
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '?': '?', '"': '"', "'": "'", '`': '`' };

/** Decode the escape sequence at `text[i] === '\\'`; returns the characters and the next offset. */
function decodeEscape(text: string, i: number): [string, number] {
  const c = text[i + 1];
  if (c === undefined) fail('A string cannot end with a backslash.', i, 1);
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c], i + 2];
  const hex = (len: number): number => {
    const digits = text.slice(i + 2, i + 2 + len);
    if (digits.length !== len || ![...digits].every(isHex)) fail(`'\\${c}' needs ${len} hexadecimal digits.`, i, Math.min(2 + len, text.length - i));
    return parseInt(digits, 16);
  };
  let cp: number;
  let next: number;
  if (c === 'x' || c === 'X') {
    cp = hex(2);
    next = i + 4;
  } else if (c === 'u') {
    cp = hex(4);
    next = i + 6;
  } else if (c === 'U') {
    cp = hex(8);
    next = i + 10;
  } else if (c >= '0' && c <= '3') {
    const digits = text.slice(i + 1, i + 4);
    if (!/^[0-3][0-7][0-7]$/.test(digits)) fail('An octal escape needs three digits, e.g. \\101.', i, Math.min(4, text.length - i));
    cp = parseInt(digits, 8);
    next = i + 4;
  } else {
    fail(`'\\${c}' is not an escape sequence.`, i, 2, "Write '\\\\' for a backslash.");
  }
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`'${text.slice(i, next)}' is not a Unicode character.`, i, next - i);
  return [String.fromCodePoint(cp), next];
}
