/**
 * A function's error reaches Catch and Choice as Step Functions delivers it:
 * Error is the thrown name, Cause the Lambda runtime's JSON envelope; error
 * conditions read the message out of it; paths that read Cause hold when
 * there is none. The real REST handler against a recording server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile } from '../../lib';
import { statesEntered } from '../../lib/local/events';
import { runLocally } from '../../lib/local/run-local';
import { validateAsl } from '../helpers/asl';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/declined') return void res.writeHead(402, { 'content-type': 'application/json' }).end('{"error":{"message":"Your card was declined."}}');
    if (req.url === '/gone') return void res.writeHead(410, { 'content-type': 'application/json' }).end('{"error":{"message":"No such customer."}}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));

const workflow = (path: string) => `osop_version: "1.0"
id: charge
name: Charge
nodes:
  - { id: charge, type: api, runtime: { url: "https://pay.example.com${path}", method: POST } }
  - { id: declined, type: system, subtype: router }
  - { id: other, type: system, subtype: router }
edges:
  - { from: charge, to: declined, mode: error, when: "error.message contains 'declined'" }
  - { from: charge, to: other, mode: error, when: "error.name == 'OSOP.Http.Rejected'" }
`;

async function run(source: string) {
  const r = compile('charge.osop.yaml', { source });
  expect(r.ok).toBe(true);
  const p = validateAsl(r.definition);
  expect([...p.aslValidator, ...p.statelint]).toEqual([]);
  return runLocally({ definition: r.definition!, report: r.report!, input: {}, fast: true, routes: { 'https://pay.example.com': base } });
}

test("the caught error's Cause is the Lambda envelope, and a condition on error.message reads the message inside it", async () => {
  const o = await run(workflow('/declined'));
  expect(o.status).toBe('SUCCEEDED');
  expect(statesEntered(o.events)).toContain('declined');
  const caught = o.events.find((e) => e.kind === 'caught')!;
  expect(caught.kind === 'caught' && JSON.parse(caught.cause)).toMatchObject({ errorType: 'OSOP.Http.Rejected', errorMessage: expect.stringContaining('Your card was declined.'), trace: expect.any(Array) });
});

test('a message that does not match takes the next error edge', async () => {
  const o = await run(workflow('/gone'));
  expect(statesEntered(o.events)).toEqual(expect.arrayContaining(['other']));
  expect(statesEntered(o.events)).not.toContain('declined');
});

test('an exhausted fallback with a cause fails with that cause (the envelope, as on AWS)', async () => {
  const source = `osop_version: "1.0"\nid: retry\nname: Retry\nnodes:\n  - { id: start, type: system, subtype: router }\n  - { id: charge, type: api, runtime: { url: "https://pay.example.com/declined", method: POST }, x-sfn: { max_fallbacks: 1 } }\nedges:\n  - { from: start, to: charge }\n  - { from: charge, to: start, mode: fallback }\n`;
  const o = await run(source);
  expect(o.status).toBe('FAILED');
  expect(o.error).toBe('OSOP.FallbackExhausted');
  expect(JSON.parse(o.cause!)).toMatchObject({ errorType: 'OSOP.Http.Rejected' });
});
