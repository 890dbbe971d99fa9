import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { mockBackend } from "../../test/backend";
import { ipcError, overview } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { OverviewScreen } from "./OverviewScreen";

async function renderOverview(data = overview()) {
  mockBackend({ get_overview: () => data });
  renderWithProviders(<OverviewScreen />);
  const root = await screen.findByTestId("screen-overview");
  await screen.findByTestId("tile-queue");
  return root;
}

describe("Overview", () => {
  it("marks itself ready once data is on screen", async () => {
    const root = await renderOverview();
    expect(root.getAttribute("data-ready")).toBe("true");
  });

  it("shows the queue, dead letters, payouts, API usage and audit tiles", async () => {
    await renderOverview();

    const queue = screen.getByTestId("tile-queue");
    expect(queue.textContent).toContain("15");
    expect(queue.textContent).toMatch(/12 pending · 2 running · 1 in doubt/);

    const dlq = screen.getByTestId("tile-dlq");
    expect(dlq.textContent).toContain("4");
    expect(dlq.getAttribute("data-attention")).toBe("true");
    expect(dlq.textContent).toContain("Oldest parked");

    expect(screen.getByTestId("tile-payouts").textContent).toContain("Payouts not set up yet");

    const api = screen.getByTestId("tile-sf-api");
    expect(api.textContent).toContain("80 %");
    expect(api.textContent).toMatch(/8,?000 of 10,?000 requests/);
    expect(
      within(api)
        .getByLabelText("Salesforce API requests used today")
        .closest("[data-color]")
        ?.getAttribute("data-color"),
    ).toBe("yellow");

    const audit = screen.getByTestId("tile-audit");
    expect(audit.textContent).toContain("Verified");
    expect(audit.textContent).toMatch(/1,?234 entries/);
  });

  it("says when payouts wait and when the audit chain is broken", async () => {
    await renderOverview(
      overview({
        payoutsAwaitingApproval: 3,
        deadLetters: { open: 0, oldestOpenAt: null },
        audit: {
          verified: false,
          entries: 0,
          problem: "entry 17 does not match its hash",
          checkedAt: "2025-11-21T11:59:30Z",
        },
      }),
    );
    expect(screen.getByTestId("tile-payouts").textContent).toContain("3");
    expect(screen.getByTestId("tile-payouts").textContent).not.toContain("not set up");
    expect(screen.getByTestId("tile-dlq").getAttribute("data-attention")).toBeNull();
    const audit = screen.getByTestId("tile-audit");
    expect(audit.textContent).toContain("Tampered");
    expect(audit.textContent).toContain("entry 17 does not match its hash");
  });

  it("lists every connection's health in words", async () => {
    await renderOverview();
    const table = screen.getByTestId("connections");
    expect(within(table).getAllByRole("row")).toHaveLength(4);
    expect(screen.getByTestId("connection-stripe").textContent).toContain("Healthy");
    const payoneer = screen.getByTestId("connection-payoneer");
    expect(payoneer.textContent).toContain("Down");
    expect(payoneer.textContent).toContain("Connection refused");
    expect(screen.getByTestId("connection-maldopay").textContent).toContain("Not connected");
  });

  it("shows each flow's schedule, last outcome and the latest runs", async () => {
    await renderOverview();
    const flow = screen.getByTestId("flow-health-audit.verify");
    expect(flow.textContent).toContain("Every day");
    expect(flow.textContent).toContain("Succeeded");

    expect(screen.getByTestId("recent-run-7").textContent).toContain("Succeeded");
    const failed = screen.getByTestId("recent-run-6");
    expect(failed.textContent).toContain("Failed");
    expect(failed.textContent).toContain("3 failed");
    expect(failed.textContent).toContain("Scheduled");
  });

  it("says in words why there is nothing to show when the engine fails", async () => {
    mockBackend({
      get_overview: () => {
        throw ipcError({ retryable: false, detail: "start-up failed: port 41001 in use" });
      },
    });
    renderWithProviders(<OverviewScreen />);
    expect(await screen.findByText("The overview could not be loaded")).toBeTruthy();
    expect(screen.getByText("Paysync's engine is not running yet.")).toBeTruthy();
    expect(screen.queryByText(/port 41001/)).toBeNull();
    expect(screen.getByTestId("screen-overview").getAttribute("data-ready")).toBeNull();
  });
});
