/** check, compile and graph: each one call of the compiler and some printing. */
import * as fs from 'node:fs';
import { compile, aslJsonText } from '../index';
import { DiagnosticSink } from '../diagnostics';
import { loadWorkflowFile } from '../load';
import { normaliseWorkflow } from '../normalise';
import { renderGraph } from '../render/graph';
import type { CompileResult } from '../types';
import { githubAnnotations, sarifLog } from './ci-formats';
import { ExitCode, countBySeverity, plural, printDiagnostics } from './output';

type DiagFormat = 'pretty' | 'json';

function exitFor(results: CompileResult[]): number {
  if (results.some((r) => r.internalError)) return ExitCode.Internal;
  return results.every((r) => r.ok) ? ExitCode.Ok : ExitCode.Failed;
}

/** `pretty` and `json` print each diagnostic on stderr; `github` (annotations) and `sarif` write them for CI on stdout. */
export type CheckFormat = DiagFormat | 'github' | 'sarif';

export function runCheck(files: string[], opts: { format: CheckFormat; strict?: boolean; version: string }): number {
  const results = files.map((f) => compile(f, { strict: Boolean(opts.strict) }));
  const all = results.flatMap((r) => r.diagnostics);
  if (opts.format === 'github') process.stdout.write(githubAnnotations(all));
  else if (opts.format === 'sarif') process.stdout.write(`${JSON.stringify(sarifLog(all, { version: opts.version }), null, 2)}\n`);
  else for (const r of results) printDiagnostics(r.diagnostics, opts.format);
  if (opts.format !== 'json') {
    const { errors, warnings } = countBySeverity(all);
    const ok = results.filter((r) => r.ok).length;
    process.stderr.write(`${plural(files.length, 'file')} checked: ${ok} ok, ${files.length - ok} with errors (${plural(errors, 'error')}, ${plural(warnings, 'warning')}).\n`);
  }
  return exitFor(results);
}

export function runCompile(file: string, opts: { out?: string; report?: string; diagnostics: DiagFormat; strict?: boolean }): number {
  const r = compile(file, { strict: Boolean(opts.strict) });
  printDiagnostics(r.diagnostics, opts.diagnostics);
  if (!r.ok || !r.definition) return exitFor([r]);
  const text = aslJsonText(r.definition);
  try {
    if (opts.out) fs.writeFileSync(opts.out, text);
    else process.stdout.write(text);
    if (opts.report) fs.writeFileSync(opts.report, `${JSON.stringify(r.report, null, 2)}\n`);
  } catch (e) {
    process.stderr.write(`osop-sfn: cannot write output: ${(e as NodeJS.ErrnoException).message}\n`);
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}

export function runGraph(file: string, opts: { format: 'mermaid' | 'dot'; diagnostics: DiagFormat }): number {
  const sink = new DiagnosticSink({ path: file });
  const loaded = loadWorkflowFile(file, sink);
  const wf = loaded ? normaliseWorkflow(loaded, sink) : undefined;
  printDiagnostics(sink.diagnostics.filter((d) => d.severity === 'error'), opts.diagnostics);
  if (!wf || sink.hasErrors) return ExitCode.Failed;
  process.stdout.write(renderGraph(wf, opts.format));
  return ExitCode.Ok;
}
