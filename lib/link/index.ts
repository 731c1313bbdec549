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
import { WORKFLOW_EXTENSIONS, hasWorkflowExtension, loadWorkflowFile } from '../load';
import type { Workflow, WorkflowNode } from '../model';
import { normaliseWorkflow } from '../normalise';
import { didYouMean } from '../util/suggest';

/** How deep workflows may start workflows that start workflows. */
export const MAX_SUBWORKFLOW_DEPTH = 20;

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
      sink.report(Codes.SubWorkflowInterface, { form: 'missingInput', node: node.id, child: child.id, inputName: input.name }, at);
    }
  }
  const declared = (child.inputs ?? []).map((i) => i.name);
  if (child.inputs) {
    for (const name of passed) {
      if (!declared.includes(name)) sink.report(Codes.SubWorkflowInterface, { form: 'undeclaredInput', node: node.id, name, child: child.id, hint: didYouMean(name, declared) ?? `Its inputs: ${declared.join(', ') || 'none'}.` }, at);
    }
  }
  const childNodes = child.nodes.map((n) => n.id);
  for (const o of node.outputs) {
    if (!childNodes.includes(o.name)) {
      sink.report(Codes.SubWorkflowInterface, { form: 'unknownNode', node: node.id, name: o.name, child: child.id, hint: didYouMean(o.name, childNodes) ?? `Its nodes: ${childNodes.slice(0, 12).join(', ')}.` }, o.range);
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
  /**
   * The workflows `w` can start, by id: its imports, then its folder. A file
   * named after the id (`<id>.osop.yaml`) is tried first; the whole folder is
   * read only when that fails (a folder of thousands of workflows costs one
   * read per id, not one per file).
   */
  const finderOf = (w: Workflow, f: string, report: boolean) => {
    const imported = new Map<string, Known>();
    const dir = path.dirname(path.resolve(f));
    for (const imp of w.imports) {
      const target = path.resolve(dir, imp.path);
      // Imports stay inside the workflow's folder; a message never says whether a file outside it exists.
      if (path.isAbsolute(imp.path) || path.relative(dir, target).startsWith('..')) {
        if (report) sink.report(Codes.UnknownWorkflowRef, { form: 'importOutsideFolder', path: imp.path }, imp.range);
        continue;
      }
      const found = [target, `${target}.yaml`, `${target}.yml`, `${target}.json`].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
      const k = found ? load(found) : null;
      if (k) imported.set(k.workflow.id, k);
      else if (report) sink.report(Codes.UnknownWorkflowRef, { form: 'importNotLoaded', path: imp.path, hasErrors: Boolean(found), dir: path.relative(process.cwd(), dir) || '.' }, imp.range);
    }
    let folder: Map<string, Known> | undefined;
    const wholeFolder = (): Map<string, Known> => {
      if (folder) return folder;
      folder = new Map(imported);
      let siblings: string[] = [];
      try {
        siblings = fs.readdirSync(dir).filter(hasWorkflowExtension).map((n) => path.join(dir, n));
      } catch {
        siblings = [];
      }
      for (const s2 of siblings) {
        if (path.resolve(s2) === path.resolve(f)) continue;
        const k = load(s2);
        if (k && !folder.has(k.workflow.id)) folder.set(k.workflow.id, k);
      }
      return folder;
    };
    return {
      get(id: string): Known | undefined {
        const hit = imported.get(id);
        if (hit) return hit;
        for (const ext of WORKFLOW_EXTENSIONS) {
          const named = path.join(dir, `${id}${ext}`);
          if (path.resolve(named) === path.resolve(f) || path.dirname(named) !== dir || !fs.existsSync(named)) continue;
          const k = load(named);
          if (k?.workflow.id === id) return k;
        }
        return wholeFolder().get(id);
      },
      ids: () => wholeFolder().keys(),
    };
  };

  const known = finderOf(wf, file, true);
  for (const node of refs) {
    const id = node.workflowRef!;
    if (id === wf.id) {
      sink.report(Codes.WorkflowCycle, { form: 'startsItself', node: node.id, id }, node.workflowRefRange ?? node.range);
      continue;
    }
    const k = known.get(id);
    if (!k) {
      sink.report(Codes.UnknownWorkflowRef, { form: 'unknownId', id, hint: didYouMean(id, known.ids()) ?? (wf.imports.length ? undefined : `Add imports: ["./${id}.osop.yaml"], or put the workflow next to this one.`) }, node.workflowRefRange ?? node.range);
      continue;
    }
    result.set(id, k.file);
    checkInterface(node, k.workflow, sink);
  }

  // Cycles through other workflows: depth-first over their references.
  const onPath: string[] = [wf.id];
  const done = new Set<string>();
  let tooDeep = false;
  const visit = (w: Workflow, f: string): string[] | undefined => {
    // Sub-workflows nest a few levels; a chain of thousands of files would take minutes to link.
    if (onPath.length > MAX_SUBWORKFLOW_DEPTH) {
      tooDeep = true;
      return undefined;
    }
    const cands = finderOf(w, f, false);
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
      sink.report(Codes.WorkflowCycle, { form: 'cycle', cycle: cycle.join(' → ') }, node.workflowRefRange ?? node.range);
      break;
    }
    if (tooDeep) {
      sink.report(Codes.WorkflowCycle, { form: 'tooDeep', node: node.id, limit: MAX_SUBWORKFLOW_DEPTH }, node.workflowRefRange ?? node.range);
      break;
    }
  }
  return result;
}
