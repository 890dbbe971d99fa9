import type { RunRow } from "../bindings";
import { formatInteger, runDuration } from "./format";
import { notifyResult } from "./notify";
import { outcomeLook } from "./status";

/** Tells the person who pressed Run now how it went, with the counts. */
export function notifyRunFinished(run: RunRow) {
  const look = outcomeLook(run.outcome);
  const counts = `${formatInteger(run.read)} read · ${formatInteger(run.written)} written · ${formatInteger(run.failed)} failed · took ${runDuration(run.startedAt, run.finishedAt)}`;
  const color =
    look.color === "green" || look.color === "yellow" || look.color === "red"
      ? look.color
      : "yellow";
  notifyResult(`${run.flow}: ${look.label}`, run.error ? `${counts}. ${run.error}` : counts, color);
}
