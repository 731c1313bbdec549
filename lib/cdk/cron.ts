/**
 * Schedules: a 5-field Unix cron (`0 2 * * 1-5`) or a rate (`5 minutes`) →
 * the EventBridge schedule expression (`cron(0 2 ? * 2-6 *)`, `rate(5 minutes)`).
 * Each function returns the expression or throws an Error whose message says
 * what cannot be expressed; the caller adds the file and trigger.
 */

const FIELD_NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const PLAIN_FIELD = /^[0-9*,/-]+$/;
const MONTH_FIELD = /^([0-9*,/-]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function cronToEventBridge(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(`'${cron}' has ${fields.length} fields; write a 5-field cron (minute hour day-of-month month day-of-week), e.g. '0 2 * * *'.`);
  }
  const [minute, hour, dom, month, dow] = fields;
  fields.forEach((f, i) => {
    const ok = i === 3 ? MONTH_FIELD.test(f) : i === 4 ? /^[0-9A-Za-z*,/-]+$/.test(f) : PLAIN_FIELD.test(f);
    if (!ok) throw new Error(`the ${FIELD_NAMES[i]} field '${f}' of '${cron}' is not a cron field.`);
  });
  // Unix cron runs when day-of-month OR day-of-week matches; EventBridge takes one and wants '?' in the other.
  if (dom !== '*' && dow !== '*') {
    throw new Error(`'${cron}' restricts both day-of-month and day-of-week, which EventBridge cannot combine; keep one and use '*' for the other.`);
  }
  const ebDom = dow !== '*' ? '?' : dom;
  const ebDow = dow === '*' ? '?' : dayOfWeek(dow, cron);
  return `cron(${minute} ${hour} ${ebDom} ${month.toUpperCase()} ${ebDow} *)`;
}

/** Unix day numbers are 0-7 with 0 and 7 Sunday; EventBridge's are 1-7 with 1 Sunday. Names are the same. */
function dayOfWeek(field: string, cron: string): string {
  if (field.includes('/')) throw new Error(`the day-of-week field of '${cron}' uses a step ('/'), which EventBridge does not support there; list the days instead.`);
  const day = (token: string): number => {
    const named = DAY_NAMES.indexOf(token.toUpperCase());
    const n = named >= 0 ? named : /^[0-7]$/.test(token) ? Number(token) : NaN;
    if (Number.isNaN(n)) throw new Error(`'${token}' in the day-of-week field of '${cron}' is not a day (0-7 or SUN-SAT).`);
    return n;
  };
  const parts: string[] = [];
  for (const item of field.split(',')) {
    if (item === '*') return '*';
    const [from, to] = item.split('-');
    if (to === undefined) {
      parts.push(String((day(from) % 7) + 1));
      continue;
    }
    const a = day(from);
    const b = day(to);
    if (b < a) throw new Error(`the day-of-week range '${item}' of '${cron}' runs backwards.`);
    // Unix 7 is Sunday again: 'a-7' is a..Saturday plus Sunday, which in EventBridge numbering wraps to 1.
    if (b === 7) parts.push(a === 0 ? '1-7' : `${a + 1}-7,1`);
    else parts.push(a === b ? String(a + 1) : `${a + 1}-${b + 1}`);
  }
  return parts.join(',');
}

const RATE = /^(?:rate\(\s*)?(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)?$/i;

/** `5 minutes`, `1 hour`, `rate(2 days)` → `rate(5 minutes)`; EventBridge wants the singular for 1 and the plural otherwise. */
export function rateToEventBridge(rate: string): string {
  const m = RATE.exec(rate.trim());
  const value = m ? Number(m[1]) : 0;
  if (!m || value < 1) throw new Error(`'${rate}' is not a rate; write a whole number and a unit, e.g. '5 minutes', '1 hour' or '2 days'.`);
  const unit = m[2].toLowerCase().replace(/s$/, '');
  return `rate(${value} ${value === 1 ? unit : `${unit}s`})`;
}
