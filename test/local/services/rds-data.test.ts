import { namedToPositional, rdsDataRunner } from '../../../lib/local/services/rds-data';

jest.setTimeout(25_000);

const ARNS = { ResourceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:shop', SecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop', Database: 'shop' };

describe('namedToPositional', () => {
  test('numbers parameters by first use and reuses a number for a repeated name', () => {
    expect(namedToPositional('SELECT * FROM t WHERE a = :a AND (b = :b OR c = :a)')).toEqual({ text: 'SELECT * FROM t WHERE a = $1 AND (b = $2 OR c = $1)', names: ['a', 'b'] });
  });

  test('leaves casts, strings, identifiers, dollar quotes and comments alone', () => {
    const sql = [
      "SELECT :x::int, ':nope', 'it''s :nope', E'\\' :nope', \"col:nope\", $$ :nope $$, $tag$ :nope $tag$",
      '-- :nope',
      '/* :nope /* nested :nope */ still :nope */ FROM t WHERE y = :y_2',
    ].join('\n');
    const r = namedToPositional(sql);
    expect(r.names).toEqual(['x', 'y_2']);
    expect(r.text).toBe(sql.replace(':x::int', '$1::int').replace(':y_2', '$2'));
  });

  test('adds the cast a type hint asks for', () => {
    expect(namedToPositional('SELECT :d', () => '::date').text).toBe('SELECT $1::date');
  });
});

describe('rdsDataRunner', () => {
  const runner = rdsDataRunner({
    init: `
      CREATE TABLE items (
        id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2), qty int, big bigint,
        made date, tags text[], meta jsonb, active boolean, raw bytea
      );
      INSERT INTO items (name, price, qty) VALUES ('seed', 1.50, 1);
    `,
  });
  const exec = runner.handler;
  afterAll(() => runner.close());

  test('INSERT with parameters, returning rows as FormattedRecords', async () => {
    const r = (await exec({
      ...ARNS,
      Sql: 'INSERT INTO items (name, price, qty, big, made, active, raw, meta) VALUES (:name, :price, :qty, :big, :made, :active, :raw, :meta) RETURNING id, name, price, qty, big, made, active, raw, meta',
      FormatRecordsAs: 'JSON',
      Parameters: [
        { Name: 'name', Value: { StringValue: 'widget' } },
        { Name: 'price', Value: { StringValue: '9.99' }, TypeHint: 'DECIMAL' },
        { Name: 'qty', Value: { LongValue: 3 } },
        { Name: 'big', Value: { LongValue: 9007199254740991 } },
        { Name: 'made', Value: { StringValue: '2024-02-29' }, TypeHint: 'DATE' },
        { Name: 'active', Value: { BooleanValue: true } },
        { Name: 'raw', Value: { BlobValue: Buffer.from('hi').toString('base64') } },
        { Name: 'meta', Value: { StringValue: '{"colour": "red"}' }, TypeHint: 'JSON' },
      ],
    })) as { NumberOfRecordsUpdated: number; FormattedRecords: string };
    expect(r.NumberOfRecordsUpdated).toBe(1);
    expect(JSON.parse(r.FormattedRecords)).toEqual([
      { id: 2, name: 'widget', price: '9.99', qty: 3, big: 9007199254740991, made: '2024-02-29', active: true, raw: 'aGk=', meta: '{"colour": "red"}' },
    ]);
  });

  test('SELECT: FormattedRecords JSON, and no NumberOfRecordsUpdated', async () => {
    const r = (await exec({
      ...ARNS,
      Sql: "SELECT name, qty, ':qty' AS literal FROM items WHERE qty >= :qty AND name <> :qty::text ORDER BY id",
      FormatRecordsAs: 'JSON',
      Parameters: [{ Name: 'qty', Value: { LongValue: 1 } }],
    })) as { NumberOfRecordsUpdated: number; FormattedRecords: string };
    expect(r.NumberOfRecordsUpdated).toBe(0);
    expect(JSON.parse(r.FormattedRecords)).toEqual([
      { name: 'seed', qty: 1, literal: ':qty' },
      { name: 'widget', qty: 3, literal: ':qty' },
    ]);
    const none = (await exec({ ...ARNS, Sql: 'SELECT id FROM items WHERE false', FormatRecordsAs: 'JSON' })) as { FormattedRecords: string };
    expect(none.FormattedRecords).toBe('[]');
  });

  test('without FormatRecordsAs: Records of typed fields', async () => {
    const r = (await exec({
      ...ARNS,
      Sql: "SELECT 1::int8 AS a, 2.5::float8 AS b, 'x' AS c, true AS d, NULL::text AS e, ARRAY[1,2]::int8[] AS f, ARRAY['p','q'] AS g, 3.10::numeric AS h",
    })) as { NumberOfRecordsUpdated: number; Records: unknown[][] };
    expect(r.Records).toEqual([
      [
        { LongValue: 1 },
        { DoubleValue: 2.5 },
        { StringValue: 'x' },
        { BooleanValue: true },
        { IsNull: true },
        { ArrayValue: { LongValues: [1, 2] } },
        { ArrayValue: { StringValues: ['p', 'q'] } },
        { StringValue: '3.10' },
      ],
    ]);
  });

  test('a statement returning no rows has neither Records nor FormattedRecords; UPDATE counts rows', async () => {
    const r = await exec({ ...ARNS, Sql: 'UPDATE items SET qty = qty + :by', Parameters: [{ Name: 'by', Value: { LongValue: 1 } }], FormatRecordsAs: 'JSON' });
    expect(r).toEqual({ NumberOfRecordsUpdated: 2 });
  });

  test("a parameter holding SQL ('; DROP TABLE …; --) stays data", async () => {
    const evil = "x'; DROP TABLE items; --";
    const ins = (await exec({
      ...ARNS,
      Sql: 'INSERT INTO items (name) VALUES (:name) RETURNING name',
      FormatRecordsAs: 'JSON',
      Parameters: [{ Name: 'name', Value: { StringValue: evil } }],
    })) as { FormattedRecords: string };
    expect(JSON.parse(ins.FormattedRecords)).toEqual([{ name: evil }]);
    const found = (await exec({
      ...ARNS,
      Sql: 'SELECT count(*)::int AS n FROM items WHERE name = :name',
      FormatRecordsAs: 'JSON',
      // camelCase, as the SDK for JavaScript spells the members, is accepted too.
      parameters: [{ name: 'name', value: { stringValue: evil } }],
    })) as { FormattedRecords: string };
    expect(JSON.parse(found.FormattedRecords)).toEqual([{ n: 1 }]);
  });

  test('a SQL error is RdsData.BadRequestException with the database message', async () => {
    await expect(exec({ ...ARNS, Sql: 'SELECT * FROM nope' })).rejects.toMatchObject({
      name: 'RdsData.BadRequestException',
      message: expect.stringMatching(/^ERROR: relation "nope" does not exist[\s\S]*SQLState: 42P01$/),
    });
    await expect(exec({ ...ARNS, Sql: 'INSERT INTO items (name) VALUES (NULL)' })).rejects.toMatchObject({
      name: 'RdsData.BadRequestException',
      message: expect.stringContaining('violates not-null constraint'),
    });
    // The database is still usable afterwards.
    await expect(exec({ ...ARNS, Sql: 'SELECT 1 AS one', FormatRecordsAs: 'JSON' })).resolves.toEqual({ NumberOfRecordsUpdated: 0, FormattedRecords: '[{"one":1}]' });
  });

  test('a request without Sql, or missing a parameter the SQL uses, is a BadRequestException', async () => {
    await expect(exec({ ...ARNS })).rejects.toMatchObject({ name: 'RdsData.BadRequestException', message: expect.stringContaining('Sql') });
    await expect(exec({ ...ARNS, Sql: 'SELECT :a' })).rejects.toMatchObject({ name: 'RdsData.BadRequestException', message: expect.stringContaining(':a') });
    await expect(exec({ ...ARNS, Sql: 'SELECT 1; SELECT 2' })).rejects.toMatchObject({ name: 'RdsData.BadRequestException' });
  });
});

describe('more runners', () => {
  // Both start from the fresh data folder the first database of the process dumped (before its init SQL ran); concurrently, to save time.
  test('each runner has a database of its own; an init script that fails fails every statement; close() ends the database', async () => {
    const other = rdsDataRunner({ init: 'CREATE TABLE other (a int)' });
    const broken = rdsDataRunner({ init: 'CREATE TABLE broken (' });
    try {
      const [own, failed] = await Promise.all([
        other.handler({ ...ARNS, Sql: "SELECT to_regclass('items') AS items, to_regclass('other')::text AS other", FormatRecordsAs: 'JSON' }),
        broken.handler({ ...ARNS, Sql: 'SELECT 1' }).catch((e: Error) => e),
      ]);
      expect(JSON.parse((own as { FormattedRecords: string }).FormattedRecords)).toEqual([{ items: null, other: 'other' }]);
      expect(failed).toMatchObject({ name: 'States.TaskFailed', message: expect.stringContaining('init SQL failed') });
      expect((failed as Error).message).toContain('syntax error');
      await expect(broken.handler({ ...ARNS, Sql: 'SELECT 1' })).rejects.toMatchObject({ message: expect.stringContaining('init SQL failed') });
    } finally {
      await Promise.all([other.close(), broken.close()]);
    }
    await expect(other.handler({ ...ARNS, Sql: 'SELECT 1' })).rejects.toMatchObject({ message: expect.stringContaining('closed') });
  });
});
