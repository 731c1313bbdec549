/**
 * Local stand-in for `arn:aws:states:::codebuild:startBuild.sync`: runs the
 * build's buildspec (version 0.2) on this machine in a child `bash`, in a
 * fresh temporary folder, and answers as the `.sync` integration does once
 * the build has ended. It knows nothing of OSOP; it gets the Task's resolved
 * `Parameters` (StartBuild's request, PascalCase as Step Functions passes it).
 *
 * Input: `{ ProjectName, BuildspecOverride, EnvironmentVariablesOverride?,
 * ImageOverride?, TimeoutInMinutesOverride?, SourceTypeOverride?,
 * SourceLocationOverride?, SourceVersion? }`.
 *
 * What CodeBuild does, and what is done here:
 * - Source: `SourceLocationOverride` is `git clone`d into the working folder
 *   (`--branch SourceVersion` for a branch or tag; a commit id is checked out
 *   after the clone). Local paths and `file://` URLs work. S3 sources are not
 *   supported; `NO_SOURCE` (or no location) starts from an empty folder. The
 *   project's own source and buildspec are unknown locally, so
 *   `BuildspecOverride` is required.
 * - Buildspec 0.2 runs every command of every phase in the same shell
 *   instance, so variables and `cd` carry over. Phases run in the order
 *   install, pre_build, build, post_build; a phase stops at its first failing
 *   command, then runs its `finally` commands. A failed install or pre_build
 *   ends the build (unless `on-failure: CONTINUE`); a failed build phase
 *   still runs post_build, with `CODEBUILD_BUILD_SUCCEEDING=0`, as CodeBuild
 *   does. `env.shell` may only name bash (or sh, run by bash).
 * - Environment: a minimal base (PATH, HOME, LANG, TMPDIR of this process),
 *   CodeBuild's own `CODEBUILD_*` variables, the buildspec's `env.variables`,
 *   then the overrides (the StartBuild overrides win, as on CodeBuild). The
 *   rest of this process's environment is not passed on, so unrelated secrets
 *   stay out of the build. A `SECRETS_MANAGER` (or `PARAMETER_STORE`)
 *   variable's Value names the secret; locally its value is
 *   `opts.env[Value]`, and the buildspec's `env.secrets-manager` and
 *   `env.parameter-store` entries are read the same way. A missing one fails
 *   the build, naming the variable. Secret values are replaced with `***` in
 *   every output line, the kept output, the exported variables and the
 *   failure cause (CodeBuild masks them in its logs the same way).
 * - `env.exported-variables` are read once post_build has ended (one never
 *   set is exported as an empty string).
 * - `ImageOverride` and `ComputeTypeOverride` are only reported (other
 *   overrides are ignored): the commands run on this machine, not in the
 *   image. `TimeoutInMinutesOverride` (default 60, as a project's
 *   default) bounds the whole build, clone included; fractional minutes are
 *   accepted locally (AWS takes whole minutes, 5 to 2160). On timeout, or when
 *   `opts.signal` aborts, the build's process group is killed.
 *
 * The result on success is `{ Build }`, Build being the build as CodeBuild's
 * BatchGetBuilds describes it once complete, with Step Functions' PascalCase
 * member names: Id, Arn, BuildNumber, ProjectName, BuildStatus, CurrentPhase
 * ('COMPLETED'), BuildComplete, StartTime, EndTime, Initiator, SourceVersion,
 * ResolvedSourceVersion, Source {Type, Location}, Environment {Type, Image,
 * ComputeType, EnvironmentVariables}, TimeoutInMinutes, Phases [{PhaseType,
 * PhaseStatus, StartTime, EndTime, DurationInSeconds, Contexts [{StatusCode,
 * Message}]}], Logs {GroupName, StreamName, CloudWatchLogs {Status,
 * GroupName, StreamName}, S3Logs {Status}}, ExportedEnvironmentVariables
 * [{Name, Value}]. Times are epoch milliseconds, as Step Functions renders
 * timestamps in `.sync` results. Locally the Id is `osop-local:<uuid>` (on
 * AWS `<project>:<uuid>`), so that a local build is never mistaken for one.
 *
 * On failure: a `.sync` CodeBuild Task whose build ends FAILED, FAULT,
 * TIMED_OUT or STOPPED fails on AWS with the error `States.TaskFailed` and
 * the build (as JSON) as its cause. Locally the cause is
 * `JSON.stringify({ Build, ExitCode, Output })`: the build, plus the exit
 * code of the failing command (null when killed) and the tail of the output
 * (a few KB), which on AWS would be in CloudWatch Logs. A request StartBuild
 * itself would refuse (no ProjectName, an unknown variable Type) fails with
 * `CodeBuild.InvalidInputException`, as a service error of an optimized
 * integration is named `<Service>.<Exception>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { taskError, type LocalTaskHandler } from '../handlers';

export interface CommandRunnerOptions {
  /** Commands run only when the user said so (`--allow-commands`); otherwise every build is refused. */
  allowCommands: boolean;
  /** Where secrets come from: a SECRETS_MANAGER variable's Value names the secret; locally the value is env[Value]. */
  env: NodeJS.ProcessEnv;
  /** Gets every output line of the build (secrets masked), and a few lines of its own prefixed `[osop]`. */
  log?: (line: string) => void;
  /** Aborting kills the running build (status STOPPED). */
  signal?: AbortSignal;
  /** Keeps the temporary working folder (its path is logged) instead of removing it. */
  keepWorkdir?: boolean;
}

type BuildStatus = 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'TIMED_OUT' | 'STOPPED';

interface EnvironmentVariable {
  Name: string;
  Value: string;
  Type: 'PLAINTEXT' | 'SECRETS_MANAGER' | 'PARAMETER_STORE';
}

interface StartBuildInput {
  ProjectName?: unknown;
  BuildspecOverride?: unknown;
  EnvironmentVariablesOverride?: unknown;
  ImageOverride?: unknown;
  ComputeTypeOverride?: unknown;
  TimeoutInMinutesOverride?: unknown;
  SourceTypeOverride?: unknown;
  SourceLocationOverride?: unknown;
  SourceVersion?: unknown;
}

interface Phase {
  PhaseType: string;
  PhaseStatus?: BuildStatus;
  StartTime: number;
  EndTime?: number;
  DurationInSeconds?: number;
  Contexts?: { StatusCode: string; Message: string }[];
}

/** The buildspec phases that run commands, in order, with CodeBuild's phase names. */
const PHASES = [
  ['install', 'INSTALL'],
  ['pre_build', 'PRE_BUILD'],
  ['build', 'BUILD'],
  ['post_build', 'POST_BUILD'],
] as const;

const DEFAULT_TIMEOUT_MINUTES = 60;
const DEFAULT_IMAGE = 'aws/codebuild/standard:7.0';
/** Output kept in memory (the tail), and the part of it that goes into a failure's cause. */
const KEPT_OUTPUT_BYTES = 64 * 1024;
const CAUSE_OUTPUT_CHARS = 4 * 1024;
/** A line longer than this is passed on in pieces. */
const MAX_LINE_CHARS = 16 * 1024;
/** After SIGTERM, the build's processes get this long before SIGKILL. */
const KILL_GRACE_MS = 1000;
const MASK = '***';
/** A failure's cause is at most 32,768 characters in Step Functions' history (the TaskFailed event's cause). */
const MAX_CAUSE_CHARS = 32_768;

let buildCounter = 0;

/** Process groups of running builds, killed if this process exits while they run. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const g of liveGroups) killGroup(g, 'SIGKILL');
    });
  }
  liveGroups.add(pid);
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

/** Replaces secret values, longest first (a multi-line secret is also masked line by line, since output is handled per line). */
class Masker {
  private readonly values: string[] = [];
  add(secret: string): void {
    // Lines of a multi-line secret are masked too, unless too short to mask without garbling the output.
    const lines = secret.includes('\n') ? secret.split(/\r?\n/).filter((s) => s.trim().length >= 4) : [];
    const forms = [secret, ...lines].filter((s) => s.length > 0);
    for (const f of forms) if (!this.values.includes(f)) this.values.push(f);
    this.values.sort((a, b) => b.length - a.length);
  }
  text(s: string): string {
    let out = s;
    for (const v of this.values) out = out.split(v).join(MASK);
    return out;
  }
}

/** The last KEPT_OUTPUT_BYTES of the output, by lines. */
class OutputTail {
  private lines: string[] = [];
  private size = 0;
  push(line: string): void {
    this.lines.push(line);
    this.size += line.length + 1;
    while (this.size > KEPT_OUTPUT_BYTES && this.lines.length > 1) this.size -= this.lines.shift()!.length + 1;
  }
  tail(chars: number): string {
    const all = this.lines.join('\n');
    return all.length <= chars ? all : `…${all.slice(all.length - chars)}`;
  }
}

/** Quotes a string for bash: '…' with embedded quotes spliced in. */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A build that ended before its commands could run (bad buildspec, missing secret…): one failed phase with its reason. */
class BuildSetupError extends Error {
  constructor(
    readonly phaseType: string,
    readonly statusCode: string,
    message: string,
  ) {
    super(message);
  }
}

interface ParsedBuildspec {
  phases: { type: string; commands: string[]; finally: string[]; continueOnFailure: boolean }[];
  variables: Record<string, string>;
  /** NAME → secret reference, from env.secrets-manager and env.parameter-store. */
  secretRefs: Record<string, { ref: string; type: 'SECRETS_MANAGER' | 'PARAMETER_STORE' }>;
  exported: string[];
}

function parseBuildspec(text: string): ParsedBuildspec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new BuildSetupError('DOWNLOAD_SOURCE', 'YAML_FILE_ERROR', `YAML_FILE_ERROR: the buildspec is not valid YAML: ${(e as Error).message}`);
  }
  const bad = (m: string): never => {
    throw new BuildSetupError('DOWNLOAD_SOURCE', 'YAML_FILE_ERROR', `YAML_FILE_ERROR: ${m}`);
  };
  if (!isRecord(doc)) return bad('the buildspec is not a YAML mapping');
  if (String(doc.version) !== '0.2') bad(`buildspec version ${JSON.stringify(doc.version ?? null)} is not supported locally; use version 0.2`);
  const env = doc.env === undefined || doc.env === null ? {} : doc.env;
  if (!isRecord(env)) return bad('env must be a mapping');
  if (env.shell !== undefined && !['bash', '/bin/bash', '/usr/bin/bash', 'sh', '/bin/sh'].includes(String(env.shell))) {
    bad(`env.shell '${String(env.shell)}' is not supported locally: the commands run in bash`);
  }
  const strMap = (v: unknown, where: string): Record<string, string> => {
    if (v === undefined || v === null) return {};
    if (!isRecord(v)) return bad(`${where} must be a mapping`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? '' : String(x)]));
  };
  const variables = strMap(env.variables, 'env.variables');
  const secretRefs: ParsedBuildspec['secretRefs'] = {};
  for (const [k, ref] of Object.entries(strMap(env['parameter-store'], 'env.parameter-store'))) secretRefs[k] = { ref, type: 'PARAMETER_STORE' };
  for (const [k, ref] of Object.entries(strMap(env['secrets-manager'], 'env.secrets-manager'))) secretRefs[k] = { ref, type: 'SECRETS_MANAGER' };
  const exportedRaw = env['exported-variables'] ?? [];
  if (!Array.isArray(exportedRaw)) bad('env.exported-variables must be a list');
  const exported = (exportedRaw as unknown[]).map(String);
  for (const n of exported) if (!SHELL_NAME.test(n)) bad(`env.exported-variables: '${n}' is not a variable name`);
  const phasesDoc = doc.phases ?? {};
  if (!isRecord(phasesDoc)) return bad('phases must be a mapping');
  const cmdList = (v: unknown, where: string): string[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return bad(`${where} must be a list of commands`);
    return v.map((c) => (typeof c === 'string' ? c : JSON.stringify(c)));
  };
  const phases: ParsedBuildspec['phases'] = [];
  for (const [key, type] of PHASES) {
    const p = phasesDoc[key];
    if (p === undefined || p === null) continue;
    if (!isRecord(p)) bad(`phases.${key} must be a mapping`);
    const ph = p as Record<string, unknown>;
    const onFailure = ph['on-failure'] === undefined ? 'ABORT' : String(ph['on-failure']);
    if (onFailure !== 'ABORT' && onFailure !== 'CONTINUE') bad(`phases.${key}.on-failure must be ABORT or CONTINUE`);
    phases.push({ type, commands: cmdList(ph.commands, `phases.${key}.commands`), finally: cmdList(ph.finally, `phases.${key}.finally`), continueOnFailure: onFailure === 'CONTINUE' });
  }
  return { phases, variables, secretRefs, exported };
}

/**
 * The bash script that runs the phases. Each command is in its own file,
 * sourced (`.`) so that it runs in this shell; `$?` after it is its status.
 * Phase boundaries and the failing command go to a status file (not the
 * output, which the commands control), exported variables to another, as
 * NUL-separated name/value pairs.
 */
function buildScript(spec: ParsedBuildspec, metaDir: string): string {
  const status = shq(path.join(metaDir, 'status'));
  const out: string[] = [
    '__osop_status=' + status,
    '__osop_first_rc=0',
    '__osop_stop=0',
    `__osop_mark() { printf '%s\\n' "$*" >> "$__osop_status"; }`,
  ];
  let n = 0;
  const command = (phase: string, cmd: string, rcVar: string): string[] => {
    const file = path.join(metaDir, `cmd-${n++}.sh`);
    fs.writeFileSync(file, `${cmd}\n`);
    return [
      `  printf '%s\\n' ${shq(`[Container] Running command ${cmd}`)}`,
      `  . ${shq(file)}`,
      `  __osop_rc=$?`,
      `  if [ "$__osop_rc" -ne 0 ]; then ${rcVar}=$__osop_rc; __osop_mark FAIL ${phase} ${n - 1} "$__osop_rc"; printf '%s exit status %s\\n' ${shq(`[Container] Command did not exit successfully ${cmd.split('\n')[0]}`)} "$__osop_rc"; fi`,
    ];
  };
  for (const p of spec.phases) {
    // install/pre_build failing (with ABORT) ends the build; a failed build phase still lets post_build run.
    const endsBuild = !p.continueOnFailure && (p.type === 'INSTALL' || p.type === 'PRE_BUILD');
    out.push(`# ${p.type}`, `if [ "$__osop_stop" -eq 0 ]; then`, `  __osop_mark START ${p.type} \${EPOCHREALTIME:-}`, `  printf '%s\\n' '[Container] Entering phase ${p.type}'`, '  __osop_prc=0');
    for (const c of p.commands) out.push('  if [ "$__osop_prc" -eq 0 ]; then', ...command(p.type, c, '__osop_prc').map((l) => `  ${l}`), '  fi');
    if (p.finally.length > 0) {
      out.push('  __osop_frc=0');
      for (const c of p.finally) out.push('  if [ "$__osop_frc" -eq 0 ]; then', ...command(p.type, c, '__osop_frc').map((l) => `  ${l}`), '  fi');
      out.push('  if [ "$__osop_prc" -eq 0 ]; then __osop_prc=$__osop_frc; fi');
    }
    out.push(
      `  __osop_mark END ${p.type} "$__osop_prc" \${EPOCHREALTIME:-}`,
      '  if [ "$__osop_prc" -ne 0 ]; then',
      '    if [ "$__osop_first_rc" -eq 0 ]; then __osop_first_rc=$__osop_prc; fi',
      '    export CODEBUILD_BUILD_SUCCEEDING=0',
      endsBuild ? '    __osop_stop=1' : '    :',
      '  fi',
      'fi',
    );
  }
  const exportsFile = shq(path.join(metaDir, 'exported'));
  out.push(`: > ${exportsFile}`);
  // An exported variable that was never set is exported empty (a ResultSelector filtering on its Name still finds it).
  for (const name of spec.exported) out.push(`printf '%s\\0%s\\0' ${name} "\${${name}-}" >> ${exportsFile}`);
  out.push('__osop_mark DONE', 'exit "$__osop_first_rc"', '');
  return out.join('\n');
}

interface ProcessOutcome {
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
}

/**
 * Runs one process in its own process group, passing each output line on.
 * Ends it (the whole group) at `deadline` or on abort; once it has exited,
 * whatever it left running in its group is killed too.
 */
function runProcess(
  cmd: string,
  args: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; deadline: number; signal?: AbortSignal; onLine: (line: string) => void },
): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    let timedOut = false;
    let aborted = false;
    try {
      child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      o.onLine(`[osop] cannot start ${cmd}: ${(e as Error).message}`);
      resolve({ exitCode: 127, timedOut, aborted });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    const partial = new Map<NodeJS.ReadableStream, string>();
    const onData = (stream: NodeJS.ReadableStream) => (chunk: Buffer) => {
      let buf = (partial.get(stream) ?? '') + chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        o.onLine(buf.slice(0, nl).replace(/\r$/, ''));
        buf = buf.slice(nl + 1);
      }
      while (buf.length > MAX_LINE_CHARS) {
        o.onLine(buf.slice(0, MAX_LINE_CHARS));
        buf = buf.slice(MAX_LINE_CHARS);
      }
      partial.set(stream, buf);
    };
    child.stdout!.on('data', onData(child.stdout!));
    child.stderr!.on('data', onData(child.stderr!));

    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      killTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(
      () => {
        timedOut = true;
        stop();
      },
      Math.max(0, o.deadline - Date.now()),
    );
    const onAbort = () => {
      aborted = true;
      stop();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });

    let exitCode: number | null = null;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      o.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) liveGroups.delete(pid);
      for (const rest of partial.values()) if (rest) o.onLine(rest.replace(/\r$/, ''));
      partial.clear();
      resolve({ exitCode: timedOut || aborted ? null : exitCode, timedOut, aborted });
    };
    child.on('error', (e) => {
      o.onLine(`[osop] cannot run ${cmd}: ${e.message}`);
      exitCode = 127;
      finish();
    });
    child.on('exit', (code, sig) => {
      exitCode = code ?? (sig ? 128 + (os.constants.signals[sig] ?? 0) : null);
      // The build is over when its shell is: leftovers (background jobs) go with it, as with CodeBuild's container.
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
      // Output still in the pipes arrives before 'close'; do not wait for a process that escaped the group.
      const grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, 2000);
      child.once('close', () => {
        clearTimeout(grace);
        finish();
      });
    });
  });
}

/** The parts of a run that end up in the Build object. */
interface BuildRecord {
  id: string;
  uuid: string;
  number: number;
  project: string;
  start: number;
  phases: Phase[];
  exported: { Name: string; Value: string }[];
  sourceType: string;
  sourceLocation?: string;
  sourceVersion?: string;
  resolvedSourceVersion?: string;
  image: string;
  computeType: string;
  timeoutMinutes: number;
  variables: EnvironmentVariable[];
}

function buildObject(r: BuildRecord, status: BuildStatus, end: number): Record<string, unknown> {
  const group = `/aws/codebuild/${r.project}`;
  return {
    Id: r.id,
    Arn: `arn:aws:codebuild:local:000000000000:build/${r.id}`,
    BuildNumber: r.number,
    ProjectName: r.project,
    BuildStatus: status,
    CurrentPhase: 'COMPLETED',
    BuildComplete: true,
    StartTime: r.start,
    EndTime: end,
    Initiator: 'osop-local',
    ...(r.sourceVersion !== undefined ? { SourceVersion: r.sourceVersion } : {}),
    ...(r.resolvedSourceVersion !== undefined ? { ResolvedSourceVersion: r.resolvedSourceVersion } : {}),
    Source: { Type: r.sourceType, ...(r.sourceLocation !== undefined ? { Location: r.sourceLocation } : {}) },
    Environment: { Type: 'LINUX_CONTAINER', Image: r.image, ComputeType: r.computeType, EnvironmentVariables: r.variables },
    TimeoutInMinutes: r.timeoutMinutes,
    Phases: [...r.phases, { PhaseType: 'COMPLETED', StartTime: end }],
    Logs: {
      GroupName: group,
      StreamName: r.uuid,
      CloudWatchLogs: { Status: 'ENABLED', GroupName: group, StreamName: r.uuid },
      S3Logs: { Status: 'DISABLED' },
    },
    ExportedEnvironmentVariables: r.exported,
  };
}

function readVariables(v: unknown): EnvironmentVariable[] {
  if (v === undefined || v === null) return [];
  const invalid = (m: string): never => {
    throw taskError('CodeBuild.InvalidInputException', `EnvironmentVariablesOverride: ${m}`);
  };
  if (!Array.isArray(v)) return invalid('must be a list of {Name, Value, Type}');
  return v.map((x, i) => {
    if (!isRecord(x) || typeof x.Name !== 'string' || x.Name === '') return invalid(`entry ${i} has no Name`);
    const type = x.Type === undefined ? 'PLAINTEXT' : x.Type;
    if (type !== 'PLAINTEXT' && type !== 'SECRETS_MANAGER' && type !== 'PARAMETER_STORE') return invalid(`${x.Name}: Type must be PLAINTEXT, PARAMETER_STORE or SECRETS_MANAGER`);
    if (x.Value === undefined || x.Value === null) return invalid(`${x.Name} has no Value`);
    return { Name: x.Name, Value: String(x.Value), Type: type };
  });
}

const hasOwn = (o: NodeJS.ProcessEnv, k: string) => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;

/** The local stand-in for `codebuild:startBuild.sync`. */
export function codeBuildRunner(opts: CommandRunnerOptions): LocalTaskHandler {
  return async (raw) => {
    if (!opts.allowCommands) {
      throw taskError('States.TaskFailed', 'This Task runs a CodeBuild build, which runs commands on this machine; commands run locally only with --allow-commands.');
    }
    const input = (isRecord(raw) ? raw : {}) as StartBuildInput;
    if (typeof input.ProjectName !== 'string' || input.ProjectName === '') throw taskError('CodeBuild.InvalidInputException', 'ProjectName is required.');
    const variables = readVariables(input.EnvironmentVariablesOverride);
    const timeoutMinutes = input.TimeoutInMinutesOverride === undefined || input.TimeoutInMinutesOverride === null ? DEFAULT_TIMEOUT_MINUTES : Number(input.TimeoutInMinutesOverride);
    if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) throw taskError('CodeBuild.InvalidInputException', `TimeoutInMinutesOverride must be a positive number of minutes, not ${JSON.stringify(input.TimeoutInMinutesOverride)}.`);

    const uuid = randomUUID();
    const masker = new Masker();
    const tail = new OutputTail();
    const line = (l: string) => {
      const m = masker.text(l);
      tail.push(m);
      opts.log?.(m);
    };
    const start = Date.now();
    const deadline = start + timeoutMinutes * 60_000;
    const sourceType = typeof input.SourceTypeOverride === 'string' ? input.SourceTypeOverride : input.SourceLocationOverride ? 'GIT' : 'NO_SOURCE';
    const rec: BuildRecord = {
      id: `osop-local:${uuid}`,
      uuid,
      number: ++buildCounter,
      project: input.ProjectName,
      start,
      phases: [],
      exported: [],
      sourceType,
      sourceLocation: typeof input.SourceLocationOverride === 'string' ? input.SourceLocationOverride : undefined,
      sourceVersion: typeof input.SourceVersion === 'string' ? input.SourceVersion : undefined,
      image: typeof input.ImageOverride === 'string' ? input.ImageOverride : DEFAULT_IMAGE,
      computeType: typeof input.ComputeTypeOverride === 'string' ? input.ComputeTypeOverride : 'BUILD_GENERAL1_SMALL',
      timeoutMinutes,
      variables,
    };
    let exitCode: number | null = null;

    const fail = (status: BuildStatus): never => {
      const end = Date.now();
      // The cause on AWS is the build; ExitCode and Output are local additions (AWS keeps the output in CloudWatch Logs).
      const build = buildObject(rec, status, end);
      let cause = JSON.stringify({ Build: build, ExitCode: exitCode, Output: tail.tail(CAUSE_OUTPUT_CHARS) });
      if (cause.length > MAX_CAUSE_CHARS) {
        // Long override values: keep their names only, so that the cause stays within Step Functions' limit.
        (build.Environment as { EnvironmentVariables: unknown }).EnvironmentVariables = rec.variables.map((v) => ({ Name: v.Name, Type: v.Type }));
        cause = JSON.stringify({ Build: build, ExitCode: exitCode, Output: tail.tail(CAUSE_OUTPUT_CHARS) });
      }
      throw taskError('States.TaskFailed', cause);
    };
    const setupFailure = (e: BuildSetupError): never => {
      const now = Date.now();
      line(`[Container] Phase ${e.phaseType} failed: ${e.message}`);
      rec.phases.push({ PhaseType: e.phaseType, PhaseStatus: 'FAILED', StartTime: now, EndTime: now, DurationInSeconds: 0, Contexts: [{ StatusCode: e.statusCode, Message: masker.text(e.message) }] });
      return fail('FAILED');
    };

    if (opts.signal?.aborted) fail('STOPPED');
    if (input.ImageOverride !== undefined) line(`[osop] ImageOverride ${String(input.ImageOverride)}: locally the commands run on this machine, not in the image`);
    if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 5 || timeoutMinutes > 2160) line(`[osop] TimeoutInMinutesOverride ${timeoutMinutes}: AWS CodeBuild accepts whole minutes from 5 to 2160`);

    // Secrets first: their values must be masked before anything is printed that could hold one.
    const secretValue = (name: string, ref: string, type: string): string => {
      if (!hasOwn(opts.env, ref)) {
        throw new BuildSetupError(
          'PROVISIONING',
          'CLIENT_ERROR',
          `the environment variable ${name} is of type ${type} and names the secret '${ref}', which is not set: locally a secret's value is read from the environment variable of that name`,
        );
      }
      const value = opts.env[ref]!;
      if (value) masker.add(value);
      return value;
    };
    let spec: ParsedBuildspec;
    const buildEnv: NodeJS.ProcessEnv = {};
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-codebuild-'));
    const srcDir = path.join(root, 'src');
    const metaDir = path.join(root, 'meta');
    try {
      try {
        if (typeof input.BuildspecOverride !== 'string' || input.BuildspecOverride.trim() === '') {
          throw new BuildSetupError('DOWNLOAD_SOURCE', 'YAML_FILE_ERROR', "YAML_FILE_ERROR: no BuildspecOverride: the project's own buildspec is not known locally");
        }
        spec = parseBuildspec(input.BuildspecOverride);
        const resolved: Record<string, string> = {};
        for (const [name, s] of Object.entries(spec.secretRefs)) resolved[name] = secretValue(name, s.ref, s.type);
        for (const v of variables) resolved[v.Name] = v.Type === 'PLAINTEXT' ? v.Value : secretValue(v.Name, v.Value, v.Type);
        Object.assign(buildEnv, spec.variables, resolved);
      } catch (e) {
        if (e instanceof BuildSetupError) return setupFailure(e);
        throw e;
      }
      fs.mkdirSync(srcDir);
      fs.mkdirSync(metaDir);

      // Source.
      if (rec.sourceLocation && sourceType !== 'NO_SOURCE') {
        if (sourceType === 'S3' || sourceType === 'CODEPIPELINE') {
          return setupFailure(new BuildSetupError('DOWNLOAD_SOURCE', 'CLIENT_ERROR', `source type ${sourceType} is not supported locally; only git sources are cloned`));
        }
        const phase: Phase = { PhaseType: 'DOWNLOAD_SOURCE', StartTime: Date.now() };
        rec.phases.push(phase);
        const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
        const version = rec.sourceVersion?.replace(/^refs\/(heads|tags)\//, '');
        const isCommit = version !== undefined && /^[0-9a-f]{7,40}$/i.test(version);
        const runGit = (args: string[], cwd: string) => runProcess('git', ['-c', 'advice.detachedHead=false', ...args], { cwd, env: gitEnv, deadline, signal: opts.signal, onLine: line });
        line(`[Container] Cloning ${rec.sourceLocation}${version ? ` at ${version}` : ''}`);
        let r = await runGit(['clone', ...(version && !isCommit ? [`--branch=${version}`] : []), '--', rec.sourceLocation, srcDir], root);
        if (r.exitCode === 0 && isCommit) r = await runGit(['checkout', '--quiet', version!, '--'], srcDir);
        const end = Date.now();
        Object.assign(phase, { EndTime: end, DurationInSeconds: Math.round((end - phase.StartTime) / 1000) });
        if (r.exitCode !== 0) {
          exitCode = r.exitCode;
          const status: BuildStatus = r.timedOut ? 'TIMED_OUT' : r.aborted ? 'STOPPED' : 'FAILED';
          phase.PhaseStatus = status;
          phase.Contexts = [{ StatusCode: status === 'FAILED' ? 'CLIENT_ERROR' : status, Message: status === 'FAILED' ? `git clone of ${rec.sourceLocation} failed (exit status ${r.exitCode})` : `build ${status === 'TIMED_OUT' ? 'timed out' : 'stopped'} while cloning` }];
          return fail(status);
        }
        phase.PhaseStatus = 'SUCCEEDED';
        const head: string[] = [];
        await runProcess('git', ['rev-parse', 'HEAD'], { cwd: srcDir, env: gitEnv, deadline: Date.now() + 10_000, onLine: (l) => head.push(l) });
        if (/^[0-9a-f]{40}$/.test(head[0] ?? '')) rec.resolvedSourceVersion = head[0];
      }

      // Commands.
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: process.env.HOME ?? os.homedir(),
        LANG: process.env.LANG ?? 'C.UTF-8',
        ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
        CODEBUILD_BUILD_ID: rec.id,
        CODEBUILD_BUILD_ARN: `arn:aws:codebuild:local:000000000000:build/${rec.id}`,
        CODEBUILD_BUILD_NUMBER: String(rec.number),
        CODEBUILD_BUILD_IMAGE: rec.image,
        CODEBUILD_BUILD_SUCCEEDING: '1',
        CODEBUILD_CI: 'true',
        CODEBUILD_INITIATOR: 'osop-local',
        CODEBUILD_PROJECT_NAME: rec.project,
        CODEBUILD_SRC_DIR: srcDir,
        CODEBUILD_START_TIME: String(start),
        ...(rec.sourceVersion !== undefined ? { CODEBUILD_SOURCE_VERSION: rec.sourceVersion } : {}),
        ...(rec.resolvedSourceVersion !== undefined ? { CODEBUILD_RESOLVED_SOURCE_VERSION: rec.resolvedSourceVersion } : {}),
        ...buildEnv,
      };
      const script = path.join(metaDir, 'build.sh');
      fs.writeFileSync(script, buildScript(spec, metaDir));
      const r = await runProcess('bash', ['--noprofile', '--norc', script], { cwd: srcDir, env, deadline, signal: opts.signal, onLine: line });

      const { phases, done } = readStatus(path.join(metaDir, 'status'), spec, masker);
      rec.phases.push(...phases);
      rec.exported = readExported(path.join(metaDir, 'exported'), masker);
      exitCode = r.exitCode;
      const status: BuildStatus = r.timedOut ? 'TIMED_OUT' : r.aborted ? 'STOPPED' : r.exitCode === 0 && done ? 'SUCCEEDED' : 'FAILED';
      const open = rec.phases.find((p) => p.PhaseStatus === undefined);
      if (open) {
        // The shell ended inside this phase: killed, or a command ran `exit` (or `set -e` and failed).
        const end = Date.now();
        Object.assign(open, { PhaseStatus: status === 'SUCCEEDED' ? 'FAILED' : status, EndTime: end, DurationInSeconds: Math.round((end - open.StartTime) / 1000) });
        const reason =
          status === 'TIMED_OUT'
            ? `Build timed out after ${timeoutMinutes} minutes`
            : status === 'STOPPED'
              ? 'Build stopped'
              : `the build shell exited with status ${r.exitCode} before the build finished (a command called exit, or failed under set -e)`;
        open.Contexts = [{ StatusCode: status === 'TIMED_OUT' || status === 'STOPPED' ? status : 'COMMAND_EXECUTION_ERROR', Message: reason }];
        line(`[Container] ${reason}`);
      } else if (status === 'TIMED_OUT' || status === 'STOPPED') {
        line(`[Container] ${status === 'TIMED_OUT' ? `Build timed out after ${timeoutMinutes} minutes` : 'Build stopped'}`);
      }
      if (status !== 'SUCCEEDED') return fail(status);
      return { Build: buildObject(rec, 'SUCCEEDED', Date.now()) };
    } finally {
      if (opts.keepWorkdir) opts.log?.(`[osop] working folder of build ${rec.id} kept at ${root}`);
      else fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

/** Phases as the status file recorded them (a phase the shell never ended has no PhaseStatus yet); each failing command is a context of its phase. */
function readStatus(file: string, spec: ParsedBuildspec, masker: Masker): { phases: Phase[]; done: boolean } {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const phases: Phase[] = [];
  let done = false;
  const commands = spec.phases.flatMap((p) => [...p.commands, ...p.finally]);
  const time = (t: string | undefined) => (t && /^\d+([.,]\d+)?$/.test(t) ? Math.round(Number(t.replace(',', '.')) * 1000) : Date.now());
  for (const l of text.split('\n')) {
    const [kind, a, b, c] = l.split(' ');
    const current = phases[phases.length - 1];
    if (kind === 'START') phases.push({ PhaseType: a, StartTime: time(b) });
    else if (kind === 'FAIL' && current) {
      const command = masker.text(commands[Number(b)] ?? '?');
      const message = `Error while executing command: ${command.length > 300 ? `${command.slice(0, 300)}…` : command}. Reason: exit status ${c}`;
      (current.Contexts ??= []).push({ StatusCode: 'COMMAND_EXECUTION_ERROR', Message: message });
    } else if (kind === 'END' && current && current.PhaseType === a) {
      current.EndTime = time(c);
      current.DurationInSeconds = Math.round((current.EndTime - current.StartTime) / 1000);
      current.PhaseStatus = Number(b) === 0 ? 'SUCCEEDED' : 'FAILED';
    } else if (kind === 'DONE') done = true;
  }
  return { phases, done };
}

function readExported(file: string, masker: Masker): { Name: string; Value: string }[] {
  if (!fs.existsSync(file)) return [];
  const parts = fs.readFileSync(file, 'utf8').split('\0');
  const out: { Name: string; Value: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push({ Name: parts[i], Value: masker.text(parts[i + 1]) });
  return out;
}
