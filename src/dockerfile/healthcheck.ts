/** HEALTHCHECK options: Go durations (`30s`, `1m30s`, `500ms`) in nanoseconds, retries. */
import { LineError } from './line-parsers.js';

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5
  μs: 1_000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_INT64 = (1n << 63n) - 1n;

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(text: string): number {
  const invalid = () => new LineError(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = m[1]!;
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) throw invalid();
    s = s.slice(m[0].length);
    let u = 0;
    while (u < s.length && s[u] !== '.' && !(s[u]! >= '0' && s[u]! <= '9')) u++;
    const unitText = s.slice(0, u);
    if (unitText === '') throw new LineError(`time: missing unit in duration ${JSON.stringify(text)}`);
    const unit = UNITS[unitText];
    if (unit === undefined) {
      throw new LineError(
        `time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}`,
      );
    }
    s = s.slice(u);
    let v = BigInt(whole === '' ? '0' : whole) * unit;
    if (frac) v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += v;
    if (total > MAX_INT64) throw invalid();
  }
  const ns = neg ? -total : total;
  if (ns > BigInt(Number.MAX_SAFE_INTEGER) || ns < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new LineError(`duration ${JSON.stringify(text)} is too long (at most about 104 days)`);
  }
  return Number(ns);
}

const MIN_INTERVAL_NS = 1_000_000;

/** An optional interval flag: unset or 0 mean "not set"; otherwise at least 1ms. */
export function parseInterval(flag: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ns = parseGoDuration(value);
  if (ns === 0) return undefined;
  if (ns < MIN_INTERVAL_NS) throw new LineError(`Interval "${flag}" cannot be less than 1ms`);
  return ns;
}

/** --retries: a 32-bit integer, not negative. */
export function parseRetries(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value)) {
    throw new LineError(
      `--retries: parsing ${JSON.stringify(value)}: invalid syntax (expected a whole number)`,
    );
  }
  const n = Number(value);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) {
    throw new LineError(`--retries: parsing ${JSON.stringify(value)}: value out of range`);
  }
  if (n < 0) throw new LineError(`--retries cannot be negative (${n})`);
  return n;
}
