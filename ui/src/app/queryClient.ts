import { MutationCache, QueryClient } from "@tanstack/react-query";

import { toAppError } from "../lib/ipc";
import { queryKeys } from "../lib/queryKeys";

interface QueryClientOptions {
  /** Tests: no retries, and nothing is dropped from the cache while a test runs. */
  forTests?: boolean;
}

/** Retries only what the engine says may succeed on a second try (e.g. still starting). */
export function createQueryClient({ forTests = false }: QueryClientOptions = {}): QueryClient {
  const client: QueryClient = new QueryClient({
    mutationCache: new MutationCache({
      // Every command the console sends is written to the audit log, and the write may land after
      // the optimistic update the person already sees: an open (or cached) audit page reads again
      // once the engine has answered, so it never misses the entry for what was just done.
      onSettled: () => client.invalidateQueries({ queryKey: queryKeys.audit.pages }),
    }),
    defaultOptions: forTests
      ? {
          queries: { retry: false, gcTime: Number.POSITIVE_INFINITY },
          mutations: { retry: false },
        }
      : {
          queries: {
            retry: (failures, error) => failures < 3 && toAppError(error).retryable,
            retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 8000),
            staleTime: 5_000,
          },
          mutations: { retry: false },
        },
  });
  return client;
}
