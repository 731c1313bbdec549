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
import { fullGc, interleaved, median, round } from './stats';

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
  /** Samples behind each median (taken in rounds that time every size of the shape). */
  rounds: number;
}

/** Per shape: a point per size, the compile time's growth from 1,000 to 10,000 nodes, and the YAML parse's growth over the same samples (the floor's own growth). */
export type ScalingFigures = Record<Shape, Record<string, ScalingPoint> & { growth10kOver1k: number; parseGrowth10kOver1k: number }>;

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

/** Samples of each size per round, and rounds: every round times all three sizes, so that their ratios come from the same stretch of time. */
const PER_ROUND: Record<number, number> = { 100: 5, 1000: 2, 10000: 1 };
const ROUNDS = { full: 3, quick: 1 };
const WARM: Record<number, number> = { 100: 5, 1000: 2, 10000: 0 };

export function benchScaling(quick: boolean, log: (line: string) => void): ScalingFigures {
  const out = {} as ScalingFigures;
  for (const shape of SHAPES) {
    const inputs = SIZES.map((n) => ({ n, file: `bench-${shape}-${n}.osop.yaml`, source: generateWorkflow(shape, n) }));
    // The previous shape's garbage is collected here, not during this shape's samples. (Not before every
    // sample: a forced GC also throws away compiled code, and the next sample would time a cold compiler.)
    fullGc();
    const states = new Map(inputs.map((x) => [x.n, compileOk(x.file, x.source)]));
    for (const x of inputs) {
      for (let i = 0; i < WARM[x.n]; i++) {
        compile(x.file, { source: x.source });
        parseYaml(x.source);
      }
    }
    const samples = new Map(inputs.map((x) => [x.n, { compile: [] as number[], parse: [] as number[] }]));
    const rounds = ROUNDS[quick ? 'quick' : 'full'];
    for (let r = 0; r < rounds; r++) {
      for (const x of inputs) {
        const t = interleaved({ compile: () => compile(x.file, { source: x.source }), parse: () => parseYaml(x.source) }, PER_ROUND[x.n]);
        samples.get(x.n)!.compile.push(...t.compile.samples);
        samples.get(x.n)!.parse.push(...t.parse.samples);
      }
    }
    const points: Record<string, ScalingPoint> = {};
    for (const x of inputs) {
      const s = samples.get(x.n)!;
      const c = median(s.compile);
      const p = median(s.parse);
      points[String(x.n)] = {
        nodes: x.n,
        sourceBytes: Buffer.byteLength(x.source),
        states: states.get(x.n)!,
        compileMs: round(c, 3),
        parseMs: round(p, 3),
        compileOverParse: round(c / p, 2),
        usPerNode: round((1000 * c) / x.n, 2),
        rounds: s.compile.length,
      };
      log(`  ${shape.padEnd(8)} ${String(x.n).padStart(6)} nodes: compile ${c.toFixed(1)} ms, parse ${p.toFixed(1)} ms (${s.compile.length} samples)`);
    }
    out[shape] = Object.assign(points, {
      growth10kOver1k: round(points['10000'].compileMs / points['1000'].compileMs, 2),
      parseGrowth10kOver1k: round(points['10000'].parseMs / points['1000'].parseMs, 2),
    });
  }
  return out;
}
