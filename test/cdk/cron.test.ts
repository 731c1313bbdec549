/** Unix cron and rates → EventBridge schedule expressions; trigger configs → rule plans. Pure, no synth. */
import { cronToEventBridge, rateToEventBridge } from '../../lib/cdk/cron';
import { rulesForTriggers } from '../../lib/cdk/triggers';

describe('cronToEventBridge', () => {
  test.each([
    ['0 2 * * *', 'cron(0 2 * * ? *)'],
    ['*/15 * * * *', 'cron(*/15 * * * ? *)'],
    ['0 9 1 * *', 'cron(0 9 1 * ? *)'],
    ['30 2 * * 1-5', 'cron(30 2 ? * 2-6 *)'],
    ['0 0 * * 0', 'cron(0 0 ? * 1 *)'],
    ['0 0 * * 7', 'cron(0 0 ? * 1 *)'],
    ['0 0 * * 5-7', 'cron(0 0 ? * 6-7,1 *)'],
    ['0 0 * * 0-6', 'cron(0 0 ? * 1-7 *)'],
    ['0 0 * * 1,3,5', 'cron(0 0 ? * 2,4,6 *)'],
    ['0 0 * * mon-fri', 'cron(0 0 ? * 2-6 *)'],
    ['0 12 * jan,jul *', 'cron(0 12 * JAN,JUL ? *)'],
  ])('%s → %s', (cron, expected) => expect(cronToEventBridge(cron)).toBe(expected));

  test.each([
    ['0 2 * *', /has 4 fields; write a 5-field cron/],
    ['0 2 * * * *', /has 6 fields/],
    ['0 9 1 * 1', /restricts both day-of-month and day-of-week/],
    ['0 9 * * */2', /uses a step \('\/'\), which EventBridge does not support there/],
    ['0 9 * * 8', /'8' in the day-of-week field .* is not a day/],
    ['0 9 * * 5-1', /runs backwards/],
    ['0 L * * *', /the hour field 'L'/],
  ])('%s is refused', (cron, message) => expect(() => cronToEventBridge(cron)).toThrow(message));
});

describe('rateToEventBridge', () => {
  test.each([
    ['5 minutes', 'rate(5 minutes)'],
    ['1 hours', 'rate(1 hour)'],
    ['2 day', 'rate(2 days)'],
    ['rate(10 minutes)', 'rate(10 minutes)'],
  ])('%s → %s', (rate, expected) => expect(rateToEventBridge(rate)).toBe(expected));

  test.each(['0 minutes', 'every hour', '5 weeks'])('%s is refused', (rate) => expect(() => rateToEventBridge(rate)).toThrow(/is not a rate/));
});

describe('rulesForTriggers', () => {
  test('cron, schedule with a rate, event and manual', () => {
    const { rules, problems } = rulesForTriggers([
      { type: 'cron', config: { cron: '0 2 * * *' } },
      { type: 'manual', config: {} },
      { type: 'schedule', config: { rate: '1 hour', timezone: 'UTC' } },
      { type: 'event', config: { source: ['a', 'b'], 'detail-type': 'Thing', filter: { order: { status: 'paid' }, n: null } } },
    ]);
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      { kind: 'schedule', trigger: 1, expression: 'cron(0 2 * * ? *)' },
      { kind: 'schedule', trigger: 3, expression: 'rate(1 hour)' },
      { kind: 'event', trigger: 4, pattern: { source: ['a', 'b'], 'detail-type': ['Thing'], detail: { order: { status: ['paid'] }, n: [null] } } },
    ]);
  });

  test('misconfigured triggers say which setting is missing', () => {
    const { rules, problems } = rulesForTriggers([
      { type: 'cron', config: {} },
      { type: 'cron', config: { cron: '0 2 * * *', rate: '5 minutes' } },
      { type: 'event', config: { event: 'OrderPlaced' } },
      { type: 'event', config: { source: 'x', filter: 'paid' } },
      { type: 'event', config: { source: 'x', filter: { status: [] } } },
    ]);
    expect(rules).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(/^trigger 1 \(cron\): set exactly one of 'cron' .* or 'rate'/),
      expect.stringMatching(/^trigger 2 \(cron\): set exactly one of/),
      expect.stringMatching(/^trigger 3 \(event\): set 'source' to the event source/),
      expect.stringMatching(/^trigger 4 \(event\): 'filter' must be a mapping/),
      expect.stringMatching(/^trigger 5 \(event\): 'filter\.status' is an empty list/),
    ]);
  });
});
