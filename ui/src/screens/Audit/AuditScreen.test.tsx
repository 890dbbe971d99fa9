import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { AuditQuery } from "../../bindings";
import { mockBackend } from "../../test/backend";
import { auditPage } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { AuditScreen } from "./AuditScreen";

const TOTAL = 12_345;

function renderAudit(hash = "") {
  const ipc = mockBackend({
    list_audit: (args) => {
      const q = args.query as AuditQuery;
      return auditPage(TOTAL, q.offset, q.limit);
    },
    verify_audit: () => ({
      verified: true,
      entries: TOTAL,
      problem: null,
      checkedAt: "2025-11-21T11:59:30Z",
    }),
  });
  renderWithProviders(<AuditScreen />, { hash });
  const queries = () => ipc.callsOf("list_audit").map((a) => a.query as AuditQuery);
  const lastQuery = () => queries().at(-1);
  return { ipc, queries, lastQuery };
}

describe("Audit", () => {
  it("asks the engine for the newest 50 entries and shows the range", async () => {
    const { queries } = renderAudit();
    await screen.findByTestId("audit-row-12345");
    expect(queries()[0]).toEqual({
      actor: null,
      action: null,
      subject: null,
      sort: "seq",
      descending: true,
      offset: 0,
      limit: 50,
    });
    expect(within(screen.getByTestId("audit-table")).getAllByRole("row")).toHaveLength(51);
    expect(screen.getByTestId("audit-table-range").textContent).toMatch(/^1–50 of 12.?345$/);
    expect(screen.getByTestId("audit-verify-status").textContent).toMatch(
      /Chain verified — 12.?345 entries/,
    );
  });

  it("sends typed filters after a pause, and goes back to the first page", async () => {
    const user = userEvent.setup();
    const { queries, lastQuery } = renderAudit();
    await screen.findByTestId("audit-row-12345");
    await user.click(screen.getByTestId("audit-table-next"));
    await waitFor(() => expect(lastQuery()?.offset).toBe(50));

    await user.type(screen.getByTestId("audit-filter-actor"), "alice");
    await waitFor(() => expect(lastQuery()?.actor).toBe("alice"));
    expect(lastQuery()).toMatchObject({ offset: 0, action: null, subject: null });
    // Debounced: no request went out for "a", "al", … on the way.
    expect(queries().filter((q) => q.actor !== null)).toHaveLength(1);

    await user.type(screen.getByTestId("audit-filter-action"), "flow.");
    await user.type(screen.getByTestId("audit-filter-subject"), "pay_42");
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({
        actor: "alice",
        action: "flow.",
        subject: "pay_42",
        offset: 0,
      }),
    );
  });

  it("sorts by a clicked header, toggles direction, and says so to assistive technology", async () => {
    const user = userEvent.setup();
    const { lastQuery } = renderAudit();
    await screen.findByTestId("audit-row-12345");
    const header = screen.getByTestId("sort-actor").closest("th");
    expect(header?.getAttribute("aria-sort")).toBe("none");
    expect(screen.getByTestId("sort-seq").closest("th")?.getAttribute("aria-sort")).toBe(
      "descending",
    );

    await user.click(screen.getByTestId("sort-actor"));
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ sort: "actor", descending: false, offset: 0 }),
    );
    expect(header?.getAttribute("aria-sort")).toBe("ascending");

    await user.click(screen.getByTestId("sort-actor"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: "actor", descending: true }));
    expect(header?.getAttribute("aria-sort")).toBe("descending");
  });

  it("pages forward, to the last page and by page size", async () => {
    const user = userEvent.setup();
    const { lastQuery } = renderAudit();
    await screen.findByTestId("audit-row-12345");

    await user.click(screen.getByTestId("audit-table-next"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ offset: 50, limit: 50 }));
    expect(await screen.findByTestId("audit-row-12295")).toBeTruthy();
    expect(screen.getByTestId("audit-table-range").textContent).toMatch(/^51–100 of/);

    await user.click(screen.getByTestId("audit-table-last"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ offset: 12_300, limit: 50 }));
    expect(await screen.findByTestId("audit-row-45")).toBeTruthy();

    fireEvent.change(screen.getByTestId("audit-table-page-size"), { target: { value: "200" } });
    await waitFor(() => expect(lastQuery()).toMatchObject({ offset: 0, limit: 200 }));
    expect(await screen.findByTestId("audit-table-range")).toBeTruthy();
    await waitFor(() =>
      expect(screen.getByTestId("audit-table-range").textContent).toMatch(/^1–200 of/),
    );
  });

  it("keeps the previous page on screen while the next one loads", async () => {
    const user = userEvent.setup();
    renderAudit();
    await screen.findByTestId("audit-row-12345");
    await user.click(screen.getByTestId("audit-table-next"));
    // Either the old page or the new one is on screen; never an empty table.
    expect(
      screen.queryByTestId("audit-row-12345") ?? screen.queryByTestId("audit-row-12295"),
    ).not.toBeNull();
    await screen.findByTestId("audit-row-12295");
  });

  it("opens an entry's details from a click or the keyboard", async () => {
    const user = userEvent.setup();
    renderAudit();
    const row = await screen.findByTestId("audit-row-12340");
    await user.click(row);
    const details = await screen.findByTestId("audit-entry-details");
    expect(details.textContent).toContain('"run": 12340');
    expect(screen.getByText("Audit entry #12340")).toBeTruthy();

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("audit-entry-details")).toBeNull());

    // The drawer hands focus back to the row that opened it once it has closed; move on from there.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("audit-row-12340")));
    const next = screen.getByTestId("audit-row-12339");
    next.focus();
    await user.keyboard("{Enter}");
    // The closing drawer of the first entry may still be mounted while the new one opens.
    await waitFor(() =>
      expect(screen.getByTestId("audit-entry-details").textContent).toContain('"run": 12339'),
    );
  });

  it("opens the entry a search hit points at, on the page that holds it", async () => {
    const { lastQuery } = renderAudit("#/audit?seq=12000");
    const details = await screen.findByTestId("audit-entry-details");
    expect(details.textContent).toContain('"run": 12000');
    // 345 entries are newer than #12000: it is on the seventh page of 50.
    expect(lastQuery()).toMatchObject({ offset: 300, limit: 50, sort: "seq", descending: true });
    expect(screen.getByTestId("audit-row-12000").getAttribute("data-highlighted")).toBe("true");
    expect(window.location.hash).toBe("#/audit");
  });
});
