/**
 * `${...}` interpolation templates: parsing, and lowering to a JSONPath or a
 * `States.Format` intrinsic for an ASL Parameters field.
 *
 * - Before a `{`, `$$` stands for one `$`: `$${x}` is the literal text `${x}`,
 *   `$$${x}` is `$` followed by the value of x. Elsewhere `$` is literal
 *   (`$$` stays `$$`). Chosen over `\${`, which needs `\\${` inside YAML
 *   double quotes; `\${` is not an escape.
 * - Inside `${ }`: one dotted name, as in conditions, where names may contain
 *   hyphens (node ids) and `[0]` / `['key']` steps are allowed.
 * - Secret placeholders are never resolved: they stay as the text
 *   `${secrets.NAME}` for the handler to substitute.
 *
 * Escaping inside an intrinsic's '...' literal (AWS: "' { } \ must be escaped
 * with a backslash"), and two workarounds checked against the toolchain:
 *  - asl-validator (asl-path-validator 0.16.1, also bundled in the local engine,
 *    which validates definitions before running them) rejects `\\` in an
 *    intrinsic literal (its escape rule excludes `\` and `n`). A backslash in
 *    the text is therefore never written as `\\`: each run of backslashes
 *    becomes a `{}` argument `States.Base64Decode('XA==')`, valid for AWS and
 *    both validators. (The local engine then drops it anyway: it strips every
 *    backslash from intrinsic results, including data values.)
 *  - The local engine splits intrinsic arguments by counting parentheses even
 *    inside quotes, so text with unbalanced parentheses (":-(") breaks the
 *    argument list. When the text is unbalanced, parentheses are passed the
 *    same way (`States.Base64Decode('KA==')`).
 *  - statelint recognises an intrinsic with `^States.Format\(.+\)$`, where `.`
 *    stops at line breaks; `\n` and `\r` are passed the same way. (Not U+2028
 *    and U+2029, which it also stops at: the local engine's Base64Decode reads
 *    bytes as Latin-1, so only ASCII can go that way.)
 */
import { classifyReference } from './references';
import type { ExprError, LoweredTemplate, ParseResult, ParsedTemplate, Reference, Resolver, Span, TemplatePart } from './types';
import { isExprError } from './types';

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_-]/;
const WS = /\s/;

function err(message: string, offset: number, length: number, hint?: string): ExprError {
  const span = { offset, length: Math.max(length, 0) };
  return hint === undefined ? { message, span } : { message, span, hint };
}

/** Parse the reference between `start` (after `${`) and `close` (the `}`). */
function parseInner(text: string, open: number, start: number, close: number): Reference | ExprError {
  let i = start;
  while (i < close && WS.test(text[i])) i++;
  if (i === close) return err('Empty reference: ${} names nothing.', open, close + 1 - open, 'Write a name such as ${inputs.x} or ${node.field}; $${ gives a literal ${.');
  const refStart = i;
  const names: string[] = [];
  let firstEnd = -1;
  const readName = (): string | ExprError => {
    const s = i;
    if (i >= close || !NAME_START.test(text[i])) return unexpected(text, i, close, open);
    while (i < close && NAME_PART.test(text[i])) i++;
    return text.slice(s, i);
  };
  const first = readName();
  if (typeof first !== 'string') return first;
  names.push(first);
  firstEnd = i;
  while (i < close) {
    const c = text[i];
    if (c === '.') {
      i++;
      const n = readName();
      if (typeof n !== 'string') return n;
      names.push(n);
    } else if (c === '[') {
      const m = /^\[(?:(0|[1-9][0-9]*)|'([^'\\]*)'|"([^"\\]*)")\]/.exec(text.slice(i, close + 1));
      if (!m) return err("An index is [0] or ['key'].", i, close - i);
      names.push(m[1] ?? m[2] ?? m[3]);
      i += m[0].length;
    } else {
      break;
    }
  }
  const refEnd = i;
  while (i < close && WS.test(text[i])) i++;
  if (i < close) return unexpected(text, i, close, open);
  const span: Span = { offset: refStart, length: refEnd - refStart };
  return classifyReference(names, span, { offset: refStart, length: firstEnd - refStart });
}

function unexpected(text: string, i: number, close: number, open: number): ExprError {
  const rest = text.slice(i, close);
  if (/^:[-=+?]/.test(rest)) {
    return err(`'${text.slice(open, close + 1)}' is shell syntax (a default value), not OSOP interpolation.`, i, close - i, `To pass it to the shell unchanged, write $${text.slice(open, close + 1)}.`);
  }
  if (WS.test(text[i - 1] ?? '')) {
    return err(`A reference is a single dotted name; '${rest.trim()}' follows it.`, i, close - i, 'Write one name such as ${inputs.x} or ${node.field}.');
  }
  if (i >= close) return err('A name is missing here.', i, 0, 'Names start with a letter or _.');
  const ch = String.fromCodePoint(text.codePointAt(i)!);
  return err(`Unexpected '${ch}' in a reference.`, i, ch.length, 'References are dotted names such as ${inputs.x}, ${outputs.node.x} or ${node.x}.');
}

export function parseTemplate(text: string): ParseResult<ParsedTemplate> {
  const parts: TemplatePart[] = [];
  const references: Reference[] = [];
  let buf = '';
  let i = 0;
  for (;;) {
    const run = text.indexOf('$', i);
    if (run < 0) {
      buf += text.slice(i);
      break;
    }
    buf += text.slice(i, run);
    let e = run;
    while (text[e] === '$') e++;
    const k = e - run;
    if (text[e] !== '{') {
      buf += text.slice(run, e);
      i = e;
      continue;
    }
    // `$$` before `{` is one literal `$`; an odd run ends with an interpolation.
    buf += '$'.repeat(k >> 1);
    if (k % 2 === 0) {
      buf += '{';
      i = e + 1;
      continue;
    }
    const d = e - 1;
    const close = text.indexOf('}', d + 2);
    if (close < 0) return { ok: false, error: err("'${' is not closed.", d, text.length - d, "Close it with '}', or write $${ for a literal ${.") };
    const ref = parseInner(text, d, d + 2, close);
    if (isExprError(ref)) return { ok: false, error: ref };
    if (buf) parts.push({ kind: 'text', text: buf });
    buf = '';
    parts.push({ kind: 'ref', ref, raw: text.slice(d, close + 1) });
    references.push(ref);
    i = close + 1;
  }
  if (buf) parts.push({ kind: 'text', text: buf });
  return { ok: true, value: { text, parts, references }, notes: [] };
}

/**
 * Template source for a literal text: doubles each run of `$` that precedes a
 * `{`, and the trailing run when a reference follows the text.
 */
export function escapeTemplateText(s: string, beforeReference = false): string {
  return s.replace(beforeReference ? /\$+(?=\{|$)/g : /\$+(?=\{)/g, (m) => m + m);
}

/** Escape `'`, `{`, `}` and `\` with a backslash, for use inside an intrinsic's '...' literal. */
export function escapeIntrinsicString(s: string): string {
  return s.replace(/['{}\\]/g, (c) => `\\${c}`);
}

/** The placeholder the handler substitutes. */
export function secretPlaceholder(name: string): string {
  return `\${secrets.${name}}`;
}

function unbalanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return depth !== 0;
}

/**
 * An intrinsic argument that evaluates to `s`: a '...' literal, or, when `s`
 * holds what the toolchain mishandles in literals (see the file comment), a
 * `States.Format` that passes those characters through `States.Base64Decode`.
 */
export function intrinsicStringArgument(s: string): string {
  const { format, args } = formatPieces([{ text: s }]);
  return args.length === 0 ? `'${format}'` : `States.Format('${format}', ${args.join(', ')})`;
}

/** The format string and arguments for a sequence of literal texts and data paths. */
function formatPieces(pieces: ({ text: string } | { path: string })[]): { format: string; args: string[] } {
  const hoistParens = unbalanced(pieces.map((p) => ('text' in p ? p.text : '')).join(''));
  const hoist = hoistParens ? /\\+|[\n\r]+|[()]+/g : /\\+|[\n\r]+/g;
  let format = '';
  const args: string[] = [];
  for (const p of pieces) {
    if ('path' in p) {
      format += '{}';
      args.push(p.path);
      continue;
    }
    let last = 0;
    for (const m of p.text.matchAll(hoist)) {
      format += escapeIntrinsicString(p.text.slice(last, m.index));
      format += '{}';
      args.push(`States.Base64Decode('${Buffer.from(m[0], 'utf8').toString('base64')}')`);
      last = m.index! + m[0].length;
    }
    format += escapeIntrinsicString(p.text.slice(last));
  }
  return { format, args };
}

/**
 * Lower a template for an ASL Parameters field: a literal (text and secret
 * placeholders only), a path (exactly one data reference and nothing else,
 * keeping the JSON type), or a `States.Format` intrinsic. The resolver is
 * called for every non-secret reference; `mayBeAbsent` is the caller's
 * concern (States.Format fails on a missing path).
 */
export function lowerTemplate(t: ParsedTemplate, resolve: Resolver): LoweredTemplate | ExprError {
  const pieces: ({ text: string } | { path: string; json?: boolean })[] = [];
  let dataRefs = 0;
  for (const part of t.parts) {
    if (part.kind === 'text') {
      if (part.text) pieces.push({ text: part.text });
      continue;
    }
    if (part.ref.kind === 'secret') {
      pieces.push({ text: secretPlaceholder(part.ref.name) });
      continue;
    }
    const r = resolve(part.ref);
    if (isExprError(r)) return r;
    pieces.push({ path: r.path, ...(r.json ? { json: true } : {}) });
    dataRefs++;
  }
  if (dataRefs === 0) return { kind: 'literal', value: pieces.map((p) => (p as { text: string }).text).join('') };
  if (pieces.length === 1) return { kind: 'path', path: (pieces[0] as { path: string }).path };
  // Adjacent texts (a secret placeholder next to text) form one literal run.
  const merged: ({ text: string } | { path: string })[] = [];
  // An object or a list inside text is written as JSON: States.Format takes only scalars (a run-time States.Runtime otherwise).
  for (const p of pieces.map((x) => ('json' in x && x.json ? { path: `States.JsonToString(${x.path})` } : x))) {
    const prev = merged[merged.length - 1];
    if ('text' in p && prev && 'text' in prev) merged[merged.length - 1] = { text: prev.text + p.text };
    else merged.push(p);
  }
  const { format, args } = formatPieces(merged);
  return { kind: 'intrinsic', expression: `States.Format('${format}', ${args.join(', ')})` };
}
