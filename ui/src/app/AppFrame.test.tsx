import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { emitEngineEvent, mockBackend } from "../test/backend";
import type { FailureGroup } from "../bindings";
import { appInfo, failureGroup, ipcError, overview } from "../test/fixtures";
import { renderWithProviders } from "../test/render";
import { AppFrame } from "./AppFrame";

function backend(info = appInfo(), groups: FailureGroup[] = []) {
  return mockBackend({
    get_app_info: () => info,
    get_overview: () => overview(),
    list_flows: () => [],
    list_runs: () => [],
    list_audit: () => ({ total: 0, rows: [] }),
    list_payments: () => ({ total: 0, rows: [] }),
    list_failure_groups: () => groups,
    list_failures: () => ({ total: 0, rows: [] }),
    list_payout_batches: () => [],
    list_payout_corrections: () => [],
    list_reconciliation_runs: () => [],
    get_reconciliation_run: () => {
      throw ipcError({
        code: "notFound",
        message: "No reconciliation has run yet.",
        retryable: false,
      });
    },
    verify_audit: () => overview().audit,
    set_preferences: (args) => args.preferences,
    search: (args) =>
      String(args.text).includes("audit")
        ? [
            {
              screen: "flows",
              title: "audit.verify",
              detail: "Re-checks the audit log",
              key: "audit.verify",
            },
            {
              screen: "audit",
              title: "flow.run audit.verify",
              detail: "#41 by scheduler",
              key: "41",
            },
          ]
        : [],
  });
}

describe("App frame", () => {
  it("lists exactly the screens that exist, in order", async () => {
    backend();
    renderWithProviders(<AppFrame />);
    const nav = await screen.findByRole("navigation", { name: "Screens" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((l) => l.textContent?.replace(/Alt\+\d/, "").trim())).toEqual([
      "Overview",
      "Flows",
      "Payments",
      "Failures",
      "Payouts",
      "Reconciliation",
      "Connections",
      "Audit",
      "Settings",
    ]);
    expect(links.map((l) => l.getAttribute("href"))).toEqual([
      "#/overview",
      "#/flows",
      "#/payments",
      "#/failures",
      "#/payouts",
      "#/reconciliation",
      "#/connections",
      "#/audit",
      "#/settings",
    ]);
    expect(links[0]?.getAttribute("aria-current")).toBe("page");
  });

  it("always shows the sandbox profile, with its banner", async () => {
    backend();
    renderWithProviders(<AppFrame />);
    const badge = await screen.findByTestId("profile-badge");
    expect(badge.textContent).toBe("Sandbox");
    expect(badge.getAttribute("aria-label")).toContain("no real money moves");
    expect(screen.getByTestId("sandbox-banner").textContent).toContain(
      "local simulators with demo data",
    );
    expect(screen.getByTestId("connect-accounts").textContent).toBe("Connect your accounts");
  });

  it("shows production without the sandbox banner", async () => {
    backend(appInfo({ profile: "production", sandbox: null }));
    renderWithProviders(<AppFrame />);
    expect((await screen.findByTestId("profile-badge")).textContent).toBe("Production");
    expect(screen.queryByTestId("sandbox-banner")).toBeNull();
  });

  it("switches screens from the URL, Alt+number and g-then-key", async () => {
    backend();
    renderWithProviders(<AppFrame />, { hash: "#/settings" });
    expect(await screen.findByTestId("screen-settings")).toBeTruthy();

    fireEvent.keyDown(document.documentElement, { key: "8", code: "Digit8", altKey: true });
    await waitFor(() => expect(window.location.hash).toBe("#/audit"));
    expect(await screen.findByTestId("screen-audit")).toBeTruthy();

    fireEvent.keyDown(window, { key: "g" });
    fireEvent.keyDown(window, { key: "p" });
    await waitFor(() => expect(window.location.hash).toBe("#/payments"));
    expect(await screen.findByTestId("screen-payments")).toBeTruthy();

    fireEvent.keyDown(window, { key: "g" });
    fireEvent.keyDown(window, { key: "f" });
    await waitFor(() => expect(window.location.hash).toBe("#/flows"));
    expect(await screen.findByTestId("screen-flows")).toBeTruthy();

    fireEvent.keyDown(document.documentElement, { key: "3", code: "Digit3", altKey: true });
    await waitFor(() => expect(window.location.hash).toBe("#/payments"));

    fireEvent.keyDown(window, { key: "g" });
    fireEvent.keyDown(window, { key: "d" });
    await waitFor(() => expect(window.location.hash).toBe("#/failures"));
    expect(await screen.findByTestId("screen-failures")).toBeTruthy();

    fireEvent.keyDown(window, { key: "g" });
    fireEvent.keyDown(window, { key: "y" });
    await waitFor(() => expect(window.location.hash).toBe("#/payouts"));
    expect(await screen.findByTestId("screen-payouts")).toBeTruthy();

    fireEvent.keyDown(window, { key: "g" });
    fireEvent.keyDown(window, { key: "r" });
    await waitFor(() => expect(window.location.hash).toBe("#/reconciliation"));
    expect(await screen.findByTestId("screen-reconciliation")).toBeTruthy();

    fireEvent.keyDown(document.documentElement, { key: "9", code: "Digit9", altKey: true });
    await waitFor(() => expect(window.location.hash).toBe("#/settings"));
    fireEvent.keyDown(document.documentElement, { key: "6", code: "Digit6", altKey: true });
    await waitFor(() => expect(window.location.hash).toBe("#/reconciliation"));
    fireEvent.keyDown(document.documentElement, { key: "5", code: "Digit5", altKey: true });
    await waitFor(() => expect(window.location.hash).toBe("#/payouts"));
    fireEvent.keyDown(document.documentElement, { key: "4", code: "Digit4", altKey: true });
    await waitFor(() => expect(window.location.hash).toBe("#/failures"));
  });

  it("applies the saved theme at start", async () => {
    backend(appInfo({ preferences: { theme: "dark", closeToTray: true } }));
    renderWithProviders(<AppFrame />);
    await waitFor(() =>
      expect(document.documentElement.getAttribute("data-mantine-color-scheme")).toBe("dark"),
    );
  });

  it("saves the theme through set_preferences and confirms it", async () => {
    const user = userEvent.setup();
    const ipc = backend();
    renderWithProviders(<AppFrame />);
    const toggle = await screen.findByTestId("theme-toggle");
    await waitFor(() =>
      expect(within(toggle).getByLabelText("Dark")).not.toHaveProperty("disabled", true),
    );
    await user.click(within(toggle).getByLabelText("Dark"));
    await waitFor(() =>
      expect(ipc.callsOf("set_preferences")).toEqual([
        { preferences: { theme: "dark", closeToTray: false } },
      ]),
    );
    expect(await screen.findByText("Preferences saved")).toBeTruthy();
    await waitFor(() =>
      expect(document.documentElement.getAttribute("data-mantine-color-scheme")).toBe("dark"),
    );
  });

  it("searches from the header and opens the screen of a hit", async () => {
    const user = userEvent.setup();
    const ipc = backend();
    renderWithProviders(<AppFrame />);
    await user.click(await screen.findByTestId("global-search"));
    await user.type(await screen.findByTestId("global-search-input"), "audit");
    await waitFor(() => expect(ipc.callsOf("search")).toContainEqual({ text: "audit" }));
    // Typing is debounced: one request for the settled text, not one per key.
    expect(ipc.callsOf("search")).toHaveLength(1);
    await user.click(await screen.findByTestId("search-hit-flows-audit.verify"));
    await waitFor(() => expect(window.location.hash).toBe("#/flows?flow=audit.verify"));
    expect(await screen.findByTestId("screen-flows")).toBeTruthy();
  });

  it("counts the open failures beside Failures in the navigation", async () => {
    backend(appInfo(), [failureGroup({ count: 37 }), failureGroup({ errorCode: "X", count: 5 })]);
    renderWithProviders(<AppFrame />);
    const badge = await screen.findByTestId("nav-failures-badge");
    expect(badge.textContent).toBe("42");
    expect(badge.getAttribute("aria-label")).toBe("42 open failures");
    expect(within(screen.getByTestId("nav-failures")).getByText("42")).toBeTruthy();
  });

  it("shows no failure count when none is open", async () => {
    backend();
    renderWithProviders(<AppFrame />);
    await screen.findByTestId("screen-overview");
    expect(screen.queryByTestId("nav-failures-badge")).toBeNull();
  });

  it("says when a provider's calls pause after repeated failures, and when they resume", async () => {
    const ipc = backend();
    renderWithProviders(<AppFrame />);
    await screen.findByTestId("screen-overview");
    const overviewReads = () => ipc.callsOf("get_overview").length;
    const before = overviewReads();
    // The listener registers asynchronously; repeat the (idempotent) event until it lands.
    await waitFor(async () => {
      await act(() =>
        emitEngineEvent({
          type: "breakerChanged",
          provider: "stripe",
          endpoint: "stripe:GET /v1/charges",
          state: "open",
          until: "2026-11-22T09:30:05Z",
        }),
      );
      expect(screen.getAllByText("Stripe is failing: calls paused").length).toBeGreaterThan(0);
    });
    // The Overview refetches, so the connection shows as degraded.
    await waitFor(() => expect(overviewReads()).toBeGreaterThan(before));
    await act(() =>
      emitEngineEvent({
        type: "breakerChanged",
        provider: "stripe",
        endpoint: "stripe:GET /v1/charges",
        state: "closed",
        until: null,
      }),
    );
    expect(await screen.findByText("Stripe answers again")).toBeTruthy();
  });

  it("shows demo data being seeded in Settings until it is in place", async () => {
    const seeding = appInfo();
    const sandbox = seeding.sandbox;
    if (!sandbox) throw new Error("fixture has a sandbox");
    let calls = 0;
    mockBackend({
      get_app_info: () => {
        calls += 1;
        return calls === 1
          ? { ...seeding, sandbox: { ...sandbox, seeding: true, demo: null } }
          : seeding;
      },
      get_overview: () => overview(),
      list_flows: () => [],
      list_runs: () => [],
      verify_audit: () => overview().audit,
    });
    renderWithProviders(<AppFrame />, { hash: "#/settings" });
    expect(await screen.findByTestId("about-demo-seeding")).toBeTruthy();
    // The frame looks again while seeding is under way, and shows the counts once it is done.
    expect(await screen.findByTestId("about-demo", {}, { timeout: 3_000 })).toBeTruthy();
  });
});
