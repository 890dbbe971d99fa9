import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";

import { AppProviders } from "../app/AppProviders";

/** Renders inside the app's providers, with a query client that never retries or caches across tests. */
export function renderWithProviders(ui: ReactElement, { hash = "" }: { hash?: string } = {}) {
  window.location.hash = hash;
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: { retry: false, gcTime: Number.POSITIVE_INFINITY },
      mutations: { retry: false },
    },
  });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <AppProviders queryClient={queryClient} env="test">
      {children}
    </AppProviders>
  );
  return { queryClient, ...render(ui, { wrapper }) };
}
