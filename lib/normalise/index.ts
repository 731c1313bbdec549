/**
 * Normalise: validate the loaded document's shape (zod) and turn the dialects
 * of real OSOP files into the one `Workflow` model:
 *   when | condition; purpose | description; runtime | config;
 *   outputs as names, {name,...}, a map of schemas, or one-key path maps;
 *   retry_policy | retry; timeout_sec | timeout durations; osop | osop_version.
 * Unknown keys warn; `x-` keys are ignored except our own `x-sfn`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Codes, DiagnosticSink, type SourceRange } from '../diagnostics';
import type { LoadedDocument } from '../load';
import { Locator } from '../load/locate';
import {
  TemplateText,
  type EdgeMode,
  type InputDecl,
  type JsonTemplate,
  type NodeSfnOptions,
  type OutputDecl,
  type RetrySpec,
  type Trigger,
  type Workflow,
  type WorkflowEdge,
  type WorkflowNode,
  type WorkflowTest,
} from '../model';
import { didYouMean } from '../util/suggest';
import { bindingFor, bindingSfnOptions } from '../bindings/registry';
import type { ReadContext } from '../bindings/types';
import { EDGE_MODES, EXTRA_EDGE_MODES, EXTRA_NODE_TYPES, EdgeSfn, KNOWN_EDGE_KEYS, KNOWN_NODE_KEYS, KNOWN_WORKFLOW_KEYS, NODE_TYPES, RawEdge, RawNode, RawWorkflow } from './schema';
import { parseDuration } from './duration';

export { parseDuration } from './duration';

const ALL_NODE_TYPES: readonly string[] = [...NODE_TYPES, ...EXTRA_NODE_TYPES];
const ALL_EDGE_MODES: readonly string[] = [...EDGE_MODES, ...EXTRA_EDGE_MODES];

type Obj = Record<string, unknown>;

export function normaliseWorkflow(doc: LoadedDocument, sink: DiagnosticSink): Workflow | undefined {
  return new Normaliser(doc, sink).run();
}

class Normaliser {
  private readonly loc: Locator;
  /** Names listed under `security.secrets` (the workflow's or a node's): `${NAME}` of one means `${secrets.NAME}`. */
  private secretNames = new Set<string>();
  private readonly root: Obj;

  constructor(private readonly doc: LoadedDocument, private readonly sink: DiagnosticSink) {
    this.loc = new Locator(doc.locations, { offset: doc.range.offset, length: 0 });
    this.root = doc.value as Obj;
  }

  run(): Workflow | undefined {
    const root = this.root;
    this.secretNames = declaredSecrets(root);
    const parsed = RawWorkflow.safeParse(root);
    if (!parsed.success) {
      this.reportZod(parsed.error, root, [], 'the workflow');
      if (!Array.isArray(root.nodes)) return undefined;
    }
    this.warnUnknownKeys(root, KNOWN_WORKFLOW_KEYS, 'workflow');
    let stateMachineType: Workflow['stateMachineType'];
    if (root['x-sfn'] !== undefined) {
      // The workflow's own compiler options: http (native HTTP Tasks for its api nodes, lib/bindings/rest-native.ts)
      // and the state machine's type (the construct's `type` prop, when given, decides instead).
      const ext = z.strictObject({ http: z.enum(['native', 'lambda']).optional(), type: z.enum(['standard', 'express']).optional() }).safeParse(root['x-sfn']);
      if (!ext.success) this.reportZod(ext.error, root['x-sfn'], [], 'the x-sfn extension of the workflow', Codes.BadExtension, ['http', 'type']);
      else if (ext.data.type) stateMachineType = ext.data.type === 'express' ? 'EXPRESS' : 'STANDARD';
    }
    if (root.osop_version === undefined && root.osop === undefined) {
      this.sink.report(Codes.DefaultAssumed, { form: 'osopVersion' }, { offset: this.doc.range.offset, length: 0 });
    }
    const id = typeof root.id === 'string' || typeof root.id === 'number' ? String(root.id) : undefined;
    const name = typeof root.name === 'string' ? root.name : undefined;
    const workflowId = id ?? deriveIdFromPath(this.doc.file.path);
    if (id === undefined) {
      this.sink.report(Codes.DefaultAssumed, { form: 'workflowId', workflowId }, { offset: this.doc.range.offset, length: 0 });
    }

    const nodes: WorkflowNode[] = [];
    const rawNodes = Array.isArray(root.nodes) ? root.nodes : [];
    if (rawNodes.length === 0 && Array.isArray(root.nodes)) {
      this.sink.report(Codes.MissingField, { form: 'nodesEmpty' }, this.loc.valueOf(root, 'nodes'));
    }
    rawNodes.forEach((raw, i) => {
      const n = this.node(raw, i);
      if (n) nodes.push(n);
    });

    const edges: WorkflowEdge[] = [];
    if (root.edges === undefined) {
      if (rawNodes.length > 1) {
        this.sink.report(Codes.MissingField, { form: 'noEdges' }, { offset: this.doc.range.offset, length: 0 });
      }
    } else if (Array.isArray(root.edges)) {
      root.edges.forEach((raw, i) => {
        const e = this.edge(raw, i);
        if (e) edges.push(e);
      });
    }

    const timeout = this.timeoutOf(root, 'workflow');
    const wf: Workflow = {
      id: workflowId,
      name: name ?? workflowId,
      description: typeof root.description === 'string' ? root.description : undefined,
      version: root.version !== undefined ? String(root.version) : undefined,
      nodes,
      edges,
      inputs: this.inputs(root.inputs),
      timeoutSeconds: timeout,
      ...(stateMachineType ? { stateMachineType } : {}),
      retry: isObj(root.retry) ? this.retry(root, 'retry') : undefined,
      triggers: this.triggers(root.triggers),
      tests: this.tests(root.tests),
      imports: Array.isArray(root.imports) ? root.imports.flatMap((p, i) => (typeof p === 'string' ? [{ path: p, range: this.loc.valueOf(root.imports, i) }] : [])) : [],
      range: this.doc.range,
      idRange: root.id !== undefined ? this.loc.valueOf(root, 'id') : { offset: this.doc.range.offset, length: 0 },
    };
    // The workflow's retry policy is the default of every node (the spec: node-level policies override it).
    if (wf.retry) for (const n of nodes) n.retry ??= wf.retry;
    return wf;
  }

  // ---- nodes ----------------------------------------------------------------

  private node(raw: unknown, index: number): WorkflowNode | undefined {
    const nodesArr = this.root.nodes as unknown[];
    const at = this.loc.valueOf(nodesArr, index);
    if (!isObj(raw)) {
      this.sink.report(Codes.WrongType, { form: 'nodeNotMapping', position: index + 1, kind: kindOf(raw) }, at);
      return undefined;
    }
    const parsed = RawNode.safeParse(raw);
    if (!parsed.success) {
      this.reportZod(parsed.error, raw, [], `node ${typeof raw.id === 'string' ? `'${raw.id}'` : index + 1}`);
      return undefined;
    }
    const r = parsed.data;
    this.warnUnknownKeys(raw, KNOWN_NODE_KEYS, `node '${r.id}'`);
    const typeRange = this.loc.valueOf(raw, 'type');
    if (!ALL_NODE_TYPES.includes(r.type)) {
      this.sink.report(Codes.UnknownNodeType, { type: r.type, hint: didYouMean(r.type, ALL_NODE_TYPES) ?? `Node types are: ${NODE_TYPES.join(', ')}.` }, typeRange);
      return undefined;
    }
    if (r.runtime && r.config) {
      this.sink.report(Codes.UnknownKey, { form: 'runtimeAndConfig', node: r.id }, this.loc.keyOf(raw, 'config'));
    }
    const runtimeKey = r.runtime ? 'runtime' : r.config ? 'config' : undefined;
    const runtime = (runtimeKey ? raw[runtimeKey] : {}) as Obj;
    const purpose = r.purpose ?? r.description;
    const node: WorkflowNode = {
      id: r.id,
      index,
      type: r.type,
      subtype: r.subtype,
      name: r.name,
      purpose,
      runtime,
      outputs: this.outputs(raw, r.id),
      retry: r.retry_policy ? this.retry(raw, 'retry_policy') : r.retry ? this.retry(raw, 'retry') : undefined,
      timeoutSeconds: this.timeoutOf(raw, `node '${r.id}'`) ?? (runtimeKey ? this.timeoutOf(runtime, `node '${r.id}'`, true) : undefined),
      workflowRef: r.workflow_ref,
      workflowRefRange: r.workflow_ref !== undefined ? this.loc.valueOf(raw, 'workflow_ref') : undefined,
      workflowInputs: isObj(raw.workflow_inputs) ? (this.jsonTemplate(raw.workflow_inputs, raw, 'workflow_inputs') as Record<string, JsonTemplate>) : undefined,
      approval: this.approval(raw, runtime, r.type, r.id),
      polling: this.polling(raw, runtime, r.subtype, r.id),
      sfn: this.nodeSfnOptions(raw, r.id),
      range: at,
      idRange: this.loc.valueOf(raw, 'id'),
      typeRange,
    };
    const runtimeRange = runtimeKey ? this.loc.valueOf(raw, runtimeKey) : at;
    const binding = bindingFor(node, raw);
    const config = binding.read(this.readContext(node, raw, runtime, runtimeRange));
    if (config !== undefined) node.binding = { id: binding.id, config };
    return node;
  }

  /** What a binding's `read` works with: the runtime block and this normaliser's position-keeping helpers. */
  private readContext(node: WorkflowNode, raw: Obj, runtime: Obj, runtimeRange: SourceRange): ReadContext {
    return {
      node,
      raw,
      runtime,
      runtimeRange,
      sink: this.sink,
      template: (text, holder, key) => this.template(text, holder, key),
      jsonTemplate: (value, holder, key) => this.jsonTemplate(value, holder, key),
      valueRange: (holder, key) => this.loc.valueOf(holder, key),
      workflowSfn: isObj(this.root['x-sfn']) ? (this.root['x-sfn'] as Obj) : {},
      reportZod: (error, holder, what) => this.reportZod(error, holder, [], what, Codes.BadRuntime),
    };
  }

  private nodeSfnOptions(raw: Obj, id: string): NodeSfnOptions {
    const ext = raw['x-sfn'];
    if (ext === undefined) return {};
    const schema = z.strictObject({
      ...bindingSfnOptions(),
      max_fallbacks: z.number().int().min(0).max(1000).optional(),
      handler: z.string().min(1).optional(),
      resource: z.string().regex(/^arn:aws:states:::[a-z0-9-]+:[A-Za-z0-9.:-]+$/, 'a Step Functions integration ARN such as arn:aws:states:::sns:publish').optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      // IAM cannot be inferred from an arbitrary integration: the workflow says what the state machine may do.
      permissions: z.array(z.strictObject({ actions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, 'an IAM action such as sns:Publish')).min(1), resources: z.array(z.string().min(1)).min(1) })).optional(),
    });
    const parsed = schema.safeParse(ext);
    if (!parsed.success) {
      this.reportZod(parsed.error, ext, [], `the x-sfn extension of node '${id}'`, Codes.BadExtension, Object.keys(schema.shape));
      return {};
    }
    const d = parsed.data;
    const at = this.loc.valueOf(raw, 'x-sfn');
    if (d.handler && d.resource) {
      this.sink.report(Codes.BadExtension, { form: 'handlerAndResource', node: id }, at);
      return {};
    }
    if (d.permissions && !d.resource) this.sink.report(Codes.BadExtension, { form: 'permissionsWithoutResource', node: id }, this.loc.keyOf(ext, 'permissions'));
    if (d.parameters && !d.resource) this.sink.report(Codes.BadExtension, { form: 'parametersWithoutResource', node: id }, this.loc.keyOf(ext, 'parameters'));
    const { max_fallbacks: _m, handler: _h, resource: _r, parameters: _p, permissions: _q, ...options } = d;
    if (d.handler) {
      // Found by `check`, not only by `run` or `cdk synth`. Relative to the workflow's folder, and inside it.
      const folder = path.dirname(path.resolve(this.doc.file.path));
      const module = path.resolve(folder, d.handler);
      const at = this.loc.valueOf(ext, 'handler');
      if (path.isAbsolute(d.handler) || path.relative(folder, module).startsWith('..')) {
        this.sink.report(Codes.BadExtension, { form: 'handlerOutsideFolder', node: id, handler: d.handler }, at);
        return {};
      }
      if (!fs.existsSync(module)) {
        this.sink.report(Codes.BadExtension, { form: 'handlerMissing', node: id, handler: d.handler }, at);
        return {};
      }
    }
    return {
      options,
      maxFallbacks: d.max_fallbacks,
      handler: d.handler ? { path: d.handler, range: this.loc.valueOf(ext, 'handler') } : undefined,
      resource: d.resource ? { arn: d.resource, parameters: d.parameters ? this.jsonTemplate((ext as Obj).parameters, ext, 'parameters') : {}, permissions: d.permissions ?? [], range: this.loc.valueOf(ext, 'resource') } : undefined,
    };
  }

  /** `human` nodes and `approval_gate`s: who approves, what they are asked, how long they have. */
  private approval(raw: Obj, runtime: Obj, type: string, id: string): WorkflowNode['approval'] {
    const gate = raw.approval_gate;
    const gated = gate === true || (isObj(gate) && gate.required !== false);
    if (type !== 'human' && !gated) return undefined;
    const g = isObj(gate) ? gate : {};
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
    const approvers = [...list(runtime.approvers), ...list(g.approvers), ...list(g.approver_role), ...list(raw.role)];
    let timeoutSeconds: number | undefined;
    if (typeof g.timeout_hours === 'number') timeoutSeconds = Math.ceil(g.timeout_hours * 3600);
    else if (typeof runtime.timeout === 'string' || typeof runtime.timeout === 'number') timeoutSeconds = this.duration(runtime.timeout, this.loc.valueOf(runtime, 'timeout'));
    else if (typeof raw.timeout === 'string' || typeof raw.timeout === 'number') timeoutSeconds = this.duration(raw.timeout, this.loc.valueOf(raw, 'timeout'));
    else if (typeof raw.timeout_sec === 'number') timeoutSeconds = raw.timeout_sec;
    const prompt = typeof runtime.prompt === 'string'
      ? this.template(runtime.prompt, runtime, 'prompt')
      : typeof runtime.instructions === 'string'
        ? this.template(runtime.instructions, runtime, 'instructions')
        : typeof raw.purpose === 'string'
          ? this.template(raw.purpose, raw, 'purpose')
          : typeof raw.description === 'string'
            ? this.template(raw.description, raw, 'description')
            : new TemplateText(`Approve step '${id}'?`, this.loc.valueOf(raw, 'id'), undefined);
    return { approvers: [...new Set(approvers)], prompt, timeoutSeconds, range: isObj(gate) ? this.loc.valueOf(raw, 'approval_gate') : this.loc.valueOf(raw, 'type') };
  }

  private outputs(raw: Obj, nodeId: string): OutputDecl[] {
    const value = raw.outputs;
    if (value === undefined || value === null) return [];
    const out: OutputDecl[] = [];
    const bad = (at: SourceRange, what: string) =>
      this.sink.report(Codes.BadOutputs, { form: 'malformed', node: nodeId, what }, at);
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const at = this.loc.valueOf(value, i);
        if (typeof item === 'string') {
          out.push({ name: item, path: `$.${item}`, required: false, range: at });
        } else if (isObj(item) && typeof item.name === 'string') {
          const explicit = typeof item.path === 'string' ? responsePath(item.path) : undefined;
          if (typeof item.path === 'string' && !explicit) return bad(this.loc.valueOf(item, 'path'), `'${item.name}' has path '${item.path}', which is not a path into the response`);
          // An output with an explicit path is required unless it says `required: false` (a polling node's answer may lack it).
          out.push({ name: item.name, path: explicit ?? `$.${item.name}`, required: item.required === false ? false : item.required === true || explicit !== undefined, type: scalarType(item.schema ?? item.type), ...(item.sensitive === true || item.secret === true ? { sensitive: true } : {}), range: at });
        } else if (isObj(item) && Object.keys(item).length === 1) {
          const [name, p] = Object.entries(item)[0];
          if (typeof p !== 'string') return bad(at, `'${name}' maps to ${kindOf(p)}, not a path`);
          const path = responsePath(p);
          if (!path) return bad(this.loc.valueOf(item, name), `'${name}' is '${p}', which is an expression, not a path into the response`);
          // A field Stripe and others call a secret (client_secret) is sensitive by its name.
          out.push({ name, path, required: true, ...(/secret|password|token/i.test(name) ? { sensitive: true } : {}), range: at });
        } else {
          bad(at, `${i + 1} is ${kindOf(item)}`);
        }
      });
    } else if (isObj(value)) {
      for (const [name, schema] of Object.entries(value)) {
        if (name.startsWith('x-')) continue;
        out.push({ name, path: `$.${name}`, required: isObj(schema) && schema.required === true, type: scalarType(isObj(schema) ? schema.type : schema), ...(isObj(schema) && (schema.sensitive === true || schema.secret === true) ? { sensitive: true } : {}), range: this.loc.valueOf(value, name) });
      }
    } else {
      bad(this.loc.valueOf(raw, 'outputs'), `declarations are ${kindOf(value)}`);
    }
    // The spec's response_mapping on api runtimes is the same thing.
    const runtime = (isObj(raw.runtime) ? raw.runtime : raw.config) as Obj | undefined;
    if (runtime && isObj(runtime.response_mapping)) {
      for (const [name, p] of Object.entries(runtime.response_mapping)) {
        const path = typeof p === 'string' ? responsePath(p) : undefined;
        if (!path) bad(this.loc.valueOf(runtime.response_mapping, name), `'${name}' in response_mapping is not a path`);
        else out.push({ name, path, required: true, range: this.loc.valueOf(runtime.response_mapping, name) });
      }
    }
    const seen = new Set<string>();
    for (const o of out) {
      if (seen.has(o.name)) this.sink.report(Codes.BadOutputs, { form: 'declaredTwice', node: nodeId, name: o.name }, o.range);
      seen.add(o.name);
    }
    return out;
  }

  private retry(holder: Obj, key: 'retry' | 'retry_policy'): RetrySpec | undefined {
    const raw = holder[key] as Obj;
    const at = this.loc.valueOf(holder, key);
    if (key === 'retry_policy') {
      const s = z.looseObject({ max_retries: z.number().int().min(0).max(100).optional(), strategy: z.enum(['fixed', 'exponential_backoff', 'exponential', 'linear']).optional(), backoff_sec: z.number().min(0).optional() });
      const p = s.safeParse(raw);
      if (!p.success) return void this.reportZod(p.error, raw, [], 'retry_policy', Codes.BadRetry);
      return { maxAttempts: p.data.max_retries ?? 0, intervalSeconds: Math.max(1, Math.round(p.data.backoff_sec ?? 1)), backoffRate: p.data.strategy?.startsWith('exponential') ? 2 : 1, range: at };
    }
    const s = z.looseObject({
      max_attempts: z.number().int().min(1).max(101).optional(),
      max_retries: z.number().int().min(0).max(100).optional(),
      backoff: z.looseObject({ type: z.string().optional(), initial_delay: z.union([z.string(), z.number()]).optional(), max_delay: z.union([z.string(), z.number()]).optional(), multiplier: z.number().min(1).max(10).optional() }).optional(),
    });
    const p = s.safeParse(raw);
    if (!p.success) return void this.reportZod(p.error, raw, [], 'retry', Codes.BadRetry);
    const b = p.data.backoff;
    const initial = b?.initial_delay !== undefined ? this.duration(b.initial_delay, this.loc.valueOf(raw.backoff, 'initial_delay')) : 1;
    const max = b?.max_delay !== undefined ? this.duration(b.max_delay, this.loc.valueOf(raw.backoff, 'max_delay')) : undefined;
    // The spec's max_attempts counts the first try; ASL's MaxAttempts counts retries.
    const retries = p.data.max_attempts !== undefined ? p.data.max_attempts - 1 : (p.data.max_retries ?? 0);
    const rate = b?.multiplier ?? (b?.type === 'fixed' || b?.type === 'linear' ? 1 : 2);
    return { maxAttempts: retries, intervalSeconds: Math.max(1, Math.round(initial ?? 1)), backoffRate: rate, maxDelaySeconds: max !== undefined ? Math.max(1, Math.round(max)) : undefined, range: at };
  }

  /** `interval_sec` and `max_polls`, on the node or in its runtime: how a polling node repeats. */
  private polling(raw: Obj, runtime: Obj, subtype: string | undefined, id: string): WorkflowNode['polling'] {
    const holderOf = (key: string) => (raw[key] !== undefined ? raw : runtime[key] !== undefined ? runtime : undefined);
    const intervalAt = holderOf('interval_sec');
    const pollsAt = holderOf('max_polls');
    if (!intervalAt && !pollsAt) {
      if (subtype === 'polling') this.sink.report(Codes.ReadingApplied, { form: 'pollingWithoutInterval', node: id }, this.loc.valueOf(raw, 'subtype'));
      return undefined;
    }
    let intervalSeconds: number | undefined;
    if (intervalAt) {
      const key = 'interval_sec';
      const value = intervalAt[key];
      intervalSeconds = typeof value === 'number' || typeof value === 'string' ? this.duration(value, this.loc.valueOf(intervalAt, key)) : undefined;
      if (intervalSeconds !== undefined && !(intervalSeconds >= 1 && intervalSeconds <= 31_536_000)) {
        this.sink.report(Codes.BadDuration, { form: 'pollInterval', node: id, intervalSeconds }, this.loc.valueOf(intervalAt, key));
        intervalSeconds = undefined;
      }
    }
    let maxPolls: number | undefined;
    if (pollsAt) {
      const value = pollsAt.max_polls;
      if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10_001) maxPolls = value;
      else this.sink.report(Codes.WrongType, { form: 'maxPolls', node: id }, this.loc.valueOf(pollsAt, 'max_polls'));
    }
    return { intervalSeconds: intervalSeconds === undefined ? undefined : Math.ceil(intervalSeconds), maxPolls, range: this.loc.valueOf(intervalAt ?? pollsAt!, intervalAt ? 'interval_sec' : 'max_polls') };
  }

  private duration(value: string | number, at: SourceRange): number | undefined {
    const secs = parseDuration(value);
    if (secs === undefined) {
      this.sink.report(Codes.BadDuration, { form: 'notADuration', text: value }, at);
    }
    return secs;
  }

  /** `timeout_sec` (number) or `timeout` (number or duration string) of a workflow, node or runtime. */
  private timeoutOf(holder: Obj, what: string, runtime = false): number | undefined {
    if (typeof holder.timeout_sec === 'number') {
      if (holder.timeout_sec <= 0) this.sink.report(Codes.BadDuration, { form: 'timeout', what }, this.loc.valueOf(holder, 'timeout_sec'));
      return holder.timeout_sec > 0 ? Math.ceil(holder.timeout_sec) : undefined;
    }
    if (typeof holder.timeout === 'string' || typeof holder.timeout === 'number') {
      const s = this.duration(holder.timeout, this.loc.valueOf(holder, 'timeout'));
      return s !== undefined && s > 0 ? Math.ceil(s) : undefined;
    }
    if (runtime && (typeof holder.timeout_seconds === 'number' || typeof holder.timeout_ms === 'number')) {
      return typeof holder.timeout_seconds === 'number' ? Math.ceil(holder.timeout_seconds) : Math.ceil((holder.timeout_ms as number) / 1000);
    }
    return undefined;
  }

  private template(text: string, holder: unknown, key: string | number): TemplateText {
    const range = this.loc.valueOf(holder, key);
    if (this.secretNames.size && text.includes('${')) {
      let read = false;
      const rewritten = text.replace(/(^|[^$])\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g, (whole, before: string, name: string) => {
        if (!this.secretNames.has(name)) return whole;
        read = true;
        return `${before}\${secrets.${name}}`;
      });
      if (read) {
        this.sink.report(Codes.ReadingApplied, { form: 'bareSecret', text: text.length > 60 ? `${text.slice(0, 59)}…` : text }, range);
        return new TemplateText(rewritten, range, undefined);
      }
    }
    const style = this.loc.styleOf(holder, key);
    const contentOffset = style === 'PLAIN' ? range.offset : style === 'QUOTE_SINGLE' || style === 'QUOTE_DOUBLE' ? range.offset + 1 : undefined;
    return new TemplateText(text, range, contentOffset);
  }

  private jsonTemplate(value: unknown, holder: unknown, key: string | number): JsonTemplate {
    if (typeof value === 'string') return this.template(value, holder, key);
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) return value.map((v, i) => this.jsonTemplate(v, value, i));
    if (isObj(value)) {
      const out: Record<string, JsonTemplate> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.jsonTemplate(v, value, k);
      return out;
    }
    return null;
  }

  // ---- edges ----------------------------------------------------------------

  private edge(raw: unknown, index: number): WorkflowEdge | undefined {
    const edgesArr = this.root.edges as unknown[];
    const at = this.loc.valueOf(edgesArr, index);
    if (!isObj(raw)) {
      this.sink.report(Codes.WrongType, { form: 'edgeNotMapping', position: index + 1, kind: kindOf(raw) }, at);
      return undefined;
    }
    const parsed = RawEdge.safeParse(raw);
    if (!parsed.success) {
      this.reportZod(parsed.error, raw, [], `edge ${index + 1}`);
      return undefined;
    }
    const r = parsed.data;
    this.warnUnknownKeys(raw, KNOWN_EDGE_KEYS, `edge ${r.from} → ${r.to}`);
    let mode = (r.mode ?? 'sequential').toLowerCase();
    if (mode === 'message') {
      // A message to the next participant is the next step: the flow goes on there.
      this.sink.report(Codes.ReadingApplied, { form: 'messageEdge', from: r.from, to: r.to }, this.loc.valueOf(raw, 'mode'));
      mode = 'sequential';
    }
    if (!ALL_EDGE_MODES.includes(mode)) {
      this.sink.report(Codes.UnknownEdgeMode, { form: 'mode', mode: r.mode, hint: didYouMean(mode, ALL_EDGE_MODES) ?? `Edge modes are: ${EDGE_MODES.join(', ')}.` }, this.loc.valueOf(raw, 'mode'));
      return undefined;
    }
    let condition: TemplateText | undefined;
    const condRaw = r.when ?? r.condition;
    if (r.when !== undefined && r.condition !== undefined && String(r.when) !== String(r.condition)) {
      this.sink.report(Codes.WrongType, { form: 'whenAndCondition', from: r.from, to: r.to }, this.loc.keyOf(raw, 'condition'));
    }
    if (condRaw !== undefined) condition = this.template(String(condRaw), raw, r.when !== undefined ? 'when' : 'condition');
    const sfnRaw = raw['x-sfn'];
    let sfn: WorkflowEdge['sfn'] = {};
    if (sfnRaw !== undefined) {
      const p = EdgeSfn.safeParse(sfnRaw);
      if (!p.success) this.reportZod(p.error, sfnRaw, [], `the x-sfn extension of edge ${r.from} → ${r.to}`, Codes.BadExtension);
      else {
        const d = p.data;
        sfn = {
          maxIterations: d.max_iterations,
          maxConcurrency: d.max_concurrency,
          map: d.map,
          maxItems: d.max_items,
          toleratedFailurePercentage: d.on_item_error === 'continue' ? 100 : d.tolerated_failure_percentage,
          toleratedFailureCount: d.tolerated_failure_count,
        };
        const forEachOnly = (['map', 'max_items', 'tolerated_failure_percentage', 'tolerated_failure_count', 'on_item_error'] as const).filter((k) => d[k] !== undefined);
        if (forEachOnly.length && (mode !== 'loop' || r.for_each === undefined)) {
          this.sink.report(Codes.UnknownKey, { form: 'forEachOnly', keys: forEachOnly.join(', '), from: r.from, to: r.to }, this.loc.keyOf(sfnRaw, forEachOnly[0]));
        }
        if (d.on_item_error === 'continue' && d.tolerated_failure_percentage !== undefined) {
          this.sink.report(Codes.BadExtension, { form: 'continueAndTolerated', from: r.from, to: r.to }, this.loc.keyOf(sfnRaw, 'tolerated_failure_percentage'));
        }
      }
    }
    let waitSeconds: number | undefined;
    const waitKey = r.delay !== undefined ? 'delay' : r.interval_sec !== undefined ? 'interval_sec' : undefined;
    if (waitKey) {
      const secs = this.duration(raw[waitKey] as string | number, this.loc.valueOf(raw, waitKey));
      if (secs !== undefined && mode !== 'loop') this.sink.report(Codes.UnknownKey, { form: 'waitOnNonLoop', waitKey, mode, from: r.from, to: r.to }, this.loc.keyOf(raw, waitKey));
      else if (secs !== undefined && !(secs >= 1 && secs <= 31_536_000)) this.sink.report(Codes.BadDuration, { form: 'loopDelay', waitKey, from: r.from, to: r.to, secs }, this.loc.valueOf(raw, waitKey));
      else if (secs !== undefined) waitSeconds = Math.ceil(secs);
    }
    let cases: WorkflowEdge['cases'];
    if (r.cases) {
      cases = [];
      r.cases.forEach((c, i) => {
        const at = this.loc.valueOf(raw.cases, i);
        const value = isObj(c) ? c.value : undefined;
        if (!isObj(c) || (typeof c.to !== 'string' && typeof c.to !== 'number')) {
          this.sink.report(Codes.WrongType, { form: 'caseWithoutTo', position: i + 1, from: r.from }, at);
        } else if (value !== null && value !== undefined && typeof value === 'object') {
          this.sink.report(Codes.WrongType, { form: 'caseValue', position: i + 1, from: r.from, kind: kindOf(value) }, this.loc.valueOf(c, 'value'));
        } else {
          cases!.push({ value: (value ?? null) as string | number | boolean | null, to: String(c.to), range: this.loc.valueOf(c, 'to') });
        }
      });
    }
    return {
      index,
      from: r.from,
      to: r.to,
      mode: mode as EdgeMode,
      cases,
      defaultTo: r.default_to !== undefined ? { to: r.default_to, range: this.loc.valueOf(raw, 'default_to') } : undefined,
      joinCount: r.join_count,
      spawnCount: r.spawn_count,
      modeGiven: r.mode !== undefined,
      condition,
      label: r.label,
      forEach: r.for_each,
      iteratorVar: r.iterator_var,
      joinMode: r.join_mode,
      sfn,
      waitSeconds,
      range: at,
      fromRange: this.loc.valueOf(raw, 'from'),
      toRange: this.loc.valueOf(raw, 'to'),
      modeRange: r.mode !== undefined ? this.loc.valueOf(raw, 'mode') : at,
    };
  }

  // ---- workflow-level --------------------------------------------------------

  private inputs(value: unknown): InputDecl[] | null {
    if (value === undefined || value === null) return null;
    const out: InputDecl[] = [];
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const at = this.loc.valueOf(value, i);
        if (typeof item === 'string') out.push({ name: item, required: false, range: at });
        else if (isObj(item) && typeof item.name === 'string') out.push({ name: item.name, required: item.required === true, type: scalarType(item.type ?? item.schema), schema: inputSchema(item), ...('default' in item ? { default: item.default } : {}), range: at });
        else this.sink.report(Codes.BadInputs, { form: 'item', position: i + 1, kind: kindOf(item) }, at);
      });
    } else if (isObj(value)) {
      for (const [name, schema] of Object.entries(value)) {
        if (name.startsWith('x-')) continue;
        const required = isObj(schema) && schema.required === true;
        out.push({ name, required, type: scalarType(isObj(schema) ? schema.type : schema), schema: inputSchema(isObj(schema) ? schema : { type: schema }), ...(isObj(schema) && 'default' in schema ? { default: schema.default } : {}), range: this.loc.valueOf(value, name) });
      }
    } else {
      this.sink.report(Codes.BadInputs, { form: 'notAMapping', kind: kindOf(value) }, this.loc.valueOf(this.root, 'inputs'));
      return null;
    }
    return out;
  }

  private triggers(value: unknown): Trigger[] {
    if (!Array.isArray(value)) return [];
    const out: Trigger[] = [];
    value.forEach((t, i) => {
      const at = this.loc.valueOf(value, i);
      if (!isObj(t) || typeof t.type !== 'string') {
        this.sink.report(Codes.WrongType, { form: 'triggerWithoutType', position: i + 1 }, at);
        return;
      }
      const config = isObj(t.config) ? t.config : Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'type'));
      out.push({ type: t.type, config, range: at });
    });
    return out;
  }

  private tests(value: unknown): WorkflowTest[] {
    if (!Array.isArray(value)) return [];
    const out: WorkflowTest[] = [];
    value.forEach((t, i) => {
      const at = this.loc.valueOf(value, i);
      if (!isObj(t) || (typeof t.id !== 'string' && typeof t.name !== 'string')) {
        this.sink.report(Codes.WrongType, { form: 'testWithoutId', position: i + 1 }, at);
        return;
      }
      out.push({ id: String(t.id ?? t.name), raw: t, range: at });
    });
    return out;
  }

  // ---- helpers ----------------------------------------------------------------

  private warnUnknownKeys(obj: Obj, known: Set<string>, what: string): void {
    for (const key of Object.keys(obj)) {
      if (known.has(key) || key.startsWith('x-')) continue;
      this.sink.report(Codes.UnknownKey, { form: 'unknownKey', key, what, hint: didYouMean(key, known) ?? "Prefix your own keys with 'x-' to silence this." }, this.loc.keyOf(obj, key));
    }
  }

  /** Every zod issue with its position; `known` (the keys the object takes) gives unknown keys a "did you mean". */
  private reportZod(error: z.ZodError, holder: unknown, base: PropertyKey[], what: string, code?: typeof Codes.BadExtension | typeof Codes.BadRuntime | typeof Codes.BadRetry, known?: Iterable<string>): void {
    for (const issue of error.issues) {
      const path = [...base, ...issue.path];
      const field = path.length ? `'${path.map(String).join('.')}'` : 'it';
      const at = this.loc.atPath(holder, path);
      const valueAtPath = valueAt(holder, path);
      if (issue.code === 'invalid_type' && valueAtPath === undefined) {
        this.sink.report(code ?? Codes.MissingField, { form: 'zodMissing', what, field, hint: hintFor(path) }, path.length > 1 ? this.loc.atPath(holder, path.slice(0, -1)) : this.loc.of(holder));
      } else if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          const keys = known ? [...known] : [];
          this.sink.report(code ?? Codes.UnknownKey, { form: 'zodUnknownKey', key: k, what, hint: keys.length ? (didYouMean(k, keys) ?? `Known keys: ${keys.join(', ')}.`) : undefined }, this.loc.keyOf(valueAt(holder, path) ?? holder, k));
        }
      } else {
        this.sink.report(code ?? Codes.WrongType, { form: 'zodInvalid', what, field, issue: issue.message.replace(/^Invalid input: /, '') }, at);
      }
    }
  }
}

/** Secret names a file lists under `security.secrets`, at the top or on its nodes (names, or `{name}`). */
function declaredSecrets(root: Obj): Set<string> {
  const out = new Set<string>();
  const collect = (holder: unknown) => {
    const list = isObj(holder) && isObj(holder.security) ? holder.security.secrets : undefined;
    if (!Array.isArray(list)) return;
    for (const s of list) {
      const name = typeof s === 'string' ? s : isObj(s) && typeof s.name === 'string' ? s.name : undefined;
      if (name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out.add(name);
    }
  };
  collect(root);
  if (Array.isArray(root.nodes)) root.nodes.forEach(collect);
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg as string];
  }
  return v;
}

function hintFor(path: readonly PropertyKey[]): string | undefined {
  const last = String(path[path.length - 1]);
  if (last === 'nodes') return 'A workflow lists its steps under nodes: - id: ..., type: ...';
  if (last === 'id') return 'Every node needs a unique id.';
  if (last === 'type') return `Node types are: ${NODE_TYPES.join(', ')}.`;
  if (last === 'from' || last === 'to') return 'An edge names the ids of two nodes: from: a, to: b.';
  return undefined;
}

/**
 * A declared output path, as the handler's JSONPath into the response body.
 * `data` is the body itself (the seed's `data.id`); `$.x` is already a path;
 * a bare dotted path is relative to the body. Expressions give undefined.
 */
export function responsePath(p: string): string | undefined {
  const s = p.trim();
  if (s === 'data' || s === '$') return '$';
  const segment = String.raw`(?:[A-Za-z_][\w-]*|\[\d+\]|\['[^']*'\]|\[\*\])`;
  const dotted = new RegExp(String.raw`^${segment}(?:\.?${segment})*$`);
  if (s.startsWith('$.') || s.startsWith('$[')) return dotted.test(s.slice(2)) || dotted.test(s.slice(1)) ? s : undefined;
  if (s.startsWith('data.') || s.startsWith('data[')) return dotted.test(s.slice(5)) || dotted.test(s.slice(4)) ? `$${s.startsWith('data.') ? '.' : ''}${s.slice(s.startsWith('data.') ? 5 : 4)}` : undefined;
  return dotted.test(s) ? `$.${s}` : undefined;
}

/** The JSON Schema keywords of an input declaration (real files also write `string[]` and prose: those are left out). */
function inputSchema(decl: Obj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const types = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];
  if (typeof decl.type === 'string' && types.includes(decl.type)) out.type = decl.type;
  else if (typeof decl.type === 'string' && /\[\]$/.test(decl.type)) out.type = 'array';
  for (const k of ['enum', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'format', 'description']) if (decl[k] !== undefined) out[k] = decl[k];
  if (Array.isArray(out.enum) === false) delete out.enum;
  return out;
}

function scalarType(t: unknown): 'string' | 'number' | 'boolean' | undefined {
  if (t === 'string') return 'string';
  if (t === 'number' || t === 'integer' || t === 'float') return 'number';
  if (t === 'boolean' || t === 'bool') return 'boolean';
  return undefined;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function deriveIdFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? 'workflow';
  return base.replace(/\.osop(\.(ya?ml|json))?$/, '').replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'workflow';
}
