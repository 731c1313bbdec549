import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeBuildRunner, type CommandRunnerOptions } from '../../../lib/local/services/codebuild';

jest.setTimeout(20_000);

interface Build {
  Id: string;
  Arn: string;
  ProjectName: string;
  BuildStatus: string;
  CurrentPhase: string;
  StartTime: number;
  EndTime: number;
  ResolvedSourceVersion?: string;
  SourceVersion?: string;
  Phases: { PhaseType: string; PhaseStatus?: string; Contexts?: { StatusCode: string; Message: string }[] }[];
  ExportedEnvironmentVariables: { Name: string; Value: string }[];
  Logs: { GroupName: string; StreamName: string };
}

function runner(extra: Partial<CommandRunnerOptions> = {}) {
  const lines: string[] = [];
  const handler = codeBuildRunner({ allowCommands: true, env: {}, log: (l) => lines.push(l), ...extra });
  return { handler, lines };
}

function buildspec(phases: Record<string, string[]>, env: Record<string, unknown> = {}): string {
  const doc: string[] = ['version: 0.2'];
  if (Object.keys(env).length > 0) doc.push(`env: ${JSON.stringify(env)}`);
  doc.push('phases:');
  for (const [name, cmds] of Object.entries(phases)) {
    doc.push(`  ${name}:`, '    commands:');
    for (const c of cmds) doc.push(`      - ${JSON.stringify(c)}`);
  }
  return doc.join('\n');
}

function exported(build: Build): Record<string, string> {
  return Object.fromEntries(build.ExportedEnvironmentVariables.map((v) => [v.Name, v.Value]));
}

/** Runs the handler expecting a failure; returns the error and its parsed cause. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; cause: { Build: Build; ExitCode: number | null; Output: string } }> {
  const err = (await p.then(
    () => {
      throw new Error('expected the build to fail');
    },
    (e: unknown) => e,
  )) as Error;
  return { name: err.name, message: err.message, cause: JSON.parse(err.message) };
}

describe('codeBuildRunner', () => {
  test('runs the phases in one shell, and exports variables', async () => {
    const { handler, lines } = runner();
    const result = (await handler({
      ProjectName: 'demo',
      BuildspecOverride: [
        'version: 0.2',
        'env:',
        '  variables:',
        '    GREETING: hello',
        '    FROM_SPEC: spec',
        '  exported-variables: [GREETING, COUNT, MULTI, WHERE, FROM_SPEC, NEVER_SET]',
        'phases:',
        '  install:',
        '    commands:',
        '      - COUNT=1',
        '      - mkdir sub && cd sub',
        '  build:',
        '    commands:',
        '      - COUNT=$((COUNT + 1))',
        '      - |',
        '        MULTI="a',
        '        b"',
        '        echo "multi-line command ran"',
        '      - WHERE=$(basename "$PWD")',
        '  post_build:',
        '    commands:',
        '      - echo "post_build sees COUNT=$COUNT succeeding=$CODEBUILD_BUILD_SUCCEEDING"',
      ].join('\n'),
      EnvironmentVariablesOverride: [{ Name: 'FROM_SPEC', Value: 'override', Type: 'PLAINTEXT' }],
    })) as { Build: Build };
    const b = result.Build;
    expect(b.BuildStatus).toBe('SUCCEEDED');
    expect(b.CurrentPhase).toBe('COMPLETED');
    expect(b.ProjectName).toBe('demo');
    expect(b.Id).toMatch(/^osop-local:[0-9a-f-]{36}$/);
    expect(b.Arn).toBe(`arn:aws:codebuild:local:000000000000:build/${b.Id}`);
    expect(b.EndTime).toBeGreaterThanOrEqual(b.StartTime);
    expect(b.Logs.GroupName).toBe('/aws/codebuild/demo');
    // The StartBuild override wins over the buildspec's env.variables; an exported variable never set is exported empty.
    expect(b.ExportedEnvironmentVariables.map((v) => v.Name)).toEqual(['GREETING', 'COUNT', 'MULTI', 'WHERE', 'FROM_SPEC', 'NEVER_SET']);
    expect(exported(b)).toEqual({ GREETING: 'hello', COUNT: '2', MULTI: 'a\nb', WHERE: 'sub', FROM_SPEC: 'override', NEVER_SET: '' });
    expect(b.Phases.map((p) => [p.PhaseType, p.PhaseStatus])).toEqual([
      ['INSTALL', 'SUCCEEDED'],
      ['BUILD', 'SUCCEEDED'],
      ['POST_BUILD', 'SUCCEEDED'],
      ['COMPLETED', undefined],
    ]);
    expect(lines).toContain('multi-line command ran');
    expect(lines).toContain('post_build sees COUNT=2 succeeding=1');
  });

  test('passes a minimal environment, not the whole of this process', async () => {
    process.env.OSOP_TEST_UNRELATED_SECRET = 'do-not-leak';
    try {
      const { handler } = runner({ env: process.env });
      const r = (await handler({
        ProjectName: 'env',
        BuildspecOverride: buildspec({ build: ['LEAK="${OSOP_TEST_UNRELATED_SECRET:-none}"', 'HAS_PATH="${PATH:+yes}"', 'SRC="$CODEBUILD_SRC_DIR"'] }, { 'exported-variables': ['LEAK', 'HAS_PATH', 'SRC'] }),
      })) as { Build: Build };
      const v = exported(r.Build);
      expect(v.LEAK).toBe('none');
      expect(v.HAS_PATH).toBe('yes');
      // The temporary working folder is gone afterwards.
      expect(v.SRC).toContain('osop-codebuild-');
      expect(fs.existsSync(v.SRC)).toBe(false);
    } finally {
      delete process.env.OSOP_TEST_UNRELATED_SECRET;
    }
  });

  test('keepWorkdir keeps the working folder', async () => {
    const { handler, lines } = runner({ keepWorkdir: true });
    const r = (await handler({
      ProjectName: 'keep',
      BuildspecOverride: buildspec({ build: ['echo kept > out.txt', 'SRC="$PWD"'] }, { 'exported-variables': ['SRC'] }),
    })) as { Build: Build };
    const src = exported(r.Build).SRC;
    try {
      expect(fs.readFileSync(path.join(src, 'out.txt'), 'utf8')).toBe('kept\n');
      expect(lines.some((l) => l.startsWith('[osop] working folder') && l.includes(path.dirname(src)))).toBe(true);
    } finally {
      fs.rmSync(path.dirname(src), { recursive: true, force: true });
    }
  });

  test('a failing command fails the Task with States.TaskFailed, its exit code and the output tail', async () => {
    const { handler, lines } = runner();
    const { name, cause } = await failure(
      handler({
        ProjectName: 'broken',
        BuildspecOverride: buildspec({ install: ['echo before the failure', 'echo on stderr >&2; exit_with() { return $1; }; exit_with 3', 'echo never printed'], build: ['echo build never runs'] }),
      }),
    );
    expect(name).toBe('States.TaskFailed');
    expect(cause.Build.BuildStatus).toBe('FAILED');
    expect(cause.Build.CurrentPhase).toBe('COMPLETED');
    expect(cause.ExitCode).toBe(3);
    expect(cause.Output).toContain('before the failure');
    expect(cause.Output).toContain('on stderr');
    expect(cause.Output).not.toContain('never printed');
    expect(cause.Output).not.toContain('build never runs');
    const install = cause.Build.Phases.find((p) => p.PhaseType === 'INSTALL')!;
    expect(install.PhaseStatus).toBe('FAILED');
    expect(install.Contexts?.[0]).toEqual({ StatusCode: 'COMMAND_EXECUTION_ERROR', Message: expect.stringContaining('exit status 3') });
    expect(cause.Build.Phases.some((p) => p.PhaseType === 'BUILD')).toBe(false);
    expect(lines).toContain('on stderr');
  });

  test('a failed build phase still runs post_build, with CODEBUILD_BUILD_SUCCEEDING=0', async () => {
    const { handler } = runner();
    const { cause } = await failure(
      handler({
        ProjectName: 'post',
        BuildspecOverride: buildspec({ build: ['false'], post_build: ['echo "succeeding=$CODEBUILD_BUILD_SUCCEEDING"'] }),
      }),
    );
    expect(cause.ExitCode).toBe(1);
    expect(cause.Output).toContain('succeeding=0');
    expect(cause.Build.Phases.map((p) => [p.PhaseType, p.PhaseStatus])).toEqual([
      ['BUILD', 'FAILED'],
      ['POST_BUILD', 'SUCCEEDED'],
      ['COMPLETED', undefined],
    ]);
  });

  test('a secret from the environment reaches the commands but never the log or the cause', async () => {
    const secret = 's3cr3t-Value-42';
    const { handler, lines } = runner({ env: { PROD_DB_PASSWORD: secret } });
    const { cause, message } = await failure(
      handler({
        ProjectName: 'secrets',
        BuildspecOverride: buildspec(
          { build: ['test "$DB_PASSWORD" = "s3cr3t-Value-42" && echo "length ${#DB_PASSWORD}"', 'echo "password is $DB_PASSWORD"', 'COPY="$DB_PASSWORD"', 'exit_with() { return $1; }; echo "failing with $DB_PASSWORD" >&2; exit_with 7'] },
          { 'exported-variables': ['COPY'] },
        ),
        EnvironmentVariablesOverride: [{ Name: 'DB_PASSWORD', Value: 'PROD_DB_PASSWORD', Type: 'SECRETS_MANAGER' }],
      }),
    );
    expect(cause.ExitCode).toBe(7);
    expect(lines).toContain('length 15');
    expect(lines).toContain('password is ***');
    expect(lines).toContain('failing with ***');
    expect(lines.join('\n')).not.toContain(secret);
    expect(message).not.toContain(secret);
    expect(cause.Output).toContain('failing with ***');
    expect(exported(cause.Build).COPY).toBe('***');
    // The variable is listed with the secret's name, as AWS lists it.
    expect(message).toContain('PROD_DB_PASSWORD');
  });

  test('a missing secret fails the build, naming the variable', async () => {
    const { handler } = runner({ env: {} });
    const { name, cause } = await failure(
      handler({
        ProjectName: 'secrets',
        BuildspecOverride: buildspec({ build: ['echo should not run'] }),
        EnvironmentVariablesOverride: [
          { Name: 'PLAIN', Value: 'x', Type: 'PLAINTEXT' },
          { Name: 'API_TOKEN', Value: 'prod/api-token', Type: 'SECRETS_MANAGER' },
        ],
      }),
    );
    expect(name).toBe('States.TaskFailed');
    expect(cause.Build.BuildStatus).toBe('FAILED');
    const msg = cause.Build.Phases[0].Contexts?.[0].Message ?? '';
    expect(msg).toContain('API_TOKEN');
    expect(msg).toContain("'prod/api-token'");
    expect(cause.Output).not.toContain('should not run');
  });

  test('the timeout kills the build: TIMED_OUT', async () => {
    const { handler } = runner();
    const t0 = Date.now();
    const { name, cause } = await failure(
      handler({
        ProjectName: 'slow',
        BuildspecOverride: buildspec({ build: ['echo started', 'sleep 30 & wait', 'echo not reached'] }),
        TimeoutInMinutesOverride: 0.01, // 0.6 s; AWS takes whole minutes, locally fractions are accepted
      }),
    );
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(name).toBe('States.TaskFailed');
    expect(cause.Build.BuildStatus).toBe('TIMED_OUT');
    expect(cause.ExitCode).toBeNull();
    expect(cause.Output).toContain('started');
    expect(cause.Output).not.toContain('not reached');
    expect(cause.Build.Phases.find((p) => p.PhaseType === 'BUILD')?.PhaseStatus).toBe('TIMED_OUT');
  });

  test('aborting the signal stops the build', async () => {
    const ac = new AbortController();
    const { handler } = runner({ signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    const { cause } = await failure(handler({ ProjectName: 'stop', BuildspecOverride: buildspec({ build: ['sleep 30'] }) }));
    expect(cause.Build.BuildStatus).toBe('STOPPED');
  });

  test('background processes left running do not hold the build open', async () => {
    const { handler } = runner();
    const t0 = Date.now();
    const r = (await handler({ ProjectName: 'bg', BuildspecOverride: buildspec({ build: ['sleep 30 &', 'echo done'] }) })) as { Build: Build };
    expect(r.Build.BuildStatus).toBe('SUCCEEDED');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('refuses to run without allowCommands', async () => {
    const handler = codeBuildRunner({ allowCommands: false, env: {} });
    await expect(handler({ ProjectName: 'x', BuildspecOverride: buildspec({ build: ['echo hi'] }) })).rejects.toMatchObject({
      name: 'States.TaskFailed',
      message: expect.stringContaining('--allow-commands'),
    });
  });

  test('a buildspec that is not valid fails the build with YAML_FILE_ERROR', async () => {
    const { handler } = runner();
    const { cause } = await failure(handler({ ProjectName: 'bad', BuildspecOverride: 'version: 0.2\nphases: [' }));
    expect(cause.Build.Phases[0].Contexts?.[0].StatusCode).toBe('YAML_FILE_ERROR');
    const v1 = await failure(handler({ ProjectName: 'bad', BuildspecOverride: 'version: 0.1\nphases: {}' }));
    expect(v1.cause.Build.Phases[0].Contexts?.[0].Message).toContain('version 0.2');
  });

  describe('git source', () => {
    let dir: string;
    let bare: string;
    let featureSha: string;
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-codebuild-test-'));
      const work = path.join(dir, 'work');
      fs.mkdirSync(work);
      git(work, 'init', '--quiet');
      fs.writeFileSync(path.join(work, 'hello.txt'), 'from main\n');
      git(work, 'add', 'hello.txt');
      git(work, 'commit', '--quiet', '-m', 'main');
      git(work, 'checkout', '--quiet', '-b', 'feature');
      fs.writeFileSync(path.join(work, 'hello.txt'), 'from feature\n');
      git(work, 'commit', '--quiet', '-am', 'feature');
      featureSha = git(work, 'rev-parse', 'HEAD');
      git(work, 'checkout', '--quiet', 'main');
      bare = path.join(dir, 'repo.git');
      git(dir, 'clone', '--quiet', '--bare', work, bare);
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const spec = buildspec({ build: ['CONTENT="$(cat hello.txt)"', 'REV="$CODEBUILD_RESOLVED_SOURCE_VERSION"'] }, { 'exported-variables': ['CONTENT', 'REV'] });

    test('clones a file:// URL at a branch', async () => {
      const { handler } = runner();
      const r = (await handler({ ProjectName: 'git', BuildspecOverride: spec, SourceLocationOverride: `file://${bare}`, SourceVersion: 'feature' })) as { Build: Build };
      expect(exported(r.Build)).toEqual({ CONTENT: 'from feature', REV: featureSha });
      expect(r.Build.ResolvedSourceVersion).toBe(featureSha);
      expect(r.Build.SourceVersion).toBe('feature');
      expect(r.Build.Phases[0]).toMatchObject({ PhaseType: 'DOWNLOAD_SOURCE', PhaseStatus: 'SUCCEEDED' });
    });

    test('clones a local path (default branch) and checks out a commit id', async () => {
      const { handler } = runner();
      const main = (await handler({ ProjectName: 'git', BuildspecOverride: spec, SourceLocationOverride: bare, SourceTypeOverride: 'GITHUB' })) as { Build: Build };
      expect(exported(main.Build).CONTENT).toBe('from main');
      const atCommit = (await handler({ ProjectName: 'git', BuildspecOverride: spec, SourceLocationOverride: bare, SourceVersion: featureSha })) as { Build: Build };
      expect(exported(atCommit.Build).CONTENT).toBe('from feature');
    });

    test('a clone that fails fails the build in DOWNLOAD_SOURCE', async () => {
      const { handler } = runner();
      const { cause } = await failure(handler({ ProjectName: 'git', BuildspecOverride: spec, SourceLocationOverride: `file://${bare}`, SourceVersion: 'no-such-branch' }));
      expect(cause.Build.BuildStatus).toBe('FAILED');
      expect(cause.Build.Phases[0]).toMatchObject({ PhaseType: 'DOWNLOAD_SOURCE', PhaseStatus: 'FAILED' });
      expect(cause.ExitCode).not.toBe(0);
      expect(cause.Output).toContain('no-such-branch');
    });
  });
});
