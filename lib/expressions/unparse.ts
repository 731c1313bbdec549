/**
 * The canonical CEL spelling of a condition AST: dialect words replaced,
 * parentheses only where precedence needs them. Used for DialectNote
 * spellings and `ParsedCondition.cel`.
 */
import type { CondExpr, PathSegment } from './types';

const PREC = { ternary: 0, or: 1, and: 2, relation: 3, addition: 4, multiplication: 5, unary: 6, member: 7 } as const;

const CEL_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quote(s: string): string {
  let out = "'";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

function segment(s: PathSegment): string {
  if (s.form === 'index') return `[${s.name}]`;
  if (s.form === 'dot' && CEL_IDENT.test(s.name)) return `.${s.name}`;
  return `[${quote(s.name)}]`;
}

function number(value: number, type: string): string {
  if (type === 'uint') return `${value}u`;
  if (type === 'double') {
    const s = String(value);
    return /[.eE]/.test(s) ? s : `${s}.0`;
  }
  return String(value);
}

function prec(e: CondExpr): number {
  switch (e.kind) {
    case 'ternary':
      return PREC.ternary;
    case 'or':
      return PREC.or;
    case 'and':
      return PREC.and;
    case 'compare':
    case 'in':
      return PREC.relation;
    case 'arith':
      return e.op === '+' || e.op === '-' ? PREC.addition : PREC.multiplication;
    case 'not':
    case 'negate':
      return PREC.unary;
    case 'literal':
      // A negative number binds like a unary minus.
      return typeof e.value === 'number' && (e.value < 0 || Object.is(e.value, -0)) ? PREC.unary : PREC.member;
    default:
      return PREC.member;
  }
}

/** `text` is the source, for the parts kept verbatim (map literals). */
export function unparse(e: CondExpr, text: string, min = 0): string {
  const s = unparseInner(e, text);
  return prec(e) < min ? `(${s})` : s;
}

function unparseInner(e: CondExpr, text: string): string {
  const u = (x: CondExpr, min: number) => unparse(x, text, min);
  switch (e.kind) {
    case 'ref': {
      // A hyphenated first name is a node id: CEL spells it through `outputs`.
      const root = CEL_IDENT.test(e.root) ? e.root : `outputs[${quote(e.root)}]`;
      return root + e.segments.map(segment).join('');
    }
    case 'literal':
      if (e.type === 'string') return quote(e.value as string);
      if (e.type === 'bytes') return `b${quote(e.value as string)}`;
      if (e.type === 'null') return 'null';
      if (e.type === 'bool') return String(e.value);
      return number(e.value as number, e.type);
    case 'list':
      return `[${e.items.map((x) => u(x, 0)).join(', ')}]`;
    case 'map':
      return text.slice(e.span.offset, e.span.offset + e.span.length);
    case 'select':
      return `${u(e.operand, PREC.member)}${CEL_IDENT.test(e.field) ? `.${e.field}` : `[${quote(e.field)}]`}`;
    case 'not':
      return `!${u(e.operand, PREC.unary)}`;
    case 'negate':
      // Parenthesised: `-3u.a` could be read as the literal -3u.
      return `-${u(e.operand, PREC.member + 1)}`;
    case 'and':
      return `${u(e.left, PREC.and)} && ${u(e.right, PREC.and + 1)}`;
    case 'or':
      return `${u(e.left, PREC.or)} || ${u(e.right, PREC.or + 1)}`;
    case 'compare':
      return `${u(e.left, PREC.relation)} ${e.op} ${u(e.right, PREC.relation + 1)}`;
    case 'in':
      return `${u(e.left, PREC.relation)} in ${u(e.right, PREC.relation + 1)}`;
    case 'arith': {
      const p = e.op === '+' || e.op === '-' ? PREC.addition : PREC.multiplication;
      return `${u(e.left, p)} ${e.op} ${u(e.right, p + 1)}`;
    }
    case 'ternary':
      return `${u(e.test, PREC.or)} ? ${u(e.then, PREC.or)} : ${u(e.else, PREC.ternary)}`;
    case 'has':
      return `has(${u(e.target, 0)})`;
    case 'size':
      return e.spelling === 'size()' ? `size(${u(e.operand, 0)})` : `${u(e.operand, PREC.member)}.size()`;
    case 'call': {
      const args = e.args.map((x) => u(x, 0)).join(', ');
      return e.target ? `${u(e.target, PREC.member)}.${e.name}(${args})` : `${e.name}(${args})`;
    }
    case 'index':
      return `${u(e.operand, PREC.member)}[${u(e.index, 0)}]`;
  }
}

export { quote as quoteCelString };
