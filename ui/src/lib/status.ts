import type { ConnectionCard, Health } from "../bindings";
import { humanize } from "./format";

/**
 * One colour language everywhere: green good, yellow partial, red broken, blue running, gray idle.
 * Payouts add orange (held: needs someone) and cyan/teal (money on its way).
 */
export interface StatusLook {
  label: string;
  color: "green" | "yellow" | "red" | "blue" | "gray" | "orange" | "cyan" | "teal";
}

const OUTCOMES: Record<string, StatusLook> = {
  succeeded: { label: "Succeeded", color: "green" },
  partial: { label: "Partial", color: "yellow" },
  failed: { label: "Failed", color: "red" },
  abandoned: { label: "Abandoned", color: "gray" },
};

/** A run's outcome; `null` means it is still running. */
export function outcomeLook(outcome: string | null): StatusLook {
  if (outcome === null) return { label: "Running", color: "blue" };
  return OUTCOMES[outcome] ?? { label: humanize(outcome), color: "gray" };
}

const PAYMENT_STATUSES: Record<string, StatusLook> = {
  succeeded: { label: "Succeeded", color: "green" },
  pending: { label: "Pending", color: "yellow" },
  failed: { label: "Failed", color: "red" },
};

/** A payment's status at its provider (Stripe's words); unknown ones in gray. */
export function paymentStatusLook(status: string): StatusLook {
  return PAYMENT_STATUSES[status] ?? { label: humanize(status), color: "gray" };
}

const FAILURE_STATUSES: Record<string, StatusLook> = {
  open: { label: "Open", color: "red" },
  replayed: { label: "Replayed", color: "green" },
  discarded: { label: "Discarded", color: "gray" },
};

/** A dead letter's status: open needs someone, replayed and discarded are settled. */
export function failureStatusLook(status: string): StatusLook {
  return FAILURE_STATUSES[status] ?? { label: humanize(status), color: "gray" };
}

const PAYOUT_BATCH_STATUSES: Record<string, StatusLook> = {
  draft: { label: "Draft", color: "gray" },
  approved: { label: "Approved", color: "blue" },
  submitting: { label: "Submitting", color: "cyan" },
  held: { label: "Held", color: "orange" },
  submitted: { label: "Submitted", color: "teal" },
  completed: { label: "Completed", color: "green" },
  rejected: { label: "Rejected", color: "red" },
};

/** A payout batch: waiting (gray), approved (blue), on its way (cyan/teal), held, done, rejected. */
export function payoutBatchStatusLook(status: string): StatusLook {
  return PAYOUT_BATCH_STATUSES[status] ?? { label: humanize(status), color: "gray" };
}

const PAYOUT_ITEM_STATES: Record<string, StatusLook> = {
  new: { label: "New", color: "gray" },
  ready: { label: "Ready", color: "gray" },
  needs_correction: { label: "Needs correction", color: "orange" },
  batched: { label: "Batched", color: "blue" },
  submitting: { label: "Submitting", color: "cyan" },
  in_doubt: { label: "In doubt", color: "yellow" },
  submitted: { label: "Submitted", color: "teal" },
  paid: { label: "Paid", color: "green" },
  failed: { label: "Failed", color: "red" },
  cancelled: { label: "Cancelled", color: "gray" },
  rejected: { label: "Rejected", color: "red" },
};

/** One payout item's state. */
export function payoutItemStateLook(state: string): StatusLook {
  return PAYOUT_ITEM_STATES[state] ?? { label: humanize(state), color: "gray" };
}

const HEALTH: Record<Health, StatusLook> = {
  healthy: { label: "Healthy", color: "green" },
  degraded: { label: "Degraded", color: "yellow" },
  down: { label: "Down", color: "red" },
  notConnected: { label: "Not connected", color: "gray" },
};

export function healthLook(health: Health): StatusLook {
  return HEALTH[health];
}

/** Salesforce API usage: green below 70 %, yellow below 90 %, red from there. */
export function usageColor(used: number, limit: number): StatusLook["color"] {
  if (limit <= 0) return "gray";
  const share = used / limit;
  if (share < 0.7) return "green";
  if (share < 0.9) return "yellow";
  return "red";
}

const TRIGGERS: Record<string, string> = {
  schedule: "Scheduled",
  manual: "Manual",
  startup: "At start-up",
};

export function triggerLabel(trigger: string): string {
  return TRIGGERS[trigger] ?? humanize(trigger);
}

/** A connection card's state: connected and well, connected but in trouble, or not connected. */
export function connectionLook(
  card: Pick<ConnectionCard, "connected" | "status" | "lastError">,
): StatusLook {
  if (!card.connected) return { label: "Not connected", color: "gray" };
  if (card.lastError || card.status !== "connected") {
    return { label: "Needs attention", color: "red" };
  }
  return { label: "Connected", color: "green" };
}
