import { IconBan } from "@tabler/icons-react";

import { ReasonModal } from "../../components/ReasonModal";

interface RejectBatchModalProps {
  batchId: string | null;
  opened: boolean;
  pending: boolean;
  onClose: () => void;
  onReject: (reason: string) => void;
}

/**
 * Why the batch is rejected: required, kept in the audit log. Keyed by batch by its parent, so a
 * reason typed and cancelled stays for that batch only.
 */
export function RejectBatchModal({
  batchId,
  opened,
  pending,
  onClose,
  onReject,
}: RejectBatchModalProps) {
  return (
    <ReasonModal
      opened={opened}
      pending={pending}
      title={`Reject batch ${batchId}`}
      label="Why reject it?"
      description="Required; kept in the audit log. None of its payouts is sent."
      placeholder="e.g. PR-000123 is a duplicate of last week's payout"
      confirmLabel="Reject batch"
      confirmIcon={<IconBan size={16} />}
      confirmColor="red"
      shortcutVerb="rejects"
      testIds={{
        modal: "payout-reject-modal",
        text: "payout-reject-reason",
        confirm: "payout-reject-submit",
      }}
      onClose={onClose}
      onConfirm={onReject}
    />
  );
}
