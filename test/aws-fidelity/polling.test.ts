/**
 * Polling waits between rounds: a node of subtype `polling` with interval_sec/max_polls, or a loop edge
 * with `delay`, pauses in a Wait state before the next round and stops after its bound. Shown by the real
 * REST handler against a recording server on 127.0.0.1, with Wait states at their written length.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile } from '../../lib';
import { statesEntered } from '../../lib/local/events';
import { runLocally } from '../../lib/local/run-local';
import { validateAsl } from '../helpers/asl';

let server: Server;
let base: string;
let polls: number[] = [];
let readyAfter = 3;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST') return void res.end('{"export_id":"exp_1"}');
    if (req.url === '/exports/exp_1') {
      polls.push(Date.now());
      return void res.end(JSON.stringify({ status: polls.length >= readyAfter ? 'ready' : 'pending' }));
    }
    res.end('{"url":"https://files.example.com/exp_1.csv"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  polls = [];
});

const exportWorkflow = (check: string, loopExtra = '') => `osop_version: "1.0"
id: export
name: Export
nodes:
  - { id: start_export, type: api, runtime: { url: "https://reports.example.com/exports", method: POST }, outputs: [export_id] }
  - { id: check_export, type: api, ${check}, runtime: { url: "https://reports.example.com/exports/\${start_export.export_id}", method: GET }, outputs: [status] }
  - { id: download, type: api, runtime: { url: "https://reports.example.com/download/\${start_export.export_id}", method: GET }, outputs: [url] }
edges:
  - { from: start_export, to: check_export }
  - { from: check_export, to: check_export, mode: loop, when: "check_export.status != 'ready'"${loopExtra} }
  - { from: check_export, to: download, mode: conditional, when: "check_export.status == 'ready'" }
`;

function build(source: string) {
  const r = compile('export.osop.yaml', { source });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const p = validateAsl(r.definition);
  expect([...p.aslValidator, ...p.statelint]).toEqual([]);
  return r;
}

const run = (r: ReturnType<typeof build>) => runLocally({ definition: r.definition!, report: r.report!, input: {}, fast: false, routes: { 'https://reports.example.com': base } });

const gaps = () => polls.slice(1).map((t, i) => t - polls[i]);

test('a polling node waits interval_sec between polls, then goes on when the status is ready', async () => {
  readyAfter = 3;
  const r = build(exportWorkflow('subtype: polling, interval_sec: 1, max_polls: 5'));
  expect(r.definition!.States['check_export:loop-check_export-wait']).toEqual({ Type: 'Wait', Seconds: 1, Next: 'check_export' });
  const o = await run(r);
  expect(o.status).toBe('SUCCEEDED');
  expect(polls).toHaveLength(3);
  for (const gap of gaps()) expect(gap).toBeGreaterThanOrEqual(950);
  expect(statesEntered(o.events)).toContain('download');
});

test('max_polls bounds the rounds: the third pending answer ends the execution with OSOP.LoopExhausted', async () => {
  readyAfter = Infinity;
  const r = build(exportWorkflow('subtype: polling, interval_sec: 1, max_polls: 3'));
  const o = await run(r);
  expect([o.status, o.error]).toEqual(['FAILED', 'OSOP.LoopExhausted']);
  expect(o.cause).toContain('max_polls: 3');
  expect(polls).toHaveLength(3);
  for (const gap of gaps()) expect(gap).toBeGreaterThanOrEqual(950);
});

test('a loop edge with delay waits too (a duration text), and polls without a pause are a warning', async () => {
  readyAfter = 2;
  const r = build(exportWorkflow('name: Check', ', delay: "1s"'));
  const o = await run(r);
  expect(o.status).toBe('SUCCEEDED');
  expect(polls).toHaveLength(2);
  expect(gaps()[0]).toBeGreaterThanOrEqual(950);

  const bare = compile('export.osop.yaml', { source: exportWorkflow('subtype: polling') });
  expect(bare.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'warning', message: expect.stringContaining("Polling node 'check_export' sets no interval_sec") })]));
});

test('a bad interval is an error at its position', () => {
  const r = compile('export.osop.yaml', { source: exportWorkflow('subtype: polling, interval_sec: 0.2') });
  expect(r.ok).toBe(false);
  expect(r.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'OSOP2006', line: 6, column: 68 })]));
});
