/**
 * `db` nodes → the RDS Data API (`arn:aws:states:::aws-sdk:rdsdata:executeStatement`,
 * `FormatRecordsAs: JSON`), on an Aurora cluster with the Data API enabled.
 * The statement is `runtime.sql` / `query` (or `SELECT * FROM <table>` for a
 * node that only names a table). OSOP references in it become named SQL
 * parameters (`:p1`), never SQL text. The cluster ARN, the secret ARN of its
 * credentials and the database come from `runtime` / `x-sfn`, or else from
 * the deployment (definition substitutions `DatabaseClusterArn`,
 * `DatabaseSecretArn`, `DatabaseName`). Outputs: `rows` (statements that return
 * rows) and `updated` (rows changed). Other engines (DynamoDB, MySQL without
 * Aurora, ...) are not bound: use `x-sfn: { resource }` with their integration.
 */
import { z } from 'zod';
import { Codes } from '../diagnostics';
import { TemplateText } from '../model';
import { outputsPath } from '../lower/layout';
import { lowerParsedTemplate, type PayloadContext } from '../lower/payload';
import { retryRules } from '../lower/retry';
import { taskComment } from './common';
import type { Binding } from './types';

export const RDS_EXECUTE = 'arn:aws:states:::aws-sdk:rdsdata:executeStatement';
export const DATABASE_OUTPUTS = ['rows', 'updated'] as const;
const ENGINES_BOUND = new Set(['postgres', 'postgresql', 'aurora-postgresql', 'mysql', 'aurora-mysql', 'aurora', 'rds']);
/** RDS Data API errors worth retrying (the SDK integration's names are `RdsData.<Exception>`). */
const TRANSIENT = ['RdsData.ServiceUnavailableError', 'RdsData.StatementTimeoutException', 'RdsData.InternalServerErrorException'];

export interface DatabaseConfig {
  sql: TemplateText;
  /** The statement returns rows (SELECT, WITH, ... RETURNING). */
  returnsRows: boolean;
  clusterArn?: string;
  secretArn?: string;
  database?: string;
}

const Runtime = z.looseObject({
  sql: z.string().optional(),
  query: z.string().optional(),
  statement: z.string().optional(),
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'a table name').optional(),
  engine: z.string().optional(),
  database: z.string().optional(),
  cluster_arn: z.string().startsWith('arn:').optional(),
  secret_arn: z.string().startsWith('arn:').optional(),
});

const statementOf = (o: Record<string, unknown>) => ['sql', 'query', 'statement'].find((k) => typeof o[k] === 'string');

export const databaseBinding: Binding<DatabaseConfig> = {
  id: 'database',
  canFail: true,
  sfnOptions: {
    cluster_arn: z.string().startsWith('arn:').optional(),
    secret_arn: z.string().startsWith('arn:').optional(),
    database: z.string().min(1).optional(),
  },
  matches: (node) => node.type === 'db' && (statementOf(node.runtime) !== undefined || typeof node.runtime.table === 'string'),

  read(ctx) {
    const { node, runtime } = ctx;
    const parsed = Runtime.safeParse(runtime);
    if (!parsed.success) {
      ctx.reportZod(parsed.error, runtime, `the runtime of db node '${node.id}'`);
      return undefined;
    }
    const engine = parsed.data.engine?.toLowerCase();
    if (engine && !ENGINES_BOUND.has(engine)) {
      ctx.sink.report(Codes.BadRuntime, { form: 'dbEngine', node: node.id, engine: parsed.data.engine }, ctx.valueRange(runtime, 'engine'));
      return undefined;
    }
    const key = statementOf(runtime);
    let sql: TemplateText;
    if (key) sql = ctx.template(runtime[key] as string, runtime, key);
    else {
      sql = new TemplateText(`SELECT * FROM ${parsed.data.table}`, ctx.valueRange(runtime, 'table'), undefined);
      ctx.sink.report(Codes.DefaultBehaviour, { form: 'dbTable', node: node.id, table: parsed.data.table }, ctx.valueRange(runtime, 'table'));
    }
    const sfn = node.sfn.options ?? {};
    return {
      sql,
      returnsRows: /^\s*(select|with|show|values|table)\b/i.test(sql.text) || /\breturning\b/i.test(sql.text),
      clusterArn: (sfn.cluster_arn as string | undefined) ?? parsed.data.cluster_arn,
      secretArn: (sfn.secret_arn as string | undefined) ?? parsed.data.secret_arn,
      database: (sfn.database as string | undefined) ?? parsed.data.database,
    };
  },

  // SQL text may not hold secrets: they would be in the definition and the execution history.
  templates: (c, visit) => visit(c.sql, false),
  outputs: () => DATABASE_OUTPUTS,
  outputType: (_n, _c, name) => (name === 'updated' ? 'number' : name === 'rows' ? 'json' : undefined),

  lower(node, c, ctx) {
    const pctx: PayloadContext = { templates: ctx.templates, resolved: ctx.resolved, sink: ctx.sink, secretFields: {} };
    const parsed = ctx.templates.get(c.sql);
    let sql = c.sql.text;
    const parameters: Record<string, unknown>[] = [];
    if (parsed) {
      sql = '';
      for (const part of parsed.parts) {
        if (part.kind === 'text') {
          sql += part.text;
          continue;
        }
        const name = `p${parameters.length + 1}`;
        const value = lowerParsedTemplate({ text: '', parts: [part], references: [part.ref] }, '', pctx, c.sql.range);
        // Every value is sent as text; the statement casts it where it needs another type (:p1::int).
        parameters.push({ Name: name, Value: value.dynamic ? { 'StringValue.$': `States.Format('{}', ${value.expression})` } : { StringValue: String(value.value) } });
        sql += `:${name}`;
      }
    }
    const sub = (key: string, given: string | undefined) => given ?? `\${${key}}`;
    const clusterArn = sub('DatabaseClusterArn', c.clusterArn);
    const secretArn = sub('DatabaseSecretArn', c.secretArn);
    const database = sub('DatabaseName', c.database);
    const selector: Record<string, string> = { 'updated.$': '$.NumberOfRecordsUpdated' };
    if (c.returnsRows) selector['rows.$'] = 'States.StringToJson($.FormattedRecords)';
    const substitutions = [
      ...(c.clusterArn ? [] : ['DatabaseClusterArn']),
      ...(c.secretArn ? [] : ['DatabaseSecretArn']),
      ...(c.database ? [] : ['DatabaseName']),
    ];
    const timeoutSeconds = node.timeoutSeconds ?? 60;
    return {
      state: {
        Type: 'Task',
        Comment: taskComment(node),
        Resource: RDS_EXECUTE,
        Parameters: { ResourceArn: clusterArn, SecretArn: secretArn, Database: database, Sql: sql, FormatRecordsAs: 'JSON', ...(parameters.length ? { Parameters: parameters } : {}) },
        ResultSelector: selector,
        ResultPath: outputsPath(node.id),
        TimeoutSeconds: timeoutSeconds,
        Retry: retryRules(TRANSIENT, node.retry).slice(0, 1),
      },
      task: {
        resource: RDS_EXECUTE,
        substitutions,
        timeoutSeconds,
        waitsForCallback: false,
        waitsForJob: false,
        secrets: [],
        // The Data API on that cluster, and the credentials secret it names (the Data API reads it as the caller).
        iam: [
          { actions: ['rds-data:ExecuteStatement'], resources: [clusterArn] },
          { actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] },
        ],
        local: { kind: 'rds-data' },
      },
    };
  },
};
