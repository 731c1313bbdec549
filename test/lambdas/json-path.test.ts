import { evaluateJsonPath, JsonPathSyntaxError, parseJsonPath } from '../../lambdas/rest/json-path';

const body = {
  id: 'pi_1',
  charges: { data: [{ id: 'ch_1' }, { id: 'ch_2' }] },
  'a-b': { c: 3, "it's": 'q' },
  zero: 0,
  nothing: null,
};

test.each([
  ['$', body],
  ['$.id', 'pi_1'],
  ['$.charges.data[0].id', 'ch_1'],
  ['$.charges.data[1]', { id: 'ch_2' }],
  ["$['a-b'].c", 3],
  ['$["a-b"]["c"]', 3],
  ["$['a-b']['it\\'s']", 'q'],
  ['$.a-b.c', 3],
  ['$.zero', 0],
  ['$.nothing', null],
])('%s', (path, expected) => {
  expect(evaluateJsonPath(body, path)).toEqual(expected);
});

test.each(['$.missing', '$.charges.data[2].id', '$.id.length', '$.charges.data.id', '$.charges[0]', '$.constructor', '$.__proto__'])(
  'missing: %s',
  (path) => {
    expect(evaluateJsonPath(body, path)).toBeUndefined();
  },
);

test.each(['id', '$..id', '$.*', '$.data[*]', '$.data[?(@.id)]', '$.data[-1]', '$.', '$[id]'])('unsupported syntax: %s', (path) => {
  expect(() => parseJsonPath(path)).toThrow(JsonPathSyntaxError);
});
