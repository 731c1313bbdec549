/**
 * Compile speed, in-process and warm: the seed, and generated workflows of
 * 100, 1,000 and 10,000 nodes in four shapes. Each compile is timed in the
 * same rounds as a plain `yaml` parse of the same text (the floor); a full
 * GC runs between series, then warm-up compiles.
 */
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { compile } from '../lib';
import { generateWorkflow, SHAPES, type Shape } from './generate';
import { SEED } from './paths';
import { fullGc, interleaved, round } from './stats';

export const SIZES = [100, 1000, 10000] as const;

export interface SeedCompileFigures {
  /** Median ms of one warm `compile(SEED, { source })`. */
  compileMs: number;
  /** Median ms of `YAML.parse` of the same text, in the same rounds. */
  parseMs: number;
  /** compileMs / parseMs. */
  compileOverParse: number;
  /** compileMs − parseMs: what the compiler adds to parsing. */
  beyondParseMs: number;
  rounds: number;
  sourceBytes: number;
}

export interface ScalingPoint {
  nodes: number;
  sourceBytes: number;
  /** States in the definition (report.states, nested included). */
  states: number;
  compileMs: number;
  parseMs: number;
  compileOverParse: number;
  /** compileMs / nodes, in microseconds. */
  usPerNode: number;
  rounds: number;
}

export type ScalingFigures = Record<Shape, Record<string, ScalingPoint> & { growth10kOver1k: number }>;

function compileOk(file: string, source: string): number {
  const r = compile(file, { source });
  if (!r.ok || !r.report) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error').slice(0, 5);
    throw new Error(`${file} does not compile: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  }
  return r.report.states.length;
}

export function benchSeedCompile(quick: boolean): SeedCompileFigures {
  const source = fs.readFileSync(SEED, 'utf8');
  compileOk(SEED, source);
  for (let i = 0; i < (quick ? 50 : 300); i++) {
    compile(SEED, { source });
    parseYaml(source);
  }
  const rounds = quick ? 100 : 500;
  const t = interleaved({ compile: () => compile(SEED, { source }), parse: () => parseYaml(source) }, rounds);
  return {
    compileMs: round(t.compile.median, 4),
    parseMs: round(t.parse.median, 4),
    compileOverParse: round(t.compile.median / t.parse.median, 2),
    beyondParseMs: round(t.compile.median - t.parse.median, 4),
    rounds,
    sourceBytes: Buffer.byteLength(source),
  };
}

const ROUNDS: Record<number, { full: [warm: number, timed: number]; quick: [number, number] }> = {
  100: { full: [5, 20], quick: [2, 5] },
  1000: { full: [1, 5], quick: [1, 3] },
  // The code is hot from the smaller sizes; a 10,000-node sample takes seconds.
  10000: { full: [0, 3], quick: [0, 1] },
};

export function benchScaling(quick: boolean, log: (line: string) => void): ScalingFigures {
  const out = {} as ScalingFigures;
  for (const shape of SHAPES) {
    const points: Record<string, ScalingPoint> = {};
    for (const n of SIZES) {
      const source = generateWorkflow(shape, n);
      const file = `bench-${shape}-${n}.osop.yaml`;
      const [warm, timed] = ROUNDS[n][quick ? 'quick' : 'full'];
      // The previous point's garbage is collected here, not during this point's samples. (Not before
      // every sample: a forced GC also throws away compiled code, which would time a cold compiler.)
      fullGc();
      const states = compileOk(file, source);
      for (let i = 0; i < warm; i++) {
        compile(file, { source });
        parseYaml(source);
      }
      const t = interleaved({ compile: () => compile(file, { source }), parse: () => parseYaml(source) }, timed);
      points[String(n)] = {
        nodes: n,
        sourceBytes: Buffer.byteLength(source),
        states,
        compileMs: round(t.compile.median, 3),
        parseMs: round(t.parse.median, 3),
        compileOverParse: round(t.compile.median / t.parse.median, 2),
        usPerNode: round((1000 * t.compile.median) / n, 2),
        rounds: timed,
      };
      log(`  ${shape.padEnd(8)} ${String(n).padStart(6)} nodes: compile ${t.compile.median.toFixed(1)} ms, parse ${t.parse.median.toFixed(1)} ms`);
    }
    out[shape] = Object.assign(points, { growth10kOver1k: round(points['10000'].compileMs / points['1000'].compileMs, 2) });
  }
  return out;
}
