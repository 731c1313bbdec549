/**
 * Load: read a workflow file and parse it with the `yaml` package, keeping the
 * source position of every value so that later stages can point at
 * file:line:column. Output: a `SourceFile` (text, line table) and a
 * `LoadedDocument` (plain JS value + a location table).
 */
import * as fs from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, Scalar } from 'yaml';
import { Codes, computeLineStarts, DiagnosticSink, type SourceFile, type SourceRange } from '../diagnostics';

export const WORKFLOW_EXTENSIONS = ['.osop', '.osop.yaml', '.osop.yml', '.osop.json'] as const;

/**
 * Files larger than this are refused before parsing: the spec recommends 1 MB, and a state machine
 * definition may not exceed 1 MB, so a file four times that size is not a workflow Step Functions can run.
 */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Aliases are expanded when converting to plain values; bound the expansion ("billion laughs"). */
const MAX_ALIAS_EXPANSIONS = 10_000;
/**
 * Values the document may expand to, aliases included: the expansion, not
 * the number of alias references, is what costs memory (a 50 KB file can
 * otherwise expand to gigabytes).
 */
const MAX_EXPANDED_VALUES = 1_000_000;
/** Nesting of maps and lists: real workflows nest a few levels; recursion must not overflow. */
export const MAX_NESTING = 100;

export type { SourceFile } from '../diagnostics';

/** Where a map's keys and values, and a sequence's items, are in the source. */
export interface Location {
  range: SourceRange;
  keys?: Map<string, { key: SourceRange; value: SourceRange; style?: string }>;
  items?: { range: SourceRange; style?: string }[];
  /** Style of a scalar (`PLAIN`, `QUOTE_DOUBLE`, ...): needed to map offsets inside a string. */
  style?: string;
}

/** Location table keyed by the plain objects/arrays produced from the YAML. */
export type LocationTable = WeakMap<object, Location>;

export interface LoadedDocument {
  file: SourceFile;
  value: unknown;
  locations: LocationTable;
  /** Range of the whole document. */
  range: SourceRange;
}

export function hasWorkflowExtension(path: string): boolean {
  return WORKFLOW_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/** Read and parse a file from disk; reports into `sink` and returns undefined on failure. */
export function loadWorkflowFile(path: string, sink: DiagnosticSink, source?: string): LoadedDocument | undefined {
  let text = source;
  if (text === undefined) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path);
    } catch {
      sink.report(Codes.FileNotFound, { form: 'missing', path }, null);
      return undefined;
    }
    if (stat.isDirectory()) {
      sink.report(Codes.NotAFile, { form: 'directory', path, dir: path.replace(/\/$/, '') }, null);
      return undefined;
    }
    if (!stat.isFile()) {
      sink.report(Codes.NotAFile, { form: 'notRegular', path }, null);
      return undefined;
    }
    if (stat.size > MAX_FILE_BYTES) {
      sink.report(Codes.FileTooLarge, { path, size: stat.size, limit: MAX_FILE_BYTES }, null);
      return undefined;
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path);
    } catch (e) {
      sink.report(Codes.FileNotFound, { form: 'unreadable', path, errno: (e as NodeJS.ErrnoException).code ?? 'read error' }, null);
      return undefined;
    }
    text = decodeUtf8(bytes, path, sink);
    if (text === undefined) return undefined;
  }
  return parseWorkflowText(path, text, sink);
}

/** Parse source text (YAML 1.2; JSON is a subset). */
export function parseWorkflowText(path: string, text: string, sink: DiagnosticSink): LoadedDocument | undefined {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const file: SourceFile = { path, text, lineStarts: computeLineStarts(text) };
  // Diagnostics of this file now have positions.
  (sink as { file: unknown }).file = file;
  if (!hasWorkflowExtension(path)) {
    sink.report(Codes.UnsupportedExtension, { path, extensions: WORKFLOW_EXTENSIONS.join(', ') }, null);
  }
  if (text.trim() === '' || /^(\s*#[^\n]*\n?)*\s*$/.test(text)) {
    sink.report(Codes.EmptyFile, { form: 'empty' }, { offset: 0, length: 0 });
    return undefined;
  }
  // Duplicate keys are found by toPlain, in linear time (the parser's own check compares every pair of keys).
  const depth = nestingDepth(text);
  if (depth.depth > MAX_NESTING) {
    sink.report(Codes.TooDeep, { form: 'tooDeep', depth: depth.depth, limit: MAX_NESTING }, { offset: depth.at, length: 1 });
    return undefined;
  }
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, strict: false });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    sink.report(Codes.TooDeep, { form: 'parserTooDeep' }, { offset: 0, length: 0 });
    return undefined;
  }
  for (const err of doc.errors) {
    const offset = err.pos?.[0] ?? 0;
    if (err.code === 'DUPLICATE_KEY') {
      sink.report(Codes.DuplicateKey, {}, { offset, length: 1 });
    } else {
      sink.report(Codes.YamlSyntax, { form: 'parser', parserMessage: cleanYamlMessage(err.message), hint: yamlHint(err.code) }, { offset, length: 1 });
    }
  }
  if (doc.errors.length > 0) return undefined;
  if (!doc.contents || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === undefined))) {
    sink.report(Codes.EmptyFile, { form: 'noDocument' }, { offset: 0, length: 0 });
    return undefined;
  }
  const locations: LocationTable = new WeakMap();
  const state: PlainState = { aliases: 0, values: 0, doc, duplicates: [] };
  let value: unknown;
  try {
    value = toPlain(doc.contents as YamlNode, locations, state);
  } catch (e) {
    if (e instanceof AliasLimitError) {
      sink.report(Codes.YamlSyntax, { form: 'aliases', message: e.message }, { offset: e.offset, length: 1 });
      return undefined;
    }
    if (e instanceof RangeError) {
      sink.report(Codes.TooDeep, { form: 'parserTooDeep' }, { offset: 0, length: 0 });
      return undefined;
    }
    throw e;
  }
  for (const offset of state.duplicates) {
    sink.report(Codes.DuplicateKey, {}, { offset, length: 1 });
  }
  if (state.duplicates.length) return undefined;
  const r = (doc.contents as YamlNode).range ?? [0, text.length];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    sink.report(Codes.NotAMapping, { kind: describe(value) }, { offset: r[0], length: 1 });
    return undefined;
  }
  return { file, value, locations, range: { offset: r[0], length: r[1] - r[0] } };
}

class AliasLimitError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

interface PlainState {
  aliases: number;
  /** Values produced so far, alias expansions included. */
  values: number;
  doc: Document;
  /** Offsets of keys that repeat a key of the same mapping. */
  duplicates: number[];
}

function toPlain(node: YamlNode | null, locations: LocationTable, state: PlainState): unknown {
  if (node === null || node === undefined) return null;
  if (++state.values > MAX_EXPANDED_VALUES) throw new AliasLimitError(`The document expands to more than ${MAX_EXPANDED_VALUES} values (YAML aliases repeat what they name).`, node.range?.[0] ?? 0);
  if (isAlias(node)) {
    if (++state.aliases > MAX_ALIAS_EXPANSIONS) throw new AliasLimitError(`YAML aliases are used more than ${MAX_ALIAS_EXPANSIONS} times.`, node.range?.[0] ?? 0);
    const target = node.resolve(state.doc);
    return target ? toPlain(target as YamlNode, locations, state) : null;
  }
  if (isScalar(node)) return node.value ?? null;
  const range = rangeOf(node);
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const keys = new Map<string, { key: SourceRange; value: SourceRange; style?: string }>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const key = keyNode && isScalar(keyNode) ? String(keyNode.value) : String(toPlain(keyNode, locations, state));
      const valueNode = pair.value as YamlNode | null;
      const keyRange = keyNode ? rangeOf(keyNode) : range;
      // A key with no value (`a:`) points at the key.
      const valueRange = valueNode ? rangeOf(valueNode) : keyRange;
      if (key === '__proto__') continue; // never let a document set an object's prototype
      if (keys.has(key)) {
        state.duplicates.push(keyRange.offset);
        continue;
      }
      out[key] = toPlain(valueNode, locations, state);
      keys.set(key, { key: keyRange, value: valueRange, style: valueNode && isScalar(valueNode) ? (valueNode as Scalar).type : undefined });
    }
    locations.set(out, { range, keys });
    return out;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    const items: { range: SourceRange; style?: string }[] = [];
    for (const item of node.items) {
      const itemNode = item as YamlNode | null;
      out.push(toPlain(itemNode, locations, state));
      items.push({ range: itemNode ? rangeOf(itemNode) : range, style: itemNode && isScalar(itemNode) ? (itemNode as Scalar).type : undefined });
    }
    locations.set(out, { range, items });
    return out;
  }
  return null;
}

/**
 * How deep the document nests, by a linear scan of indentation and brackets
 * (before parsing: the parser and the conversion recurse).
 */
function nestingDepth(text: string): { depth: number; at: number } {
  let flow = 0;
  let maxDepth = 0;
  let at = 0;
  let indentLevels: number[] = [];
  let lineStart = true;
  let indent = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      if (quote === "'" || quote === '"') continue;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '-') {
        indent++;
        continue;
      }
      if (c === '#') {
        lineStart = false;
        continue;
      }
      lineStart = false;
      if (flow === 0) {
        indentLevels = indentLevels.filter((l) => l < indent);
        indentLevels.push(indent);
      }
    }
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') flow++;
    else if ((c === ']' || c === '}') && flow > 0) flow--;
    const depth = indentLevels.length + flow;
    if (depth > maxDepth) {
      maxDepth = depth;
      at = i;
    }
  }
  return { depth: maxDepth, at };
}

/** The file's text; invalid UTF-8 is a diagnostic with its byte position, never silently replaced. */
function decodeUtf8(bytes: Buffer, file: string, sink: DiagnosticSink): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the first bad byte: decode growing prefixes would be quadratic, so validate sequence by sequence.
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i];
      const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
      let ok = n > 0 && i + n <= bytes.length;
      for (let k = 1; ok && k < n; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
      if (!ok) break;
      i += n;
    }
    const line = bytes.subarray(0, i).toString('utf8').split('\n').length;
    sink.report(Codes.InvalidUtf8, { file, offset: i, line, byteHex: (bytes[i] ?? 0).toString(16).padStart(2, '0') }, null);
    return undefined;
  }
}

function rangeOf(node: YamlNode): SourceRange {
  const r = node.range;
  if (!r) return { offset: 0, length: 0 };
  return { offset: r[0], length: Math.max(0, r[1] - r[0]) };
}

function describe(v: unknown): string {
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
}

function cleanYamlMessage(msg: string): string {
  return msg.replace(/\s+at line \d+, column \d+.*$/s, '').trim();
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'BAD_INDENT':
      return 'Check the indentation of this line against the lines above it.';
    case 'MISSING_CHAR':
      return 'A closing quote or bracket is missing.';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs.';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return "A key is missing its ':' or a value is not indented under its key.";
    default:
      return undefined;
  }
}
