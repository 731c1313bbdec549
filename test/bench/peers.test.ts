/**
 * The seed's alternatives in the bench: the idiomatic CDK peer renders to
 * plain ASL, follows the seed's calls with the same stubs, and has no bound
 * on its fallback; the side-by-side figures count what the local runs count.
 * No timing and no transition count is asserted (the lowering changes them).
 */
import { idiomaticDefinition, IDIOMATIC_FUNCTIONS } from '../../bench/baseline/idiomatic';
import { runWithStubs } from '../../bench/engine';
import { seedDefinition, stubsFor } from '../../bench/machines';
import { benchPeers, PEERS } from '../../bench/peers';

test('the idiomatic peer: one function per endpoint, the same calls as the seed, no counter', async () => {
  const def = idiomaticDefinition();
  const text = JSON.stringify(def);
  expect(text).not.toMatch(/Fn::|\$\{Token/);
  const tasks = Object.entries(def.States).filter(([, s]) => s.Type === 'Task');
  expect(tasks.map(([n]) => n).sort()).toEqual([...IDIOMATIC_FUNCTIONS].sort());
  expect(new Set(tasks.map(([, s]) => (s.Parameters as { FunctionName: string }).FunctionName)).size).toBe(IDIOMATIC_FUNCTIONS.length);
  expect(Object.values(def.States).some((s) => s.Type === 'Pass')).toBe(false);
  for (const path of ['happy', 'oneFallback'] as const) {
    const a = await runWithStubs(seedDefinition(), stubsFor(path));
    const b = await runWithStubs(def, stubsFor(path));
    expect(b.taskCalls).toEqual(a.taskCalls);
    expect(b.status).toBe(a.status);
  }
});

test('side by side: every built machine counted as it ran; the cost check covers the seed and the fixtures', async () => {
  const r = await benchPeers();
  expect(Object.keys(r.peers).sort()).toEqual([...PEERS].sort());
  for (const k of PEERS) {
    const p = r.peers[k];
    if (!p.built) {
      expect(p.note).toBeTruthy();
      continue;
    }
    for (const f of Object.values(p.paths!)) expect(f.ran).toBe(f.counted);
    expect(p.perMillion!.total).toBeCloseTo(p.perMillion!.stepFunctions + p.perMillion!.lambda, 1);
  }
  expect(r.peers.idiomatic.paths!.exhaustedFallback.counted).toBeNull();
  expect(r.peers.ours.paths!.exhaustedFallback.ends).toBe('OSOP.FallbackExhausted');
  expect(r.costVerification.disagreements).toEqual([]);
  expect(r.costVerification.files).toBeGreaterThan(5);
}, 120_000);
