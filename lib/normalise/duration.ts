/**
 * Durations as real files write them: a number of seconds, or a string such
 * as '30s', '10m', '24h', '1h30m', '500ms', '2d', '90' (seconds), 'PT10M' (ISO 8601).
 * Returns seconds, or undefined when the text is not a duration.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const s = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const iso = /^pt?(?:(\d+)d)?t?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(s);
  if (s.startsWith('p') && iso && s.length > 2) {
    const [, d, h, m, sec] = iso;
    return (Number(d ?? 0) * 86400) + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(sec ?? 0);
  }
  const unit: Record<string, number> = { ms: 0.001, s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400 };
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m.index !== consumed) return undefined;
    const factor = unit[m[2]];
    if (factor === undefined) return undefined;
    total += Number(m[1]) * factor;
    consumed = re.lastIndex;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}
