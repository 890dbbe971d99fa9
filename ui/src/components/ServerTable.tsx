import {
  Button,
  Group,
  NativeSelect,
  Pagination,
  Progress,
  SimpleGrid,
  Stack,
  Text,
} from "@mantine/core";
import {
  functionalUpdate,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type PaginationState,
  type SortingState,
} from "@tanstack/react-table";
import type { ReactNode } from "react";

import { formatInteger } from "../lib/format";
import { ErrorNotice } from "./ErrorNotice";
import { FilterInput } from "./FilterInput";
import { TableView } from "./TableView";

const DEFAULT_PAGE_SIZES = [25, 50, 100, 200];

export interface ServerTableState {
  pagination: PaginationState;
  sorting: SortingState;
  columnFilters: ColumnFiltersState;
}

interface ServerTableProps<T> extends ServerTableState {
  // Each column has its own value type; TanStack's typed column helpers produce this union.
  columns: ColumnDef<T, any>[];
  /** The current page only; the engine pages, sorts and filters. */
  rows: T[] | undefined;
  /** Matching rows across all pages. */
  total: number | undefined;
  onStateChange: (state: ServerTableState) => void;
  getRowId: (row: T) => string;
  label: string;
  empty: ReactNode;
  isLoading: boolean;
  /** A newer page is on its way while the previous one stays on screen. */
  isStale: boolean;
  error: unknown;
  onRetry: () => void;
  onRowOpen?: (row: T) => void;
  rowTestId?: (row: T) => string;
  highlighted?: (row: T) => boolean;
  pageSizes?: number[];
  "data-testid"?: string;
}

function filterText(filters: ColumnFiltersState, id: string): string {
  const value = filters.find((f) => f.id === id)?.value;
  return typeof value === "string" ? value : "";
}

/**
 * A table whose rows live in the engine: it holds one page, and every sort, filter and page change
 * becomes a new request. Sorting or filtering returns to the first page.
 */
export function ServerTable<T>({
  columns,
  rows,
  total,
  pagination,
  sorting,
  columnFilters,
  onStateChange,
  getRowId,
  label,
  empty,
  isLoading,
  isStale,
  error,
  onRetry,
  onRowOpen,
  rowTestId,
  highlighted,
  pageSizes = DEFAULT_PAGE_SIZES,
  "data-testid": testId,
}: ServerTableProps<T>) {
  const state = { pagination, sorting, columnFilters };
  const firstPage = { ...pagination, pageIndex: 0 };

  const table = useReactTable({
    data: rows ?? [],
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    rowCount: total ?? 0,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state,
    onPaginationChange: (updater) =>
      onStateChange({ ...state, pagination: functionalUpdate(updater, pagination) }),
    onSortingChange: (updater) =>
      onStateChange({
        ...state,
        sorting: functionalUpdate(updater, sorting),
        pagination: firstPage,
      }),
    onColumnFiltersChange: (updater) =>
      onStateChange({
        ...state,
        columnFilters: functionalUpdate(updater, columnFilters),
        pagination: firstPage,
      }),
  });

  const filterColumns = table.getAllLeafColumns().filter((c) => c.columnDef.meta?.filter);
  const count = total ?? 0;
  const pageCount = Math.max(1, Math.ceil(count / pagination.pageSize));
  const from = count === 0 ? 0 : pagination.pageIndex * pagination.pageSize + 1;
  const to = Math.min(count, (pagination.pageIndex + 1) * pagination.pageSize);

  return (
    <Stack gap="sm" data-testid={testId}>
      {filterColumns.length > 0 && (
        <Group align="flex-end" gap="sm" wrap="nowrap">
          <SimpleGrid cols={filterColumns.length} spacing="sm" style={{ flex: 1 }}>
            {filterColumns.map((column) => {
              const meta = column.columnDef.meta?.filter;
              if (!meta) return null;
              return (
                <FilterInput
                  key={column.id}
                  meta={meta}
                  value={filterText(columnFilters, column.id)}
                  onChange={(value) => column.setFilterValue(value.trim() ? value : undefined)}
                />
              );
            })}
          </SimpleGrid>
          <Button
            variant="subtle"
            disabled={columnFilters.length === 0}
            onClick={() => table.resetColumnFilters(true)}
          >
            Clear filters
          </Button>
        </Group>
      )}

      <Progress
        value={100}
        size={2}
        animated
        aria-hidden
        style={{ visibility: isStale ? "visible" : "hidden" }}
      />

      {error && !rows ? (
        <ErrorNotice title="This page could not be loaded" error={error} onRetry={onRetry} />
      ) : (
        <>
          {Boolean(error) && (
            <ErrorNotice
              title="The latest change could not be loaded"
              error={error}
              onRetry={onRetry}
            />
          )}
          <TableView
            table={table}
            label={label}
            empty={empty}
            loading={isLoading}
            stale={isStale}
            onRowOpen={onRowOpen}
            rowTestId={rowTestId}
            highlighted={highlighted}
            skeletonRows={8}
          />
        </>
      )}

      <Group justify="space-between" wrap="nowrap">
        <Group gap="md" wrap="nowrap">
          <Text
            size="sm"
            c="dimmed"
            data-testid={testId ? `${testId}-range` : undefined}
            aria-live="polite"
          >
            {total === undefined
              ? "Loading…"
              : `${formatInteger(from)}–${formatInteger(to)} of ${formatInteger(count)}`}
          </Text>
          <NativeSelect
            size="xs"
            aria-label="Rows per page"
            data-testid={testId ? `${testId}-page-size` : undefined}
            value={String(pagination.pageSize)}
            data={pageSizes.map((n) => ({ value: String(n), label: `${n} per page` }))}
            onChange={(event) =>
              onStateChange({
                ...state,
                pagination: { pageIndex: 0, pageSize: Number(event.currentTarget.value) },
              })
            }
          />
        </Group>
        <Pagination
          size="sm"
          total={pageCount}
          value={pagination.pageIndex + 1}
          onChange={(page) => table.setPageIndex(page - 1)}
          withEdges
          getControlProps={(control) => ({
            "aria-label": `${control[0]?.toUpperCase()}${control.slice(1)} page`,
            "data-testid": testId ? `${testId}-${control}` : undefined,
          })}
          getItemProps={(page) => ({ "aria-label": `Page ${page}` })}
        />
      </Group>
    </Stack>
  );
}
