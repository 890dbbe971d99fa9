import { CloseButton, TextInput } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useEffect, useState } from "react";

import type { ColumnFilterMeta } from "./tableMeta";

/** Typing settles for this long before the engine is asked again. */
export const FILTER_DEBOUNCE_MS = 300;

interface FilterInputProps {
  meta: ColumnFilterMeta;
  value: string;
  onChange: (value: string) => void;
}

/** A text filter that answers keystrokes at once and tells the table only when typing pauses. */
export function FilterInput({ meta, value, onChange }: FilterInputProps) {
  const [text, setText] = useState(value);
  const commit = useDebouncedCallback(onChange, FILTER_DEBOUNCE_MS);

  // Follows resets from outside (e.g. "Clear filters").
  useEffect(() => setText(value), [value]);

  return (
    <TextInput
      label={meta.label}
      description={meta.hint}
      placeholder={meta.placeholder}
      value={text}
      data-testid={meta.testId}
      onChange={(event) => {
        setText(event.currentTarget.value);
        commit(event.currentTarget.value);
      }}
      rightSection={
        text ? (
          <CloseButton
            size="sm"
            aria-label={`Clear ${meta.label.toLowerCase()}`}
            onClick={() => {
              commit.cancel();
              setText("");
              onChange("");
            }}
          />
        ) : null
      }
    />
  );
}
