import { CloseButton, TextInput, type TextInputProps } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useEffect, useState } from "react";

import type { ColumnFilterMeta } from "./tableMeta";

/** Typing settles for this long before the engine is asked again. */
export const FILTER_DEBOUNCE_MS = 300;

interface FilterInputProps {
  meta: ColumnFilterMeta;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  inputMode?: TextInputProps["inputMode"];
  /**
   * What is wrong with the settled text, or null; text with a problem is shown with it and never
   * reaches the table.
   */
  validate?: (text: string) => string | null;
}

/** A text filter that answers keystrokes at once and tells the table only when typing pauses. */
export function FilterInput({
  meta,
  value,
  onChange,
  disabled = false,
  inputMode,
  validate,
}: FilterInputProps) {
  const [text, setText] = useState(value);
  const [problem, setProblem] = useState<string | null>(null);
  const commit = useDebouncedCallback((next: string) => {
    const found = next.trim() && validate ? validate(next.trim()) : null;
    setProblem(found);
    if (!found) onChange(next);
  }, FILTER_DEBOUNCE_MS);

  // Follows resets from outside (e.g. "Clear filters").
  useEffect(() => {
    setText(value);
    if (!value) setProblem(null);
  }, [value]);

  return (
    <TextInput
      label={meta.label}
      description={meta.hint}
      placeholder={meta.placeholder}
      value={text}
      disabled={disabled}
      inputMode={inputMode}
      error={problem}
      data-testid={meta.testId}
      onChange={(event) => {
        setText(event.currentTarget.value);
        commit(event.currentTarget.value);
      }}
      rightSection={
        text && !disabled ? (
          <CloseButton
            size="sm"
            aria-label={`Clear ${meta.label.toLowerCase()}`}
            onClick={() => {
              commit.cancel();
              setText("");
              setProblem(null);
              onChange("");
            }}
          />
        ) : null
      }
    />
  );
}
