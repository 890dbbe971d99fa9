import { mockIPC } from "@tauri-apps/api/mocks";
import { vi } from "vitest";

import { events, type ConsoleEvent } from "../bindings";

type Handler = (args: Record<string, unknown>) => unknown;

/** Command handlers by Tauri command name (`get_overview`, …), as the Rust side registers them. */
export type Handlers = Partial<Record<string, Handler>>;

/**
 * Stands in for the Rust side: each command is answered by its handler (a handler that throws
 * rejects the invoke, as a Rust `Err(IpcError)` does), and engine events go through Tauri's event
 * mock. `invoke` records every call for assertions.
 */
export function mockBackend(handlers: Handlers) {
  const invoke = vi.fn((command: string, args: Record<string, unknown>) => {
    const handler = handlers[command];
    if (!handler) throw `command ${command} not mocked`;
    return handler(args);
  });
  mockIPC((command, args) => invoke(command, (args ?? {}) as Record<string, unknown>), {
    shouldMockEvents: true,
  });
  return {
    invoke,
    /** The arguments of every call of `command`, oldest first. */
    callsOf: (command: string) =>
      invoke.mock.calls.filter(([c]) => c === command).map(([, args]) => args),
  };
}

/** Sends an engine event to the UI as the Rust side's `EngineActivity` would. */
export function emitEngineEvent(event: ConsoleEvent) {
  return events.engineActivity.emit(event);
}
