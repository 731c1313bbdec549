/**
 * Which api nodes become native HTTP Tasks (x-sfn: { http: native }) and which stay on the REST handler, with the
 * reason (OSOP5016); what the HTTP Task carries: the key per attempt and per for-each item, no key on GET, the
 * node's own key, JSON bodies without Transform, query parameters.
 */
import { compile } from '../../lib';

const node = (runtime: string, extra = '') => `osop_version: "1.0"\nid: w\nname: W\nx-sfn: { http: native }\nnodes:\n  - id: a\n    type: api\n${extra}    runtime: ${runtime}\n`;
const compiled = (source: string) => {
  const r = compile('w.osop.yaml', { source });
  expect(r.ok).toBe(true);
  return { task: r.report!.tasks.find((t) => t.node === 'a')!, state: r.definition!.States.a as Record<string, any>, warnings: r.diagnostics.filter((d) => d.code === 'OSOP5016').map((d) => d.message) };
};
const AUTH = 'Authorization: "Bearer ${secrets.TOKEN}"';

test.each([
  ['a URL that is a secret', '{ url: "${secrets.HOOK}", method: POST, body: { x: 1 } }', 'its URL holds a secret'],
  ['a secret in the body', `{ url: "https://api.example.com/x", headers: { ${AUTH} }, body: { key: "\${secrets.TOKEN}" } }`, 'in its query, body or idempotency key'],
  ['secrets in two headers', '{ url: "https://api.example.com/x", headers: { X-A: "${secrets.A}", X-B: "${secrets.B}" } }', 'secrets in 2 headers'],
  ['no secret', '{ url: "https://api.example.com/x" }', 'it sends no secret'],
  ['a refused header', `{ url: "https://api.example.com/x", headers: { ${AUTH}, Cache-Control: no-cache } }`, 'refuses the header Cache-Control'],
  ['expected statuses', `{ url: "https://api.example.com/x", headers: { ${AUTH} }, expected_status: [200, 404] }`, 'accepts the statuses 200, 404'],
])('%s stays on the handler, saying why', (_what, runtime, why) => {
  const { task, warnings } = compiled(node(runtime));
  expect(task.resource).toBe('arn:aws:states:::lambda:invoke');
  expect(warnings).toEqual([expect.stringContaining(why)]);
});

test('a timeout over 60 s stays on the handler', () => {
  const { task, warnings } = compiled(node(`{ url: "https://api.example.com/x", headers: { ${AUTH} } }`, '    timeout_sec: 90\n'));
  expect(task.local).toEqual({ kind: 'lambda', handler: 'rest' });
  expect(warnings).toEqual([expect.stringContaining('over the 60 seconds')]);
});

test('x-sfn: { http: lambda } on the node overrides the workflow, without a warning', () => {
  const { task, warnings } = compiled(node(`{ url: "https://api.example.com/x", headers: { ${AUTH} } }`, '    x-sfn: { http: lambda }\n'));
  expect(task.local.kind).toBe('lambda');
  expect(warnings).toEqual([]);
});

test('a JSON POST: no Transform, a JSON content type, the derived key, query parameters, the connection for its header shape', () => {
  const { task, state } = compiled(node(`{ url: "https://api.example.com/x", method: POST, headers: { X-Api-Key: "\${secrets.KEY}" }, query: { page: 2 }, body: { a: [1, 2] } }`));
  expect(task.resource).toBe('arn:aws:states:::http:invoke');
  expect(state.Parameters.Transform).toBeUndefined();
  expect(state.Parameters.Headers['Content-Type']).toBe('application/json');
  expect(state.Parameters.Headers['X-Api-Key']).toBeUndefined();
  expect(state.Parameters.Headers['Idempotency-Key.$']).toContain("States.Hash(States.Format('{}/a/{}', $$.Execution.Id, '0'), 'SHA-256')");
  expect(state.Parameters.QueryParameters).toEqual({ page: 2 });
  expect(task.connection).toMatchObject({ secret: 'KEY', header: 'X-Api-Key', value: '${secrets.KEY}' });
  expect(task.connection!.substitution).toMatch(/^Connection_KEY_[0-9a-f]{8}$/);
});

test("GET sends no key; a node's own key is sent as it gives it", () => {
  expect(compiled(node(`{ url: "https://api.example.com/x", headers: { ${AUTH} } }`)).state.Parameters.Headers).toBeUndefined();
  const own = compiled(node(`{ url: "https://api.example.com/x", method: POST, headers: { ${AUTH} }, body: { a: 1 } }`, '    idempotency: { key: "order-${inputs.order}" }\n'));
  expect(own.state.Parameters.Headers['Idempotency-Key.$']).toBe("States.Format('order-{}', $.input.order)");
});

test('in a for-each, the key depends on the item: each item is its own call', () => {
  const source = `osop_version: "1.1"\nid: fe\nname: FE\nx-sfn: { http: native }\nnodes:\n  - id: fetch\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/subscribers", headers: { ${AUTH} } }\n    outputs: [{ name: rows, path: "data.rows" }]\n  - id: send\n    type: api\n    runtime: { method: POST, url: "https://api.example.com/send", headers: { ${AUTH} }, body: { to: "\${loop.subscriber.email}" } }\nedges:\n  - { from: fetch, to: send, mode: loop, for_each: "outputs.fetch.rows", iterator_var: subscriber }\n`;
  const r = compile('fe.osop.yaml', { source });
  expect(r.ok).toBe(true);
  const send = r.report!.tasks.find((t) => t.node === 'send')!;
  expect(send.resource).toBe('arn:aws:states:::http:invoke');
  const text = JSON.stringify(r.definition);
  expect(text).toMatch(/States\.Hash\(States\.Format\('\{\}\/send\/\{\}', \$\$\.Execution\.Id, \$\.loop\.[A-Za-z_]+\)/);
});

test("the workflow's x-sfn is checked: only http, native or lambda", () => {
  const r = compile('w.osop.yaml', { source: 'osop_version: "1.0"\nid: w\nname: W\nx-sfn: { http: nativ, other: 1 }\nnodes:\n  - { id: a, type: system, subtype: router }\n' });
  expect(r.diagnostics.filter((d) => d.code === 'OSOP2009').map((d) => d.message)).toEqual([expect.stringContaining("'http'"), "Unknown key 'other' in the x-sfn extension of the workflow."]);
});
