import { render } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";

import { AppProviders } from "../app/AppProviders";
import { createQueryClient } from "../app/queryClient";

/** Renders inside the app's providers, with a query client that never retries or caches across tests. */
export function renderWithProviders(ui: ReactElement, { hash = "" }: { hash?: string } = {}) {
  window.location.hash = hash;
  const queryClient = createQueryClient({ forTests: true });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <AppProviders queryClient={queryClient} env="test">
      {children}
    </AppProviders>
  );
  return { queryClient, ...render(ui, { wrapper }) };
}
