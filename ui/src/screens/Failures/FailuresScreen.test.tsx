import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { FailureQuery } from "../../bindings";
import type { Handlers } from "../../test/backend";
import { emitEngineEvent, mockBackend } from "../../test/backend";
import {
  failureDetail,
  failureGroups,
  failurePage,
  failureRow,
  ipcError,
} from "../../test/fixtures";
import { useEngineActivity } from "../../lib/engineActivity";
import { renderWithProviders } from "../../test/render";
import { FailuresScreen } from "./FailuresScreen";

const TOTAL = 120;

/** Nothing narrowed. */
const ANY = { provider: null, object: null, age: null };

/** The screen as the frame hosts it: reloading on engine events. */
function WithEngineEvents() {
  useEngineActivity();
  return <FailuresScreen />;
}

function renderFailures(handlers: Handlers = {}) {
  // What the engine holds: a replay or discard settles the failure for every later read.
  const settled = new Map<number, { status: string; resolution: string }>();
  const detailOf = (id: number) =>
    failureDetail({
      failure: failureRow(id, { status: settled.get(id)?.status ?? "open" }),
      resolution: settled.get(id)?.resolution ?? null,
    });
  const ipc = mockBackend({
    list_failure_groups: () => failureGroups(),
    list_failures: (args) => {
      const q = args.query as FailureQuery;
      return failurePage(TOTAL, q.offset, q.limit, { status: q.status ?? "open" });
    },
    get_failure: (args) => detailOf(Number(args.id)),
    replay_failure: (args) => {
      settled.set(Number(args.id), { status: "replayed", resolution: "replayed by the console" });
      return detailOf(Number(args.id));
    },
    discard_failure: (args) => {
      settled.set(Number(args.id), {
        status: "discarded",
        resolution: `discarded by the console: ${String(args.reason)}`,
      });
      return detailOf(Number(args.id));
    },
    ...handlers,
  });
  renderWithProviders(<WithEngineEvents />);
  const queries = () => ipc.callsOf("list_failures").map((a) => a.query as FailureQuery);
  const lastQuery = () => queries().at(-1);
  return { ipc, queries, lastQuery };
}

async function openFailure(id: number) {
  const user = userEvent.setup();
  await user.click(await screen.findByTestId(`failure-row-${id}`));
  const drawer = await screen.findByTestId("failure-drawer");
  await within(drawer).findByTestId("failure-payload");
  return { user, drawer };
}

describe("Failures", () => {
  it("shows the open failures by root cause, then the newest 50", async () => {
    const { ipc, queries } = renderFailures();
    const row = await screen.findByTestId("failure-row-120");
    const groups = await screen.findByTestId("failure-groups");
    await waitFor(() =>
      expect(screen.getByTestId("screen-failures").getAttribute("data-ready")).toBe("true"),
    );
    expect(queries()[0]).toEqual({
      status: "open",
      kind: null,
      errorCode: null,
      scope: ANY,
      offset: 0,
      limit: 50,
    });
    expect(ipc.callsOf("list_failure_groups")).toEqual([{ status: "open", scope: ANY }]);

    const group = within(groups).getByTestId(
      "failure-group-stripe.salesforce.record-FIELD_CUSTOM_VALIDATION_EXCEPTION",
    );
    expect(group.textContent).toContain(
      "37 × FIELD_CUSTOM_VALIDATION_EXCEPTION — stripe.salesforce.record",
    );
    expect(group.textContent).toContain("Amount__c must be positive");
    expect(
      within(groups).getByTestId("failure-group-salesforce.stripe.subscription-match.ambiguous")
        .textContent,
    ).toContain("4 × match.ambiguous");

    expect(within(screen.getByTestId("failures-table")).getAllByRole("row")).toHaveLength(51);
    expect(screen.getByTestId("failures-table-range").textContent).toBe("1–50 of 120");
    expect(row.textContent).toContain("FIELD_CUSTOM_VALIDATION_EXCEPTION");
    expect(within(row).getByText("Open")).toBeTruthy();
    // The message is clamped in the table; the whole of it is in the title.
    expect(
      within(row).getByTitle("Payment__c for ch_120: Amount__c must be positive"),
    ).toBeTruthy();
  });

  it("narrows the list to a group's cause, from the first page, and clears it", async () => {
    const user = userEvent.setup();
    const { lastQuery } = renderFailures();
    await screen.findByTestId("failure-row-120");
    await user.click(screen.getByTestId("failures-table-next"));
    await waitFor(() => expect(lastQuery()?.offset).toBe(50));

    const group = screen.getByTestId(
      "failure-group-salesforce.stripe.subscription-match.ambiguous",
    );
    await user.click(group);
    await waitFor(() =>
      expect(lastQuery()).toEqual({
        status: "open",
        kind: "salesforce.stripe.subscription",
        errorCode: "match.ambiguous",
        scope: ANY,
        offset: 0,
        limit: 50,
      }),
    );
    expect(group.getAttribute("aria-pressed")).toBe("true");

    await user.click(screen.getByTestId("failures-group-clear"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ kind: null, errorCode: null }));
    expect(screen.queryByTestId("failures-group-filter")).toBeNull();
  });

  it("replays a whole group after asking, and discards one only with a reason", async () => {
    const user = userEvent.setup();
    const { ipc, lastQuery } = renderFailures({
      replay_failure_group: (args) => ({
        kind: String(args.kind),
        errorCode: String(args.errorCode),
        failureIds: [1, 2, 3, 4],
      }),
      discard_failure_group: (args) => ({
        kind: String(args.kind),
        errorCode: String(args.errorCode),
        failureIds: [5, 6, 7, 8],
      }),
    });
    await screen.findByTestId("failure-row-120");
    expect(screen.queryByTestId("failures-group-actions")).toBeNull();
    await user.click(
      screen.getByTestId("failure-group-salesforce.stripe.subscription-match.ambiguous"),
    );
    await user.click(await screen.findByTestId("failures-group-replay"));
    const modal = await screen.findByTestId("failures-group-replay-modal");
    expect(modal.textContent).toContain("original idempotency key");
    expect(ipc.callsOf("replay_failure_group")).toEqual([]);
    await user.click(within(modal).getByTestId("failures-group-replay-confirm"));
    await waitFor(() =>
      expect(ipc.callsOf("replay_failure_group")).toEqual([
        { kind: "salesforce.stripe.subscription", errorCode: "match.ambiguous", scope: ANY },
      ]),
    );
    expect(await screen.findByText("4 failures of match.ambiguous replayed")).toBeTruthy();
    // The group is done: back to every cause.
    await waitFor(() => expect(lastQuery()).toMatchObject({ kind: null, errorCode: null }));

    await user.click(
      screen.getByTestId("failure-group-salesforce.stripe.subscription-match.ambiguous"),
    );
    await user.click(await screen.findByTestId("failures-group-discard"));
    const confirm = (await screen.findByTestId(
      "failures-group-discard-confirm",
    )) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await user.type(screen.getByTestId("failures-group-discard-reason"), "Staging customers");
    await user.click(confirm);
    await waitFor(() =>
      expect(ipc.callsOf("discard_failure_group")).toEqual([
        {
          kind: "salesforce.stripe.subscription",
          errorCode: "match.ambiguous",
          reason: "Staging customers",
          scope: ANY,
        },
      ]),
    );
    expect(await screen.findByText("4 failures of match.ambiguous discarded")).toBeTruthy();
  });

  it("offers no group actions for settled failures", async () => {
    const user = userEvent.setup();
    renderFailures();
    await screen.findByTestId("failure-row-120");
    await user.click(within(screen.getByTestId("failures-status")).getByText("Replayed"));
    await user.click(
      await screen.findByTestId("failure-group-salesforce.stripe.subscription-match.ambiguous"),
    );
    await screen.findByTestId("failures-group-filter");
    expect(screen.queryByTestId("failures-group-actions")).toBeNull();
  });

  it("shows discarded failures when asked, in both the groups and the list", async () => {
    const user = userEvent.setup();
    const { ipc, lastQuery } = renderFailures();
    await screen.findByTestId("failure-row-120");
    await user.click(within(screen.getByTestId("failures-status")).getByLabelText("Discarded"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ status: "discarded", offset: 0 }));
    await waitFor(() =>
      expect(ipc.callsOf("list_failure_groups").at(-1)).toEqual({
        status: "discarded",
        scope: ANY,
      }),
    );
    await waitFor(() =>
      expect(within(screen.getByTestId("failure-row-120")).getByText("Discarded")).toBeTruthy(),
    );
  });

  it("opens a failure with its facts, attempts and payload, and replays it as it was", async () => {
    const { ipc } = renderFailures();
    const { user, drawer } = await openFailure(100);
    expect(ipc.callsOf("get_failure")).toEqual([{ id: 100 }]);
    expect(within(drawer).getByText("Failure 100")).toBeTruthy();
    expect(within(drawer).getByTestId("failure-message").textContent).toBe(
      "Payment__c for ch_100: Amount__c must be positive",
    );
    expect(within(drawer).getAllByTestId("failure-attempt")).toHaveLength(3);
    const payload = within(drawer).getByTestId("failure-payload") as HTMLTextAreaElement;
    expect(payload.value).toContain('"type": "charge.succeeded"');

    await user.click(within(drawer).getByTestId("failure-replay"));
    await waitFor(() =>
      expect(ipc.callsOf("replay_failure")).toEqual([{ id: 100, corrected: null }]),
    );
    expect(await screen.findByText(/Failure 100 replayed/)).toBeTruthy();
    // Settled: the status changes and it cannot be replayed or discarded again.
    await waitFor(() =>
      expect(within(drawer).getByTestId("failure-status").textContent).toBe("Replayed"),
    );
    expect(within(drawer).queryByTestId("failure-replay")).toBeNull();
    expect(within(drawer).queryByTestId("failure-discard")).toBeNull();
    expect(within(drawer).getByTestId("failure-resolution").textContent).toBe(
      "replayed by the console",
    );
    // The groups and the list are read again.
    await waitFor(() => expect(ipc.callsOf("list_failure_groups").length).toBeGreaterThan(1));
    expect(ipc.callsOf("list_failures").length).toBeGreaterThan(1);
  });

  it("opens a failure from the keyboard and replays it with a corrected payload", async () => {
    const user = userEvent.setup();
    const { ipc } = renderFailures();
    const row = await screen.findByTestId("failure-row-119");
    row.focus();
    await user.keyboard("{Enter}");
    const drawer = await screen.findByTestId("failure-drawer");
    const payload = (await within(drawer).findByTestId("failure-payload")) as HTMLTextAreaElement;
    expect(ipc.callsOf("get_failure")).toEqual([{ id: 119 }]);

    const corrected = payload.value.replace("-100", "100");
    fireEvent.change(payload, { target: { value: corrected } });
    await user.click(within(drawer).getByTestId("failure-replay"));
    await waitFor(() => expect(ipc.callsOf("replay_failure")).toEqual([{ id: 119, corrected }]));
  });

  it("previews the corrected write field by field before the replay", async () => {
    const { ipc, user, drawer } = await (async () => {
      const rendered = renderFailures({
        preview_failure: (args) => ({
          action: "update",
          object: "Payment__c",
          targetId: "a02Demo119",
          why: null,
          fields: [
            {
              field: "Stripe_Charge_Id__c",
              current: '"ch_119"',
              proposed: '"ch_119"',
              changed: false,
            },
            {
              field: "Amount__c",
              current: "-1.0",
              proposed: args.corrected ? "1.0" : "-1.0",
              changed: Boolean(args.corrected),
            },
          ],
        }),
      });
      const opened = await openFailure(119);
      return { ipc: rendered.ipc, ...opened };
    })();
    const payload = within(drawer).getByTestId("failure-payload") as HTMLTextAreaElement;
    const corrected = payload.value.replace("-100", "100");
    fireEvent.change(payload, { target: { value: corrected } });
    await user.click(within(drawer).getByTestId("failure-preview-button"));
    // (The same check also runs by itself once typing rests.)
    await waitFor(() =>
      expect(ipc.callsOf("preview_failure")).toContainEqual({ id: 119, corrected }),
    );
    const preview = await within(drawer).findByTestId("failure-preview");
    expect(within(preview).getByTestId("failure-preview-action").textContent).toBe("update");
    expect(preview.textContent).toContain("a02Demo119");
    expect(preview.textContent).toContain("(1 of 2 fields)");
    const rows = within(preview).getAllByTestId("failure-preview-field");
    // The changed field first, in bold; text without its JSON quotes.
    expect(rows[0]?.textContent).toBe("Amount__c-1.01.0");
    expect(rows[0]?.getAttribute("data-changed")).toBe("true");
    expect(rows[1]?.textContent).toBe("Stripe_Charge_Id__cch_119ch_119");
    expect(ipc.callsOf("replay_failure")).toEqual([]);

    // Editing again makes the preview stale: it goes until asked again.
    fireEvent.change(payload, { target: { value: corrected.replace("100", "101") } });
    expect(within(drawer).queryByTestId("failure-preview")).toBeNull();
  });

  it("discards a failure only with a reason", async () => {
    const { ipc } = renderFailures();
    const { user, drawer } = await openFailure(100);
    await user.click(within(drawer).getByTestId("failure-discard"));
    const confirm = within(drawer).getByTestId("failure-discard-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await user.type(within(drawer).getByTestId("failure-discard-reason"), "   ");
    expect(confirm.disabled).toBe(true);
    await user.type(within(drawer).getByTestId("failure-discard-reason"), "Test charge");
    expect(confirm.disabled).toBe(false);
    await user.click(confirm);
    await waitFor(() =>
      expect(ipc.callsOf("discard_failure")).toEqual([{ id: 100, reason: "Test charge" }]),
    );
    await waitFor(() =>
      expect(within(drawer).getByTestId("failure-status").textContent).toBe("Discarded"),
    );
    expect(ipc.callsOf("replay_failure")).toEqual([]);
  });

  it("shows the engine's refusal in the drawer and keeps the corrections", async () => {
    const { ipc } = renderFailures({
      replay_failure: () => {
        throw ipcError({
          code: "validation",
          message: "payload: event: missing field `id`",
          detail: null,
          retryable: false,
        });
      },
      preview_failure: () => ({
        action: "none",
        object: null,
        targetId: null,
        why: null,
        fields: [],
      }),
    });
    const { user, drawer } = await openFailure(100);
    const payload = within(drawer).getByTestId("failure-payload") as HTMLTextAreaElement;
    // Text that is not JSON is caught as it is typed: nothing is sent.
    fireEvent.change(payload, { target: { value: "{ not json" } });
    expect(await within(drawer).findByText(/Not JSON yet/)).toBeTruthy();
    expect(within(drawer).getByTestId("failure-replay")).toHaveProperty("disabled", true);

    fireEvent.change(payload, { target: { value: '{"event": {}}' } });
    await user.click(within(drawer).getByTestId("failure-replay"));
    const notice = await within(drawer).findByTestId("error-notice");
    expect(notice.textContent).toContain("Failure 100 was not replayed");
    expect(notice.textContent).toContain("payload: event: missing field `id`");
    expect(ipc.callsOf("replay_failure")).toEqual([{ id: 100, corrected: '{"event": {}}' }]);
    expect(payload.value).toBe('{"event": {}}');
    // Still open: it can be corrected and replayed again.
    expect(within(drawer).getByTestId("failure-replay")).toBeTruthy();
  });

  it("checks a correction against the flow's rules as it is typed", async () => {
    const { ipc, drawer } = await (async () => {
      const rendered = renderFailures({
        preview_failure: (args) => ({
          action: "refused",
          object: "Payment__c",
          targetId: null,
          why: `stripe.charge ch_100: field Status__c: "${String(args.corrected).includes("weird") ? "weird" : "?"}" has no mapping`,
          fields: [],
        }),
      });
      const opened = await openFailure(100);
      return { ipc: rendered.ipc, drawer: opened.drawer };
    })();
    const payload = within(drawer).getByTestId("failure-payload") as HTMLTextAreaElement;
    fireEvent.change(payload, { target: { value: '{"status": "weird"}' } });
    // No click: once typing rests, the engine maps it and says what would happen.
    await waitFor(
      () =>
        expect(ipc.callsOf("preview_failure")).toEqual([
          { id: 100, corrected: '{"status": "weird"}' },
        ]),
      { timeout: 3000 },
    );
    const preview = await within(drawer).findByTestId("failure-preview");
    expect(within(preview).getByTestId("failure-preview-action").textContent).toBe("refused");
    expect(preview.textContent).toContain('field Status__c: "weird" has no mapping');
  });

  it("offers no replay or discard for a failure that is settled", async () => {
    renderFailures({
      get_failure: (args) =>
        failureDetail({
          failure: failureRow(Number(args.id), { status: "replayed" }),
          resolution: "replayed by finance@acme.test",
        }),
    });
    const { drawer } = await openFailure(100);
    await waitFor(() =>
      expect(within(drawer).getByTestId("failure-status").textContent).toBe("Replayed"),
    );
    expect(within(drawer).queryByTestId("failure-replay")).toBeNull();
    expect(within(drawer).queryByTestId("failure-discard")).toBeNull();
    expect((within(drawer).getByTestId("failure-payload") as HTMLTextAreaElement).readOnly).toBe(
      true,
    );
  });

  it("reads the groups and the list again when the queue changes or a run finishes", async () => {
    const { ipc } = renderFailures();
    await screen.findByTestId("failure-row-120");
    const before = ipc.callsOf("list_failures").length;
    await emitEngineEvent({ type: "deadLettersChanged", jobKind: "stripe.salesforce.record" });
    await waitFor(() => expect(ipc.callsOf("list_failures").length).toBe(before + 1));
    expect(ipc.callsOf("list_failure_groups")).toHaveLength(2);
    await emitEngineEvent({
      type: "runFinished",
      runId: 8,
      flow: "stripe.pull",
      outcome: "partial",
    });
    await waitFor(() => expect(ipc.callsOf("list_failures").length).toBe(before + 2));
    expect(ipc.callsOf("list_failure_groups")).toHaveLength(3);
  });

  it("says when nothing failed", async () => {
    renderFailures({
      list_failure_groups: () => [],
      list_failures: () => ({ total: 0, rows: [] }),
    });
    const empty = await screen.findByTestId("failures-empty");
    expect(empty.textContent).toContain("No failures");
    expect(empty.textContent).toContain("Everything Paysync read was written.");
    await waitFor(() =>
      expect(screen.getByTestId("screen-failures").getAttribute("data-ready")).toBe("true"),
    );
    expect(screen.queryByTestId("failure-groups")).toBeNull();
    expect(screen.getByTestId("failures-table-range").textContent).toBe("0–0 of 0");
  });
  it("narrows groups, list and group actions by provider, object and age", async () => {
    const { ipc, lastQuery } = renderFailures({
      list_failure_facets: () => ({
        providers: [
          { value: "payoneer", label: "Payoneer", count: null },
          { value: "stripe", label: "Stripe", count: null },
        ],
        objects: [
          { value: "customer", label: "Stripe customer", count: 700 },
          { value: "charge", label: "Stripe charge", count: 300 },
        ],
      }),
    });
    const user = userEvent.setup();
    await screen.findByTestId("failure-row-120");
    const object = (await screen.findByTestId("failures-filter-object")) as HTMLSelectElement;
    await waitFor(() => expect(object.options.length).toBe(3));
    expect(object.options[1]?.textContent).toBe("Stripe customer (700 open)");
    await user.selectOptions(object, "customer");
    await user.selectOptions(screen.getByTestId("failures-filter-provider"), "stripe");
    await user.selectOptions(screen.getByTestId("failures-filter-age"), "olderThanDay");
    const narrowed = { provider: "stripe", object: "customer", age: "olderThanDay" };
    await waitFor(() => expect(lastQuery()).toMatchObject({ scope: narrowed, offset: 0 }));
    await waitFor(() =>
      expect(ipc.callsOf("list_failure_groups").at(-1)).toEqual({
        status: "open",
        scope: narrowed,
      }),
    );
    // "Replay all" acts on the group within the filters, and says so.
    await user.click(
      await screen.findByTestId("failure-group-salesforce.stripe.subscription-match.ambiguous"),
    );
    await user.click(await screen.findByTestId("failures-group-replay"));
    const modal = await screen.findByTestId("failures-group-replay-modal");
    expect(within(modal).getByTestId("failures-group-scope-note")).toBeTruthy();
    await user.click(within(modal).getByTestId("failures-group-replay-confirm"));
    await waitFor(() =>
      expect(ipc.callsOf("replay_failure_group")).toEqual([
        { kind: "salesforce.stripe.subscription", errorCode: "match.ambiguous", scope: narrowed },
      ]),
    );
    await user.click(screen.getByTestId("failures-filters-clear"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ scope: ANY }));
    expect(screen.queryByTestId("failures-filters-clear")).toBeNull();
  });

  it("says when nothing matches the filters", async () => {
    renderFailures({
      list_failures: () => failurePage(0, 0, 50),
      list_failure_groups: () => [],
    });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByTestId("failures-filter-age"), "lastHour");
    expect((await screen.findByTestId("failures-empty")).textContent).toContain(
      "Clear the filters",
    );
  });

  it("links a failure to its records and opens one through the console", async () => {
    const { ipc } = renderFailures({ open_record: (args) => `opened ${String(args.id)}` });
    const { user, drawer } = await openFailure(120);
    const link = await within(drawer).findByTestId("failure-record-link");
    expect(link.textContent).toContain("Stripe charge ch_12");
    expect(link.getAttribute("data-url")).toBe(
      "http://127.0.0.1:4242/dashboard/test/payments/ch_12",
    );
    await user.click(link);
    await waitFor(() =>
      expect(ipc.callsOf("open_record")).toEqual([
        { provider: "stripe", object: "charge", id: "ch_12", testMode: true },
      ]),
    );
    expect(within(screen.getByTestId("failure-row-120")).getByText("Stripe charge")).toBeTruthy();
  });
});
