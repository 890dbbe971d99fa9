import { Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { events, type ConsoleEvent } from "../bindings";
import { formatDateTime, providerLabel } from "./format";
import { notifyAlarm, notifyError, notifyResult } from "./notify";
import { queryKeys } from "./queryKeys";
import { useRunProgressStore } from "./runProgress";

/**
 * Progress events can arrive many times a second, and the Overview re-verifies the audit chain
 * and probes every connection on each read: refresh from them at most this often.
 */
const PROGRESS_REFRESH_MS = 3_000;

export const AUDIT_ALARM_ID = "audit-tampered";

/** Subscribes once (in the frame) to engine events: live run progress and fresh data. */
export function useEngineActivity() {
  const queryClient = useQueryClient();
  const progress = useRunProgressStore();

  useEffect(() => {
    let lastProgressRefresh = 0;

    const refreshRuns = () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
        queryClient.invalidateQueries({ queryKey: queryKeys.flows }),
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.all }),
      ]);

    const handle = (event: ConsoleEvent) => {
      progress.apply(event);
      switch (event.type) {
        case "runStarted":
          void refreshRuns();
          break;
        case "runFinished":
          void refreshRuns();
          // Runs write audit entries; an open audit page picks them up without flashing.
          void queryClient.invalidateQueries({ queryKey: queryKeys.audit.pages });
          // Provider pulls add payments and Salesforce writes add to their timelines.
          void queryClient.invalidateQueries({ queryKey: queryKeys.payments.all });
          // Runs park failures and run replayed ones again.
          void queryClient.invalidateQueries({ queryKey: queryKeys.failures.all });
          // Payout flows draft, submit and settle batches, and re-check recipients.
          void queryClient.invalidateQueries({ queryKey: queryKeys.payouts.all });
          break;
        case "runProgress": {
          const now = Date.now();
          if (now - lastProgressRefresh >= PROGRESS_REFRESH_MS) {
            lastProgressRefresh = now;
            void refreshRuns();
          }
          break;
        }
        case "deadLettersChanged":
          void queryClient.invalidateQueries({ queryKey: queryKeys.overview });
          // A failure was parked, replayed or discarded: groups, pages and details change.
          void queryClient.invalidateQueries({ queryKey: queryKeys.failures.all });
          break;
        case "breakerChanged":
          void queryClient.invalidateQueries({ queryKey: queryKeys.overview });
          notifyBreaker(event);
          break;
        case "payoutApprovalsNeeded":
          void queryClient.invalidateQueries({ queryKey: queryKeys.overview });
          void queryClient.invalidateQueries({ queryKey: queryKeys.payouts.all });
          notifyResult(
            event.batches === 1
              ? "A payout batch needs approval"
              : `${event.batches} payout batches need approval`,
            `${event.items} payments wait for a checker on the Payouts screen.`,
            "yellow",
          );
          break;
        case "payoutBatchHeld":
          void queryClient.invalidateQueries({ queryKey: queryKeys.payouts.all });
          notifyResult(`Payout batch ${event.batchId} is held`, event.reason, "yellow");
          break;
        case "auditTampered":
          void queryClient.invalidateQueries({ queryKey: queryKeys.audit.status });
          void queryClient.invalidateQueries({ queryKey: queryKeys.overview });
          notifyAlarm(
            AUDIT_ALARM_ID,
            "The audit log failed verification",
            <>
              <Text size="sm">
                Entries were changed outside Paysync. Stop and contact your administrator.
              </Text>
              <Text size="xs" c="dimmed" mt={4}>
                {event.reason}
              </Text>
            </>,
          );
          break;
      }
    };

    let disposed = false;
    let unlisten: (() => void) | undefined;
    events.engineActivity
      .listen((e) => handle(e.payload))
      .then((stop) => {
        if (disposed) stop();
        else unlisten = stop;
      })
      .catch((error: unknown) => notifyError("Live updates are not available", error));

    return () => {
      disposed = true;
      unlisten?.();
    };
  }, [queryClient, progress]);
}

type BreakerEvent = Extract<ConsoleEvent, { type: "breakerChanged" }>;

/** Tells finance staff when calls to a provider pause after repeated failures, and resume. */
export function notifyBreaker(event: BreakerEvent) {
  const provider = providerLabel(event.provider);
  switch (event.state) {
    case "open":
      notifyResult(
        `${provider} is failing: calls paused`,
        <>
          <Text size="sm">
            Paysync stopped calling {provider} after repeated failures and will try again
            {event.until ? ` at ${formatDateTime(event.until)}` : " shortly"}. Nothing is lost: the
            work waits in the queue.
          </Text>
          <Text size="xs" c="dimmed" mt={4}>
            {event.endpoint}
          </Text>
        </>,
        "red",
      );
      break;
    case "closed":
      notifyResult(`${provider} answers again`, `Calls to ${event.endpoint} resumed.`, "green");
      break;
    case "halfOpen":
      // A trial call is in flight; its outcome (open or closed) is what people need to hear.
      break;
  }
}
