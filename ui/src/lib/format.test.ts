import { describe, expect, it } from "vitest";

import {
  LOCALE,
  compareDecimal,
  currencyChoices,
  displayLocale,
  formatDuration,
  formatInteger,
  formatMoney,
  formatRelative,
  formatSchedule,
  humanize,
  providerLabel,
  runDuration,
} from "./format";

// The test runner's locale decides separators; compare against Intl itself for the shape that
// depends on it, and against exact strings where it cannot vary.
const group =
  new Intl.NumberFormat(LOCALE).formatToParts(12345).find((p) => p.type === "group")?.value ?? ",";

describe("displayLocale", () => {
  it("keeps the user's locale, but never the separator-less POSIX one", () => {
    expect(displayLocale("de-DE")).toBeUndefined();
    expect(displayLocale("en-US-u-va-posix")).toBe("en-US");
    expect(displayLocale("C")).toBe("en-US");
  });
});

describe("formatInteger", () => {
  it("groups thousands", () => {
    expect(formatInteger(12345)).toBe(`12${group}345`);
    expect(formatInteger(0)).toBe("0");
  });
});

describe("formatMoney", () => {
  const eur = (n: number) =>
    new Intl.NumberFormat(LOCALE, { style: "currency", currency: "EUR" }).format(n);

  it("formats a decimal string like Intl formats the same value", () => {
    expect(formatMoney("1234.5", "EUR")).toBe(eur(1234.5));
    expect(formatMoney("0.10", "eur")).toBe(eur(0.1));
    expect(formatMoney("-0.50", "EUR")).toBe(eur(-0.5));
    expect(formatMoney("-1234.56", "EUR")).toBe(eur(-1234.56));
  });

  it("keeps every digit of amounts beyond a float's precision", () => {
    const text = formatMoney("90071992547409931.99", "USD");
    expect(text.replace(/\D/g, "")).toBe("9007199254740993199");
  });

  it("rounds half away from zero to the currency's minor unit, with carry", () => {
    expect(formatMoney("1.005", "EUR")).toBe(eur(1.01));
    expect(formatMoney("9.999", "EUR")).toBe(eur(10));
    expect(formatMoney("-2.345", "EUR")).toBe(eur(-2.35));
  });

  it("uses each currency's own number of decimals", () => {
    expect(formatMoney("1500", "JPY")).toBe(
      new Intl.NumberFormat(LOCALE, { style: "currency", currency: "JPY" }).format(1500),
    );
    expect(formatMoney("1.2345", "KWD").replace(/\D/g, "")).toBe("1235");
  });

  it("shows what it cannot parse as it came", () => {
    expect(formatMoney("12,00", "EUR")).toBe("12,00 EUR");
    expect(formatMoney("1e5", "EUR")).toBe("1e5 EUR");
    expect(formatMoney("10", "NOT-A-CODE")).toBe("10 NOT-A-CODE");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2025-11-21T12:00:00Z");
  const rtf = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto", style: "short" });

  it("says just now for the last seconds", () => {
    expect(formatRelative("2025-11-21T11:59:40Z", now)).toBe("just now");
  });

  it("picks the largest sensible unit, past and future", () => {
    expect(formatRelative("2025-11-21T11:57:00Z", now)).toBe(rtf.format(-3, "minute"));
    expect(formatRelative("2025-11-21T14:00:00Z", now)).toBe(rtf.format(2, "hour"));
    expect(formatRelative("2025-11-18T12:00:00Z", now)).toBe(rtf.format(-3, "day"));
  });

  it("passes through what is not a time", () => {
    expect(formatRelative("soon", now)).toBe("soon");
  });
});

describe("formatDuration", () => {
  it("reads naturally at every scale", () => {
    expect(formatDuration(950)).toBe("950 ms");
    expect(formatDuration(12_000)).toBe("12 s");
    expect(formatDuration(75_000)).toBe("1 min 15 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(7_500_000)).toBe("2 h 5 min");
    expect(formatDuration(-1)).toBe("—");
  });

  it("measures runs, and running ones up to now", () => {
    expect(runDuration("2025-11-21T11:55:00Z", "2025-11-21T11:55:02Z")).toBe("2 s");
    expect(runDuration("2025-11-21T11:55:00Z", null, Date.parse("2025-11-21T11:56:00Z"))).toBe(
      "1 min",
    );
  });
});

describe("formatSchedule", () => {
  it("puts the engine's schedules in words", () => {
    expect(formatSchedule(null)).toBe("On demand");
    expect(formatSchedule("every 1d")).toBe("Every day");
    expect(formatSchedule("every 5m")).toBe("Every 5 minutes");
    expect(formatSchedule("every 30s")).toBe("Every 30 seconds");
    expect(formatSchedule("0 3 * * *")).toBe("Daily at 03:00 UTC");
    expect(formatSchedule("15 * * * *")).toBe("Hourly at minute 15");
    expect(formatSchedule("30 6 * * 1")).toBe("Every Monday at 06:30 UTC");
    expect(formatSchedule("*/10 1-5 * * *")).toBe("Cron: */10 1-5 * * * (UTC)");
  });
});

describe("humanize", () => {
  it("turns codes into sentence-case words", () => {
    expect(humanize("notConnected")).toBe("Not connected");
    expect(humanize("dead_letter")).toBe("Dead letter");
  });
});

describe("providerLabel", () => {
  it("names providers as people write them, and passes unknown ones through", () => {
    expect(providerLabel("stripe")).toBe("Stripe");
    expect(providerLabel("checkout")).toBe("Checkout.com");
    expect(providerLabel("acme")).toBe("acme");
  });
});

describe("currencyChoices", () => {
  it("offers every ISO code once, by code, with its name", () => {
    const choices = currencyChoices();
    const codes = choices.map((c) => c.value);
    expect(codes).toEqual([...new Set(codes)].sort());
    expect(codes).toEqual(expect.arrayContaining(["EUR", "USD", "GBP", "JPY"]));
    expect(codes.every((c) => /^[A-Z]{3}$/.test(c))).toBe(true);
    expect(choices.find((c) => c.value === "EUR")?.label).toMatch(/^EUR — \S/);
  });
});

describe("compareDecimal", () => {
  it("orders decimal strings by value, exactly", () => {
    const sorted = ["10.25", "9.5", "1234.50", "0.01", "-3", "1234.5", "90071992547409931.01"].sort(
      compareDecimal,
    );
    expect(sorted).toEqual([
      "-3",
      "0.01",
      "9.5",
      "10.25",
      "1234.50",
      "1234.5",
      "90071992547409931.01",
    ]);
    expect(compareDecimal("1234.50", "1234.5")).toBe(0);
    expect(compareDecimal("90071992547409931.02", "90071992547409931.01")).toBe(1);
    expect(compareDecimal("n/a", "1")).toBe(1);
  });
});
