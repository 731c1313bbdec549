/**
 * Link: resolve `workflow_ref` ids to the workflow files that define them and
 * refuse cycles between workflows. Candidates are the files the workflow
 * `imports` (relative to it) and the workflow files in its own folder (what
 * `cdk deploy` deploys together). Other files are only loaded and
 * normalised: their own errors are reported when they are compiled.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Codes, DiagnosticSink } from '../diagnostics';
import { hasWorkflowExtension, loadWorkflowFile } from '../load';
import type { Workflow, WorkflowNode } from '../model';
import { normaliseWorkflow } from '../normalise';
import { didYouMean } from '../util/suggest';

/** Workflow id → the file that defines it, for each sub-workflow this workflow starts. */
export type SubWorkflowFiles = Map<string, string>;

interface Known {
  file: string;
  workflow: Workflow;
}

/**
 * What a parent passes and reads must match the child: every required input
 * of the child passed (or defaulted), no input the child does not declare,
 * and the outputs the node picks are nodes of the child (its result is
 * `$.outputs`, keyed by node id). Found at compile time, not after side effects.
 */
function checkInterface(node: WorkflowNode, child: Workflow, sink: DiagnosticSink): void {
  const passed = Object.keys(node.workflowInputs ?? {});
  const at = node.workflowRefRange ?? node.range;
  for (const input of child.inputs ?? []) {
    if (input.required && !('default' in input) && !passed.includes(input.name)) {
      sink.error(Codes.SubWorkflowInterface, `Node '${node.id}' starts workflow '${child.id}' without its required input '${input.name}'.`, at, `Pass it: workflow_inputs: { ${input.name}: ... }.`);
    }
  }
  const declared = (child.inputs ?? []).map((i) => i.name);
  if (child.inputs) {
    for (const name of passed) {
      if (!declared.includes(name)) sink.error(Codes.SubWorkflowInterface, `Node '${node.id}' passes '${name}', which workflow '${child.id}' does not declare as an input.`, at, didYouMean(name, declared) ?? `Its inputs: ${declared.join(', ') || 'none'}.`);
    }
  }
  const childNodes = child.nodes.map((n) => n.id);
  for (const o of node.outputs) {
    if (!childNodes.includes(o.name)) {
      sink.error(Codes.SubWorkflowInterface, `Node '${node.id}' reads '${o.name}' from workflow '${child.id}', which has no node of that id (a child's result is its nodes' outputs, by node id).`, o.range, didYouMean(o.name, childNodes) ?? `Its nodes: ${childNodes.slice(0, 12).join(', ')}.`);
    }
  }
}

export function linkSubWorkflows(wf: Workflow, file: string, sink: DiagnosticSink): SubWorkflowFiles {
  const result: SubWorkflowFiles = new Map();
  const refs = wf.nodes.filter((n) => n.workflowRef);
  if (refs.length === 0) return result;
  const cache = new Map<string, Known | null>();
  const load = (f: string): Known | null => {
    const abs = path.resolve(f);
    if (!cache.has(abs)) {
      const quiet = new DiagnosticSink({ path: abs });
      const loaded = loadWorkflowFile(abs, quiet);
      const other = loaded ? normaliseWorkflow(loaded, quiet) : undefined;
      cache.set(abs, other ? { file: abs, workflow: other } : null);
    }
    return cache.get(abs)!;
  };
  const candidatesOf = (w: Workflow, f: string, report: boolean): Map<string, Known> => {
    const byId = new Map<string, Known>();
    const dir = path.dirname(path.resolve(f));
    for (const imp of w.imports) {
      const target = path.resolve(dir, imp.path);
      const found = [target, `${target}.yaml`, `${target}.yml`, `${target}.json`].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
      const k = found ? load(found) : null;
      if (k) byId.set(k.workflow.id, k);
      else if (report) sink.error(Codes.UnknownWorkflowRef, `Cannot load the imported workflow '${imp.path}'${found ? ' (it has errors: compile it to see them)' : ''}.`, imp.range, `Paths are relative to ${path.relative(process.cwd(), dir) || '.'}/.`);
    }
    let siblings: string[] = [];
    try {
      siblings = fs.readdirSync(dir).filter(hasWorkflowExtension).map((n) => path.join(dir, n));
    } catch {
      siblings = [];
    }
    for (const s of siblings) {
      if (path.resolve(s) === path.resolve(f)) continue;
      const k = load(s);
      if (k && !byId.has(k.workflow.id)) byId.set(k.workflow.id, k);
    }
    return byId;
  };

  const known = candidatesOf(wf, file, true);
  for (const node of refs) {
    const id = node.workflowRef!;
    if (id === wf.id) {
      sink.error(Codes.WorkflowCycle, `Node '${node.id}' starts its own workflow '${id}': it would start itself forever.`, node.workflowRefRange ?? node.range);
      continue;
    }
    const k = known.get(id);
    if (!k) {
      sink.error(Codes.UnknownWorkflowRef, `No workflow with id '${id}' is imported or in the same folder.`, node.workflowRefRange ?? node.range, didYouMean(id, known.keys()) ?? (wf.imports.length ? undefined : `Add imports: ["./${id}.osop.yaml"], or put the workflow next to this one.`));
      continue;
    }
    result.set(id, k.file);
    checkInterface(node, k.workflow, sink);
  }

  // Cycles through other workflows: depth-first over their references.
  const onPath: string[] = [wf.id];
  const done = new Set<string>();
  const visit = (w: Workflow, f: string): string[] | undefined => {
    const cands = candidatesOf(w, f, false);
    for (const n of w.nodes) {
      if (!n.workflowRef) continue;
      const next = n.workflowRef;
      if (onPath.includes(next)) return [...onPath.slice(onPath.indexOf(next)), next];
      if (done.has(next)) continue;
      const k = next === wf.id ? undefined : cands.get(next);
      if (!k) continue;
      onPath.push(next);
      const cycle = visit(k.workflow, k.file);
      onPath.pop();
      if (cycle) return cycle;
      done.add(next);
    }
    return undefined;
  };
  for (const node of refs) {
    const k = result.get(node.workflowRef!) ? known.get(node.workflowRef!) : undefined;
    if (!k) continue;
    onPath.push(k.workflow.id);
    const cycle = visit(k.workflow, k.file);
    onPath.pop();
    if (cycle) {
      sink.error(Codes.WorkflowCycle, `Workflows start each other in a cycle: ${cycle.join(' → ')}.`, node.workflowRefRange ?? node.range, 'A workflow may not (indirectly) start itself: break the cycle.');
      break;
    }
  }
  return result;
}
