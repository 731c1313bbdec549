/**
 * Generated OSOP workflows for the compile-scaling benchmark: exactly `n`
 * realistic `api` nodes (method, URL + endpoint, a secret header, a body,
 * declared outputs) whose URLs and bodies reference the outputs of earlier
 * nodes (`${node.output}`), so that the data-flow analysis resolves every
 * reference against dominators, in four shapes:
 *
 * - chain:     n0 → n1 → … (each node reads its predecessor and an older dominator);
 * - fanout:    fork → k parallel branches → join (the next fork), repeated; the join reads every branch;
 * - diamond:   check → (when ok) left | (else) right → next check, repeated; conditions are CEL on the check's output;
 * - fallback:  prepare → commit, `commit` falls back to `prepare` (a bounded back-edge with its counter), repeated.
 *
 * Nodes left over when `n` is not a multiple of a shape's block size are
 * appended as a chain, so every workflow has exactly `n` nodes.
 */

export const SHAPES = ['chain', 'fanout', 'diamond', 'fallback'] as const;
export type Shape = (typeof SHAPES)[number];

/** Parallel branches per fork in the fan-out shape. */
export const FANOUT_WIDTH = 4;

interface Builder {
  nodes: string[];
  edges: string[];
}

/** One api node: POST (or GET) to a per-node endpoint; `refs` are `node.output` references used in the URL and the body. */
function apiNode(b: Builder, id: string, opts: { method?: 'GET' | 'POST'; pathRef?: string; bodyRefs?: Record<string, string>; outputs: Record<string, string> }): void {
  const method = opts.method ?? 'POST';
  const endpoint = `/v1/items/${opts.pathRef ? `\${${opts.pathRef}}` : 'root'}/${id}`;
  const lines = [
    `  - id: ${id}`,
    `    type: api`,
    `    subtype: rest`,
    `    name: "${method} ${id}"`,
    `    description: "Step ${id} of the generated workflow"`,
    `    runtime:`,
    `      method: ${method}`,
    `      url: "https://api.example.com"`,
    `      endpoint: "${endpoint}"`,
    `      headers:`,
    `        Authorization: "Bearer \${secrets.API_TOKEN}"`,
  ];
  if (method !== 'GET') {
    lines.push(`      body:`, `        step: "${id}"`, `        amount: 100`);
    for (const [k, ref] of Object.entries(opts.bodyRefs ?? {})) lines.push(`        ${k}: "\${${ref}}"`);
  }
  lines.push(`    outputs:`);
  for (const [name, path] of Object.entries(opts.outputs)) lines.push(`      - ${name}: "${path}"`);
  b.nodes.push(lines.join('\n'));
}

const OUT = { id: 'data.id', status: 'data.status' };

function edge(b: Builder, from: string, to: string, extra = ''): void {
  b.edges.push(`  - { from: ${from}, to: ${to}${extra} }`);
}

/** `count` chain nodes after `prev` (which may be undefined: the start). Returns the last id. */
function chainOf(b: Builder, prefix: string, start: number, count: number, prev: string | undefined, anchor: string | undefined): string | undefined {
  let last = prev;
  for (let i = 0; i < count; i++) {
    const id = `${prefix}${start + i}`;
    apiNode(b, id, { pathRef: last && `${last}.id`, bodyRefs: { ...(last && { previous: `${last}.status` }), ...(anchor && { anchor: `${anchor}.id` }) }, outputs: OUT });
    if (last) edge(b, last, id);
    last = id;
  }
  return last;
}

function chain(b: Builder, n: number): void {
  // Each node also reads the node halfway back: a dominator, not just the predecessor.
  for (let i = 0; i < n; i++) {
    const id = `n${i}`;
    const prev = i > 0 ? `n${i - 1}` : undefined;
    const back = i > 1 ? `n${Math.floor(i / 2)}` : undefined;
    apiNode(b, id, { pathRef: prev && `${prev}.id`, bodyRefs: { ...(prev && { previous: `${prev}.status` }), ...(back && { anchor: `${back}.id` }) }, outputs: OUT });
    if (prev) edge(b, prev, id);
  }
}

function fanout(b: Builder, n: number): void {
  apiNode(b, 'f0', { outputs: OUT });
  let fork = 'f0';
  let used = 1;
  let block = 0;
  while (n - used >= FANOUT_WIDTH + 1) {
    const join = `f${block + 1}`;
    const branches: string[] = [];
    for (let k = 0; k < FANOUT_WIDTH; k++) {
      const id = `b${block}_${k}`;
      apiNode(b, id, { method: k % 2 ? 'GET' : 'POST', pathRef: `${fork}.id`, bodyRefs: { source: `${fork}.status` }, outputs: OUT });
      edge(b, fork, id, ', mode: parallel');
      edge(b, id, join);
      branches.push(id);
    }
    apiNode(b, join, { pathRef: `${fork}.id`, bodyRefs: Object.fromEntries(branches.map((id, k) => [`branch${k}`, `${id}.id`])), outputs: OUT });
    fork = join;
    used += FANOUT_WIDTH + 1;
    block++;
  }
  chainOf(b, 't', 0, n - used, fork, 'f0');
}

function diamond(b: Builder, n: number): void {
  apiNode(b, 'c0', { outputs: OUT });
  let check = 'c0';
  let used = 1;
  let block = 0;
  while (n - used >= 3) {
    const next = `c${block + 1}`;
    const left = `l${block}`;
    const right = `r${block}`;
    apiNode(b, left, { pathRef: `${check}.id`, bodyRefs: { reason: `${check}.status` }, outputs: OUT });
    apiNode(b, right, { method: 'GET', pathRef: `${check}.id`, outputs: OUT });
    apiNode(b, next, { pathRef: `${check}.id`, bodyRefs: { origin: 'c0.id' }, outputs: OUT });
    edge(b, check, left, `, mode: conditional, when: "${check}.status == 'approved'"`);
    edge(b, check, right); // the else branch
    edge(b, left, next);
    edge(b, right, next);
    check = next;
    used += 3;
    block++;
  }
  chainOf(b, 't', 0, n - used, check, 'c0');
}

function fallback(b: Builder, n: number): void {
  let prev: string | undefined;
  let used = 0;
  let block = 0;
  while (n - used >= 2) {
    const prepare = `p${block}`;
    const commit = `k${block}`;
    apiNode(b, prepare, { pathRef: prev && `${prev}.id`, bodyRefs: prev ? { previous: `${prev}.status` } : {}, outputs: OUT });
    apiNode(b, commit, { pathRef: `${prepare}.id`, bodyRefs: { token: `${prepare}.status` }, outputs: OUT });
    if (prev) edge(b, prev, prepare);
    edge(b, prepare, commit);
    edge(b, commit, prepare, ', mode: fallback');
    prev = commit;
    used += 2;
    block++;
  }
  chainOf(b, 't', 0, n - used, prev, undefined);
}

/** The YAML text of an `n`-node workflow of the given shape. */
export function generateWorkflow(shape: Shape, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`generateWorkflow: n must be a positive integer, got ${n}`);
  const b: Builder = { nodes: [], edges: [] };
  ({ chain, fanout, diamond, fallback })[shape](b, n);
  if (b.nodes.length !== n) throw new Error(`generateWorkflow(${shape}, ${n}) made ${b.nodes.length} nodes`);
  return [
    `osop_version: "1.1"`,
    `id: bench-${shape}-${n}`,
    `name: "Generated ${shape} of ${n} nodes"`,
    `description: "osop-sfn benchmark workflow (bench/generate.ts)"`,
    `nodes:`,
    ...b.nodes,
    `edges:`,
    ...b.edges,
    '',
  ].join('\n');
}
