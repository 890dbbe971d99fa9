import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { AppFrame } from "../../app/AppFrame";
import type { RunRow } from "../../bindings";
import { emitEngineEvent, mockBackend } from "../../test/backend";
import { appInfo, flow, ipcError, run } from "../../test/fixtures";
import { deferred } from "../../test/deferred";
import { renderWithProviders } from "../../test/render";

const RUNS = [
  run({ id: 9, flow: "audit.verify", outcome: "succeeded", startedAt: "2025-11-21T11:00:00Z" }),
  run({
    id: 8,
    flow: "stripe.payments",
    outcome: "failed",
    error: "Stripe refused the key",
    startedAt: "2025-11-21T10:00:00Z",
  }),
  run({
    id: 10,
    flow: "stripe.payments",
    outcome: null,
    finishedAt: null,
    startedAt: "2025-11-21T11:30:00Z",
  }),
];

function renderFlows(runFlow: (args: Record<string, unknown>) => unknown) {
  const ipc = mockBackend({
    get_app_info: () => appInfo(),
    list_flows: () => [
      flow(),
      flow({
        name: "stripe.payments",
        description: "Pulls Stripe payments.",
        schedule: "*/10 * * * *",
        lastRun: null,
      }),
    ],
    list_runs: () => RUNS,
    run_flow: runFlow,
  });
  renderWithProviders(<AppFrame />, { hash: "#/flows" });
  return ipc;
}

describe("Flows", () => {
  it("lists each flow with its schedule and last outcome in words", async () => {
    renderFlows(() => run());
    const row = await screen.findByTestId("flow-row-audit.verify");
    expect(row.textContent).toContain("Every day");
    expect(screen.getByTestId("flow-outcome-audit.verify").textContent).toBe("Succeeded");
    expect(screen.getByTestId("flow-outcome-stripe.payments").textContent).toBe("Never run");
  });

  it("runs a flow now, shows live progress, then the outcome with counts", async () => {
    const user = userEvent.setup();
    const finished = deferred<RunRow>();
    const ipc = renderFlows(() => finished.promise);
    const button = await screen.findByTestId("run-flow-audit.verify");

    await user.click(button);
    expect(ipc.callsOf("run_flow")).toEqual([{ name: "audit.verify" }]);
    await waitFor(() =>
      expect(screen.getByTestId("run-flow-audit.verify")).toHaveProperty("disabled", true),
    );
    // Before the engine reports anything the bar moves without claiming a share.
    expect(screen.getByTestId("run-progress-audit.verify")).toBeTruthy();
    expect(screen.getByText("Starting…")).toBeTruthy();

    // The listener registers asynchronously; repeat the (idempotent) event until it lands.
    await waitFor(async () => {
      await act(() =>
        emitEngineEvent({
          type: "runProgress",
          runId: 11,
          flow: "audit.verify",
          done: 40,
          total: 100,
        }),
      );
      expect(screen.getByText("40 of 100 records")).toBeTruthy();
    });
    const bar = within(screen.getByTestId("run-progress-audit.verify")).getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("40");

    await act(() =>
      emitEngineEvent({ type: "runFinished", runId: 11, flow: "audit.verify", outcome: "partial" }),
    );
    await act(async () => {
      finished.resolve(
        run({
          id: 11,
          outcome: "partial",
          read: 100,
          written: 98,
          failed: 2,
          error: "2 entries skipped",
        }),
      );
    });

    expect(await screen.findByText("audit.verify: Partial")).toBeTruthy();
    expect(screen.getByText(/100 read · 98 written · 2 failed/)).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("run-progress-audit.verify")).toBeNull());
    expect(screen.getByTestId("run-flow-audit.verify")).toHaveProperty("disabled", false);
  });

  it("explains why a run could not start", async () => {
    const user = userEvent.setup();
    renderFlows(() => {
      throw ipcError({
        code: "alreadyRunning",
        message: "audit.verify is already running; wait for it to finish.",
        detail: "run 10 is live",
      });
    });
    await user.click(await screen.findByTestId("run-flow-audit.verify"));
    expect(await screen.findByText("audit.verify could not run")).toBeTruthy();
    expect(
      screen.getByText("audit.verify is already running; wait for it to finish."),
    ).toBeTruthy();
    expect(screen.queryByText(/run 10 is live/)).toBeNull();
  });

  it("filters recent runs by outcome", async () => {
    const user = userEvent.setup();
    renderFlows(() => run());
    const card = await screen.findByTestId("recent-runs");
    await within(card).findByTestId("run-row-9");
    expect(within(card).getAllByTestId(/^run-row-/)).toHaveLength(3);

    await user.click(within(screen.getByTestId("runs-outcome-filter")).getByLabelText("Failed"));
    expect(
      within(card)
        .getAllByTestId(/^run-row-/)
        .map((r) => r.dataset.testid),
    ).toEqual(["run-row-8"]);

    await user.click(within(screen.getByTestId("runs-outcome-filter")).getByLabelText("Running"));
    expect(
      within(card)
        .getAllByTestId(/^run-row-/)
        .map((r) => r.dataset.testid),
    ).toEqual(["run-row-10"]);
  });

  it("sorts recent runs newest first, and by a clicked column", async () => {
    const user = userEvent.setup();
    renderFlows(() => run());
    const card = await screen.findByTestId("recent-runs");
    await within(card).findByTestId("run-row-9");
    const order = () =>
      within(card)
        .getAllByTestId(/^run-row-/)
        .map((r) => r.dataset.testid);
    expect(order()).toEqual(["run-row-10", "run-row-9", "run-row-8"]);
    await user.click(within(card).getByTestId("sort-flow"));
    expect(order()?.[0]).toBe("run-row-9");
  });

  it("pauses a flow's schedule and resumes it, with the row saying so", async () => {
    const user = userEvent.setup();
    let paused = false;
    const ipc = mockBackend({
      get_app_info: () => appInfo(),
      list_flows: () => [flow({ paused, nextDue: paused ? null : "2099-01-01T00:00:00Z" })],
      list_runs: () => RUNS,
      set_flow_paused: (args: Record<string, unknown>) => {
        paused = args.paused === true;
        return flow({ paused, nextDue: paused ? null : "2099-01-01T00:00:00Z" });
      },
    });
    renderWithProviders(<AppFrame />, { hash: "#/flows" });

    const button = await screen.findByTestId("pause-flow-audit.verify");
    expect(button.textContent).toContain("Pause");
    expect(screen.queryByTestId("flow-paused-audit.verify")).toBeNull();
    await user.click(button);
    expect(ipc.callsOf("set_flow_paused")).toEqual([{ name: "audit.verify", paused: true }]);
    await waitFor(() => expect(screen.getByTestId("flow-paused-audit.verify")).toBeTruthy());
    const row = screen.getByTestId("flow-row-audit.verify");
    expect(within(row).getAllByText("Paused").length).toBeGreaterThan(0);
    expect(screen.getByTestId("pause-flow-audit.verify").textContent).toContain("Resume");

    await user.click(screen.getByTestId("pause-flow-audit.verify"));
    expect(ipc.callsOf("set_flow_paused")).toEqual([
      { name: "audit.verify", paused: true },
      { name: "audit.verify", paused: false },
    ]);
    await waitFor(() => expect(screen.queryByTestId("flow-paused-audit.verify")).toBeNull());
  });

  it("offers no pause for a flow that only runs on demand", async () => {
    mockBackend({
      get_app_info: () => appInfo(),
      list_flows: () => [flow({ name: "manual.only", schedule: null, nextDue: null })],
      list_runs: () => [],
    });
    renderWithProviders(<AppFrame />, { hash: "#/flows" });
    await screen.findByTestId("flow-row-manual.only");
    expect(screen.queryByTestId("pause-flow-manual.only")).toBeNull();
  });
});
