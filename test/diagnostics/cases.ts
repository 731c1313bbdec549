/**
 * One case per diagnostic code: the smallest workflow (or file situation)
 * that makes `compile()` report it (for the OSOP6xxx codes, `loadTests()`,
 * which reads a workflow's tests: section for `osop-sfn test`). Used by test/diagnostics/every-code.test.ts
 * (each code is really produced) and by scripts/diagnostics-doc.ts, which
 * compiles every case and writes docs/diagnostics.md from the real output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, type CompileResult, type Diagnostic } from '../../lib';
import type { Code } from '../../lib/diagnostics/codes';
import { loadTests } from '../../lib/local/load-tests';
import { MAX_FILE_BYTES, MAX_NESTING } from '../../lib/load';

export interface DiagnosticCase {
  code: Code;
  /** Run as `osop-sfn test` reads the workflow (`loadTests()`: the workflow compiled, then its tests: section read) instead of `compile()`. */
  tests?: true;
  /** Where it points: [line, column], or 'file' for a diagnostic about the whole file (line 0, no position). */
  at?: [number, number] | 'file';
  /** The workflow text, compiled with `compile(file, { source })`. */
  source?: string;
  /** The workflow's file name (in a fresh temporary folder); `example.osop.yaml` by default. */
  file?: string;
  /** Files written next to the workflow first (sub-workflows): name → text. */
  files?: Record<string, string>;
  /** A file situation instead of a source: writes into `dir`, returns the path to compile (with no `source`). */
  setup?: (dir: string) => string;
  /** For the documentation: what the file situation is, or what a generated source holds. */
  situation?: string;
  /** For the documentation: the source as shown, when the real one is generated and too long to print. */
  shown?: string;
  strict?: boolean;
  /** For the documentation: a remark shown under the example. */
  note?: string;
  /** A code no input can produce: why. */
  unreachable?: string;
}

const HEAD = 'osop_version: "1.0"\nid: demo\nname: Demo\n';
/** A workflow: the common head, then `body` (nodes, edges, ...). */
const wf = (body: string) => HEAD + body;
/** Two routing nodes (Pass states), a and b. */
const TWO = 'nodes:\n  - { id: a, type: system, subtype: router }\n  - { id: b, type: system, subtype: router }\n';
/** An api node a with an output status, first in a node list. */
const A_STATUS = 'nodes:\n  - { id: a, type: api, outputs: [status], runtime: { url: "https://api.example.com/a" } }\n';
/** The README's minimal workflow. */
const MINIMAL = wf('nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/x", method: GET } }\n  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b }\n');
/** A workflow with one api node a (a Task), and `tests` as its tests: section. */
const withTests = (tests: string) => wf(`${A_STATUS}tests:\n${tests}`);
const write = (dir: string, name: string, text: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

export const CASES: DiagnosticCase[] = [
  // ---- load -------------------------------------------------------------------
  {
    code: 'OSOP1001', at: 'file',
    setup: (dir) => path.join(dir, 'missing.osop.yaml'),
    situation: 'Compiling a path where there is no file.',
  },
  {
    code: 'OSOP1002', at: 'file',
    setup: (dir) => {
      const p = path.join(dir, 'workflows');
      fs.mkdirSync(p);
      return p;
    },
    situation: 'Compiling a directory.',
  },
  {
    code: 'OSOP1003', at: 'file',
    setup: (dir) => write(dir, 'demo.txt', MINIMAL),
    situation: 'A valid workflow in a file named `demo.txt`.',
  },
  {
    code: 'OSOP1004', at: [1, 1],
    setup: (dir) => write(dir, 'empty.osop.yaml', '# nothing yet\n'),
    situation: 'A file that holds only a comment.',
    shown: '# nothing yet\n',
  },
  {
    code: 'OSOP1005', at: [6, 1],
    source: wf('nodes:\n  - { id: a, type: api\nedges: []\n'),
  },
  {
    code: 'OSOP1006', at: [1, 1],
    setup: (dir) => write(dir, 'list.osop.yaml', '- id: a\n  type: api\n'),
    situation: 'A file whose document is a list.',
    shown: '- id: a\n  type: api\n',
  },
  {
    code: 'OSOP1007', at: [4, 1],
    source: 'osop_version: "1.0"\nid: demo\nname: Demo\nname: Other\nnodes:\n  - { id: a, type: system, subtype: router }\n',
  },
  {
    code: 'OSOP1008', at: 'file',
    setup: (dir) => write(dir, 'big.osop.yaml', `${MINIMAL}# ${'x'.repeat(MAX_FILE_BYTES)}\n`),
    situation: `A file over ${MAX_FILE_BYTES / 1024 / 1024} MiB (here: a workflow followed by a comment of ${MAX_FILE_BYTES} characters).`,
  },
  {
    code: 'OSOP1009', at: 'file',
    setup: (dir) => write(dir, 'latin1.osop.yaml', Buffer.concat([Buffer.from(`${HEAD}description: "caf`), Buffer.from([0xe9]), Buffer.from('"\nnodes:\n  - { id: a, type: system, subtype: router }\n')])),
    situation: 'A file saved as Latin-1: `description: "café"` with `é` as the single byte 0xE9.',
  },
  {
    code: 'OSOP1010',
    at: [4, 108],
    setup: (dir) => write(dir, 'deep.osop.yaml', `${HEAD}x-deep: ${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}\nnodes:\n  - { id: a, type: system, subtype: router }\n`),
    situation: `Lists nested ${MAX_NESTING} levels deep under the workflow's own mapping: ${MAX_NESTING + 1} levels.`,
    shown: `${HEAD}x-deep: [[[[ … ]]]]   # ${MAX_NESTING} levels of lists\nnodes:\n  - { id: a, type: system, subtype: router }\n`,
  },

  // ---- normalise ----------------------------------------------------------------
  { code: 'OSOP2001', at: [1, 1], source: wf('edges: []\n') },
  { code: 'OSOP2002', at: [5, 5], source: wf('nodes:\n  - fetch\n') },
  { code: 'OSOP2003', at: [5, 45], source: wf('nodes:\n  - { id: a, type: system, subtype: router, purpse: "typo" }\n') },
  { code: 'OSOP2004', at: [5, 20], source: wf('nodes:\n  - { id: a, type: apii }\n') },
  { code: 'OSOP2005', at: [8, 29], source: wf(`${TWO}edges:\n  - { from: a, to: b, mode: sequentail }\n`) },
  { code: 'OSOP2006', at: [5, 34], source: wf('nodes:\n  - { id: a, type: api, timeout: soon, runtime: { url: "https://api.example.com/x" } }\n') },
  { code: 'OSOP2007', at: [5, 43], source: wf('nodes:\n  - { id: a, type: api, outputs: [status, status], runtime: { url: "https://api.example.com/x" } }\n') },
  { code: 'OSOP2008', at: [5, 54], source: wf('nodes:\n  - { id: a, type: api, retry_policy: { max_retries: many }, runtime: { url: "https://api.example.com/x" } }\n') },
  { code: 'OSOP2009', at: [5, 34], source: wf('nodes:\n  - { id: a, type: api, x-sfn: { max_fallback: 2 }, runtime: { url: "https://api.example.com/x" } }\n') },
  { code: 'OSOP2010', at: [4, 9], source: wf('inputs: 5\nnodes:\n  - { id: a, type: system, subtype: router }\n') },
  { code: 'OSOP2011', at: [5, 34], source: wf('nodes:\n  - { id: a, type: mcp, runtime: { server: "https://mcp.example.com/sse" } }\n') },
  { code: 'OSOP2012', at: [1, 1], source: 'id: demo\nname: Demo\nnodes:\n  - { id: a, type: system, subtype: router }\n' },
  { code: 'OSOP2013', at: [5, 36], source: wf('nodes:\n  - { id: a, type: agent, runtime: { model: gpt-4o, prompt: "Summarise." } }\n') },

  // ---- analyse ------------------------------------------------------------------
  { code: 'OSOP3001', at: [6, 11], source: wf('nodes:\n  - { id: a, type: system, subtype: router }\n  - { id: a, type: system, subtype: router }\nedges: []\n') },
  { code: 'OSOP3002', at: [8, 20], source: wf(`${TWO}edges:\n  - { from: a, to: c }\n`) },
  {
    code: 'OSOP3003', at: [1, 1],
    source: wf('nodes:\n  - { id: a, type: system, subtype: router }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n  - { id: d, type: system, subtype: router }\nedges:\n  - { from: a, to: b }\n  - { from: b, to: a, mode: loop, when: "true" }\n  - { from: c, to: d }\n  - { from: d, to: c, mode: loop, when: "true" }\n'),
  },
  { code: 'OSOP3004', at: [7, 11], source: wf(`${TWO}  - { id: c, type: system, subtype: router }\nedges:\n  - { from: a, to: b }\n`) },
  {
    code: 'OSOP3005', at: [7, 11],
    source: wf(`${TWO}  - { id: c, type: system, subtype: router }\nedges:\n  - { from: a, to: b }\n  - { from: c, to: c, mode: loop, when: "true" }\n`),
  },
  { code: 'OSOP3006', at: [9, 5], source: wf(`${TWO}edges:\n  - { from: a, to: b }\n  - { from: b, to: a }\n`) },
  { code: 'OSOP3007', at: [5, 68], source: wf('nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/${nope.id}" } }\n') },
  {
    code: 'OSOP3008', at: [5, 75],
    source: wf(
      'nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/a?late=${c.late}" } }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: api, outputs: [late], runtime: { url: "https://api.example.com/c" } }\nedges:\n  - { from: a, to: b }\n  - { from: b, to: c }\n',
    ),
  },
  { code: 'OSOP3009', at: [6, 74], source: wf('inputs: { user_id: { type: string } }\nnodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/users/${inputs.usr_id}" } }\n') },
  {
    code: 'OSOP3010', at: [6, 70],
    source: wf('nodes:\n  - { id: a, type: api, outputs: [status], runtime: { url: "https://api.example.com/a" } }\n  - { id: b, type: api, runtime: { url: "https://api.example.com/b/${a.statuss}" } }\nedges:\n  - { from: a, to: b }\n'),
  },
  { code: 'OSOP3011', at: [9, 5], source: wf(`${TWO}edges:\n  - { from: a, to: b }\n  - { from: b, to: b }\n`) },
  {
    code: 'OSOP3012', at: [8, 48],
    source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: conditional, when: "a.status == 200" }\n`),
  },
  {
    code: 'OSOP3013', at: [9, 48],
    source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: conditional, when: "a.status > 100" }\n  - { from: a, to: c, mode: conditional, when: "a.status > 200" }\n`),
  },
  { code: 'OSOP3014', at: [9, 5], source: wf(`${TWO}edges:\n  - { from: a, to: b }\n  - { from: a, to: b }\n`) },
  {
    code: 'OSOP3015', at: [8, 47],
    source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: sequential, when: "a.status == 200" }\n`),
  },
  { code: 'OSOP3016', at: [8, 29], source: wf(`${TWO}edges:\n  - { from: a, to: b, mode: conditional }\n`) },
  {
    code: 'OSOP3017', at: [10, 5],
    source: wf(
      'nodes:\n  - { id: a, type: api, outputs: [items], runtime: { url: "https://api.example.com/items" } }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n  - { id: d, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: loop, for_each: "a.items", iterator_var: item }\n  - { from: b, to: c, mode: conditional, when: "loop.item == 1" }\n  - { from: b, to: d }\n',
    ),
  },
  {
    code: 'OSOP3018', at: [10, 11],
    source: wf(
      'nodes:\n  - { id: a, type: system, subtype: fork }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n  - { id: d, type: system, subtype: router }\n  - { id: e, type: system, subtype: router }\n  - { id: f, type: system, subtype: router }\n  - { id: g, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: parallel }\n  - { from: a, to: c, mode: parallel }\n  - { from: b, to: d, mode: parallel }\n  - { from: b, to: e, mode: parallel }\n  - { from: c, to: f }\n  - { from: d, to: f }\n  - { from: e, to: g }\n  - { from: f, to: g }\n',
    ),
  },
  {
    code: 'OSOP3019', at: [7, 70],
    source: wf(
      'nodes:\n  - { id: s, type: system, subtype: fork }\n  - { id: a, type: api, outputs: [id], runtime: { url: "https://api.example.com/a" } }\n  - { id: b, type: api, runtime: { url: "https://api.example.com/b/${a.id}" } }\n  - { id: j, type: system, subtype: router }\nedges:\n  - { from: s, to: a, mode: parallel }\n  - { from: s, to: b, mode: parallel }\n  - { from: a, to: j }\n  - { from: b, to: j }\n',
    ),
  },
  {
    code: 'OSOP3020', at: [7, 73],
    source: wf(
      'nodes:\n  - { id: a, type: api, outputs: [items], runtime: { url: "https://api.example.com/items" } }\n  - { id: b, type: api, outputs: [x], runtime: { url: "https://api.example.com/item/${loop.item}" } }\n  - { id: c, type: api, runtime: { url: "https://api.example.com/done/${b.x}" } }\nedges:\n  - { from: a, to: b, mode: loop, for_each: "a.items", iterator_var: item }\n  - { from: a, to: c }\n',
    ),
  },
  { code: 'OSOP3021', at: [5, 42], source: wf('nodes:\n  - { id: a, type: system, workflow_ref: billing }\n') },
  { code: 'OSOP3022', at: [5, 42], source: wf('nodes:\n  - { id: a, type: system, workflow_ref: demo }\n') },
  { code: 'OSOP3023', at: [8, 29], source: wf(`${TWO}edges:\n  - { from: a, to: b, mode: message }\n`) },
  {
    code: 'OSOP3024', at: [8, 55],
    source: wf('nodes:\n  - { id: review, type: human }\n  - { id: pay, type: system, subtype: router }\nedges:\n  - { from: review, to: pay, mode: conditional, when: approved }\n'),
  },
  { code: 'OSOP3025', at: [5, 68], source: wf('nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/${inputs.region}" } }\n') },
  { code: 'OSOP3026', at: [7, 11], source: wf(`${TWO}  - { id: c, type: system, subtype: router }\nedges:\n  - { from: a, to: b }\n  - { from: c, to: b }\n`) },
  {
    code: 'OSOP3027', at: [5, 42],
    files: { 'charge.osop.yaml': 'osop_version: "1.0"\nid: charge\nname: Charge\ninputs: { amount: { type: number, required: true } }\nnodes:\n  - { id: pay, type: api, runtime: { url: "https://api.example.com/pay?amount=${inputs.amount}" } }\n' },
    source: wf('nodes:\n  - { id: a, type: system, workflow_ref: charge }\n'),
  },
  { code: 'OSOP3029', at: [6, 68], source: wf('inputs: { region: { type: string, required: false } }\nnodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/${inputs.region}" } }\n') },
  { code: 'OSOP3028', at: [5, 11], source: wf('nodes:\n  - { id: __proto__, type: system, subtype: router }\n') },
  {
    code: 'OSOP3030', at: [9, 5],
    source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b }\n  - { from: b, to: a, mode: conditional, when: "a.status == 500" }\n`),
  },
  { code: 'OSOP3031', at: [8, 29], source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: switch, when: "a.status == 200" }\n`) },
  {
    code: 'OSOP3032', at: [9, 20],
    source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: switch, when: "a.status", cases: [{ value: 200, to: c }], default_to: c }\n  - { from: c, to: b }\n`),
  },
  { code: 'OSOP3033', at: [5, 60], source: wf('nodes:\n  - { id: a, type: db, runtime: { engine: postgres, table: users } }\n') },

  // ---- expressions --------------------------------------------------------------
  { code: 'OSOP4001', at: [8, 58], source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: conditional, when: "a.status == " }\n`) },
  { code: 'OSOP4002', at: [8, 49], source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: conditional, when: "a.status / 2 == 1" }\n`) },
  { code: 'OSOP4003', at: [8, 65], source: wf(`${A_STATUS}  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: conditional, when: "a.status == 200 and a.status < 300" }\n`) },
  { code: 'OSOP4004', at: [5, 66], source: wf('nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/${inputs.id" } }\n') },
  { code: 'OSOP4005', at: [5, 87], source: wf('nodes:\n  - { id: a, type: agent, runtime: { model: claude-sonnet-4-6, prompt: "Use the key ${secrets.API_KEY}." } }\n') },
  { code: 'OSOP4006', at: [5, 68], source: wf('nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/${env.HOME}" } }\n') },
  { code: 'OSOP4007', at: [5, 41], source: wf('nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/users/{{id}}" } }\n') },

  // ---- lower --------------------------------------------------------------------
  { code: 'OSOP5001', at: [8, 29], source: wf(`${TWO}edges:\n  - { from: a, to: b, mode: event }\n`) },
  {
    code: 'OSOP5002',
    unreachable:
      "A guard in the REST binding's lowering for a URL it cannot compose. An api node without url or endpoint is a manual step (OSOP5008), and every template of a node's URL is checked by the analysis first, so no input reaches it (one did through a wait_all fork whose first branch went straight to the join, fixed with a regression test in test/compiler/front-end.test.ts).",
  },
  { code: 'OSOP5003', at: [6, 41], source: wf('inputs: { host: { type: string } }\nnodes:\n  - { id: a, type: api, runtime: { url: "https://${inputs.host}/x" } }\n') },
  { code: 'OSOP5004', at: [5, 48], source: wf('nodes:\n  - { id: a, type: agent, runtime: { provider: cohere, model: command-r, prompt: "Summarise." } }\n') },
  {
    code: 'OSOP5006', at: [5, 11],
    source: wf(`nodes:\n  - { id: ${'a'.repeat(80)}, type: api, outputs: [status], runtime: { url: "https://api.example.com/a" } }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\nedges:\n  - { from: ${'a'.repeat(80)}, to: b, mode: conditional, when: "${'a'.repeat(80)}.status == 200" }\n  - { from: ${'a'.repeat(80)}, to: c, mode: conditional, when: "${'a'.repeat(80)}.status != 200" }\n`),
  },
  { code: 'OSOP5007', at: [5, 100], source: wf('nodes:\n  - { id: a, type: api, runtime: { url: "https://api.example.com/x", method: POST, body: { "id.$": "$.id" } } }\n') },
  { code: 'OSOP5008', at: [5, 20], source: wf('nodes:\n  - { id: a, type: api, runtime: { method: POST } }\n') },
  { code: 'OSOP5009', at: [5, 5], source: wf('nodes:\n  - { id: build, type: cli, timeout_sec: 60, runtime: { command: "make test" } }\n') },
  {
    code: 'OSOP5010', at: [2, 5],
    source: wf(`nodes:\n  - { id: a, type: agent, runtime: { model: claude-sonnet-4-6, prompt: "${'Summarise. '.repeat(100_000)}" } }\n`),
    shown: wf('nodes:\n  - { id: a, type: agent, runtime: { model: claude-sonnet-4-6, prompt: "Summarise. Summarise. …" } }   # a 1.1 MB prompt\n'),
  },
  { code: 'OSOP5011', at: [5, 41], source: wf('nodes:\n  - { id: a, type: api, runtime: { url: "http://api.example.com/x", headers: { Authorization: "Bearer ${secrets.TOKEN}" } } }\n') },
  {
    code: 'OSOP5012', at: [2, 5],
    source: wf(`inputs: { ${'k'.repeat(33_000)}: { type: string, required: true } }\nnodes:\n  - { id: a, type: system, subtype: router }\n`),
    shown: wf('inputs: { kkkk…: { type: string, required: true } }   # an input name of 33,000 characters\nnodes:\n  - { id: a, type: system, subtype: router }\n'),
  },
  { code: 'OSOP5016', at: [5, 59], source: wf('nodes:\n  - { id: a, type: api, x-sfn: { http: native }, runtime: { url: "https://api.example.com/x" } }\n') },
  { code: 'OSOP5015', at: [5, 11], source: wf('nodes:\n  - { id: a, type: system, subtype: router }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n  - { id: d, type: system, subtype: router }\nedges:\n  - { from: a, to: b, mode: parallel }\n  - { from: a, to: c, mode: parallel }\n  - { from: b, to: d, join_mode: wait_any }\n  - { from: c, to: d }\n') },
  { code: 'OSOP5014', at: [9, 5], source: wf(`${TWO}edges:\n  - { from: a, to: b }\n  - { from: b, to: a, mode: loop, when: "true", x-sfn: { max_iterations: 5000 } }\n`) },
  {
    code: 'OSOP5017',
    unreachable:
      "A guard in the lowering for two states with one name. Node ids hold no ':' (OSOP3028) and every state the compiler adds has one (a node id plus a suffix such as ':route', or a name such as 'osop:init'), and node ids are unique (OSOP3001), so no input reaches it.",
  },
  {
    code: 'OSOP5013',
    unreachable:
      "A last check on the compiled definition (what CreateStateMachine would refuse). The compiler's own intrinsics nest at most a few levels (a fork's merges grow with log2 of its branches and wider forks are refused with OSOP5001; wait_n counts at most 11 branches), user keys ending in '.$' are refused (OSOP5007) and references become sanitised paths, so no input reaches it.",
  },
  // ---- osop-sfn test ---------------------------------------------------------------
  { code: 'OSOP6001', tests: true, at: [7, 20], source: withTests('  - { id: t, type: smoke, mocks: { a: { outputs: { status: 200 } } }, expect: { status: succeeded } }\n') },
  { code: 'OSOP6002', tests: true, at: [7, 87], source: withTests('  - { id: t, mocks: { a: { outputs: { status: 200 } } }, expect: { status: succeeded, nodez: [a] } }\n') },
  { code: 'OSOP6003', tests: true, at: [7, 23], source: withTests('  - { id: t, mocks: { b: { outputs: {} } }, expect: { status: succeeded } }\n') },
  { code: 'OSOP6004', tests: true, at: [7, 76], source: withTests('  - { id: t, mocks: { a: { outputs: { status: 200 } } }, expect: { status: done } }\n') },
  { code: 'OSOP6005', tests: true, at: 'file', source: MINIMAL },
  {
    code: 'OSOP6006', tests: true, at: [8, 5],
    source: withTests('  - { id: t, mocks: { a: { outputs: { status: 200 } } }, expect: { status: succeeded } }\n  - { id: t, mocks: { a: { outputs: { status: 500 } } }, expect: { status: succeeded } }\n'),
  },

  { code: 'OSOP9000', unreachable: 'Raised only when the compiler itself throws (a bug in osop-sfn, reported with internalError: true); no input is meant to reach it.' },
];

/** What compiling a case gave, with the temporary folder taken out of paths (as the documentation shows them). */
export interface CaseResult {
  result: CompileResult;
  /** The diagnostics with the case's code. */
  found: Diagnostic[];
  /** The file as shown: its name, without the temporary folder. */
  shownFile: string;
}

/** Compile a case in a fresh temporary folder (removed afterwards). */
export function runCase(c: DiagnosticCase): CaseResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-diag-'));
  try {
    for (const [name, text] of Object.entries(c.files ?? {})) write(dir, name, text);
    let file: string;
    let result: CompileResult;
    if (c.tests) {
      // As `osop-sfn test` reads the workflow: compiled, then its tests: section read against the definition.
      file = write(dir, c.file ?? 'example.osop.yaml', c.source ?? '');
      const loaded = loadTests(file);
      const problems = loaded.ok ? loaded.problems : [];
      const diagnostics = [...loaded.compiled.diagnostics, ...problems];
      result = { ...loaded.compiled, ok: loaded.compiled.ok && !problems.some((d) => d.severity === 'error'), diagnostics };
    } else if (c.setup) {
      file = c.setup(dir);
      result = compile(file, c.strict ? { strict: true } : {});
    } else {
      file = path.join(dir, c.file ?? 'example.osop.yaml');
      result = compile(file, { source: c.source ?? '', ...(c.strict ? { strict: true } : {}) });
    }
    const strip = (s: string) => s.split(`${dir}${path.sep}`).join('');
    const diagnostics = result.diagnostics.map((d) => ({ ...d, file: strip(d.file), message: strip(d.message), ...(d.hint ? { hint: strip(d.hint) } : {}) }));
    const shown: CompileResult = { ...result, diagnostics };
    return { result: shown, found: diagnostics.filter((d) => d.code === c.code), shownFile: strip(file) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
