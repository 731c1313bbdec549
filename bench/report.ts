/** The bench's targets, evaluated on the figures, and the table printed on stdout. */
import type { HostileFigure } from './hostile';
import type { ScalingFigures, SeedCompileFigures } from './compile';
import { SIZES } from './compile';
import { SHAPES } from './generate';
import type { LocalFigures } from './local';
import { PATH_LABELS, PATHS, type MachineFigures } from './machines';
import { PEER_LABELS, PEERS, type PeerResults } from './peers';
import type { BundleFigures, CliFigures, SynthFigures } from './processes';

export interface BenchResults {
  meta: { startedAt: string; durationS: number; node: string; platform: string; cpus: number; loadAverageStart: number[]; loadAverageEnd: number[]; gitCommit: string | null; quick: boolean };
  compile?: { seed: SeedCompileFigures; scaling: ScalingFigures };
  cli?: CliFigures & { buildMs: number };
  machines?: MachineFigures;
  peers?: PeerResults;
  local?: LocalFigures;
  bundles?: BundleFigures;
  cdk?: SynthFigures;
  hostile?: HostileFigure[];
  targets: Target[];
  /** Sections that could not be measured, with the reason. */
  errors: { section: string; message: string }[];
}

export interface Target {
  /** Stable key, e.g. `compile.scaling.chain.under1s`. */
  id: string;
  description: string;
  value: number | string;
  limit: string;
  met: boolean;
}

/** Largest state data, as a fraction of the response bytes received, for "a small fraction". */
export const STATE_FRACTION_LIMIT = 1 / 3;
export const REST_BUNDLE_LIMIT = 50 * 1024;
/** What the agent handler may add to the Anthropic SDK's own bundle. */
export const AGENT_OWN_LIMIT = 10 * 1024;

export function evaluateTargets(r: BenchResults): Target[] {
  const t: Target[] = [];
  const add = (id: string, description: string, value: number | string, limit: string, met: boolean) => t.push({ id, description, value, limit, met });
  for (const h of r.hostile ?? []) {
    add(`hostile.${h.name}`, `hostile input ${h.name}: exit 0 or 1, under 10 s and 1 GiB`, `exit ${h.exit ?? h.signal}, ${h.seconds} s, ${h.peakMiB} MiB`, 'exit 0/1, < 10 s, < 1024 MiB', (h.exit === 0 || h.exit === 1) && h.seconds < 10 && h.peakMiB < 1024);
  }
  if (r.compile) {
    const { seed, scaling } = r.compile;
    add('compile.seed.underOneMs', 'seed compiles warm in well under 1 ms', `${seed.compileMs.toFixed(2)} ms`, '< 1 ms', seed.compileMs < 1);
    for (const shape of SHAPES) {
      const s = scaling[shape];
      add(`compile.scaling.${shape}.tenThousandUnderOneS`, `${shape}: 10,000 nodes compile in under 1 s`, `${s['10000'].compileMs.toFixed(0)} ms`, '< 1000 ms', s['10000'].compileMs < 1000);
      add(`compile.scaling.${shape}.linear`, `${shape}: 10,000-node time ÷ 1,000-node time`, s.growth10kOver1k, '≤ 12', s.growth10kOver1k <= 12);
      add(`compile.scaling.${shape}.overParse`, `${shape}: compile ÷ YAML parse at 10,000 nodes`, s['10000'].compileOverParse, '≤ 3', s['10000'].compileOverParse <= 3);
    }
  }
  if (r.cli) add('cli.compileOverFloor', 'cold `osop-sfn compile` minus `node -e ""`', `${r.cli.overFloorMs.toFixed(0)} ms`, '≤ 250 ms', r.cli.overFloorMs <= 250);
  if (r.machines) {
    for (const p of PATHS) {
      const x = r.machines.transitions[p];
      add(`machines.transitions.${p}`, `transitions, ${PATH_LABELS[p]}: ours vs hand-written (stubs)`, `${x.osop} vs ${x.baseline}`, 'ours ≤ hand-written', x.osop <= x.baseline);
    }
    const d = r.machines.definitionBytes;
    add('machines.definitionBytes', 'definition bytes (minified): ours vs hand-written', `${d.osop} vs ${d.baseline}`, 'ours ≤ hand-written', d.osop <= d.baseline);
  }
  if (r.peers) {
    const { ours, idiomatic } = r.peers.peers;
    const happy = ours.paths!.happy.counted!;
    add('peers.happyTransitions', "the seed's happy path: state transitions", happy, '≤ 6', happy <= 6);
    add('peers.costPerMillion', 'est. cost per million seed executions on Standard (Step Functions + Lambda): ours vs idiomatic CDK', `$${ours.perMillion!.total} vs $${idiomatic.perMillion!.total}`, "ours ≤ idiomatic", ours.perMillion!.total <= idiomatic.perMillion!.total);
    const native = r.peers.peers.oursHttp;
    if (native.built) add('peers.nativeCostPerMillion', 'est. cost per million seed executions on Standard (Step Functions + Lambda): ours with native HTTP vs idiomatic CDK', `$${native.perMillion!.total} vs $${idiomatic.perMillion!.total}`, 'ours ≤ idiomatic', native.perMillion!.total <= idiomatic.perMillion!.total);
    add('peers.stepFunctionsPerMillion', 'est. Step Functions cost per million seed executions on Standard: ours vs idiomatic CDK', `$${ours.perMillion!.stepFunctions} vs $${idiomatic.perMillion!.stepFunctions}`, 'ours ≤ idiomatic', ours.perMillion!.stepFunctions <= idiomatic.perMillion!.stepFunctions);
    const v = r.peers.costVerification;
    add('cost.countedEqualsRuns', '`osop-sfn cost` transitions = local runs, every path of the seed and the graph fixtures', `${v.paths - v.disagreements.length} of ${v.paths} paths (${v.files} files)`, 'all', v.disagreements.length === 0);
  }
  if (r.local) {
    for (const p of PATHS) {
      const a = r.local.osop[p];
      const b = r.local.baseline[p];
      add(`local.transitions.${p}`, `transitions, ${PATH_LABELS[p]}: ours vs hand-written (sandbox)`, `${a.transitions} vs ${b.transitions}`, 'ours ≤ hand-written', a.transitions <= b.transitions);
      add(`local.payload.${p}`, `largest state ÷ response bytes, ${PATH_LABELS[p]}; no whole response in state`, `${a.stateOverResponses}${a.carriesWholeResponse ? ' (whole response carried)' : ''}`, `≤ ${STATE_FRACTION_LIMIT.toFixed(2)}, none carried`, a.stateOverResponses <= STATE_FRACTION_LIMIT && !a.carriesWholeResponse);
    }
  }
  if (r.bundles) {
    add('bundles.restUnder50KB', 'REST handler bundle (minified)', `${r.bundles.restBytes} B`, `< ${REST_BUNDLE_LIMIT} B (50 KiB)`, r.bundles.restBytes < REST_BUNDLE_LIMIT);
    add('bundles.agentOverSdk', 'agent bundle minus the Anthropic SDK bundled alone', `${r.bundles.agentOwnBytes} B`, `≤ ${AGENT_OWN_LIMIT} B (10 KiB)`, r.bundles.agentOwnBytes <= AGENT_OWN_LIMIT);
  }
  return t;
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const ms = (x: number) => (x < 10 ? `${x.toFixed(3)} ms` : `${x.toFixed(1)} ms`);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r, k) => {
    const line = r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return k === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

export function formatTable(r: BenchResults): string {
  const out: string[] = [];
  const hostile = r.hostile;
  const m = r.meta;
  out.push(`osop-sfn bench — ${m.startedAt}, node ${m.node}, ${m.cpus} CPUs, load ${m.loadAverageStart.map((x) => x.toFixed(1)).join('/')} → ${m.loadAverageEnd.map((x) => x.toFixed(1)).join('/')}${m.quick ? ', --quick' : ''}; ${m.durationS.toFixed(0)} s`);
  out.push('Every time is a median; every ratio compares figures taken in the same rounds of this run.\n');

  if (r.compile) {
    const s = r.compile.seed;
    out.push(`1. Compile (in-process, warm)\n`);
    out.push(table([
      ['workflow', 'nodes', 'states', 'source', 'compile', 'YAML parse', 'compile÷parse', 'µs/node'],
      ['seed (stripe-payment)', '5', '11', kb(s.sourceBytes), ms(s.compileMs), ms(s.parseMs), s.compileOverParse.toFixed(2), (1000 * s.compileMs / 5).toFixed(0)],
      ...SHAPES.flatMap((shape) => SIZES.map((n) => {
        const p = r.compile!.scaling[shape][String(n)];
        return [`${shape}`, String(n), String(p.states), kb(p.sourceBytes), ms(p.compileMs), ms(p.parseMs), p.compileOverParse.toFixed(2), p.usPerNode.toFixed(1)];
      })),
    ]));
    out.push(`\n10,000 ÷ 1,000 nodes, compile (YAML parse alone): ${SHAPES.map((sh) => `${sh} ${r.compile!.scaling[sh].growth10kOver1k.toFixed(2)} (${r.compile!.scaling[sh].parseGrowth10kOver1k.toFixed(2)})`).join(', ')}. Seed: compile − parse = ${ms(s.beyondParseMs)}.\n`);
  }
  if (r.cli) out.push(`2. Cold command line: \`osop-sfn compile\` of the seed ${ms(r.cli.compileMs)}, \`node -e ""\` ${ms(r.cli.floorMs)}: ${ms(r.cli.overFloorMs)} over the floor (${r.cli.rounds} rounds).\n`);
  if (r.machines) {
    const x = r.machines;
    out.push('3. Cost of the state machine: compiled seed vs hand-written CDK (bench/baseline/)\n');
    out.push(table([
      ['', 'osop-sfn', 'hand-written'],
      ['states', String(x.states.osop), String(x.states.baseline)],
      ['definition bytes (minified)', String(x.definitionBytes.osop), String(x.definitionBytes.baseline)],
      ...PATHS.map((p) => [`transitions, ${PATH_LABELS[p]} (stubs)`, String(x.transitions[p].osop), String(x.transitions[p].baseline)]),
      ...(r.local ? PATHS.map((p) => [`transitions, ${PATH_LABELS[p]} (sandbox)`, String(r.local!.osop[p].transitions), String(r.local!.baseline[p].transitions)]) : []),
    ]));
    const diff = x.bytesByField.filter((f) => f.difference !== 0).slice(0, 12);
    out.push(`\nDefinition bytes by field (ours − hand-written): ${diff.map((f) => `${f.field} ${f.difference > 0 ? '+' : ''}${f.difference}`).join(', ')}.\n`);
  }
  if (r.peers) {
    const P = r.peers;
    const cell = (k: (typeof PEERS)[number], f: (x: NonNullable<PeerResults['peers'][typeof k]>) => string) => (P.peers[k].built ? f(P.peers[k]) : '—');
    const pathCell = (k: (typeof PEERS)[number], p: (typeof PATHS)[number]) =>
      cell(k, (x) => {
        const f = x.paths![p];
        if (f.counted === null) return f.ends;
        return `${f.counted}${f.ran === f.counted ? '' : ` (ran ${f.ran})`}${f.ends === 'SUCCEEDED' ? '' : `, ${f.ends}`}`;
      });
    out.push(`3b. The seed against its alternatives (transitions counted by \`osop-sfn cost\` and run with the same stubs; cost per million executions on Standard, us-east-1 prices of ${P.pricesTaken}, no free tier, calls of ${Object.entries(P.durationsMs).map(([k, v]) => `${k} ${v} ms`).join(', ')} on each machine's own function memory)\n`);
    out.push(table([
      ['', ...PEERS.map((k) => PEER_LABELS[k])],
      ['states', ...PEERS.map((k) => (P.peers[k].built ? String(P.peers[k].states) : 'not built yet'))],
      ['definition bytes (minified)', ...PEERS.map((k) => cell(k, (x) => String(x.definitionBytes)))],
      ['Lambda functions', ...PEERS.map((k) => cell(k, (x) => x.functions ?? ''))],
      ...PATHS.map((p) => [`transitions, ${PATH_LABELS[p]}`, ...PEERS.map((k) => pathCell(k, p))]),
      ...PATHS.map((p) => [`Lambda invocations, ${PATH_LABELS[p]}`, ...PEERS.map((k) => cell(k, (x) => (x.paths![p].lambdaInvocations === null ? '—' : String(x.paths![p].lambdaInvocations))))]),
      ['$ per million, Step Functions', ...PEERS.map((k) => cell(k, (x) => `$${x.perMillion!.stepFunctions.toFixed(2)}`))],
      ['$ per million, Lambda', ...PEERS.map((k) => cell(k, (x) => `$${x.perMillion!.lambda.toFixed(2)}`))],
      ['$ per million, total', ...PEERS.map((k) => cell(k, (x) => `$${x.perMillion!.total.toFixed(2)}`))],
    ]));
    const v = P.costVerification;
    const notes = PEERS.filter((k) => !P.peers[k].built).map((k) => `${PEER_LABELS[k]}: ${P.peers[k].note}`);
    if (notes.length) out.push(`\n${notes.join('; ')}.`);
    out.push(`\n\`osop-sfn cost\` against local runs: ${v.paths - v.disagreements.length} of ${v.paths} paths of ${v.files} files (the seed and test/fixtures/graph) counted as they ran${v.disagreements.length ? `; differ: ${v.disagreements.join('; ')}` : ''}.\n`);
  }
  if (r.local) {
    const L = r.local;
    out.push('4. Payload discipline (seed on the sandbox, real handlers)\n');
    out.push(table([
      ['path', 'largest state', 'largest Lambda payload', 'largest handler result', 'HTTP responses (bodies)', 'state÷responses', 'whole response in state'],
      ...PATHS.map((p) => {
        const a = L.osop[p];
        return [PATH_LABELS[p], `${a.maxStateBytes} B`, `${a.maxTaskPayloadBytes} B`, `${a.maxHandlerResultBytes} B`, `${a.responses} / ${a.responseBodyBytes} B`, a.stateOverResponses.toFixed(2), a.carriesWholeResponse ? 'YES' : 'no'];
      }),
    ]));
    out.push('');
  }
  if (r.bundles) {
    const b = r.bundles;
    out.push(`5. Lambda bundles: REST ${kb(b.restBytes)}, agent ${kb(b.agentBytes)} (the Anthropic SDK bundled alone is ${kb(b.anthropicSdkBytes)}; ours ${kb(b.agentOwnBytes)}). Module load in a fresh \`node\` (require timed inside the process): REST ${ms(b.restLoadMs)}, agent ${ms(b.agentLoadMs)}; whole process minus \`node -e ""\` (${ms(b.floorMs)}): REST ${ms(b.restOverFloorMs)}, agent ${ms(b.agentOverFloorMs)}; ${b.rounds} spawns each.\n`);
  }
  if (r.local || r.cdk) {
    const parts: string[] = [];
    if (r.local) {
      const L = r.local;
      parts.push(`seed run in-process ${ms(L.inProcess.runMs)} (${L.inProcess.transitions} transitions, ${ms(L.inProcess.msPerTransition)} each)`);
      parts.push(`\`osop-sfn run --sandbox --fast\` process ${ms(L.wholeProcess.runMs)} (${ms(L.wholeProcess.msPerTransition)} per transition; \`node -e ""\` ${ms(L.wholeProcess.floorMs)})`);
    }
    if (r.cdk) parts.push(`\`npx cdk synth -q\` ${(r.cdk.synthMs / 1000).toFixed(1)} s (${r.cdk.runs} run${r.cdk.runs > 1 ? 's' : ''})`);
    out.push(`6. Local execution: ${parts.join('; ')}.\n`);
  }
  out.push('Targets\n');
  out.push(table([['target', 'value', 'limit', ''], ...r.targets.map((x) => [x.description, String(x.value), x.limit, x.met ? 'met' : 'MISSED'])]));
  if (r.errors.length) out.push(`\nCould not measure: ${r.errors.map((e) => `${e.section}: ${e.message}`).join('; ')}`);
  if (hostile?.length) {
    out.push('\nHostile inputs (`osop-sfn check`, each in its own process; peak resident memory)\n');
    out.push(table([['case', 'what', 'exit', 'time', 'peak'], ...hostile.map((h) => [h.name, h.what, String(h.exit ?? h.signal), `${h.seconds.toFixed(2)} s`, `${h.peakMiB} MiB`])]));
  }
  return out.join('\n');
}
