import { QueryClient } from "@tanstack/react-query";

import { toAppError } from "../lib/ipc";

/** Retries only what the engine says may succeed on a second try (e.g. still starting). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => failures < 3 && toAppError(error).retryable,
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 8000),
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
}
