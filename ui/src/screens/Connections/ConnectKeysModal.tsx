import {
  Box,
  Button,
  Group,
  Loader,
  Modal,
  PasswordInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useState, type ChangeEvent, type FormEvent } from "react";

import type { ConnectionCard } from "../../bindings";
import { ErrorNotice } from "../../components/ErrorNotice";
import { useConnectWithKeys } from "../../lib/mutations";
import {
  connectInput,
  CREDENTIAL_KINDS,
  isKeysProvider,
  KEY_FIELDS,
  missingFields,
  type FieldName,
  type FieldValues,
  type KeysProvider,
} from "./providerFields";

interface ConnectKeysModalProps {
  /** The provider being connected; kept while the modal closes so its content does not vanish. */
  card: ConnectionCard | null;
  opened: boolean;
  onClose: () => void;
}

/**
 * The keys form. Secrets live only in this component's state while it is open: never prefilled,
 * cleared on success and on close. The engine checks the keys with the provider before saving;
 * when it refuses, its message (which names the field) is shown here and the form stays open.
 */
export function ConnectKeysModal({ card, opened, onClose }: ConnectKeysModalProps) {
  const connect = useConnectWithKeys();
  const [values, setValues] = useState<FieldValues>({});
  const [missing, setMissing] = useState<ReadonlySet<FieldName>>(new Set());

  const [kind, setKind] = useState<KeysProvider | null>(null);

  const cardProvider = card && isKeysProvider(card.provider) ? card.provider : null;
  const kinds = cardProvider ? CREDENTIAL_KINDS[cardProvider] : undefined;
  // Which form: the provider's own, or the kind of credential chosen where there is a choice.
  const provider = cardProvider && kinds && kind ? kind : cardProvider;
  const label = card?.label ?? "";
  const fields = provider ? KEY_FIELDS[provider] : [];

  const clear = () => {
    setValues({});
    setKind(null);
    setMissing(new Set());
    // Forget the request too: its variables hold the secret.
    connect.reset();
  };

  const close = () => {
    clear();
    onClose();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!provider || connect.isPending) return;
    const empty = missingFields(provider, values);
    setMissing(new Set(empty.map((f) => f.name)));
    if (empty.length > 0) {
      document.getElementById(`connect-field-${empty[0]?.name}`)?.focus();
      return;
    }
    connect.mutate(connectInput(provider, values), { onSuccess: close });
  };

  const setValue = (name: FieldName, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    if (missing.has(name) && value.trim()) {
      setMissing((m) => new Set([...m].filter((n) => n !== name)));
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={`Connect ${label}`} size="md" centered>
      {provider && (
        <form
          onSubmit={submit}
          noValidate
          data-testid="connect-form"
          aria-label={`Connect ${label}`}
        >
          <Stack gap="md">
            <Text size="sm" c="dimmed">
              Paysync checks these with {label} before saving them. Secrets go to this computer's
              keychain and are never shown again.
            </Text>
            {kinds && provider && (
              <SegmentedControl
                data-testid="connect-kind"
                aria-label="Kind of credential"
                data={kinds.map((k) => ({ value: k.value, label: k.label }))}
                value={provider}
                onChange={(value) => {
                  setKind(value as KeysProvider);
                  setValues({});
                  setMissing(new Set());
                  connect.reset();
                }}
              />
            )}
            {fields.map((field, i) => {
              const props = {
                id: `connect-field-${field.name}`,
                label: field.label,
                description: field.description,
                withAsterisk: true,
                "aria-required": true,
                autoComplete: "off",
                spellCheck: false,
                autoCapitalize: "off",
                autoCorrect: "off",
                value: values[field.name] ?? "",
                onChange: (event: ChangeEvent<HTMLInputElement>) =>
                  setValue(field.name, event.currentTarget.value),
                error: missing.has(field.name)
                  ? `Enter the ${field.label.toLowerCase()}.`
                  : undefined,
                "data-testid": `connect-field-${field.name}`,
                "data-autofocus": i === 0 || undefined,
              };
              return field.secret ? (
                <PasswordInput key={field.name} {...props} />
              ) : (
                <TextInput key={field.name} {...props} />
              );
            })}
            {connect.isError && (
              <Box data-testid="connect-error">
                <ErrorNotice title={`${label} was not connected`} error={connect.error} />
              </Box>
            )}
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button
                type="submit"
                data-testid="connect-submit"
                disabled={connect.isPending}
                aria-busy={connect.isPending || undefined}
                leftSection={
                  connect.isPending ? <Loader size={14} color="currentColor" /> : undefined
                }
              >
                {connect.isPending ? `Checking with ${label}…` : `Connect ${label}`}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
