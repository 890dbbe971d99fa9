import { describe, expect, it } from "vitest";

import { RunProgressStore } from "./runProgress";

describe("RunProgressStore", () => {
  it("follows a run from start to finish", () => {
    const store = new RunProgressStore();
    let changes = 0;
    store.subscribe(() => changes++);

    store.apply({ type: "runStarted", runId: 5, flow: "audit.verify" });
    expect(store.get("audit.verify")).toEqual({
      runId: 5,
      flow: "audit.verify",
      done: 0,
      total: null,
    });

    store.apply({ type: "runProgress", runId: 5, flow: "audit.verify", done: 30, total: 90 });
    expect(store.get("audit.verify")?.done).toBe(30);

    store.apply({ type: "runFinished", runId: 5, flow: "audit.verify", outcome: "succeeded" });
    expect(store.get("audit.verify")).toBeUndefined();
    expect(changes).toBe(3);
  });

  it("does not let a late event of an older run hide a newer one", () => {
    const store = new RunProgressStore();
    store.apply({ type: "runStarted", runId: 8, flow: "stripe.payments" });
    store.apply({ type: "runProgress", runId: 7, flow: "stripe.payments", done: 99, total: 100 });
    store.apply({ type: "runFinished", runId: 7, flow: "stripe.payments", outcome: "failed" });
    expect(store.get("stripe.payments")).toMatchObject({ runId: 8, done: 0 });
  });

  it("ignores events that are not about runs", () => {
    const store = new RunProgressStore();
    expect(store.apply({ type: "deadLettersChanged", jobKind: "stripe.refund" })).toBe(false);
  });
});
