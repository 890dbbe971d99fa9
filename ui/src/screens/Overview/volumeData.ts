import type { DailyVolume } from "../../bindings";
import { formatDay, formatInteger, formatMoney } from "../../lib/format";

const SERIES_COLORS = [
  "indigo.6",
  "teal.6",
  "orange.6",
  "grape.6",
  "cyan.6",
  "pink.6",
  "lime.7",
  "yellow.7",
];

export interface VolumeSeries {
  name: string;
  color: string;
}

/** One chart row per day: the day's label, and per currency a bar height and exact labels. */
export interface VolumeRow {
  day: string;
  label: string;
  /** Bar heights: Number() of the decimal string, used for plotting only. */
  [currency: string]: string | number | Record<string, VolumeLabel>;
  details: Record<string, VolumeLabel>;
}

export interface VolumeLabel {
  /** Formatted from the engine's decimal string, never from the plotted number. */
  amount: string;
  count: string;
}

export interface VolumeChartData {
  rows: VolumeRow[];
  series: VolumeSeries[];
}

export function toVolumeChart(volume: DailyVolume[]): VolumeChartData {
  const currencies = [...new Set(volume.map((v) => v.currency.toUpperCase()))].sort();
  const byDay = new Map<string, VolumeRow>();
  for (const v of volume) {
    const currency = v.currency.toUpperCase();
    let row = byDay.get(v.day);
    if (!row) {
      row = { day: v.day, label: formatDay(v.day), details: {} };
      for (const c of currencies) row[c] = 0;
      byDay.set(v.day, row);
    }
    row[currency] = Number(v.amount);
    row.details[currency] = {
      amount: formatMoney(v.amount, currency),
      count: `${formatInteger(v.count)} ${v.count === 1 ? "payment" : "payments"}`,
    };
  }
  const rows = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const series = currencies.map((name, i) => ({
    name,
    color: SERIES_COLORS[i % SERIES_COLORS.length] ?? "indigo.6",
  }));
  return { rows, series };
}
