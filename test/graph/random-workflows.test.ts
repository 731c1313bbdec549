/**
 * Property tests over the graph model. Random well-formed workflows built
 * from the supported constructs (chains, forks with joins, conditional
 * diamonds, bounded fallbacks and loops) compile, pass both validators, and
 * run on the local engine to a terminal state within their bounds. Mutated
 * and truncated YAML never produces an internal error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { compile } from '../../lib';
import { validateAsl } from '../helpers/asl';
import { runDefinition, taskStates, type Stub } from '../helpers/engine';
import { CORPUS, SEED } from '../helpers/paths';

interface Block {
  entry: string;
  exit: string;
}

/** A small deterministic PRNG so that one fast-check integer fixes a whole workflow. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function randomWorkflow(seed: number) {
  const rnd = prng(seed);
  const nodes: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  let count = 0;
  const leaf = (): Block => {
    const id = `n${count++}${rnd() < 0.3 ? '-x' : ''}`;
    nodes.push({ id, type: 'api', runtime: { method: rnd() < 0.5 ? 'GET' : 'POST', url: `https://api.example.com/${id}` }, outputs: [{ name: 'v', schema: 'string' }] });
    if (rnd() < 0.15) edges.push({ from: id, to: id, mode: 'loop', when: `${id}.v == 'again'`, 'x-sfn': { max_iterations: 2 } });
    else if (rnd() < 0.15) {
      edges.push({ from: id, to: id, mode: 'fallback' });
      nodes[nodes.length - 1]['x-sfn'] = { max_fallbacks: 1 };
    }
    return { entry: id, exit: id };
  };
  const block = (depth: number): Block => {
    const r = rnd();
    if (depth <= 0 || r < 0.3) return leaf();
    if (r < 0.55) {
      const a = block(depth - 1);
      const b = block(depth - 1);
      edges.push({ from: a.exit, to: b.entry });
      return { entry: a.entry, exit: b.exit };
    }
    if (r < 0.8) {
      const fork = leaf();
      const join = leaf();
      const n = 2 + Math.floor(rnd() * 2);
      for (let i = 0; i < n; i++) {
        const b = block(depth - 1);
        edges.push({ from: fork.exit, to: b.entry, mode: 'parallel' });
        edges.push({ from: b.exit, to: join.entry });
      }
      return { entry: fork.entry, exit: join.exit };
    }
    const choose = leaf();
    const merge = leaf();
    const a = block(depth - 1);
    const b = block(depth - 1);
    edges.push({ from: choose.exit, to: a.entry, mode: 'conditional', when: `${choose.exit}.v == 'a'` });
    edges.push({ from: choose.exit, to: b.entry, mode: 'conditional', when: `${choose.exit}.v == 'b'` });
    edges.push({ from: a.exit, to: merge.entry });
    edges.push({ from: b.exit, to: merge.entry });
    return { entry: choose.entry, exit: merge.exit };
  };
  block(3);
  return { text: stringify({ osop_version: '1.1', id: `random-${seed}`, name: 'Random', nodes, edges }), nodeCount: count, rnd };
}

describe('random well-formed workflows', () => {
  it('compile, validate, and run to a terminal state within their bounds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const wf = randomWorkflow(seed);
        const r = compile(`random-${seed}.osop.yaml`, { source: wf.text });
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length) throw new Error(`compile errors for seed ${seed}: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}\n${wf.text}`);
        const problems = validateAsl(r.definition);
        expect(problems).toEqual({ aslValidator: [], statelint: [] });
        const stubs: Record<string, Stub> = {};
        for (const name of Object.keys(taskStates(r.definition!.States as any))) {
          stubs[name] = () => {
            const x = wf.rnd();
            if (x < 0.1) {
              const e = new Error('stub failure');
              e.name = 'OSOP.Http.Rejected';
              throw e;
            }
            return { v: x < 0.4 ? 'a' : x < 0.7 ? 'b' : 'again' };
          };
        }
        const run = await runDefinition(r.definition, stubs);
        // Terminal: succeeded, or failed with a named error; never stuck or a runtime error of the definition.
        if (run.error) expect(['OSOP.Http.Rejected', 'OSOP.FallbackExhausted', 'OSOP.LoopExhausted']).toContain(run.error.name);
        else expect(run.output).toBeDefined();
        // Bounds: each node runs at most (1 + loop rounds) × (1 + fallback rounds) × retries times per entry.
        expect(run.entered.length).toBeLessThanOrEqual(40 * wf.nodeCount + 10);
      }),
      { numRuns: 40 },
    );
  });
});

describe('mutated and truncated YAML', () => {
  const sources = [SEED, path.join(CORPUS, 'osop-examples', 'v1.1-features', 'join-modes-parallel.osop'), path.join(CORPUS, 'osop-editor', 'public', 'examples', 'pr_review_pipeline.osop')].map((f) => fs.readFileSync(f, 'utf8'));
  const mutate = (text: string, kind: number, at: number, token: string): string => {
    const i = at % (text.length + 1);
    switch (kind) {
      case 0:
        return text.slice(0, i);
      case 1: {
        const lines = text.split('\n');
        lines.splice(at % lines.length, 1);
        return lines.join('\n');
      }
      case 2:
        return text.slice(0, i) + token + text.slice(i);
      default:
        return text.slice(0, i) + text.slice(i + 1 + (at % 7));
    }
  };
  it('never produces an internal error', () => {
    fc.assert(
      fc.property(fc.nat(sources.length - 1), fc.nat(3), fc.nat(1_000_000), fc.constantFrom(':', '- ', '${', '}', "'", '"', '\n  ', 'mode: parallel', '&a', '*a', '[', '{', 'x-sfn: 1', 'when: "(("', '\t', 'null'), (s, kind, at, token) => {
        const text = mutate(sources[s], kind, at, token);
        const r = compile('mutated.osop.yaml', { source: text });
        if (r.internalError) throw new Error(`internal error: ${r.diagnostics.map((d) => d.message).join('; ')}\n---\n${text}`);
        for (const d of r.diagnostics) expect(d.code).toMatch(/^OSOP[1-8]\d{3}$/);
      }),
      { numRuns: Number(process.env.OSOP_FUZZ_RUNS ?? 400) },
    );
  });
});
