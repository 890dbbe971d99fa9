import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { DailyVolume } from "../../bindings";
import { formatMoney } from "../../lib/format";
import { renderWithProviders } from "../../test/render";
import { VolumeChart } from "./VolumeChart";
import { toVolumeChart } from "./volumeData";

const VOLUME: DailyVolume[] = [
  { day: "2025-11-20", currency: "EUR", amount: "1200.50", count: 4 },
  { day: "2025-11-20", currency: "USD", amount: "310.00", count: 1 },
  { day: "2025-11-21", currency: "EUR", amount: "99.99", count: 2 },
];

describe("toVolumeChart", () => {
  it("makes one row per day and one series per currency, labelled from the strings", () => {
    const { rows, series } = toVolumeChart(VOLUME);
    expect(series.map((s) => s.name)).toEqual(["EUR", "USD"]);
    expect(rows.map((r) => r.day)).toEqual(["2025-11-20", "2025-11-21"]);
    expect(rows[0]?.EUR).toBe(1200.5);
    expect(rows[1]?.USD).toBe(0);
    expect(rows[0]?.details.EUR).toEqual({
      amount: formatMoney("1200.50", "EUR"),
      count: "4 payments",
    });
    expect(rows[0]?.details.USD?.count).toBe("1 payment");
  });
});

describe("VolumeChart", () => {
  it("draws a bar series per currency when there is volume", async () => {
    const { container } = renderWithProviders(<VolumeChart volume={VOLUME} />);
    expect(screen.getByTestId("volume-chart")).toBeTruthy();
    expect(screen.queryByTestId("volume-empty")).toBeNull();
    await waitFor(() => expect(container.querySelector("svg.recharts-surface")).not.toBeNull());
    await waitFor(() => expect(container.querySelectorAll(".recharts-bar").length).toBe(2));
    expect(container.querySelectorAll(".recharts-bar-rectangle").length).toBeGreaterThanOrEqual(3);
    const legend = screen.getByTestId("volume-chart").textContent ?? "";
    expect(legend).toContain("EUR");
    expect(legend).toContain("USD");
  });

  it("explains the empty chart instead of drawing nothing", () => {
    renderWithProviders(<VolumeChart volume={[]} />);
    expect(screen.queryByTestId("volume-chart")).toBeNull();
    expect(screen.getByTestId("volume-empty").textContent).toContain("No payments synced yet");
    expect(screen.getByTestId("volume-empty").textContent).toContain(
      "Volume appears here once a payment flow has run.",
    );
  });
});
