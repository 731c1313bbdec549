/**
 * Optional inputs without a default, where Step Functions would otherwise fail
 * with an uncatchable States.Runtime (a path to nothing): a node whose
 * template uses one checks first and fails with OSOP.Input naming it; a
 * for-each over one loops over no items. Both are warned at compile time.
 * Runs on the local engine with the real REST handler against a recording
 * server on 127.0.0.1.
 */
import { runLocally } from '../../lib/local/run-local';
import { compileValid } from '../helpers/asl';
import { useLoopbackServer } from '../helpers/loopback';

const sent: string[] = [];
const server = useLoopbackServer((req, res) => {
  sent.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
beforeEach(() => (sent.length = 0));

const compiled = (source: string) => compileValid(source);
const run = (r: ReturnType<typeof compiled>, input: unknown) => runLocally({ definition: r.definition!, report: r.report!, input, fast: true, routes: { 'https://api.example.com': server.base } });

const notify = `osop_version: "1.0"
id: notify
name: Notify
inputs:
  order: { type: string, required: true }
  cc: { type: string, required: false }
nodes:
  - id: send
    type: api
    runtime: { url: "https://api.example.com/orders/\${inputs.order}", method: POST, body: { cc: "\${inputs.cc}" } }
`;

test('a node whose template uses an optional input without a default fails with OSOP.Input naming it, before any call; given, it runs', async () => {
  const r = compiled(notify);
  const w = r.diagnostics.filter((d) => d.code === 'OSOP3029');
  expect(w).toHaveLength(1);
  expect(w[0].message).toMatch(/Node 'send' uses 'inputs.cc'/);
  expect([w[0].line, w[0].column]).toEqual([10, 100]);
  const without = await run(r, { order: 'o1' });
  expect(without.status).toBe('FAILED');
  expect(without.error).toBe('OSOP.Input');
  expect(without.cause).toMatch(/Node 'send' needs the input 'cc'/);
  expect(sent).toEqual([]);
  const given = await run(r, { order: 'o1', cc: 'boss@x.com' });
  expect(given.status).toBe('SUCCEEDED');
  expect(sent).toEqual(['/orders/o1']);
});

test('with a default, no check and no warning', () => {
  const r = compiled(notify.replace('cc: { type: string, required: false }', 'cc: { type: string, required: false, default: "" }'));
  expect(r.diagnostics.filter((d) => d.code === 'OSOP3029')).toEqual([]);
  expect(Object.keys(r.definition!.States)).not.toContain('send:inputs');
});

test('a for-each over an optional list not given loops over no items', async () => {
  const r = compiled(`osop_version: "1.0"
id: mailing
name: Mailing
inputs:
  emails: { type: array, required: false }
nodes:
  - { id: start, type: system, subtype: router }
  - id: send
    type: api
    runtime: { url: "https://api.example.com/send/\${loop.email}", method: POST }
edges:
  - { from: start, to: send, mode: loop, for_each: inputs.emails, iterator_var: email, x-sfn: { max_items: 50 } }
`);
  expect(r.diagnostics.find((d) => d.code === 'OSOP3029')?.message).toMatch(/loops over no items/);
  expect((await run(r, {})).status).toBe('SUCCEEDED');
  expect(sent).toEqual([]);
  expect((await run(r, { emails: ['a@x.com'] })).status).toBe('SUCCEEDED');
  expect(sent).toEqual(['/send/a%40x.com']);
});
