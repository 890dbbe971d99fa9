import { useMantineColorScheme } from "@mantine/core";
import { useMutation, useMutationState, useQueryClient } from "@tanstack/react-query";

import { commands, type AppInfo, type Preferences } from "../bindings";
import { call } from "./ipc";
import { notifyError, notifySuccess } from "./notify";
import { queryKeys } from "./queryKeys";
import { notifyRunFinished } from "./runNotice";

const RUN_FLOW_KEY = ["runFlow"] as const;

/**
 * Runs a flow now; resolves with the finished run (progress arrives as engine events). The result
 * is announced from here, so it still arrives when the person has moved to another screen.
 */
export function useRunFlow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: RUN_FLOW_KEY,
    mutationFn: (name: string) => call(commands.runFlow(name)),
    onSuccess: notifyRunFinished,
    onError: (error, name) => notifyError(`${name} could not run`, error),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.flows }),
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.all }),
        queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
      ]),
  });
}

/** Flows this console has asked to run whose runs have not finished yet. */
export function usePendingRuns(): ReadonlySet<string> {
  const names = useMutationState({
    filters: { mutationKey: RUN_FLOW_KEY, status: "pending" },
    select: (mutation) => mutation.state.variables as string,
  });
  return new Set(names);
}

/** Re-verifies the audit chain and puts the result where every screen reads it. */
export function useVerifyAudit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => call(commands.verifyAudit()),
    onSuccess: (status) => {
      queryClient.setQueryData(queryKeys.audit.status, status);
      return queryClient.invalidateQueries({ queryKey: queryKeys.overview });
    },
    onError: (error) => notifyError("The audit log could not be checked", error),
  });
}

const THEME_WORDS = { light: "Light", dark: "Dark", auto: "Same as the system" } as const;

/**
 * Saves preferences; the colour scheme changes at once and reverts if the engine refuses, so the
 * control never lags behind the click.
 */
export function useSavePreferences() {
  const queryClient = useQueryClient();
  const { setColorScheme } = useMantineColorScheme();

  const setCached = (preferences: Preferences) =>
    queryClient.setQueryData<AppInfo>(queryKeys.appInfo, (info) =>
      info ? { ...info, preferences } : info,
    );

  return useMutation({
    mutationFn: (preferences: Preferences) => call(commands.setPreferences(preferences)),
    onMutate: (next) => {
      const previous = queryClient.getQueryData<AppInfo>(queryKeys.appInfo)?.preferences;
      setCached(next);
      setColorScheme(next.theme);
      return { previous };
    },
    onError: (error, _next, context) => {
      if (context?.previous) {
        setCached(context.previous);
        setColorScheme(context.previous.theme);
      }
      notifyError("Your preferences were not saved", error);
    },
    onSuccess: (saved) => {
      setCached(saved);
      setColorScheme(saved.theme);
      notifySuccess(
        "Preferences saved",
        `Theme: ${THEME_WORDS[saved.theme]} · Keep running in the tray: ${saved.closeToTray ? "on" : "off"}`,
      );
    },
  });
}
