import { Center, Group, Skeleton, Table, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconSelector } from "@tabler/icons-react";
import { flexRender, type Header, type Table as TanTable } from "@tanstack/react-table";
import type { KeyboardEvent, ReactNode } from "react";

import "./tableMeta";

interface TableViewProps<T> {
  table: TanTable<T>;
  /** Names the table for assistive technology. */
  label: string;
  /** Shown in the body when there are no rows. */
  empty: ReactNode;
  loading?: boolean;
  /** Rows become focusable controls that open on click or Enter. */
  onRowOpen?: (row: T) => void;
  rowTestId?: (row: T) => string;
  highlighted?: (row: T) => boolean;
  /** Dims the rows while a newer result is on its way. */
  stale?: boolean;
  skeletonRows?: number;
}

function SortHeader<T>({ header }: { header: Header<T, unknown> }) {
  const content = flexRender(header.column.columnDef.header, header.getContext());
  if (!header.column.getCanSort()) return <>{content}</>;
  const sorted = header.column.getIsSorted();
  const Icon = sorted === "asc" ? IconArrowUp : sorted === "desc" ? IconArrowDown : IconSelector;
  return (
    <UnstyledButton
      onClick={header.column.getToggleSortingHandler()}
      fw={600}
      fz="sm"
      data-testid={`sort-${header.column.id}`}
    >
      <Group gap={4} wrap="nowrap">
        {content}
        <Icon size={14} aria-hidden opacity={sorted ? 1 : 0.45} />
      </Group>
    </UnstyledButton>
  );
}

const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

/** Renders a TanStack table as a Mantine table with sortable headers and openable rows. */
export function TableView<T>({
  table,
  label,
  empty,
  loading = false,
  onRowOpen,
  rowTestId,
  highlighted,
  stale = false,
  skeletonRows = 5,
}: TableViewProps<T>) {
  const columns = table.getVisibleLeafColumns();
  const rows = table.getRowModel().rows;

  const onKeyDown = (row: T) => (event: KeyboardEvent<HTMLTableRowElement>) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onRowOpen?.(row);
    }
  };

  return (
    <Table.ScrollContainer minWidth={640}>
      <Table
        aria-label={label}
        highlightOnHover={!onRowOpen}
        verticalSpacing="xs"
        style={{ opacity: stale ? 0.6 : 1, transition: "opacity 120ms" }}
        aria-busy={loading || stale}
      >
        <Table.Thead>
          {table.getHeaderGroups().map((group) => (
            <Table.Tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const sorted = header.column.getIsSorted();
                return (
                  <Table.Th
                    key={header.id}
                    ta={meta?.align ?? "left"}
                    w={meta?.width}
                    aria-sort={
                      header.column.getCanSort() ? (sorted ? ARIA_SORT[sorted] : "none") : undefined
                    }
                  >
                    {header.isPlaceholder ? null : <SortHeader header={header} />}
                  </Table.Th>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody>
          {loading &&
            Array.from({ length: skeletonRows }, (_, i) => (
              <Table.Tr key={`skeleton-${i}`}>
                {columns.map((column) => (
                  <Table.Td key={column.id}>
                    <Skeleton height={14} radius="sm" />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          {!loading && rows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={columns.length}>
                <Center>{empty}</Center>
              </Table.Td>
            </Table.Tr>
          )}
          {!loading &&
            rows.map((row) => (
              <Table.Tr
                key={row.id}
                data-testid={rowTestId?.(row.original)}
                data-highlighted={highlighted?.(row.original) || undefined}
                data-clickable={onRowOpen ? true : undefined}
                tabIndex={onRowOpen ? 0 : undefined}
                onClick={onRowOpen ? () => onRowOpen(row.original) : undefined}
                onKeyDown={onRowOpen ? onKeyDown(row.original) : undefined}
              >
                {row.getVisibleCells().map((cell) => (
                  <Table.Td key={cell.id} ta={cell.column.columnDef.meta?.align ?? "left"}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
