import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { AppFrame } from "../../app/AppFrame";
import type { ConnectionCard } from "../../bindings";
import { queryKeys } from "../../lib/queryKeys";
import { mockBackend, type Handlers } from "../../test/backend";
import { appInfo, connectionCard, ipcError, notConnected, overview } from "../../test/fixtures";
import { deferred } from "../../test/deferred";
import { renderWithProviders } from "../../test/render";

const SALESFORCE = connectionCard({
  provider: "salesforce",
  label: "Salesforce",
  method: "oAuth",
  account: "admin@acme.example",
  accountRef: "00D5g000004ABCD",
  endpoint: "http://127.0.0.1:41001",
});
const STRIPE = connectionCard();
const CHECKOUT = connectionCard({
  provider: "checkout",
  label: "Checkout.com",
  account: "Checkout.com (sandbox)",
  accountRef: null,
  endpoint: "http://127.0.0.1:41003",
  lastError: "Checkout.com refused the key (401)",
});
const PAYONEER = notConnected("payoneer", "Payoneer", { endpoint: "http://127.0.0.1:41004" });
const MALDOPAY = notConnected("maldopay", "MaldoPay", { endpoint: "http://127.0.0.1:41005" });

/** A backend whose connection list the handlers can change, as the engine's would. */
function renderConnections(
  initial: ConnectionCard[] = [SALESFORCE, STRIPE, CHECKOUT, PAYONEER, MALDOPAY],
  handlers: Handlers = {},
  hash = "#/connections",
) {
  const state = { cards: initial };
  const update = (card: ConnectionCard) => {
    state.cards = state.cards.map((c) => (c.provider === card.provider ? card : c));
    return card;
  };
  const ipc = mockBackend({
    get_app_info: () => appInfo(),
    get_overview: () => overview(),
    list_flows: () => [],
    list_runs: () => [],
    verify_audit: () => overview().audit,
    list_connections: () => state.cards,
    ...handlers,
  });
  const rendered = renderWithProviders(<AppFrame />, { hash });
  return { ipc, state, update, ...rendered };
}

async function ready() {
  await waitFor(() =>
    expect(screen.getByTestId("screen-connections").getAttribute("data-ready")).toBe("true"),
  );
}

describe("Connections", () => {
  it("lists a card per provider, in the engine's order, with its status in words", async () => {
    renderConnections();
    await ready();

    expect(screen.getAllByTestId(/^connection-card-/).map((c) => c.dataset.testid)).toEqual([
      "connection-card-salesforce",
      "connection-card-stripe",
      "connection-card-checkout",
      "connection-card-payoneer",
      "connection-card-maldopay",
    ]);
    const status = (p: string) => screen.getByTestId(`connection-status-${p}`).textContent;
    expect(status("salesforce")).toBe("Connected");
    expect(status("stripe")).toBe("Connected");
    expect(status("checkout")).toBe("Needs attention");
    expect(status("payoneer")).toBe("Not connected");
    expect(status("maldopay")).toBe("Not connected");

    const stripe = screen.getByTestId("connection-card-stripe");
    expect(stripe.textContent).toContain("Stripe (test mode)");
    expect(stripe.textContent).toContain("acct_1Demo");
    expect(stripe.textContent).toContain("http://127.0.0.1:41002");
    expect(stripe.textContent).toContain("Connected");
    expect(stripe.textContent).toContain("Last success");
    expect(screen.getByTestId("connect-stripe").textContent).toBe("Reconnect");
    expect(screen.getByTestId("test-stripe")).toBeTruthy();
    expect(screen.getByTestId("disconnect-stripe")).toBeTruthy();

    expect(screen.getByTestId("connection-card-checkout").textContent).toContain(
      "Checkout.com refused the key (401)",
    );

    expect(screen.getByTestId("connect-payoneer").textContent).toBe("Connect");
    expect(screen.queryByTestId("test-payoneer")).toBeNull();
    expect(screen.queryByTestId("disconnect-payoneer")).toBeNull();

    const intro = screen.getByTestId("connections-intro").textContent;
    expect(intro).toContain("Sandbox profile");
    expect(intro).toContain("OS keychain");
  });

  it("connects Stripe with its secret key, then closes the form and reads the cards again", async () => {
    const user = userEvent.setup();
    const answer = deferred<ConnectionCard>();
    const bare = notConnected("stripe", "Stripe");
    const { ipc, update, queryClient } = renderConnections([SALESFORCE, bare], {
      connect_with_keys: () => answer.promise.then(update),
    });
    queryClient.setQueryData(queryKeys.overview, overview());
    await ready();
    const listsBefore = ipc.callsOf("list_connections").length;

    await user.click(screen.getByTestId("connect-stripe"));
    const form = await screen.findByTestId("connect-form");
    const field = within(form).getByTestId("connect-field-secretKey");
    expect(field.getAttribute("type")).toBe("password");
    expect(field.getAttribute("autocomplete")).toBe("off");
    expect((field as HTMLInputElement).value).toBe("");
    expect(form.textContent).toContain("sk_test_… or rk_test_… in a sandbox profile");
    // The first field has the focus, and Enter submits.
    await waitFor(() => expect(document.activeElement).toBe(field));
    await user.keyboard("sk_test_x{Enter}");

    expect(ipc.callsOf("connect_with_keys")).toEqual([
      { input: { provider: "stripe", secretKey: "sk_test_x" } },
    ]);
    const submit = screen.getByTestId("connect-submit");
    await waitFor(() => expect(submit.textContent).toBe("Checking with Stripe…"));
    expect(submit).toHaveProperty("disabled", true);

    answer.resolve(STRIPE);
    expect(await screen.findByText("Stripe connected")).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("connect-form")).toBeNull());
    await waitFor(() =>
      expect(ipc.callsOf("list_connections").length).toBeGreaterThan(listsBefore),
    );
    expect(queryClient.getQueryState(queryKeys.overview)?.isInvalidated).toBe(true);
    await waitFor(() =>
      expect(screen.getByTestId("connection-status-stripe").textContent).toBe("Connected"),
    );
    // The secret is nowhere on screen, and not waiting in a field for next time.
    expect(document.body.innerHTML).not.toContain("sk_test_x");
    // Nor kept in memory by the query client once the request is over.
    await waitFor(() =>
      expect(
        JSON.stringify(
          queryClient
            .getMutationCache()
            .getAll()
            .map((m) => m.state.variables),
        ),
      ).not.toContain("sk_test_x"),
    );

    await user.click(screen.getByTestId("connect-stripe"));
    const again = await screen.findByTestId("connect-field-secretKey");
    expect((again as HTMLInputElement).value).toBe("");
  });

  it("shows the engine's reason in the form and keeps it open when the keys are refused", async () => {
    const user = userEvent.setup();
    const { ipc } = renderConnections([notConnected("stripe", "Stripe")], {
      connect_with_keys: () => {
        throw ipcError({
          code: "validation",
          message: "Secret key: a sandbox profile takes a test key (sk_test_… or rk_test_…).",
          detail: "prefix sk_live_",
          retryable: false,
        });
      },
    });
    await ready();
    await user.click(screen.getByTestId("connect-stripe"));
    await user.type(await screen.findByTestId("connect-field-secretKey"), "sk_live_oops");
    await user.click(screen.getByTestId("connect-submit"));

    const error = await screen.findByTestId("connect-error");
    expect(error.textContent).toContain(
      "Secret key: a sandbox profile takes a test key (sk_test_… or rk_test_…).",
    );
    expect(error.textContent).not.toContain("prefix sk_live_");
    expect(screen.getByTestId("connect-form")).toBeTruthy();
    expect(ipc.callsOf("connect_with_keys")).toHaveLength(1);
    expect(screen.queryByText("Stripe connected")).toBeNull();

    // Closing forgets what was typed and the refusal.
    await user.click(within(screen.getByTestId("connect-form")).getByText("Cancel"));
    await waitFor(() => expect(screen.queryByTestId("connect-form")).toBeNull());
    expect(document.body.innerHTML).not.toContain("sk_live_oops");
    await user.click(screen.getByTestId("connect-stripe"));
    expect(((await screen.findByTestId("connect-field-secretKey")) as HTMLInputElement).value).toBe(
      "",
    );
    expect(screen.queryByTestId("connect-error")).toBeNull();
  });

  it("asks for every Payoneer field before calling the engine, and sends them trimmed", async () => {
    const user = userEvent.setup();
    const { ipc, update } = renderConnections([PAYONEER], {
      connect_with_keys: () =>
        update(connectionCard({ provider: "payoneer", label: "Payoneer", account: "Program 1" })),
    });
    await ready();
    await user.click(screen.getByTestId("connect-payoneer"));
    const form = await screen.findByTestId("connect-form");
    expect(
      within(form)
        .getAllByTestId(/^connect-field-/)
        .map((f) => f.dataset.testid),
    ).toEqual(["connect-field-programId", "connect-field-clientId", "connect-field-clientSecret"]);
    expect(screen.getByTestId("connect-field-clientSecret").getAttribute("type")).toBe("password");

    await user.type(screen.getByTestId("connect-field-programId"), " 100010001 ");
    await user.type(screen.getByTestId("connect-field-clientId"), "   ");
    await user.click(screen.getByTestId("connect-submit"));
    expect(ipc.callsOf("connect_with_keys")).toEqual([]);
    expect(form.textContent).toContain("Enter the client id.");
    expect(form.textContent).toContain("Enter the client secret.");

    await user.type(screen.getByTestId("connect-field-clientId"), "paysync-client");
    await user.type(screen.getByTestId("connect-field-clientSecret"), "s3cret-value");
    await user.click(screen.getByTestId("connect-submit"));
    await waitFor(() =>
      expect(ipc.callsOf("connect_with_keys")).toEqual([
        {
          input: {
            provider: "payoneer",
            programId: "100010001",
            clientId: "paysync-client",
            clientSecret: "s3cret-value",
          },
        },
      ]),
    );
    expect(await screen.findByText("Payoneer connected")).toBeTruthy();
    expect(document.body.innerHTML).not.toContain("s3cret-value");
  });

  it("offers Checkout.com's OAuth client as well as its secret key", async () => {
    const user = userEvent.setup();
    const checkout = notConnected("checkout", "Checkout.com", {
      endpoint: "http://127.0.0.1:41003",
    });
    const { ipc, update } = renderConnections([checkout], {
      connect_with_keys: () =>
        update(
          connectionCard({
            provider: "checkout",
            label: "Checkout.com",
            account: "Checkout.com (OAuth client)",
          }),
        ),
    });
    await ready();
    await user.click(screen.getByTestId("connect-checkout"));
    const form = await screen.findByTestId("connect-form");
    const fields = () =>
      within(form)
        .getAllByTestId(/^connect-field-/)
        .map((f) => f.dataset.testid);
    expect(fields()).toEqual(["connect-field-secretKey"]);
    await user.click(within(screen.getByTestId("connect-kind")).getByText("OAuth client"));
    expect(fields()).toEqual(["connect-field-clientId", "connect-field-clientSecret"]);
    await user.type(screen.getByTestId("connect-field-clientId"), "ack_sandbox");
    await user.type(screen.getByTestId("connect-field-clientSecret"), "access-s3cret");
    await user.click(screen.getByTestId("connect-submit"));
    await waitFor(() =>
      expect(ipc.callsOf("connect_with_keys")).toEqual([
        {
          input: {
            provider: "checkoutOauth",
            clientId: "ack_sandbox",
            clientSecret: "access-s3cret",
          },
        },
      ]),
    );
    expect(document.body.innerHTML).not.toContain("access-s3cret");
  });

  it("tests a connection and shows the verdict on its card", async () => {
    const user = userEvent.setup();
    const { ipc } = renderConnections(undefined, {
      test_connection: (args) =>
        args.provider === "stripe"
          ? {
              provider: "stripe",
              ok: true,
              message: "Stripe accepted the key (test mode).",
              testedAt: "2025-11-21T12:00:00Z",
            }
          : {
              provider: String(args.provider),
              ok: false,
              message: "Checkout.com refused the key (401).",
              testedAt: "2025-11-21T12:00:00Z",
            },
    });
    await ready();

    await user.click(screen.getByTestId("test-stripe"));
    const verdict = await screen.findByTestId("test-result-stripe");
    expect(ipc.callsOf("test_connection")).toEqual([{ provider: "stripe" }]);
    expect(verdict.textContent).toContain("Stripe accepted the key (test mode).");
    expect(verdict.dataset.ok).toBe("true");
    expect(await screen.findByText("Stripe: the connection works")).toBeTruthy();

    await user.click(screen.getByTestId("test-checkout"));
    const failed = await screen.findByTestId("test-result-checkout");
    expect(failed.textContent).toContain("Checkout.com refused the key (401).");
    expect(failed.dataset.ok).toBe("false");
    expect(await screen.findByText("Checkout.com: the connection failed")).toBeTruthy();
  });

  it("asks before disconnecting, then disconnects", async () => {
    const user = userEvent.setup();
    const { ipc, update } = renderConnections(undefined, {
      disconnect: (args) =>
        update(
          args.provider === "stripe"
            ? notConnected("stripe", "Stripe")
            : notConnected("salesforce", "Salesforce", { method: "oAuth" }),
        ),
    });
    await ready();

    // Salesforce's tokens are revoked as well; Cancel leaves everything as it was.
    await user.click(screen.getByTestId("disconnect-salesforce"));
    const salesforceDialog = await screen.findByRole("dialog", { name: "Disconnect Salesforce?" });
    expect(salesforceDialog.textContent).toContain("revokes its tokens");
    await user.click(within(salesforceDialog).getByText("Cancel"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    await user.click(screen.getByTestId("disconnect-stripe"));
    const dialog = await screen.findByRole("dialog", { name: "Disconnect Stripe?" });
    expect(dialog.textContent).toContain("Paysync deletes its keys from this computer's keychain");
    expect(ipc.callsOf("disconnect")).toEqual([]);

    await user.click(screen.getByTestId("disconnect-confirm"));
    await waitFor(() => expect(ipc.callsOf("disconnect")).toEqual([{ provider: "stripe" }]));
    expect(await screen.findByText("Stripe disconnected")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await waitFor(() =>
      expect(screen.getByTestId("connection-status-stripe").textContent).toBe("Not connected"),
    );
    expect(screen.queryByTestId("test-stripe")).toBeNull();
  });

  it("connects Salesforce in the browser: waits, then says who it is connected as", async () => {
    const user = userEvent.setup();
    const answer = deferred<ConnectionCard>();
    const { ipc, update } = renderConnections(
      [notConnected("salesforce", "Salesforce", { method: "oAuth" }), STRIPE],
      { connect_salesforce: () => answer.promise.then(update) },
    );
    await ready();

    await user.click(screen.getByTestId("connect-salesforce"));
    const waiting = await screen.findByTestId("salesforce-waiting");
    expect(waiting.textContent).toContain("Finish signing in in your browser");
    expect(ipc.callsOf("connect_salesforce")).toHaveLength(1);
    expect(screen.queryByTestId("connect-form")).toBeNull();

    answer.resolve(SALESFORCE);
    expect(await screen.findByText("Salesforce connected as admin@acme.example")).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId("salesforce-waiting")).toBeNull());
    await waitFor(() =>
      expect(screen.getByTestId("connection-status-salesforce").textContent).toBe("Connected"),
    );
  });

  it("hides the Salesforce wait without cancelling it, and explains a timeout", async () => {
    const user = userEvent.setup();
    const answer = deferred<ConnectionCard>();
    const { ipc } = renderConnections(
      [notConnected("salesforce", "Salesforce", { method: "oAuth" })],
      { connect_salesforce: () => answer.promise },
    );
    await ready();

    await user.click(screen.getByTestId("connect-salesforce"));
    const waiting = await screen.findByTestId("salesforce-waiting");
    await user.click(within(waiting).getByText("Close"));
    await waitFor(() => expect(screen.queryByTestId("salesforce-waiting")).toBeNull());
    // Still waiting: the button says so, and pressing it again shows the wait instead of a second sign-in.
    expect(screen.getByTestId("connect-salesforce").dataset.loading).toBe("true");
    expect(ipc.callsOf("connect_salesforce")).toHaveLength(1);

    answer.reject(
      ipcError({
        code: "unavailable",
        message: "Salesforce sign-in timed out: nobody allowed access within 5 minutes.",
        detail: null,
      }),
    );
    expect(await screen.findByText("Salesforce was not connected")).toBeTruthy();
    expect(
      screen.getByText("Salesforce sign-in timed out: nobody allowed access within 5 minutes."),
    ).toBeTruthy();
    await waitFor(() =>
      expect(screen.getByTestId("connect-salesforce").dataset.loading).toBeUndefined(),
    );
  });

  it("picks out the provider a search hit points at", async () => {
    const user = userEvent.setup();
    renderConnections(
      undefined,
      {
        search: () => [
          { screen: "connections", title: "Stripe", detail: "Stripe (test mode)", key: "stripe" },
        ],
      },
      "#/overview",
    );
    await user.click(await screen.findByTestId("global-search"));
    await user.type(await screen.findByTestId("global-search-input"), "stripe");
    await user.click(await screen.findByTestId("search-hit-connections-stripe"));
    await waitFor(() => expect(window.location.hash).toBe("#/connections?provider=stripe"));
    await ready();
    expect(screen.getByTestId("connection-card-stripe").dataset.highlighted).toBe("true");
    expect(screen.getByTestId("connection-card-salesforce").dataset.highlighted).toBeUndefined();
  });

  it("is reached from the sandbox banner's Connect your accounts", async () => {
    const user = userEvent.setup();
    renderConnections(undefined, {}, "#/overview");
    await screen.findByTestId("screen-overview");
    await user.click(await screen.findByTestId("connect-accounts"));
    await waitFor(() => expect(window.location.hash).toBe("#/connections"));
    await ready();
  });

  it("is reached with g then c", async () => {
    const user = userEvent.setup();
    renderConnections(undefined, {}, "#/overview");
    await screen.findByTestId("screen-overview");
    await user.keyboard("gc");
    await waitFor(() => expect(window.location.hash).toBe("#/connections"));
    await ready();
  });
});
