import { Box, Card, Stack } from "@mantine/core";
import { IconCreditCard, IconReceiptOff } from "@tabler/icons-react";
import { useCallback, useState } from "react";

import type { PaymentQuery, PaymentRow, PaymentSortColumn } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ScreenHeader } from "../../components/ScreenHeader";
import { ServerTable, type ServerTableState } from "../../components/ServerTable";
import { usePaymentsPage } from "../../lib/queries";
import { PaymentDrawer } from "./PaymentDrawer";
import { PaymentFilters, type PaymentFilterId, type PaymentFilterValues } from "./PaymentFilters";
import { paymentColumns } from "./paymentColumns";

const NEWEST_FIRST = [{ id: "occurredAt", desc: true }];

const INITIAL_STATE: ServerTableState = {
  pagination: { pageIndex: 0, pageSize: 50 },
  sorting: NEWEST_FIRST,
  columnFilters: [],
};

const SORT_COLUMNS: readonly PaymentSortColumn[] = [
  "occurredAt",
  "amount",
  "status",
  "customer",
  "providerId",
];

/** The filters live in the table state by `PaymentQuery` field name, in this order. */
const FILTER_IDS: readonly PaymentFilterId[] = [
  "text",
  "status",
  "currency",
  "minAmount",
  "maxAmount",
];

function filterValue(state: ServerTableState, id: PaymentFilterId): string | null {
  const value = state.columnFilters.find((f) => f.id === id)?.value;
  return typeof value === "string" && value.trim() ? value.trim() : null;
}

export function filterValues(state: ServerTableState): PaymentFilterValues {
  return {
    text: filterValue(state, "text"),
    status: filterValue(state, "status"),
    currency: filterValue(state, "currency"),
    minAmount: filterValue(state, "minAmount"),
    maxAmount: filterValue(state, "maxAmount"),
  };
}

/**
 * One filter changed, back on the first page. An amount range belongs to its currency: without a
 * currency there is none (the engine would refuse it).
 */
export function withFilter(
  state: ServerTableState,
  id: PaymentFilterId,
  value: string | null,
): ServerTableState {
  const values = { ...filterValues(state), [id]: value };
  if (!values.currency) {
    values.minAmount = null;
    values.maxAmount = null;
  }
  return {
    ...state,
    columnFilters: FILTER_IDS.flatMap((key) => {
      const v = values[key];
      return v ? [{ id: key, value: v }] : [];
    }),
    pagination: { ...state.pagination, pageIndex: 0 },
  };
}

/** The table state as the engine's query; never an amount without its currency. */
export function toPaymentQuery(state: ServerTableState): PaymentQuery {
  const sort = state.sorting[0];
  const column = SORT_COLUMNS.find((c) => c === sort?.id) ?? "occurredAt";
  const { pageIndex, pageSize } = state.pagination;
  const filters = filterValues(state);
  const currency = filters.currency?.toUpperCase() ?? null;
  return {
    text: filters.text,
    status: filters.status,
    currency,
    minAmount: currency ? filters.minAmount : null,
    maxAmount: currency ? filters.maxAmount : null,
    sort: column,
    descending: sort?.desc ?? true,
    offset: pageIndex * pageSize,
    limit: pageSize,
  };
}

function rowKey(row: Pick<PaymentRow, "provider" | "providerId">): string {
  return `${row.provider}:${row.providerId}`;
}

export function PaymentsScreen() {
  const [state, setState] = useState(INITIAL_STATE);
  const [open, setOpen] = useState<PaymentRow | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const page = usePaymentsPage(toPaymentQuery(state));
  const filtered = state.columnFilters.length > 0;

  const openPayment = useCallback((row: PaymentRow) => {
    setPicked(rowKey(row));
    setOpen(row);
  }, []);

  return (
    <Box data-testid="screen-payments" data-ready={page.data ? "true" : undefined}>
      <ScreenHeader
        title="Payments"
        description="Every payment Paysync has read from the providers, with what it wrote to Salesforce. Select a payment for its timeline."
      />
      <Card padding="md">
        <Stack gap="sm">
          <PaymentFilters
            values={filterValues(state)}
            onChange={(id, value) => setState((s) => withFilter(s, id, value))}
            onClear={() =>
              setState((s) => ({
                ...s,
                columnFilters: [],
                pagination: { ...s.pagination, pageIndex: 0 },
              }))
            }
          />
          <ServerTable
            data-testid="payments-table"
            label="Payments"
            columns={paymentColumns}
            rows={page.data?.rows}
            total={page.data?.total}
            {...state}
            onStateChange={setState}
            getRowId={rowKey}
            isLoading={page.isPending}
            isStale={page.isPlaceholderData}
            error={page.error}
            onRetry={() => void page.refetch()}
            onRowOpen={openPayment}
            rowTestId={(row) => `payment-row-${row.providerId}`}
            highlighted={(row) => rowKey(row) === picked}
            empty={
              filtered ? (
                <EmptyState
                  icon={IconReceiptOff}
                  title="No payments match these filters"
                  data-testid="payments-empty"
                >
                  Search matches any part of a provider id or customer id; status and currency match
                  exactly, and the amount range includes its ends.
                </EmptyState>
              ) : (
                <EmptyState
                  icon={IconCreditCard}
                  title="No payments yet"
                  data-testid="payments-empty"
                >
                  Payments appear here after the first Stripe pull.
                </EmptyState>
              )
            }
          />
        </Stack>
      </Card>
      <PaymentDrawer payment={open} onClose={() => setOpen(null)} />
    </Box>
  );
}
