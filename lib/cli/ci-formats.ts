/**
 * Diagnostics for CI: GitHub Actions workflow commands (`::error file=...::`),
 * which GitHub shows as annotations on the pull request's lines, and SARIF
 * 2.1.0, the format code-scanning tools (GitHub code scanning, Azure DevOps,
 * ...) import. Both are written to stdout by `osop-sfn check --format`.
 */
import * as path from 'node:path';
import { CODE_INFO, type CodeInfo } from '../diagnostics/codes';
import type { Diagnostic } from '../types';

const infoOf = (code: string): CodeInfo | undefined => (CODE_INFO as Record<string, CodeInfo>)[code];

/** The path as CI sees it: relative to the working directory (the checkout) when inside it, with forward slashes. */
function ciPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, file));
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(cwd, file);
  return shown.split(path.sep).join('/');
}

// Workflow command escaping (the runner's own rules, actions/toolkit `command.ts`).
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const GITHUB_COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** One `::error file=F,line=L,col=C,title=T::CODE message` line per diagnostic (the hint on a second line of the message). */
export function githubAnnotations(diagnostics: Diagnostic[], cwd = process.cwd()): string {
  return diagnostics
    .map((d) => {
      const props = [`file=${escapeProperty(ciPath(d.file, cwd))}`];
      if (d.line > 0) props.push(`line=${d.line}`, `col=${d.column}`);
      props.push(`title=${escapeProperty(`${d.code} ${infoOf(d.code)?.title ?? d.severity}`)}`);
      const message = `${d.code} ${d.message}${d.hint ? `\nhint: ${d.hint}` : ''}`;
      return `::${GITHUB_COMMAND[d.severity]} ${props.join(',')}::${escapeData(message)}\n`;
    })
    .join('');
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** A SARIF 2.1.0 log of one run: a rule per code that occurs (its title and explanation, as in docs/diagnostics.md), a result per diagnostic. */
export function sarifLog(diagnostics: Diagnostic[], tool: { version: string }, cwd = process.cwd()): object {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  const ruleIndex = new Map(codes.map((c, i) => [c, i]));
  const rules = codes.map((code) => {
    const info = infoOf(code);
    const level = info?.severity === 'error' ? 'error' : info?.severity === 'warning' || info?.severity === 'reading' ? 'warning' : info?.severity === 'info' ? 'note' : undefined;
    return {
      id: code,
      ...(info && { name: pascalCase(info.title), shortDescription: { text: info.title }, fullDescription: { text: info.explanation }, help: { text: `${info.explanation} (docs/diagnostics.md of osop-sfn, ${code})` } }),
      ...(level && { defaultConfiguration: { level } }),
    };
  });
  const results = diagnostics.map((d) => ({
    ruleId: d.code,
    ruleIndex: ruleIndex.get(d.code)!,
    level: SARIF_LEVEL[d.severity],
    message: { text: d.hint ? `${d.message}\nHint: ${d.hint}` : d.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(ciPath(d.file, cwd)), ...(!path.isAbsolute(ciPath(d.file, cwd)) && { uriBaseId: 'SRCROOT' }) },
          ...(d.line > 0 && { region: { startLine: d.line, startColumn: Math.max(1, d.column) } }),
        },
      },
    ],
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'osop-sfn', version: tool.version, rules } },
        originalUriBaseIds: { SRCROOT: { uri: `${pathToFileUri(cwd)}/` } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

const pascalCase = (title: string) =>
  title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

function pathToFileUri(dir: string): string {
  const p = path.resolve(dir).split(path.sep).join('/');
  return `file://${p.startsWith('/') ? '' : '/'}${encodeURI(p).replace(/\/$/, '')}`;
}
