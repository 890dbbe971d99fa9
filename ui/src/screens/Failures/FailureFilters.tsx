import { Button, Group, NativeSelect } from "@mantine/core";
import { IconFilterOff } from "@tabler/icons-react";

import type { FailureAge, FailureScope } from "../../bindings";
import { formatInteger } from "../../lib/format";
import { ANY_FAILURE_SCOPE, isNarrowed, useFailureFacets } from "../../lib/queries";

const AGES: { value: FailureAge | ""; label: string }[] = [
  { value: "", label: "Any age" },
  { value: "lastHour", label: "Last hour" },
  { value: "lastDay", label: "Last 24 hours" },
  { value: "olderThanDay", label: "Older than a day" },
  { value: "olderThanWeek", label: "Older than a week" },
];

interface FailureFiltersProps {
  scope: FailureScope;
  onChange: (scope: FailureScope) => void;
}

/**
 * Narrows the groups and the table (and what "Replay all" acts on) to one provider's flows,
 * one object and an age. The object choices are the objects open failures are about, counted.
 */
export function FailureFilters({ scope, onChange }: FailureFiltersProps) {
  const facets = useFailureFacets();
  const providers = [
    { value: "", label: "Any provider" },
    ...(facets.data?.providers ?? []).map((p) => ({ value: p.value, label: p.label })),
  ];
  const objects = [
    { value: "", label: "Any object" },
    ...(facets.data?.objects ?? []).map((o) => ({
      value: o.value,
      label: o.count === null ? o.label : `${o.label} (${formatInteger(o.count)} open)`,
    })),
  ];
  // A chosen object that no open failure is about any more stays choosable.
  if (scope.object && !objects.some((o) => o.value === scope.object)) {
    objects.push({ value: scope.object, label: scope.object });
  }
  const narrowed = isNarrowed(scope);
  const set = (change: Partial<FailureScope>) => onChange({ ...scope, ...change });

  return (
    <Group align="flex-end" gap="sm" data-testid="failures-filters">
      <NativeSelect
        label="Provider"
        description="Flows that read or write it"
        data-testid="failures-filter-provider"
        value={scope.provider ?? ""}
        data={providers}
        onChange={(event) => set({ provider: event.currentTarget.value || null })}
      />
      <NativeSelect
        label="Object"
        description="What the failure is about"
        data-testid="failures-filter-object"
        value={scope.object ?? ""}
        data={objects}
        onChange={(event) => set({ object: event.currentTarget.value || null })}
      />
      <NativeSelect
        label="Age"
        description="Since it was parked"
        data-testid="failures-filter-age"
        value={scope.age ?? ""}
        data={AGES}
        onChange={(event) => set({ age: (event.currentTarget.value || null) as FailureAge | null })}
      />
      {narrowed && (
        <Button
          variant="subtle"
          leftSection={<IconFilterOff size={16} />}
          data-testid="failures-filters-clear"
          onClick={() => onChange(ANY_FAILURE_SCOPE)}
        >
          Clear filters
        </Button>
      )}
    </Group>
  );
}
