import { MutationObserver, QueryObserver } from "@tanstack/react-query";
import { waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { AuditQuery } from "../bindings";
import { queryKeys } from "../lib/queryKeys";
import { createQueryClient } from "./queryClient";

const FIRST_PAGE: AuditQuery = {
  actor: null,
  action: null,
  subject: null,
  sort: "seq",
  descending: true,
  offset: 0,
  limit: 50,
};

describe("the query client", () => {
  it("reads an open audit page again once any command has been answered", async () => {
    const client = createQueryClient({ forTests: true });
    let reads = 0;
    const page = new QueryObserver(client, {
      queryKey: queryKeys.audit.page(FIRST_PAGE),
      queryFn: () => ++reads,
    });
    const stop = page.subscribe(() => {});
    await waitFor(() => expect(reads).toBe(1));

    // A command the engine answers slowly: the page must not be read until it has answered.
    let answer: (value: string) => void = () => {};
    const saved = new MutationObserver(client, {
      mutationFn: () => new Promise<string>((resolve) => (answer = resolve)),
    }).mutate();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBe(1);

    answer("saved");
    await saved;
    await waitFor(() => expect(reads).toBe(2));
    stop();
  });

  it("also reads it again after a refused command (a refusal is audited too)", async () => {
    const client = createQueryClient({ forTests: true });
    let reads = 0;
    const stop = new QueryObserver(client, {
      queryKey: queryKeys.audit.page(FIRST_PAGE),
      queryFn: () => ++reads,
    }).subscribe(() => {});
    await waitFor(() => expect(reads).toBe(1));

    await expect(
      new MutationObserver(client, {
        mutationFn: () => Promise.reject(new Error("refused")),
      }).mutate(),
    ).rejects.toThrow("refused");
    await waitFor(() => expect(reads).toBe(2));
    stop();
  });
});
