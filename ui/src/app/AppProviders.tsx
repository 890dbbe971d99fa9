import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { RunProgressProvider } from "../lib/runProgress";
import { createQueryClient } from "./queryClient";
import { cssVariablesResolver, theme } from "./theme";

interface AppProvidersProps {
  children: ReactNode;
  /** Tests pass their own, without retries. */
  queryClient?: QueryClient;
  /** "test" turns off Mantine's transitions and portals' delays for tests. */
  env?: "default" | "test";
}

export function AppProviders({ children, queryClient, env = "default" }: AppProvidersProps) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      env={env}
    >
      <QueryClientProvider client={client}>
        <RunProgressProvider>
          <Notifications position="bottom-right" limit={5} />
          {children}
        </RunProgressProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
