import { IconMessage2 } from "@tabler/icons-react";

import { ReasonModal } from "../../components/ReasonModal";

interface ExplainModalProps {
  resultId: number;
  opened: boolean;
  pending: boolean;
  /** The engine's refusal of the last try, shown in the dialog. */
  error: unknown;
  onClose: () => void;
  onSave: (note: string) => void;
}

/**
 * Why an exception is not a problem: required, kept with the result and in the audit log. Keyed
 * by result by its parent, so a note typed and cancelled stays with that result only.
 */
export function ExplainModal({
  resultId,
  opened,
  pending,
  error,
  onClose,
  onSave,
}: ExplainModalProps) {
  return (
    <ReasonModal
      opened={opened}
      pending={pending}
      title={`Mark result ${resultId} explained`}
      label="Why is it not a problem?"
      description="Required; kept with the result and in the audit log."
      placeholder="e.g. Refunded by hand on 21 Nov; the credit note is in Salesforce"
      confirmLabel="Mark explained"
      confirmIcon={<IconMessage2 size={16} />}
      shortcutVerb="saves"
      error={error}
      errorTitle="The note was not saved"
      testIds={{
        modal: "recon-explain-modal",
        text: "recon-explain-note",
        confirm: "recon-explain-save",
      }}
      onClose={onClose}
      onConfirm={onSave}
    />
  );
}
