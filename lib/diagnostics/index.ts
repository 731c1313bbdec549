import type { Diagnostic, Severity } from '../types';
import { CODE_INFO, type Code, type CodeInfo, type MessageParams } from './codes';

export { CODE_INFO, Codes } from './codes';
export type { Code, MessageParams } from './codes';

/** A source file as the diagnostics see it: its text and where its lines start. */
export interface SourceFile {
  path: string;
  text: string;
  lineStarts: number[];
}

/** A position in a source file by character offset; turned into line:column only when reported. */
export interface SourceRange {
  offset: number;
  length: number;
}

/**
 * Collects diagnostics for one source file. Stages take a sink and report
 * into it instead of throwing, so that one run reports every problem.
 */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: SourceFile | { path: string; text?: undefined; lineStarts?: undefined },
    /** Readings of loose forms (and manual steps) are errors, not warnings (`--strict`). */
    readonly strict = false,
  ) {}

  /** Diagnostics of each code so far: past `MAX_PER_CODE` of one code, the rest are only counted. */
  private readonly perCode = new Map<string, number>();

  /**
   * Report `code` at `at` (none: about the file as a whole). The message and
   * hint come from the code's templates in CODE_INFO, filled with `params`
   * (typed per code); so does the severity. A 'reading' (a loose form read one
   * documented way) is a warning, or an error when strict.
   */
  report<C extends Code>(code: C, params: MessageParams<C>, at?: SourceRange | null): void {
    const info: CodeInfo = CODE_INFO[code];
    const severity: Severity = info.severity === 'reading' ? (this.strict ? 'error' : 'warning') : info.severity;
    this.push(severity, code, () => info.message(params), () => info.hint?.(params), at);
  }

  /** Adds one diagnostic; its text is only made when it is printed in full (not counted in a summary). */
  private push(severity: Severity, code: string, message: () => string, hint: () => string | undefined, at?: SourceRange | null): void {
    const n = (this.perCode.get(`${severity}${code}`) ?? 0) + 1;
    this.perCode.set(`${severity}${code}`, n);
    if (n > MAX_PER_CODE) {
      // One summary stands for the rest (200,000 duplicate edges are one problem, not 199,999 lines).
      const summary = this.diagnostics.find((d) => d.code === code && d.severity === severity && d.message.startsWith('… and '));
      const more = n - MAX_PER_CODE;
      const text = `… and ${more} more ${code} ${severity}${more === 1 ? '' : 's'} like the ones above.`;
      if (summary) summary.message = text;
      else this.diagnostics.push({ severity, code, message: text, file: this.file.path, line: 0, column: 0 });
      return;
    }
    const d: Diagnostic = { severity, code, message: message(), file: this.file.path, line: 0, column: 0 };
    const h = hint();
    if (h) d.hint = h;
    if (at && this.file.text !== undefined && this.file.lineStarts) {
      const { line, column } = positionOf(this.file.lineStarts, at.offset);
      d.line = line;
      d.column = column;
      const { text: sourceLine, column: shown } = clipped(lineText(this.file.text, this.file.lineStarts, line), column);
      d.sourceLine = sourceLine;
      d.sourceColumn = shown;
    }
    this.diagnostics.push(d);
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

/** Diagnostics of one code and severity printed in full; the rest are counted in one summary. */
export const MAX_PER_CODE = 50;
/** A source line is shown at most this long, around the caret. */
const MAX_SOURCE_LINE = 160;

/** The part of a long line around `column`, with the caret's column in it. */
function clipped(line: string, column: number): { text: string; column: number } {
  if (line.length <= MAX_SOURCE_LINE) return { text: line, column };
  const start = Math.max(0, Math.min(column - 1 - MAX_SOURCE_LINE / 2, line.length - MAX_SOURCE_LINE));
  const end = start + MAX_SOURCE_LINE;
  const text = `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
  return { text, column: column - start + (start > 0 ? 1 : 0) };
}

/** Offsets of the first character of each line; built once per file. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column of an offset (binary search: O(log lines)). */
export function positionOf(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

function lineText(text: string, lineStarts: number[], line: number): string {
  const start = lineStarts[line - 1];
  const end = line < lineStarts.length ? lineStarts[line] - 1 : text.length;
  return text.slice(start, end).replace(/\r$/, '');
}
