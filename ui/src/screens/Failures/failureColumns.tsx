import { Group, Text } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";

import type { FailureRow } from "../../bindings";
import { RelativeTime } from "../../components/RelativeTime";
import { FailureStatusBadge } from "../../components/StatusBadge";
import { formatDateTime } from "../../lib/format";

const column = createColumnHelper<FailureRow>();

/** Newest first, always: the engine orders failures by when they were parked. */
export const failureColumns = [
  column.accessor("createdAt", {
    header: "When",
    cell: (info) => (
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" style={{ whiteSpace: "nowrap" }}>
          {formatDateTime(info.getValue())}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
          <RelativeTime iso={info.getValue()} />
        </Text>
      </Group>
    ),
    enableSorting: false,
    meta: { width: 250 },
  }),
  column.accessor("kind", {
    header: "Kind",
    cell: (info) => (
      <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
        {info.getValue()}
      </Text>
    ),
    enableSorting: false,
  }),
  column.accessor("object", {
    header: "Object",
    cell: (info) => <Text size="sm">{info.getValue() ?? "—"}</Text>,
    enableSorting: false,
  }),
  column.accessor("errorCode", {
    header: "Error code",
    cell: (info) => (
      <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
        {info.getValue()}
      </Text>
    ),
    enableSorting: false,
  }),
  column.accessor("errorMessage", {
    header: "Message",
    cell: (info) => (
      <Text size="sm" lineClamp={2} title={info.getValue()} style={{ wordBreak: "break-word" }}>
        {info.getValue()}
      </Text>
    ),
    enableSorting: false,
  }),
  column.accessor("attempts", {
    header: "Attempts",
    cell: (info) => (
      <Text size="sm" style={{ fontVariantNumeric: "tabular-nums" }}>
        {info.getValue()}
      </Text>
    ),
    enableSorting: false,
    meta: { align: "right" },
  }),
  column.accessor("status", {
    header: "Status",
    cell: (info) => <FailureStatusBadge status={info.getValue()} />,
    enableSorting: false,
  }),
];
