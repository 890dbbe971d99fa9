import type { ErrorCode, IpcError } from "../bindings";

/** What every generated command resolves to. */
type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

/** A failed command, in the engine's closed set of codes; `message` is for people. */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly detail: string | null;
  readonly retryable: boolean;

  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.detail = error.detail;
    this.retryable = error.retryable;
  }
}

const ERROR_CODES: readonly ErrorCode[] = [
  "validation",
  "notFound",
  "conflict",
  "alreadyRunning",
  "auditTampered",
  "unavailable",
  "internal",
];

function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === "string" &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
    typeof v.message === "string" &&
    (v.detail === null || v.detail === undefined || typeof v.detail === "string") &&
    typeof v.retryable === "boolean"
  );
}

function rawText(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Any rejection as an AppError. Tauri itself rejects with bare strings (a missing command, a
 * denied permission) and the generated bindings pass those through typed as IpcError, so the
 * shape is checked rather than trusted.
 */
export function toAppError(value: unknown): AppError {
  if (value instanceof AppError) return value;
  if (isIpcError(value)) return new AppError({ ...value, detail: value.detail ?? null });
  return new AppError({
    code: "internal",
    message: "Something went wrong inside Paysync.",
    detail: rawText(value),
    retryable: false,
  });
}

/** Awaits a generated command and returns its data, or throws an AppError. */
export async function call<T>(pending: Promise<Result<T, IpcError>>): Promise<T> {
  let result: Result<T, IpcError>;
  try {
    result = await pending;
  } catch (e) {
    throw toAppError(e);
  }
  if (result.status === "ok") return result.data;
  throw toAppError(result.error);
}
