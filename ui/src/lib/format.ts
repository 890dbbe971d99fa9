/**
 * Display formatting in the user's locale. Money arrives as decimal strings and is never turned
 * into a binary float: the integer part is formatted as a BigInt (exact at any size) and the
 * fraction digits are spliced in as text.
 */

/**
 * The locale for numbers and dates: the user's, except that a C/POSIX system locale (common on
 * minimal Linux installs) resolves to ICU's en-US-POSIX, which prints 1234567 with no separators —
 * too easy to misread in a finance tool — so plain en-US stands in for it.
 */
export function displayLocale(resolved: string): string | undefined {
  return /-u-va-posix$/i.test(resolved) || /^(c|posix)$/i.test(resolved) ? "en-US" : undefined;
}

export const LOCALE = displayLocale(new Intl.NumberFormat().resolvedOptions().locale);

const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

/** 12345 → "12,345" (in the user's locale). */
export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

const moneyFormats = new Map<string, Intl.NumberFormat | null>();

function moneyFormat(currency: string): Intl.NumberFormat | null {
  const code = currency.toUpperCase();
  if (!moneyFormats.has(code)) {
    let format: Intl.NumberFormat | null;
    try {
      format = new Intl.NumberFormat(LOCALE, { style: "currency", currency: code });
    } catch {
      format = null;
    }
    moneyFormats.set(code, format);
  }
  return moneyFormats.get(code) ?? null;
}

/** Rounds a non-negative decimal half away from zero to `digits`, as digit strings. */
function roundDecimal(whole: string, fraction: string, digits: number): [bigint, string] {
  if (fraction.length <= digits) return [BigInt(whole), fraction.padEnd(digits, "0")];
  const kept = BigInt(whole + fraction.slice(0, digits));
  const roundUp = Number(fraction[digits]) >= 5;
  const scaled = (kept + (roundUp ? 1n : 0n)).toString().padStart(digits + 1, "0");
  const cut = scaled.length - digits;
  return [BigInt(scaled.slice(0, cut)), scaled.slice(cut)];
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** "1234.5" EUR → "€1,234.50" (in the user's locale); unparsable input is shown as it came. */
export function formatMoney(amount: string, currency: string): string {
  const match = DECIMAL.exec(amount.trim());
  const format = moneyFormat(currency);
  if (!match || !format) return `${amount} ${currency.toUpperCase()}`;
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const [magnitude, fraction] = roundDecimal(match[2] ?? "0", match[3] ?? "", digits);
  const negative = match[1] === "-" && (magnitude !== 0n || /[1-9]/.test(fraction));
  // The sign and symbol placement come from the locale; -0 has no BigInt, so -1 stands in for it.
  const template = negative ? -(magnitude === 0n ? 1n : magnitude) : magnitude;
  return format
    .formatToParts(template)
    .map((part) => {
      if (part.type === "integer" && magnitude === 0n) return "0";
      if (part.type === "fraction") return fraction;
      return part.value;
    })
    .join("");
}

/**
 * Orders two decimal strings by value without floating point ("9.5" before "10.25"); text that is
 * not a decimal sorts after every number, as text.
 */
export function compareDecimal(a: string, b: string): number {
  const x = DECIMAL.exec(a.trim());
  const y = DECIMAL.exec(b.trim());
  if (!x || !y) return x ? -1 : y ? 1 : a.localeCompare(b);
  const digits = Math.max(x[3]?.length ?? 0, y[3]?.length ?? 0);
  const scaled = (m: RegExpExecArray) =>
    BigInt(`${m[1] ?? ""}${m[2] ?? "0"}${(m[3] ?? "").padEnd(digits, "0")}`);
  const [p, q] = [scaled(x), scaled(y)];
  return p < q ? -1 : p > q ? 1 : 0;
}

/** A short axis label ("12K"); charts only, never a figure someone reconciles against. */
export function formatCompact(value: number): string {
  return new Intl.NumberFormat(LOCALE, { notation: "compact", maximumFractionDigits: 1 }).format(
    value,
  );
}

const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: "medium",
  timeStyle: "short",
});
const dateTimeSecondsFormat = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: "medium",
  timeStyle: "medium",
});
const dayFormat = new Intl.DateTimeFormat(LOCALE, {
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

/** "21 Nov 2025, 14:03" in the user's locale and time zone. */
export function formatDateTime(iso: string, withSeconds = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (withSeconds ? dateTimeSecondsFormat : dateTimeFormat).format(date);
}

/** A UTC calendar day ("2025-11-21") as "Nov 21"; the day is the engine's UTC day, so no shift. */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayFormat.format(date);
}

const relativeFormat = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto", style: "short" });

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.35],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/** "3 min. ago", "in 2 hr.", "just now". */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  let amount = (then - now) / 1000;
  if (Math.abs(amount) < 45) return amount > 5 ? "in a few seconds" : "just now";
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(amount) < size) return relativeFormat.format(Math.round(amount), unit);
    amount /= size;
  }
  return relativeFormat.format(Math.round(amount), "year");
}

/** 950 → "950 ms", 75_000 → "1 min 15 s", 7_500_000 → "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes % 60;
  return restMinutes ? `${hours} h ${restMinutes} min` : `${hours} h`;
}

/** How long a run took, or has taken so far. */
export function runDuration(
  startedAt: string,
  finishedAt: string | null,
  now: number = Date.now(),
): string {
  const start = new Date(startedAt).getTime();
  const end = finishedAt ? new Date(finishedAt).getTime() : now;
  return formatDuration(end - start);
}

const INTERVAL_UNITS: Record<string, [string, string]> = {
  s: ["second", "seconds"],
  m: ["minute", "minutes"],
  h: ["hour", "hours"],
  d: ["day", "days"],
};

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function clock(hour: string, minute: string): string {
  return `${hour.padStart(2, "0")}:${minute.padStart(2, "0")} UTC`;
}

/**
 * The engine's schedule text in words: `every 5m` → "Every 5 minutes", `0 3 * * *` → "Daily at
 * 03:00 UTC" (the engine evaluates cron in UTC). Unusual cron expressions are shown as written.
 */
export function formatSchedule(schedule: string | null): string {
  if (!schedule) return "On demand";
  const text = schedule.trim();
  const every = /^every\s+(\d+)([smhd])$/.exec(text);
  if (every) {
    const count = Number(every[1]);
    const [one, many] = INTERVAL_UNITS[every[2] ?? "s"] ?? ["", ""];
    return count === 1 ? `Every ${one}` : `Every ${formatInteger(count)} ${many}`;
  }
  const fields = text.split(/\s+/);
  const num = /^\d+$/;
  if (fields.length === 5) {
    const [minute = "", hour = "", dom, month, dow = ""] = fields;
    if (dom === "*" && month === "*" && num.test(minute)) {
      if (hour === "*" && dow === "*") return `Hourly at minute ${minute}`;
      if (num.test(hour) && dow === "*") return `Daily at ${clock(hour, minute)}`;
      if (num.test(hour) && num.test(dow) && Number(dow) <= 7) {
        return `Every ${WEEKDAYS[Number(dow) % 7]} at ${clock(hour, minute)}`;
      }
    }
  }
  return `Cron: ${text} (UTC)`;
}

/** "runStarted"-style and snake words to a sentence-case label: "notConnected" → "Not connected". */
export function humanize(word: string): string {
  const spaced = word
    .replace(/[_.-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const PROVIDER_LABELS: Record<string, string> = {
  salesforce: "Salesforce",
  stripe: "Stripe",
  checkout: "Checkout.com",
  payoneer: "Payoneer",
  maldopay: "MaldoPay",
};

/** A provider's name as people write it: "stripe" → "Stripe"; unknown ones as they came. */
export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider] ?? provider;
}

/** Common codes, for a runtime that cannot list ISO 4217 itself. */
const FALLBACK_CURRENCIES = ["AUD", "CAD", "CHF", "EUR", "GBP", "JPY", "SEK", "USD"];

let currencyChoiceList: { value: string; label: string }[] | undefined;

/** Every ISO 4217 currency the runtime knows, as "EUR — Euro", alphabetical by code. */
export function currencyChoices(): { value: string; label: string }[] {
  if (!currencyChoiceList) {
    let codes: string[];
    try {
      codes = Intl.supportedValuesOf("currency");
    } catch {
      codes = FALLBACK_CURRENCIES;
    }
    let names: Intl.DisplayNames | null;
    try {
      names = new Intl.DisplayNames(LOCALE, { type: "currency" });
    } catch {
      names = null;
    }
    currencyChoiceList = [...codes].sort().map((code) => {
      const name = names?.of(code);
      return { value: code, label: name && name !== code ? `${code} — ${name}` : code };
    });
  }
  return currencyChoiceList;
}
