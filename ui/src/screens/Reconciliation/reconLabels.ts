import { humanize } from "../../lib/format";
import type { StatusLook } from "../../lib/status";

/** The engine's categories of results, in the order a person works through them. */
export type ReconCategory = "exception" | "suggested" | "matched";

export const CATEGORIES: readonly ReconCategory[] = ["exception", "suggested", "matched"];

const CATEGORY_LOOKS: Record<ReconCategory, StatusLook> = {
  matched: { label: "Matched", color: "green" },
  suggested: { label: "Suggested", color: "yellow" },
  exception: { label: "Exception", color: "red" },
};

/** Matched green, suggested yellow (a person decides), exception red. */
export function categoryLook(category: string): StatusLook {
  return CATEGORY_LOOKS[category as ReconCategory] ?? { label: humanize(category), color: "gray" };
}

/** The category's results as a heading: "Exceptions", "Suggested", "Matched". */
export const CATEGORY_TITLES: Record<ReconCategory, string> = {
  exception: "Exceptions",
  suggested: "Suggested",
  matched: "Matched",
};

export function isCategory(value: string | null): value is ReconCategory {
  return value === "exception" || value === "suggested" || value === "matched";
}

const KIND_LABELS: Record<string, string> = {
  // Exceptions.
  missing_in_salesforce: "Missing in Salesforce",
  missing_at_provider: "Missing at provider",
  amount_mismatch: "Amount mismatch",
  currency_mismatch: "Currency mismatch",
  status_mismatch: "Status mismatch",
  duplicate: "Duplicate",
  payout_tie_out: "Payout does not tie out",
  unreadable: "Could not be read",
  // The shapes of matches and suggestions, provider side first.
  one_to_one: "One to one",
  one_to_many: "One to many",
  many_to_one: "Many to one",
  many_to_many: "Many to many",
};

/** A result's kind in words: "missing_in_salesforce" → "Missing in Salesforce". */
export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? humanize(kind);
}

const RESOLUTION_LOOKS: Record<string, StatusLook> = {
  accepted: { label: "Accepted", color: "green" },
  rejected: { label: "Rejected", color: "gray" },
  explained: { label: "Explained", color: "blue" },
  fixed: { label: "Fixed", color: "green" },
};

/** A decision about a result: accepted or fixed (green), explained (blue), rejected (gray). */
export function resolutionLook(resolution: string): StatusLook {
  return RESOLUTION_LOOKS[resolution] ?? { label: humanize(resolution), color: "gray" };
}

/** What an undecided result of a category waits for; matches wait for nothing. */
export function openLook(category: string): StatusLook | null {
  if (category === "suggested") return { label: "To review", color: "yellow" };
  if (category === "exception") return { label: "Open", color: "red" };
  return null;
}
