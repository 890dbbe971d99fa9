import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { PayoutBatchRow, PayoutCorrection, PayoutItemRow } from "../../bindings";
import type { Handlers } from "../../test/backend";
import { mockBackend } from "../../test/backend";
import {
  dryRunReport,
  ipcError,
  payoutBatch,
  payoutBatchDetail,
  payoutItem,
} from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { PayoutsScreen } from "./PayoutsScreen";

/** The open batches, newest first: a draft, a held one that needs two approvals, an approved one. */
function openBatches(): PayoutBatchRow[] {
  return [
    payoutBatch("pb_1"),
    payoutBatch("pb_2", {
      status: "held",
      currency: "USD",
      total: "250000.00",
      itemCount: 40,
      approvals: 1,
      approvalsNeeded: 2,
      heldReason: "Insufficient funds: the USD balance is 1200.00",
      createdAt: "2025-11-20T10:00:00Z",
    }),
    payoutBatch("pb_3", {
      status: "approved",
      currency: "GBP",
      total: "99.90",
      itemCount: 1,
      approvals: 1,
      createdAt: "2025-11-19T10:00:00Z",
    }),
  ];
}

/** Money on its way: 10 items, 6 paid, 1 failed, 3 in flight. */
const SUBMITTED = payoutBatch("pb_9", {
  status: "submitted",
  itemCount: 10,
  total: "5000.00",
  approvals: 1,
  paid: 6,
  failed: 1,
  inFlight: 3,
  createdAt: "2025-11-18T10:00:00Z",
});

function needsCorrection(id: number, overrides: Partial<PayoutItemRow> = {}): PayoutItemRow {
  return payoutItem(id, { batchId: null, state: "needs_correction", ...overrides });
}

function corrections(): PayoutItemRow[] {
  return [
    needsCorrection(21, {
      payeeName: "Jana Novak",
      email: null,
      country: null,
      reason: "No email and no country: Payoneer needs both to pay a new payee",
    }),
    needsCorrection(22, {
      payeeName: "Omar Haddad",
      email: "omar@example.com",
      payeeId: "payee_blocked",
      reason: "Payee payee_blocked is blocked at Payoneer",
    }),
  ];
}

function renderPayouts(handlers: Handlers = {}, hash = "") {
  const ipc = mockBackend({
    list_payout_batches: (args) => {
      if (args.status === "held") return openBatches().filter((b) => b.status === "held");
      if (args.status === "all") return [...openBatches(), SUBMITTED];
      return openBatches();
    },
    // The engine's fresh read: its content hash is the one the approver is shown.
    get_payout_batch: (args) => {
      const id = String(args.id);
      const row = [...openBatches(), SUBMITTED].find((b) => b.id === id) ?? payoutBatch(id);
      return payoutBatchDetail({ batch: { ...row, contentHash: `shown-${id}` } });
    },
    approve_payout_batch: (args) => {
      const row = openBatches().find((b) => b.id === args.id) ?? payoutBatch(String(args.id));
      return { ...row, status: "approved", approvals: row.approvals + 1 };
    },
    reject_payout_batch: (args) =>
      payoutBatch(String(args.id), { status: "rejected", contentHash: `shown-${String(args.id)}` }),
    dry_run_payout_batch: () => dryRunReport(),
    list_payout_corrections: () => corrections(),
    correct_payout_item: (args) => {
      const c = args.correction as PayoutCorrection;
      return payoutItem(c.itemId, { state: "ready", email: c.email, country: c.country });
    },
    ...handlers,
  });
  renderWithProviders(<PayoutsScreen />, { hash });
  return { ipc };
}

async function openBatch(id: string) {
  const user = userEvent.setup();
  const row = await screen.findByTestId(`payout-batch-row-${id}`);
  await user.click(row.querySelector("td") as HTMLElement);
  const drawer = await screen.findByTestId("payout-batch-drawer");
  await within(drawer).findByTestId("payout-batch-items");
  return { user, drawer };
}

function approveButton(drawer: HTMLElement) {
  return within(drawer).getByTestId("payout-approve") as HTMLButtonElement;
}

describe("Payouts", () => {
  it("lists the open batches with their totals, statuses and approvals", async () => {
    const user = userEvent.setup();
    const { ipc } = renderPayouts();
    const first = await screen.findByTestId("payout-batch-row-pb_1");
    await waitFor(() =>
      expect(screen.getByTestId("screen-payouts").getAttribute("data-ready")).toBe("true"),
    );
    expect(screen.getByTestId("payouts-screen")).toBeTruthy();
    expect(ipc.callsOf("list_payout_batches")).toEqual([{ status: null }]);

    const table = screen.getByTestId("payout-batches-table");
    // Newest first.
    expect(
      within(table)
        .getAllByRole("row")
        .slice(1)
        .map((r) => r.getAttribute("data-testid")),
    ).toEqual(["payout-batch-row-pb_1", "payout-batch-row-pb_2", "payout-batch-row-pb_3"]);
    // Totals as the engine sent them, with their currency; statuses and approvals in words.
    expect(first.textContent).toContain("1234.50 EUR");
    expect(within(first).getByText("Draft")).toBeTruthy();
    expect(within(first).getByLabelText("0 of 1 approvals").textContent).toBe("0 / 1");
    const held = screen.getByTestId("payout-batch-row-pb_2");
    expect(held.textContent).toContain("250000.00 USD");
    expect(within(held).getByText("Held")).toBeTruthy();
    expect(within(held).getByLabelText("1 of 2 approvals").textContent).toBe("1 / 2");
    expect(within(screen.getByTestId("payout-batch-row-pb_3")).getByText("Approved")).toBeTruthy();

    // The total sorts by value, not as text ("99.90" is the smallest, not the largest).
    await user.click(screen.getByTestId("sort-total"));
    expect(
      within(table)
        .getAllByRole("row")
        .slice(1)
        .map((r) => r.getAttribute("data-testid")),
    ).toEqual(["payout-batch-row-pb_2", "payout-batch-row-pb_1", "payout-batch-row-pb_3"]);

    // The filter asks the engine again.
    await user.click(within(screen.getByTestId("payout-batches-status")).getByLabelText("Held"));
    await waitFor(() =>
      expect(ipc.callsOf("list_payout_batches").at(-1)).toEqual({ status: "held" }),
    );
    await waitFor(() => expect(screen.queryByTestId("payout-batch-row-pb_1")).toBeNull());
    expect(screen.getByTestId("payout-batch-row-pb_2")).toBeTruthy();
    await user.click(within(screen.getByTestId("payout-batches-status")).getByLabelText("All"));
    await waitFor(() =>
      expect(ipc.callsOf("list_payout_batches").at(-1)).toEqual({ status: "all" }),
    );
  });

  it("shows how far a submitted batch has got, and watches it live", async () => {
    const user = userEvent.setup();
    const { ipc } = renderPayouts();
    await screen.findByTestId("payout-batch-row-pb_1");
    await user.click(within(screen.getByTestId("payout-batches-status")).getByLabelText("All"));
    const row = await screen.findByTestId("payout-batch-row-pb_9");
    expect(within(row).getByText("Submitted")).toBeTruthy();
    expect(screen.getByTestId("payout-batch-outcome-pb_9").textContent).toContain(
      "6 paid · 1 failed · 3 in flight",
    );
    // Not sent yet: no outcome.
    expect(within(screen.getByTestId("payout-batch-row-pb_1")).getByLabelText("Not sent yet"));
    expect(screen.getByTestId("payout-batches-live")).toBeTruthy();

    const { drawer } = await openBatch("pb_9");
    const progress = within(drawer).getByTestId("payout-batch-progress");
    expect(progress.textContent).toContain("7 of 10 settled");
    expect(
      within(progress).getByRole("progressbar", { name: "7 of 10 items settled" }),
    ).toBeTruthy();
    // Sent: it can no longer be dry-run or rejected.
    expect((within(drawer).getByTestId("payout-dry-run") as HTMLButtonElement).disabled).toBe(true);
    expect((within(drawer).getByTestId("payout-reject") as HTMLButtonElement).disabled).toBe(true);

    // Both the list and the batch are read again every 2 s while money is on its way.
    const lists = ipc.callsOf("list_payout_batches").length;
    const details = ipc.callsOf("get_payout_batch").length;
    await waitFor(
      () => {
        expect(ipc.callsOf("list_payout_batches").length).toBeGreaterThan(lists);
        expect(ipc.callsOf("get_payout_batch").length).toBeGreaterThan(details);
      },
      { timeout: 5_000 },
    );
  });

  it("opens a batch with its facts, approvals and items, and approves what it shows", async () => {
    const { ipc } = renderPayouts({
      get_payout_batch: (args) =>
        payoutBatchDetail({
          batch: payoutBatch(String(args.id), {
            contentHash: "9f2c41aa07d3e5b6",
            makers: ["maker@acme.test", "second.maker@acme.test"],
          }),
          approvalLog: [
            {
              actor: "earlier@acme.test",
              decision: "approve",
              reason: null,
              at: "2025-11-21T10:30:00Z",
              current: false,
            },
          ],
        }),
    });
    const { user, drawer } = await openBatch("pb_1");
    expect(ipc.callsOf("get_payout_batch")).toEqual([{ id: "pb_1" }]);
    expect(within(drawer).getByText("Batch pb_1")).toBeTruthy();
    expect(within(drawer).getByTestId("payout-batch-position").textContent).toBe("1 of 3");
    expect(within(drawer).getByTestId("payout-batch-total").textContent).toBe("1234.50 EUR");
    expect(within(drawer).getByTestId("payout-batch-status").textContent).toBe("Draft");
    expect(within(drawer).getByTestId("payout-batch-approvals").textContent).toBe("0 / 1");
    expect(within(drawer).getByTestId("payout-batch-created-by").textContent).toBe("paysync");
    expect(within(drawer).getByTestId("payout-batch-makers").textContent).toBe(
      "maker@acme.test, second.maker@acme.test",
    );
    expect(within(drawer).getByTestId("payout-batch-hash").textContent).toBe("9f2c41aa07d3");
    // An approval of earlier content is shown, and marked as no longer counting.
    const log = within(drawer).getByTestId("payout-approval-log");
    expect(log.textContent).toContain("earlier@acme.test");
    expect(log.textContent).toContain("Earlier content");
    const item = within(drawer).getByTestId("payout-item-2");
    expect(item.textContent).toContain("PR-000002");
    expect(item.textContent).toContain("Payee 2");
    expect(item.textContent).toContain("payee_2");
    expect(item.textContent).toContain("payee2@example.com");
    expect(item.textContent).toContain("411.50 EUR");
    expect(within(item).getByText("Batched")).toBeTruthy();
    expect(within(drawer).queryByTestId("payout-batch-held")).toBeNull();

    const before = ipc.callsOf("list_payout_batches").length;
    await user.click(approveButton(drawer));
    // Bound to exactly the content shown.
    await waitFor(() =>
      expect(ipc.callsOf("approve_payout_batch")).toEqual([
        { id: "pb_1", contentHash: "9f2c41aa07d3e5b6" },
      ]),
    );
    expect(await screen.findByText("Batch pb_1 approved")).toBeTruthy();
    // The list and the batch are read again.
    await waitFor(() => expect(ipc.callsOf("list_payout_batches").length).toBeGreaterThan(before));
    await waitFor(() => expect(ipc.callsOf("get_payout_batch").length).toBe(2));
  });

  it("shows a held batch's reason", async () => {
    renderPayouts();
    const { drawer } = await openBatch("pb_2");
    expect(within(drawer).getByTestId("payout-batch-held").textContent).toContain(
      "Insufficient funds: the USD balance is 1200.00",
    );
  });

  it("says why Approve is off when the approver may not approve", async () => {
    const { ipc } = renderPayouts({
      get_payout_batch: (args) =>
        payoutBatchDetail({
          batch: payoutBatch(String(args.id)),
          canApprove: false,
          whyNot: "You approved its requests in Salesforce (maker-checker).",
        }),
    });
    const { user, drawer } = await openBatch("pb_1");
    const approve = approveButton(drawer);
    expect(approve.disabled).toBe(true);
    const why = within(drawer).getByTestId("payout-why-not");
    expect(why.textContent).toContain("You approved its requests in Salesforce (maker-checker).");
    expect(approve.getAttribute("aria-describedby")).toBe(why.id);
    // Nor from the keyboard.
    await user.keyboard("a");
    expect(ipc.callsOf("approve_payout_batch")).toEqual([]);
  });

  it("reloads the batch when it changed since it was shown", async () => {
    const { ipc } = renderPayouts({
      approve_payout_batch: () => {
        throw ipcError({
          code: "conflict",
          message: "The batch changed after you opened it: 1 item was added.",
          detail: null,
          retryable: false,
        });
      },
    });
    const { user, drawer } = await openBatch("pb_1");
    await user.click(approveButton(drawer));
    expect(await screen.findByText(/Batch pb_1 changed and was reloaded/)).toBeTruthy();
    expect(
      screen.getByText("The batch changed after you opened it: 1 item was added."),
    ).toBeTruthy();
    await waitFor(() => expect(ipc.callsOf("get_payout_batch")).toHaveLength(2));
  });

  it("rejects a batch only with a reason", async () => {
    const { ipc } = renderPayouts();
    const { user, drawer } = await openBatch("pb_1");
    await user.click(within(drawer).getByTestId("payout-reject"));
    const submit = (await screen.findByTestId("payout-reject-submit")) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    const reason = screen.getByTestId("payout-reject-reason");
    await user.type(reason, "   ");
    expect(submit.disabled).toBe(true);
    // Typing "a" or "r" in the reason is text, not a shortcut.
    await user.type(reason, "Duplicate of a payout already made");
    expect(submit.disabled).toBe(false);
    expect(ipc.callsOf("approve_payout_batch")).toEqual([]);
    await user.click(submit);
    await waitFor(() =>
      expect(ipc.callsOf("reject_payout_batch")).toEqual([
        { id: "pb_1", reason: "Duplicate of a payout already made" },
      ]),
    );
    expect(await screen.findByText("Batch pb_1 rejected")).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("payout-reject-submit")).toBeNull());
  });

  it("dry-runs a batch: problems by item and field, funds against the balance, the payload", async () => {
    const { ipc } = renderPayouts({
      dry_run_payout_batch: () =>
        dryRunReport({
          wouldSend: 2,
          balance: "800.00",
          enoughFunds: false,
          problems: [{ itemId: 2, requestId: "a0Q000002", field: "email", message: "is missing" }],
        }),
    });
    const { user, drawer } = await openBatch("pb_1");
    await user.click(within(drawer).getByTestId("payout-dry-run"));
    const report = await within(drawer).findByTestId("dry-run-report");
    expect(ipc.callsOf("dry_run_payout_batch")).toEqual([{ id: "pb_1" }]);
    expect(within(report).getByTestId("dry-run-funds").textContent).toBe("Not enough funds");
    expect(within(report).getByTestId("dry-run-would-send").textContent).toBe(
      "Would send 2 of 3 items.",
    );
    expect(report.textContent).toContain("1234.50 EUR");
    expect(report.textContent).toContain("6.00 EUR");
    expect(within(report).getByTestId("dry-run-balance").textContent).toBe("800.00 EUR");
    const problems = within(report).getAllByTestId("dry-run-problem");
    expect(problems).toHaveLength(1);
    expect(problems[0]?.textContent).toBe("PR-000002 (Payee 2) · item 2 · email: is missing");

    expect(within(report).queryByTestId("dry-run-payload")).toBeNull();
    await user.click(within(report).getByTestId("dry-run-payload-toggle"));
    expect(within(report).getByTestId("dry-run-payload").textContent).toContain(
      '"client_reference_id": "pi_1"',
    );
  });

  it("decides batch after batch from the keyboard", async () => {
    const { ipc } = renderPayouts();
    const { user, drawer } = await openBatch("pb_1");

    await user.keyboard("a");
    await waitFor(() =>
      expect(ipc.callsOf("approve_payout_batch")).toEqual([
        { id: "pb_1", contentHash: "shown-pb_1" },
      ]),
    );

    // j: the next batch of the list, in the same drawer.
    await user.keyboard("j");
    await waitFor(() => expect(within(drawer).getByText("Batch pb_2")).toBeTruthy());
    expect(within(drawer).getByTestId("payout-batch-position").textContent).toBe("2 of 3");
    await waitFor(() => expect(ipc.callsOf("get_payout_batch")).toContainEqual({ id: "pb_2" }));
    await within(drawer).findByTestId("payout-batch-held");

    // r: reject, with the reason typed in the dialog.
    await user.keyboard("r");
    const reason = await screen.findByTestId("payout-reject-reason");
    await waitFor(() => expect(document.activeElement).toBe(reason));
    await user.keyboard("Not funded this month");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() =>
      expect(ipc.callsOf("reject_payout_batch")).toEqual([
        { id: "pb_2", reason: "Not funded this month" },
      ]),
    );
    expect(ipc.callsOf("approve_payout_batch")).toHaveLength(1);

    // k: back to the previous one; `g a` is the Audit screen's shortcut, not an approval.
    await waitFor(() => expect(screen.queryByTestId("payout-reject-reason")).toBeNull());
    await user.keyboard("k");
    await waitFor(() => expect(within(drawer).getByText("Batch pb_1")).toBeTruthy());
    fireEvent.keyDown(document.body, { key: "g" });
    fireEvent.keyDown(document.body, { key: "a" });
    expect(ipc.callsOf("approve_payout_batch")).toHaveLength(1);
  });

  it("corrects a recipient: validated, only the changed fields sent, re-checked", async () => {
    let checks = 0;
    const { ipc } = renderPayouts({
      // The first save still leaves a problem; the second fixes it.
      correct_payout_item: (args) => {
        checks += 1;
        const c = args.correction as PayoutCorrection;
        return checks === 1
          ? needsCorrection(c.itemId, {
              payeeName: "Jana Novak",
              email: c.email,
              country: c.country,
              reason: "Payee jana@example.com is pending at Payoneer: no payee id yet",
              updatedAt: "2025-11-21T12:00:00Z",
            })
          : payoutItem(c.itemId, { state: "ready" });
      },
    });
    const user = userEvent.setup();
    const tab = await screen.findByTestId("payouts-tab-corrections");
    await waitFor(() =>
      expect(within(tab).getByTestId("payouts-corrections-badge").textContent).toBe("2"),
    );
    await user.click(tab);
    await waitFor(() => expect(window.location.hash).toBe("#/payouts?tab=corrections"));

    const table = screen.getByTestId("payout-corrections-table");
    const row = within(table).getByTestId("payout-correction-row-21");
    // The reason, in full.
    expect(
      within(row).getByText("No email and no country: Payoneer needs both to pay a new payee"),
    ).toBeTruthy();

    // The filter matches payee, email or reason.
    await user.type(screen.getByTestId("payout-corrections-filter"), "blocked");
    await waitFor(() => expect(within(table).queryByTestId("payout-correction-row-21")).toBeNull());
    expect(within(table).getByTestId("payout-correction-row-22")).toBeTruthy();
    await user.clear(screen.getByTestId("payout-corrections-filter"));

    await user.click(within(table).getByTestId("payout-correction-row-21").querySelector("td")!);
    const email = (await screen.findByTestId("correction-email")) as HTMLInputElement;
    const country = screen.getByTestId("correction-country") as HTMLInputElement;
    const payeeId = screen.getByTestId("correction-payee-id") as HTMLInputElement;
    const save = screen.getByTestId("correction-save") as HTMLButtonElement;
    expect([email.value, country.value, payeeId.value]).toEqual(["", "", "payee_21"]);
    expect(save.disabled).toBe(true);

    await user.type(country, "d1");
    expect(country.value).toBe("D1");
    expect(screen.getByText("Two letters A–Z: the ISO country code, e.g. DE")).toBeTruthy();
    expect(save.disabled).toBe(true);
    await user.clear(country);
    await user.type(country, "de");
    expect(country.value).toBe("DE");
    await user.type(email, "jana@example");
    expect(screen.getByText("An email address, e.g. name@example.com")).toBeTruthy();
    expect(save.disabled).toBe(true);
    await user.type(email, ".com");
    expect(save.disabled).toBe(false);
    await user.click(save);

    // The payee id was not touched: sent as null.
    await waitFor(() =>
      expect(ipc.callsOf("correct_payout_item")).toEqual([
        { correction: { itemId: 21, email: "jana@example.com", country: "DE", payeeId: null } },
      ]),
    );
    expect(
      await screen.findByText("Recipient corrected: written to Salesforce and re-checked"),
    ).toBeTruthy();
    // Still not payable: the dialog stays open with the new reason, from the saved values.
    const still = await screen.findByTestId("correction-still-invalid");
    expect(still.textContent).toContain("pending at Payoneer: no payee id yet");
    expect((screen.getByTestId("correction-email") as HTMLInputElement).value).toBe(
      "jana@example.com",
    );
    const before = ipc.callsOf("list_payout_corrections").length;
    expect(before).toBeGreaterThan(1);

    const newPayeeId = screen.getByTestId("correction-payee-id") as HTMLInputElement;
    await user.clear(newPayeeId);
    await user.type(newPayeeId, "payee_777");
    await user.click(screen.getByTestId("correction-save"));
    await waitFor(() =>
      expect(ipc.callsOf("correct_payout_item").at(-1)).toEqual({
        correction: { itemId: 21, email: null, country: null, payeeId: "payee_777" },
      }),
    );
    // Ready: the dialog closes, and the lists are read again.
    await waitFor(() => expect(screen.queryByTestId("correction-email")).toBeNull());
    await waitFor(() =>
      expect(ipc.callsOf("list_payout_corrections").length).toBeGreaterThan(before),
    );
    expect(ipc.callsOf("list_payout_batches").length).toBeGreaterThan(1);
  });

  it("opens on the Corrections tab from the URL, and says when there is nothing to do", async () => {
    renderPayouts(
      { list_payout_batches: () => [], list_payout_corrections: () => [] },
      "#/payouts?tab=corrections",
    );
    const empty = await screen.findByTestId("payout-corrections-empty");
    expect(empty.textContent).toContain("No recipients to correct");
    expect(screen.queryByTestId("payouts-corrections-badge")).toBeNull();
    await userEvent.setup().click(screen.getByTestId("payouts-tab-batches"));
    expect((await screen.findByTestId("payouts-empty")).textContent).toContain(
      "No batches to decide",
    );
  });

  it("says why the batches could not be loaded", async () => {
    renderPayouts({
      list_payout_batches: () => {
        throw ipcError({ code: "unavailable", message: "Payouts are not set up yet." });
      },
    });
    const notice = await screen.findByTestId("error-notice");
    expect(notice.textContent).toContain("The payout batches could not be loaded");
    expect(notice.textContent).toContain("Payouts are not set up yet.");
  });
});
