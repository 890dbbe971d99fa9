import { Badge, Button, Group, Stack, Text } from "@mantine/core";

import type { ReconCountRow } from "../../bindings";
import { formatInteger } from "../../lib/format";
import {
  CATEGORIES,
  CATEGORY_TITLES,
  categoryLook,
  kindLabel,
  type ReconCategory,
} from "./reconLabels";

/** The kind the results are narrowed to. */
export interface KindFilter {
  category: ReconCategory;
  kind: string;
}

interface KindChipsProps {
  counts: ReconCountRow[];
  selected: KindFilter | null;
  onSelect: (filter: KindFilter) => void;
}

/**
 * The run's results by category and kind, largest first: exceptions, then suggestions, then
 * matches. A click narrows the results below to that kind.
 */
export function KindChips({ counts, selected, onSelect }: KindChipsProps) {
  const groups = CATEGORIES.map((category) => ({
    category,
    rows: counts
      .filter((c) => c.category === category && c.count > 0)
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
  })).filter((g) => g.rows.length > 0);

  if (groups.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="recon-kinds-empty">
        This run found nothing to match.
      </Text>
    );
  }

  return (
    <Stack gap="xs" data-testid="recon-kinds" aria-label="Results by kind">
      {groups.map(({ category, rows }) => {
        const color = categoryLook(category).color;
        return (
          <Group key={category} gap="xs" wrap="wrap" align="center">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700} w={96}>
              {CATEGORY_TITLES[category]}
            </Text>
            {rows.map((row) => {
              const active = selected?.category === category && selected.kind === row.kind;
              const undecided = category !== "matched" && row.open > 0;
              const words = `${kindLabel(row.kind)}: ${formatInteger(row.count)}${
                category === "matched" ? "" : `, ${formatInteger(row.open)} open`
              }`;
              return (
                <Button
                  key={row.kind}
                  size="compact-sm"
                  radius="xl"
                  variant={active ? "filled" : "light"}
                  color={color}
                  aria-pressed={active}
                  aria-label={words}
                  title={`Show only ${kindLabel(row.kind).toLowerCase()}`}
                  data-testid="recon-kind-chip"
                  data-kind={row.kind}
                  data-category={category}
                  onClick={() => onSelect({ category, kind: row.kind })}
                  rightSection={
                    <Badge
                      size="sm"
                      circle={row.count < 10}
                      variant={active ? "white" : "filled"}
                      color={color}
                    >
                      {formatInteger(row.count)}
                    </Badge>
                  }
                >
                  {kindLabel(row.kind)}
                  {undecided && (
                    <Text span size="xs" ml={6} fw={400} data-testid="recon-kind-open">
                      {formatInteger(row.open)} open
                    </Text>
                  )}
                </Button>
              );
            })}
          </Group>
        );
      })}
    </Stack>
  );
}
