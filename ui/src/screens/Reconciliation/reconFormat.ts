/**
 * Exact arithmetic on the engine's decimal strings (no binary floats: these are the figures
 * finance reconciles against), and the calendar days of a period.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

interface Scaled {
  value: bigint;
  scale: number;
}

function parse(text: string): Scaled | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const fraction = match[3] ?? "";
  const value = BigInt(`${match[2] ?? "0"}${fraction}`);
  return { value: match[1] ? -value : value, scale: fraction.length };
}

function rescale(n: Scaled, scale: number): bigint {
  return n.value * 10n ** BigInt(scale - n.scale);
}

function format(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** `a - b` as a decimal string with the finer of their scales; null if either is not a number. */
export function subtractDecimal(a: string, b: string): string | null {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  return format(rescale(x, scale) - rescale(y, scale), scale);
}

/** Whether `parts` add up to `total` exactly; null if any of them is not a number. */
export function addsUp(total: string, ...parts: string[]): boolean | null {
  const all = [total, ...parts].map(parse);
  if (all.some((n) => n === null)) return null;
  const numbers = all as Scaled[];
  const scale = Math.max(...numbers.map((n) => n.scale));
  const [sum, ...rest] = numbers.map((n) => rescale(n, scale));
  return rest.reduce((acc, n) => acc + n, 0n) === sum;
}

/** Whether a decimal string is zero ("0.00", "-0"). */
export function isZeroDecimal(text: string): boolean {
  const n = parse(text);
  return n !== null && n.value === 0n;
}

/** A local calendar day as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** The last 7 days, today included. */
export function lastSevenDays(now: Date = new Date()): { from: string; to: string } {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6);
  return { from: isoDay(from), to: isoDay(now) };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether text is a real calendar day written YYYY-MM-DD (2025-02-30 is not). */
export function isDay(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** What is wrong with a period, per field; nulls when it can be run. */
export function periodProblems(
  from: string,
  to: string,
): { from: string | null; to: string | null } {
  const problem = (text: string) =>
    text.trim() === "" ? "Required" : isDay(text.trim()) ? null : "A day as YYYY-MM-DD";
  const result = { from: problem(from), to: problem(to) };
  if (!result.from && !result.to && from.trim() > to.trim()) {
    result.to = "On or after From";
  }
  return result;
}
