import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { PaymentQuery } from "../../bindings";
import type { Handlers } from "../../test/backend";
import { currencyChoices, formatMoney } from "../../lib/format";
import { mockBackend } from "../../test/backend";
import { ipcError, payment, paymentDetail, paymentPage } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { PaymentsScreen, toPaymentQuery } from "./PaymentsScreen";

const TOTAL = 100_000;

function renderPayments(handlers: Handlers = {}) {
  const ipc = mockBackend({
    list_payments: (args) => {
      const q = args.query as PaymentQuery;
      return paymentPage(TOTAL, q.offset, q.limit);
    },
    get_payment: (args) =>
      paymentDetail({ payment: payment({ providerId: String(args.providerId) }) }),
    ...handlers,
  });
  renderWithProviders(<PaymentsScreen />);
  const queries = () => ipc.callsOf("list_payments").map((a) => a.query as PaymentQuery);
  const lastQuery = () => queries().at(-1);
  return { ipc, queries, lastQuery };
}

function text(element: Element | null): string {
  return element?.textContent ?? "";
}

describe("Payments", () => {
  it("asks for the newest 50 payments and shows amounts and statuses in words", async () => {
    const { queries } = renderPayments();
    const screenRoot = screen.getByTestId("screen-payments");
    const row = await screen.findByTestId("payment-row-ch_100000");
    expect(screenRoot.getAttribute("data-ready")).toBe("true");
    expect(queries()[0]).toEqual({
      text: null,
      status: null,
      currency: null,
      minAmount: null,
      maxAmount: null,
      sort: "occurredAt",
      descending: true,
      offset: 0,
      limit: 50,
    });
    expect(within(screen.getByTestId("payments-table")).getAllByRole("row")).toHaveLength(51);
    expect(screen.getByTestId("payments-table-range").textContent).toMatch(/^1–50 of 100.?000$/);

    // ch_100000: 100000 % 3 = 1 → pending; amounts are formatted exactly, with the currency.
    expect(text(row)).toContain("ch_100000");
    expect(text(row)).toContain(formatMoney("100000.50", "EUR"));
    expect(within(row).getByText("Pending")).toBeTruthy();
    expect(within(row).getByText("Stripe")).toBeTruthy();
    const succeeded = screen.getByTestId("payment-row-ch_99999");
    expect(text(succeeded)).toContain(formatMoney("99999.50", "EUR"));
    expect(within(succeeded).getByText("Succeeded")).toBeTruthy();
    expect(within(screen.getByTestId("payment-row-ch_99998")).getByText("Failed")).toBeTruthy();
    // The amount column is right-aligned, header and cells.
    expect(screen.getByTestId("sort-amount").closest("th")?.style.textAlign).toBe("right");
  });

  it("sends the search text after a pause, and goes back to the first page", async () => {
    const user = userEvent.setup();
    const { queries, lastQuery } = renderPayments();
    await screen.findByTestId("payment-row-ch_100000");
    await user.click(screen.getByTestId("payments-table-next"));
    await waitFor(() => expect(lastQuery()?.offset).toBe(50));

    await user.type(screen.getByTestId("payments-filter-text"), "cus_4");
    await waitFor(() => expect(lastQuery()?.text).toBe("cus_4"));
    expect(lastQuery()).toMatchObject({ offset: 0, status: null, currency: null });
    // Debounced: no request went out for "c", "cu", … on the way.
    expect(queries().filter((q) => q.text !== null)).toHaveLength(1);
  });

  it("filters by status, back on the first page", async () => {
    const user = userEvent.setup();
    const { lastQuery } = renderPayments();
    await screen.findByTestId("payment-row-ch_100000");
    await user.click(screen.getByTestId("payments-table-next"));
    await waitFor(() => expect(lastQuery()?.offset).toBe(50));

    await user.selectOptions(screen.getByTestId("payments-filter-status"), "failed");
    await waitFor(() => expect(lastQuery()).toMatchObject({ status: "failed", offset: 0 }));

    await user.selectOptions(screen.getByTestId("payments-filter-status"), "Any status");
    await waitFor(() => expect(lastQuery()).toMatchObject({ status: null, offset: 0 }));
  });

  it("asks for a currency before an amount range, and sends the range with it", async () => {
    const user = userEvent.setup();
    const { queries, lastQuery } = renderPayments();
    await screen.findByTestId("payment-row-ch_100000");
    const min = screen.getByTestId("payments-filter-min") as HTMLInputElement;
    const max = screen.getByTestId("payments-filter-max") as HTMLInputElement;
    expect(min.disabled).toBe(true);
    expect(max.disabled).toBe(true);
    expect(screen.getAllByText("Choose a currency first")).toHaveLength(2);

    await user.click(screen.getByTestId("payments-table-next"));
    await waitFor(() => expect(lastQuery()?.offset).toBe(50));

    // The currency list is searchable by name, and by code from the keyboard.
    const currency = screen.getByTestId("payments-filter-currency");
    await user.click(currency);
    const franc = currencyChoices().find((c) => c.value === "CHF")?.label ?? "CHF";
    await user.type(currency, franc.replace(/^CHF — /, "").slice(0, 8));
    expect((await screen.findAllByRole("option")).map((o) => o.textContent)).toContain(franc);
    await user.clear(currency);
    await user.type(currency, "eur{Enter}");
    await waitFor(() => expect(lastQuery()).toMatchObject({ currency: "EUR", offset: 0 }));
    await waitFor(() => expect(min.disabled).toBe(false));

    await user.click(screen.getByTestId("payments-table-next"));
    await waitFor(() => expect(lastQuery()?.offset).toBe(50));
    await user.type(min, "100.00");
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({
        currency: "EUR",
        minAmount: "100.00",
        maxAmount: null,
        offset: 0,
      }),
    );

    // Text the engine would refuse is pointed out and never sent.
    await user.type(max, "5,000");
    expect(await screen.findByText(/Digits and a decimal point only/)).toBeTruthy();
    await user.clear(max);
    await user.type(max, "5000");
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ minAmount: "100.00", maxAmount: "5000" }),
    );
    expect(queries().some((q) => q.maxAmount === "5,000")).toBe(false);

    // Without a currency the range goes too, and the inputs are disabled again.
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ currency: null, minAmount: null, maxAmount: null }),
    );
    expect(min.disabled).toBe(true);
    expect(min.value).toBe("");
    // Not one request ever carried an amount without its currency.
    expect(
      queries().every((q) => (q.minAmount === null && q.maxAmount === null) || q.currency),
    ).toBe(true);
  });

  it("never puts an amount in the query without its currency", () => {
    const state = {
      pagination: { pageIndex: 2, pageSize: 50 },
      sorting: [{ id: "amount", desc: false }],
      columnFilters: [
        { id: "minAmount", value: "10" },
        { id: "maxAmount", value: "20" },
      ],
    };
    expect(toPaymentQuery(state)).toMatchObject({
      currency: null,
      minAmount: null,
      maxAmount: null,
      sort: "amount",
      descending: false,
      offset: 100,
    });
    expect(
      toPaymentQuery({
        ...state,
        columnFilters: [...state.columnFilters, { id: "currency", value: "eur" }],
      }),
    ).toMatchObject({ currency: "EUR", minAmount: "10", maxAmount: "20" });
  });

  it("sorts by a clicked header, and says so to assistive technology", async () => {
    const user = userEvent.setup();
    const { lastQuery } = renderPayments();
    await screen.findByTestId("payment-row-ch_100000");
    expect(screen.getByTestId("sort-occurredAt").closest("th")?.getAttribute("aria-sort")).toBe(
      "descending",
    );
    // The provider is not a sort column of the engine.
    expect(screen.queryByTestId("sort-provider")).toBeNull();

    await user.click(screen.getByTestId("payments-table-next"));
    await waitFor(() => expect(lastQuery()?.offset).toBe(50));
    await user.click(screen.getByTestId("sort-amount"));
    // Largest first, from the first page.
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ sort: "amount", descending: true, offset: 0 }),
    );
    expect(screen.getByTestId("sort-amount").closest("th")?.getAttribute("aria-sort")).toBe(
      "descending",
    );

    await user.click(screen.getByTestId("sort-customer"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: "customer", descending: false }));
    await user.click(screen.getByTestId("sort-status"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: "status", descending: false }));
    await user.click(screen.getByTestId("sort-providerId"));
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ sort: "providerId", descending: false }),
    );
    await user.click(screen.getByTestId("sort-providerId"));
    await waitFor(() =>
      expect(lastQuery()).toMatchObject({ sort: "providerId", descending: true }),
    );
  });

  it("opens a payment's timeline from a click, events and Salesforce writes told apart", async () => {
    const user = userEvent.setup();
    const { ipc } = renderPayments();
    await user.click(await screen.findByTestId("payment-row-ch_99999"));

    await waitFor(() =>
      expect(ipc.callsOf("get_payment")).toEqual([{ provider: "stripe", providerId: "ch_99999" }]),
    );
    const drawer = await screen.findByTestId("payment-drawer");
    expect(within(drawer).getByText("Payment ch_99999")).toBeTruthy();
    const timeline = await screen.findByTestId("payment-timeline");
    const entries = within(timeline).getAllByTestId("payment-timeline-entry");
    expect(entries.map((e) => e.getAttribute("data-kind"))).toEqual([
      "event",
      "salesforce_write",
      "event",
    ]);
    expect(entries.map((e) => within(e).getByText(/charge\.|Salesforce \(/).textContent)).toEqual([
      "charge.succeeded",
      "Written to Salesforce (charge)",
      "charge.refunded",
    ]);
    // Told apart in words (and icon and colour), not by colour alone.
    expect(within(entries[0] as HTMLElement).getByText("Stripe event")).toBeTruthy();
    expect(within(entries[1] as HTMLElement).getByText("Salesforce write")).toBeTruthy();
    expect(text(entries[1] as HTMLElement)).toContain("→ Salesforce record a01Demo01");
    expect(text(entries[2] as HTMLElement)).toContain("refund re_1: succeeded, 20.00 EUR");
    // The facts come with it: the amount in its currency, the status in words.
    expect(screen.getByTestId("payment-amount").textContent).toBe(formatMoney("1234.50", "EUR"));
    expect(screen.getByTestId("payment-status").textContent).toBe("Succeeded");
  });

  it("opens a payment from the keyboard", async () => {
    const user = userEvent.setup();
    const { ipc } = renderPayments();
    const row = await screen.findByTestId("payment-row-ch_99998");
    row.focus();
    await user.keyboard("{Enter}");
    await screen.findByTestId("payment-timeline");
    expect(ipc.callsOf("get_payment")).toEqual([{ provider: "stripe", providerId: "ch_99998" }]);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("payment-timeline")).toBeNull());
  });

  it("says why a timeline could not be loaded", async () => {
    const user = userEvent.setup();
    renderPayments({
      get_payment: () => {
        throw ipcError({ code: "notFound", message: "No such payment.", retryable: false });
      },
    });
    await user.click(await screen.findByTestId("payment-row-ch_100000"));
    const notice = await screen.findByTestId("error-notice");
    expect(notice.textContent).toContain("The timeline could not be loaded");
    expect(notice.textContent).toContain("No such payment.");
  });

  it("says when nothing is synced yet, and when nothing matches", async () => {
    const user = userEvent.setup();
    renderPayments({ list_payments: () => ({ total: 0, rows: [] }) });
    const empty = await screen.findByTestId("payments-empty");
    expect(empty.textContent).toContain("Payments appear here after the first Stripe pull");
    expect(screen.getByTestId("payments-table-range").textContent).toBe("0–0 of 0");

    fireEvent.change(screen.getByTestId("payments-filter-status"), {
      target: { value: "failed" },
    });
    await waitFor(() =>
      expect(screen.getByTestId("payments-empty").textContent).toContain(
        "No payments match these filters",
      ),
    );
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() =>
      expect(screen.getByTestId("payments-empty").textContent).toContain("No payments yet"),
    );
  });
});
