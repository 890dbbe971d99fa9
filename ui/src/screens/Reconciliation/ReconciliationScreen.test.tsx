import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { ReconResultRow, ReconRunRow } from "../../bindings";
import type { Handlers } from "../../test/backend";
import { mockBackend } from "../../test/backend";
import { deferred } from "../../test/deferred";
import {
  NOW,
  ipcError,
  reconResult,
  reconRun,
  reconRunDetail,
  reconSuggestion,
} from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { lastSevenDays } from "./reconFormat";
import { ReconciliationScreen } from "./ReconciliationScreen";

/** Run 12's results: 3 missing in Salesforce, 2 amount mismatches, 3 suggestions, 2 matches. */
function results(): ReconResultRow[] {
  return [
    reconResult(1),
    reconResult(2),
    reconResult(3),
    reconResult(4, {
      kind: "amount_mismatch",
      salesforceIds: ["a01Demo4"],
      reason: "ch_4 is 120.00 EUR at Stripe and 102.00 EUR on a01Demo4",
    }),
    reconResult(5, {
      kind: "amount_mismatch",
      salesforceIds: ["a01Demo5"],
      resolution: "explained",
      resolvedBy: "omar@acme.test",
      resolvedAt: "2025-11-21T11:30:00Z",
      note: "Partial refund booked by hand",
    }),
    reconSuggestion(6),
    reconSuggestion(7),
    reconSuggestion(8, { resolution: "accepted", resolvedBy: "omar@acme.test" }),
    reconResult(9, {
      category: "matched",
      kind: "one_to_one",
      salesforceIds: ["a01Demo9"],
      gross: "50.00",
      fee: "0.00",
      fxDifference: "0.00",
      net: "50.00",
    }),
    reconResult(10, {
      category: "matched",
      kind: "many_to_one",
      providerIds: ["ch_10a", "ch_10b", "ch_10c"],
      salesforceIds: ["a01Demo10"],
    }),
  ];
}

/** An older run over the same week that did not balance. */
const UNBALANCED = reconRun(11, {
  startedAt: "2025-11-20T11:00:00Z",
  finishedAt: "2025-11-20T11:00:03Z",
  balances: false,
  matched: 200,
  exceptions: 40,
});

/** The engine's side of the screen, keeping the decisions made during a test. */
function renderRecon(handlers: Handlers = {}) {
  const decided = new Map<number, ReconResultRow>();
  const current = () => results().map((row) => decided.get(row.id) ?? row);
  const ipc = mockBackend({
    list_reconciliation_runs: () => [reconRun(12), UNBALANCED],
    get_reconciliation_run: (args) =>
      args.id === 11 ? reconRunDetail({ run: UNBALANCED }) : reconRunDetail(),
    list_reconciliation_results: (args) => {
      const rows = current().filter(
        (row) =>
          (args.category === null || row.category === args.category) &&
          (args.kind === null || row.kind === args.kind),
      );
      const offset = Number(args.offset);
      return { rows: rows.slice(offset, offset + Number(args.limit)), total: rows.length };
    },
    resolve_reconciliation_result: (args) => {
      const row = current().find((r) => r.id === args.id);
      if (!row) throw ipcError({ code: "notFound", message: "No such result." });
      const resolved: ReconResultRow = {
        ...row,
        resolution: String(args.decision),
        resolvedBy: "maria@acme.test",
        resolvedAt: NOW,
        note: (args.note as string | null) ?? null,
      };
      decided.set(resolved.id, resolved);
      return resolved;
    },
    export_reconciliation_run: (args) => ({
      path: `/home/finance/.local/share/paysync/exports/reconciliation-run-${String(args.id)}.${String(args.format)}`,
      bytes: 20_480,
    }),
    run_reconciliation: (args) =>
      reconRun(13, { periodFrom: String(args.from), periodTo: String(args.to) }),
    ...handlers,
  });
  renderWithProviders(<ReconciliationScreen />);
  return { ipc, user: userEvent.setup() };
}

async function ready() {
  await waitFor(() =>
    expect(screen.getByTestId("reconciliation-screen").getAttribute("data-ready")).toBe("true"),
  );
}

function resultRows(): HTMLElement[] {
  return within(screen.getByTestId("recon-results-table"))
    .getAllByRole("row")
    .filter((row) => row.getAttribute("data-testid")?.startsWith("recon-result-row-"));
}

async function openResult(user: ReturnType<typeof userEvent.setup>, id: number) {
  const row = await screen.findByTestId(`recon-result-row-${id}`);
  await user.click(row.querySelector("td") as HTMLElement);
  return screen.findByTestId("recon-result-drawer");
}

function chip(category: string, kind: string): HTMLElement {
  const found = screen
    .getAllByTestId("recon-kind-chip")
    .find((c) => c.dataset.category === category && c.dataset.kind === kind);
  if (!found) throw new Error(`no ${category} ${kind} chip`);
  return found;
}

describe("Reconciliation", () => {
  it("shows the latest run: its balance, totals by currency, payout tie-outs and the trend", async () => {
    const { ipc, user } = renderRecon();
    await ready();
    expect(ipc.callsOf("get_reconciliation_run")).toEqual([{ id: null }]);
    expect(screen.getByTestId("screen-reconciliation").getAttribute("data-ready")).toBe("true");

    const balance = screen.getByTestId("recon-balance");
    expect(balance.textContent).toContain("Totals balance");
    expect(balance.getAttribute("data-balances")).toBe("true");
    expect(screen.getByTestId("recon-period").textContent).toBe("2025-11-15 – 2025-11-21");
    expect(screen.getByTestId("recon-started-by").textContent).toBe("maria@acme.test");
    expect(screen.getByTestId("recon-run-counts").textContent).toBe(
      "240 matched · 3 suggested · 5 exceptions",
    );
    expect(screen.queryByTestId("recon-offline")).toBeNull();
    expect((screen.getByTestId("recon-run-select") as HTMLSelectElement).value).toBe("12");

    // Amounts exactly as the engine sent them; each side adds up.
    const eur = within(screen.getByTestId("recon-totals-table")).getByTestId("recon-totals-EUR");
    for (const amount of ["12500.00", "12000.00", "500.00", "12480.00", "480.00"]) {
      expect(eur.textContent).toContain(amount);
    }
    expect(eur.textContent).toContain("Balances");

    // The payout that does not tie out comes first, with its difference.
    const tieOuts = within(screen.getByTestId("recon-tieouts-table")).getAllByRole("row");
    expect(tieOuts[1]?.textContent).toContain("po_2Demo");
    expect(tieOuts[1]?.textContent).toContain("-5.00");
    expect(tieOuts[1]?.textContent).toContain("✗ Does not tie");
    expect(tieOuts[2]?.textContent).toContain("po_1Demo");
    expect(tieOuts[2]?.textContent).toContain("✓ Ties");
    expect(screen.getByTestId("recon-tieouts-summary").textContent).toBe(
      "2 payouts · 1 does not tie out",
    );

    // Matched and not matched across runs, one stacked bar per run.
    expect(screen.getByTestId("recon-chart").textContent).toContain("Matched");
    await waitFor(() =>
      expect(document.querySelectorAll("[data-testid=recon-chart] .recharts-bar").length).toBe(2),
    );

    // Exceptions first, paged by the engine.
    await waitFor(() => expect(resultRows()).toHaveLength(5));
    expect(ipc.callsOf("list_reconciliation_results")).toEqual([
      { runId: 12, category: "exception", kind: null, limit: 50, offset: 0 },
    ]);
    const first = screen.getByTestId("recon-result-row-1");
    expect(within(first).getByText("Exception")).toBeTruthy();
    expect(within(first).getByText("Missing in Salesforce")).toBeTruthy();
    expect(within(first).getByText("ch_1")).toBeTruthy();
    expect(within(first).getByText("Open")).toBeTruthy();
    expect(within(screen.getByTestId("recon-result-row-5")).getByText("Explained")).toBeTruthy();

    // An older run, picked from the list, that does not balance.
    await user.selectOptions(screen.getByTestId("recon-run-select"), "11");
    await waitFor(() => expect(ipc.callsOf("get_reconciliation_run").at(-1)).toEqual({ id: 11 }));
    await waitFor(() =>
      expect(screen.getByTestId("recon-balance").textContent).toContain("Totals do not balance"),
    );
    expect(screen.getByTestId("recon-balance").getAttribute("data-balances")).toBe("false");
    await waitFor(() =>
      expect(ipc.callsOf("list_reconciliation_results").at(-1)).toMatchObject({ runId: 11 }),
    );
  });

  it("narrows the results to a kind from its chip, in its category", async () => {
    const { ipc, user } = renderRecon();
    await ready();
    await waitFor(() => expect(resultRows()).toHaveLength(5));

    const mismatch = chip("exception", "amount_mismatch");
    expect(mismatch.textContent).toContain("Amount mismatch");
    expect(mismatch.textContent).toContain("1 open");
    expect(mismatch.getAttribute("aria-label")).toBe("Amount mismatch: 2, 1 open");
    expect(chip("exception", "missing_in_salesforce").textContent).toContain(
      "Missing in Salesforce",
    );
    expect(chip("matched", "many_to_one").textContent).toContain("Many to one");

    await user.click(mismatch);
    await waitFor(() =>
      expect(ipc.callsOf("list_reconciliation_results").at(-1)).toEqual({
        runId: 12,
        category: "exception",
        kind: "amount_mismatch",
        limit: 50,
        offset: 0,
      }),
    );
    await waitFor(() => expect(resultRows()).toHaveLength(2));
    expect(chip("exception", "amount_mismatch").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("recon-kind-filter").textContent).toContain("Only Amount mismatch");

    // A suggestion's chip switches the category too.
    await user.click(chip("suggested", "one_to_one"));
    await waitFor(() =>
      expect(ipc.callsOf("list_reconciliation_results").at(-1)).toMatchObject({
        category: "suggested",
        kind: "one_to_one",
      }),
    );
    await waitFor(() => expect(resultRows()).toHaveLength(3));
    expect(
      within(screen.getByTestId("recon-category")).getByLabelText("Suggested (3)"),
    ).toHaveProperty("checked", true);

    await user.click(screen.getByTestId("recon-kind-clear"));
    await waitFor(() =>
      expect(ipc.callsOf("list_reconciliation_results").at(-1)).toMatchObject({
        category: "suggested",
        kind: null,
      }),
    );
    expect(screen.queryByTestId("recon-kind-filter")).toBeNull();

    await user.click(within(screen.getByTestId("recon-category")).getByLabelText("Matched (240)"));
    await waitFor(() => expect(resultRows()).toHaveLength(2));
    const many = screen.getByTestId("recon-result-row-10");
    expect(many.textContent).toContain("+1 more");
    expect(within(many).getByLabelText("Nothing to decide")).toBeTruthy();
  });

  it("opens an exception side by side and explains it, only with a note", async () => {
    const { ipc, user } = renderRecon();
    await ready();
    const drawer = await openResult(user, 4);
    expect(within(drawer).getByText("Result 4")).toBeTruthy();
    expect(within(drawer).getByTestId("recon-result-kind").textContent).toBe("Amount mismatch");
    expect(within(drawer).getByTestId("recon-result-provider").textContent).toContain("ch_4");
    expect(within(drawer).getByTestId("recon-result-salesforce").textContent).toContain("a01Demo4");
    expect(within(drawer).getByTestId("recon-result-reason").textContent).toBe(
      "ch_4 is 120.00 EUR at Stripe and 102.00 EUR on a01Demo4",
    );
    expect(within(drawer).queryByTestId("recon-accept")).toBeNull();
    expect(within(drawer).queryByTestId("recon-resolution")).toBeNull();

    await user.click(within(drawer).getByTestId("recon-explain"));
    const save = (await screen.findByTestId("recon-explain-save")) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    const note = screen.getByTestId("recon-explain-note");
    await user.type(note, "   ");
    expect(save.disabled).toBe(true);
    await user.type(note, "Salesforce holds the amount after a manual discount");
    expect(save.disabled).toBe(false);
    await user.click(save);

    await waitFor(() =>
      expect(ipc.callsOf("resolve_reconciliation_result")).toEqual([
        {
          id: 4,
          decision: "explained",
          note: "Salesforce holds the amount after a manual discount",
        },
      ]),
    );
    expect(await screen.findByText("Result 4 marked explained")).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("recon-explain-note")).toBeNull());
    const resolution = await within(drawer).findByTestId("recon-resolution");
    expect(resolution.textContent).toContain("Explained");
    expect(resolution.textContent).toContain("Decided: explained by maria@acme.test");
    expect(resolution.textContent).toContain("Salesforce holds the amount after a manual discount");
    // Decided: no more buttons, and the row says so once the page is read again.
    expect(within(drawer).queryByTestId("recon-explain")).toBeNull();
    expect(within(drawer).queryByTestId("recon-fixed")).toBeNull();
    await waitFor(() =>
      expect(
        within(screen.getByTestId("recon-result-row-4")).getByTestId("recon-row-resolution")
          .textContent,
      ).toContain("Explained"),
    );
  });

  it("accepts a suggestion, with its money broken down", async () => {
    const { ipc, user } = renderRecon();
    await ready();
    await user.click(within(screen.getByTestId("recon-category")).getByLabelText("Suggested (3)"));
    const drawer = await openResult(user, 6);
    const breakdown = within(drawer).getByTestId("recon-result-breakdown");
    for (const amount of ["100.00", "3.20", "0.00", "96.80"]) {
      expect(breakdown.textContent).toContain(amount);
    }
    expect(within(drawer).queryByTestId("recon-explain")).toBeNull();
    expect(within(drawer).getByTestId("recon-reject")).toBeTruthy();

    await user.click(within(drawer).getByTestId("recon-accept"));
    await waitFor(() =>
      expect(ipc.callsOf("resolve_reconciliation_result")).toEqual([
        { id: 6, decision: "accepted", note: null },
      ]),
    );
    expect(await screen.findByText("Result 6 accepted")).toBeTruthy();
    expect((await within(drawer).findByTestId("recon-resolution")).textContent).toContain(
      "accepted",
    );
    expect(within(drawer).queryByTestId("recon-accept")).toBeNull();
    expect(within(drawer).queryByTestId("recon-reject")).toBeNull();

    // An already decided suggestion shows who decided and offers nothing.
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByText("Result 6")).toBeNull());
    const decided = await openResult(user, 8);
    expect(within(decided).getByTestId("recon-resolution").textContent).toContain("omar@acme.test");
    expect(within(decided).queryByTestId("recon-accept")).toBeNull();
  });

  it("says why a decision was refused, and keeps the buttons", async () => {
    const { ipc, user } = renderRecon({
      resolve_reconciliation_result: () => {
        throw ipcError({
          code: "validation",
          message:
            "decision needs Salesforce connected: decisions are made as the Salesforce user signed in",
          retryable: false,
        });
      },
    });
    await ready();
    const drawer = await openResult(user, 1);
    await user.click(within(drawer).getByTestId("recon-fixed"));
    await waitFor(() =>
      expect(ipc.callsOf("resolve_reconciliation_result")).toEqual([
        { id: 1, decision: "fixed", note: null },
      ]),
    );
    const notice = await within(drawer).findByTestId("error-notice");
    expect(notice.textContent).toContain("Result 1 was not decided");
    expect(notice.textContent).toContain("needs Salesforce connected");
    expect(within(drawer).getByTestId("recon-fixed")).toBeTruthy();
  });

  it("writes a missing record to Salesforce, or says why it cannot", async () => {
    const { ipc, user } = renderRecon({
      fix_reconciliation_result: (args) => {
        if (args.id === 2) {
          throw ipcError({
            code: "conflict",
            message:
              "result 2 cannot be fixed: Salesforce record a01X does not carry ch_2 as its external id",
            retryable: false,
          });
        }
        return reconResult(Number(args.id), {
          resolution: "fixed",
          resolvedBy: "maria@acme.test",
          resolvedAt: NOW,
          note: "Written to Salesforce from Stripe: job #41",
          fixable: false,
        });
      },
    });
    await ready();
    const drawer = await openResult(user, 1);
    await user.click(within(drawer).getByTestId("recon-write"));
    await waitFor(() =>
      expect(ipc.callsOf("fix_reconciliation_result")).toEqual([{ id: 1, note: null }]),
    );
    expect(await screen.findByText("Result 1 sent to Salesforce")).toBeTruthy();
    const resolution = await within(drawer).findByTestId("recon-resolution");
    expect(resolution.textContent).toContain("Decided: fixed by maria@acme.test");
    expect(resolution.textContent).toContain("job #41");
    expect(within(drawer).queryByTestId("recon-write")).toBeNull();

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByText("Result 1")).toBeNull());
    const refused = await openResult(user, 2);
    await user.click(within(refused).getByTestId("recon-write"));
    const notice = await within(refused).findByTestId("error-notice");
    expect(notice.textContent).toContain("Result 2 was not written to Salesforce");
    expect(notice.textContent).toContain("does not carry ch_2");
    expect(within(refused).getByTestId("recon-write")).toBeTruthy();

    // Nothing to write for a suggestion or a decided exception.
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByText("Result 2")).toBeNull());
    const explained = await openResult(user, 5);
    expect(within(explained).queryByTestId("recon-write")).toBeNull();
  });

  it("opens a result from the keyboard", async () => {
    const { user } = renderRecon();
    await ready();
    const row = await screen.findByTestId("recon-result-row-2");
    row.focus();
    await user.keyboard("{Enter}");
    const drawer = await screen.findByTestId("recon-result-drawer");
    expect(within(drawer).getByText("Result 2")).toBeTruthy();
  });

  it("exports the run and says where the file is", async () => {
    const { ipc, user } = renderRecon();
    await ready();
    expect(screen.queryByTestId("recon-export-path")).toBeNull();
    await user.click(screen.getByTestId("recon-export-csv"));
    await waitFor(() =>
      expect(ipc.callsOf("export_reconciliation_run")).toEqual([{ id: 12, format: "csv" }]),
    );
    const path = "/home/finance/.local/share/paysync/exports/reconciliation-run-12.csv";
    expect(
      await screen.findByText(`Saved to ${path}`, { selector: ".mantine-Notification-title" }),
    ).toBeTruthy();
    expect((await screen.findByTestId("recon-export-path")).textContent).toContain(path);

    await user.click(screen.getByTestId("recon-export-xlsx"));
    await waitFor(() =>
      expect(screen.getByTestId("recon-export-path").textContent).toContain(
        "reconciliation-run-12.xlsx",
      ),
    );
  });

  it("runs a chosen period, shows it is under way, then opens the new run", async () => {
    const pending = deferred<ReconRunRow>();
    const { ipc, user } = renderRecon({ run_reconciliation: () => pending.promise });
    await ready();
    const week = lastSevenDays();
    const from = screen.getByTestId("recon-from") as HTMLInputElement;
    const to = screen.getByTestId("recon-to") as HTMLInputElement;
    expect([from.value, to.value]).toEqual([week.from, week.to]);
    const runNow = screen.getByTestId("recon-run-now") as HTMLButtonElement;

    await user.clear(from);
    await user.type(from, "2025-11-31");
    expect(screen.getByText("A day as YYYY-MM-DD")).toBeTruthy();
    expect(runNow.disabled).toBe(true);
    await user.clear(from);
    await user.type(from, "2025-11-01");
    await user.clear(to);
    await user.type(to, "2025-10-31");
    expect(screen.getByText("On or after From")).toBeTruthy();
    expect(runNow.disabled).toBe(true);
    await user.clear(to);
    await user.type(to, "2025-11-30");
    expect(runNow.disabled).toBe(false);

    await user.click(runNow);
    await waitFor(() =>
      expect(ipc.callsOf("run_reconciliation")).toEqual([{ from: "2025-11-01", to: "2025-11-30" }]),
    );
    expect((await screen.findByTestId("recon-running")).textContent).toContain(
      "Reconciling 2025-11-01 – 2025-11-30",
    );
    expect(runNow.getAttribute("data-loading")).toBe("true");

    pending.resolve(reconRun(13, { periodFrom: "2025-11-01", periodTo: "2025-11-30" }));
    await waitFor(() => expect(ipc.callsOf("get_reconciliation_run").at(-1)).toEqual({ id: 13 }));
    expect(
      await screen.findByText("Reconciliation of 2025-11-01 – 2025-11-30 finished"),
    ).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("recon-running")).toBeNull());
    // The list of runs is read again.
    expect(ipc.callsOf("list_reconciliation_runs").length).toBeGreaterThan(1);
  });

  it("offers Run now instead of an error when nothing has been reconciled yet", async () => {
    let made: ReconRunRow | null = null;
    const { ipc, user } = renderRecon({
      list_reconciliation_runs: () => (made ? [made] : []),
      get_reconciliation_run: () => {
        if (!made) {
          throw ipcError({
            code: "notFound",
            message: "No reconciliation has run yet.",
            retryable: false,
          });
        }
        return reconRunDetail({ run: made });
      },
      run_reconciliation: (args) => {
        made = reconRun(1, { periodFrom: String(args.from), periodTo: String(args.to) });
        return made;
      },
    });
    await ready();
    const empty = screen.getByTestId("recon-empty-state");
    expect(empty.textContent).toContain("No reconciliation yet");
    expect(screen.queryByTestId("error-notice")).toBeNull();
    expect((screen.getByTestId("recon-export-csv") as HTMLButtonElement).disabled).toBe(true);

    await user.click(within(empty).getByTestId("recon-empty-run-now"));
    const week = lastSevenDays();
    await waitFor(() => expect(ipc.callsOf("run_reconciliation")).toEqual([week]));
    await waitFor(() =>
      expect(screen.getByTestId("recon-balance").textContent).toContain("Totals balance"),
    );
    expect(screen.queryByTestId("recon-empty-state")).toBeNull();
    expect(ipc.callsOf("get_reconciliation_run").at(-1)).toEqual({ id: 1 });
  });

  it("says why the run could not be loaded", async () => {
    renderRecon({
      get_reconciliation_run: () => {
        throw ipcError({ code: "unavailable", message: "Reconciliation is not set up yet." });
      },
    });
    const notice = await screen.findByTestId("error-notice");
    expect(notice.textContent).toContain("The latest run could not be loaded");
    expect(notice.textContent).toContain("Reconciliation is not set up yet.");
  });
});
