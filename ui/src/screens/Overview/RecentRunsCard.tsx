import { Anchor, Card, Group, Title } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { getCoreRowModel, useReactTable } from "@tanstack/react-table";

import type { RunRow } from "../../bindings";
import { hrefFor } from "../../app/router";
import { EmptyState } from "../../components/EmptyState";
import { runColumns } from "../../components/runColumns";
import { TableView } from "../../components/TableView";

export function RecentRunsCard({ runs }: { runs: RunRow[] }) {
  const table = useReactTable({
    data: runs,
    columns: runColumns,
    getRowId: (run) => String(run.id),
    getCoreRowModel: getCoreRowModel(),
    enableSorting: false,
  });
  return (
    <Card data-testid="recent-runs">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5">
          Last runs
        </Title>
        <Anchor href={hrefFor("flows")} size="sm">
          All runs
        </Anchor>
      </Group>
      <TableView
        table={table}
        label="Last runs"
        rowTestId={(run) => `recent-run-${run.id}`}
        empty={
          <EmptyState icon={IconPlayerPlay} title="No runs yet">
            Flows run on their schedule, or from the Flows screen with Run now.
          </EmptyState>
        }
      />
    </Card>
  );
}
