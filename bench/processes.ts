/**
 * Whole-process figures: the cold command line (`osop-sfn compile` of the
 * seed against `node -e ""`), the Lambda bundles (size, and module-load time
 * in a fresh process against `node -e ""`), and `cdk synth` of the
 * repository's workflows.
 */
import { build, type BuildOptions } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureBundles } from '../scripts/bundle-sizes';
import { CLI, ROOT, SEED } from './paths';
import { interleavedProcesses, median, round, timeProcess } from './stats';

export interface CliFigures {
  compileMs: number;
  floorMs: number;
  /** compileMs − floorMs. */
  overFloorMs: number;
  rounds: number;
}

/** Builds dist/cli.js as `npm run build` does (the launcher bin/osop-sfn.js loads it). */
export function buildCli(): number {
  return timeProcess(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT }).ms;
}

export function benchCli(quick: boolean): CliFigures {
  const rounds = quick ? 5 : 15;
  const compileArgs = [CLI, 'compile', SEED];
  // One untimed run of each: the file system cache, not the bench, should pay for the first read.
  timeProcess(process.execPath, compileArgs, { cwd: ROOT });
  timeProcess(process.execPath, ['-e', ''], { cwd: ROOT });
  const t = interleavedProcesses({ compile: { cmd: process.execPath, args: compileArgs, opts: { cwd: ROOT } }, floor: { cmd: process.execPath, args: ['-e', ''], opts: { cwd: ROOT } } }, rounds);
  return { compileMs: round(t.compile.median, 1), floorMs: round(t.floor.median, 1), overFloorMs: round(t.compile.median - t.floor.median, 1), rounds };
}

export interface BundleFigures {
  /** Minified bytes, from scripts/bundle-sizes.ts `measureBundles()`. */
  restBytes: number;
  agentBytes: number;
  /** The Anthropic SDK alone (`require('@anthropic-ai/sdk')`), bundled the same way. */
  anthropicSdkBytes: number;
  /** agentBytes − anthropicSdkBytes: what the agent handler adds to the SDK. */
  agentOwnBytes: number;
  /** Module-load time of each bundle in a fresh `node` process: `require` timed inside the process (median of the spawns). */
  restLoadMs: number;
  agentLoadMs: number;
  /** The same spawns' wall time minus `node -e ""` (medians of the same rounds); noisier, since process start varies by more than a small bundle's load. */
  restOverFloorMs: number;
  agentOverFloorMs: number;
  floorMs: number;
  rounds: number;
  /** The bundles loaded for timing are byte-identical in size to measureBundles()'s. */
  sameAsMeasureBundles: boolean;
}

// The options of scripts/bundle-sizes.ts (CDK's NodejsFunction settings), to get the bundles on disk for load timing.
const BUNDLE_OPTIONS: BuildOptions = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, external: ['@aws-sdk/*'], logLevel: 'warning' };

export async function benchBundles(quick: boolean): Promise<BundleFigures> {
  const sizes = await measureBundles();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-bench-bundles-'));
  try {
    const files = { rest: path.join(dir, 'rest', 'index.js'), agent: path.join(dir, 'agent', 'index.js'), sdk: path.join(dir, 'sdk', 'index.js') };
    await build({ ...BUNDLE_OPTIONS, entryPoints: [path.join(ROOT, 'lambdas', 'rest', 'index.ts')], outfile: files.rest });
    await build({ ...BUNDLE_OPTIONS, entryPoints: [path.join(ROOT, 'lambdas', 'agent', 'index.ts')], outfile: files.agent });
    await build({ ...BUNDLE_OPTIONS, stdin: { contents: "module.exports = require('@anthropic-ai/sdk');", resolveDir: ROOT, loader: 'js' }, outfile: files.sdk });
    const size = (f: string) => fs.statSync(f).size;
    // `@aws-sdk/*` is left to the Lambda runtime; here the repository's node_modules stand in for it.
    const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
    const rounds = quick ? 5 : 15;
    const timedRequire = 'const t = process.hrtime.bigint(); require(process.argv[1]); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';
    const inner: Record<'rest' | 'agent', number[]> = { rest: [], agent: [] };
    const wall: Record<'rest' | 'agent' | 'floor', number[]> = { rest: [], agent: [], floor: [] };
    for (let r = 0; r < rounds; r++) {
      wall.floor.push(timeProcess(process.execPath, ['-e', ''], { env, cwd: dir }).ms);
      for (const name of ['rest', 'agent'] as const) {
        const p = timeProcess(process.execPath, ['-e', timedRequire, files[name]], { env, cwd: dir });
        wall[name].push(p.ms);
        inner[name].push(Number(p.stdout));
      }
    }
    const floor = median(wall.floor);
    return {
      restBytes: sizes.rest,
      agentBytes: sizes.agent,
      anthropicSdkBytes: size(files.sdk),
      agentOwnBytes: sizes.agent - size(files.sdk),
      restLoadMs: round(median(inner.rest), 2),
      agentLoadMs: round(median(inner.agent), 2),
      restOverFloorMs: round(median(wall.rest) - floor, 1),
      agentOverFloorMs: round(median(wall.agent) - floor, 1),
      floorMs: round(floor, 1),
      rounds,
      sameAsMeasureBundles: size(files.rest) === sizes.rest && size(files.agent) === sizes.agent,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface SynthFigures {
  /** Median wall time of `npx cdk synth -q` (output to a temporary directory), whole process. */
  synthMs: number;
  runs: number;
}

export function benchSynth(quick: boolean): SynthFigures {
  const runs = quick ? 1 : 3;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-bench-cdk-'));
    try {
      samples.push(timeProcess('npx', ['cdk', 'synth', '-q', '-o', out], { cwd: ROOT }).ms);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  return { synthMs: round(median(samples), 0), runs };
}
