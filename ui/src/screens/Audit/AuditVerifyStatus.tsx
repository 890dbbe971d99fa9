import { Alert, Button, Group, Skeleton, Text } from "@mantine/core";
import { IconShieldCheck, IconShieldX } from "@tabler/icons-react";

import { ErrorNotice } from "../../components/ErrorNotice";
import { RelativeTime } from "../../components/RelativeTime";
import { formatInteger } from "../../lib/format";
import { useVerifyAudit } from "../../lib/mutations";
import { useAuditStatus } from "../../lib/queries";

/** Whether the tamper-evident chain holds, and a way to check it again now. */
export function AuditVerifyStatus() {
  const status = useAuditStatus();
  const verify = useVerifyAudit();
  const data = status.data;

  const verifyButton = (
    <Button
      size="xs"
      variant="default"
      onClick={() => verify.mutate()}
      loading={verify.isPending}
      data-testid="audit-verify-now"
    >
      Verify now
    </Button>
  );

  if (status.isError && !data) {
    return (
      <ErrorNotice
        title="The audit chain could not be checked"
        error={status.error}
        onRetry={() => void status.refetch()}
      />
    );
  }
  if (!data) return <Skeleton height={52} radius="md" />;

  if (data.verified) {
    return (
      <Alert
        color="green"
        variant="light"
        icon={<IconShieldCheck size={18} />}
        data-testid="audit-verify-status"
        data-verified="true"
      >
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm">
            <b>Chain verified</b> — {formatInteger(data.entries)} entries, checked{" "}
            <RelativeTime iso={data.checkedAt} />. No entry has been changed or removed.
          </Text>
          {verifyButton}
        </Group>
      </Alert>
    );
  }
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconShieldX size={18} />}
      data-testid="audit-verify-status"
      data-verified="false"
      role="alert"
    >
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">
          <b>The audit chain did not verify</b> —{" "}
          {data.problem ?? "an entry was changed or removed"}. Checked{" "}
          <RelativeTime iso={data.checkedAt} />. Stop and contact your administrator.
        </Text>
        {verifyButton}
      </Group>
    </Alert>
  );
}
