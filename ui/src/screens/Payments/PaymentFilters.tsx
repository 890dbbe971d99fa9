import {
  Button,
  Grid,
  Group,
  NativeSelect,
  Select,
  type ComboboxItem,
  type OptionsFilter,
} from "@mantine/core";
import { useMemo } from "react";

import { FilterInput } from "../../components/FilterInput";
import { currencyChoices } from "../../lib/format";

/** The Payments filters by `PaymentQuery` field; null is "any". */
export interface PaymentFilterValues {
  text: string | null;
  status: string | null;
  currency: string | null;
  minAmount: string | null;
  maxAmount: string | null;
}

export type PaymentFilterId = keyof PaymentFilterValues;

const STATUSES = [
  { value: "", label: "Any status" },
  { value: "succeeded", label: "Succeeded" },
  { value: "pending", label: "Pending" },
  { value: "failed", label: "Failed" },
];

/** What the engine's amount parser accepts: digits, then a point and digits if any. */
const AMOUNT = /^\d+(\.\d+)?$/;

function amountProblem(text: string): string | null {
  return AMOUNT.test(text) ? null : "Digits and a decimal point only, e.g. 100.00";
}

/** Codes that start with the typed text first ("eur" → EUR before CHE, the WIR Euro), then names. */
const codeFirst: OptionsFilter = ({ options, search }) => {
  const query = search.trim().toLowerCase();
  const items = options.filter((o): o is ComboboxItem => "value" in o);
  if (!query) return items;
  const byCode = items.filter((o) => o.value.toLowerCase().startsWith(query));
  const byName = items.filter(
    (o) => !o.value.toLowerCase().startsWith(query) && o.label.toLowerCase().includes(query),
  );
  return [...byCode, ...byName];
};

interface PaymentFiltersProps {
  values: PaymentFilterValues;
  onChange: (id: PaymentFilterId, value: string | null) => void;
  onClear: () => void;
}

/** Search, status, currency and an amount range in that currency. */
export function PaymentFilters({ values, onChange, onClear }: PaymentFiltersProps) {
  const currencies = useMemo(currencyChoices, []);
  const currency = values.currency;
  const amountHint = currency ? `In ${currency}, e.g. 100.00` : "Choose a currency first";
  const any = Object.values(values).some((v) => v !== null);

  return (
    <Group align="flex-end" gap="sm" wrap="nowrap">
      <Grid gutter="sm" style={{ flex: 1 }} align="flex-end">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <FilterInput
            meta={{
              label: "Search",
              placeholder: "ch_… or cus_…",
              hint: "Part of a provider id or customer id",
              testId: "payments-filter-text",
            }}
            value={values.text ?? ""}
            onChange={(text) => onChange("text", text.trim() ? text : null)}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, md: 2 }}>
          <NativeSelect
            label="Status"
            description="At the provider"
            data-testid="payments-filter-status"
            value={values.status ?? ""}
            data={STATUSES}
            onChange={(event) => onChange("status", event.currentTarget.value || null)}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, md: 2 }}>
          <Select
            label="Currency"
            description="Needed for amounts"
            placeholder="Any currency"
            data-testid="payments-filter-currency"
            data={currencies}
            value={currency}
            onChange={(code) => onChange("currency", code)}
            searchable
            filter={codeFirst}
            // Typing "usd" then Enter picks USD.
            selectFirstOptionOnChange
            clearable
            clearButtonProps={{ "aria-label": "Clear currency" }}
            nothingFoundMessage="No such ISO currency"
            maxDropdownHeight={280}
            comboboxProps={{ width: 260, position: "bottom-start" }}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, md: 2 }}>
          <FilterInput
            meta={{
              label: "Min amount",
              placeholder: "e.g. 100.00",
              hint: amountHint,
              testId: "payments-filter-min",
            }}
            value={values.minAmount ?? ""}
            onChange={(text) => onChange("minAmount", text.trim() ? text.trim() : null)}
            disabled={!currency}
            inputMode="decimal"
            validate={amountProblem}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 6, md: 2 }}>
          <FilterInput
            meta={{
              label: "Max amount",
              placeholder: "e.g. 5000",
              hint: amountHint,
              testId: "payments-filter-max",
            }}
            value={values.maxAmount ?? ""}
            onChange={(text) => onChange("maxAmount", text.trim() ? text.trim() : null)}
            disabled={!currency}
            inputMode="decimal"
            validate={amountProblem}
          />
        </Grid.Col>
      </Grid>
      <Button
        variant="subtle"
        disabled={!any}
        onClick={onClear}
        data-testid="payments-filter-clear"
      >
        Clear filters
      </Button>
    </Group>
  );
}
