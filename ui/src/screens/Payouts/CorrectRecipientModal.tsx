import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { IconAlertTriangle, IconDeviceFloppy } from "@tabler/icons-react";
import { useState } from "react";

import type { PayoutCorrection, PayoutItemRow } from "../../bindings";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useCorrectPayoutItem } from "../../lib/mutations";
import { Money } from "./payoutColumns";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const COUNTRY = /^[A-Z]{2}$/;

/** The field as typed, or null when it is what the item already holds (null: left as it is). */
function changed(text: string, original: string | null): string | null {
  const value = text.trim();
  return value === (original ?? "").trim() ? null : value;
}

export function emailProblem(value: string): string | null {
  if (value === "") return "An email address is needed; it cannot be left empty";
  return EMAIL.test(value) ? null : "An email address, e.g. name@example.com";
}

export function countryProblem(value: string): string | null {
  return COUNTRY.test(value) ? null : "Two letters A–Z: the ISO country code, e.g. DE";
}

function payeeIdProblem(value: string): string | null {
  return value === "" ? "Payoneer's payee id is needed; it cannot be left empty" : null;
}

/**
 * What to send: the changed fields, unchanged ones as null (the engine leaves those as they are),
 * and what is wrong with any changed one.
 */
export function correctionOf(
  item: PayoutItemRow,
  typed: { email: string; country: string; payeeId: string },
): {
  correction: PayoutCorrection;
  problems: Record<"email" | "country" | "payeeId", string | null>;
} {
  const email = changed(typed.email, item.email);
  const country = changed(typed.country.toUpperCase(), item.country);
  const payeeId = changed(typed.payeeId, item.payeeId);
  return {
    correction: { itemId: item.id, email, country, payeeId },
    problems: {
      email: email === null ? null : emailProblem(email),
      country: country === null ? null : countryProblem(country),
      payeeId: payeeId === null ? null : payeeIdProblem(payeeId),
    },
  };
}

interface FormProps {
  item: PayoutItemRow;
  /** The item was saved and re-checked, and Payoneer would still refuse it. */
  stillInvalid: boolean;
  onSaved: (row: PayoutItemRow) => void;
  onCancel: () => void;
}

function CorrectionForm({ item, stillInvalid, onSaved, onCancel }: FormProps) {
  const [email, setEmail] = useState(item.email ?? "");
  const [country, setCountry] = useState(item.country ?? "");
  const [payeeId, setPayeeId] = useState(item.payeeId ?? "");
  const correct = useCorrectPayoutItem();
  const { correction, problems } = correctionOf(item, { email, country, payeeId });
  const anyChange =
    correction.email !== null || correction.country !== null || correction.payeeId !== null;
  const valid = !problems.email && !problems.country && !problems.payeeId;

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!anyChange || !valid || correct.isPending) return;
        correct.mutate(correction, { onSuccess: onSaved });
      }}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={0}>
            <Text size="sm" fw={600}>
              {item.payeeName ?? "Unnamed payee"}
            </Text>
            <Text size="xs" c="dimmed" ff="monospace">
              {item.requestName ?? item.requestId}
            </Text>
          </Stack>
          <Money amount={item.amount} currency={item.currency} fw={600} />
        </Group>

        {item.reason &&
          (stillInvalid ? (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlertTriangle size={18} />}
              title="Saved, but it still needs correcting"
              data-testid="correction-still-invalid"
            >
              {item.reason}
            </Alert>
          ) : (
            <Alert
              color="orange"
              variant="light"
              icon={<IconAlertTriangle size={18} />}
              title="Why it needs correcting"
              data-testid="correction-reason"
            >
              {item.reason}
            </Alert>
          ))}

        <TextInput
          label="Email"
          placeholder="name@example.com"
          type="email"
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={problems.email}
          autoComplete="off"
          spellCheck={false}
          data-autofocus
          data-testid="correction-email"
        />
        <TextInput
          label="Country"
          description="ISO code, two letters"
          placeholder="DE"
          value={country}
          onChange={(event) => setCountry(event.currentTarget.value.toUpperCase())}
          error={problems.country}
          autoComplete="off"
          spellCheck={false}
          w={180}
          data-testid="correction-country"
        />
        <TextInput
          label="Payoneer payee id"
          placeholder="e.g. payee_00123"
          value={payeeId}
          onChange={(event) => setPayeeId(event.currentTarget.value)}
          error={problems.payeeId}
          autoComplete="off"
          spellCheck={false}
          ff="monospace"
          data-testid="correction-payee-id"
        />

        {correct.isError && (
          <ErrorNotice title="The recipient was not corrected" error={correct.error} />
        )}

        <Text size="xs" c="dimmed">
          Saving writes the changed fields to Salesforce and checks the recipient again; fields left
          as they are are not sent.
        </Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={correct.isPending}>
            {stillInvalid ? "Close" : "Cancel"}
          </Button>
          <Button
            type="submit"
            leftSection={<IconDeviceFloppy size={16} />}
            disabled={!anyChange || !valid}
            loading={correct.isPending}
            data-testid="correction-save"
          >
            Save and re-check
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface CorrectRecipientModalProps {
  item: PayoutItemRow | null;
  onClose: () => void;
}

/**
 * Corrects a payout item's recipient (email, country, Payoneer payee id). It closes once the item
 * is ready; if the re-check still finds a problem, it stays open with the new reason.
 */
export function CorrectRecipientModal({ item, onClose }: CorrectRecipientModalProps) {
  // The item as last saved, when the re-check found it still needs correcting.
  const [rechecked, setRechecked] = useState<PayoutItemRow | null>(null);
  const shown = rechecked && rechecked.id === item?.id ? rechecked : item;

  const close = () => {
    setRechecked(null);
    onClose();
  };

  return (
    <Modal
      opened={item !== null}
      onClose={close}
      title={<Text fw={700}>Correct recipient</Text>}
      size="lg"
      data-testid="correction-modal"
    >
      {shown && (
        <CorrectionForm
          // What was saved is the new starting point: the form starts again from it.
          key={`${shown.id}:${shown.updatedAt}:${shown.reason ?? ""}`}
          item={shown}
          stillInvalid={shown === rechecked}
          onSaved={(row) => {
            if (row.state === "needs_correction") setRechecked(row);
            else close();
          }}
          onCancel={close}
        />
      )}
    </Modal>
  );
}
