/** The edge conditions of the real OSOP files in ../shared/osop-corpus. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const CORPUS_DIR = path.resolve(__dirname, '../../../shared/osop-corpus');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(osop|ya?ml)$/.test(e.name) && !e.name.endsWith('.osoplog.yaml') ? [p] : [];
  });
}

/** Every distinct `when` / `condition` string on an edge, with one file that uses it. */
export function corpusConditions(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files(CORPUS_DIR)) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (!('errors' in doc) || doc.errors.length) continue; // deliberately broken fixtures
      const edges = (doc.toJS() as { edges?: unknown } | null)?.edges;
      if (!Array.isArray(edges)) continue;
      for (const e of edges) {
        for (const key of ['when', 'condition']) {
          const v = (e as Record<string, unknown> | null)?.[key];
          if (typeof v === 'string' && !found.has(v)) found.set(v, path.relative(CORPUS_DIR, file));
        }
      }
    }
  }
  return found;
}
