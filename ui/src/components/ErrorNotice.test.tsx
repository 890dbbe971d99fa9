import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { AppError, call, toAppError } from "../lib/ipc";
import { ipcError } from "../test/fixtures";
import { renderWithProviders } from "../test/render";
import { ErrorNotice } from "./ErrorNotice";

describe("ErrorNotice", () => {
  it("shows the message in words and the technical detail only when asked", async () => {
    const user = userEvent.setup();
    renderWithProviders(
      <ErrorNotice
        title="The overview could not be loaded"
        error={toAppError(ipcError({ detail: "sqlite: database is locked" }))}
      />,
    );

    expect(screen.getByText("Paysync's engine is not running yet.")).toBeTruthy();
    expect(screen.queryByText(/database is locked/)).toBeNull();

    await user.click(screen.getByRole("button", { name: "Technical details" }));
    const detail = screen.getByTestId("error-detail");
    expect(detail.textContent).toContain("code: unavailable");
    expect(detail.textContent).toContain("sqlite: database is locked");

    await user.click(screen.getByRole("button", { name: "Hide technical details" }));
    expect(screen.queryByTestId("error-detail")).toBeNull();
  });

  it("offers to try again only when the engine says it may help", async () => {
    const user = userEvent.setup();
    const retry = vi.fn();
    const { rerender } = renderWithProviders(
      <ErrorNotice error={ipcError({ retryable: true })} onRetry={retry} />,
    );
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalledOnce();

    rerender(<ErrorNotice error={ipcError({ retryable: false })} onRetry={retry} />);
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });
});

async function rejection(pending: Promise<unknown>): Promise<AppError> {
  try {
    await pending;
  } catch (e) {
    return e as AppError;
  }
  throw new Error("expected the call to fail");
}

describe("call", () => {
  it("returns the data of an ok result", async () => {
    await expect(call(Promise.resolve({ status: "ok" as const, data: 42 }))).resolves.toBe(42);
  });

  it("throws the engine's error as an AppError", async () => {
    const error = ipcError({ code: "alreadyRunning", message: "audit.verify is already running" });
    const thrown = await rejection(call(Promise.resolve({ status: "error" as const, error })));
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: "alreadyRunning", retryable: true });
    expect(thrown.message).toBe("audit.verify is already running");
  });

  it("turns anything else into an internal error that keeps the raw text", async () => {
    // Tauri rejects with a bare string when a command or permission is missing.
    const bare = await rejection(
      call(
        Promise.resolve({ status: "error" as const, error: "command foo not allowed" as never }),
      ),
    );
    expect(bare).toMatchObject({
      code: "internal",
      detail: "command foo not allowed",
      retryable: false,
    });

    const crashed = await rejection(call(Promise.reject(new TypeError("x is undefined"))));
    expect(crashed.code).toBe("internal");
    expect(crashed.detail).toContain("x is undefined");
  });
});
