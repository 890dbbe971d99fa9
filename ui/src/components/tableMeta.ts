import type { RowData } from "@tanstack/react-table";

/** A text filter the engine applies to one column. */
export interface ColumnFilterMeta {
  label: string;
  placeholder: string;
  /** How the engine matches, in words ("exact", "starts with", "contains"). */
  hint: string;
  testId: string;
}

declare module "@tanstack/react-table" {
  // The type parameters must match TanStack's declaration for the interfaces to merge.
  interface ColumnMeta<TData extends RowData, TValue> {
    align?: "left" | "right";
    filter?: ColumnFilterMeta;
    /** Keeps a narrow column from being squeezed (CSS width). */
    width?: number | string;
  }
}
