import { Badge, type BadgeProps } from "@mantine/core";

import type { Health } from "../bindings";
import {
  failureStatusLook,
  healthLook,
  outcomeLook,
  paymentStatusLook,
  payoutBatchStatusLook,
  payoutItemStateLook,
  type StatusLook,
} from "../lib/status";

type StatusBadgeProps = Omit<BadgeProps, "color" | "children"> & {
  look: StatusLook;
  "data-testid"?: string;
};

/** A status in words and colour; the word carries the meaning, the colour only helps. */
export function StatusBadge({ look, ...props }: StatusBadgeProps) {
  return (
    <Badge
      variant="light"
      color={look.color}
      radius="sm"
      tt="none"
      // A status word is never cut to "Hea…": the badge keeps its text's width in tight tables.
      styles={{ label: { overflow: "visible" } }}
      style={{ flexShrink: 0 }}
      {...props}
    >
      {look.label}
    </Badge>
  );
}

export function OutcomeBadge({
  outcome,
  ...props
}: Omit<StatusBadgeProps, "look"> & { outcome: string | null }) {
  return <StatusBadge look={outcomeLook(outcome)} {...props} />;
}

export function HealthBadge({
  health,
  ...props
}: Omit<StatusBadgeProps, "look"> & { health: Health }) {
  return <StatusBadge look={healthLook(health)} {...props} />;
}

export function PaymentStatusBadge({
  status,
  ...props
}: Omit<StatusBadgeProps, "look"> & { status: string }) {
  return <StatusBadge look={paymentStatusLook(status)} {...props} />;
}

export function FailureStatusBadge({
  status,
  ...props
}: Omit<StatusBadgeProps, "look"> & { status: string }) {
  return <StatusBadge look={failureStatusLook(status)} {...props} />;
}

export function PayoutBatchStatusBadge({
  status,
  ...props
}: Omit<StatusBadgeProps, "look"> & { status: string }) {
  return <StatusBadge look={payoutBatchStatusLook(status)} {...props} />;
}

export function PayoutItemStateBadge({
  status,
  ...props
}: Omit<StatusBadgeProps, "look"> & { status: string }) {
  return <StatusBadge look={payoutItemStateLook(status)} {...props} />;
}
