/**
 * Local stand-in for `arn:aws:states:::aws-sdk:rdsdata:executeStatement`
 * (the RDS Data API): runs the statement on an embedded, in-memory Postgres
 * (PGlite, Postgres compiled to WebAssembly). It knows nothing of OSOP; it
 * gets the Task's resolved `Parameters`, ExecuteStatement's request:
 * `{ ResourceArn, SecretArn, Database?, Sql, FormatRecordsAs?: 'JSON'|'NONE',
 * Parameters?: [{ Name, Value: { StringValue | LongValue | DoubleValue |
 * BooleanValue | BlobValue | IsNull }, TypeHint? }] }`. Step Functions' AWS
 * SDK integrations take PascalCase member names; camelCase (`name`,
 * `value.stringValue`, as in the SDK for JavaScript) is accepted as well.
 *
 * - One database per runner, shared by all its calls, created on the first
 *   call, after which `init` (SQL, several statements allowed) runs once; if
 *   `init` fails, every call fails with `States.TaskFailed` saying so.
 *   ResourceArn and SecretArn must be given but name nothing, and Database
 *   is ignored: every statement goes to the runner's database. Each
 *   statement commits on its own (no TransactionId: the Data API's
 *   transactions are not supported here).
 * - Named parameters `:name` become positional `$n` (not inside quoted
 *   strings, quoted identifiers, dollar quotes or comments; `::` casts are
 *   left alone; a name used twice is the same `$n`). Values travel as bind
 *   parameters, never spliced into the SQL. A TypeHint (DATE, TIME,
 *   TIMESTAMP, DECIMAL, JSON, UUID) casts the parameter, as the Data API does.
 *   One statement per call (Postgres refuses several in a prepared statement).
 * - Result, as the integration returns it: `{ NumberOfRecordsUpdated }`
 *   (rows inserted, updated or deleted; 0 for other statements), plus, when
 *   the statement returns rows (SELECT, RETURNING…), `FormattedRecords` (the
 *   JSON text of an array of row objects) when FormatRecordsAs is JSON, or
 *   `Records` (rows of typed fields: `{LongValue}`, `{StringValue}`,
 *   `{DoubleValue}`, `{BooleanValue}`, `{BlobValue}` (base64), `{ArrayValue}`,
 *   `{IsNull: true}`) otherwise. Values are as Postgres prints them where
 *   JSON has no type of its own: dates and times, numeric (as strings, to
 *   keep their precision), json/jsonb (as their text, as the Data API returns
 *   them). bigint is a number when it is a safe integer, else a string.
 *   ColumnMetadata (IncludeResultMetadata) is not produced.
 * - Errors: an AWS SDK integration names a service error
 *   `<Service>.<Exception>`, so a statement Postgres rejects (and a request
 *   without Sql, or with a parameter the SQL uses but the request lacks)
 *   fails with `RdsData.BadRequestException`; the cause is the database's
 *   message in the Data API's form, `ERROR: <message>; SQLState: <code>`.
 *
 * PGlite runs in a worker thread: its Node build loads parts of itself with
 * dynamic `import()`, which the module sandbox of the tests (jest's vm)
 * refuses, and the package must be loaded from its own folder (it reads its
 * .wasm and .data files next to its entry point), so the CommonJS bundle of
 * the command line must not inline it. The worker `require`s the package by
 * the absolute path resolved here, under a name esbuild does not follow. The
 * worker also keeps Postgres's synchronous work off the engine's event loop.
 */
import { Worker } from 'node:worker_threads';
import { taskError, type LocalTaskHandler } from '../handlers';

export interface RdsDataRunnerOptions {
  /** SQL run once before the first statement (schema, seed rows); may hold several statements. */
  init?: string;
}

/**
 * A fresh data folder (before any init SQL), dumped by the first database of
 * this process, from which later ones start: creating a database otherwise
 * runs initdb, several seconds each time (a copy starts in about one).
 */
let template: ArrayBuffer | undefined;
let templateRequested = false;

/** Not a string literal in `require`, so that bundlers leave the package where it is installed. */
const PGLITE_PACKAGE = '@electric-sql/pglite';

/**
 * The worker: opens the database, runs statements, closes. Types Postgres
 * prints better than JavaScript would parse them are kept as text (int8,
 * numeric, dates and times, json/jsonb); arrays of them too.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const parsers = {};
for (const oid of [20, 114, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 3802]) parsers[oid] = (text) => text;
let db;
const errorOf = (e) => ({
  message: String((e && e.message) || e),
  code: e && e.code, position: e && e.position, detail: e && e.detail, hint: e && e.hint,
});
parentPort.on('message', async (m) => {
  try {
    let result = null;
    if (m.op === 'open') {
      const options = { parsers };
      if (m.template) options.loadDataDir = new Blob([m.template]);
      db = await PGlite.create(options);
      if (m.wantTemplate) {
        try {
          const data = await (await db.dumpDataDir('none')).arrayBuffer();
          parentPort.postMessage({ template: data }, [data]);
        } catch {
          // Only an optimisation.
        }
      }
      if (m.init) await db.exec(m.init);
    } else if (m.op === 'query') {
      const r = await db.query(m.sql, m.params, { rowMode: 'array' });
      result = {
        rows: r.rows,
        fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
        command: r.command,
        affectedRows: r.affectedRows || 0,
      };
    } else if (m.op === 'close') {
      if (db) await db.close();
      db = undefined;
    }
    parentPort.postMessage({ id: m.id, ok: true, result });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: errorOf(e) });
  }
});
`;

interface DbError {
  message: string;
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
}

interface QueryResult {
  rows: unknown[][];
  fields: { name: string; dataTypeID: number }[];
  command?: string;
  affectedRows: number;
}

type Request = { op: 'open'; init?: string; template?: ArrayBuffer; wantTemplate?: boolean } | { op: 'query'; sql: string; params: unknown[] } | { op: 'close' };

/** Thrown by `call` for a failure the database reported (as opposed to the worker dying). */
class DatabaseError extends Error {
  constructor(readonly db: DbError) {
    super(db.message);
  }
}

/** The worker thread holding one database, and its request/response protocol. */
class DatabaseWorker {
  private worker?: Worker;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private dead?: Error;

  call(req: Request): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const w = this.start();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A worker waited on keeps the process alive; an idle one does not.
      w.ref();
      w.postMessage({ id, ...req });
    });
  }

  get started(): boolean {
    return this.worker !== undefined;
  }

  async terminate(): Promise<void> {
    const w = this.worker;
    this.dead ??= new Error('the local database is closed');
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // Resolved here, where the package is installed for this module (in tests and in the bundle alike).
    const pglite = require.resolve(PGLITE_PACKAGE);
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { pglite } });
    w.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: DbError; template?: ArrayBuffer }) => {
      if (m.template) template ??= m.template;
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.ok) p.resolve(m.result);
      else p.reject(new DatabaseError(m.error ?? { message: 'unknown database error' }));
    });
    const fail = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    w.on('error', (e) => fail(taskError('RdsData.InternalServerErrorException', `the local database stopped: ${e.message}`)));
    w.on('exit', (code) => fail(taskError('RdsData.InternalServerErrorException', `the local database stopped (exit code ${code})`)));
    w.unref();
    this.worker = w;
    return w;
  }
}

/** The Data API's form of a Postgres error. */
function dataApiMessage(e: DbError): string {
  return `ERROR: ${e.message}${e.position ? `\n  Position: ${e.position}` : ''}${e.code ? `; SQLState: ${e.code}` : ''}`;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_$]/;

/**
 * `:name` parameters → `$1`, `$2`… in order of first use; `names[i]` is the
 * parameter bound to `$(i+1)`. Quoted strings (also E'' with backslash
 * escapes), quoted identifiers, dollar-quoted bodies and comments are copied
 * as they are, and so is `::`.
 */
export function namedToPositional(sql: string, cast: (name: string) => string = () => ''): { text: string; names: string[] } {
  const names: string[] = [];
  let out = '';
  let i = 0;
  const n = sql.length;
  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < n) {
    const c = sql[i];
    const prev = i > 0 ? sql[i - 1] : '';
    if (c === "'") {
      const backslashes = (prev === 'E' || prev === 'e') && !(i > 1 && IDENT_PART.test(sql[i - 2]));
      let j = i + 1;
      while (j < n) {
        if (backslashes && sql[j] === '\\') j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      copyUntil(Math.min(n, j + 1));
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      copyUntil(Math.min(n, j + 1));
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      copyUntil(nl < 0 ? n : nl);
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 0;
      let j = i;
      while (j < n) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      copyUntil(Math.min(n, j));
    } else if (c === '$' && !IDENT_PART.test(prev)) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        copyUntil(close < 0 ? n : close + tag[0].length);
      } else copyUntil(i + 1);
    } else if (c === ':' && sql[i + 1] === ':') {
      copyUntil(i + 2);
    } else if (c === ':' && i + 1 < n && IDENT_START.test(sql[i + 1])) {
      let j = i + 2;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j])) j++;
      const name = sql.slice(i + 1, j);
      let k = names.indexOf(name);
      if (k < 0) k = names.push(name) - 1;
      out += `$${k + 1}${cast(name)}`;
      i = j;
    } else {
      copyUntil(i + 1);
    }
  }
  return { text: out, names };
}

/** A request member under its PascalCase (Step Functions) or camelCase (SDK) name. */
function member(o: unknown, pascal: string): unknown {
  if (o === null || typeof o !== 'object') return undefined;
  const r = o as Record<string, unknown>;
  if (pascal in r) return r[pascal];
  return r[pascal[0].toLowerCase() + pascal.slice(1)];
}

const TYPE_HINT_CASTS: Record<string, string> = { DATE: '::date', TIME: '::time', TIMESTAMP: '::timestamp', DECIMAL: '::numeric', JSON: '::json', UUID: '::uuid' };

const badRequest = (message: string) => taskError('RdsData.BadRequestException', message);

/** One SqlParameter's value as a bind parameter. */
function bindValue(name: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object') throw badRequest(`Parameter ${name} has no Value.`);
  if (member(value, 'IsNull') === true) return null;
  for (const k of ['StringValue', 'LongValue', 'DoubleValue', 'BooleanValue']) {
    const v = member(value, k);
    if (v !== undefined) return v;
  }
  const blob = member(value, 'BlobValue');
  if (typeof blob === 'string') return new Uint8Array(Buffer.from(blob, 'base64'));
  if (member(value, 'ArrayValue') !== undefined) throw badRequest(`Parameter ${name}: array parameters are not supported.`);
  throw badRequest(`Parameter ${name}: Value must set one of StringValue, LongValue, DoubleValue, BooleanValue, BlobValue or IsNull.`);
}

const INT_TYPES = new Set([20, 21, 23, 26, 1016, 1005, 1007]);
const FLOAT_TYPES = new Set([700, 701, 1021, 1022]);
/** int8 and int8[]: kept as text by the worker. */
const INT8_TYPES = new Set([20, 1016]);
const COUNTED_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

function isBytes(v: unknown): v is Uint8Array {
  return ArrayBuffer.isView(v);
}

/** A value of a row as plain JSON (int8 as a number where safe, bytea as base64). */
function jsonValue(v: unknown, int8: boolean): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => jsonValue(x, int8));
  if (isBytes(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (int8 && typeof v === 'string' && /^-?\d+$/.test(v)) return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (Object.prototype.toString.call(v) === '[object Date]') return (v as Date).toISOString();
  return v;
}

/** A value of a row as the Data API's typed Field. */
function field(v: unknown, typeId: number): Record<string, unknown> {
  if (v === null || v === undefined) return { IsNull: true };
  if (Array.isArray(v)) return { ArrayValue: arrayValue(v, typeId) };
  if (isBytes(v)) return { BlobValue: jsonValue(v, false) };
  if (typeof v === 'boolean') return { BooleanValue: v };
  if (INT_TYPES.has(typeId)) return { LongValue: jsonValue(v, true) };
  if (FLOAT_TYPES.has(typeId) && typeof v === 'number') return { DoubleValue: v };
  return { StringValue: typeof v === 'string' ? v : JSON.stringify(jsonValue(v, false)) };
}

function arrayValue(items: unknown[], typeId: number): Record<string, unknown> {
  if (items.some((x) => Array.isArray(x))) return { ArrayValues: items.map((x) => arrayValue(Array.isArray(x) ? x : [x], typeId)) };
  if (INT_TYPES.has(typeId)) return { LongValues: items.map((x) => jsonValue(x, true)) };
  if (FLOAT_TYPES.has(typeId)) return { DoubleValues: items };
  if (items.every((x) => typeof x === 'boolean' || x === null)) return { BooleanValues: items };
  return { StringValues: items.map((x) => (x === null || typeof x === 'string' ? x : JSON.stringify(jsonValue(x, false)))) };
}

/** Rows of a result as the objects FormattedRecords lists (a column name used twice keeps the last value). */
export function formattedRowsOf(result: { rows: unknown[][]; fields: { name: string; dataTypeID: number }[] }): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.fields.map((f, i) => [f.name, jsonValue(row[i], INT8_TYPES.has(f.dataTypeID))])));
}

/** The local stand-in for `aws-sdk:rdsdata:executeStatement`, with its database; `close` ends the database. */
export function rdsDataRunner(opts: RdsDataRunnerOptions = {}): { handler: LocalTaskHandler; close(): Promise<void> } {
  const db = new DatabaseWorker();
  let opened: Promise<unknown> | undefined;
  let closed = false;

  const open = () => {
    if (opened) return opened;
    const wantTemplate = !template && !templateRequested;
    if (wantTemplate) templateRequested = true;
    opened = db.call({ op: 'open', init: opts.init, template, wantTemplate }).catch((e: unknown) => {
      if (wantTemplate && !template) templateRequested = false;
      if (e instanceof DatabaseError) throw taskError('States.TaskFailed', `The local database's init SQL failed: ${dataApiMessage(e.db)}`);
      throw e;
    });
    return opened;
  };

  const handler: LocalTaskHandler = async (input) => {
    if (closed) throw taskError('RdsData.InternalServerErrorException', 'the local database is closed');
    const sql = member(input, 'Sql');
    if (typeof sql !== 'string' || sql.trim() === '') throw badRequest('Sql is required.');
    for (const k of ['ResourceArn', 'SecretArn']) {
      if (typeof member(input, k) !== 'string') throw badRequest(`${k} is required.`);
    }
    if (member(input, 'TransactionId') !== undefined) throw badRequest('TransactionId: transactions are not supported by the local database; each statement commits on its own.');
    const format = member(input, 'FormatRecordsAs') ?? 'NONE';
    if (format !== 'JSON' && format !== 'NONE') throw badRequest(`FormatRecordsAs must be JSON or NONE, not ${JSON.stringify(format)}.`);

    const given = new Map<string, { value: unknown; hint?: unknown }>();
    const params = member(input, 'Parameters') ?? [];
    if (!Array.isArray(params)) throw badRequest('Parameters must be a list of {Name, Value}.');
    for (const p of params) {
      const name = member(p, 'Name');
      if (typeof name !== 'string' || name === '') throw badRequest('Every parameter needs a Name.');
      given.set(name, { value: member(p, 'Value'), hint: member(p, 'TypeHint') });
    }
    const { text, names } = namedToPositional(sql, (name) => {
      const hint = given.get(name)?.hint;
      return typeof hint === 'string' ? (TYPE_HINT_CASTS[hint] ?? '') : '';
    });
    const values = names.map((name) => {
      const p = given.get(name);
      if (!p) throw badRequest(`The SQL uses the parameter :${name}, which Parameters does not give.`);
      return bindValue(name, p.value);
    });

    await open();
    let result: QueryResult;
    try {
      result = (await db.call({ op: 'query', sql: text, params: values })) as QueryResult;
    } catch (e) {
      if (e instanceof DatabaseError) throw badRequest(dataApiMessage(e.db));
      throw e;
    }
    const out: Record<string, unknown> = {
      NumberOfRecordsUpdated: COUNTED_COMMANDS.has(String(result.command ?? '').toUpperCase()) ? result.affectedRows : 0,
    };
    if (result.fields.length > 0) {
      if (format === 'JSON') out.FormattedRecords = JSON.stringify(formattedRowsOf(result));
      else out.Records = result.rows.map((row) => row.map((v, i) => field(v, result.fields[i].dataTypeID)));
    }
    return out;
  };

  return {
    handler,
    async close() {
      if (closed) return;
      closed = true;
      if (!db.started) return;
      try {
        await opened;
        await db.call({ op: 'close' });
      } catch {
        // Closing what failed to open, or a worker already gone: nothing to close.
      }
      await db.terminate();
    },
  };
}
