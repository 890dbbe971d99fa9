import { Box, CloseButton, Group, Stack, Text, TextInput } from "@mantine/core";
import { IconSearch, IconUserCheck, IconUserSearch } from "@tabler/icons-react";
import {
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type SortingState,
} from "@tanstack/react-table";
import { useCallback, useMemo, useState } from "react";

import type { PayoutItemRow } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { TableView } from "../../components/TableView";
import { formatInteger } from "../../lib/format";
import type { usePayoutCorrections } from "../../lib/queries";
import { CorrectRecipientModal } from "./CorrectRecipientModal";
import { correctionColumns } from "./payoutColumns";

/** Whether an item matches the filter text: any part of its payee, email, reason or request. */
export function matchesCorrection(item: PayoutItemRow, text: string): boolean {
  const query = text.trim().toLowerCase();
  if (!query) return true;
  return [item.payeeName, item.email, item.reason, item.requestName].some((field) =>
    field?.toLowerCase().includes(query),
  );
}

interface PayoutCorrectionsProps {
  corrections: ReturnType<typeof usePayoutCorrections>;
}

/** Payout items whose recipient Payoneer would refuse, for support to correct. */
export function PayoutCorrections({ corrections }: PayoutCorrectionsProps) {
  const [text, setText] = useState("");
  const [sorting, setSorting] = useState<SortingState>([]);
  const [editing, setEditing] = useState<PayoutItemRow | null>(null);

  const rows = useMemo(
    () => (corrections.data ?? []).filter((item) => matchesCorrection(item, text)),
    [corrections.data, text],
  );

  const table = useReactTable({
    data: rows,
    columns: correctionColumns,
    getRowId: (row) => String(row.id),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    state: { sorting },
    onSortingChange: setSorting,
    enableMultiSort: false,
  });

  const openItem = useCallback((row: PayoutItemRow) => setEditing(row), []);
  const total = corrections.data?.length ?? 0;

  if (corrections.isError && !corrections.data) {
    return (
      <ErrorNotice
        title="The recipients to correct could not be loaded"
        error={corrections.error}
        onRetry={() => void corrections.refetch()}
      />
    );
  }

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <TextInput
          label="Filter"
          placeholder="Payee, email or reason"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          w={340}
          data-testid="payout-corrections-filter"
          rightSection={
            text ? (
              <CloseButton size="sm" aria-label="Clear filter" onClick={() => setText("")} />
            ) : null
          }
        />
        <Text size="sm" c="dimmed" data-testid="payout-corrections-count" aria-live="polite">
          {text.trim()
            ? `${formatInteger(rows.length)} of ${formatInteger(total)}`
            : `${formatInteger(total)} to correct`}
        </Text>
      </Group>
      <Box data-testid="payout-corrections-table">
        <TableView
          table={table}
          label="Recipients to correct"
          loading={corrections.isPending}
          onRowOpen={openItem}
          rowTestId={(row) => `payout-correction-row-${row.id}`}
          highlighted={(row) => row.id === editing?.id}
          empty={
            total > 0 ? (
              <EmptyState
                icon={IconUserSearch}
                title="No recipient matches this filter"
                data-testid="payout-corrections-empty"
              >
                The filter matches any part of the payee, email, reason or request name.
              </EmptyState>
            ) : (
              <EmptyState
                icon={IconUserCheck}
                title="No recipients to correct"
                data-testid="payout-corrections-empty"
              >
                Payout requests whose recipient Payoneer would refuse (no email or country, an
                unknown or blocked payee) wait here until they are corrected.
              </EmptyState>
            )
          }
        />
      </Box>
      <CorrectRecipientModal item={editing} onClose={() => setEditing(null)} />
    </Stack>
  );
}
