/**
 * osop-sfn's compile function: load → normalise → analyse → lower → emit.
 * The CLI, the CDK construct and the local runner all call `compile`.
 */
import { analyseWorkflow } from './analyse';
import { Codes, DiagnosticSink, type SourceRange } from './diagnostics';
import { compileReport, toAslDefinition } from './emit';
import { definitionLimitProblems } from './emit/aws-limits';
import { linkSubWorkflows } from './link';
import { loadWorkflowFile, type LoadedDocument } from './load';
import type { Workflow } from './model';
import { lowerWorkflow } from './lower';
import { DEFAULT_MAX_FALLBACKS } from './lower/layout';
import { normaliseWorkflow } from './normalise';
import type { AslDefinition, CompileOptions, CompileResult } from './types';

export * from './types';
export { aslJsonText } from './emit';

const OPTION_KEYS = new Set(['source', 'defaultFallbackBound', 'strict']);

/** Step Functions' limit on a definition (CreateStateMachine / UpdateStateMachine, Developer Guide "Quotas"). */
export const MAX_DEFINITION_BYTES = 1024 * 1024;
/** The smallest state a node can lower to (`"x":{"Type":"Pass","End":true}`): a bound checked before lowering. */
const MIN_STATE_BYTES = 30;

/** A definition over Step Functions' 1 MB is refused here, not by CreateStateMachine after a deploy started. */
function checkDefinitionSize(definition: AslDefinition, sink: DiagnosticSink, at: SourceRange): boolean {
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(definition));
  } catch {
    bytes = Infinity; // longer than a string can be
  }
  if (bytes <= MAX_DEFINITION_BYTES) return true;
  sink.report(Codes.DefinitionTooLarge, { form: 'measured', size: Number.isFinite(bytes) ? `${bytes} bytes` : 'too large to write', limit: MAX_DEFINITION_BYTES }, at);
  return false;
}

/** What CreateStateMachine would refuse in the definition (the state-name limit is checked as states are made). */
function checkStateLimits(definition: AslDefinition, sink: DiagnosticSink, wf: Workflow): boolean {
  const problems = definitionLimitProblems(definition).filter((p) => p.kind !== 'name');
  if (!problems.length) return true;
  const nodeRange = new Map(wf.nodes.map((n) => [n.id, n.range]));
  for (const p of problems) {
    const at = nodeRange.get(p.state.split(':')[0]) ?? wf.idRange;
    if (p.kind === 'cause') sink.report(Codes.FailCauseTooLong, { message: p.message }, at);
    else sink.report(Codes.IntrinsicTooDeep, { message: p.message }, at);
  }
  return false;
}

/** Compile one workflow file (or its given source text) to ASL. Never throws for bad input. */
export function compile(file: string, options: CompileOptions = {}): CompileResult {
  return compileDocument(file, options).result;
}

/**
 * `compile`, also handing back the loaded document and the normalised
 * workflow (for `osop-sfn test`, which reads the `tests:` section with positions).
 * @internal
 */
export function compileDocument(file: string, options: CompileOptions = {}): { result: CompileResult; loaded?: LoadedDocument; workflow?: Workflow } {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new TypeError(`compile(): unknown option '${key}'. Known options: ${[...OPTION_KEYS].join(', ')}.`);
  }
  if (options.defaultFallbackBound !== undefined && (!Number.isInteger(options.defaultFallbackBound) || options.defaultFallbackBound < 0)) {
    throw new TypeError('compile(): defaultFallbackBound must be a non-negative integer.');
  }
  const sink = new DiagnosticSink({ path: file }, options.strict ?? false);
  let loaded: LoadedDocument | undefined;
  let wf: Workflow | undefined;
  const failed = () => ({ result: { ok: false, diagnostics: sink.diagnostics }, loaded, workflow: wf });
  try {
    loaded = loadWorkflowFile(file, sink, options.source);
    if (!loaded) return failed();
    wf = normaliseWorkflow(loaded, sink);
    if (!wf || sink.hasErrors) return failed();
    if (wf.nodes.length * MIN_STATE_BYTES > MAX_DEFINITION_BYTES) {
      sink.report(Codes.DefinitionTooLarge, { form: 'estimated', nodesCount: wf.nodes.length, limit: MAX_DEFINITION_BYTES }, wf.range);
      return failed();
    }
    const analysed = analyseWorkflow(wf, sink);
    if (!analysed || sink.hasErrors) return failed();
    const subWorkflowFiles = linkSubWorkflows(wf, file, sink);
    if (sink.hasErrors) return failed();
    const lowered = lowerWorkflow(analysed, sink, { defaultFallbackBound: options.defaultFallbackBound ?? DEFAULT_MAX_FALLBACKS });
    if (!lowered || sink.hasErrors) return failed();
    const definition = toAslDefinition(lowered);
    if (!checkDefinitionSize(definition, sink, wf.idRange) || !checkStateLimits(definition, sink, wf)) return failed();
    return { result: { ok: true, diagnostics: sink.diagnostics, definition, report: compileReport(analysed, lowered, subWorkflowFiles) }, loaded, workflow: wf };
  } catch (e) {
    // A bug in the compiler, not in the input: say so, with what a bug report needs.
    const err = e as Error;
    sink.report(Codes.Internal, { error: err?.message ?? String(e), stack: err?.stack?.split('\n').slice(1, 4).join(' | ').trim() }, null);
    return { result: { ok: false, diagnostics: sink.diagnostics, internalError: true }, loaded, workflow: wf };
  }
}
