import { notifications } from "@mantine/notifications";
import type { ReactNode } from "react";

import { ErrorNotice } from "../components/ErrorNotice";

/** A short-lived confirmation of something the user did. */
export function notifySuccess(title: string, message?: ReactNode) {
  notifications.show({ title, message, color: "green", autoClose: 3500 });
}

/** A run or action that finished, coloured by how it went. */
export function notifyResult(title: string, message: ReactNode, color: "green" | "yellow" | "red") {
  notifications.show({ title, message, color, autoClose: color === "green" ? 5000 : 10_000 });
}

/** A failure: the message in words, technical details behind a disclosure; stays until read. */
export function notifyError(title: string, error: unknown) {
  notifications.show({
    title,
    message: <ErrorNotice error={error} bare />,
    color: "red",
    autoClose: false,
  });
}

/** An alarm that must not disappear on its own; `id` keeps repeats from stacking up. */
export function notifyAlarm(id: string, title: string, message: ReactNode) {
  notifications.hide(id);
  notifications.show({ id, title, message, color: "red", autoClose: false, withBorder: true });
}
