import { Button, Group, Text } from "@mantine/core";
import { IconExternalLink } from "@tabler/icons-react";

import type { RecordLink } from "../../bindings";
import { useOpenRecord } from "../../lib/mutations";

/**
 * The records a failure is about, each opening its page at the provider (Salesforce Lightning,
 * the Stripe dashboard) in the system browser. The console builds every URL; the page only
 * names the record.
 */
export function RecordLinks({ links }: { links: RecordLink[] }) {
  const open = useOpenRecord();
  if (links.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="failure-records-none">
        No Salesforce or Stripe record to link: its provider is not connected, or the payload names
        none.
      </Text>
    );
  }
  return (
    <Group gap="xs" data-testid="failure-records">
      {links.map((link) => (
        <Button
          key={`${link.provider}:${link.object}:${link.id}`}
          size="compact-sm"
          variant="light"
          color={link.provider === "salesforce" ? "blue" : "violet"}
          rightSection={<IconExternalLink size={14} />}
          title={link.url}
          data-testid="failure-record-link"
          data-url={link.url}
          loading={open.isPending && open.variables === link}
          onClick={() => open.mutate(link)}
        >
          {link.label}
        </Button>
      ))}
    </Group>
  );
}
