import { useEffect, useState } from "react";

import { commands, type AuditPage, type AuditRow } from "../../bindings";
import { replaceRoute, useRoute } from "../../app/router";
import { call } from "../../lib/ipc";
import { notifyError, notifyResult } from "../../lib/notify";

interface EntryFromSearchOptions {
  /** The page on screen: the entry opens once it is loaded and holds it. */
  page: AuditPage | undefined;
  pageIsCurrent: boolean;
  /** Shows the newest-first, unfiltered page that holds `position` (0 = newest). */
  showPosition: (position: number) => void;
  openEntry: (entry: AuditRow) => void;
}

/**
 * Opens the entry a search hit pointed at (`#/audit?seq=N`). The engine pages by offset and has
 * no lookup by sequence number, but the chain is append-only and numbered without gaps, so entry
 * N sits (newest seq − N) rows from the top of the newest-first log. The row is only opened if the
 * page really holds it.
 */
export function useEntryFromSearch({
  page,
  pageIsCurrent,
  showPosition,
  openEntry,
}: EntryFromSearchOptions) {
  const wanted = useRoute().params.get("seq");
  // An object, so following the same hit twice looks for the entry twice.
  const [target, setTarget] = useState<{ seq: number } | null>(null);
  const [pending, setPending] = useState<number | null>(null);

  useEffect(() => {
    const seq = wanted === null ? Number.NaN : Number(wanted);
    if (!Number.isSafeInteger(seq)) return;
    setTarget({ seq });
    // The parameter is one-shot: paging on and reloading must not jump back to this entry.
    replaceRoute("audit");
  }, [wanted]);

  useEffect(() => {
    if (!target) return;
    let cancelled = false;
    call(
      commands.listAudit({
        actor: null,
        action: null,
        subject: null,
        sort: "seq",
        descending: true,
        offset: 0,
        limit: 1,
      }),
    )
      .then((newest) => {
        if (cancelled) return;
        showPosition(Math.max(0, (newest.rows[0]?.seq ?? target.seq) - target.seq));
        setPending(target.seq);
      })
      .catch((error: unknown) => notifyError("That audit entry could not be opened", error));
    return () => {
      cancelled = true;
    };
  }, [target, showPosition]);

  useEffect(() => {
    if (pending === null || !page || !pageIsCurrent) return;
    const entry = page.rows.find((row) => row.seq === pending);
    setPending(null);
    if (entry) openEntry(entry);
    else
      notifyResult(
        `Audit entry #${pending} was not found`,
        "It may be filtered out or no longer in the log.",
        "yellow",
      );
  }, [pending, page, pageIsCurrent, openEntry]);
}
