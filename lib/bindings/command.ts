/**
 * `cli`, `cicd`, `infra`, `git` and `docker` nodes that name commands → AWS
 * CodeBuild through `arn:aws:states:::codebuild:startBuild.sync`, on the one
 * project the stack creates (`${CommandProjectName}`). The commands travel in
 * a `BuildspecOverride`; OSOP references in them (`${inputs.x}`,
 * `${node.field}`) become environment variables (`$OSOP_V1`, ...) whose
 * values the state machine fills in, so data can never become shell syntax;
 * `${secrets.X}` becomes `$X`, a Secrets Manager environment variable
 * (`osop/X`): no secret is ever in the buildspec text. Shell syntax (`${VAR}`,
 * `${VAR:-default}`) stays as written. Declared outputs come back as exported
 * environment variables (`env.exported-variables`).
 *
 * Why CodeBuild rather than ECS `runTask.sync`: a command needs no image,
 * cluster, VPC or task definition of the user's; CodeBuild's managed images
 * carry git, shells and language runtimes, a build is billed per minute with
 * nothing running between executions, and its `.sync` integration returns the
 * build with exported variables. ECS fits long-running containers better;
 * `x-sfn: { image }` covers a container image on CodeBuild.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { Codes } from '../diagnostics';
import { dataKey } from '../data-layout';
import { TemplateText, type WorkflowNode } from '../model';
import { outputsPath } from '../lower/layout';
import { lowerParsedTemplate, type PayloadContext } from '../lower/payload';
import { retryRules } from '../lower/retry';
import { taskComment } from './common';
import type { Binding } from './types';

export const CODEBUILD_START_SYNC = 'arn:aws:states:::codebuild:startBuild.sync';
export const COMMAND_PROJECT = 'CommandProjectName';
export const SECRET_PREFIX = 'SecretPrefix';
/** CodeBuild's build timeout bounds (minutes). */
const MIN_BUILD_MINUTES = 5;
const MAX_BUILD_MINUTES = 2160;
const DEFAULT_BUILD_MINUTES = 60;
/** Time a build may wait in CodeBuild's queue before it starts, on top of its own timeout. */
const QUEUE_MARGIN_SECONDS = 600;
/** The rule Step Functions keeps in the account to learn when a build ends (startBuild.sync). */
const SYNC_RULE = 'StepFunctionsGetEventForCodeBuildStartBuildRule';
/** Outputs every command node has. */
export const COMMAND_OUTPUTS = ['build_id', 'status'] as const;

const COMMAND_TYPES = new Set(['cli', 'cicd', 'infra', 'git', 'docker']);
const COMMAND_KEYS = ['commands', 'command', 'script', 'run', 'cmd'] as const;

export interface CommandConfig {
  /** One shell command per entry, as written. */
  commands: TemplateText[];
  workingDirectory?: string;
  environment: Record<string, TemplateText>;
  image?: string;
  computeType?: string;
  repo?: string;
  branch?: string;
}

const hasCommand = (o: Record<string, unknown>) => COMMAND_KEYS.some((k) => typeof o[k] === 'string' || Array.isArray(o[k]));

const Runtime = z.looseObject({
  command: z.string().optional(),
  commands: z.array(z.string()).optional(),
  script: z.string().optional(),
  run: z.string().optional(),
  cmd: z.string().optional(),
  working_directory: z.string().optional(),
  working_dir: z.string().optional(),
  cwd: z.string().optional(),
  environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.union([z.string(), z.number(), z.boolean()])).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.union([z.string(), z.number(), z.boolean()])).optional(),
  image: z.string().min(1).optional(),
  repo: z.string().min(1).optional(),
  repository: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
});

export const commandBinding: Binding<CommandConfig> = {
  id: 'command',
  canFail: true,
  sfnOptions: {
    image: z.string().min(1).optional(),
    compute_type: z.enum(['BUILD_GENERAL1_SMALL', 'BUILD_GENERAL1_MEDIUM', 'BUILD_GENERAL1_LARGE', 'BUILD_GENERAL1_XLARGE', 'BUILD_GENERAL1_2XLARGE', 'BUILD_LAMBDA_1GB', 'BUILD_LAMBDA_2GB']).optional(),
  },
  matches: (node, raw) => COMMAND_TYPES.has(node.type) && (hasCommand(node.runtime) || hasCommand(raw) || (node.type === 'git' && (typeof node.runtime.repo === 'string' || typeof node.runtime.repository === 'string'))),

  read(ctx) {
    const { node, runtime, raw } = ctx;
    const parsed = Runtime.safeParse(runtime);
    if (!parsed.success) {
      ctx.reportZod(parsed.error, runtime, `the runtime of ${node.type} node '${node.id}'`);
      return undefined;
    }
    const holder = hasCommand(runtime) ? runtime : raw;
    const key = COMMAND_KEYS.find((k) => holder[k] !== undefined);
    const commands: TemplateText[] = [];
    if (key) {
      const v = holder[key];
      if (Array.isArray(v)) {
        v.forEach((c, i) => {
          if (typeof c === 'string') commands.push(shellAware(ctx.template(c, v, i)));
          else ctx.sink.report(Codes.BadRuntime, { form: 'commandItem', position: i + 1, node: node.id }, ctx.valueRange(v, i));
        });
      } else if (typeof v === 'string') {
        commands.push(shellAware(ctx.template(v, holder, key)));
      } else {
        ctx.sink.report(Codes.BadRuntime, { form: 'command', key, node: node.id }, ctx.valueRange(holder, key));
        return undefined;
      }
    }
    const envRaw = (parsed.data.environment ?? parsed.data.env ?? {}) as Record<string, unknown>;
    const envHolder = runtime.environment !== undefined ? runtime.environment : runtime.env;
    const environment: Record<string, TemplateText> = {};
    for (const [k, v] of Object.entries(envRaw)) environment[k] = shellAware(ctx.template(String(v), envHolder, k));
    const sfn = node.sfn.options ?? {};
    return {
      commands,
      workingDirectory: parsed.data.working_directory ?? parsed.data.working_dir ?? parsed.data.cwd,
      environment,
      image: (sfn.image as string | undefined) ?? parsed.data.image,
      computeType: sfn.compute_type as string | undefined,
      repo: parsed.data.repo ?? parsed.data.repository,
      branch: parsed.data.branch,
    };
  },

  templates(c, visit) {
    for (const t of c.commands) visit(t, true);
    for (const t of Object.values(c.environment)) visit(t, true);
  },

  outputs: () => COMMAND_OUTPUTS,
  outputType: (_n, _c, name) => ((COMMAND_OUTPUTS as readonly string[]).includes(name) ? 'string' : undefined),

  lower(node, c, ctx) {
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const env: Record<string, unknown>[] = [];
    const secrets = new Set<string>();
    let vars = 0;
    /** One command or value with its OSOP references turned into environment variables. */
    const rewrite = (t: TemplateText): string => {
      const parsed = ctx.templates.get(t);
      if (!parsed) return t.text;
      let out = '';
      for (const part of parsed.parts) {
        if (part.kind === 'text') {
          out += part.text;
          continue;
        }
        const ref = part.ref;
        if (ref.kind === 'secret') {
          secrets.add(ref.name);
          out += `\${${ref.name}}`;
          continue;
        }
        const name = `OSOP_V${++vars}`;
        const value = lowerParsedTemplate({ text: '', parts: [part], references: [ref] }, '', pctx, t.range);
        // CodeBuild takes string values only: a number or an object is written as text.
        env.push({ Name: name, Type: 'PLAINTEXT', ...(value.dynamic ? { 'Value.$': `States.Format('{}', ${value.expression})` } : { Value: String(value.value) }) });
        out += `\${${name}}`;
      }
      return out;
    };
    const commands = c.commands.map(rewrite);
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.environment)) {
      const parsed = ctx.templates.get(v);
      if (parsed && parsed.parts.length === 1 && parsed.parts[0].kind === 'text') variables[k] = v.text;
      else variables[k] = rewrite(v);
    }
    const source = sourceOf(c);
    const outputs = node.outputs.map((o) => o.name).filter((n) => !(COMMAND_OUTPUTS as readonly string[]).includes(n));
    for (const o of outputs) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o)) ctx.sink.report(Codes.BadOutputs, { form: 'notAVariableName', output: o, node: node.id }, node.outputs.find((x) => x.name === o)!.range);
    }
    const buildspec: Record<string, unknown> = {
      version: 0.2,
      env: {
        shell: 'bash',
        ...(Object.keys(variables).length ? { variables } : {}),
        ...(outputs.length ? { 'exported-variables': outputs } : {}),
      },
      phases: {
        build: {
          commands: [
            ...source.clone,
            ...(c.workingDirectory ? [`cd ${shellQuote(c.workingDirectory)}`] : []),
            ...(commands.length ? commands : ['git log -1 --oneline']),
          ],
        },
      },
    };
    for (const name of secrets) env.push({ Name: name, Type: 'SECRETS_MANAGER', Value: `\${${SECRET_PREFIX}}${name}` });
    const minutes = Math.min(MAX_BUILD_MINUTES, Math.max(MIN_BUILD_MINUTES, Math.ceil((node.timeoutSeconds ?? DEFAULT_BUILD_MINUTES * 60) / 60)));
    if (node.timeoutSeconds !== undefined && node.timeoutSeconds < MIN_BUILD_MINUTES * 60) {
      ctx.sink.report(Codes.TimeoutRaised, { node: node.id, minutes: MIN_BUILD_MINUTES, timeoutSeconds: node.timeoutSeconds }, node.range);
    }
    const parameters: Record<string, unknown> = {
      ProjectName: `\${${COMMAND_PROJECT}}`,
      BuildspecOverride: stringify(buildspec, { lineWidth: 0 }),
      ...(env.length ? { EnvironmentVariablesOverride: env } : {}),
      ...(c.image ? { ImageOverride: c.image, ImagePullCredentialsTypeOverride: c.image.includes('.dkr.ecr.') ? 'SERVICE_ROLE' : 'CODEBUILD' } : {}),
      ...(c.computeType ? { ComputeTypeOverride: c.computeType } : {}),
      TimeoutInMinutesOverride: minutes,
      ...source.override,
    };
    const selector: Record<string, string> = { 'build_id.$': '$.Build.Id', 'status.$': '$.Build.BuildStatus' };
    // ResultSelector paths may filter (JSONPath); ArrayGetItem takes the one match.
    for (const o of outputs) selector[`${dataKey(o)}.$`] = `States.ArrayGetItem($.Build.ExportedEnvironmentVariables[?(@.Name == '${o}')].Value, 0)`;
    const timeoutSeconds = minutes * 60 + QUEUE_MARGIN_SECONDS;
    const substitutions = [COMMAND_PROJECT, ...(secrets.size ? [SECRET_PREFIX] : [])];
    return {
      state: {
        Type: 'Task',
        Comment: taskComment(node),
        Resource: CODEBUILD_START_SYNC,
        Parameters: parameters,
        ResultSelector: selector,
        ResultPath: outputsPath(node.id),
        TimeoutSeconds: timeoutSeconds,
        // A failed build is the command's own failure; only the node's policy retries it.
        ...(node.retry && node.retry.maxAttempts > 0 ? { Retry: retryRules(['States.TaskFailed'], node.retry).slice(0, 1) } : {}),
      },
      task: {
        resource: CODEBUILD_START_SYNC,
        substitutions,
        timeoutSeconds,
        waitsForCallback: false,
        waitsForJob: true,
        secrets: [...secrets].sort(),
        // As AWS documents the IAM of startBuild.sync: the build, and the managed rule that reports its end.
        iam: [
          { actions: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds', 'codebuild:BatchGetReports'], resources: [`arn:\${Partition}:codebuild:\${Region}:\${Account}:project/\${${COMMAND_PROJECT}}`] },
          { actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'], resources: [`arn:\${Partition}:events:\${Region}:\${Account}:rule/${SYNC_RULE}`] },
        ],
        project: { substitution: COMMAND_PROJECT, secrets: [...secrets].sort() },
        local: { kind: 'codebuild' },
      },
    };
  },
};

/** A `git` node's repository: CodeBuild's source override for the hosts it knows, else a clone in the buildspec. */
function sourceOf(c: CommandConfig): { override: Record<string, string>; clone: string[] } {
  if (!c.repo) return { override: {}, clone: [] };
  const host = /^https:\/\/([^/]+)\//.exec(c.repo)?.[1]?.toLowerCase();
  const type = host === 'github.com' ? 'GITHUB' : host === 'bitbucket.org' ? 'BITBUCKET' : host?.startsWith('git-codecommit.') ? 'CODECOMMIT' : host === 'gitlab.com' ? 'GITLAB' : undefined;
  if (type) return { override: { SourceTypeOverride: type, SourceLocationOverride: c.repo, ...(c.branch ? { SourceVersion: c.branch } : {}) }, clone: [] };
  return { override: {}, clone: [`git clone --depth 1 ${c.branch ? `--branch ${shellQuote(c.branch)} ` : ''}${shellQuote(c.repo)} .`] };
}

/**
 * In a command, `${...}` is OSOP only when it names an OSOP namespace or a
 * dotted node field (`${inputs.x}`, `${secrets.X}`, `${build.version}`);
 * `${VAR}`, `${VAR:-default}`, `${#x}` are the shell's and stay as written
 * (escaped as `$${`). Diagnostics then point at the whole command.
 */
function shellAware(t: TemplateText): TemplateText {
  let changed = false;
  const text = t.text.replace(/(\$+)\{([^}]*)\}/g, (whole, dollars: string, inner: string) => {
    if (dollars.length % 2 === 0) return whole; // already escaped
    const osop = /^\s*(inputs|outputs|secrets|loop|metadata|env)\./.test(inner) || /^\s*[a-z][\w-]*\.[A-Za-z_][\w.[\]'"-]*\s*$/.test(inner);
    if (osop) return whole;
    changed = true;
    return `$${whole}`;
  });
  return changed ? new TemplateText(text, t.range, undefined) : t;
}

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Whether a node would run as a command if it named one (for the manual-step hint). */
export const isCommandType = (node: WorkflowNode) => COMMAND_TYPES.has(node.type);
