/**
 * Run-time defects that only a real peer shows, run on the local engine with
 * the real REST handler against a recording server on 127.0.0.1:
 *   - every item of a for-each sends its own Idempotency-Key (the same across
 *     retries of that item), so a provider that honours keys applies each;
 *   - a node whose own deadline passes takes its timeout edge after its retries;
 *   - a wait_all fork of 12 branches merges its outputs within 10 nested intrinsics.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile } from '../../lib';
import { runLocally } from '../../lib/local/run-local';
import { statesEntered } from '../../lib/local/events';
import { validateAsl } from '../helpers/asl';

let server: Server;
let base: string;
const requests: { path: string; key?: string }[] = [];
const failOnce = new Set<string>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const key = req.headers['idempotency-key'] as string | undefined;
    requests.push({ path: req.url ?? '', key });
    if (req.url?.startsWith('/slow')) {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 1500);
      return;
    }
    if (req.url && failOnce.delete(req.url)) return void res.writeHead(503).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));
beforeEach(() => (requests.length = 0));

const run = (source: string, input: unknown) => {
  const r = compile('f.osop.yaml', { source });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  const p = validateAsl(r.definition);
  expect([...p.aslValidator, ...p.statelint]).toEqual([]);
  return runLocally({ definition: r.definition!, report: r.report!, input, fast: true, routes: { 'https://mail.example.com': base } });
};

test('each item of a for-each sends its own Idempotency-Key; a retried item keeps its key', async () => {
  const source = `osop_version: "1.0"
id: newsletter
name: Newsletter
inputs: { emails: { type: array } }
nodes:
  - { id: start, type: system, subtype: router }
  - id: send
    type: api
    runtime: { url: "https://mail.example.com/send/\${loop.email}", method: POST, body: { to: "\${loop.email}" } }
edges:
  - { from: start, to: send, mode: loop, for_each: inputs.emails, iterator_var: email }
`;
  failOnce.add('/send/b%40x.com');
  const o = await run(source, { emails: ['a@x.com', 'b@x.com', 'c@x.com'] });
  expect(o.status).toBe('SUCCEEDED');
  const byItem = new Map<string, Set<string>>();
  for (const r of requests) byItem.set(r.path, (byItem.get(r.path) ?? new Set()).add(r.key!));
  // Three items, three keys; b was sent twice (503, then retried) with one key.
  expect(requests.filter((r) => r.path === '/send/b%40x.com')).toHaveLength(2);
  expect([...byItem.values()].map((keys) => keys.size)).toEqual([1, 1, 1]);
  expect(new Set(requests.map((r) => r.key)).size).toBe(3);
});

test("a node whose own deadline passes takes its timeout edge after its retries, not a failure of the execution", async () => {
  const source = `osop_version: "1.0"
id: export
name: Export
nodes:
  - id: fetch
    type: api
    timeout_sec: 1
    retry_policy: { max_retries: 1, backoff_sec: 1 }
    runtime: { url: "https://mail.example.com/slow" }
  - { id: too_slow, type: system, subtype: router }
edges:
  - { from: fetch, to: too_slow, mode: timeout }
`;
  const o = await run(source, {});
  expect(o.status).toBe('SUCCEEDED');
  expect(statesEntered(o.events)).toContain('too_slow');
  // The first try and its one retry, each cut off by the handler's deadline.
  expect(requests.filter((r) => r.path === '/slow')).toHaveLength(2);
}, 15_000);

test('a wait_all fork of 12 branches merges every branch within 10 nested intrinsics', () => {
  const n = 12;
  const nodes = Array.from({ length: n }, (_, i) => `  - { id: b${i}, type: api, runtime: { url: "https://mail.example.com/b${i}" }, outputs: [ok] }\n`).join('');
  const edges = Array.from({ length: n }, (_, i) => `  - { from: start, to: b${i}, mode: parallel }\n  - { from: b${i}, to: done }\n`).join('');
  const r = compile('f.osop.yaml', { source: `osop_version: "1.0"\nid: wide\nname: Wide\nnodes:\n  - { id: start, type: system, subtype: fork }\n${nodes}  - { id: done, type: system, subtype: join }\nedges:\n${edges}` });
  expect(r.ok).toBe(true);
  const merge = ((r.definition!.States['start:parallel'] as { ResultSelector: Record<string, string> }).ResultSelector['outputs.$']);
  let depth = 0;
  let max = 0;
  for (const c of merge) {
    if (c === '(') max = Math.max(max, ++depth);
    if (c === ')') depth--;
  }
  expect(max).toBeLessThanOrEqual(10);
  expect(merge.match(/\$\[\d+\]\.outputs/g)).toHaveLength(n);
});
