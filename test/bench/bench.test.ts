/**
 * The benchmark's pieces work (bench/): the generators make workflows of the
 * promised size and shape that compile, the hand-written baseline builds and
 * follows the seed, the transition counter and the byte accounting count, and
 * the measuring proxy measures. No timing is asserted here.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { compile } from '../../lib';
import { BASELINE_TASKS, baselineDefinition } from '../../bench/baseline/stripe-payment';
import { runWithStubs } from '../../bench/engine';
import { generateWorkflow, SHAPES } from '../../bench/generate';
import { carriesWholeResponse } from '../../bench/local';
import { fieldBytes, PATHS, seedDefinition, stubsFor } from '../../bench/machines';
import { startMeasuringProxy } from '../../bench/proxy';
import { jsonBytes, median } from '../../bench/stats';

describe('generated workflows', () => {
  test.each(SHAPES.flatMap((shape) => [37, 100].map((n) => [shape, n] as const)))('%s of %i nodes: exactly that many api nodes, and it compiles', (shape, n) => {
    const source = generateWorkflow(shape, n);
    const doc = parse(source) as { nodes: { type: string; outputs: unknown[] }[] };
    expect(doc.nodes).toHaveLength(n);
    expect(doc.nodes.every((x) => x.type === 'api' && x.outputs.length > 0)).toBe(true);
    // Every node after the first reads an earlier node's output.
    expect((source.match(/\$\{[a-z]+\d+(_\d+)?\.(id|status)\}/g) ?? []).length).toBeGreaterThanOrEqual(n - 1);
    const r = compile(`${shape}.osop.yaml`, { source });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    const types = Object.values(r.definition!.States).map((s) => s.Type);
    if (shape === 'fanout') expect(types).toContain('Parallel');
    if (shape === 'diamond') expect(types).toContain('Choice');
    if (shape === 'fallback') expect(r.report!.states.filter((s) => s.endsWith(':fallback')).length).toBe(Math.floor(n / 2));
  });

  test('a size below one block is a chain, and bad sizes are refused', () => {
    expect(compile('x.osop.yaml', { source: generateWorkflow('fanout', 3) }).ok).toBe(true);
    expect(() => generateWorkflow('chain', 0)).toThrow(RangeError);
  });
});

describe('hand-written baseline', () => {
  const baseline = baselineDefinition();

  test('renders offline to plain ASL with the same Task names and handler substitutions as the compiled seed', () => {
    const tasks = Object.entries(baseline.States).filter(([, s]) => s.Type === 'Task').map(([n]) => n);
    expect(tasks.sort()).toEqual([...BASELINE_TASKS].sort());
    const text = JSON.stringify(baseline);
    expect(text).not.toMatch(/Fn::|\$\{Token/);
    expect(text).toContain('${RestHandlerArn}');
    expect(text).toContain('${AgentHandlerArn}');
    expect(baseline.States.fallback_exhausted).toMatchObject({ Type: 'Fail', Error: 'OSOP.FallbackExhausted' });
  });

  test.each(PATHS)('follows the seed on the %s path, and the transition counter counts state entries', async (path) => {
    const a = await runWithStubs(seedDefinition(), stubsFor(path));
    const b = await runWithStubs(baseline, stubsFor(path));
    expect(b.taskCalls).toEqual(a.taskCalls);
    expect([b.status, b.error]).toEqual([a.status, a.error]);
    expect(a.transitions).toBe(a.entered.length);
    const expected = { happy: 6, oneFallback: 10, exhaustedFallback: 17 }[path];
    expect(a.transitions).toBe(expected);
    if (path === 'happy') expect(a.entered).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'check_status:route', 'send_receipt']);
    expect(a.maxStateBytes).toBeGreaterThan(0);
  });
});

test('fieldBytes accounts for every byte of a definition', () => {
  for (const def of [seedDefinition(), baselineDefinition()]) {
    const fields = fieldBytes(def as never);
    expect([...fields.values()].reduce((x, y) => x + y, 0)).toBe(jsonBytes(def));
    expect(fields.get('structure')).toBeGreaterThan(0);
  }
});

test('the measuring proxy relays and counts response bodies; a whole response in state is detected', async () => {
  const body = JSON.stringify({ id: 'pi_1', object: 'payment_intent', amount: 2000, status: 'succeeded', client_secret: 's' });
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const proxy = await startMeasuringProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  try {
    const res = await fetch(`${proxy.url}/v1/payment_intents/pi_1`);
    expect(await res.text()).toBe(body);
    expect(proxy.responses).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/payment_intents/pi_1', status: 200, bodyBytes: Buffer.byteLength(body) })]);
  } finally {
    await proxy.close();
    await new Promise<void>((r) => upstream.close(() => r()));
  }
  expect(carriesWholeResponse([{ outputs: { x: { intent_id: 'pi_1', status: 'succeeded' } } }], [{ body }])).toBe(false);
  expect(carriesWholeResponse([{ outputs: { x: JSON.parse(body) } }], [{ body }])).toBe(true);
});

test('median', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
  expect(() => median([])).toThrow();
});
