import { Group, Text } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";

import type { AuditRow } from "../../bindings";
import { formatDateTime } from "../../lib/format";

const column = createColumnHelper<AuditRow>();

/**
 * Column ids are the engine's sort columns (`AuditSortColumn`) and filter names (`AuditQuery`),
 * so the table state maps onto the query without a lookup.
 */
export const auditColumns = [
  column.accessor("seq", {
    header: "Time",
    cell: (info) => (
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" style={{ whiteSpace: "nowrap" }}>
          {formatDateTime(info.row.original.at, true)}
        </Text>
        <Text size="xs" c="dimmed">
          #{info.getValue()}
        </Text>
      </Group>
    ),
    meta: { width: 270 },
  }),
  column.accessor("actor", {
    header: "Actor",
    cell: (info) => <Text size="sm">{info.getValue()}</Text>,
    meta: {
      filter: {
        label: "Actor",
        placeholder: "e.g. scheduler",
        hint: "Exactly this actor",
        testId: "audit-filter-actor",
      },
    },
  }),
  column.accessor("action", {
    header: "Action",
    cell: (info) => (
      <Text size="sm" ff="monospace">
        {info.getValue()}
      </Text>
    ),
    meta: {
      filter: {
        label: "Action",
        placeholder: "e.g. flow.",
        hint: "Starts with",
        testId: "audit-filter-action",
      },
    },
  }),
  column.accessor("subject", {
    header: "Object",
    cell: (info) => (
      <Text size="sm" lineClamp={1} style={{ wordBreak: "break-all" }}>
        {info.getValue()}
      </Text>
    ),
    meta: {
      filter: {
        label: "Object",
        placeholder: "e.g. a payment or flow id",
        hint: "Contains",
        testId: "audit-filter-subject",
      },
    },
  }),
];
